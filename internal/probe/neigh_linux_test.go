package probe

import (
	"strings"
	"testing"
)

func TestParseARPCacheStat(t *testing.T) {
	// Read off this project's machine after a sweep that overflowed.
	const stat = `entries  allocs   destroys hash_grows lookups  hits     res_failed rcv_probes_mcast rcv_probes_ucast periodic_gc_runs forced_gc_runs unresolved_discards table_fulls
00000465 00001804 0000005a 00000003   00000166 0000005d 00000000   00000000         00000000         00000000         00000000       00000000            00001804
00000465 00001b0f 00000044 00000000   000000dc 0000001d 00000000   00000000         00000000         0000001e         00000000       00000000            00001b0f
`
	u, err := parseARPCacheStat(strings.NewReader(stat))
	if err != nil {
		t.Fatal(err)
	}
	if u.Entries != 0x465 || u.Overflows != 0x1804+0x1b0f {
		t.Errorf("got %+v, want 1125 entries and %d overflows", u, 0x1804+0x1b0f)
	}
	for _, bad := range []string{"", "entries\n", "allocs\n0001\n", "entries table_fulls\nzz 01\n"} {
		if _, err := parseARPCacheStat(strings.NewReader(bad)); err == nil {
			t.Errorf("parsed %q", bad)
		}
	}
}

func TestLiveNeighbourUsage(t *testing.T) {
	u, err := LiveNeighbours().Usage()
	if err != nil {
		t.Skipf("no /proc/net/stat/arp_cache here: %v", err)
	}
	if u.Limit <= 0 || u.Entries < 0 {
		t.Errorf("usage %+v", u)
	}
}
