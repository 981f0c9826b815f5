package verify

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/natural"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/reach"
	"github.com/netviz/netviz/internal/scenario"
)

// A swarm scenario is compared node by node and service by service. What
// a real swarm decides at random — which node gets the extra replica when
// the scheduler breaks a tie, which task gets which of its service's
// addresses, which node's load balancer which address (rules
// swarm.placement and swarm.address-order) — is compared as the rules
// say it can be known: tasks as sets per service (their addresses, their
// interfaces, how many per node when the simulated placement has no tie
// to break, else the counts alone), load-balancer addresses as a set per
// network, and DNS answers and reachability by role (a task of a service,
// or a container by its name) instead of by task.

// ClusterObservations is what was measured on the live cluster.
type ClusterObservations struct {
	// DNS is, for each live client (by container name), the addresses
	// each name it asked answered (none: NXDOMAIN).
	DNS map[string]map[string][]netip.Addr
	// Matrix is the reachability measured over the flattened cluster,
	// every container pair and each client's service VIPs.
	Matrix *probe.Matrix
}

// ClusterCompareOptions says how strictly CompareCluster reads a swarm.
type ClusterCompareOptions struct {
	CompareOptions
	// FreshSwarm says the swarm never had an overlay beyond the ingress:
	// its VXLAN IDs count from 4097 again (rule swarm.vni) and compare
	// exactly. Otherwise an overlay's VNI compares as one of its own, the
	// same on every node.
	FreshSwarm bool
	// IPVS is each node's kernel IPVS support (graph.Cluster.IPVS of the
	// live cluster): the simulation takes the kernel as it is, like the
	// engine's release (rule reach.vip-ipvs).
	IPVS map[string]string
	// ScaledDown names the services the scenario scaled down (ScaledDown):
	// which of their tasks the swarm stopped is its pick, so where the
	// others run and which addresses they hold are not the simulation's
	// to say.
	ScaledDown map[string]bool
}

// ScaledDown lists the services sc scales to fewer replicas than it gave
// them before.
func ScaledDown(sc *scenario.Scenario) map[string]bool {
	replicas := map[string]int{}
	out := map[string]bool{}
	for _, c := range sc.Commands {
		switch {
		case c.Service != nil:
			replicas[c.Service.Name] = c.Service.Replicas
		case c.Verb == scenario.VerbServiceScale:
			for _, s := range c.Scale {
				if n, ok := replicas[s.Service]; ok && s.Replicas < n {
					out[s.Service] = true
				}
				replicas[s.Service] = s.Replicas
			}
		}
	}
	return out
}

// ownNameKey is how a DNS check names the question of a task for its own
// container name (SERVICE.SLOT.TASKID, different on every run).
const ownNameKey = "its own name"

// role is what a container is in the comparison: a task of its service,
// or the container by its name.
func role(c *graph.Container) string {
	if c.Task != nil {
		return taskRole(serviceName(c.Task.Service))
	}
	return c.Name
}

func taskRole(svc string) string            { return "task of " + svc }
func serviceName(id graph.ServiceID) string { return strings.TrimPrefix(string(id), "svc:") }

// clusterView is one side of a cluster comparison.
type clusterView struct {
	c    *graph.Cluster
	flat *graph.Model
	x    *graph.Index
	// svcs are the services by name, as the manager lists them (a
	// worker's view when no manager is in the cluster).
	svcs map[string]*graph.Service
	// tasks are each service's running tasks, with their node.
	tasks map[string][]nodeCtr
	// owner says whose an address is: a role, or "the VIP of S".
	owner map[netip.Addr]string
}

type nodeCtr struct {
	node string
	m    *graph.Model
	c    *graph.Container
}

func newClusterView(c *graph.Cluster) *clusterView {
	v := &clusterView{c: c, flat: graph.Flatten(c), svcs: map[string]*graph.Service{}, tasks: map[string][]nodeCtr{}, owner: map[netip.Addr]string{}}
	v.x = graph.NewIndex(v.flat)
	hosts := slices.Clone(c.Hosts)
	// Managers first: theirs is the whole service (mode, replicas, ports).
	slices.SortStableFunc(hosts, func(a, b *graph.Model) int {
		return cmp.Compare(boolRank(a.Host.Swarm != nil && a.Host.Swarm.Role == "manager"), boolRank(b.Host.Swarm != nil && b.Host.Swarm.Role == "manager"))
	})
	for _, m := range hosts {
		for _, s := range m.Services {
			if _, ok := v.svcs[s.Name]; !ok {
				v.svcs[s.Name] = s
			}
		}
	}
	for _, m := range c.Hosts {
		node := graph.NodeName(m)
		for _, ct := range m.Containers {
			if !ct.Running() {
				continue
			}
			if ct.Task != nil {
				name := serviceName(ct.Task.Service)
				v.tasks[name] = append(v.tasks[name], nodeCtr{node, m, ct})
			}
			for _, ep := range ct.Endpoints {
				if ep.IPv4.IsValid() {
					v.owner[ep.IPv4.Addr()] = role(ct)
				}
			}
		}
	}
	for _, s := range v.svcs {
		for _, vip := range s.VIPs {
			if vip.Addr.IsValid() {
				v.owner[vip.Addr.Addr()] = "the VIP of " + s.Name
			}
		}
	}
	return v
}

func boolRank(b bool) int {
	if b {
		return 0
	}
	return 1
}

// CompareCluster checks a live swarm against the simulation of the same
// scenario: each node's place in the swarm and what Compare checks of one
// engine (networks, the containers that are no task); each overlay on each
// node (listed, attachable, its VNI, its namespace with br0, vxlan0 and a
// veth per local endpoint, its load balancer, its peers and the VXLAN
// forwarding entries of every remote endpoint); each service (mode,
// replicas, endpoint mode, VIPs, ports, its running tasks as a set: their
// count, their placement as far as it is certain, their addresses, their
// interfaces); published ports; the DNS answers each role got for each
// name; and the measured reachability by role, service VIPs included.
func CompareCluster(name string, sim, live *graph.Cluster, obs ClusterObservations, opts ClusterCompareOptions) *Report {
	r := &Report{Scenario: name}
	sv, lv := newClusterView(sim), newClusterView(live)
	certain := placementCertain(sv)
	for svc := range opts.ScaledDown {
		certain[svc] = false
	}
	nodes := map[string]bool{}
	for _, m := range sim.Hosts {
		nodes[graph.NodeName(m)] = true
	}
	for _, m := range live.Hosts {
		nodes[graph.NodeName(m)] = true
	}
	scenarioNets := map[string]bool{}
	for _, m := range sim.Hosts {
		for _, n := range m.Networks {
			scenarioNets[n.Name] = true
		}
	}
	for _, node := range slices.Sorted(maps.Keys(nodes)) {
		sh, lh := sim.Host(node), live.Host(node)
		if sh == nil || lh == nil {
			r.add("node", node, presence(sh), presence(lh))
			continue
		}
		r.add("node", node+" in the swarm", swarmShape(sh), swarmShape(lh))
		sub := Compare(name, withoutTasks(sh), withoutTasks(lh), nil, nil, opts.CompareOptions)
		for _, c := range sub.Checks {
			c.What = node + ": " + c.What
			r.Checks = append(r.Checks, c)
		}
		compareOverlays(r, node, sh, lh, sv, lv, scenarioNets, certain, opts)
		if s, l := portsShape(sh, certain), portsShape(lh, certain); s != "" || l != "" {
			r.add("port", node+": published ports", orNone(s), orNone(l))
		}
	}
	for _, n := range slices.Sorted(maps.Keys(scenarioNets)) {
		sure := true
		for node := range nodes {
			sure = sure && presenceCertain(sv, node, n, certain)
		}
		if s, l := lbAddrs(sv, n, sure), lbAddrs(lv, n, sure); s != "" || l != "" {
			r.add("overlay", "load-balancer endpoints on "+n, orNone(s), orNone(l))
		}
		if s, l := vniShape(sv, n, opts.FreshSwarm), vniShape(lv, n, opts.FreshSwarm); s != "" || l != "" {
			r.add("overlay", "VNI of "+n, orNone(s), orNone(l))
		}
	}
	compareServices(r, sv, lv, certain, !opts.FreshSwarm, opts.ScaledDown)
	if s, l := unplacedPorts(sv, certain), unplacedPorts(lv, certain); s != "" || l != "" {
		r.add("port", "published ports of tasks placed at random", orNone(s), orNone(l))
	}
	compareClusterDNS(r, sv, lv, obs.DNS)
	if obs.Matrix != nil {
		compareClusterReach(r, sv, lv, obs.Matrix, opts.IPVS, certain)
	}
	return r
}

func presence(m *graph.Model) string {
	if m == nil {
		return "missing"
	}
	return "present"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// swarmShape is a node's place in the swarm: its role and its address.
func swarmShape(m *graph.Model) string {
	sw := m.Host.Swarm
	if sw == nil {
		return "not in a swarm"
	}
	return fmt.Sprintf("%s at %s", sw.Role, sw.Addr)
}

// withoutTasks is m without the swarm's task containers and their ports
// (compared per service, not by name).
func withoutTasks(m *graph.Model) *graph.Model {
	out := *m
	tasks := map[graph.ContainerID]bool{}
	out.Containers = slices.DeleteFunc(slices.Clone(m.Containers), func(c *graph.Container) bool {
		if c.Task != nil {
			tasks[c.ID] = true
		}
		return c.Task != nil
	})
	out.Ports = slices.DeleteFunc(slices.Clone(m.Ports), func(p *graph.Port) bool { return tasks[p.Container] })
	return &out
}

// network is the named network of m, or nil.
func network(m *graph.Model, name string) *graph.Network {
	for _, n := range m.Networks {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// compareOverlays checks each of the scenario's overlays on one node:
// exactly where the simulation knows whether the node has endpoints on
// it (presenceCertain), else that the node has what the endpoints it got
// make it have (rule swarm.worker-networks: a worker lists an overlay, and
// every node has its namespace, load balancer and peers, while it has an
// endpoint there).
func compareOverlays(r *Report, node string, sh, lh *graph.Model, sv, lv *clusterView, scenarioNets map[string]bool, certain map[string]bool, opts ClusterCompareOptions) {
	names := map[string]bool{}
	for _, m := range []*graph.Model{sh, lh} {
		for _, n := range m.Networks {
			if n.Overlay != nil && scenarioNets[n.Name] {
				names[n.Name] = true
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(names)) {
		sn, ln := network(sh, name), network(lh, name)
		if !presenceCertain(sv, node, name, certain) {
			r.add("overlay", node+": overlay "+name, asTasksWent(listedConsistent(sh, sn, name)), asTasksWent(listedConsistent(lh, ln, name)))
			if sn == nil || ln == nil {
				continue
			}
			r.add("overlay", node+": "+name+" namespace", asTasksWent(nsConsistent(sh, sn)), asTasksWent(nsConsistent(lh, ln)))
			r.add("overlay", node+": "+name+" load balancer", asTasksWent(lbConsistent(sh, sn)), asTasksWent(lbConsistent(lh, ln)))
			r.add("overlay", node+": "+name+" peers", asTasksWent(peersConsistent(sv, sh, sn)), asTasksWent(peersConsistent(lv, lh, ln)))
			r.add("fdb", node+": "+name+" vxlan0 forwarding entries", asTasksWent(fdbConsistent(sv, node, sh, sn)), asTasksWent(fdbConsistent(lv, node, lh, ln)))
			continue
		}
		r.add("overlay", node+": overlay "+name, overlayShape(sn, opts.FreshSwarm), overlayShape(ln, opts.FreshSwarm))
		if sn == nil || ln == nil {
			continue
		}
		r.add("overlay", node+": "+name+" namespace", overlayNSShape(sh, sn), overlayNSShape(lh, ln))
		r.add("overlay", node+": "+name+" load balancer", lbShape(sn), lbShape(ln))
		// Its peers are the other nodes with endpoints: known as far as
		// theirs is.
		everyone := true
		for _, m := range sv.c.Hosts {
			everyone = everyone && presenceCertain(sv, graph.NodeName(m), name, certain)
		}
		if everyone {
			r.add("overlay", node+": "+name+" peers", peersShape(sn), peersShape(ln))
		} else {
			r.add("overlay", node+": "+name+" peers", asTasksWent(peersConsistent(sv, sh, sn)), asTasksWent(peersConsistent(lv, lh, ln)))
		}
		r.add("fdb", node+": "+name+" vxlan0 forwarding entries", fdbShape(sv, node, sh, sn), fdbShape(lv, node, lh, ln))
	}
}

// overlayShape is what a node lists of an overlay: whether, attachable,
// its VNI (exactly for the ingress and on a fresh swarm, else that it has
// one of its own: rule swarm.vni).
func overlayShape(n *graph.Network, fresh bool) string {
	if n == nil {
		return "not listed"
	}
	o := n.Overlay
	if o == nil {
		return "listed, not an overlay (" + n.Driver + ")"
	}
	parts := []string{"listed"}
	switch {
	case o.Ingress:
		parts = append(parts, "the ingress")
	case o.Attachable:
		parts = append(parts, "attachable")
	default:
		parts = append(parts, "not attachable")
	}
	if o.Encrypted {
		parts = append(parts, "encrypted")
	}
	switch {
	case o.Ingress || fresh:
		parts = append(parts, "VNI "+strconv.Itoa(o.VNI))
	case o.VNI > dockerrules.IngressVNI:
		parts = append(parts, "a VNI of its own")
	default:
		parts = append(parts, "VNI "+strconv.Itoa(o.VNI)+" (not above the ingress's)")
	}
	return strings.Join(parts, ", ")
}

// interfacesIn lists m's interfaces in namespace ns.
func interfacesIn(m *graph.Model, ns graph.NamespaceID) []*graph.Interface {
	var out []*graph.Interface
	for _, i := range m.Interfaces {
		if i.Namespace == ns {
			out = append(out, i)
		}
	}
	return out
}

func iface(m *graph.Model, id graph.InterfaceID) *graph.Interface {
	for _, i := range m.Interfaces {
		if i.ID == id {
			return i
		}
	}
	return nil
}

// overlayNSShape is an overlay's namespace on one node (rule
// swarm.overlay-namespace): br0 with the gateway, vxlan0 with the
// network's VNI and its UDP port, and a veth per local endpoint.
func overlayNSShape(m *graph.Model, n *graph.Network) string {
	o := n.Overlay
	if o.Namespace == "" {
		return "none"
	}
	var parts []string
	if br := iface(m, n.Bridge); br != nil {
		parts = append(parts, fmt.Sprintf("br0 %s mtu %d", prefixes(br.Addrs), br.MTU))
	} else {
		parts = append(parts, "no br0")
	}
	if vx := iface(m, o.VXLAN); vx != nil && vx.VXLAN != nil {
		vni := "the network's VNI"
		if vx.VXLAN.VNI != o.VNI {
			vni = fmt.Sprintf("VNI %d (the network's is %d)", vx.VXLAN.VNI, o.VNI)
		}
		parts = append(parts, fmt.Sprintf("vxlan0 %s port %d mtu %d", vni, vx.VXLAN.Port, vx.MTU))
	} else {
		parts = append(parts, "no vxlan0")
	}
	// How many endpoints a node has depends on where the tasks went:
	// what compares is one veth for each.
	veths := 0
	for _, i := range interfacesIn(m, o.Namespace) {
		if i.Kind == graph.KindVeth {
			veths++
		}
	}
	if local := len(endpointsOn(m, n.Name)); veths == local {
		parts = append(parts, "a veth for each local endpoint")
	} else {
		parts = append(parts, fmt.Sprintf("%d veths for %d local endpoints", veths, local))
	}
	return strings.Join(parts, "; ")
}

func prefixes(ps []netip.Prefix) string {
	var out []string
	for _, p := range ps {
		if p.Addr().Is4() {
			out = append(out, p.String())
		}
	}
	if len(out) == 0 {
		return "no address"
	}
	return strings.Join(out, ",")
}

// lbShape is a node's load-balancer endpoint on an overlay: where it is
// (lb_ namespace, or ingress_sbox for the ingress) and that it is on the
// network's subnet; the addresses compare as a set (lbAddrs).
func lbShape(n *graph.Network) string {
	lb := n.Overlay.LoadBalancer
	if lb == nil {
		return "none"
	}
	where := "lb_ namespace"
	if n.Overlay.Ingress {
		where = "ingress_sbox"
	}
	if lb.Namespace == "" {
		where = "no namespace"
	}
	in := "no address"
	if lb.IPv4.IsValid() {
		in = "outside the subnet"
		for _, s := range n.Subnets {
			if s.Subnet.Contains(lb.IPv4.Addr()) {
				in = "an address of " + s.Subnet.String()
			}
		}
	}
	return where + ", " + in
}

// peersShape is the VTEP addresses of the nodes on the network (inspect's
// Peers names them by their gossip name: rule swarm.overlay-namespace).
func peersShape(n *graph.Network) string {
	var addrs []netip.Addr
	for _, p := range n.Overlay.Peers {
		addrs = append(addrs, p.Addr)
	}
	return addrList(addrs)
}

func addrList(addrs []netip.Addr) string {
	addrs = slices.Clone(addrs)
	slices.SortFunc(addrs, netip.Addr.Compare)
	addrs = slices.Compact(addrs)
	var s []string
	for _, a := range addrs {
		s = append(s, a.String())
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// endpointsOn lists the addresses node m holds on the named overlay: its
// load balancer's (or ingress sandbox's) and its running containers'.
func endpointsOn(m *graph.Model, name string) []netip.Addr {
	n := network(m, name)
	if n == nil || n.Overlay == nil {
		return nil
	}
	var out []netip.Addr
	if lb := n.Overlay.LoadBalancer; lb != nil && lb.IPv4.IsValid() {
		out = append(out, lb.IPv4.Addr())
	}
	for _, c := range m.Containers {
		if !c.Running() {
			continue
		}
		for _, ep := range c.Endpoints {
			if ep.Network == n.ID && ep.IPv4.IsValid() {
				out = append(out, ep.IPv4.Addr())
			}
		}
	}
	return out
}

// fdbShape checks the permanent forwarding entries of a node's vxlan0
// against the cluster it is part of (rule swarm.overlay-namespace): one
// per endpoint of another node on the network, its MAC (02:42 and its
// address: rule swarm.overlay-mac) to that node's VTEP.
func fdbShape(v *clusterView, node string, m *graph.Model, n *graph.Network) string {
	vx := iface(m, n.Overlay.VXLAN)
	if vx == nil || vx.VXLAN == nil {
		return "no vxlan0"
	}
	want := map[string]netip.Addr{} // MAC → VTEP
	for _, h := range v.c.Hosts {
		if graph.NodeName(h) == node || h.Host.Swarm == nil {
			continue
		}
		for _, a := range endpointsOn(h, n.Name) {
			want[strings.ToLower(dockerrules.OverlayMAC(a))] = h.Host.Swarm.Addr
		}
	}
	entries, right := 0, 0 // permanent entries, those right
	var stray []string
	seen := map[string]bool{}
	for _, e := range vx.VXLAN.FDB {
		if !e.Permanent || !e.Dst.IsValid() {
			continue
		}
		entries++
		mac := strings.ToLower(e.MAC)
		if dst, ok := want[mac]; ok && dst == e.Dst && !seen[mac] {
			right++
			seen[mac] = true
			continue
		}
		stray = append(stray, mac+" → "+e.Dst.String())
	}
	var missing []string
	for mac, dst := range want {
		if !seen[mac] {
			missing = append(missing, mac+" → "+dst.String())
		}
	}
	if len(stray) == 0 && len(missing) == 0 {
		// How many: where the tasks went (checked per service).
		return fdbRight
	}
	slices.Sort(stray)
	slices.Sort(missing)
	s := fmt.Sprintf("%d entries, %d of %d remote endpoints at their VTEP", entries, right, len(want))
	if len(missing) > 0 {
		s += "; missing " + strings.Join(missing, ", ")
	}
	if len(stray) > 0 {
		s += "; stray " + strings.Join(stray, ", ")
	}
	return s
}

// fdbConsistent is fdbShape where the node may have no endpoint on the
// network, and so no vxlan0.
func fdbConsistent(v *clusterView, node string, m *graph.Model, n *graph.Network) string {
	if !hasEndpoints(m, n.Name) && n.Overlay.VXLAN == "" {
		return ""
	}
	if s := fdbShape(v, node, m, n); s != fdbRight {
		return s
	}
	return ""
}

// fdbRight is fdbShape of a forwarding database as it should be.
const fdbRight = "an entry for each remote endpoint: its MAC at its node's VTEP, no other"

// lbAddrs is the set of load-balancer addresses the nodes have on the
// named network: which node gets which is the allocator's race (rule
// swarm.address-order). Unless sure — the simulation knows which nodes
// have endpoints there — only their count compares: one per node with
// endpoints.
func lbAddrs(v *clusterView, name string, sure bool) string {
	var addrs []netip.Addr
	withEndpoints := 0
	for _, m := range v.c.Hosts {
		n := network(m, name)
		if n != nil && n.Overlay != nil && n.Overlay.LoadBalancer != nil && n.Overlay.LoadBalancer.IPv4.IsValid() {
			addrs = append(addrs, n.Overlay.LoadBalancer.IPv4.Addr())
		}
		if hasEndpoints(m, name) || n != nil && n.Overlay != nil && n.Overlay.Ingress {
			withEndpoints++
		}
	}
	if len(addrs) == 0 {
		return ""
	}
	if !sure {
		if len(addrs) == withEndpoints {
			return "one for each node with endpoints on it"
		}
		return fmt.Sprintf("%d for %d nodes with endpoints on it", len(addrs), withEndpoints)
	}
	return addrList(addrs)
}

// hasEndpoints says whether node m runs a container on the named network.
func hasEndpoints(m *graph.Model, name string) bool {
	for _, c := range m.Containers {
		if c.Running() && slices.ContainsFunc(c.Endpoints, func(ep graph.Endpoint) bool { return ep.Network.Name() == name }) {
			return true
		}
	}
	return false
}

// presenceCertain says whether the simulation knows if node has endpoints
// on the named network: it has a container there that is no task or a
// task of a service whose placement is certain, it is the ingress (every
// node's sandbox), or no task placed at random is on the network at all.
func presenceCertain(sv *clusterView, node, name string, certain map[string]bool) bool {
	if ingressNet(sv, name) {
		return true
	}
	if m := sv.c.Host(node); m != nil {
		for _, c := range m.Containers {
			if !c.Running() || !slices.ContainsFunc(c.Endpoints, func(ep graph.Endpoint) bool { return ep.Network.Name() == name }) {
				continue
			}
			if c.Task == nil || certain[serviceName(c.Task.Service)] {
				return true
			}
		}
	}
	for svc, ts := range sv.tasks {
		if certain[svc] {
			continue
		}
		for _, t := range ts {
			if slices.ContainsFunc(t.c.Endpoints, func(ep graph.Endpoint) bool { return ep.Network.Name() == name }) {
				return false
			}
		}
	}
	return true
}

// asTasksWent is a consistency check's value: "" when the node has what
// its endpoints make it have, else what is wrong.
func asTasksWent(wrong string) string {
	if wrong == "" {
		return "as the endpoints the scheduler gave the node make it"
	}
	return wrong
}

// listedConsistent: a manager lists every overlay, a worker those it has
// an endpoint on (rule swarm.worker-networks).
func listedConsistent(m *graph.Model, n *graph.Network, name string) string {
	manager := m.Host.Swarm != nil && m.Host.Swarm.Role == "manager"
	switch has := hasEndpoints(m, name); {
	case n == nil && (manager || has):
		return "not listed, though it has endpoints there or is a manager"
	case n != nil && !manager && !has:
		return "listed by a worker without an endpoint there"
	}
	return ""
}

// nsConsistent: the overlay's namespace exists where the node has an
// endpoint, with br0 on the gateway, vxlan0 on the network's VNI and a
// veth for each local endpoint (rule swarm.overlay-namespace).
func nsConsistent(m *graph.Model, n *graph.Network) string {
	has, present := hasEndpoints(m, n.Name), n.Overlay.Namespace != ""
	switch {
	case has != present:
		return fmt.Sprintf("endpoints here %v, namespace %v", has, present)
	case !present:
		return ""
	}
	shape := overlayNSShape(m, n)
	gw := "no gateway"
	if len(n.Subnets) > 0 && n.Subnets[0].Gateway.IsValid() {
		gw = netip.PrefixFrom(n.Subnets[0].Gateway, n.Subnets[0].Subnet.Bits()).String()
	}
	if !strings.HasPrefix(shape, "br0 "+gw+" ") || !strings.Contains(shape, "vxlan0 the network's VNI") || !strings.HasSuffix(shape, "a veth for each local endpoint") {
		return shape
	}
	return ""
}

// lbConsistent: a node has its load-balancer endpoint on an overlay while
// it has an endpoint there (rule swarm.address-order).
func lbConsistent(m *graph.Model, n *graph.Network) string {
	has, lb := hasEndpoints(m, n.Name), n.Overlay.LoadBalancer != nil && n.Overlay.LoadBalancer.IPv4.IsValid()
	if has != lb {
		return fmt.Sprintf("endpoints here %v, load balancer %v", has, lb)
	}
	return ""
}

// peersConsistent: an overlay's peers, on a node with an endpoint on it,
// are the nodes with endpoints on it; a node without one has none.
func peersConsistent(v *clusterView, node *graph.Model, n *graph.Network) string {
	var want []netip.Addr
	for _, m := range v.c.Hosts {
		if m.Host.Swarm != nil && hasEndpoints(m, n.Name) && hasEndpoints(node, n.Name) {
			want = append(want, m.Host.Swarm.Addr)
		}
	}
	if got := peersShape(n); got != addrList(want) {
		return "peers " + got + ", the nodes with endpoints " + addrList(want)
	}
	return ""
}

// vniShape is an overlay's VNI across the nodes listing it: one, the same
// everywhere (exactly for the ingress or a fresh swarm).
func vniShape(v *clusterView, name string, fresh bool) string {
	byVNI := map[int][]string{}
	ingress := false
	for _, m := range v.c.Hosts {
		if n := network(m, name); n != nil && n.Overlay != nil {
			byVNI[n.Overlay.VNI] = append(byVNI[n.Overlay.VNI], graph.NodeName(m))
			ingress = ingress || n.Overlay.Ingress
		}
	}
	switch len(byVNI) {
	case 0:
		return ""
	case 1:
		// (Which nodes list it: compared node by node.)
		for vni := range byVNI {
			if fresh || ingress {
				return fmt.Sprintf("%d on every node listing it", vni)
			}
			return "one VNI on every node listing it"
		}
	}
	var parts []string
	for _, vni := range slices.Sorted(maps.Keys(byVNI)) {
		parts = append(parts, fmt.Sprintf("%d on %s", vni, strings.Join(byVNI[vni], ",")))
	}
	return "differs between nodes: " + strings.Join(parts, "; ")
}

// placementCertain says, per service, whether the simulated placement
// names the nodes or only the counts: the scheduler spreads a service's
// tasks and breaks ties at random (rule swarm.placement), so when the
// simulation put as many tasks on every node, each node's count is
// certain; otherwise only the counts are.
func placementCertain(sim *clusterView) map[string]bool {
	out := map[string]bool{}
	for name := range sim.svcs {
		counts := perNode(sim, name)
		out[name] = len(slices.Compact(slices.Sorted(maps.Values(counts)))) <= 1
	}
	for name := range sim.tasks {
		if _, ok := out[name]; !ok {
			counts := perNode(sim, name)
			out[name] = len(slices.Compact(slices.Sorted(maps.Values(counts)))) <= 1
		}
	}
	return out
}

// perNode counts a service's running tasks on each swarm node.
func perNode(v *clusterView, svc string) map[string]int {
	counts := map[string]int{}
	for _, m := range v.c.Hosts {
		if m.Host.Swarm != nil {
			counts[graph.NodeName(m)] = 0
		}
	}
	for _, t := range v.tasks[svc] {
		counts[t.node]++
	}
	return counts
}

// placementShape is a service's placement: each node's count when it is
// certain, else the counts from the largest.
func placementShape(v *clusterView, svc string, certain bool) string {
	counts := perNode(v, svc)
	if certain {
		var parts []string
		for _, node := range slices.Sorted(maps.Keys(counts)) {
			parts = append(parts, fmt.Sprintf("%s %d", node, counts[node]))
		}
		return strings.Join(parts, ", ")
	}
	vals := slices.Sorted(maps.Values(counts))
	slices.Reverse(vals)
	var parts []string
	for _, n := range vals {
		parts = append(parts, strconv.Itoa(n))
	}
	return strings.Join(parts, "+") + fmt.Sprintf(" over %d nodes (which node has which: the scheduler's tie, at random)", len(vals))
}

// compareServices checks each service of either side. With
// ingressUnknown, the addresses the scenario's services get on the
// ingress compare by their subnet only: the ingress was there before the
// scenario, and its allocator's position with it (rule
// swarm.serial-address).
func compareServices(r *Report, sv, lv *clusterView, certain map[string]bool, ingressUnknown bool, scaledDown map[string]bool) {
	names := map[string]bool{}
	for _, v := range []*clusterView{sv, lv} {
		for n := range v.svcs {
			names[n] = true
		}
		for n := range v.tasks {
			names[n] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(names)) {
		ss, ls := sv.svcs[name], lv.svcs[name]
		r.add("service", "service "+name, serviceShape(ss), serviceShape(ls))
		if ss != nil && ls != nil {
			r.add("service", "service "+name+" VIPs", vipsShape(sv, ss, ingressUnknown), vipsShape(lv, ls, ingressUnknown))
			if len(ss.Ports) > 0 || len(ls.Ports) > 0 {
				r.add("service", "service "+name+" ports", svcPortsShape(ss), svcPortsShape(ls))
			}
		}
		r.add("task", "tasks of "+name+" running", strconv.Itoa(len(sv.tasks[name])), strconv.Itoa(len(lv.tasks[name])))
		r.add("task", "tasks of "+name+" per node", placementShape(sv, name, certain[name]), placementShape(lv, name, certain[name]))
		nets := map[string]bool{}
		for _, v := range []*clusterView{sv, lv} {
			for _, t := range v.tasks[name] {
				for _, ep := range t.c.Endpoints {
					nets[ep.Network.Name()] = true
				}
			}
		}
		for _, net := range slices.Sorted(maps.Keys(nets)) {
			r.add("task", "tasks of "+name+" addresses on "+net, taskAddrs(sv, name, net, ingressUnknown, scaledDown[name]), taskAddrs(lv, name, net, ingressUnknown, scaledDown[name]))
		}
		r.add("task", "tasks of "+name+" interfaces", taskShapes(sv, name), taskShapes(lv, name))
	}
}

func serviceShape(s *graph.Service) string {
	if s == nil {
		return "missing"
	}
	mode := cmp.Or(s.Mode, "mode not listed")
	if s.Mode == "replicated" {
		mode = fmt.Sprintf("replicated ×%d", s.Replicas)
	}
	return fmt.Sprintf("endpoint mode %s, %s", cmp.Or(s.EndpointMode, "?"), mode)
}

// ingressNet says whether the named network is v's ingress.
func ingressNet(v *clusterView, name string) bool {
	n := v.x.Network(graph.NewNetworkID(name))
	return n != nil && n.Overlay != nil && n.Overlay.Ingress
}

// inSubnets is "N address(es) of SUBNET": addresses whose values the
// comparison does not claim.
func inSubnets(v *clusterView, net string, addrs []netip.Addr) string {
	n := v.x.Network(graph.NewNetworkID(net))
	in := map[string]int{}
	for _, a := range addrs {
		sub := "no subnet of it"
		if n != nil {
			for _, s := range n.Subnets {
				if s.Subnet.Contains(a) {
					sub = s.Subnet.String()
				}
			}
		}
		in[sub]++
	}
	var parts []string
	for _, sub := range slices.Sorted(maps.Keys(in)) {
		parts = append(parts, fmt.Sprintf("%d address(es) of %s", in[sub], sub))
	}
	return strings.Join(parts, ", ")
}

func vipsShape(v *clusterView, s *graph.Service, ingressUnknown bool) string {
	var parts []string
	for _, vip := range s.VIPs {
		net := vip.Network.Name()
		if ingressUnknown && ingressNet(v, net) {
			parts = append(parts, net+" "+inSubnets(v, net, []netip.Addr{vip.Addr.Addr()}))
			continue
		}
		parts = append(parts, net+" "+vip.Addr.String())
	}
	slices.Sort(parts)
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func svcPortsShape(s *graph.Service) string {
	var parts []string
	for _, p := range s.Ports {
		parts = append(parts, fmt.Sprintf("%d:%d/%s %s", p.PublishedPort, p.TargetPort, p.Proto, p.Mode))
	}
	slices.Sort(parts)
	return orNone(strings.Join(parts, ", "))
}

// taskAddrs is the set of addresses a service's tasks hold on a network;
// how many, of which subnet, on the ingress with ingressUnknown and for a
// service scaled down.
func taskAddrs(v *clusterView, svc, net string, ingressUnknown, scaledDown bool) string {
	var addrs []netip.Addr
	for _, t := range v.tasks[svc] {
		for _, ep := range t.c.Endpoints {
			if ep.Network.Name() == net && ep.IPv4.IsValid() {
				addrs = append(addrs, ep.IPv4.Addr())
			}
		}
	}
	if ingressUnknown && ingressNet(v, net) || scaledDown {
		slices.SortFunc(addrs, netip.Addr.Compare)
		addrs = slices.Compact(addrs)
		return orNone(inSubnets(v, net, addrs))
	}
	return addrList(addrs)
}

// taskShapes is the multiset of a service's tasks' interfaces: each
// endpoint's interface, network and MAC rule, its gateway, and the
// interface on the node's docker_gwbridge (rule swarm.gwbridge).
func taskShapes(v *clusterView, svc string) string {
	counts := map[string]int{}
	for _, t := range v.tasks[svc] {
		counts[ctrShape(t.m, t.c)]++
	}
	return multiset(counts)
}

func multiset(counts map[string]int) string {
	if len(counts) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%d× %s", counts[k], k))
	}
	return strings.Join(parts, "; ")
}

// ctrShape describes a container's interfaces without its addresses. A
// task on several networks has them in a cycle whose start, eth0, is the
// daemon's random pick (rule swarm.task-interfaces): its interfaces and
// the cycle of networks on them, from the network named first, compare.
func ctrShape(m *graph.Model, c *graph.Container) string {
	var parts []string
	eps := slices.Clone(c.Endpoints)
	slices.SortFunc(eps, func(a, b graph.Endpoint) int { return natural.Compare(ifName(a.Interface), ifName(b.Interface)) })
	if c.Task != nil && len(eps) > 1 {
		var ifs, nets []string
		macs := true
		for _, ep := range eps {
			ifs = append(ifs, ifName(ep.Interface))
			nets = append(nets, ep.Network.Name())
			macs = macs && ep.IPv4.IsValid() && strings.EqualFold(ep.MAC, dockerrules.MACFromIPv4(ep.IPv4.Addr()))
		}
		first := slices.Index(nets, slices.Min(nets))
		cycle := slices.Concat(nets[first:], nets[:first])
		s := fmt.Sprintf("%s on %s in turn (which one is eth0: at random)", strings.Join(ifs, ","), strings.Join(cycle, " → "))
		if macs {
			s += " (MACs 02:42 + their IPv4)"
		}
		parts = append(parts, s)
		eps = nil
	}
	for _, ep := range eps {
		s := ifName(ep.Interface) + " on " + ep.Network.Name()
		switch {
		case ep.MAC == "":
		case ep.IPv4.IsValid() && strings.EqualFold(ep.MAC, dockerrules.MACFromIPv4(ep.IPv4.Addr())):
			s += " (MAC 02:42 + its IPv4)"
		default:
			s += " (MAC of its own)"
		}
		if ep.Gateway.IsValid() {
			s += " gw"
		}
		parts = append(parts, s)
	}
	if gw := network(m, dockerrules.GatewayBridgeNetwork); gw != nil && c.Namespace != "" {
		for _, i := range interfacesIn(m, c.Namespace) {
			for _, a := range i.Addrs {
				for _, s := range gw.Subnets {
					if s.Subnet.Contains(a.Addr()) {
						parts = append(parts, i.Name+" on "+gw.Name)
					}
				}
			}
		}
	}
	if len(parts) == 0 {
		return "no interfaces"
	}
	return strings.Join(parts, ", ")
}

// portsShape is a node's published ports of the containers that are no
// task and of the tasks placed with certainty, each to the role it
// reaches.
func portsShape(m *graph.Model, certain map[string]bool) string {
	x := graph.NewIndex(m)
	var parts []string
	for _, p := range m.Ports {
		c := x.Container(p.Container)
		if c == nil || c.Task != nil && !certain[serviceName(c.Task.Service)] {
			continue
		}
		parts = append(parts, portText(p)+" → "+role(c))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

func portText(p *graph.Port) string {
	host := p.HostIP.String()
	if p.HostIP.Is6() {
		host = "[" + host + "]"
	}
	return fmt.Sprintf("%s:%d/%s:%d", host, p.HostPort, p.Proto, p.ContainerPort)
}

// unplacedPorts counts, over the cluster, the published ports of tasks
// whose placement is not certain.
func unplacedPorts(v *clusterView, certain map[string]bool) string {
	counts := map[string]int{}
	for _, m := range v.c.Hosts {
		x := graph.NewIndex(m)
		for _, p := range m.Ports {
			if c := x.Container(p.Container); c != nil && c.Task != nil && !certain[serviceName(c.Task.Service)] {
				counts[portText(p)+" → "+role(c)]++
			}
		}
	}
	if len(counts) == 0 {
		return ""
	}
	return multiset(counts)
}

// dnsNames are the names a client of the cluster asks (keys of the DNS
// checks): each service on one of its networks and tasks.SERVICE, the
// other containers on those networks that are no task, and a task's own
// name (ownNameKey).
func dnsNames(v *clusterView, c *graph.Container) []string {
	owner := v.x.NetworkOwner(c)
	on := map[graph.NetworkID]bool{}
	for _, ep := range owner.Endpoints {
		if n := v.x.Network(ep.Network); n != nil && dockerrules.EmbeddedDNS(n) && (n.Overlay == nil || !n.Overlay.Ingress) {
			on[ep.Network] = true
		}
	}
	if len(on) == 0 {
		return nil
	}
	set := map[string]bool{}
	for _, s := range v.svcs {
		for _, nid := range s.Networks {
			if on[nid] {
				set[s.Name], set["tasks."+s.Name] = true, true
			}
		}
	}
	for _, o := range v.flat.Containers {
		if o.Task != nil || o.ID == c.ID || !o.Running() {
			continue
		}
		for _, ep := range o.Endpoints {
			if on[ep.Network] {
				set[o.Name] = true
			}
		}
	}
	if c.Task != nil {
		set[ownNameKey] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// asked is the name a DNS key stands for from client c.
func asked(c *graph.Container, key string) string {
	if key == ownNameKey {
		return c.Name
	}
	return key
}

// describeAnswer names an answer set by roles: all (or k of n) tasks of
// a service, a service's VIP, a container; "itself" for a task asked its
// own name; NXDOMAIN when empty.
func describeAnswer(v *clusterView, c *graph.Container, key string, addrs []netip.Addr) string {
	if len(addrs) == 0 {
		return "NXDOMAIN"
	}
	if key == ownNameKey {
		own := map[netip.Addr]bool{}
		for _, ep := range c.Endpoints {
			if ep.IPv4.IsValid() {
				own[ep.IPv4.Addr()] = true
			}
		}
		if !slices.ContainsFunc(addrs, func(a netip.Addr) bool { return !own[a] }) {
			return "itself"
		}
	}
	tasks := map[string]map[netip.Addr]bool{}
	var parts []string
	for _, a := range addrs {
		who, ok := v.owner[a]
		switch {
		case !ok:
			parts = append(parts, a.String()+" (no container of the scenario)")
		case strings.HasPrefix(who, "task of "):
			svc := strings.TrimPrefix(who, "task of ")
			if tasks[svc] == nil {
				tasks[svc] = map[netip.Addr]bool{}
			}
			tasks[svc][a] = true
		default:
			parts = append(parts, who)
		}
	}
	for svc, got := range tasks {
		n := len(v.tasks[svc])
		if len(got) == n {
			parts = append(parts, fmt.Sprintf("all %d tasks of %s", n, svc))
		} else {
			parts = append(parts, fmt.Sprintf("%d of the %d tasks of %s", len(got), n, svc))
		}
	}
	slices.Sort(parts)
	return strings.Join(slices.Compact(parts), ", ")
}

// simAnswer is what the simulation says name answers for client c: the
// addresses its resolves-to edges carry.
func simAnswer(v *clusterView, c *graph.Container, name string) []netip.Addr {
	edges, _ := dockerrules.Resolve(v.x, c, name)
	var out []netip.Addr
	for _, e := range edges {
		if a, err := netip.ParseAddr(e.Label); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// compareClusterDNS checks, for each role and each name its clients ask,
// the answers they got — one check per role and name, the answers of all
// its clients together.
func compareClusterDNS(r *Report, sv, lv *clusterView, live map[string]map[string][]netip.Addr) {
	type key struct{ role, name string }
	simGot := map[key]map[string]int{}
	liveGot := map[key]map[string]int{}
	add := func(m map[key]map[string]int, k key, ans string) {
		if m[k] == nil {
			m[k] = map[string]int{}
		}
		m[k][ans]++
	}
	for _, c := range sv.flat.Containers {
		if !c.Running() {
			continue
		}
		for _, n := range dnsNames(sv, c) {
			add(simGot, key{role(c), n}, describeAnswer(sv, c, n, simAnswer(sv, c, asked(c, n))))
		}
	}
	roles := map[string]bool{}
	for k := range simGot {
		roles[k.role] = true
	}
	for _, c := range lv.flat.Containers {
		if !c.Running() || !roles[role(c)] || live == nil {
			continue
		}
		for _, n := range dnsNames(lv, c) {
			got, ok := live[c.Name][asked(c, n)]
			if !ok {
				add(liveGot, key{role(c), n}, "not asked")
				continue
			}
			add(liveGot, key{role(c), n}, describeAnswer(lv, c, n, got))
		}
	}
	if live == nil {
		return
	}
	keys := map[key]bool{}
	for k := range simGot {
		keys[k] = true
	}
	for k := range liveGot {
		keys[k] = true
	}
	for _, k := range slices.SortedFunc(maps.Keys(keys), func(a, b key) int { return cmp.Or(cmp.Compare(a.role, b.role), cmp.Compare(a.name, b.name)) }) {
		what := k.role + " resolves " + k.name
		if strings.HasPrefix(k.role, "task of ") {
			what = "each " + what
		}
		r.add("dns", what, answersShape(simGot[k]), answersShape(liveGot[k]))
	}
}

// answersShape is the answers of a role's clients: the one answer they
// all got, else each answer with how many got it.
func answersShape(got map[string]int) string {
	switch len(got) {
	case 0:
		return "not asked"
	case 1:
		for a := range got {
			return a
		}
	}
	return multiset(got)
}

// compareClusterReach checks the measured reachability against the
// simulation's by role: for each client role, target role (a VIP
// included) and network, how many pairs had each outcome. A pair that
// does not get through is blocked when both ends are on one node, not
// measured when the packet would leave it: where a service's tasks are
// placed at random, how many are which is too, and the two compare as one.
func compareClusterReach(r *Report, sv, lv *clusterView, mat *probe.Matrix, ipvs map[string]string, certain map[string]bool) {
	type key struct{ client, target, net string }
	simGot := map[key]map[string]int{}
	liveGot := map[key]map[string]int{}
	placed := func(role string) bool {
		svc, task := strings.CutPrefix(role, "task of ")
		return !task || certain[svc]
	}
	add := func(m map[key]map[string]int, k key, o string) {
		if m[k] == nil {
			m[k] = map[string]int{}
		}
		if (o == "blocked" || o == "not measured") && (!placed(k.client) || !placed(k.target)) {
			o = "blocked or not measured (by where the tasks run)"
		}
		m[k][o]++
	}
	sx := sv.x
	for _, c := range reach.Clients(sx) {
		for _, t := range reach.Targets(sx) {
			add(simGot, key{role(c), role(t.Container), t.Network.Name}, simOutcome(reach.Expect(sx, c, t)))
		}
		for _, vt := range reach.VIPTargets(sx) {
			exp := reach.ExpectVIP(sx, c, vt, ipvs)
			if exp.Reason == reach.OtherNode || exp.Reason == reach.NotRunning {
				continue
			}
			add(simGot, key{role(c), "the VIP of " + vt.Service.Name, vt.Network.Name}, simOutcome(exp)+" ("+exp.Reason+")")
		}
	}
	vips := map[netip.Addr]string{}
	for _, s := range lv.svcs {
		for _, v := range s.VIPs {
			if v.Addr.IsValid() {
				vips[v.Addr.Addr()] = s.Name
			}
		}
	}
	for _, cell := range mat.Cells {
		c := lv.x.Container(graph.NewContainerID(cell.Client))
		if c == nil {
			continue
		}
		if svc, ok := vips[cell.Addr]; ok && cell.Target == svc {
			add(liveGot, key{role(c), "the VIP of " + svc, cell.Network}, liveOutcome(cell.Measured.Outcome)+" ("+cell.Expected.Reason+")")
			continue
		}
		t := lv.x.Container(graph.NewContainerID(cell.Target))
		target := cell.Target
		if t != nil {
			target = role(t)
		}
		add(liveGot, key{role(c), target, cell.Network}, liveOutcome(cell.Measured.Outcome))
	}
	keys := map[key]bool{}
	for k := range simGot {
		keys[k] = true
	}
	for k := range liveGot {
		keys[k] = true
	}
	for _, k := range slices.SortedFunc(maps.Keys(keys), func(a, b key) int {
		return cmp.Or(cmp.Compare(a.client, b.client), cmp.Compare(a.target, b.target), cmp.Compare(a.net, b.net))
	}) {
		r.add("reach", fmt.Sprintf("%s → %s on %s", k.client, k.target, k.net), countsShape(simGot[k]), countsShape(liveGot[k]))
	}
}

// countsShape is how many pairs had each outcome.
func countsShape(got map[string]int) string {
	if len(got) == 0 {
		return "no such pairs"
	}
	var parts []string
	for _, o := range slices.Sorted(maps.Keys(got)) {
		parts = append(parts, fmt.Sprintf("%s ×%d", o, got[o]))
	}
	return strings.Join(parts, ", ")
}
