package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/graph"
)

// TestTextIsClean: the text tree prints names from the model — container
// names, aliases, network names, warnings — escaped, never raw to the
// terminal.
func TestTextIsClean(t *testing.T) {
	const evil = "\x1b[2J\x1b]0;pwned\x07\u202e"
	m := graph.New(graph.SourceSim, "host"+evil)
	m.Host.Engine = "29.0" + evil
	m.Networks = []*graph.Network{{ID: graph.NewNetworkID("n" + evil), Name: "n" + evil, Driver: "bridge", ICC: true, BridgeName: "br" + evil}}
	m.Containers = []*graph.Container{{ID: graph.NewContainerID("web"), Name: "web", State: "exited", NetworkMode: "n" + evil,
		Endpoints: []graph.Endpoint{{Network: graph.NewNetworkID("n" + evil), Aliases: []string{"alias" + evil}, Links: []graph.Link{{Target: "db" + evil, Alias: "x" + evil}}}},
		Links:     []graph.Link{{Target: "db" + evil, Alias: "y" + evil}}}}
	m.Warnings = []string{"container gone" + evil}
	var b bytes.Buffer
	if err := Text(&b, m); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07\u202e") {
		t.Errorf("raw control characters: %q", out)
	}
	for _, want := range []string{`network n\x1b[2J\x1b]0;pwned\a\u202e [bridge]`, `aliases alias\x1b[2J`, `warning: container gone\x1b[2J`, `host host\x1b[2J`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
