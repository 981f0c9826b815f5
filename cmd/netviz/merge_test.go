package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/testkit"
)

// writeNodes writes each node of a 3-node swarm as graph --format json
// would, and returns the files.
func writeNodes(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	for i := 1; i <= 3; i++ {
		path := filepath.Join(dir, "node"+string(rune('0'+i))+".json")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := graph.WriteJSON(f, testkit.SwarmNode(i, 3, 2)); err != nil {
			t.Fatal(err)
		}
		f.Close()
		files = append(files, path)
	}
	return files
}

func TestMerge(t *testing.T) {
	dir := t.TempDir()
	files := writeNodes(t, dir)
	code, out, errOut := runCLI(t, nil, append([]string{"merge"}, files...)...)
	if code != 0 || !strings.Contains(out, "host node1 (manager) VTEP 10.252.0.1: 2 running containers") || !strings.Contains(out, "overlay appnet VNI 4097 on node1, node2, node3") {
		t.Errorf("merge: exit %d\n%s%s", code, out, errOut)
	}
	svg := filepath.Join(dir, "cluster.svg")
	if code, _, errOut := runCLI(t, nil, append([]string{"merge", "-o", svg}, files...)...); code != 0 || !strings.Contains(errOut, "3 hosts, 1 shared overlays") {
		t.Errorf("merge -o svg: exit %d: %s", code, errOut)
	}
	if data, err := os.ReadFile(svg); err != nil || !strings.Contains(string(data), `data-obj="tunnel:appnet"`) {
		t.Errorf("the cluster picture has no tunnel: %v", err)
	}
	// The cluster JSON reads back, and merges again with nothing new.
	js := filepath.Join(dir, "cluster.json")
	if code, _, errOut := runCLI(t, nil, append([]string{"merge", "-o", js}, files...)...); code != 0 {
		t.Fatalf("merge -o json: %s", errOut)
	}
	if c, err := graph.ReadClusterFile(js); err != nil || len(c.Hosts) != 3 {
		t.Errorf("cluster.json: %v", err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"one host twice", []string{"merge", files[0], js}, `host "node1" is in both`},
		{"missing file", []string{"merge", filepath.Join(dir, "nope.json")}, "nope.json"},
		{"not a model", []string{"merge", svg}, "decode cluster"},
		{"a format merge cannot draw", []string{"merge", "-o", filepath.Join(dir, "x.dot"), files[0]}, "merge draws svg, png, json or text"},
		{"no files", []string{"merge"}, "requires at least 1 arg"},
	}
	for _, tt := range tests {
		code, _, errOut := runCLI(t, nil, tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", tt.name, code, errOut, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.dot")); err == nil {
		t.Error("a refused merge left a file behind")
	}
}
