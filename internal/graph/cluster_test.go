package graph

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
)

// swarmHost is a swarm node's model with one attachable overlay (same
// Docker ID on every node) and a task on it.
func swarmHost(node string, vtep string) *Model {
	m := New(SourceLive, node+"-hostname")
	m.Host.Swarm = &Swarm{NodeID: "id-" + node, NodeName: node, Role: "worker", Addr: netip.MustParseAddr(vtep)}
	ovl := NewOverlayNamespaceID("appnet")
	lb := NewLBNamespaceID("appnet")
	m.Namespaces = append(m.Namespaces, &Namespace{ID: ovl, Kind: NamespaceOverlay, Network: NewNetworkID("appnet")},
		&Namespace{ID: lb, Kind: NamespaceLB, Network: NewNetworkID("appnet")})
	m.Interfaces = append(m.Interfaces,
		&Interface{ID: NewInterfaceID(ovl, "br0"), Namespace: ovl, Name: "br0", Kind: KindBridge},
		&Interface{ID: NewInterfaceID(ovl, "vxlan0"), Namespace: ovl, Name: "vxlan0", Kind: KindVxlan,
			VXLAN: &VXLANInfo{VNI: 4097, Port: 4789, FDB: []FDBEntry{{MAC: "02:42:0a:00:01:09", Dst: netip.MustParseAddr("10.252.0.9"), Permanent: true}}}})
	m.Networks = append(m.Networks, &Network{ID: NewNetworkID("appnet"), Name: "appnet", DockerID: "ovl123", Driver: "overlay", Scope: "swarm",
		Bridge:  NewInterfaceID(ovl, "br0"),
		Overlay: &Overlay{VNI: 4097, Attachable: true, Namespace: ovl, VXLAN: NewInterfaceID(ovl, "vxlan0"), LoadBalancer: &LoadBalancer{Namespace: lb, IPVS: "ok"}}},
		&Network{ID: NewNetworkID("bridge"), Name: "bridge", DockerID: "local-" + node, Driver: "bridge", Scope: "local", Default: true})
	m.Containers = append(m.Containers, &Container{ID: NewContainerID("web.1." + node), Name: "web.1." + node, State: "running",
		Task: &Task{ID: "t-" + node, Service: NewServiceID("web"), Slot: 1, Node: node}})
	return m
}

func TestCluster(t *testing.T) {
	a, b := swarmHost("node1", "10.252.0.1"), swarmHost("node2", "10.252.0.2")
	c, err := NewCluster(b, a)
	if err != nil {
		t.Fatal(err)
	}
	if NodeName(c.Hosts[0]) != "node1" || c.Host("node2") == nil || c.Host("node3") != nil {
		t.Errorf("hosts %s, %s", NodeName(c.Hosts[0]), NodeName(c.Hosts[1]))
	}
	shared := c.Shared()
	if len(shared) != 1 || len(shared["ovl123"]) != 2 {
		t.Errorf("shared networks %v, want appnet on both (the local bridges are not shared)", shared)
	}
	var buf bytes.Buffer
	if err := WriteClusterJSON(&buf, c); err != nil {
		t.Fatal(err)
	}
	back, err := ReadClusterJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	WriteClusterJSON(&again, back)
	if again.String() != buf.String() {
		t.Error("a cluster read back writes differently")
	}
	// One host's model reads as a cluster of one.
	var one bytes.Buffer
	WriteJSON(&one, a)
	if c1, err := ReadClusterJSON(&one); err != nil || len(c1.Hosts) != 1 {
		t.Errorf("a model as a cluster: %v", err)
	}
}

func TestClusterErrors(t *testing.T) {
	a := swarmHost("node1", "10.252.0.1")
	tests := []struct {
		name  string
		hosts []*Model
		json  string
		want  string
	}{
		{name: "empty", want: "at least one host"},
		{name: "same name", hosts: []*Model{a, swarmHost("node1", "10.252.0.2")}, want: `two hosts are named "node1"`},
		{name: "no name", hosts: []*Model{New(SourceLive, "")}, want: "without a name"},
		{name: "other schema", json: `{"schema":"x\u001b[2J"}`, want: `schema "x\x1b[2J" is neither`},
		{name: "unknown field", json: `{"schema":"netviz/cluster/v1","hosts":[],"extra":1}`, want: `unknown field "extra"`},
		{name: "bad host", json: `{"schema":"netviz/cluster/v1","hosts":[{"schema":"netviz/v1","host":{"name":"h","namespace":"nowhere"},"namespaces":[],"interfaces":[],"networks":[],"containers":[],"ports":[],"names":[],"edges":[]}]}`, want: "host 1:"},
	}
	for _, tt := range tests {
		var err error
		if tt.json != "" {
			_, err = ReadClusterJSON(strings.NewReader(tt.json))
		} else {
			_, err = NewCluster(tt.hosts...)
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

// FuzzReadClusterJSON: no input panics the cluster reader, and what it
// accepts writes and reads back the same.
func FuzzReadClusterJSON(f *testing.F) {
	c, _ := NewCluster(swarmHost("node1", "10.252.0.1"), swarmHost("node2", "10.252.0.2"))
	var buf bytes.Buffer
	WriteClusterJSON(&buf, c)
	f.Add(buf.Bytes())
	f.Add([]byte(`{"schema":"netviz/cluster/v1","hosts":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadClusterJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := WriteClusterJSON(&out, c); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadClusterJSON(&out); err != nil {
			t.Fatalf("a cluster written does not read back: %v", err)
		}
	})
}

// TestFlatten: a cluster as one valid model; what several hosts have is
// qualified by node, the shared overlay is one network, every namespace
// knows its node.
func TestFlatten(t *testing.T) {
	a, b := swarmHost("node1", "10.252.0.1"), swarmHost("node2", "10.252.0.2")
	c, _ := NewCluster(a, b)
	f := Flatten(c)
	if err := Validate(f); err != nil {
		t.Fatalf("flattened cluster: %v", err)
	}
	x := NewIndex(f)
	for _, tt := range []struct {
		got  bool
		what string
	}{
		{x.Namespace("host@node1") != nil && x.Namespace("host@node1").Host, "node1's namespace is the host namespace"},
		{x.Namespace("host@node2") != nil && !x.Namespace("host@node2").Host && x.Namespace("host@node2").Kind == NamespaceNodeHost, "node2's is a node's own"},
		{x.Network("net:appnet") != nil && x.Network("net:bridge@node1") != nil && x.Network("net:bridge@node2") != nil, "one appnet, a bridge per node"},
		{x.Network("net:bridge@node2") != nil && x.Network("net:bridge@node2").Name == "bridge@node2", "a qualified network's name says its node"},
		{x.Namespace("ovl:appnet@node2") != nil && x.Namespace("ovl:appnet@node2").Node == "node2", "each node's overlay namespace"},
		{x.Container("ctr:web.1.node2") != nil, "unique container names stay"},
		{x.NodeOf("ovl:appnet@node1") == "node1", "NodeOf"},
		{f.Host.Namespace == "host@node1", "the model's host namespace"},
	} {
		if !tt.got {
			t.Error(tt.what)
		}
	}
	if lbs := x.Network("net:appnet").Overlay.NodeLoadBalancers; len(lbs) != 2 || lbs["node2"] == nil || lbs["node2"].Namespace != "lb:appnet@node2" {
		t.Errorf("the overlay's load balancers by node: %v", lbs)
	}
	if n := len(f.Networks); n != 3 {
		t.Errorf("%d networks, want appnet and two bridges", n)
	}
}
