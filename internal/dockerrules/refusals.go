package dockerrules

import "regexp"

// containerName is dockerd's container name rule (rule ctr.name): one
// character is too short (measured: `docker run --name a` is refused).
var containerName = regexp.MustCompile(`^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// ValidContainerName reports whether dockerd accepts name for a container
// (rule ctr.name).
func ValidContainerName(name string) bool { return containerName.MatchString(name) }

// NetworkMode is the network a container joins for `docker run --net v`:
// the default bridge when v is empty or "default" (rule ctr.network-mode),
// else v itself (host, none, container:X or a network's name).
func NetworkMode(v string) string {
	if v == "" || v == "default" {
		return DefaultBridgeNetwork
	}
	return v
}

// The daemon's refusals, as docker.io 20.10.24 words them after "Error
// response from daemon: " (rule ctr.refusals and the rules named). Each is
// a format: %s are names from the scenario or IDs, %q a quoted ID.
const (
	// rule ctr.name (daemon/names.go reserveName)
	RefuseInvalidName = "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
	RefuseNameInUse   = "Conflict. The container name \"/%s\" is already in use by container %q. You have to remove (or rename) that container to be able to reuse that name."

	// runconfig/errors.go ErrUnsupportedNetworkAndAlias
	RefuseAliasOffUserNetwork = "network-scoped aliases are only supported for user-defined networks"
	// runconfig/errors.go ErrConflictHostNetworkAndLinks (host, none)
	RefuseLinksWithMode = "conflicting options: %s type networking can't be used with links. This would result in undefined behavior"
	// runconfig/errors.go ErrConflictNetworkPublishPorts, …AndAliases, …AndLinks (container:)
	RefuseContainerModeOptions = "conflicting options: port publishing, aliases and links cannot be combined with container type networking"
	// rule ipam.pinned-ip: runconfig/errors.go ErrUnsupportedNetworkNoSubnetAndIP
	RefuseIPWithoutUserSubnet = "user specified IP address is supported only when connecting to networks with user configured subnets"
	RefuseIPOutsideSubnet     = "Invalid address %s: It does not belong to any of this network's subnets"
	RefuseAddressInUse        = "Address already in use"
	// rule ipam.lowest-free-address: ipamapi.ErrNoAvailableIPs, worded by the daemon
	RefuseNoAddresses = "no available %s addresses on this network's address pools: %s (%s)"

	RefuseNoSuchContainer = "No such container: %s"
	RefuseNoSuchNetwork   = "network %s not found"
	RefuseLinkTarget      = "could not get container for %s"
	RefuseLinkNotRunning  = "Cannot link to a non running container: /%s AS /%s/%s"
	RefuseJoinNotRunning  = "cannot join network of a non running container: %s"
	// daemon/delete.go
	RefuseRemoveRunning = "You cannot remove a running container %s. Stop the container before attempting removal or force remove"

	// runconfig/errors.go ErrConflictSharedNetwork
	RefuseConnectShared  = "container sharing network namespace with another container or host cannot be connected to any other network"
	RefuseAlreadyOn      = "endpoint with name %s already exists in network %s"
	RefuseNotConnected   = "container %s is not connected to network %s"
	RefuseDisconnectHost = "container cannot be disconnected from host network or connected to host network"

	RefuseNetworkExists   = "network with name %s already exists"
	RefusePredefined      = "%s is a pre-defined network and cannot be removed"
	RefuseActiveEndpoints = "error while removing network: network %s id %s has active endpoints"
	// rule ipam.user-subnet: ipamapi.ErrPoolOverlap
	RefusePoolOverlaps   = "Pool overlaps with other one on this address space"
	RefuseRangeOutside   = "Invalid subnet %s : %s is not within %s"
	RefuseGatewayOutside = "Invalid gateway %s: It does not belong to %s"
	// rule ipam.default-pools
	RefuseNoDefaultPool = "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network"
)

// Warnings the daemon (or the CLI) prints without refusing.
const (
	// rule ports.host-mode
	WarnHostModePorts = "published ports are discarded when using host network mode"
)
