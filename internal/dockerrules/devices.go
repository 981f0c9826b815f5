package dockerrules

import (
	"fmt"
	"net/netip"
)

// MACFromIPv4 is the MAC address Docker gives an interface with IPv4
// address a: 02:42 and the address's four bytes (rule mac.from-ipv4,
// engines up to 27). Should an IPv6 address be passed, its last four bytes
// stand in rather than a panic (As4 would).
func MACFromIPv4(a netip.Addr) string {
	b := a.As16() // an IPv4 address ends in its four bytes (::ffff:a.b.c.d)
	return fmt.Sprintf("02:42:%02x:%02x:%02x:%02x", b[12], b[13], b[14], b[15])
}

// EndpointMAC is the MAC address a container endpoint with IPv4 address a
// has on the release of p, as far as it can be known without the engine
// (rule mac.from-ipv4): 02:42 and the address up to 27; "" from 28, whose
// MACs are random — the model's MAC field is optional, so a simulated
// model leaves it out rather than claim one. An endpoint without IPv4 has
// a random MAC on every release.
func EndpointMAC(p Profile, a netip.Addr) string {
	if !p.MACFromIPv4 || !a.IsValid() {
		return ""
	}
	return MACFromIPv4(a)
}

// BridgeMAC is the MAC address the simulator gives a bridge whose gateway
// is gw: derived like an endpoint's up to 27, "" from 28 (rule
// mac.from-ipv4; its Gap: the engine draws a bridge's MAC at random).
func BridgeMAC(p Profile, gw netip.Addr) string { return EndpointMAC(p, gw) }

// BridgeOption names the network option that sets a bridge network's
// Linux bridge (rule dev.bridge-name).
const BridgeOption = "com.docker.network.bridge.name"

// ICCOption is the bridge option that turns inter-container communication
// off with "false" (rule reach.same-network).
const ICCOption = "com.docker.network.bridge.enable_icc"

// ICC reports whether containers on a bridge network with these options
// may talk to each other: unless com.docker.network.bridge.enable_icc is
// "false" (rule reach.same-network).
func ICC(options map[string]string) bool { return options[ICCOption] != "false" }

// BridgeName is the Linux bridge behind a bridge network (rule
// dev.bridge-name): the com.docker.network.bridge.name option when set,
// docker0 for the default bridge, else br- and the first 12 hex digits of
// the network's ID; "" when the ID is too short to name it.
func BridgeName(network, id string, options map[string]string) string {
	if name := options[BridgeOption]; name != "" {
		return name
	}
	if network == DefaultBridgeNetwork {
		return DefaultBridgeDevice
	}
	if len(id) >= 12 {
		return "br-" + id[:12]
	}
	return ""
}

// DummyParent is the parent a macvlan network created without -o parent
// hangs off: dm- and the first 12 hex digits of the network's ID (rule
// dev.dummy-parent; "" when the ID is too short).
func DummyParent(id string) string {
	if len(id) < 12 {
		return ""
	}
	return "dm-" + id[:12]
}

// ContainerInterface is the name of a container's n-th interface, counted
// from 0 as the namespace hands them out: eth0, eth1, … (rules
// ep.join-order and ep.ifname-no-reuse).
func ContainerInterface(n int) string { return fmt.Sprintf("eth%d", n) }

// NextInterface names the interface a joining endpoint gets when no
// com.docker.network.endpoint.ifname names it. next counts the ethN the
// namespace handed out since it was created; inUse says whether a name is
// taken in the namespace now. Up to 27 the number only grows, so a number
// a disconnect freed is not taken again (rule ep.ifname-no-reuse); from 28
// the lowest ethN not in use is taken (rule ep.ifname-lowest-free).
func NextInterface(p Profile, next *int, inUse func(string) bool) string {
	if p.IfnameNoReuse {
		name := ContainerInterface(*next)
		*next++
		return name
	}
	for n := 0; ; n++ {
		if name := ContainerInterface(n); !inUse(name) {
			*next = max(*next, n+1)
			return name
		}
	}
}

// EndpointIfnameOption is the endpoint option (network connect
// --driver-opt, --network name=NET,driver-opt=…) that names a container's
// interface on that network (rule opt.endpoint-ifname, 28+).
const EndpointIfnameOption = "com.docker.network.endpoint.ifname"

// ValidIfname reports whether the kernel accepts name for an interface:
// 1 to 15 bytes, not "." or "..", no "/", ":" or white space
// (dev_valid_name), as a com.docker.network.endpoint.ifname must be.
func ValidIfname(name string) bool {
	if name == "" || len(name) > 15 || name == "." || name == ".." {
		return false
	}
	for _, r := range name {
		if r == '/' || r == ':' || r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

// Bridge network options of Docker 27 and later (rules opt.gateway-mode,
// opt.gateway-mode-isolation and opt.trusted-host-interfaces), and 27's
// experimental form of --ipv4=false (rule opt.ipv4).
const (
	GatewayModeIPv4Option       = "com.docker.network.bridge.gateway_mode_ipv4"
	GatewayModeIPv6Option       = "com.docker.network.bridge.gateway_mode_ipv6"
	TrustedHostInterfacesOption = "com.docker.network.bridge.trusted_host_interfaces"
	EnableIPv4Option            = "com.docker.network.enable_ipv4"
)

// VethName is the host end of a container's veth: veth and the first seven
// of the hex digits given (rule dev.veth-name; Docker draws them at random).
func VethName(hexDigits string) string { return "veth" + hexDigits[:7] }

// FirstEphemeralPort is the first host port of the dynamic range a
// published port without a host port is given (rule ports.ephemeral).
const FirstEphemeralPort = 49153

// UnspecifiedBinds are the host addresses a port published without a host
// IP is bound on: both families (rule ports.ephemeral).
func UnspecifiedBinds() []netip.Addr {
	return []netip.Addr{netip.IPv4Unspecified(), netip.IPv6Unspecified()}
}
