// Package testkit holds what netviz's tests share: the golden-file check
// with its -update flag, the seed model every consumer of graph.Model is
// tested against, a connection forwarder that can cut its connections, and
// a line diff for failure messages. Only tests import it.
package testkit

import (
	"bytes"
	_ "embed"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/netviz/netviz/internal/graph"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/ instead of comparing with them")

// Updating reports whether the tests run with -update.
func Updating() bool { return *update }

// Golden compares got with the golden file at path. With -update it writes
// got there first (making the directory), so a reviewed diff is the way a
// golden changes.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s; run go test -update in its package and review the diff", path)
	}
}

// SeedModelFile is where the seed model lives, relative to this package; the
// discover package's TestBuildGolden writes it from the seed snapshots.
const SeedModelFile = "testdata/seed.model.json"

//go:embed testdata/seed.model.json
var seedModel []byte

// SeedModel is the seed scenarios as live discovery models them (default
// bridge with --link and -p, a user bridge with --net-alias alicek106, host,
// none, container:, a macvlan on a veth parent, a stopped container), a
// fresh copy on every call.
func SeedModel(t testing.TB) *graph.Model {
	t.Helper()
	m, err := graph.ReadJSON(bytes.NewReader(seedModel))
	if err != nil {
		t.Fatalf("seed model: %v", err)
	}
	return m
}
