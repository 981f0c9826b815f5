//go:build !linux

package discover

import "github.com/netviz/netviz/internal/nsrun"

// listSwarmNamespaces needs Linux network namespaces.
func listSwarmNamespaces(loc Location, dir string, nets []DockerNetwork) ([]SwarmNamespace, error) {
	return nil, nsrun.ErrUnsupported
}

// engineCmdline needs Linux's /proc.
func engineCmdline(loc Location) []string { return nil }

// engineComm needs Linux's /proc.
func engineComm(loc Location) (string, error) { return "", nsrun.ErrUnsupported }

// checkLocation: an engine process can be named only on Linux.
func checkLocation(loc Location) error {
	if !loc.Engine() {
		return nil
	}
	return nsrun.ErrUnsupported
}

// readIPVSFacts needs Linux's /proc.
func readIPVSFacts(loc Location, host *NamespaceSnapshot) {}
