package probe

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// fakeResolver answers A queries for alicek106 with three records, rotated
// per query like Docker's embedded DNS, and NXDOMAIN for anything else.
func fakeResolver(t *testing.T) net.Conn {
	t.Helper()
	client, server := net.Pipe()
	go func() {
		sc := &dns.Conn{Conn: server}
		group := []string{"172.18.0.2", "172.18.0.3", "172.18.0.4"}
		for n := 0; ; n++ {
			q, err := sc.ReadMsg()
			if err != nil {
				return
			}
			r := new(dns.Msg)
			r.SetReply(q)
			if q.Question[0].Name == "alicek106." {
				for i := range group {
					ip := group[(i+n)%len(group)]
					rr, _ := dns.NewRR("alicek106. 600 IN A " + ip)
					r.Answer = append(r.Answer, rr)
				}
			} else {
				r.Rcode = dns.RcodeNameError
			}
			if n == 1 { // a stale reply with another id first: must be skipped
				stale := r.Copy()
				stale.Id = q.Id + 1
				sc.WriteMsg(stale)
			}
			sc.WriteMsg(r)
		}
	}()
	t.Cleanup(func() { client.Close() })
	return client
}

func TestResolveRoundRobin(t *testing.T) {
	ls := Resolve(context.Background(), fakeResolver(t), "alicek106", 6, time.Second)
	if len(ls) != 6 {
		t.Fatalf("%d lookups, want 6", len(ls))
	}
	set := AnswerSet(ls)
	if len(set) != 3 || set[0] != netip.MustParseAddr("172.18.0.2") {
		t.Errorf("answer set %v", set)
	}
	spread := Spread(ls)
	if len(spread) != 3 {
		t.Errorf("first answers %v: want all three to come first at some point", spread)
	}
	for _, l := range ls {
		if l.Rcode != "NOERROR" || len(l.Answers) != 3 {
			t.Errorf("lookup %+v", l)
		}
	}
}

func TestResolveNXDOMAIN(t *testing.T) {
	ls := Resolve(context.Background(), fakeResolver(t), "nobody", 1, time.Second)
	if ls[0].Rcode != "NXDOMAIN" || len(ls[0].Answers) != 0 {
		t.Errorf("lookup %+v", ls[0])
	}
}

func TestResolveTimeout(t *testing.T) {
	client, server := net.Pipe()
	defer server.Close()
	go func() {
		buf := make([]byte, 512)
		for {
			if _, err := server.Read(buf); err != nil {
				return
			}
		}
	}()
	ls := Resolve(context.Background(), client, "alicek106", 2, 20*time.Millisecond)
	if len(ls) != 2 || ls[0].Err == "" {
		t.Errorf("lookups %+v: want timeouts", ls)
	}
}

func TestHostsLookup(t *testing.T) {
	hosts := `127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
172.17.0.2	mysql 0d9b1c wordpressdb  # --link
172.17.0.3	6e7f8a9b0c1d
`
	tests := []struct {
		name string
		want []string
	}{
		{"mysql", []string{"172.17.0.2"}},
		{"WordPressDB", []string{"172.17.0.2"}},
		{"localhost", []string{"127.0.0.1"}},
		{"absent", nil},
	}
	for _, tt := range tests {
		got := HostsLookup(hosts, tt.name)
		if len(got) != len(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if got[i].String() != tt.want[i] {
				t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
			}
		}
	}
}
