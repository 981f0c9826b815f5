package render

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/netviz/netviz/internal/graph"
)

// Overlay is a measurement drawn over the topology: the path each probe took
// (green when it got through, red when it did not) and each DNS answer as an
// edge from the name to the container that answered.
type Overlay struct {
	Title   string
	Paths   []OverlayPath
	Answers []OverlayAnswer
	// Highlight lists node IDs to emphasise (what a simulation step added).
	Highlight []string
}

// OverlayPath is a sequence of model interface IDs a probe crossed or was
// meant to cross.
type OverlayPath struct {
	Interfaces []graph.InterfaceID
	OK         bool
	Label      string
}

// OverlayAnswer is one DNS answer: Name resolved to Addr of Container.
type OverlayAnswer struct {
	Name      string
	Container graph.ContainerID
	Addr      string
	OK        bool // the address answered a ping
}

const (
	okColor  = "#1B9E3E"
	badColor = "#D62728"
)

// RenderOverlay writes m with ov drawn over it, in any graph format (text
// and JSON ignore the overlay: they carry the model).
func RenderOverlay(ctx context.Context, w io.Writer, m *graph.Model, f Format, ov *Overlay) error {
	m = m.Sorted()
	switch f {
	case FormatDOT, FormatSVG, FormatPNG, FormatHTML:
	default:
		return Render(ctx, w, m, f)
	}
	d := newDotWriter(m)
	d.overlay = ov
	d.write()
	if f == FormatDOT {
		_, err := io.WriteString(w, d.b.String())
		return err
	}
	if f == FormatHTML {
		var svg bytes.Buffer
		if err := layoutDOT(ctx, &svg, []byte(d.b.String()), FormatSVG); err != nil {
			return err
		}
		return htmlPage(w, m, svg.String())
	}
	return layoutDOT(ctx, w, []byte(d.b.String()), f)
}

// drawOverlay adds the overlay's edges after the topology's own.
func (d *dotWriter) drawOverlay() {
	ov := d.overlay
	if ov == nil {
		return
	}
	for _, p := range ov.Paths {
		color := okColor
		if !p.OK {
			color = badColor
		}
		for i := 0; i+1 < len(p.Interfaces); i++ {
			a, b := d.ref(p.Interfaces[i]), d.ref(p.Interfaces[i+1])
			if a == "" || b == "" || a == b {
				continue
			}
			label := ""
			if i == 0 {
				label = p.Label
			}
			d.p("  %s -> %s [color=%q, penwidth=3.5, dir=forward, constraint=false, label=%q, fontcolor=%q];\n", a, b, color+"CC", label, color)
		}
	}
	names := map[string]bool{}
	for _, a := range ov.Answers {
		node := q("answer:" + a.Name)
		if !names[a.Name] {
			names[a.Name] = true
			d.p("  %s [label=<%s<br/>%s>, shape=note, fillcolor=\"#FFFFE0\", color=%q, penwidth=2];\n", node, bold(a.Name), small("probed name", 8, "#555555"), okColor)
		}
		target := d.ctrRef[a.Container]
		if target == "" {
			continue
		}
		color := okColor
		if !a.OK {
			color = badColor
		}
		d.p("  %s -> %s [color=%q, style=bold, dir=forward, label=%q, fontcolor=%q];\n", node, target, color, a.Addr, color)
	}
	for _, id := range ov.Highlight {
		// Re-stating a node merges attributes without moving it.
		if r := d.ref(graph.InterfaceID(id)); r != "" && !strings.Contains(r, ":i") {
			d.p("  %s [penwidth=3.5, color=%q];\n", r, okColor)
		} else if r := d.ctrRef[graph.ContainerID(id)]; r != "" && !strings.HasPrefix(r, "\"ns:") {
			d.p("  %s [penwidth=3.5, color=%q];\n", r, okColor)
		}
	}
	if ov.Title != "" {
		d.p("  overlay_title [shape=plain, style=\"\", label=<%s>];\n", bold(ov.Title))
	}
}

// Grid is a table drawn as a picture: the reachability matrix.
type Grid struct {
	Title string
	Rows  []string
	Cols  []string
	// Cells[r][c] for row r, column c.
	Cells [][]GridCell
	// Legend lines under the table.
	Legend []GridCell
}

// GridCell is one coloured cell with a short text and a tooltip.
type GridCell struct {
	Text    string
	Color   string
	Tooltip string
}

// GridDOT writes a grid as DOT: one node holding an HTML table.
func GridDOT(w io.Writer, g *Grid) error {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph grid {\n  graph [pad=0.3, fontname=%q];\n  node [fontname=%q, fontsize=9];\n", fontName, fontName)
	b.WriteString("  grid [shape=plain, label=<<table border=\"0\" cellspacing=\"1\" cellpadding=\"3\">")
	fmt.Fprintf(&b, `<tr><td colspan="%d" align="left">%s</td></tr>`, len(g.Cols)+1, bold(g.Title))
	b.WriteString("<tr><td></td>")
	for _, c := range g.Cols {
		fmt.Fprintf(&b, `<td bgcolor="#EEEEEE"><font point-size="8">%s</font></td>`, esc(c))
	}
	b.WriteString("</tr>")
	for r, row := range g.Rows {
		fmt.Fprintf(&b, `<tr><td align="right" bgcolor="#EEEEEE">%s</td>`, esc(row))
		for _, cell := range g.Cells[r] {
			fmt.Fprintf(&b, `<td bgcolor="%s" tooltip="%s"><font color="white"><b>%s</b></font></td>`, cell.Color, esc(cell.Tooltip), esc(cell.Text))
		}
		b.WriteString("</tr>")
	}
	for _, l := range g.Legend {
		fmt.Fprintf(&b, `<tr><td bgcolor="%s"><font color="white"><b>%s</b></font></td><td colspan="%d" align="left">%s</td></tr>`, l.Color, esc(l.Text), max(1, len(g.Cols)), esc(l.Tooltip))
	}
	b.WriteString("</table>>];\n}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// RenderGrid writes a grid as DOT, SVG or PNG.
func RenderGrid(ctx context.Context, w io.Writer, g *Grid, f Format) error {
	var dot bytes.Buffer
	if err := GridDOT(&dot, g); err != nil {
		return err
	}
	switch f {
	case FormatDOT:
		_, err := w.Write(dot.Bytes())
		return err
	case FormatSVG, FormatPNG:
		return layoutDOT(ctx, w, dot.Bytes(), f)
	}
	return fmt.Errorf("a matrix picture is svg, png or dot, not %s", f)
}
