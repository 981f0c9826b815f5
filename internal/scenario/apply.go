package scenario

import (
	"context"
	"fmt"

	"github.com/netviz/netviz/internal/textsafe"
)

// Target is an engine scenario commands are applied to: a real Docker
// engine (lab.Applier) or the simulated one (sim.Engine). Its methods are
// the requests `docker` sends for each command; containers and networks
// are named as the script names them (a name, or an ID a create returned).
// An error is the engine's refusal, without the command's position: Apply
// and Exec add it.
type Target interface {
	// NetworkCreate is `docker network create`.
	NetworkCreate(ctx context.Context, spec *NetworkSpec) error
	// NetworkConnect is `docker network connect`.
	NetworkConnect(ctx context.Context, spec *ConnectSpec) error
	// NetworkDisconnect is `docker network disconnect [-f]`.
	NetworkDisconnect(ctx context.Context, spec *ConnectSpec, force bool) error
	// NetworkRemove is `docker network rm` of one network.
	NetworkRemove(ctx context.Context, name string) error
	// ContainerCreate is `docker create`; it returns what to start the
	// container by: its name, or the engine's name or ID for an unnamed one.
	ContainerCreate(ctx context.Context, spec *RunSpec) (ref string, err error)
	// ContainerStart is `docker start` of one container.
	ContainerStart(ctx context.Context, ref string) error
	// ContainerStop is `docker stop` of one container.
	ContainerStop(ctx context.Context, ref string) error
	// ContainerRestart is `docker restart` of one container.
	ContainerRestart(ctx context.Context, ref string) error
	// ContainerRemove is `docker rm [-f]` of one container.
	ContainerRemove(ctx context.Context, ref string, force bool) error
	// Containers is what $(docker ps -q) (running) and $(docker ps -a -q)
	// expand to on this target.
	Containers(ctx context.Context, running bool) ([]string, error)
}

// NodeTarget is a Target of several engines (a simulated cluster): On is
// the engine a command naming node is sent to ("" for the default one).
// A command that names a node on a Target that is not a NodeTarget is
// refused.
type NodeTarget interface {
	Target
	On(ctx context.Context, node string) (Target, error)
}

// SwarmTarget is a Target that runs swarm mode's commands: a node joining
// or leaving, a manager's services. A swarm command on a Target that is
// not a SwarmTarget is refused.
type SwarmTarget interface {
	Target
	// SwarmInit is `docker swarm init`: this engine becomes the manager
	// of a new swarm.
	SwarmInit(ctx context.Context, spec *SwarmSpec) error
	// SwarmJoin is `docker swarm join`.
	SwarmJoin(ctx context.Context, spec *SwarmSpec) error
	// SwarmLeave is `docker swarm leave [--force]`.
	SwarmLeave(ctx context.Context, spec *SwarmSpec) error
	// ServiceCreate is `docker service create`.
	ServiceCreate(ctx context.Context, spec *ServiceSpec) error
	// ServiceRemove is `docker service rm` of one service.
	ServiceRemove(ctx context.Context, name string) error
	// ServiceScale is `docker service scale` of one service.
	ServiceScale(ctx context.Context, spec ScaleSpec) error
}

// ApplyError is a target's refusal of one command, at the command's
// position: printed file:line:col: and the target's message.
type ApplyError struct {
	Pos Pos
	Err error
}

func (e *ApplyError) Error() string { return e.Pos.String() + ": " + e.Err.Error() }

// Unwrap returns the target's error.
func (e *ApplyError) Unwrap() error { return e.Err }

// Apply executes every command of sc on t in order and stops at the first
// refusal, returned as an *ApplyError at the command's position.
func Apply(ctx context.Context, t Target, sc *Scenario) error {
	for i := range sc.Commands {
		if err := execAt(ctx, t, &sc.Commands[i]); err != nil {
			return err
		}
	}
	return nil
}

// Exec executes one command on t: run is create then start; start, stop,
// restart and rm act on each container named, a bulk form expanding to the
// target's containers of this moment; network rm removes each network
// named. A refusal comes back as an *ApplyError at c.Pos. While t handles
// the command, ctx carries c.Pos (PosFrom), for notes a target keeps.
func Exec(ctx context.Context, t Target, c Command) error { return execAt(ctx, t, &c) }

// execAt is Exec of a command Apply walks in place: its position reaches
// the context without a copy (a scenario of 10,000 commands would pay
// 10,000 allocations for it).
func execAt(ctx context.Context, t Target, c *Command) error {
	if err := exec(context.WithValue(ctx, posKey{}, &c.Pos), t, c); err != nil {
		return &ApplyError{Pos: c.Pos, Err: err}
	}
	return nil
}

func exec(ctx context.Context, t Target, c *Command) error {
	// A Command built by hand (not by a parser) may lack its spec.
	missing := func(what string) error { return fmt.Errorf("%s command without its %s", c.Verb, what) }
	if c.Verb == VerbNoop {
		return nil
	}
	if nt, ok := t.(NodeTarget); ok {
		var err error
		if t, err = nt.On(ctx, c.Node); err != nil {
			return err
		}
	} else if c.Node != "" {
		return fmt.Errorf("this command goes to node %s, but the scenario is applied to one engine", textsafe.Quote(c.Node))
	}
	switch c.Verb {
	case VerbRun, VerbCreate:
		if c.Run == nil {
			return missing("container spec")
		}
		ref, err := t.ContainerCreate(ctx, c.Run)
		if err != nil || c.Verb == VerbCreate {
			return err
		}
		return t.ContainerStart(ctx, ref)
	case VerbStart, VerbStop, VerbRestart, VerbRm:
		refs, err := expandBulk(ctx, t, c.Targets)
		if err != nil {
			return err
		}
		for _, ref := range refs {
			switch c.Verb {
			case VerbStart:
				err = t.ContainerStart(ctx, ref)
			case VerbStop:
				err = t.ContainerStop(ctx, ref)
			case VerbRestart:
				err = t.ContainerRestart(ctx, ref)
			case VerbRm:
				err = t.ContainerRemove(ctx, ref, c.Force)
			}
			if err != nil {
				return err
			}
		}
		return nil
	case VerbNetworkCreate:
		if c.Network == nil {
			return missing("network spec")
		}
		return t.NetworkCreate(ctx, c.Network)
	case VerbNetworkConnect, VerbNetworkDisconnect:
		if c.Connect == nil {
			return missing("network and container")
		}
		if c.Verb == VerbNetworkConnect {
			return t.NetworkConnect(ctx, c.Connect)
		}
		return t.NetworkDisconnect(ctx, c.Connect, c.Force)
	case VerbNetworkRm:
		for _, name := range c.Targets {
			if err := t.NetworkRemove(ctx, name); err != nil {
				return err
			}
		}
		return nil
	case VerbSwarmInit, VerbSwarmJoin, VerbSwarmLeave, VerbServiceCreate, VerbServiceRm, VerbServiceScale:
		return execSwarm(ctx, t, c)
	}
	return fmt.Errorf("unsupported command %q", c.Verb)
}

// expandBulk replaces the bulk placeholders with the target's containers of
// this moment.
func expandBulk(ctx context.Context, t Target, targets []string) ([]string, error) {
	var out []string
	for _, ref := range targets {
		switch ref {
		case AllContainers, RunningContainers:
			names, err := t.Containers(ctx, ref == RunningContainers)
			if err != nil {
				return nil, err
			}
			out = append(out, names...)
		default:
			out = append(out, ref)
		}
	}
	return out, nil
}

type posKey struct{}

// WithPos returns ctx carrying the position of the command being applied.
func WithPos(ctx context.Context, p Pos) context.Context {
	return context.WithValue(ctx, posKey{}, &p)
}

// PosFrom returns the position of the command ctx is applying, if any.
func PosFrom(ctx context.Context) (Pos, bool) {
	if p, ok := ctx.Value(posKey{}).(*Pos); ok {
		return *p, true
	}
	return Pos{}, false
}

// execSwarm executes a swarm mode command on a SwarmTarget.
func execSwarm(ctx context.Context, t Target, c *Command) error {
	st, ok := t.(SwarmTarget)
	if !ok {
		return fmt.Errorf("docker %s: swarm mode is not supported on this target (netviz sim simulates it)", c.Verb)
	}
	switch c.Verb {
	case VerbSwarmInit, VerbSwarmJoin, VerbSwarmLeave:
		if c.Swarm == nil {
			return fmt.Errorf("%s command without its swarm options", c.Verb)
		}
		switch c.Verb {
		case VerbSwarmInit:
			return st.SwarmInit(ctx, c.Swarm)
		case VerbSwarmJoin:
			return st.SwarmJoin(ctx, c.Swarm)
		}
		return st.SwarmLeave(ctx, c.Swarm)
	case VerbServiceCreate:
		if c.Service == nil {
			return fmt.Errorf("%s command without its service spec", c.Verb)
		}
		return st.ServiceCreate(ctx, c.Service)
	case VerbServiceRm:
		for _, name := range c.Targets {
			if err := st.ServiceRemove(ctx, name); err != nil {
				return err
			}
		}
		return nil
	}
	for _, sc := range c.Scale {
		if err := st.ServiceScale(ctx, sc); err != nil {
			return err
		}
	}
	return nil
}
