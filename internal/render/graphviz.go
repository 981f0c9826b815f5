package render

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/goccy/go-graphviz"

	"github.com/netviz/netviz/internal/graph"
)

// Graphviz lays m out with Graphviz's dot engine (compiled to WebAssembly, no
// cgo) and writes SVG or PNG.
//
// go-graphviz compiles its WebAssembly module when the program starts and
// caches the result under $TMPDIR/go-graphviz, so only the first run on a
// machine pays the full compile.
func Graphviz(ctx context.Context, w io.Writer, m *graph.Model, f Format) error {
	var dot bytes.Buffer
	if err := DOT(&dot, m); err != nil {
		return err
	}
	return layoutDOT(ctx, w, dot.Bytes(), f)
}

func layoutDOT(ctx context.Context, w io.Writer, dot []byte, f Format) error {
	var gf graphviz.Format
	switch f {
	case FormatSVG:
		gf = graphviz.SVG
	case FormatPNG:
		gf = graphviz.PNG
	default:
		return fmt.Errorf("graphviz cannot write %q", f)
	}
	gv, err := graphviz.New(ctx)
	if err != nil {
		return fmt.Errorf("start graphviz: %w", err)
	}
	defer gv.Close()
	g, err := graphviz.ParseBytes(dot)
	if err != nil {
		return fmt.Errorf("parse generated DOT: %w", err)
	}
	defer g.Close()
	// Render into memory first: a layout error must not leave half a file.
	var out bytes.Buffer
	if err := gv.Render(ctx, g, gf, &out); err != nil {
		return fmt.Errorf("graphviz %s: %w", f, err)
	}
	_, err = w.Write(out.Bytes())
	return err
}
