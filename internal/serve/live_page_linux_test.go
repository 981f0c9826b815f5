package serve

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/browsertest"
	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/dockertest"
	"github.com/netviz/netviz/internal/testkit"
	"github.com/netviz/netviz/internal/watch"
)

// TestLivePageFollowsEngine serves a real engine, followed by its events
// (internal/watch), to Chromium: the seed lab's alias network is drawn
// with its alias note; docker run, docker network connect and docker rm
// each reach the page's picture, every container that stays keeps its
// place, and the time from the engine's event to the picture in the DOM
// is measured (median and p95 logged); a connection cut while the engine
// changes recovers with a fresh snapshot that has the change.
func TestLivePageFollowsEngine(t *testing.T) {
	env := dockertest.RequireQuiet(t) // it watches the whole engine: nothing else may change it meanwhile
	b := browsertest.New(t)
	src := SourceFunc(func(ctx context.Context, emit func(Update)) error {
		return watch.Run(ctx, watch.Options{Discovery: discover.Options{Client: env.Client}}, func(u watch.Update) {
			emit(Update{Seq: u.Seq, Model: u.Model, Touched: u.Touched, Events: u.Events, Resync: u.Resync, EventTime: u.EventTime})
		})
	})
	r := start(t, Config{Source: src, Token: "live-token", Probes: &Probes{Off: "this test measures the page, not the network"}})
	// The page talks to the server through a forwarder the test can cut.
	px := testkit.Forward(t, "tcp", "127.0.0.1:0", strings.TrimPrefix(r.base, "http://"))
	setViewport(t, b, 1600, 900)
	if _, err := browsertest.Run(b, chromedp.Navigate("http://"+px.Addr+"/?token=live-token")); err != nil {
		t.Fatal(err)
	}
	waitJS[bool](t, b, "netviz.pictureSeq >= 1 && netviz.conn === 'live'", 15*time.Second)
	has := func(name string) string {
		return fmt.Sprintf(`!!document.querySelector('#picture g.node[data-obj="ns:%s"], #picture g.node[data-obj="ctr:%s"]')`, name, name)
	}
	// The seed lab's --net-alias alicek106 (seed-alias.sh): on the page,
	// its note naming the three members.
	mybridge := env.Network("mybridge", client.NetworkCreateOptions{Driver: "bridge"})
	var seed []string
	for _, n := range []string{"network_alias_container1", "network_alias_container2", "network_alias_container3"} {
		seed = append(seed, env.Run(n, dockertest.Spec{Network: mybridge, Aliases: []string{"alicek106"}}))
	}
	seed = append(seed, env.Run("network_alias_ping", dockertest.Spec{Network: mybridge}))
	for _, c := range seed {
		waitJS[bool](t, b, has(c), 10*time.Second)
	}
	note := fmt.Sprintf(`#picture g.node[data-obj="dns:net:%s/alicek106"]`, mybridge)
	waitJS[bool](t, b, "!!document.querySelector('"+note+"')", 10*time.Second)
	if text := js[string](t, b, "document.querySelector('"+note+"').textContent"); !strings.Contains(text, seed[0]) || !strings.Contains(text, seed[2]) {
		t.Errorf("the alias note says %q, want its three members", text)
	}
	screenshot(t, b, "seed-lab")
	net2 := env.Network("pg", client.NetworkCreateOptions{Driver: "bridge"})
	places := js[map[string]string](t, b, placesJS)
	var lat []time.Duration
	// until waits for the page to show cond after the engine acted at t0,
	// and records the engine-event → picture time of the model that did.
	until := func(what, cond string, t0 time.Time) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			if js[bool](t, b, cond) {
				break
			}
			if time.Now().After(deadline) {
				screenshot(t, b, "stuck")
				t.Fatalf("%s: not on the page 10 s later", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
		a := js[[]int64](t, b, fmt.Sprintf(`(a => a ? [a.t, a.engine] : [0, 0])(netviz.applied.filter(a => a.engine >= %d).at(0))`, t0.UnixMilli()-5))
		if a[1] == 0 {
			t.Errorf("%s: no applied picture carries an engine event after it", what)
			return
		}
		lat = append(lat, time.Duration(a[0]-a[1])*time.Millisecond)
		t.Logf("%s: %s from the engine's event to the picture", what, lat[len(lat)-1])
		// What stays keeps its place in its frame.
		now := js[map[string]string](t, b, placesJS)
		samePlaces(t, what, places, now)
		places = now
	}
	for i := range 4 {
		name := fmt.Sprintf("page%d", i)
		t0 := time.Now()
		full := env.Run(name, dockertest.Spec{})
		until("docker run "+full, has(full), t0)
		t0 = time.Now()
		if _, err := env.Client.NetworkConnect(env.Ctx, net2, client.NetworkConnectOptions{Container: full}); err != nil {
			t.Fatal(err)
		}
		until("docker network connect "+full, fmt.Sprintf(`[...document.querySelectorAll('#picture g.node[data-obj="ns:%s"] text')].length >= 6`, full), t0)
		if i == 0 {
			screenshot(t, b, "connected")
		}
		t0 = time.Now()
		if _, err := env.Client.ContainerRemove(env.Ctx, full, client.ContainerRemoveOptions{Force: true}); err != nil {
			t.Fatal(err)
		}
		until("docker rm "+full, "!"+has(full), t0)
	}
	// A lost connection: the engine changes meanwhile; once it is back
	// the page resynchronises from a fresh snapshot and shows the change.
	snaps := js[int](t, b, "netviz.snapshots")
	px.Down()
	waitJS[bool](t, b, "netviz.conn !== 'live'", 5*time.Second)
	late := env.Run("while-offline", dockertest.Spec{Network: mybridge})
	time.Sleep(300 * time.Millisecond) // the server sees it; the page cannot
	if js[bool](t, b, has(late)) {
		t.Fatal("the page shows a change while it is cut off")
	}
	px.Up(t)
	waitJS[bool](t, b, fmt.Sprintf("netviz.snapshots > %d && netviz.conn === 'live' && %s", snaps, has(late)), 10*time.Second)
	screenshot(t, b, "resynced")
	slices.Sort(lat)
	if len(lat) > 0 {
		t.Logf("engine event → picture on the page, %d changes: median %s, p95 %s, max %s", len(lat), lat[len(lat)/2], lat[(len(lat)*95+99)/100-1], lat[len(lat)-1])
	}
}
