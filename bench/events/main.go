// Command events makes a Docker engine emit N events, as fast as it will,
// for bench/serve-rss.sh: one worker per container connects it to a
// network and disconnects it again, in a loop, until the engine's own
// event stream has carried N network events about that network. A connect
// is one event; a disconnect one or two (Docker 20.10 sends most twice,
// from the daemon and from libnetwork).
//
// It prints a progress line every -progress events and a summary, as
// "key=value" words:
//
//	progress events=1000 connects=334 disconnects=666 ops=666 elapsed_ms=35120
//	done events=10003 connects=… disconnects=… ops=… elapsed_ms=… rate=…
//
// ops counts the calls made; rate is events per second up to the Nth.
// The network and the containers (running, not on the network) are the
// caller's to create and remove: every worker leaves its container off
// the network, also when interrupted.
//
//	go run ./bench/events -n 10000 -network NET CTR...
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/client"
)

func main() {
	n := flag.Int("n", 10000, "stop once the engine has sent `N` events")
	step := flag.Int("progress", 1000, "print a progress line every `K` events")
	network := flag.String("network", "", "the `NETWORK` (name or ID) to connect the containers to")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: events [-n N] [-progress K] -network NET CONTAINER...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 || *n <= 0 || *step <= 0 || *network == "" {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *n, *step, *network, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "events:", err)
		os.Exit(1)
	}
}

// tally counts what the engine reported and what the workers did.
type tally struct {
	events, connects, disconnects, ops atomic.Int64
}

func (t *tally) line(word string, since time.Time) string {
	return fmt.Sprintf("%s events=%d connects=%d disconnects=%d ops=%d elapsed_ms=%d",
		word, t.events.Load(), t.connects.Load(), t.disconnects.Load(), t.ops.Load(), time.Since(since).Milliseconds())
}

func run(ctx context.Context, n, step int, network string, containers []string) error {
	cli, err := client.New(client.FromEnv)
	if err != nil {
		return err
	}
	defer cli.Close()
	if _, err := cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		return fmt.Errorf("ping the engine: %w", err)
	}
	ni, err := cli.NetworkInspect(ctx, network, client.NetworkInspectOptions{})
	if err != nil {
		return fmt.Errorf("network %s: %w", network, err)
	}
	netID := ni.Network.ID

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var t tally
	// Subscribe first, so that every event the workers cause is counted.
	// The engine sends the response headers once it has subscribed, and
	// the client does not say when: a short wait stands in.
	f := make(client.Filters).Add("type", string(events.NetworkEventType)).Add("network", netID)
	res := cli.Events(ctx, client.EventsListOptions{Filters: f})
	time.Sleep(200 * time.Millisecond)

	start := time.Now()
	reached := make(chan struct{})
	streamErr := make(chan error, 1)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case m := <-res.Messages:
				if m.Actor.ID != netID {
					continue
				}
				switch m.Action {
				case events.ActionConnect:
					t.connects.Add(1)
				case events.ActionDisconnect:
					t.disconnects.Add(1)
				default:
					continue
				}
				// Counting goes on past N: the summary counts the events
				// of the operations still running when N was reached.
				e := t.events.Add(1)
				if e == int64(n) || e < int64(n) && e%int64(step) == 0 {
					fmt.Println(t.line("progress", start))
				}
				if e == int64(n) {
					close(reached)
				}
			case err := <-res.Err:
				streamErr <- fmt.Errorf("the engine's event stream: %w", err)
				return
			}
		}
	}()

	var wg sync.WaitGroup
	workErr := make(chan error, len(containers))
	wctx, wcancel := context.WithCancel(ctx)
	for _, c := range containers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Neither call is cut short once told to stop: a call
			// cancelled on the client still completes on the engine, and
			// the container is to be left off the network.
			octx := context.WithoutCancel(wctx)
			for wctx.Err() == nil {
				if _, err := cli.NetworkConnect(octx, netID, client.NetworkConnectOptions{Container: c}); err != nil {
					workErr <- fmt.Errorf("connect %s: %w", c, err)
					return
				}
				t.ops.Add(1)
				if _, err := cli.NetworkDisconnect(octx, netID, client.NetworkDisconnectOptions{Container: c}); err != nil {
					workErr <- fmt.Errorf("disconnect %s: %w", c, err)
					return
				}
				t.ops.Add(1)
			}
		}()
	}
	var failed error
	select {
	case <-reached:
	case failed = <-workErr:
	case failed = <-streamErr:
	case <-ctx.Done():
		failed = errors.New("interrupted")
	}
	took, atN := time.Since(start), t.events.Load()
	wcancel()
	wg.Wait()
	if failed != nil {
		return failed
	}
	// The last operations' events are still on their way: wait for them
	// briefly, so that the summary counts them.
	time.Sleep(300 * time.Millisecond)
	fmt.Printf("%s rate=%.0f\n", t.line("done", start), float64(atN)/took.Seconds())
	return nil
}
