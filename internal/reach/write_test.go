package reach

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/sim"
	"github.com/netviz/netviz/internal/testkit"
)

// simulated is the model `netviz sim --engine-version 29.0` builds.
func simulated(t *testing.T, sc *scenario.Scenario) *graph.Index {
	t.Helper()
	e := sim.New(sim.Options{Hostname: "sim", EngineVersion: "29.0"})
	if err := e.Apply(sc); err != nil {
		t.Fatal(err)
	}
	return graph.NewIndex(e.Model())
}

// TestWritePrediction pins `netviz sim --reach` (the goldens are what it
// printed before the printer moved here): pair by pair for the seed modes —
// reachable, blocked and leaving the host — and by client class for 60
// containers on one network (3,600 pairs, over MaxPairTable).
func TestWritePrediction(t *testing.T) {
	seedModes, err := scenario.ReadFile(context.Background(), filepath.Join("..", "scenario", "testdata", "seed-modes.sh"))
	if err != nil {
		t.Fatal(err)
	}
	big := "docker network create big\n"
	for i := 1; i <= 60; i++ {
		big += fmt.Sprintf("docker run -d --name c%d --net big busybox\n", i)
	}
	bigSc, err := scenario.ParseShell(strings.NewReader(big), "big.sh")
	if err != nil {
		t.Fatal(err)
	}
	for name, x := range map[string]*graph.Index{"seed-modes": simulated(t, seedModes), "big": simulated(t, bigSc)} {
		for _, asJSON := range []bool{false, true} {
			var b bytes.Buffer
			if err := WritePrediction(&b, x, asJSON); err != nil {
				t.Fatal(err)
			}
			ext := map[bool]string{false: "table", true: "json"}[asJSON]
			testkit.Golden(t, filepath.Join("testdata", "TestWritePrediction", name+"."+ext+".golden"), b.Bytes())
		}
	}
}

// TestWritePredictionEscapes: names a scenario chose reach the terminal
// escaped.
func TestWritePredictionEscapes(t *testing.T) {
	sc, err := scenario.ParseShell(strings.NewReader("docker network create 'n\x1b[2J'\ndocker run -d --name aa --net 'n\x1b[2J' img\n"), "s.sh")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WritePrediction(&b, simulated(t, sc), false); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(b.String(), 0x1b) || !strings.Contains(b.String(), `aa@n\x1b[2J`) {
		t.Errorf("names not escaped:\n%q", b.String())
	}
}
