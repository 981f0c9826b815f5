// Package discover builds a graph.Model of the live host: containers and
// networks from the Docker Engine API, links and addresses from netlink in the
// host namespace and in every container namespace.
//
// The OS- and engine-facing readers (docker.go, netlink_linux.go) return plain
// snapshots; Build merges them with pure code that is unit-tested without root.
package discover

import (
	"context"
	"fmt"
	"slices"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/dockerctx"
	"github.com/netviz/netviz/internal/graph"
)

// Options tunes a discovery.
type Options struct {
	// All includes stopped containers.
	All bool
	// Client is the Docker client to use; nil makes one for Endpoint.
	Client *client.Client
	// Endpoint is the engine (package dockerctx); nil means the default
	// context. When it is not local (ssh://, tcp to another machine) this
	// machine's namespaces are not the engine's and are not read: the
	// model holds Docker's facts and a warning.
	Endpoint *dockerctx.Endpoint
	// Location is where the engine's kernel objects are: the zero value
	// for netviz's own namespaces, or the engine's process when it runs in
	// namespaces of its own (a swarm node of the test bed, an engine in a
	// container). It needs an engine on this machine.
	Location Location
}

// Discover reads the live host into a model. It degrades instead of failing:
// without an engine the model holds the host's own namespace and a warning
// naming the socket tried; without root it holds Docker's facts and a warning
// that namespace detail needs root. Containers that come and go while it
// reads are left out with a note (see Unsettled). It fails — rather than
// return a model that is not what the host is — when it cannot read the
// host's own namespace, when containers keep changing after it asked again,
// or when ctx ends.
func Discover(ctx context.Context, opts Options) (*graph.Model, error) {
	st, err := Snapshot(ctx, opts)
	if err != nil {
		return nil, err
	}
	return st.Model(), nil
}

// settleRounds bounds how often discovery asks again about containers whose
// namespace disagrees with Docker.
const settleRounds = 3

// settle asks Docker again about every container Unsettled names: one that
// is gone, stopped or running another process now is dropped from the
// snapshot (Build notes it as vanished); one still running as before has its
// namespace read again, as it may have been caught mid-start. What is still
// unsettled after settleRounds is an error.
func settle(ctx context.Context, cli *client.Client, docker *DockerSnapshot, snaps []NamespaceSnapshot, loc Location) ([]NamespaceSnapshot, error) {
	for round := 0; ; round++ {
		bad := Unsettled(docker, snaps)
		if len(bad) == 0 {
			return snaps, nil
		}
		var gone, again []string
		var reread []DockerContainer
		for i := range docker.Containers {
			c := &docker.Containers[i]
			if _, ok := bad[c.ID]; !ok {
				continue
			}
			res, err := cli.ContainerInspect(ctx, c.ID, client.ContainerInspectOptions{})
			switch {
			case cerrdefs.IsNotFound(err):
				gone = append(gone, c.ID)
			case err != nil:
				return nil, &EngineError{Host: cli.DaemonHost(), Err: fmt.Errorf("inspect container %s: %w", c.Name, err)}
			default:
				now := convertContainer(res.Container)
				if !hasNamespace(&now) || now.Pid != c.Pid {
					gone = append(gone, c.ID) // stopped, or restarted as another process
					continue
				}
				*c = now
				again = append(again, c.ID)
				reread = append(reread, now)
			}
		}
		dropContainers(docker, snaps, gone)
		if len(reread) == 0 {
			continue
		}
		// Whoever shares a namespace being read again is read with it
		// (--net container:X), or the old snapshot would take them along.
		for _, sn := range snaps {
			if sn.Host || !slices.ContainsFunc(sn.Containers, func(id string) bool { return slices.Contains(again, id) }) {
				continue
			}
			for _, id := range sn.Containers {
				if slices.Contains(again, id) {
					continue
				}
				if i := slices.IndexFunc(docker.Containers, func(c DockerContainer) bool { return c.ID == id }); i >= 0 {
					again = append(again, id)
					reread = append(reread, docker.Containers[i])
				}
			}
		}
		if round+1 >= settleRounds {
			why := map[string]string{}
			for _, c := range reread {
				if w, ok := bad[c.ID]; ok {
					why[c.Name] = w
				}
			}
			return nil, &UnsettledError{Why: why}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("discover: %w", ctx.Err())
		case <-time.After(time.Duration(round+1) * 50 * time.Millisecond):
		}
		fresh, err := ReadNamespacesAt(loc, reread, "", nil)
		if err != nil {
			return nil, fmt.Errorf("discover: %w", err)
		}
		snaps = replaceSnapshots(snaps, again, fresh.Snapshots)
	}
}
