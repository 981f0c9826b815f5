package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/dockertest"
)

// TestLiveGraph runs `netviz graph` end to end on a real engine: every output
// format is written whole, --network narrows the picture, and an unknown
// network is a usage error that names the networks that exist.
func TestLiveGraph(t *testing.T) {
	env := dockertest.Require(t)
	net := env.Network("mybridge", client.NetworkCreateOptions{Driver: "bridge"})
	a := env.Run("alias1", dockertest.Spec{Network: net, Aliases: []string{"alicek106"}})
	b := env.Run("alias2", dockertest.Spec{Network: net, Aliases: []string{"alicek106"}})
	other := env.Run("elsewhere", dockertest.Spec{})

	dir := t.TempDir()
	for _, ext := range []string{"svg", "png", "dot", "json", "mmd", "html"} {
		out := filepath.Join(dir, "net."+ext)
		code, _, stderr := runCLI(t, nil, "graph", "-o", out)
		if code != exitOK {
			t.Fatalf("graph -o net.%s: exit %d: %s", ext, code, stderr)
		}
		data, err := os.ReadFile(out)
		if err != nil || len(data) < 500 {
			t.Fatalf("net.%s: %d bytes, %v", ext, len(data), err)
		}
		// Graphviz writes "-" as &#45; in SVG text.
		data = bytes.ReplaceAll(data, []byte("&#45;"), []byte("-"))
		if ext != "png" && !bytes.Contains(data, []byte(a)) {
			t.Errorf("net.%s does not show %s", ext, a)
		}
	}

	code, stdout, stderr := runCLI(t, nil, "graph", "--network", net)
	if code != exitOK {
		t.Fatalf("graph --network: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, a) || !strings.Contains(stdout, b) || strings.Contains(stdout, other) {
		t.Errorf("--network %s shows the wrong containers:\n%s", net, stdout)
	}
	if !strings.Contains(stdout, "alicek106 on "+net) {
		t.Errorf("text summary lacks the alias group:\n%s", stdout)
	}

	code, _, stderr = runCLI(t, nil, "graph", "--network", "no-such-net", "-o", filepath.Join(dir, "x.svg"))
	if code != exitUsage || !strings.Contains(stderr, `no network named "no-such-net"`) || !strings.Contains(stderr, net) {
		t.Errorf("unknown network: exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.svg")); !os.IsNotExist(err) {
		t.Error("a failed run left an output file")
	}
}
