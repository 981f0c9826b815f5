package dockerrules

import "slices"

// Profile is how one engine release behaves where releases differ. Each
// field is one rule of the catalogue (Rules, rules.json), true when the
// rule's Holds contains the release: the versions live in rules.json only,
// and this struct is their typed view for the code that applies them
// (internal/sim). For builds it.
//
// Fields marked "recorded" change what an engine reports but nothing in
// graph.Model depends on them (live discovery normalises the difference);
// they are here so that every row of the version table has one home.
type Profile struct {
	// Version is the engine version asked for ("29.8.0-beta.24"), Major its
	// release in EngineMajors ("29").
	Version, Major string

	// PoolRoundRobin: default pools are handed out round robin, a released
	// one not reused until the search wraps around (rule
	// ipam.pool-round-robin); else the lowest free one (rule
	// ipam.pool-lowest-free).
	PoolRoundRobin bool
	// MACFromIPv4: an endpoint's MAC is 02:42 and its IPv4 address (rule
	// mac.from-ipv4); else it is random and a model built without an
	// engine leaves it out.
	MACFromIPv4 bool
	// InternalDefaultRoute: an endpoint on an --internal network gets the
	// network's gateway as its default route (rule
	// ep.internal-default-route).
	InternalDefaultRoute bool
	// DriverGateway: a macvlan or ipvlan network without --gateway still
	// reserves its pool's first address as the gateway and routes through
	// it (rule ipam.driver-gateway).
	DriverGateway bool
	// InspectGivenGatewayOnly: inspect lists the gateway of a pool given
	// with --subnet only if --gateway gave it (rule ipam.inspect-gateway).
	InspectGivenGatewayOnly bool
	// InspectIPv4First: inspect lists the IPv4 pool before the IPv6 one;
	// else the pools given with --subnet come first (rule
	// ipam.inspect-order).
	InspectIPv4First bool
	// IPv6NeedsSubnet: --ipv6 without an IPv6 --subnet gives no IPv6 pool;
	// else the engine draws one of its own (rule ipam.ipv6-needs-subnet).
	IPv6NeedsSubnet bool
	// LoopbackIPv6: lo of every container namespace has ::1, IPv4-only ones
	// included (rule ns.loopback-ipv6).
	LoopbackIPv6 bool
	// IfnameNoReuse: a running container's interface numbers only grow
	// (rule ep.ifname-no-reuse); else the lowest free ethN is taken (rule
	// ep.ifname-lowest-free).
	IfnameNoReuse bool
	// IsolationChains: bridges are isolated in DOCKER-ISOLATION-STAGE-1/2
	// (rule fw.isolation-chains); ForwardChains: the FORWARD rules live in
	// DOCKER-FORWARD and its sub-chains (rule fw.forward-chains).
	IsolationChains, ForwardChains bool

	// Options a release knows (the rest it refuses or ignores; see
	// refusals.go): --gw-priority (rule opt.gw-priority), the endpoint
	// option com.docker.network.endpoint.ifname (rule opt.endpoint-ifname),
	// --ipv4 (rule opt.ipv4), the bridge's gateway modes (rules
	// opt.gateway-mode and opt.gateway-mode-isolation) and
	// com.docker.network.bridge.trusted_host_interfaces (rule
	// opt.trusted-host-interfaces).
	KnowsGwPriority, KnowsEndpointIfname, KnowsIPv4Flag, KnowsTrustedHostInterfaces bool
	GatewayModes                                                                    []string

	// LinkEnv (recorded): --link sets 7 environment variables per link
	// (rule dns.link-env).
	LinkEnv bool
	// ShortIDAlias (recorded): inspect lists the short container ID among
	// an endpoint's Aliases (rule dns.short-id-alias).
	ShortIDAlias bool
	// InspectDefaultMode (recorded): inspect reports the network mode of a
	// plain docker run as "default" (rule ctr.inspect-network-mode).
	InspectDefaultMode bool
}

// Gateway modes of a bridge network (com.docker.network.bridge.gateway_mode_ipv4
// and _ipv6; rules opt.gateway-mode and opt.gateway-mode-isolation).
const (
	GatewayModeNAT            = "nat"
	GatewayModeRouted         = "routed"
	GatewayModeNATUnprotected = "nat-unprotected"
	GatewayModeIsolated       = "isolated"
)

// For is the profile of engine version v (any form Major accepts). A
// version netviz does not model (CheckEngineVersion refuses it) gets the
// profile of DefaultEngineVersion, whose behaviour was measured.
func For(v string) Profile {
	major, ok := Major(v)
	if !ok {
		major = DefaultEngineVersion
	}
	h := func(id string) bool {
		r, ok := Lookup(id)
		if !ok {
			panic("dockerrules: profile names rule " + id + ", which is not in rules.json") // TestProfile catches it
		}
		return r.Holds.Contains(major)
	}
	p := Profile{
		Version:                    v,
		Major:                      major,
		PoolRoundRobin:             h("ipam.pool-round-robin"),
		MACFromIPv4:                h("mac.from-ipv4"),
		InternalDefaultRoute:       h("ep.internal-default-route"),
		DriverGateway:              h("ipam.driver-gateway"),
		InspectGivenGatewayOnly:    h("ipam.inspect-gateway"),
		InspectIPv4First:           h("ipam.inspect-order"),
		IPv6NeedsSubnet:            h("ipam.ipv6-needs-subnet"),
		LoopbackIPv6:               h("ns.loopback-ipv6"),
		IfnameNoReuse:              h("ep.ifname-no-reuse"),
		IsolationChains:            h("fw.isolation-chains"),
		ForwardChains:              h("fw.forward-chains"),
		KnowsGwPriority:            h("opt.gw-priority"),
		KnowsEndpointIfname:        h("opt.endpoint-ifname"),
		KnowsIPv4Flag:              h("opt.ipv4"),
		KnowsTrustedHostInterfaces: h("opt.trusted-host-interfaces"),
		LinkEnv:                    h("dns.link-env"),
		ShortIDAlias:               h("dns.short-id-alias"),
		InspectDefaultMode:         h("ctr.inspect-network-mode"),
	}
	if h("opt.gateway-mode") {
		p.GatewayModes = append(p.GatewayModes, GatewayModeNAT, GatewayModeRouted)
	}
	if h("opt.gateway-mode-isolation") {
		p.GatewayModes = append(p.GatewayModes, GatewayModeNATUnprotected, GatewayModeIsolated)
	}
	return p
}

// KnowsGatewayMode reports whether the release accepts mode as a bridge
// gateway mode (rules opt.gateway-mode and opt.gateway-mode-isolation).
func (p Profile) KnowsGatewayMode(mode string) bool { return slices.Contains(p.GatewayModes, mode) }

// FirstRelease is the oldest release of EngineMajors the rule holds for
// ("" when it holds for none): the release that introduced an option.
func FirstRelease(id string) string {
	r, ok := Lookup(id)
	if !ok {
		return ""
	}
	for _, m := range EngineMajors {
		if r.Holds.Contains(m) {
			return m
		}
	}
	return ""
}

// Chains are the filter-table chains the release makes, sorted (rules
// fw.isolation-chains and fw.forward-chains): what `iptables -S` lists of
// Docker's on a fresh host.
func (p Profile) Chains() []string {
	out := []string{"DOCKER", "DOCKER-USER"}
	if p.IsolationChains {
		out = append(out, "DOCKER-ISOLATION-STAGE-1", "DOCKER-ISOLATION-STAGE-2")
	}
	if p.ForwardChains {
		out = append(out, "DOCKER-BRIDGE", "DOCKER-CT", "DOCKER-FORWARD", "DOCKER-INTERNAL")
	}
	slices.Sort(out)
	return out
}
