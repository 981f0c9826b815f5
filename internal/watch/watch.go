// Package watch follows the live host: it discovers the model once, then
// subscribes to the Docker engine's events and, for each burst of them,
// reads again only what the events touched, handing out a new model per
// change.
//
// What is read again (discover.State.Refresh): the containers an event
// names and those sharing their namespace, with `docker inspect`; the
// networks created or removed, with `docker network inspect`; the host's
// namespace (the host ends of veths, the bridges) and the touched
// containers' namespaces, with netlink. Everything else is kept as last
// read, and the model is built from the merge by the same code a full
// discovery uses. The same namespaces are read once more linkSettle after
// the last refresh, as the kernel settles link states (a bridge going down
// with its last port) up to a second late and no event follows.
//
// What falls back to a full discovery, and why:
//
//   - the first model, and the first after the event stream broke (the
//     engine restarted, the socket went away): events may have been
//     missed, so nothing kept is known to be true (Update.Resync);
//   - a burst naming more than maxPending containers and networks: the
//     pending set stays bounded, and a full read is no dearer by then;
//   - an event that names nothing to read again (a network connect
//     without its container);
//   - a refresh that failed part-way (the engine stopped answering, a
//     container kept changing while read): it is retried, whole, with
//     backoff;
//   - a model read while the engine did not answer: it holds no engine
//     facts to keep.
//
// What no engine event announces — interfaces, bridges or addresses changed
// by hand (ip link add …), firewall rules changed by anything but a network
// create or remove — shows only when a later refresh reads it again: every
// refresh reads the host's namespace, a container's is read with the
// container's next event, everything on a resync.
package watch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/textsafe"
)

// Options tunes a watch.
type Options struct {
	// Discovery is what every (full and partial) discovery reads with:
	// All, the Client (nil: Run makes one for Endpoint and closes it when
	// it returns) and the Endpoint.
	Discovery discover.Options
	// Coalesce is how long a burst of events is gathered, from its first
	// event, before the model is refreshed once for all of them (0:
	// DefaultCoalesce). `docker run` alone is a network connect then a
	// start a few milliseconds apart.
	Coalesce time.Duration
	// Log, if set, is told what the watch cannot hand out as an Update:
	// the event stream breaking, a refresh failing and being retried.
	Log func(msg string)
}

// DefaultCoalesce is Options.Coalesce's default.
const DefaultCoalesce = 40 * time.Millisecond

// Backoff bounds for reconnecting to the event stream and retrying a
// failed refresh.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// Update is one new state of the host.
type Update struct {
	// Seq numbers the updates of one Run from 1.
	Seq uint64
	// Model is the whole model after the change: a new value every
	// update, never changed once handed out (it may share unchanged
	// nodes with earlier updates' models; none of them is changed either).
	Model *graph.Model
	// Touched are the model IDs (graph IDs: "ctr:web", "net:front",
	// "host/veth1a2b", "ns:web/eth0", port IDs, "ns:web") of what the
	// change added, removed or altered, and of the containers and
	// networks the events named; sorted. Empty on the first update.
	Touched []string
	// Events are the events the update follows, in words ("container web
	// started"), in the order the engine sent them; a burst of more than
	// maxRecords ends with "… and N more events".
	Events []string
	// Resync is set on the first update and on the first after the event
	// stream broke and came back: Model comes from a full discovery and
	// events may have been missed, so a consumer replaces what it holds
	// (Touched is still the difference from the previous model).
	Resync bool
	// Full says Model comes from a full discovery rather than a refresh
	// of what the events touched (see the package comment for when).
	Full bool
	// EventTime is when the engine emitted the earliest event the update
	// follows: EventTime to delivery is the update's latency. Zero on the
	// first update and on one that follows no event (the link states
	// read once more after a refresh, see linkSettle).
	EventTime time.Time
	// Took is how long reading and building the model took.
	Took time.Duration
}

// Run watches the host until ctx ends, then returns nil. It calls deliver
// with the first model as soon as it has one and then once per change that
// alters the model, always from Run's goroutine, one call at a time. A slow
// deliver delays refreshes but grows nothing: events arriving meanwhile are
// coalesced into the next one. Run fails only when the first discovery
// does (discover.Snapshot: the host's own namespace unreadable, containers
// that would not settle after retries); later failures are retried.
func Run(ctx context.Context, opts Options, deliver func(Update)) error {
	dopts := opts.Discovery
	if dopts.Client == nil {
		c, err := discover.NewDockerClient(dopts.Endpoint)
		if err != nil {
			return err
		}
		defer c.Close()
		dopts.Client = c
	}
	w := &watcher{
		opts:     dopts,
		cli:      dopts.Client,
		coalesce: cmp.Or(opts.Coalesce, DefaultCoalesce),
		logf:     opts.Log,
		p:        newPending(),
		wake:     make(chan struct{}, 1),
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	// Subscribe first, then discover: an event emitted while the first
	// discovery reads is then not lost (at worst read twice).
	subscribed := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.listen(ctx, subscribed)
	}()
	select {
	case <-subscribed:
	case <-ctx.Done():
		return nil
	}
	start := time.Now()
	st, err := w.first(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	m := st.Model()
	deliver(Update{Seq: 1, Model: m, Resync: true, Full: true, Took: time.Since(start)})
	w.loop(ctx, st, m, deliver)
	return nil
}

type watcher struct {
	opts     discover.Options
	cli      *client.Client
	coalesce time.Duration
	logf     func(string)
	p        *pending
	wake     chan struct{} // one token: something is pending
}

func (w *watcher) log(format string, args ...any) {
	if w.logf != nil {
		w.logf(fmt.Sprintf(format, args...))
	}
}

func (w *watcher) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// firstTries bounds how often the first discovery is tried when
// containers keep changing while it reads.
const firstTries = 3

func (w *watcher) first(ctx context.Context) (*discover.State, error) {
	for try := 1; ; try++ {
		st, err := discover.Snapshot(ctx, w.opts)
		var unsettled *discover.UnsettledError
		if err == nil || try >= firstTries || !errors.As(err, &unsettled) {
			return st, err
		}
		w.log("watch: first discovery, try %d: %v", try, err)
		if !sleep(ctx, time.Duration(try)*200*time.Millisecond) {
			return nil, ctx.Err()
		}
	}
}

// linkSettle is how long after a refresh the same namespaces are read once
// more. Linux applies a link's operational state through linkwatch, which
// batches changes for up to a second (linkwatch_schedule_work): a bridge
// whose last port went is still "up" when the die event's refresh reads it,
// a veth just plugged may not be "up" yet, and no engine event follows.
const linkSettle = 1100 * time.Millisecond

// loop refreshes the model for each batch of events until ctx ends, and
// once more linkSettle after the last refresh.
func (w *watcher) loop(ctx context.Context, st *discover.State, model *graph.Model, deliver func(Update)) {
	seq := uint64(1)
	retry := newStoppedTimer()
	defer retry.Stop()
	settled := newStoppedTimer()
	defer settled.Stop()
	// again holds the containers to read once more when link states have
	// settled (the host's namespace always is); againFull: too many, read
	// everything.
	again := map[string]struct{}{}
	againFull := false
	failures := 0
	var lastFailLog time.Time // when a failed refresh was last said
	quiet := 0                // failures not said since
	var gone goneNames
	for {
		var b batch
		settling := false
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		case <-retry.C:
		case <-settled.C:
			settling = true
		}
		if settling {
			b = batch{full: againFull, change: discover.Change{Containers: slices.Sorted(maps.Keys(again))}}
			clear(again)
			againFull = false
		} else {
			if !sleep(ctx, w.coalesce) {
				return
			}
			if b = w.p.take(); b.empty() {
				continue
			}
		}
		start := time.Now()
		full := b.full || b.resync || !st.Engine()
		var next *discover.State
		var err error
		if full {
			next, err = discover.Snapshot(ctx, w.opts)
		} else {
			next, err = st.Refresh(ctx, w.cli, b.change)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if settling {
				w.log("watch: reading the settled link states failed: %v", err)
				continue
			}
			failures++
			d := backoff(failures)
			// Under churn a refresh races the engine now and then (about
			// one in 16 under a connect/disconnect loop) and the full
			// read after it recovers: said once a minute, not each time.
			if time.Since(lastFailLog) >= time.Minute {
				more := ""
				if quiet > 0 {
					more = fmt.Sprintf(" (and %d more since the last said, each recovered)", quiet)
				}
				w.log("watch: refresh failed (%v); reading everything again in %s%s", err, d, more)
				lastFailLog, quiet = time.Now(), 0
			} else {
				quiet++
			}
			w.p.requeue(b)
			retry.Reset(d)
			continue
		}
		failures = 0
		if !settling {
			for _, id := range b.change.Containers {
				again[id] = struct{}{}
			}
			if len(again) > maxPending {
				clear(again)
				againFull = true
			}
			settled.Reset(linkSettle)
		}
		m := next.Model()
		took := time.Since(start)
		changed := Changed(model, m)
		gone.note(model, m)
		var events []string
		if settling {
			events = settledWords(model, m, changed)
		} else {
			events = w.words(b, lookupIn(&gone, m, model))
		}
		st = next
		if len(changed) == 0 && !b.resync {
			if !settling {
				w.log("watch: %d event(s) changed nothing drawn: %v", b.events, events)
			}
			continue
		}
		touched := slices.Compact(slices.Sorted(slices.Values(append(changed, named(b.records, model, m)...))))
		seq++
		deliver(Update{Seq: seq, Model: m, Touched: touched, Events: events, Resync: b.resync,
			Full: full, EventTime: b.first, Took: took})
		model = m
	}
}

// words describes a batch's events.
func (w *watcher) words(b batch, lookup func(events.Type, string) (string, bool)) []string {
	out := make([]string, 0, len(b.records)+2)
	for _, r := range b.records {
		// The engine sends some events twice (a disconnect from the
		// daemon and from libnetwork): once in words is enough.
		if e := describe(r, lookup); !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	if b.dropped > 0 {
		out = append(out, fmt.Sprintf("… and %d more events", b.dropped))
	}
	if b.resync {
		why := "the engine's event stream broke"
		if b.lostWhy != "" {
			why += " (" + b.lostWhy + ")"
		}
		out = append(out, why+" and is back: everything read again")
	}
	return out
}

// maxSettledWords bounds settledWords' list.
const maxSettledWords = 8

// settledWords describes what reading the links once more changed: the
// interfaces whose state moved ("host/br-1a2b3c4d5e6f is down"), or that
// something did.
func settledWords(old, cur *graph.Model, changed []string) []string {
	was := map[graph.InterfaceID]string{}
	for _, i := range old.Interfaces {
		was[i.ID] = i.State
	}
	var out []string
	n := 0
	for _, i := range cur.Interfaces {
		if s, ok := was[i.ID]; ok && s != i.State && slices.Contains(changed, string(i.ID)) {
			if n++; n <= maxSettledWords {
				out = append(out, fmt.Sprintf("interface %s is %s", i.ID, textsafe.Clean(i.State)))
			}
		}
	}
	if n > maxSettledWords {
		out = append(out, fmt.Sprintf("… and %d more interfaces", n-maxSettledWords))
	}
	if len(out) == 0 {
		out = append(out, "the kernel's link state settled")
	}
	return out
}

func newStoppedTimer() *time.Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}

// listen follows the engine's event stream into w.p, reconnecting with
// backoff whenever it breaks, until ctx ends. It closes subscribed once
// the first subscription is up, or has failed (the first discovery then
// goes ahead without events, and the next subscription resynchronises).
func (w *watcher) listen(ctx context.Context, subscribed chan<- struct{}) {
	first := true
	signal := func() {
		if first {
			first = false
			close(subscribed)
		}
	}
	defer signal()
	failures := 0
	for {
		healthy, err := w.subscribe(ctx, func() {
			if !first {
				w.p.reconnected()
				w.poke()
			}
			signal()
		})
		if ctx.Err() != nil {
			return
		}
		signal()
		w.p.lost(err)
		if healthy {
			failures = 0
		}
		failures++
		d := backoff(failures)
		w.log("watch: the engine's event stream broke (%v); reconnecting in %s", err, d)
		if !sleep(ctx, d) {
			return
		}
	}
}

// subscribe reads one event stream until it breaks; up is called once it
// is established. healthy reports whether it worked for a while (an event
// arrived, or it lasted maxBackoff), which resets the backoff.
func (w *watcher) subscribe(ctx context.Context, up func()) (healthy bool, err error) {
	// Events reports a refused connection only on its error channel,
	// racing with its own start: a ping says first whether the engine
	// answers at all.
	if _, err := w.cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		return false, fmt.Errorf("ping: %w", err)
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the client's reading goroutine with the stream
	res := w.cli.Events(sctx, client.EventsListOptions{Filters: eventFilters()})
	up()
	start := time.Now()
	got := false
	for {
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case m := <-res.Messages:
			got = true
			if w.p.add(m) {
				w.poke()
			}
		case err, ok := <-res.Err:
			if !ok || err == nil {
				err = io.EOF
			}
			return got || time.Since(start) >= maxBackoff, err
		}
	}
}

// backoff is the wait before the nth retry: doubling from minBackoff up to
// maxBackoff.
func backoff(n int) time.Duration {
	d := minBackoff
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// sleep waits d or until ctx ends; false if ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
