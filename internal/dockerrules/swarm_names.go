package dockerrules

import (
	"maps"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/graph"
)

// deriveServiceNames adds the names the embedded DNS answers for swarm
// services on each of their networks (the ingress has no DNS): a VIP
// service's name resolves to the service itself, labelled with its virtual
// IP there (rule dns.swarm-service); a dnsrr service's name to every task's
// address on the network, as does tasks.NAME for any service (rule
// dns.swarm-tasks). One host's model holds its own tasks only: the names
// resolve to those, and a cluster joins the rest. Tasks of a service the
// model does not list (a worker's, when its records were not read) still
// give tasks.NAME.
func deriveServiceNames(m *graph.Model) {
	if len(m.Services) == 0 && !hasTasks(m) {
		return
	}
	x := graph.NewIndex(m)
	seen := map[string]bool{}
	for _, n := range m.Names {
		seen[n.ID] = true
	}
	seenEdge := map[graph.Edge]bool{}
	for _, e := range m.Edges {
		seenEdge[e] = true
	}
	name := func(scope graph.NetworkID, text, source string) string {
		id := graph.NewDNSNameID(graph.Scope(scope), text)
		if !seen[id] {
			seen[id] = true
			m.Names = append(m.Names, &graph.DNSName{ID: id, Name: text, Scope: graph.Scope(scope), Source: source})
		}
		return id
	}
	edge := func(from, to, label string) {
		e := graph.Edge{Kind: graph.EdgeResolvesTo, From: from, To: to, Label: label}
		if !seenEdge[e] {
			seenEdge[e] = true
			m.Edges = append(m.Edges, e)
		}
	}
	dns := func(id graph.NetworkID) bool {
		n := x.Network(id)
		return n != nil && EmbeddedDNS(n) && (n.Overlay == nil || !n.Overlay.Ingress)
	}
	// The running tasks of each service on each network, with their address.
	type task struct {
		ctr graph.ContainerID
		ip  string
	}
	tasks := map[graph.ServiceID]map[graph.NetworkID][]task{}
	var order []graph.ServiceID
	for _, c := range m.Containers {
		if c.Task == nil || !c.Running() {
			continue
		}
		if tasks[c.Task.Service] == nil {
			tasks[c.Task.Service] = map[graph.NetworkID][]task{}
			order = append(order, c.Task.Service)
		}
		for _, ep := range c.Endpoints {
			if ep.IPv4.IsValid() && dns(ep.Network) {
				tasks[c.Task.Service][ep.Network] = append(tasks[c.Task.Service][ep.Network], task{c.ID, ep.IPv4.Addr().String()})
			}
		}
	}
	listed := map[graph.ServiceID]bool{}
	for _, sv := range m.Services {
		listed[sv.ID] = true
		nets := append([]graph.NetworkID(nil), sv.Networks...)
		for _, v := range sv.VIPs {
			if !slices.Contains(nets, v.Network) {
				nets = append(nets, v.Network)
			}
		}
		for _, nid := range nets {
			if !dns(nid) {
				continue
			}
			local := tasks[sv.ID][nid]
			if sv.EndpointMode == graph.EndpointDNSRR {
				id := name(nid, sv.Name, graph.NameTasks)
				for _, t := range local {
					edge(id, string(t.ctr), t.ip)
				}
			} else {
				for _, v := range sv.VIPs {
					if v.Network == nid && v.Addr.IsValid() {
						edge(name(nid, sv.Name, graph.NameServiceVIP), string(sv.ID), v.Addr.Addr().String())
					}
				}
			}
			id := name(nid, "tasks."+sv.Name, graph.NameTasks)
			for _, t := range local {
				edge(id, string(t.ctr), t.ip)
			}
		}
	}
	for _, sid := range order {
		if listed[sid] {
			continue
		}
		for _, nid := range slices.Sorted(maps.Keys(tasks[sid])) {
			local := tasks[sid][nid]
			id := name(nid, "tasks."+strings.TrimPrefix(string(sid), "svc:"), graph.NameTasks)
			for _, t := range local {
				edge(id, string(t.ctr), t.ip)
			}
		}
	}
}

func hasTasks(m *graph.Model) bool {
	for _, c := range m.Containers {
		if c.Task != nil {
			return true
		}
	}
	return false
}
