package render

import (
	"io"
	"testing"

	"github.com/netviz/netviz/internal/draw"
	"github.com/netviz/netviz/internal/sim"
)

// BenchmarkTopology100 lays out and writes the 100-container, 5-network
// host: go test -bench Topology -run '^$' ./internal/render
func BenchmarkTopology100(b *testing.B) {
	m := simulate(b, "c100", manyContainers(100, 5), sim.NewestEngineVersion).Sorted()
	b.Run("layout", func(b *testing.B) {
		for b.Loop() {
			Topology(m, Options{})
		}
	})
	s := Topology(m, Options{})
	b.Run("svg", func(b *testing.B) {
		for b.Loop() {
			if err := draw.WriteSVG(io.Discard, s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("png", func(b *testing.B) {
		for b.Loop() {
			if err := draw.WritePNG(io.Discard, s, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
}
