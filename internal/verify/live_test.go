package verify

import (
	"context"
	"fmt"
	"net"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/miekg/dns"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/probe"
)

// TestOnlyScenario: from an engine that also runs other things, only the
// scenario's networks and containers are kept, their ports, and the names
// derived again from what is left.
func TestOnlyScenario(t *testing.T) {
	simModel := simulate(t, script)
	live := simulate(t, "docker network create other\ndocker run -d --name stranger --net other -p 8080:80 img\n"+
		script+"docker run -d --name lodger --net mybridge --net-alias alicek106 img\n")
	got := OnlyScenario(live, simModel)
	var nets, ctrs []string
	for _, n := range got.Networks {
		nets = append(nets, n.Name)
	}
	for _, c := range got.Containers {
		ctrs = append(ctrs, c.Name)
	}
	slices.Sort(nets)
	slices.Sort(ctrs)
	if want := []string{"bridge", "host", "mybridge", "none", "pinned"}; !slices.Equal(nets, want) { // not "other"
		t.Errorf("networks %q, want %q", nets, want)
	}
	if want := []string{"c1", "c2", "p1"}; !slices.Equal(ctrs, want) {
		t.Errorf("containers %q, want %q", ctrs, want)
	}
	if len(got.Ports) != 0 {
		t.Errorf("the stranger's port is kept: %v", got.Ports)
	}
	x := graph.NewIndex(got)
	edges, _ := dockerrules.Resolve(x, x.Container(graph.NewContainerID("c1")), "alicek106")
	var who []string
	for _, e := range edges {
		who = append(who, graph.ContainerID(e.To).Name())
	}
	slices.Sort(who)
	if !slices.Equal(who, []string{"c1", "c2"}) {
		t.Errorf("alicek106 answers %q after the lodger left, want c1 and c2", who)
	}
	if len(live.Containers) != 5 {
		t.Error("OnlyScenario changed the live model it was given")
	}
}

// answering is a resolver like Docker's embedded DNS for the tests: the A
// records of each name, NXDOMAIN for the rest.
func answering(t *testing.T, records map[string][]string) net.Conn {
	t.Helper()
	client, server := net.Pipe()
	go func() {
		c := &dns.Conn{Conn: server}
		for {
			q, err := c.ReadMsg()
			if err != nil {
				return
			}
			r := new(dns.Msg)
			r.SetReply(q)
			ips, ok := records[q.Question[0].Name]
			if !ok {
				r.Rcode = dns.RcodeNameError
			}
			for _, ip := range ips {
				rr, _ := dns.NewRR(q.Question[0].Name + " 600 IN A " + ip)
				r.Answer = append(r.Answer, rr)
			}
			c.WriteMsg(r)
		}
	}()
	t.Cleanup(func() { client.Close() })
	return client
}

// TestQueryDNS: each running client asks every name the simulation gives
// it — through the embedded DNS on a user network, through /etc/hosts for a
// --link — and the answers come back as container names (an address no
// container holds as itself, a stopped client not at all).
func TestQueryDNS(t *testing.T) {
	s := `docker network create mybridge
docker run -d --name c1 --net mybridge --net-alias alicek106 img
docker run -d --name c2 --net mybridge --net-alias alicek106 img
docker run -d --name wordpressdb img
docker run -d --name wordpress --link wordpressdb:mysql img
docker run -d --name c3 --net mybridge img
docker stop c3
`
	m := simulate(t, s)
	var mu sync.Mutex
	var asked []string
	env := probe.Env{
		DNS: func(c *graph.Container) (net.Conn, error) {
			mu.Lock()
			asked = append(asked, c.Name)
			mu.Unlock()
			if c.Name == "c2" {
				return nil, fmt.Errorf("no namespace")
			}
			return answering(t, map[string][]string{
				"alicek106.": {"172.18.0.3", "172.18.0.2", "10.9.9.9"}, "c1.": {"172.18.0.2"}, "c2.": {"172.18.0.3"},
			}), nil
		},
		Hosts: func(c *graph.Container) (string, error) {
			if c.Name != "wordpress" {
				return "", fmt.Errorf("no /etc/hosts for %s", c.Name)
			}
			return "127.0.0.1 localhost\n172.17.0.2 mysql 6f2ae6dbc1 wordpressdb\n", nil
		},
	}
	got := QueryDNS(context.Background(), env, m, m)
	want := LiveDNS{
		"c1":        {"alicek106": {"10.9.9.9", "c1", "c2"}, "c1": {"c1"}, "c2": {"c2"}},
		"c2":        {"alicek106": {"NXDOMAIN"}, "c1": {"NXDOMAIN"}, "c2": {"NXDOMAIN"}},
		"wordpress": {"mysql": {"wordpressdb"}, "wordpressdb": {"wordpressdb"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
	if slices.Contains(asked, "c3") {
		t.Error("the stopped c3 was asked")
	}
}
