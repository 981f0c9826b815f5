//go:build !linux

package discover

import "github.com/netviz/netviz/internal/nsrun"

// ReadNamespaces needs Linux network namespaces.
func ReadNamespaces(containers []DockerContainer) (NamespaceRead, error) {
	return NamespaceRead{}, nsrun.ErrUnsupported
}

// ReadNamespacesAt needs Linux network namespaces.
func ReadNamespacesAt(loc Location, containers []DockerContainer, dir string, swarm []SwarmNamespace) (NamespaceRead, error) {
	return NamespaceRead{}, nsrun.ErrUnsupported
}

// Root reports whether netviz runs with the privileges namespace discovery
// needs; never outside Linux.
func Root() bool { return false }
