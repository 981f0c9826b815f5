package lab

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/scenario"
)

// Image is the tag of netviz's lab image: FROM scratch, holding only the
// static netviz binary running `netviz idle`.
const Image = "netviz-lab:latest"

// Applier applies scenario commands to a real engine.
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

// EnsureImage builds the lab image from the running netviz binary when the
// engine does not have it. The binary must be static (CGO_ENABLED=0): the
// image holds nothing else.
func EnsureImage(ctx context.Context, cli *client.Client, binary string) error {
	if _, err := cli.ImageInspect(ctx, Image); err == nil {
		return nil
	} else if !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("inspect %s: %w", Image, err)
	}
	data, err := os.ReadFile(binary)
	if err != nil {
		return fmt.Errorf("read netviz binary: %w", err)
	}
	if f, err := elf.NewFile(bytes.NewReader(data)); err == nil {
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				return fmt.Errorf("the lab image needs a static netviz binary, and %s is dynamically linked: rebuild with CGO_ENABLED=0 go build ./cmd/netviz", binary)
			}
		}
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "netviz", Mode: 0o755, Size: int64(len(data)), Typeflag: tar.TypeReg})
	tw.Write(data)
	for _, d := range []string{"etc/", "proc/", "sys/", "dev/", "tmp/"} {
		tw.WriteHeader(&tar.Header{Name: d, Mode: 0o755, Typeflag: tar.TypeDir})
	}
	if err := tw.Close(); err != nil {
		return err
	}
	res, err := cli.ImageImport(ctx, client.ImageImportSource{Source: &buf, SourceName: "-"}, Image,
		client.ImageImportOptions{Changes: []string{`CMD ["/netviz","idle"]`, "LABEL " + OwnerLabel + "=lab"}})
	if err != nil {
		return fmt.Errorf("build %s: %w", Image, err)
	}
	defer res.Close()
	_, err = io.Copy(io.Discard, res)
	return err
}

// Preflight refuses a scenario that needs a name already in use on the engine
// (netviz never touches what it did not create). Docker's inspect also
// accepts an ID prefix — `docker inspect c1` finds a container whose ID
// starts with c1 — so only an exact name counts as taken.
func (a *Applier) Preflight(ctx context.Context, sc *scenario.Scenario) error {
	for _, c := range sc.Commands {
		switch {
		case c.Network != nil:
			if res, err := a.Client.NetworkInspect(ctx, c.Network.Name, client.NetworkInspectOptions{}); err == nil && res.Network.Name == c.Network.Name {
				return fmt.Errorf("%s: network %s already exists on this engine; remove it or run `netviz lab down`", c.Pos, c.Network.Name)
			}
		case c.Run != nil && c.Run.Name != "":
			if res, err := a.Client.ContainerInspect(ctx, c.Run.Name, client.ContainerInspectOptions{}); err == nil && strings.TrimPrefix(res.Container.Name, "/") == c.Run.Name {
				return fmt.Errorf("%s: container %s already exists on this engine; remove it or run `netviz lab down`", c.Pos, c.Run.Name)
			}
		}
	}
	return nil
}

// Apply executes the scenario on the engine, in order.
func (a *Applier) Apply(ctx context.Context, sc *scenario.Scenario) error {
	for _, c := range sc.Commands {
		if err := a.exec(ctx, c); err != nil {
			return fmt.Errorf("%s: %w", c.Pos, err)
		}
	}
	return nil
}

func (a *Applier) labels() map[string]string { return map[string]string{OwnerLabel: a.Owner} }

// image returns the image to run: the scenario's if present (or pulled with
// Pull), else the lab image.
func (a *Applier) image(ctx context.Context, ref string) (string, bool, error) {
	if a.images == nil {
		a.images = map[string]bool{}
	}
	if ok, seen := a.images[ref]; seen {
		if ok {
			return ref, false, nil
		}
		return Image, true, nil
	}
	if _, err := a.Client.ImageInspect(ctx, ref); err == nil {
		a.images[ref] = true
		return ref, false, nil
	}
	if a.Pull {
		res, err := a.Client.ImagePull(ctx, ref, client.ImagePullOptions{})
		if err != nil {
			return "", false, fmt.Errorf("pull %s: %w", ref, err)
		}
		io.Copy(io.Discard, res)
		res.Close()
		a.images[ref] = true
		return ref, false, nil
	}
	a.images[ref] = false
	a.Notices = append(a.Notices, fmt.Sprintf("image %s is not present: using %s (netviz idling) instead; --pull fetches it", ref, Image))
	return Image, true, nil
}

// ours lists the containers carrying this applier's owner label.
func (a *Applier) ours(ctx context.Context, running bool) ([]string, error) {
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

func (a *Applier) exec(ctx context.Context, c scenario.Command) error {
	switch c.Verb {
	case scenario.VerbNoop:
		return nil
	case scenario.VerbNetworkCreate:
		return a.networkCreate(ctx, c.Network)
	case scenario.VerbRun, scenario.VerbCreate:
		name, err := a.create(ctx, c.Run)
		if err != nil {
			return err
		}
		if c.Verb == scenario.VerbRun {
			_, err = a.Client.ContainerStart(ctx, name, client.ContainerStartOptions{})
		}
		return err
	case scenario.VerbStart, scenario.VerbStop, scenario.VerbRestart, scenario.VerbRm:
		var targets []string
		for _, t := range c.Targets {
			switch t {
			case scenario.AllContainers, scenario.RunningContainers:
				// Bulk forms act on this lab's containers only.
				names, err := a.ours(ctx, t == scenario.RunningContainers)
				if err != nil {
					return err
				}
				targets = append(targets, names...)
			default:
				targets = append(targets, t)
			}
		}
		zero := 0
		for _, t := range targets {
			var err error
			switch c.Verb {
			case scenario.VerbStart:
				_, err = a.Client.ContainerStart(ctx, t, client.ContainerStartOptions{})
			case scenario.VerbStop:
				_, err = a.Client.ContainerStop(ctx, t, client.ContainerStopOptions{Timeout: &zero})
			case scenario.VerbRestart:
				_, err = a.Client.ContainerRestart(ctx, t, client.ContainerRestartOptions{Timeout: &zero})
			case scenario.VerbRm:
				_, err = a.Client.ContainerRemove(ctx, t, client.ContainerRemoveOptions{Force: c.Force})
			}
			if err != nil {
				return err
			}
		}
		return nil
	case scenario.VerbNetworkConnect:
		ep := &network.EndpointSettings{Aliases: c.Connect.Aliases}
		for _, l := range c.Connect.Links {
			ep.Links = append(ep.Links, l.Target+":"+l.Alias)
		}
		if c.Connect.IP != "" {
			ep.IPAMConfig = &network.EndpointIPAMConfig{IPv4Address: netip.MustParseAddr(c.Connect.IP)}
		}
		_, err := a.Client.NetworkConnect(ctx, c.Connect.Network, client.NetworkConnectOptions{Container: c.Connect.Container, EndpointConfig: ep})
		return err
	case scenario.VerbNetworkDisconnect:
		_, err := a.Client.NetworkDisconnect(ctx, c.Connect.Network, client.NetworkDisconnectOptions{Container: c.Connect.Container, Force: c.Force})
		return err
	case scenario.VerbNetworkRm:
		for _, n := range c.Targets {
			if _, err := a.Client.NetworkRemove(ctx, n, client.NetworkRemoveOptions{}); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unsupported command %q", c.Verb)
}

func (a *Applier) networkCreate(ctx context.Context, n *scenario.NetworkSpec) error {
	opts := client.NetworkCreateOptions{Driver: n.Driver, Internal: n.Internal, Options: map[string]string{}, Labels: a.labels()}
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
	if n.Subnet != "" {
		cfg := network.IPAMConfig{Subnet: netip.MustParsePrefix(n.Subnet)}
		if n.IPRange != "" {
			cfg.IPRange = netip.MustParsePrefix(n.IPRange)
		}
		if n.Gateway != "" {
			cfg.Gateway = netip.MustParseAddr(n.Gateway)
		}
		opts.IPAM = &network.IPAM{Config: []network.IPAMConfig{cfg}}
	}
	_, err := a.Client.NetworkCreate(ctx, n.Name, opts)
	return err
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

func (a *Applier) create(ctx context.Context, r *scenario.RunSpec) (string, error) {
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
	if mode != "bridge" && mode != "host" && mode != "none" && !strings.HasPrefix(mode, "container:") {
		ep := &network.EndpointSettings{Aliases: r.Aliases}
		for _, l := range r.Links {
			ep.Links = append(ep.Links, l.Target+":"+l.Alias)
		}
		if r.IP != "" {
			ep.IPAMConfig = &network.EndpointIPAMConfig{IPv4Address: netip.MustParseAddr(r.IP)}
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
				b.HostIP = netip.MustParseAddr(p.HostIP)
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

// Down removes every container and network labelled io.netviz.owner=owner
// (with owner "", every lab's: values starting with "lab:"), and the veth a
// lab created as its macvlan parent. It never touches anything else.
func Down(ctx context.Context, cli *client.Client, owner string) (containers, networks int, err error) {
	match := func(labels map[string]string) bool {
		v, ok := labels[OwnerLabel]
		if !ok {
			return false
		}
		if owner == "" {
			return strings.HasPrefix(v, "lab:")
		}
		return v == owner
	}
	owners := map[string]bool{}
	if owner != "" {
		owners[owner] = true
	}
	var errs []error
	// Re-list until nothing labelled is left: a container still starting or
	// being removed by the engine can slip through one pass.
	for pass := 0; pass < 5; pass++ {
		errs = nil
		ctrs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", OwnerLabel)})
		if err != nil {
			return containers, networks, fmt.Errorf("list containers: %w", err)
		}
		left := 0
		for _, c := range ctrs.Items {
			if !match(c.Labels) {
				continue
			}
			left++
			owners[c.Labels[OwnerLabel]] = true
			if _, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true}); err != nil && !cerrdefs.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("remove container %s: %w", strings.TrimPrefix(firstName(c.Names), "/"), err))
				continue
			}
			containers++
		}
		if left == 0 {
			break
		}
		time.Sleep(time.Duration(pass+1) * 100 * time.Millisecond)
	}
	nets, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: make(client.Filters).Add("label", OwnerLabel)})
	if err != nil {
		return containers, networks, fmt.Errorf("list networks: %w", err)
	}
	for _, n := range nets.Items {
		if !match(n.Labels) {
			continue
		}
		owners[n.Labels[OwnerLabel]] = true
		if err := removeNetwork(ctx, cli, n.ID); err != nil {
			errs = append(errs, fmt.Errorf("remove network %s: %w", n.Name, err))
			continue
		}
		networks++
	}
	for o := range owners {
		name, _ := VethNames(o)
		delVeth(name)
	}
	return containers, networks, errors.Join(errs...)
}

func firstName(names []string) string {
	if len(names) > 0 {
		return names[0]
	}
	return "?"
}

// DownSettled is Down for after an interruption: a request the client gave
// up on can still complete inside the daemon, so it sweeps again once
// in-flight requests had time to land.
func DownSettled(ctx context.Context, cli *client.Client, owner string) error {
	_, _, err1 := Down(ctx, cli, owner)
	select {
	case <-time.After(700 * time.Millisecond):
	case <-ctx.Done():
	}
	_, _, err2 := Down(ctx, cli, owner)
	if err2 != nil {
		return err2
	}
	_ = err1 // a first pass racing with in-flight requests may fail harmlessly
	return nil
}

// removeNetwork retries briefly: endpoints of just-removed containers can
// linger for a moment.
func removeNetwork(ctx context.Context, cli *client.Client, id string) error {
	var err error
	for i := 0; i < 10; i++ {
		if _, err = cli.NetworkRemove(ctx, id, client.NetworkRemoveOptions{}); err == nil || cerrdefs.IsNotFound(err) {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}
