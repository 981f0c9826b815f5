package lab

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/scenario"
)

// Applier applies scenario commands to a real engine. It is a
// scenario.Target: scenario.Apply walks the commands (the same walk the
// simulator's engine takes), and each method below is the Docker API
// request for one of them, with lab's rules added: every network and
// container carries the owner label, a missing image becomes the lab image,
// a macvlan parent is a veth of the lab's, bulk forms act on the lab's own
// containers only, and stop does not wait.
type Applier struct {
	Client *client.Client
	// Owner is the io.netviz.owner label value (lab:NAME, verify:ID).
	Owner string
	// Pull pulls images that are not present instead of substituting the lab
	// image.
	Pull bool
	// Parent is the macvlan/ipvlan parent to use; "" creates a veth pair.
	Parent string
	// Notices tells the person what was substituted.
	Notices []string
	// VethParent is the veth the applier created as a macvlan parent, if any.
	VethParent string
	images     map[string]bool
}

var _ scenario.Target = (*Applier)(nil)

// Apply executes the scenario on the engine, in order (scenario.Apply); a
// refusal names the command's position.
func (a *Applier) Apply(ctx context.Context, sc *scenario.Scenario) error {
	return scenario.Apply(ctx, a, sc)
}

// Preflight refuses a scenario that needs a name already in use on the engine
// (netviz never touches what it did not create). Docker's inspect also
// accepts an ID prefix — `docker inspect c1` finds a container whose ID
// starts with c1 — so only an exact name counts as taken.
func (a *Applier) Preflight(ctx context.Context, sc *scenario.Scenario) error {
	return preflight(ctx, engineNames{a.Client}, sc)
}

// names says whether an engine has a network or a container of exactly
// this name: the engine's (engineNames) or the simulator's (sim.Engine).
type names interface {
	NetworkExists(ctx context.Context, name string) bool
	ContainerExists(ctx context.Context, name string) bool
}

func preflight(ctx context.Context, engine names, sc *scenario.Scenario) error {
	for _, c := range sc.Commands {
		switch {
		case c.Network != nil:
			if engine.NetworkExists(ctx, c.Network.Name) {
				return fmt.Errorf("%s: network %s already exists on this engine; remove it or run `netviz lab down`", c.Pos, c.Network.Name)
			}
		case c.Run != nil && c.Run.Name != "":
			if engine.ContainerExists(ctx, c.Run.Name) {
				return fmt.Errorf("%s: container %s already exists on this engine; remove it or run `netviz lab down`", c.Pos, c.Run.Name)
			}
		}
	}
	return nil
}

// engineNames answers names from the engine: an inspect that finds exactly
// the name (an inspect that fails counts as absent).
type engineNames struct{ cli *client.Client }

func (e engineNames) NetworkExists(ctx context.Context, name string) bool {
	res, err := e.cli.NetworkInspect(ctx, name, client.NetworkInspectOptions{})
	return err == nil && res.Network.Name == name
}

func (e engineNames) ContainerExists(ctx context.Context, name string) bool {
	res, err := e.cli.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
	return err == nil && strings.TrimPrefix(res.Container.Name, "/") == name
}

func (a *Applier) labels() map[string]string { return map[string]string{OwnerLabel: a.Owner} }

// Containers lists the containers carrying this applier's owner label (the
// running ones, or all): a bulk form such as $(docker ps -a -q) acts on
// this lab's containers only.
func (a *Applier) Containers(ctx context.Context, running bool) ([]string, error) {
	res, err := a.Client.ContainerList(ctx, client.ContainerListOptions{All: !running, Filters: make(client.Filters).Add("label", OwnerLabel+"="+a.Owner)})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range res.Items {
		if len(s.Names) > 0 {
			out = append(out, strings.TrimPrefix(s.Names[0], "/"))
		}
	}
	return out, nil
}

// ContainerStart is `docker start`.
func (a *Applier) ContainerStart(ctx context.Context, ref string) error {
	_, err := a.Client.ContainerStart(ctx, ref, client.ContainerStartOptions{})
	return err
}

// ContainerStop is `docker stop -t 0`: a lab's containers have nothing to
// shut down cleanly.
func (a *Applier) ContainerStop(ctx context.Context, ref string) error {
	zero := 0
	_, err := a.Client.ContainerStop(ctx, ref, client.ContainerStopOptions{Timeout: &zero})
	return err
}

// ContainerRestart is `docker restart -t 0`.
func (a *Applier) ContainerRestart(ctx context.Context, ref string) error {
	zero := 0
	_, err := a.Client.ContainerRestart(ctx, ref, client.ContainerRestartOptions{Timeout: &zero})
	return err
}

// ContainerRemove is `docker rm [-f]`.
func (a *Applier) ContainerRemove(ctx context.Context, ref string, force bool) error {
	_, err := a.Client.ContainerRemove(ctx, ref, client.ContainerRemoveOptions{Force: force})
	return err
}

// NetworkConnect is `docker network connect`.
func (a *Applier) NetworkConnect(ctx context.Context, cs *scenario.ConnectSpec) error {
	ep, err := endpointSettings(cs.Aliases, cs.Links, cs.IP, cs.Endpoint)
	if err != nil {
		return err
	}
	_, err = a.Client.NetworkConnect(ctx, cs.Network, client.NetworkConnectOptions{Container: cs.Container, EndpointConfig: ep})
	return err
}

// endpointSettings is an endpoint's --alias / --net-alias, --link, --ip and
// Docker 28's driver-opt and gw-priority, as `docker run --net` and
// `docker network connect` send them.
func endpointSettings(aliases []string, links []scenario.LinkSpec, ip string, opts scenario.EndpointOpts) (*network.EndpointSettings, error) {
	ep := &network.EndpointSettings{Aliases: aliases, DriverOpts: opts.DriverOpts, GwPriority: opts.GwPriority}
	for _, l := range links {
		ep.Links = append(ep.Links, l.Target+":"+l.Alias)
	}
	if ip != "" {
		addr, err := parseAddr("--ip", ip)
		if err != nil {
			return nil, err
		}
		ep.IPAMConfig = &network.EndpointIPAMConfig{IPv4Address: addr}
	}
	return ep, nil
}

// NetworkDisconnect is `docker network disconnect [-f]`.
func (a *Applier) NetworkDisconnect(ctx context.Context, cs *scenario.ConnectSpec, force bool) error {
	_, err := a.Client.NetworkDisconnect(ctx, cs.Network, client.NetworkDisconnectOptions{Container: cs.Container, Force: force})
	return err
}

// NetworkRemove is `docker network rm`.
func (a *Applier) NetworkRemove(ctx context.Context, name string) error {
	_, err := a.Client.NetworkRemove(ctx, name, client.NetworkRemoveOptions{})
	return err
}

// NetworkCreate is `docker network create`, labelled, with a macvlan or
// ipvlan parent replaced by the lab's own (see parent).
func (a *Applier) NetworkCreate(ctx context.Context, n *scenario.NetworkSpec) error {
	opts := client.NetworkCreateOptions{Driver: n.Driver, Internal: n.Internal, Attachable: n.Attachable, Options: map[string]string{}, Labels: a.labels()}
	for k, v := range n.Options {
		opts.Options[k] = v
	}
	if n.Driver == "macvlan" || n.Driver == "ipvlan" {
		parent, err := a.parent(n.Name)
		if err != nil {
			return err
		}
		if opts.Options["parent"] != "" && opts.Options["parent"] != parent {
			a.Notices = append(a.Notices, fmt.Sprintf("network %s: parent %s replaced by %s (a lab never attaches to the machine's uplink)", n.Name, opts.Options["parent"], parent))
		}
		opts.Options["parent"] = parent
	}
	if n.IPv6 {
		opts.EnableIPv6 = &n.IPv6
	}
	if n.IPv4 != nil {
		opts.EnableIPv4 = n.IPv4
	}
	// One IPAM config per address family, IPv4 first, as the docker CLI
	// sends its --subnet flags.
	for _, p := range []struct{ subnet, ipRange, gateway string }{{n.Subnet, n.IPRange, n.Gateway}, {n.IPv6Subnet, n.IPv6Range, n.IPv6Gateway}} {
		if p.subnet == "" {
			continue
		}
		cfg, err := ipamConfig(p.subnet, p.ipRange, p.gateway)
		if err != nil {
			return err
		}
		if opts.IPAM == nil {
			opts.IPAM = &network.IPAM{}
		}
		opts.IPAM.Config = append(opts.IPAM.Config, cfg)
	}
	_, err := a.Client.NetworkCreate(ctx, n.Name, opts)
	return err
}

// ipamConfig is one --subnet with its --ip-range and --gateway.
func ipamConfig(subnet, ipRange, gateway string) (network.IPAMConfig, error) {
	var cfg network.IPAMConfig
	var err error
	if cfg.Subnet, err = parsePrefix("--subnet", subnet); err != nil {
		return cfg, err
	}
	if ipRange != "" {
		if cfg.IPRange, err = parsePrefix("--ip-range", ipRange); err != nil {
			return cfg, err
		}
	}
	if gateway != "" {
		if cfg.Gateway, err = parseAddr("--gateway", gateway); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// parsePrefix and parseAddr read what the scenario parsers have already
// checked; a Command built elsewhere gets an error instead of a panic.
func parsePrefix(flag, s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, fmt.Errorf("%s %q: %w", flag, s, err)
	}
	return p, nil
}

func parseAddr(flag, s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return a, fmt.Errorf("%s %q: %w", flag, s, err)
	}
	return a, nil
}

// parent returns the macvlan parent: --parent, else a veth pair created for
// the purpose (named nvzl + a hash of the owner, so Down finds it).
func (a *Applier) parent(netName string) (string, error) {
	if a.Parent != "" {
		return a.Parent, nil
	}
	if a.VethParent != "" {
		return a.VethParent, nil
	}
	name, peer := VethNames(a.Owner)
	if err := addVeth(name, peer); err != nil {
		return "", fmt.Errorf("network %s: create veth parent %s: %w", netName, name, err)
	}
	a.VethParent = name
	return name, nil
}

// VethNames are the veth pair a lab creates as its macvlan parent:
// nvzl + 8 hex of the owner, p0 and p1 (within IFNAMSIZ).
func VethNames(owner string) (string, string) {
	sum := sha256.Sum256([]byte(owner))
	h := hex.EncodeToString(sum[:4])
	return "nvzl" + h + "p0", "nvzl" + h + "p1"
}

// ContainerCreate is `docker create`, labelled, with the lab image in place
// of an image the engine does not have (see image); it returns the name, or
// the ID of an unnamed container.
func (a *Applier) ContainerCreate(ctx context.Context, r *scenario.RunSpec) (string, error) {
	img, substituted, err := a.image(ctx, r.Image)
	if err != nil {
		return "", err
	}
	cfg := &container.Config{Image: img, Labels: a.labels(), Hostname: r.Hostname}
	if !substituted && len(r.Command) > 0 {
		cfg.Cmd = r.Command
	}
	mode := r.Network
	if mode == "" {
		mode = "bridge"
	}
	hc := &container.HostConfig{NetworkMode: container.NetworkMode(mode)}
	if mode == "bridge" {
		for _, l := range r.Links {
			hc.Links = append(hc.Links, l.Target+":"+l.Alias)
		}
	}
	var nc *network.NetworkingConfig
	switch {
	case mode != "bridge" && mode != "host" && mode != "none" && !strings.HasPrefix(mode, "container:"):
		ep, err := endpointSettings(r.Aliases, r.Links, r.IP, r.Endpoint)
		if err != nil {
			return "", err
		}
		nc = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{mode: ep}}
	case mode == "bridge" && (len(r.Endpoint.DriverOpts) > 0 || r.Endpoint.GwPrioritySet):
		// --network name=bridge,driver-opt=…: links stay in HostConfig.
		ep, err := endpointSettings(r.Aliases, nil, r.IP, r.Endpoint)
		if err != nil {
			return "", err
		}
		nc = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{mode: ep}}
	}
	if len(r.Ports) > 0 {
		cfg.ExposedPorts = network.PortSet{}
		hc.PortBindings = network.PortMap{}
		for _, p := range r.Ports {
			port, err := network.ParsePort(strconv.Itoa(p.ContainerPort) + "/" + p.Proto)
			if err != nil {
				return "", err
			}
			b := network.PortBinding{}
			if p.HostPort > 0 {
				b.HostPort = strconv.Itoa(p.HostPort)
			}
			if p.HostIP != "" {
				if b.HostIP, err = parseAddr("-p", p.HostIP); err != nil {
					return "", err
				}
			}
			cfg.ExposedPorts[port] = struct{}{}
			hc.PortBindings[port] = append(hc.PortBindings[port], b)
		}
	}
	res, err := a.Client.ContainerCreate(ctx, client.ContainerCreateOptions{Name: r.Name, Config: cfg, HostConfig: hc, NetworkingConfig: nc})
	if err != nil {
		return "", err
	}
	if r.Name != "" {
		return r.Name, nil
	}
	return res.ID, nil
}
