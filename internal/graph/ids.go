package graph

import (
	"net/netip"
	"strings"
)

// IDs name the nodes of a model. Each kind of node has its own type, so a
// container ID cannot be passed where a network ID is wanted; the text is
// what the JSON schema has always held (ns:web, ns:web/eth0, net:mybridge,
// ctr:web). Edges join nodes of any kind and hold their IDs as strings.
type (
	// NamespaceID is HostNamespaceID or "ns:" plus the owning container's name.
	NamespaceID string
	// InterfaceID is a namespace ID, a slash and the interface's name.
	InterfaceID string
	// NetworkID is "net:" plus the Docker network's name.
	NetworkID string
	// ContainerID is "ctr:" plus the container's name.
	ContainerID string
)

// NewNamespaceID is the ID of the namespace created by the named container.
func NewNamespaceID(owner string) NamespaceID { return NamespaceID("ns:" + owner) }

// NewInterfaceID is the ID of the interface name in namespace nsID.
func NewInterfaceID(nsID NamespaceID, name string) InterfaceID {
	return InterfaceID(string(nsID) + "/" + name)
}

// NewContainerID is the ID of the named container.
func NewContainerID(name string) ContainerID { return ContainerID("ctr:" + name) }

// NewNetworkID is the ID of the named network.
func NewNetworkID(name string) NetworkID { return NetworkID("net:" + name) }

// NewDNSNameID is the ID of name within scope (a network or container ID).
func NewDNSNameID(scope Scope, name string) string { return "dns:" + string(scope) + "/" + name }

// Owner is the name of the container whose namespace this is; ok is false
// for the host's.
func (id NamespaceID) Owner() (name string, ok bool) { return strings.CutPrefix(string(id), "ns:") }

// Name is the network's name.
func (id NetworkID) Name() string { return strings.TrimPrefix(string(id), "net:") }

// Name is the container's name.
func (id ContainerID) Name() string { return strings.TrimPrefix(string(id), "ctr:") }

// Scope names the node a DNS name is valid in: a network or a container.
// It is a NetworkID or a ContainerID, as text.
type Scope string

// Network is the scope's network, if it is one.
func (s Scope) Network() (NetworkID, bool) {
	if strings.HasPrefix(string(s), "net:") {
		return NetworkID(s), true
	}
	return "", false
}

// Container is the scope's container, if it is one.
func (s Scope) Container() (ContainerID, bool) {
	if strings.HasPrefix(string(s), "ctr:") {
		return ContainerID(s), true
	}
	return "", false
}

// Name is the network's or container's name.
func (s Scope) Name() string {
	if n, ok := s.Network(); ok {
		return n.Name()
	}
	if c, ok := s.Container(); ok {
		return c.Name()
	}
	return string(s)
}

// PrefixText is p as the model's JSON writes it: "" for none.
func PrefixText(p netip.Prefix) string {
	if !p.IsValid() {
		return ""
	}
	return p.String()
}

// AddrText is a as the model's JSON writes it: "" for none.
func AddrText(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}
