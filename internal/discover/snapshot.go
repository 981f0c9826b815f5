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
	// Name is the engine's host name (docker info's Name): the machine's,
	// or the UTS namespace's the engine runs in.
	Name string
	// Swarm is set when the engine is an active swarm node.
	Swarm *DockerSwarm
	// Services are the swarm's services, when the engine is a manager.
	Services []DockerService
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
	// Task is set on a container the swarm runs for a service (from its
	// com.docker.swarm.* labels).
	Task *DockerTask
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
	// The rest is known for swarm-scoped overlays only, from `docker
	// network inspect --verbose`.
	Attachable, Ingress bool
	// Peers are the nodes with endpoints on the network: networkdb name
	// and VTEP address.
	Peers []DockerPeer
	// Members are the network's endpoints on this node (inspect's
	// Containers): containers by ID, the load balancer as "lb-NAME", the
	// ingress sandbox as "ingress-sbox".
	Members []DockerMember
	// Records are the network's service records as this node knows them
	// (inspect --verbose's Services): remote tasks included.
	Records []DockerServiceRecord
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
	// PeerNSIDs maps the ids this namespace gives other namespaces to
	// their inodes. Read in the host's namespace and in the ones the
	// engine makes for swarm networks, whose links lead to containers.
	PeerNSIDs map[int]uint64
	// Kind is graph.NamespaceOverlay, NamespaceLB or NamespaceIngress for
	// a namespace the engine made for a swarm network; Name is its file's
	// name in the engine's netns directory (1-<id>, lb_<id>, ingress_sbox)
	// and Network the Docker ID of the network it serves.
	Kind, Name, Network string
	// IPVS is /proc/net/ip_vs as read inside the namespace, when HasIPVS
	// (the file exists: the kernel has IPVS).
	IPVS    string
	HasIPVS bool
	// IPVSConfig (host namespace only) is the kernel's CONFIG_IP_VS:
	// "y", "m", "n" (not set), or "" when the configuration is unknown.
	IPVSConfig string
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
	// VXLAN is set on a VXLAN device.
	VXLAN *VXLANSnapshot
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

// DockerSwarm is the engine's place in a swarm (docker info's Swarm) and,
// on a manager, the swarm's nodes.
type DockerSwarm struct {
	NodeID    string
	NodeName  string // the node's hostname
	NodeAddr  netip.Addr
	ClusterID string
	// Manager is set on a manager (ControlAvailable): it can list nodes
	// and services.
	Manager bool
	Nodes   []DockerNode
	// ListError says why a manager's nodes or services could not be
	// listed; "" when they were.
	ListError string
}

// DockerNode is one node of `docker node ls`.
type DockerNode struct {
	ID, Name, Role, State string
	Addr                  netip.Addr
}

// DockerService is the networking part of `docker service inspect`.
type DockerService struct {
	ID, Name string
	// Mode is replicated or global (or a job mode); Replicas the
	// replicated count.
	Mode     string
	Replicas int
	// EndpointMode is vip or dnsrr.
	EndpointMode string
	VIPs         []DockerVIP
	Ports        []DockerServicePort
	// Networks are the Docker IDs of the networks its tasks join.
	Networks []string
}

// DockerVIP is a service's virtual IP on one network.
type DockerVIP struct {
	NetworkID string
	Addr      netip.Prefix
}

// DockerServicePort is a published service port.
type DockerServicePort struct {
	Proto                     string
	TargetPort, PublishedPort int
	Mode                      string // ingress or host
}

// DockerTask is what a task container's labels say.
type DockerTask struct {
	ID, Name, ServiceID, ServiceName, NodeID string
}

// DockerPeer is one entry of an overlay's Peers.
type DockerPeer struct {
	Name string
	IP   netip.Addr
}

// DockerMember is one entry of a network's Containers.
type DockerMember struct {
	// Key is the map key: a container ID, "lb-NETWORK", "ingress-sbox".
	Key  string
	Name string
	MAC  string
	IPv4 netip.Prefix
}

// DockerServiceRecord is one service as an overlay's records hold it.
type DockerServiceRecord struct {
	// Name is the service's name ("" for containers attached without a
	// service).
	Name string
	// VIP is the service's virtual IP here; invalid for dnsrr.
	VIP netip.Addr
	// LBIndex is the firewall mark IPVS balances the VIP under
	// (LocalLBIndex).
	LBIndex int
	Tasks   []DockerTaskRecord
}

// DockerTaskRecord is one task of a service record.
type DockerTaskRecord struct {
	Name   string
	IP     netip.Addr
	HostIP netip.Addr // the VTEP of the node running it
}

// VXLANSnapshot is what netlink says of a VXLAN device.
type VXLANSnapshot struct {
	VNI, Port int
	// VtepIndex is the device the tunnel's packets leave by
	// (IFLA_VXLAN_LINK, in the link's netnsid's namespace); 0: none given.
	VtepIndex int
	FDB       []FDBSnapshot
}

// FDBSnapshot is one forwarding-database entry of a VXLAN device that
// names a remote VTEP (`bridge fdb show dev vxlan0` with a dst).
type FDBSnapshot struct {
	MAC       string
	Dst       netip.Addr
	Permanent bool
}
