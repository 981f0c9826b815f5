package discover

import (
	"context"
	"fmt"
	"slices"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// Change names what an engine event touched, by Docker ID.
type Change struct {
	// Containers were started, stopped, renamed, paused, removed,
	// connected to or disconnected from a network.
	Containers []string
	// Networks were created or removed.
	Networks []string
}

// Refresh reads again only what ch names and returns a new State; s itself
// is left as it was. What it reads:
//
//   - each named container with `docker inspect` (a container the engine no
//     longer knows, or — without Options.All — one that stopped, is dropped),
//     and with it every container sharing its namespace (--net container:X
//     either way), whose namespace the change may have altered;
//   - each named network with `docker network inspect` (one the engine no
//     longer knows is dropped), and the firewall's chains;
//   - the host's namespace, where the host ends of veths and the bridges
//     come and go, and the namespaces of the re-read containers.
//
// Every other container, network and namespace is kept as last read. The
// merged snapshots go through the same settling as a full discovery (a
// container caught mid-start is read again, one gone is left out) and Model
// builds the model from them with the same Build, so a refreshed model is
// the one a full discovery would draw — as long as nothing changed that ch
// does not name (see package watch for what can).
//
// Refresh falls back to a full Snapshot when s holds no engine facts (the
// engine did not answer when s was read): with nothing known, there is
// nothing to keep; and on a swarm node, whose overlay namespaces, load
// balancers and service records change with tasks anywhere in the swarm.
func (s *State) Refresh(ctx context.Context, cli *client.Client, ch Change) (*State, error) {
	if s.docker == nil || s.docker.Swarm != nil {
		return Snapshot(ctx, Options{All: s.all, Client: cli, Endpoint: s.endpoint, Location: s.loc})
	}
	p := partial{touched: s.sharers(ch.Containers)}
	if err := p.inspect(ctx, cli, s.all); err != nil {
		return nil, err
	}
	for _, id := range slices.Compact(slices.Sorted(slices.Values(ch.Networks))) {
		res, err := cli.NetworkInspect(ctx, id, client.NetworkInspectOptions{})
		switch {
		case cerrdefs.IsNotFound(err):
			p.goneNetworks = append(p.goneNetworks, id)
		case err != nil:
			if ctx.Err() != nil {
				return nil, fmt.Errorf("discover: %w", ctx.Err())
			}
			return nil, &EngineError{Host: cli.DaemonHost(), Err: fmt.Errorf("inspect network %s: %w", shortID(id), err)}
		default:
			p.networks = append(p.networks, convertNetwork(res.Network.Network))
		}
	}
	if s.namespaces != nil {
		var enter []DockerContainer
		if s.enter {
			for _, c := range p.containers {
				if hasNamespace(&c) {
					enter = append(enter, c)
				}
			}
		}
		read, err := ReadNamespacesAt(s.loc, enter, "", nil)
		if err != nil {
			return nil, fmt.Errorf("discover: %w", err)
		}
		p.read = &read
	}
	next := s.apply(p)
	if next.namespaces != nil && next.enter && !next.denied && len(next.docker.Containers) > 0 {
		snaps, err := settle(ctx, cli, next.docker, next.namespaces, next.loc)
		if err != nil {
			return nil, err
		}
		next.namespaces = snaps
	}
	if len(ch.Networks) > 0 && next.namespaces != nil {
		next.chains = readChains(next.loc)
	}
	return next, nil
}

// partial is what Refresh read again.
type partial struct {
	// touched are the Docker IDs of every container read again: the kept
	// ones are in containers, the rest are gone (or, without All, stopped).
	touched      []string
	containers   []DockerContainer
	networks     []DockerNetwork // read again and found
	goneNetworks []string        // Docker IDs read again and not found
	read         *NamespaceRead  // the host and the re-read namespaces; nil: not read
}

// inspect reads every touched container, a few at a time.
func (p *partial) inspect(ctx context.Context, cli *client.Client, all bool) error {
	found, _, err := inspectEach(ctx, cli, p.touched) // a removed one is simply not found
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("discover: %w", ctx.Err())
		}
		return &EngineError{Host: cli.DaemonHost(), Err: err}
	}
	for _, c := range found {
		if all || listed(&c) {
			p.containers = append(p.containers, c)
		}
	}
	return nil
}

// listed reports whether `docker ps` without --all lists a container in
// this state: the engine lists those it counts as running, paused and
// restarting ones included.
func listed(c *DockerContainer) bool {
	switch c.State {
	case "running", "paused", "restarting":
		return true
	}
	return false
}
