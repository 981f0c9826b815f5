package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/internal/graph"
)

// decodeSnapshot reads a snapshot event back, its model through
// graph.ReadJSON: a model every consumer can trust.
func decodeSnapshot(t testing.TB, ev sseEvent) (snapshot, *graph.Model) {
	t.Helper()
	if ev.Name != "snapshot" {
		t.Fatalf("event %q, want a snapshot: %.200s", ev.Name, ev.Data)
	}
	var s snapshot
	if err := json.Unmarshal([]byte(ev.Data), &s); err != nil {
		t.Fatal(err)
	}
	m, err := graph.ReadJSON(bytes.NewReader(s.Model))
	if err != nil {
		t.Fatalf("snapshot model: %v", err)
	}
	if ev.ID != strconv.FormatUint(s.Seq, 10) {
		t.Errorf("snapshot id %q, seq %d", ev.ID, s.Seq)
	}
	return s, m
}

func names(m *graph.Model) string {
	var out []string
	for _, c := range m.Containers {
		out = append(out, c.Name)
	}
	return strings.Join(out, ",")
}

// TestSnapshotThenChanges: a stream starts with the whole model, then has
// one change per update, in order, naming what it touched; a client that
// reconnects (Last-Event-ID) gets a fresh snapshot of the newest model.
func TestSnapshotThenChanges(t *testing.T) {
	for _, lab := range []string{"alias", "user-bridge", "multi-homed", "link-port"} {
		t.Run(lab, func(t *testing.T) {
			frames := labFrames(t, lab)
			src := pushSource(make(chan Update))
			r := start(t, Config{Source: src})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			// A stream opened before the first model waits for it.
			c := openEvents(t, ctx, r.base, nil)
			defer c.Close()
			src <- frames[0]
			s, m := decodeSnapshot(t, mustNext(t, c))
			if s.Seq != 1 || s.Resync != "" || names(m) != names(frames[0].Model) || len(s.Log) != 1 {
				t.Fatalf("first snapshot: seq %d resync %q containers %q log %d", s.Seq, s.Resync, names(m), len(s.Log))
			}
			for i, f := range frames[1:] {
				f.EventTime = time.Now().Add(-time.Duration(i) * time.Millisecond)
				src <- f
				ev := mustNext(t, c)
				var ch change
				if err := json.Unmarshal([]byte(ev.Data), &ch); err != nil {
					t.Fatal(err)
				}
				want := uint64(i + 2)
				if ev.Name != "change" || ch.Seq != want || ev.ID != strconv.FormatUint(want, 10) {
					t.Fatalf("event %d: %s id %s seq %d, want change %d", i, ev.Name, ev.ID, ch.Seq, want)
				}
				if ch.EventTime == nil || !ch.EventTime.Equal(f.EventTime) {
					t.Errorf("change %d: event time %v, want %v", want, ch.EventTime, f.EventTime)
				}
				if !slices.Equal(ch.Touched, f.Touched) || !slices.Equal(ch.Events, f.Events) || len(ch.Touched) == 0 {
					t.Errorf("change %d touched %v events %v, want %v %v", want, ch.Touched, ch.Events, f.Touched, f.Events)
				}
			}
			last := uint64(len(frames))
			// The model API serves the newest, as graph --format json.
			resp, err := http.Get(r.base + "/api/model")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var want bytes.Buffer
			graph.WriteJSON(&want, frames[len(frames)-1].Model)
			if !bytes.Equal(body, want.Bytes()) || resp.Header.Get("X-Netviz-Seq") != strconv.FormatUint(last, 10) {
				t.Errorf("/api/model (seq %s) is not graph.WriteJSON of the last frame", resp.Header.Get("X-Netviz-Seq"))
			}
			// Reconnect as EventSource does.
			c.Close()
			c2 := openEvents(t, ctx, r.base, http.Header{"Last-Event-Id": {"2"}})
			defer c2.Close()
			s, m = decodeSnapshot(t, mustNext(t, c2))
			if s.Seq != last || s.Resync != "reconnect" || s.LastEventID == nil || *s.LastEventID != 2 || names(m) != names(frames[len(frames)-1].Model) {
				t.Errorf("reconnect snapshot: seq %d (want %d) resync %q last %v containers %q", s.Seq, last, s.Resync, s.LastEventID, names(m))
			}
			if len(s.Log) != len(frames) || s.Log[len(s.Log)-1].Seq != last {
				t.Errorf("snapshot log has %d entries, want %d", len(s.Log), len(frames))
			}
		})
	}
}

func mustNext(t testing.TB, c *sseClient) sseEvent {
	t.Helper()
	ev, err := c.next()
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestHubSlowClient: publishing never waits for a client; one that does
// not read has a full queue and a resync pending, nothing more.
func TestHubSlowClient(t *testing.T) {
	frames := labFrames(t, "alias")
	h := newHub(8)
	slow := h.subscribe()
	began := time.Now()
	for i := range 10000 {
		h.publish(frames[i%len(frames)])
	}
	took := time.Since(began)
	if len(slow.ch) != 8 || !slow.resync.Load() || len(slow.kick) != 1 {
		t.Errorf("queue %d, resync %v, kick %d: want 8, true, 1", len(slow.ch), slow.resync.Load(), len(slow.kick))
	}
	if d := h.dropped.Load(); d != 10000-8 {
		t.Errorf("dropped %d", d)
	}
	if st := h.current(); st.seq != 10000 || len(h.recent()) != logSize {
		t.Errorf("seq %d, log %d", st.seq, len(h.recent()))
	}
	t.Logf("10000 publishes with a stuck client: %s (%s each)", took, took/10000)
}

// TestSlowClientOverHTTP: a client that stops reading holds nobody up:
// the others get every change (or a resync snapshot), and the stuck one
// is dropped once a write to it times out.
func TestSlowClientOverHTTP(t *testing.T) {
	frames := labFrames(t, "alias")
	src := pushSource(make(chan Update))
	r := start(t, Config{Source: src, ClientQueue: 4, WriteTimeout: 2 * time.Second})
	src <- frames[0]
	r.waitSeq(t, 1)
	// The stuck client: asks, then never reads.
	stuck, err := net.Dial("tcp", strings.TrimPrefix(r.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	stuck.(*net.TCPConn).SetReadBuffer(4096)
	fmt.Fprintf(stuck, "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	fast := openEvents(t, ctx, r.base, nil)
	defer fast.Close()
	mustNext(t, fast)
	waitStreams(t, r, 2)
	// Big changes, so the stuck client's socket buffers fill fast.
	lines := make([]string, 100)
	for i := range lines {
		lines[i] = strings.Repeat("x", 200)
	}
	const n = 2000
	got := make(chan error, 1)
	var changes, snapshots int
	go func() {
		for {
			ev, err := fast.next()
			if err != nil {
				got <- err
				return
			}
			var seq struct{ Seq uint64 }
			json.Unmarshal([]byte(ev.Data), &seq)
			if ev.Name == "change" {
				changes++
			} else {
				snapshots++
			}
			if seq.Seq == n+1 {
				got <- nil
				return
			}
		}
	}()
	began := time.Now()
	for i := range n {
		f := frames[1+i%(len(frames)-1)]
		f.Events = lines
		src <- f
	}
	pushTook := time.Since(began)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	t.Logf("%d changes pushed in %s; the reading client got %d changes and %d resync snapshots; %d queued changes dropped",
		n, pushTook.Round(time.Millisecond), changes, snapshots, r.hub.dropped.Load())
	if r.hub.dropped.Load() == 0 {
		t.Error("the stuck client's queue never overflowed: the test did not test")
	}
	waitStreams(t, r, 1)
}

func waitStreams(t testing.TB, r *running, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for r.hub.streams() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d streams open, want %d", r.hub.streams(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestStreamLimit: past MaxStreams, a stream is refused (503), not
// queued.
func TestStreamLimit(t *testing.T) {
	src := pushSource(make(chan Update, 1))
	r := start(t, Config{Source: src, MaxStreams: 2})
	src <- labFrames(t, "alias")[1]
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, b := openEvents(t, ctx, r.base, nil), openEvents(t, ctx, r.base, nil)
	defer a.Close()
	defer b.Close()
	mustNext(t, a)
	mustNext(t, b)
	resp, err := http.Get(r.base + "/api/events")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("third stream: %s, want 503 with Retry-After", resp.Status)
	}
	a.Close()
	waitStreams(t, r, 1)
	c := openEvents(t, ctx, r.base, nil)
	mustNext(t, c)
	c.Close()
}

// TestHeartbeat: an idle stream carries comments at the heartbeat.
func TestHeartbeat(t *testing.T) {
	src := pushSource(make(chan Update, 1))
	r := start(t, Config{Source: src, Heartbeat: 50 * time.Millisecond})
	src <- labFrames(t, "alias")[1]
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c := openEvents(t, ctx, r.base, nil)
	defer c.Close()
	mustNext(t, c)
	beats := 0
	for beats < 3 {
		line, err := c.r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line == ": heartbeat\n" {
			beats++
		}
	}
}

// TestNoGoroutineLeak: 200 event streams opened and closed, and 200 page
// loads, leave no goroutine behind.
func TestNoGoroutineLeak(t *testing.T) {
	src := pushSource(make(chan Update, 1))
	r := start(t, Config{Source: src, MaxStreams: 256})
	src <- labFrames(t, "alias")[3]
	r.waitSeq(t, 1)
	tr := &http.Transport{}
	client := &http.Client{Transport: tr}
	get := func(path string) {
		resp, err := client.Get(r.base + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	get("/api/svg") // drawn once, before counting
	tr.CloseIdleConnections()
	base := goroutinesSettle(0, 200*time.Millisecond)
	var streams []*http.Response
	for range 200 {
		resp, err := client.Get(r.base + "/api/events")
		if err != nil {
			t.Fatal(err)
		}
		c := &sseClient{resp: resp, r: bufioReader(resp.Body)}
		if ev := mustNext(t, c); ev.Name != "snapshot" {
			t.Fatalf("first event %s", ev.Name)
		}
		streams = append(streams, resp)
	}
	open := runtime.NumGoroutine()
	if r.hub.streams() != 200 {
		t.Fatalf("%d streams", r.hub.streams())
	}
	for _, s := range streams {
		s.Body.Close()
	}
	for range 200 {
		get("/")
		get("/app.js")
		get("/api/info")
		get("/api/svg")
	}
	tr.CloseIdleConnections()
	after := goroutinesSettle(base+2, 5*time.Second)
	t.Logf("goroutines: %d before, %d with 200 streams open, %d after closing them and 200 page loads", base, open, after)
	if after > base+2 {
		t.Errorf("%d goroutines after, %d before", after, base)
	}
	waitStreams(t, r, 0)
}

// TestMemoryBounded pushes 10,000 updates — real models of five labs, in
// turn — through the server with two streams reading and a page fetching
// the picture now and then, twice, and reports the heap and RSS after
// each round: the second round must not grow what the first left.
func TestMemoryBounded(t *testing.T) {
	var frames []Update
	for _, lab := range []string{"alias", "user-bridge", "multi-homed", "link-port", "custom-subnet"} {
		frames = append(frames, labFrames(t, lab)...)
	}
	src := pushSource(make(chan Update))
	r := start(t, Config{Source: src})
	src <- frames[0]
	r.waitSeq(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const n = 10000
	type tally struct{ changes, snaps int }
	var clients []*sseClient
	for range 2 {
		c := openEvents(t, ctx, r.base, nil)
		defer c.Close()
		mustNext(t, c)
		clients = append(clients, c)
	}
	// follow reads c until model last, counting what came.
	follow := func(c *sseClient, last uint64, out chan<- tally) {
		var got tally
		for {
			ev, err := c.next()
			if err != nil {
				out <- tally{-1, -1}
				return
			}
			var seq struct{ Seq uint64 }
			json.Unmarshal([]byte(ev.Data), &seq)
			if ev.Name == "change" {
				got.changes++
			} else {
				got.snaps++
			}
			if seq.Seq == last {
				out <- got
				return
			}
		}
	}
	measure := func() (heap uint64, rss int) {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse, rssKiB()
	}
	heap0, rss0 := measure()
	t.Logf("before: heap in use %.1f MiB, RSS %.1f MiB", mib(heap0), float64(rss0)/1024)
	var heaps []uint64
	seq := uint64(1)
	for round := 1; round <= 2; round++ {
		done := make(chan tally, 2)
		for _, c := range clients {
			go follow(c, seq+n, done)
		}
		began := time.Now()
		for i := range n {
			src <- frames[(i+1)%len(frames)]
			if i%500 == 0 {
				resp, err := http.Get(r.base + "/api/svg")
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
		seq += n
		for range clients {
			got := <-done
			if got.changes < 0 {
				t.Fatal("a stream ended early")
			}
			t.Logf("round %d: a stream read %d changes and %d resync snapshots", round, got.changes, got.snaps)
		}
		took := time.Since(began)
		heap, rss := measure()
		heaps = append(heaps, heap)
		t.Logf("round %d: %d updates in %s; heap in use %.1f MiB, RSS %.1f MiB, goroutines %d",
			round, n, took.Round(time.Millisecond), mib(heap), float64(rss)/1024, runtime.NumGoroutine())
	}
	if grow := int64(heaps[1]) - int64(heaps[0]); grow > 4<<20 {
		t.Errorf("the heap grew by %.1f MiB over the second 10000 updates", mib(uint64(grow)))
	}
	if grow := int64(heaps[0]) - int64(heap0); grow > 16<<20 {
		t.Errorf("the heap grew by %.1f MiB over 10000 updates", mib(uint64(grow)))
	}
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// rssKiB is this process's resident set (Linux; 0 elsewhere).
func rssKiB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}
