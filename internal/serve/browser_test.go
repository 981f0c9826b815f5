package serve

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/netviz/netviz/internal/browsertest"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/sim"
	"github.com/netviz/netviz/internal/testkit"
)

func TestMain(m *testing.M) { os.Exit(browsertest.Main(m)) }

// js evaluates an expression in the page.
func js[T any](t testing.TB, b *browsertest.Browser, expr string) T {
	t.Helper()
	v, err := browsertest.Run(b, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// waitJS waits until expr is truthy in the page and returns its value.
func waitJS[T any](t testing.TB, b *browsertest.Browser, expr string, within time.Duration) T {
	t.Helper()
	v, err := browsertest.Run(b, chromedp.Poll[T](expr, chromedp.WithPollingInterval(5*time.Millisecond), chromedp.WithPollingTimeout(within)))
	if err != nil {
		t.Fatalf("waiting for %s: %v", expr, err)
	}
	return v
}

func screenshot(t testing.TB, b *browsertest.Browser, name string) {
	t.Helper()
	png, err := browsertest.Run(b, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	browsertest.SaveArtifact(t, name+".png", png)
}

func setViewport(t testing.TB, b *browsertest.Browser, w, h int64) {
	t.Helper()
	_, err := browsertest.Run(b, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: w, Height: h, DeviceScaleFactor: 1})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
}

// placesJS is, for every container box in the picture, the frame it sits
// in and its offset from the frame's corner, in the SVG's own units
// (which scaling the picture to the window does not change).
const placesJS = `(() => {
  const frames = [...document.querySelectorAll("#picture g.net[data-obj]")].map(g => [g.dataset.obj, g.querySelector("rect").getBBox()]);
  const out = {};
  for (const g of document.querySelectorAll('#picture g.node[data-obj^="ns:"]')) {
    const r = g.querySelector("rect").getBBox();
    const f = frames.find(([, b]) => r.x >= b.x && r.y >= b.y && r.x + r.width <= b.x + b.width && r.y + r.height <= b.y + b.height);
    if (f) out[g.dataset.obj] = f[0] + " " + (r.x - f[1].x).toFixed(1) + " " + (r.y - f[1].y).toFixed(1);
  }
  return out;
})()`

// samePlaces reports the containers whose frame or offset in it changed
// between two placesJS results.
func samePlaces(t testing.TB, step string, before, after map[string]string) {
	t.Helper()
	for obj, was := range before {
		if now, ok := after[obj]; ok && strings.Fields(now)[0] == strings.Fields(was)[0] && now != was {
			t.Errorf("%s: %s moved in its frame: %s → %s", step, obj, was, now)
		}
	}
}

// TestPageInBrowser opens the page in Chromium against a server fed by
// the alias lab's simulated steps: the picture renders, each pushed change
// reaches the DOM within a second (median and p95 logged) with every
// container that stays where it was in its frame, a click on a
// container opens its panel and "who can reach me" fills its cells,
// search and the network filter work, and a cut connection recovers with
// a fresh snapshot. Screenshots of each step are saved.
func TestPageInBrowser(t *testing.T) {
	b := browsertest.New(t)
	alias := labFrames(t, "alias")
	bridge := labFrames(t, "user-bridge")
	src := pushSource(make(chan Update))
	r := start(t, Config{Source: src, Token: "browser-token", Probes: &Probes{Off: "the test measures nothing"}})
	px := testkit.Forward(t, "tcp", "127.0.0.1:0", strings.TrimPrefix(r.base, "http://"))
	src <- alias[0]
	setViewport(t, b, 1600, 900)
	if _, err := browsertest.Run(b, chromedp.Navigate("http://"+px.Addr+"/?token=browser-token")); err != nil {
		t.Fatal(err)
	}
	// The token moved to a cookie; the address has none.
	if u := js[string](t, b, "location.href"); strings.Contains(u, "token") {
		t.Errorf("the address still carries the token: %s", u)
	}
	waitJS[bool](t, b, "netviz.pictureSeq >= 1 && netviz.conn === 'live'", 10*time.Second)
	if n := js[int](t, b, `document.querySelectorAll("#picture g.node[data-obj]").length`); n < 3 {
		t.Fatalf("the picture has %d nodes", n)
	}
	if js[bool](t, b, `document.cookie.includes("netviz_token")`) {
		t.Error("the token cookie is readable from script (not HttpOnly)")
	}
	screenshot(t, b, "1-first")

	// Pushes: the alias steps, then back and forth between the last two
	// of the user-bridge lab (a disconnect, a connect).
	var pushes []Update
	pushes = append(pushes, alias[1:]...)
	for i := 0; len(pushes) < 30; i++ {
		pushes = append(pushes, bridge[len(bridge)-2+i%2])
	}
	var lat, toEvent []time.Duration
	places := js[map[string]string](t, b, placesJS)
	for i, u := range pushes {
		seq := uint64(i + 2)
		sent := time.Now()
		src <- u
		at := waitJS[[]int64](t, b, fmt.Sprintf("(a => a && [a.t, a.ev])(netviz.applied.find(a => a.seq >= %d))", seq), 5*time.Second)
		lat = append(lat, time.UnixMilli(at[0]).Sub(sent))
		toEvent = append(toEvent, time.UnixMilli(at[1]).Sub(sent))
		// Every container that stays keeps its place in its frame.
		now := js[map[string]string](t, b, placesJS)
		samePlaces(t, fmt.Sprintf("push %d", i+1), places, now)
		places = now
		if i == 1 {
			// The step that ran network_alias_container1: its box is
			// there, highlighted.
			if !js[bool](t, b, `!!document.querySelector('#picture [data-obj="ns:network_alias_container1"].nv-touched')`) {
				t.Error("the new container is not highlighted")
			}
			if n := js[int](t, b, `document.querySelectorAll("#log li").length`); n != 3 {
				t.Errorf("the event log has %d entries, want 3", n)
			}
			screenshot(t, b, "2-change-highlighted")
		}
		if i == len(alias)-2 {
			// Last alias step on show: click a container, ask who can
			// reach it.
			clickContainer(t, b, "network_alias_ping")
		}
	}
	slices.Sort(lat)
	slices.Sort(toEvent)
	median, p95 := lat[len(lat)/2], lat[(len(lat)*95+99)/100-1]
	t.Logf("push → DOM over %d changes: median %s, p95 %s, max %s (push → event in the page: median %s, p95 %s)", len(lat), median, p95, lat[len(lat)-1],
		toEvent[len(toEvent)/2], toEvent[(len(toEvent)*95+99)/100-1])
	if p95 > time.Second {
		t.Errorf("p95 push-to-DOM latency %s, want under 1 s", p95)
	}
	last := uint64(len(pushes) + 1)

	// Search by address: container2's box and interface are marked.
	if _, err := browsertest.Run(b, chromedp.SendKeys(chromedp.CSS("#search"), "172.18.0.3")); err != nil {
		t.Fatal(err)
	}
	waitJS[bool](t, b, `document.querySelectorAll("#picture .nv-match").length > 0`, 2*time.Second)
	if m := js[string](t, b, `document.getElementById("matches").textContent`); !strings.Contains(m, "match") {
		t.Errorf("matches %q", m)
	}
	screenshot(t, b, "4-search")
	js[bool](t, b, `(() => { const s = document.getElementById("search"); s.value = ""; s.dispatchEvent(new Event("input")); return true; })()`)

	// Filter by network: the default bridge's frame goes.
	js[bool](t, b, `(() => { const s = document.getElementById("network"); s.value = "mybridge"; s.dispatchEvent(new Event("change")); return true; })()`)
	waitJS[bool](t, b, `!document.querySelector('#picture [data-obj="net:bridge"]') && !!document.querySelector('#picture [data-obj="net:mybridge"]')`, 2*time.Second)
	if h := js[string](t, b, `document.getElementById("dl-svg").getAttribute("href")`); h != "api/svg?download=1&network=mybridge" {
		t.Errorf("download link %q", h)
	}
	screenshot(t, b, "5-filtered")
	js[bool](t, b, `(() => { const s = document.getElementById("network"); s.value = ""; s.dispatchEvent(new Event("change")); return true; })()`)
	waitJS[bool](t, b, `!!document.querySelector('#picture [data-obj="net:bridge"]')`, 2*time.Second)

	// Cut the connection; the page says so. Changes made meanwhile are
	// there once it is back, from a fresh snapshot.
	snaps := js[int](t, b, "netviz.snapshots")
	px.Down()
	waitJS[bool](t, b, "netviz.conn !== 'live'", 5*time.Second)
	for _, u := range alias[2:4] {
		src <- u
	}
	last += 2
	r.waitSeq(t, last)
	screenshot(t, b, "6-offline")
	cutAt := time.Now()
	px.Up(t)
	waitJS[bool](t, b, fmt.Sprintf("netviz.snapshots > %d && netviz.pictureSeq === %d && netviz.conn === 'live'", snaps, last), 10*time.Second)
	t.Logf("resynchronised %s after the connection came back", time.Since(cutAt).Round(time.Millisecond))
	if !js[bool](t, b, `!!document.querySelector('#picture [data-obj="ns:network_alias_container2"]') && !document.querySelector('#picture [data-obj="ns:mynetwork_peer"]')`) {
		t.Error("the picture after the resync is not the newest model")
	}
	if !js[bool](t, b, `[...document.querySelectorAll("#log li")].some(li => li.textContent.includes("resynchronised"))`) {
		t.Error("the event log does not say the page resynchronised")
	}
	screenshot(t, b, "7-resynced")
	if v := js[[]string](t, b, "netviz.violations"); len(v) > 0 {
		t.Errorf("the Content-Security-Policy blocked: %q", v)
	}
}

// clickContainer clicks the container's box with the mouse, checks the
// panel, and asks who can reach it.
func clickContainer(t *testing.T, b *browsertest.Browser, name string) {
	t.Helper()
	clickBox(t, b, name)
	panel := js[string](t, b, `document.getElementById("panel").textContent`)
	for _, want := range []string{"mybridge", "172.18.0.5/16", "published ports", "who can reach me", "Measurements are off"} {
		if !strings.Contains(panel, want) {
			t.Errorf("panel lacks %q: %s", want, panel)
		}
	}
	if !js[bool](t, b, fmt.Sprintf(`!!document.querySelector('#picture [data-obj="ns:%s"].nv-selected')`, name)) {
		t.Error("the clicked box is not marked selected")
	}
	if _, err := browsertest.Run(b, chromedp.Click(chromedp.CSS("#btn-reach-to"))); err != nil {
		t.Fatal(err)
	}
	waitJS[bool](t, b, `document.querySelectorAll("#reach-table tr").length > 1`, 5*time.Second)
	table := js[string](t, b, `document.getElementById("reach-table").textContent`)
	for _, want := range []string{"network_alias_container1", "network_alias_container3", "172.18.0.5", "reachable", "both on mybridge"} {
		if !strings.Contains(table, want) {
			t.Errorf("reach table lacks %q: %s", want, table)
		}
	}
	if n := js[int](t, b, `document.querySelectorAll("#picture .nv-reach-ok").length`); n < 3 {
		t.Errorf("%d boxes marked reachable, want the 3 other containers", n)
	}
	screenshot(t, b, "3-panel-reach")
}

// TestFirstPaint100 measures how long the page takes from navigation to
// the first picture of a 100-container host.
func TestFirstPaint100(t *testing.T) {
	b := browsertest.New(t)
	var script strings.Builder
	for i := 1; i <= 5; i++ {
		fmt.Fprintf(&script, "docker network create net%d\n", i)
	}
	for i := 1; i <= 100; i++ {
		fmt.Fprintf(&script, "docker run -d --name c%d --net net%d busybox\n", i, i%5+1)
	}
	sc, err := scenario.ParseShell(strings.NewReader(script.String()), "c100.sh")
	if err != nil {
		t.Fatal(err)
	}
	eng := sim.New(sim.Options{Hostname: "c100", EngineVersion: sim.NewestEngineVersion})
	if err := eng.Apply(sc); err != nil {
		t.Fatal(err)
	}
	src := pushSource(make(chan Update, 1))
	r := start(t, Config{Source: src})
	src <- Update{Model: eng.Model()}
	r.waitSeq(t, 1)
	setViewport(t, b, 1920, 1080)
	var runs []time.Duration
	for i := range 3 {
		// A fresh server each time would redraw; the first run includes
		// the drawing (the model is new), the others hit the cache.
		if _, err := browsertest.Run(b, chromedp.Navigate(r.base+"/")); err != nil {
			t.Fatal(err)
		}
		ms := waitJS[float64](t, b, "netviz.firstPaint", 20*time.Second)
		runs = append(runs, time.Duration(ms*float64(time.Millisecond)))
		if i == 0 {
			if n := js[int](t, b, `document.querySelectorAll("#picture [data-obj^='ns:c']").length`); n != 100 {
				t.Errorf("%d container boxes, want 100", n)
			}
			screenshot(t, b, "c100")
		}
	}
	t.Logf("time to first paint at 100 containers: %s (cold: the server draws it), then %s and %s (drawn already)",
		runs[0].Round(time.Millisecond), runs[1].Round(time.Millisecond), runs[2].Round(time.Millisecond))
	if runs[0] > 3*time.Second {
		t.Errorf("first paint took %s", runs[0])
	}
}

// clickBox clicks a container's box with the mouse and waits for its
// panel.
func clickBox(t *testing.T, b *browsertest.Browser, name string) {
	t.Helper()
	xy := js[[]float64](t, b, fmt.Sprintf(`(() => { const r = document.querySelector('#picture [data-obj="ns:%s"] rect').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`, name))
	if _, err := browsertest.Run(b, chromedp.MouseClickXY(xy[0], xy[1])); err != nil {
		t.Fatal(err)
	}
	waitJS[bool](t, b, fmt.Sprintf(`document.querySelector("#panel h2")?.textContent === %q`, name), 2*time.Second)
}
