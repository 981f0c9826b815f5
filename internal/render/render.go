// Package render draws a graph.Model: a text tree for terminals, versioned
// JSON, Graphviz DOT, SVG and PNG (laid out by go-graphviz), Mermaid, and a
// self-contained HTML page, and the step-by-step slideshow of a simulation.
// Every renderer writes to an io.Writer and is deterministic for a given
// model; WriteSlideshow alone writes a directory of them.
package render

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/graph"
)

// Format is an output format.
type Format string

// Output formats.
const (
	FormatText    Format = "text"
	FormatJSON    Format = "json"
	FormatDOT     Format = "dot"
	FormatSVG     Format = "svg"
	FormatPNG     Format = "png"
	FormatMermaid Format = "mmd"
	FormatHTML    Format = "html"
)

// Formats lists every format, in the order help texts show them.
var Formats = []Format{FormatSVG, FormatPNG, FormatDOT, FormatJSON, FormatMermaid, FormatHTML, FormatText}

var extensions = map[string]Format{
	".svg": FormatSVG, ".png": FormatPNG, ".dot": FormatDOT, ".gv": FormatDOT,
	".json": FormatJSON, ".mmd": FormatMermaid, ".mermaid": FormatMermaid,
	".html": FormatHTML, ".htm": FormatHTML, ".txt": FormatText,
}

// ParseFormat accepts a format name (svg, png, dot, json, mmd, mermaid, html, text).
func ParseFormat(s string) (Format, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "mermaid" {
		return FormatMermaid, nil
	}
	if slices.Contains(Formats, Format(s)) {
		return Format(s), nil
	}
	return "", fmt.Errorf("unknown format %q; use one of %s", s, formatList())
}

// FormatForPath picks the format from a file name's extension.
func FormatForPath(path string) (Format, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if f, ok := extensions[ext]; ok {
		return f, nil
	}
	if ext == "" {
		return "", fmt.Errorf("cannot tell the format of %q: give it an extension (.svg .png .dot .json .mmd .html) or use --format", path)
	}
	return "", fmt.Errorf("unknown extension %q in %q; use .svg .png .dot .json .mmd .html or --format", ext, path)
}

func formatList() string {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// Binary reports whether the format's output is not text (so it should not be
// written to a terminal).
func (f Format) Binary() bool { return f == FormatPNG }

// NeedsGraphviz reports whether the format needs the Graphviz layout engine.
func (f Format) NeedsGraphviz() bool { return f == FormatSVG || f == FormatPNG || f == FormatHTML }

// Render writes m to w in format f, in the model's sorted order, without
// changing m.
func Render(ctx context.Context, w io.Writer, m *graph.Model, f Format) error {
	m = m.Sorted()
	switch f {
	case FormatText:
		return Text(w, m)
	case FormatJSON:
		return graph.WriteJSON(w, m)
	case FormatDOT:
		return DOT(w, m)
	case FormatMermaid:
		return Mermaid(w, m)
	case FormatSVG, FormatPNG, FormatHTML:
		return writeScene(ctx, w, Topology(m, Options{}), f, m)
	}
	return fmt.Errorf("unknown format %q", f)
}
