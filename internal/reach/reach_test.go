package reach

import (
	"net/netip"
	"testing"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/testkit"
)

func seed(t *testing.T) *graph.Index {
	t.Helper()
	m := testkit.SeedModel(t)
	// The seed has no member on the ICC-disabled network "quiet": add two.
	for _, name := range []string{"q1", "q2"} {
		ip := map[string]string{"q1": "172.20.0.2/16", "q2": "172.20.0.3/16"}[name]
		m.Namespaces = append(m.Namespaces, &graph.Namespace{ID: graph.NewNamespaceID(name)})
		m.Containers = append(m.Containers, &graph.Container{ID: graph.NewContainerID(name), Name: name, State: "running",
			NetworkMode: "quiet", Namespace: graph.NewNamespaceID(name), Endpoints: []graph.Endpoint{{Network: "net:quiet", IPv4: netip.MustParsePrefix(ip)}}})
	}
	m.Sort()
	return graph.NewIndex(m)
}

func target(t *testing.T, x *graph.Index, ctr, network string) Target {
	t.Helper()
	for _, tg := range Targets(x) {
		if tg.Container.Name == ctr && tg.Network.Name == network {
			return tg
		}
	}
	t.Fatalf("no target %s on %s", ctr, network)
	return Target{}
}

func TestExpect(t *testing.T) {
	x := seed(t)
	tests := []struct {
		client, target, network string
		reachable, local        bool
		reason                  string
	}{
		{"db", "web", "bridge", true, true, SameNetwork},
		{"alias1", "alias2", "mybridge", true, true, SameNetwork},
		{"sidecar", "web", "bridge", true, true, SameNamespace}, // container:web is web
		{"sidecar", "db", "bridge", true, true, SameNetwork},    // behaves as web
		{"alias1", "web", "bridge", false, true, IsolatedBridges},
		{"web", "alias1", "mybridge", false, true, IsolatedBridges},
		{"isolated", "web", "bridge", false, true, NoneMode},
		{"hostnet", "web", "bridge", true, true, HostMode},
		{"hostnet", "mac1", "my_macvlan", false, false, MacvlanHost},
		{"web", "mac1", "my_macvlan", false, false, MacvlanOther},
		{"mac1", "web", "bridge", false, false, MacvlanOther},
		{"q1", "q2", "quiet", false, true, ICCDisabled},
	}
	for _, tt := range tests {
		t.Run(tt.client+"→"+tt.target, func(t *testing.T) {
			c := x.Container(graph.NewContainerID(tt.client))
			got := Expect(x, c, target(t, x, tt.target, tt.network))
			if got.Reachable != tt.reachable || got.Reason != tt.reason || got.Local != tt.local {
				t.Errorf("got %+v, want reachable=%v local=%v reason=%s", got, tt.reachable, tt.local, tt.reason)
			}
			if got.Detail == "" {
				t.Error("no detail for a person")
			}
		})
	}
}

func TestTargetsAndClients(t *testing.T) {
	x := seed(t)
	var addrs []netip.Addr
	for _, tg := range Targets(x) {
		addrs = append(addrs, tg.Addr)
		if !tg.Container.Running() {
			t.Errorf("target %s is not running", tg.Container.Name)
		}
	}
	// alias1, alias2, db, mac1, q1, q2, web: every running IPv4 endpoint.
	if len(addrs) != 7 {
		t.Errorf("%d targets %v, want 7", len(addrs), addrs)
	}
	for _, c := range Clients(x) {
		if c.Name == "stopped" {
			t.Error("a stopped container cannot be a client")
		}
	}
	if n := len(Clients(x)); n != 10 {
		t.Errorf("%d clients, want the 10 running containers", n)
	}
}

// TestClassesAgreeWithPairs: the class computation must give, for every pair,
// exactly what Expect gives pair by pair.
func TestClassesAgreeWithPairs(t *testing.T) {
	x := seed(t)
	cm := PredictClasses(x)
	preds := cm.Expand(x)
	if len(preds) != cm.Pairs {
		t.Fatalf("%d predictions, matrix stands for %d pairs", len(preds), cm.Pairs)
	}
	byName := map[string]*graph.Container{}
	for _, c := range x.Model.Containers {
		byName[c.Name] = c
	}
	for _, p := range preds {
		got := Expect(x, byName[p.Client], target(t, x, p.Target, p.Network))
		if got != p.Expect {
			t.Errorf("%s → %s@%s: class says %+v, pair says %+v", p.Client, p.Target, p.Network, p.Expect, got)
		}
	}
	if len(cm.Classes) >= len(Clients(x)) {
		t.Errorf("%d classes for %d clients: nothing was grouped", len(cm.Classes), len(Clients(x)))
	}
}
