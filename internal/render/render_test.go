package render

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/testkit"
)

// models are the golden inputs: the full seed host, one network of it, and a
// host with no engine at all.
func models(t *testing.T) map[string]*graph.Model {
	seed := testkit.SeedModel(t)
	sub, err := graph.Subset(testkit.SeedModel(t), []string{"mybridge"})
	if err != nil {
		t.Fatal(err)
	}
	bare := graph.New(graph.SourceLive, "lonely")
	bare.Interfaces = []*graph.Interface{{ID: "host/eth0", Namespace: "host", Name: "eth0", Kind: graph.KindPhysical, State: "up", Addrs: []netip.Prefix{netip.MustParsePrefix("192.0.2.9/24")}}}
	bare.Host.Uplink = "host/eth0"
	bare.Warn("cannot reach the Docker engine at unix:///var/run/docker.sock")
	return map[string]*graph.Model{"seed": seed, "mybridge": sub, "no-engine": bare}
}

func TestGolden(t *testing.T) {
	for name, m := range models(t) {
		for _, f := range []Format{FormatText, FormatDOT, FormatMermaid, FormatJSON} {
			t.Run(name+"."+string(f), func(t *testing.T) {
				var buf bytes.Buffer
				if err := Render(context.Background(), &buf, m, f); err != nil {
					t.Fatal(err)
				}
				testkit.Golden(t, filepath.Join("testdata", "TestGolden", name+"."+string(f)+".golden"), buf.Bytes())
			})
		}
	}
}

// TestDOTIsValidGraphviz runs the real dot binary, when installed, over the
// generated DOT: Graphviz silently drops nodes whose HTML labels it cannot
// parse, so only its own diagnostics catch a bad label.
func TestDOTIsValidGraphviz(t *testing.T) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("graphviz's dot is not installed; the SVG test still checks every node is drawn")
	}
	for name, m := range models(t) {
		var buf bytes.Buffer
		if err := DOT(&buf, m); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(dot, "-Tsvg", "-o", os.DevNull)
		cmd.Stdin = &buf
		out, err := cmd.CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("%s: dot says %s (%v)", name, out, err)
		}
	}
}

func TestSVG(t *testing.T) {
	m := testkit.SeedModel(t)
	var buf bytes.Buffer
	if err := Render(context.Background(), &buf, m, FormatSVG); err != nil {
		t.Fatal(err)
	}
	svg, err := svgText(buf.Bytes())
	if err != nil {
		t.Fatalf("SVG is not valid XML: %v", err)
	}
	// Every container, bridge, veth end and alias must be drawn: a label
	// Graphviz rejects makes its node vanish without an error.
	for _, c := range m.Containers {
		if !strings.Contains(svg, "\n"+c.Name+"\n") {
			t.Errorf("container %s not drawn", c.Name)
		}
	}
	for _, want := range []string{"docker0", "br-3f4d5e6f7a8b", "veth1a2b", "veth5e6f", "nvz-par0", "alicek106", "15530", "172.18.0.2/16", "legend"} {
		if !strings.Contains(svg, want) {
			t.Errorf("%s not drawn", want)
		}
	}
	if strings.Contains(svg, "fe80::1/64") {
		t.Error("link-local addresses should stay out of the picture")
	}
}

// svgText parses an SVG strictly and returns its text content, one text
// element per line (entities decoded: Graphviz writes "-" as &#45;).
func svgText(data []byte) (string, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var b strings.Builder
	b.WriteString("\n")
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return b.String(), nil
		} else if err != nil {
			return "", err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			inText = tok.Name.Local == "text"
		case xml.EndElement:
			if tok.Name.Local == "text" {
				b.WriteString("\n")
			}
			inText = false
		case xml.CharData:
			if inText {
				b.Write(tok)
			}
		}
	}
}

func TestPNGAndHTML(t *testing.T) {
	m := testkit.SeedModel(t)
	var png bytes.Buffer
	if err := Render(context.Background(), &png, m, FormatPNG); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png.Bytes(), []byte("\x89PNG\r\n\x1a\n")) || png.Len() < 10_000 {
		t.Errorf("not a PNG picture (%d bytes)", png.Len())
	}
	var page bytes.Buffer
	if err := Render(context.Background(), &page, m, FormatHTML); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<!DOCTYPE html>", "<svg", "alicek106", "netviz/v1"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("HTML page lacks %q", want)
		}
	}
	if strings.Contains(page.String(), "<script") {
		t.Error("the page must work offline without scripts")
	}
}

func TestFormatForPath(t *testing.T) {
	tests := []struct {
		path    string
		want    Format
		wantErr string
	}{
		{"net.svg", FormatSVG, ""},
		{"NET.PNG", FormatPNG, ""},
		{"x/y.dot", FormatDOT, ""},
		{"net.json", FormatJSON, ""},
		{"net.mmd", FormatMermaid, ""},
		{"net.html", FormatHTML, ""},
		{"net", "", "give it an extension"},
		{"net.pdf", "", `unknown extension ".pdf"`},
	}
	for _, tt := range tests {
		got, err := FormatForPath(tt.path)
		if got != tt.want || (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("FormatForPath(%q) = %q, %v; want %q, %q", tt.path, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, in := range []string{"svg", "PNG", "dot", "json", "mmd", "mermaid", "html", "text"} {
		if _, err := ParseFormat(in); err != nil {
			t.Errorf("ParseFormat(%q): %v", in, err)
		}
	}
	if _, err := ParseFormat("pdf"); err == nil || !strings.Contains(err.Error(), "svg, png") {
		t.Errorf("ParseFormat(pdf) = %v, want a list of formats", err)
	}
}

// TestRenderLeavesTheModelAlone: a renderer draws; it does not reorder what
// it is given (the model may be shared with a live view or a later diff).
func TestRenderLeavesTheModelAlone(t *testing.T) {
	for _, f := range []Format{FormatText, FormatJSON, FormatDOT, FormatMermaid} {
		m := testkit.SeedModel(t)
		slices.Reverse(m.Containers)
		slices.Reverse(m.Interfaces)
		slices.Reverse(m.Edges)
		for _, c := range m.Containers {
			slices.Reverse(c.Endpoints)
		}
		before, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := Render(context.Background(), io.Discard, m, f); err != nil {
			t.Fatal(err)
		}
		after, _ := json.Marshal(m)
		if !bytes.Equal(before, after) {
			t.Errorf("%s: Render reordered its model", f)
		}
	}
}
