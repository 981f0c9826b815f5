package discover

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/api/types/system"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/testkit"
)

// loadSwarmRecording builds every recorded node's model, in node order,
// with the deployment recorded beside them.
func loadSwarmRecording(t *testing.T) (*swarmExpect, []*graph.Model) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(swarmRecordDir, "deployment.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp swarmExpect
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	models := make([]*graph.Model, len(exp.Nodes))
	for i, n := range exp.Nodes {
		r, err := readRecord(filepath.Join(swarmRecordDir, n.Name))
		if err != nil {
			t.Fatal(err)
		}
		models[i] = Build(r.Info.Name, r.dockerSnapshot(), r.Namespaces, BuildOptions{})
	}
	return &exp, models
}

// TestBuildSwarmRecorded builds each node of a swarm recorded on the test
// bed (TestLiveSwarmDiscovery -update: issue 13's scenario on three Docker
// 29 engines) from the engine's answers and the namespace snapshots, checks
// it as the live test does (node, overlay, namespaces, br0, vxlan0 and its
// FDB against the other nodes' MACs, load balancer, ingress sandbox,
// tasks, services, names) and pins the whole model
// (testdata/swarm/NODE.model.json; go test -update rewrites it).
func TestBuildSwarmRecorded(t *testing.T) {
	exp, models := loadSwarmRecording(t)
	if nodes, err := recordedNodes(); err != nil || len(nodes) != len(exp.Nodes) {
		t.Fatalf("recorded nodes %v (%v), deployment has %d", nodes, err, len(exp.Nodes))
	}
	for i, n := range exp.Nodes {
		t.Run(n.Name, func(t *testing.T) {
			for _, p := range checkSwarmNode(exp, i, models) {
				t.Error(p)
			}
			var buf bytes.Buffer
			if err := graph.WriteJSON(&buf, models[i]); err != nil {
				t.Fatal(err)
			}
			testkit.Golden(t, filepath.Join(swarmRecordDir, n.Name+".model.json"), buf.Bytes())
			if _, err := graph.ReadJSON(bytes.NewReader(buf.Bytes())); err != nil {
				t.Errorf("the model does not read back: %v", err)
			}
		})
	}
	if _, err := graph.NewCluster(models...); err != nil {
		t.Errorf("the nodes' models make no cluster: %v", err)
	}
}

// TestCheckSwarmNodeCatches: the checks the live test relies on notice a
// model that is wrong in each of the ways discovery could be.
func TestCheckSwarmNodeCatches(t *testing.T) {
	tests := []struct {
		name   string
		node   int
		break_ func(exp *swarmExpect, m *graph.Model)
		want   string
	}{
		{"an FDB entry missing", 0, func(exp *swarmExpect, m *graph.Model) {
			vx := overlayVXLAN(exp, m)
			vx.VXLAN.FDB = vx.VXLAN.FDB[1:]
		}, "FDB: "},
		{"an FDB entry to the wrong VTEP", 1, func(exp *swarmExpect, m *graph.Model) {
			vx := overlayVXLAN(exp, m)
			vx.VXLAN.FDB[0].Dst = netip.MustParseAddr("10.252.0.99")
		}, "FDB: "},
		{"a stale FDB entry", 2, func(exp *swarmExpect, m *graph.Model) {
			vx := overlayVXLAN(exp, m)
			vx.VXLAN.FDB = append(vx.VXLAN.FDB, graph.FDBEntry{MAC: "02:42:0a:00:01:fe", Dst: exp.Nodes[0].Addr, Permanent: true})
		}, "is no endpoint of another node"},
		{"the wrong VNI", 0, func(exp *swarmExpect, m *graph.Model) {
			overlayNet(exp, m).Overlay.VNI++
		}, "VNI"},
		{"a task's veth unpaired", 1, func(exp *swarmExpect, m *graph.Model) {
			m.Edges = slices.DeleteFunc(m.Edges, func(e graph.Edge) bool {
				return e.Kind == graph.EdgeVethPeer && strings.HasSuffix(e.From, "/eth0") && strings.HasPrefix(e.From, "ns:")
			})
		}, "veth peer"},
		{"eth1 off docker_gwbridge", 2, func(exp *swarmExpect, m *graph.Model) {
			m.Edges = slices.DeleteFunc(m.Edges, func(e graph.Edge) bool {
				return e.Kind == graph.EdgeMaster && e.To == "host/docker_gwbridge"
			})
		}, "eth1"},
		{"no slot", 0, func(exp *swarmExpect, m *graph.Model) {
			for _, c := range m.Containers {
				if c.Task != nil {
					c.Task.Slot = 0
				}
			}
		}, "Task"},
		{"the VIP lost", 0, func(exp *swarmExpect, m *graph.Model) {
			for _, s := range m.Services {
				s.VIPs = nil
			}
		}, "VIPs"},
		{"IPVS claimed", 1, func(exp *swarmExpect, m *graph.Model) { m.Host.IPVS = "ok" }, "Host.IPVS"},
		{"no worker warning", 2, func(exp *swarmExpect, m *graph.Model) { m.Warnings = nil }, "worker"},
		{"tasks.NAME short of a task", 0, func(exp *swarmExpect, m *graph.Model) {
			id := graph.NewDNSNameID(graph.Scope(graph.NewNetworkID(exp.Network)), "tasks."+exp.VIP.Name)
			m.Edges = slices.DeleteFunc(m.Edges, func(e graph.Edge) bool { return e.From == id })
		}, "tasks."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp, models := loadSwarmRecording(t)
			tt.break_(exp, models[tt.node])
			bad := checkSwarmNode(exp, tt.node, models)
			if !slices.ContainsFunc(bad, func(p string) bool { return strings.Contains(p, tt.want) }) {
				t.Errorf("problems %q, want one mentioning %q", bad, tt.want)
			}
		})
	}
}

func overlayNet(exp *swarmExpect, m *graph.Model) *graph.Network {
	return graph.NewIndex(m).Network(graph.NewNetworkID(exp.Network))
}

func overlayVXLAN(exp *swarmExpect, m *graph.Model) *graph.Interface {
	return graph.NewIndex(m).Interface(overlayNet(exp, m).Overlay.VXLAN)
}

func TestMatchSwarmNamespaces(t *testing.T) {
	ov := DockerNetwork{ID: "grbwx0lvew29monqj3zwcdd61", Name: "ov", Driver: "overlay", Scope: "swarm"}
	in := DockerNetwork{ID: "cbsz82inqrowjslgcfr4abpcm", Name: "ingress", Driver: "overlay", Scope: "swarm", Ingress: true}
	local := DockerNetwork{ID: "50079350d6d734b1a1bfc38035ca569fa9ae016cc5ef93025934abe0041b8ccc", Name: "docker_gwbridge", Driver: "bridge", Scope: "local"}
	tests := []struct {
		name  string
		files []string
		nets  []DockerNetwork
		want  []SwarmNamespace
	}{
		{"test bed node", []string{"1-cbsz82inqr", "1-grbwx0lvew", "5c3713624895", "9f590b9d4db2", "ingress_sbox", "lb_grbwx0lve"},
			[]DockerNetwork{in, ov, local}, []SwarmNamespace{
				{"1-cbsz82inqr", graph.NamespaceOverlay, in.ID}, {"1-grbwx0lvew", graph.NamespaceOverlay, ov.ID},
				{"ingress_sbox", graph.NamespaceIngress, in.ID}, {"lb_grbwx0lve", graph.NamespaceLB, ov.ID},
			}},
		{"the highest epoch", []string{"1-grbwx0lvew", "3-grbwx0lvew", "2-grbwx0lvew"}, []DockerNetwork{ov},
			[]SwarmNamespace{{"3-grbwx0lvew", graph.NamespaceOverlay, ov.ID}}},
		{"a two-digit epoch keeps 12 characters", []string{"12-grbwx0lve", "1-grbwx0lvew"}, []DockerNetwork{ov},
			[]SwarmNamespace{{"12-grbwx0lve", graph.NamespaceOverlay, ov.ID}}},
		{"another network's namespaces", []string{"1-aaaaaaaaaa", "lb_aaaaaaaaa", "ingress_sbox"}, []DockerNetwork{ov}, nil},
		{"a container sandbox named like an ID", []string{"grbwx0lvew29", "x-grbwx0lvew"}, []DockerNetwork{ov}, nil},
		{"a local network is no swarm network", []string{"1-50079350d6", "lb_50079350d"}, []DockerNetwork{local}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matchSwarmNamespaces(tt.files, tt.nets); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEngineNetNSDir(t *testing.T) {
	ctr := func(key string) DockerContainer { return DockerContainer{SandboxKey: key} }
	tests := []struct {
		name    string
		ctrs    []DockerContainer
		cmdline []string
		want    string
	}{
		{"from sandbox keys", []DockerContainer{ctr("/run/nvz-sw1/exec/netns/5c3713624895"), ctr("/run/nvz-sw1/exec/netns/9f590b9d4db2")},
			[]string{"dockerd", "--exec-root", "/elsewhere"}, "/run/nvz-sw1/exec/netns"},
		{"the most common directory", []DockerContainer{ctr("/a/netns/1"), ctr("/b/netns/2"), ctr("/b/netns/3")}, nil, "/b/netns"},
		{"--exec-root DIR", nil, []string{"/usr/bin/dockerd", "--data-root", "/var/lib/x", "--exec-root", "/run/nvz-sw2/exec", "-H", "unix:///x"}, "/run/nvz-sw2/exec/netns"},
		{"--exec-root=DIR", []DockerContainer{ctr("")}, []string{"dockerd", "--exec-root=/run/e"}, "/run/e/netns"},
		{"a relative exec-root is ignored", nil, []string{"dockerd", "--exec-root", "run"}, DefaultNetNSDir},
		{"nothing said", nil, nil, DefaultNetNSDir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := engineNetNSDir(tt.ctrs, tt.cmdline); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTaskLabels(t *testing.T) {
	labels := map[string]string{
		"com.docker.swarm.node.id": "6djbwm8f83qgaam7zfwaofocf", "com.docker.swarm.service.id": "n0cdj3vyqcutq8pwlh7t32n29",
		"com.docker.swarm.service.name": "web", "com.docker.swarm.task": "", "com.docker.swarm.task.id": "pbinar5mdehit4wka4s77qds8",
		"com.docker.swarm.task.name": "web.3.pbinar5mdehit4wka4s77qds8",
	}
	task := taskOf(labels)
	if task == nil || task.ServiceName != "web" || task.ServiceID != "n0cdj3vyqcutq8pwlh7t32n29" || task.NodeID != "6djbwm8f83qgaam7zfwaofocf" {
		t.Fatalf("taskOf = %+v", task)
	}
	if taskOf(map[string]string{"io.netviz.owner": "test"}) != nil {
		t.Error("a plain container runs a task")
	}
	tests := []struct {
		name, task, service, id string
		want                    int
	}{
		{"replicated", "web.3.pbinar5mdehit4wka4s77qds8", "web", "pbinar5mdehit4wka4s77qds8", 3},
		{"a service with dots", "my.web.12.abc", "my.web", "abc", 12},
		{"global", "agent.6djbwm8f83qgaam7zfwaofocf.abc", "agent", "abc", 0},
		{"another service's name", "other.1.abc", "web", "abc", 0},
		{"slot 0", "web.0.abc", "web", "abc", 0},
		{"no task ID to cut", "web.2", "web", "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := taskSlot(&DockerTask{ID: tt.id, Name: tt.task, ServiceName: tt.service}); got != tt.want {
				t.Errorf("taskSlot(%s) = %d, want %d", tt.task, got, tt.want)
			}
		})
	}
}

func TestVNI(t *testing.T) {
	for opt, want := range map[string]int{"4097": 4097, "4097,4098": 4097, " 4100 ": 4100, "": 0, "x": 0, "-1": 0} {
		if got := VNI(map[string]string{OptionVNI: opt}); got != want {
			t.Errorf("VNI(%q) = %d, want %d", opt, got, want)
		}
	}
}

// ipvsText is /proc/net/ip_vs as the kernel's ip_vs_info_seq_show writes
// it, with the firewall-mark services swarm makes and an address service.
const ipvsText = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port Forward Weight ActiveConn InActConn
FWM  00000100 rr
  -> 0A000105:0000      Masq    1      0          0
  -> 0A000103:0000      Masq    1      0          0
FWM  00000101 rr
TCP  0A000002:1F90 rr persistent 360 FFFFFFFF
  -> 0A000007:0050      Masq    1      2          1
UDP  [2001:db8::2]:0035 wrr
  -> [2001:db8::7]:0035      Masq    1      0          0
garbage line
`

func TestParseIPVS(t *testing.T) {
	got := ParseIPVS(ipvsText)
	ap := netip.MustParseAddrPort
	want := []IPVSEntry{
		{Proto: "FWM", FWMark: 256, Backends: []netip.AddrPort{ap("10.0.1.5:0"), ap("10.0.1.3:0")}},
		{Proto: "FWM", FWMark: 257},
		{Proto: "TCP", Addr: ap("10.0.0.2:8080"), Backends: []netip.AddrPort{ap("10.0.0.7:80")}},
		{Proto: "UDP", Addr: ap("[2001:db8::2]:53"), Backends: []netip.AddrPort{ap("[2001:db8::7]:53")}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Proto != want[i].Proto || got[i].Addr != want[i].Addr || got[i].FWMark != want[i].FWMark || !slices.Equal(got[i].Backends, want[i].Backends) {
			t.Errorf("entry %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if ParseIPVS("") != nil {
		t.Error("an empty table has services")
	}
	// Firewall marks are the VIPs of the services whose records carry them.
	svcs := ipvsServices(got[:2], []DockerServiceRecord{
		{Name: "", LBIndex: 0},
		{Name: "web", VIP: netip.MustParseAddr("10.0.1.2"), LBIndex: 256},
		{Name: "rr", LBIndex: 257},
	})
	wantSvcs := []graph.IPVSService{
		{FWMark: 257},
		{VIP: netip.MustParseAddr("10.0.1.2"), FWMark: 256, Backends: []netip.Addr{netip.MustParseAddr("10.0.1.3"), netip.MustParseAddr("10.0.1.5")}},
	}
	if len(svcs) != 2 || svcs[0].FWMark != wantSvcs[0].FWMark || svcs[0].VIP.IsValid() ||
		svcs[1].VIP != wantSvcs[1].VIP || svcs[1].FWMark != 256 || !slices.Equal(svcs[1].Backends, wantSvcs[1].Backends) {
		t.Errorf("ipvsServices = %+v, want %+v", svcs, wantSvcs)
	}
}

func TestIPVSStatus(t *testing.T) {
	const cfg = "CONFIG_NETFILTER=y\n# CONFIG_IP_VS is not set\nCONFIG_VXLAN=y\nCONFIG_IP_VS_PROTO_TCP=y\n"
	if v := kernelConfigValue(cfg, "CONFIG_IP_VS"); v != "n" {
		t.Errorf("CONFIG_IP_VS = %q, want n", v)
	}
	if v := kernelConfigValue(cfg, "CONFIG_VXLAN"); v != "y" {
		t.Errorf("CONFIG_VXLAN = %q", v)
	}
	if v := kernelConfigValue("CONFIG_IP_VS=m\n", "CONFIG_IP_VS"); v != "m" {
		t.Errorf("CONFIG_IP_VS = %q, want m", v)
	}
	if v := kernelConfigValue("CONFIG_LOCALVERSION=\"-x\"\n", "CONFIG_IP_VS"); v != "" {
		t.Errorf("unmentioned: %q", v)
	}
	tests := []struct {
		has    bool
		config string
		want   string
	}{
		{true, "", "ok"},
		{true, "n", "ok"}, // the file is what counts
		{false, "n", "CONFIG_IP_VS is not set"},
		{false, "m", "modprobe ip_vs"},
		{false, "", "no IPVS in this kernel"},
	}
	for _, tt := range tests {
		if got := ipvsStatus(tt.has, tt.config); !strings.Contains(got, tt.want) {
			t.Errorf("ipvsStatus(%v, %q) = %q, want it to say %q", tt.has, tt.config, got, tt.want)
		}
	}
}

func TestConvertSwarm(t *testing.T) {
	info := system.Info{Name: "nvz-sw2", Swarm: swarm.Info{NodeID: "g3hi", NodeAddr: "10.252.0.2", LocalNodeState: swarm.LocalNodeStateActive}}
	sw := convertSwarm(info)
	if sw == nil || sw.NodeName != "nvz-sw2" || sw.NodeAddr != netip.MustParseAddr("10.252.0.2") || sw.Manager || sw.ClusterID != "" {
		t.Errorf("worker: %+v", sw)
	}
	info.Swarm.LocalNodeState = swarm.LocalNodeStateInactive
	if convertSwarm(info) != nil {
		t.Error("an inactive node is in a swarm")
	}
	// A leader may report 0.0.0.0: its manager address stands in.
	n := convertNode(swarm.Node{ID: "a", Description: swarm.NodeDescription{Hostname: "m1"}, Spec: swarm.NodeSpec{Role: swarm.NodeRoleManager},
		Status: swarm.NodeStatus{State: swarm.NodeStateReady, Addr: "0.0.0.0"}, ManagerStatus: &swarm.ManagerStatus{Leader: true, Addr: "10.252.0.1:2377"}})
	if n.Addr != netip.MustParseAddr("10.252.0.1") || n.Name != "m1" || n.Role != "manager" || n.State != "ready" {
		t.Errorf("convertNode = %+v", n)
	}
}

func TestServicesFromRecords(t *testing.T) {
	nets := []DockerNetwork{{ID: "ov1", Name: "ov", Subnets: []DockerSubnet{{Subnet: netip.MustParsePrefix("10.0.1.0/24")}}, Records: []DockerServiceRecord{
		{Name: "", Tasks: []DockerTaskRecord{{Name: "att", IP: netip.MustParseAddr("10.0.1.13")}}},
		{Name: "rr", LBIndex: 257},
		{Name: "web", VIP: netip.MustParseAddr("10.0.1.2"), LBIndex: 256},
	}}, {ID: "ov2", Name: "other", Records: []DockerServiceRecord{{Name: "web", VIP: netip.MustParseAddr("10.9.0.2")}}}}
	got := servicesFromRecords(nets, map[string]string{"web": "webid"})
	if len(got) != 2 {
		t.Fatalf("got %+v", got)
	}
	rr, web := got[0], got[1]
	if rr.Name != "rr" || rr.EndpointMode != "dnsrr" || len(rr.VIPs) != 0 || !slices.Equal(rr.Networks, []string{"ov1"}) || rr.ID != "" {
		t.Errorf("rr = %+v", rr)
	}
	wantVIPs := []DockerVIP{{"ov1", netip.MustParsePrefix("10.0.1.2/24")}, {"ov2", netip.MustParsePrefix("10.9.0.2/32")}}
	if web.Name != "web" || web.ID != "webid" || web.EndpointMode != "vip" || !slices.Equal(web.VIPs, wantVIPs) || !slices.Equal(web.Networks, []string{"ov1", "ov2"}) {
		t.Errorf("web = %+v, want VIPs %v", web, wantVIPs)
	}
}

func TestAddOverlayKeepsInspect(t *testing.T) {
	dn := DockerNetwork{ID: "ov1", Name: "ov", Driver: "overlay", Scope: "swarm"}
	addOverlay(&dn, network.Inspect{
		Network: network.Network{Attachable: true, Options: map[string]string{OptionVNI: "4097", OptionEncrypted: ""},
			Peers: []network.PeerInfo{{Name: "b", IP: netip.MustParseAddr("10.252.0.2")}, {Name: "a", IP: netip.MustParseAddr("10.252.0.1")}}},
		Containers: map[string]network.EndpointResource{"lb-ov": {Name: "ov-endpoint", IPv4Address: netip.MustParsePrefix("10.0.1.12/24")}},
		Services: map[string]network.ServiceInfo{"web": {VIP: netip.MustParseAddr("10.0.1.2"), LocalLBIndex: 256,
			Tasks: []network.Task{{Name: "web.1.x", EndpointIP: netip.MustParseAddr("10.0.1.3"), Info: map[string]string{"Host IP": "10.252.0.2"}}}}},
	})
	if !dn.Attachable || len(dn.Peers) != 2 || dn.Peers[0].Name != "a" || len(dn.Members) != 1 || dn.Members[0].Key != "lb-ov" ||
		len(dn.Records) != 1 || dn.Records[0].Tasks[0].HostIP != netip.MustParseAddr("10.252.0.2") {
		t.Errorf("addOverlay: %+v", dn)
	}
	b := &builder{m: graph.New(graph.SourceLive, "h"), swarmNS: map[string]map[string]*NamespaceSnapshot{}, inodeNS: map[uint64]graph.NamespaceID{}}
	n := &graph.Network{ID: "net:ov", Name: "ov"}
	o := b.overlay(dn, n)
	if o.VNI != 4097 || !o.Attachable || !o.Encrypted || o.Namespace != "" || o.LoadBalancer == nil ||
		o.LoadBalancer.IPv4 != netip.MustParsePrefix("10.0.1.12/24") || n.BridgeName != "br0" || n.Bridge != "" {
		t.Errorf("overlay without its namespace read: %+v, network %+v", o, n)
	}
}

func TestLocation(t *testing.T) {
	var here Location
	if here.Engine() || here.NetNS() != "/proc/self/ns/net" || here.Path("/run/docker/netns/x") != "/run/docker/netns/x" || here.ProcNet("ip_vs") != "/proc/self/net/ip_vs" {
		t.Errorf("the zero location: %s %s %s", here.NetNS(), here.Path("/run/docker/netns/x"), here.ProcNet("ip_vs"))
	}
	l := Location{PID: 5452}
	if !l.Engine() || l.NetNS() != "/proc/5452/ns/net" || l.ProcNet("ip_vs") != "/proc/5452/net/ip_vs" {
		t.Errorf("pid 5452: %s %s", l.NetNS(), l.ProcNet("ip_vs"))
	}
	for in, want := range map[string]string{
		"/run/nvz-sw1/exec/netns/1-grbwx0lvew": "/proc/5452/root/run/nvz-sw1/exec/netns/1-grbwx0lvew",
		"/run/../etc/x":                        "/proc/5452/root/etc/x", // no way out of the engine's root
		"relative":                             "/proc/5452/root/relative",
	} {
		if got := l.Path(in); got != want {
			t.Errorf("Path(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestBuildOverlayLinks: veths between a container and the overlay's
// namespace pair up by the overlay namespace's id table, even when another
// namespace holds a veth mirroring the container's indexes; vxlan0, whose
// IFLA_LINK is its own index in the namespace it came from, gets no lower
// device — not the host's interface that now has that index.
func TestBuildOverlayLinks(t *testing.T) {
	const host, ovl, ctr, decoy = 1, 2, 3, 4
	ovID := "grbwx0lvew29monqj3zwcdd61"
	docker := &DockerSnapshot{
		Swarm:    &DockerSwarm{NodeID: "n1", NodeName: "node1", NodeAddr: netip.MustParseAddr("10.252.0.1")},
		Networks: []DockerNetwork{{ID: ovID, Name: "ov", Driver: "overlay", Scope: "swarm", Options: map[string]string{OptionVNI: "4097"}}},
		Containers: []DockerContainer{
			{ID: "c1" + strings.Repeat("0", 62), Name: "web", State: "running", Pid: 100,
				Endpoints: []DockerEndpoint{{Network: "ov", IPv4: netip.MustParsePrefix("10.0.1.3/24"), MAC: "02:42:0a:00:01:03"}}},
			{ID: "c2" + strings.Repeat("0", 62), Name: "decoy", State: "running", Pid: 101},
		},
	}
	veth := func(i int, name string, peer, nsid int) LinkSnapshot {
		return LinkSnapshot{Index: i, Name: name, Type: "veth", ParentIndex: peer, LinkNetNSID: nsid}
	}
	snaps := []NamespaceSnapshot{
		{Host: true, Inode: host, HostNSID: -1, PeerNSIDs: map[int]uint64{5: ctr, 6: ovl},
			Links: []LinkSnapshot{{Index: 7, Name: "vethreused", Type: "device", LinkNetNSID: -1}, veth(10, "vethh", 3, 5)}},
		{Inode: ovl, Kind: graph.NamespaceOverlay, Name: "1-grbwx0lvew", Network: ovID, HostNSID: 0, PeerNSIDs: map[int]uint64{0: host, 1: ctr},
			Links: []LinkSnapshot{
				{Index: 2, Name: "br0", Type: "bridge", LinkNetNSID: -1, Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.1.1/24")}},
				{Index: 7, Name: "vxlan0", Type: "vxlan", ParentIndex: 7, LinkNetNSID: 0, MasterIndex: 2, VXLAN: &VXLANSnapshot{VNI: 4097, Port: 4789,
					FDB: []FDBSnapshot{{MAC: "02:42:0a:00:01:04", Dst: netip.MustParseAddr("10.252.0.2"), Permanent: true}}}},
				{Index: 9, Name: "veth0", Type: "veth", ParentIndex: 2, LinkNetNSID: 1, MasterIndex: 2},
			}},
		{Inode: ctr, Containers: []string{docker.Containers[0].ID}, HostNSID: 1, Links: []LinkSnapshot{
			{Index: 2, Name: "eth0", Type: "veth", ParentIndex: 9, LinkNetNSID: 0, MAC: "02:42:0a:00:01:03"},
			veth(3, "eth1", 10, 1)}},
		{Inode: decoy, Containers: []string{docker.Containers[1].ID}, HostNSID: 0, Links: []LinkSnapshot{veth(9, "eth0", 2, 3)}},
	}
	m := Build("node1", docker, snaps, BuildOptions{})
	if err := graph.Validate(m); err != nil {
		t.Fatal(err)
	}
	var pairs, lowers []string
	for _, e := range m.Edges {
		switch e.Kind {
		case graph.EdgeVethPeer:
			pairs = append(pairs, e.From+"="+e.To)
		case graph.EdgeLower:
			lowers = append(lowers, e.From+"->"+e.To)
		}
	}
	want := []string{"host/vethh=ns:web/eth1", "ns:web/eth0=ovl:ov/veth0"}
	if !slices.Equal(pairs, want) {
		t.Errorf("veth pairs %v, want %v", pairs, want)
	}
	if len(lowers) != 0 {
		t.Errorf("lower edges %v, want none", lowers)
	}
	x := graph.NewIndex(m)
	n := x.Network("net:ov")
	vx := x.Interface("ovl:ov/vxlan0")
	if n.Bridge != "ovl:ov/br0" || n.Overlay.Namespace != "ovl:ov" || n.Overlay.VXLAN != vx.ID || vx.VXLAN.VNI != 4097 || len(vx.VXLAN.FDB) != 1 ||
		x.Master(vx.ID) != "ovl:ov/br0" || x.Master("ovl:ov/veth0") != "ovl:ov/br0" {
		t.Errorf("overlay %+v, vxlan0 %+v", n.Overlay, vx)
	}
	if c := x.Container("ctr:web"); c.Endpoints[0].Interface != "ns:web/eth0" {
		t.Errorf("web's endpoint on %s", c.Endpoints[0].Interface)
	}
	if m.Host.Swarm == nil || m.Host.Swarm.Role != "worker" || !slices.ContainsFunc(m.Warnings, func(w string) bool { return strings.Contains(w, "worker") }) {
		t.Errorf("swarm %+v, warnings %v", m.Host.Swarm, m.Warnings)
	}
}
