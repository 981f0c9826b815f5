package probe

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// EmbeddedDNS is Docker's resolver inside every container on a user-defined
// network.
var EmbeddedDNS = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.11"), 53)

// Lookup is the answer to one A query.
type Lookup struct {
	// Answers are the A records in the order the server sent them: the first
	// is what a naive client such as ping uses.
	Answers []netip.Addr `json:"answers"`
	Rcode   string       `json:"rcode"`
	Err     string       `json:"error,omitempty"`
}

// Resolve sends count A queries for name over conn (a UDP socket connected to
// the resolver, opened in the client's namespace), one at a time, each with
// its own transaction id, and returns every answer. Docker's embedded DNS
// shuffles the records per query, so the first answers spread over the group.
func Resolve(ctx context.Context, conn net.Conn, name string, count int, timeout time.Duration) []Lookup {
	dc := &dns.Conn{Conn: conn}
	out := make([]Lookup, 0, count)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) }) // Ctrl-C ends a wait at once
	defer stop()
	for i := 0; i < count && ctx.Err() == nil; i++ {
		q := new(dns.Msg)
		q.SetQuestion(dns.Fqdn(name), dns.TypeA)
		q.RecursionDesired = true
		l := Lookup{}
		conn.SetDeadline(time.Now().Add(timeout))
		if ctx.Err() != nil { // cancelled while the deadline was being set
			break
		}
		if err := dc.WriteMsg(q); err != nil {
			l.Err = err.Error()
			out = append(out, l)
			continue
		}
		for {
			r, err := dc.ReadMsg()
			if err != nil {
				l.Err = err.Error()
				break
			}
			if r.Id != q.Id {
				continue // a late answer to an earlier query
			}
			l.Rcode = dns.RcodeToString[r.Rcode]
			for _, rr := range r.Answer {
				if a, ok := rr.(*dns.A); ok {
					if addr, ok := netip.AddrFromSlice(a.A.To4()); ok {
						l.Answers = append(l.Answers, addr)
					}
				}
			}
			break
		}
		out = append(out, l)
	}
	return out
}

// HostsLookup finds name in an /etc/hosts file's content: the entries
// --link writes on the default bridge.
func HostsLookup(hosts, name string) []netip.Addr {
	var out []netip.Addr
	for _, line := range strings.Split(hosts, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		addr, err := netip.ParseAddr(f[0])
		if err != nil || !addr.Is4() {
			continue
		}
		for _, n := range f[1:] {
			if strings.EqualFold(n, name) {
				out = append(out, addr)
				break
			}
		}
	}
	return out
}

// Spread counts how often each address came first over a run of lookups.
func Spread(ls []Lookup) map[netip.Addr]int {
	out := map[netip.Addr]int{}
	for _, l := range ls {
		if len(l.Answers) > 0 {
			out[l.Answers[0]]++
		}
	}
	return out
}

// AnswerSet is the union of every answer, sorted.
func AnswerSet(ls []Lookup) []netip.Addr {
	seen := map[netip.Addr]bool{}
	var out []netip.Addr
	for _, l := range ls {
		for _, a := range l.Answers {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	sortAddrs(out)
	return out
}

func sortAddrs(a []netip.Addr) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j].Less(a[j-1]); j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}
