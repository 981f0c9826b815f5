package privs

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Effective returns the calling thread's effective capability set
// (capget(2); the same as CapEff in /proc/self/status).
func Effective() (Set, error) {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return 0, fmt.Errorf("read capabilities: %w", err)
	}
	return Set(data[0].Effective) | Set(data[1].Effective)<<32, nil
}
