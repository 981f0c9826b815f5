package dockerrules

import (
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// TestProfile pins every release's profile, field by field: the version
// table of DESIGN.md as rules.json states it. A change of a rule's Holds
// shows up here as the rows it moves.
func TestProfile(t *testing.T) {
	type row struct {
		field string
		// holds lists the releases of EngineMajors where the field is true.
		holds string
	}
	rows := []row{
		{"PoolRoundRobin", "20.10 23 24 25 26"},
		{"MACFromIPv4", "20.10 23 24 25 26 27"},
		{"InternalDefaultRoute", "20.10 23 24"},
		{"DriverGateway", "20.10 23 24 25 26 27 28"},
		{"InspectGivenGatewayOnly", "20.10 23 24 25 26 27 28"},
		{"InspectIPv4First", "20.10 23 24 25 26 27 28"},
		{"IPv6NeedsSubnet", "20.10 23 24 25 26"},
		{"LoopbackIPv6", "29"},
		{"IfnameNoReuse", "20.10 23 24 25 26 27"},
		{"IsolationChains", "20.10 23 24 25 26 27 28"},
		{"ForwardChains", "28 29"},
		{"KnowsGwPriority", "28 29"},
		{"KnowsEndpointIfname", "28 29"},
		{"KnowsIPv4Flag", "28 29"},
		{"KnowsTrustedHostInterfaces", "28 29"},
		{"LinkEnv", "20.10 23 24 25 26 27 28"},
		{"ShortIDAlias", "20.10 23 24 25"},
		{"InspectDefaultMode", "20.10 23 24"},
	}
	seen := map[string]bool{"Version": true, "Major": true, "GatewayModes": true}
	for _, r := range rows {
		seen[r.field] = true
		var got []string
		for _, m := range EngineMajors {
			v := reflect.ValueOf(For(m)).FieldByName(r.field)
			if !v.IsValid() {
				t.Fatalf("Profile has no field %s", r.field)
			}
			if v.Bool() {
				got = append(got, m)
			}
		}
		if strings.Join(got, " ") != r.holds {
			t.Errorf("%s holds for %q, want %q", r.field, strings.Join(got, " "), r.holds)
		}
	}
	typ := reflect.TypeOf(Profile{})
	for i := range typ.NumField() {
		if !seen[typ.Field(i).Name] {
			t.Errorf("Profile.%s is pinned by no row", typ.Field(i).Name)
		}
	}
	for v, want := range map[string]string{"20.10": "", "26": "", "27": "nat routed", "28": "nat routed nat-unprotected isolated", "29.8.0-beta.24": "nat routed nat-unprotected isolated"} {
		if got := strings.Join(For(v).GatewayModes, " "); got != want {
			t.Errorf("GatewayModes(%s) = %q, want %q", v, got, want)
		}
	}
	if p := For("29.8.0-beta.24"); p.Major != "29" || p.Version != "29.8.0-beta.24" || !p.KnowsGatewayMode("isolated") || p.KnowsGatewayMode("bogus") {
		t.Errorf("For(29.8.0-beta.24) = %+v", p)
	}
	if p := For("banana"); p.Major != DefaultEngineVersion || !p.PoolRoundRobin {
		t.Errorf("an unmodelled version gets %+v, want 20.10's profile", p)
	}
	for id, want := range map[string]string{"opt.gw-priority": "28", "opt.gateway-mode": "27", "mac.from-ipv4": "20.10", "no.such-rule": ""} {
		if got := FirstRelease(id); got != want {
			t.Errorf("FirstRelease(%s) = %q, want %q", id, got, want)
		}
	}
}

// TestPickDefaultPoolByVersion replays issue 10's measurement from a fresh
// daemon: three networks, rm the second, three more — 172.21, 172.22,
// 172.23 round robin (20.10), 172.19, 172.21, 172.22 lowest free (29).
func TestPickDefaultPoolByVersion(t *testing.T) {
	for v, want := range map[string]string{
		"20.10": "172.18 172.19 172.20 172.21 172.22 172.23",
		"26":    "172.18 172.19 172.20 172.21 172.22 172.23",
		"27":    "172.18 172.19 172.20 172.19 172.21 172.22",
		"29":    "172.18 172.19 172.20 172.19 172.21 172.22",
	} {
		p := For(v)
		taken := []netip.Prefix{DefaultBridgeSubnet}
		overlaps := func(x netip.Prefix) bool {
			for _, q := range taken {
				if q.Overlaps(x) {
					return true
				}
			}
			return false
		}
		cursor := 0
		var got []string
		for i := 0; i < 6; i++ {
			if i == 3 { // network rm of the second
				taken = append(taken[:2], taken[3:]...)
			}
			pool, next, ok := PickDefaultPool(p, cursor, overlaps)
			if !ok {
				t.Fatalf("%s: no pool at %d", v, i)
			}
			a := pool.Addr().As4()
			got = append(got, fmt.Sprintf("%d.%d", a[0], a[1]))
			taken, cursor = append(taken, pool), next
		}
		if strings.Join(got, " ") != want {
			t.Errorf("Docker %s: %s, want %s", v, strings.Join(got, " "), want)
		}
	}
	// Past the last pool the cursor is reset to 0 (updateStartIndex), not
	// taken modulo: with everything taken but 172.18 and 172.19, a search
	// from the last pool that takes 172.18 leaves the cursor at 0, not 2.
	free := map[string]bool{"172.18.0.0/16": true, "172.19.0.0/16": true}
	last := len(DefaultPools()) - 1
	pool, next, ok := PickDefaultPool(For("20.10"), last, func(x netip.Prefix) bool { return !free[x.String()] })
	if !ok || pool.String() != "172.18.0.0/16" || next != 0 {
		t.Errorf("from the last pool: %s, cursor %d, %v; want 172.18.0.0/16 and 0", pool, next, ok)
	}
	if _, next, _ := PickDefaultPool(For("20.10"), 99, func(netip.Prefix) bool { return false }); next != 1 {
		t.Errorf("a cursor past the list restarts at 0: next %d", next)
	}
}

func TestDevicesByVersion(t *testing.T) {
	a := netip.MustParseAddr("172.18.0.2")
	for v, want := range map[string]string{"20.10": "02:42:ac:12:00:02", "27": "02:42:ac:12:00:02", "28": "", "29": ""} {
		if got := EndpointMAC(For(v), a); got != want {
			t.Errorf("EndpointMAC on %s = %q, want %q", v, got, want)
		}
		if got := BridgeMAC(For(v), netip.MustParseAddr("172.18.0.1")); (got == "") != (want == "") {
			t.Errorf("BridgeMAC on %s = %q", v, got)
		}
	}
	if EndpointMAC(For("20.10"), netip.Addr{}) != "" {
		t.Error("a MAC for an endpoint without IPv4")
	}
	// On na, connect nb, disconnect na, connect nc, connect na.
	for v, want := range map[string]string{"20.10": "eth0 eth1 eth2 eth3", "27": "eth0 eth1 eth2 eth3", "28": "eth0 eth1 eth0 eth2", "29": "eth0 eth1 eth0 eth2"} {
		used := map[string]bool{}
		next := 0
		var got []string
		for _, step := range []string{"+na", "+nb", "-na", "+nc", "+na"} {
			if step[0] == '-' { // na was the first interface
				delete(used, got[0])
				continue
			}
			name := NextInterface(For(v), &next, func(s string) bool { return used[s] })
			used[name] = true
			got = append(got, name)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("Docker %s: %s, want %s", v, strings.Join(got, " "), want)
		}
	}
	for name, ok := range map[string]bool{"eth0": true, "web-front.1": true, "": false, "a/b": false, "a:b": false, "a b": false, ".": false, "..": false,
		"fifteen-chars-1": true, "sixteen-chars-12": false, "tab\tx": false} {
		if ValidIfname(name) != ok {
			t.Errorf("ValidIfname(%q) != %v", name, ok)
		}
	}
}
