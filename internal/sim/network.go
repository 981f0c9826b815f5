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
// pools from --subnet/--ip-range/--gateway, else the next default pool
// (rules ipam.user-subnet, ipam.default-pools, ipam.pool-round-robin,
// ipam.pool-lowest-free, ipam.ipv6-pool, ipam.ipv6-needs-subnet), its
// gateways (rules ipam.gateway, ipam.driver-gateway), and the options of
// later releases as the release simulated takes them (networkOptions).
func (e *Engine) NetworkCreate(ctx context.Context, spec *scenario.NetworkSpec) error {
	if _, dup := e.nets[spec.Name]; dup {
		return daemonErr(dockerrules.RefuseNetworkExists, spec.Name)
	}
	if err := e.checkIPv4Flag(spec); err != nil { // the CLI's refusal comes first
		return err
	}
	if spec.Driver == "overlay" {
		return e.createOverlay(ctx, spec)
	}
	n := &network{name: spec.Name, driver: spec.Driver, internal: spec.Internal, ipv6: spec.IPv6, options: spec.Options, icc: true}
	if spec.Driver == "bridge" {
		n.icc = dockerrules.ICC(spec.Options)
	}
	// macvlan and ipvlan take a gateway only when given, from 29 (rule
	// ipam.driver-gateway).
	n.noGateway = (n.driver == "macvlan" || n.driver == "ipvlan") && !e.prof.DriverGateway
	v4, v6 := pools(spec)
	if v6.subnet == "" && spec.IPv6 && !e.prof.IPv6NeedsSubnet {
		return refuseAt(scenario.Pos{}, dockerrules.NotModelled, "--ipv6 without an IPv6 --subnet", e.prof.Major,
			"this release gives the network an IPv6 /64 of its own, from a ULA prefix derived from the engine's ID, which cannot be known without it; give --subnet fdXX:…::/64")
	}
	if v4.subnet != "" {
		p, r, g, err := e.userPool(v4)
		if err != nil {
			return err
		}
		n.subnet, n.ipRange, n.gateway, n.userSubnet = p, r, g, true
	} else {
		p, next, ok := dockerrules.PickDefaultPool(e.prof, e.poolNext, func(p netip.Prefix) bool { return e.overlaps(p) != nil })
		if !ok {
			return daemonErr(dockerrules.RefuseNoDefaultPool)
		}
		// The cursor moves at the pick, as libnetwork's does, even if the
		// network then fails (its pool is released, the cursor stays).
		n.subnet, e.poolNext = p, next
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
	if err := e.networkOptions(ctx, spec); err != nil { // the driver's checks come after the pools
		return err
	}
	e.addNetwork(n)
	return nil
}

// checkIPv4Flag takes --ipv4 as the release would (rule opt.ipv4): a CLI
// before 28 does not know the flag; --ipv4=false, an IPv6-only network, is
// not modelled yet.
func (e *Engine) checkIPv4Flag(spec *scenario.NetworkSpec) error {
	if spec.IPv4 == nil {
		return nil
	}
	at := spec.Where["--ipv4"]
	if !e.prof.KnowsIPv4Flag {
		return refuseAt(at, dockerrules.RefuseUnknownFlag+dockerrules.ByOlderCLI, "--ipv4", e.prof.Major, dockerrules.FirstRelease("opt.ipv4"))
	}
	if !*spec.IPv4 {
		return refuseAt(at, dockerrules.NotModelled, "--ipv4=false (a network without IPv4)", e.prof.Major,
			"netviz reasons about names and reachability over IPv4 addresses")
	}
	return nil
}

// networkOptions takes the -o options of later releases as the release
// simulated does: one that does not know an option ignores it (its driver
// skips unknown labels), and the simulator says so; one that knows it
// refuses a bad value as its driver would; what the model cannot show yet
// is refused as not modelled (rules opt.gateway-mode,
// opt.gateway-mode-isolation, opt.trusted-host-interfaces and opt.ipv4).
func (e *Engine) networkOptions(ctx context.Context, spec *scenario.NetworkSpec) error {
	keys := make([]string, 0, len(spec.Options))
	for k := range spec.Options {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v, at := spec.Options[k], spec.Where["-o "+k]
		opt := "-o " + textsafe.Clean(k) + "=" + textsafe.Clean(v)
		switch {
		case k == dockerrules.EnableIPv4Option:
			if !e.prof.KnowsIPv4Flag {
				e.noteAt(ctx, at, dockerrules.WarnIgnoredOption, opt, e.prof.Major, dockerrules.FirstRelease("opt.ipv4"))
			} else if v == "false" || v == "0" {
				return refuseAt(at, dockerrules.NotModelled, opt+" (a network without IPv4)", e.prof.Major,
					"netviz reasons about names and reachability over IPv4 addresses")
			}
		case spec.Driver != "bridge":
			// macvlan and ipvlan have their own options; the bridge's do
			// not apply.
		case k == dockerrules.GatewayModeIPv4Option || k == dockerrules.GatewayModeIPv6Option:
			if err := e.gatewayMode(ctx, spec, opt, v, at); err != nil {
				return err
			}
		case k == dockerrules.TrustedHostInterfacesOption:
			if !e.prof.KnowsTrustedHostInterfaces {
				e.noteAt(ctx, at, dockerrules.WarnIgnoredOption, opt, e.prof.Major, dockerrules.FirstRelease("opt.trusted-host-interfaces"))
			} else {
				e.noteAt(ctx, at, dockerrules.WarnOutsideOnly, opt)
			}
		}
	}
	return nil
}

// gatewayMode takes com.docker.network.bridge.gateway_mode_ipv4/_ipv6
// (rules opt.gateway-mode and opt.gateway-mode-isolation).
func (e *Engine) gatewayMode(ctx context.Context, spec *scenario.NetworkSpec, opt, mode string, at scenario.Pos) error {
	if len(e.prof.GatewayModes) == 0 {
		e.noteAt(ctx, at, dockerrules.WarnIgnoredOption, opt, e.prof.Major, dockerrules.FirstRelease("opt.gateway-mode"))
		return nil
	}
	if !e.prof.KnowsGatewayMode(mode) {
		key, _, _ := strings.Cut(strings.TrimPrefix(opt, "-o "), "=")
		return refuseAt(at, "Error response from daemon: "+dockerrules.RefuseGatewayMode, textsafe.Clean(key), textsafe.Clean(mode), textsafe.Clean(mode))
	}
	switch mode {
	case dockerrules.GatewayModeNATUnprotected:
		e.noteAt(ctx, at, dockerrules.WarnOutsideOnly, opt)
	case dockerrules.GatewayModeRouted:
		return refuseAt(at, dockerrules.NotModelled, opt, e.prof.Major,
			"without NAT, published ports are only opened, not mapped, and the model draws them as DNAT")
	case dockerrules.GatewayModeIsolated:
		if !spec.Internal {
			return refuseAt(at, "Error response from daemon: "+dockerrules.RefuseIsolatedNotInternal)
		}
		return refuseAt(at, dockerrules.NotModelled, opt, e.prof.Major,
			"the bridge gets no address, so the host cannot reach the containers, which the reachability rules assume")
	}
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
	if n.ovl != nil {
		return e.removeOverlay(n)
	}
	if name == dockerrules.GatewayBridgeNetwork && e.gatewayInUse() {
		return daemonErr(dockerrules.RefuseActiveEndpoints, name, n.id)
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
// connect` would; a running container gets its address and its interface
// at once (rules ep.ifname-no-reuse, ep.ifname-lowest-free and
// opt.endpoint-ifname), a stopped one at start.
func (e *Engine) NetworkConnect(ctx context.Context, cs *scenario.ConnectSpec) error {
	n, ctr, err := e.connectTargets(cs)
	if err != nil {
		return err
	}
	if err := e.notTask(ctr, "network connect"); err != nil {
		return err
	}
	if n.ovl != nil && !n.ovl.attachable {
		return daemonErr(dockerrules.RefuseNotAttachable, n.name, n.name)
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
	ifnameOpt, err := e.endpointOptions(ctx, cs.Endpoint, false)
	if err != nil {
		return err
	}
	ep := &endpoint{net: n.name, aliases: cs.Aliases, links: cs.Links, ifnameOpt: ifnameOpt}
	if cs.IP != "" {
		ip, err := pinnedIP(n, cs.IP, true)
		if err != nil {
			return err
		}
		ep.pinned = ip
	}
	if ctr.running {
		name, err := e.interfaceName(ctr, ep, func(s string) bool {
			return s == "lo" || slices.ContainsFunc(ctr.endpoints, func(o *endpoint) bool { return o.ifname == s })
		})
		if err != nil {
			return err
		}
		if err := e.allocateEndpoint(n, ep, ctr.name); err != nil {
			return err
		}
		ep.ifname = name
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
	if err := e.notTask(ctr, "network disconnect"); err != nil {
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
