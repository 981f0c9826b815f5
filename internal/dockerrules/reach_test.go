package dockerrules

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/graph"
)

// crossBridge is a client on network from and a target on network "other",
// on a host whose engine made chains.
func crossBridge(internal bool, gateway string, chains []string) (*graph.Index, *graph.Container, *graph.Container, *graph.Network) {
	from := &graph.Network{ID: graph.NewNetworkID("from"), Name: "from", Driver: "bridge", Internal: internal, ICC: true}
	other := &graph.Network{ID: graph.NewNetworkID("other"), Name: "other", Driver: "bridge", BridgeName: "br-other", ICC: true}
	ep := graph.Endpoint{Network: from.ID}
	if gateway != "" {
		ep.Gateway = netip.MustParseAddr(gateway)
	}
	client := &graph.Container{ID: "ctr:c", Name: "c", State: "running", NetworkMode: "from", Namespace: graph.NewNamespaceID("c"), Endpoints: []graph.Endpoint{ep}}
	target := &graph.Container{ID: "ctr:t", Name: "t", State: "running", NetworkMode: "other", Namespace: graph.NewNamespaceID("t"), Endpoints: []graph.Endpoint{{Network: other.ID}}}
	m := &graph.Model{Host: graph.Host{Chains: chains}, Networks: []*graph.Network{from, other}, Containers: []*graph.Container{client, target}}
	return graph.NewIndex(m), client, target, other
}

func TestExpectAcrossBridges(t *testing.T) {
	tests := []struct {
		name       string
		internal   bool
		gateway    string
		chains     []string
		reason     string
		detailPart string
	}{
		{"20.10: isolation chains", false, "172.18.0.1", []string{"DOCKER", "DOCKER-ISOLATION-STAGE-1", "DOCKER-ISOLATION-STAGE-2"}, IsolatedBridges, "DOCKER-ISOLATION-STAGE-1/2"},
		{"29 iptables: the DOCKER chain", false, "172.18.0.1", []string{"DOCKER", "DOCKER-FORWARD"}, IsolatedBridges, "the DOCKER chain drops what enters br-other"},
		{"29 nftables backend", false, "172.18.0.1", []string{NFTablesChains}, IsolatedBridges, "filter-forward-in__br-other"},
		{"ruleset unread", false, "172.18.0.1", nil, IsolatedBridges, "Docker isolates them"},
		{"--internal with a gateway (up to 24)", true, "172.18.0.1", nil, IsolatedBridges, "different bridges"},
		{"--internal without one (25 on)", true, "", nil, NoDefaultRoute, "no default route"},
		// A hand-written model without gateways is not judged by the rule.
		{"gateway unknown, not internal", false, "", nil, IsolatedBridges, "different bridges"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, c, target, on := crossBridge(tt.internal, tt.gateway, tt.chains)
			got := Expect(x, c, target, on)
			if got.Reachable || got.Reason != tt.reason || !strings.Contains(got.Detail, tt.detailPart) || !got.Local {
				t.Errorf("got %+v, want unreachable, local, %s, detail with %q", got, tt.reason, tt.detailPart)
			}
		})
	}
}
