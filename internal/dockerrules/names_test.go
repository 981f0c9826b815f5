package dockerrules

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/netviz/netviz/internal/graph"
)

// namesModel is a host by hand: networks alpha, zeta, the internal aaa
// and the default bridge; svc is an alias on alpha, zeta and aaa.
func namesModel() *graph.Model {
	m := graph.New(graph.SourceSim, "h")
	for _, n := range []*graph.Network{
		{ID: "net:bridge", Name: "bridge", Driver: "bridge", Default: true},
		{ID: "net:alpha", Name: "alpha", Driver: "bridge"},
		{ID: "net:zeta", Name: "zeta", Driver: "bridge"},
		{ID: "net:aaa", Name: "aaa", Driver: "bridge", Internal: true},
		{ID: "net:host", Name: "host", Driver: "host"},
	} {
		m.Networks = append(m.Networks, n)
	}
	ctr := func(name string, eps ...graph.Endpoint) *graph.Container {
		c := &graph.Container{ID: graph.NewContainerID(name), Name: name, State: "running", Namespace: graph.NewNamespaceID(name), Endpoints: eps}
		m.Containers = append(m.Containers, c)
		return c
	}
	ep := func(net, ip string, aliases ...string) graph.Endpoint {
		return graph.Endpoint{Network: graph.NewNetworkID(net), IPv4: netip.MustParsePrefix(ip), Aliases: aliases}
	}
	ctr("on-alpha", ep("alpha", "172.18.0.2/16", "svc"))
	ctr("on-zeta", ep("zeta", "172.19.0.2/16", "svc"))
	ctr("on-aaa", ep("aaa", "172.20.0.2/16", "svc"))
	ctr("client", ep("zeta", "172.19.0.3/16"), ep("alpha", "172.18.0.3/16"))
	ctr("inner", ep("aaa", "172.20.0.3/16"), ep("zeta", "172.19.0.4/16"))
	l := ctr("linker", ep("zeta", "172.19.0.5/16"))
	l.Endpoints[0].Links = []graph.Link{{Target: "client", Alias: "svc"}}
	ctr("db", ep("bridge", "172.17.0.2/16"))
	web := ctr("web", ep("bridge", "172.17.0.3/16"))
	web.Links = []graph.Link{{Target: "db", Alias: "mysql"}}
	side := &graph.Container{ID: "ctr:side", Name: "side", State: "running", Namespace: "ns:client", SharesWith: "ctr:client"}
	m.Containers = append(m.Containers, side)
	ctr("stopped", ep("alpha", "172.18.0.9/16", "svc")).State = "exited"
	DeriveNames(m)
	return m
}

func TestResolve(t *testing.T) {
	x := graph.NewIndex(namesModel())
	tests := []struct {
		client, name string
		want         []string
		via          string
	}{
		// Rule dns.first-network: alpha sorts before zeta; only its answers.
		{"client", "svc", []string{"ctr:on-alpha"}, graph.NameEmbeddedDNS},
		// Internal networks come last (rule ep.join-order).
		{"inner", "svc", []string{"ctr:on-zeta"}, graph.NameEmbeddedDNS},
		// Rule dns.link-alias: the link beats zeta's own svc (on-zeta).
		{"linker", "svc", []string{"ctr:client"}, graph.NameEmbeddedDNS},
		// Rule dns.link-hosts: alias and target's name, through /etc/hosts.
		{"web", "mysql", []string{"ctr:db"}, graph.NameHosts},
		{"web", "db", []string{"ctr:db"}, graph.NameHosts},
		// Rule dns.embedded: nothing else on the default bridge.
		{"web", "svc", nil, ""},
		{"db", "web", nil, ""},
		// A container: member resolves as its owner.
		{"side", "svc", []string{"ctr:on-alpha"}, graph.NameEmbeddedDNS},
		{"client", "nope", nil, ""},
	}
	for _, tt := range tests {
		edges, via := Resolve(x, x.Container(graph.NewContainerID(tt.client)), tt.name)
		var got []string
		for _, e := range edges {
			got = append(got, e.To)
		}
		if !slices.Equal(got, tt.want) || via != tt.via {
			t.Errorf("%s resolves %s: %v via %q, want %v via %q", tt.client, tt.name, got, via, tt.want, tt.via)
		}
	}
	// The stopped member does not answer.
	edges, via := Resolve(x, x.Container("ctr:on-alpha"), "svc")
	if len(edges) != 1 || edges[0].Label != "172.18.0.2" || via != graph.NameEmbeddedDNS {
		t.Errorf("Resolve: %+v %s", edges, via)
	}
}

func TestJoinOrderAndEmbeddedDNS(t *testing.T) {
	keys := []JoinKey{{"zeta", false}, {"aaa", true}, {"alpha", false}, {"nb", false}}
	slices.SortStableFunc(keys, CompareJoinOrder)
	if want := []JoinKey{{"alpha", false}, {"nb", false}, {"zeta", false}, {"aaa", true}}; !slices.Equal(keys, want) {
		t.Errorf("join order %v", keys)
	}
	for n, want := range map[*graph.Network]bool{
		{Driver: "bridge", Default: true}: false, {Driver: "host"}: false, {Driver: "null"}: false,
		{Driver: "bridge"}: true, {Driver: "macvlan"}: true,
	} {
		if EmbeddedDNS(n) != want {
			t.Errorf("EmbeddedDNS(%+v) != %v", n, want)
		}
	}
}
