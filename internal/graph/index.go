package graph

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/textsafe"
)

// Index answers lookups over a model by ID and by edge. Build it once with
// NewIndex after the model is complete; it does not follow later changes.
type Index struct {
	Model      *Model
	namespaces map[NamespaceID]*Namespace
	interfaces map[InterfaceID]*Interface
	networks   map[NetworkID]*Network
	containers map[ContainerID]*Container
	ports      map[string]*Port
	names      map[string]*DNSName
	services   map[ServiceID]*Service
	from       map[string][]Edge // stored edges by From
	to         map[string][]Edge // stored edges by To
	ifsByNS    map[NamespaceID][]*Interface
	ctrsByNS   map[NamespaceID][]*Container
}

// NewIndex indexes m.
func NewIndex(m *Model) *Index {
	x := &Index{
		Model:      m,
		namespaces: make(map[NamespaceID]*Namespace, len(m.Namespaces)),
		interfaces: make(map[InterfaceID]*Interface, len(m.Interfaces)),
		networks:   make(map[NetworkID]*Network, len(m.Networks)),
		containers: make(map[ContainerID]*Container, len(m.Containers)),
		ports:      make(map[string]*Port, len(m.Ports)),
		names:      make(map[string]*DNSName, len(m.Names)),
		services:   make(map[ServiceID]*Service, len(m.Services)),
		from:       make(map[string][]Edge),
		to:         make(map[string][]Edge),
		ifsByNS:    make(map[NamespaceID][]*Interface),
		ctrsByNS:   make(map[NamespaceID][]*Container),
	}
	for _, n := range m.Namespaces {
		x.namespaces[n.ID] = n
	}
	for _, i := range m.Interfaces {
		x.interfaces[i.ID] = i
		x.ifsByNS[i.Namespace] = append(x.ifsByNS[i.Namespace], i)
	}
	for _, n := range m.Networks {
		x.networks[n.ID] = n
	}
	for _, c := range m.Containers {
		x.containers[c.ID] = c
		if c.Namespace != "" {
			x.ctrsByNS[c.Namespace] = append(x.ctrsByNS[c.Namespace], c)
		}
	}
	for _, p := range m.Ports {
		x.ports[p.ID] = p
	}
	for _, n := range m.Names {
		x.names[n.ID] = n
	}
	for _, sv := range m.Services {
		x.services[sv.ID] = sv
	}
	for _, e := range m.Edges {
		x.from[e.From] = append(x.from[e.From], e)
		x.to[e.To] = append(x.to[e.To], e)
	}
	return x
}

// Namespace returns the namespace with id, or nil.
func (x *Index) Namespace(id NamespaceID) *Namespace { return x.namespaces[id] }

// Interface returns the interface with id, or nil.
func (x *Index) Interface(id InterfaceID) *Interface { return x.interfaces[id] }

// Network returns the network with id, or nil.
func (x *Index) Network(id NetworkID) *Network { return x.networks[id] }

// Container returns the container with id, or nil.
func (x *Index) Container(id ContainerID) *Container { return x.containers[id] }

// Name returns the DNS name with id, or nil.
func (x *Index) Name(id string) *DNSName { return x.names[id] }

// Service returns the swarm service with id, or nil. A service's name
// resolves to it (resolves-to, labelled with the VIP) on a network where
// it has a virtual IP.
func (x *Index) Service(id ServiceID) *Service { return x.services[id] }

// InterfacesIn lists the interfaces of namespace nsID in model order.
func (x *Index) InterfacesIn(nsID NamespaceID) []*Interface { return x.ifsByNS[nsID] }

// ContainersIn lists the containers using namespace nsID in model order.
func (x *Index) ContainersIn(nsID NamespaceID) []*Container { return x.ctrsByNS[nsID] }

// NetworkOwner is the container whose network settings c really has: a
// --net container:X member behaves exactly as X (followed through chains).
func (x *Index) NetworkOwner(c *Container) *Container {
	for hops := 0; c.SharesWith != "" && hops < 16; hops++ {
		owner := x.Container(c.SharesWith)
		if owner == nil {
			break
		}
		c = owner
	}
	return c
}

// Peer returns the ID of the other end of veth ifID, or "".
func (x *Index) Peer(ifID InterfaceID) InterfaceID {
	for _, e := range x.from[string(ifID)] {
		if e.Kind == EdgeVethPeer {
			return InterfaceID(e.To)
		}
	}
	for _, e := range x.to[string(ifID)] {
		if e.Kind == EdgeVethPeer {
			return InterfaceID(e.From)
		}
	}
	return ""
}

// Master returns the ID of the bridge ifID is enslaved to, or "".
func (x *Index) Master(ifID InterfaceID) InterfaceID {
	return InterfaceID(x.firstTo(string(ifID), EdgeMaster))
}

// Lower returns the ID of ifID's parent (macvlan, vlan, vxlan), or "".
func (x *Index) Lower(ifID InterfaceID) InterfaceID {
	return InterfaceID(x.firstTo(string(ifID), EdgeLower))
}

// BridgePorts lists the IDs of the interfaces enslaved to bridge ifID.
func (x *Index) BridgePorts(ifID InterfaceID) []InterfaceID {
	return interfaceIDs(x.sources(string(ifID), EdgeMaster))
}

// Uppers lists the IDs of interfaces whose parent is ifID.
func (x *Index) Uppers(ifID InterfaceID) []InterfaceID {
	return interfaceIDs(x.sources(string(ifID), EdgeLower))
}

func interfaceIDs(ids []string) []InterfaceID {
	out := make([]InterfaceID, len(ids))
	for i, id := range ids {
		out[i] = InterfaceID(id)
	}
	return out
}

// EdgesFrom lists the stored edges leaving id.
func (x *Index) EdgesFrom(id string) []Edge { return x.from[id] }

// EdgesTo lists the stored edges arriving at id.
func (x *Index) EdgesTo(id string) []Edge { return x.to[id] }

func (x *Index) firstTo(id string, kind EdgeKind) string {
	for _, e := range x.from[id] {
		if e.Kind == kind {
			return e.To
		}
	}
	return ""
}

func (x *Index) sources(id string, kind EdgeKind) []string {
	var out []string
	for _, e := range x.to[id] {
		if e.Kind == kind {
			out = append(out, e.From)
		}
	}
	return out
}

// Validate checks that every reference in m names a node that exists, that
// IDs are unique, and that the schema is the one this package writes. It
// returns every problem found, joined.
func Validate(m *Model) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if m.Schema != Schema {
		bad("schema %q, want %q", m.Schema, Schema)
	}
	seen := map[string]bool{}
	unique := func(kind string, typed any) {
		id := fmt.Sprint(typed)
		if id == "" {
			bad("%s with empty id", kind)
		} else if seen[id] {
			bad("duplicate id %q", id)
		}
		seen[id] = true
	}
	x := NewIndex(m)
	for _, n := range m.Namespaces {
		unique("namespace", n.ID)
	}
	if x.Namespace(m.Host.Namespace) == nil {
		bad("host namespace %q missing", m.Host.Namespace)
	}
	for _, i := range m.Interfaces {
		unique("interface", i.ID)
		if x.Namespace(i.Namespace) == nil {
			bad("interface %q: unknown namespace %q", i.ID, i.Namespace)
		}
	}
	if m.Host.Uplink != "" && x.Interface(m.Host.Uplink) == nil {
		bad("host uplink: unknown interface %q", m.Host.Uplink)
	}
	for _, n := range m.Networks {
		unique("network", n.ID)
		for _, ref := range []InterfaceID{n.Bridge, n.Parent} {
			if ref != "" && x.Interface(ref) == nil {
				bad("network %q: unknown interface %q", n.Name, ref)
			}
		}
		if o := n.Overlay; o != nil {
			if o.Namespace != "" && x.Namespace(o.Namespace) == nil {
				bad("overlay %q: unknown namespace %q", n.Name, o.Namespace)
			}
			if o.VXLAN != "" && x.Interface(o.VXLAN) == nil {
				bad("overlay %q: unknown VXLAN interface %q", n.Name, o.VXLAN)
			}
			if lb := o.LoadBalancer; lb != nil && lb.Namespace != "" && x.Namespace(lb.Namespace) == nil {
				bad("overlay %q: unknown load-balancer namespace %q", n.Name, lb.Namespace)
			}
		}
	}
	for _, sv := range m.Services {
		unique("service", sv.ID)
		for _, v := range sv.VIPs {
			if x.Network(v.Network) == nil {
				bad("service %q: VIP on unknown network %q", sv.Name, v.Network)
			}
		}
	}
	for _, c := range m.Containers {
		unique("container", c.ID)
		if c.Namespace != "" && x.Namespace(c.Namespace) == nil {
			bad("container %q: unknown namespace %q", c.Name, c.Namespace)
		}
		if c.SharesWith != "" && x.Container(c.SharesWith) == nil {
			bad("container %q: shares namespace with unknown container %q", c.Name, c.SharesWith)
		}
		for _, ep := range c.Endpoints {
			if x.Network(ep.Network) == nil {
				bad("container %q: endpoint on unknown network %q", c.Name, ep.Network)
			}
			if ep.Interface != "" && x.Interface(ep.Interface) == nil {
				bad("container %q: endpoint on unknown interface %q", c.Name, ep.Interface)
			}
		}
	}
	for _, p := range m.Ports {
		unique("port", p.ID)
		if x.Container(p.Container) == nil {
			bad("port %q: unknown container %q", p.ID, p.Container)
		}
	}
	for _, n := range m.Names {
		unique("name", n.ID)
		if x.Network(NetworkID(n.Scope)) == nil && x.Container(ContainerID(n.Scope)) == nil {
			bad("name %q: unknown scope %q", n.ID, n.Scope)
		}
	}
	for _, e := range m.Edges {
		if !seen[e.From] || !seen[e.To] {
			bad("%s edge %s → %s: unknown endpoint", e.Kind, e.From, e.To)
		}
	}
	return errors.Join(errs...)
}

// NetworkNames lists the names of the model's networks, sorted.
func (m *Model) NetworkNames() []string {
	out := make([]string, 0, len(m.Networks))
	for _, n := range m.Networks {
		out = append(out, n.Name)
	}
	slices.Sort(out)
	return out
}

// UnknownNetworkError reports a network name the model does not have.
type UnknownNetworkError struct {
	Name  string
	Known []string
}

func (e *UnknownNetworkError) Error() string {
	known := "none"
	if len(e.Known) > 0 {
		names := make([]string, len(e.Known))
		for i, n := range e.Known {
			names[i] = textsafe.Clean(n)
		}
		known = strings.Join(names, ", ")
	}
	return fmt.Sprintf("no network named %s; networks here: %s", textsafe.Quote(e.Name), known)
}
