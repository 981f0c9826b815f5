package sim

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/reach"
	"github.com/netviz/netviz/internal/scenario"
)

// bigScript is a generated scenario: nets user networks with /20 subnets
// (the default pools hold only 31 networks) and ctrs containers spread over
// them, every tenth one with an alias and every hundredth on two networks.
func bigScript(nets, ctrs int) string {
	var b strings.Builder
	for i := 0; i < nets; i++ {
		fmt.Fprintf(&b, "docker network create --subnet 10.%d.%d.0/20 net%d\n", i/16, (i%16)*16, i)
	}
	for i := 0; i < ctrs; i++ {
		fmt.Fprintf(&b, "docker run -d --name c%d --net net%d", i, i%nets)
		if i%10 == 0 {
			fmt.Fprintf(&b, " --net-alias group%d", i%nets)
		}
		b.WriteString(" img\n")
		if i%100 == 0 {
			fmt.Fprintf(&b, "docker network connect net%d c%d\n", (i+1)%nets, i)
		}
	}
	return b.String()
}

// BenchmarkParse10k measures parsing a 10,000-line script.
func BenchmarkParse10k(b *testing.B) {
	src := bigScript(100, 9900) // ~10,000 lines with the networks and connects
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := scenario.ParseShell(strings.NewReader(src), "big.sh"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSimulate10k simulates 10,000 containers on 100 networks, builds the
// model and predicts the reachability matrix by equivalence classes.
func BenchmarkSimulate10k(b *testing.B) {
	src := bigScript(100, 10000)
	sc, err := scenario.ParseShell(strings.NewReader(src), "big.sh")
	if err != nil {
		b.Fatal(err)
	}
	var pairs int
	for b.Loop() {
		e := New(Options{})
		if err := e.Apply(sc); err != nil {
			b.Fatal(err)
		}
		m := e.Model()
		cm := reach.PredictClasses(graph.NewIndex(m))
		pairs = cm.Pairs
	}
	b.ReportMetric(float64(pairs), "pairs")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heapMB")
}
