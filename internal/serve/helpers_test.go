package serve

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/sim"
)

// labFrames simulates internal/lab/labs/NAME.sh step by step: real models,
// as `netviz sim --steps` draws them.
func labFrames(t testing.TB, name string) []Update {
	t.Helper()
	sc, err := scenario.ReadFile(context.Background(), filepath.Join("..", "lab", "labs", name+".sh"))
	if err != nil {
		t.Fatal(err)
	}
	frames, err := SimFrames(sim.New(sim.Options{Hostname: "sim", EngineVersion: sim.NewestEngineVersion}), sc)
	if err != nil {
		t.Fatal(err)
	}
	return frames
}

// pushSource is a Source the test feeds: every update sent on it is
// emitted, in order.
type pushSource chan Update

func (p pushSource) Run(ctx context.Context, emit func(Update)) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case u := <-p:
			emit(u)
		}
	}
}

// running is a Server serving on a loopback port until the test ends.
type running struct {
	*Server
	base   string // http://127.0.0.1:PORT
	cancel func()
	done   chan error
}

// start serves cfg on 127.0.0.1 (cfg.Listen's host when set) and stops it
// when t ends.
func start(t testing.TB, cfg Config) *running {
	t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{Server: s, cancel: cancel, done: make(chan error, 1)}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	r.base = "http://127.0.0.1:" + port
	go func() { r.done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(5 * time.Second):
			t.Error("the server did not stop within 5 s")
		}
	})
	return r
}

// waitSeq waits until the hub holds model seq or newer.
func (r *running) waitSeq(t testing.TB, seq uint64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if st := r.hub.current(); st != nil && st.seq >= seq {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub never reached model %d", seq)
		}
		time.Sleep(time.Millisecond)
	}
}

// sseEvent is one Server-Sent Event as a client reads it.
type sseEvent struct {
	ID, Name, Data string
}

// sseClient reads an event stream.
type sseClient struct {
	resp *http.Response
	r    *bufio.Reader
}

// openEvents opens GET /api/events with the given headers.
func openEvents(t testing.TB, ctx context.Context, base string, header http.Header) *sseClient {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("GET /api/events: %s %s", resp.Status, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	return &sseClient{resp: resp, r: bufio.NewReaderSize(resp.Body, 1<<20)}
}

func (c *sseClient) Close() { c.resp.Body.Close() }

// next reads the next event, skipping comments and retry lines.
func (c *sseClient) next() (sseEvent, error) {
	var ev sseEvent
	var data []string
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return ev, err
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if ev.Name != "" || len(data) > 0 {
				ev.Data = strings.Join(data, "\n")
				return ev, nil
			}
		case strings.HasPrefix(line, ":"), strings.HasPrefix(line, "retry:"):
		case strings.HasPrefix(line, "id: "):
			ev.ID = line[4:]
		case strings.HasPrefix(line, "event: "):
			ev.Name = line[7:]
		case strings.HasPrefix(line, "data: "):
			data = append(data, line[6:])
		}
	}
}

// goroutinesSettle waits until the goroutine count is at most want, and
// returns the count it saw last.
func goroutinesSettle(want int, within time.Duration) int {
	deadline := time.Now().Add(within)
	for {
		n := runtime.NumGoroutine()
		if n <= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func bufioReader(r io.Reader) *bufio.Reader { return bufio.NewReaderSize(r, 1<<16) }
