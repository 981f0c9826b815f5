package dockerrules

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"

	"github.com/netviz/netviz/internal/graph"
)

// TestServiceNames: on a swarm node a VIP service's name resolves to the
// service with its VIP, a dnsrr service's name and tasks.NAME of both to
// the node's running tasks; none on the ingress (where web has a VIP too); tasks of a service the
// model does not list still give tasks.NAME; Resolve answers them.
func TestServiceNames(t *testing.T) {
	m := graph.New(graph.SourceLive, "node1")
	m.Networks = []*graph.Network{
		{ID: "net:ov", Name: "ov", Driver: "overlay", Scope: "swarm", Overlay: &graph.Overlay{VNI: 4097, Attachable: true}},
		{ID: "net:ingress", Name: "ingress", Driver: "overlay", Scope: "swarm", Overlay: &graph.Overlay{VNI: 4096, Ingress: true}},
	}
	m.Services = []*graph.Service{
		{ID: "svc:web", Name: "web", EndpointMode: graph.EndpointVIP, Networks: []graph.NetworkID{"net:ov"},
			VIPs: []graph.ServiceVIP{{Network: "net:ov", Addr: netip.MustParsePrefix("10.0.1.2/24")}, {Network: "net:ingress", Addr: netip.MustParsePrefix("10.0.0.5/24")}}},
		{ID: "svc:rr", Name: "rr", EndpointMode: graph.EndpointDNSRR, Networks: []graph.NetworkID{"net:ov"}},
		{ID: "svc:idle", Name: "idle", EndpointMode: graph.EndpointDNSRR, Networks: []graph.NetworkID{"net:ov"}},
	}
	task := func(name, svc, state, ip string, slot int) {
		m.Containers = append(m.Containers, &graph.Container{ID: graph.NewContainerID(name), Name: name, State: state,
			Task:      &graph.Task{ID: name, Service: graph.NewServiceID(svc), Slot: slot, Node: "node1"},
			Endpoints: []graph.Endpoint{{Network: "net:ov", IPv4: netip.MustParsePrefix(ip)}}})
	}
	task("web.1.a", "web", "running", "10.0.1.3/24", 1)
	task("web.2.b", "web", "running", "10.0.1.4/24", 2)
	task("web.3.c", "web", "exited", "10.0.1.5/24", 3)
	task("rr.1.d", "rr", "running", "10.0.1.6/24", 1)
	task("ghost.1.e", "ghost", "running", "10.0.1.7/24", 1)
	m.Containers = append(m.Containers, &graph.Container{ID: "ctr:client", Name: "client", State: "running",
		Endpoints: []graph.Endpoint{{Network: "net:ov", IPv4: netip.MustParsePrefix("10.0.1.9/24")}}})
	DeriveNames(m)
	DeriveNames(m) // again: the same names, each once
	if err := graph.Validate(m); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	source := map[string]string{}
	for _, n := range m.Names {
		source[n.ID] = n.Source
		got[n.ID] = nil
	}
	for _, e := range m.Edges {
		if e.Kind == graph.EdgeResolvesTo {
			got[e.From] = append(got[e.From], e.To+"="+e.Label)
		}
	}
	for id := range got {
		slices.Sort(got[id])
	}
	want := map[string]struct {
		source  string
		answers []string
	}{
		"dns:net:ov/web":         {graph.NameServiceVIP, []string{"svc:web=10.0.1.2"}},
		"dns:net:ov/tasks.web":   {graph.NameTasks, []string{"ctr:web.1.a=10.0.1.3", "ctr:web.2.b=10.0.1.4"}},
		"dns:net:ov/rr":          {graph.NameTasks, []string{"ctr:rr.1.d=10.0.1.6"}},
		"dns:net:ov/tasks.rr":    {graph.NameTasks, []string{"ctr:rr.1.d=10.0.1.6"}},
		"dns:net:ov/idle":        {graph.NameTasks, nil},
		"dns:net:ov/tasks.idle":  {graph.NameTasks, nil},
		"dns:net:ov/tasks.ghost": {graph.NameTasks, []string{"ctr:ghost.1.e=10.0.1.7"}},
		// The containers' own names (rule dns.names).
		"dns:net:ov/web.1.a":   {graph.NameEmbeddedDNS, []string{"ctr:web.1.a=10.0.1.3"}},
		"dns:net:ov/web.2.b":   {graph.NameEmbeddedDNS, []string{"ctr:web.2.b=10.0.1.4"}},
		"dns:net:ov/rr.1.d":    {graph.NameEmbeddedDNS, []string{"ctr:rr.1.d=10.0.1.6"}},
		"dns:net:ov/ghost.1.e": {graph.NameEmbeddedDNS, []string{"ctr:ghost.1.e=10.0.1.7"}},
		"dns:net:ov/client":    {graph.NameEmbeddedDNS, []string{"ctr:client=10.0.1.9"}},
	}
	for id, w := range want {
		if _, ok := got[id]; !ok {
			t.Errorf("no name %s", id)
			continue
		}
		if source[id] != w.source || !slices.Equal(got[id], w.answers) {
			t.Errorf("%s: %s %v, want %s %v", id, source[id], got[id], w.source, w.answers)
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("unexpected name %s → %v", id, got[id])
		}
	}
	if n := len(m.Edges); n != len(dedupe(m.Edges)) {
		t.Errorf("%d edges, %d distinct", n, len(dedupe(m.Edges)))
	}
	x := graph.NewIndex(m)
	answers, via := Resolve(x, x.Container("ctr:client"), "web")
	if via != graph.NameServiceVIP || len(answers) != 1 || answers[0].To != "svc:web" || answers[0].Label != "10.0.1.2" || x.Service(graph.ServiceID(answers[0].To)) == nil {
		t.Errorf("Resolve(web) = %v via %s", answers, via)
	}
	if answers, via := Resolve(x, x.Container("ctr:client"), "tasks.web"); via != graph.NameTasks || len(answers) != 2 {
		t.Errorf("Resolve(tasks.web) = %v via %s", answers, via)
	}
}

func dedupe(es []graph.Edge) map[string]bool {
	out := map[string]bool{}
	for _, e := range es {
		out[fmt.Sprint(e)] = true
	}
	return out
}
