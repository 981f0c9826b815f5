// Package sim is a Docker-faithful network engine without Docker: it executes
// scenario commands (docker run/create/start/stop/rm, docker network
// create/connect/disconnect/rm) against an in-memory state that allocates
// addresses, namespaces, veth pairs and bridge ports the way dockerd does, and
// turns that state into the same graph.Model live discovery produces.
//
// Where Docker's behaviour is subtle the engine encodes what was measured on
// a real engine (docker.io 20.10, API 1.41); see the findings in sim_test.go.
package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/textsafe"
)

// Options configures an engine.
type Options struct {
	// Hostname names the simulated host.
	Hostname string
	// EngineVersion is the Docker version whose behaviour to reproduce.
	EngineVersion string
}

// DefaultEngineVersion is what the simulator reproduces unless told otherwise:
// the engine its findings were measured on (docker.io 20.10.24, API 1.41).
const DefaultEngineVersion = "20.10"

// NewestEngineVersion is what `netviz sim` assumes without a local engine.
// The outcomes netviz models (addresses, names, container-to-container
// reachability) were measured on 20.10 only; Docker 28/29 rewrote the
// isolation rules (no DOCKER-ISOLATION chains) without changing those
// outcomes as far as documented, so no version-specific rule is encoded yet:
// the version is recorded in the model for the reader.
const NewestEngineVersion = "29.0"

// EngineMajors are the Docker engine releases whose behaviour the simulator
// claims to reproduce: 20.10, where its findings were measured, and the
// releases since (23 to 29), whose documented container-to-container
// outcomes are the same. Older (19.03 and before) and newer releases are
// not claimed.
var EngineMajors = []string{"20.10", "23", "24", "25", "26", "27", "28", "29"}

// engineVersionRE is a Docker engine version: MAJOR[.MINOR[.PATCH]] with an
// optional pre-release (-beta.24, -rc.1) and build suffix (+dfsg1, as
// Debian's docker.io reports).
var engineVersionRE = regexp.MustCompile(`^([0-9]+)(?:\.([0-9]+))?(?:\.[0-9]+)?(?:-[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?(?:\+[0-9A-Za-z.~-]+)?$`)

// CheckEngineVersion reports whether v is a version the simulator reproduces
// (see EngineMajors): 20.10, 20.10.24, 27, 28.2.2 and 29.8.0-beta.24 pass;
// banana, 19.03 and 30.0 do not, with an error listing what is accepted.
func CheckEngineVersion(v string) error {
	if m := engineVersionRE.FindStringSubmatch(v); m != nil {
		major := m[1]
		if major == "20" && m[2] == "10" {
			return nil
		}
		if major != "20" && slices.Contains(EngineMajors, major) {
			return nil
		}
	}
	return fmt.Errorf("engine version %s is not one the simulator reproduces: use %s, optionally with minor, patch and pre-release (20.10.24, 28.2.2, 29.8.0-beta.24)",
		textsafe.Quote(v), strings.Join(EngineMajors[:len(EngineMajors)-1], ", ")+" or "+EngineMajors[len(EngineMajors)-1])
}

// Engine is the simulated daemon's state.
type Engine struct {
	opts     Options
	nets     map[string]*network
	netOrder []string
	ctrs     map[string]*container
	ctrOrder []string
	anon     int // unnamed containers so far
	nextPort int // next ephemeral host port for -p CONTAINERPORT
	// Notes are things worth telling the reader (ignored -p on host mode...).
	Notes []string
}

type network struct {
	name, id, driver string
	subnet           netip.Prefix
	ipRange          netip.Prefix
	gateway          netip.Addr
	internal, icc    bool
	ipv6             bool
	options          map[string]string
	predefined       bool // bridge, host, none
	userSubnet       bool // --subnet given
	used             map[netip.Addr]string
	// The IPv6 pool, with --ipv6 and an IPv6 --subnet only.
	subnet6  netip.Prefix
	ipRange6 netip.Prefix
	gateway6 netip.Addr
	used6    map[netip.Addr]string
}

type endpoint struct {
	net     string
	ip      netip.Addr
	ip6     netip.Addr // on a network with an IPv6 pool
	pinned  netip.Addr // --ip
	aliases []string
	links   []scenario.LinkSpec
	ifname  string
}

type container struct {
	name, id, image string
	hostname        string
	running         bool
	mode            string // bridge, host, none, container:NAME, or a network name
	endpoints       []*endpoint
	links           []scenario.LinkSpec
	ports           []scenario.PortSpec
	boundPorts      []scenario.PortSpec // host ports as allocated at start
	// nextIf numbers the next interface in the running namespace: ethN
	// names are never reused while it runs (measured).
	nextIf int
}

// New returns an engine in the state of a fresh dockerd: the predefined
// networks bridge (docker0, 172.17.0.0/16), host and none.
func New(opts Options) *Engine {
	if opts.Hostname == "" {
		opts.Hostname = "sim"
	}
	if opts.EngineVersion == "" {
		opts.EngineVersion = DefaultEngineVersion
	}
	e := &Engine{opts: opts, nets: map[string]*network{}, ctrs: map[string]*container{}, nextPort: 49153}
	e.addNetwork(&network{name: "bridge", driver: "bridge", subnet: netip.MustParsePrefix("172.17.0.0/16"), predefined: true, icc: true,
		options: map[string]string{"com.docker.network.bridge.name": "docker0", "com.docker.network.bridge.default_bridge": "true"}})
	e.addNetwork(&network{name: "host", driver: "host", predefined: true, icc: true})
	e.addNetwork(&network{name: "none", driver: "null", predefined: true, icc: true})
	return e
}

func (e *Engine) addNetwork(n *network) {
	n.id = fakeID("network", n.name)
	if n.subnet.IsValid() {
		if !n.gateway.IsValid() {
			n.gateway = n.subnet.Masked().Addr().Next()
		}
		if !n.ipRange.IsValid() {
			n.ipRange = n.subnet
		}
		n.used = map[netip.Addr]string{n.gateway: "gateway"}
	}
	if n.subnet6.IsValid() {
		if !n.gateway6.IsValid() {
			n.gateway6 = n.subnet6.Masked().Addr().Next() // fd00:1::1
		}
		if !n.ipRange6.IsValid() {
			n.ipRange6 = n.subnet6
		}
		n.used6 = map[netip.Addr]string{n.gateway6: "gateway"}
	}
	e.nets[n.name] = n
	e.netOrder = append(e.netOrder, n.name)
}

// fakeID is a stable 64-hex ID for a simulated object.
func fakeID(kind, name string) string {
	sum := sha256.Sum256([]byte(kind + "/" + name))
	return hex.EncodeToString(sum[:])
}

// validName is dockerd's container name rule; one character is too short
// (measured: `docker run --name a` is refused).
var validName = regexp.MustCompile(`^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// DaemonError is an error the daemon would answer, at a scenario position.
type DaemonError struct {
	Pos scenario.Pos
	Msg string
}

func (e *DaemonError) Error() string { return e.Pos.String() + ": " + e.Msg }

// daemonErr words the daemon's answer. Every string argument is a word of
// the scenario (a name, a reference) or an ID, so it is escaped and cut
// (textsafe.Clean) before it reaches a terminal.
func daemonErr(c scenario.Command, format string, args ...any) error {
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = textsafe.Clean(s)
		}
	}
	return &DaemonError{Pos: c.Pos, Msg: "Error response from daemon: " + fmt.Sprintf(format, args...)}
}

// Apply executes every command of a scenario in order, stopping at the first
// error the daemon would have returned.
func (e *Engine) Apply(sc *scenario.Scenario) error {
	for _, c := range sc.Commands {
		if err := e.Exec(c); err != nil {
			return err
		}
	}
	return nil
}

// Exec executes one command.
func (e *Engine) Exec(c scenario.Command) error {
	switch c.Verb {
	case scenario.VerbNoop:
		return nil
	case scenario.VerbRun, scenario.VerbCreate:
		ctr, err := e.create(c)
		if err != nil {
			return err
		}
		if c.Verb == scenario.VerbRun {
			return e.start(c, ctr)
		}
		return nil
	case scenario.VerbStart, scenario.VerbStop, scenario.VerbRestart, scenario.VerbRm:
		for _, name := range e.expand(c.Targets) {
			ctr, ok := e.ctrs[name]
			if !ok {
				return daemonErr(c, "No such container: %s", name)
			}
			var err error
			switch c.Verb {
			case scenario.VerbStart:
				err = e.start(c, ctr)
			case scenario.VerbStop:
				e.stop(ctr)
			case scenario.VerbRestart:
				e.stop(ctr)
				err = e.start(c, ctr)
			case scenario.VerbRm:
				err = e.remove(c, ctr)
			}
			if err != nil {
				return err
			}
		}
		return nil
	case scenario.VerbNetworkCreate:
		return e.networkCreate(c)
	case scenario.VerbNetworkConnect:
		return e.connect(c)
	case scenario.VerbNetworkDisconnect:
		return e.disconnect(c)
	case scenario.VerbNetworkRm:
		for _, name := range c.Targets {
			if err := e.networkRm(c, name); err != nil {
				return err
			}
		}
		return nil
	}
	return daemonErr(c, "unsupported command %q", c.Verb)
}

// expand replaces bulk placeholders with the containers of this moment, in
// creation order (docker ps lists newest first; the order does not matter to
// the result).
func (e *Engine) expand(targets []string) []string {
	var out []string
	for _, t := range targets {
		switch t {
		case scenario.AllContainers:
			out = append(out, e.ctrOrder...)
		case scenario.RunningContainers:
			for _, n := range e.ctrOrder {
				if e.ctrs[n].running {
					out = append(out, n)
				}
			}
		default:
			out = append(out, t)
		}
	}
	return out
}

// resolveContainer finds a container by name or ID prefix.
func (e *Engine) resolveContainer(ref string) *container {
	if c, ok := e.ctrs[ref]; ok {
		return c
	}
	for _, n := range e.ctrOrder {
		if c := e.ctrs[n]; len(ref) >= 4 && strings.HasPrefix(c.id, ref) {
			return c
		}
	}
	return nil
}

func (e *Engine) create(c scenario.Command) (*container, error) {
	r := c.Run
	name := r.Name
	if name == "" {
		e.anon++
		name = fmt.Sprintf("unnamed_%d", e.anon)
	} else if !validName.MatchString(name) {
		return nil, daemonErr(c, "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name)
	}
	if _, dup := e.ctrs[name]; dup {
		return nil, daemonErr(c, "Conflict. The container name \"/%s\" is already in use by container %q. You have to remove (or rename) that container to be able to reuse that name.", name, e.ctrs[name].id)
	}
	mode := r.Network
	if mode == "" || mode == "default" {
		mode = "bridge"
	}
	ctr := &container{name: name, id: fakeID("container", name), image: r.Image, hostname: r.Hostname, mode: mode, links: r.Links, ports: r.Ports}
	switch {
	case mode == "host" || mode == "none":
		if len(r.Aliases) > 0 {
			return nil, daemonErr(c, "network-scoped aliases are only supported for user-defined networks")
		}
		if len(r.Links) > 0 {
			return nil, daemonErr(c, "conflicting options: %s type networking can't be used with links. This would result in undefined behavior", mode)
		}
		if mode == "host" && len(r.Ports) > 0 {
			e.Notes = append(e.Notes, fmt.Sprintf("%s: published ports are discarded when using host network mode", c.Pos))
			ctr.ports = nil
		}
		ctr.endpoints = []*endpoint{{net: mode}}
	case strings.HasPrefix(mode, "container:"):
		ref := strings.TrimPrefix(mode, "container:")
		target := e.resolveContainer(ref)
		if target == nil {
			return nil, daemonErr(c, "No such container: %s", ref)
		}
		if len(r.Ports) > 0 || len(r.Aliases) > 0 || len(r.Links) > 0 {
			return nil, daemonErr(c, "conflicting options: port publishing, aliases and links cannot be combined with container type networking")
		}
		ctr.mode = "container:" + target.name
	default:
		n, ok := e.nets[mode]
		if !ok {
			return nil, daemonErr(c, "network %s not found", mode)
		}
		if n.name == "bridge" && len(r.Aliases) > 0 {
			return nil, daemonErr(c, "network-scoped aliases are only supported for user-defined networks")
		}
		ep := &endpoint{net: n.name, aliases: r.Aliases}
		if n.name != "bridge" {
			ep.links, ctr.links = r.Links, nil // on a user network --link is a DNS alias
		}
		if r.IP != "" {
			ip, err := netip.ParseAddr(r.IP)
			if err != nil { // the shell parser refuses these; a compose file may not
				return nil, daemonErr(c, "invalid IP address %s", r.IP)
			}
			if n.name == "bridge" || !n.userSubnet {
				return nil, daemonErr(c, "user specified IP address is supported only when connecting to networks with user configured subnets")
			}
			if !n.subnet.Contains(ip) {
				return nil, daemonErr(c, "Invalid address %s: It does not belong to any of this network's subnets", ip)
			}
			ep.pinned = ip
		}
		ctr.endpoints = []*endpoint{ep}
	}
	for _, l := range r.Links {
		t := e.resolveContainer(l.Target)
		if t == nil {
			return nil, daemonErr(c, "could not get container for %s", l.Target)
		}
	}
	e.ctrs[name] = ctr
	e.ctrOrder = append(e.ctrOrder, name)
	return ctr, nil
}

func (e *Engine) start(c scenario.Command, ctr *container) error {
	if ctr.running {
		return nil
	}
	if ref, ok := strings.CutPrefix(ctr.mode, "container:"); ok {
		t := e.ctrs[ref]
		if t == nil {
			return daemonErr(c, "No such container: %s", ref)
		}
		if !t.running {
			return daemonErr(c, "cannot join network of a non running container: %s", t.id[:12])
		}
	}
	for _, l := range ctr.links {
		t := e.resolveContainer(l.Target)
		if t == nil || !t.running {
			return daemonErr(c, "Cannot link to a non running container: /%s AS /%s/%s", l.Target, ctr.name, l.Alias)
		}
	}
	// A new sandbox joins its endpoints in libnetwork's order (epHeap.Less):
	// non-internal networks first, then by network name; interfaces are
	// numbered eth0… in that order (measured: after a restart na, nb, nc
	// became eth0, eth1, eth2 whatever the connection order was).
	order := slices.Clone(ctr.endpoints)
	slices.SortStableFunc(order, func(a, b *endpoint) int {
		na, nb := e.nets[a.net], e.nets[b.net]
		if na != nil && nb != nil && na.internal != nb.internal {
			if na.internal {
				return 1
			}
			return -1
		}
		return strings.Compare(a.net, b.net)
	})
	ctr.nextIf = 0
	var allocated []*endpoint
	for _, ep := range order {
		n := e.nets[ep.net]
		if n == nil {
			return daemonErr(c, "network %s not found", ep.net)
		}
		ep.ifname = fmt.Sprintf("eth%d", ctr.nextIf)
		ctr.nextIf++
		if n.used == nil { // host, none
			continue
		}
		err := e.allocateEndpoint(n, ep, ctr.name)
		if err != nil {
			for _, a := range allocated {
				e.release(a)
			}
			return daemonErr(c, "%v", err)
		}
		allocated = append(allocated, ep)
	}
	ctr.boundPorts = nil
	for _, p := range ctr.ports {
		if p.HostPort == 0 {
			p.HostPort = e.nextPort
			e.nextPort++
		}
		ctr.boundPorts = append(ctr.boundPorts, p)
	}
	ctr.running = true
	return nil
}

// allocateEndpoint gives ep its IPv4 address and, on a network with an IPv6
// pool, its IPv6 address (both allocated in start order, so the first
// container gets .2 and ::2); on failure neither is kept.
func (e *Engine) allocateEndpoint(n *network, ep *endpoint, owner string) error {
	ip, err := allocate(n, n.ipRange, n.subnet, n.used, ep.pinned, owner, "IPv4")
	if err != nil {
		return err
	}
	ep.ip = ip
	if n.used6 != nil {
		ip6, err := allocate(n, n.ipRange6, n.subnet6, n.used6, netip.Addr{}, owner, "IPv6")
		if err != nil {
			delete(n.used, ip)
			ep.ip = netip.Addr{}
			return err
		}
		ep.ip6 = ip6
	}
	return nil
}

// allocate hands out the lowest free address of an ip-range (measured on
// docker.io 20.10.24: a restarted container gets its old address back, and
// an address freed by rm is the next one handed out); a pinned --ip must be
// free. libnetwork's allocator works the same way for both families.
func allocate(n *network, ipRange, subnet netip.Prefix, used map[netip.Addr]string, pinned netip.Addr, owner, family string) (netip.Addr, error) {
	if pinned.IsValid() {
		if _, taken := used[pinned]; taken {
			return netip.Addr{}, fmt.Errorf("Address already in use")
		}
		used[pinned] = owner
		return pinned, nil
	}
	// The range's own first address is usable; only the subnet's network
	// address and (IPv4) broadcast address are not (measured: --subnet
	// 192.168.77.0/24 --ip-range 192.168.77.64/26 hands out .64 first;
	// libnetwork reserves fd00:1:: "so that the bridge ip starts with ::1").
	for a := ipRange.Masked().Addr(); ipRange.Contains(a) && !isBroadcast(subnet, a); a = a.Next() {
		if a == subnet.Masked().Addr() {
			continue
		}
		if _, taken := used[a]; !taken {
			used[a] = owner
			return a, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("no available %s addresses on this network's address pools: %s (%s)", family, textsafe.Clean(n.name), n.id[:12])
}

func isBroadcast(p netip.Prefix, a netip.Addr) bool {
	if !a.Is4() {
		return false
	}
	b := a.As4()
	bits := p.Bits()
	host := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	mask := uint32(1)<<(32-bits) - 1
	return host&mask == mask
}

func (e *Engine) release(ep *endpoint) {
	if n := e.nets[ep.net]; n != nil {
		if n.used != nil && ep.ip.IsValid() {
			delete(n.used, ep.ip)
		}
		if n.used6 != nil && ep.ip6.IsValid() {
			delete(n.used6, ep.ip6)
		}
	}
	ep.ip, ep.ip6 = netip.Addr{}, netip.Addr{}
}

func (e *Engine) stop(ctr *container) {
	if !ctr.running {
		return
	}
	for _, ep := range ctr.endpoints {
		e.release(ep)
	}
	ctr.running = false
	ctr.boundPorts = nil
}

func (e *Engine) remove(c scenario.Command, ctr *container) error {
	if ctr.running && !c.Force {
		return daemonErr(c, "You cannot remove a running container %s. Stop the container before attempting removal or force remove", ctr.id)
	}
	e.stop(ctr)
	delete(e.ctrs, ctr.name)
	e.ctrOrder = slices.DeleteFunc(e.ctrOrder, func(n string) bool { return n == ctr.name })
	return nil
}

// Default address pools of dockerd: 172.17.0.0/16 … 172.31.0.0/16, then
// 192.168.0.0/16 in /20 blocks.
func defaultPools() []netip.Prefix {
	var out []netip.Prefix
	for b := 17; b <= 31; b++ {
		out = append(out, netip.PrefixFrom(netip.AddrFrom4([4]byte{172, byte(b), 0, 0}), 16))
	}
	for b := 0; b < 256; b += 16 {
		out = append(out, netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 168, byte(b), 0}), 20))
	}
	return out
}

// overlaps finds a network whose pool of p's family overlaps p.
func (e *Engine) overlaps(p netip.Prefix) *network {
	for _, name := range e.netOrder {
		n := e.nets[name]
		for _, s := range []netip.Prefix{n.subnet, n.subnet6} {
			if s.IsValid() && s.Overlaps(p) {
				return n
			}
		}
	}
	return nil
}

func (e *Engine) networkCreate(c scenario.Command) error {
	spec := c.Network
	if _, dup := e.nets[spec.Name]; dup {
		return daemonErr(c, "network with name %s already exists", spec.Name)
	}
	n := &network{name: spec.Name, driver: spec.Driver, internal: spec.Internal, ipv6: spec.IPv6, options: spec.Options, icc: true}
	if spec.Driver == "bridge" {
		n.icc = spec.Options["com.docker.network.bridge.enable_icc"] != "false"
	}
	v4, v6 := pools(spec)
	if v4.subnet != "" {
		p, r, g, err := e.userPool(c, v4)
		if err != nil {
			return err
		}
		n.subnet, n.ipRange, n.gateway, n.userSubnet = p, r, g, true
	} else {
		for _, p := range defaultPools() {
			if e.overlaps(p) == nil {
				n.subnet = p
				break
			}
		}
		if !n.subnet.IsValid() {
			return daemonErr(c, "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network")
		}
	}
	// libnetwork allocates an IPv6 pool only with --ipv6, and only from an
	// IPv6 --subnet: --ipv6 alone gives no IPv6 address here (20.10
	// refuses it, later engines pick a pool of their own).
	if v6.subnet != "" {
		if !spec.IPv6 {
			e.Notes = append(e.Notes, fmt.Sprintf("%s: network %s: --subnet %s is ignored without --ipv6, as dockerd does", c.Pos, textsafe.Clean(spec.Name), v6.subnet))
		} else {
			p, r, g, err := e.userPool(c, v6)
			if err != nil {
				return err
			}
			n.subnet6, n.ipRange6, n.gateway6 = p, r, g
		}
	}
	if n.driver == "macvlan" || n.driver == "ipvlan" {
		if n.options == nil {
			n.options = map[string]string{}
		}
	}
	e.addNetwork(n)
	return nil
}

// userPool checks a --subnet (with its --ip-range and --gateway) against
// the networks that exist; an unset range or gateway stays invalid (the
// defaults come in addNetwork).
func (e *Engine) userPool(c scenario.Command, pl pool) (subnet, ipRange netip.Prefix, gateway netip.Addr, err error) {
	// The parsers check these; whatever slips past is the daemon's refusal,
	// never a panic.
	p, err := netip.ParsePrefix(pl.subnet)
	if err != nil {
		return p, ipRange, gateway, daemonErr(c, "invalid subnet %s: %v", pl.subnet, err)
	}
	if e.overlaps(p) != nil {
		return p, ipRange, gateway, daemonErr(c, "Pool overlaps with other one on this address space")
	}
	if pl.ipRange != "" {
		r, err := netip.ParsePrefix(pl.ipRange)
		if err != nil {
			return p, ipRange, gateway, daemonErr(c, "invalid ip-range %s: %v", pl.ipRange, err)
		}
		if !p.Contains(r.Addr()) || r.Bits() < p.Bits() {
			return p, ipRange, gateway, daemonErr(c, "Invalid subnet %s : %s is not within %s", r, r, p)
		}
		ipRange = r
	}
	if pl.gateway != "" {
		g, err := netip.ParseAddr(pl.gateway)
		if err != nil {
			return p, ipRange, gateway, daemonErr(c, "invalid gateway %s: %v", pl.gateway, err)
		}
		if !p.Contains(g) {
			return p, ipRange, gateway, daemonErr(c, "Invalid gateway %s: It does not belong to %s", g, p)
		}
		gateway = g
	}
	return p, ipRange, gateway, nil
}

// pool is one address family's --subnet, --ip-range and --gateway.
type pool struct{ subnet, ipRange, gateway string }

// pools sorts a spec's pools by family; a spec built by hand with an IPv6
// prefix in Subnet is read as the IPv6 pool.
func pools(spec *scenario.NetworkSpec) (v4, v6 pool) {
	v4 = pool{spec.Subnet, spec.IPRange, spec.Gateway}
	v6 = pool{spec.IPv6Subnet, spec.IPv6Range, spec.IPv6Gateway}
	if p, err := netip.ParsePrefix(v4.subnet); err == nil && !p.Addr().Is4() && v6.subnet == "" {
		v4, v6 = pool{}, v4
	}
	return v4, v6
}

// connectTargets finds the network and container of a connect/disconnect.
func (e *Engine) connectTargets(c scenario.Command) (*network, *container, error) {
	cs := c.Connect
	n, ok := e.nets[cs.Network]
	if !ok {
		return nil, nil, daemonErr(c, "network %s not found", cs.Network)
	}
	ctr := e.resolveContainer(cs.Container)
	if ctr == nil {
		return nil, nil, daemonErr(c, "No such container: %s", cs.Container)
	}
	return n, ctr, nil
}

func (e *Engine) connect(c scenario.Command) error {
	cs := c.Connect
	n, ctr, err := e.connectTargets(c)
	if err != nil {
		return err
	}
	if ctr.mode == "host" || ctr.mode == "none" || strings.HasPrefix(ctr.mode, "container:") || n.driver == "host" || n.driver == "null" {
		return daemonErr(c, "container sharing network namespace with another container or host cannot be connected to any other network")
	}
	for _, ep := range ctr.endpoints {
		if ep.net == n.name {
			return daemonErr(c, "endpoint with name %s already exists in network %s", ctr.name, n.name)
		}
	}
	if n.name == "bridge" && len(cs.Aliases) > 0 {
		return daemonErr(c, "network-scoped aliases are only supported for user-defined networks")
	}
	ep := &endpoint{net: n.name, aliases: cs.Aliases, links: cs.Links}
	if cs.IP != "" {
		ip, err := netip.ParseAddr(cs.IP)
		if err != nil { // the parser refuses these; a Command built elsewhere may not
			return daemonErr(c, "invalid IP address %s", cs.IP)
		}
		if !n.userSubnet {
			return daemonErr(c, "user specified IP address is supported only when connecting to networks with user configured subnets")
		}
		if !n.subnet.Contains(ip) {
			return daemonErr(c, "Invalid address %s: It does not belong to any of this network's subnets", ip)
		}
		ep.pinned = ip
	}
	if ctr.running {
		if err := e.allocateEndpoint(n, ep, ctr.name); err != nil {
			return daemonErr(c, "%v", err)
		}
		ep.ifname = fmt.Sprintf("eth%d", ctr.nextIf) // never reused while running (measured)
		ctr.nextIf++
	}
	ctr.endpoints = append(ctr.endpoints, ep)
	return nil
}

func (e *Engine) disconnect(c scenario.Command) error {
	n, ctr, err := e.connectTargets(c)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(ctr.endpoints, func(ep *endpoint) bool { return ep.net == n.name })
	if i < 0 {
		return daemonErr(c, "container %s is not connected to network %s", ctr.id[:12], n.name)
	}
	if n.driver == "host" || n.driver == "null" {
		return daemonErr(c, "container cannot be disconnected from host network or connected to host network")
	}
	e.release(ctr.endpoints[i])
	ctr.endpoints = slices.Delete(ctr.endpoints, i, i+1)
	return nil
}

func (e *Engine) networkRm(c scenario.Command, name string) error {
	n, ok := e.nets[name]
	if !ok {
		return daemonErr(c, "network %s not found", name)
	}
	if n.predefined {
		return daemonErr(c, "%s is a pre-defined network and cannot be removed", name)
	}
	for _, cn := range e.ctrOrder {
		for _, ep := range e.ctrs[cn].endpoints {
			if ep.net == name {
				if e.ctrs[cn].running {
					return daemonErr(c, "error while removing network: network %s id %s has active endpoints", name, n.id)
				}
			}
		}
	}
	delete(e.nets, name)
	e.netOrder = slices.DeleteFunc(e.netOrder, func(s string) bool { return s == name })
	return nil
}
