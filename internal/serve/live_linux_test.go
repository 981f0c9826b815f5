package serve

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/browsertest"
	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/dockertest"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/reach"
)

// TestLiveMeasurements serves a real engine's containers — two on one
// bridge under one alias, a third beside them, a fourth on an isolated
// bridge — and measures from the page's endpoints: "who can reach me"
// reaches from the same bridge and is dropped from the other, each cell
// with Docker's reason; "probe the alias from here" streams its progress
// and answers both members. Then the same in Chromium: a click on the
// box, the button, the cells.
func TestLiveMeasurements(t *testing.T) {
	// It measures isolation between bridges: no other test may create
	// networks meanwhile (Docker 20.10 opens the bridges for a moment).
	env := dockertest.RequireQuiet(t)
	a := env.Network("srva", client.NetworkCreateOptions{Driver: "bridge"})
	b := env.Network("srvb", client.NetworkCreateOptions{Driver: "bridge"})
	web1 := env.Run("web1", dockertest.Spec{Network: a, Aliases: []string{"svc"}})
	web2 := env.Run("web2", dockertest.Spec{Network: a, Aliases: []string{"svc"}})
	cli := env.Run("cli", dockertest.Spec{Network: a})
	far := env.Run("far", dockertest.Spec{Network: b})
	m, err := discover.Discover(env.Ctx, discover.Options{Client: env.Client})
	if err != nil {
		t.Fatal(err)
	}
	if m, err = graph.Subset(m, []string{a, b}); err != nil {
		t.Fatal(err)
	}
	src := pushSource(make(chan Update, 1))
	r := start(t, Config{Source: src, Probes: &Probes{Open: probe.OpenContainer, Env: probe.LiveEnv(), Neighbours: probe.LiveNeighbours()}})
	src <- Update{Model: m}
	r.waitSeq(t, 1)

	var res reachResult
	if code, body := getJSON(t, r.base+"/api/reach?to="+web1, &res); code != 200 {
		t.Fatalf("reach: %d %s", code, body)
	}
	if !res.Measured {
		t.Fatalf("not measured: %s", res.Note)
	}
	want := map[string]string{web2: "reached same-network", cli: "reached same-network", far: "timeout isolated-bridges", web1: "reached " + reach.SameNamespace}
	for _, c := range res.Matrix.Cells {
		got := string(c.Measured.Outcome) + " " + c.Expected.Reason
		if c.Target != web1 || want[c.Client] != got || !c.Agrees {
			t.Errorf("%s → %s: %s (agrees %v), want %s", c.Client, c.Target, got, c.Agrees, want[c.Client])
		}
	}
	if len(res.Matrix.Cells) != len(want) {
		t.Errorf("%d cells, want %d:\n%s", len(res.Matrix.Cells), len(want), res.Text)
	}
	t.Logf("who can reach %s, measured in %s:\n%s", web1, res.Matrix.Elapsed.Round(time.Millisecond), res.Text)

	// probe svc from cli: the progress, then both answers reached.
	// From another loopback address: another client, with a bucket of
	// its own.
	other := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext}}
	resp, err := other.Get(r.base + "/api/probe?target=svc&from=" + cli)
	if err != nil {
		t.Fatal(err)
	}
	c := &sseClient{resp: resp, r: bufioReader(resp.Body)}
	var stages []string
	var result probeResult
	for {
		ev, err := c.next()
		if err != nil {
			break
		}
		switch ev.Name {
		case "progress":
			var p progressEvent
			json.Unmarshal([]byte(ev.Data), &p)
			stages = append(stages, p.Stage)
		case "result":
			json.Unmarshal([]byte(ev.Data), &result)
		case "error":
			t.Fatalf("probe: %s", ev.Data)
		}
	}
	resp.Body.Close()
	if strings.Join(stages, " ") != "resolving pinging done" || result.Report == nil || len(result.Report.Clients) != 1 {
		t.Fatalf("stages %v, report %+v", stages, result.Report)
	}
	cr := result.Report.Clients[0]
	if len(cr.Answers) != 2 || len(cr.Pings) != 2 || cr.Pings[0].Outcome != probe.Reached || cr.Pings[1].Outcome != probe.Reached || len(cr.Paths) != 2 {
		t.Errorf("client report %+v", cr)
	}
	t.Logf("probe svc from %s:\n%s", cli, result.Text)

	// The page: click web1, ask who can reach it.
	br := browsertest.New(t)
	setViewport(t, br, 1600, 900)
	if _, err := browsertest.Run(br, chromedp.Navigate(r.base+"/")); err != nil {
		t.Fatal(err)
	}
	waitJS[bool](t, br, "netviz.pictureSeq >= 1", 10*time.Second)
	clickBox(t, br, web1)
	if _, err := browsertest.Run(br, chromedp.Click(chromedp.CSS("#btn-reach-to"))); err != nil {
		t.Fatal(err)
	}
	waitJS[bool](t, br, `document.querySelectorAll("#reach-table tr").length > 1`, 30*time.Second)
	rows := js[[]string](t, br, `[...document.querySelectorAll("#reach-table tr")].slice(1).map(tr => tr.textContent)`)
	for client, outcome := range map[string]string{cli: "reached", web2: "reached", far: "timeout"} {
		found := false
		for _, row := range rows {
			if strings.HasPrefix(row, client) && strings.Contains(row, outcome) && !strings.Contains(row, "UNEXPECTED") {
				found = true
			}
		}
		if !found {
			t.Errorf("no row for %s %s in %q", client, outcome, rows)
		}
	}
	screenshot(t, br, "live-who-can-reach")

	// And probe the alias from web1's panel: the progress, then the
	// report and its picture.
	if _, err := browsertest.Run(br, chromedp.SendKeys(chromedp.CSS("#probe-target"), "svc")); err != nil {
		t.Fatal(err)
	}
	if _, err := browsertest.Run(br, chromedp.Click(chromedp.CSS("#btn-probe-from"))); err != nil {
		t.Fatal(err)
	}
	waitJS[bool](t, br, `!!document.getElementById("probe-text")`, 30*time.Second)
	text := js[string](t, br, `document.getElementById("probe-text").textContent`)
	progress := js[string](t, br, `document.getElementById("probe-progress").textContent`)
	if !strings.Contains(text, "answers: ") || !strings.Contains(text, "reached") || !strings.Contains(progress, "pinging 2 answers") {
		t.Errorf("probe in the page: progress %q, report %q", progress, text)
	}
	if !js[bool](t, br, `!!document.querySelector("#probe-pic svg")`) {
		t.Error("no probe picture")
	}
	screenshot(t, br, "live-probe")
}
