package render

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/netviz/netviz/internal/draw"
	"github.com/netviz/netviz/internal/graph"
)

// Options tune a topology picture.
type Options struct {
	// Detail is full, compact or auto (the default).
	Detail Detail
	// Layout is netviz's own (the default) or Graphviz's dot, SVG only.
	Layout Layout
	// Memory, when set, keeps every object where the Memory's last
	// picture put it (a live view drawn again as the host changes);
	// netviz's own layout only.
	Memory *Memory
}

// Layout names the engine that places a topology picture.
type Layout string

// Layouts.
const (
	// LayoutNetviz is netviz's own: a frame per network with its
	// containers in a grid, sized to fit a 16:9 screen, measured with the
	// font the picture embeds; SVG, PNG and HTML agree.
	LayoutNetviz Layout = "netviz"
	// LayoutGraphviz hands the DOT to Graphviz's dot (WebAssembly): its
	// general-purpose layout, SVG only.
	LayoutGraphviz Layout = "graphviz"
)

// ParseLayout accepts netviz or graphviz.
func ParseLayout(s string) (Layout, error) {
	switch l := Layout(strings.ToLower(strings.TrimSpace(s))); l {
	case "", LayoutNetviz:
		return LayoutNetviz, nil
	case LayoutGraphviz:
		return l, nil
	}
	return "", fmt.Errorf("unknown layout %q; use netviz or graphviz", s)
}

// Topology lays out and draws m as a Scene.
func Topology(m *graph.Model, opt Options) *draw.Scene {
	return topology(context.Background(), m, opt)
}

func topology(ctx context.Context, m *graph.Model, opt Options) *draw.Scene {
	m = m.Sorted()
	var p *topoPlan
	if opt.Memory != nil {
		p = opt.Memory.plan(ctx, m, opt.Detail)
	} else {
		p = planContext(ctx, []*graph.Model{m}, opt.Detail)
	}
	return p.scene(m, frameOpts{})
}

// RenderWith writes m in format f like Render, with picture options.
func RenderWith(ctx context.Context, w io.Writer, m *graph.Model, f Format, opt Options) error {
	switch f {
	case FormatSVG, FormatPNG, FormatHTML:
		if opt.Layout == LayoutGraphviz {
			if f != FormatSVG {
				return fmt.Errorf("--layout graphviz writes svg only (its own PNG rasteriser drops the container tables); use the default layout for %s", f)
			}
			return Graphviz(ctx, w, m, f)
		}
		return writeScene(ctx, w, topology(ctx, m, opt), f, m)
	}
	return Render(ctx, w, m, f)
}

// writeScene writes a finished picture as SVG, PNG or an HTML page around
// the SVG (the model m gives the page its summary).
func writeScene(ctx context.Context, w io.Writer, s *draw.Scene, f Format, m *graph.Model) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch f {
	case FormatSVG:
		return draw.WriteSVG(w, s)
	case FormatPNG:
		return draw.WritePNGContext(ctx, w, s, 1)
	case FormatHTML:
		var b bytesBuffer
		if err := draw.WriteSVG(&b, s); err != nil {
			return err
		}
		return htmlPage(w, m.Sorted(), b.String())
	}
	return fmt.Errorf("a picture is svg, png or html, not %s", f)
}

type bytesBuffer = bytes.Buffer
