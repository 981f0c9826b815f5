package discover

import (
	"bytes"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/testkit"
)

// Inodes of the namespaces in the fixtures.
const (
	hostInode = 4026531840 + iota
	webInode
	dbInode
	noneInode
	macInode
)

// seedDocker is the Docker side of a small seed host: web and db on the
// default bridge (web --link db:mysql -p 15530:80), two members of mybridge
// sharing --net-alias alicek106, a --net container:web sidecar, a --net host
// and a --net none container, a macvlan member and a stopped container.
func seedDocker() *DockerSnapshot {
	return &DockerSnapshot{
		Host: "unix:///var/run/docker.sock", Version: "28.2.2", APIVersion: "1.50",
		Networks: []DockerNetwork{
			{ID: "b1" + strings.Repeat("0", 62), Name: "bridge", Driver: "bridge",
				Options: map[string]string{"com.docker.network.bridge.name": "docker0"},
				Subnets: []DockerSubnet{{Subnet: pfx("172.17.0.0/16"), Gateway: addr("172.17.0.1")}}},
			{ID: "3f4d5e6f7a8b" + strings.Repeat("1", 52), Name: "mybridge", Driver: "bridge",
				Subnets: []DockerSubnet{{Subnet: pfx("172.18.0.0/16"), Gateway: addr("172.18.0.1")}}},
			{ID: "aa" + strings.Repeat("2", 62), Name: "quiet", Driver: "bridge", Internal: true,
				Options: map[string]string{"com.docker.network.bridge.enable_icc": "false"}},
			{ID: "cc" + strings.Repeat("3", 62), Name: "my_macvlan", Driver: "macvlan",
				Options: map[string]string{"parent": "nvz-par0", "macvlan_mode": "bridge"},
				Subnets: []DockerSubnet{{Subnet: pfx("192.168.77.0/24"), Gateway: addr("192.168.77.1")}}},
			{ID: "dd" + strings.Repeat("4", 62), Name: "host", Driver: "host"},
			{ID: "ee" + strings.Repeat("5", 62), Name: "none", Driver: "null"},
		},
		Containers: []DockerContainer{
			{ID: "web0000000001" + strings.Repeat("a", 51), Name: "web", Image: "nginx", State: "running", Pid: 101,
				NetworkMode: "default", Links: []string{"/db:/web/mysql"},
				Endpoints: []DockerEndpoint{{Network: "bridge", IPv4: pfx("172.17.0.3/16"), Gateway: addr("172.17.0.1"), MAC: "02:42:ac:11:00:03"}},
				Ports:     []DockerPort{{Proto: "tcp", ContainerPort: 80, HostIP: addr("0.0.0.0"), HostPort: 15530}, {Proto: "tcp", ContainerPort: 80, HostIP: addr("::"), HostPort: 15530}}},
			{ID: "db00000000002" + strings.Repeat("b", 51), Name: "db", State: "running", Pid: 102, NetworkMode: "bridge",
				Endpoints: []DockerEndpoint{{Network: "bridge", IPv4: pfx("172.17.0.2/16"), MAC: "02:42:ac:11:00:02"}}},
			{ID: "side000000003" + strings.Repeat("c", 51), Name: "sidecar", State: "running", Pid: 103,
				NetworkMode: "container:web0000000001" + strings.Repeat("a", 51)},
			{ID: "al1000000004" + strings.Repeat("d", 52), Name: "alias1", State: "running", Pid: 104, NetworkMode: "mybridge",
				Endpoints: []DockerEndpoint{{Network: "mybridge", IPv4: pfx("172.18.0.2/16"), MAC: "02:42:ac:12:00:02",
					Aliases: []string{"alias1", "al1000000004", "alicek106"}}}},
			{ID: "al2000000005" + strings.Repeat("e", 52), Name: "alias2", State: "running", Pid: 105, NetworkMode: "mybridge",
				Endpoints: []DockerEndpoint{{Network: "mybridge", IPv4: pfx("172.18.0.3/16"),
					Aliases: []string{"alicek106"}}}},
			{ID: "host00000006" + strings.Repeat("f", 52), Name: "hostnet", State: "running", Pid: 106, NetworkMode: "host",
				Endpoints: []DockerEndpoint{{Network: "host"}}},
			{ID: "none00000007" + strings.Repeat("0", 52), Name: "isolated", State: "running", Pid: 107, NetworkMode: "none",
				Endpoints: []DockerEndpoint{{Network: "none"}}},
			{ID: "mac000000008" + strings.Repeat("1", 52), Name: "mac1", State: "running", Pid: 108, NetworkMode: "my_macvlan",
				Endpoints: []DockerEndpoint{{Network: "my_macvlan", IPv4: pfx("192.168.77.2/24"), MAC: "02:42:c0:a8:4d:02"}}},
			{ID: "stop00000009" + strings.Repeat("2", 52), Name: "stopped", State: "exited", NetworkMode: "mybridge",
				Endpoints: []DockerEndpoint{{Network: "mybridge"}}},
		},
		Vanished: []string{"ghost"},
	}
}

// seedNamespaces is what netlink reports for seedDocker: the host with
// docker0, a user bridge, host-side veths and the macvlan parent; each
// container namespace with lo and its eth0.
func seedNamespaces() []NamespaceSnapshot {
	lo := LinkSnapshot{Index: 1, Name: "lo", Type: "device", Loopback: true, MTU: 65536, OperState: "unknown", LinkNetNSID: -1, Addrs: pfxs("127.0.0.1/8")}
	return []NamespaceSnapshot{
		{Inode: hostInode, Host: true, Path: "/proc/self/ns/net", DefaultRouteIndex: 2, HostNSID: -1,
			Containers: []string{"host00000006" + strings.Repeat("f", 52)},
			PeerNSIDs:  map[int]uint64{0: webInode, 1: dbInode},
			Links: []LinkSnapshot{
				lo,
				{Index: 2, Name: "eth0", Type: "device", MTU: 1500, OperState: "up", LinkNetNSID: -1, Addrs: pfxs("fe80::1/64", "192.0.2.2/24")},
				{Index: 3, Name: "docker0", Type: "bridge", MTU: 1500, OperState: "up", LinkNetNSID: -1, Addrs: pfxs("172.17.0.1/16")},
				{Index: 4, Name: "br-3f4d5e6f7a8b", Type: "bridge", MTU: 1500, OperState: "up", LinkNetNSID: -1, Addrs: pfxs("172.18.0.1/16")},
				// web's veth: resolved through the host's netnsid table.
				{Index: 10, Name: "veth1a2b", Type: "veth", MasterIndex: 3, ParentIndex: 9, LinkNetNSID: 0, OperState: "up"},
				// db's veth: same.
				{Index: 12, Name: "veth3c4d", Type: "veth", MasterIndex: 3, ParentIndex: 11, LinkNetNSID: 1, OperState: "up"},
				// alias1's veth: netnsid unknown to the host table → mutual-index fallback.
				{Index: 14, Name: "veth5e6f", Type: "veth", MasterIndex: 4, ParentIndex: 13, LinkNetNSID: 7, OperState: "up"},
				// The macvlan parent: one end of a veth pair the test created.
				{Index: 20, Name: "nvz-par0", Type: "veth", ParentIndex: 21, LinkNetNSID: -1, OperState: "up"},
				{Index: 21, Name: "nvz-par1", Type: "veth", ParentIndex: 20, LinkNetNSID: -1, OperState: "up"},
				{Index: 30, Name: "ifb0", Type: "ifb", OperState: "down", LinkNetNSID: -1},
			}},
		{Inode: webInode, Path: "/proc/101/ns/net", HostNSID: 0,
			Containers: []string{"web0000000001" + strings.Repeat("a", 51), "side000000003" + strings.Repeat("c", 51)},
			Links:      []LinkSnapshot{lo, {Index: 9, Name: "eth0", Type: "veth", MAC: "02:42:ac:11:00:03", ParentIndex: 10, LinkNetNSID: 0, OperState: "up", Addrs: pfxs("172.17.0.3/16")}}},
		{Inode: dbInode, Path: "/proc/102/ns/net", HostNSID: 0,
			Containers: []string{"db00000000002" + strings.Repeat("b", 51)},
			Links:      []LinkSnapshot{lo, {Index: 11, Name: "eth0", Type: "veth", MAC: "02:42:ac:11:00:02", ParentIndex: 12, LinkNetNSID: 0, OperState: "up", Addrs: pfxs("172.17.0.2/16")}}},
		{Inode: webInode + 100, Path: "/proc/104/ns/net", HostNSID: 3,
			Containers: []string{"al1000000004" + strings.Repeat("d", 52)},
			Links:      []LinkSnapshot{lo, {Index: 13, Name: "eth0", Type: "veth", MAC: "02:42:ac:12:00:02", ParentIndex: 14, LinkNetNSID: 5, OperState: "up", Addrs: pfxs("172.18.0.2/16")}}},
		{Inode: noneInode, Path: "/proc/107/ns/net", HostNSID: -1,
			Containers: []string{"none00000007" + strings.Repeat("0", 52)},
			Links:      []LinkSnapshot{lo}},
		{Inode: macInode, Path: "/proc/108/ns/net", HostNSID: 2,
			Containers: []string{"mac000000008" + strings.Repeat("1", 52)},
			Links:      []LinkSnapshot{lo, {Index: 2, Name: "eth0", Type: "macvlan", MAC: "02:42:c0:a8:4d:02", ParentIndex: 20, LinkNetNSID: 2, OperState: "up", Addrs: pfxs("192.168.77.2/24")}}},
	}
}

func TestBuildSeed(t *testing.T) {
	m := Build("vm", seedDocker(), seedNamespaces(), BuildOptions{})
	if err := graph.Validate(m); err != nil {
		t.Fatalf("model does not validate: %v", err)
	}
	x := graph.NewIndex(m)

	edges := []struct {
		kind     graph.EdgeKind
		from, to string
	}{
		{graph.EdgeVethPeer, "host/veth1a2b", "ns:web/eth0"},    // via the host's netnsid table
		{graph.EdgeVethPeer, "host/veth3c4d", "ns:db/eth0"},     // same
		{graph.EdgeVethPeer, "host/veth5e6f", "ns:alias1/eth0"}, // via mutual indexes
		{graph.EdgeVethPeer, "host/nvz-par0", "host/nvz-par1"},  // same namespace
		{graph.EdgeMaster, "host/veth1a2b", "host/docker0"},
		{graph.EdgeMaster, "host/veth3c4d", "host/docker0"},
		{graph.EdgeMaster, "host/veth5e6f", "host/br-3f4d5e6f7a8b"},
		{graph.EdgeLower, "ns:mac1/eth0", "host/nvz-par0"}, // via the container's id for the host
	}
	for _, e := range edges {
		from, to := e.from, e.to
		if e.kind == graph.EdgeVethPeer && to < from {
			from, to = to, from
		}
		if !slices.ContainsFunc(m.Edges, func(g graph.Edge) bool { return g.Kind == e.kind && g.From == from && g.To == to }) {
			t.Errorf("missing %s edge %s → %s", e.kind, e.from, e.to)
		}
	}
	if n := countKind(m, graph.EdgeVethPeer); n != 4 {
		t.Errorf("%d veth-peer edges, want 4 (each pair once)", n)
	}

	ns := func(ctr string) graph.NamespaceID { return x.Container(graph.NewContainerID(ctr)).Namespace }
	for ctr, want := range map[string]graph.NamespaceID{
		"web": "ns:web", "sidecar": "ns:web", "db": "ns:db", "hostnet": "host",
		"isolated": "ns:isolated", "mac1": "ns:mac1", "alias2": "ns:alias2",
	} {
		if got := ns(ctr); got != want {
			t.Errorf("%s uses namespace %q, want %q", ctr, got, want)
		}
	}
	if got := x.Namespace("ns:web").Inode; got != webInode {
		t.Errorf("ns:web inode %d, want %d", got, webInode)
	}
	if x.Container("ctr:stopped") != nil {
		t.Error("stopped container kept without --all")
	}
	side := x.Container("ctr:sidecar")
	if side.SharesWith != "ctr:web" || side.NetworkMode != "container:web" {
		t.Errorf("sidecar shares %q mode %q, want ctr:web container:web", side.SharesWith, side.NetworkMode)
	}
	if got := x.Container("ctr:web").NetworkMode; got != "bridge" {
		t.Errorf("web mode %q, want bridge (normalised from default)", got)
	}
	if got := len(x.InterfacesIn("ns:isolated")); got != 1 {
		t.Errorf("none container has %d interfaces, want only lo", got)
	}

	web := x.Container("ctr:web")
	if web.Endpoints[0].Interface != "ns:web/eth0" {
		t.Errorf("web endpoint interface %q, want ns:web/eth0 (matched by MAC)", web.Endpoints[0].Interface)
	}
	if got := x.Container("ctr:alias1").Endpoints[0].Aliases; !slices.Equal(got, []string{"alicek106"}) {
		t.Errorf("alias1 aliases %v, want [alicek106] (name and short ID dropped)", got)
	}
	if up := m.Host.Uplink; up != "host/eth0" {
		t.Errorf("uplink %q, want host/eth0", up)
	}
	if got := x.Interface("host/eth0").Addrs; got[0] != pfx("192.0.2.2/24") {
		t.Errorf("addresses %v: IPv4 must come first", got)
	}
	if x.Interface("host/lo").Kind != graph.KindLoopback || x.Interface("host/docker0").Kind != graph.KindBridge ||
		x.Interface("ns:mac1/eth0").Kind != graph.KindMacvlan || x.Interface("host/eth0").Kind != graph.KindPhysical ||
		x.Interface("host/ifb0").Kind != graph.KindOther {
		t.Error("interface kinds wrong")
	}

	nets := map[string]*graph.Network{}
	for _, n := range m.Networks {
		nets[n.Name] = n
	}
	if n := nets["bridge"]; !n.Default || n.Bridge != "host/docker0" || dockerrules.EmbeddedDNS(n) {
		t.Errorf("default bridge: %+v", n)
	}
	if n := nets["mybridge"]; n.Bridge != "host/br-3f4d5e6f7a8b" || !n.ICC || !dockerrules.EmbeddedDNS(n) {
		t.Errorf("mybridge: %+v", n)
	}
	if n := nets["quiet"]; n.ICC || !n.Internal || n.Bridge != "" || n.BridgeName != "br-aa2222222222" {
		t.Errorf("quiet: %+v", n)
	}
	if n := nets["my_macvlan"]; n.Parent != "host/nvz-par0" || n.ParentName != "nvz-par0" {
		t.Errorf("my_macvlan: %+v", n)
	}

	if len(m.Ports) != 2 || m.Ports[0].Container != "ctr:web" {
		t.Errorf("ports %+v", m.Ports)
	}
	answers := func(id string) []string {
		var out []string
		for _, e := range x.EdgesFrom(id) {
			out = append(out, e.Label)
		}
		slices.Sort(out)
		return out
	}
	if got := answers("dns:net:mybridge/alicek106"); !slices.Equal(got, []string{"172.18.0.2", "172.18.0.3"}) {
		t.Errorf("alicek106 answers %v", got)
	}
	if got := answers("dns:ctr:web/mysql"); !slices.Equal(got, []string{"172.17.0.2"}) {
		t.Errorf("--link alias mysql for web answers %v", got)
	}
	if x.Name("dns:net:bridge/web") != nil {
		t.Error("the default bridge must not have embedded DNS names")
	}
	if !slices.ContainsFunc(m.Warnings, func(w string) bool { return strings.Contains(w, "ghost") }) {
		t.Errorf("warnings %v: want a note about the vanished container", m.Warnings)
	}
}

func countKind(m *graph.Model, k graph.EdgeKind) int {
	n := 0
	for _, e := range m.Edges {
		if e.Kind == k {
			n++
		}
	}
	return n
}

func TestBuildDegrades(t *testing.T) {
	host := seedNamespaces()[:1]
	tests := []struct {
		name       string
		docker     *DockerSnapshot
		namespaces []NamespaceSnapshot
		opts       BuildOptions
		check      func(t *testing.T, m *graph.Model)
	}{
		{"no engine: host only", nil, host, BuildOptions{}, func(t *testing.T, m *graph.Model) {
			if len(m.Containers) != 0 || len(m.Networks) != 0 || len(m.Interfaces) != len(host[0].Links) {
				t.Errorf("got %d containers, %d networks, %d interfaces", len(m.Containers), len(m.Networks), len(m.Interfaces))
			}
			if m.Host.Engine != "" {
				t.Errorf("engine %q", m.Host.Engine)
			}
		}},
		{"no root: Docker facts, no container interfaces", seedDocker(), host, BuildOptions{}, func(t *testing.T, m *graph.Model) {
			x := graph.NewIndex(m)
			web := x.Container("ctr:web")
			if web == nil || web.Namespace != "ns:web" || web.Endpoints[0].Interface != "" || web.Endpoints[0].IPv4 != pfx("172.17.0.3/16") {
				t.Errorf("web: %+v", web)
			}
			if len(x.InterfacesIn("ns:web")) != 0 {
				t.Error("interfaces invented for an unread namespace")
			}
			if x.Namespace("ns:web").Inode != 0 {
				t.Error("inode invented for an unread namespace")
			}
		}},
		{"--all keeps stopped containers without a namespace", seedDocker(), seedNamespaces(), BuildOptions{All: true}, func(t *testing.T, m *graph.Model) {
			c := graph.NewIndex(m).Container("ctr:stopped")
			if c == nil || c.Namespace != "" || c.Running() {
				t.Errorf("stopped: %+v", c)
			}
		}},
		{"container:X whose X is gone", &DockerSnapshot{Containers: []DockerContainer{
			{ID: strings.Repeat("9", 64), Name: "orphan", State: "running", Pid: 5, NetworkMode: "container:" + strings.Repeat("8", 64)},
		}}, host, BuildOptions{}, func(t *testing.T, m *graph.Model) {
			c := graph.NewIndex(m).Container("ctr:orphan")
			if c == nil || c.SharesWith != "" || len(m.Warnings) == 0 {
				t.Errorf("orphan %+v, warnings %v", c, m.Warnings)
			}
		}},
		{"ambiguous veth peers are not guessed", nil, []NamespaceSnapshot{
			{Inode: 1, Host: true, HostNSID: -1, Links: []LinkSnapshot{{Index: 5, Name: "vethA", Type: "veth", ParentIndex: 2, LinkNetNSID: 9}}},
		}, BuildOptions{}, func(t *testing.T, m *graph.Model) {
			if countKind(m, graph.EdgeVethPeer) != 0 {
				t.Errorf("edges %v", m.Edges)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Build("vm", tt.docker, tt.namespaces, tt.opts)
			if err := graph.Validate(m); err != nil {
				t.Fatalf("model does not validate: %v", err)
			}
			tt.check(t, m)
		})
	}
}

func TestParseHostConfigLink(t *testing.T) {
	tests := []struct {
		in   string
		want graph.Link
		ok   bool
	}{
		{"/db:/web/mysql", graph.Link{Target: "db", Alias: "mysql"}, true},
		{"/wordpressdb:/wordpress/mysql", graph.Link{Target: "wordpressdb", Alias: "mysql"}, true},
		{"nocolon", graph.Link{}, false},
		{":/web/", graph.Link{}, false},
	}
	for _, tt := range tests {
		got, ok := parseHostConfigLink(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseHostConfigLink(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBridgeName(t *testing.T) {
	tests := []struct {
		net  DockerNetwork
		want string
	}{
		{DockerNetwork{Name: "bridge", ID: "x"}, "docker0"},
		{DockerNetwork{Name: "mybridge", ID: "3f4d5e6f7a8b9c"}, "br-3f4d5e6f7a8b"},
		{DockerNetwork{Name: "named", ID: "3f4d5e6f7a8b9c", Options: map[string]string{"com.docker.network.bridge.name": "lab0"}}, "lab0"},
		{DockerNetwork{Name: "short", ID: "abc"}, ""},
	}
	for _, tt := range tests {
		if got := BridgeName(tt.net); got != tt.want {
			t.Errorf("BridgeName(%s) = %q, want %q", tt.net.Name, got, tt.want)
		}
	}
}

// TestBuildGolden pins the whole seed model. The file is the one
// testkit.SeedModel serves to the graph, render, reach and probe tests.
func TestBuildGolden(t *testing.T) {
	m := Build("vm", seedDocker(), seedNamespaces(), BuildOptions{All: true})
	var buf bytes.Buffer
	if err := graph.WriteJSON(&buf, m); err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, filepath.Join("..", "testkit", testkit.SeedModelFile), buf.Bytes())
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

func pfxs(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = pfx(s)
	}
	return out
}
