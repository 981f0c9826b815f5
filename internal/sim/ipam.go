package sim

import (
	"net/netip"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/scenario"
)

// allocateEndpoint gives ep its IPv4 address and, on a network with an IPv6
// pool, its IPv6 address (both allocated in start order, so the first
// container gets .2 and ::2); on failure neither is kept.
func (e *Engine) allocateEndpoint(n *network, ep *endpoint, owner string) error {
	if n.ovl != nil {
		return e.attachOverlay(n, ep, owner)
	}
	ip, err := allocate(n, n.ipRange, n.subnet, n.used, ep.pinned, owner, "IPv4")
	if err != nil {
		return err
	}
	ep.ip = ip
	if n.used6 != nil {
		ip6, err := allocate(n, n.ipRange6, n.subnet6, n.used6, netip.Addr{}, owner, "IPv6")
		if err != nil {
			delete(n.used, ip)
			ep.ip = netip.Addr{}
			return err
		}
		ep.ip6 = ip6
	}
	return nil
}

// allocate hands out the lowest free address of an ip-range, the same way
// for both families (dockerrules.FirstFree: a restarted container gets its
// old address back, an address freed by rm is the next one handed out) —
// but on a swarm overlay the next free after the last handed out
// (dockerrules.NextFree); a pinned --ip must be free.
func allocate(n *network, ipRange, subnet netip.Prefix, used map[netip.Addr]string, pinned netip.Addr, owner, family string) (netip.Addr, error) {
	if pinned.IsValid() {
		if _, taken := used[pinned]; taken {
			return netip.Addr{}, daemonErr(dockerrules.RefuseAddressInUse)
		}
		used[pinned] = owner
		return pinned, nil
	}
	taken := func(a netip.Addr) bool { _, taken := used[a]; return taken }
	var a netip.Addr
	var ok bool
	if n.ovl != nil && family == "IPv4" {
		// The swarm's allocator hands out serially (rule swarm.serial-address).
		if a, ok = dockerrules.NextFree(ipRange, subnet, n.ovl.last, taken); ok {
			n.ovl.last = a
		}
	} else {
		a, ok = dockerrules.FirstFree(ipRange, subnet, taken)
	}
	if !ok {
		return netip.Addr{}, daemonErr(dockerrules.RefuseNoAddresses, family, n.name, n.id[:12])
	}
	used[a] = owner
	return a, nil
}

// release returns an endpoint's addresses to its network's pools.
func (e *Engine) release(ep *endpoint) {
	if n := e.nets[ep.net]; n != nil {
		if n.ovl != nil && ep.owner != "" {
			e.leaveSandbox(n, ep.owner)
			ep.owner = ""
		}
		if n.used != nil && ep.ip.IsValid() {
			delete(n.used, ep.ip)
		}
		if n.used6 != nil && ep.ip6.IsValid() {
			delete(n.used6, ep.ip6)
		}
	}
	ep.ip, ep.ip6 = netip.Addr{}, netip.Addr{}
}

// overlaps finds a network whose pool of p's family overlaps p.
func (e *Engine) overlaps(p netip.Prefix) *network {
	for _, name := range e.netOrder {
		n := e.nets[name]
		if n.ovl != nil { // the swarm's pools are its own (rule swarm.overlay-pool)
			continue
		}
		for _, s := range []netip.Prefix{n.subnet, n.subnet6} {
			if s.IsValid() && s.Overlaps(p) {
				return n
			}
		}
	}
	return nil
}

// userPool checks a --subnet (with its --ip-range and --gateway) against
// the networks that exist (rule ipam.user-subnet); an unset range or
// gateway stays invalid (the defaults come in addNetwork).
func (e *Engine) userPool(pl pool) (subnet, ipRange netip.Prefix, gateway netip.Addr, err error) {
	// The parsers check these; whatever slips past is the daemon's refusal,
	// never a panic.
	p, err := netip.ParsePrefix(pl.subnet)
	if err != nil {
		return p, ipRange, gateway, daemonErr("invalid subnet %s: %v", pl.subnet, err)
	}
	if e.overlaps(p) != nil {
		return p, ipRange, gateway, daemonErr(dockerrules.RefusePoolOverlaps)
	}
	if pl.ipRange != "" {
		r, err := netip.ParsePrefix(pl.ipRange)
		if err != nil {
			return p, ipRange, gateway, daemonErr("invalid ip-range %s: %v", pl.ipRange, err)
		}
		if !p.Contains(r.Addr()) || r.Bits() < p.Bits() {
			return p, ipRange, gateway, daemonErr(dockerrules.RefuseRangeOutside, r, r, p)
		}
		ipRange = r
	}
	if pl.gateway != "" {
		g, err := netip.ParseAddr(pl.gateway)
		if err != nil {
			return p, ipRange, gateway, daemonErr("invalid gateway %s: %v", pl.gateway, err)
		}
		if !p.Contains(g) {
			return p, ipRange, gateway, daemonErr(dockerrules.RefuseGatewayOutside, g, p)
		}
		gateway = g
	}
	return p, ipRange, gateway, nil
}

// pool is one address family's --subnet, --ip-range and --gateway.
type pool struct{ subnet, ipRange, gateway string }

// pools sorts a spec's pools by family; a spec built by hand with an IPv6
// prefix in Subnet is read as the IPv6 pool.
func pools(spec *scenario.NetworkSpec) (v4, v6 pool) {
	v4 = pool{spec.Subnet, spec.IPRange, spec.Gateway}
	v6 = pool{spec.IPv6Subnet, spec.IPv6Range, spec.IPv6Gateway}
	if p, err := netip.ParsePrefix(v4.subnet); err == nil && !p.Addr().Is4() && v6.subnet == "" {
		v4, v6 = pool{}, v4
	}
	return v4, v6
}
