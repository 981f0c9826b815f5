package serve

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/overlay"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/reach"
	"github.com/netviz/netviz/internal/render"
	"github.com/netviz/netviz/internal/render/probeview"
	"github.com/netviz/netviz/internal/textsafe"
)

// Probes runs netviz's own measurements from the page: reach from or to
// one container, probe from one container. Only the model's own running
// containers are measured, one run at a time per server, a few per
// minute per client, each within a deadline.
type Probes struct {
	// Open opens an ICMP socket in a container's namespace
	// (probe.OpenContainer).
	Open probe.Opener
	// Env is what a probe needs from the machine (probe.LiveEnv).
	Env probe.Env
	// Neighbours keeps a reach sweep within the kernel's neighbour table
	// (probe.LiveNeighbours; nil: no budget).
	Neighbours probe.NeighbourTable
	// Off, when not empty, says why nothing can be measured here (not
	// root, a simulation): reach answers with the prediction, probe is
	// refused, and the page says so.
	Off string
}

func (p *Probes) available() bool { return p != nil && p.Off == "" && p.Open != nil }

func (p *Probes) offReason() string {
	switch {
	case p == nil:
		return "measurements are off"
	case p.Off != "":
		return p.Off
	case p.Open == nil:
		return "measurements are off"
	}
	return ""
}

// Bounds of a measurement started from the page.
var (
	reachDeadline = 20 * time.Second
	reachPing     = probe.PingOptions{Timeout: 200 * time.Millisecond, Retries: 1}
	probeDeadline = 20 * time.Second
	probeOptions  = probe.TargetOptions{Count: 6, Timeout: 500 * time.Millisecond, Retries: 1, Pings: 3}
	// probeRate is how many measurements a client may start per second
	// on average (6 a minute), probeBurst how many at once.
	probeRate  = 0.1
	probeBurst = 3.0
)

// maxName bounds a container name, alias or address in a query.
const maxName = 255

// limiter is a token bucket per client address, and one slot for the
// whole server: a measurement runs alone.
type limiter struct {
	rate, burst float64
	slot        chan struct{}

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds the clients remembered; past it, full buckets are
// forgotten (they hold nothing a fresh one would not), else the one used
// longest ago.
const maxBuckets = 1024

func newLimiter(rate, burst float64) *limiter {
	return &limiter{rate: rate, burst: burst, slot: make(chan struct{}, 1), buckets: map[string]*bucket{}}
}

// take takes a token from key's bucket, or says how long until one is
// there.
func (l *limiter) take(key string, now time.Time) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			oldest := ""
			for k, o := range l.buckets {
				if o.tokens+now.Sub(o.last).Seconds()*l.rate >= l.burst {
					delete(l.buckets, k)
				} else if oldest == "" || o.last.Before(l.buckets[oldest].last) {
					oldest = k
				}
			}
			if len(l.buckets) >= maxBuckets {
				delete(l.buckets, oldest)
			}
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// admit reserves the server's measurement slot and a token of the
// client's, or answers 429 and returns nil. The caller calls the release
// function it returns.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) func() {
	select {
	case s.limiter.slot <- struct{}{}:
	default:
		w.Header().Set("Retry-After", "2")
		httpError(w, http.StatusTooManyRequests, "a measurement is already running on this server; try again when it is done")
		return nil
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ok, wait := s.limiter.take(host, time.Now()); !ok {
		<-s.limiter.slot
		secs := int(math.Ceil(wait.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		httpError(w, http.StatusTooManyRequests, fmt.Sprintf("too many measurements from %s: %g a minute at most; try again in %d s", host, probeRate*60, secs))
		return nil
	}
	return func() { <-s.limiter.slot }
}

// queryName reads one query parameter naming a container, a name or an
// address.
func queryName(r *http.Request, key string) (string, error) {
	vs := r.URL.Query()[key]
	switch {
	case len(vs) == 0:
		return "", nil
	case len(vs) > 1:
		return "", fmt.Errorf("?%s given %d times", key, len(vs))
	case len(vs[0]) > maxName:
		return "", fmt.Errorf("?%s: longer than %d bytes", key, maxName)
	case vs[0] == "":
		return "", fmt.Errorf("?%s is empty", key)
	}
	return vs[0], nil
}

// runningContainer finds a running container of the model by name, or
// answers why not.
func runningContainer(w http.ResponseWriter, x *graph.Index, name string) *graph.Container {
	c := x.Container(graph.NewContainerID(name))
	switch {
	case c == nil:
		httpError(w, http.StatusNotFound, fmt.Sprintf("no container %s on this host", textsafe.Quote(name)))
		return nil
	case !c.Running() || c.Namespace == "":
		httpError(w, http.StatusConflict, fmt.Sprintf("%s is %s: a container that is not running has no network to measure", textsafe.Quote(name), textsafe.Clean(c.State)))
		return nil
	}
	return c
}

// reachResult is GET /api/reach's answer.
type reachResult struct {
	Seq uint64 `json:"seq"`
	// From or To is the container whose row or column this is.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Measured is false when nothing could be measured here: the cells
	// are the model's prediction, and Note says why.
	Measured bool          `json:"measured"`
	Note     string        `json:"note,omitempty"`
	Matrix   *probe.Matrix `json:"matrix"`
	Text     string        `json:"text"`
}

// handleReach is GET /api/reach?to=NAME ("who can reach me") or ?from=NAME
// ("whom can I reach"): that container's column or row of the
// reachability matrix, each cell with the model's reason, measured when
// it can be.
func (s *Server) handleReach(w http.ResponseWriter, r *http.Request) {
	from, err1 := queryName(r, "from")
	to, err2 := queryName(r, "to")
	if err := cmp.Or(err1, err2); err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	if (from == "") == (to == "") {
		httpError(w, http.StatusBadRequest, "give ?to=CONTAINER (who can reach it) or ?from=CONTAINER (whom it can reach)")
		return
	}
	st := s.hub.current()
	if st == nil {
		httpError(w, http.StatusServiceUnavailable, "no model yet")
		return
	}
	x := graph.NewIndex(st.model)
	name := from + to
	if runningContainer(w, x, name) == nil {
		return
	}
	var clients, targets []string
	if from != "" {
		clients = []string{from}
	} else {
		targets = []string{to}
	}
	res := reachResult{Seq: st.seq, From: from, To: to}
	if !s.cfg.Probes.available() {
		res.Note = s.cfg.Probes.offReason()
		res.Matrix = predict(x, clients, targets, res.Note)
	} else {
		release := s.admit(w, r)
		if release == nil {
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), reachDeadline)
		res.Matrix = probe.Measure(ctx, st.model, s.cfg.Probes.Open, probe.MeasureOptions{
			Ping: reachPing, Concurrency: 16, Neighbours: s.cfg.Probes.Neighbours, Clients: clients, Targets: targets,
		})
		cancel()
		release()
		if r.Context().Err() != nil {
			return
		}
		res.Measured = true
	}
	var text bytes.Buffer
	probe.WriteTable(&text, res.Matrix, false)
	res.Text = text.String()
	writeJSON(w, http.StatusOK, res)
}

// predict is the matrix the model predicts for the restricted clients and
// targets, nothing measured.
func predict(x *graph.Index, clients, targets []string, why string) *probe.Matrix {
	out := &probe.Matrix{Schema: probe.MatrixSchema, Host: x.Model.Host.Name, Cells: []probe.Cell{}}
	for _, c := range reach.Clients(x) {
		if len(clients) > 0 && !slices.Contains(clients, c.Name) {
			continue
		}
		for _, t := range reach.Targets(x) {
			if len(targets) > 0 && !slices.Contains(targets, t.Container.Name) {
				continue
			}
			out.Cells = append(out.Cells, probe.Cell{Client: c.Name, Target: t.Container.Name, Network: t.Network.Name, Addr: t.Addr,
				Expected: reach.Expect(x, c, t), Agrees: true,
				Measured: probe.EchoResult{Addr: t.Addr, Outcome: probe.NotMeasured, Detail: "predicted only: " + why}})
		}
	}
	return out
}

// probeTarget checks that target is something the model's containers
// answer to: a name some container can resolve, or one of their
// addresses.
func probeTarget(m *graph.Model, target string) error {
	if a, err := netip.ParseAddr(target); err == nil {
		for _, c := range m.Containers {
			for _, ep := range c.Endpoints {
				if ep.IPv4.IsValid() && ep.IPv4.Addr() == a.Unmap() || ep.IPv6.IsValid() && ep.IPv6.Addr() == a {
					return nil
				}
			}
		}
		return fmt.Errorf("%s is not an address of a container on this host: the page probes only this host's containers", a)
	}
	if slices.Contains(probe.KnownNames(m), target) {
		return nil
	}
	for _, c := range m.Containers {
		if c.Name == target {
			return nil
		}
	}
	return fmt.Errorf("no container on this host answers to %s", textsafe.Quote(target))
}

// progressEvent is one line of a running probe.
type progressEvent struct {
	Client    string `json:"client"`
	Stage     string `json:"stage"`
	Text      string `json:"text"`
	ElapsedMs int64  `json:"elapsedMs"`
}

// probeResult is the last event of a probe: the report, the same as text
// (netviz probe's), and its picture (netviz probe -o x.svg's).
type probeResult struct {
	Seq    uint64        `json:"seq"`
	Report *probe.Report `json:"report"`
	Text   string        `json:"text"`
	SVG    string        `json:"svg"`
}

// handleProbe is GET /api/probe?target=X[&from=NAME]: `netviz probe X --from
// NAME` as an event stream — "start", "progress" per client stage, then
// "result" or "error" — and the stream ends.
func (s *Server) handleProbe(w http.ResponseWriter, r *http.Request) {
	target, err1 := queryName(r, "target")
	from, err2 := queryName(r, "from")
	if err := cmp.Or(err1, err2); err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	if target == "" {
		httpError(w, http.StatusBadRequest, "give ?target=NAME or address (and ?from=CONTAINER)")
		return
	}
	if !s.cfg.Probes.available() {
		httpError(w, http.StatusServiceUnavailable, s.cfg.Probes.offReason())
		return
	}
	st := s.hub.current()
	if st == nil {
		httpError(w, http.StatusServiceUnavailable, "no model yet")
		return
	}
	x := graph.NewIndex(st.model)
	opts := probeOptions
	if from != "" {
		if runningContainer(w, x, from) == nil {
			return
		}
		opts.From = []string{from}
	}
	if err := probeTarget(st.model, target); err != nil {
		httpError(w, http.StatusNotFound, err.Error())
		return
	}
	release := s.admit(w, r)
	if release == nil {
		return
	}
	defer release()

	ctx, cancel := context.WithTimeout(r.Context(), probeDeadline)
	defer cancel()
	start := time.Now()
	progress := make(chan progressEvent, 64)
	opts.Capture = s.cfg.Probes.Env.Capture != nil
	opts.Progress = func(client, stage, text string) {
		select {
		case progress <- progressEvent{Client: client, Stage: stage, Text: text, ElapsedMs: time.Since(start).Milliseconds()}:
		default: // a line lost, never a probe held up
		}
	}
	type outcome struct {
		rep *probe.Report
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		rep, err := probe.Probe(ctx, st.model, target, s.cfg.Probes.Env, opts)
		done <- outcome{rep, err}
	}()

	out := startStream(w, s.cfg.WriteTimeout)
	send := func(name string, v any) error {
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return out.event(name, 0, data)
	}
	writeOK := send("start", map[string]any{"seq": st.seq, "target": target, "from": from}) == nil
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case p := <-progress:
			writeOK = writeOK && send("progress", p) == nil
		case <-tick.C:
			writeOK = writeOK && out.comment("running") == nil
		case o := <-done:
			if !writeOK || r.Context().Err() != nil {
				return
			}
			for len(progress) > 0 {
				send("progress", <-progress)
			}
			if o.err != nil {
				send("error", map[string]string{"message": o.err.Error()})
				return
			}
			res := probeResult{Seq: st.seq, Report: o.rep}
			var text, pic bytes.Buffer
			if probe.WriteReport(&text, o.rep, false) == nil {
				res.Text = text.String()
			}
			if probeview.RenderProbe(&pic, overlay.Probe(st.model, o.rep), render.FormatSVG) == nil {
				res.SVG = pic.String()
			}
			send("result", res)
			return
		}
		if !writeOK {
			cancel() // nobody listens: stop measuring
		}
	}
}
