package watch_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/dockerctx"
	"github.com/netviz/netviz/internal/dockertest"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/testkit"
	"github.com/netviz/netviz/internal/watch"
)

// The live tests run against the engine DOCKER_HOST names, from the
// network namespace that engine's containers hang off (the host's, or
// .ci/engine's nvz-NAME under `ip netns exec`):
//
//	bash .ci/engine up w12 /usr/sbin/dockerd /usr/sbin/docker-proxy
//	ip netns exec nvz-w12 env $(bash .ci/engine env w12) NETVIZ_E2E=1 \
//	    go test -run TestLiveWatch -v ./internal/watch/
//	bash .ci/engine down w12

// received is an update and when it was delivered.
type received struct {
	watch.Update
	at time.Time
}

// watcher runs watch.Run for a test and hands its updates over.
type watcher struct {
	t       *testing.T
	updates chan received
	last    *graph.Model
	stop    func() error
	all     []received // every update after the first

	// kind names the last command (did); byKind holds, per kind, the
	// event-to-update latency of the update await returned for it, and
	// afterCall the time from the API call's return to that update.
	kind             string
	returned         time.Time
	byKind, afterCal map[string][]time.Duration
	kinds            []string
}

// did notes that a command of this kind just returned.
func (w *watcher) did(kind string) {
	w.kind, w.returned = kind, time.Now()
	if !slices.Contains(w.kinds, kind) {
		w.kinds = append(w.kinds, kind)
	}
}

func (w *watcher) measure(u received) received {
	if w.kind != "" && !u.EventTime.IsZero() {
		if w.byKind == nil {
			w.byKind, w.afterCal = map[string][]time.Duration{}, map[string][]time.Duration{}
		}
		w.byKind[w.kind] = append(w.byKind[w.kind], u.at.Sub(u.EventTime))
		w.afterCal[w.kind] = append(w.afterCal[w.kind], u.at.Sub(w.returned))
	}
	w.kind = ""
	return u
}

func startWatch(t *testing.T, opts watch.Options) *watcher {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &watcher{t: t, updates: make(chan received, 4096)}
	done := make(chan error, 1)
	go func() {
		done <- watch.Run(ctx, opts, func(u watch.Update) {
			select {
			case w.updates <- received{u, time.Now()}:
			default:
				t.Error("the test fell 4096 updates behind")
			}
		})
	}()
	var once sync.Once
	var err error
	w.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(15 * time.Second):
				err = fmt.Errorf("Run did not return 15 s after its context ended")
			}
		})
		return err
	}
	t.Cleanup(func() { w.stop() })
	first := w.next(60 * time.Second)
	if first.Seq != 1 || !first.Resync || !first.Full || first.Model == nil {
		t.Fatalf("first update: seq %d resync %v full %v", first.Seq, first.Resync, first.Full)
	}
	w.all = nil
	return w
}

func (w *watcher) next(timeout time.Duration) received {
	w.t.Helper()
	select {
	case u := <-w.updates:
		w.last = u.Model
		w.all = append(w.all, u)
		return u
	case <-time.After(timeout):
		w.t.Fatalf("no update in %s", timeout)
		return received{}
	}
}

// await reads updates until ok holds for the latest model, and returns
// the update that made it so (the zero received if it held already: a
// command that changed nothing drawn, like removing a stopped container,
// brings no update).
func (w *watcher) await(what string, ok func(*graph.Model, *graph.Index) bool) received {
	w.t.Helper()
	if w.last != nil && ok(w.last, graph.NewIndex(w.last)) {
		w.quiet(pace)
		if ok(w.last, graph.NewIndex(w.last)) {
			return received{}
		}
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			w.t.Fatalf("the model never showed %s", what)
		}
		select {
		case u := <-w.updates:
			w.last = u.Model
			w.all = append(w.all, u)
			if ok(u.Model, graph.NewIndex(u.Model)) {
				// The pace of a person at a terminal: the next command
				// comes after the engine is done with this one (its
				// trailing events — a start after the connect, a destroy
				// after the die — are read alone, not with the next
				// command's).
				w.quiet(pace)
				return w.measure(u)
			}
		case <-time.After(left):
			w.t.Fatalf("the model never showed %s (last update: %d)", what, len(w.all))
		}
	}
}

// pace is how long await waits after its model shows, for the trailing
// events of the command.
const pace = 150 * time.Millisecond

// quiet waits until no update came for d, and returns the latest model.
func (w *watcher) quiet(d time.Duration) *graph.Model {
	w.t.Helper()
	for {
		select {
		case u := <-w.updates:
			w.last = u.Model
			w.all = append(w.all, u)
		case <-time.After(d):
			return w.last
		}
	}
}

// matchesFullDiscovery checks the model the watch holds is the one a full
// discovery draws now: what was refreshed piecemeal adds up.
func (w *watcher) matchesFullDiscovery(ctx context.Context, cli *client.Client, when string) {
	w.t.Helper()
	for try := 1; ; try++ {
		have := w.quiet(1500 * time.Millisecond) // past the link-state follow-up
		full, err := discover.Discover(ctx, discover.Options{Client: cli})
		if err != nil {
			w.t.Fatalf("%s: full discovery: %v", when, err)
		}
		a, b := modelJSON(w.t, have), modelJSON(w.t, full)
		if a == b {
			return
		}
		if try == 3 {
			w.t.Fatalf("%s: the watched model differs from a full discovery:\n%s", when, testkit.LineDiff(a, b, "watched", "full"))
		}
	}
}

func modelJSON(t testing.TB, m *graph.Model) string {
	t.Helper()
	var b bytes.Buffer
	if err := graph.WriteJSON(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// wired reports whether a running container's every endpoint has its
// interface, that interface's veth peer is on the host, and the peer is a
// port of the network's bridge.
func wired(m *graph.Model, x *graph.Index, name string, networks int) bool {
	c := x.Container(graph.NewContainerID(name))
	if c == nil || c.State != "running" || len(c.Endpoints) != networks {
		return false
	}
	for _, ep := range c.Endpoints {
		n := x.Network(ep.Network)
		if ep.Interface == "" || n == nil || n.Bridge == "" {
			return false
		}
		peer := x.Peer(ep.Interface)
		if peer == "" || x.Interface(peer).Namespace != graph.HostNamespaceID || x.Master(peer) != n.Bridge {
			return false
		}
	}
	return true
}

// gone reports whether nothing of a removed container is left: no
// container, no namespace, no host veth whose peer was in it.
func gone(m *graph.Model, x *graph.Index, name string) bool {
	if x.Container(graph.NewContainerID(name)) != nil || x.Namespace(graph.NewNamespaceID(name)) != nil {
		return false
	}
	for _, i := range m.Interfaces {
		if i.Namespace == graph.HostNamespaceID && i.Kind == graph.KindVeth && strings.HasPrefix(i.Name, "veth") && x.Peer(i.ID) == "" {
			return false // a dangling host veth: its container's end went unnoticed
		}
	}
	return true
}

// goroutines counts goroutines — but the test's proxy's — once cli's idle
// connections are closed (their read and write loops are the client's,
// not the watch's), waiting up to wait for the count to come down to at
// most want.
func goroutines(cli *client.Client, want int, wait time.Duration) int {
	deadline := time.Now().Add(wait)
	for {
		cli.Close() // closes idle connections only; the client stays usable
		n := 0
		for _, g := range strings.Split(allStacks(), "\n\n") {
			if g != "" && !strings.Contains(g, "(*Forwarder)") {
				n++
			}
		}
		if n <= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func allStacks() string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

func stacks() string {
	var b bytes.Buffer
	pprof.Lookup("goroutine").WriteTo(&b, 1)
	return b.String()
}

// TestLiveWatch follows ~60 engine events — networks created and removed,
// containers run, connected, paused, renamed, disconnected and removed —
// and checks each shows in the model as it should, that the model the
// watch builds piecemeal is the one a full discovery draws, and that Run
// leaves no goroutine behind. It logs the event-to-update latency.
func TestLiveWatch(t *testing.T) {
	env := dockertest.RequireQuiet(t) // it watches the whole engine: nothing else may change it meanwhile
	// The engine's own count of the events while the scenario runs (all
	// of them: the engine is the test's alone when run as the file's
	// comment says), on a stream of the test's.
	counted := make(chan string, 1)
	countCtx, stopCount := context.WithCancel(env.Ctx)
	defer stopCount()
	watchFilters := make(client.Filters).Add("type", "container", "network")
	res := env.Client.Events(countCtx, client.EventsListOptions{Filters: watchFilters})
	go func() {
		by := map[string]int{}
		n := 0
		for {
			select {
			case m := <-res.Messages:
				by[string(m.Type)+" "+string(m.Action)]++
				n++
			case <-res.Err:
				var parts []string
				for _, k := range slices.Sorted(maps.Keys(by)) {
					parts = append(parts, fmt.Sprintf("%s %d", k, by[k]))
				}
				counted <- fmt.Sprintf("%d engine events (%s)", n, strings.Join(parts, ", "))
				return
			}
		}
	}()
	before := goroutines(env.Client, 0, 0)
	w := startWatch(t, watch.Options{Discovery: discover.Options{Client: env.Client}})

	front := env.Network("front", client.NetworkCreateOptions{Driver: "bridge"})
	w.did("network create")
	u := w.await("network front with its bridge", func(m *graph.Model, x *graph.Index) bool {
		n := x.Network(graph.NewNetworkID(front))
		return n != nil && n.Bridge != ""
	})
	if !slices.Contains(u.Touched, string(graph.NewNetworkID(front))) || len(u.Events) == 0 || !strings.Contains(u.Events[0], "network "+front+" created") {
		t.Errorf("network create: touched %v events %q", u.Touched, u.Events)
	}
	if u.Full || u.Resync {
		t.Errorf("a network create was read in full (full %v resync %v)", u.Full, u.Resync)
	}

	var ctrs []string
	for i := range 10 {
		name := env.Run(fmt.Sprintf("c%d", i), dockertest.Spec{Network: front})
		w.did("run")
		ctrs = append(ctrs, name)
		u := w.await(name+" running and wired", func(m *graph.Model, x *graph.Index) bool { return wired(m, x, name, 1) })
		if !slices.Contains(u.Touched, string(graph.NewContainerID(name))) {
			t.Errorf("run %s: touched %v", name, u.Touched)
		}
	}
	w.matchesFullDiscovery(env.Ctx, env.Client, "after 10 runs")

	back := env.Network("back", client.NetworkCreateOptions{Driver: "bridge"})
	w.did("network create")
	w.await("network back", func(m *graph.Model, x *graph.Index) bool { return x.Network(graph.NewNetworkID(back)) != nil })
	for _, name := range ctrs[:5] {
		if _, err := env.Client.NetworkConnect(env.Ctx, back, client.NetworkConnectOptions{Container: name}); err != nil {
			t.Fatalf("connect %s to %s: %v", name, back, err)
		}
		w.did("network connect")
		u := w.await(name+" on two networks", func(m *graph.Model, x *graph.Index) bool { return wired(m, x, name, 2) })
		if !slices.ContainsFunc(u.Events, func(e string) bool { return strings.Contains(e, "connected to network "+back) }) {
			t.Errorf("connect %s: events %q", name, u.Events)
		}
	}
	w.matchesFullDiscovery(env.Ctx, env.Client, "after 5 connects")

	state := func(name, want string) func(*graph.Model, *graph.Index) bool {
		return func(m *graph.Model, x *graph.Index) bool {
			c := x.Container(graph.NewContainerID(name))
			return c != nil && c.State == want
		}
	}
	if _, err := env.Client.ContainerPause(env.Ctx, ctrs[0], client.ContainerPauseOptions{}); err != nil {
		t.Fatal(err)
	}
	w.did("pause")
	w.await(ctrs[0]+" paused", state(ctrs[0], "paused"))
	if _, err := env.Client.ContainerUnpause(env.Ctx, ctrs[0], client.ContainerUnpauseOptions{}); err != nil {
		t.Fatal(err)
	}
	w.did("unpause")
	w.await(ctrs[0]+" running again", state(ctrs[0], "running"))

	renamed := ctrs[1] + "r"
	t.Cleanup(func() { env.Remove(renamed) })
	if _, err := env.Client.ContainerRename(env.Ctx, ctrs[1], client.ContainerRenameOptions{NewName: renamed}); err != nil {
		t.Fatal(err)
	}
	w.did("rename")
	u = w.await(ctrs[1]+" renamed", func(m *graph.Model, x *graph.Index) bool {
		return x.Container(graph.NewContainerID(ctrs[1])) == nil && wired(m, x, renamed, 2)
	})
	for _, id := range []string{"ctr:" + ctrs[1], "ctr:" + renamed, "ns:" + ctrs[1], "ns:" + renamed} {
		if !slices.Contains(u.Touched, id) {
			t.Errorf("rename: %s not in touched %v", id, u.Touched)
		}
	}
	ctrs[1] = renamed

	if _, err := env.Client.NetworkDisconnect(env.Ctx, back, client.NetworkDisconnectOptions{Container: ctrs[2]}); err != nil {
		t.Fatal(err)
	}
	w.did("network disconnect")
	w.await(ctrs[2]+" back on one network", func(m *graph.Model, x *graph.Index) bool { return wired(m, x, ctrs[2], 1) })

	// Half stopped then removed (die, disconnects, stop; destroy), half
	// removed running (die, disconnects, destroy).
	zero := 0
	for i, name := range ctrs {
		if i >= 5 {
			if _, err := env.Client.ContainerStop(env.Ctx, name, client.ContainerStopOptions{Timeout: &zero}); err != nil {
				t.Fatal(err)
			}
			w.did("stop")
			w.await(name+" stopped", func(m *graph.Model, x *graph.Index) bool { return gone(m, x, name) })
		}
		env.Remove(name)
		w.did("rm")
		w.await(name+" gone", func(m *graph.Model, x *graph.Index) bool { return gone(m, x, name) })
	}
	if _, err := env.Client.NetworkRemove(env.Ctx, back, client.NetworkRemoveOptions{}); err != nil {
		t.Fatal(err)
	}
	w.did("network rm")
	w.await("network back gone", func(m *graph.Model, x *graph.Index) bool {
		return x.Network(graph.NewNetworkID(back)) == nil && !slices.ContainsFunc(m.Interfaces, func(i *graph.Interface) bool {
			return i.Kind == graph.KindBridge && strings.HasPrefix(i.Name, "br-") && !slices.ContainsFunc(m.Networks, func(n *graph.Network) bool { return n.Bridge == i.ID })
		})
	})
	w.matchesFullDiscovery(env.Ctx, env.Client, "at the end")

	// The figures.
	var lat []time.Duration
	events, full := 0, 0
	for i, u := range w.all {
		if u.Seq != w.all[0].Seq+uint64(i) {
			t.Errorf("update %d has seq %d after %d", i, u.Seq, w.all[0].Seq+uint64(i)-1)
		}
		if u.Full {
			full++
		}
		events += len(u.Events)
		if !u.EventTime.IsZero() {
			lat = append(lat, u.at.Sub(u.EventTime))
		}
		after := "no event"
		if !u.EventTime.IsZero() {
			after = u.at.Sub(u.EventTime).Round(time.Microsecond).String() + " after the event"
		}
		t.Logf("update %d: %s, refresh %s, touched %d: %q", u.Seq, after, u.Took.Round(time.Microsecond), len(u.Touched), u.Events)
	}
	if full > 0 {
		t.Errorf("%d of %d updates were full discoveries; every event here can be refreshed alone", full, len(w.all))
	}
	stopCount()
	med, p95 := quantile(lat, 0.5), quantile(lat, 0.95)
	t.Logf("%s made %d updates (%d events described): event-to-update latency median %s, p95 %s, max %s",
		<-counted, len(lat), events, med.Round(time.Microsecond), p95.Round(time.Microsecond), quantile(lat, 1).Round(time.Microsecond))
	var notRun []time.Duration
	for _, k := range w.kinds {
		l, c := w.byKind[k], w.afterCal[k]
		t.Logf("  %-18s %2d: from its first event median %s max %s; from the API call's return median %s max %s", k, len(l),
			quantile(l, 0.5).Round(time.Millisecond), quantile(l, 1).Round(time.Millisecond),
			quantile(c, 0.5).Round(time.Millisecond), quantile(c, 1).Round(time.Millisecond))
		if k != "run" {
			notRun = append(notRun, l...)
		}
	}
	t.Logf("  all but run: median %s, p95 %s (a run's first event, the network connect, comes before the engine starts the container; "+
		"inspecting it waits for the start, so its update is due to the engine's start time, not the watch)",
		quantile(notRun, 0.5).Round(time.Millisecond), quantile(notRun, 0.95).Round(time.Millisecond))
	if c := quantile(w.afterCal["run"], 0.5); c > time.Second {
		t.Errorf("a run shows %s after `docker run` returned (median): changes must reach a page within 1 s", c)
	}
	if m := quantile(notRun, 0.5); m > time.Second {
		t.Errorf("median latency %s: changes must reach a page within 1 s", m)
	}

	if err := w.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := goroutines(env.Client, before, 5*time.Second); n > before {
		t.Errorf("%d goroutines after Run returned, %d before:\n%s", n, before, stacks())
	}
}

// quantile is the q-quantile of ds (nearest rank); 0 for none.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(ds))
	i := int(q*float64(len(s))+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// TestLiveWatchReconnect starts without the engine answering, then loses
// it (every connection cut, new ones refused) while a container starts,
// and checks the watch connects, reconnects, resynchronises with a full
// discovery each time (the second showing the container), follows events
// again afterwards — and leaves no goroutine behind.
func TestLiveWatchReconnect(t *testing.T) {
	env := dockertest.RequireQuiet(t) // it watches the whole engine: nothing else may change it meanwhile
	before := goroutines(env.Client, 0, 0)
	target := strings.TrimPrefix(env.Client.DaemonHost(), "unix://")
	if !strings.HasPrefix(env.Client.DaemonHost(), "unix://") {
		t.Fatalf("the reconnect test needs a unix-socket engine, not %s", env.Client.DaemonHost())
	}
	p := testkit.Forward(t, "unix", filepath.Join(t.TempDir(), "engine.sock"), target)
	var logMu sync.Mutex
	var logged []string
	opts := watch.Options{
		// Run makes (and closes) its own client: none of its goroutines
		// may outlive it.
		Discovery: discover.Options{Endpoint: &dockerctx.Endpoint{Context: dockerctx.DefaultName, Host: "unix://" + p.Addr, Local: true}},
		Log: func(s string) {
			logMu.Lock()
			logged = append(logged, s)
			logMu.Unlock()
		},
	}
	// The engine does not answer at first: the first model is the host's
	// namespace and a warning, and the engine's facts come with the
	// first subscription that works.
	p.Down()
	w := startWatch(t, opts)
	if m := w.last; m.Host.Engine != "" || !slices.ContainsFunc(m.Warnings, func(s string) bool { return strings.Contains(s, "cannot reach the Docker engine") }) {
		t.Errorf("first model without an engine: engine %q, warnings %q", m.Host.Engine, m.Warnings)
	}
	p.Up(t)
	u := w.await("the engine's facts once it answers", func(m *graph.Model, x *graph.Index) bool { return m.Host.Engine != "" })
	if !u.Resync || !u.Full {
		t.Errorf("the update once the engine answers: resync %v full %v; want both", u.Resync, u.Full)
	}

	// The engine goes away while a container starts.
	p.Down()
	name := env.Run("missed", dockertest.Spec{})
	time.Sleep(time.Second) // a few reconnects refused
	p.Up(t)
	u = w.await(name+" after the resync", func(m *graph.Model, x *graph.Index) bool { return wired(m, x, name, 1) })
	if !u.Resync || !u.Full {
		t.Errorf("the update after reconnecting: resync %v full %v; want both", u.Resync, u.Full)
	}
	if !slices.ContainsFunc(u.Events, func(e string) bool { return strings.Contains(e, "event stream broke") }) {
		t.Errorf("the resync does not say why: %q", u.Events)
	}
	if !slices.Contains(u.Touched, "ctr:"+name) {
		t.Errorf("the resync's touched %v lacks ctr:%s", u.Touched, name)
	}
	logMu.Lock()
	if !slices.ContainsFunc(logged, func(s string) bool { return strings.Contains(s, "reconnecting") }) {
		t.Errorf("nothing logged about the lost stream: %q", logged)
	}
	logMu.Unlock()

	// Events flow again, refreshed alone.
	env.Remove(name)
	u = w.await(name+" gone", func(m *graph.Model, x *graph.Index) bool { return gone(m, x, name) })
	if u.Full || u.Resync {
		t.Errorf("after the reconnect, a removal was read in full (full %v resync %v)", u.Full, u.Resync)
	}

	// Counted with the proxy still up: a connection Run left open would
	// keep its client's goroutines.
	if err := w.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := goroutines(env.Client, before, 5*time.Second); n > before {
		t.Errorf("%d goroutines after Run returned, %d before:\n%s", n, before, stacks())
	}
}

// TestLiveWatchRefreshCost measures one container's refresh against a full
// discovery at 10 and 50 containers, and checks the refreshed model is the
// full one.
func TestLiveWatchRefreshCost(t *testing.T) {
	env := dockertest.RequireQuiet(t) // it watches the whole engine: nothing else may change it meanwhile
	net := env.Network("cost", client.NetworkCreateOptions{Driver: "bridge"})
	opts := discover.Options{Client: env.Client}
	const rounds = 15
	var ctrs []string
	for _, n := range []int{10, 50} {
		for i := len(ctrs); i < n; i++ {
			ctrs = append(ctrs, env.Run(fmt.Sprintf("k%02d", i), dockertest.Spec{Network: net}))
		}
		st, err := discover.Snapshot(env.Ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		res, err := env.Client.ContainerInspect(env.Ctx, ctrs[n/2], client.ContainerInspectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		change := discover.Change{Containers: []string{res.Container.ID}}
		var fullT, refreshT []time.Duration
		var fullM, refreshM *graph.Model
		for range rounds {
			start := time.Now()
			s, err := discover.Snapshot(env.Ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			fullM = s.Model()
			fullT = append(fullT, time.Since(start))

			start = time.Now()
			r, err := st.Refresh(env.Ctx, env.Client, change)
			if err != nil {
				t.Fatal(err)
			}
			refreshM = r.Model()
			refreshT = append(refreshT, time.Since(start))
		}
		if got := len(fullM.Containers); got < n {
			t.Fatalf("%d containers discovered, want at least %d", got, n)
		}
		if a, b := modelJSON(t, refreshM), modelJSON(t, fullM); a != b {
			t.Errorf("at %d containers the refreshed model differs from the full one:\n%s", n, testkit.LineDiff(a, b, "watched", "full"))
		}
		fm, rm := quantile(fullT, 0.5), quantile(refreshT, 0.5)
		t.Logf("%d containers: full discovery median %s (p95 %s); one container's refresh median %s (p95 %s): %.1f× cheaper",
			n, fm.Round(time.Microsecond), quantile(fullT, 0.95).Round(time.Microsecond),
			rm.Round(time.Microsecond), quantile(refreshT, 0.95).Round(time.Microsecond), float64(fm)/float64(rm))
		if rm >= fm {
			t.Errorf("at %d containers a one-container refresh (%s) is no cheaper than a full discovery (%s)", n, rm, fm)
		}
	}
}

// TestLiveWatchBurst runs and removes 20 containers from four clients at
// once: bursts of events about many containers, coalesced, refreshed
// while other containers are mid-start, must still add up to what a full
// discovery draws.
func TestLiveWatchBurst(t *testing.T) {
	env := dockertest.RequireQuiet(t) // it watches the whole engine: nothing else may change it meanwhile
	net := env.Network("burst", client.NetworkCreateOptions{Driver: "bridge"})
	w := startWatch(t, watch.Options{Discovery: discover.Options{Client: env.Client}})
	var names []string
	for i := range 20 {
		name := env.Name(fmt.Sprintf("b%02d", i))
		names = append(names, name)
		t.Cleanup(func() { env.Remove(name) })
	}
	parallel := func(do func(name string) error) {
		t.Helper()
		var wg sync.WaitGroup
		errs := make(chan error, len(names))
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := g; i < len(names); i += 4 {
					if err := do(names[i]); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
	parallel(func(name string) error {
		if _, err := env.Client.ContainerCreate(env.Ctx, client.ContainerCreateOptions{Name: name,
			Config:     &container.Config{Image: dockertest.Image, Labels: map[string]string{dockertest.Label: dockertest.LabelValue}},
			HostConfig: &container.HostConfig{NetworkMode: container.NetworkMode(net)}}); err != nil {
			return fmt.Errorf("create %s: %w", name, err)
		}
		if _, err := env.Client.ContainerStart(env.Ctx, name, client.ContainerStartOptions{}); err != nil {
			return fmt.Errorf("start %s: %w", name, err)
		}
		return nil
	})
	w.await("20 containers running and wired", func(m *graph.Model, x *graph.Index) bool {
		return !slices.ContainsFunc(names, func(n string) bool { return !wired(m, x, n, 1) })
	})
	w.matchesFullDiscovery(env.Ctx, env.Client, "after the burst of runs")
	ups := len(w.all)

	parallel(func(name string) error {
		_, err := env.Client.ContainerRemove(env.Ctx, name, client.ContainerRemoveOptions{Force: true})
		return err
	})
	w.await("the 20 gone", func(m *graph.Model, x *graph.Index) bool {
		return !slices.ContainsFunc(names, func(n string) bool { return !gone(m, x, n) })
	})
	w.matchesFullDiscovery(env.Ctx, env.Client, "after the burst of removals")
	t.Logf("20 runs made %d updates, 20 removals %d", ups, len(w.all)-ups)
	for _, u := range w.all {
		if u.Full {
			t.Errorf("update %d was a full discovery: %q", u.Seq, u.Events)
		}
	}
}
