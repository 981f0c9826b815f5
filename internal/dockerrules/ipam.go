package dockerrules

import "net/netip"

// Default bridge (rule ipam.default-bridge): the predefined network bridge,
// its Linux bridge and pool.
const (
	DefaultBridgeNetwork = "bridge"
	DefaultBridgeDevice  = "docker0"
)

// DefaultBridgeSubnet is the default bridge's pool (rule ipam.default-bridge).
var DefaultBridgeSubnet = netip.MustParsePrefix("172.17.0.0/16")

// Predefined reports whether name is one of the networks every engine has
// and none can remove: bridge, host, none (rule ipam.default-bridge).
func Predefined(name string) bool {
	return name == DefaultBridgeNetwork || name == "host" || name == "none"
}

// defaultPools is dockerd's list of default address pools, in the order
// they are tried (rule ipam.default-pools): localScopeDefaultNetworks split
// into blocks, 172.17.0.0/16 … 172.31.0.0/16 then 192.168.0.0/16 in /20s.
var defaultPools = func() []netip.Prefix {
	var out []netip.Prefix
	for b := 17; b <= 31; b++ {
		out = append(out, netip.PrefixFrom(netip.AddrFrom4([4]byte{172, byte(b), 0, 0}), 16))
	}
	for b := 0; b < 256; b += 16 {
		out = append(out, netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 168, byte(b), 0}), 20))
	}
	return out
}()

// DefaultPools lists dockerd's default address pools in the order they are
// tried (rule ipam.default-pools). The slice is a copy.
func DefaultPools() []netip.Prefix { return append([]netip.Prefix(nil), defaultPools...) }

// FromDefaultPools reports whether p is a subnet dockerd hands out by itself
// (rule ipam.default-pools): a /16 of 172.17–31 or a /20 of 192.168.
func FromDefaultPools(p netip.Prefix) bool {
	if !p.Addr().Is4() {
		return false
	}
	a := p.Addr().As4()
	return (p.Bits() == 16 && a[0] == 172 && a[1] >= 17 && a[1] <= 31) || (p.Bits() == 20 && a[0] == 192 && a[1] == 168)
}

// PickDefaultPool returns the subnet a network created without --subnet
// gets from the default pools (rule ipam.default-pools), and where the next
// search starts. A fresh daemon's search starts at 0; the default bridge's
// 172.17, requested by address, does not move it.
//
// Releases up to 26 go round robin (rule ipam.pool-round-robin), mirroring
// libnetwork's getPredefinedPool: the search starts at the cursor, wraps
// around the list, takes the first pool that overlaps no existing network,
// and moves the cursor to just after it — cursor+i+1 for the i-th pool
// tried, back to 0 when that is past the last pool (updateStartIndex: a
// reset, not a modulo). A pool a removed network released is thus not
// reused until the search wraps around. Releases from 27 take the lowest
// free pool and leave the cursor alone (rule ipam.pool-lowest-free).
//
// ok is false when every pool is taken ("could not find an available,
// non-overlapping IPv4 address pool among the defaults"); the cursor does
// not move then.
func PickDefaultPool(p Profile, cursor int, overlapsExisting func(netip.Prefix) bool) (pool netip.Prefix, next int, ok bool) {
	if !p.PoolRoundRobin {
		for _, pl := range defaultPools {
			if !overlapsExisting(pl) {
				return pl, cursor, true
			}
		}
		return netip.Prefix{}, cursor, false
	}
	n := len(defaultPools)
	if cursor < 0 || cursor >= n {
		cursor = 0 // getPredefineds: "defensive in case the list changed"
	}
	for i := range n {
		pl := defaultPools[(cursor+i)%n]
		if overlapsExisting(pl) {
			continue
		}
		next = cursor + i + 1
		if next >= n {
			next = 0
		}
		return pl, next, true
	}
	return netip.Prefix{}, cursor, false
}

// DefaultGateway is the gateway of a subnet created without --gateway: the
// first address after the network address, .1 or ::1 (rule ipam.gateway).
func DefaultGateway(subnet netip.Prefix) netip.Addr { return subnet.Masked().Addr().Next() }

// FirstFree is the address the IPAM hands out next from ipRange (the
// subnet itself when no --ip-range was given): its lowest address that is
// neither taken nor reserved (rules ipam.lowest-free-address and
// ipam.reserved-addresses). The range's own first address is usable —
// measured: --subnet 192.168.77.0/24 --ip-range 192.168.77.64/26 hands out
// .64 first. ok is false when the range is full.
func FirstFree(ipRange, subnet netip.Prefix, taken func(netip.Addr) bool) (netip.Addr, bool) {
	network := subnet.Masked().Addr()
	for a := ipRange.Masked().Addr(); ipRange.Contains(a) && !isBroadcast(subnet, a); a = a.Next() {
		if a == network {
			continue
		}
		if !taken(a) {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// NextFree is the address a swarm network's allocator hands out next
// (rule swarm.serial-address): the first address after the last one it
// handed out (after) that is neither taken nor reserved, wrapping to the
// start of the range; FirstFree when it has handed out none. An address a
// removed task released is not handed out again until the allocator
// comes round to it.
func NextFree(ipRange, subnet netip.Prefix, after netip.Addr, taken func(netip.Addr) bool) (netip.Addr, bool) {
	if !after.IsValid() || !ipRange.Contains(after) {
		return FirstFree(ipRange, subnet, taken)
	}
	network := subnet.Masked().Addr()
	free := func(a netip.Addr) bool { return a != network && !isBroadcast(subnet, a) && !taken(a) }
	for a := after.Next(); a.IsValid() && ipRange.Contains(a); a = a.Next() {
		if free(a) {
			return a, true
		}
	}
	for a := ipRange.Masked().Addr(); a.IsValid() && ipRange.Contains(a) && a.Compare(after) <= 0; a = a.Next() {
		if free(a) {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// isBroadcast reports whether a is the IPv4 broadcast address of p (rule
// ipam.reserved-addresses); IPv6 has none.
func isBroadcast(p netip.Prefix, a netip.Addr) bool {
	if !a.Is4() {
		return false
	}
	b := a.As4()
	bits := p.Bits()
	host := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	mask := uint32(1)<<(32-bits) - 1
	return host&mask == mask
}
