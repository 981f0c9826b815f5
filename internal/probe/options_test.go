package probe

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netviz/netviz/internal/graph"
)

// TestMeasureRestricted: Clients and Targets keep a sweep to one
// container's row or column, and its cells agree with the full sweep's.
func TestMeasureRestricted(t *testing.T) {
	m := seedModel(t)
	x := graph.NewIndex(m)
	open := (&fakeTable{t: t, active: map[graph.NamespaceID]int{}, forgotten: map[graph.NamespaceID][]netip.Addr{}}).world(x)
	ping := PingOptions{Timeout: 50 * time.Millisecond}
	full := Measure(context.Background(), m, open, MeasureOptions{Ping: ping, Fixed: true})
	tests := []struct {
		name             string
		clients, targets []string
		keep             func(c Cell) bool
	}{
		{"a row: whom web reaches", []string{"web"}, nil, func(c Cell) bool { return c.Client == "web" }},
		{"a column: who reaches alias1", nil, []string{"alias1"}, func(c Cell) bool { return c.Target == "alias1" }},
		{"one pair", []string{"db"}, []string{"web"}, func(c Cell) bool { return c.Client == "db" && c.Target == "web" }},
		{"no such container: nothing", []string{"nobody"}, nil, func(Cell) bool { return false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Measure(context.Background(), m, open, MeasureOptions{Ping: ping, Fixed: true, Clients: tt.clients, Targets: tt.targets})
			want := slices.DeleteFunc(slices.Clone(full.Cells), func(c Cell) bool { return !tt.keep(c) })
			if len(want) == 0 && tt.name != "no such container: nothing" {
				t.Fatal("the full sweep has no such cells: the case tests nothing")
			}
			if len(got.Cells) != len(want) {
				t.Fatalf("%d cells, want %d: %+v", len(got.Cells), len(want), got.Cells)
			}
			for i, c := range got.Cells {
				w := want[i]
				if c.Client != w.Client || c.Target != w.Target || c.Addr != w.Addr || c.Expected != w.Expected || c.Measured.Outcome != w.Measured.Outcome {
					t.Errorf("cell %d: %s → %s %s %s (%s), want %s → %s %s %s (%s)", i, c.Client, c.Target, c.Addr, c.Measured.Outcome, c.Expected.Reason,
						w.Client, w.Target, w.Addr, w.Measured.Outcome, w.Expected.Reason)
				}
			}
		})
	}
}

// TestProbeProgress: each client says it resolves, pings, and is done, in
// that order.
func TestProbeProgress(t *testing.T) {
	m := seedModel(t)
	var asked []string
	var mu sync.Mutex
	stages := map[string][]string{}
	var texts []string
	_, err := Probe(context.Background(), m, "alicek106", fakeEnv(t, &asked), TargetOptions{Count: 2, Timeout: 50 * time.Millisecond,
		Progress: func(client, stage, text string) {
			mu.Lock()
			defer mu.Unlock()
			stages[client] = append(stages[client], stage)
			texts = append(texts, text)
		}})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(stages); got != "map[alias1:[resolving pinging done] alias2:[resolving pinging done]]" {
		t.Errorf("stages %s", got)
	}
	if all := strings.Join(texts, "\n"); !strings.Contains(all, `alias1: resolving "alicek106"`) || !strings.Contains(all, "alias2: pinging 3 answers") || !strings.Contains(all, "alias1: 3 answers, 3 pinged") {
		t.Errorf("texts:\n%s", all)
	}
}
