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
