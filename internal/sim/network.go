package sim

import (
	"context"
	"net/netip"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/textsafe"
)

// NetworkCreate creates a network as `docker network create` would: its
// pools from --subnet/--ip-range/--gateway, else the lowest free default
// pool (rules ipam.user-subnet, ipam.default-pools, ipam.pool-lowest-free,
// ipam.ipv6-pool).
func (e *Engine) NetworkCreate(ctx context.Context, spec *scenario.NetworkSpec) error {
	if _, dup := e.nets[spec.Name]; dup {
		return daemonErr(dockerrules.RefuseNetworkExists, spec.Name)
	}
	n := &network{name: spec.Name, driver: spec.Driver, internal: spec.Internal, ipv6: spec.IPv6, options: spec.Options, icc: true}
	if spec.Driver == "bridge" {
		n.icc = dockerrules.ICC(spec.Options)
	}
	v4, v6 := pools(spec)
	if v4.subnet != "" {
		p, r, g, err := e.userPool(v4)
		if err != nil {
			return err
		}
		n.subnet, n.ipRange, n.gateway, n.userSubnet = p, r, g, true
	} else {
		p, ok := dockerrules.PickDefaultPool(func(p netip.Prefix) bool { return e.overlaps(p) != nil })
		if !ok {
			return daemonErr(dockerrules.RefuseNoDefaultPool)
		}
		n.subnet = p
	}
	// libnetwork allocates an IPv6 pool only with --ipv6, and only from an
	// IPv6 --subnet here (rule ipam.ipv6-pool).
	if v6.subnet != "" {
		if !spec.IPv6 {
			e.note(ctx, "network %s: --subnet %s is ignored without --ipv6, as dockerd does", textsafe.Clean(spec.Name), v6.subnet)
		} else {
			p, r, g, err := e.userPool(v6)
			if err != nil {
				return err
			}
			n.subnet6, n.ipRange6, n.gateway6 = p, r, g
		}
	}
	if n.driver == "macvlan" || n.driver == "ipvlan" {
		if n.options == nil {
			n.options = map[string]string{}
		}
	}
	e.addNetwork(n)
	return nil
}

// NetworkRemove removes a network as `docker network rm` would: not a
// predefined one, nor one with running endpoints.
func (e *Engine) NetworkRemove(_ context.Context, name string) error {
	n, ok := e.nets[name]
	if !ok {
		return daemonErr(dockerrules.RefuseNoSuchNetwork, name)
	}
	if n.predefined {
		return daemonErr(dockerrules.RefusePredefined, name)
	}
	for _, cn := range e.ctrOrder {
		for _, ep := range e.ctrs[cn].endpoints {
			if ep.net == name && e.ctrs[cn].running {
				return daemonErr(dockerrules.RefuseActiveEndpoints, name, n.id)
			}
		}
	}
	delete(e.nets, name)
	e.netOrder = slices.DeleteFunc(e.netOrder, func(s string) bool { return s == name })
	return nil
}

// connectTargets finds the network and container of a connect/disconnect.
func (e *Engine) connectTargets(cs *scenario.ConnectSpec) (*network, *container, error) {
	n, ok := e.nets[cs.Network]
	if !ok {
		return nil, nil, daemonErr(dockerrules.RefuseNoSuchNetwork, cs.Network)
	}
	ctr := e.resolveContainer(cs.Container)
	if ctr == nil {
		return nil, nil, daemonErr(dockerrules.RefuseNoSuchContainer, cs.Container)
	}
	return n, ctr, nil
}

// NetworkConnect attaches a container to a network as `docker network
// connect` would; a running container gets its address and the next ethN
// at once (rule ep.ifname-no-reuse), a stopped one at start.
func (e *Engine) NetworkConnect(_ context.Context, cs *scenario.ConnectSpec) error {
	n, ctr, err := e.connectTargets(cs)
	if err != nil {
		return err
	}
	if ctr.mode == "host" || ctr.mode == "none" || strings.HasPrefix(ctr.mode, "container:") || n.driver == "host" || n.driver == "null" {
		return daemonErr(dockerrules.RefuseConnectShared)
	}
	for _, ep := range ctr.endpoints {
		if ep.net == n.name {
			return daemonErr(dockerrules.RefuseAlreadyOn, ctr.name, n.name)
		}
	}
	if n.name == dockerrules.DefaultBridgeNetwork && len(cs.Aliases) > 0 {
		return daemonErr(dockerrules.RefuseAliasOffUserNetwork)
	}
	ep := &endpoint{net: n.name, aliases: cs.Aliases, links: cs.Links}
	if cs.IP != "" {
		ip, err := pinnedIP(n, cs.IP, true)
		if err != nil {
			return err
		}
		ep.pinned = ip
	}
	if ctr.running {
		if err := e.allocateEndpoint(n, ep, ctr.name); err != nil {
			return err
		}
		ep.ifname = dockerrules.ContainerInterface(ctr.nextIf)
		ctr.nextIf++
	}
	ctr.endpoints = append(ctr.endpoints, ep)
	return nil
}

// NetworkDisconnect detaches a container from a network as `docker network
// disconnect` would, releasing its addresses there.
func (e *Engine) NetworkDisconnect(_ context.Context, cs *scenario.ConnectSpec, _ bool) error {
	n, ctr, err := e.connectTargets(cs)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(ctr.endpoints, func(ep *endpoint) bool { return ep.net == n.name })
	if i < 0 {
		return daemonErr(dockerrules.RefuseNotConnected, ctr.id[:12], n.name)
	}
	if n.driver == "host" || n.driver == "null" {
		return daemonErr(dockerrules.RefuseDisconnectHost)
	}
	e.release(ctr.endpoints[i])
	ctr.endpoints = slices.Delete(ctr.endpoints, i, i+1)
	return nil
}
