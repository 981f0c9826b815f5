package graph

import "net/netip"

// Swarm mode: a host that is a node of a Docker Swarm has overlay
// networks (VXLAN between the nodes' VTEPs), docker_gwbridge, the ingress
// network and its sandbox, services with virtual IPs, and tasks — the
// containers the swarm runs for a service. A Model stays one host's view;
// a Cluster joins several hosts' models by their swarm-scoped networks.

// Swarm is the host's place in a swarm.
type Swarm struct {
	NodeID    string `json:"nodeId"`
	NodeName  string `json:"nodeName"`
	Role      string `json:"role,omitempty"` // manager or worker
	ClusterID string `json:"clusterId,omitempty"`
	// Addr is the node's data-path address: its VXLAN tunnel endpoint,
	// where the other nodes send an overlay's traffic.
	Addr netip.Addr `json:"addr,omitzero"`
	// Nodes are the swarm's nodes, as a manager lists them (a worker
	// cannot).
	Nodes []SwarmNode `json:"nodes,omitempty"`
}

// SwarmNode is one node of the swarm.
type SwarmNode struct {
	ID    string     `json:"id"`
	Name  string     `json:"name"`
	Role  string     `json:"role,omitempty"`
	State string     `json:"state,omitempty"` // ready, down, ...
	Addr  netip.Addr `json:"addr,omitzero"`
}

// Overlay is what a swarm-scoped overlay network adds to a Network.
type Overlay struct {
	// VNI is the VXLAN network identifier of the network's segment.
	VNI int `json:"vni,omitempty"`
	// Attachable overlays take plain `docker run --network` containers.
	Attachable bool `json:"attachable,omitempty"`
	// Ingress is the routing mesh's network (published service ports).
	Ingress bool `json:"ingress,omitempty"`
	// Encrypted overlays carry IPsec ESP between the nodes.
	Encrypted bool `json:"encrypted,omitempty"`
	// Namespace is the network's own namespace on this host ("1-" plus
	// the network ID under the engine's netns directory), which holds the
	// bridge br0 and the VXLAN device; Bridge and the VXLAN interface of
	// the Network are in it.
	Namespace NamespaceID `json:"namespace,omitempty"`
	// VXLAN is the network's VXLAN interface (vxlan0) in Namespace.
	VXLAN InterfaceID `json:"vxlan,omitempty"`
	// Peers are the nodes with endpoints on the network, by the engine's
	// account (network inspect's Peers): name and VTEP address.
	Peers []OverlayPeer `json:"peers,omitempty"`
	// LoadBalancer is the network's load-balancer endpoint on this host
	// (lb-NETWORK, in the lb_ namespace): where the VIPs of services on
	// the network are answered.
	LoadBalancer *LoadBalancer `json:"loadBalancer,omitempty"`
	// NodeLoadBalancers are every node's load balancer on the network, by
	// node name, in a flattened cluster (graph.Flatten).
	NodeLoadBalancers map[string]*LoadBalancer `json:"nodeLoadBalancers,omitempty"`
}

// OverlayPeer is a node taking part in an overlay.
type OverlayPeer struct {
	Name string     `json:"name"`
	Addr netip.Addr `json:"addr"`
}

// LoadBalancer is an overlay's load-balancing sandbox on one host.
type LoadBalancer struct {
	Namespace NamespaceID  `json:"namespace,omitempty"`
	IPv4      netip.Prefix `json:"ipv4,omitzero"`
	// IPVS says whether the kernel can load-balance at all: "" when
	// unknown, "ok", or why not ("no ip_vs in this kernel").
	IPVS string `json:"ipvs,omitempty"`
	// Services are the IPVS virtual services found in the namespace, by
	// VIP, each with its real servers.
	Services []IPVSService `json:"services,omitempty"`
}

// IPVSService is one IPVS virtual service: a VIP (or firewall mark) and
// the task addresses it balances over.
type IPVSService struct {
	VIP      netip.Addr   `json:"vip,omitzero"`
	FWMark   uint32       `json:"fwmark,omitempty"`
	Backends []netip.Addr `json:"backends,omitempty"`
}

// FDBEntry is a forwarding-database entry of a VXLAN device: frames for
// MAC go through the tunnel to Dst (a remote node's VTEP).
type FDBEntry struct {
	MAC       string     `json:"mac"`
	Dst       netip.Addr `json:"dst,omitzero"`
	Permanent bool       `json:"permanent,omitempty"`
}

// ServiceID is "svc:" plus the service's name.
type ServiceID string

// NewServiceID is the ID of the named service.
func NewServiceID(name string) ServiceID { return ServiceID("svc:" + name) }

// Service endpoint modes (--endpoint-mode).
const (
	EndpointVIP   = "vip"
	EndpointDNSRR = "dnsrr"
)

// Service is a swarm service: its tasks are containers (Container.Task),
// on whichever nodes the swarm placed them.
type Service struct {
	ID       ServiceID `json:"id"`
	Name     string    `json:"name"`
	DockerID string    `json:"dockerId,omitempty"`
	// Mode is replicated or global; Replicas is the replicated count.
	Mode     string `json:"mode,omitempty"`
	Replicas int    `json:"replicas,omitempty"`
	// EndpointMode is vip (the name resolves to one virtual IP per
	// network, balanced by IPVS) or dnsrr (the name resolves to every
	// task's address).
	EndpointMode string        `json:"endpointMode,omitempty"`
	VIPs         []ServiceVIP  `json:"vips,omitempty"`
	Ports        []ServicePort `json:"ports,omitempty"`
	Networks     []NetworkID   `json:"networks,omitempty"`
}

// ServiceVIP is a service's virtual IP on one network.
type ServiceVIP struct {
	Network NetworkID    `json:"network"`
	Addr    netip.Prefix `json:"addr"`
}

// ServicePort is a published service port: through the ingress routing
// mesh on every node, or on the task's own node (mode=host).
type ServicePort struct {
	Proto         string `json:"proto"`
	TargetPort    int    `json:"targetPort"`
	PublishedPort int    `json:"publishedPort"`
	Mode          string `json:"mode"` // ingress or host
}

// Task says which service and slot a container runs for, on which node.
type Task struct {
	ID      string    `json:"id"`
	Service ServiceID `json:"service"`
	Slot    int       `json:"slot,omitempty"`
	Node    string    `json:"node,omitempty"`
}
