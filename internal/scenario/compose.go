package scenario

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/netviz/netviz/internal/textsafe"
)

// IsCompose reports whether a file name looks like a compose file.
func IsCompose(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yml", ".yaml":
		return true
	}
	return false
}

var projectNameUnsafe = regexp.MustCompile(`[^a-z0-9_-]`)

// ParseCompose reads a compose file (github.com/compose-spec/compose-go) into
// the docker commands `docker compose up` would issue: one network per
// compose network (<project>_<name>, the implicit <project>_default among
// them), then each service's container (<project>-<service>-1 unless
// container_name) in dependency order, with the service name as an alias on
// every network, aliases, ipv4_address, network_mode, ports and links.
func ParseCompose(ctx context.Context, r io.Reader, file string) (*Scenario, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	dir := filepath.Dir(file)
	name := projectNameUnsafe.ReplaceAllString(strings.ToLower(filepath.Base(mustAbs(dir))), "")
	if name == "" {
		name = "project"
	}
	project, err := loader.LoadWithContext(ctx, types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: file, Content: data}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) {
		o.SetProjectName(name, false)
		o.SkipResolveEnvironment = true
		o.ResolvePaths = false
	})
	if err != nil {
		return nil, &Error{Pos{file, 1, 1}, "compose: " + err.Error()}
	}
	sc := &Scenario{File: file}
	at := Pos{file, 1, 1}
	cmd := func(verb, text string) Command { return Command{Pos: at, Verb: verb, Text: text} }

	// Networks the services use, created in name order.
	used := map[string]bool{}
	for _, s := range project.Services {
		for key := range s.Networks {
			used[key] = true
		}
	}
	var netKeys []string
	for key := range project.Networks {
		if used[key] {
			netKeys = append(netKeys, key)
		}
	}
	sort.Strings(netKeys)
	netName := func(key string) string {
		if n, ok := project.Networks[key]; ok && n.Name != "" {
			return n.Name
		}
		return project.Name + "_" + key
	}
	for _, key := range netKeys {
		n := project.Networks[key]
		if bool(n.External) {
			continue // an external network must already exist: not ours to create
		}
		spec := &NetworkSpec{Name: netName(key), Driver: n.Driver, Internal: n.Internal, Options: map[string]string{}}
		if spec.Driver == "" {
			spec.Driver = "bridge"
		}
		if n.EnableIPv6 != nil {
			spec.IPv6 = *n.EnableIPv6
		}
		spec.IPv4 = n.EnableIPv4 // Docker 28's enable_ipv4 (rule opt.ipv4 decides)
		for k, v := range n.DriverOpts {
			spec.Options[k] = v
		}
		// One pool per address family, as `docker network create` takes them.
		var subnets, ranges, gateways []string
		for _, cfg := range n.Ipam.Config {
			if cfg == nil {
				continue
			}
			if cfg.Subnet != "" {
				subnets = append(subnets, cfg.Subnet)
			}
			if cfg.IPRange != "" {
				ranges = append(ranges, cfg.IPRange)
			}
			if cfg.Gateway != "" {
				gateways = append(gateways, cfg.Gateway)
			}
		}
		if err := spec.setPools(subnets, ranges, gateways); err != nil {
			return nil, &Error{at, fmt.Sprintf("compose: network %s: %v", textsafe.Clean(key), err)}
		}
		c := cmd(VerbNetworkCreate, "docker network create "+spec.Name)
		c.Network = spec
		sc.Commands = append(sc.Commands, c)
	}

	ctrName := func(svc string) string {
		if s, ok := project.Services[svc]; ok && s.ContainerName != "" {
			return s.ContainerName
		}
		return project.Name + "-" + svc + "-1"
	}
	order, err := serviceOrder(project)
	if err != nil {
		return nil, &Error{at, "compose: " + err.Error()}
	}
	for _, svc := range order {
		s := project.Services[svc]
		run := &RunSpec{Name: ctrName(svc), Image: s.Image, Hostname: s.Hostname, Detach: true}
		if run.Image == "" {
			run.Image = project.Name + "-" + svc // built by compose
		}
		switch mode := s.NetworkMode; {
		case mode == "host" || mode == "none":
			run.Network = mode
		case strings.HasPrefix(mode, "service:"):
			run.Network = "container:" + ctrName(strings.TrimPrefix(mode, "service:"))
		case strings.HasPrefix(mode, "container:"):
			run.Network = mode
		}
		var keys []string
		for key := range s.Networks {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		var connects []Command
		for i, key := range keys {
			cfg := s.Networks[key]
			aliases := []string{svc}
			ip := ""
			var endpoint EndpointOpts
			if cfg != nil {
				aliases = append(aliases, cfg.Aliases...)
				ip = cfg.Ipv4Address
				endpoint = composeEndpoint(cfg, at)
			}
			if i == 0 && run.Network == "" {
				run.Network, run.Aliases, run.IP, run.Endpoint = netName(key), aliases, ip, endpoint
				continue
			}
			c := cmd(VerbNetworkConnect, "docker network connect "+netName(key)+" "+run.Name)
			c.Connect = &ConnectSpec{Network: netName(key), Container: run.Name, Aliases: aliases, IP: ip, Endpoint: endpoint}
			connects = append(connects, c)
		}
		for _, l := range s.Links {
			target, alias, ok := strings.Cut(l, ":")
			if !ok {
				alias = target
			}
			run.Links = append(run.Links, LinkSpec{Target: ctrName(target), Alias: alias})
		}
		for _, p := range s.Ports {
			ps := PortSpec{HostIP: p.HostIP, ContainerPort: int(p.Target), Proto: p.Protocol}
			if ps.Proto == "" {
				ps.Proto = "tcp"
			}
			if p.Published != "" {
				first, _, _ := strings.Cut(p.Published, "-")
				n, err := strconv.Atoi(first)
				if err != nil {
					return nil, &Error{at, fmt.Sprintf("compose: service %s: published port %s", textsafe.Clean(svc), textsafe.Quote(p.Published))}
				}
				ps.HostPort = n
			}
			run.Ports = append(run.Ports, ps)
		}
		c := cmd(VerbRun, "docker run --name "+run.Name+" "+run.Image+" (service "+svc+")")
		c.Run = run
		sc.Commands = append(sc.Commands, c)
		sc.Commands = append(sc.Commands, connects...)
	}
	return sc, nil
}

// composeEndpoint is a service's attachment to one network as Docker 28's
// endpoint options: driver_opts, interface_name (which compose passes as
// com.docker.network.endpoint.ifname) and gw_priority.
func composeEndpoint(cfg *types.ServiceNetworkConfig, at Pos) EndpointOpts {
	var e EndpointOpts
	for k, v := range cfg.DriverOpts {
		if e.DriverOpts == nil {
			e.DriverOpts = map[string]string{}
		}
		e.DriverOpts[k] = v
	}
	if cfg.InterfaceName != "" {
		if e.DriverOpts == nil {
			e.DriverOpts = map[string]string{}
		}
		e.DriverOpts["com.docker.network.endpoint.ifname"] = cfg.InterfaceName
	}
	if cfg.GatewayPriority != 0 {
		e.GwPriority, e.GwPrioritySet = cfg.GatewayPriority, true
	}
	if e.GwPrioritySet || len(e.DriverOpts) > 0 {
		e.Where = map[string]Pos{"gw-priority": at}
		for k := range e.DriverOpts {
			e.Where["driver-opt "+k] = at
		}
	}
	return e
}

// serviceOrder sorts services so each comes after what it depends on
// (depends_on, links, network_mode: service:X), ties by name.
func serviceOrder(p *types.Project) ([]string, error) {
	deps := map[string][]string{}
	var names []string
	for name, s := range p.Services {
		names = append(names, name)
		for d := range s.DependsOn {
			deps[name] = append(deps[name], d)
		}
		for _, l := range s.Links {
			t, _, _ := strings.Cut(l, ":")
			deps[name] = append(deps[name], t)
		}
		if t, ok := strings.CutPrefix(s.NetworkMode, "service:"); ok {
			deps[name] = append(deps[name], t)
		}
	}
	sort.Strings(names)
	var out []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(n string) error
	visit = func(n string) error {
		switch state[n] {
		case 1:
			return fmt.Errorf("dependency cycle through service %s", textsafe.Clean(n))
		case 2:
			return nil
		}
		state[n] = 1
		ds := deps[n]
		sort.Strings(ds)
		for _, d := range ds {
			if _, ok := p.Services[d]; !ok {
				return fmt.Errorf("service %s depends on undefined service %s", textsafe.Clean(n), textsafe.Clean(d))
			}
			if err := visit(d); err != nil {
				return err
			}
		}
		state[n] = 2
		out = append(out, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func mustAbs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
