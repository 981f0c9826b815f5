package sim

import (
	"bytes"
	"context"
	"fmt"
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

// goldenVersions are the releases the per-version goldens pin, oldest
// first. 20.10's are the goldens of TestGoldenScenarios (testdata/*.golden);
// the others are in testdata/versions/, 27's and 28's only where they
// differ from the release before them in this list.
var goldenVersions = []string{"20.10", "27", "28", "29"}

// versionScenarios are the scripts simulated on every release: the seed
// scripts, the compose seed and the scenario that crosses the boundaries.
func versionScenarios(t *testing.T) map[string]*scenario.Scenario {
	t.Helper()
	out := map[string]*scenario.Scenario{}
	files, _ := filepath.Glob(filepath.Join("..", "scenario", "testdata", "seed-*.sh"))
	files = append(files, filepath.Join("testdata", "crossing.sh"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := scenario.ParseShell(bytes.NewReader(data), filepath.Base(f))
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".sh")] = sc
	}
	f := filepath.Join("..", "scenario", "testdata", "compose-seed", "compose.yaml")
	r, err := os.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sc, err := scenario.ParseCompose(context.Background(), r, f)
	if err != nil {
		t.Fatal(err)
	}
	out["compose-seed"] = sc
	if len(out) < 4 {
		t.Fatalf("only %d scenarios", len(out))
	}
	return out
}

// simulateOn applies sc on a fresh engine of release v and returns the
// model's JSON and text, as `netviz sim --engine-version v` prints them.
func simulateOn(t *testing.T, sc *scenario.Scenario, v string) (js, text []byte) {
	t.Helper()
	e := New(Options{EngineVersion: v})
	if err := e.Apply(sc); err != nil {
		t.Fatalf("%s on %s: %v", sc.File, v, err)
	}
	m := e.Model()
	if err := graph.Validate(m); err != nil {
		t.Fatalf("%s on %s: %v", sc.File, v, err)
	}
	var j, x bytes.Buffer
	if err := graph.WriteJSON(&j, m); err != nil {
		t.Fatal(err)
	}
	if err := render.Text(&x, m); err != nil {
		t.Fatal(err)
	}
	return j.Bytes(), x.Bytes()
}

// TestGoldenByVersion pins what each release builds from the seed scripts,
// the compose seed and crossing.sh: the models of 27, 28 and 29 in
// testdata/versions (27's and 28's only where they differ from the release
// before), 20.10's in testdata. A release without a golden must build what
// the one before it does — the header aside, which names the release.
func TestGoldenByVersion(t *testing.T) {
	for name, sc := range versionScenarios(t) {
		t.Run(name, func(t *testing.T) {
			var prevJS, prevText []byte
			for i, v := range goldenVersions {
				js, text := simulateOn(t, sc, v)
				sameAsPrev := i > 0 && bytes.Equal(unversioned(js, v), unversioned(prevJS, goldenVersions[i-1])) &&
					bytes.Equal(unversioned(text, v), unversioned(prevText, goldenVersions[i-1]))
				base := filepath.Join("testdata", "versions", name+"."+v)
				switch {
				case v == dockerrules.DefaultEngineVersion:
					// TestGoldenScenarios pins it; crossing.sh is among its scripts.
					if _, err := os.Stat(filepath.Join("testdata", name+".text.golden")); err != nil {
						t.Errorf("no 20.10 golden for %s: %v", name, err)
					}
				case sameAsPrev && v != "29":
					for _, ext := range []string{".model.json.golden", ".text.golden"} {
						if _, err := os.Stat(base + ext); err == nil {
							t.Errorf("%s%s is stale: %s builds what %s does (remove it)", base, ext, v, goldenVersions[i-1])
						}
					}
				default:
					testkit.Golden(t, base+".model.json.golden", js)
					testkit.Golden(t, base+".text.golden", text)
				}
				prevJS, prevText = js, text
			}
		})
	}
}

// unversioned blanks the release's name where a model records it.
func unversioned(b []byte, v string) []byte {
	b = bytes.ReplaceAll(b, []byte(`"engine": "`+v+` (simulated)"`), []byte(`"engine": ""`))
	return bytes.ReplaceAll(b, []byte("docker "+v+" (simulated)"), []byte("docker (simulated)"))
}

// TestRulesByVersion pins each rule that differs between releases, one row
// a rule and release: the scenario, and what the model must say.
func TestRulesByVersion(t *testing.T) {
	subnet := func(x *graph.Index, net string, i int) string {
		n := x.Network(graph.NewNetworkID(net))
		if n == nil || i >= len(n.Subnets) {
			return "none"
		}
		s := n.Subnets[i]
		if s.Gateway.IsValid() {
			return s.Subnet.String() + " gw " + s.Gateway.String()
		}
		return s.Subnet.String()
	}
	ep := func(x *graph.Index, ctr, net string) graph.Endpoint {
		c := x.Container(graph.NewContainerID(ctr))
		if c == nil {
			return graph.Endpoint{}
		}
		for _, e := range c.Endpoints {
			if e.Network == graph.NewNetworkID(net) {
				return e
			}
		}
		return graph.Endpoint{}
	}
	const pools = "docker network create n1\ndocker network create n2\ndocker network create n3\ndocker network rm n2\n" +
		"docker network create n4\ndocker network create n5\ndocker network create n6"
	const renumber = "docker network create na\ndocker network create nb\ndocker network create nc\n" +
		"docker run -d --name mono --net na img\ndocker network connect nb mono\ndocker network disconnect na mono\n" +
		"docker network connect nc mono\ndocker network connect na mono"
	tests := []struct {
		rule, script string
		// want maps a release to what check must return on it.
		want  map[string]string
		check func(x *graph.Index) string
	}{
		{"ipam.pool-round-robin / ipam.pool-lowest-free", pools,
			map[string]string{"20.10": "172.21 172.22 172.23", "26": "172.21 172.22 172.23", "27": "172.19 172.21 172.22", "29": "172.19 172.21 172.22"},
			func(x *graph.Index) string {
				var out []string
				for _, n := range []string{"n4", "n5", "n6"} {
					a := x.Network(graph.NewNetworkID(n)).Subnets[0].Subnet.Addr().As4()
					out = append(out, fmt.Sprintf("%d.%d", a[0], a[1]))
				}
				return strings.Join(out, " ")
			}},
		// Round robin wraps by a reset: from the last pool back to the first
		// free one (172.18 once n1 is gone), not to where a modulo would go.
		// Past the last pool the cursor is reset to 0, not taken modulo
		// (which would start at 172.19 and take it).
		{"ipam.pool-round-robin wraps around", wrapScript(),
			map[string]string{"20.10": "172.18.0.0/16", "26": "172.18.0.0/16", "27": "172.18.0.0/16"},
			func(x *graph.Index) string { return x.Network("net:last").Subnets[0].Subnet.String() }},
		{"mac.from-ipv4", "docker network create n\ndocker run -d --name aa --net n img",
			map[string]string{"20.10": "02:42:ac:12:00:02 02:42:ac:12:00:02 02:42:ac:12:00:01", "27": "02:42:ac:12:00:02 02:42:ac:12:00:02 02:42:ac:12:00:01", "28": "  ", "29": "  "},
			func(x *graph.Index) string {
				e := ep(x, "aa", "n")
				return e.MAC + " " + x.Interface(e.Interface).MAC + " " + x.Interface(x.Network("net:n").Bridge).MAC
			}},
		{"ep.internal-default-route", "docker network create --internal i\ndocker run -d --name aa --net i img",
			map[string]string{"20.10": "172.18.0.1 / 172.18.0.0/16 gw 172.18.0.1", "24": "172.18.0.1 / 172.18.0.0/16 gw 172.18.0.1",
				"25": "invalid IP / 172.18.0.0/16 gw 172.18.0.1", "29": "invalid IP / 172.18.0.0/16 gw 172.18.0.1"},
			func(x *graph.Index) string { return ep(x, "aa", "i").Gateway.String() + " / " + subnet(x, "i", 0) }},
		{"ipam.driver-gateway", "docker network create -d macvlan --subnet 192.168.50.0/24 -o parent=eth0 mv\ndocker network create -d macvlan --subnet 192.168.51.0/24 --gateway 192.168.51.1 -o parent=eth0 gw\n" +
			"docker run -d --name aa --net mv img\ndocker run -d --name bb --net gw img",
			map[string]string{"20.10": "192.168.50.2/24 via 192.168.50.1; 192.168.51.2/24 via 192.168.51.1", "28": "192.168.50.2/24 via 192.168.50.1; 192.168.51.2/24 via 192.168.51.1",
				"29": "192.168.50.1/24 via invalid IP; 192.168.51.2/24 via 192.168.51.1"},
			func(x *graph.Index) string {
				a, b := ep(x, "aa", "mv"), ep(x, "bb", "gw")
				return fmt.Sprintf("%s via %s; %s via %s", a.IPv4, a.Gateway, b.IPv4, b.Gateway)
			}},
		{"ipam.inspect-gateway / ipam.inspect-order", "docker network create --ipv6 --subnet fd00:5::/64 v6\ndocker run -d --name aa --net v6 img\ndocker run -d --name bb --net v6 img",
			map[string]string{"20.10": "172.18.0.0/16 gw 172.18.0.1, fd00:5::/64; fd00:5::2/64 fd00:5::3/64", "28": "172.18.0.0/16 gw 172.18.0.1, fd00:5::/64; fd00:5::2/64 fd00:5::3/64",
				"29": "fd00:5::/64 gw fd00:5::1, 172.18.0.0/16 gw 172.18.0.1; fd00:5::2/64 fd00:5::3/64"},
			func(x *graph.Index) string {
				return subnet(x, "v6", 0) + ", " + subnet(x, "v6", 1) + "; " + ep(x, "aa", "v6").IPv6.String() + " " + ep(x, "bb", "v6").IPv6.String()
			}},
		{"ipam.inspect-gateway (IPv4 --subnet)", "docker network create --subnet 10.9.0.0/24 s\ndocker network create --subnet 10.8.0.0/24 --gateway 10.8.0.9 g",
			map[string]string{"20.10": "10.9.0.0/24 10.8.0.0/24 gw 10.8.0.9", "29": "10.9.0.0/24 gw 10.9.0.1 10.8.0.0/24 gw 10.8.0.9"},
			func(x *graph.Index) string { return subnet(x, "s", 0) + " " + subnet(x, "g", 0) }},
		{"ns.loopback-ipv6", "docker run -d --name aa img\ndocker run -d --name nn --net none img",
			map[string]string{"20.10": "[127.0.0.1/8] [127.0.0.1/8]", "28": "[127.0.0.1/8] [127.0.0.1/8]", "29": "[127.0.0.1/8 ::1/128] [127.0.0.1/8 ::1/128]"},
			func(x *graph.Index) string {
				return fmt.Sprint(x.Interface("ns:aa/lo").Addrs) + " " + fmt.Sprint(x.Interface("ns:nn/lo").Addrs)
			}},
		{"ep.ifname-no-reuse / ep.ifname-lowest-free", renumber,
			map[string]string{"20.10": "na eth3, nb eth1, nc eth2", "27": "na eth3, nb eth1, nc eth2", "28": "na eth2, nb eth1, nc eth0", "29": "na eth2, nb eth1, nc eth0"},
			func(x *graph.Index) string {
				var out []string
				for _, n := range []string{"na", "nb", "nc"} {
					out = append(out, n+" "+ifName(ep(x, "mono", n).Interface))
				}
				return strings.Join(out, ", ")
			}},
		{"opt.endpoint-ifname", "docker network create n\ndocker network create m\ndocker run -d --name aa --network name=n,driver-opt=com.docker.network.endpoint.ifname=front img\ndocker network connect --driver-opt com.docker.network.endpoint.ifname=back m aa",
			map[string]string{"20.10": "eth0 eth1", "27": "eth0 eth1", "28": "front back", "29": "front back"},
			func(x *graph.Index) string {
				return ifName(ep(x, "aa", "n").Interface) + " " + ifName(ep(x, "aa", "m").Interface)
			}},
		{"opt.gateway-mode and opt.trusted-host-interfaces, where ignored", "docker network create -o com.docker.network.bridge.gateway_mode_ipv4=nat -o com.docker.network.bridge.trusted_host_interfaces=eth0 n",
			map[string]string{"20.10": "ignored ignored", "26": "ignored ignored", "27": " ignored", "28": " outside", "29": " outside"},
			func(x *graph.Index) string {
				var out []string
				for _, opt := range []string{"gateway_mode_ipv4=nat", "trusted_host_interfaces=eth0"} {
					got := ""
					for _, w := range x.Model.Warnings {
						switch {
						case strings.Contains(w, opt) && strings.Contains(w, "is ignored by Docker"):
							got = "ignored"
						case strings.Contains(w, opt) && strings.Contains(w, "outside the host"):
							got = "outside"
						}
					}
					out = append(out, got)
				}
				return strings.Join(out, " ")
			}},
	}
	for _, tt := range tests {
		for v, want := range tt.want {
			t.Run(tt.rule+"@"+v, func(t *testing.T) {
				sc, err := scenario.ParseShell(strings.NewReader(tt.script), "s.sh")
				if err != nil {
					t.Fatal(err)
				}
				e := New(Options{EngineVersion: v})
				if err := e.Apply(sc); err != nil {
					t.Fatal(err)
				}
				m := e.Model()
				if err := graph.Validate(m); err != nil {
					t.Fatal(err)
				}
				if got := tt.check(graph.NewIndex(m)); got != want {
					t.Errorf("Docker %s: got %q, want %q", v, got, want)
				}
			})
		}
	}
}

// wrapScript takes the last default pool by --subnet, fills every other
// one (n1…n29: 172.18 to 192.168.224.0/20), frees 172.18 and asks for a
// network (x) — 20.10 finds it by wrapping around, the cursor past the end
// — then frees x and n2 (172.19) and asks for one more (last): a cursor
// reset to 0 finds 172.18 again, one taken modulo would find 172.19.
func wrapScript() string {
	var b strings.Builder
	b.WriteString("docker network create --subnet 192.168.240.0/20 blocker\n")
	for i := 1; i <= 29; i++ {
		fmt.Fprintf(&b, "docker network create n%d\n", i)
	}
	b.WriteString("docker network rm n1\ndocker network create x\ndocker network rm x n2\ndocker network create last\n")
	return b.String()
}

// TestOptionsByVersion: what each release makes of the options Docker 27
// and 28 added — its CLI's refusal, its driver's, the simulator's "not
// modelled yet", each at the option's file:line:col.
func TestOptionsByVersion(t *testing.T) {
	tests := []struct {
		script string
		want   map[string]string // release → the refusal (substring); "" accepted
	}{
		{"docker network create --ipv4=false --ipv6 --subnet fd00:1::/64 n",
			map[string]string{"20.10": "s.sh:1:23: unknown flag: --ipv4 (Docker 20.10's CLI refuses it this way: the option came with Docker 28)",
				"27": "s.sh:1:23: unknown flag: --ipv4", "28": "s.sh:1:23: --ipv4=false (a network without IPv4) is not modelled yet (Docker 28)", "29": "not modelled yet (Docker 29)"}},
		{"docker network create --ipv4 n", map[string]string{"20.10": "s.sh:1:23: unknown flag: --ipv4", "28": "", "29": ""}},
		{"docker network create n\ndocker run -d --name aa img\ndocker network connect --gw-priority 1 n aa",
			map[string]string{"20.10": "s.sh:3:24: unknown flag: --gw-priority", "27": "s.sh:3:24: unknown flag: --gw-priority",
				"28": "s.sh:3:24: gw-priority 1 is not modelled yet (Docker 28)", "29": "gw-priority 1 is not modelled yet"}},
		{"docker network create n\ndocker run -d --name aa img\ndocker network connect --gw-priority 0 n aa",
			map[string]string{"27": "unknown flag: --gw-priority", "28": ""}},
		{"docker network create n\ndocker run -d --name aa --network name=n,gw-priority=2 img",
			map[string]string{"20.10": `s.sh:2:25: invalid argument for "--network" flag: invalid field key gw-priority`, "29": "s.sh:2:25: gw-priority 2 is not modelled yet"}},
		{"docker network create -o com.docker.network.bridge.gateway_mode_ipv4=routed n",
			map[string]string{"20.10": "", "26": "", "27": "s.sh:1:23: -o com.docker.network.bridge.gateway_mode_ipv4=routed is not modelled yet (Docker 27)", "29": "not modelled yet"}},
		{"docker network create -o com.docker.network.bridge.gateway_mode_ipv4=isolated n",
			map[string]string{"20.10": "", "27": "Error response from daemon: failed to parse com.docker.network.bridge.gateway_mode_ipv4 value: isolated (unknown gateway mode isolated)", "28": "gateway mode 'isolated' can only be used for an internal network"}},
		{"docker network create --internal -o com.docker.network.bridge.gateway_mode_ipv6=isolated n",
			map[string]string{"27": "unknown gateway mode isolated", "28": "-o com.docker.network.bridge.gateway_mode_ipv6=isolated is not modelled yet (Docker 28)"}},
		{"docker network create -o com.docker.network.bridge.gateway_mode_ipv4=nat-unprotected n",
			map[string]string{"20.10": "", "27": "unknown gateway mode nat-unprotected", "28": ""}},
		{"docker network create -o com.docker.network.bridge.gateway_mode_ipv4=bogus n",
			map[string]string{"20.10": "", "29": "s.sh:1:23: Error response from daemon: failed to parse com.docker.network.bridge.gateway_mode_ipv4 value: bogus (unknown gateway mode bogus)"}},
		{"docker network create --ipv6 n", map[string]string{"20.10": "", "26": "", "27": "s.sh:1:1: --ipv6 without an IPv6 --subnet is not modelled yet (Docker 27)", "29": "not modelled yet"}},
		{"docker network create n\ndocker run -d --name aa --network name=n,driver-opt=com.docker.network.endpoint.sysctls=x img",
			map[string]string{"20.10": "s.sh:2:25: driver option com.docker.network.endpoint.sysctls is not modelled yet", "29": "not modelled yet"}},
		{"docker network create n\ndocker run -d --name aa img\ndocker network connect --driver-opt com.docker.network.endpoint.ifname=eth0 n aa",
			map[string]string{"20.10": "", "28": "s.sh:3:1: Error response from daemon: failed to add interface veth6001176 to sandbox: error renaming interface \"veth6001176\" to \"eth0\": file exists"}},
		{"docker network create n\ndocker run -d --name aa --network name=n,driver-opt=com.docker.network.endpoint.ifname=a/b img",
			map[string]string{"20.10": "", "29": `s.sh:2:25: Error response from daemon: interface name "a/b" is not one the kernel accepts`}},
		{"docker run -d --name aa --network name=host,driver-opt=com.docker.network.endpoint.ifname=x img",
			map[string]string{"20.10": "", "29": "with --net host is not modelled yet"}},
	}
	for _, tt := range tests {
		for v, want := range tt.want {
			sc, err := scenario.ParseShell(strings.NewReader(tt.script), "s.sh")
			if err != nil {
				t.Fatalf("%q: %v", tt.script, err)
			}
			e := New(Options{EngineVersion: v})
			err = e.Apply(sc)
			switch {
			case want == "" && err != nil:
				t.Errorf("Docker %s, %q: %v, want it accepted", v, tt.script, err)
			case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
				t.Errorf("Docker %s, %q:\n got %v\nwant %q", v, tt.script, err, want)
			}
			if err == nil {
				if err := graph.Validate(e.Model()); err != nil {
					t.Errorf("Docker %s, %q: %v", v, tt.script, err)
				}
			}
		}
	}
}

// TestComposeEndpointOptionsByVersion: a compose file's 28+ fields reach
// the engine too (interface_name, enable_ipv4).
func TestComposeEndpointOptionsByVersion(t *testing.T) {
	const compose = `name: p
services:
  a:
    image: img
    networks:
      front:
        interface_name: web0
networks:
  front: {}
`
	for v, want := range map[string]string{"20.10": "eth0", "28": "web0"} {
		sc, err := scenario.ParseCompose(context.Background(), strings.NewReader(compose), filepath.Join(t.TempDir(), "compose.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		e := New(Options{EngineVersion: v})
		if err := e.Apply(sc); err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		x := graph.NewIndex(e.Model())
		if got := ifName(x.Container("ctr:p-a-1").Endpoints[0].Interface); got != want {
			t.Errorf("Docker %s: interface %s, want %s", v, got, want)
		}
	}
	const v6only = "name: p\nservices:\n  a:\n    image: img\n    networks: [front]\nnetworks:\n  front:\n    enable_ipv4: false\n    enable_ipv6: true\n"
	sc, err := scenario.ParseCompose(context.Background(), strings.NewReader(v6only), filepath.Join(t.TempDir(), "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := New(Options{EngineVersion: "29"}).Apply(sc); err == nil || !strings.Contains(err.Error(), "is not modelled yet") {
		t.Errorf("enable_ipv4: false on 29: %v", err)
	}
}

func ifName(id graph.InterfaceID) string {
	s := string(id)
	return s[strings.LastIndex(s, "/")+1:]
}
