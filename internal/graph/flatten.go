package graph

import (
	"maps"
	"slices"
	"strings"
)

// Flatten is a cluster as one Model, for what works on one model — the
// reachability rules, the probe planner, a measurement that enters every
// namespace from one machine (the local multi-engine test bed). Each
// namespace carries its host in Node. What only one host has keeps its ID;
// what several hosts have — each host's own namespace, the overlay and
// load-balancer namespaces, docker_gwbridge and the other local networks,
// two containers of one name — is qualified with "@" and the node name
// (host@node2, host@node2/eth0, net:docker_gwbridge@node2). A swarm-scoped
// network on several hosts is one network (the first host's view, its
// per-host namespace, bridge and VXLAN device those of that host).
//
// The first host's namespace is the model's Host.Namespace. Containers in
// another host's own namespace (--net host there) are not in
// HostNamespaceID; rules that single out the host namespace do not apply
// to them.
func Flatten(c *Cluster) *Model {
	out := New(SourceLive, "cluster")
	out.Namespaces = nil
	out.Source = ""
	if len(c.Hosts) == 0 {
		return out
	}
	// What collides: namespace, container and network IDs on more than
	// one host (swarm networks are shared, not collisions).
	nsCount := map[NamespaceID]int{}
	ctrCount := map[ContainerID]int{}
	netCount := map[NetworkID]int{}
	for _, m := range c.Hosts {
		for _, ns := range m.Namespaces {
			nsCount[ns.ID]++
		}
		for _, ct := range m.Containers {
			ctrCount[ct.ID]++
		}
		for _, n := range m.Networks {
			if !swarmScoped(n) {
				netCount[n.ID]++
			}
		}
	}
	sources := map[string]bool{}
	shared := map[string]NetworkID{} // swarm network key → its ID in out
	sharedNet := map[string]*Network{}
	nameSeen := map[string]bool{}   // DNS name IDs in out
	svcSeen := map[ServiceID]bool{} // service IDs in out
	for hi, m := range c.Hosts {
		node := NodeName(m)
		sources[m.Source] = true
		q := func(s string) string { return s + "@" + node }
		nsID := func(id NamespaceID) NamespaceID {
			if nsCount[id] > 1 || id == HostNamespaceID {
				return NamespaceID(q(string(id)))
			}
			return id
		}
		ifID := func(id InterfaceID) InterfaceID {
			if id == "" {
				return ""
			}
			i := strings.LastIndexByte(string(id), '/')
			if i < 0 {
				return id
			}
			return NewInterfaceID(nsID(NamespaceID(id[:i])), string(id[i+1:]))
		}
		ctrID := func(id ContainerID) ContainerID {
			if id != "" && ctrCount[id] > 1 {
				return ContainerID(q(string(id)))
			}
			return id
		}
		netIDs := map[NetworkID]NetworkID{}
		for _, n := range m.Networks {
			if swarmScoped(n) {
				key := networkKey(n)
				if id, ok := shared[key]; ok {
					netIDs[n.ID] = id
					if first := sharedNet[key]; first != nil && first.Overlay != nil && n.Overlay != nil && n.Overlay.LoadBalancer != nil {
						first.Overlay.NodeLoadBalancers[node] = flatLB(n.Overlay.LoadBalancer, nsID)
					}
					continue
				}
				shared[key] = n.ID
				netIDs[n.ID] = n.ID
			} else if netCount[n.ID] > 1 {
				netIDs[n.ID] = NetworkID(q(string(n.ID)))
			} else {
				netIDs[n.ID] = n.ID
			}
			cp := *n
			cp.ID = netIDs[n.ID]
			if cp.ID != n.ID && !swarmScoped(n) {
				cp.Name = q(n.Name)
			}
			cp.Bridge, cp.Parent = ifID(n.Bridge), ifID(n.Parent)
			cp.Subnets = slices.Clone(n.Subnets)
			cp.Options = maps.Clone(n.Options)
			if o := n.Overlay; o != nil {
				oc := *o
				oc.Namespace, oc.VXLAN = nsID(o.Namespace), ifID(o.VXLAN)
				oc.Peers = slices.Clone(o.Peers)
				if lb := o.LoadBalancer; lb != nil {
					oc.LoadBalancer = flatLB(lb, nsID)
				}
				if swarmScoped(n) {
					oc.NodeLoadBalancers = map[string]*LoadBalancer{}
					if oc.LoadBalancer != nil {
						oc.NodeLoadBalancers[node] = oc.LoadBalancer
					}
				}
				cp.Overlay = &oc
			}
			if swarmScoped(n) {
				sharedNet[networkKey(n)] = &cp
			}
			out.Networks = append(out.Networks, &cp)
		}
		netID := func(id NetworkID) NetworkID {
			if v, ok := netIDs[id]; ok {
				return v
			}
			return id
		}
		for _, ns := range m.Namespaces {
			cp := *ns
			cp.ID = nsID(ns.ID)
			cp.Node = node
			cp.Network = netID(ns.Network)
			if ns.Host && hi > 0 {
				// One host namespace per model: the others are the
				// nodes' own, known by Node.
				cp.Host = false
				cp.Kind = NamespaceNodeHost
			}
			out.Namespaces = append(out.Namespaces, &cp)
		}
		for _, i := range m.Interfaces {
			cp := *i
			cp.ID, cp.Namespace = ifID(i.ID), nsID(i.Namespace)
			cp.Addrs = slices.Clone(i.Addrs)
			out.Interfaces = append(out.Interfaces, &cp)
		}
		for _, ct := range m.Containers {
			cp := *ct
			cp.ID = ctrID(ct.ID)
			if cp.ID != ct.ID {
				cp.Name = q(ct.Name)
			}
			cp.Namespace, cp.SharesWith = nsID(ct.Namespace), ctrID(ct.SharesWith)
			cp.Endpoints = slices.Clone(ct.Endpoints)
			for k := range cp.Endpoints {
				cp.Endpoints[k].Network = netID(ct.Endpoints[k].Network)
				cp.Endpoints[k].Interface = ifID(ct.Endpoints[k].Interface)
			}
			out.Containers = append(out.Containers, &cp)
		}
		for _, p := range m.Ports {
			cp := *p
			cp.Container = ctrID(p.Container)
			cp.ID = q(p.ID)
			out.Ports = append(out.Ports, &cp)
		}
		for _, n := range m.Names {
			cp := *n
			if nid, ok := n.Scope.Network(); ok {
				cp.Scope = Scope(netID(nid))
			} else if cid, ok := n.Scope.Container(); ok {
				cp.Scope = Scope(ctrID(cid))
			}
			cp.ID = NewDNSNameID(cp.Scope, cp.Name)
			if nameSeen[cp.ID] {
				continue // a swarm network's name, said by every host
			}
			nameSeen[cp.ID] = true
			out.Names = append(out.Names, &cp)
		}
		for _, sv := range m.Services {
			if svcSeen[sv.ID] {
				continue
			}
			svcSeen[sv.ID] = true
			cp := *sv
			cp.VIPs = slices.Clone(sv.VIPs)
			for k := range cp.VIPs {
				cp.VIPs[k].Network = netID(sv.VIPs[k].Network)
			}
			out.Services = append(out.Services, &cp)
		}
		// Edges name nodes of any kind: map each end by what it is.
		end := func(s string) string {
			switch {
			case strings.HasPrefix(s, "ctr:"):
				return string(ctrID(ContainerID(s)))
			case strings.HasPrefix(s, "net:"):
				return string(netID(NetworkID(s)))
			case strings.HasPrefix(s, "port:"):
				return q(s)
			case strings.HasPrefix(s, "dns:"), strings.HasPrefix(s, "svc:"):
				return s
			case strings.Contains(s, "/"):
				return string(ifID(InterfaceID(s)))
			}
			return string(nsID(NamespaceID(s)))
		}
		for _, e := range m.Edges {
			if e.Kind == EdgeResolvesTo {
				out.AddEdge(e.Kind, e.From, end(e.To), e.Label)
				continue
			}
			out.AddEdge(e.Kind, end(e.From), end(e.To), e.Label)
		}
		out.Warnings = append(out.Warnings, prefixAll(node+": ", m.Warnings)...)
		if hi == 0 {
			out.Host = m.Host
			out.Host.Namespace = nsID(HostNamespaceID)
			out.Host.Uplink = ifID(m.Host.Uplink)
			out.Host.Name = "cluster"
		}
	}
	// Every node's VTEP, where the rules and pictures look it up.
	var nodes []SwarmNode
	for _, m := range c.Hosts {
		if sw := m.Host.Swarm; sw != nil {
			nodes = append(nodes, SwarmNode{ID: sw.NodeID, Name: NodeName(m), Role: sw.Role, Addr: sw.Addr})
		}
	}
	if len(nodes) > 0 {
		sw := Swarm{}
		if out.Host.Swarm != nil {
			sw = *out.Host.Swarm
		}
		for _, n := range sw.Nodes {
			if !slices.ContainsFunc(nodes, func(o SwarmNode) bool { return o.Name == n.Name }) {
				nodes = append(nodes, n)
			}
		}
		sw.Nodes = nodes
		out.Host.Swarm = &sw
	}
	if len(sources) == 1 {
		for s := range sources {
			out.Source = s
		}
	} else {
		out.Source = SourceLive
	}
	out.Sort()
	return out
}

// NamespaceNodeHost marks, in a flattened cluster, another node's own
// namespace (the first node's is the model's host namespace).
const NamespaceNodeHost = "node-host"

// flatLB is a host's load balancer with its namespace's flattened ID.
func flatLB(lb *LoadBalancer, nsID func(NamespaceID) NamespaceID) *LoadBalancer {
	lc := *lb
	lc.Namespace = nsID(lb.Namespace)
	lc.Services = slices.Clone(lb.Services)
	return &lc
}

func swarmScoped(n *Network) bool { return n.Scope == "swarm" || n.Overlay != nil }

func prefixAll(p string, list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = p + s
	}
	return out
}

// NodeOf is the node a namespace is on in a flattened cluster ("" in one
// host's model).
func (x *Index) NodeOf(id NamespaceID) string {
	if ns := x.Namespace(id); ns != nil {
		return ns.Node
	}
	return ""
}
