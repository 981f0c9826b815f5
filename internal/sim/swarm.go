package sim

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/big"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/textsafe"
)

// cluster is what the engines of one scenario share: the hosts by name,
// in the order the scenario first named them, and the swarm once one is
// initialised.
type cluster struct {
	def   *Engine // the host of commands naming none, until a swarm exists
	hosts map[string]*Engine
	order []string
	swarm *swarm
}

// maxHosts bounds the hosts of one scenario: each gets an address of
// TEST-NET-1 (192.0.2.10 up).
const maxHosts = 245

var _ scenario.NodeTarget = (*Engine)(nil)
var _ scenario.SwarmTarget = (*Engine)(nil)

// On is the engine a command naming node is sent to (scenario.NodeTarget):
// the host of that name, new the first time it is named; for "" the
// swarm's manager once `docker swarm init` made one, else the default
// host. A host first named as the i-th (from 0) has eth0 192.0.2.(10+i)/24
// until swarm init or join --advertise-addr gives it another address.
func (e *Engine) On(_ context.Context, node string) (scenario.Target, error) {
	t, err := e.cl.engine(node)
	if err != nil {
		return nil, err
	}
	t.used = true
	return t, nil
}

func (cl *cluster) engine(node string) (*Engine, error) {
	if node == "" {
		if cl.swarm != nil {
			return cl.swarm.leader, nil
		}
		return cl.def, nil
	}
	if h := cl.hosts[node]; h != nil {
		return h, nil
	}
	if len(cl.order) >= maxHosts {
		return nil, refuseAt(scenario.Pos{}, dockerrules.NotModelled, fmt.Sprintf("a scenario of more than %d hosts", maxHosts), cl.def.prof.Major, "each host takes an address of TEST-NET-1")
	}
	addr := netip.AddrFrom4([4]byte{192, 0, 2, byte(10 + len(cl.order))})
	h := newEngine(Options{Hostname: node, EngineVersion: cl.def.opts.EngineVersion}, netip.PrefixFrom(addr, 24))
	h.cl = cl
	cl.hosts[node] = h
	cl.order = append(cl.order, node)
	return h, nil
}

// swarm is the state a swarm's managers keep (raft's store, as far as the
// network goes): its nodes, its networks and their pools, its services.
type swarm struct {
	id      string
	leader  *Engine   // the node that ran swarm init
	members []*Engine // in join order, the leader first
	gone    []string  // nodes that left, listed down by the manager
	pools   []netip.Prefix
	size    int // prefix length of an overlay's default subnet
	port    int // VXLAN's UDP port
	nextVNI int
	// nets are the swarm's overlay networks, the ingress first; each is
	// also in every member's nets.
	nets     []*network
	services map[string]*service
	svcOrder []string
	seq      int // numbers the tasks ever created
}

// swarmNode is an engine's place in the swarm.
type swarmNode struct {
	id           string
	role         string // manager or worker
	availability string // active, pause or drain
	addr         netip.Addr
	explicit     bool // addr came from --advertise-addr
}

// overlayNet is what a swarm overlay network adds to a network.
type overlayNet struct {
	vni                            int
	attachable, ingress, encrypted bool
	// last is the address the swarm's allocator handed out last on the
	// network: it goes on after it (rule swarm.serial-address).
	last netip.Addr
}

// sandbox is an overlay network's namespace on one node (1-<id>: br0,
// vxlan0 and a veth per local endpoint) and the node's load-balancer
// endpoint on it (rule swarm.overlay-namespace).
type sandbox struct {
	veths map[string]string // owner → its veth in the namespace
	order []string          // owners in join order
	next  int               // veth numbers handed out
	lb    netip.Addr        // the lb_ endpoint; for the ingress, ingress_sbox's address
	gw    netip.Addr        // the ingress only: ingress_sbox's address on docker_gwbridge
}

// Owners of a sandbox's veths that are no container: angle brackets are
// not allowed in a container's name.
const (
	lbOwner      = "<lb>"
	ingressOwner = "<ingress-sbox>"
)

// member reports whether the engine is a node of the swarm.
func (e *Engine) member() bool { return e.node != nil }

// manager reports whether the engine is a manager of the swarm.
func (e *Engine) manager() bool { return e.node != nil && e.node.role == "manager" }

// swarmID is a swarm object's ID: 25 characters of [0-9a-z], as swarmkit's
// identity.NewID makes them, here from the object's kind and name.
func swarmID(kind, name string) string {
	sum := sha256.Sum256([]byte("swarm/" + kind + "/" + name))
	s := new(big.Int).SetBytes(sum[:]).Text(36)
	for len(s) < 25 {
		s = "0" + s
	}
	return s[:25]
}

// SwarmInit makes this engine the manager of a new swarm (`docker swarm
// init`): its address from --advertise-addr (else the host's eth0), the
// ingress network from the first subnet of the pool (rule swarm.ingress),
// and its own docker_gwbridge and ingress sandbox.
func (e *Engine) SwarmInit(ctx context.Context, spec *scenario.SwarmSpec) error {
	if e.member() {
		return daemonErr(dockerrules.RefuseInSwarm)
	}
	if e.cl.swarm != nil {
		return refuseAt(scenario.Pos{}, dockerrules.NotModelled, "a second swarm", e.prof.Major, "this scenario's swarm is "+textsafe.Clean(e.cl.swarm.leader.opts.Hostname)+"'s; join it instead")
	}
	addr, explicit, err := e.nodeAddr(spec)
	if err != nil {
		return err
	}
	sw := &swarm{id: swarmID("cluster", e.opts.Hostname), leader: e, size: dockerrules.DefaultSubnetSize, port: dockerrules.VXLANPort,
		nextVNI: dockerrules.IngressVNI, services: map[string]*service{}}
	if spec.SubnetSize != 0 {
		sw.size = spec.SubnetSize
	}
	if spec.DataPathPort != 0 {
		sw.port = spec.DataPathPort
	}
	for _, raw := range spec.DefaultAddrPools {
		p, err := netip.ParsePrefix(strings.TrimSpace(raw))
		if err != nil || !p.Addr().Is4() || p.Bits() > sw.size {
			return refuseAt(spec.Where["--default-addr-pool"], "Error response from daemon: invalid default address pool %s: an IPv4 CIDR no longer than /%d", textsafe.Quote(raw), sw.size)
		}
		sw.pools = append(sw.pools, p.Masked())
	}
	if len(sw.pools) == 0 {
		if sw.size < dockerrules.DefaultOverlayPool.Bits() {
			return refuseAt(scenario.Pos{}, "Error response from daemon: --default-addr-pool-mask-length %d is shorter than the pool %s", sw.size, dockerrules.DefaultOverlayPool)
		}
		sw.pools = []netip.Prefix{dockerrules.DefaultOverlayPool}
	}
	ingress := &network{name: dockerrules.IngressNetwork, id: swarmID("network", dockerrules.IngressNetwork), driver: "overlay", icc: true,
		options: map[string]string{}, ovl: &overlayNet{ingress: true}}
	if !sw.addNetwork(ingress, netip.Prefix{}) {
		return daemonErr(dockerrules.RefuseNoDefaultPool)
	}
	e.cl.swarm = sw
	e.node = &swarmNode{id: swarmID("node", e.opts.Hostname), role: "manager", availability: availability(spec), addr: addr, explicit: explicit}
	e.uplink = netip.PrefixFrom(addr, e.uplink.Bits())
	sw.members = append(sw.members, e)
	return e.joinLocal(ctx)
}

// availability is a node's --availability, active by default.
func availability(spec *scenario.SwarmSpec) string {
	if spec.Availability == "" {
		return "active"
	}
	return spec.Availability
}

// SwarmJoin joins this engine to the swarm (`docker swarm join`): a worker,
// or a manager with the token $(docker swarm join-token -q manager) stands
// for. The address joined must be a manager's when its address was given
// (else the join times out, as Docker's does); the token is not checked.
func (e *Engine) SwarmJoin(ctx context.Context, spec *scenario.SwarmSpec) error {
	if e.member() {
		return daemonErr(dockerrules.RefuseInSwarm)
	}
	sw := e.cl.swarm
	if sw == nil || !sw.reaches(spec.Remote) {
		return daemonErr(dockerrules.RefuseJoinTimeout)
	}
	addr, explicit, err := e.nodeAddr(spec)
	if err != nil {
		return err
	}
	role := "worker"
	if spec.Token == scenario.ManagerToken {
		role = "manager"
	}
	e.node = &swarmNode{id: swarmID("node", e.opts.Hostname), role: role, availability: availability(spec), addr: addr, explicit: explicit}
	e.uplink = netip.PrefixFrom(addr, e.uplink.Bits())
	sw.members = append(sw.members, e)
	sw.gone = slices.DeleteFunc(sw.gone, func(s string) bool { return s == e.opts.Hostname })
	if err := e.joinLocal(ctx); err != nil {
		return err
	}
	// The orchestrators: a global service gets a task on the new node,
	// and pending replicas may fit now.
	return sw.reconcile(ctx)
}

// reaches reports whether swarm join's HOST[:PORT] names a manager: its
// node name, or its address when that was given (an address the
// simulator made up is not known to the script, so any address joins).
func (sw *swarm) reaches(remote string) bool {
	host := remote
	if h, _, err := splitHostPort(remote); err == nil {
		host = h
	}
	for _, m := range sw.members {
		if !m.manager() {
			continue
		}
		if host == m.opts.Hostname || !m.node.explicit {
			return true
		}
		if a, err := netip.ParseAddr(host); err == nil && a == m.node.addr {
			return true
		}
	}
	return false
}

// splitHostPort splits HOST:PORT (IPv6 in brackets); a bare host has no
// port.
func splitHostPort(s string) (host string, port int, err error) {
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 {
			return "", 0, fmt.Errorf("unclosed [")
		}
		host, s = s[1:end], strings.TrimPrefix(s[end+1:], ":")
		if s == "" {
			return host, 0, nil
		}
		port, err = strconv.Atoi(s)
		return host, port, err
	}
	h, p, ok := strings.Cut(s, ":")
	if !ok {
		return s, 0, nil
	}
	port, err = strconv.Atoi(p)
	return h, port, err
}

// nodeAddr is the address a node advertises (and its VTEP): init's or
// join's --advertise-addr (IP[:PORT], or eth0, the simulated host's one
// interface), else eth0's. A --data-path-addr other than it would need a
// second interface, which the simulated host has not; an address another
// node has is refused.
func (e *Engine) nodeAddr(spec *scenario.SwarmSpec) (netip.Addr, bool, error) {
	addr, explicit := e.uplink.Addr(), false
	pick := func(raw, flag string) (netip.Addr, bool, error) {
		if raw == "" || raw == "eth0" {
			return addr, false, nil
		}
		host, _, err := splitHostPort(raw)
		a, perr := netip.ParseAddr(host)
		if err != nil || perr != nil || !a.Is4() {
			return netip.Addr{}, false, refuseAt(spec.Where[flag], dockerrules.NotModelled, flag+" "+textsafe.Quote(raw), e.prof.Major,
				"the simulated host has one interface, eth0; give its IPv4 address (IP[:PORT]) or eth0")
		}
		return a, true, nil
	}
	a, ex, err := pick(spec.AdvertiseAddr, "--advertise-addr")
	if err != nil {
		return a, false, err
	}
	addr, explicit = a, ex
	if spec.DataPathAddr != "" {
		d, dex, err := pick(spec.DataPathAddr, "--data-path-addr")
		if err != nil {
			return d, false, err
		}
		if dex && d != addr {
			return d, false, refuseAt(spec.Where["--data-path-addr"], dockerrules.NotModelled, "--data-path-addr other than the advertised address", e.prof.Major,
				"the simulated host has one interface, eth0, which carries both")
		}
	}
	if sw := e.cl.swarm; sw != nil {
		for _, m := range sw.members {
			if m.node.addr == addr {
				return addr, false, refuseAt(spec.Where["--advertise-addr"], dockerrules.NotModelled, "a node address "+addr.String()+" that node "+textsafe.Clean(m.opts.Hostname)+" has", e.prof.Major,
					"each node needs an address of its own")
			}
		}
	}
	return addr, explicit, nil
}

// joinLocal is what a node makes when it joins (rules swarm.gwbridge and
// swarm.ingress): docker_gwbridge from the next local default pool, the
// swarm's networks, and the ingress sandbox with eth0 on the ingress and
// eth1 on docker_gwbridge.
func (e *Engine) joinLocal(ctx context.Context) error {
	if _, ok := e.nets[dockerrules.GatewayBridgeNetwork]; !ok {
		spec := &scenario.NetworkSpec{Name: dockerrules.GatewayBridgeNetwork, Driver: "bridge", Options: dockerrules.GatewayBridgeOptions()}
		if err := e.NetworkCreate(ctx, spec); err != nil {
			return err
		}
	}
	sw := e.cl.swarm
	for _, n := range sw.nets {
		e.nets[n.name] = n
		e.netOrder = append(e.netOrder, n.name)
	}
	ingress := sw.nets[0]
	a, err := allocate(ingress, ingress.ipRange, ingress.subnet, ingress.used, netip.Addr{}, "ingress-sbox@"+e.opts.Hostname, "IPv4")
	if err != nil {
		return err
	}
	gwNet := e.nets[dockerrules.GatewayBridgeNetwork]
	g, err := allocate(gwNet, gwNet.ipRange, gwNet.subnet, gwNet.used, netip.Addr{}, "ingress-sbox", "IPv4")
	if err != nil {
		delete(ingress.used, a)
		return err
	}
	sb := &sandbox{veths: map[string]string{}, lb: a, gw: g}
	e.ovl[ingress.name] = sb
	e.joinSandbox(ingress, ingressOwner)
	return nil
}

// SwarmLeave takes this engine out of the swarm (`docker swarm leave`): a
// manager only with --force, which would end the swarm and is not
// modelled; a worker that runs tasks or containers on an overlay neither
// (the managers would reschedule its tasks once they see it down).
func (e *Engine) SwarmLeave(_ context.Context, spec *scenario.SwarmSpec) error {
	if !e.member() {
		return daemonErr(dockerrules.RefuseNotInSwarm)
	}
	if e.manager() {
		if !spec.Force {
			return daemonErr(dockerrules.RefuseLeaveManager)
		}
		return refuseAt(scenario.Pos{}, dockerrules.NotModelled, "swarm leave --force of a manager", e.prof.Major, "it ends the swarm (or leaves it without a quorum)")
	}
	for _, cn := range e.ctrOrder {
		if e.ctrs[cn].task != nil {
			return refuseAt(scenario.Pos{}, dockerrules.NotModelled, "swarm leave of a node that runs tasks", e.prof.Major,
				"the managers would reschedule them once they see it down; scale or remove its services first")
		}
	}
	for name := range e.ovl {
		if name != dockerrules.IngressNetwork {
			return refuseAt(scenario.Pos{}, dockerrules.NotModelled, "swarm leave of a node with endpoints on overlay "+textsafe.Clean(name), e.prof.Major,
				"the managers would reschedule its tasks once they see it down; remove its services' tasks (service rm or scale) and its containers first")
		}
	}
	sw := e.cl.swarm
	ingress := sw.nets[0]
	if sb := e.ovl[ingress.name]; sb != nil {
		delete(ingress.used, sb.lb)
		if gw := e.nets[dockerrules.GatewayBridgeNetwork]; gw != nil && gw.used != nil {
			delete(gw.used, sb.gw)
		}
		delete(e.ovl, ingress.name)
	}
	for _, n := range sw.nets {
		delete(e.nets, n.name)
		e.netOrder = slices.DeleteFunc(e.netOrder, func(s string) bool { return s == n.name })
	}
	sw.members = slices.DeleteFunc(sw.members, func(m *Engine) bool { return m == e })
	sw.gone = append(sw.gone, e.opts.Hostname)
	e.node = nil
	return nil
}

// addNetwork gives an overlay its subnet (subnet, else the lowest free of
// the pools: rule swarm.overlay-pool) and VNI (rule swarm.vni), and adds it
// to the swarm and to every member. ok is false when the pools are full.
func (sw *swarm) addNetwork(n *network, subnet netip.Prefix) bool {
	if !subnet.IsValid() {
		p, ok := sw.freeSubnet()
		if !ok {
			return false
		}
		subnet = p
	} else {
		n.userSubnet = true
	}
	n.subnet = subnet
	if !n.ipRange.IsValid() {
		n.ipRange = subnet
	}
	n.gwGiven = n.gateway.IsValid()
	if !n.gateway.IsValid() {
		n.gateway = dockerrules.DefaultGateway(subnet)
	}
	n.used = map[netip.Addr]string{n.gateway: "gateway"}
	n.ovl.vni = sw.nextVNI
	sw.nextVNI++
	sw.nets = append(sw.nets, n)
	for _, m := range sw.members {
		m.nets[n.name] = n
		m.netOrder = append(m.netOrder, n.name)
	}
	return true
}

// freeSubnet is the lowest subnet of the pools, of the swarm's size, that
// overlaps no swarm network's (rule swarm.overlay-pool).
func (sw *swarm) freeSubnet() (netip.Prefix, bool) {
	for _, pool := range sw.pools {
		step := uint64(1) << (32 - sw.size)
		base := pool.Masked().Addr().As4()
		start := uint64(base[0])<<24 | uint64(base[1])<<16 | uint64(base[2])<<8 | uint64(base[3])
		end := start + uint64(1)<<(32-pool.Bits())
	next:
		for a := start; a < end; a += step {
			p := netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}), sw.size)
			for _, n := range sw.nets {
				if n.subnet.Overlaps(p) {
					continue next
				}
			}
			return p, true
		}
	}
	return netip.Prefix{}, false
}

// createOverlay is `docker network create -d overlay` on a manager.
func (e *Engine) createOverlay(ctx context.Context, spec *scenario.NetworkSpec) error {
	if !e.member() {
		return daemonErr(dockerrules.RefuseNotSwarmManager)
	}
	if !e.manager() { // measured on 29: a worker answers as a node outside a swarm
		return daemonErr(dockerrules.RefuseNotSwarmManager)
	}
	if spec.IPv6 || spec.IPv6Subnet != "" {
		return refuseAt(scenario.Pos{}, dockerrules.NotModelled, "an IPv6 overlay", e.prof.Major, "the simulator's overlays are IPv4")
	}
	if spec.Options[dockerrules.VNIOption] != "" {
		return refuseAt(spec.Where["-o "+dockerrules.VNIOption], dockerrules.NotModelled, "-o "+dockerrules.VNIOption, e.prof.Major, "the swarm hands out VNIs itself")
	}
	_, encrypted := spec.Options[dockerrules.EncryptedOption]
	n := &network{name: spec.Name, id: swarmID("network", spec.Name), driver: "overlay", internal: spec.Internal, icc: true,
		options: spec.Options, ovl: &overlayNet{attachable: spec.Attachable, encrypted: encrypted}}
	var subnet netip.Prefix
	if spec.Subnet != "" {
		// Measured on 29: a --subnet that overlaps another overlay's is
		// taken all the same (rule swarm.overlay-pool).
		p, err := netip.ParsePrefix(spec.Subnet)
		if err != nil || !p.Addr().Is4() {
			return daemonErr("invalid subnet %s", spec.Subnet)
		}
		subnet = p.Masked()
		if spec.IPRange != "" {
			r, err := netip.ParsePrefix(spec.IPRange)
			if err != nil || !subnet.Contains(r.Addr()) || r.Bits() < subnet.Bits() {
				return daemonErr(dockerrules.RefuseRangeOutside, spec.IPRange, spec.IPRange, subnet)
			}
			n.ipRange = r.Masked()
		}
		if spec.Gateway != "" {
			g, err := netip.ParseAddr(spec.Gateway)
			if err != nil || !subnet.Contains(g) {
				return daemonErr(dockerrules.RefuseGatewayOutside, spec.Gateway, subnet)
			}
			n.gateway = g
		}
	}
	if encrypted {
		e.note(ctx, "network %s: encrypted overlays carry IPsec ESP between the nodes, which needs xfrm and ESP in each node's kernel (predicted; not checked here)", textsafe.Clean(spec.Name))
	}
	if !e.cl.swarm.addNetwork(n, subnet) {
		return daemonErr(dockerrules.RefuseNoDefaultPool)
	}
	return nil
}

// removeOverlay is `docker network rm` of an overlay, on a manager: not
// while a service or a container uses it.
func (e *Engine) removeOverlay(n *network) error {
	if !e.manager() {
		return daemonErr(dockerrules.RefuseWorkerNode)
	}
	sw := e.cl.swarm
	if n.ovl.ingress {
		return refuseAt(scenario.Pos{}, dockerrules.NotModelled, "network rm ingress", e.prof.Major, "docker asks for a confirmation, and the routing mesh goes with it")
	}
	for _, name := range sw.svcOrder {
		if svc := sw.services[name]; slices.Contains(svc.nets, n) {
			return daemonErr(dockerrules.RefuseOverlayInUseBy, n.id, "service", svc.id)
		}
	}
	for _, m := range sw.members {
		for _, cn := range m.ctrOrder {
			c := m.ctrs[cn]
			if c.running && slices.ContainsFunc(c.endpoints, func(ep *endpoint) bool { return ep.net == n.name }) {
				return daemonErr(dockerrules.RefuseOverlayInUseBy, n.id, "task", swarmID("attachment", c.name+"/"+n.name))
			}
		}
	}
	sw.nets = slices.DeleteFunc(sw.nets, func(o *network) bool { return o == n })
	for _, m := range sw.members {
		delete(m.nets, n.name)
		m.netOrder = slices.DeleteFunc(m.netOrder, func(s string) bool { return s == n.name })
	}
	return nil
}

// activate gives overlay n a namespace on this node, and the node its
// load-balancer endpoint on n, whose address the manager allocates when
// the node first needs one (rule swarm.address-order).
func (e *Engine) activate(n *network) error {
	if e.ovl[n.name] != nil {
		return nil
	}
	a, err := allocate(n, n.ipRange, n.subnet, n.used, netip.Addr{}, "lb@"+e.opts.Hostname, "IPv4")
	if err != nil {
		return err
	}
	e.ovl[n.name] = &sandbox{veths: map[string]string{}, lb: a}
	e.joinSandbox(n, lbOwner)
	return nil
}

// joinSandbox gives owner a veth in n's namespace on this node, named as
// the release names a namespace's interfaces (rules ep.ifname-no-reuse and
// ep.ifname-lowest-free, with prefix veth).
func (e *Engine) joinSandbox(n *network, owner string) {
	sb := e.ovl[n.name]
	if sb == nil {
		return
	}
	if _, ok := sb.veths[owner]; ok {
		return
	}
	var name string
	if e.prof.IfnameNoReuse {
		name = "veth" + strconv.Itoa(sb.next)
		sb.next++
	} else {
		inUse := map[string]bool{}
		for _, v := range sb.veths {
			inUse[v] = true
		}
		for k := 0; ; k++ {
			if name = "veth" + strconv.Itoa(k); !inUse[name] {
				break
			}
		}
	}
	sb.veths[owner] = name
	sb.order = append(sb.order, owner)
}

// leaveSandbox takes owner's veth out of n's namespace on this node; the
// last container to leave takes the namespace and the load-balancer
// endpoint with it (the node detaches from the network).
func (e *Engine) leaveSandbox(n *network, owner string) {
	sb := e.ovl[n.name]
	if sb == nil {
		return
	}
	delete(sb.veths, owner)
	sb.order = slices.DeleteFunc(sb.order, func(s string) bool { return s == owner })
	if n.ovl.ingress {
		return
	}
	if len(sb.order) == 1 && sb.order[0] == lbOwner || len(sb.order) == 0 {
		delete(n.used, sb.lb)
		delete(e.ovl, n.name)
	}
}

// attachOverlay gives ep its address on overlay n: a task's the manager
// allocated with the task, another container's the lowest free (rule
// swarm.address-order); then its veth in the node's namespace of n, which
// the node's first endpoint makes, load-balancer endpoint and all.
func (e *Engine) attachOverlay(n *network, ep *endpoint, owner string) error {
	switch {
	case ep.preset.IsValid():
		ep.ip = ep.preset
	default:
		ip, err := allocate(n, n.ipRange, n.subnet, n.used, ep.pinned, owner, "IPv4")
		if err != nil {
			return err
		}
		ep.ip = ip
	}
	if err := e.activate(n); err != nil {
		delete(n.used, ep.ip)
		ep.ip = netip.Addr{}
		return err
	}
	ep.owner = owner
	e.joinSandbox(n, owner)
	return nil
}

// needsGateway reports whether a starting container gets docker_gwbridge
// (rule swarm.gwbridge): on a swarm node, when its endpoints are all on
// overlays and one of them is not --internal, so none gives it a way out.
func (e *Engine) needsGateway(eps []*endpoint) bool {
	if !e.member() || len(eps) == 0 || e.nets[dockerrules.GatewayBridgeNetwork] == nil {
		return false
	}
	external := false
	for _, ep := range eps {
		n := e.nets[ep.net]
		if n == nil || n.ovl == nil {
			return false
		}
		external = external || !n.internal
	}
	return external
}
