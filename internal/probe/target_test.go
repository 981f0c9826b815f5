package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/testkit"
)

func seedModel(t *testing.T) *graph.Model { return testkit.SeedModel(t) }

// fakeEnv answers alicek106 from the fake resolver, serves web's /etc/hosts,
// and pings over a fakeConn where every model address is alive.
func fakeEnv(t *testing.T, dnsFor *[]string) Env {
	var mu sync.Mutex
	return Env{
		DNS: func(c *graph.Container) (net.Conn, error) {
			mu.Lock()
			*dnsFor = append(*dnsFor, c.Name)
			slices.Sort(*dnsFor)
			mu.Unlock()
			return fakeResolver(t), nil
		},
		Hosts: func(c *graph.Container) (string, error) {
			return "127.0.0.1 localhost\n172.17.0.2 mysql db\n", nil
		},
		ICMP: func(c *graph.Container) (net.PacketConn, error) {
			return &fakeConn{alive: map[netip.Addr]bool{
				mustAddr("172.18.0.2"): true, mustAddr("172.18.0.3"): true, mustAddr("172.18.0.4"): true, mustAddr("172.17.0.2"): true,
			}}, nil
		},
	}
}

func TestProbeChoosesClients(t *testing.T) {
	m := seedModel(t)
	var asked []string
	rep, err := Probe(context.Background(), m, "alicek106", fakeEnv(t, &asked), TargetOptions{Count: 6, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// Only the members of mybridge can resolve the alias.
	if strings.Join(asked, ",") != "alias1,alias2" {
		t.Errorf("asked DNS from %v, want alias1,alias2", asked)
	}
	for _, c := range rep.Clients {
		if len(c.Answers) != 3 || len(c.Pings) != 3 || len(c.FirstAnswers) != 3 {
			t.Errorf("%s: %+v", c.Client, c)
		}
	}

	rep, err = Probe(context.Background(), m, "mysql", fakeEnv(t, &asked), TargetOptions{Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// web has the --link; sidecar shares web's namespace and /etc/hosts.
	if len(rep.Clients) != 2 || rep.Clients[0].Via != "hosts" || rep.Clients[0].Pings[0].Outcome != Reached {
		t.Errorf("mysql: %+v", rep.Clients)
	}
}

func TestProbeErrors(t *testing.T) {
	m := seedModel(t)
	var asked []string
	_, err := Probe(context.Background(), m, "nobody", fakeEnv(t, &asked), TargetOptions{})
	var unknown *UnknownTargetError
	if !errors.As(err, &unknown) || !strings.Contains(err.Error(), "names known here:") || !strings.Contains(err.Error(), "alicek106") || !strings.Contains(err.Error(), "mysql") {
		t.Errorf("err = %v", err)
	}
	if _, err := Probe(context.Background(), m, "alicek106", fakeEnv(t, &asked), TargetOptions{From: []string{"ghost"}}); err == nil || !strings.Contains(err.Error(), "--from ghost") {
		t.Errorf("--from ghost: err = %v", err)
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
