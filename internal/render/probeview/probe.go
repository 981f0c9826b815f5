// Package probeview draws one probe of `netviz probe -o`: per client the
// question (server, answers, which came first) and the echo hop by hop, as
// SVG, PNG or HTML through internal/draw.
package probeview

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"math"
	"strings"
	"time"

	"github.com/netviz/netviz/internal/draw"
	"github.com/netviz/netviz/internal/render"
	"github.com/netviz/netviz/internal/textsafe"
)

// How a probe client resolved the target (ProbeClient.Via).
const (
	ProbeViaDNS     = "embedded-dns" // Docker's embedded DNS, 127.0.0.11
	ProbeViaHosts   = "hosts"        // the container's /etc/hosts (--link)
	ProbeViaAddress = "address"      // TARGET was an address: no lookup
)

// ProbeView is what the picture of `netviz probe TARGET` shows: the question
// (who asked which server, which answers came back, which came first how
// often) and, for each client and answer, the echo's path hop by hop.
// internal/overlay fills it from a probe report.
type ProbeView struct {
	Target  string
	Elapsed time.Duration
	// Answers is the full answer set over every client, each address once,
	// in the order the picture's columns show them.
	Answers []ProbeAnswer
	Clients []ProbeClient
	// Text is the report as `netviz probe` prints it (the HTML page shows it
	// under the picture).
	Text string
}

// ProbeAnswer is one address the target resolved to.
type ProbeAnswer struct {
	Addr string
	// Container holds Addr ("" when no container here does); ID is its
	// model ID (data-obj).
	Container, ID string
}

// ProbeClient is one container that asked.
type ProbeClient struct {
	Name, ID string
	// Addr is the client's own address on the network it asked on, if known.
	Addr string
	// Via is ProbeViaDNS, ProbeViaHosts or ProbeViaAddress.
	Via string
	// Network is the network whose embedded DNS answered (ProbeViaDNS).
	Network string
	// Queries is how many DNS queries were sent (ProbeViaDNS).
	Queries int
	// Err is why the probe from this client did not run ("" ran).
	Err string
	// Results holds one entry per answer this client got, in Answers order.
	Results []ProbeResult
}

// ProbeResult is one client's view of one answer: how often it came first,
// the pings sent to it, and the path they took.
type ProbeResult struct {
	Addr string
	// First counts the queries in which Addr was the first answer (what
	// ping uses).
	First int
	Ping  ProbePing
	// Hops is the path the model plans from the client to Addr; Captured
	// says whether they carry what the capture saw (else the plan only).
	Hops     []ProbeHop
	Captured bool
	// PathErr is why no path could be captured.
	PathErr string
}

// ProbePing is the outcome of the echoes to one answer.
type ProbePing struct {
	Outcome            string // reached, timeout, unreachable, not-measured, failed
	Reached            bool
	Attempts, Received int
	RTT                time.Duration // mean round trip of the replies
	Detail             string
}

// ProbeHop is one interface on a probe's path.
type ProbeHop struct {
	ID string // model interface ID
	// Name is the interface (eth0, veth1a2b, br-3f4d…); Where says whose it
	// is: a container, "host", a network for a bridge.
	Name, Where string
	Bridge      bool
	// Request: the echo request was seen here. Switched: a bridge passed it
	// between two ports (its own socket never sees such frames). Reply: the
	// echo reply was seen here.
	Request, Switched, Reply bool
}

// seen reports whether the request got this far.
func (h ProbeHop) seen() bool { return h.Request || h.Switched }

// stopIndex is the hop after which the request vanished, or -1 when it
// arrived, was not captured, or was seen nowhere.
func (r ProbeResult) stopIndex() int {
	if !r.Captured || len(r.Hops) == 0 || r.Hops[len(r.Hops)-1].Request {
		return -1
	}
	for i := len(r.Hops) - 1; i >= 0; i-- {
		if r.Hops[i].seen() {
			return i
		}
	}
	return -1
}

// Type sizes of the probe picture, in pixels.
const (
	probeFontTitle   = 26.0
	probeFontSection = 16.0
	probeFontName    = 13.0 // bold names in nodes
	probeFontText    = 13.0
	probeFontSmall   = 12.0 // the smallest text in the picture
)

// Colours of the probe picture.
const (
	probeInk        = "#202124"
	probeMuted      = "#5F6368"
	probeOK         = "#1B9E3E"
	probeOKFill     = "#E3F4E8"
	probeBad        = "#D62728"
	probeMiss       = "#9AA0A6"
	probeMissFill   = "#F5F5F5"
	probePlan       = "#5B6B82"
	probeReply      = "#1F6FB4"
	probeClient     = "#3B6DB3"
	probeClientFill = "#EAF1FB"
	probeServer     = "#A07400"
	probeServerFill = "#FFF5D6"
	probeAnswer     = "#555555"
	probeAnswerFill = "#F1F3F4"
	probeBar        = "#3B6DB3"
	probeTrack      = "#DDE1E6"
	probeLaneFill   = "#F7F9FC"
	probeLaneStroke = "#D5DCE5"
)

// Geometry of the probe picture.
const (
	probeMargin  = 28.0
	probePadX    = 9.0  // text inset in a node
	probeNodeH   = 44.0 // every box
	probeRowGap  = 8.0  // between two rows of a lane
	probeHopGap  = 34.0 // between two hops: the arrow
	probeLanePad = 8.0
	probeLaneGap = 10.0
	probeBarW    = 56.0
)

// probeLine is one line of text in a node.
type probeLine struct {
	s     string
	size  float64
	bold  bool
	color string
}

// probeNode is a box of class "node": its shape first, then its lines of
// text, centred (each fitted to the box's width; Tip holds them whole).
func probeNode(a draw.Attrs, x, y, w, h float64, fill, stroke string, dash []float64, lines ...probeLine) *draw.Group {
	a.Class = "node"
	g := &draw.Group{Attrs: a}
	g.Add(&draw.Rect{X: x, Y: y, W: w, H: h, R: 5, Fill: fill, Stroke: stroke, StrokeW: 1.5, Dash: dash})
	block := 0.0
	for _, l := range lines {
		block += l.size * 1.22
	}
	ty := y + (h-block)/2
	var full []string
	for _, l := range lines {
		s := draw.Fit(l.s, l.size, l.bold, w-2*probePadX)
		full = append(full, l.s)
		g.Add(&draw.Text{X: x + w/2, Y: ty + l.size*(0.11+draw.Ascent), S: s, Size: l.size, Bold: l.bold, Color: l.color, Anchor: draw.Middle})
		ty += l.size * 1.22
	}
	if g.Tip == "" {
		g.Tip = strings.Join(full, " · ")
	}
	return g
}

// probeText is a line of text outside any node.
func probeText(x, y float64, s string, size float64, bold bool, color string, anchor draw.Anchor) *draw.Text {
	return &draw.Text{X: x, Y: y, S: s, Size: size, Bold: bold, Color: color, Anchor: anchor}
}

// probeCross is a red ✗ of two strokes centred on (x, y).
func probeCross(x, y, r float64, a draw.Attrs) *draw.Group {
	g := &draw.Group{Attrs: a}
	g.Add(
		&draw.Line{Pts: []draw.Pt{{X: x - r, Y: y - r}, {X: x + r, Y: y + r}}, Stroke: probeBad, W: 3},
		&draw.Line{Pts: []draw.Pt{{X: x - r, Y: y + r}, {X: x + r, Y: y - r}}, Stroke: probeBad, W: 3},
	)
	return g
}

// probeStyles records which styles a picture used, for its legend.
type probeStyles struct {
	request, switched, missed, planned, reply, stopped, bar bool
}

// probeClean makes a name or message safe to draw.
func probeClean(s string) string { return textsafe.CleanN(s, 0) }

// ProbePicture draws a probe. The header names the target and the full
// answer set, each answer naming its container. Then one lane per client,
// one row per answer, read left to right: the question — the client, the
// server it asked (127.0.0.11 on which network, its /etc/hosts, or no
// lookup), each answer with a bar of how often it came first — then the
// echo to that answer hop by hop (green where the capture saw the request,
// a red ✗ where it stopped, a blue stripe where the reply was seen), and
// the ping's outcome, loss and mean RTT. The seed exercise (4 clients × 3
// answers) keeps its smallest text at 10 px or more fitted to 1920×1080.
func ProbePicture(v *ProbeView) *draw.Scene {
	p := &probePainter{v: v, s: &draw.Scene{Title: "probe " + textsafe.Clean(v.Target)}}
	p.measure()
	y := p.header(probeMargin)
	y = p.captions(y + 14)
	y = p.lanes(y)
	y = p.legend(y + 14)
	p.s.W = math.Ceil(p.width)
	p.s.H = math.Ceil(y + probeMargin)
	return p.s
}

type probePainter struct {
	v     *ProbeView
	s     *draw.Scene
	used  probeStyles
	width float64 // rightmost pixel drawn, plus the margin
	// Column widths and positions.
	clientW, serverW, gotW, answerW, resultW float64
	hopW                                     []float64 // by position along a row
	xClient, xServer, xGot, xHops, xResult   float64
	right                                    float64 // the lanes' right edge
}

func (p *probePainter) grow(right float64) {
	p.width = max(p.width, right+probeMargin)
}

// probeVia is how the server a client asked is named: its address (bold)
// and what it is.
func probeVia(c *ProbeClient) (string, string) {
	switch c.Via {
	case ProbeViaDNS:
		if c.Network != "" {
			return "127.0.0.11", "DNS of " + probeClean(c.Network)
		}
		return "127.0.0.11", "Docker's DNS"
	case ProbeViaHosts:
		return "/etc/hosts", "its own file, no query"
	case ProbeViaAddress:
		return "no lookup", "target is an address"
	}
	return "no server", "cannot resolve it"
}

func (p *probePainter) measure() {
	tw := draw.TextWidth
	p.clientW, p.serverW, p.gotW, p.answerW, p.resultW = 120, 110, 150, 150, 220
	for _, c := range p.v.Clients {
		p.clientW = max(p.clientW, tw(probeClean(c.Name), probeFontName, true), tw(probeClientLine2(&c), probeFontSmall, false))
		a, b := probeVia(&c)
		p.serverW = max(p.serverW, tw(a, probeFontName, true), tw(b, probeFontSmall, false))
		for _, r := range c.Results {
			p.gotW = max(p.gotW, tw(probeClean(r.Addr), probeFontText, true)+8+probeBarW, tw(probeGotLine2(&c, &r), probeFontSmall, false))
			for i, h := range r.Hops {
				if i == len(p.hopW) {
					p.hopW = append(p.hopW, 80)
				}
				p.hopW[i] = max(p.hopW[i], tw(probeClean(h.Name), probeFontText, true), tw(probeClean(h.Where), probeFontSmall, false))
			}
			l1, l2, _, _ := probeResultWords(&r)
			p.resultW = max(p.resultW, tw(l1, probeFontText, false), tw(l2, probeFontText, false))
		}
	}
	for _, a := range p.v.Answers {
		p.answerW = max(p.answerW, tw(probeClean(a.Addr), probeFontName, true), tw(probeOwner(a), probeFontSmall, false))
	}
	// Long names are cut with "…" (whole in the tooltip) rather than let one
	// of them widen every column. (One pixel spare: w-2·pad must not round
	// below the width measured.)
	pad := 2*probePadX + 1
	p.clientW, p.serverW = min(p.clientW+pad, 240), min(p.serverW+pad, 220)
	p.gotW, p.answerW, p.resultW = min(p.gotW+pad, 240), min(p.answerW+pad, 240), min(p.resultW, 360)
	for i := range p.hopW {
		p.hopW[i] = min(p.hopW[i]+pad, 200)
	}
	p.xClient = probeMargin + probeLanePad
	p.xServer = p.xClient + p.clientW + 28
	p.xGot = p.xServer + p.serverW + 30
	p.xHops = p.xGot + p.gotW + 24
	p.xResult = p.xHops
	for _, w := range p.hopW {
		p.xResult += w + probeHopGap
	}
	p.xResult = max(p.xResult-probeHopGap+28, p.xHops+240)
	p.right = p.xResult + p.resultW + probeLanePad
	p.grow(p.right)
}

// hopX is where the i-th hop of a row starts.
func (p *probePainter) hopX(i int) float64 {
	x := p.xHops
	for _, w := range p.hopW[:i] {
		x += w + probeHopGap
	}
	return x
}

func probeClientLine2(c *ProbeClient) string {
	if c.Addr != "" {
		return probeClean(c.Addr)
	}
	return "container"
}

func probeOwner(a ProbeAnswer) string {
	if a.Container == "" {
		return "no container here"
	}
	return probeClean(a.Container)
}

// probeGotLine2 says how the client came by an answer.
func probeGotLine2(c *ProbeClient, r *ProbeResult) string {
	switch {
	case c.Via == ProbeViaDNS && c.Queries > 0:
		return fmt.Sprintf("first in %d of %d queries", r.First, c.Queries)
	case c.Via == ProbeViaHosts:
		return "its line in /etc/hosts"
	}
	return "the address itself"
}

// header draws the title, a line of totals and the full answer set.
func (p *probePainter) header(y float64) float64 {
	v := p.v
	title := probeText(probeMargin, y+probeFontTitle*draw.Ascent, "probe "+textsafe.Clean(v.Target), probeFontTitle, true, probeInk, draw.Start)
	title.Data = map[string]string{"obj": "target"}
	p.s.Add(title)
	p.grow(draw.TextBox(title).Right())
	queries, pings := 0, 0
	for _, c := range v.Clients {
		queries += c.Queries
		for _, r := range c.Results {
			pings += r.Ping.Attempts
		}
	}
	parts := []string{probePlural(len(v.Clients), "client"), probePlural(len(v.Answers), "answer")}
	if queries > 0 {
		parts = append(parts, probePlural(queries, "DNS query", "DNS queries"))
	}
	parts = append(parts, probePlural(pings, "echo request"))
	if v.Elapsed > 0 {
		parts = append(parts, "in "+v.Elapsed.Round(time.Millisecond).String())
	}
	sub := probeText(probeMargin, y+probeFontTitle*1.25+probeFontText*draw.Ascent+4, strings.Join(parts, " · "), probeFontText, false, probeMuted, draw.Start)
	p.s.Add(sub)
	p.grow(draw.TextBox(sub).Right())
	bottom := draw.TextBox(sub).Bottom()
	if len(v.Answers) == 0 {
		return bottom
	}

	// The answer set, once, right of the title when it fits there.
	const gap = 12.0
	setW := float64(len(v.Answers))*(p.answerW+gap) - gap
	x := max(draw.TextBox(title).Right(), draw.TextBox(sub).Right()) + 48
	ay := y
	if x+setW > p.right {
		x, ay = probeMargin, bottom+12
	}
	words := "the answers (the full set), each naming its container"
	if probeAllVia(v, ProbeViaAddress) {
		words = "the address probed, naming its container"
	}
	capt := probeText(x, ay+probeFontSmall*draw.Ascent, words, probeFontSmall, false, probeMuted, draw.Start)
	p.s.Add(capt)
	p.grow(draw.TextBox(capt).Right())
	ay += probeFontSmall * 1.5
	for i, a := range v.Answers {
		if i > 0 && x+p.answerW > p.right {
			x, ay = probeMargin, ay+probeNodeH+gap
		}
		p.s.Add(probeNode(draw.Attrs{Data: map[string]string{"obj": probeObj(a.ID, a.Addr), "kind": "answer", "addr": probeClean(a.Addr)}},
			x, ay, p.answerW, probeNodeH, probeAnswerFill, probeAnswer, nil,
			probeLine{probeClean(a.Addr), probeFontName, true, probeInk},
			probeLine{probeOwner(a), probeFontSmall, false, probeMuted}))
		p.grow(x + p.answerW)
		x += p.answerW + gap
	}
	return max(bottom, ay+probeNodeH)
}

// probeAllVia reports whether every client resolved the target by via.
func probeAllVia(v *ProbeView, via string) bool {
	for _, c := range v.Clients {
		if c.Via != via {
			return false
		}
	}
	return len(v.Clients) > 0
}

func probePlural(n int, one string, many ...string) string {
	if n == 1 {
		return "1 " + one
	}
	if len(many) > 0 {
		return fmt.Sprintf("%d %s", n, many[0])
	}
	return fmt.Sprintf("%d %ss", n, one)
}

// captions name the two halves of every lane.
func (p *probePainter) captions(y float64) float64 {
	for _, c := range []struct {
		x, w    float64
		s, note string
	}{
		{p.xClient, p.xGot + p.gotW - p.xClient, "The question", "who asked, which server, what came back"},
		{p.xHops, p.right - p.xHops, "The echo, hop by hop", "where the capture saw each client's ping"},
	} {
		t := probeText(c.x, y+probeFontSection*draw.Ascent, c.s, probeFontSection, true, probeInk, draw.Start)
		n := probeText(draw.TextBox(t).Right()+10, t.Y, draw.Fit(c.note, probeFontSmall, false, c.w-draw.TextBox(t).W-10), probeFontSmall, false, probeMuted, draw.Start)
		p.s.Add(t, n)
	}
	return y + probeFontSection*1.6
}

func probeObj(id, addr string) string {
	if id != "" {
		return id
	}
	return "addr:" + probeClean(addr)
}

// probeResultWords are a result's two lines (ping, then path) and their
// colours.
func probeResultWords(r *ProbeResult) (string, string, string, string) {
	pg := r.Ping
	l1, c1 := pg.Outcome, probeBad
	if pg.Reached {
		c1 = probeOK
	}
	if pg.Outcome == "" {
		l1, c1 = "not pinged", probeMuted
	}
	if pg.Attempts > 0 {
		l1 += fmt.Sprintf(" · %d/%d replies", pg.Received, pg.Attempts)
		if loss := 100 * float64(pg.Attempts-pg.Received) / float64(pg.Attempts); loss > 0 {
			l1 += fmt.Sprintf(" (%.0f%% loss)", loss)
		}
	}
	if pg.RTT > 0 {
		l1 += fmt.Sprintf(" · mean %.2f ms", float64(pg.RTT)/float64(time.Millisecond))
	}
	var l2, c2 string
	replies := 0
	seen := false
	for _, h := range r.Hops {
		if h.Reply {
			replies++
		}
		seen = seen || h.seen()
	}
	switch i := r.stopIndex(); {
	case r.PathErr != "":
		l2, c2 = "path: "+probeClean(r.PathErr), probeBad
	case len(r.Hops) == 0:
		l2, c2 = "no path known", probeMuted
	case !r.Captured:
		l2, c2 = "planned path, not captured", probeMuted
	case i >= 0:
		l2, c2 = "request stopped after "+probeHopWords(r.Hops[i]), probeBad
	case !seen:
		l2, c2 = "not seen on any capture point", probeBad
	default:
		l2, c2 = fmt.Sprintf("reply seen at %d of %d points", replies, len(r.Hops)), probeReply
	}
	return l1, l2, c1, c2
}

func probeHopWords(h ProbeHop) string {
	s := probeClean(h.Name)
	if h.Bridge {
		return s + " (bridge)"
	}
	if h.Where != "" && h.Where != "host" {
		return probeClean(h.Where) + " " + s
	}
	return s
}

// lanes draws one lane per client, one row per answer.
func (p *probePainter) lanes(y float64) float64 {
	for ci := range p.v.Clients {
		y = p.lane(&p.v.Clients[ci], y) + probeLaneGap
	}
	return y - probeLaneGap
}

func (p *probePainter) lane(c *ProbeClient, y float64) float64 {
	rows := max(len(c.Results), 1)
	laneH := float64(rows)*(probeNodeH+probeRowGap) - probeRowGap + 2*probeLanePad
	lane := &draw.Group{Attrs: draw.Attrs{Class: "lane", Data: map[string]string{"obj": c.ID, "client": probeClean(c.Name)}}}
	lane.Add(&draw.Rect{X: probeMargin, Y: y, W: p.right - probeMargin, H: laneH, R: 8, Fill: probeLaneFill, Stroke: probeLaneStroke})
	// Who asked, and which server: centred on the lane's rows.
	top := y + probeLanePad
	mid := y + laneH/2
	lane.Add(probeNode(draw.Attrs{Data: map[string]string{"obj": c.ID, "kind": "client"}},
		p.xClient, mid-probeNodeH/2, p.clientW, probeNodeH, probeClientFill, probeClient, nil,
		probeLine{probeClean(c.Name), probeFontName, true, probeInk},
		probeLine{probeClientLine2(c), probeFontSmall, false, probeMuted}))
	lane.Add(&draw.Line{Pts: []draw.Pt{{X: p.xClient + p.clientW + 2, Y: mid}, {X: p.xServer - 2, Y: mid}}, Stroke: probeMuted, W: 1.5, Arrow: true})
	a, b := probeVia(c)
	lane.Add(probeNode(draw.Attrs{Data: map[string]string{"obj": "server:" + c.Via + ":" + probeClean(c.Network), "kind": "server", "client": probeClean(c.Name)}},
		p.xServer, mid-probeNodeH/2, p.serverW, probeNodeH, probeServerFill, probeServer, nil,
		probeLine{a, probeFontName, true, probeInk},
		probeLine{b, probeFontSmall, false, probeMuted}))
	switch {
	case c.Err != "":
		lane.Add(probeText(p.xGot, mid+5, draw.Fit("error: "+probeClean(c.Err), probeFontText, false, p.right-p.xGot-probeLanePad), probeFontText, false, probeBad, draw.Start))
	case len(c.Results) == 0:
		lane.Add(probeText(p.xGot, mid+5, "no answer: nothing to ping", probeFontText, false, probeBad, draw.Start))
	}
	for ri := range c.Results {
		ry := top + float64(ri)*(probeNodeH+probeRowGap)
		rmid := ry + probeNodeH/2
		// The server's answer, fanned out to its row.
		elbow := p.xServer + p.serverW + 12
		lane.Add(&draw.Line{Pts: []draw.Pt{{X: p.xServer + p.serverW + 2, Y: mid}, {X: elbow, Y: mid}, {X: elbow, Y: rmid}, {X: p.xGot - 2, Y: rmid}}, Stroke: probeMuted, W: 1.5, Arrow: true})
		p.gotNode(lane, c, &c.Results[ri], ry)
		p.pathRow(lane, c, &c.Results[ri], ry)
	}
	p.s.Add(lane)
	return y + laneH
}

// gotNode is one answer as this client got it: the address, and a bar of
// how often it came first, or how it was known.
func (p *probePainter) gotNode(lane *draw.Group, c *ProbeClient, r *ProbeResult, y float64) {
	x := p.xGot
	g := probeNode(draw.Attrs{Data: map[string]string{"kind": "got", "client": probeClean(c.Name), "addr": probeClean(r.Addr), "first": fmt.Sprint(r.First)}},
		x, y, p.gotW, probeNodeH, "#FFFFFF", probeAnswer, nil)
	addr := probeText(x+probePadX, y+20, draw.Fit(probeClean(r.Addr), probeFontText, true, p.gotW-2*probePadX-probeBarW-8), probeFontText, true, probeInk, draw.Start)
	line2 := probeText(x+probePadX, y+36, draw.Fit(probeGotLine2(c, r), probeFontSmall, false, p.gotW-2*probePadX), probeFontSmall, false, probeInk, draw.Start)
	g.Add(addr, line2)
	if c.Via == ProbeViaDNS && c.Queries > 0 {
		p.used.bar = true
		bx := x + p.gotW - probePadX - probeBarW
		g.Add(&draw.Rect{Attrs: draw.Attrs{Class: "bar-track"}, X: bx, Y: y + 10, W: probeBarW, H: 10, R: 3, Fill: probeTrack})
		if r.First > 0 {
			g.Add(&draw.Rect{Attrs: draw.Attrs{Class: "bar"}, X: bx, Y: y + 10, W: probeBarW * float64(min(r.First, c.Queries)) / float64(c.Queries), H: 10, R: 3, Fill: probeBar})
		}
	}
	g.Tip = probeClean(r.Addr) + ": " + probeGotLine2(c, r)
	lane.Add(g)
}

// pathRow draws the hops of one client → answer row and the result.
func (p *probePainter) pathRow(lane *draw.Group, c *ProbeClient, r *ProbeResult, y float64) {
	mid := y + probeNodeH/2
	stop := r.stopIndex()
	for i, h := range r.Hops {
		x, w := p.hopX(i), p.hopW[i]
		fill, stroke, state := probeOKFill, probeOK, "request"
		var dash []float64
		nameColor := probeInk
		switch {
		case !r.Captured:
			fill, stroke, state = "#FFFFFF", probePlan, "planned"
			p.used.planned = true
		case h.Request:
			p.used.request = true
		case h.Switched:
			dash, state = []float64{5, 3}, "switched"
			p.used.switched = true
		default:
			fill, stroke, state, dash, nameColor = probeMissFill, probeMiss, "missed", []float64{4, 3}, probeMuted
			p.used.missed = true
		}
		data := map[string]string{"obj": h.ID, "kind": "hop", "client": probeClean(c.Name), "addr": probeClean(r.Addr), "hop": fmt.Sprint(i), "seen": state}
		if h.Reply && r.Captured {
			data["reply"] = "seen"
		}
		n := probeNode(draw.Attrs{Data: data}, x, y, w, probeNodeH, fill, stroke, dash,
			probeLine{probeClean(h.Name), probeFontText, true, nameColor},
			probeLine{probeClean(h.Where), probeFontSmall, false, probeMuted})
		if h.Reply && r.Captured {
			// A blue stripe along the bottom: the reply passed here.
			n.Add(&draw.Rect{Attrs: draw.Attrs{Class: "reply"}, X: x + 4, Y: y + probeNodeH - 5, W: w - 8, H: 3, R: 1.5, Fill: probeReply})
			p.used.reply = true
		}
		lane.Add(n)
		if i+1 < len(r.Hops) {
			x0, x1 := x+w+2, p.hopX(i+1)-2
			switch {
			case !r.Captured:
				lane.Add(&draw.Line{Pts: []draw.Pt{{X: x0, Y: mid}, {X: x1, Y: mid}}, Stroke: probePlan, W: 1.5, Arrow: true})
			case r.Hops[i+1].seen():
				lane.Add(&draw.Line{Pts: []draw.Pt{{X: x0, Y: mid}, {X: x1, Y: mid}}, Stroke: probeOK, W: 2, Arrow: true})
			default:
				lane.Add(&draw.Line{Pts: []draw.Pt{{X: x0, Y: mid}, {X: x1, Y: mid}}, Stroke: probeMiss, W: 1.5, Dash: []float64{4, 3}, Arrow: true})
			}
		}
		if i == stop {
			p.used.stopped = true
			lane.Add(probeCross(x+w+probeHopGap/2, mid-13, 5, draw.Attrs{Class: "stop", Data: map[string]string{"client": probeClean(c.Name), "addr": probeClean(r.Addr), "after": h.ID}}))
		}
	}
	l1, l2, c1, c2 := probeResultWords(r)
	t1 := probeText(p.xResult, mid-4, draw.Fit(l1, probeFontText, false, p.resultW), probeFontText, false, c1, draw.Start)
	t2 := probeText(p.xResult, mid+probeFontText+1, draw.Fit(l2, probeFontText, false, p.resultW), probeFontText, false, c2, draw.Start)
	if r.Ping.Detail != "" {
		t1.Tip = probeClean(r.Ping.Detail)
	}
	lane.Add(&draw.Group{Attrs: draw.Attrs{Class: "result", Data: map[string]string{"client": probeClean(c.Name), "addr": probeClean(r.Addr), "outcome": probeClean(r.Ping.Outcome)}}, Items: []draw.Item{t1, t2}})
}

// legend explains every style the picture used, and only those.
func (p *probePainter) legend(y float64) float64 {
	type entry struct {
		swatch func(x, y float64) []draw.Item
		text   string
	}
	box := func(fill, stroke string, dash []float64) func(x, y float64) []draw.Item {
		return func(x, y float64) []draw.Item {
			return []draw.Item{&draw.Rect{X: x, Y: y, W: 26, H: 16, R: 3, Fill: fill, Stroke: stroke, StrokeW: 1.5, Dash: dash}}
		}
	}
	var es []entry
	u := p.used
	if u.bar {
		es = append(es, entry{func(x, y float64) []draw.Item {
			return []draw.Item{&draw.Rect{X: x, Y: y + 3, W: 26, H: 10, R: 3, Fill: probeTrack}, &draw.Rect{X: x, Y: y + 3, W: 13, H: 10, R: 3, Fill: probeBar}}
		}, "share of queries this answer came first in"})
	}
	if u.request {
		es = append(es, entry{box(probeOKFill, probeOK, nil), "echo request seen here"})
	}
	if u.switched {
		es = append(es, entry{box(probeOKFill, probeOK, []float64{5, 3}), "bridge switched it (its socket sees no frame)"})
	}
	if u.missed {
		es = append(es, entry{box(probeMissFill, probeMiss, []float64{4, 3}), "request not seen here"})
	}
	if u.planned {
		es = append(es, entry{box("#FFFFFF", probePlan, nil), "planned hop (not captured)"})
	}
	if u.reply {
		es = append(es, entry{func(x, y float64) []draw.Item {
			return []draw.Item{&draw.Rect{X: x, Y: y, W: 26, H: 16, R: 3, Fill: probeOKFill, Stroke: probeOK, StrokeW: 1.5}, &draw.Rect{X: x + 3, Y: y + 11, W: 20, H: 3, R: 1.5, Fill: probeReply}}
		}, "echo reply seen here"})
	}
	if u.stopped {
		es = append(es, entry{func(x, y float64) []draw.Item {
			return []draw.Item{probeCross(x+13, y+8, 5, draw.Attrs{})}
		}, "request lost after this hop"})
	}
	if len(es) == 0 {
		return y - 14
	}
	g := &draw.Group{Attrs: draw.Attrs{Class: "legend"}}
	x := probeMargin
	limit := max(p.right, 900)
	for _, e := range es {
		w := 26 + 6 + draw.TextWidth(e.text, probeFontSmall, false)
		if x > probeMargin && x+w > limit {
			x, y = probeMargin, y+26
		}
		g.Add(e.swatch(x, y)...)
		g.Add(probeText(x+32, y+12.5, e.text, probeFontSmall, false, probeInk, draw.Start))
		p.grow(x + w)
		x += w + 26
	}
	p.s.Add(g)
	return y + 20
}

// RenderProbe writes the probe picture as SVG, as PNG (one pixel per unit,
// the same scene rasterised), or as an HTML page holding the SVG and the
// text report.
func RenderProbe(w io.Writer, v *ProbeView, f render.Format) error {
	sc := ProbePicture(v)
	switch f {
	case render.FormatSVG:
		return draw.WriteSVG(w, sc)
	case render.FormatPNG:
		return draw.WritePNG(w, sc, 1)
	case render.FormatHTML:
		var svg bytes.Buffer
		if err := draw.WriteSVG(&svg, sc); err != nil {
			return err
		}
		body := svg.String()
		if i := strings.Index(body, "<svg"); i >= 0 {
			body = body[i:]
		}
		_, err := fmt.Fprintf(w, `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>netviz · %s</title>
<style>
body{font-family:Helvetica,Arial,sans-serif;margin:1.5rem;color:#222}
.drawing svg{max-width:100%%;height:auto}
pre{background:#f7f7f7;padding:1rem;border-radius:8px;overflow:auto;font-size:.85rem}
</style></head><body>
<div class="drawing">%s</div>
<pre>%s</pre>
</body></html>
`, html.EscapeString(sc.Title), body, html.EscapeString(v.Text))
		return err
	}
	return fmt.Errorf("a probe picture is svg, png or html, not %s", f)
}
