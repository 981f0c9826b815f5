package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/dockerctx"
	"github.com/netviz/netviz/internal/privs"
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

// liveEngine is what reach and probe check before discovery, each failure
// exit 2 with one line: the engine is known, on this machine and answers,
// and netviz runs as root with CAP_NET_RAW (raw ICMP sockets, captures) and
// CAP_SYS_ADMIN (entering namespaces). The caller closes the client.
func liveEngine(ctx context.Context, command string, stderr io.Writer) (*dockerctx.Endpoint, *client.Client, error) {
	ep, err := resolveEngine(ctx, stderr)
	if err != nil {
		return nil, nil, err
	}
	if !ep.Local {
		return nil, nil, usageErrorf("netviz %s measures inside this machine's network namespaces, but the engine at %s is not on this machine: run netviz on the engine's host", command, ep.Describe())
	}
	cli, err := discover.NewDockerClient(ep)
	if err != nil {
		return nil, nil, usageErrorf("%v", err)
	}
	if _, err := cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		cli.Close()
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		// The socket is root's: say sudo. (The client keeps only the text
		// of a permission error.)
		if !discover.Root() && (errors.Is(err, fs.ErrPermission) || strings.Contains(err.Error(), "permission denied")) {
			return nil, nil, checkPrivileges(command)
		}
		return nil, nil, usageErrorf("netviz %s has nothing to measure: %v", command, &discover.EngineError{Host: ep.Host, Context: ep.Context, Err: err})
	}
	if err := checkPrivileges(command); err != nil {
		cli.Close()
		return nil, nil, err
	}
	return ep, cli, nil
}

// checkPrivileges requires root and, since root inside a restricted
// container or under `capsh --drop` may lack them, the two capabilities the
// live probes use.
func checkPrivileges(command string) error {
	if !discover.Root() {
		return usageErrorf("netviz %s needs root (CAP_NET_RAW to ping, CAP_SYS_ADMIN to enter namespaces): run it with sudo", command)
	}
	set, err := privs.Effective()
	if err != nil {
		return usageErrorf("netviz %s: %v", command, err)
	}
	if missing := set.Missing(privs.NetRaw, privs.SysAdmin); len(missing) > 0 {
		return usageErrorf("netviz %s runs as root but without %s (CAP_NET_RAW opens ICMP sockets, CAP_SYS_ADMIN enters namespaces): the capability was dropped or this is a restricted container; run it on the host, or grant %s", command, privs.Names(missing), privs.Names(missing))
	}
	return nil
}
