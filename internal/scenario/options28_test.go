package scenario

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocker28Options: the options Docker 27 and 28 added are read into
// the specs with where they were written, so the engine that applies them
// can take them, refuse them or ignore them as its release does — never
// dropped by the parser.
func TestDocker28Options(t *testing.T) {
	sc, err := parse(t, "docker run -d --name a --network name=Front,alias=web,ip=10.0.0.9,driver-opt=com.docker.network.endpoint.ifname=web0,gw-priority=-2 img\n"+
		"docker network connect --driver-opt com.docker.network.endpoint.ifname=back,x=y --gw-priority 3 --alias b n a\n"+
		"docker network create --ipv4=false --ipv6 -o com.docker.network.bridge.gateway_mode_ipv6=routed --opt=k=v v6\n"+
		"docker network create --ipv4 v4\n"+
		"docker network create plain\n"+
		"docker run --net host img\n")
	if err != nil {
		t.Fatal(err)
	}
	c := sc.Commands
	r := c[0].Run
	// docker/cli lowercases the long form's fields, value and all.
	if r.Network != "front" || r.Aliases[0] != "web" || r.IP != "10.0.0.9" || r.Endpoint.DriverOpts["com.docker.network.endpoint.ifname"] != "web0" ||
		r.Endpoint.GwPriority != -2 || !r.Endpoint.GwPrioritySet {
		t.Errorf("run: %+v", r)
	}
	if at := r.Endpoint.Where["gw-priority"]; at.String() != "s.sh:1:24" {
		t.Errorf("run's options at %s", at)
	}
	cs := c[1].Connect
	if cs.Endpoint.DriverOpts["com.docker.network.endpoint.ifname"] != "back" || cs.Endpoint.DriverOpts["x"] != "y" || cs.Endpoint.GwPriority != 3 || cs.Aliases[0] != "b" {
		t.Errorf("connect: %+v", cs)
	}
	if at := cs.Endpoint.Where["gw-priority"]; at.String() != "s.sh:2:81" {
		t.Errorf("--gw-priority at %s", at)
	}
	n := c[2].Network
	if n.IPv4 == nil || *n.IPv4 || !n.IPv6 || n.Options["com.docker.network.bridge.gateway_mode_ipv6"] != "routed" || n.Options["k"] != "v" {
		t.Errorf("create: %+v", n)
	}
	if at := n.Where["--ipv4"]; at.String() != "s.sh:3:23" {
		t.Errorf("--ipv4 at %s", at)
	}
	if at := n.Where["-o com.docker.network.bridge.gateway_mode_ipv6"]; at.String() != "s.sh:3:43" {
		t.Errorf("-o at %s", at)
	}
	if at := n.Where["-o k"]; at.String() != "s.sh:3:97" {
		t.Errorf("--opt= at %s", at)
	}
	if v := c[3].Network.IPv4; v == nil || !*v {
		t.Errorf("--ipv4 alone: %v", v)
	}
	if c[4].Network.IPv4 != nil || c[0].Run.Endpoint.Where == nil || c[5].Run.Endpoint.Where != nil || c[5].Run.Network != "host" {
		t.Errorf("options not given are not there: %+v %+v", c[4].Network, c[5].Run)
	}

	for src, want := range map[string]string{
		"docker run --network name=n,bogus=1 img":            "invalid field key bogus",
		"docker run --network alias=x img":                   "network name/id is not specified",
		"docker run --network name=n,gw-priority=high img":   "invalid gw-priority",
		"docker run --network name=n,driver-opt=novalue img": "invalid key value pair format in driver options",
		"docker run --network name=n,ip=banana img":          `ip "banana" is not an IP address`,
		"docker run --network a --net b img":                 "a second --network is not modelled yet",
		"docker network connect --gw-priority x n c":         "invalid gw-priority",
		"docker network connect --driver-opt =v n c":         "invalid key/value pair format in driver options",
		"docker network create --ipv4=maybe n":               "--ipv4",
		"docker run --network 'name=n,alias=\x1b[2Jx,x' img": `invalid field`,
	} {
		_, err := parse(t, src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", src, err, want)
		}
		if err != nil && strings.ContainsRune(err.Error(), 0x1b) {
			t.Errorf("%q: raw escape in %q", src, err)
		}
	}
}

// TestComposeDocker28Options: compose's interface_name, driver_opts,
// gw_priority and enable_ipv4 reach the specs as the CLI's options do.
func TestComposeDocker28Options(t *testing.T) {
	const src = `name: p
services:
  a:
    image: img
    networks:
      front:
        interface_name: web0
        gw_priority: 5
      back:
        driver_opts:
          com.docker.network.endpoint.sysctls: x
networks:
  front:
    enable_ipv4: false
    enable_ipv6: true
  back: {}
`
	sc, err := ParseCompose(context.Background(), strings.NewReader(src), filepath.Join(t.TempDir(), "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var sawFront, sawRun, sawConnect bool
	for _, c := range sc.Commands {
		switch {
		case c.Network != nil && c.Network.Name == "p_front":
			sawFront = c.Network.IPv4 != nil && !*c.Network.IPv4
		case c.Run != nil:
			// back sorts first: the run joins it, the connect adds front.
			sawRun = c.Run.Network == "p_back" && c.Run.Endpoint.DriverOpts["com.docker.network.endpoint.sysctls"] == "x"
		case c.Connect != nil:
			e := c.Connect.Endpoint
			sawConnect = c.Connect.Network == "p_front" && e.DriverOpts["com.docker.network.endpoint.ifname"] == "web0" && e.GwPriority == 5 && e.GwPrioritySet
		}
	}
	if !sawFront || !sawRun || !sawConnect {
		t.Errorf("enable_ipv4 %v, run's driver_opts %v, connect's interface_name and gw_priority %v\n%+v", sawFront, sawRun, sawConnect, sc.Commands)
	}
}
