package scenario

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/netviz/netviz/internal/textsafe"
)

// Swarm mode in a scenario: which engine a command goes to (NodeName),
// docker swarm init/join/leave and docker service create/rm/scale.

// SwarmSpec is docker swarm init, join or leave.
type SwarmSpec struct {
	// AdvertiseAddr is --advertise-addr: IP[:PORT] or an interface name;
	// DataPathAddr is --data-path-addr, the address VXLAN traffic uses.
	AdvertiseAddr string `json:"advertiseAddr,omitempty"`
	DataPathAddr  string `json:"dataPathAddr,omitempty"`
	// Remote is join's HOST:PORT, a manager's address.
	Remote string `json:"remote,omitempty"`
	// Token is join's --token (the simulator takes any); a token that
	// $(docker swarm join-token -q manager) stands for joins a manager.
	Token string `json:"token,omitempty"`
	// Availability is --availability: active (""), pause or drain.
	Availability string `json:"availability,omitempty"`
	// DefaultAddrPools and SubnetSize are init's --default-addr-pool and
	// --default-addr-pool-mask-length (0: 24); DataPathPort is
	// --data-path-port (0: 4789).
	DefaultAddrPools []string `json:"defaultAddrPools,omitempty"`
	SubnetSize       int      `json:"subnetSize,omitempty"`
	DataPathPort     int      `json:"dataPathPort,omitempty"`
	// Force is leave's --force.
	Force bool `json:"force,omitempty"`
	// Where is the position of the options a refusal may point at
	// ("--advertise-addr", "--data-path-addr", "--default-addr-pool").
	Where map[string]Pos `json:"-"`
}

// Join tokens that $(docker swarm join-token -q worker|manager) expands to.
const (
	WorkerToken  = "<swarm-token-worker>"
	ManagerToken = "<swarm-token-manager>"
)

// ServiceSpec is the networking part of docker service create.
type ServiceSpec struct {
	Name    string   `json:"name"`
	Image   string   `json:"image"`
	Command []string `json:"command,omitempty"`
	// Mode is replicated (the default), global, replicated-job or
	// global-job; Replicas the replicated count (1 unless given).
	Mode     string `json:"mode"`
	Replicas int    `json:"replicas"`
	// MaxPerNode is --replicas-max-per-node (0: no limit).
	MaxPerNode int `json:"maxPerNode,omitempty"`
	// EndpointMode is vip (the default) or dnsrr.
	EndpointMode string           `json:"endpointMode"`
	Networks     []ServiceNetwork `json:"networks,omitempty"`
	Ports        []ServicePort    `json:"ports,omitempty"`
	// Constraints are --constraint expressions (node.hostname==node2).
	Constraints []string `json:"constraints,omitempty"`
	// Where is the position of the options a refusal may point at
	// ("--network NAME", "--constraint EXPR", "--mode").
	Where map[string]Pos `json:"-"`
}

// ServiceNetwork is one --network of a service: the short form NAME or
// the long one name=NAME,alias=A.
type ServiceNetwork struct {
	Name    string   `json:"name"`
	Aliases []string `json:"aliases,omitempty"`
}

// Publish modes of a service port.
const (
	PublishIngress = "ingress"
	PublishHost    = "host"
)

// ServicePort is one -p/--publish of a service: PUBLISHED:TARGET[/PROTO]
// (ingress mode) or published=P,target=T,mode=host,protocol=udp.
// Published 0 lets the swarm pick one.
type ServicePort struct {
	Published int    `json:"published,omitempty"`
	Target    int    `json:"target"`
	Proto     string `json:"proto"`
	Mode      string `json:"mode"`
}

// ScaleSpec is one SERVICE=REPLICAS of docker service scale.
type ScaleSpec struct {
	Service  string `json:"service"`
	Replicas int    `json:"replicas"`
}

// nodeName is what the simulator takes as a node's name: a context's
// name, as docker/cli validates it, or a host name.
var nodeName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.+-]{0,62}$`)

// NodeName is the node a -H / DOCKER_HOST value names: the host of
// tcp://NODE:2376, ssh://user@NODE or NODE[:PORT], and for a unix socket
// its directory's name (unix:///run/nvz-sw2/docker.sock is nvz-sw2) or its
// own name less .sock; the engine's default socket (unix:///var/run/docker.sock)
// is the default engine, "".
func NodeName(host string) (string, error) {
	s := strings.TrimSpace(host)
	if s == "" {
		return "", errors.New("an empty host")
	}
	if !strings.Contains(s, "://") {
		s = "tcp://" + s // docker's default scheme
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("host %s is not a URL", textsafe.Quote(host))
	}
	var name string
	switch u.Scheme {
	case "unix", "npipe":
		p := path.Clean("/" + u.Host + u.Path)
		if p == "/var/run/docker.sock" || p == "/run/docker.sock" {
			return "", nil
		}
		name = strings.TrimSuffix(path.Base(p), ".sock")
		if name == "docker" || name == "docker_engine" {
			name = path.Base(path.Dir(p))
		}
	case "tcp", "ssh", "http", "https":
		name = u.Hostname()
	default:
		return "", fmt.Errorf("host %s: unsupported scheme %s", textsafe.Quote(host), textsafe.Quote(u.Scheme))
	}
	if !nodeName.MatchString(name) {
		return "", fmt.Errorf("host %s names no node the simulator can call by name ([a-zA-Z0-9][a-zA-Z0-9_.+-]*)", textsafe.Quote(host))
	}
	return name, nil
}

// contextNode is the node a context name names: "default" is the default
// engine.
func contextNode(name string) (string, error) {
	if name == "default" {
		return "", nil
	}
	if !nodeName.MatchString(name) {
		return "", fmt.Errorf("context name %s is invalid, names are validated against regexp \"^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$\"", textsafe.Quote(name))
	}
	return name, nil
}

// globalOptions reads the docker CLI's own options before the command
// (-H/--host, -c/--context; --debug, --log-level, --config and the TLS
// ones accepted and ignored) and returns the node they name, if any.
func (p *parser) globalOptions() (node string, named bool, err error) {
	var host, ctx string
	var hostAt, ctxAt = -1, -1
	i := 0
	for i < len(p.words) && strings.HasPrefix(p.words[i], "-") && !readOnly[p.words[i]] {
		w := p.words[i]
		name, val, hasVal := strings.Cut(w, "=")
		if !strings.HasPrefix(w, "--") && len(w) > 2 { // -Hnode2, -cnode2
			name, val, hasVal = w[:2], w[2:], true
		}
		switch name {
		case "-H", "--host", "-c", "--context", "-l", "--log-level", "--config", "--tlscacert", "--tlscert", "--tlskey":
			if !hasVal {
				if i+1 >= len(p.words) {
					return "", false, p.errAt(i, "docker: flag needs an argument: %s", textsafe.Clean(name))
				}
				i++
				val = p.words[i]
			}
		case "-D", "--debug", "--tls", "--tlsverify":
		default:
			return "", false, p.errAt(i, "docker: unknown flag: %s", textsafe.Clean(name))
		}
		switch name {
		case "-H", "--host":
			host, hostAt = val, i
		case "-c", "--context":
			ctx, ctxAt = val, i
		}
		i++
	}
	p.words, p.pos = p.words[i:], p.pos[i:]
	switch {
	case hostAt >= 0 && ctxAt >= 0:
		return "", false, p.errAt(-1, "docker: conflicting options: cannot specify both --host and --context")
	case ctxAt >= 0:
		n, err := contextNode(ctx)
		if err != nil {
			return "", false, p.errAt(-1, "docker: %v", err)
		}
		return n, true, nil
	case hostAt >= 0:
		n, err := NodeName(host)
		if err != nil {
			return "", false, p.errAt(-1, "docker: -H: %v", err)
		}
		return n, true, nil
	}
	return "", false, nil
}

// swarm parses docker swarm SUBCOMMAND.
func (p *parser) swarm(c *Command, args []string, off int) (*Command, error) {
	if len(args) == 0 {
		return nil, p.errAt(off-1, "docker swarm: a subcommand is missing (init, join, leave, join-token)")
	}
	sub, rest := args[0], args[1:]
	off++
	prefix := "docker swarm " + sub
	s := &SwarmSpec{Where: map[string]Pos{}}
	fs := newFlags(prefix)
	switch sub {
	case "init":
		fs.StringVar(&s.AdvertiseAddr, "advertise-addr", "", "")
		fs.StringVar(&s.DataPathAddr, "data-path-addr", "", "")
		fs.StringVar(&s.Availability, "availability", "", "")
		fs.StringSliceVar(&s.DefaultAddrPools, "default-addr-pool", nil, "")
		fs.IntVar(&s.SubnetSize, "default-addr-pool-mask-length", 0, "")
		fs.IntVar(&s.DataPathPort, "data-path-port", 0, "")
		fs.Bool("autolock", false, "")
		fs.Bool("force-new-cluster", false, "")
		for _, v := range []string{"listen-addr", "cert-expiry", "dispatcher-heartbeat", "external-ca", "max-snapshots", "snapshot-interval", "task-history-limit"} {
			fs.Var(ignored{}, v, "")
		}
	case "join":
		fs.StringVar(&s.AdvertiseAddr, "advertise-addr", "", "")
		fs.StringVar(&s.DataPathAddr, "data-path-addr", "", "")
		fs.StringVar(&s.Availability, "availability", "", "")
		fs.StringVar(&s.Token, "token", "", "")
		fs.Var(ignored{}, "listen-addr", "")
	case "leave":
		fs.BoolVarP(&s.Force, "force", "f", false, "")
	case "join-token", "ca", "unlock", "unlock-key", "update":
		return p.noop(), nil // the cluster's settings, not its network
	default:
		return nil, p.errAt(off-1, "docker swarm: '%s' is not a docker swarm command", textsafe.Clean(sub))
	}
	if err := fs.Parse(rest); err != nil {
		return nil, p.flagErr(prefix, rest, off, err)
	}
	switch {
	case sub == "join" && fs.NArg() != 1:
		return nil, p.errAt(off-1, "%s: requires exactly 1 argument (the manager's HOST:PORT)", prefix)
	case sub != "join" && fs.NArg() != 0:
		return nil, p.errAt(off-1, "%s: accepts no arguments", prefix)
	}
	switch s.Availability {
	case "", "active", "pause", "drain":
	default:
		return nil, p.flagErr(prefix, rest, off, fmt.Errorf("invalid argument %s for \"--availability\" flag: must be active, pause or drain", textsafe.Quote(s.Availability)))
	}
	if sub == "init" && fs.Changed("default-addr-pool-mask-length") && (s.SubnetSize < 1 || s.SubnetSize > 32) {
		return nil, p.flagErr(prefix, rest, off, fmt.Errorf("invalid argument \"%d\" for \"--default-addr-pool-mask-length\" flag: must be 1-32", s.SubnetSize))
	}
	if sub == "init" && fs.Changed("data-path-port") && (s.DataPathPort < 1 || s.DataPathPort > 65535) {
		return nil, p.flagErr(prefix, rest, off, fmt.Errorf("invalid argument \"%d\" for \"--data-path-port\" flag: not a UDP port", s.DataPathPort))
	}
	for _, f := range []string{"advertise-addr", "data-path-addr", "default-addr-pool"} {
		if fs.Changed(f) {
			s.Where["--"+f] = p.wordPos(rest, off, func(a string) bool { return isFlag(a, f) })
		}
	}
	if sub == "join" {
		s.Remote = fs.Arg(0)
	}
	c.Verb, c.Swarm = "swarm "+sub, s
	return c, nil
}

// service parses docker service SUBCOMMAND.
func (p *parser) service(c *Command, args []string, off int) (*Command, error) {
	if len(args) == 0 {
		return nil, p.errAt(off-1, "docker service: a subcommand is missing (create, rm, scale, ls, ps)")
	}
	sub, rest := args[0], args[1:]
	off++
	prefix := "docker service " + sub
	switch sub {
	case "create":
		spec, err := p.serviceCreate(rest, off)
		if err != nil {
			return nil, err
		}
		c.Verb, c.Service = VerbServiceCreate, spec
	case "rm", "remove":
		fs := newFlags(prefix)
		if err := fs.Parse(rest); err != nil {
			return nil, p.flagErr(prefix, rest, off, err)
		}
		if fs.NArg() == 0 {
			return nil, p.errAt(off-1, "%s: requires at least 1 argument", prefix)
		}
		c.Verb, c.Targets = VerbServiceRm, fs.Args()
	case "scale":
		fs := newFlags(prefix)
		fs.BoolP("detach", "d", false, "")
		if err := fs.Parse(rest); err != nil {
			return nil, p.flagErr(prefix, rest, off, err)
		}
		if fs.NArg() == 0 {
			return nil, p.errAt(off-1, "%s: requires at least 1 argument", prefix)
		}
		for _, a := range fs.Args() {
			name, n, ok := strings.Cut(a, "=")
			if !ok || name == "" {
				return nil, p.flagErr(prefix, rest, off, fmt.Errorf("invalid scale specifier %s", textsafe.Quote(a)))
			}
			k, err := strconv.ParseUint(n, 10, 31)
			if err != nil {
				return nil, p.flagErr(prefix, rest, off, fmt.Errorf("invalid replicas value %s: %v", textsafe.Quote(n), errors.Unwrap(err)))
			}
			c.Scale = append(c.Scale, ScaleSpec{Service: name, Replicas: int(k)})
		}
		c.Verb = VerbServiceScale
	case "ls", "list", "ps", "inspect", "logs":
		return p.noop(), nil
	case "update", "rollback":
		return nil, p.errAt(off-1, "%s is not modelled yet: it changes a service in place; write service rm and service create", prefix)
	default:
		return nil, p.errAt(off-1, "docker service: '%s' is not a docker service command", textsafe.Clean(sub))
	}
	return c, nil
}

// serviceCreate reads docker service create's flags (docker 28's, every
// one accepted; those that shape the network read) and its image.
func (p *parser) serviceCreate(args []string, off int) (*ServiceSpec, error) {
	const prefix = "docker service create"
	s := &ServiceSpec{Mode: "replicated", Replicas: 1, EndpointMode: "vip", Where: map[string]Pos{}}
	fs := newFlags("service create")
	fs.SetInterspersed(false) // options stop at the image
	var nets, ports []string
	var replicas, maxPerNode uint64
	fs.StringVar(&s.Name, "name", "", "")
	fs.StringVar(&s.Mode, "mode", "replicated", "")
	fs.Uint64Var(&replicas, "replicas", 1, "")
	fs.Uint64Var(&maxPerNode, "replicas-max-per-node", 0, "")
	fs.StringVar(&s.EndpointMode, "endpoint-mode", "vip", "")
	fs.StringArrayVar(&nets, "network", nil, "")
	fs.StringArrayVarP(&ports, "publish", "p", nil, "")
	fs.StringArrayVar(&s.Constraints, "constraint", nil, "")
	bools := map[string]string{"detach": "d", "quiet": "q", "tty": "t", "no-resolve-image": "", "read-only": "", "init": "",
		"no-healthcheck": "", "with-registry-auth": "", "help": ""}
	for name, short := range bools {
		fs.BoolP(name, short, false, "")
	}
	values := map[string]string{"cap-add": "", "cap-drop": "", "config": "", "container-label": "", "credential-spec": "",
		"dns": "", "dns-option": "", "dns-search": "", "entrypoint": "", "env": "e", "env-file": "", "generic-resource": "",
		"group": "", "health-cmd": "", "health-interval": "", "health-retries": "", "health-start-interval": "",
		"health-start-period": "", "health-timeout": "", "host": "", "hostname": "", "isolation": "", "label": "l",
		"limit-cpu": "", "limit-memory": "", "limit-pids": "", "log-driver": "", "log-opt": "", "max-concurrent": "",
		"mount": "", "oom-score-adj": "", "placement-pref": "", "reserve-cpu": "", "reserve-memory": "",
		"restart-condition": "", "restart-delay": "", "restart-max-attempts": "", "restart-window": "",
		"rollback-delay": "", "rollback-failure-action": "", "rollback-max-failure-ratio": "", "rollback-monitor": "",
		"rollback-order": "", "rollback-parallelism": "", "secret": "", "stop-grace-period": "", "stop-signal": "",
		"sysctl": "", "ulimit": "", "update-delay": "", "update-failure-action": "", "update-max-failure-ratio": "",
		"update-monitor": "", "update-order": "", "update-parallelism": "", "user": "u", "workdir": "w"}
	for name, short := range values {
		fs.VarP(ignored{}, name, short, "")
	}
	if err := fs.Parse(args); err != nil {
		return nil, p.flagErr(prefix, args, off, err)
	}
	if fs.NArg() == 0 {
		return nil, p.errAt(off-1, "%s: requires at least 1 argument (the image)", prefix)
	}
	s.Image, s.Command = fs.Arg(0), fs.Args()[1:]
	switch s.Mode {
	case "replicated", "replicated-job":
	case "global", "global-job":
		if fs.Changed("replicas") {
			return nil, p.flagErr(prefix, args, off, errors.New("--replicas: replicas can only be used with replicated or replicated-job mode"))
		}
		replicas = 0
	default:
		return nil, p.flagErr(prefix, args, off, fmt.Errorf("--mode: invalid mode %s: replicated, global, replicated-job or global-job", textsafe.Quote(s.Mode)))
	}
	if replicas > 1<<30 || maxPerNode > 1<<30 {
		return nil, p.flagErr(prefix, args, off, errors.New("--replicas: too many replicas"))
	}
	s.Replicas, s.MaxPerNode = int(replicas), int(maxPerNode)
	if s.EndpointMode != "vip" && s.EndpointMode != "dnsrr" {
		return nil, p.flagErr(prefix, args, off, fmt.Errorf("--endpoint-mode: invalid endpoint mode %s: vip or dnsrr", textsafe.Quote(s.EndpointMode)))
	}
	s.Where["--mode"] = p.wordPos(args, off, func(a string) bool { return isFlag(a, "mode") })
	for _, raw := range nets {
		n, err := parseServiceNetwork(raw)
		if err != nil {
			return nil, p.flagErr(prefix, args, off, fmt.Errorf("invalid argument %s for \"--network\" flag: %v", textsafe.Quote(raw), err))
		}
		s.Networks = append(s.Networks, n)
		s.Where["--network "+n.Name] = p.wordPos(args, off, func(a string) bool { return strings.Contains(a, n.Name) })
	}
	for _, raw := range ports {
		sp, err := ParseServicePort(raw)
		if err != nil {
			return nil, p.flagErr(prefix, args, off, fmt.Errorf("invalid argument %s for \"-p, --publish\" flag: %v", textsafe.Quote(raw), err))
		}
		s.Ports = append(s.Ports, sp)
	}
	for _, expr := range s.Constraints {
		s.Where["--constraint "+expr] = p.wordPos(args, off, func(a string) bool { return strings.Contains(a, expr) })
	}
	return s, nil
}

// parseServiceNetwork reads a service's --network: NAME, or docker's long
// form name=NAME,alias=A (docker/cli opts.NetworkOpt).
func parseServiceNetwork(value string) (ServiceNetwork, error) {
	if !longSyntax.MatchString(value) {
		if value == "" {
			return ServiceNetwork{}, errors.New("network name/id is not specified")
		}
		return ServiceNetwork{Name: value}, nil
	}
	fields, err := csv.NewReader(strings.NewReader(value)).Read()
	if err != nil {
		return ServiceNetwork{}, err
	}
	var n ServiceNetwork
	for _, field := range fields {
		key, val, ok := strings.Cut(strings.ToLower(field), "=")
		if !ok || key == "" {
			return n, fmt.Errorf("invalid field %s", textsafe.Quote(field))
		}
		switch key = strings.TrimSpace(key); key {
		case "name":
			n.Name = strings.TrimSpace(val)
		case "alias":
			n.Aliases = append(n.Aliases, strings.TrimSpace(val))
		case "driver-opt":
			return n, errors.New("driver-opt on a service's network is not modelled yet")
		default:
			return n, fmt.Errorf("invalid field key %s", textsafe.Clean(key))
		}
	}
	if n.Name == "" {
		return n, errors.New("network name/id is not specified")
	}
	return n, nil
}

// ParseServicePort reads a service's -p/--publish (docker/cli opts.PortOpt):
// PUBLISHED:TARGET[/PROTO] or TARGET[/PROTO] in ingress mode, or the long
// form published=P,target=T[,mode=ingress|host][,protocol=tcp|udp|sctp].
func ParseServicePort(value string) (ServicePort, error) {
	sp := ServicePort{Proto: "tcp", Mode: PublishIngress}
	if !strings.Contains(value, "=") {
		ps, err := ParsePort(value)
		if err != nil {
			return sp, err
		}
		if ps.HostIP != "" {
			return sp, errors.New("hostip is not supported")
		}
		sp.Published, sp.Target, sp.Proto = ps.HostPort, ps.ContainerPort, ps.Proto
		return sp, nil
	}
	fields, err := csv.NewReader(strings.NewReader(value)).Read()
	if err != nil {
		return sp, err
	}
	port := func(key, v string) (int, error) {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 65535 {
			return 0, fmt.Errorf("invalid %s port (%s): value must be an integer 0-65535", key, textsafe.Clean(v))
		}
		return n, nil
	}
	for _, field := range fields {
		key, val, ok := strings.Cut(field, "=")
		if !ok {
			return sp, fmt.Errorf("invalid field %s", textsafe.Quote(field))
		}
		key, val = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(val)
		switch key {
		case "protocol":
			if val != "tcp" && val != "udp" && val != "sctp" {
				return sp, fmt.Errorf("invalid protocol value '%s'", textsafe.Clean(val))
			}
			sp.Proto = val
		case "mode":
			if val != PublishIngress && val != PublishHost {
				return sp, fmt.Errorf("invalid publish mode value (%s): must be either %q or %q", textsafe.Clean(val), PublishIngress, PublishHost)
			}
			sp.Mode = val
		case "target":
			if sp.Target, err = port("target", val); err != nil {
				return sp, err
			}
		case "published":
			if sp.Published, err = port("published", val); err != nil {
				return sp, err
			}
		default:
			return sp, fmt.Errorf("invalid field key %s", textsafe.Clean(key))
		}
	}
	if sp.Target == 0 {
		return sp, errors.New("missing mandatory field \"target\"")
	}
	return sp, nil
}

// UsesSwarm reports whether the scenario names a node or uses swarm mode:
// the simulator then builds several hosts (or a swarm of one).
func (sc *Scenario) UsesSwarm() bool {
	for _, c := range sc.Commands {
		if c.Node != "" || c.Swarm != nil || c.Service != nil || c.Verb == VerbServiceRm || c.Verb == VerbServiceScale {
			return true
		}
	}
	return false
}

// context parses docker context SUBCOMMAND: `use NODE` makes NODE the
// engine of every later command that names none ("default": the default
// engine again); the others (create, ls, inspect, rm, …) change nothing
// the simulator sees.
func (p *parser) context(args []string, off int) (*Command, error) {
	if len(args) > 0 && args[0] == "use" {
		if len(args) != 2 {
			return nil, p.errAt(off, "docker context use: requires exactly 1 argument")
		}
		n, err := contextNode(args[1])
		if err != nil {
			return nil, p.errAt(off+1, "docker context use: %v", err)
		}
		p.state.node = n
	}
	return p.noop(), nil
}
