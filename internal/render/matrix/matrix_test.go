package matrix

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/draw"
	"github.com/netviz/netviz/internal/render"
	"github.com/netviz/netviz/internal/testkit"
)

// synthGrid is a matrix of n containers the way a compose project lays
// them out: web, api, worker and db tiers on four networks, the api tier
// also on the front network (two columns each), a few contradictions, an
// ICMP error, a macvlan pair not measured and a probe that could not run.
// Names are numbered so that lexical order would put c10 before c2.
func synthGrid(n int) *Grid {
	type ctr struct {
		name string
		nets []string
	}
	tiers := []struct {
		prefix string
		nets   []string
	}{
		{"shop-web-", []string{"shop_front"}},
		{"shop-api-", []string{"shop_back", "shop_front"}},
		{"shop-worker-", []string{"shop_back"}},
		{"shop-db-", []string{"shop_data"}},
		{"metrics-agent-", []string{"monitoring"}},
	}
	var ctrs []ctr
	for i := 0; len(ctrs) < n; i++ {
		t := tiers[i%len(tiers)]
		ctrs = append(ctrs, ctr{fmt.Sprintf("%s%d", t.prefix, i/len(tiers)+1), t.nets})
	}
	// Shuffle deterministically: the picture must sort them itself.
	for i := range ctrs {
		j := (i*7 + 3) % len(ctrs)
		ctrs[i], ctrs[j] = ctrs[j], ctrs[i]
	}
	g := &Grid{Title: fmt.Sprintf("reach on workshop-%d", n)}
	subnet := map[string]int{"shop_front": 20, "shop_back": 21, "shop_data": 22, "monitoring": 23}
	host := map[string]int{}
	type col struct{ ctr, net string }
	var cols []col
	for _, c := range ctrs {
		g.Rows = append(g.Rows, GridRow{Name: c.name, Networks: c.nets})
		for _, nw := range c.nets {
			host[nw]++
			g.Cols = append(g.Cols, GridCol{Name: c.name, Addr: fmt.Sprintf("172.%d.0.%d", subnet[nw], host[nw]+1), Network: nw})
			cols = append(cols, col{c.name, nw})
		}
	}
	g.Cells = make([][]GridCell, len(g.Rows))
	for r, c := range ctrs {
		g.Cells[r] = make([]GridCell, len(g.Cols))
		for k, t := range cols {
			cell := GridCell{Look: LookTimeout}
			if slices.Contains(c.nets, t.net) {
				cell.Look = LookReached
			}
			switch h := (r*31 + k*17) % 97; {
			case h == 5:
				cell.Unexpected = true
			case h == 11 && cell.Look == LookTimeout:
				cell.Look = LookUnreachable
			case h == 23:
				cell.Look = LookNotMeasured
			case h == 42:
				cell.Look = LookFailed
			}
			cell.Tip = c.name + " → " + t.ctr + " @ " + t.net
			g.Cells[r][k] = cell
		}
	}
	return g
}

// smallGrid is three clients on two networks with every look once.
func smallGrid() *Grid {
	return &Grid{
		Title: "reach on vm",
		Rows:  []GridRow{{Name: "web10", Networks: []string{"front"}}, {Name: "web2", Networks: []string{"front"}}, {Name: "db", Networks: []string{"back"}}, {Name: "api", Networks: []string{"front", "back"}}, {Name: "probe", Networks: []string{"host"}}, {Name: "lonely"}},
		Cols:  []GridCol{{Name: "web10", Addr: "10.1.0.10", Network: "front"}, {Name: "web2", Addr: "10.1.0.2", Network: "front"}, {Name: "db", Addr: "10.2.0.2", Network: "back"}},
		Cells: [][]GridCell{
			{{Look: LookReached, Tip: "web10 → web10"}, {Look: LookReached}, {Look: LookTimeout, Tip: "web10 → db: isolated bridges"}},
			{{Look: LookReached}, {Look: LookReached}, {Look: LookUnreachable}},
			{{Look: LookTimeout}, {Look: LookTimeout, Unexpected: true}, {Look: LookReached}},
			{{Look: LookReached}, {Look: LookReached, Unexpected: false}, {Look: LookTimeout, Unexpected: true}},
			{{Look: LookNotMeasured}, {Look: LookFailed}, {Look: LookReached, Unexpected: true}},
			{{}, {Look: LookTimeout}, {Look: LookTimeout}},
		},
	}
}

// longGrid has names past the label limit.
func longGrid() *Grid {
	long := "a-container-name-that-goes-on-and-on-for-ever-and-ever-1"
	return &Grid{
		Title: "reach on vm",
		Rows:  []GridRow{{Name: long, Networks: []string{"a-network-with-a-very-long-name-too", "n"}}, {Name: "x", Networks: []string{"n"}}},
		Cols:  []GridCol{{Name: long, Addr: "10.9.0.2", Network: "a-network-with-a-very-long-name-too"}, {Name: "x", Addr: "10.8.0.2", Network: "n"}},
		Cells: [][]GridCell{{{Look: LookReached}, {Look: LookTimeout}}, {{Look: LookTimeout}, {Look: LookReached}}},
	}
}

// texts lists the scene's texts, with the class of the group each sits in.
func sceneTexts(s *draw.Scene) []*draw.Text {
	var out []*draw.Text
	s.Walk(func(it draw.Item) {
		if t, ok := it.(*draw.Text); ok && t.S != "" {
			out = append(out, t)
		}
	})
	return out
}

// cellGroups lists the groups of class cell (the matrix's cells, not the
// legend's swatches).
func cellGroups(s *draw.Scene) []*draw.Group {
	var out []*draw.Group
	s.Walk(func(it draw.Item) {
		if g, ok := it.(*draw.Group); ok && slices.Contains(strings.Fields(g.Class), "cell") {
			out = append(out, g)
		}
	})
	return out
}

// TestGridSceneGeometry: in every picture, each text lies inside the
// picture and over no other text, each cell is a group holding a rectangle
// with its marks inside, no two cells overlap, and every cell carries its
// pair and outcome as data and a tooltip when given one.
func TestGridSceneGeometry(t *testing.T) {
	for _, tc := range []struct {
		name string
		g    *Grid
	}{
		{"small", smallGrid()},
		{"long names", longGrid()},
		{"one pair", &Grid{Title: "reach on vm", Rows: []GridRow{{Name: "a", Networks: []string{"n"}}}, Cols: []GridCol{{Name: "a", Addr: "10.0.0.2", Network: "n"}}, Cells: [][]GridCell{{{Look: LookReached}}}}},
		{"empty", &Grid{Title: "reach on vm"}},
		{"narrow groups", &Grid{Title: "reach on vm", Rows: []GridRow{{Name: "a", Networks: []string{"n1"}}}, Cols: []GridCol{{Name: "a", Addr: "10.0.0.2", Network: "network-one"}, {Name: "b", Addr: "10.0.1.2", Network: "network-two"}, {Name: "c", Addr: "10.0.2.2", Network: "network-three"}}, Cells: [][]GridCell{{{Look: LookReached}, {Look: LookTimeout}, {Look: LookUnreachable, Unexpected: true}}}}},
		{"12 containers", synthGrid(12)},
		{"40 containers", synthGrid(40)},
		{"60 containers", synthGrid(60)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := GridScene(tc.g)
			page := draw.Box{W: s.W, H: s.H}
			texts := sceneTexts(s)
			boxes := make([]draw.Box, len(texts))
			for i, tx := range texts {
				boxes[i] = mxTextBounds(tx)
				if !page.Contains(boxes[i], 0) {
					t.Errorf("text %q at %+v leaves the %gx%g picture", tx.S, boxes[i], s.W, s.H)
				}
				for j := range i {
					if boxes[i].Overlaps(boxes[j]) {
						t.Errorf("text %q %+v overlaps %q %+v", tx.S, boxes[i], texts[j].S, boxes[j])
					}
				}
			}
			cells := cellGroups(s)
			want := 0
			for r := range tc.g.Cells {
				for _, c := range tc.g.Cells[r] {
					if c.Look != "" {
						want++
					}
				}
			}
			if len(cells) != want {
				t.Errorf("%d cell groups, want %d", len(cells), want)
			}
			var rects []draw.Box
			for _, c := range cells {
				r, ok := c.Items[0].(*draw.Rect)
				if !ok {
					t.Fatalf("cell %v does not start with its rectangle", c.Data)
				}
				rb, _ := mxBounds(r)
				for _, it := range c.Items[1:] {
					if b, ok := mxBounds(it); !ok || !rb.Contains(b, 0.01) {
						t.Errorf("cell %v: mark %+v outside its rectangle %+v", c.Data, b, rb)
					}
				}
				for _, o := range rects {
					if rb.Overlaps(o) {
						t.Errorf("cell %v overlaps another at %+v", c.Data, o)
					}
				}
				rects = append(rects, rb)
				for _, k := range []string{"client", "target", "addr", "network", "outcome", "measured"} {
					if c.Data[k] == "" {
						t.Errorf("cell %v lacks data-%s", c.Data, k)
					}
				}
			}
		})
	}
}

// TestGridLooks: each outcome is drawn its own way, by colour and by mark;
// a contradiction stands out in strong red with a thick border and "!"
// beside the mark of what was measured.
func TestGridLooks(t *testing.T) {
	type look struct{ fill, stroke, marks string }
	get := func(c GridCell) look {
		g := mxCell(c, 0, 0, mxMinCellW, mxMinCellH)
		r := g.Items[0].(*draw.Rect)
		l := look{fill: r.Fill, stroke: "/0"}
		for _, it := range g.Items[1:] {
			switch v := it.(type) {
			case *draw.Rect:
				l.stroke = fmt.Sprintf("%s/%g", v.Stroke, v.StrokeW)
			case *draw.Text:
				l.marks += v.S
			case *draw.Line:
				l.marks += "check"
			}
		}
		return l
	}
	for _, tc := range []struct {
		cell GridCell
		want look
	}{
		{GridCell{Look: LookReached}, look{"#009E73", "/0", "check"}},
		{GridCell{Look: LookTimeout}, look{"#D9D9D9", "/0", "○"}},
		{GridCell{Look: LookUnreachable}, look{"#A6D4F2", "/0", "×"}},
		{GridCell{Look: LookNotMeasured}, look{"#FFFFFF", "#8C8C8C/1", "–"}},
		{GridCell{Look: LookFailed}, look{"#E69F00", "/0", "?"}},
		{GridCell{Look: "something new"}, look{"#E69F00", "/0", "?"}},
		{GridCell{Look: LookReached, Unexpected: true}, look{"#D7191C", "#000000/2.5", "!check"}},
		{GridCell{Look: LookTimeout, Unexpected: true}, look{"#D7191C", "#000000/2.5", "!○"}},
		{GridCell{Look: LookUnreachable, Unexpected: true}, look{"#D7191C", "#000000/2.5", "!×"}},
	} {
		if got := get(tc.cell); got != tc.want {
			t.Errorf("%+v drawn %+v, want %+v", tc.cell, got, tc.want)
		}
	}
	// No two looks alike in colour, nor in mark.
	fills, marks := map[string]Look{}, map[string]Look{}
	for _, l := range mxLegendOrder {
		st := mxStyles[l]
		if o, dup := fills[st.fill]; dup {
			t.Errorf("%s and %s share the fill %s", l, o, st.fill)
		}
		if o, dup := marks[st.mark]; dup {
			t.Errorf("%s and %s share the mark %s", l, o, st.mark)
		}
		fills[st.fill], marks[st.mark] = l, l
		if st.mark != "check" && draw.TextWidth(st.mark, mxFont, true) == draw.TextWidth("\uFFFF", mxFont, true) {
			t.Errorf("%s's mark %q is not in the embedded font", l, st.mark)
		}
	}
}

// TestGridLegend: the legend lists exactly the looks drawn, contradictions
// first, and the caption counts them.
func TestGridLegend(t *testing.T) {
	legend := func(s *draw.Scene) (out []string) {
		s.Walk(func(it draw.Item) {
			if g, ok := it.(*draw.Group); ok && g.Class == "legend-item" {
				sw := g.Items[0].(*draw.Group)
				out = append(out, sw.Data["outcome"]+"/"+sw.Data["measured"])
			}
		})
		return out
	}
	caption := func(s *draw.Scene) string {
		for _, tx := range sceneTexts(s) {
			if tx.Class == "caption" {
				return tx.S
			}
		}
		return ""
	}
	for _, tc := range []struct {
		name    string
		g       *Grid
		legend  []string
		caption string
	}{
		{"every look", smallGrid(),
			[]string{"unexpected/reached", "unexpected/timeout", "reached/reached", "timeout/timeout", "unreachable/unreachable", "not-measured/not-measured", "failed/failed"},
			"6 clients × 3 target addresses on 2 networks: 17 pairs · 3 UNEXPECTED · 7 reached · 4 blocked (no reply) · 1 blocked (ICMP unreachable) · 1 not measured · 1 could not run"},
		{"all reached", &Grid{Title: "t", Rows: []GridRow{{Name: "a", Networks: []string{"n"}}}, Cols: []GridCol{{Name: "a", Addr: "10.0.0.2", Network: "n"}}, Cells: [][]GridCell{{{Look: LookReached}}}},
			[]string{"reached/reached"}, "1 clients × 1 target addresses on 1 networks: 1 pairs · 1 reached"},
		{"nothing", &Grid{Title: "t"}, nil, "0 clients × 0 target addresses on 0 networks: 0 pairs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := GridScene(tc.g)
			if got := legend(s); !slices.Equal(got, tc.legend) {
				t.Errorf("legend %q\nwant   %q", got, tc.legend)
			}
			if got := caption(s); got != tc.caption {
				t.Errorf("caption %q\nwant    %q", got, tc.caption)
			}
		})
	}
}

// TestGridOrder: rows and columns sit under their group's header, groups
// of one network first (natural order), then of several, then host and
// none; inside a group names in natural order; a separator between
// groups.
func TestGridOrder(t *testing.T) {
	s := GridScene(smallGrid())
	var rows, cols, rowHdr, colHdr []string
	var rowY, colX []float64
	seps := 0
	s.Walk(func(it draw.Item) {
		switch v := it.(type) {
		case *draw.Text:
			switch v.Class {
			case "row-label":
				rows, rowY = append(rows, v.S), append(rowY, v.Y)
			case "col-label":
				cols, colX = append(cols, v.S), append(colX, v.X)
			case "col-group":
				colHdr = append(colHdr, v.S)
			}
		case *draw.Group:
			switch v.Class {
			case "row-groups":
				for _, c := range v.Items {
					if tx, ok := c.(*draw.Text); ok {
						rowHdr = append(rowHdr, tx.S)
					}
				}
			case "separators":
				seps += len(v.Items)
			}
		}
	})
	if want := []string{"db", "web2", "web10", "api", "probe", "lonely"}; !slices.Equal(rows, want) {
		t.Errorf("rows %q, want %q", rows, want)
	}
	if want := []string{"back", "front", "back + front", "host", "none"}; !slices.Equal(rowHdr, want) {
		t.Errorf("row groups %q, want %q", rowHdr, want)
	}
	if want := []string{"db (10.2.0.2)", "web2 (10.1.0.2)", "web10 (10.1.0.10)"}; !slices.Equal(cols, want) {
		t.Errorf("columns %q, want %q", cols, want)
	}
	if want := []string{"back", "front"}; !slices.Equal(colHdr, want) {
		t.Errorf("column groups %q, want %q", colHdr, want)
	}
	if !slices.IsSorted(rowY) || !slices.IsSorted(colX) {
		t.Errorf("labels out of place: rows at %v, columns at %v", rowY, colX)
	}
	if seps != (5-1)+(2-1) {
		t.Errorf("%d separators, want one between each two groups of rows and of columns", seps)
	}
	// Every cell sits in its client's row and its target's column.
	for _, c := range cellGroups(s) {
		r := c.Items[0].(*draw.Rect)
		ri := slices.Index(rows, c.Data["client"])
		ci := slices.IndexFunc(cols, func(l string) bool { return strings.HasPrefix(l, c.Data["target"]+" (") })
		if ri < 0 || ci < 0 || math.Abs(r.Y+r.H/2-(rowY[ri]-mxBaseline)) > 0.5 || math.Abs(r.X+r.W/2-(colX[ci]-mxBaseline)) > 0.5 {
			t.Errorf("cell %v at %g,%g is not in its row and column", c.Data, r.X, r.Y)
		}
	}
}

// TestGridLabels: labels are drawn whole up to 44 characters; a longer one
// is shortened with … in the middle (the address kept whole, the network
// first) and carries the full text as its tooltip; column labels are turned
// −90°.
func TestGridLabels(t *testing.T) {
	s := GridScene(longGrid())
	long := "a-container-name-that-goes-on-and-on-for-ever-and-ever-1"
	found := map[string]bool{}
	for _, tx := range sceneTexts(s) {
		switch tx.Class {
		case "row-label", "col-label", "row-group", "col-group":
			n := len([]rune(tx.S))
			full := tx.Tip
			if full == "" {
				full = tx.S
			}
			found[full] = true
			if n > mxMaxLabel {
				t.Errorf("label %q is %d characters", tx.S, n)
			}
			// A column's drawn label leaves out the network its header
			// names; anything else shorter than its tooltip is shortened.
			if full != tx.S && !strings.Contains(tx.S, "…") && !(tx.Class == "col-label" && strings.HasPrefix(full, tx.S+" @ ")) {
				t.Errorf("label %q shortened without …", tx.S)
			}
			if tx.Class == "col-label" && tx.Rotate != -90 {
				t.Errorf("column label %q turned %g°", tx.S, tx.Rotate)
			}
			if strings.HasPrefix(full, long+" (") && (!strings.HasSuffix(tx.S, "-ever-1 (10.9.0.2)") || !strings.HasPrefix(tx.S, "a-cont") || !strings.Contains(tx.S, "…")) {
				t.Errorf("column label %q lost the address, or the start or end of the name", tx.S)
			}
			if full == long && !strings.HasSuffix(tx.S, "ever-1") {
				t.Errorf("row label %q lost the end of the name", tx.S)
			}
		}
	}
	for _, want := range []string{long, "x", long + " (10.9.0.2) @ a-network-with-a-very-long-name-too", "x (10.8.0.2) @ n", "a-network-with-a-very-long-name-too + n"} {
		if !found[want] {
			t.Errorf("no label or tooltip reads %q", want)
		}
	}
}

// TestGridReadableAtScale: up to 50 containers, the whole picture scaled
// to fit a 1920×1080 screen keeps every text at least 10 px high.
func TestGridReadableAtScale(t *testing.T) {
	for _, n := range []int{5, 20, 30, 40, 50} {
		s := GridScene(synthGrid(n))
		minSize := math.Inf(1)
		for _, tx := range sceneTexts(s) {
			minSize = min(minSize, tx.Size)
		}
		fit := mxFitScale(s.W, s.H)
		t.Logf("%d containers: %d×%d columns, %gx%g px, fit ×%.3f, smallest text %.1f px on screen", n, len(synthGrid(n).Rows), len(synthGrid(n).Cols), s.W, s.H, fit, minSize*fit)
		if minSize*fit < mxMinText {
			t.Errorf("%d containers: smallest text %.2f px at fit to 1920×1080, want ≥ %g", n, minSize*fit, mxMinText)
		}
	}
}

// TestGridGolden pins the small picture's SVG.
func TestGridGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderGrid(context.Background(), &buf, smallGrid(), render.FormatSVG); err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, filepath.Join("testdata", "TestGridGolden", "small.svg.golden"), buf.Bytes())
}

// TestRenderGrid: the matrix is SVG (well-formed, cells with tooltips and
// data) or PNG of the picture's size, nothing else.
func TestRenderGrid(t *testing.T) {
	ctx := context.Background()
	g := smallGrid()
	var svg bytes.Buffer
	if err := RenderGrid(ctx, &svg, g, render.FormatSVG); err != nil {
		t.Fatal(err)
	}
	// The texts, as a reader of the SVG gets them (the XML must parse).
	var text strings.Builder
	for d := xml.NewDecoder(bytes.NewReader(svg.Bytes())); ; {
		tok, err := d.Token()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("SVG: %v", err)
		}
		if cd, ok := tok.(xml.CharData); ok {
			text.Write(cd)
		}
	}
	if !bytes.Contains(svg.Bytes(), []byte("<title>web10 (10.1.0.10) @ front</title>web10 (10.1.0.10)</text>")) {
		t.Errorf("SVG lacks the column label web10 (10.1.0.10) with its full label as tooltip")
	}
	for _, want := range []string{"reach on vm", "Legend", "!"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	dec := xml.NewDecoder(bytes.NewReader(svg.Bytes()))
	cells, unexpected := 0, 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "g" {
			attrs := map[string]string{}
			for _, a := range se.Attr {
				attrs[a.Name.Local] = a.Value
			}
			if slices.Contains(strings.Fields(attrs["class"]), "cell") {
				cells++
				if attrs["data-outcome"] == "unexpected" {
					unexpected++
				}
			}
		}
	}
	if cells != 17 || unexpected != 3 {
		t.Errorf("SVG has %d cells (%d unexpected), want 17 (3)", cells, unexpected)
	}
	if !strings.Contains(svg.String(), "<title>web10 → db: isolated bridges</title>") {
		t.Error("a cell's tooltip is missing")
	}
	var pngBuf bytes.Buffer
	if err := RenderGrid(ctx, &pngBuf, g, render.FormatPNG); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&pngBuf)
	if err != nil {
		t.Fatal(err)
	}
	s := GridScene(g)
	if b := img.Bounds(); b.Dx() != int(s.W) || b.Dy() != int(s.H) {
		t.Errorf("PNG is %v, the picture %gx%g", b, s.W, s.H)
	}
	for _, f := range []render.Format{render.FormatDOT, render.FormatJSON, render.FormatHTML} {
		if err := RenderGrid(ctx, &svg, g, f); err == nil || !strings.Contains(err.Error(), "svg or png") {
			t.Errorf("%s: %v, want an error naming svg and png", f, err)
		}
	}
}
