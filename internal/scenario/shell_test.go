package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func parse(t *testing.T, src string) (*Scenario, error) {
	t.Helper()
	return ParseShell(strings.NewReader(src), "s.sh")
}

func TestParseShell(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, c []Command)
	}{
		{"continuations, sudo and aliases", "sudo docker run -it -d --name a \\\n  --net mybridge \\\n  --net-alias alicek106 ubuntu:14.04 bash\n", func(t *testing.T, c []Command) {
			r := c[0].Run
			if c[0].Verb != VerbRun || r.Name != "a" || r.Network != "mybridge" || r.Aliases[0] != "alicek106" || r.Image != "ubuntu:14.04" || r.Command[0] != "bash" {
				t.Errorf("%+v", r)
			}
			if c[0].Text != "sudo docker run -it -d --name a --net mybridge --net-alias alicek106 ubuntu:14.04 bash" {
				t.Errorf("text %q", c[0].Text)
			}
		}},
		{"--network and --network-alias spellings", "docker container run --network=n --network-alias x --network-alias y img", func(t *testing.T, c []Command) {
			if r := c[0].Run; r.Network != "n" || len(r.Aliases) != 2 {
				t.Errorf("%+v", r)
			}
		}},
		{"ports and links", "docker run --link db:mysql --link cache -p 80 -p 8080:80 -p 127.0.0.1:15530:80/udp -p [::1]:9000:90 img", func(t *testing.T, c []Command) {
			r := c[0].Run
			if r.Links[0] != (LinkSpec{"db", "mysql"}) || r.Links[1] != (LinkSpec{"cache", "cache"}) {
				t.Errorf("links %+v", r.Links)
			}
			want := []PortSpec{{ContainerPort: 80, Proto: "tcp"}, {HostPort: 8080, ContainerPort: 80, Proto: "tcp"},
				{HostIP: "127.0.0.1", HostPort: 15530, ContainerPort: 80, Proto: "udp"}, {HostIP: "::1", HostPort: 9000, ContainerPort: 90, Proto: "tcp"}}
			for i, w := range want {
				if r.Ports[i] != w {
					t.Errorf("port %d: %+v, want %+v", i, r.Ports[i], w)
				}
			}
		}},
		{"network create with everything", "docker network create -d macvlan --subnet=192.168.0.0/24 --ip-range 192.168.0.64/26 --gateway=192.168.0.1 -o macvlan_mode=bridge -o parent=eth0 --internal m", func(t *testing.T, c []Command) {
			n := c[0].Network
			if n.Driver != "macvlan" || n.Subnet != "192.168.0.0/24" || n.IPRange != "192.168.0.64/26" || n.Options["parent"] != "eth0" || !n.Internal || n.Name != "m" {
				t.Errorf("%+v", n)
			}
		}},
		{"connect, disconnect, rm", "docker network connect --alias x --ip 10.0.0.9 n c\ndocker network disconnect -f n c\ndocker network rm n1 n2", func(t *testing.T, c []Command) {
			if c[0].Verb != VerbNetworkConnect || c[0].Connect.Aliases[0] != "x" || c[0].Connect.IP != "10.0.0.9" {
				t.Errorf("%+v", c[0].Connect)
			}
			if c[1].Verb != VerbNetworkDisconnect || !c[1].Force || c[2].Verb != VerbNetworkRm || len(c[2].Targets) != 2 {
				t.Errorf("%+v %+v", c[1], c[2])
			}
		}},
		{"bulk forms", "docker stop $(docker ps -a -q)\ndocker rm -f $(docker ps -q)", func(t *testing.T, c []Command) {
			if c[0].Targets[0] != AllContainers || c[1].Targets[0] != RunningContainers || !c[1].Force {
				t.Errorf("%+v", c)
			}
		}},
		{"read-only commands are accepted", "docker ps -a\ndocker inspect x | grep Id\ndocker images\ndocker attach mycentos", nil},
		{"dual stack: one pool per family", "docker network create --ipv6 --subnet fd00:1::/64 --subnet 10.1.0.0/16 --gateway fd00:1::fe --ip-range 10.1.2.0/24 --gateway 10.1.0.254 d", func(t *testing.T, c []Command) {
			n := c[0].Network
			if n.Subnet != "10.1.0.0/16" || n.IPRange != "10.1.2.0/24" || n.Gateway != "10.1.0.254" || n.IPv6Subnet != "fd00:1::/64" || n.IPv6Gateway != "fd00:1::fe" || n.IPv6Range != "" || !n.IPv6 {
				t.Errorf("%+v", n)
			}
		}},
		{"an IPv6 subnet alone", "docker network create --ipv6 --subnet fd00:1::/64 v6net", func(t *testing.T, c []Command) {
			if n := c[0].Network; n.Subnet != "" || n.IPv6Subnet != "fd00:1::/64" {
				t.Errorf("%+v", n)
			}
		}},
		{"lists", "docker network create a && docker run --net a img", func(t *testing.T, c []Command) {
			if len(c) != 2 {
				t.Errorf("%d commands", len(c))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := parse(t, tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, sc.Commands)
			}
		})
	}
}

func TestParseShellErrors(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"docker run --nett x img", "s.sh:1:12: docker run: unknown flag: --nett"},
		{"docker run -Z img", "s.sh:1:12: docker run: unknown shorthand flag: 'Z' in -Z"},
		{"\n\n  docker frobnicate", "s.sh:3:10: docker: 'frobnicate' is not a docker command"},
		{"echo hi", "s.sh:1:1: echo: not a docker command"},
		{"docker run", "requires at least 1 argument"},
		{"docker run -p 99999:80 img", "host port \"99999\" is not 1-65535"},
		{"docker run --ip 10.0.0.300 img", "not an IP address"},
		{"docker network create", "requires exactly 1 argument"},
		{"docker network create -d host h", "only one instance"},
		{"docker network create -d weird w", `plugin "weird" not found`},
		{"docker network create --subnet 10.0.0.0/33 n", "invalid --subnet"},
		{"docker network connect n", "requires exactly 2 arguments"},
		{"docker network frob", "is not a docker network command"},
		{"docker stop $(cat ids)", "substitutions are understood"},
		{"docker run 'unterminated", "s.sh:1:12"},
		{"X=1", "variable assignments"},
		{"for i in 1 2; do docker run img; done", "only docker commands"},
		{"docker network create --subnet 10.0.0.0/16 --subnet 10.1.0.0/16 n", "s.sh:1:23: docker network create: one --subnet, --ip-range and --gateway per address family (IPv4, IPv6) is supported"},
		{"docker network create --subnet 10.0.0.0/16 --gateway fd00::1 n", `invalid --gateway "fd00::1" (it needs a --subnet that holds it)`},
		{"docker network create --ipv6 --subnet fd00::/64 --ip-range 10.0.0.0/24 n", `invalid --ip-range "10.0.0.0/24"`},
	}
	for _, tt := range tests {
		_, err := parse(t, tt.src)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want %q", tt.src, err, tt.want)
		}
	}
}

func TestSeedScripts(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.sh"))
	if len(files) == 0 {
		t.Fatal("no seed scripts")
	}
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := ParseShell(r, f)
		r.Close()
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(sc.Commands) < 5 {
			t.Errorf("%s: only %d commands", f, len(sc.Commands))
		}
	}
}

// FuzzParseShell: no script may panic the parser; an error always names a
// position.
func FuzzParseShell(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.sh"))
	for _, file := range files {
		data, _ := os.ReadFile(file)
		f.Add(string(data))
	}
	f.Add("docker run --net container: img")
	f.Add("docker network create -o parent= --subnet 10.0.0.0/8 x")
	f.Add("docker run -p [::1 img")
	f.Add("docker -H ssh://u@n2 --context x swarm join --token $(docker swarm join-token -q worker) n1")
	f.Add("DOCKER_HOST=unix:///run/n2/docker.sock docker service create -p published=1,target=2,mode=host --network name=o,alias=a img")
	f.Add("docker context use n2\ndocker service scale a=1 b=x\ndocker swarm init --default-addr-pool 10.9.0.0/16")
	f.Fuzz(func(t *testing.T, src string) {
		_, err := ParseShell(strings.NewReader(src), "f.sh")
		if err != nil && !strings.HasPrefix(err.Error(), "f.sh:") {
			t.Fatalf("error without a position: %v", err)
		}
	})
}

// TestErrorsAreClean: a word of the script with terminal escapes, or 10 KB
// long, is echoed escaped and cut short in every kind of parse error.
func TestErrorsAreClean(t *testing.T) {
	long := strings.Repeat("A", 10000)
	for _, src := range []string{
		"docker run --\x1b[2J" + long + " img",
		"docker run -p \x1b[2J" + long + " img",
		"docker \x1b]0;pwned\x07" + long,
		"\x1b[31mecho" + long + " hi",
		"docker network \x1b[1m" + long,
		"docker network create --subnet \x1b[2J" + long + " n",
		"docker run --link \x1b[2J: img",
		"docker run 'unterminated \x1b[2J" + long,
		"docker --context \x1b[2J" + long + " run img",
		"DOCKER_HOST=tcp://\x1b[2J" + long + " docker run img",
		"docker service create -p \x1b[2J" + long + " img",
		"docker service scale \x1b[2J" + long,
	} {
		_, err := parse(t, src)
		if err == nil {
			t.Errorf("%.30q: no error", src)
			continue
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\x1b\x07") || len(msg) > 1100 {
			t.Errorf("%.30q: message %.200q (%d bytes)", src, msg, len(msg))
		}
		if strings.Contains(src, long) && strings.Contains(msg, long[:500]) {
			t.Errorf("%.30q: the 10 KB word is echoed whole", src)
		}
	}
}
