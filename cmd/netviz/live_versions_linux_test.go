package main

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/dockertest"
)

// engines are the real engines the version table is pinned against, each
// started fresh for the test: Debian's 20.10, and Docker 29 built from the
// module proxy (.ci/run sets NETVIZ_DOCKERD_29 to it).
func engines(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{"20.10": "/usr/sbin/dockerd"}
	if d := os.Getenv("NETVIZ_DOCKERD_29"); d != "" {
		out["29"] = d
	} else {
		t.Errorf("NETVIZ_DOCKERD_29 is unset: the Docker 29 rows are not pinned (.ci/run builds it: .ci/engine build v2.0.0-beta.24)")
	}
	return out
}

// TestLiveVersionTable pins each row of README's version table against
// fresh engines: what inspect, the kernel and the container see, by engine
// version; then `netviz verify --fresh-engine` of a scenario that crosses
// every boundary must agree 100 % with `sim --engine-version` of the same
// engine — every subnet, address, gateway, MAC that the simulation claims,
// interface name, DNS answer set and reachability cell.
func TestLiveVersionTable(t *testing.T) {
	dockertest.Require(t)
	bin := buildNetviz(t)
	for major, dockerd := range engines(t) {
		tag := strings.ReplaceAll(major, ".", "")
		t.Run(major, func(t *testing.T) {
			t.Run("rows", func(t *testing.T) {
				e := dockertest.FreshEngine(t, "vt"+tag, dockerd)
				pinRows(t, major, e)
				// Now it has networks: --fresh-engine is refused, by name.
				refuseNotFresh(t, bin, e)
			})
			// verify needs an engine that never made a network.
			t.Run("verify", func(t *testing.T) { verifyFresh(t, bin, dockertest.FreshEngine(t, "vf"+tag, dockerd), "versions.sh") })
			if major != "20.10" {
				t.Run("verify-options28", func(t *testing.T) {
					verifyFresh(t, bin, dockertest.FreshEngine(t, "vo"+tag, dockerd), "options28.sh")
				})
				t.Run("nftables", func(t *testing.T) {
					t.Setenv("NVZ_FIREWALL_BACKEND", "nftables")
					e := dockertest.FreshEngine(t, "vn"+tag, dockerd)
					nftablesReach(t, bin, e)
					// IPv4 only: this backend will not create an IPv6
					// network while the namespace does not forward IPv6
					// (it leaves the sysctl to the admin).
					verifyFresh(t, bin, e, "options28.sh")
				})
			}
		})
	}
}

// pinRows builds the table's cases with the Docker API on a fresh engine
// and checks each against the engine's version.
func pinRows(t *testing.T, major string, e *dockertest.Engine) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cli := e.Client
	v29 := major == "29"
	lbl := map[string]string{dockertest.Label: dockertest.LabelValue}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	netCreate := func(name string, o client.NetworkCreateOptions) {
		t.Helper()
		o.Labels = lbl
		_, err := cli.NetworkCreate(ctx, name, o)
		must(err)
	}
	subnet := func(name string) []string {
		t.Helper()
		res, err := cli.NetworkInspect(ctx, name, client.NetworkInspectOptions{})
		must(err)
		var out []string
		for _, c := range res.Network.IPAM.Config {
			s := c.Subnet.String()
			if c.Gateway.IsValid() {
				s += " gw " + c.Gateway.String()
			}
			out = append(out, s)
		}
		return out
	}
	run := func(name, net string, extra func(*container.HostConfig, *network.NetworkingConfig)) container.InspectResponse {
		t.Helper()
		hc := &container.HostConfig{NetworkMode: container.NetworkMode(net)}
		nc := &network.NetworkingConfig{}
		if extra != nil {
			extra(hc, nc)
		}
		_, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: name,
			Config: &container.Config{Image: dockertest.Image, Labels: lbl}, HostConfig: hc, NetworkingConfig: nc})
		must(err)
		_, err = cli.ContainerStart(ctx, name, client.ContainerStartOptions{})
		must(err)
		res, err := cli.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
		must(err)
		return res.Container
	}
	inNS := func(c container.InspectResponse, args ...string) string {
		t.Helper()
		out, err := exec.Command("nsenter", append([]string{"-t", strconv.Itoa(c.State.Pid), "-n"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("nsenter %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	want := func(row string, got, want20, want29 any) {
		t.Helper()
		w := want20
		if v29 {
			w = want29
		}
		if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("%s on %s: got %v, want %v", row, major, got, w)
		}
	}

	// Default-pool subnets: round-robin up to 26, lowest free from 27.
	for _, n := range []string{"p1", "p2", "p3"} {
		netCreate(n, client.NetworkCreateOptions{})
	}
	_, err := cli.NetworkRemove(ctx, "p2", client.NetworkRemoveOptions{})
	must(err)
	var pools []string
	for _, n := range []string{"p4", "p5", "p6"} {
		netCreate(n, client.NetworkCreateOptions{})
		pools = append(pools, subnet(n)[0])
	}
	want("default pools after rm of the second", pools,
		[]string{"172.21.0.0/16 gw 172.21.0.1", "172.22.0.0/16 gw 172.22.0.1", "172.23.0.0/16 gw 172.23.0.1"},
		[]string{"172.19.0.0/16 gw 172.19.0.1", "172.21.0.0/16 gw 172.21.0.1", "172.22.0.0/16 gw 172.22.0.1"})

	// MAC: 02:42 + IPv4 up to 27, random from 28; NetworkMode of a plain run.
	plain := run("plain", "", nil)
	ep := plain.NetworkSettings.Networks["bridge"]
	derived := fmt.Sprintf("02:42:%02x:%02x:%02x:%02x", ep.IPAddress.As4()[0], ep.IPAddress.As4()[1], ep.IPAddress.As4()[2], ep.IPAddress.As4()[3])
	want("MAC from the IPv4 address", ep.MacAddress.String() == derived, true, false)
	want("NetworkMode of a plain docker run", plain.HostConfig.NetworkMode, "default", "bridge")
	want("::1 on lo of an IPv4-only container", strings.Contains(inNS(plain, "ip", "-6", "addr", "show", "lo"), "::1/128"), false, true)

	// --internal: gateway and default route on 20.10, neither on 29.
	netCreate("in1", client.NetworkCreateOptions{Internal: true})
	in := run("in", "in1", nil)
	want("--internal endpoint gateway", in.NetworkSettings.Networks["in1"].Gateway.IsValid(), true, false)
	want("--internal default route", strings.Contains(inNS(in, "ip", "route"), "default"), true, false)

	// --link db:database: /etc/hosts on both, environment only on 20.10.
	run("db", "", nil)
	app := run("app", "", func(hc *container.HostConfig, _ *network.NetworkingConfig) { hc.Links = []string{"db:database"} })
	env, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(app.State.Pid), "environ"))
	must(err)
	hosts, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(app.State.Pid), "root", "etc", "hosts"))
	must(err)
	want("--link writes /etc/hosts", strings.Contains(string(hosts), "database"), true, true)
	want("--link sets environment variables", bytes.Contains(env, []byte("DATABASE_NAME=")), true, false)

	// Aliases: the short ID among Aliases on 20.10; DNSNames on 29.
	al := run("al", "p1", func(_ *container.HostConfig, nc *network.NetworkingConfig) {
		nc.EndpointsConfig = map[string]*network.EndpointSettings{"p1": {Aliases: []string{"myalias"}}}
	})
	aep := al.NetworkSettings.Networks["p1"]
	want("short ID in Aliases", slices.Contains(aep.Aliases, al.ID[:12]), true, false)
	want("DNSNames", aep.DNSNames, []string{}, []string{"al", "myalias", al.ID[:12]})

	// IPv6: ::2 and ::3 on both; the IPv6 gateway and pool order differ.
	netCreate("v6", client.NetworkCreateOptions{EnableIPv6: boolPtr(true), IPAM: &network.IPAM{Config: []network.IPAMConfig{{Subnet: netip.MustParsePrefix("fd00:5::/64")}}}})
	a6, b6 := run("a6", "v6", nil), run("b6", "v6", nil)
	want("IPv6 addresses in start order", []string{a6.NetworkSettings.Networks["v6"].GlobalIPv6Address.String(), b6.NetworkSettings.Networks["v6"].GlobalIPv6Address.String()},
		[]string{"fd00:5::2", "fd00:5::3"}, []string{"fd00:5::2", "fd00:5::3"})
	v6 := subnet("v6")
	// (the ninth and eighth default pools: the seventh network, in1, took
	// the one before)
	want("IPv6 pool order and gateway", v6, []string{"172.25.0.0/16 gw 172.25.0.1", "fd00:5::/64"}, []string{"fd00:5::/64 gw fd00:5::1", "172.24.0.0/16 gw 172.24.0.1"})

	// Interface numbers: never reused while running on 20.10, reused on 29.
	ifc := run("ifc", "p1", nil)
	_, err = cli.NetworkDisconnect(ctx, "p1", client.NetworkDisconnectOptions{Container: "ifc"})
	must(err)
	_, err = cli.NetworkConnect(ctx, "p1", client.NetworkConnectOptions{Container: "ifc"})
	must(err)
	want("interface after disconnect and connect", strings.Contains(inNS(ifc, "ip", "-o", "link"), " eth1@"), true, false)

	// macvlan: a gateway only with --gateway on 29 (on the engine's own veth).
	parent := e.Name + "p0"
	out, err := exec.Command("ip", "-n", e.NetNS, "link", "add", parent, "type", "veth", "peer", "name", e.Name+"p1").CombinedOutput()
	if err != nil {
		t.Fatalf("veth in %s: %v\n%s", e.NetNS, err, out)
	}
	exec.Command("ip", "-n", e.NetNS, "link", "set", parent, "up").Run()
	netCreate("mv", client.NetworkCreateOptions{Driver: "macvlan", Options: map[string]string{"parent": parent},
		IPAM: &network.IPAM{Config: []network.IPAMConfig{{Subnet: netip.MustParsePrefix("192.168.93.0/24")}}}})
	mv := run("mv1", "mv", nil)
	mep := mv.NetworkSettings.Networks["mv"]
	want("macvlan without --gateway: endpoint gateway, first address", mep.Gateway.String()+" "+mep.IPAddress.String(),
		"192.168.93.1 192.168.93.2", "invalid IP 192.168.93.1")

	// Isolation: DOCKER-ISOLATION-STAGE-1/2 on 20.10; the DOCKER chain's
	// "! -i br -o br -j DROP" on 29.
	rules, err := exec.Command("ip", "netns", "exec", e.NetNS, "iptables", "-S").CombinedOutput()
	if err != nil {
		t.Fatalf("iptables in %s: %v\n%s", e.NetNS, err, rules)
	}
	want("isolation chains", bytes.Contains(rules, []byte("-N DOCKER-ISOLATION-STAGE-1")), true, false)
}

func boolPtr(b bool) *bool { return &b }

// verifyFresh runs `netviz verify --fresh-engine` of a scenario in
// testdata inside the engine's namespace: the simulation of that engine's
// version must agree with everything the engine built.
func verifyFresh(t *testing.T, bin string, e *dockertest.Engine, scenario string) {
	cmd := exec.Command("ip", "netns", "exec", e.NetNS, bin, "verify", "--fresh-engine", filepath.Join("testdata", scenario))
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+e.Host)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("verify --fresh-engine %s on %s: %v\n%s%s", scenario, e.Name, err, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "(100.0%)") {
		t.Errorf("verify on %s:\n%s", e.Name, out.String())
	}
	t.Log(strings.SplitN(out.String(), "\n", 2)[0])
}

// refuseNotFresh: verify --fresh-engine on an engine with networks of its
// own is a usage error naming them, before anything is built.
func refuseNotFresh(t *testing.T, bin string, e *dockertest.Engine) {
	cmd := exec.Command("ip", "netns", "exec", e.NetNS, bin, "verify", "--fresh-engine", filepath.Join("testdata", "versions.sh"))
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+e.Host)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != exitUsage || !strings.Contains(errb.String(), "--fresh-engine: the engine already has") || !strings.Contains(errb.String(), "in1") {
		t.Errorf("verify --fresh-engine on a used engine: %v (exit %d)\n%s%s", err, code, out.String(), errb.String())
	}
}

// nftablesReach: with Docker 28+'s nftables backend, reach measures the
// same isolation and names the backend's per-bridge chain as the reason.
func nftablesReach(t *testing.T, bin string, e *dockertest.Engine) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	lbl := map[string]string{dockertest.Label: dockertest.LabelValue}
	for _, n := range []string{"na", "nb"} {
		if _, err := e.Client.NetworkCreate(ctx, n, client.NetworkCreateOptions{Labels: lbl}); err != nil {
			t.Fatal(err)
		}
		name := "c" + n
		if _, err := e.Client.ContainerCreate(ctx, client.ContainerCreateOptions{Name: name,
			Config: &container.Config{Image: dockertest.Image, Labels: lbl}, HostConfig: &container.HostConfig{NetworkMode: container.NetworkMode(n)}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Client.ContainerStart(ctx, name, client.ContainerStartOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", e.NetNS, bin, "reach")
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+e.Host)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("reach on an nftables engine: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "0 unexpected") || strings.Count(string(out), "nftables: the docker-bridges chain filter-forward-in__br-") != 2 {
		t.Errorf("reach on an nftables engine:\n%s", out)
	}
	// The containers and networks go before verify: it needs a fresh engine.
	for _, n := range []string{"na", "nb"} {
		if _, err := e.Client.ContainerRemove(ctx, "c"+n, client.ContainerRemoveOptions{Force: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Client.NetworkRemove(ctx, n, client.NetworkRemoveOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}
