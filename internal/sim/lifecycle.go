package sim

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/scenario"
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
		ep := &endpoint{net: n.name, aliases: r.Aliases}
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
	return e.start(ctr)
}

// ContainerStop stops a container as `docker stop` would: its addresses and
// host ports are released.
func (e *Engine) ContainerStop(_ context.Context, ref string) error {
	ctr, err := e.container(ref)
	if err != nil {
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
	// the interfaces eth0… in that order (rule ep.join-order).
	order := slices.Clone(ctr.endpoints)
	slices.SortStableFunc(order, func(a, b *endpoint) int { return dockerrules.CompareJoinOrder(e.joinKey(a), e.joinKey(b)) })
	ctr.nextIf = 0
	var allocated []*endpoint
	for _, ep := range order {
		n := e.nets[ep.net]
		if n == nil {
			return daemonErr(dockerrules.RefuseNoSuchNetwork, ep.net)
		}
		ep.ifname = dockerrules.ContainerInterface(ctr.nextIf)
		ctr.nextIf++
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
	ctr.running = false
	ctr.boundPorts = nil
}
