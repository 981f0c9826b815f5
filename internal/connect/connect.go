// Package connect opens the Docker engine a netviz command works with (the
// one the docker CLI would use, see package dockerctx) and checks that it can
// serve the command. A command that measures inside namespaces needs the
// engine on this machine, answering, and root with CAP_NET_RAW and
// CAP_SYS_ADMIN; one that builds a lab needs netviz's lab image there. Every
// failure is one line naming the engine and the command.
package connect

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/dockerctx"
	"github.com/netviz/netviz/internal/lab"
	"github.com/netviz/netviz/internal/privs"
)

// Live is what reach and probe check before discovery: the engine is on
// this machine and answers, and netviz runs as root with CAP_NET_RAW (raw
// ICMP sockets, captures) and CAP_SYS_ADMIN (entering namespaces). command
// names the netviz command in the messages. The caller closes the client.
func Live(ctx context.Context, ep *dockerctx.Endpoint, command string) (*client.Client, error) {
	if !ep.Local {
		return nil, fmt.Errorf("netviz %s measures inside this machine's network namespaces, but the engine at %s is not on this machine: run netviz on the engine's host", command, ep.Describe())
	}
	cli, err := discover.NewDockerClient(ep)
	if err != nil {
		return nil, err
	}
	if _, err := cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		cli.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// The socket is root's: say sudo. (The client keeps only the text
		// of a permission error.)
		if !discover.Root() && (errors.Is(err, fs.ErrPermission) || strings.Contains(err.Error(), "permission denied")) {
			return nil, CheckPrivileges(command)
		}
		return nil, fmt.Errorf("netviz %s has nothing to measure: %w", command, &discover.EngineError{Host: ep.Host, Context: ep.Context, Err: err})
	}
	if err := CheckPrivileges(command); err != nil {
		cli.Close()
		return nil, err
	}
	return cli, nil
}

// CheckPrivileges requires root and, since root inside a restricted
// container or under `capsh --drop` may lack them, the two capabilities the
// live probes use.
func CheckPrivileges(command string) error {
	if !discover.Root() {
		return fmt.Errorf("netviz %s needs root (CAP_NET_RAW to ping, CAP_SYS_ADMIN to enter namespaces): run it with sudo", command)
	}
	set, err := privs.Effective()
	if err != nil {
		return fmt.Errorf("netviz %s: %w", command, err)
	}
	if missing := set.Missing(privs.NetRaw, privs.SysAdmin); len(missing) > 0 {
		return fmt.Errorf("netviz %s runs as root but without %s (CAP_NET_RAW opens ICMP sockets, CAP_SYS_ADMIN enters namespaces): the capability was dropped or this is a restricted container; run it on the host, or grant %s", command, privs.Names(missing), privs.Names(missing))
	}
	return nil
}

// Engine connects to ep and reads it once, like `docker ps` and `docker
// network ls`, so an engine that does not answer is an error here, naming
// its host and context. The caller closes the client.
func Engine(ctx context.Context, ep *dockerctx.Endpoint) (*client.Client, error) {
	cli, err := discover.NewDockerClient(ep)
	if err != nil {
		return nil, err
	}
	if _, err := discover.ReadEngine(ctx, cli, ep, false); err != nil {
		cli.Close()
		return nil, err
	}
	return cli, nil
}

// Lab is Engine for commands that build scenarios: it also makes sure the
// engine has the lab image, built from this very binary.
func Lab(ctx context.Context, ep *dockerctx.Endpoint) (*client.Client, error) {
	cli, err := Engine(ctx, ep)
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err == nil {
		err = lab.EnsureImage(ctx, cli, self)
	}
	if err != nil {
		cli.Close()
		return nil, err
	}
	return cli, nil
}

// VersionWait is how long Version waits for an engine on this machine:
// `netviz sim` simulates the local engine's release when it answers this
// fast, else the newest one modelled (issue 10).
const VersionWait = 200 * time.Millisecond

// Version asks ep for its version, briefly — VersionWait, 5 s for an engine
// on another machine (an ssh:// engine needs a handshake first) — and
// returns "" when it does not answer in time.
func Version(ctx context.Context, ep *dockerctx.Endpoint) string {
	wait := VersionWait
	if !ep.Local {
		wait = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	cli, err := discover.NewDockerClient(ep)
	if err != nil {
		return ""
	}
	defer cli.Close()
	v, err := cli.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		return ""
	}
	return v.Version
}
