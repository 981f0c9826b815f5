package discover_test

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/dockertest"
	"github.com/netviz/netviz/internal/graph"
)

// TestLiveSeed builds every seed scenario on a real dockerd and checks the
// discovered model against `docker inspect` and the kernel (sysfs, read on a
// path independent of netlink).
func TestLiveSeed(t *testing.T) {
	env := dockertest.Require(t)

	// Two containers on the default bridge, linked, one publishing -p 15540:80
	// (the seed's 15530 and its subnets are the labs': packages run in
	// parallel, so live tests keep out of each other's way).
	db := env.Run("wordpressdb", dockertest.Spec{})
	wp := env.Run("wordpress", dockertest.Spec{Links: []string{db + ":mysql"}, Ports: []string{"15540:80"}})

	// A user bridge with three containers under --net-alias alicek106, and a client.
	mybridge := env.Network("mybridge", client.NetworkCreateOptions{Driver: "bridge"})
	var aliased []string
	for i := 1; i <= 3; i++ {
		aliased = append(aliased, env.Run("network_alias_container"+strconv.Itoa(i), dockertest.Spec{Network: mybridge, Aliases: []string{"alicek106"}}))
	}
	ping := env.Run("network_alias_ping", dockertest.Spec{Network: mybridge})

	// --net none, --net host, --net container:X.
	none := env.Run("network_none", dockertest.Spec{Network: "none"})
	host := env.Run("network_host", dockertest.Spec{Network: "host"})
	c1 := env.Run("network_container_1", dockertest.Spec{})
	c2 := env.Run("network_container_2", dockertest.Spec{Network: "container:" + c1})

	// A custom subnet, ip-range and gateway.
	custom := env.Network("custom", client.NetworkCreateOptions{Driver: "bridge", IPAM: &network.IPAM{Config: []network.IPAMConfig{{
		Subnet: netip.MustParsePrefix("172.73.0.0/16"), IPRange: netip.MustParsePrefix("172.73.0.0/24"), Gateway: netip.MustParseAddr("172.73.0.1"),
	}}}})
	cust := env.Run("custom_member", dockertest.Spec{Network: custom})

	// Connected to two bridges, then disconnected from one.
	multi := env.Run("multi", dockertest.Spec{Network: mybridge})
	if _, err := env.Client.NetworkConnect(env.Ctx, custom, client.NetworkConnectOptions{Container: multi}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Client.NetworkDisconnect(env.Ctx, mybridge, client.NetworkDisconnectOptions{Container: multi}); err != nil {
		t.Fatal(err)
	}

	// macvlan on a veth parent the test creates, never the uplink.
	parent := env.Prefix[:10] + "p0"
	env.Veth(parent, env.Prefix[:10]+"p1")
	macnet := env.Network("macvlan", client.NetworkCreateOptions{Driver: "macvlan",
		Options: map[string]string{"parent": parent, "macvlan_mode": "bridge"},
		IPAM:    &network.IPAM{Config: []network.IPAMConfig{{Subnet: netip.MustParsePrefix("192.168.78.0/24"), Gateway: netip.MustParseAddr("192.168.78.1")}}}})
	mac := env.Run("mac", dockertest.Spec{Network: macnet})

	m, err := discover.Discover(env.Ctx, discover.Options{Client: env.Client})
	if err != nil {
		t.Fatal(err)
	}
	if err := graph.Validate(m); err != nil {
		t.Fatalf("model does not validate: %v", err)
	}
	for _, w := range m.Warnings {
		if strings.Contains(w, env.Prefix) {
			t.Errorf("warning about a test container: %s", w)
		}
	}
	x := graph.NewIndex(m)
	ctr := func(name string) *graph.Container {
		t.Helper()
		c := x.Container(graph.NewContainerID(name))
		if c == nil {
			t.Fatalf("container %s not discovered", name)
		}
		return c
	}
	inspect := func(name string) (pid int, ips map[string]netip.Prefix) {
		t.Helper()
		res, err := env.Client.ContainerInspect(env.Ctx, name, client.ContainerInspectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ips = map[string]netip.Prefix{}
		for net, ep := range res.Container.NetworkSettings.Networks {
			if ep.IPAddress.IsValid() {
				ips[net] = netip.PrefixFrom(ep.IPAddress, ep.IPPrefixLen)
			}
		}
		return res.Container.State.Pid, ips
	}

	// checkWired: each endpoint of a bridged container is its eth, whose veth
	// peer on the host is enslaved to the network's bridge — as the kernel says.
	checkWired := func(t *testing.T, name string) {
		c := ctr(name)
		pid, ips := inspect(name)
		if ino := nsInode(t, pid); x.Namespace(c.Namespace).Inode != ino {
			t.Errorf("%s: namespace inode %d, kernel says %d", name, x.Namespace(c.Namespace).Inode, ino)
		}
		if len(c.Endpoints) != len(ips) {
			t.Errorf("%s: %d endpoints, docker inspect has %d", name, len(c.Endpoints), len(ips))
		}
		for _, ep := range c.Endpoints {
			nw := x.Network(ep.Network)
			if want := ips[nw.Name]; ep.IPv4 != want {
				t.Errorf("%s on %s: IP %s, docker inspect says %s", name, nw.Name, ep.IPv4, want)
			}
			ifc := x.Interface(ep.Interface)
			if ifc == nil {
				t.Errorf("%s on %s: no interface matched", name, nw.Name)
				continue
			}
			if !slices.Contains(ifc.Addrs, ep.IPv4) {
				t.Errorf("%s: %s holds %v, want %s", name, ifc.Name, ifc.Addrs, ep.IPv4)
			}
			peer := x.Interface(x.Peer(ifc.ID))
			if peer == nil || peer.Namespace != graph.HostNamespaceID {
				t.Errorf("%s: %s has no host-side veth peer", name, ifc.Name)
				continue
			}
			// Kernel truth: the container eth's iflink is the host veth's ifindex,
			// and the host veth's master is the network's bridge.
			if got := sysfs(t, filepath.Join("/proc", strconv.Itoa(pid), "root/sys/class/net", ifc.Name, "iflink")); got != strconv.Itoa(peer.Index) {
				t.Errorf("%s: %s iflink %s, model's peer %s has ifindex %d", name, ifc.Name, got, peer.Name, peer.Index)
			}
			master, err := os.Readlink(filepath.Join("/sys/class/net", peer.Name, "master"))
			if err != nil {
				t.Errorf("%s: host veth %s: %v", name, peer.Name, err)
				continue
			}
			if got := x.Interface(x.Master(peer.ID)); got == nil || got.Name != filepath.Base(master) || got.ID != nw.Bridge {
				t.Errorf("%s: %s enslaved to %s in the kernel, model says %v (network bridge %s)", name, peer.Name, filepath.Base(master), got, nw.Bridge)
			}
		}
	}

	t.Run("default bridge", func(t *testing.T) {
		for _, name := range []string{db, wp, c1} {
			checkWired(t, name)
		}
		def := x.Network("net:bridge")
		if def == nil || !def.Default || def.Bridge != "host/docker0" {
			t.Fatalf("default bridge: %+v", def)
		}
	})
	t.Run("alias round-robin group", func(t *testing.T) {
		for _, name := range append(slices.Clone(aliased), ping) {
			checkWired(t, name)
		}
		nw := x.Network(graph.NewNetworkID(mybridge))
		if !strings.HasPrefix(x.Interface(nw.Bridge).Name, "br-") {
			t.Errorf("user bridge device %s", nw.Bridge)
		}
		var want, got []string
		for _, a := range aliased {
			_, ips := inspect(a)
			want = append(want, ips[mybridge].Addr().String())
		}
		for _, e := range x.EdgesFrom(graph.NewDNSNameID(graph.Scope(nw.ID), "alicek106")) {
			got = append(got, e.Label)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("alicek106 resolves to %v, docker inspect says %v", got, want)
		}
	})
	t.Run("none", func(t *testing.T) {
		c := ctr(none)
		ifs := x.InterfacesIn(c.Namespace)
		if len(ifs) != 1 || ifs[0].Kind != graph.KindLoopback {
			t.Errorf("--net none namespace holds %v, want only lo", ifs)
		}
		pid, _ := inspect(none)
		if got := sysfsList(t, filepath.Join("/proc", strconv.Itoa(pid), "root/sys/class/net")); !slices.Equal(got, []string{"lo"}) {
			t.Errorf("kernel lists %v in the none container", got)
		}
	})
	t.Run("host", func(t *testing.T) {
		c := ctr(host)
		if c.Namespace != graph.HostNamespaceID || len(c.Endpoints) != 1 || c.Endpoints[0].Interface != "" {
			t.Errorf("--net host container: %+v", c)
		}
		if x.Namespace(graph.HostNamespaceID).Inode != nsInode(t, os.Getpid()) {
			t.Error("host namespace inode differs from netviz's own")
		}
	})
	t.Run("container mode", func(t *testing.T) {
		a, b := ctr(c1), ctr(c2)
		if a.Namespace != b.Namespace || b.SharesWith != a.ID || b.NetworkMode != "container:"+c1 {
			t.Errorf("container:X: %+v / %+v", a, b)
		}
		pa, _ := inspect(c1)
		pb, _ := inspect(c2)
		if nsInode(t, pa) != nsInode(t, pb) {
			t.Error("kernel disagrees: the two namespaces differ")
		}
		if n := len(x.InterfacesIn(a.Namespace)); n != 2 {
			t.Errorf("shared namespace has %d interfaces, want lo and eth0 only (no new veth)", n)
		}
		if len(b.Endpoints) != 0 {
			t.Errorf("container:X member has its own endpoints %v", b.Endpoints)
		}
	})
	t.Run("custom subnet", func(t *testing.T) {
		nw := x.Network(graph.NewNetworkID(custom))
		want := []graph.Subnet{{Subnet: netip.MustParsePrefix("172.73.0.0/16"), Gateway: netip.MustParseAddr("172.73.0.1"), IPRange: netip.MustParsePrefix("172.73.0.0/24")}}
		if !slices.Equal(nw.Subnets, want) {
			t.Errorf("subnets %+v, want %+v", nw.Subnets, want)
		}
		checkWired(t, cust)
		ip := ctr(cust).Endpoints[0].IPv4.Addr()
		if !netip.MustParsePrefix("172.73.0.0/24").Contains(ip) {
			t.Errorf("address %s outside --ip-range", ip)
		}
		if br := x.Interface(nw.Bridge); !slices.Contains(br.Addrs, netip.MustParsePrefix("172.73.0.1/16")) {
			t.Errorf("bridge %s holds %v, want the gateway 172.72.0.1/16", br.Name, br.Addrs)
		}
	})
	t.Run("connect then disconnect", func(t *testing.T) {
		c := ctr(multi)
		if len(c.Endpoints) != 1 || c.Endpoints[0].Network != graph.NewNetworkID(custom) {
			t.Errorf("endpoints %+v, want only %s", c.Endpoints, custom)
		}
		checkWired(t, multi)
		if n := len(x.InterfacesIn(c.Namespace)); n != 2 {
			t.Errorf("%d interfaces after disconnect, want lo and one eth", n)
		}
	})
	t.Run("link and published port", func(t *testing.T) {
		c := ctr(wp)
		if !slices.Contains(c.Links, graph.Link{Target: db, Alias: "mysql"}) {
			t.Errorf("links %+v", c.Links)
		}
		_, dbIPs := inspect(db)
		dbIP := dbIPs["bridge"].Addr().String()
		edges := x.EdgesFrom(graph.NewDNSNameID(graph.Scope(c.ID), "mysql"))
		if len(edges) != 1 || edges[0].Label != dbIP || edges[0].To != string(graph.NewContainerID(db)) {
			t.Errorf("mysql for %s resolves to %+v, want %s", wp, edges, dbIP)
		}
		pid, _ := inspect(wp)
		hosts := sysfs(t, filepath.Join("/proc", strconv.Itoa(pid), "root/etc/hosts"))
		if !strings.Contains(hosts, dbIP) || !strings.Contains(hosts, "mysql") {
			t.Errorf("/etc/hosts lacks %s mysql:\n%s", dbIP, hosts)
		}
		var ports []*graph.Port
		for _, p := range m.Ports {
			if p.Container == c.ID {
				ports = append(ports, p)
			}
		}
		if len(ports) == 0 || ports[0].HostPort != 15540 || ports[0].ContainerPort != 80 || ports[0].Proto != "tcp" {
			t.Errorf("ports %+v, want 15540→80/tcp", ports)
		}
	})
	t.Run("macvlan", func(t *testing.T) {
		c := ctr(mac)
		nw := x.Network(graph.NewNetworkID(macnet))
		if nw.Parent != graph.NewInterfaceID(graph.HostNamespaceID, parent) {
			t.Errorf("parent %q, want host/%s", nw.Parent, parent)
		}
		ifc := x.Interface(c.Endpoints[0].Interface)
		if ifc == nil || ifc.Kind != graph.KindMacvlan {
			t.Fatalf("macvlan endpoint interface %+v", ifc)
		}
		if got := x.Lower(ifc.ID); got != nw.Parent {
			t.Errorf("lower of %s is %q, want %s", ifc.ID, got, nw.Parent)
		}
		pid, _ := inspect(mac)
		parentIndex := sysfs(t, filepath.Join("/sys/class/net", parent, "ifindex"))
		if got := sysfs(t, filepath.Join("/proc", strconv.Itoa(pid), "root/sys/class/net", ifc.Name, "iflink")); got != parentIndex {
			t.Errorf("kernel: %s iflink %s, parent ifindex %s", ifc.Name, got, parentIndex)
		}
	})
}

func nsInode(t *testing.T, pid int) uint64 {
	t.Helper()
	target, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "ns/net"))
	if err != nil {
		t.Fatal(err)
	}
	// net:[4026532345]
	ino, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(target, "net:["), "]"), 10, 64)
	if err != nil {
		t.Fatalf("parse %q: %v", target, err)
	}
	return ino
}

func sysfs(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(data))
}

func sysfsList(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	slices.Sort(out)
	return out
}
