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

// Options of later releases (rules opt.gw-priority, opt.endpoint-ifname,
// opt.ipv4, opt.gateway-mode, opt.gateway-mode-isolation): how a release
// refuses what it does not know, and the simulator's own refusal of what
// it does not model yet.
const (
	// A release whose docker CLI has no such flag (pflag's words).
	RefuseUnknownFlag = "unknown flag: %s"
	// A release whose docker CLI reads --network's long form without the
	// key (docker/cli opts/network.go NetworkOpt.Set; the CLI also quotes
	// the whole value).
	RefuseNetworkFieldKey = "invalid argument for \"--network\" flag: invalid field key %s"
	// The bridge driver of 27+ (drivers/bridge newGwMode) on a mode it
	// does not know (measured on 29.8.0-beta.24: the option, the value, then
	// the driver's words).
	RefuseGatewayMode = "failed to parse %s value: %s (unknown gateway mode %s)"
	// The bridge driver of 28+ (parseNetworkOptions).
	RefuseIsolatedNotInternal = "gateway mode 'isolated' can only be used for an internal network"
	// An interface name the namespace already holds (measured on
	// 29.8.0-beta.24: the engine's words around netlink's EEXIST, naming its
	// own veth; the simulator names the endpoint's instead), or one the
	// kernel refuses (netviz's words).
	RefuseIfnameInUse   = "failed to add interface %s to sandbox: error renaming interface %q to %q: file exists"
	RefuseIfnameInvalid = "interface name %s is not one the kernel accepts (1 to 15 characters, no '/', ':' or white space)"

	// NotModelled is the simulator's refusal of what it does not reproduce
	// yet: the option, the release, why.
	NotModelled = "%s is not modelled yet (Docker %s): %s"
	// ByOlderCLI explains a CLI refusal of a release without the option.
	ByOlderCLI = " (Docker %s's CLI refuses it this way: the option came with Docker %s)"
)

// Warnings the daemon (or the CLI) prints without refusing.
const (
	// rule ports.host-mode
	WarnHostModePorts = "published ports are discarded when using host network mode"
	// An option a release does not know and its driver skips (rules
	// opt.gateway-mode, opt.trusted-host-interfaces, opt.endpoint-ifname):
	// the network is built as without it.
	WarnIgnoredOption = "%s is ignored by Docker %s, which builds the network as without it (Docker %s added it)"
	// An option that changes only traffic from outside the host (rules
	// opt.trusted-host-interfaces, opt.gateway-mode-isolation).
	WarnOutsideOnly = "%s changes only traffic from outside the host, which netviz does not predict"
)
