package sim

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/render"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/testkit"
)

func run(t *testing.T, script string) (*Engine, error) {
	t.Helper()
	sc, err := scenario.ParseShell(strings.NewReader(script), "s.sh")
	if err != nil {
		t.Fatal(err)
	}
	e := New(Options{})
	return e, e.Apply(sc)
}

func mustRun(t *testing.T, script string) *graph.Index {
	t.Helper()
	e, err := run(t, script)
	if err != nil {
		t.Fatal(err)
	}
	m := e.Model()
	if err := graph.Validate(m); err != nil {
		t.Fatalf("simulated model does not validate: %v", err)
	}
	return graph.NewIndex(m)
}

func ip(t *testing.T, x *graph.Index, ctr, net string) string {
	t.Helper()
	c := x.Container(graph.NewContainerID(ctr))
	if c == nil {
		t.Fatalf("no container %s", ctr)
	}
	for _, ep := range c.Endpoints {
		if ep.Network == graph.NewNetworkID(net) {
			return graph.PrefixText(ep.IPv4)
		}
	}
	return ""
}

// TestDockerBehaviour pins what the engine reproduces, one finding a row.
func TestDockerBehaviour(t *testing.T) {
	tests := []struct {
		name, script string
		check        func(t *testing.T, x *graph.Index)
	}{
		{"default bridge: 172.17.0.0/16, .2, .3 in start order", "docker run -d --name aa img\ndocker run -d --name bb img", func(t *testing.T, x *graph.Index) {
			if ip(t, x, "aa", "bridge") != "172.17.0.2/16" || ip(t, x, "bb", "bridge") != "172.17.0.3/16" {
				t.Errorf("a %s b %s", ip(t, x, "aa", "bridge"), ip(t, x, "bb", "bridge"))
			}
		}},
		{"create allocates nothing until start", "docker create --name aa img\ndocker run -d --name bb img\ndocker start aa", func(t *testing.T, x *graph.Index) {
			if ip(t, x, "bb", "bridge") != "172.17.0.2/16" || ip(t, x, "aa", "bridge") != "172.17.0.3/16" {
				t.Error("addresses follow start order, not create order")
			}
		}},
		{"user networks take the next default pools", "docker network create n1\ndocker network create n2\ndocker run -d --name aa --net n2 img", func(t *testing.T, x *graph.Index) {
			if x.Network("net:n1").Subnets[0].Subnet.String() != "172.18.0.0/16" || x.Network("net:n2").Subnets[0].Gateway.String() != "172.19.0.1" || ip(t, x, "aa", "n2") != "172.19.0.2/16" {
				t.Errorf("n1 %+v n2 %+v", x.Network("net:n1").Subnets, x.Network("net:n2").Subnets)
			}
		}},
		{"a custom subnet is skipped by the pools", "docker network create --subnet 172.18.0.0/16 mine\ndocker network create next", func(t *testing.T, x *graph.Index) {
			if got := x.Network("net:next").Subnets[0].Subnet; got.String() != "172.19.0.0/16" {
				t.Errorf("next %s", got)
			}
		}},
		// Measured: macvlan lab, --ip-range 192.168.77.64/26 → c1 got .64.
		{"--ip-range: its own first address is handed out", "docker network create --subnet=172.72.0.0/16 --ip-range=172.72.0.128/25 --gateway=172.72.0.1 c\ndocker run -d --name aa --net c img", func(t *testing.T, x *graph.Index) {
			if got := ip(t, x, "aa", "c"); got != "172.72.0.128/16" {
				t.Errorf("aa %s, want the first address of the range", got)
			}
		}},
		// Measured: custom-subnet lab, --ip-range 172.72.0.0/24 → 172.72.0.2
		// (.0 is the subnet's network address, .1 the gateway).
		{"--ip-range at the subnet's start skips network address and gateway", "docker network create --subnet=172.72.0.0/16 --ip-range=172.72.0.0/24 --gateway=172.72.0.1 c\ndocker run -d --name aa --net c img", func(t *testing.T, x *graph.Index) {
			if got := ip(t, x, "aa", "c"); got != "172.72.0.2/16" {
				t.Errorf("aa %s", got)
			}
		}},
		// Measured on docker.io 20.10.24 (n1 stopped and started: 172.24.0.2 again).
		{"stop releases; start takes the lowest free address, its old one", "docker network create n\ndocker run -d --name aa --net n img\ndocker run -d --name bb --net n img\ndocker stop aa\ndocker start aa", func(t *testing.T, x *graph.Index) {
			if got := ip(t, x, "aa", "n"); got != "172.18.0.2/16" {
				t.Errorf("a restarted at %s", got)
			}
		}},
		// Measured: s1 removed, s3 then got 172.17.0.2.
		{"rm releases; the freed address is handed out next", "docker run -d --name aa img\ndocker run -d --name bb img\ndocker rm -f aa\ndocker run -d --name cc img", func(t *testing.T, x *graph.Index) {
			if got := ip(t, x, "cc", "bridge"); got != "172.17.0.2/16" {
				t.Errorf("c %s", got)
			}
		}},
		// Measured: created on bridge, connected to pinned while stopped, started:
		// eth0 bridge, eth1 pinned.
		{"connect while stopped: interfaces in connection order at start", "docker network create --subnet 10.10.0.0/24 p\ndocker create --name ce img\ndocker network connect p ce\ndocker start ce", func(t *testing.T, x *graph.Index) {
			c := x.Container("ctr:ce")
			if c.Endpoints[0].Interface != "ns:ce/eth0" || c.Endpoints[1].Interface != "ns:ce/eth1" || ip(t, x, "ce", "p") != "10.10.0.2/24" {
				t.Errorf("%+v", c.Endpoints)
			}
		}},
		{"--ip pins an address", "docker network create --subnet 10.1.0.0/24 p\ndocker run -d --name aa --net p --ip 10.1.0.77 img\ndocker run -d --name bb --net p img", func(t *testing.T, x *graph.Index) {
			if ip(t, x, "aa", "p") != "10.1.0.77/24" || ip(t, x, "bb", "p") != "10.1.0.2/24" {
				t.Error("pinned address")
			}
		}},
		{"container: shares the namespace, no new veth", "docker run -d --name aa img\ndocker run -d --name bb --net container:aa img", func(t *testing.T, x *graph.Index) {
			a, b := x.Container("ctr:aa"), x.Container("ctr:bb")
			if a.Namespace != b.Namespace || b.SharesWith != "ctr:aa" || len(x.InterfacesIn(a.Namespace)) != 2 {
				t.Errorf("a %+v b %+v", a, b)
			}
		}},
		{"host and none", "docker run -d --name hh --net host img\ndocker run -d --name nn --net none img", func(t *testing.T, x *graph.Index) {
			if x.Container("ctr:hh").Namespace != "host" || len(x.InterfacesIn(x.Container("ctr:nn").Namespace)) != 1 {
				t.Error("host/none namespaces")
			}
		}},
		{"aliases answer on their network only; default bridge has no DNS", "docker network create n\ndocker run -d --name aa --net n --net-alias x img\ndocker run -d --name bb --net n --net-alias x img\ndocker run -d --name cc img", func(t *testing.T, x *graph.Index) {
			if len(x.EdgesFrom("dns:net:n/x")) != 2 || x.Name("dns:net:bridge/cc") != nil {
				t.Error("names")
			}
		}},
		// Measured: client on zeta (first) and alpha, alias svc on both → only
		// alpha's address.
		{"a client on two networks gets the first network's answers, by name", "docker network create zeta\ndocker network create alpha\ndocker run -d --name on-zeta --net zeta --net-alias svc img\ndocker run -d --name on-alpha --net alpha --net-alias svc img\ndocker run -d --name client2 --net zeta img\ndocker network connect alpha client2", func(t *testing.T, x *graph.Index) {
			edges, via := dockerrules.Resolve(x, x.Container("ctr:client2"), "svc")
			if len(edges) != 1 || edges[0].To != "ctr:on-alpha" || via != graph.NameEmbeddedDNS {
				t.Errorf("svc → %+v via %s", edges, via)
			}
			if edges, _ := dockerrules.Resolve(x, x.Container("ctr:on-zeta"), "svc"); len(edges) != 1 || edges[0].To != "ctr:on-zeta" {
				t.Errorf("on-zeta gets %+v", edges)
			}
		}},
		{"--link on the default bridge writes /etc/hosts", "docker run -d --name db img\ndocker run -d --name web --link db:mysql img", func(t *testing.T, x *graph.Index) {
			n := x.Name("dns:ctr:web/mysql")
			if n == nil || n.Source != graph.NameHosts || x.EdgesFrom(n.ID)[0].Label != "172.17.0.2" {
				t.Errorf("mysql %+v", n)
			}
		}},
		{"--link on a user network is a DNS alias for the linker", "docker network create n\ndocker run -d --name db --net n img\ndocker run -d --name web --net n --link db:mysql img", func(t *testing.T, x *graph.Index) {
			n := x.Name("dns:ctr:web/mysql")
			if n == nil || n.Source != graph.NameEmbeddedDNS {
				t.Errorf("mysql %+v", n)
			}
		}},
		// Measured: on na, connect nb, disconnect na, connect nc, connect na:
		// eth0, eth1, then eth2 and eth3 (numbers never reused while running);
		// after a restart na, nb, nc became eth0, eth1, eth2 (by name).
		{"interface numbers while running and after a restart", "docker network create na\ndocker network create nb\ndocker network create nc\ndocker run -d --name mono --net na img\ndocker network connect nb mono\ndocker network disconnect na mono\ndocker network connect nc mono\ndocker network connect na mono", func(t *testing.T, x *graph.Index) {
			want := map[graph.NetworkID]graph.InterfaceID{"net:na": "ns:mono/eth3", "net:nb": "ns:mono/eth1", "net:nc": "ns:mono/eth2"}
			for _, ep := range x.Container("ctr:mono").Endpoints {
				if ep.Interface != want[ep.Network] {
					t.Errorf("%s on %s, want %s", ep.Interface, ep.Network, want[ep.Network])
				}
			}
		}},
		{"restart renumbers by network name, internal last", "docker network create na\ndocker network create nb\ndocker network create --internal aa\ndocker run -d --name mono --net nb img\ndocker network connect aa mono\ndocker network connect na mono\ndocker restart mono", func(t *testing.T, x *graph.Index) {
			want := map[graph.NetworkID]graph.InterfaceID{"net:na": "ns:mono/eth0", "net:nb": "ns:mono/eth1", "net:aa": "ns:mono/eth2"}
			for _, ep := range x.Container("ctr:mono").Endpoints {
				if ep.Interface != want[ep.Network] {
					t.Errorf("%s on %s, want %s", ep.Interface, ep.Network, want[ep.Network])
				}
			}
		}},
		{"connect adds eth1; disconnect releases", "docker network create n\ndocker run -d --name aa img\ndocker network connect n aa\ndocker network disconnect bridge aa", func(t *testing.T, x *graph.Index) {
			c := x.Container("ctr:aa")
			if len(c.Endpoints) != 1 || c.Endpoints[0].Interface != "ns:aa/eth1" {
				t.Errorf("%+v", c.Endpoints)
			}
		}},
		{"-p without a host port gets an ephemeral one; both families", "docker run -d --name aa -p 80 img", func(t *testing.T, x *graph.Index) {
			ps := x.Model.Ports
			if len(ps) != 2 || ps[0].HostPort != 49153 {
				t.Errorf("%+v", ps)
			}
		}},
		{"macvlan hangs off its parent; eth0.10 is a vlan of eth0", "docker network create -d macvlan --subnet 192.168.77.0/24 -o parent=eth0.10 mv\ndocker run -d --name mm --net mv img", func(t *testing.T, x *graph.Index) {
			ifc := x.Interface(x.Container("ctr:mm").Endpoints[0].Interface)
			if ifc.Kind != graph.KindMacvlan || x.Lower(ifc.ID) != "host/eth0.10" || x.Lower("host/eth0.10") != "host/eth0" {
				t.Errorf("%+v", ifc)
			}
		}},
		{"ICC off and internal are carried", "docker network create -o com.docker.network.bridge.enable_icc=false q\ndocker network create --internal i", func(t *testing.T, x *graph.Index) {
			if x.Network("net:q").ICC || !x.Network("net:i").Internal {
				t.Error("flags")
			}
		}},
		// Docker 20.10 and 29 alike: gateway ::1, containers ::2, ::3 in
		// start order; the IPv4 pool still comes from the defaults.
		{"--ipv6 --subnet: IPv6 beside IPv4, ::1 gateway, ::2 and ::3 in start order", "docker network create --ipv6 --subnet fd00:1::/64 v6net\ndocker create --name aa --net v6net img\ndocker run -d --name bb --net v6net img\ndocker start aa", func(t *testing.T, x *graph.Index) {
			n := x.Network("net:v6net")
			// 20.10's inspect lists no gateway for a --subnet without
			// --gateway (rule ipam.inspect-gateway); the bridge holds it.
			if len(n.Subnets) != 2 || n.Subnets[0].Subnet.String() != "172.18.0.0/16" || n.Subnets[1] != (graph.Subnet{Subnet: netip.MustParsePrefix("fd00:1::/64")}) || !n.EnableIPv6 {
				t.Errorf("subnets %+v", n.Subnets)
			}
			if br := x.Interface(n.Bridge); fmt.Sprint(br.Addrs) != "[172.18.0.1/16 fd00:1::1/64]" {
				t.Errorf("bridge addrs %v", br.Addrs)
			}
			bb, aa := x.Container("ctr:bb").Endpoints[0], x.Container("ctr:aa").Endpoints[0]
			if bb.IPv4.String() != "172.18.0.2/16" || bb.IPv6.String() != "fd00:1::2/64" || aa.IPv6.String() != "fd00:1::3/64" {
				t.Errorf("bb %+v aa %+v", bb, aa)
			}
			if got := x.Interface(aa.Interface).Addrs; fmt.Sprint(got) != "[172.18.0.3/16 fd00:1::3/64]" {
				t.Errorf("aa eth0 %v", got)
			}
		}},
		{"stop releases the IPv6 address too", "docker network create --ipv6 --subnet fd00:1::/64 n\ndocker run -d --name aa --net n img\ndocker stop aa\ndocker run -d --name bb --net n img\ndocker start aa", func(t *testing.T, x *graph.Index) {
			if got := x.Container("ctr:bb").Endpoints[0].IPv6; got.String() != "fd00:1::2/64" {
				t.Errorf("bb %s", got)
			}
			if got := x.Container("ctr:aa").Endpoints[0].IPv6; got.String() != "fd00:1::3/64" {
				t.Errorf("aa %s", got)
			}
		}},
		{"dual stack with an IPv6 gateway and range", "docker network create --ipv6 --subnet 10.7.0.0/24 --subnet fd00:7::/64 --gateway fd00:7::fe --ip-range fd00:7::80/121 d\ndocker run -d --name aa --net d img", func(t *testing.T, x *graph.Index) {
			ep := x.Container("ctr:aa").Endpoints[0]
			if ep.IPv4.String() != "10.7.0.2/24" || ep.IPv6.String() != "fd00:7::80/64" || x.Network("net:d").Subnets[1].Gateway.String() != "fd00:7::fe" {
				t.Errorf("%+v %+v", ep, x.Network("net:d").Subnets)
			}
		}},
		// libnetwork allocates an IPv6 pool only with --ipv6.
		{"an IPv6 subnet without --ipv6, or --ipv6 without one: no IPv6 address", "docker network create --subnet fd00:1::/64 a\ndocker network create --ipv6 b\ndocker run -d --name aa --net a img\ndocker run -d --name bb --net b img", func(t *testing.T, x *graph.Index) {
			for _, c := range []graph.ContainerID{"ctr:aa", "ctr:bb"} {
				if ep := x.Container(c).Endpoints[0]; ep.IPv6.IsValid() || !ep.IPv4.IsValid() {
					t.Errorf("%s %+v", c, ep)
				}
			}
			if len(x.Network("net:a").Subnets) != 1 || !strings.Contains(strings.Join(x.Model.Warnings, "\n"), "--subnet fd00:1::/64 is ignored without --ipv6") {
				t.Errorf("%+v %v", x.Network("net:a").Subnets, x.Model.Warnings)
			}
		}},
		{"bulk stop and rm", "docker run -d --name aa img\ndocker run -d --name bb img\ndocker stop $(docker ps -a -q)\ndocker rm $(docker ps -a -q)", func(t *testing.T, x *graph.Index) {
			if len(x.Model.Containers) != 0 {
				t.Error("containers left")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, mustRun(t, tt.script)) })
	}
}

func TestDaemonErrors(t *testing.T) {
	tests := []struct{ script, want string }{
		{"docker run --name a img", "Invalid container name (a), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"},
		{"docker run --name aa img\ndocker run --name aa img", `s.sh:2:1: Error response from daemon: Conflict. The container name "/aa" is already in use`},
		{"docker run --net nope img", "network nope not found"},
		{"docker run -d --name aa img\ndocker rm aa", "You cannot remove a running container"},
		{"docker network create n\ndocker run -d --net n img\ndocker network rm n", "has active endpoints"},
		{"docker network rm bridge", "bridge is a pre-defined network and cannot be removed"},
		{"docker network create n\ndocker network create n", "network with name n already exists"},
		{"docker run --ip 172.17.0.9 img", "user specified IP address is supported only when connecting to networks with user configured subnets"},
		{"docker run --net-alias x img", "network-scoped aliases are only supported for user-defined networks"},
		{"docker create --name aa img\ndocker run --net container:aa img", "cannot join network of a non running container"},
		{"docker run --link ghost:g img", "could not get container for ghost"},
		{"docker network create --subnet 172.17.5.0/24 x", "Pool overlaps"},
		{"docker run -d --name aa --net host img\ndocker network connect bridge aa", "cannot be connected to any other network"},
		{"docker network create n\ndocker run -d --name aa img\ndocker network disconnect n aa", "is not connected to network n"},
		{"docker stop ghost", "No such container: ghost"},
		{"docker network create --subnet 10.9.0.0/30 tiny\ndocker run -d --net tiny img\ndocker run -d --net tiny img", "no available IPv4 addresses"},
		{"docker network create --ipv6 --subnet fd00::/64 a\ndocker network create --ipv6 --subnet fd00::/80 b", "s.sh:2:1: Error response from daemon: Pool overlaps"},
		{"docker network create --ipv6 --subnet fd00::/64 --gateway fd01::1 x", "Invalid gateway fd01::1: It does not belong to fd00::/64"},
		{"docker network create --ipv6 --subnet fd00::/127 n\ndocker run -d --net n img\ndocker run -d --net n img", "no available IPv6 addresses"},
		{"docker network create --subnet 10.3.0.0/24 n\ndocker run -d --name aa img\ndocker network connect --ip 10.4.0.9 n aa", "Invalid address 10.4.0.9"},
		{"docker run --net $'\\e[2Jnope' img", `network \x1b[2Jnope not found`},
		{"docker run -d --name " + strings.Repeat("a", 10000) + " img\ndocker stop " + strings.Repeat("a", 9999), "No such container: aaaa"},
	}
	for _, tt := range tests {
		_, err := run(t, tt.script)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want %q", tt.script, err, tt.want)
		}
	}
}

// TestGoldenScenarios simulates every script in testdata and pins the model
// (JSON) and the text summary.
func TestGoldenScenarios(t *testing.T) {
	// The seed scripts and the compose file live with the parser's tests;
	// the engine's own edge cases live here. Goldens all go to testdata/.
	files, _ := filepath.Glob(filepath.Join("testdata", "*.sh"))
	seeds, _ := filepath.Glob(filepath.Join("..", "scenario", "testdata", "seed-*.sh"))
	files = append(files, seeds...)
	files = append(files, filepath.Join("..", "scenario", "testdata", "compose-seed", "compose.yaml"))
	if len(files) < 3 {
		t.Fatalf("only %d scenarios", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var sc *scenario.Scenario
			if scenario.IsCompose(f) {
				sc, err = scenario.ParseCompose(context.Background(), r, f)
			} else {
				sc, err = scenario.ParseShell(r, filepath.Base(f))
			}
			if err != nil {
				t.Fatal(err)
			}
			e := New(Options{})
			if err := e.Apply(sc); err != nil {
				t.Fatal(err)
			}
			m := e.Model()
			if err := graph.Validate(m); err != nil {
				t.Fatal(err)
			}
			var js, text bytes.Buffer
			graph.WriteJSON(&js, m)
			render.Text(&text, m)
			for ext, got := range map[string][]byte{".model.json": js.Bytes(), ".text": text.Bytes()} {
				base := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(f), ".sh"), ".yaml")
				if base == "compose" {
					base = "compose-seed"
				}
				testkit.Golden(t, filepath.Join("testdata", base+ext+".golden"), got)
			}
		})
	}
}

// TestDaemonErrorsAreClean: a name from the script reaches the terminal
// escaped and cut short, never raw.
func TestDaemonErrorsAreClean(t *testing.T) {
	long := strings.Repeat("x", 10000)
	for _, script := range []string{
		"docker run --net $'\\e[2J\\e]0;pwned\\a" + long + "' img",
		"docker network rm $'\\e[31m" + long + "'",
		"docker stop $'\\e[31mghost'",
		"docker network create --ipv6 --subnet fd00::/127 $'\\e[1mn'\ndocker run -d --net $'\\e[1mn' img\ndocker run -d --net $'\\e[1mn' img",
	} {
		_, err := run(t, script)
		if err == nil {
			t.Fatalf("%.40q: no error", script)
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\x1b\x07") || len(msg) > 400 || !strings.Contains(msg, `\x1b`) {
			t.Errorf("message %.300q", msg)
		}
	}
}
