// Package graph is netviz's single model of a Docker host's network: the
// namespaces, interfaces, bridges, containers, Docker networks, published ports
// and DNS names, and the links between them.
//
// Live discovery (internal/discover) and the simulator (internal/sim) both
// produce a Model; the renderers, reachability rules and probe planner consume
// it. The package makes no OS calls, so it builds and tests on any platform.
//
// The vocabulary follows libnetwork's container network model: a Namespace is a
// sandbox holding Interfaces; a Container uses exactly one Namespace (several
// containers share one under --net container:X, and host-mode containers use the
// host's); a Container's Endpoint joins it to one Network.
package graph

import (
	"cmp"
	"net/netip"
	"slices"
)

// Schema names the version of the JSON encoding. It changes only when a field
// changes meaning or disappears; new optional fields keep the version.
const Schema = "netviz/v1"

// HostNamespaceID is the ID of the namespace netviz itself runs in.
const HostNamespaceID NamespaceID = "host"

// Source says which producer built a model.
const (
	SourceLive = "live" // discovered on a running host
	SourceSim  = "sim"  // predicted from a scenario
)

// Model is one host's network: nodes in typed lists, links between them in
// Edges. Ownership (interface in namespace, container uses namespace, endpoint
// on network) is held in fields; AllEdges turns it into edges as well.
type Model struct {
	Schema     string       `json:"schema"`
	Source     string       `json:"source"`
	Host       Host         `json:"host"`
	Namespaces []*Namespace `json:"namespaces"`
	Interfaces []*Interface `json:"interfaces"`
	Networks   []*Network   `json:"networks"`
	Containers []*Container `json:"containers"`
	Ports      []*Port      `json:"ports"`
	Names      []*DNSName   `json:"names"`
	// Services are the swarm's services, as a manager lists them; on a
	// worker, which cannot list them, as its overlays' service records
	// show them (name, VIPs, endpoint mode; no mode, replicas or ports).
	Services []*Service `json:"services,omitempty"`
	Edges    []Edge     `json:"edges"`
	// Warnings are facts the producer could not gather, in words for a person:
	// a missing engine, missing privileges, a container that vanished.
	Warnings []string `json:"warnings,omitempty"`

	// edgeSet makes AddEdge's duplicate check O(1); built on first use.
	edgeSet map[Edge]struct{}
}

// Host describes the machine as a whole.
type Host struct {
	Name string `json:"name"`
	// Namespace is the ID of the host network namespace (HostNamespaceID).
	Namespace NamespaceID `json:"namespace"`
	// Uplink is the interface ID holding the IPv4 default route, if any: the
	// "host eth0" that Docker NATs the bridges out through.
	Uplink InterfaceID `json:"uplink,omitempty"`
	// Engine is the Docker engine version ("" when no engine was reached), and
	// APIVersion the API version spoken with it.
	Engine     string `json:"engine,omitempty"`
	APIVersion string `json:"apiVersion,omitempty"`
	// EngineHost is the address of the engine asked (unix:///var/run/docker.sock).
	EngineHost string `json:"engineHost,omitempty"`
	// Chains are the filter-table chains the engine made (DOCKER…): read
	// from the host's ruleset when discovered, the release's own when
	// simulated; they name how the engine isolates its networks.
	Chains []string `json:"chains,omitempty"`
	// Swarm is set when the host is a swarm node.
	Swarm *Swarm `json:"swarm,omitempty"`
	// IPVS is whether the kernel has IPVS, which swarm's VIPs and routing
	// mesh need: "" unknown, "ok", or why not.
	IPVS string `json:"ipvs,omitempty"`
}

// Namespace is a network namespace: the host's or a container sandbox.
type Namespace struct {
	// ID is HostNamespaceID or "ns:" plus the name of the container that
	// created it.
	ID NamespaceID `json:"id"`
	// Inode identifies the namespace in the kernel (0 when not known, as in a
	// simulation or without root).
	Inode uint64 `json:"inode,omitempty"`
	// Host is true for the host's namespace.
	Host bool `json:"host,omitempty"`
	// Path is where the namespace was opened (/proc/PID/ns/net, a sandbox key).
	Path string `json:"path,omitempty"`
	// Kind is what made a namespace no container owns: NamespaceOverlay,
	// NamespaceLB or NamespaceIngress; "" for the host's and containers'.
	Kind string `json:"kind,omitempty"`
	// Network is the overlay network an overlay or load-balancer
	// namespace serves.
	Network NetworkID `json:"network,omitempty"`
	// Node is the cluster node the namespace is on, in a flattened
	// cluster (graph.Flatten); "" in one host's model.
	Node string `json:"node,omitempty"`
}

// Namespaces the engine makes for swarm networks (under its exec-root's
// netns directory).
const (
	NamespaceOverlay = "overlay"       // 1-<network id>: br0 and vxlan0
	NamespaceLB      = "load-balancer" // lb_<network id>: the VIPs' IPVS
	NamespaceIngress = "ingress-sbox"  // ingress_sbox: the routing mesh
)

// NewOverlayNamespaceID is the ID of an overlay network's own namespace.
func NewOverlayNamespaceID(network string) NamespaceID { return NamespaceID("ovl:" + network) }

// NewLBNamespaceID is the ID of an overlay network's load-balancer namespace.
func NewLBNamespaceID(network string) NamespaceID { return NamespaceID("lb:" + network) }

// IngressNamespaceID is the ID of the ingress sandbox.
const IngressNamespaceID NamespaceID = "sbox:ingress"

// InterfaceKind classifies a network interface the way a person draws it.
type InterfaceKind string

// Interface kinds. Type on Interface keeps the kernel's own name.
const (
	KindPhysical InterfaceKind = "physical"
	KindLoopback InterfaceKind = "loopback"
	KindBridge   InterfaceKind = "bridge"
	KindVeth     InterfaceKind = "veth"
	KindMacvlan  InterfaceKind = "macvlan"
	KindVxlan    InterfaceKind = "vxlan"
	KindOther    InterfaceKind = "other"
)

// Interface is one network device inside one namespace.
// Equivalent to one entry of `ip -d addr show`.
type Interface struct {
	// ID is the namespace ID, a slash, and the interface name: "host/docker0",
	// "ns:web/eth0". Names are unique within a namespace.
	ID        InterfaceID   `json:"id"`
	Namespace NamespaceID   `json:"namespace"`
	Name      string        `json:"name"`
	Index     int           `json:"index,omitempty"`
	Kind      InterfaceKind `json:"kind"`
	// Type is the kernel's link type (veth, bridge, device, macvlan, ...).
	Type string `json:"type,omitempty"`
	MAC  string `json:"mac,omitempty"`
	MTU  int    `json:"mtu,omitempty"`
	// State is the operational state: up, down, unknown, lowerlayerdown, ...
	State string `json:"state,omitempty"`
	// Addrs are the interface's addresses with prefix length, IPv4 first.
	Addrs []netip.Prefix `json:"addrs,omitempty"`
	// VXLAN is set on a VXLAN device.
	VXLAN *VXLANInfo `json:"vxlan,omitempty"`
}

// VXLANInfo is a VXLAN device's segment, port and forwarding database.
type VXLANInfo struct {
	VNI  int `json:"vni"`
	Port int `json:"port,omitempty"` // UDP destination port (4789)
	// FDB are the entries pointing remote MACs at their nodes' VTEPs.
	FDB []FDBEntry `json:"fdb,omitempty"`
}

// Network is a Docker network.
type Network struct {
	// ID is "net:" plus the network's name.
	ID       NetworkID `json:"id"`
	Name     string    `json:"name"`
	DockerID string    `json:"dockerId,omitempty"`
	// Driver is bridge, host, null, macvlan, ipvlan, overlay, ...
	Driver  string   `json:"driver"`
	Scope   string   `json:"scope,omitempty"`
	Subnets []Subnet `json:"subnets,omitempty"`
	// Internal networks have no route out of the host.
	Internal   bool `json:"internal,omitempty"`
	EnableIPv6 bool `json:"enableIPv6,omitempty"`
	// ICC is inter-container communication on a bridge
	// (com.docker.network.bridge.enable_icc); true unless disabled.
	ICC bool `json:"icc"`
	// Default is true for Docker's predefined "bridge" network, which has no
	// embedded DNS: names resolve there only through --link.
	Default bool `json:"default,omitempty"`
	// Bridge is the interface ID of the Linux bridge behind a bridge network.
	Bridge InterfaceID `json:"bridge,omitempty"`
	// BridgeName is the bridge's device name, known even when the device is
	// not (docker0, br-3f4d...).
	BridgeName string `json:"bridgeName,omitempty"`
	// Parent is the interface ID of a macvlan/ipvlan network's parent.
	Parent InterfaceID `json:"parent,omitempty"`
	// ParentName is the parent's device name from -o parent=.
	ParentName string            `json:"parentName,omitempty"`
	Options    map[string]string `json:"options,omitempty"`
	// Overlay is set on a swarm overlay network.
	Overlay *Overlay `json:"overlay,omitempty"`
}

// Subnet is one IPAM pool of a network (docker network create --subnet
// --ip-range --gateway).
type Subnet struct {
	Subnet  netip.Prefix `json:"subnet"`
	Gateway netip.Addr   `json:"gateway,omitzero"`
	IPRange netip.Prefix `json:"ipRange,omitzero"`
}

// Network modes of a container, as in `docker run --net`.
const (
	ModeBridge    = "bridge"    // default bridge, or a user-defined network by name
	ModeHost      = "host"      // the host's namespace
	ModeNone      = "none"      // loopback only
	ModeContainer = "container" // another container's namespace
)

// Container is a Docker container.
type Container struct {
	// ID is "ctr:" plus the container's name.
	ID       ContainerID `json:"id"`
	Name     string      `json:"name"`
	DockerID string      `json:"dockerId,omitempty"`
	Image    string      `json:"image,omitempty"`
	// State is running, exited, created, paused, ...
	State string `json:"state"`
	// NetworkMode is the mode as given to --net: bridge, host, none,
	// container:NAME, or the name of a user-defined network.
	NetworkMode string `json:"networkMode"`
	// Namespace is the namespace ID the container uses ("" when stopped).
	Namespace NamespaceID `json:"namespace,omitempty"`
	// SharesWith is the container ID whose namespace this one joined
	// (--net container:X).
	SharesWith ContainerID `json:"sharesWith,omitempty"`
	Pid        int         `json:"pid,omitempty"`
	SandboxKey string      `json:"sandboxKey,omitempty"`
	Hostname   string      `json:"hostname,omitempty"`
	// Links are legacy --link NAME:ALIAS entries.
	Links     []Link     `json:"links,omitempty"`
	Endpoints []Endpoint `json:"endpoints,omitempty"`
	// Task is set on a container the swarm runs for a service.
	Task *Task `json:"task,omitempty"`
}

// Running reports whether the container is running (and so has a live
// namespace).
func (c *Container) Running() bool { return c.State == "running" }

// Link is one legacy --link: Alias in this container's /etc/hosts names Target.
type Link struct {
	Target string `json:"target"`
	Alias  string `json:"alias"`
}

// Endpoint joins a container to a network.
type Endpoint struct {
	Network NetworkID `json:"network"`
	// Interface is the container-side interface ID, when known.
	Interface InterfaceID  `json:"interface,omitempty"`
	IPv4      netip.Prefix `json:"ipv4,omitzero"` // address/prefix
	IPv6      netip.Prefix `json:"ipv6,omitzero"` // address/prefix
	Gateway   netip.Addr   `json:"gateway,omitzero"`
	MAC       string       `json:"mac,omitempty"`
	// Aliases are --net-alias / --network-alias names on this network.
	Aliases []string `json:"aliases,omitempty"`
	// Links are --link NAME:ALIAS given on a user-defined network.
	Links []Link `json:"links,omitempty"`
}

// Port is a published port: -p [HostIP:]HostPort:ContainerPort[/Proto].
type Port struct {
	// ID is "port:" HostIP ":" HostPort "/" Proto, plus "->" and the container
	// ID, so two containers can publish on different host IPs.
	ID            string      `json:"id"`
	Container     ContainerID `json:"container"`
	Proto         string      `json:"proto"`
	HostIP        netip.Addr  `json:"hostIP"`
	HostPort      int         `json:"hostPort"`
	ContainerPort int         `json:"containerPort"`
}

// DNS name sources.
const (
	// NameEmbeddedDNS is a name answered by Docker's embedded DNS (127.0.0.11)
	// on a user-defined network: container names, aliases, --link aliases.
	NameEmbeddedDNS = "embedded-dns"
	// NameHosts is a name written to a container's /etc/hosts by --link on the
	// default bridge.
	NameHosts = "hosts"
	// NameServiceVIP is a swarm service's name, answered with its
	// virtual IP on the network (resolves-to the service, labelled with
	// the VIP).
	NameServiceVIP = "service-vip"
	// NameTasks is a dnsrr service's name or tasks.NAME, answered with
	// every task's address.
	NameTasks = "tasks"
)

// DNSName is a name that resolves to one or more containers, valid within a
// scope: a network (every member can resolve it) or one container (a --link
// alias only the linking container sees).
type DNSName struct {
	// ID is "dns:" + Scope + "/" + Name.
	ID   string `json:"id"`
	Name string `json:"name"`
	// Scope is a network ID or a container ID.
	Scope  Scope  `json:"scope"`
	Source string `json:"source"`
}

// EdgeKind names a relation between two nodes.
type EdgeKind string

// Edge kinds. The first group is stored in Model.Edges; the second is derived
// from ownership fields by AllEdges.
const (
	EdgeVethPeer   EdgeKind = "veth-peer"   // interface ↔ interface (From < To)
	EdgeMaster     EdgeKind = "master"      // port interface → bridge it is enslaved to
	EdgeLower      EdgeKind = "lower"       // macvlan/vlan/vxlan → parent interface
	EdgePortMap    EdgeKind = "port-map"    // port → container (DNAT), Label: container interface ID
	EdgeResolvesTo EdgeKind = "resolves-to" // DNS name → container, Label: the address

	EdgeInNamespace   EdgeKind = "in-namespace"   // interface → namespace
	EdgeUsesNamespace EdgeKind = "uses-namespace" // container → namespace
	EdgeAttached      EdgeKind = "attached"       // container → network, Label: endpoint IPv4
)

// Edge is a directed relation between two node IDs.
type Edge struct {
	Kind  EdgeKind `json:"kind"`
	From  string   `json:"from"`
	To    string   `json:"to"`
	Label string   `json:"label,omitempty"`
}

// New returns an empty model from the given source with the host namespace.
func New(source, hostname string) *Model {
	return &Model{
		Schema:     Schema,
		Source:     source,
		Host:       Host{Name: hostname, Namespace: HostNamespaceID},
		Namespaces: []*Namespace{{ID: HostNamespaceID, Host: true}},
	}
}

// AddEdge appends an edge unless the same edge is already present.
func (m *Model) AddEdge(kind EdgeKind, from, to, label string) {
	e := Edge{Kind: kind, From: from, To: to, Label: label}
	if kind == EdgeVethPeer && to < from {
		e.From, e.To = to, from
	}
	if m.edgeSet == nil || len(m.edgeSet) != len(m.Edges) {
		// (Re)build: edges may have been added or removed directly.
		m.edgeSet = make(map[Edge]struct{}, len(m.Edges))
		for _, old := range m.Edges {
			m.edgeSet[old] = struct{}{}
		}
	}
	if _, dup := m.edgeSet[e]; dup {
		return
	}
	m.edgeSet[e] = struct{}{}
	m.Edges = append(m.Edges, e)
}

// Warn records a warning for the person reading the model.
func (m *Model) Warn(msg string) { m.Warnings = append(m.Warnings, msg) }

// AllEdges returns the stored edges plus the ownership edges derived from
// fields (in-namespace, uses-namespace, attached), sorted.
func (m *Model) AllEdges() []Edge {
	out := slices.Clone(m.Edges)
	for _, i := range m.Interfaces {
		out = append(out, Edge{Kind: EdgeInNamespace, From: string(i.ID), To: string(i.Namespace)})
	}
	for _, c := range m.Containers {
		if c.Namespace != "" {
			out = append(out, Edge{Kind: EdgeUsesNamespace, From: string(c.ID), To: string(c.Namespace)})
		}
		for _, ep := range c.Endpoints {
			out = append(out, Edge{Kind: EdgeAttached, From: string(c.ID), To: string(ep.Network), Label: PrefixText(ep.IPv4)})
		}
	}
	sortEdges(out)
	return out
}

// Sorted returns m in Sort's order without changing m: a renderer or
// writer must not reorder what it was given. The lists are new; the nodes
// are shared, except containers, whose endpoint lists Sort reorders.
func (m *Model) Sorted() *Model {
	c := *m
	c.edgeSet = nil
	c.Namespaces = slices.Clone(m.Namespaces)
	c.Interfaces = slices.Clone(m.Interfaces)
	c.Networks = slices.Clone(m.Networks)
	c.Containers = slices.Clone(m.Containers) // nil stays nil: the JSON says null
	for i, ctr := range c.Containers {
		cc := *ctr
		cc.Endpoints = slices.Clone(ctr.Endpoints)
		c.Containers[i] = &cc
	}
	c.Ports = slices.Clone(m.Ports)
	c.Names = slices.Clone(m.Names)
	c.Services = slices.Clone(m.Services)
	c.Edges = slices.Clone(m.Edges)
	c.Warnings = slices.Clone(m.Warnings)
	c.Sort()
	return &c
}

// Sort puts every list in a stable order (by ID; edges by kind, from, to,
// label; warnings as produced) so output and golden files are deterministic.
func (m *Model) Sort() {
	byID := cmp.Compare[string]
	slices.SortFunc(m.Namespaces, func(a, b *Namespace) int {
		// The host namespace always comes first.
		if a.Host != b.Host {
			if a.Host {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.ID, b.ID)
	})
	slices.SortFunc(m.Interfaces, func(a, b *Interface) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Index, b.Index), byID(a.Name, b.Name))
	})
	slices.SortFunc(m.Networks, func(a, b *Network) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(m.Containers, func(a, b *Container) int { return cmp.Compare(a.ID, b.ID) })
	for _, c := range m.Containers {
		slices.SortFunc(c.Endpoints, func(a, b Endpoint) int { return cmp.Compare(a.Network, b.Network) })
	}
	slices.SortFunc(m.Ports, func(a, b *Port) int { return byID(a.ID, b.ID) })
	slices.SortFunc(m.Names, func(a, b *DNSName) int { return byID(a.ID, b.ID) })
	slices.SortFunc(m.Services, func(a, b *Service) int { return cmp.Compare(a.ID, b.ID) })
	sortEdges(m.Edges)
}

func sortEdges(es []Edge) {
	slices.SortFunc(es, func(a, b Edge) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.From, b.From),
			cmp.Compare(a.To, b.To), cmp.Compare(a.Label, b.Label))
	})
}
