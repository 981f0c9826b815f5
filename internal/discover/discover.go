// Package discover builds a graph.Model of the live host: containers and
// networks from the Docker Engine API, links and addresses from netlink in the
// host namespace and in every container namespace.
//
// The OS- and engine-facing readers (docker.go, netlink_linux.go) return plain
// snapshots; Build merges them with pure code that is unit-tested without root.
package discover

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/graph"
)

// Options tunes a discovery.
type Options struct {
	// All includes stopped containers.
	All bool
	// Client is the Docker client to use; nil makes one from the environment.
	Client *client.Client
}

// Discover reads the live host into a model. It degrades instead of failing:
// without an engine the model holds the host's own namespace and a warning
// naming the socket tried; without root it holds Docker's facts and a warning
// that namespace detail needs root. It fails only when it can read nothing at
// all, or when ctx ends.
func Discover(ctx context.Context, opts Options) (*graph.Model, error) {
	hostname, _ := os.Hostname()
	var warnings []string

	cli := opts.Client
	if cli == nil {
		c, err := NewDockerClient()
		if err != nil {
			return nil, err
		}
		defer c.Close()
		cli = c
	}
	docker, err := ReadDocker(ctx, cli, opts.All)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("discover: %w", ctx.Err())
		}
		warnings = append(warnings, err.Error()+"; showing the host namespace only")
		docker = nil
	}
	var containers []DockerContainer
	if docker != nil {
		containers = docker.Containers
	}
	namespaces, nsWarnings, nsErr := ReadNamespaces(containers)
	warnings = append(warnings, nsWarnings...)
	if nsErr != nil {
		if docker == nil {
			return nil, errors.Join(errors.New("discover: nothing could be read"), err, nsErr)
		}
		warnings = append(warnings, fmt.Sprintf("cannot read network namespaces: %v", nsErr))
	}
	m := Build(hostname, docker, namespaces, BuildOptions{All: opts.All})
	m.Warnings = append(warnings, m.Warnings...)
	return m, nil
}
