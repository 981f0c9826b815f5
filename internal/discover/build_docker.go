package discover

// The Docker half of Build: networks (bridge names, macvlan parents) and
// containers (modes, endpoints matched to interfaces, aliases, links, ports).

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/graph"
)

func (b *builder) addNetworks(nets []DockerNetwork) {
	for _, dn := range nets {
		n := &graph.Network{
			ID: graph.NewNetworkID(dn.Name), Name: dn.Name, DockerID: dn.ID,
			Driver: dn.Driver, Scope: dn.Scope, Internal: dn.Internal,
			EnableIPv6: dn.EnableIPv6, ICC: true,
			Default: dn.Name == "bridge" && dn.Driver == "bridge",
		}
		if len(dn.Options) > 0 {
			n.Options = dn.Options
		}
		for _, s := range dn.Subnets {
			n.Subnets = append(n.Subnets, graph.Subnet{Subnet: s.Subnet, Gateway: s.Gateway, IPRange: s.IPRange})
		}
		switch dn.Driver {
		case "bridge":
			n.ICC = dockerrules.ICC(dn.Options)
			n.BridgeName = BridgeName(dn)
			n.Bridge = b.hostInterface(n.BridgeName)
		case "macvlan", "ipvlan":
			n.ParentName = dn.Options["parent"]
			if n.ParentName == "" {
				n.ParentName = dockerrules.DummyParent(dn.ID)
			}
			n.Parent = b.hostInterface(n.ParentName)
		case "overlay":
			n.Overlay = b.overlay(dn, n)
		}
		b.m.Networks = append(b.m.Networks, n)
	}
}

// BridgeName is the Linux bridge behind a Docker bridge network: the
// com.docker.network.bridge.name option (docker0 for the default network),
// else br- and the first 12 characters of the network ID (dockerrules
// rule dev.bridge-name).
func BridgeName(n DockerNetwork) string {
	return dockerrules.BridgeName(n.Name, n.ID, n.Options)
}

func (b *builder) hostInterface(name string) graph.InterfaceID {
	if name == "" {
		return ""
	}
	id := graph.NewInterfaceID(graph.HostNamespaceID, name)
	if slices.ContainsFunc(b.m.Interfaces, func(i *graph.Interface) bool { return i.ID == id }) {
		return id
	}
	return ""
}

func (b *builder) addContainers() {
	known := map[string]bool{}
	for _, n := range b.m.Networks {
		known[n.Name] = true
	}
	for _, dc := range b.ctrs {
		c := &graph.Container{
			ID: graph.NewContainerID(dc.Name), Name: dc.Name, DockerID: dc.ID,
			Image: dc.Image, State: dc.State, NetworkMode: networkMode(dc.NetworkMode),
			Namespace: b.nsOfCtr[dc.ID], Pid: dc.Pid, SandboxKey: dc.SandboxKey,
			Hostname: dc.Hostname, Task: b.task(dc.Task),
		}
		if ref, ok := strings.CutPrefix(dc.NetworkMode, "container:"); ok {
			if target := b.resolve(ref); target != nil {
				c.SharesWith = graph.NewContainerID(target.Name)
				c.NetworkMode = "container:" + target.Name
			} else {
				b.m.Warn(fmt.Sprintf("container %s uses the namespace of container %s, which is not running", dc.Name, shortID(ref)))
			}
		}
		for _, raw := range dc.Links {
			if l, ok := parseHostConfigLink(raw); ok {
				c.Links = append(c.Links, l)
			}
		}
		for _, de := range dc.Endpoints {
			if !known[de.Network] {
				b.m.Warn(fmt.Sprintf("container %s is attached to network %s, which was not listed; endpoint skipped", dc.Name, de.Network))
				continue
			}
			ep := graph.Endpoint{
				Network: graph.NewNetworkID(de.Network), Gateway: de.Gateway, MAC: de.MAC, IPv4: de.IPv4, IPv6: de.IPv6,
				Aliases: userAliases(dc, de.Aliases),
			}
			for _, raw := range de.Links {
				if target, alias, ok := strings.Cut(raw, ":"); ok {
					ep.Links = append(ep.Links, graph.Link{Target: strings.TrimPrefix(target, "/"), Alias: alias})
				}
			}
			ep.Interface = b.endpointInterface(c.Namespace, de)
			c.Endpoints = append(c.Endpoints, ep)
		}
		for _, p := range dc.Ports {
			hostIP := p.HostIP
			if !hostIP.IsValid() {
				hostIP = netip.IPv4Unspecified()
			}
			port := &graph.Port{
				ID:        fmt.Sprintf("port:%s:%d/%s->%s", hostIP, p.HostPort, p.Proto, c.ID),
				Container: c.ID, Proto: p.Proto, HostIP: hostIP,
				HostPort: p.HostPort, ContainerPort: p.ContainerPort,
			}
			if !slices.ContainsFunc(b.m.Ports, func(q *graph.Port) bool { return q.ID == port.ID }) {
				b.m.Ports = append(b.m.Ports, port)
				b.m.AddEdge(graph.EdgePortMap, port.ID, string(c.ID), fmt.Sprintf("%d/%s", p.ContainerPort, p.Proto))
			}
		}
		b.m.Containers = append(b.m.Containers, c)
	}
}

// networkMode normalises HostConfig.NetworkMode: engines before API 1.44
// report "default" for the default bridge.
func networkMode(mode string) string {
	if mode == "" || mode == "default" {
		return graph.ModeBridge
	}
	return mode
}

// userAliases drops the aliases Docker adds by itself (the container's name
// and short ID), keeping the ones a person gave with --net-alias.
func userAliases(c *DockerContainer, aliases []string) []string {
	var out []string
	for _, a := range aliases {
		if a == c.Name || isShortID(c.ID, a) || slices.Contains(out, a) {
			continue
		}
		out = append(out, a)
	}
	return out
}

func isShortID(id, s string) bool { return len(s) >= 12 && strings.HasPrefix(id, s) }

func shortID(ref string) string {
	if len(ref) > 12 {
		return ref[:12]
	}
	return ref
}

// parseHostConfigLink reads HostConfig.Links' "/target:/container/alias".
func parseHostConfigLink(raw string) (graph.Link, bool) {
	target, path, ok := strings.Cut(raw, ":")
	if !ok {
		return graph.Link{}, false
	}
	alias := path[strings.LastIndex(path, "/")+1:]
	target = strings.TrimPrefix(target, "/")
	if target == "" || alias == "" {
		return graph.Link{}, false
	}
	return graph.Link{Target: target, Alias: alias}, true
}

// endpointInterface finds the container-side interface of an endpoint: the
// one with the endpoint's MAC, else the one holding its address.
func (b *builder) endpointInterface(ns graph.NamespaceID, de DockerEndpoint) graph.InterfaceID {
	if ns == "" || ns == graph.HostNamespaceID {
		return ""
	}
	for _, i := range b.m.Interfaces {
		if i.Namespace == ns && de.MAC != "" && strings.EqualFold(i.MAC, de.MAC) {
			return i.ID
		}
	}
	if !de.IPv4.IsValid() {
		return ""
	}
	for _, i := range b.m.Interfaces {
		if i.Namespace != ns {
			continue
		}
		for _, a := range i.Addrs {
			if a.Addr() == de.IPv4.Addr() {
				return i.ID
			}
		}
	}
	return ""
}

func toStrings[T ~string](ids []T) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}
