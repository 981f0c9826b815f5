package swarmtest

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const twoNodes = "name=nvz-sw1,host=unix:///run/nvz-sw1/docker.sock,netns=nvz-sw1,execroot=/run/nvz-sw1/exec,addr=10.252.0.1,pid=101,log=/run/nvz-sw1/dockerd.log;" +
	"name=nvz-sw2,host=unix:///run/nvz-sw2/docker.sock,netns=nvz-sw2,execroot=/run/nvz-sw2/exec/,addr=10.252.0.2,pid=202"

func TestParse(t *testing.T) {
	got, err := Parse(twoNodes + "\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []Node{
		{Name: "nvz-sw1", DockerHost: "unix:///run/nvz-sw1/docker.sock", NetNS: "nvz-sw1", ExecRoot: "/run/nvz-sw1/exec",
			Addr: netip.MustParseAddr("10.252.0.1"), PID: 101, Log: "/run/nvz-sw1/dockerd.log"},
		{Name: "nvz-sw2", DockerHost: "unix:///run/nvz-sw2/docker.sock", NetNS: "nvz-sw2", ExecRoot: "/run/nvz-sw2/exec",
			Addr: netip.MustParseAddr("10.252.0.2"), PID: 202},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Parse:\n got %+v\nwant %+v", got, want)
	}
	if p := got[0].SandboxPath("lb_4j0scxnq2"); p != "/proc/101/root/run/nvz-sw1/exec/netns/lb_4j0scxnq2" {
		t.Errorf("SandboxPath = %s", p)
	}
	if p := got[1].HostPath("/run/nvz-sw2/exec/netns/79d192bed74c"); p != "/proc/202/root/run/nvz-sw2/exec/netns/79d192bed74c" {
		t.Errorf("HostPath = %s", p)
	}
	if p := got[1].NetNSPath(); p != "/run/netns/nvz-sw2" {
		t.Errorf("NetNSPath = %s", p)
	}
}

func TestParseErrors(t *testing.T) {
	one := "name=a,host=unix:///a.sock,netns=a,execroot=/run/a/exec,addr=10.0.0.1,pid=1"
	for _, tc := range []struct{ in, want string }{
		{"", "is empty"},
		{"  ", "is empty"},
		{strings.Replace(one, "name=a,", "", 1), "node 1: no name"},
		{strings.Replace(one, ",pid=1", "", 1), "node 1: no pid"},
		{one + ";" + strings.Replace(one, "addr=10.0.0.1", "addr=10.0.0.300", 1), "node 2: addr:"},
		{one + ";" + one, `node 2: name "a" given twice`},
		{one + ",pid=2", `key "pid" given twice`},
		{one + ",color=red", `unknown key "color"`},
		{one + ",log", `field "log" is not key=value`},
		{one + ",log=", `field "log=" is not key=value`},
		{strings.Replace(one, "unix:///a.sock", "/a.sock", 1), "not a unix:// or tcp:// URL"},
		{strings.Replace(one, "netns=a", "netns=/run/netns/a", 1), "is a path, not a name"},
		{strings.Replace(one, "/run/a/exec", "run/a/exec", 1), "not an absolute path"},
		{strings.Replace(one, "pid=1", "pid=0", 1), "not a process id"},
		{strings.Replace(one, "pid=1", "pid=x", 1), "not a process id"},
		{one + ";", "node 2:"},
	} {
		_, err := Parse(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), EnvVar) {
			t.Errorf("Parse(%q) = %v, want an error naming %s and containing %q", tc.in, err, EnvVar, tc.want)
		}
	}
}

// TestDecide: without NETVIZ_E2E=1 a swarm test skips whatever the test
// bed; with it, an unset, empty or malformed NETVIZ_SWARM fails it.
func TestDecide(t *testing.T) {
	for _, tc := range []struct {
		name       string
		e2e, set   bool
		env        string
		skip, fail string
		nodes      int
	}{
		{name: "off, unset", skip: "NETVIZ_E2E=1"},
		{name: "off, set", set: true, env: twoNodes, skip: "NETVIZ_E2E=1"},
		{name: "on, unset", e2e: true, fail: "NETVIZ_SWARM is not set"},
		{name: "on, empty", e2e: true, set: true, fail: "NETVIZ_SWARM is not set"},
		{name: "on, malformed", e2e: true, set: true, env: "name=x", fail: "no host"},
		{name: "on, set", e2e: true, set: true, env: twoNodes, nodes: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := decide(tc.e2e, tc.env, tc.set)
			switch {
			case tc.skip != "":
				if !strings.Contains(d.skip, tc.skip) || d.err != nil {
					t.Errorf("decide = %+v, want a skip naming %q", d, tc.skip)
				}
			case tc.fail != "":
				if d.err == nil || !strings.Contains(d.err.Error(), tc.fail) || d.skip != "" {
					t.Errorf("decide = %+v, want a failure containing %q", d, tc.fail)
				}
			default:
				if d.err != nil || d.skip != "" || len(d.nodes) != tc.nodes {
					t.Errorf("decide = %+v, want %d nodes", d, tc.nodes)
				}
			}
		})
	}
}

func TestLBNS(t *testing.T) {
	if got := LBNS("4j0scxnq2yxd49modrqvfvax4"); got != "lb_4j0scxnq2" {
		t.Errorf("LBNS = %s, want lb_4j0scxnq2", got)
	}
}

// TestOverlayNS: the overlay's namespace is "<epoch>-" and the network ID
// cut to 12 characters; a re-created one (higher epoch) wins, and the
// ingress network's, the lb_ one and containers' are not taken for it.
func TestOverlayNS(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"1-4j0scxnq2y", "2-4j0scxnq2y", "1-03ut0hne8e", "lb_4j0scxnq2", "79d192bed74c", "ingress_sbox"} {
		if err := os.MkdirAll(filepath.Join(root, "netns"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "netns", f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n := Node{Name: "n", ExecRoot: root, PID: os.Getpid()}
	if got, err := n.OverlayNS("4j0scxnq2yxd49modrqvfvax4"); err != nil || got != "2-4j0scxnq2y" {
		t.Errorf("OverlayNS = %q, %v; want 2-4j0scxnq2y", got, err)
	}
	if got, err := n.OverlayNS("03ut0hne8e7m"); err != nil || got != "1-03ut0hne8e" {
		t.Errorf("OverlayNS(ingress) = %q, %v; want 1-03ut0hne8e", got, err)
	}
	if _, err := n.OverlayNS("zzzzzzzzzzzz"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OverlayNS(absent) = %v, want ErrNotExist", err)
	}
}
