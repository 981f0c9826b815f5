package discover

import "net/netip"

// The snapshot types are plain data gathered by the privileged, OS-specific
// readers (the Docker API, netlink in each namespace). Build turns them into a
// graph.Model with pure code, so the matching logic is unit-tested without
// root, a kernel or an engine.

// DockerSnapshot is what the Docker Engine API said.
type DockerSnapshot struct {
	Host       string // the engine address asked
	Version    string // engine version
	APIVersion string // negotiated API version
	Containers []DockerContainer
	Networks   []DockerNetwork
	// Vanished names containers listed but gone before they could be inspected.
	Vanished []string
}

// DockerContainer is the networking part of `docker inspect CONTAINER`.
type DockerContainer struct {
	ID          string
	Name        string // without the leading slash
	Image       string
	State       string // running, exited, ...
	Pid         int
	SandboxKey  string
	Hostname    string
	NetworkMode string   // bridge, host, none, container:ID, default, or a network name
	Links       []string // HostConfig.Links, "/target:/container/alias"
	Endpoints   []DockerEndpoint
	Ports       []DockerPort
}

// DockerEndpoint is one entry of NetworkSettings.Networks.
type DockerEndpoint struct {
	Network   string // network name
	NetworkID string
	IPv4      netip.Prefix // address/prefix length
	IPv6      netip.Prefix
	Gateway   netip.Addr
	MAC       string
	Aliases   []string
	DNSNames  []string // API ≥ 1.44
	Links     []string // "target:alias"
}

// DockerPort is one published port binding.
type DockerPort struct {
	Proto         string
	ContainerPort int
	HostIP        netip.Addr // zero: every address
	HostPort      int
}

// DockerNetwork is the part of `docker network inspect` netviz draws.
type DockerNetwork struct {
	ID         string
	Name       string
	Driver     string
	Scope      string
	Internal   bool
	EnableIPv6 bool
	Options    map[string]string
	Subnets    []DockerSubnet
}

// DockerSubnet is one IPAM config entry.
type DockerSubnet struct {
	Subnet  netip.Prefix
	Gateway netip.Addr
	IPRange netip.Prefix
}

// NamespaceSnapshot is what netlink said about one network namespace.
// Equivalent to `ip -d link show` and `ip addr show` run inside it.
type NamespaceSnapshot struct {
	Inode uint64
	Host  bool   // netviz's own namespace
	Path  string // where it was opened
	// Containers are the Docker IDs of the containers found in it.
	Containers []string
	Links      []LinkSnapshot
	// DefaultRouteIndex is the ifindex holding the IPv4 default route (0: none).
	DefaultRouteIndex int
	// HostNSID is the id this namespace gives the host namespace
	// (IFLA_LINK_NETNSID of links whose other end is in the host), -1 if none.
	HostNSID int
	// PeerNSIDs (host namespace only) maps the ids the host gives other
	// namespaces to their inodes.
	PeerNSIDs map[int]uint64
}

// LinkSnapshot is one link as netlink reports it.
type LinkSnapshot struct {
	Index       int
	Name        string
	Type        string // netlink's: device, veth, bridge, macvlan, vxlan, ...
	MAC         string
	MTU         int
	OperState   string
	Loopback    bool
	MasterIndex int
	// ParentIndex is IFLA_LINK: the veth peer's index, or a macvlan/vlan's
	// parent index, in the namespace named by LinkNetNSID.
	ParentIndex int
	// LinkNetNSID is IFLA_LINK_NETNSID, -1 when the other end is in the same
	// namespace.
	LinkNetNSID int
	Addrs       []netip.Prefix // as the kernel lists them
}

// NamespaceRead is what ReadNamespaces found.
type NamespaceRead struct {
	// Snapshots hold the host namespace first, then every container
	// namespace that could be read.
	Snapshots []NamespaceSnapshot
	// Warnings are problems with single namespaces, in words.
	Warnings []string
	// Denied is set when container namespaces could not be entered for want
	// of privilege: their absence is no sign of churn.
	Denied bool
}
