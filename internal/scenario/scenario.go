// Package scenario reads what a person would run — a shell script of docker
// commands or a compose file — into a list of typed commands with their
// positions, and applies them, through one walk (Apply), to a Target: the
// simulator's engine or a real one.
//
// # Several hosts
//
// A scenario is one script, also for a Docker Swarm of several engines. A
// command names the engine it is sent to the way the docker CLI is told:
//
//	docker --context node2 swarm join --token TOKEN 10.252.0.1:2377
//	docker -H ssh://admin@node3 run -d --network appnet img
//	DOCKER_HOST=tcp://node3:2376 docker ps
//	docker context use node2     # every later command without a node goes to node2
//	docker context use default   # back to the default engine
//
// The node is the context's name, or the host of -H / DOCKER_HOST
// (ssh://user@NODE, tcp://NODE:2376, NODE; for unix:///run/NODE/docker.sock
// the socket's directory): Command.Node. A command without one goes to the
// default engine: the swarm's manager once `docker swarm init` made one.
// Besides `docker swarm init|join|leave` and `docker service
// create|rm|scale`, $(docker swarm join-token -q worker) (or manager) may
// stand for the join token, which the simulator does not check. See
// SwarmSpec and ServiceSpec for the flags read.
package scenario

import (
	"fmt"
	"strings"

	"github.com/netviz/netviz/internal/textsafe"
)

// Pos is where a command or word stands in its file.
type Pos struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
}

// String is file:line:col, the file name escaped for a terminal.
func (p Pos) String() string {
	return fmt.Sprintf("%s:%d:%d", textsafe.CleanN(p.File, 256), p.Line, p.Col)
}

// Error is a scenario problem at a position, printed file:line:col: msg.
// Words of the script a message quotes are escaped and cut where they are
// quoted (textsafe); Error escapes whatever else may hold a control
// character (messages of the shell parser and of compose-go) and cuts an
// overlong message.
type Error struct {
	Pos Pos
	Msg string
}

// maxMsg bounds an error message, so a 10 KB word cannot flood a terminal.
const maxMsg = 1000

func (e *Error) Error() string { return e.Pos.String() + ": " + textsafe.CleanN(e.Msg, maxMsg) }

// Verbs of the commands the simulator understands.
const (
	VerbRun               = "run"
	VerbCreate            = "create"
	VerbStart             = "start"
	VerbStop              = "stop"
	VerbRestart           = "restart"
	VerbRm                = "rm"
	VerbNetworkCreate     = "network create"
	VerbNetworkConnect    = "network connect"
	VerbNetworkDisconnect = "network disconnect"
	VerbNetworkRm         = "network rm"
	// VerbNoop is a read-only command (ps, inspect, images, pull, exec, ...):
	// accepted, changes nothing.
	VerbNoop = "noop"

	// Swarm mode: a node joins or leaves a swarm; a manager creates,
	// removes and scales services.
	VerbSwarmInit     = "swarm init"
	VerbSwarmJoin     = "swarm join"
	VerbSwarmLeave    = "swarm leave"
	VerbServiceCreate = "service create"
	VerbServiceRm     = "service rm"
	VerbServiceScale  = "service scale"
)

// Placeholders a bulk form such as $(docker ps -a -q) expands to; the engine
// replaces them with the container names that exist at that step. Angle
// brackets cannot appear in a container name, so they never collide.
const (
	AllContainers     = "<all-containers>"
	RunningContainers = "<running-containers>"
)

// Command is one docker command.
type Command struct {
	Pos Pos `json:"pos"`
	// Text is the command as written, for captions and messages.
	Text string `json:"text"`
	Verb string `json:"verb"`
	// Node is the engine the command is sent to, as the script names it
	// (a context, or the host of -H / DOCKER_HOST: see NodeName); "" for
	// the default one.
	Node string `json:"node,omitempty"`
	// Run is set for run and create.
	Run *RunSpec `json:"run,omitempty"`
	// Targets are the containers (start/stop/restart/rm) or networks
	// (network rm) named; placeholders expand at execution.
	Targets []string `json:"targets,omitempty"`
	// Force is rm -f / network disconnect -f.
	Force bool `json:"force,omitempty"`
	// Network is set for network create.
	Network *NetworkSpec `json:"network,omitempty"`
	// Connect is set for network connect/disconnect.
	Connect *ConnectSpec `json:"connect,omitempty"`
	// Swarm is set for swarm init, join and leave.
	Swarm *SwarmSpec `json:"swarm,omitempty"`
	// Service is set for service create; service rm names its services
	// in Targets.
	Service *ServiceSpec `json:"service,omitempty"`
	// Scale is set for service scale: each SERVICE=REPLICAS.
	Scale []ScaleSpec `json:"scale,omitempty"`
}

// RunSpec is the networking part of docker run / docker create.
type RunSpec struct {
	Name       string     `json:"name,omitempty"`
	Image      string     `json:"image"`
	Network    string     `json:"network,omitempty"` // --net/--network: "", bridge, host, none, container:X, a network
	Aliases    []string   `json:"aliases,omitempty"`
	Links      []LinkSpec `json:"links,omitempty"`
	Ports      []PortSpec `json:"ports,omitempty"`
	PublishAll bool       `json:"publishAll,omitempty"`
	IP         string     `json:"ip,omitempty"`
	Hostname   string     `json:"hostname,omitempty"`
	MAC        string     `json:"mac,omitempty"`
	DNS        []string   `json:"dns,omitempty"`
	Detach     bool       `json:"detach,omitempty"`
	Remove     bool       `json:"rm,omitempty"`
	Command    []string   `json:"command,omitempty"`
	Labels     []string   `json:"labels,omitempty"`
	// Endpoint holds the endpoint options of the first network that Docker
	// 28 added (--network name=NET,driver-opt=…,gw-priority=N).
	Endpoint EndpointOpts `json:"endpoint,omitzero"`
}

// EndpointOpts are the per-endpoint options Docker 28 and later know:
// driver options (com.docker.network.endpoint.ifname names the interface)
// and the gateway priority. Which release knows which, and what the
// simulator makes of them, is internal/dockerrules's to say (rules
// opt.gw-priority and opt.endpoint-ifname).
type EndpointOpts struct {
	DriverOpts map[string]string `json:"driverOpts,omitempty"`
	GwPriority int               `json:"gwPriority,omitempty"`
	// GwPrioritySet is true when a priority was given, 0 included.
	GwPrioritySet bool `json:"gwPrioritySet,omitempty"`
	// Where is the position of each option as written ("gw-priority",
	// "driver-opt KEY"), so a refusal can point at it.
	Where map[string]Pos `json:"-"`
}

// LinkSpec is --link NAME[:ALIAS].
type LinkSpec struct {
	Target string `json:"target"`
	Alias  string `json:"alias"`
}

// PortSpec is -p [IP:][HOSTPORT:]CONTAINERPORT[/PROTO].
type PortSpec struct {
	HostIP        string `json:"hostIP,omitempty"`
	HostPort      int    `json:"hostPort,omitempty"` // 0: Docker picks one
	ContainerPort int    `json:"containerPort"`
	Proto         string `json:"proto"`
}

// NetworkSpec is docker network create. Subnet, IPRange and Gateway are
// the IPv4 pool, IPv6Subnet, IPv6Range and IPv6Gateway the IPv6 one
// (--subnet fd00:1::/64 with --ipv6).
type NetworkSpec struct {
	Name        string `json:"name"`
	Driver      string `json:"driver"`
	Subnet      string `json:"subnet,omitempty"`
	IPRange     string `json:"ipRange,omitempty"`
	Gateway     string `json:"gateway,omitempty"`
	IPv6Subnet  string `json:"ipv6Subnet,omitempty"`
	IPv6Range   string `json:"ipv6Range,omitempty"`
	IPv6Gateway string `json:"ipv6Gateway,omitempty"`
	Internal    bool   `json:"internal,omitempty"`
	IPv6        bool   `json:"ipv6,omitempty"`
	// Attachable is --attachable: a swarm overlay that plain containers
	// (docker run --network) may join, not only a service's tasks.
	Attachable bool              `json:"attachable,omitempty"`
	Options    map[string]string `json:"options,omitempty"`
	Labels     []string          `json:"labels,omitempty"`
	// IPv4 is --ipv4 (compose enable_ipv4) when given: Docker 28's switch
	// for IPv6-only networks (rule opt.ipv4); nil when not given.
	IPv4 *bool `json:"ipv4,omitempty"`
	// Where is the position of the options a refusal may point at ("--ipv4",
	// "-o KEY").
	Where map[string]Pos `json:"-"`
}

// ConnectSpec is docker network connect/disconnect.
type ConnectSpec struct {
	Network   string     `json:"network"`
	Container string     `json:"container"`
	Aliases   []string   `json:"aliases,omitempty"`
	IP        string     `json:"ip,omitempty"`
	Links     []LinkSpec `json:"links,omitempty"`
	// Endpoint holds connect's --driver-opt and --gw-priority.
	Endpoint EndpointOpts `json:"endpoint,omitzero"`
}

// Scenario is a parsed file.
type Scenario struct {
	File     string    `json:"file"`
	Commands []Command `json:"commands"`
}

// shortText trims a command for captions.
func shortText(s string) string {
	s = strings.ReplaceAll(s, "\\\n", " ") // backslash continuations
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}
