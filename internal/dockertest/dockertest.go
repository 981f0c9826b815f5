// Package dockertest is test infrastructure for netviz's live tests: a real
// dockerd, a locally built image, and networks, containers and veth pairs that
// carry the io.netviz.owner=test label (or a name prefix) and are removed when
// the test ends, pass or fail.
//
// Live tests run only with NETVIZ_E2E=1. Without it they skip with the
// reason; with it, anything missing (root, the engine, the image) fails them.
package dockertest

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// Label marks every engine resource a test creates.
const Label = "io.netviz.owner"

// LabelValue is the label's value for test resources.
const LabelValue = "test"

// Image is the test image: busybox-static imported FROM scratch, running
// `sleep` by default. Override with NETVIZ_TEST_IMAGE.
var Image = envOr("NETVIZ_TEST_IMAGE", "netviz-test/busybox:latest")

// ScratchImage holds nothing but one static binary, /sleep: no shell, no
// ping. Probes must work on it as on any other image.
const ScratchImage = "netviz-test/scratch:latest"

// busyboxPaths are where Debian's busybox-static (and others) put the binary.
var busyboxPaths = []string{"/bin/busybox", "/usr/bin/busybox"}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// Env is one live test's handle on the engine.
type Env struct {
	T      testing.TB
	Client *client.Client
	// Prefix starts every name this test creates, unique per test run.
	Prefix string
	Ctx    context.Context
}

// Enabled reports whether live tests were asked for.
func Enabled() bool { return os.Getenv("NETVIZ_E2E") == "1" }

// Require returns an Env, or skips the test (NETVIZ_E2E unset) or fails it
// (NETVIZ_E2E=1 but the machine cannot run it).
func Require(t testing.TB) *Env {
	t.Helper()
	return require(t, false)
}

func require(t testing.TB, quiet bool) *Env {
	t.Helper()
	if !Enabled() {
		t.Skip("live test against a real dockerd: set NETVIZ_E2E=1 (as root, with dockerd running) to run it")
	}
	if os.Geteuid() != 0 {
		t.Fatal("NETVIZ_E2E=1 but not root: live tests enter network namespaces and create veths")
	}
	lockEngine(t, quiet)
	cli, err := client.New(client.FromEnv)
	if err != nil {
		t.Fatalf("docker client: %v", err)
	}
	t.Cleanup(func() { cli.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	if _, err := cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		t.Fatalf("NETVIZ_E2E=1 but the Docker engine at %s does not answer (is dockerd running? DOCKER_HOST=%s): %v",
			cli.DaemonHost(), os.Getenv("DOCKER_HOST"), err)
	}
	if err := EnsureImages(ctx, cli); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 3)
	rand.Read(b)
	return &Env{T: t, Client: cli, Prefix: "nvzt" + hex.EncodeToString(b) + "-", Ctx: ctx}
}

// Version is the engine's version ("20.10.24", "29.8.0-beta.24"), for
// tests whose expectation depends on the release (dockerrules.For).
func (e *Env) Version() string {
	e.T.Helper()
	v, err := e.Client.ServerVersion(e.Ctx, client.ServerVersionOptions{})
	if err != nil {
		e.T.Fatalf("engine version: %v", err)
	}
	return v.Version
}

// EnsureImages makes sure the engine has both test images, Image and
// ScratchImage, importing them from the local busybox binary when missing:
// no registry is needed. .ci/run builds them with it too (buildimages).
func EnsureImages(ctx context.Context, cli *client.Client) error {
	if err := EnsureImage(ctx, cli); err != nil {
		return fmt.Errorf("test image %s: %w", Image, err)
	}
	if err := ensureScratch(ctx, cli); err != nil {
		return fmt.Errorf("test image %s: %w", ScratchImage, err)
	}
	return nil
}

// EnsureImage imports the test image from the local busybox binary when the
// engine does not have it: no registry is needed.
func EnsureImage(ctx context.Context, cli *client.Client) error {
	if _, err := cli.ImageInspect(ctx, Image); err == nil {
		return nil
	} else if !cerrdefs.IsNotFound(err) {
		return err
	}
	rootfs, err := BusyboxRootfs()
	if err != nil {
		return err
	}
	return importImage(ctx, cli, rootfs, Image, `CMD ["/bin/sleep","3600"]`)
}

func ensureScratch(ctx context.Context, cli *client.Client) error {
	if _, err := cli.ImageInspect(ctx, ScratchImage); err == nil {
		return nil
	}
	bin, err := readBusybox()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "sleep", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(bin))})
	tw.Write(bin)
	tw.Close()
	return importImage(ctx, cli, &buf, ScratchImage, `CMD ["/sleep","3600"]`)
}

// readBusybox reads the static busybox binary.
func readBusybox() ([]byte, error) {
	var err error
	for _, p := range busyboxPaths {
		var bin []byte
		if bin, err = os.ReadFile(p); err == nil {
			return bin, nil
		}
	}
	return nil, fmt.Errorf("no busybox binary (apt-get install busybox-static): %w", err)
}

// importImage imports a rootfs tar as ref, labelled as a test resource.
func importImage(ctx context.Context, cli *client.Client, rootfs io.Reader, ref, cmd string) error {
	res, err := cli.ImageImport(ctx, client.ImageImportSource{Source: rootfs, SourceName: "-"}, ref,
		client.ImageImportOptions{Changes: []string{cmd, "LABEL " + Label + "=" + LabelValue}})
	if err != nil {
		return fmt.Errorf("import %s: %w", ref, err)
	}
	defer res.Close()
	_, err = io.Copy(io.Discard, res)
	return err
}

// BusyboxRootfs is a tar of a minimal root filesystem: a static busybox and
// the applets the tests use.
func BusyboxRootfs() (io.Reader, error) {
	bin, err := readBusybox()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, d := range []string{"bin/", "etc/", "proc/", "sys/", "dev/", "tmp/"} {
		tw.WriteHeader(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o755})
	}
	tw.WriteHeader(&tar.Header{Name: "bin/busybox", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(bin))})
	tw.Write(bin)
	for _, applet := range []string{"sh", "sleep", "ping", "ip", "cat", "nslookup", "wget", "nc", "hostname"} {
		tw.WriteHeader(&tar.Header{Name: filepath.Join("bin", applet), Typeflag: tar.TypeSymlink, Linkname: "busybox", Mode: 0o777})
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return &buf, nil
}

// Name prefixes name with the test's unique prefix.
func (e *Env) Name(name string) string { return e.Prefix + name }

// Network creates a labelled network named Prefix+name and removes it when
// the test ends. It returns the full name.
func (e *Env) Network(name string, opts client.NetworkCreateOptions) string {
	e.T.Helper()
	full := e.Name(name)
	if opts.Labels == nil {
		opts.Labels = map[string]string{}
	}
	opts.Labels[Label] = LabelValue
	if _, err := e.Client.NetworkCreate(e.Ctx, full, opts); err != nil {
		e.T.Fatalf("create network %s: %v", full, err)
	}
	e.T.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := e.Client.NetworkRemove(ctx, full, client.NetworkRemoveOptions{}); err != nil && !cerrdefs.IsNotFound(err) {
			e.T.Errorf("remove network %s: %v", full, err)
		}
	})
	return full
}

// Spec describes a container to run.
type Spec struct {
	// Network is --net: a network's full name, host, none, container:NAME;
	// empty for the default bridge.
	Network string
	Aliases []string // --net-alias
	Links   []string // --link NAME:ALIAS (full names)
	// Ports are -p entries as "[ip:]hostPort:containerPort[/proto]".
	Ports []string
	IP    string // --ip
	// Image overrides the test image.
	Image string
}

// Run creates and starts a labelled container named Prefix+name running the
// test image's idle command, removed (with force) when the test ends. It
// returns the container's full name.
func (e *Env) Run(name string, s Spec) string {
	e.T.Helper()
	full := e.Name(name)
	image := Image
	if s.Image != "" {
		image = s.Image
	}
	cfg := &container.Config{Image: image, Labels: map[string]string{Label: LabelValue}}
	hc := &container.HostConfig{NetworkMode: container.NetworkMode(s.Network), Links: s.Links}
	if s.Network == "" {
		hc.NetworkMode = "bridge"
	}
	var nc *network.NetworkingConfig
	if len(s.Aliases) > 0 || s.IP != "" {
		ep := &network.EndpointSettings{Aliases: s.Aliases}
		if s.IP != "" {
			ep.IPAMConfig = &network.EndpointIPAMConfig{}
			if err := ep.IPAMConfig.IPv4Address.UnmarshalText([]byte(s.IP)); err != nil {
				e.T.Fatalf("--ip %s: %v", s.IP, err)
			}
		}
		nc = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{s.Network: ep}}
	}
	if len(s.Ports) > 0 {
		exposed, bindings, err := parsePorts(s.Ports)
		if err != nil {
			e.T.Fatal(err)
		}
		cfg.ExposedPorts, hc.PortBindings = exposed, bindings
	}
	if _, err := e.Client.ContainerCreate(e.Ctx, client.ContainerCreateOptions{
		Name: full, Config: cfg, HostConfig: hc, NetworkingConfig: nc,
	}); err != nil {
		e.T.Fatalf("create container %s: %v", full, err)
	}
	e.T.Cleanup(func() { e.Remove(full) })
	if _, err := e.Client.ContainerStart(e.Ctx, full, client.ContainerStartOptions{}); err != nil {
		e.T.Fatalf("start container %s: %v", full, err)
	}
	return full
}

// Remove force-removes a container this test created; gone already is fine.
func (e *Env) Remove(full string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := e.Client.ContainerRemove(ctx, full, client.ContainerRemoveOptions{Force: true}); err != nil && !cerrdefs.IsNotFound(err) {
		e.T.Errorf("remove container %s: %v", full, err)
	}
}

func parsePorts(specs []string) (network.PortSet, network.PortMap, error) {
	exposed := network.PortSet{}
	bindings := network.PortMap{}
	for _, s := range specs {
		proto := "tcp"
		if i := strings.LastIndex(s, "/"); i >= 0 {
			s, proto = s[:i], s[i+1:]
		}
		parts := strings.Split(s, ":")
		var hostIP, hostPort, ctrPort string
		switch len(parts) {
		case 2:
			hostPort, ctrPort = parts[0], parts[1]
		case 3:
			hostIP, hostPort, ctrPort = parts[0], parts[1], parts[2]
		default:
			return nil, nil, fmt.Errorf("bad -p %q", s)
		}
		port, err := network.ParsePort(ctrPort + "/" + proto)
		if err != nil {
			return nil, nil, err
		}
		b := network.PortBinding{HostPort: hostPort}
		if hostIP != "" {
			if err := b.HostIP.UnmarshalText([]byte(hostIP)); err != nil {
				return nil, nil, err
			}
		}
		exposed[port] = struct{}{}
		bindings[port] = append(bindings[port], b)
	}
	return exposed, bindings, nil
}

// Engine is a fresh Docker engine of its own, started by .ci/engine in a
// network namespace of its own for one test and removed when it ends.
type Engine struct {
	// Name is the engine's .ci/engine name; NetNS the namespace it runs in.
	Name, NetNS string
	// Host is its DOCKER_HOST.
	Host   string
	Client *client.Client
}

// FreshEngine starts dockerd (with its docker-proxy beside it, or Debian's
// for /usr/sbin/dockerd) as a never-used engine named name (at most 9
// characters: it names interfaces), imports the test images into it, and
// stops and removes it, leaving nothing, when the test ends. A fresh engine
// is what rules that depend on the daemon's history (the order of default
// pools) are pinned against.
func FreshEngine(t testing.TB, name, dockerd string) *Engine {
	t.Helper()
	script, err := engineScript()
	if err != nil {
		t.Fatal(err)
	}
	proxy := filepath.Join(filepath.Dir(dockerd), "docker-proxy")
	run := func(args ...string) (string, error) {
		out, err := exec.Command(script, args...).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	run("down", name) // a crashed earlier run's leftovers
	if out, err := run("up", name, dockerd, proxy); err != nil {
		t.Fatalf(".ci/engine up %s %s: %v\n%s", name, dockerd, err, out)
	}
	t.Cleanup(func() {
		if out, err := run("down", name); err != nil {
			t.Errorf(".ci/engine down %s: %v\n%s", name, err, out)
		}
	})
	env, err := run("env", name)
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(env, "DOCKER_HOST=")
	cli, err := client.New(client.WithHost(host), client.WithAPIVersionFromEnv())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := EnsureImages(ctx, cli); err != nil {
		t.Fatal(err)
	}
	return &Engine{Name: name, NetNS: "nvz-" + name, Host: host, Client: cli}
}

// engineScript finds .ci/engine at the top of the module, from a test's
// working directory (its package's).
func engineScript() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, ".ci", "engine"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the test's directory: cannot find .ci/engine")
		}
		dir = parent
	}
}
