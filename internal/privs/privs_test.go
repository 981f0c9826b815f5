package privs

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestSet(t *testing.T) {
	tests := []struct {
		set     Set
		missing string
	}{
		{0, "CAP_NET_RAW and CAP_SYS_ADMIN"},
		{1 << NetRaw, "CAP_SYS_ADMIN"},
		{1 << SysAdmin, "CAP_NET_RAW"},
		{1<<NetRaw | 1<<SysAdmin, ""},
		{0x000001ffffffffff, ""},              // root's full set (CapEff of a root shell)
		{0x00000000a80425fb, "CAP_SYS_ADMIN"}, // Docker's default container set
	}
	for _, tt := range tests {
		if got := Names(tt.set.Missing(NetRaw, SysAdmin)); got != tt.missing {
			t.Errorf("Set(%#x).Missing = %q, want %q", uint64(tt.set), got, tt.missing)
		}
	}
	if got := Cap(40).String(); got != "capability 40" {
		t.Errorf("Cap(40) = %q", got)
	}
}

// TestEffectiveMatchesProc compares capget with the kernel's own account in
// /proc/self/status.
func TestEffectiveMatchesProc(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("capabilities are Linux only")
	}
	got, err := Effective()
	if err != nil {
		t.Fatal(err)
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			want, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				t.Fatal(err)
			}
			if uint64(got) != want {
				t.Fatalf("Effective() = %#x, /proc/self/status CapEff = %#x", uint64(got), want)
			}
			return
		}
	}
	t.Fatal("no CapEff line in /proc/self/status")
}
