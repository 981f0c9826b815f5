package scenario

import (
	"slices"
	"strings"
	"testing"
)

// TestParseSwarm: how a script names its nodes, and swarm mode's commands.
func TestParseSwarm(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, c []Command)
	}{
		{"swarm init on the default engine", "docker swarm init --advertise-addr 10.252.0.1 --listen-addr 10.252.0.1:2377", func(t *testing.T, c []Command) {
			if c[0].Verb != VerbSwarmInit || c[0].Node != "" || c[0].Swarm.AdvertiseAddr != "10.252.0.1" {
				t.Errorf("%+v %+v", c[0], c[0].Swarm)
			}
		}},
		{"join on a context, the token from join-token", "docker --context node2 swarm join --token $(docker swarm join-token -q worker) 10.252.0.1:2377", func(t *testing.T, c []Command) {
			s := c[0].Swarm
			if c[0].Verb != VerbSwarmJoin || c[0].Node != "node2" || s.Token != WorkerToken || s.Remote != "10.252.0.1:2377" {
				t.Errorf("%+v %+v", c[0], s)
			}
		}},
		{"a manager's token", "docker -c node2 swarm join --token=$(docker swarm join-token manager -q) node1", func(t *testing.T, c []Command) {
			if c[0].Node != "node2" || c[0].Swarm.Token != ManagerToken {
				t.Errorf("%+v %+v", c[0], c[0].Swarm)
			}
		}},
		{"-H and DOCKER_HOST name hosts", "docker -H ssh://admin@node3 run -d img\nDOCKER_HOST=tcp://node4:2376 docker run img\ndocker --host=unix:///run/nvz-sw2/docker.sock run img\ndocker -Hnode5:2375 run img\nDOCKER_HOST=unix:///var/run/docker.sock docker run img\nsudo -E DOCKER_HOST=ssh://node6 docker run img", func(t *testing.T, c []Command) {
			var got []string
			for _, cmd := range c {
				got = append(got, cmd.Node)
			}
			if want := []string{"node3", "node4", "nvz-sw2", "node5", "", "node6"}; !slices.Equal(got, want) {
				t.Errorf("nodes %q, want %q", got, want)
			}
		}},
		{"docker context use, and the CLI's order", "docker context use n1\ndocker run img\nDOCKER_HOST=n2 docker run img\nDOCKER_CONTEXT=n4 docker run img\ndocker --context n3 run img\ndocker context use default\ndocker run img", func(t *testing.T, c []Command) {
			var got []string
			for _, cmd := range c {
				if cmd.Verb != VerbNoop {
					got = append(got, cmd.Node)
				}
			}
			if want := []string{"n1", "n2", "n4", "n3", ""}; !slices.Equal(got, want) {
				t.Errorf("nodes %q, want %q", got, want)
			}
		}},
		{"an overlay", "docker network create -d overlay --attachable --opt encrypted --subnet 10.9.0.0/24 ov", func(t *testing.T, c []Command) {
			n := c[0].Network
			if n.Driver != "overlay" || !n.Attachable || n.Subnet != "10.9.0.0/24" {
				t.Errorf("%+v", n)
			}
			if _, ok := n.Options["encrypted"]; !ok {
				t.Errorf("options %v", n.Options)
			}
		}},
		{"service create with every networking flag", "docker service create --name web --replicas 4 --network appnet --network name=other \\\n  --endpoint-mode dnsrr -p published=8080,target=80,mode=host -p 9090:90/udp -p 7000 --constraint node.hostname==node2 \\\n  --replicas-max-per-node 2 --no-resolve-image -e A=1 --restart-condition none img httpd -f", func(t *testing.T, c []Command) {
			s := c[0].Service
			if c[0].Verb != VerbServiceCreate || s.Name != "web" || s.Replicas != 4 || s.EndpointMode != "dnsrr" || s.Image != "img" || !slices.Equal(s.Command, []string{"httpd", "-f"}) || s.MaxPerNode != 2 {
				t.Errorf("%+v", s)
			}
			if len(s.Networks) != 2 || s.Networks[0].Name != "appnet" || s.Networks[1].Name != "other" {
				t.Errorf("networks %+v", s.Networks)
			}
			want := []ServicePort{{8080, 80, "tcp", PublishHost}, {9090, 90, "udp", PublishIngress}, {0, 7000, "tcp", PublishIngress}}
			if !slices.Equal(s.Ports, want) {
				t.Errorf("ports %+v, want %+v", s.Ports, want)
			}
			if !slices.Equal(s.Constraints, []string{"node.hostname==node2"}) {
				t.Errorf("constraints %q", s.Constraints)
			}
		}},
		{"defaults: one replica, vip, replicated", "docker service create img", func(t *testing.T, c []Command) {
			if s := c[0].Service; s.Replicas != 1 || s.EndpointMode != "vip" || s.Mode != "replicated" {
				t.Errorf("%+v", s)
			}
		}},
		{"global mode", "docker service create --mode global --name g img", func(t *testing.T, c []Command) {
			if s := c[0].Service; s.Mode != "global" || s.Replicas != 0 {
				t.Errorf("%+v", s)
			}
		}},
		{"service rm and scale", "docker service rm a b\ndocker service scale -d a=3 b=0", func(t *testing.T, c []Command) {
			if c[0].Verb != VerbServiceRm || !slices.Equal(c[0].Targets, []string{"a", "b"}) {
				t.Errorf("%+v", c[0])
			}
			if c[1].Verb != VerbServiceScale || !slices.Equal(c[1].Scale, []ScaleSpec{{"a", 3}, {"b", 0}}) {
				t.Errorf("%+v", c[1])
			}
		}},
		{"swarm leave", "docker --context node3 swarm leave --force", func(t *testing.T, c []Command) {
			if c[0].Verb != VerbSwarmLeave || !c[0].Swarm.Force || c[0].Node != "node3" {
				t.Errorf("%+v", c[0])
			}
		}},
		{"read-only swarm commands", "docker service ls\ndocker service ps web\ndocker node ls\ndocker swarm join-token worker\ndocker context ls\ndocker context create node2 --docker host=ssh://node2\ndocker stack ls\ndocker secret ls", func(t *testing.T, c []Command) {
			for _, cmd := range c {
				if cmd.Verb != VerbNoop || cmd.Node != "" {
					t.Errorf("%+v", cmd)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := parse(t, tt.src)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, sc.Commands)
		})
	}
}

func TestParseSwarmErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"docker swarm join", "s.sh:1:14: docker swarm join: requires exactly 1 argument (the manager's HOST:PORT)"},
		{"docker swarm init node1", "docker swarm init: accepts no arguments"},
		{"docker swarm frob", "s.sh:1:14: docker swarm: 'frob' is not a docker swarm command"},
		{"docker swarm init --availability sleepy", `invalid argument "sleepy" for "--availability" flag`},
		{"docker swarm init --data-path-port 0", `"--data-path-port" flag: not a UDP port`},
		{"docker swarm", "docker swarm: a subcommand is missing"},
		{"docker service create --replicas 2 --mode global img", "replicas can only be used with replicated or replicated-job mode"},
		{"docker service create --mode daemon img", `--mode: invalid mode "daemon"`},
		{"docker service create --endpoint-mode rr img", `invalid endpoint mode "rr"`},
		{"docker service create -p 127.0.0.1:80:80 img", "hostip is not supported"},
		{"docker service create -p mode=host,published=80 img", `missing mandatory field "target"`},
		{"docker service create -p target=80,mode=bridge img", `invalid publish mode value (bridge)`},
		{"docker service create -p target=80,color=red img", "invalid field key color"},
		{"docker service create --network name=n,driver-opt=a=b img", "driver-opt on a service's network is not modelled yet"},
		{"docker service create --nework n img", "s.sh:1:23: docker service create: unknown flag: --nework"},
		{"docker service create", "docker service create: requires at least 1 argument (the image)"},
		{"docker service scale web", `invalid scale specifier "web"`},
		{"docker service scale web=x", `invalid replicas value "x"`},
		{"docker service update --replicas 3 web", "docker service update is not modelled yet"},
		{"docker service frob", "docker service: 'frob' is not a docker service command"},
		{"docker node promote node2", "docker node: only ls, ps and inspect are understood"},
		{"docker -H tcp://a --context b run img", "s.sh:1:1: docker: conflicting options: cannot specify both --host and --context"},
		{"docker --context 'bad name' run img", `context name "bad name" is invalid`},
		{"docker context use", "docker context use: requires exactly 1 argument"},
		{"docker -H", "s.sh:1:8: docker: flag needs an argument: -H"},
		{"docker --frob run img", "s.sh:1:8: docker: unknown flag: --frob"},
		{"DOCKER_HOST=ftp://x docker run img", `s.sh:1:1: DOCKER_HOST: host "ftp://x": unsupported scheme "ftp"`},
		{"\n  DOCKER_HOST=tcp://[::1]:2375 docker run img", "s.sh:2:3: DOCKER_HOST: host"},
		{"docker swarm join --token $(docker swarm join-token -q nope) x", "substitutions are understood"},
		{"\n\n  docker --context node2 service frob", "s.sh:3:34: docker service: 'frob' is not a docker service command"},
	}
	for _, tt := range tests {
		_, err := parse(t, tt.src)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want %q", tt.src, err, tt.want)
		}
	}
}

func TestNodeName(t *testing.T) {
	for in, want := range map[string]string{
		"node2": "node2", "node2:2375": "node2", "tcp://node2:2376": "node2", "ssh://admin@node3": "node3",
		"ssh://admin@node3:22": "node3", "tcp://10.252.0.2:2375": "10.252.0.2", "unix:///run/nvz-sw2/docker.sock": "nvz-sw2",
		"unix:///tmp/node7.sock": "node7", "unix:///var/run/docker.sock": "", "unix:///run/docker.sock": "",
	} {
		got, err := NodeName(in)
		if err != nil || got != want {
			t.Errorf("NodeName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "ftp://x", "tcp://[::1]:2375", "tcp://:2375", "\x1b[2Jnode"} {
		if got, err := NodeName(in); err == nil {
			t.Errorf("NodeName(%q) = %q, want an error", in, got)
		} else if strings.ContainsRune(err.Error(), 0x1b) {
			t.Errorf("NodeName(%q): unescaped %q", in, err)
		}
	}
}

func TestUsesSwarm(t *testing.T) {
	for src, want := range map[string]bool{
		"docker run img":                         false,
		"docker network create -d overlay o":     false, // refused without a swarm, on one host
		"docker swarm init":                      true,
		"docker --context n2 run img":            true,
		"docker service rm web":                  true,
		"docker context use n2\ndocker run img":  true,
		"docker context use default\ndocker ps":  false,
		"DOCKER_HOST=tcp://n2:2375 docker ps -a": false, // read-only: no node
	} {
		sc, err := parse(t, src)
		if err != nil {
			t.Fatal(err)
		}
		if got := sc.UsesSwarm(); got != want {
			t.Errorf("%q: UsesSwarm = %v", src, got)
		}
	}
}
