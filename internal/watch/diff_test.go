package watch

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"

	"github.com/netviz/netviz/internal/graph"
)

// host is a small model: web on front through a veth pair, one port.
func host() *graph.Model {
	m := graph.New(graph.SourceLive, "vm")
	m.Namespaces = append(m.Namespaces, &graph.Namespace{ID: "ns:web", Inode: 7})
	m.Interfaces = []*graph.Interface{
		{ID: "host/br-1", Namespace: "host", Name: "br-1", Kind: graph.KindBridge, State: "up"},
		{ID: "host/br-2", Namespace: "host", Name: "br-2", Kind: graph.KindBridge, State: "up"},
		{ID: "host/veth1", Namespace: "host", Name: "veth1", Kind: graph.KindVeth, State: "up"},
		{ID: "ns:web/eth0", Namespace: "ns:web", Name: "eth0", Kind: graph.KindVeth, State: "up",
			Addrs: []netip.Prefix{netip.MustParsePrefix("172.18.0.2/16")}},
	}
	m.Networks = []*graph.Network{{ID: "net:front", Name: "front", Bridge: "host/br-1"}}
	m.Containers = []*graph.Container{{ID: "ctr:web", Name: "web", State: "running", Namespace: "ns:web",
		Endpoints: []graph.Endpoint{{Network: "net:front", Interface: "ns:web/eth0", IPv4: netip.MustParsePrefix("172.18.0.2/16")}}}}
	m.Ports = []*graph.Port{{ID: "port:0.0.0.0:8080/tcp->ctr:web", Container: "ctr:web", Proto: "tcp", HostPort: 8080, ContainerPort: 80}}
	m.AddEdge(graph.EdgeVethPeer, "host/veth1", "ns:web/eth0", "")
	m.AddEdge(graph.EdgeMaster, "host/veth1", "host/br-1", "")
	m.AddEdge(graph.EdgePortMap, "port:0.0.0.0:8080/tcp->ctr:web", "ctr:web", "80/tcp")
	m.AddEdge(graph.EdgeResolvesTo, "dns:net:front/web", "ctr:web", "172.18.0.2")
	return m
}

func TestChanged(t *testing.T) {
	tests := []struct {
		name   string
		change func(m *graph.Model)
		want   []string
	}{
		{"nothing", func(*graph.Model) {}, nil},
		{"a container paused: its state", func(m *graph.Model) { m.Containers[0].State = "paused" }, []string{"ctr:web"}},
		{"an address added", func(m *graph.Model) {
			m.Interfaces[3].Addrs = append(m.Interfaces[3].Addrs, netip.MustParsePrefix("fd00::2/64"))
		}, []string{"ns:web/eth0"}},
		{"a veth moved to another bridge: only an edge changes", func(m *graph.Model) {
			m.Edges = slices.DeleteFunc(m.Edges, func(e graph.Edge) bool { return e.Kind == graph.EdgeMaster })
			m.AddEdge(graph.EdgeMaster, "host/veth1", "host/br-2", "")
		}, []string{"host/br-1", "host/br-2", "host/veth1"}},
		{"a network removed", func(m *graph.Model) { m.Networks = nil }, []string{"net:front"}},
		{"a container removed with all it had, and its bridge a port", func(m *graph.Model) {
			m.Containers, m.Ports, m.Edges = nil, nil, nil
			m.Namespaces = m.Namespaces[:1]
			m.Interfaces = m.Interfaces[:2]
		}, []string{"ctr:web", "host/br-1", "host/veth1", "ns:web", "ns:web/eth0", "port:0.0.0.0:8080/tcp->ctr:web"}}, // the bridge lost a port
		{"a container added", func(m *graph.Model) {
			m.Containers = append(m.Containers, &graph.Container{ID: "ctr:db", Name: "db"})
		}, []string{"ctr:db"}},
		{"a DNS answer alone is not listed", func(m *graph.Model) {
			m.Edges = slices.DeleteFunc(m.Edges, func(e graph.Edge) bool { return e.Kind == graph.EdgeResolvesTo })
		}, nil},
		{"the same model in another order", func(m *graph.Model) {
			slices.Reverse(m.Interfaces)
			slices.Reverse(m.Edges)
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, cur := host(), host()
			tt.change(cur)
			if got := Changed(old, cur); !slices.Equal(got, tt.want) {
				t.Errorf("Changed = %v, want %v", got, tt.want)
			}
			if got := Changed(cur, old); !slices.Equal(got, tt.want) {
				t.Errorf("Changed backwards = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSettledWords(t *testing.T) {
	old, cur := host(), host()
	cur.Interfaces[0].State = "down"
	if got, want := settledWords(old, cur, Changed(old, cur)), []string{"interface host/br-1 is down"}; !slices.Equal(got, want) {
		t.Errorf("settledWords = %q, want %q", got, want)
	}
	cur = host()
	cur.Interfaces[1].MTU = 9000
	if got := settledWords(old, cur, Changed(old, cur)); len(got) != 1 || got[0] != "the kernel's link state settled" {
		t.Errorf("settledWords for a change of no state = %q", got)
	}
	cur = host()
	for i := range 20 {
		cur.Interfaces = append(cur.Interfaces, &graph.Interface{ID: graph.InterfaceID(fmt.Sprintf("host/v%02d", i)), State: "down"})
		old.Interfaces = append(old.Interfaces, &graph.Interface{ID: graph.InterfaceID(fmt.Sprintf("host/v%02d", i)), State: "up"})
	}
	got := settledWords(old, cur, Changed(old, cur))
	if len(got) != maxSettledWords+1 || got[maxSettledWords] != "… and 12 more interfaces" {
		t.Errorf("settledWords for 20 = %q", got)
	}
}
