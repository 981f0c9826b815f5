// Package sim is a Docker-faithful network engine without Docker: it executes
// scenario commands (docker run/create/start/stop/rm, docker network
// create/connect/disconnect/rm) against an in-memory state that allocates
// addresses, namespaces, veth pairs and bridge ports the way dockerd does, and
// turns that state into the same graph.Model live discovery produces.
//
// The Docker behaviour it reproduces is stated in internal/dockerrules
// (measured on docker.io 20.10, API 1.41, and 29; see the findings in
// sim_test.go and version_test.go); this package keeps the daemon's state
// and applies the rules to it, release by release as
// dockerrules.For(Options.EngineVersion) says. Engine
// is a scenario.Target, so the simulator and a real engine (lab.Applier)
// are driven by the same walk, scenario.Apply.
//
// The files follow the daemon's parts: engine.go the state, lifecycle.go
// containers, network.go networks and connect/disconnect, ipam.go address
// allocation, errors.go the daemon's answers, model.go the graph.
//
// A scenario may address several engines (scenario.Command.Node) and make
// a Docker Swarm of them: each is an Engine, sharing one cluster; the
// Engine New returns is the default one, and On is the one a command
// names. swarm.go is the swarm (nodes, overlay networks and their
// namespaces), service.go its services and tasks, model_swarm.go what
// they add to each node's graph, and Cluster every node's graph.
package sim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/scenario"
)

// Options configures an engine.
type Options struct {
	// Hostname names the simulated host: the default one, where commands
	// naming no node go until a swarm exists (netviz sim calls it node1 in
	// a swarm scenario). Hosts a scenario names are their own engines (On).
	Hostname string
	// EngineVersion is the Docker version whose behaviour to reproduce.
	EngineVersion string
}

// DefaultEngineVersion is what the simulator reproduces unless told
// otherwise: the engine its findings were measured on (docker.io 20.10.24,
// API 1.41). Where releases differ, the engine follows
// dockerrules.For(Options.EngineVersion).
const DefaultEngineVersion = dockerrules.DefaultEngineVersion

// NewestEngineVersion is what `netviz sim` assumes without a local engine.
// dockerrules.Rules says which rules hold for which release; the version is
// recorded in the model (Host.Engine) and named in the picture's header.
const NewestEngineVersion = dockerrules.NewestEngineVersion

// EngineMajors are the Docker engine releases whose behaviour the simulator
// claims to reproduce (dockerrules.EngineMajors).
var EngineMajors = dockerrules.EngineMajors

// CheckEngineVersion reports whether v is a version the simulator reproduces
// (dockerrules.CheckEngineVersion).
func CheckEngineVersion(v string) error { return dockerrules.CheckEngineVersion(v) }

// Engine is the simulated daemon's state.
type Engine struct {
	opts     Options
	prof     dockerrules.Profile // how the release of opts.EngineVersion behaves
	poolNext int                 // where the next default-pool search starts (rule ipam.pool-round-robin)
	nets     map[string]*network
	netOrder []string
	ctrs     map[string]*container
	ctrOrder []string
	anon     int // unnamed containers so far
	nextPort int // next ephemeral host port for -p CONTAINERPORT
	// Notes are things worth telling the reader (ignored -p on host mode...).
	Notes []string

	cl     *cluster     // the engines of the scenario, and their swarm
	used   bool         // a command ran on this engine
	uplink netip.Prefix // eth0's address: the node's address in a swarm
	node   *swarmNode   // this engine's place in the swarm; nil outside one
	// ovl are the overlay networks that have a namespace on this node
	// (an endpoint here), by name.
	ovl map[string]*sandbox
}

var _ scenario.Target = (*Engine)(nil)

// Options are the options the engine was made with, defaults filled in.
func (e *Engine) Options() Options { return e.opts }

// Profile is how the release simulated behaves where releases differ
// (dockerrules.For of the engine version).
func (e *Engine) Profile() dockerrules.Profile { return e.prof }

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
	// gwGiven and gw6Given: --gateway gave the gateway of that family;
	// noGateway: the driver takes none unless given (rule
	// ipam.driver-gateway).
	gwGiven, gw6Given, noGateway bool
	// ovl is set on a swarm overlay network; the same network is in the
	// nets of every node of the swarm.
	ovl *overlayNet
}

type endpoint struct {
	net     string
	ip      netip.Addr
	ip6     netip.Addr // on a network with an IPv6 pool
	pinned  netip.Addr // --ip
	aliases []string
	links   []scenario.LinkSpec
	ifname  string
	// ifnameOpt is com.docker.network.endpoint.ifname (rule
	// opt.endpoint-ifname), "" when not given or not known.
	ifnameOpt string
	// preset is a task's address on an overlay, which the swarm's manager
	// allocated when it created the task (rule swarm.address-order).
	preset netip.Addr
	// owner is who holds the endpoint's overlay address and veth: the
	// container's name.
	owner string
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
	// names are never reused while it runs (rule ep.ifname-no-reuse).
	nextIf int
	// task is set on a container a swarm service runs.
	task *task
	// gw is the container's interface on docker_gwbridge, which a
	// container on overlays only is given for its way out (rule
	// swarm.gwbridge); Docker lists no endpoint for it.
	gw *endpoint
}

// New returns an engine in the state of a fresh dockerd: the predefined
// networks bridge (docker0, 172.17.0.0/16), host and none (rule
// ipam.default-bridge).
func New(opts Options) *Engine {
	if opts.Hostname == "" {
		opts.Hostname = "sim"
	}
	if opts.EngineVersion == "" {
		opts.EngineVersion = DefaultEngineVersion
	}
	e := newEngine(opts, uplinkAddr)
	e.cl = &cluster{def: e, hosts: map[string]*Engine{opts.Hostname: e}, order: []string{opts.Hostname}}
	return e
}

// newEngine is a fresh daemon on a host whose eth0 has address uplink.
func newEngine(opts Options, uplink netip.Prefix) *Engine {
	e := &Engine{opts: opts, prof: dockerrules.For(opts.EngineVersion), nets: map[string]*network{}, ctrs: map[string]*container{},
		nextPort: dockerrules.FirstEphemeralPort, uplink: uplink, ovl: map[string]*sandbox{}}
	// The daemon configures the default bridge's pool and gateway itself
	// (--bip): inspect lists both on every release.
	e.addNetwork(&network{name: dockerrules.DefaultBridgeNetwork, driver: "bridge", subnet: dockerrules.DefaultBridgeSubnet, predefined: true, icc: true,
		gateway: dockerrules.DefaultGateway(dockerrules.DefaultBridgeSubnet), userSubnet: true,
		options: map[string]string{dockerrules.BridgeOption: dockerrules.DefaultBridgeDevice, "com.docker.network.bridge.default_bridge": "true"}})
	e.addNetwork(&network{name: "host", driver: "host", predefined: true, icc: true})
	e.addNetwork(&network{name: "none", driver: "null", predefined: true, icc: true})
	return e
}

func (e *Engine) addNetwork(n *network) {
	n.id = fakeID("network", n.name)
	// The pools' gateways, reserved (rules ipam.gateway and
	// ipam.driver-gateway).
	if n.subnet.IsValid() {
		n.gwGiven = n.gateway.IsValid()
		if !n.gateway.IsValid() && !n.noGateway {
			n.gateway = dockerrules.DefaultGateway(n.subnet)
		}
		if !n.ipRange.IsValid() {
			n.ipRange = n.subnet
		}
		n.used = map[netip.Addr]string{}
		if n.gateway.IsValid() {
			n.used[n.gateway] = "gateway"
		}
	}
	if n.subnet6.IsValid() {
		n.gw6Given = n.gateway6.IsValid()
		if !n.gateway6.IsValid() && !n.noGateway {
			n.gateway6 = dockerrules.DefaultGateway(n.subnet6) // fd00:1::1
		}
		if !n.ipRange6.IsValid() {
			n.ipRange6 = n.subnet6
		}
		n.used6 = map[netip.Addr]string{}
		if n.gateway6.IsValid() {
			n.used6[n.gateway6] = "gateway"
		}
	}
	e.nets[n.name] = n
	e.netOrder = append(e.netOrder, n.name)
}

// fakeID is a stable 64-hex ID for a simulated object.
func fakeID(kind, name string) string {
	sum := sha256.Sum256([]byte(kind + "/" + name))
	return hex.EncodeToString(sum[:])
}

// Apply executes every command of a scenario in order, stopping at the first
// error the daemon would have returned, a *DaemonError at the command's
// position (scenario.Apply on this engine).
func (e *Engine) Apply(sc *scenario.Scenario) error {
	return positioned(scenario.Apply(context.Background(), e, sc))
}

// Exec executes one command (scenario.Exec on this engine); a refusal is a
// *DaemonError at the command's position.
func (e *Engine) Exec(c scenario.Command) error {
	return positioned(scenario.Exec(context.Background(), e, c))
}

// Containers lists the containers a bulk form expands to: every one, or the
// running ones, in creation order (docker ps lists newest first; the order
// does not matter to the result). Equivalent to `docker ps [-a] -q`.
func (e *Engine) Containers(_ context.Context, running bool) ([]string, error) {
	if !running {
		return slices.Clone(e.ctrOrder), nil
	}
	var out []string
	for _, n := range e.ctrOrder {
		if e.ctrs[n].running {
			out = append(out, n)
		}
	}
	return out, nil
}

// ContainerExists reports whether a container has exactly this name (not an
// ID prefix, as `docker inspect` would also accept).
func (e *Engine) ContainerExists(_ context.Context, name string) bool {
	_, ok := e.ctrs[name]
	return ok
}

// NetworkExists reports whether a network has exactly this name.
func (e *Engine) NetworkExists(_ context.Context, name string) bool {
	_, ok := e.nets[name]
	return ok
}

// container finds a container by exact name, as start, stop, restart and
// rm do here.
func (e *Engine) container(ref string) (*container, error) {
	ctr, ok := e.ctrs[ref]
	if !ok {
		return nil, daemonErr(dockerrules.RefuseNoSuchContainer, ref)
	}
	return ctr, nil
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
