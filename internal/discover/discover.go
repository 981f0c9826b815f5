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
	"os"
	"slices"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/dockerctx"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/privs"
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
	hostname, _ := os.Hostname()
	var warnings []string

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
		if ep := opts.Endpoint; ep != nil && !ep.Local {
			return nil, err // this machine's namespaces are no stand-in for a remote engine's
		}
		warnings = append(warnings, err.Error()+"; showing the host namespace only")
		docker = nil
	}
	if ep := opts.Endpoint; ep != nil && !ep.Local {
		if info, err := cli.Info(ctx, client.InfoOptions{}); err == nil && info.Info.Name != "" {
			hostname = info.Info.Name
		}
		warnings = append(warnings, fmt.Sprintf("the engine at %s is not on this machine: showing Docker's facts only (containers, networks, addresses); namespace detail (interfaces, veth pairs, bridge ports) is skipped, since the kernel netviz can read is this machine's", ep.Describe()))
		m := Build(hostname, docker, nil, BuildOptions{All: opts.All})
		m.Warnings = append(warnings, m.Warnings...)
		return m, nil
	}
	var containers []DockerContainer
	if docker != nil {
		containers = docker.Containers
	}
	if set, err := privs.Effective(); err == nil && Root() && !set.Has(privs.SysAdmin) && len(containers) > 0 {
		warnings = append(warnings, "netviz runs as root but without CAP_SYS_ADMIN, which entering container namespaces needs (a restricted container, or the capability dropped): showing Docker's facts and this host's interfaces only")
		containers = nil
	}
	read, nsErr := ReadNamespaces(containers)
	if nsErr != nil {
		// Not even the host's own namespace: a model without it is no
		// picture of this host.
		return nil, fmt.Errorf("discover: %w", nsErr)
	}
	warnings = append(warnings, read.Warnings...)
	namespaces := read.Snapshots
	if docker != nil && !read.Denied && len(containers) > 0 {
		if namespaces, err = settle(ctx, cli, docker, namespaces); err != nil {
			return nil, err
		}
	}
	m := Build(hostname, docker, namespaces, BuildOptions{All: opts.All})
	if docker != nil {
		m.Host.Chains = readChains()
	}
	m.Warnings = append(warnings, m.Warnings...)
	return m, nil
}

// settleRounds bounds how often discovery asks again about containers whose
// namespace disagrees with Docker.
const settleRounds = 3

// settle asks Docker again about every container Unsettled names: one that
// is gone, stopped or running another process now is dropped from the
// snapshot (Build notes it as vanished); one still running as before has its
// namespace read again, as it may have been caught mid-start. What is still
// unsettled after settleRounds is an error.
func settle(ctx context.Context, cli *client.Client, docker *DockerSnapshot, snaps []NamespaceSnapshot) ([]NamespaceSnapshot, error) {
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
		fresh, err := ReadNamespaces(reread)
		if err != nil {
			return nil, fmt.Errorf("discover: %w", err)
		}
		snaps = replaceSnapshots(snaps, again, fresh.Snapshots)
	}
}
