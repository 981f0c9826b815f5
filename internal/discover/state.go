package discover

import (
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/netviz/netviz/internal/dockerctx"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/privs"
	"github.com/netviz/netviz/internal/textsafe"
)

// State is what one discovery read — Docker's facts, the namespace
// snapshots, the firewall chains and the warnings gathered on the way —
// kept so that Refresh can read again only what changed and Model can build
// a model from the rest. A State is never changed once returned: Refresh
// returns a new one, sharing with the old what it did not read again.
type State struct {
	hostname string
	all      bool
	endpoint *dockerctx.Endpoint
	loc      Location
	docker   *DockerSnapshot // nil: no engine answered
	// namespaces holds the host's snapshot first, then the container
	// namespaces read; nil when none were read (a remote engine).
	namespaces []NamespaceSnapshot
	// enter: container namespaces are entered (a local engine, and the
	// privilege to); denied: entering them was refused.
	enter, denied bool
	chains        []string
	warnings      []string // the engine's and the privileges', before Build's
	nsWarnings    []string // ReadNamespaces', about single containers
}

// Snapshot is Discover without the last step: it reads the live host and
// returns what it read, from which Model builds the model (Discover is
// Snapshot then Model) and Refresh reads again only what changed.
func Snapshot(ctx context.Context, opts Options) (*State, error) {
	hostname, _ := os.Hostname()
	loc := opts.Location
	st := &State{all: opts.All, endpoint: opts.Endpoint, loc: loc}
	if loc.Engine() {
		if ep := opts.Endpoint; ep != nil && !ep.Local {
			return nil, fmt.Errorf("an engine process (%s) can be named only for an engine on this machine; %s is not", loc, ep.Describe())
		}
		if err := checkLocation(loc); err != nil {
			return nil, err
		}
		if comm, err := engineComm(loc); err == nil && comm != "dockerd" {
			st.warnings = append(st.warnings, fmt.Sprintf("process %d is %s, not dockerd: its namespaces are taken for the engine's", loc.PID, textsafe.Quote(comm)))
		}
	}

	cli := opts.Client
	if cli == nil {
		c, err := NewDockerClient(opts.Endpoint)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		cli = c
	}
	docker, err := ReadEngine(ctx, cli, opts.Endpoint, opts.All)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("discover: %w", ctx.Err())
		}
		if ep := opts.Endpoint; ep != nil && !ep.Local || loc.Engine() {
			return nil, err // this machine's namespaces are no stand-in for that engine's
		}
		st.warnings = append(st.warnings, err.Error()+"; showing the host namespace only")
		docker = nil
	}
	if ep := opts.Endpoint; ep != nil && !ep.Local {
		if docker != nil && docker.Name != "" {
			hostname = docker.Name
		}
		st.warnings = append(st.warnings, fmt.Sprintf("the engine at %s is not on this machine: showing Docker's facts only (containers, networks, addresses); namespace detail (interfaces, veth pairs, bridge ports) is skipped, since the kernel netviz can read is this machine's", ep.Describe()))
		st.hostname, st.docker = hostname, docker
		return st, nil
	}
	if loc.Engine() && docker.Name != "" {
		hostname = docker.Name // the engine's UTS namespace may not be netviz's
	}
	st.hostname = hostname
	var containers []DockerContainer
	if docker != nil {
		containers = docker.Containers
	}
	st.enter = true
	if set, err := privs.Effective(); err == nil && Root() && !set.Has(privs.SysAdmin) && (len(containers) > 0 || loc.Engine()) {
		st.warnings = append(st.warnings, "netviz runs as root but without CAP_SYS_ADMIN, which entering container namespaces needs (a restricted container, or the capability dropped): showing Docker's facts and this host's interfaces only")
		containers = nil
		st.enter = false
	}
	var dir string
	var swarmNS []SwarmNamespace
	// The swarm networks' namespace files can be opened by anyone, but
	// entered only with the privilege container namespaces need.
	if docker != nil && docker.Swarm != nil && st.enter && Root() {
		dir = engineNetNSDir(docker.Containers, engineCmdline(loc))
		if swarmNS, err = listSwarmNamespaces(loc, dir, docker.Networks); err != nil {
			st.warnings = append(st.warnings, fmt.Sprintf("swarm networks' namespaces (%s, %s): %v", dir, loc, err))
		}
	}
	read, nsErr := ReadNamespacesAt(loc, containers, dir, swarmNS)
	if nsErr != nil {
		// Not even the host's own namespace: a model without it is no
		// picture of this host.
		return nil, fmt.Errorf("discover: %w", nsErr)
	}
	st.nsWarnings = read.Warnings
	st.denied = read.Denied
	namespaces := read.Snapshots
	if docker != nil && docker.Swarm != nil && len(swarmNS) == 0 && len(namespaces) > 0 {
		readIPVSFacts(loc, &namespaces[0]) // a node with no swarm namespace of its own yet
	}
	if docker != nil && !read.Denied && len(containers) > 0 {
		if namespaces, err = settle(ctx, cli, docker, namespaces, loc); err != nil {
			return nil, err
		}
	}
	st.docker, st.namespaces = docker, namespaces
	if docker != nil {
		st.chains = readChains(loc)
	}
	return st, nil
}

// Model builds the model of what s read: a new value every call, sharing
// nothing a caller could change with another call's.
func (s *State) Model() *graph.Model {
	m := Build(s.hostname, s.docker, s.namespaces, BuildOptions{All: s.all})
	if s.docker != nil && s.namespaces != nil {
		m.Host.Chains = slices.Clone(s.chains)
	}
	warnings := append(slices.Clone(s.warnings), s.nsWarnings...)
	m.Warnings = append(warnings, m.Warnings...)
	return m
}

// Engine reports whether the engine answered when s was read: without its
// facts there is nothing to refresh against, and Refresh reads everything.
func (s *State) Engine() bool { return s.docker != nil }
