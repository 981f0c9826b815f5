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

// TestLiveProbeAndReachCLI runs `netviz probe` and `netviz reach` end to end
// with every output: table, pictures, pcap (mode 0600), and the errors.
func TestLiveProbeAndReachCLI(t *testing.T) {
	env := dockertest.Require(t)
	net := env.Network("mybridge", client.NetworkCreateOptions{Driver: "bridge"})
	env.Run("a1", dockertest.Spec{Network: net, Aliases: []string{"alicek106"}})
	env.Run("a2", dockertest.Spec{Network: net, Aliases: []string{"alicek106"}})
	pinger := env.Run("ping", dockertest.Spec{Network: net})
	dir := t.TempDir()

	pcap, svg := filepath.Join(dir, "p.pcap"), filepath.Join(dir, "probe.svg")
	code, stdout, stderr := runCLI(t, nil, "probe", "alicek106", "--from", pinger, "--pcap", pcap, "-o", svg)
	if code != exitOK {
		t.Fatalf("probe: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "first answer per query") || !strings.Contains(stdout, "path ") {
		t.Errorf("probe output:\n%s", stdout)
	}
	if fi, err := os.Stat(pcap); err != nil || fi.Mode().Perm() != 0o600 || fi.Size() < 100 {
		t.Errorf("pcap: %v %v", fi, err)
	}
	if data, err := os.ReadFile(svg); err != nil || !bytes.Contains(data, []byte("probe alicek106")) ||
		!bytes.Contains(data, []byte(`data-kind="hop"`)) || !bytes.Contains(data, []byte(`data-seen="request"`)) {
		t.Errorf("probe.svg lacks the title or the hops the capture saw: %v", err)
	}

	code, _, stderr = runCLI(t, nil, "probe", "no-such-"+env.Prefix, "-o", filepath.Join(dir, "x.svg"))
	if code != exitUsage || !strings.Contains(stderr, "no container resolves") || !strings.Contains(stderr, "alicek106") {
		t.Errorf("unknown name: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.svg")); !os.IsNotExist(err) {
		t.Error("a failed probe left an output file")
	}

	matrix := filepath.Join(dir, "matrix.svg")
	code, stdout, stderr = runCLI(t, nil, "reach", "--network", net, "-o", matrix, "--fail-on-unexpected")
	if code != exitOK {
		t.Fatalf("reach: exit %d: %s\n%s", code, stderr, stdout)
	}
	if !strings.Contains(stdout, "9 pairs") || !strings.Contains(stdout, "0 unexpected") {
		t.Errorf("reach output:\n%s", stdout)
	}
	if _, err := os.Stat(matrix); err != nil {
		t.Error(err)
	}
	code, _, stderr = runCLI(t, nil, "reach", "-o", filepath.Join(dir, "m.json"))
	if code != exitUsage || !strings.Contains(stderr, "drawn as .svg or .png") {
		t.Errorf("reach -o m.json: exit %d, %s", code, stderr)
	}
}
