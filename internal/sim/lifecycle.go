package sim

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/textsafe"
)

// ContainerCreate creates a container as `docker create` would: it checks
// the name, the network mode and the links, and allocates nothing until
// start. It returns the container's name (unnamed_N for an unnamed one).
func (e *Engine) ContainerCreate(ctx context.Context, r *scenario.RunSpec) (string, error) {
	name := r.Name
	if name == "" {
		e.anon++
		name = fmt.Sprintf("unnamed_%d", e.anon)
	} else if !dockerrules.ValidContainerName(name) {
		return "", daemonErr(dockerrules.RefuseInvalidName, name)
	}
	if _, dup := e.ctrs[name]; dup {
		return "", daemonErr(dockerrules.RefuseNameInUse, name, e.ctrs[name].id)
	}
	mode := dockerrules.NetworkMode(r.Network)
	ctr := &container{name: name, id: fakeID("container", name), image: r.Image, hostname: r.Hostname, mode: mode, links: r.Links, ports: r.Ports}
	ifnameOpt, err := e.endpointOptions(ctx, r.Endpoint, true)
	if err != nil {
		return "", err
	}
	if ifnameOpt != "" && (mode == "host" || mode == "none" || strings.HasPrefix(mode, "container:")) {
		return "", refuseAt(r.Endpoint.Where["driver-opt "+dockerrules.EndpointIfnameOption], dockerrules.NotModelled,
			dockerrules.EndpointIfnameOption+" with --net "+textsafe.Clean(mode), e.prof.Major, "such a container has no endpoint of its own to name")
	}
	switch {
	case mode == "host" || mode == "none":
		if len(r.Aliases) > 0 {
			return "", daemonErr(dockerrules.RefuseAliasOffUserNetwork)
		}
		if len(r.Links) > 0 {
			return "", daemonErr(dockerrules.RefuseLinksWithMode, mode)
		}
		if mode == "host" && len(r.Ports) > 0 {
			e.note(ctx, dockerrules.WarnHostModePorts)
			ctr.ports = nil
		}
		ctr.endpoints = []*endpoint{{net: mode}}
	case strings.HasPrefix(mode, "container:"):
		ref := strings.TrimPrefix(mode, "container:")
		target := e.resolveContainer(ref)
		if target == nil {
			return "", daemonErr(dockerrules.RefuseNoSuchContainer, ref)
		}
		if len(r.Ports) > 0 || len(r.Aliases) > 0 || len(r.Links) > 0 {
			return "", daemonErr(dockerrules.RefuseContainerModeOptions)
		}
		ctr.mode = "container:" + target.name
	default:
		n, ok := e.nets[mode]
		if !ok {
			return "", daemonErr(dockerrules.RefuseNoSuchNetwork, mode)
		}
		if n.name == dockerrules.DefaultBridgeNetwork && len(r.Aliases) > 0 {
			return "", daemonErr(dockerrules.RefuseAliasOffUserNetwork)
		}
		ep := &endpoint{net: n.name, aliases: r.Aliases, ifnameOpt: ifnameOpt}
		if n.name != dockerrules.DefaultBridgeNetwork {
			ep.links, ctr.links = r.Links, nil // on a user network --link is a DNS alias (rule dns.link-alias)
		}
		if r.IP != "" {
			ip, err := pinnedIP(n, r.IP, n.name != dockerrules.DefaultBridgeNetwork)
			if err != nil {
				return "", err
			}
			ep.pinned = ip
		}
		ctr.endpoints = []*endpoint{ep}
	}
	for _, l := range r.Links {
		if e.resolveContainer(l.Target) == nil {
			return "", daemonErr(dockerrules.RefuseLinkTarget, l.Target)
		}
	}
	e.ctrs[name] = ctr
	e.ctrOrder = append(e.ctrOrder, name)
	return name, nil
}

// pinnedIP checks a --ip for network n (rule ipam.pinned-ip): a network
// with a user-configured subnet (and, for run, not the default bridge),
// inside that subnet.
func pinnedIP(n *network, s string, userNetwork bool) (netip.Addr, error) {
	ip, err := netip.ParseAddr(s)
	if err != nil { // the shell parser refuses these; a compose file or a Command built elsewhere may not
		return netip.Addr{}, daemonErr("invalid IP address %s", s)
	}
	if !userNetwork || !n.userSubnet {
		return netip.Addr{}, daemonErr(dockerrules.RefuseIPWithoutUserSubnet)
	}
	if !n.subnet.Contains(ip) {
		return netip.Addr{}, daemonErr(dockerrules.RefuseIPOutsideSubnet, ip)
	}
	return ip, nil
}

// ContainerStart starts a container as `docker start` would; a running one
// is left alone.
func (e *Engine) ContainerStart(_ context.Context, ref string) error {
	ctr, err := e.container(ref)
	if err != nil {
		return err
	}
	if err := e.notTask(ctr, "docker start"); err != nil {
		return err
	}
	return e.start(ctr)
}

// ContainerStop stops a container as `docker stop` would: its addresses and
// host ports are released.
func (e *Engine) ContainerStop(_ context.Context, ref string) error {
	ctr, err := e.container(ref)
	if err != nil {
		return err
	}
	if err := e.notTask(ctr, "docker stop"); err != nil {
		return err
	}
	e.stop(ctr)
	return nil
}

// ContainerRestart is ContainerStop then ContainerStart: the sandbox is new,
// so its interfaces are numbered again in join order.
func (e *Engine) ContainerRestart(_ context.Context, ref string) error {
	ctr, err := e.container(ref)
	if err != nil {
		return err
	}
	if err := e.notTask(ctr, "docker restart"); err != nil {
		return err
	}
	e.stop(ctr)
	return e.start(ctr)
}

// ContainerRemove removes a container as `docker rm [-f]` would; a running
// one only with force.
func (e *Engine) ContainerRemove(_ context.Context, ref string, force bool) error {
	ctr, err := e.container(ref)
	if err != nil {
		return err
	}
	if err := e.notTask(ctr, "docker rm"); err != nil {
		return err
	}
	if ctr.running && !force {
		return daemonErr(dockerrules.RefuseRemoveRunning, ctr.id)
	}
	e.stop(ctr)
	delete(e.ctrs, ctr.name)
	e.ctrOrder = slices.DeleteFunc(e.ctrOrder, func(n string) bool { return n == ctr.name })
	return nil
}

func (e *Engine) start(ctr *container) error {
	if ctr.running {
		return nil
	}
	if ref, ok := strings.CutPrefix(ctr.mode, "container:"); ok {
		t := e.ctrs[ref]
		if t == nil {
			return daemonErr(dockerrules.RefuseNoSuchContainer, ref)
		}
		if !t.running {
			return daemonErr(dockerrules.RefuseJoinNotRunning, t.id[:12])
		}
	}
	for _, l := range ctr.links {
		t := e.resolveContainer(l.Target)
		if t == nil || !t.running {
			return daemonErr(dockerrules.RefuseLinkNotRunning, l.Target, ctr.name, l.Alias)
		}
	}
	// A new sandbox joins its endpoints in libnetwork's order and numbers
	// the interfaces eth0… in that order (rule ep.join-order), an endpoint
	// with com.docker.network.endpoint.ifname taking its own name (rule
	// opt.endpoint-ifname).
	// A task joins its networks in the task's order, unrotated: a real
	// daemon starts the cycle at a random one of them (rule
	// swarm.task-interfaces).
	order := slices.Clone(ctr.endpoints)
	if ctr.task == nil {
		slices.SortStableFunc(order, func(a, b *endpoint) int { return dockerrules.CompareJoinOrder(e.joinKey(a), e.joinKey(b)) })
	}
	ctr.nextIf = 0
	names := map[string]bool{"lo": true}
	needGW := e.needsGateway(order)
	var gw *endpoint
	for i, ep := range order {
		n := e.nets[ep.net]
		if n == nil {
			return daemonErr(dockerrules.RefuseNoSuchNetwork, ep.net)
		}
		if n.ovl != nil && !n.ovl.attachable && ctr.task == nil {
			return daemonErr(dockerrules.RefuseNotAttachable, n.name, n.name) // rule swarm.attachable
		}
		name, err := e.interfaceName(ctr, ep, func(s string) bool { return names[s] })
		if err != nil {
			return err
		}
		ep.ifname, names[name] = name, true
		// docker_gwbridge comes right after the first overlay (rule
		// swarm.gwbridge).
		if i == 0 && needGW {
			gwName := dockerrules.NextInterface(e.prof, &ctr.nextIf, func(s string) bool { return names[s] })
			gw, names[gwName] = &endpoint{net: dockerrules.GatewayBridgeNetwork, ifname: gwName}, true
		}
	}
	var allocated []*endpoint
	for _, ep := range order {
		n := e.nets[ep.net]
		if n.used == nil { // host, none
			continue
		}
		if err := e.allocateEndpoint(n, ep, ctr.name); err != nil {
			for _, a := range allocated {
				e.release(a)
			}
			return err
		}
		allocated = append(allocated, ep)
	}
	if gw != nil {
		n := e.nets[gw.net]
		ip, err := allocate(n, n.ipRange, n.subnet, n.used, netip.Addr{}, ctr.name, "IPv4")
		if err != nil {
			for _, a := range allocated {
				e.release(a)
			}
			return err
		}
		gw.ip, ctr.gw = ip, gw
	}
	ctr.boundPorts = nil
	for _, p := range ctr.ports {
		if p.HostPort == 0 {
			p.HostPort = e.nextPort
			e.nextPort++
		}
		ctr.boundPorts = append(ctr.boundPorts, p)
	}
	ctr.running = true
	return nil
}

// interfaceName names the interface ep gets in ctr's namespace, whose
// names inUse reports: its com.docker.network.endpoint.ifname (rule
// opt.endpoint-ifname), else the next ethN the release hands out (rules
// ep.ifname-no-reuse and ep.ifname-lowest-free).
func (e *Engine) interfaceName(ctr *container, ep *endpoint, inUse func(string) bool) (string, error) {
	if ep.ifnameOpt == "" {
		return dockerrules.NextInterface(e.prof, &ctr.nextIf, inUse), nil
	}
	if inUse(ep.ifnameOpt) {
		return "", daemonErr(dockerrules.RefuseIfnameInUse, dockerrules.VethName(fakeID("veth", ctr.name+"/"+ep.net)), dockerrules.VethName(fakeID("veth", ctr.name+"/"+ep.net)), ep.ifnameOpt)
	}
	return ep.ifnameOpt, nil
}

// endpointOptions takes Docker 28's endpoint options of a run (viaRun: its
// --network long form) or a network connect as the release simulated
// does, and returns the interface name asked for ("" for none): a release
// before 28 has no --gw-priority (its CLI refuses it) and ignores
// com.docker.network.endpoint.ifname; a priority other than 0 and any other
// driver option are not modelled yet (rules opt.gw-priority and
// opt.endpoint-ifname).
func (e *Engine) endpointOptions(ctx context.Context, eo scenario.EndpointOpts, viaRun bool) (string, error) {
	if eo.GwPrioritySet {
		at := eo.Where["gw-priority"]
		switch {
		case !e.prof.KnowsGwPriority && viaRun:
			return "", refuseAt(at, dockerrules.RefuseNetworkFieldKey+dockerrules.ByOlderCLI, "gw-priority", e.prof.Major, dockerrules.FirstRelease("opt.gw-priority"))
		case !e.prof.KnowsGwPriority:
			return "", refuseAt(at, dockerrules.RefuseUnknownFlag+dockerrules.ByOlderCLI, "--gw-priority", e.prof.Major, dockerrules.FirstRelease("opt.gw-priority"))
		case eo.GwPriority != 0:
			return "", refuseAt(at, dockerrules.NotModelled, fmt.Sprintf("gw-priority %d", eo.GwPriority), e.prof.Major,
				"it reorders the container's networks (which one gives the default route, which interface is eth0 at start, whose DNS answers first), and the model keeps no priority")
		}
	}
	keys := make([]string, 0, len(eo.DriverOpts))
	for k := range eo.DriverOpts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	ifname := ""
	for _, k := range keys {
		v, at := eo.DriverOpts[k], eo.Where["driver-opt "+k]
		switch {
		case k != dockerrules.EndpointIfnameOption:
			return "", refuseAt(at, dockerrules.NotModelled, "driver option "+textsafe.Clean(k), e.prof.Major,
				"the only endpoint option the simulator knows is "+dockerrules.EndpointIfnameOption)
		case !e.prof.KnowsEndpointIfname:
			e.noteAt(ctx, at, dockerrules.WarnIgnoredOption, "driver option "+k+"="+textsafe.Clean(v), e.prof.Major, dockerrules.FirstRelease("opt.endpoint-ifname"))
		case !dockerrules.ValidIfname(v):
			return "", refuseAt(at, "Error response from daemon: "+dockerrules.RefuseIfnameInvalid, textsafe.Quote(v))
		default:
			ifname = v
		}
	}
	return ifname, nil
}

// joinKey is what the join order looks at for ep (a network that no longer
// exists counts as non-internal; starting on it fails anyway).
func (e *Engine) joinKey(ep *endpoint) dockerrules.JoinKey {
	k := dockerrules.JoinKey{Network: ep.net}
	if n := e.nets[ep.net]; n != nil {
		k.Internal = n.internal
	}
	return k
}

func (e *Engine) stop(ctr *container) {
	if !ctr.running {
		return
	}
	for _, ep := range ctr.endpoints {
		e.release(ep)
	}
	if ctr.gw != nil {
		e.release(ctr.gw)
		ctr.gw = nil
	}
	ctr.running = false
	ctr.boundPorts = nil
}

// notTask refuses what a swarm would answer by replacing a task: stopping,
// removing or rewiring a task's container by hand.
func (e *Engine) notTask(ctr *container, what string) error {
	if ctr.task == nil {
		return nil
	}
	return refuseAt(scenario.Pos{}, dockerrules.NotModelled, what+" of task container "+textsafe.Clean(ctr.name), e.prof.Major,
		"the swarm would start a new task in its place; scale or remove the service instead")
}

// gatewayInUse reports whether anything on this node holds an address on
// docker_gwbridge: the ingress sandbox, a container on overlays only.
func (e *Engine) gatewayInUse() bool {
	if e.ovl[dockerrules.IngressNetwork] != nil {
		return true
	}
	for _, cn := range e.ctrOrder {
		if e.ctrs[cn].gw != nil {
			return true
		}
	}
	return false
}
