package probe

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/reach"
)

// fakeTable plays the kernel's neighbour table for Measure: a size, a
// limit and an overflow counter, and per namespace the entries a sweep
// removes. It checks the sweep's promise: an entry is removed only while no
// job measures from the namespace holding it.
type fakeTable struct {
	t         *testing.T
	mu        sync.Mutex
	entries   int
	limit     int
	overflows int
	// overflowEvery, when set, makes the overflow counter move on every
	// reading: every measurement looks tainted.
	overflowEvery bool
	active        map[graph.NamespaceID]int // namespace → open sockets
	forgotten     map[graph.NamespaceID][]netip.Addr
	baselines     []graph.NamespaceID
}

func (f *fakeTable) Usage() (NeighbourUsage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.overflowEvery {
		f.overflows++
	}
	return NeighbourUsage{Entries: f.entries, Limit: f.limit, Overflows: f.overflows}, nil
}

func (f *fakeTable) Baseline(nsID graph.NamespaceID, c *graph.Container) (NeighbourNamespace, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.baselines = append(f.baselines, nsID)
	return &fakeNeighNS{f: f, ns: nsID}, nil
}

type fakeNeighNS struct {
	f  *fakeTable
	ns graph.NamespaceID
}

func (n *fakeNeighNS) Forget(addrs []netip.Addr) (int, error) {
	n.f.mu.Lock()
	defer n.f.mu.Unlock()
	if n.f.active[n.ns] > 0 {
		n.f.t.Errorf("removed %v in %s while a job measured from it", addrs, n.ns)
	}
	n.f.forgotten[n.ns] = append(n.f.forgotten[n.ns], addrs...)
	return len(addrs), nil
}

func (n *fakeNeighNS) Close() error { return nil }

func (f *fakeTable) Exclusive(context.Context) (func(), error) { return func() {}, nil }

// world opens, for each client, a fake socket on which exactly the targets
// the model expects it to reach answer.
func (f *fakeTable) world(x *graph.Index) Opener {
	return func(c *graph.Container) (net.PacketConn, error) {
		alive := map[netip.Addr]bool{}
		for _, t := range reach.Targets(x) {
			if reach.Expect(x, c, t).Reachable {
				alive[t.Addr] = true
			}
		}
		f.mu.Lock()
		f.active[c.Namespace]++
		f.mu.Unlock()
		return &trackedConn{fakeConn: &fakeConn{alive: alive}, done: func() {
			f.mu.Lock()
			f.active[c.Namespace]--
			f.mu.Unlock()
		}}, nil
	}
}

type trackedConn struct {
	*fakeConn
	done func()
}

func (c *trackedConn) Close() error { c.done(); return nil }

func TestMeasureWithNeighbourTable(t *testing.T) {
	tests := []struct {
		name          string
		overflowEvery bool
		wantNotMeas   bool // the silent pairs end not measured
	}{
		{"room enough", false, false},
		{"the table overflows while every pair is measured", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := seedModel(t)
			x := graph.NewIndex(m)
			table := &fakeTable{t: t, entries: 100, limit: 1024, overflowEvery: tt.overflowEvery,
				active: map[graph.NamespaceID]int{}, forgotten: map[graph.NamespaceID][]netip.Addr{}}
			mat := Measure(context.Background(), m, table.world(x), MeasureOptions{
				Ping:       PingOptions{Timeout: 50 * time.Millisecond, Retries: 1},
				Neighbours: table,
			})
			c := mat.Counts()
			if c.Unexpected != 0 || c.Failed != 0 {
				t.Errorf("counts %+v", c)
			}
			for _, cell := range mat.Cells {
				silentPair := cell.Expected.Local && !cell.Expected.Reachable && cell.Expected.Reason != reach.NoneMode
				switch {
				case silentPair && tt.wantNotMeas:
					if cell.Measured.Outcome != NotMeasured || !strings.Contains(cell.Measured.Detail, "neighbour table was full (1024 entries") {
						t.Errorf("%s → %s: %s %q, want not measured because of the table", cell.Client, cell.Addr, cell.Measured.Outcome, cell.Measured.Detail)
					}
				case cell.Expected.Reachable && cell.Measured.Outcome != Reached:
					t.Errorf("%s → %s: %s, want reached", cell.Client, cell.Addr, cell.Measured.Outcome)
				}
			}
			// Every namespace was baselined once, and what the probes
			// created there was removed: web and db share the default
			// bridge, so each forgets the other and its gateway.
			slices.Sort(table.baselines)
			if got := fmt.Sprint(table.baselines); got != "[host ns:alias1 ns:alias2 ns:db ns:isolated ns:mac1 ns:web]" {
				t.Errorf("baselines taken in %s", got)
			}
			for ns, want := range map[graph.NamespaceID][]string{
				"ns:db":     {"172.17.0.3", "172.17.0.1"}, // web, the gateway
				"ns:web":    {"172.17.0.2", "172.17.0.1"}, // db, the gateway
				"ns:alias1": {"172.18.0.3", "172.18.0.1"},
				"host":      {"172.17.0.2", "172.17.0.3", "172.18.0.2"}, // the bridges' entries for the clients
			} {
				for _, a := range want {
					if !slices.Contains(table.forgotten[ns], netip.MustParseAddr(a)) {
						t.Errorf("%s: %s was never removed (removed: %v)", ns, a, table.forgotten[ns])
					}
				}
			}
		})
	}
}

func TestNeighbourBudget(t *testing.T) {
	table := &fakeTable{t: t, entries: 160, limit: 1024, active: map[graph.NamespaceID]int{}, forgotten: map[graph.NamespaceID][]netip.Addr{}}
	b, err := NewNeighbourBudget(table)
	if err != nil {
		t.Fatal(err)
	}
	if b.Room() != 1024-neighbourMargin-160 {
		t.Fatalf("room %d", b.Room())
	}
	ctx := context.Background()
	if err := b.Acquire(ctx, 500); err != nil {
		t.Fatal(err)
	}
	// 500 + 400 is past the room: it waits until the first is released.
	got := make(chan error, 1)
	go func() { got <- b.Acquire(ctx, 400) }()
	select {
	case err := <-got:
		t.Fatalf("second reservation granted at once (%v) with %d of %d reserved", err, 500, b.Room())
	case <-time.After(100 * time.Millisecond):
	}
	b.Release(500)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	// The table filling up from elsewhere also holds a reservation back.
	table.mu.Lock()
	table.entries = 900
	table.mu.Unlock()
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := b.Acquire(cctx, 100); err == nil {
		t.Error("granted 100 entries with 900 of 1024 in use and 400 reserved")
	}
	// A need larger than the whole room still runs, alone.
	b.Release(400)
	if err := b.Acquire(ctx, 5000); err != nil {
		t.Fatal(err)
	}
	b.Release(5000)
}

func TestJobNeed(t *testing.T) {
	a := netip.MustParseAddr
	on := &job{onLink: true, addrs: []netip.Addr{a("10.0.0.2"), a("10.0.0.3")}, sources: []netip.Addr{a("10.0.0.9")}}
	off := &job{addrs: []netip.Addr{a("10.1.0.2"), a("10.1.0.3")}, sources: []netip.Addr{a("10.0.0.9")}}
	if on.need() != 2*2+2+2 || off.need() != 2+2 {
		t.Errorf("need on-link %d, routed %d", on.need(), off.need())
	}
}
