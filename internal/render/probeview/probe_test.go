package probeview_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/font/sfnt"

	"github.com/netviz/netviz/internal/draw"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/overlay"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/render"
	"github.com/netviz/netviz/internal/render/probeview"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/sim"
	"github.com/netviz/netviz/internal/testkit"
)

// probeSeedScript is the curriculum's alias exercise plus two clients on
// the default bridge: wordpress knows alicek106 from --link (its
// /etc/hosts), outsider from a hand-added /etc/hosts line pointing across
// the bridges, where Docker drops the echo.
const probeSeedScript = `docker network create --driver bridge mybridge
docker run -d --name network_alias_container1 --net mybridge --net-alias alicek106 ubuntu:14.04
docker run -d --name network_alias_container2 --net mybridge --net-alias alicek106 ubuntu:14.04
docker run -d --name network_alias_container3 --net mybridge --net-alias alicek106 ubuntu:14.04
docker run -d --name network_alias_ping --net mybridge ubuntu:14.04
docker run -d --name wordpressdb mysql:5.7
docker run -d --name wordpress --link wordpressdb:alicek106 wordpress
docker run -d --name outsider busybox
`

// probeSeedModel is the simulated host the synthetic reports are measured on.
func probeSeedModel(t testing.TB) *graph.Model {
	t.Helper()
	sc, err := scenario.ParseShell(strings.NewReader(probeSeedScript), "seed.sh")
	if err != nil {
		t.Fatal(err)
	}
	eng := sim.New(sim.Options{})
	if err := eng.Apply(sc); err != nil {
		t.Fatal(err)
	}
	return eng.Model()
}

// probeCase says what a synthetic client saw.
type probeCase struct {
	client string
	via    string
	first  []int // per answer: queries it came first in (DNS)
	// per answer: the plan indices where the request and the reply were
	// seen (nil: everywhere), and whether the ping got through
	answers []string
	request map[string][]int
	reply   map[string][]int
	lost    map[string]bool
	err     string
}

// probeReport builds a report the way probe.Probe does, from the model's
// own path plans and the capture's own summary (probe.HopsFor) over the
// sightings the case lists; capture false leaves the paths out, as
// --no-capture does.
func probeReport(t testing.TB, m *graph.Model, target string, capture bool, cases ...probeCase) *probe.Report {
	t.Helper()
	x := graph.NewIndex(m)
	rep := &probe.Report{Schema: probe.ReportSchema, Target: target, Elapsed: 1234 * time.Millisecond}
	for _, pc := range cases {
		cr := probe.ClientReport{Client: pc.client, Via: pc.via, Err: pc.err}
		c := x.Container(graph.NewContainerID(pc.client))
		if c == nil {
			t.Fatalf("no container %s in the model", pc.client)
		}
		for i, s := range pc.answers {
			a := netip.MustParseAddr(s)
			cr.Answers = append(cr.Answers, a)
			if pc.via == graph.NameEmbeddedDNS {
				if cr.FirstAnswers == nil {
					cr.FirstAnswers = map[string]int{}
				}
				cr.FirstAnswers[s] = pc.first[i]
				for range pc.first[i] {
					// The answer that came first, then the others.
					l := probe.Lookup{Rcode: "NOERROR", Answers: []netip.Addr{a}}
					for _, o := range pc.answers {
						if o != s {
							l.Answers = append(l.Answers, netip.MustParseAddr(o))
						}
					}
					cr.Lookups = append(cr.Lookups, l)
				}
			}
			er := probe.EchoResult{Addr: a, Outcome: probe.Reached, Attempts: 3, Received: 3, RTT: 160 * time.Microsecond}
			if pc.lost[s] {
				er = probe.EchoResult{Addr: a, Outcome: probe.Timeout, Attempts: 6, Received: 0}
			}
			cr.Pings = append(cr.Pings, er)
			if !capture {
				continue
			}
			plan := probe.PathPlan(x, c, a)
			var seen []probe.Sighting
			req, ok := pc.request[s]
			if !ok {
				for i, p := range plan {
					if !p.Bridge { // a bridge switching between its ports sees nothing
						req = append(req, i)
					}
				}
			}
			for _, i := range req {
				seen = append(seen, probe.Sighting{Point: i, Dst: a})
			}
			rp, ok := pc.reply[s]
			if !ok && !pc.lost[s] {
				rp = req
			}
			for _, i := range rp {
				seen = append(seen, probe.Sighting{Point: i, Reply: true, Src: a})
			}
			cr.Paths = append(cr.Paths, probe.PathReport{Addr: a, Plan: plan, Hops: probe.HopsFor(plan, seen, a)})
		}
		rep.Clients = append(rep.Clients, cr)
	}
	return rep
}

const (
	ip1 = "172.18.0.2" // network_alias_container1
	ip2 = "172.18.0.3"
	ip3 = "172.18.0.4"
	ipW = "172.17.0.2" // wordpressdb
)

// seedLike is the synthetic report of `probe alicek106` on the seed host:
// two clients asking Docker's DNS (one of them one of the answers, which it
// reaches over its own loopback), wordpress through --link, and outsider
// across the bridges, its echo stopping after docker0.
func seedLike(t testing.TB, m *graph.Model, capture bool) *probe.Report {
	all := []string{ip1, ip2, ip3}
	return probeReport(t, m, "alicek106", capture,
		probeCase{client: "network_alias_ping", via: graph.NameEmbeddedDNS, answers: all, first: []int{3, 2, 1}},
		probeCase{client: "network_alias_container1", via: graph.NameEmbeddedDNS, answers: all, first: []int{1, 2, 3}},
		probeCase{client: "wordpress", via: graph.NameHosts, answers: []string{ipW}},
		probeCase{client: "outsider", via: graph.NameHosts, answers: []string{ip1},
			request: map[string][]int{ip1: {0, 1, 2}}, lost: map[string]bool{ip1: true}},
	)
}

// seed4x3 is the exercise as the curriculum runs it: the four containers on
// mybridge each ask, and each gets the three answers.
func seed4x3(t testing.TB, m *graph.Model) *probe.Report {
	all := []string{ip1, ip2, ip3}
	var cases []probeCase
	for _, c := range []string{"network_alias_ping", "network_alias_container1", "network_alias_container2", "network_alias_container3"} {
		cases = append(cases, probeCase{client: c, via: graph.NameEmbeddedDNS, answers: all, first: []int{2, 3, 1}})
	}
	return probeReport(t, m, "alicek106", true, cases...)
}

// probeNodes are the boxes of a scene: groups of class "node", their shape
// first.
type probeBox struct {
	g     *draw.Group
	shape *draw.Rect
	texts []*draw.Text
}

func sceneNodes(t *testing.T, sc *draw.Scene) []probeBox {
	t.Helper()
	var out []probeBox
	sc.Walk(func(it draw.Item) {
		g, ok := it.(*draw.Group)
		if !ok || g.Class != "node" {
			return
		}
		r, ok := g.Items[0].(*draw.Rect)
		if !ok {
			t.Errorf("node %v: first item is %T, not its shape", g.Data, g.Items[0])
			return
		}
		b := probeBox{g: g, shape: r}
		(&draw.Scene{Items: g.Items}).Walk(func(it draw.Item) {
			if tx, ok := it.(*draw.Text); ok {
				b.texts = append(b.texts, tx)
			}
		})
		out = append(out, b)
	})
	return out
}

func sceneTexts(sc *draw.Scene) []*draw.Text {
	var out []*draw.Text
	sc.Walk(func(it draw.Item) {
		if tx, ok := it.(*draw.Text); ok && tx.S != "" {
			out = append(out, tx)
		}
	})
	return out
}

func rectBox(r *draw.Rect) draw.Box { return draw.Box{X: r.X, Y: r.Y, W: r.W, H: r.H} }

// checkGeometry asserts what a projected picture needs: every text inside
// its node's shape and the picture, no two nodes overlapping, no text over
// another, every glyph in the embedded font, and the smallest text at least
// minPx high when the whole picture is fitted to 1920×1080.
func checkGeometry(t *testing.T, sc *draw.Scene, minPx float64) {
	t.Helper()
	for _, p := range draw.Lint(sc) {
		t.Error(p)
	}
	page := draw.Box{W: sc.W, H: sc.H}
	nodes := sceneNodes(t, sc)
	if len(nodes) == 0 {
		t.Fatal("no nodes drawn")
	}
	for _, n := range nodes {
		for _, tx := range n.texts {
			if !rectBox(n.shape).Contains(draw.TextBox(tx), 0.01) {
				t.Errorf("text %q (%v) sticks out of its node %v (%v)", tx.S, draw.TextBox(tx), n.g.Data, rectBox(n.shape))
			}
		}
		if !page.Contains(rectBox(n.shape), 0) {
			t.Errorf("node %v lies outside the %gx%g picture", n.g.Data, sc.W, sc.H)
		}
	}
	for i := range nodes {
		for j := i + 1; j < len(nodes); j++ {
			if rectBox(nodes[i].shape).Overlaps(rectBox(nodes[j].shape)) {
				t.Errorf("nodes %v and %v overlap", nodes[i].g.Data, nodes[j].g.Data)
			}
		}
	}
	texts := sceneTexts(sc)
	smallest := 1e9
	for i, a := range texts {
		smallest = min(smallest, a.Size)
		if !page.Contains(draw.TextBox(a), 0) {
			t.Errorf("text %q lies outside the picture", a.S)
		}
		for _, b := range texts[i+1:] {
			if draw.TextBox(a).Overlaps(draw.TextBox(b)) {
				t.Errorf("texts %q and %q overlap", a.S, b.S)
			}
		}
	}
	fit := min(1920/sc.W, 1080/sc.H)
	if px := smallest * fit; px < minPx {
		t.Errorf("%gx%g picture fitted to 1920×1080: smallest text %.1f px, want ≥ %g", sc.W, sc.H, px, minPx)
	}
	for bold, font := range map[bool][]byte{false: draw.FontData(false), true: draw.FontData(true)} {
		f, err := sfnt.Parse(font)
		if err != nil {
			t.Fatal(err)
		}
		var buf sfnt.Buffer
		for _, tx := range texts {
			if tx.Bold != bold {
				continue
			}
			for _, r := range tx.S {
				if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
					t.Errorf("text %q: the embedded font has no glyph for %q", tx.S, r)
				}
			}
		}
	}
}

// legendTexts are the legend's entries.
func legendTexts(sc *draw.Scene) []string {
	var out []string
	sc.Walk(func(it draw.Item) {
		if g, ok := it.(*draw.Group); ok && g.Class == "legend" {
			for _, it := range g.Items {
				if tx, ok := it.(*draw.Text); ok {
					out = append(out, tx.S)
				}
			}
		}
	})
	return out
}

// hops lists the hop nodes of one client → answer row.
func hops(nodes []probeBox, client, addr string) []probeBox {
	var out []probeBox
	for _, n := range nodes {
		if d := n.g.Data; d["kind"] == "hop" && d["client"] == client && d["addr"] == addr {
			out = append(out, n)
		}
	}
	return out
}

// TestProbePicture draws synthetic reports of `probe alicek106` on the seed
// host and checks the picture a workshop projects: geometry (text inside
// nodes, nothing overlapping, ≥ 10 px at 1920×1080), the alias drawn once,
// every client and answer once in the question, each hop a node coloured by
// what the capture saw, the stop drawn after the last hop seen, and a legend
// of exactly the styles used.
func TestProbePicture(t *testing.T) {
	m := probeSeedModel(t)
	legend := func(s ...string) []string { return s }
	for _, tc := range []struct {
		name    string
		rep     *probe.Report
		legend  []string
		clients int
		answers int
		// seen[client addr] lists each hop's state along the row.
		seen map[string][]string
	}{
		{
			name: "seed-like", rep: seedLike(t, m, true), clients: 4, answers: 4,
			legend: legend("share of queries this answer came first in", "echo request seen here",
				"bridge switched it (its socket sees no frame)", "request not seen here", "echo reply seen here", "request lost after this hop"),
			seen: map[string][]string{
				"network_alias_ping " + ip2:       {"request", "request", "switched", "request", "request"},
				"network_alias_container1 " + ip1: {"request"}, // its own address: loopback
				"wordpress " + ipW:                {"request", "request", "switched", "request", "request"},
				"outsider " + ip1:                 {"request", "request", "request", "missed", "missed", "missed"},
			},
		},
		{
			name: "seed 4x3", rep: seed4x3(t, m), clients: 4, answers: 3,
			legend: legend("share of queries this answer came first in", "echo request seen here",
				"bridge switched it (its socket sees no frame)", "echo reply seen here"),
			seen: map[string][]string{"network_alias_container3 " + ip1: {"request", "request", "switched", "request", "request"}},
		},
		{
			// TARGET an address: no lookup, so no bars in the picture or
			// its legend.
			name: "address", clients: 2, answers: 1,
			rep: probeReport(t, m, ip2, true,
				probeCase{client: "network_alias_ping", via: "address", answers: []string{ip2}},
				probeCase{client: "outsider", via: "address", answers: []string{ip2}, request: map[string][]int{ip2: {0, 1, 2}}, lost: map[string]bool{ip2: true}}),
			legend: legend("echo request seen here", "bridge switched it (its socket sees no frame)", "request not seen here", "echo reply seen here", "request lost after this hop"),
			seen:   map[string][]string{"outsider " + ip2: {"request", "request", "request", "missed", "missed", "missed"}},
		},
		{
			name: "no capture", rep: seedLike(t, m, false), clients: 4, answers: 4,
			legend: legend("share of queries this answer came first in", "planned hop (not captured)"),
			seen:   map[string][]string{"outsider " + ip1: {"planned", "planned", "planned", "planned", "planned", "planned"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := probeview.ProbePicture(overlay.Probe(m, tc.rep))
			checkGeometry(t, sc, 10)
			t.Logf("%s: %gx%g, smallest text %.1f px fitted to 1920×1080", tc.name, sc.W, sc.H, draw.MinTextSize(sc)*min(1920/sc.W, 1080/sc.H))

			n := 0
			for _, tx := range sceneTexts(sc) {
				n += strings.Count(tx.S, "alicek106")
				if strings.HasSuffix(tx.S, "…") {
					t.Errorf("%q was cut short: every name of the seed fits its box", tx.S)
				}
			}
			if want := min(1, strings.Count(tc.rep.Target, "alicek106")); n != want {
				t.Errorf("the alias is drawn %d times, want %d (the title)", n, want)
			}
			nodes := sceneNodes(t, sc)
			kinds := map[string]int{}
			for _, nd := range nodes {
				kinds[nd.g.Data["kind"]]++
			}
			if kinds["client"] != tc.clients || kinds["server"] != tc.clients || kinds["answer"] != tc.answers {
				t.Errorf("nodes %v, want %d clients, each with its server, and %d answers", kinds, tc.clients, tc.answers)
			}
			rows := 0
			for _, c := range tc.rep.Clients {
				rows += len(c.Answers)
			}
			if kinds["got"] != rows {
				t.Errorf("%d answer rows, want one per client and answer (%d)", kinds["got"], rows)
			}
			for key, want := range tc.seen {
				client, addr, _ := strings.Cut(key, " ")
				row := hops(nodes, client, addr)
				var got []string
				for _, h := range row {
					got = append(got, h.g.Data["seen"])
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s → %s: hops %q, want %q", client, addr, got, want)
				}
			}
			if got := legendTexts(sc); !slices.Equal(got, tc.legend) {
				t.Errorf("legend\n%q\nwant\n%q", got, tc.legend)
			}
		})
	}
}

// TestProbePictureStop: the echo outsider sent across the bridges is marked
// stopped after docker0 — the red ✗ between docker0 and the next hop, and
// the row's text says so — and no other row is marked.
func TestProbePictureStop(t *testing.T) {
	m := probeSeedModel(t)
	sc := probeview.ProbePicture(overlay.Probe(m, seedLike(t, m, true)))
	var stops []*draw.Group
	sc.Walk(func(it draw.Item) {
		if g, ok := it.(*draw.Group); ok && g.Class == "stop" {
			stops = append(stops, g)
		}
	})
	if len(stops) != 1 || stops[0].Data["client"] != "outsider" || stops[0].Data["after"] != "host/docker0" {
		t.Fatalf("stop marks %v, want one after outsider's docker0", stops)
	}
	row := hops(sceneNodes(t, sc), "outsider", ip1)
	mark := stops[0].Items[0].(*draw.Line).Pts
	after, next := rectBox(row[2].shape), rectBox(row[3].shape)
	if mark[0].X <= after.Right() || mark[1].X >= next.X || mark[0].Y < after.Y || mark[1].Y > after.Bottom() {
		t.Errorf("✗ at %v is not between docker0 %v and the next hop %v", mark, after, next)
	}
	var said bool
	for _, tx := range sceneTexts(sc) {
		said = said || tx.S == "request stopped after docker0 (bridge)"
	}
	if !said {
		t.Error("no row says where the request stopped")
	}
}

// TestProbePictureQuestion: each client's row for each of its answers says
// how often it came first, with a bar that long; a client's answers from
// /etc/hosts say so; an answer outside a client's set gets no row of its.
func TestProbePictureQuestion(t *testing.T) {
	m := probeSeedModel(t)
	sc := probeview.ProbePicture(overlay.Probe(m, seedLike(t, m, true)))
	got := map[string]probeBox{}
	for _, n := range sceneNodes(t, sc) {
		if n.g.Data["kind"] == "got" {
			got[n.g.Data["client"]+" "+n.g.Data["addr"]] = n
		}
	}
	for key, want := range map[string]string{
		"network_alias_ping " + ip1: "first in 3 of 6 queries",
		"network_alias_ping " + ip3: "first in 1 of 6 queries",
		"wordpress " + ipW:          "its line in /etc/hosts",
		"outsider " + ip1:           "its line in /etc/hosts",
		"network_alias_ping " + ipW: "",
		"outsider " + ip2:           "",
	} {
		n, ok := got[key]
		switch {
		case want == "" && ok:
			t.Errorf("%s: a row for an answer it never got", key)
		case want != "" && (!ok || len(n.texts) != 2 || n.texts[1].S != want):
			t.Errorf("%s: %v, want %q", key, n.texts, want)
		}
	}
	if len(got) != 3+3+1+1 {
		t.Errorf("%d answer rows, want 8", len(got))
	}
	// The bar's fill is as long as its share of the track.
	var track, fill *draw.Rect
	for _, it := range got["network_alias_ping "+ip1].g.Items {
		if r, ok := it.(*draw.Rect); ok && r.Class == "bar-track" {
			track = r
		} else if ok && r.Class == "bar" {
			fill = r
		}
	}
	if track == nil || fill == nil || fill.W < track.W*3/6-0.01 || fill.W > track.W*3/6+0.01 {
		t.Errorf("bar %v of %v, want half", fill, track)
	}
}

// TestProbePictureErrors: a client whose probe failed or that got no
// answer still gets its row and lane, saying so, and the picture keeps its
// geometry.
func TestProbePictureErrors(t *testing.T) {
	m := probeSeedModel(t)
	rep := seedLike(t, m, true)
	rep.Clients = append(rep.Clients,
		probe.ClientReport{Client: "network_alias_container2", Via: graph.NameEmbeddedDNS, Err: "container exited"},
		probe.ClientReport{Client: "network_alias_container3", Via: graph.NameEmbeddedDNS, Lookups: []probe.Lookup{{Rcode: "NXDOMAIN"}}})
	sc := probeview.ProbePicture(overlay.Probe(m, rep))
	checkGeometry(t, sc, 9)
	var got []string
	for _, tx := range sceneTexts(sc) {
		if strings.HasPrefix(tx.S, "error:") || strings.HasPrefix(tx.S, "no answer") {
			got = append(got, tx.S)
		}
	}
	want := []string{"error: container exited", "no answer: nothing to ping"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestProbePictureSVG writes the seed-like picture as SVG: valid XML whose
// texts are the scene's, compared with the golden file (go test -update
// rewrites it).
func TestProbePictureSVG(t *testing.T) {
	m := probeSeedModel(t)
	var buf bytes.Buffer
	if err := probeview.RenderProbe(&buf, overlay.Probe(m, seedLike(t, m, true)), render.FormatSVG); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	var texts []string
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not XML: %v", err)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			inText = v.Name.Local == "text"
		case xml.CharData:
			if inText {
				texts = append(texts, string(v))
			}
		case xml.EndElement:
			inText = false
		}
	}
	if !slices.Contains(texts, "probe alicek106") || !slices.Contains(texts, "first in 3 of 6 queries") {
		t.Errorf("the SVG lacks its texts: %q", texts)
	}
	testkit.Golden(t, filepath.Join("testdata", "TestProbePicture", "seed-like.svg.golden"), buf.Bytes())

	if err := probeview.RenderProbe(io.Discard, overlay.Probe(m, seedLike(t, m, true)), render.FormatDOT); err == nil || !strings.Contains(err.Error(), "svg, png or html") {
		t.Errorf("dot: %v, want an error naming the formats", err)
	}
}

// TestProbePictureHTML: the page holds the picture and the text report.
func TestProbePictureHTML(t *testing.T) {
	m := probeSeedModel(t)
	var buf bytes.Buffer
	if err := probeview.RenderProbe(&buf, overlay.Probe(m, seedLike(t, m, true)), render.FormatHTML); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{"<svg", "probe alicek106 from 4 client(s)", "first answer per query", "stopped after docker0"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, "<?xml") {
		t.Error("the page embeds the SVG's XML prolog")
	}
}

// TestProbePictureCleansNames: names from the model reach the picture
// escaped (no control characters in the SVG), long ones cut to their box.
func TestProbePictureCleansNames(t *testing.T) {
	v := &probeview.ProbeView{Target: "evil\x1b[31mname", Answers: []probeview.ProbeAnswer{{Addr: "10.0.0.2", Container: strings.Repeat("long", 40)}},
		Clients: []probeview.ProbeClient{{Name: "c\x07lient", Via: probeview.ProbeViaDNS, Queries: 1, Results: []probeview.ProbeResult{{Addr: "10.0.0.2", First: 1,
			Ping: probeview.ProbePing{Outcome: "reached", Reached: true, Attempts: 1, Received: 1},
			Hops: []probeview.ProbeHop{{Name: "eth0", Where: "c\x07lient", Request: true}, {Name: "eth0", Where: strings.Repeat("long", 40), Request: true, Reply: true}}, Captured: true}}}}}
	sc := probeview.ProbePicture(v)
	checkGeometry(t, sc, 9)
	var buf bytes.Buffer
	if err := draw.WriteSVG(&buf, sc); err != nil {
		t.Fatal(err)
	}
	if bytes.ContainsAny(buf.Bytes(), "\x1b\x07") {
		t.Error("control characters reached the SVG")
	}
	if !bytes.Contains(buf.Bytes(), []byte(`probe evil\x1b[31mname`)) {
		t.Errorf("the target is not shown escaped")
	}
}
