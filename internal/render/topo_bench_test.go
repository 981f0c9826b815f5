package render

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/draw"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/scenario"
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

// BenchmarkPlanSteps250 plans the slideshow of a 255-command scenario
// (250 containers on 5 networks): every frame measured, one layout.
func BenchmarkPlanSteps250(b *testing.B) {
	var sb strings.Builder
	for n := 1; n <= 5; n++ {
		fmt.Fprintf(&sb, "docker network create net%d\n", n)
	}
	for i := 1; i <= 250; i++ {
		fmt.Fprintf(&sb, "docker run -d --name c%d --net net%d busybox\n", i, i%5+1)
	}
	sc, err := scenario.ParseShell(strings.NewReader(sb.String()), "x")
	if err != nil {
		b.Fatal(err)
	}
	e := sim.New(sim.Options{Hostname: "sim", EngineVersion: "29"})
	var models []*graph.Model
	if err := e.Steps(sc, func(st sim.Step) error { models = append(models, st.Model.Sorted()); return nil }); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		planTopology(models, DetailAuto)
	}
}

// BenchmarkMemoryUpdate100 is one live update of a 100-container host
// drawn with a Memory: a container comes or goes, the picture is laid
// out into the previous one's places (fresh layout included, to judge
// whether to keep them).
func BenchmarkMemoryUpdate100(b *testing.B) {
	with := simulate(b, "c100", manyContainers(100, 5), sim.NewestEngineVersion).Sorted()
	without := simulate(b, "c99", manyContainers(99, 5), sim.NewestEngineVersion).Sorted()
	var mem Memory
	mem.plan(context.Background(), without, DetailAuto)
	i := 0
	for b.Loop() {
		m := with
		if i%2 == 1 {
			m = without
		}
		i++
		mem.plan(context.Background(), m, DetailAuto)
	}
	b.ReportMetric(float64(mem.Reflows()), "reflows")
}
