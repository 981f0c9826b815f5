package sim

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/render"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/testkit"
)

// swarm3 is a swarm of three: node1 the manager, the others joined in
// order, each with the address it advertises.
const swarm3 = `docker swarm init --advertise-addr 10.252.0.1
docker --context node2 swarm join --token $(docker swarm join-token -q worker) --advertise-addr 10.252.0.2 10.252.0.1:2377
docker --context node3 swarm join --token $(docker swarm join-token -q worker) --advertise-addr 10.252.0.3 10.252.0.1:2377
`

// runSwarm simulates script on Docker 29 with node1 the default host, and
// checks that every host's model validates.
func runSwarm(t *testing.T, script string) (*Engine, *graph.Cluster, error) {
	t.Helper()
	sc, err := scenario.ParseShell(strings.NewReader(script), "s.sh")
	if err != nil {
		t.Fatal(err)
	}
	e := New(Options{Hostname: "node1", EngineVersion: "29"})
	err = e.Apply(sc)
	c := e.Cluster()
	for _, m := range c.Hosts {
		if verr := graph.Validate(m); verr != nil {
			t.Fatalf("%s: %v", graph.NodeName(m), verr)
		}
	}
	return e, c, err
}

func mustSwarm(t *testing.T, script string) *graph.Cluster {
	t.Helper()
	_, c, err := runSwarm(t, script)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// task finds the container whose name starts with prefix on a node.
func ctrNamed(t *testing.T, m *graph.Model, prefix string) *graph.Container {
	t.Helper()
	for _, c := range m.Containers {
		if strings.HasPrefix(c.Name, prefix) {
			return c
		}
	}
	t.Fatalf("%s: no container %s*", graph.NodeName(m), prefix)
	return nil
}

// addrOn is a container's address on a network.
func addrOn(c *graph.Container, net string) string {
	for _, ep := range c.Endpoints {
		if ep.Network == graph.NewNetworkID(net) {
			return graph.PrefixText(ep.IPv4)
		}
	}
	return ""
}

// iface is an interface of a model.
func iface(t *testing.T, m *graph.Model, id string) *graph.Interface {
	t.Helper()
	if i := graph.NewIndex(m).Interface(graph.InterfaceID(id)); i != nil {
		return i
	}
	t.Fatalf("%s: no interface %s", graph.NodeName(m), id)
	return nil
}

func lbOf(m *graph.Model, net string) string {
	for _, n := range m.Networks {
		if n.Name == net && n.Overlay != nil && n.Overlay.LoadBalancer != nil {
			return graph.PrefixText(n.Overlay.LoadBalancer.IPv4)
		}
	}
	return ""
}

func netNamed(m *graph.Model, name string) *graph.Network {
	for _, n := range m.Networks {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// TestSwarmBehaviour pins what the simulated swarm reproduces, one finding
// a row (the swarm.* rules, measured on the Docker 29 test bed).
func TestSwarmBehaviour(t *testing.T) {
	tests := []struct {
		name, script string
		check        func(t *testing.T, c *graph.Cluster)
	}{
		{"init: the ingress, its sandbox and docker_gwbridge", "docker swarm init", func(t *testing.T, c *graph.Cluster) {
			m := c.Hosts[0]
			in, gw := netNamed(m, "ingress"), netNamed(m, "docker_gwbridge")
			if in == nil || in.Overlay == nil || !in.Overlay.Ingress || in.Overlay.VNI != 4096 || in.Subnets[0].Subnet.String() != "10.0.0.0/24" || in.Scope != "swarm" {
				t.Fatalf("ingress %+v", in)
			}
			if gw == nil || gw.ICC || gw.BridgeName != "docker_gwbridge" || gw.Subnets[0].Subnet.String() != "172.18.0.0/16" {
				t.Errorf("docker_gwbridge %+v", gw)
			}
			if a := iface(t, m, "sbox:ingress/eth0"); a.Addrs[0].String() != "10.0.0.2/24" || a.MAC != "02:42:0a:00:00:02" || a.MTU != 1450 {
				t.Errorf("ingress_sbox eth0 %+v", a)
			}
			if a := iface(t, m, "sbox:ingress/eth1"); a.Addrs[0].String() != "172.18.0.2/16" {
				t.Errorf("ingress_sbox eth1 %+v", a)
			}
			if sw := m.Host.Swarm; sw == nil || sw.Role != "manager" || sw.NodeName != "node1" || sw.Addr.String() != "192.0.2.10" || len(sw.Nodes) != 1 {
				t.Errorf("swarm %+v", sw)
			}
		}},
		{"ingress sandboxes take .2, .3, .4 in join order", swarm3, func(t *testing.T, c *graph.Cluster) {
			for i, want := range []string{"10.0.0.2/24", "10.0.0.3/24", "10.0.0.4/24"} {
				if got := lbOf(c.Hosts[i], "ingress"); got != want {
					t.Errorf("%s: ingress_sbox %s, want %s", graph.NodeName(c.Hosts[i]), got, want)
				}
			}
			if n := c.Host("node2"); n.Host.Swarm.Role != "worker" || n.Host.Swarm.Nodes != nil || iface(t, n, "host/eth0").Addrs[0].String() != "10.252.0.2/24" {
				t.Errorf("node2 %+v", n.Host.Swarm)
			}
		}},
		{"overlay subnets: the lowest free /24, VNIs never reused", swarm3 + "docker network create -d overlay a\ndocker network create -d overlay b\ndocker network rm a\ndocker network create -d overlay c\ndocker network create -d overlay --subnet 10.0.2.0/24 d", func(t *testing.T, c *graph.Cluster) {
			m := c.Host("node1")
			for name, want := range map[string]string{"b": "10.0.2.0/24 4098", "c": "10.0.1.0/24 4099", "d": "10.0.2.0/24 4100"} {
				n := netNamed(m, name)
				if got := n.Subnets[0].Subnet.String() + " " + n.Options[dockerrules.VNIOption]; got != want {
					t.Errorf("%s: %s, want %s", name, got, want)
				}
			}
			if netNamed(c.Host("node2"), "b") != nil {
				t.Error("a worker lists an overlay it has no endpoint on")
			}
		}},
		{"VIP, tasks in slot order, then each node's load balancer; dnsrr after", swarm3 + "docker network create -d overlay --attachable appnet\ndocker service create --name web --replicas 4 --network appnet img\ndocker service create --name rr --replicas 3 --endpoint-mode dnsrr --network appnet img\ndocker --context node3 run -d --name att --network appnet img", func(t *testing.T, c *graph.Cluster) {
			n1, n2, n3 := c.Host("node1"), c.Host("node2"), c.Host("node3")
			if v := n1.Services[1]; v.Name != "web" || v.VIPs[0].Addr.String() != "10.0.1.2/24" {
				t.Errorf("web %+v", v)
			}
			got := []string{addrOn(ctrNamed(t, n1, "web.1."), "appnet"), addrOn(ctrNamed(t, n2, "web.2."), "appnet"), addrOn(ctrNamed(t, n3, "web.3."), "appnet"), addrOn(ctrNamed(t, n1, "web.4."), "appnet"),
				lbOf(n1, "appnet"), lbOf(n2, "appnet"), lbOf(n3, "appnet"),
				addrOn(ctrNamed(t, n2, "rr.1."), "appnet"), addrOn(ctrNamed(t, n3, "rr.2."), "appnet"), addrOn(ctrNamed(t, n1, "rr.3."), "appnet"),
				addrOn(ctrNamed(t, n3, "att"), "appnet")}
			want := []string{"10.0.1.3/24", "10.0.1.4/24", "10.0.1.5/24", "10.0.1.6/24", "10.0.1.7/24", "10.0.1.8/24", "10.0.1.9/24", "10.0.1.10/24", "10.0.1.11/24", "10.0.1.12/24", "10.0.1.13/24"}
			if !slices.Equal(got, want) {
				t.Errorf("addresses %q\nwant %q", got, want)
			}
			if rr := n1.Services[0]; rr.EndpointMode != "dnsrr" || len(rr.VIPs) != 0 {
				t.Errorf("rr %+v", rr)
			}
		}},
		{"an attached container on a node without endpoints: its address, then its node's load balancer", swarm3 + "docker network create -d overlay --attachable ov\ndocker --context node2 run -d --name a2 --network ov img", func(t *testing.T, c *graph.Cluster) {
			n2 := c.Host("node2")
			if got := addrOn(ctrNamed(t, n2, "a2"), "ov") + " " + lbOf(n2, "ov"); got != "10.0.1.2/24 10.0.1.3/24" {
				t.Errorf("container, lb: %s", got)
			}
			if netNamed(c.Host("node3"), "ov") != nil || netNamed(c.Host("node1"), "ov").Overlay.Namespace != "" {
				t.Error("the overlay has a namespace where it has no endpoint")
			}
		}},
		{"a task: eth0 on the overlay, eth1 on docker_gwbridge, no endpoint for it", swarm3 + "docker network create -d overlay appnet\ndocker service create --name web --network appnet img", func(t *testing.T, c *graph.Cluster) {
			m := c.Host("node1")
			w := ctrNamed(t, m, "web.1.")
			if len(w.Endpoints) != 1 || w.Endpoints[0].Gateway.IsValid() || w.Endpoints[0].MAC != "02:42:0a:00:01:03" || w.NetworkMode != "bridge" || w.Task == nil || w.Task.Slot != 1 || w.Task.Node != "node1" {
				t.Errorf("task %+v %+v", w, w.Task)
			}
			x := graph.NewIndex(m)
			eth1 := iface(t, m, string(w.Namespace)+"/eth1")
			if eth1.Addrs[0].String() != "172.18.0.3/16" || x.Interface(x.Master(x.Peer(eth1.ID))).Name != "docker_gwbridge" {
				t.Errorf("eth1 %+v", eth1)
			}
			if peer := x.Peer(w.Endpoints[0].Interface); peer != "ovl:appnet/veth1" || x.Master(peer) != "ovl:appnet/br0" {
				t.Errorf("eth0's peer %s", peer)
			}
		}},
		{"a port published through the ingress: eth0 ingress, eth1 docker_gwbridge, eth2 the overlay", swarm3 + "docker network create -d overlay appnet\ndocker service create --name web --replicas 3 -p 8080:80 --network appnet img", func(t *testing.T, c *graph.Cluster) {
			m := c.Host("node1")
			w := ctrNamed(t, m, "web.1.")
			x := graph.NewIndex(m)
			var got []string
			for _, i := range x.InterfacesIn(w.Namespace) {
				got = append(got, i.Name+" "+graph.PrefixText(i.Addrs[0]))
			}
			if want := []string{"lo 127.0.0.1/8", "eth0 10.0.0.6/24", "eth1 172.18.0.3/16", "eth2 10.0.1.3/24"}; !slices.Equal(got, want) {
				t.Errorf("interfaces %q, want %q", got, want)
			}
			// VIPs in network order; on the ingress after the sandboxes' .2-.4.
			if v := m.Services[0].VIPs; len(v) != 2 || v[0].Addr.String() != "10.0.1.2/24" || v[1].Addr.String() != "10.0.0.5/24" {
				t.Errorf("VIPs %+v", v)
			}
			if w := c.Host("node2").Services; len(w) != 1 || len(w[0].VIPs) != 1 || w[0].Ports != nil || w[0].Replicas != 0 {
				t.Errorf("a worker's view of the service (its records): %+v", w)
			}
		}},
		{"the overlay's namespace: br0, vxlan0 and its FDB, a veth per endpoint, the load balancer's first", swarm3 + "docker network create -d overlay appnet\ndocker service create --name web --replicas 4 --network appnet img", func(t *testing.T, c *graph.Cluster) {
			m := c.Host("node2")
			x := graph.NewIndex(m)
			br0, vx := iface(t, m, "ovl:appnet/br0"), iface(t, m, "ovl:appnet/vxlan0")
			if br0.Addrs[0].String() != "10.0.1.1/24" || br0.MTU != 1450 || vx.VXLAN.VNI != 4097 || vx.VXLAN.Port != 4789 || x.Master(vx.ID) != br0.ID {
				t.Errorf("br0 %+v vxlan0 %+v", br0, vx)
			}
			var fdb []string
			for _, e := range vx.VXLAN.FDB {
				fdb = append(fdb, e.MAC+">"+e.Dst.String())
				if !e.Permanent {
					t.Errorf("entry %+v not permanent", e)
				}
			}
			want := []string{"02:42:0a:00:01:07>10.252.0.1", "02:42:0a:00:01:03>10.252.0.1", "02:42:0a:00:01:06>10.252.0.1", "02:42:0a:00:01:09>10.252.0.3", "02:42:0a:00:01:05>10.252.0.3"}
			if !slices.Equal(fdb, want) {
				t.Errorf("node2's FDB %q\nwant %q", fdb, want)
			}
			if x.Peer("lb:appnet/eth0") != "ovl:appnet/veth0" {
				t.Errorf("the load balancer's veth is %s", x.Peer("lb:appnet/eth0"))
			}
			n := netNamed(m, "appnet")
			if len(n.Overlay.Peers) != 3 || n.Overlay.Peers[2].Addr.String() != "10.252.0.3" || n.Bridge != br0.ID {
				t.Errorf("overlay %+v", n.Overlay)
			}
		}},
		{"placement: fewest tasks of the service, then fewest tasks, then join order", swarm3 + "docker network create -d overlay o\ndocker service create --name a --replicas 2 --network o img\ndocker service create --name b --replicas 4 --network o img", func(t *testing.T, c *graph.Cluster) {
			count := func(node, svc string) int {
				n := 0
				for _, ct := range c.Host(node).Containers {
					if ct.Task != nil && ct.Task.Service == graph.NewServiceID(svc) {
						n++
					}
				}
				return n
			}
			// a: node1, node2; b: node3 (no task), node1, node2, then node3.
			if count("node1", "b") != 1 || count("node2", "b") != 1 || count("node3", "b") != 2 {
				t.Errorf("b on node1 %d, node2 %d, node3 %d", count("node1", "b"), count("node2", "b"), count("node3", "b"))
			}
			ctrNamed(t, c.Host("node3"), "b.1.")
		}},
		{"mode=host: published on the task's node only; a fourth replica stays pending", swarm3 + "docker network create -d overlay o\ndocker service create --name rr --replicas 4 --endpoint-mode dnsrr -p published=8080,target=80,mode=host --network o img", func(t *testing.T, c *graph.Cluster) {
			for _, m := range c.Hosts {
				if len(m.Ports) != 2 || m.Ports[0].HostPort != 8080 || m.Ports[0].ContainerPort != 80 {
					t.Errorf("%s: ports %+v", graph.NodeName(m), m.Ports)
				}
			}
			if w := strings.Join(c.Host("node1").Warnings, "\n"); !strings.Contains(w, "rr.4.") || !strings.Contains(w, "no suitable node (host-mode port already in use on 3 nodes)") {
				t.Errorf("warnings %s", w)
			}
		}},
		{"DNS: VIP name on the manager, dnsrr and tasks. names answered on every node", swarm3 + "docker network create -d overlay --attachable appnet\ndocker service create --name web --replicas 4 --network appnet img\ndocker service create --name rr --replicas 3 --endpoint-mode dnsrr --network appnet img\ndocker --context node3 run -d --name att --network appnet img", func(t *testing.T, c *graph.Cluster) {
			x := graph.NewIndex(graph.Flatten(c))
			att := x.Container("ctr:att")
			for name, want := range map[string]int{"web": 1, "rr": 3, "tasks.web": 4, "tasks.rr": 3} {
				if edges, _ := dockerrules.Resolve(x, att, name); len(edges) != want {
					t.Errorf("%s: %d answers, want %d", name, len(edges), want)
				}
			}
			if edges, _ := dockerrules.Resolve(x, att, "web"); len(edges) == 1 && (edges[0].Label != "10.0.1.2" || edges[0].To != "svc:web") {
				t.Errorf("web resolves to %+v", edges)
			}
		}},
		{"a worker drops an overlay with its last endpoint, and its load balancer's address", swarm3 + "docker network create -d overlay o\ndocker service create --name a --replicas 3 --network o img\ndocker service scale a=1\ndocker service create --name b --replicas 2 --network o img", func(t *testing.T, c *graph.Cluster) {
			// a=1 keeps node1: node2's .4 and node3's .5, their lbs .7 and .8
			// are free again, but the swarm's allocator goes on after .8
			// (rule swarm.serial-address): b's VIP .9, b.1 .10 on node2,
			// b.2 .11 on node3, their lbs .12 and .13.
			n2 := c.Host("node2")
			if got := addrOn(ctrNamed(t, n2, "b.1."), "o") + " " + lbOf(n2, "o") + " " + lbOf(c.Host("node3"), "o"); got != "10.0.1.10/24 10.0.1.12/24 10.0.1.13/24" {
				t.Errorf("b.1 and node2's lb: %s", got)
			}
		}},
		{"a removed service's addresses wait for the allocator to come round (measured: VIP .5 after .2-.4 were freed)", swarm3 + "docker network create -d overlay --attachable o\ndocker service create --name s1 --network o img\ndocker service rm s1\ndocker service create --name s2 --network o img\ndocker --context node2 run -d --name att --network o img", func(t *testing.T, c *graph.Cluster) {
			x := graph.NewIndex(graph.Flatten(c))
			if edges, _ := dockerrules.Resolve(x, x.Container("ctr:att"), "s2"); len(edges) != 1 || edges[0].Label != "10.0.1.5" {
				t.Errorf("s2 resolves to %+v, want its VIP 10.0.1.5", edges)
			}
			// s2: VIP .5, task .6, node1's lb .7; att .8, node2's lb .9.
			if got := addrOn(ctrNamed(t, c.Host("node2"), "att"), "o") + " " + lbOf(c.Host("node2"), "o"); got != "10.0.1.8/24 10.0.1.9/24" {
				t.Errorf("att and node2's lb: %s", got)
			}
		}},
		{"service rm frees everything", swarm3 + "docker network create -d overlay o\ndocker service create --name a --replicas 3 --network o img\ndocker service rm a\ndocker network rm o", func(t *testing.T, c *graph.Cluster) {
			for _, m := range c.Hosts {
				if len(m.Containers) != 0 || netNamed(m, "o") != nil || len(m.Services) != 0 {
					t.Errorf("%s: %d containers, %v", graph.NodeName(m), len(m.Containers), m.NetworkNames())
				}
			}
		}},
		{"a global service: a task per node, one for a node joining later", "docker swarm init\ndocker network create -d overlay o\ndocker service create --mode global --name g --network o img\ndocker -H node2 swarm join --token x node1:2377", func(t *testing.T, c *graph.Cluster) {
			for _, m := range c.Hosts {
				g := ctrNamed(t, m, "g."+m.Host.Swarm.NodeID+".")
				if g.Task.Slot != 0 {
					t.Errorf("%s: slot %d", g.Name, g.Task.Slot)
				}
			}
		}},
		{"constraints and drained nodes", swarm3 + "docker --context node4 swarm join --availability drain 10.252.0.1\ndocker network create -d overlay o\ndocker service create --name p --replicas 2 --constraint node.hostname==node2 --network o img\ndocker service create --name q --replicas 3 --constraint node.role!=manager --network o img", func(t *testing.T, c *graph.Cluster) {
			ctrNamed(t, c.Host("node2"), "p.1.")
			ctrNamed(t, c.Host("node2"), "p.2.")
			if len(c.Host("node1").Containers) != 0 || len(c.Host("node4").Containers) != 0 {
				t.Error("a task on the manager or a drained node")
			}
			ctrNamed(t, c.Host("node3"), "q.")
		}},
		{"a service on no network runs on the default bridge", "docker swarm init\ndocker service create --name plain img", func(t *testing.T, c *graph.Cluster) {
			if got := addrOn(ctrNamed(t, c.Hosts[0], "plain.1."), "bridge"); got != "172.17.0.2/16" {
				t.Errorf("plain.1 on bridge: %s", got)
			}
		}},
		{"an encrypted overlay is noted", "docker swarm init\ndocker network create -d overlay -o encrypted sec", func(t *testing.T, c *graph.Cluster) {
			if n := netNamed(c.Hosts[0], "sec"); !n.Overlay.Encrypted || !strings.Contains(strings.Join(c.Hosts[0].Warnings, " "), "IPsec ESP") {
				t.Errorf("%+v %q", n.Overlay, c.Hosts[0].Warnings)
			}
		}},
		{"a worker leaves", swarm3 + "docker --context node3 swarm leave", func(t *testing.T, c *graph.Cluster) {
			if m := c.Host("node3"); m.Host.Swarm != nil || netNamed(m, "ingress") != nil || netNamed(m, "docker_gwbridge") == nil {
				t.Errorf("node3 after leave: %+v %v", m.Host.Swarm, m.NetworkNames())
			}
			if nodes := c.Host("node1").Host.Swarm.Nodes; len(nodes) != 3 || nodes[2].State != "down" {
				t.Errorf("nodes %+v", nodes)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, mustSwarm(t, tt.script)) })
	}
}

// TestSwarmRefusals: what the swarm refuses, at the command's position.
func TestSwarmRefusals(t *testing.T) {
	tests := []struct{ script, want string }{
		{"docker network create -d overlay o", `s.sh:1:1: Error response from daemon: This node is not a swarm manager. Use "docker swarm init"`},
		{swarm3 + "docker --context node2 network create -d overlay o", "s.sh:4:1: Error response from daemon: This node is not a swarm manager. Use"},
		{swarm3 + "docker --context node2 service create img", "s.sh:4:1: Error response from daemon: This node is not a swarm manager. Worker nodes can't be used"},
		{"docker service create img", `This node is not a swarm manager. Use "docker swarm init"`},
		{swarm3 + "docker network create -d overlay o\ndocker run -d --network o img", "s.sh:5:1: Error response from daemon: failed to set up container networking: Could not attach to network o: rpc error: code = PermissionDenied desc = network o not manually attachable"},
		{swarm3 + "docker network create -d overlay o\ndocker run -d --name cc img\ndocker network connect o cc", "network o not manually attachable"},
		{"docker -H node2 swarm join --token x 10.0.0.1:2377", "s.sh:1:1: Error response from daemon: Timeout was reached before node joined"},
		{"docker swarm init --advertise-addr 10.252.0.1\ndocker -H node2 swarm join 10.9.9.9:2377", "s.sh:2:1: Error response from daemon: Timeout was reached"},
		{"docker swarm init\ndocker swarm init", "s.sh:2:1: Error response from daemon: This node is already part of a swarm"},
		{"docker swarm init\ndocker -H node2 swarm init", "a second swarm is not modelled yet"},
		{swarm3 + "docker --context node2 swarm join 10.252.0.1:2377", "This node is already part of a swarm"},
		{"docker swarm init --advertise-addr 10.252.0.1\ndocker -H node2 swarm join --advertise-addr 10.252.0.1 10.252.0.1", "a node address 10.252.0.1 that node node1 has"},
		{"docker swarm init --advertise-addr wlan0", "--advertise-addr \"wlan0\" is not modelled yet"},
		{"docker swarm init\ndocker service create --name a img\ndocker service create --name a img", "s.sh:3:1: Error response from daemon: rpc error: code = AlreadyExists desc = name conflicts with an existing object: service a already exists"},
		{"docker swarm init\ndocker service rm nope", "s.sh:2:1: Error response from daemon: service nope not found"},
		{"docker swarm init\ndocker service scale nope=2", "s.sh:2:1: nope: Error response from daemon: service nope not found"},
		{"docker swarm init\ndocker service create --mode global --name g img\ndocker service scale g=2", "g: scale can only be used with replicated or replicated-job mode"},
		{"docker swarm init\ndocker network create -d overlay o\ndocker service create --network o img\ndocker network rm o", "s.sh:4:1: Error response from daemon: rpc error: code = FailedPrecondition desc = network"},
		{"docker swarm init\ndocker network create -d overlay --attachable o\ndocker run -d --network o img\ndocker network rm o", "is in use by task"},
		{"docker swarm init\ndocker network rm ingress", "network rm ingress is not modelled yet"},
		{"docker swarm init\ndocker network rm docker_gwbridge", "has active endpoints"},
		{"docker swarm init\ndocker service create --endpoint-mode dnsrr -p 80:80 img", "port published with ingress mode can't be used with dnsrr mode"},
		{"docker swarm init\ndocker service create --name a -p 80:80 img\ndocker service create --name b -p 80:8080 img", "port '80' is already in use by service 'a'"},
		{"docker swarm init\ndocker service create --network nope img", "s.sh:2:1: Error response from daemon: network nope not found"},
		{"docker swarm init\ndocker service create --network bridge img", "a service on local network \"bridge\" is not modelled yet"},
		{"docker swarm init\ndocker service create --network ingress img", "cannot be explicitly attached to the ingress network"},
		{"docker swarm init\ndocker network create -d overlay o\ndocker service create --network name=o,alias=x img", "an alias on a service's network is not modelled yet"},
		{"docker swarm init\ndocker service create \\\n  --constraint node.labels.zone==a img", "s.sh:3:16: --constraint \"node.labels.zone==a\" is not modelled yet"},
		{"docker swarm init\ndocker service create --mode replicated-job img", "--mode replicated-job is not modelled yet"},
		{"docker swarm init\ndocker service create --name w img\ndocker rm -f $(docker ps -a -q)", "docker rm of task container w.1."},
		{"docker swarm init\ndocker swarm leave", "s.sh:2:1: Error response from daemon: You are attempting to leave the swarm on a node that is participating as a manager"},
		{swarm3 + "docker network create -d overlay o\ndocker service create --name a --replicas 3 --network o img\ndocker --context node2 swarm leave", "swarm leave of a node that runs tasks is not modelled yet"},
		{"docker swarm leave", "Error response from daemon: This node is not part of a swarm"},
		{"docker swarm init\ndocker service create --replicas 20000 img", "a service of 20000 replicas is not modelled yet"},
		{"docker swarm init\ndocker network create -d overlay --ipv6 o", "an IPv6 overlay is not modelled yet"},
	}
	for _, tt := range tests {
		_, _, err := runSwarm(t, tt.script)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q:\n err = %v\nwant %q", tt.script, err, tt.want)
		}
	}
}

// TestMultiHost: hosts come into the cluster as the scenario names them;
// a scenario of one host is one host.
func TestMultiHost(t *testing.T) {
	_, c, err := runSwarm(t, "docker run -d --name aa img\ndocker -H ssh://u@lab2 run -d --name bb img")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Hosts) != 2 || c.Host("lab2") == nil || c.Host("lab2").Host.Uplink == "" || iface(t, c.Host("lab2"), "host/eth0").Addrs[0].String() != "192.0.2.11/24" {
		t.Errorf("hosts %d", len(c.Hosts))
	}
	e, c, _ := runSwarm(t, "docker run -d --name aa img")
	if e.MultiHost() || len(c.Hosts) != 1 {
		t.Error("one host is several")
	}
	e, c, _ = runSwarm(t, "docker --context mgr swarm init\ndocker service create --name w img")
	if !e.MultiHost() || len(c.Hosts) != 1 || c.Host("mgr") == nil || len(c.Host("mgr").Containers) != 1 {
		t.Errorf("a swarm of one on a named node: %d hosts", len(c.Hosts))
	}
}

// TestClusterGolden simulates the swarm scenarios in testdata/swarm on
// Docker 29 (the test bed's release) and pins every node's model (the
// cluster JSON) and text.
func TestClusterGolden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "swarm", "*.sh"))
	if len(files) == 0 {
		t.Fatal("no swarm scenarios")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, c, err := runSwarm(t, string(data))
			if err != nil {
				t.Fatal(err)
			}
			var js, text bytes.Buffer
			if err := graph.WriteClusterJSON(&js, c); err != nil {
				t.Fatal(err)
			}
			for _, m := range c.Hosts {
				if err := render.Text(&text, m); err != nil {
					t.Fatal(err)
				}
			}
			base := strings.TrimSuffix(f, ".sh")
			testkit.Golden(t, base+".cluster.json.golden", js.Bytes())
			testkit.Golden(t, base+".text.golden", text.Bytes())
			if _, err := graph.ReadClusterJSON(&js); err != nil {
				t.Errorf("the cluster does not read back: %v", err)
			}
		})
	}
}
