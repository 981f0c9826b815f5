package verify

import (
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/lab"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/reach"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/sim"
)

// testbedVersion is the release of the swarm test bed's engines.
const testbedVersion = "29.8.0-beta.24"

// noIPVS is each test-bed node's kernel, as discovery says it.
var noIPVS = map[string]string{"nvz-sw1": "no ip_vs in this kernel", "nvz-sw2": "no ip_vs in this kernel", "nvz-sw3": "no ip_vs in this kernel"}

func overlayScript(t *testing.T) string {
	t.Helper()
	l, err := lab.Get("overlay")
	if err != nil {
		t.Fatal(err)
	}
	return l.Script
}

func simCluster(t *testing.T, script string) *graph.Cluster {
	t.Helper()
	sc, err := scenario.ParseShell(strings.NewReader(script), "s.sh")
	if err != nil {
		t.Fatal(err)
	}
	e := sim.New(sim.Options{EngineVersion: testbedVersion})
	if err := e.Apply(sc); err != nil {
		t.Fatal(err)
	}
	return e.Cluster()
}

// observe is a measurement of cluster c that agrees with the rules on c
// itself: each name answered as c's records say, each pair reached or
// not as c's rules expect (VIPs judged with ipvs).
func observe(c *graph.Cluster, ipvs map[string]string) ClusterObservations {
	v := newClusterView(c)
	dns := map[string]map[string][]netip.Addr{}
	for _, ct := range v.flat.Containers {
		if !ct.Running() {
			continue
		}
		dns[ct.Name] = map[string][]netip.Addr{}
		for _, k := range dnsNames(v, ct) {
			dns[ct.Name][asked(ct, k)] = simAnswer(v, ct, asked(ct, k))
		}
	}
	outcome := func(e reach.Expectation) probe.Outcome {
		switch {
		case !e.Local:
			return probe.NotMeasured
		case e.Reachable:
			return probe.Reached
		}
		return probe.Timeout
	}
	mat := &probe.Matrix{}
	for _, cl := range reach.Clients(v.x) {
		for _, t := range reach.Targets(v.x) {
			exp := reach.Expect(v.x, cl, t)
			mat.Cells = append(mat.Cells, probe.Cell{Client: cl.Name, Target: t.Container.Name, Network: t.Network.Name, Addr: t.Addr,
				Expected: exp, Measured: probe.EchoResult{Addr: t.Addr, Outcome: outcome(exp)}})
		}
		for _, vt := range reach.VIPTargets(v.x) {
			exp := reach.ExpectVIP(v.x, cl, vt, ipvs)
			if exp.Reason == reach.OtherNode || exp.Reason == reach.NotRunning {
				continue
			}
			mat.Cells = append(mat.Cells, probe.Cell{Client: cl.Name, Target: vt.Service.Name, Network: vt.Network.Name, Addr: vt.Addr,
				Expected: exp, Measured: probe.EchoResult{Addr: vt.Addr, Outcome: outcome(exp)}})
		}
	}
	return ClusterObservations{DNS: dns, Matrix: mat}
}

// differs lists the checks that do not agree.
func differs(r *Report) []string {
	var out []string
	for _, c := range r.Checks {
		if !c.OK {
			out = append(out, c.Kind+" "+c.What+": "+c.Sim+" | "+c.Live)
		}
	}
	return out
}

// pinFirst makes the scheduler break issue 13's tie elsewhere: a service
// on no network (no overlay address) pinned to the manager before web,
// removed at the end, sends web's second task on nvz-sw2 and its fourth to
// nvz-sw2 instead of nvz-sw1 — which is what a real swarm's random tie
// break does.
func pinFirst(script string) string {
	pre := "docker --context nvz-sw1 service create --name pre --constraint node.hostname==nvz-sw1 --no-resolve-image netviz-test/busybox\n"
	i := strings.Index(script, "docker --context nvz-sw1 service create --name web")
	return script[:i] + pre + script[i:] + "docker --context nvz-sw1 service rm pre\n"
}

// TestCompareClusterOverlay compares the simulation of issue 13's scenario
// with clusters a real swarm could have built from it — the same, and one
// whose scheduler broke the tie elsewhere (other nodes, other addresses
// per task) — which agree on every check; and with clusters that really
// differ, each caught by the checks named.
func TestCompareClusterOverlay(t *testing.T) {
	base := overlayScript(t)
	simc := simCluster(t, base)
	opts := ClusterCompareOptions{IPVS: noIPVS}
	// A container on an overlay of its own on the manager: the tasks of
	// web are blocked from it on its node, not measured elsewhere.
	lone := base + "docker --context nvz-sw1 network create -d overlay --attachable other\ndocker --context nvz-sw1 run -d --name lone --network other netviz-test/busybox sleep 3600\n"
	for _, tt := range []struct {
		name   string
		sim    string // base when ""
		live   string
		mutate func(c *graph.Cluster, obs *ClusterObservations)
		want   []string // prefixes of "kind what" of the checks that differ
	}{
		{name: "the same", live: base},
		{name: "the tie broken elsewhere", live: pinFirst(base)},
		{name: "the tie broken elsewhere, a container on another overlay", sim: lone, live: pinFirst(lone)},
		{name: "two dnsrr replicas", live: strings.Replace(base, "--name rr --replicas 3", "--name rr --replicas 2", 1),
			want: []string{"service service rr:", "task tasks of rr running", "task tasks of rr per node", "task tasks of rr addresses", "task tasks of rr interfaces", "dns att resolves rr:"}},
		{name: "the container on another node", live: strings.Replace(base, "--context nvz-sw3 run -d --name att", "--context nvz-sw2 run -d --name att", 1),
			want: []string{"container nvz-sw3: att:"}},
		{name: "another subnet", live: strings.Replace(base, "--attachable appnet", "--attachable --subnet 10.0.9.0/24 appnet", 1),
			want: []string{"network nvz-sw1: appnet subnets", "address nvz-sw3: att on appnet", "service service web VIPs", "task tasks of web addresses"}},
		{name: "a name that does not answer", live: base, mutate: func(c *graph.Cluster, obs *ClusterObservations) {
			obs.DNS["att"]["web"] = nil
		}, want: []string{"dns att resolves web"}},
		{name: "the VIP answers", live: base, mutate: func(c *graph.Cluster, obs *ClusterObservations) {
			for i, cell := range obs.Matrix.Cells {
				if cell.Client == "att" && cell.Target == "web" {
					obs.Matrix.Cells[i].Measured.Outcome = probe.Reached
				}
			}
		}, want: []string{"reach att → the VIP of web on appnet"}},
		{name: "a forwarding entry missing", live: base, mutate: func(c *graph.Cluster, obs *ClusterObservations) {
			m := c.Host("nvz-sw2")
			n := network(m, "appnet")
			vx := iface(m, n.Overlay.VXLAN)
			vx.VXLAN.FDB = vx.VXLAN.FDB[1:]
		}, want: []string{"fdb nvz-sw2: appnet vxlan0 forwarding entries"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			simc := simc
			if tt.sim != "" {
				simc = simCluster(t, tt.sim)
			}
			live := simCluster(t, tt.live)
			obs := observe(live, noIPVS)
			if tt.mutate != nil {
				tt.mutate(live, &obs)
			}
			r := CompareCluster("s.sh", simc, live, obs, opts)
			got := differs(r)
			for _, w := range tt.want {
				if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) }) {
					t.Errorf("no difference %q among %q", w, got)
				}
			}
			if len(tt.want) == 0 && len(got) > 0 {
				t.Errorf("differences: %q", got)
			}
		})
	}
	// The tie broken elsewhere is a different cluster: the test above
	// proves something only if the tasks went to other nodes.
	sv, lv := newClusterView(simc), newClusterView(simCluster(t, pinFirst(base)))
	if perNode(sv, "web")["nvz-sw1"] != 2 || perNode(lv, "web")["nvz-sw2"] != 2 {
		t.Errorf("web per node: simulated %v, the variant %v", perNode(sv, "web"), perNode(lv, "web"))
	}
	same := 0
	for _, a := range sv.tasks["web"] {
		for _, b := range lv.tasks["web"] {
			if a.node == b.node && a.c.Endpoints[0].IPv4 == b.c.Endpoints[0].IPv4 {
				same++
			}
		}
	}
	if same == len(sv.tasks["web"]) {
		t.Error("the variant put every task's address on the same node")
	}
}

// TestCompareClusterCounts: the checks of issue 13's scenario on the
// test bed, one kind at a time (the figures the report quotes).
func TestCompareClusterCounts(t *testing.T) {
	simc := simCluster(t, overlayScript(t))
	r := CompareCluster("s.sh", simc, simc, observe(simc, noIPVS), ClusterCompareOptions{IPVS: noIPVS})
	if r.Agreed() != len(r.Checks) {
		t.Fatalf("differences: %q", differs(r))
	}
	kinds := map[string]int{}
	for _, c := range r.Checks {
		kinds[c.Kind]++
	}
	want := map[string]int{"node": 3, "network": 12, "overlay": 28, "fdb": 6, "port": 3, "service": 5, "task": 8, "dns": 16, "reach": 12,
		"container": 2, "address": 1, "gateway": 1, "interface": 1, "mac": 1}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%d %s checks, want %d", kinds[k], k, n)
		}
	}
	if len(r.Checks) != 99 {
		t.Errorf("%d checks, want 99", len(r.Checks))
	}
}

func TestPlacementShape(t *testing.T) {
	for _, tt := range []struct {
		counts  map[string]int
		certain bool
		want    string
	}{
		{map[string]int{"a": 1, "b": 1, "c": 1}, true, "a 1, b 1, c 1"},
		{map[string]int{"a": 2, "b": 1, "c": 1}, false, "2+1+1 over 3 nodes (which node has which: the scheduler's tie, at random)"},
		{map[string]int{"a": 1, "b": 2, "c": 1}, false, "2+1+1 over 3 nodes (which node has which: the scheduler's tie, at random)"},
		{map[string]int{"a": 0, "b": 3, "c": 0}, false, "3+0+0 over 3 nodes (which node has which: the scheduler's tie, at random)"},
		{map[string]int{"a": 0, "b": 0}, true, "a 0, b 0"},
	} {
		c := &graph.Cluster{}
		v := &clusterView{c: c, tasks: map[string][]nodeCtr{}}
		for node, n := range tt.counts {
			m := graph.New(graph.SourceSim, node)
			m.Host.Swarm = &graph.Swarm{NodeName: node}
			c.Hosts = append(c.Hosts, m)
			for range n {
				v.tasks["s"] = append(v.tasks["s"], nodeCtr{node: node})
			}
		}
		v.svcs = map[string]*graph.Service{"s": {Name: "s"}}
		if got := placementShape(v, "s", tt.certain); got != tt.want {
			t.Errorf("%v: %q, want %q", tt.counts, got, tt.want)
		}
		if got := placementCertain(v)["s"]; got != tt.certain {
			t.Errorf("%v: certain %v, want %v", tt.counts, got, tt.certain)
		}
	}
}

func TestDescribeAnswer(t *testing.T) {
	simc := simCluster(t, overlayScript(t))
	v := newClusterView(simc)
	att := v.x.Container(graph.NewContainerID("att"))
	task := v.tasks["web"][0].c
	addrs := func(s ...string) []netip.Addr {
		var out []netip.Addr
		for _, a := range s {
			out = append(out, netip.MustParseAddr(a))
		}
		return out
	}
	for _, tt := range []struct {
		c     *graph.Container
		key   string
		addrs []netip.Addr
		want  string
	}{
		{att, "rr", addrs("10.0.1.10", "10.0.1.11", "10.0.1.12"), "all 3 tasks of rr"},
		{att, "rr", addrs("10.0.1.11"), "1 of the 3 tasks of rr"},
		{att, "web", addrs("10.0.1.2"), "the VIP of web"},
		{att, "tasks.web", addrs("10.0.1.3", "10.0.1.4", "10.0.1.5", "10.0.1.6"), "all 4 tasks of web"},
		{att, "x", addrs("10.0.1.13", "10.9.9.9"), "10.9.9.9 (no container of the scenario), att"},
		{att, "x", nil, "NXDOMAIN"},
		{task, ownNameKey, []netip.Addr{task.Endpoints[0].IPv4.Addr()}, "itself"},
		{task, ownNameKey, addrs("10.0.1.13"), "att"},
	} {
		if got := describeAnswer(v, tt.c, tt.key, tt.addrs); got != tt.want {
			t.Errorf("%s %s %v: %q, want %q", tt.c.Name, tt.key, tt.addrs, got, tt.want)
		}
	}
}

func TestOverlayShape(t *testing.T) {
	for _, tt := range []struct {
		n     *graph.Network
		fresh bool
		want  string
	}{
		{nil, false, "not listed"},
		{&graph.Network{Driver: "overlay", Overlay: &graph.Overlay{VNI: 4096, Ingress: true}}, false, "listed, the ingress, VNI 4096"},
		{&graph.Network{Driver: "overlay", Overlay: &graph.Overlay{VNI: 4103, Attachable: true}}, false, "listed, attachable, a VNI of its own"},
		{&graph.Network{Driver: "overlay", Overlay: &graph.Overlay{VNI: 4097, Attachable: true}}, true, "listed, attachable, VNI 4097"},
		{&graph.Network{Driver: "overlay", Overlay: &graph.Overlay{VNI: 4098, Encrypted: true}}, false, "listed, not attachable, encrypted, a VNI of its own"},
		{&graph.Network{Driver: "overlay", Overlay: &graph.Overlay{VNI: 0}}, false, "listed, not attachable, VNI 0 (not above the ingress's)"},
		{&graph.Network{Driver: "bridge"}, false, "listed, not an overlay (bridge)"},
	} {
		if got := overlayShape(tt.n, tt.fresh); got != tt.want {
			t.Errorf("%+v fresh %v: %q, want %q", tt.n, tt.fresh, got, tt.want)
		}
	}
}

func TestCountsShape(t *testing.T) {
	for _, tt := range []struct {
		got  map[string]int
		want string
	}{
		{nil, "no such pairs"},
		{map[string]int{"reachable": 12}, "reachable ×12"},
		{map[string]int{"reachable": 10, "blocked": 2}, "blocked ×2, reachable ×10"},
		{map[string]int{"blocked (no-ipvs)": 4}, "blocked (no-ipvs) ×4"},
	} {
		if s := countsShape(tt.got); s != tt.want {
			t.Errorf("%v: %q, want %q", tt.got, s, tt.want)
		}
	}
	if s := answersShape(map[string]int{"att": 1, "NXDOMAIN": 2}); s != "2× NXDOMAIN; 1× att" {
		t.Errorf("answersShape: %q", s)
	}
}

// TestSwarmSeed: the swarm's own overlays go into the simulation right
// after its swarm init, so the scenario's overlay takes the next free
// subnet as the real allocator does, and leave the comparison again.
func TestSwarmSeed(t *testing.T) {
	sc, err := scenario.ParseShell(strings.NewReader(overlayScript(t)), "s.sh")
	if err != nil {
		t.Fatal(err)
	}
	seed := []scenario.Command{{Verb: scenario.VerbNetworkCreate, Node: "nvz-sw1",
		Network: &scenario.NetworkSpec{Name: "theirs", Driver: "overlay", Subnet: "10.0.1.0/24"}}}
	seeded := SeedScenario(sc, seed)
	if len(seeded.Commands) != len(sc.Commands)+1 || seeded.Commands[1].Network.Name != "theirs" || len(sc.Commands) != 7 {
		t.Fatalf("seeded %d commands, the second %+v", len(seeded.Commands), seeded.Commands[1])
	}
	e := sim.New(sim.Options{EngineVersion: testbedVersion})
	if err := e.Apply(seeded); err != nil {
		t.Fatal(err)
	}
	c := WithoutNetworks(e.Cluster(), []string{"theirs"})
	for _, m := range c.Hosts {
		if network(m, "theirs") != nil {
			t.Errorf("%s still lists theirs", graph.NodeName(m))
		}
		if n := network(m, "appnet"); n == nil || n.Subnets[0].Subnet.String() != "10.0.2.0/24" {
			t.Errorf("%s: appnet %+v, want 10.0.2.0/24 beside theirs", graph.NodeName(m), n)
		}
	}
	if SeedScenario(sc, nil) != sc {
		t.Error("an empty seed changed the scenario")
	}
}

// TestTaskInterfaceCycle: a task's networks on its interfaces compare as
// the cycle they form, whichever the daemon put on eth0 (rule
// swarm.task-interfaces); another cycle, or a network missing, differs.
func TestTaskInterfaceCycle(t *testing.T) {
	task := func(order ...string) *graph.Container {
		c := &graph.Container{Name: "t", Task: &graph.Task{Service: "svc:api"}}
		for i, n := range order {
			ifname := "eth" + string(rune('0'+[]int{0, 2, 3, 4}[i]))
			c.Endpoints = append(c.Endpoints, graph.Endpoint{Network: graph.NewNetworkID(n), Interface: graph.InterfaceID("ns:t/" + ifname)})
		}
		return c
	}
	m := graph.New(graph.SourceSim, "n")
	want := ctrShape(m, task("ingress", "front", "back"))
	if want != "eth0,eth2,eth3 on back → ingress → front in turn (which one is eth0: at random)" {
		t.Errorf("shape %q", want)
	}
	for _, tt := range []struct {
		order []string
		same  bool
	}{
		{[]string{"front", "back", "ingress"}, true},
		{[]string{"back", "ingress", "front"}, true},
		{[]string{"ingress", "back", "front"}, false},
		{[]string{"ingress", "front"}, false},
	} {
		if got := ctrShape(m, task(tt.order...)); (got == want) != tt.same {
			t.Errorf("%v: %q (same as the simulated cycle: %v, want %v)", tt.order, got, got == want, tt.same)
		}
	}
	one := &graph.Container{Name: "u", Task: &graph.Task{Service: "svc:web"}, Endpoints: []graph.Endpoint{{Network: "net:appnet", Interface: "ns:u/eth0"}}}
	if got := ctrShape(m, one); got != "eth0 on appnet" {
		t.Errorf("one network: %q", got)
	}
}

// TestCompareClusterMore: the second test-bed scenario (two overlays, an
// ingress port, scale, a global service, a constraint, a service removed)
// agrees with itself, its ingress addresses compared by subnet only.
func TestCompareClusterMore(t *testing.T) {
	for _, f := range []string{"testdata/swarm-scale-down.sh"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := scenario.ParseShell(strings.NewReader(string(data)), f)
		if err != nil {
			t.Fatal(err)
		}
		simc := simCluster(t, string(data))
		r := CompareCluster(f, simc, simc, observe(simc, noIPVS), ClusterCompareOptions{IPVS: noIPVS, ScaledDown: ScaledDown(sc)})
		if got := differs(r); len(got) > 0 || len(r.Checks) != 119 {
			t.Errorf("%s: %d checks, differences: %q", f, len(r.Checks), got)
		}
	}
	data, err := os.ReadFile("testdata/swarm-more.sh")
	if err != nil {
		t.Fatal(err)
	}
	simc := simCluster(t, string(data))
	r := CompareCluster("swarm-more.sh", simc, simc, observe(simc, noIPVS), ClusterCompareOptions{IPVS: noIPVS})
	if got := differs(r); len(got) > 0 {
		t.Errorf("differences: %q", got)
	}
	found := map[string]string{}
	for _, c := range r.Checks {
		found[c.Kind+" "+c.What] = c.Sim
	}
	for what, want := range map[string]string{
		"service service api VIPs":               "back 10.0.2.2/24, front 10.0.1.2/24, ingress 1 address(es) of 10.0.0.0/24",
		"task tasks of api addresses on ingress": "3 address(es) of 10.0.0.0/24",
		"task tasks of db per node":              "1+1+0 over 3 nodes (which node has which: the scheduler's tie, at random)",
		"task tasks of agent per node":           "nvz-sw1 1, nvz-sw2 1, nvz-sw3 1",
		"address nvz-sw2: probe on front":        "exact 10.0.1.12",
	} {
		if found[what] != want {
			t.Errorf("%s: %q, want %q", what, found[what], want)
		}
	}
	fresh := CompareCluster("swarm-more.sh", simc, simc, observe(simc, noIPVS), ClusterCompareOptions{IPVS: noIPVS, FreshSwarm: true})
	for _, c := range fresh.Checks {
		if c.What == "tasks of api addresses on ingress" && !strings.HasPrefix(c.Sim, "10.0.0.") {
			t.Errorf("a fresh swarm's ingress addresses compare exactly: %q", c.Sim)
		}
	}
}

// TestCompareClusterScaledDown: after a scale-down the swarm stops tasks
// of its choosing (rule swarm.placement), so which node keeps an endpoint
// on the overlay — and with it its namespace, load balancer and place
// among the peers — and which addresses the tasks left hold are not the
// simulation's: with the services ScaledDown names, a cluster that kept
// other tasks agrees, their consistency checked instead.
func TestCompareClusterScaledDown(t *testing.T) {
	down := "docker --context nvz-sw1 service scale web=2 rr=1\n"
	base := overlayScript(t) + down
	sc, err := scenario.ParseShell(strings.NewReader(base), "s.sh")
	if err != nil {
		t.Fatal(err)
	}
	scaled := ScaledDown(sc)
	if !scaled["web"] || !scaled["rr"] || len(scaled) != 2 {
		t.Fatalf("ScaledDown = %v", scaled)
	}
	simc := simCluster(t, base)
	// Other tasks kept, on other nodes (the tie broken elsewhere), no
	// att (so a node may keep nothing on appnet), and web's second task
	// kept instead of its first: the real swarm stopped slot 1 and 4, say,
	// and web holds .4 and .5, not .3 and .4.
	noAtt := func(s string) string {
		return strings.Replace(s, "docker --context nvz-sw3 run -d --name att --network appnet netviz-test/busybox sleep 3600\n", "", 1)
	}
	live := simCluster(t, noAtt(pinFirst(overlayScript(t)))+down)
	renameAddr(live, netip.MustParseAddr("10.0.1.3"), netip.MustParseAddr("10.0.1.5"))
	simc = simCluster(t, noAtt(base))
	opts := ClusterCompareOptions{IPVS: noIPVS, ScaledDown: scaled}
	r := CompareCluster("s.sh", simc, live, observe(live, noIPVS), opts)
	if got := differs(r); len(got) > 0 {
		t.Errorf("differences: %q", got)
	}
	strict := CompareCluster("s.sh", simc, live, observe(live, noIPVS), ClusterCompareOptions{IPVS: noIPVS})
	if len(differs(strict)) == 0 {
		t.Error("the variant kept the same tasks: the test shows nothing")
	}
	t.Logf("without ScaledDown: %q", differs(strict))
}

// renameAddr gives address from's holder the address to, everywhere in c
// it shows (endpoints, interfaces, overlay MACs in forwarding entries, load
// balancers, name records): a cluster as consistent as c.
func renameAddr(c *graph.Cluster, from, to netip.Addr) {
	fix := func(p netip.Prefix) netip.Prefix {
		if p.IsValid() && p.Addr() == from {
			return netip.PrefixFrom(to, p.Bits())
		}
		return p
	}
	fromMAC, toMAC := dockerrules.OverlayMAC(from), dockerrules.OverlayMAC(to)
	for _, m := range c.Hosts {
		for _, ct := range m.Containers {
			for i := range ct.Endpoints {
				ep := &ct.Endpoints[i]
				ep.IPv4 = fix(ep.IPv4)
				if strings.EqualFold(ep.MAC, fromMAC) {
					ep.MAC = toMAC
				}
			}
		}
		for _, i := range m.Interfaces {
			for k := range i.Addrs {
				i.Addrs[k] = fix(i.Addrs[k])
			}
			if strings.EqualFold(i.MAC, fromMAC) {
				i.MAC = toMAC
			}
			if i.VXLAN != nil {
				for k := range i.VXLAN.FDB {
					if strings.EqualFold(i.VXLAN.FDB[k].MAC, fromMAC) {
						i.VXLAN.FDB[k].MAC = toMAC
					}
				}
			}
		}
		for _, n := range m.Networks {
			if o := n.Overlay; o != nil && o.LoadBalancer != nil {
				o.LoadBalancer.IPv4 = fix(o.LoadBalancer.IPv4)
			}
		}
		for k := range m.Edges {
			if m.Edges[k].Label == from.String() {
				m.Edges[k].Label = to.String()
			}
		}
	}
}
