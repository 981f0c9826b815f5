package discover

import (
	"fmt"
	"path/filepath"
	"strconv"
)

// Location says where an engine's kernel objects are when they are not in
// netviz's own namespaces: the engine's process. Its network namespace
// holds the engine's host-level objects (eth0, docker0, docker_gwbridge,
// the host ends of the veths), and its root directory the namespace files
// the engine bind-mounts under its exec-root (containers' sandboxes, the
// overlays' 1-<id>, lb_<id>, ingress_sbox), which may exist only in the
// engine's mount namespace.
//
// One engine is one Endpoint (how to talk to it) and one Location (where
// its kernel is); a run over several engines is a pair per engine.
type Location struct {
	// PID is the engine's process (dockerd), as netviz's PID namespace
	// numbers it; 0: the engine shares netviz's network and mount
	// namespaces, and its namespace files are opened where it says they are.
	PID int
}

// Engine reports whether the location names an engine process.
func (l Location) Engine() bool { return l.PID > 0 }

// NetNS is the file of the network namespace holding the engine's
// host-level objects.
func (l Location) NetNS() string {
	if !l.Engine() {
		return "/proc/self/ns/net"
	}
	return "/proc/" + strconv.Itoa(l.PID) + "/ns/net"
}

// Path turns a path as the engine sees it (a sandbox key, a file under its
// exec-root) into one netviz can open: through the engine's root
// directory, /proc/PID/root, when a process is named.
func (l Location) Path(p string) string {
	if !l.Engine() {
		return p
	}
	return fmt.Sprintf("/proc/%d/root%s", l.PID, filepath.Join("/", p))
}

// ProcNet is the file /proc/net/NAME of the engine's network namespace.
func (l Location) ProcNet(name string) string {
	if !l.Engine() {
		return filepath.Join("/proc/self/net", name)
	}
	return fmt.Sprintf("/proc/%d/net/%s", l.PID, name)
}

// String names the location for messages.
func (l Location) String() string {
	if !l.Engine() {
		return "netviz's own namespaces"
	}
	return "engine process " + strconv.Itoa(l.PID)
}
