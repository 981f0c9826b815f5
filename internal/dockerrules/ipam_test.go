package dockerrules

import (
	"net/netip"
	"testing"
)

func TestFirstFree(t *testing.T) {
	p, a := netip.MustParsePrefix, netip.MustParseAddr
	tests := []struct {
		name            string
		ipRange, subnet string
		taken           []string
		want            string // "" for full
	}{
		{"gateway taken: .2", "172.18.0.0/16", "172.18.0.0/16", []string{"172.18.0.1"}, "172.18.0.2"},
		{"freed address comes back first", "10.0.0.0/24", "10.0.0.0/24", []string{"10.0.0.1", "10.0.0.3"}, "10.0.0.2"},
		// Measured: --subnet 192.168.77.0/24 --ip-range 192.168.77.64/26 hands out .64.
		{"a range's own first address is usable", "192.168.77.64/26", "192.168.77.0/24", []string{"192.168.77.1"}, "192.168.77.64"},
		{"the subnet's network address never", "172.72.0.0/24", "172.72.0.0/16", []string{"172.72.0.1"}, "172.72.0.2"},
		{"nor its broadcast", "10.0.0.0/30", "10.0.0.0/30", []string{"10.0.0.1", "10.0.0.2"}, ""},
		{"IPv6: ::0 is the subnet-router anycast", "fd00:1::/64", "fd00:1::/64", []string{"fd00:1::1"}, "fd00:1::2"},
		{"IPv6 has no broadcast", "fd00::/127", "fd00::/127", nil, "fd00::1"},
	}
	for _, tt := range tests {
		taken := map[netip.Addr]bool{}
		for _, s := range tt.taken {
			taken[a(s)] = true
		}
		got, ok := FirstFree(p(tt.ipRange), p(tt.subnet), func(x netip.Addr) bool { return taken[x] })
		if tt.want == "" {
			if ok {
				t.Errorf("%s: got %s, want none", tt.name, got)
			}
			continue
		}
		if !ok || got != a(tt.want) {
			t.Errorf("%s: got %s %v, want %s", tt.name, got, ok, tt.want)
		}
	}
}

func TestDefaultPools(t *testing.T) {
	pools := DefaultPools()
	if len(pools) != 31 || pools[0].String() != "172.17.0.0/16" || pools[14].String() != "172.31.0.0/16" || pools[15].String() != "192.168.0.0/20" || pools[30].String() != "192.168.240.0/20" {
		t.Fatalf("%v", pools)
	}
	pools[0] = netip.Prefix{} // a copy: the rule is not changed by a caller
	if DefaultPools()[0].String() != "172.17.0.0/16" {
		t.Error("DefaultPools handed out its own slice")
	}
	for _, p := range DefaultPools() {
		if !FromDefaultPools(p) {
			t.Errorf("FromDefaultPools(%s) = false", p)
		}
	}
	for _, s := range []string{"172.16.0.0/16", "172.32.0.0/16", "10.0.0.0/8", "192.168.0.0/24", "fd00::/64"} {
		if FromDefaultPools(netip.MustParsePrefix(s)) {
			t.Errorf("FromDefaultPools(%s) = true", s)
		}
	}
	// The bridge holds 172.17, a user network 172.18: the next is 172.19.
	taken := []netip.Prefix{DefaultBridgeSubnet, netip.MustParsePrefix("172.18.0.0/16")}
	overlaps := func(p netip.Prefix) bool {
		for _, q := range taken {
			if q.Overlaps(p) {
				return true
			}
		}
		return false
	}
	for _, v := range []string{"20.10", "29"} {
		if got, _, ok := PickDefaultPool(For(v), 0, overlaps); !ok || got.String() != "172.19.0.0/16" {
			t.Errorf("%s: PickDefaultPool = %s %v", v, got, ok)
		}
		if _, next, ok := PickDefaultPool(For(v), 3, func(netip.Prefix) bool { return true }); ok || next != 3 {
			t.Errorf("%s: a pool when every one is taken, or the cursor moved to %d", v, next)
		}
	}
	if g := DefaultGateway(netip.MustParsePrefix("10.7.0.0/24")); g.String() != "10.7.0.1" {
		t.Errorf("gateway %s", g)
	}
}

func TestDevices(t *testing.T) {
	if got := MACFromIPv4(netip.MustParseAddr("172.18.0.2")); got != "02:42:ac:12:00:02" {
		t.Errorf("MAC %s", got)
	}
	if got := MACFromIPv4(netip.MustParseAddr("fd00::1:2")); got != "02:42:00:01:00:02" {
		t.Errorf("MAC of an IPv6 address %s", got)
	}
	id := "3f4d5e6f7a8b9c0d"
	for _, tt := range []struct {
		net  string
		opts map[string]string
		want string
	}{
		{"bridge", nil, "docker0"},
		{"mybridge", nil, "br-3f4d5e6f7a8b"},
		{"mybridge", map[string]string{BridgeOption: "mybr0"}, "mybr0"},
	} {
		if got := BridgeName(tt.net, id, tt.opts); got != tt.want {
			t.Errorf("BridgeName(%s, %v) = %s", tt.net, tt.opts, got)
		}
	}
	if BridgeName("x", "short", nil) != "" || DummyParent("short") != "" || DummyParent(id) != "dm-3f4d5e6f7a8b" {
		t.Error("names from short or long IDs")
	}
	if ContainerInterface(2) != "eth2" || VethName("abcdef0123") != "vethabcdef0" {
		t.Error("interface names")
	}
	if !ICC(nil) || ICC(map[string]string{ICCOption: "false"}) {
		t.Error("ICC")
	}
	if NetworkMode("") != "bridge" || NetworkMode("default") != "bridge" || NetworkMode("container:a") != "container:a" {
		t.Error("network mode")
	}
	for name, ok := range map[string]bool{"a": false, "ab": true, "/web-1.x_y": true, "-web": false, "we b": false} {
		if ValidContainerName(name) != ok {
			t.Errorf("ValidContainerName(%q) != %v", name, ok)
		}
	}
}

// TestNextFree: a swarm network's allocator goes on after the last address
// it handed out, freed ones behind it wait for the wrap (measured on 29: a
// service created after another was removed got VIP .5, not the freed .2).
func TestNextFree(t *testing.T) {
	p, a := netip.MustParsePrefix, netip.MustParseAddr
	for _, tt := range []struct {
		name  string
		rng   string
		after string
		taken []string
		want  string
	}{
		{"none handed out yet: the lowest free", "10.0.1.0/24", "", []string{"10.0.1.1"}, "10.0.1.2"},
		{"after the last, not the freed", "10.0.1.0/24", "10.0.1.4", []string{"10.0.1.1"}, "10.0.1.5"},
		{"taken ones skipped", "10.0.1.0/24", "10.0.1.4", []string{"10.0.1.1", "10.0.1.5", "10.0.1.6"}, "10.0.1.7"},
		{"wraps past the broadcast", "10.0.1.0/24", "10.0.1.254", []string{"10.0.1.1"}, "10.0.1.2"},
		{"the last itself, once freed, after the wrap", "10.0.1.0/30", "10.0.1.2", []string{"10.0.1.1"}, "10.0.1.2"},
		{"full", "10.0.1.0/30", "10.0.1.2", []string{"10.0.1.1", "10.0.1.2"}, ""},
	} {
		taken := map[netip.Addr]bool{}
		for _, s := range tt.taken {
			taken[a(s)] = true
		}
		var after netip.Addr
		if tt.after != "" {
			after = a(tt.after)
		}
		got, ok := NextFree(p(tt.rng), p(tt.rng), after, func(x netip.Addr) bool { return taken[x] })
		if tt.want == "" {
			if ok {
				t.Errorf("%s: got %s, want none", tt.name, got)
			}
			continue
		}
		if !ok || got != a(tt.want) {
			t.Errorf("%s: got %s %v, want %s", tt.name, got, ok, tt.want)
		}
	}
}
