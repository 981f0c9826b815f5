package discover

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// EngineError says the Docker engine could not be reached or refused.
type EngineError struct {
	Host string // the address tried
	Err  error
}

func (e *EngineError) Error() string {
	env := os.Getenv("DOCKER_HOST")
	if env == "" {
		env = "(unset)"
	}
	return fmt.Sprintf("cannot reach the Docker engine at %s (is dockerd running? DOCKER_HOST=%s): %v", e.Host, env, e.Err)
}

func (e *EngineError) Unwrap() error { return e.Err }

// inspectConcurrency bounds parallel `docker inspect` calls: enough to hide
// the engine's per-request latency, few enough not to load it.
const inspectConcurrency = 8

// NewDockerClient returns a client configured like the docker CLI from the
// environment (DOCKER_HOST, DOCKER_API_VERSION, DOCKER_CERT_PATH,
// DOCKER_TLS_VERIFY) that negotiates the API version with the engine.
func NewDockerClient() (*client.Client, error) {
	cli, err := client.New(client.FromEnv)
	if err != nil {
		return nil, fmt.Errorf("docker client: %w", err)
	}
	return cli, nil
}

// ReadDocker gathers containers (all of them with all, else the running ones)
// and networks from the engine. Equivalent to `docker ps` plus `docker
// inspect` of each container and `docker network inspect` of each network.
func ReadDocker(ctx context.Context, cli *client.Client, all bool) (*DockerSnapshot, error) {
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
		dn := DockerNetwork{
			ID: n.ID, Name: n.Name, Driver: n.Driver, Scope: n.Scope,
			Internal: n.Internal, EnableIPv6: n.EnableIPv6, Options: n.Options,
		}
		for _, c := range n.IPAM.Config {
			dn.Subnets = append(dn.Subnets, DockerSubnet{
				Subnet: addrString(c.Subnet), Gateway: addrString(c.Gateway), IPRange: addrString(c.IPRange),
			})
		}
		snap.Networks = append(snap.Networks, dn)
	}
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: all})
	if err != nil {
		return nil, &EngineError{Host: host, Err: fmt.Errorf("list containers: %w", err)}
	}
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		sem   = make(chan struct{}, inspectConcurrency)
		first error
	)
	for _, s := range list.Items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			res, err := cli.ContainerInspect(ctx, s.ID, client.ContainerInspectOptions{})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case cerrdefs.IsNotFound(err):
				name := s.ID[:min(12, len(s.ID))]
				if len(s.Names) > 0 {
					name = strings.TrimPrefix(s.Names[0], "/")
				}
				snap.Vanished = append(snap.Vanished, name)
			case err != nil:
				if first == nil {
					first = fmt.Errorf("inspect container %s: %w", s.ID[:min(12, len(s.ID))], err)
				}
			default:
				snap.Containers = append(snap.Containers, convertContainer(res.Container))
			}
		}()
	}
	wg.Wait()
	if first != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &EngineError{Host: host, Err: first}
	}
	slices.SortFunc(snap.Containers, func(a, b DockerContainer) int { return cmp.Compare(a.Name, b.Name) })
	slices.Sort(snap.Vanished)
	return snap, nil
}

type stringer interface {
	IsValid() bool
	String() string
}

// addrString renders a netip value, "" for the zero value.
func addrString(v stringer) string {
	if !v.IsValid() {
		return ""
	}
	return v.String()
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
			IPv4: addrString(ep.IPAddress), PrefixLen: ep.IPPrefixLen,
			IPv6: addrString(ep.GlobalIPv6Address), IPv6Prefix: ep.GlobalIPv6PrefixLen,
			Gateway: addrString(ep.Gateway), MAC: ep.MacAddress.String(),
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
				HostIP: addrString(bnd.HostIP), HostPort: hp,
			})
		}
	}
	slices.SortFunc(out.Ports, func(a, b DockerPort) int {
		return cmp.Or(cmp.Compare(a.HostPort, b.HostPort), cmp.Compare(a.Proto, b.Proto), cmp.Compare(a.HostIP, b.HostIP))
	})
	return out
}

// IsEngineError reports whether err means the engine was unreachable.
func IsEngineError(err error) bool {
	var e *EngineError
	return errors.As(err, &e)
}
