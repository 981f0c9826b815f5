package discover

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/cli/cli/connhelper"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/dockerctx"
	"github.com/netviz/netviz/internal/textsafe"
)

// EngineError says the Docker engine could not be reached or refused.
type EngineError struct {
	Host string // the address tried
	// Context is the docker CLI context that chose Host; "" or "default"
	// for the environment.
	Context string
	Err     error
}

func (e *EngineError) Error() string {
	env := os.Getenv("DOCKER_HOST")
	if env == "" {
		env = "(unset)"
	}
	ctx := ""
	if e.Context != "" && e.Context != dockerctx.DefaultName {
		ctx = "context " + textsafe.Quote(e.Context) + "; "
	}
	return fmt.Sprintf("cannot reach the Docker engine at %s (%sis dockerd running? DOCKER_HOST=%s): %v", textsafe.CleanN(e.Host, 200), ctx, textsafe.CleanN(env, 200), e.Err)
}

func (e *EngineError) Unwrap() error { return e.Err }

// inspectConcurrency bounds parallel `docker inspect` calls: enough to hide
// the engine's per-request latency, few enough not to load it.
const inspectConcurrency = 8

// NewDockerClient returns a client for the endpoint the docker CLI would
// use (see package dockerctx; nil means the default context: DOCKER_HOST,
// DOCKER_API_VERSION, DOCKER_CERT_PATH, DOCKER_TLS_VERIFY) that negotiates
// the API version with the engine. An ssh:// engine is reached like the
// docker CLI does, through `ssh … -- HOST docker system dial-stdio`
// (docker/cli's connection helper: arguments as argv, never a shell line).
func NewDockerClient(ep *dockerctx.Endpoint) (*client.Client, error) {
	if ep == nil {
		ep = &dockerctx.Endpoint{Context: dockerctx.DefaultName, FromEnv: true, Host: cmp.Or(os.Getenv("DOCKER_HOST"), dockerctx.DefaultHost)}
	}
	helper, err := connhelper.GetConnectionHelper(ep.Host)
	if err != nil {
		return nil, fmt.Errorf("docker client for %s: %w", ep.Describe(), err)
	}
	var opts []client.Opt
	switch {
	case helper != nil: // ssh://: no TLS, no proxy, like docker/cli
		opts = append(opts,
			client.WithHTTPClient(&http.Client{Transport: &http.Transport{DialContext: helper.Dialer}}),
			client.WithHost(helper.Host), client.WithDialContext(helper.Dialer), client.WithAPIVersionFromEnv())
	case ep.FromEnv:
		opts = append(opts, client.FromEnv)
	default:
		if ep.TLS != nil {
			opts = append(opts, client.WithHTTPClient(&http.Client{
				Transport: &http.Transport{
					TLSClientConfig: ep.TLS,
					DialContext:     (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
				},
				CheckRedirect: client.CheckRedirect,
			}))
		}
		opts = append(opts, client.WithHost(ep.Host), client.WithAPIVersionFromEnv())
	}
	cli, err := client.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("docker client for %s: %w", ep.Describe(), err)
	}
	return cli, nil
}

// ReadDocker gathers containers (all of them with all, else the running ones)
// and networks from the engine. Equivalent to `docker ps` plus `docker
// inspect` of each container and `docker network inspect` of each network.
func ReadDocker(ctx context.Context, cli *client.Client, all bool) (*DockerSnapshot, error) {
	return ReadEngine(ctx, cli, nil, all)
}

// ReadEngine is ReadDocker for a client made from ep: the snapshot and any
// *EngineError name ep's host and context (an ssh:// client's own address
// is a placeholder URL).
func ReadEngine(ctx context.Context, cli *client.Client, ep *dockerctx.Endpoint, all bool) (*DockerSnapshot, error) {
	snap, err := readDocker(ctx, cli, all)
	if ep != nil {
		if snap != nil {
			snap.Host = ep.Host
		}
		if e, ok := errors.AsType[*EngineError](err); ok {
			e.Host, e.Context = ep.Host, ep.Context
		}
	}
	return snap, err
}

func readDocker(ctx context.Context, cli *client.Client, all bool) (*DockerSnapshot, error) {
	host := cli.DaemonHost()
	ping, err := cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true})
	if err != nil {
		return nil, &EngineError{Host: host, Err: err}
	}
	snap := &DockerSnapshot{Host: host, APIVersion: cmp.Or(cli.ClientVersion(), ping.APIVersion)}
	if v, err := cli.ServerVersion(ctx, client.ServerVersionOptions{}); err == nil {
		snap.Version = v.Version
	}
	nets, err := cli.NetworkList(ctx, client.NetworkListOptions{})
	if err != nil {
		return nil, &EngineError{Host: host, Err: fmt.Errorf("list networks: %w", err)}
	}
	for _, n := range nets.Items {
		snap.Networks = append(snap.Networks, convertNetwork(n.Network))
	}
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: all})
	if err != nil {
		return nil, &EngineError{Host: host, Err: fmt.Errorf("list containers: %w", err)}
	}
	ids := make([]string, len(list.Items))
	names := map[string]string{}
	for i, c := range list.Items {
		ids[i] = c.ID
		names[c.ID] = shortID(c.ID)
		if len(c.Names) > 0 {
			names[c.ID] = strings.TrimPrefix(c.Names[0], "/")
		}
	}
	found, gone, err := inspectEach(ctx, cli, ids)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &EngineError{Host: host, Err: err}
	}
	snap.Containers = found
	for _, id := range gone {
		snap.Vanished = append(snap.Vanished, names[id])
	}
	slices.Sort(snap.Vanished)
	if err := readSwarm(ctx, cli, snap); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &EngineError{Host: host, Err: err}
	}
	return snap, nil
}

// inspectEach inspects the containers ids, inspectConcurrency at a time:
// those found, sorted by name, and the IDs the engine no longer knows (a
// container removed meanwhile); the first other error stops nothing but
// is returned.
func inspectEach(ctx context.Context, cli *client.Client, ids []string) (found []DockerContainer, gone []string, err error) {
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		sem = make(chan struct{}, inspectConcurrency)
	)
	for _, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			res, ierr := cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case cerrdefs.IsNotFound(ierr):
				gone = append(gone, id)
			case ierr != nil:
				if err == nil {
					err = fmt.Errorf("inspect container %s: %w", shortID(id), ierr)
				}
			default:
				found = append(found, convertContainer(res.Container))
			}
		}()
	}
	wg.Wait()
	slices.SortFunc(found, func(a, b DockerContainer) int { return cmp.Compare(a.Name, b.Name) })
	return found, gone, err
}

// convertNetwork keeps the part of a network's list entry or inspect
// result that netviz draws.
func convertNetwork(n network.Network) DockerNetwork {
	dn := DockerNetwork{
		ID: n.ID, Name: n.Name, Driver: n.Driver, Scope: n.Scope,
		Internal: n.Internal, EnableIPv6: n.EnableIPv6, Options: n.Options,
	}
	for _, c := range n.IPAM.Config {
		dn.Subnets = append(dn.Subnets, DockerSubnet{
			Subnet: c.Subnet, Gateway: c.Gateway, IPRange: c.IPRange,
		})
	}
	return dn
}

// prefixOf joins an address and its prefix length; the zero Prefix when
// there is no address.
func prefixOf(a netip.Addr, bits int) netip.Prefix {
	if !a.IsValid() {
		return netip.Prefix{}
	}
	return netip.PrefixFrom(a, bits)
}

func convertContainer(in container.InspectResponse) DockerContainer {
	out := DockerContainer{ID: in.ID, Name: strings.TrimPrefix(in.Name, "/")}
	if in.State != nil {
		out.State = string(in.State.Status)
		out.Pid = in.State.Pid
	}
	if in.Config != nil {
		out.Image = in.Config.Image
		out.Hostname = in.Config.Hostname
		out.Task = taskOf(in.Config.Labels)
	}
	if in.HostConfig != nil {
		out.NetworkMode = string(in.HostConfig.NetworkMode)
		out.Links = in.HostConfig.Links
	}
	ns := in.NetworkSettings
	if ns == nil {
		return out
	}
	out.SandboxKey = ns.SandboxKey
	for name, ep := range ns.Networks {
		if ep == nil {
			continue
		}
		out.Endpoints = append(out.Endpoints, DockerEndpoint{
			Network: name, NetworkID: ep.NetworkID,
			IPv4: prefixOf(ep.IPAddress, ep.IPPrefixLen), IPv6: prefixOf(ep.GlobalIPv6Address, ep.GlobalIPv6PrefixLen),
			Gateway: ep.Gateway, MAC: ep.MacAddress.String(),
			Aliases: ep.Aliases, DNSNames: ep.DNSNames, Links: ep.Links,
		})
	}
	slices.SortFunc(out.Endpoints, func(a, b DockerEndpoint) int { return cmp.Compare(a.Network, b.Network) })
	for port, bindings := range ns.Ports {
		for _, bnd := range bindings {
			hp, err := strconv.Atoi(bnd.HostPort)
			if err != nil {
				continue
			}
			out.Ports = append(out.Ports, DockerPort{
				Proto: string(port.Proto()), ContainerPort: int(port.Num()),
				HostIP: bnd.HostIP, HostPort: hp,
			})
		}
	}
	slices.SortFunc(out.Ports, func(a, b DockerPort) int {
		return cmp.Or(cmp.Compare(a.HostPort, b.HostPort), cmp.Compare(a.Proto, b.Proto), a.HostIP.Compare(b.HostIP))
	})
	return out
}

// IsEngineError reports whether err means the engine was unreachable.
func IsEngineError(err error) bool {
	var e *EngineError
	return errors.As(err, &e)
}
