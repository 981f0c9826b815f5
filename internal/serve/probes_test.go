package serve

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/reach"
)

func getJSON(t testing.TB, url string, v any) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == 200 && v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", url, err)
		}
	}
	return resp.StatusCode, string(b)
}

// TestReachPredicted: without measurements, reach answers with the
// model's own expectation for the container's row or column, each cell
// with its reason.
func TestReachPredicted(t *testing.T) {
	frames := labFrames(t, "multi-homed")
	src := pushSource(make(chan Update, 1))
	r := start(t, Config{Source: src, Probes: &Probes{Off: "not root"}})
	src <- frames[len(frames)-1]
	r.waitSeq(t, 1)
	tests := []struct {
		query string
		// want: other container → reachable, reason
		want map[string]string
	}{
		// app is on front and back; web only on front, db only on back.
		{"to=web", map[string]string{"app": "true same-network", "db": "false " + reach.IsolatedBridges, "web": "true " + reach.SameNamespace}},
		{"from=db", map[string]string{"app": "true same-network", "web": "false " + reach.IsolatedBridges, "db": "true " + reach.SameNamespace}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var res reachResult
			code, body := getJSON(t, r.base+"/api/reach?"+tt.query, &res)
			if code != 200 {
				t.Fatalf("%d %s", code, body)
			}
			if res.Measured || res.Note != "not root" || !strings.Contains(res.Text, "reach on sim") {
				t.Errorf("measured %v note %q text %q", res.Measured, res.Note, res.Text)
			}
			got := map[string]string{}
			for _, c := range res.Matrix.Cells {
				other := c.Client
				if strings.HasPrefix(tt.query, "from=") {
					other = c.Target
				}
				if strings.HasPrefix(tt.query, "to=") && c.Target != "web" || strings.HasPrefix(tt.query, "from=") && c.Client != "db" {
					t.Errorf("cell %s → %s is not in the row or column", c.Client, c.Target)
				}
				if c.Measured.Outcome != probe.NotMeasured || c.Expected.Detail == "" {
					t.Errorf("cell %+v", c)
				}
				v := strings.TrimSpace(strings.Join([]string{boolText(c.Expected.Reachable), c.Expected.Reason}, " "))
				if prev, ok := got[other]; ok && prev != v {
					// app has two addresses: one reason per pair suffices
					// when both agree.
					if !strings.HasPrefix(prev, "true") {
						got[other] = v
					}
					continue
				}
				got[other] = v
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s: %q, want %q (all: %v)", k, got[k], v, got)
				}
			}
		})
	}
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// TestReachRefusals: only one of the model's running containers, named
// once.
func TestReachRefusals(t *testing.T) {
	frames := labFrames(t, "alias")
	src := pushSource(make(chan Update, 1))
	r := start(t, Config{Source: src})
	src <- frames[len(frames)-1]
	r.waitSeq(t, 1)
	tests := []struct {
		query string
		code  int
		says  string
	}{
		{"", 400, "give ?to=CONTAINER"},
		{"to=network_alias_ping&from=network_alias_ping", 400, "give ?to=CONTAINER"},
		{"to=nobody", 404, `no container "nobody"`},
		{"to=%1b%5b31m", 404, `"\x1b[31m"`},
		{"to=a&to=b", 400, "given 2 times"},
		{"from=" + strings.Repeat("x", 300), 400, "longer than 255"},
		{"from=", 400, "empty"},
	}
	for _, tt := range tests {
		code, body := getJSON(t, r.base+"/api/reach?"+tt.query, nil)
		if code != tt.code || !strings.Contains(body, tt.says) {
			t.Errorf("?%.40s: %d %q, want %d saying %q", tt.query, code, body, tt.code, tt.says)
		}
	}
}

// TestMeasurementLimits: a measurement runs alone on the server, and a
// client starts at most a few before it must wait.
func TestMeasurementLimits(t *testing.T) {
	frames := labFrames(t, "alias")
	entered := make(chan struct{}, 16)
	release := make(chan struct{})
	var once sync.Once
	// An opener that holds the first measurement until the test lets it
	// go, then fails like one without the privileges would.
	open := func(c *graph.Container) (net.PacketConn, error) {
		entered <- struct{}{}
		<-release
		return nil, errors.New("operation not permitted")
	}
	src := pushSource(make(chan Update, 1))
	r := start(t, Config{Source: src, Probes: &Probes{Open: open}})
	src <- frames[len(frames)-1]
	r.waitSeq(t, 1)
	first := make(chan string, 1)
	go func() {
		var res reachResult
		code, body := getJSON(t, r.base+"/api/reach?from=network_alias_ping", &res)
		if code == 200 && res.Measured {
			body = ""
			for _, c := range res.Matrix.Cells {
				if c.Measured.Outcome != probe.Failed || !strings.Contains(c.Measured.Detail, "operation not permitted") {
					body = "cell not failed: " + string(c.Measured.Outcome)
				}
			}
		}
		first <- body
	}()
	<-entered
	code, body := getJSON(t, r.base+"/api/reach?to=network_alias_ping", nil)
	if code != http.StatusTooManyRequests || !strings.Contains(body, "already running") {
		t.Errorf("a second measurement while one runs: %d %q", code, body)
	}
	code, body = getJSON(t, r.base+"/api/probe?target=alicek106", nil)
	if code != http.StatusTooManyRequests {
		t.Errorf("a probe while a reach runs: %d %q", code, body)
	}
	once.Do(func() { close(release) })
	if msg := <-first; msg != "" {
		t.Fatalf("the first measurement: %s", msg)
	}
	// The burst: three in all from this client, then 429 with a wait.
	for i := 2; i <= 4; i++ {
		resp, err := http.Get(r.base + "/api/reach?to=network_alias_container1")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		want := 200
		if i > int(probeBurst) {
			want = http.StatusTooManyRequests
		}
		if resp.StatusCode != want {
			t.Errorf("measurement %d: %s, want %d", i, resp.Status, want)
		}
		if want == 429 && resp.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
}

func TestLimiter(t *testing.T) {
	l := newLimiter(0.1, 3)
	now := time.Unix(1000, 0)
	for i := range 3 {
		if ok, _ := l.take("a", now); !ok {
			t.Fatalf("take %d refused", i)
		}
	}
	ok, wait := l.take("a", now)
	if ok || wait != 10*time.Second {
		t.Errorf("fourth: %v, wait %s; want refused, 10s", ok, wait)
	}
	if ok, _ := l.take("b", now); !ok {
		t.Error("another client shares a's bucket")
	}
	if ok, _ := l.take("a", now.Add(10*time.Second)); !ok {
		t.Error("no token back after 10 s")
	}
	// Past maxBuckets, full buckets are forgotten.
	for i := range maxBuckets + 10 {
		l.take(string(rune(i+'A'))+"x", now.Add(time.Hour))
	}
	if len(l.buckets) > maxBuckets {
		t.Errorf("%d buckets", len(l.buckets))
	}
}

// TestProbeStream: probe from one container streams its progress, then
// the report, its text and its picture, and ends.
func TestProbeStream(t *testing.T) {
	frames := labFrames(t, "alias")
	fail := errors.New("operation not permitted")
	env := probe.Env{
		DNS:   func(c *graph.Container) (net.Conn, error) { return nil, fail },
		ICMP:  func(c *graph.Container) (net.PacketConn, error) { return nil, fail },
		Hosts: func(c *graph.Container) (string, error) { return "", fail },
	}
	src := pushSource(make(chan Update, 1))
	r := start(t, Config{Source: src, Probes: &Probes{Open: env.ICMP, Env: env}})
	src <- frames[len(frames)-1]
	r.waitSeq(t, 1)
	resp, err := http.Get(r.base + "/api/probe?target=alicek106&from=network_alias_ping")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("%s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	c := &sseClient{resp: resp, r: bufioReader(resp.Body)}
	var seen []string
	var result probeResult
	for {
		ev, err := c.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, ev.Name)
		if ev.Name == "progress" {
			var p progressEvent
			json.Unmarshal([]byte(ev.Data), &p)
			seen[len(seen)-1] += ":" + p.Stage
		}
		if ev.Name == "result" {
			if err := json.Unmarshal([]byte(ev.Data), &result); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := strings.Join(seen, " "); got != "start progress:resolving progress:done result" {
		t.Errorf("events %q", got)
	}
	if result.Report == nil || len(result.Report.Clients) != 1 || result.Report.Clients[0].Client != "network_alias_ping" ||
		!strings.Contains(result.Report.Clients[0].Err, "operation not permitted") {
		t.Errorf("report %+v", result.Report)
	}
	if !strings.Contains(result.Text, "probe alicek106 from 1 client") || !strings.HasPrefix(result.SVG, "<?xml") {
		t.Errorf("text %q, svg %.60q", result.Text, result.SVG)
	}
}

// TestProbeRefusals: probes only the model's own containers, from a
// running one, and only where measurements are on.
func TestProbeRefusals(t *testing.T) {
	frames := labFrames(t, "alias")
	tests := []struct {
		name   string
		probes *Probes
		query  string
		code   int
		says   string
	}{
		{"off", &Probes{Off: "measurements need root"}, "target=alicek106", 503, "measurements need root"},
		{"nil", nil, "target=alicek106", 503, "measurements are off"},
		{"no target", &Probes{Open: probe.OpenContainer}, "from=network_alias_ping", 400, "give ?target="},
		{"an outside address", &Probes{Open: probe.OpenContainer}, "target=8.8.8.8", 404, "8.8.8.8 is not an address of a container on this host"},
		{"an unknown name", &Probes{Open: probe.OpenContainer}, "target=example.com", 404, `no container on this host answers to "example.com"`},
		{"from nobody", &Probes{Open: probe.OpenContainer}, "target=alicek106&from=nobody", 404, `no container "nobody"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := pushSource(make(chan Update, 1))
			r := start(t, Config{Source: src, Probes: tt.probes})
			src <- frames[len(frames)-1]
			r.waitSeq(t, 1)
			code, body := getJSON(t, r.base+"/api/probe?"+tt.query, nil)
			if code != tt.code || !strings.Contains(body, tt.says) {
				t.Errorf("%d %q, want %d saying %q", code, body, tt.code, tt.says)
			}
		})
	}
}

// TestReplay: the frames in order, one per interval; then the last holds.
func TestReplay(t *testing.T) {
	frames := labFrames(t, "alias")
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var got []Update
	done := make(chan error, 1)
	began := time.Now()
	go func() {
		done <- (&Replay{Frames: frames, Interval: 20 * time.Millisecond}).Run(ctx, func(u Update) {
			mu.Lock()
			got = append(got, u)
			mu.Unlock()
		})
	}()
	time.Sleep(time.Duration(len(frames)+3) * 20 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != len(frames) {
		t.Fatalf("%d updates in %s, want %d", len(got), time.Since(began), len(frames))
	}
	for i := range got {
		if got[i].Model != frames[i].Model {
			t.Errorf("update %d is not frame %d", i, i)
		}
	}
	if len(frames) != 6 || !strings.Contains(frames[5].Events[0], "step 5 · ") || !strings.Contains(strings.Join(frames[5].Events, "\n"), "+ container network_alias_ping (running)") {
		t.Errorf("frames %d, last events %q", len(frames), frames[len(frames)-1].Events)
	}
}
