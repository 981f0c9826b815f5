package dockerrules

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/testkit"
)

func flatSwarm(t *testing.T, edit func(ms []*graph.Model)) *graph.Index {
	t.Helper()
	var ms []*graph.Model
	for i := 1; i <= 3; i++ {
		ms = append(ms, testkit.SwarmNode(i, 3, 2))
	}
	if edit != nil {
		edit(ms)
	}
	c, err := graph.NewCluster(ms...)
	if err != nil {
		t.Fatal(err)
	}
	f := graph.Flatten(c)
	if err := graph.Validate(f); err != nil {
		t.Fatal(err)
	}
	return graph.NewIndex(f)
}

// TestExpectAcrossNodes: on one overlay, containers of different nodes
// reach each other through the tunnel (unless the client's node has no
// FDB entry for the target); another node's local network is not
// reached, and not measured; a VIP needs IPVS on the client's node.
func TestExpectAcrossNodes(t *testing.T) {
	x := flatSwarm(t, nil)
	noEntry := flatSwarm(t, func(ms []*graph.Model) {
		for _, i := range ms[0].Interfaces {
			if i.VXLAN != nil {
				i.VXLAN.FDB = slices.DeleteFunc(i.VXLAN.FDB, func(e graph.FDBEntry) bool { return e.MAC == "02:42:0a:00:01:14" }) // web.3 on node2
			}
		}
	})
	appnet := graph.NewNetworkID("appnet")
	tests := []struct {
		name           string
		x              *graph.Index
		client, target string
		on             graph.NetworkID
		reach          bool
		reason         string
		local          bool
		detail         []string
	}{
		{"overlay across nodes", x, "web.1.task10", "web.3.task20", appnet, true, Overlay, true, []string{"overlay appnet", "VNI 4097", "node1 (VTEP 10.252.0.1)", "node2 (VTEP 10.252.0.2)"}},
		{"overlay on one node", x, "web.1.task10", "web.2.task11", appnet, true, SameNetwork, true, []string{"both on appnet"}},
		{"no FDB entry", noEntry, "web.1.task10", "web.3.task20", appnet, false, NoTunnelEntry, true, []string{"node1's vxlan0 has no FDB entry", "02:42:0a:00:01:14"}},
		{"other node's local network", x, "web.1.task10", "web.3.task20", "net:docker_gwbridge@node2", false, OtherNode, false, []string{"docker_gwbridge@node2 of node node2"}},
	}
	for _, tt := range tests {
		c, tg := tt.x.Container(graph.NewContainerID(tt.client)), tt.x.Container(graph.NewContainerID(tt.target))
		e := Expect(tt.x, c, tg, tt.x.Network(tt.on))
		if e.Reachable != tt.reach || e.Reason != tt.reason || e.Local != tt.local {
			t.Errorf("%s: %+v, want reachable=%v reason=%s local=%v", tt.name, e, tt.reach, tt.reason, tt.local)
		}
		for _, d := range tt.detail {
			if !strings.Contains(e.Detail, d) {
				t.Errorf("%s: detail %q lacks %q", tt.name, e.Detail, d)
			}
		}
	}
	svc := &graph.Service{ID: graph.NewServiceID("web"), Name: "web", EndpointMode: graph.EndpointVIP,
		VIPs: []graph.ServiceVIP{{Network: appnet, Addr: netip.MustParsePrefix("10.0.1.2/24")}}}
	client := x.Container("ctr:web.1.task10")
	withVIP := &graph.LoadBalancer{IPVS: "ok", Services: []graph.IPVSService{{VIP: netip.MustParseAddr("10.0.1.2"), Backends: []netip.Addr{netip.MustParseAddr("10.0.1.10")}}}}
	without := &graph.LoadBalancer{IPVS: "ok", Services: []graph.IPVSService{{VIP: netip.MustParseAddr("10.0.1.9")}}}
	for _, tt := range []struct {
		ipvs   string
		lb     *graph.LoadBalancer
		reach  bool
		reason string
	}{
		{"no IPVS in this kernel (/proc/net/ip_vs absent)", nil, false, NoIPVS},
		{"ok", nil, true, VIPBalanced},
		{"", nil, true, VIPBalanced},
		{"ok", withVIP, true, VIPBalanced},
		{"ok", without, false, NoIPVSService},
	} {
		e := ExpectVIP(x, client, svc, x.Network(appnet), tt.ipvs, tt.lb)
		if e.Reachable != tt.reach || e.Reason != tt.reason {
			t.Errorf("VIP with IPVS %q: %+v", tt.ipvs, e)
		}
		if tt.reason == NoIPVS && !strings.Contains(e.Detail, "never added web's VIP") {
			t.Errorf("VIP detail %q", e.Detail)
		}
	}
}

func TestMeshNotes(t *testing.T) {
	svcs := []*graph.Service{
		{Name: "web", Ports: []graph.ServicePort{{Proto: "tcp", TargetPort: 80, PublishedPort: 8081, Mode: "ingress"}}},
		{Name: "rr", Ports: []graph.ServicePort{{Proto: "tcp", TargetPort: 80, PublishedPort: 8080, Mode: "host"}}},
	}
	notes := MeshNotes(svcs, map[string]string{"node1": "no IPVS in this kernel", "node2": "ok"})
	if len(notes) != 1 || !strings.Contains(notes[0], "web publishes 8081/tcp through the ingress routing mesh") || !strings.Contains(notes[0], "node1: no IPVS") {
		t.Errorf("notes %q", notes)
	}
	if n := MeshNotes(svcs, map[string]string{"node1": "ok"}); n != nil {
		t.Errorf("with IPVS everywhere: %q", n)
	}
}
