package main

import (
	"context"
	"fmt"
	"io"

	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/connect"
	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/dockerctx"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/sim"
)

// contextFlagKey carries the global --context value from the root command
// to the subcommands through their context.Context.
type contextFlagKey struct{}

func withContextFlag(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, contextFlagKey{}, name)
}

// resolveEngine picks the Docker engine like the docker CLI (--context,
// DOCKER_HOST, DOCKER_CONTEXT, config.json's currentContext) and prints what
// it had to ignore. An unknown or unusable context is a usage error.
func resolveEngine(ctx context.Context, stderr io.Writer) (*dockerctx.Endpoint, error) {
	name, _ := ctx.Value(contextFlagKey{}).(string)
	ep, err := dockerctx.Resolve(dockerctx.Options{Flag: name})
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	for _, w := range ep.Warnings {
		fmt.Fprintf(stderr, "netviz: warning: %s\n", w)
	}
	return ep, nil
}

// liveEngine is what reach and probe check before discovery (see
// connect.Live). The caller closes the client.
func liveEngine(ctx context.Context, command string, stderr io.Writer) (*dockerctx.Endpoint, *client.Client, error) {
	ep, err := resolveEngine(ctx, stderr)
	if err != nil {
		return nil, nil, err
	}
	cli, err := connect.Live(ctx, ep, command)
	return ep, cli, err
}

// discoverLive discovers the host reach and probe measure; an engine that
// did not answer is an error, in the words of the warning that says so.
func discoverLive(ctx context.Context, cli *client.Client, ep *dockerctx.Endpoint) (*graph.Model, error) {
	m, err := discover.Discover(ctx, discover.Options{Client: cli, Endpoint: ep})
	if err != nil {
		return nil, &exitError{code: exitUsage, err: err}
	}
	if m.Host.Engine == "" {
		if len(m.Warnings) > 0 {
			return nil, usageErrorf("%s", m.Warnings[0])
		}
		return nil, usageErrorf("no Docker engine answered")
	}
	return m, nil
}

// labEngine connects to the engine the docker CLI would use and makes sure
// it has the lab image, built from this very binary.
func labEngine(ctx context.Context, stderr io.Writer) (*dockerctx.Endpoint, *client.Client, error) {
	ep, err := resolveEngine(ctx, stderr)
	if err != nil {
		return nil, nil, err
	}
	cli, err := connect.Lab(ctx, ep)
	return ep, cli, err
}

// localEngineVersion asks the engine the docker CLI would use for its
// version, briefly: a laptop without Docker gets the newest version the
// simulator knows. Only a --context that cannot be used is an error.
func localEngineVersion(ctx context.Context) (string, error) {
	ep, err := resolveEngine(ctx, io.Discard)
	if err != nil {
		if name, _ := ctx.Value(contextFlagKey{}).(string); name != "" {
			return "", err
		}
		return sim.NewestEngineVersion, nil
	}
	if v := connect.Version(ctx, ep); v != "" {
		return v, nil
	}
	return sim.NewestEngineVersion, nil
}
