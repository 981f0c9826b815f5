package scenario

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseCompose(t *testing.T) {
	path := filepath.Join("testdata", "compose-seed", "compose.yaml")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc, err := ParseCompose(context.Background(), f, path)
	if err != nil {
		t.Fatal(err)
	}
	var nets, runs []string
	byName := map[string]*RunSpec{}
	for _, c := range sc.Commands {
		switch c.Verb {
		case VerbNetworkCreate:
			nets = append(nets, c.Network.Name)
		case VerbRun:
			runs = append(runs, c.Run.Name)
			byName[c.Run.Name] = c.Run
		}
	}
	if strings.Join(nets, ",") != "seed_custom,seed_default,seed_mybridge" {
		t.Errorf("networks %v", nets)
	}
	// wordpressdb before wordpress (depends_on) and before sidecar (service:).
	pos := map[string]int{}
	for i, r := range runs {
		pos[r] = i
	}
	if pos["seed-wordpressdb-1"] > pos["seed-wordpress-1"] || pos["seed-wordpressdb-1"] > pos["seed-sidecar-1"] {
		t.Errorf("order %v", runs)
	}
	if r := byName["seed-sidecar-1"]; r.Network != "container:seed-wordpressdb-1" {
		t.Errorf("sidecar %+v", r)
	}
	if r := byName["seed-pinned-1"]; r.IP != "172.72.0.10" || r.Network != "seed_custom" {
		t.Errorf("pinned %+v", r)
	}
	if r := byName["seed-alias1-1"]; strings.Join(r.Aliases, ",") != "alias1,alicek106" {
		t.Errorf("alias1 %+v", r)
	}
	if r := byName["seed-wordpress-1"]; r.Ports[0] != (PortSpec{HostPort: 15530, ContainerPort: 80, Proto: "tcp"}) {
		t.Errorf("wordpress ports %+v", r.Ports)
	}
}

func TestParseComposeErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"services: [", "compose.yaml:1:1: compose:"},
		{"services:\n  a:\n    image: x\n    depends_on: [b]\n", "undefined service"},
		{"services:\n  a:\n    image: x\n    links: [b]\n  b:\n    image: y\n    links: [a]\n", "cycle"},
	}
	for _, tt := range tests {
		_, err := ParseCompose(context.Background(), strings.NewReader(tt.src), "compose.yaml")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want %q", tt.src, err, tt.want)
		}
	}
}

// FuzzParseCompose: no compose file may panic the loader; errors carry the
// file's position.
func FuzzParseCompose(f *testing.F) {
	data, _ := os.ReadFile(filepath.Join("testdata", "compose-seed", "compose.yaml"))
	f.Add(string(data))
	f.Add("services:\n  a:\n    network_mode: service:a\n")
	f.Add("services:\n  a:\n    image: x\n    ports: ['1-2:3']\n")
	f.Fuzz(func(t *testing.T, src string) {
		_, err := ParseCompose(context.Background(), strings.NewReader(src), "c.yaml")
		if err != nil && !strings.HasPrefix(err.Error(), "c.yaml:") {
			t.Fatalf("error without a position: %v", err)
		}
	})
}
