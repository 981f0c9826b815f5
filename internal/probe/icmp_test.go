package probe

import (
	"context"
	"net"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
)

// fakeConn plays a namespace's raw ICMP socket: echo requests to alive
// addresses are answered, to rejected ones an ICMP host-unreachable comes
// back from the gateway, late ones answer only their second request, and
// every request also provokes a foreign reply (another pinger's id).
type fakeConn struct {
	mu       sync.Mutex
	alive    map[netip.Addr]bool
	rejected map[netip.Addr]bool
	late     map[netip.Addr]int
	queue    [][2]any // packet, from
	deadline time.Time
	writes   []netip.Addr
}

func (f *fakeConn) WriteTo(b []byte, to net.Addr) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	dst, _ := netip.AddrFromSlice(to.(*net.IPAddr).IP)
	dst = dst.Unmap()
	f.writes = append(f.writes, dst)
	msg, err := icmp.ParseMessage(1, b)
	if err != nil {
		return 0, err
	}
	echo := msg.Body.(*icmp.Echo)
	foreign, _ := (&icmp.Message{Type: ipv4.ICMPTypeEchoReply, Body: &icmp.Echo{ID: echo.ID + 1, Seq: echo.Seq}}).Marshal(nil)
	f.queue = append(f.queue, [2]any{foreign, &net.IPAddr{IP: dst.AsSlice()}})
	switch {
	case f.alive[dst] || f.late[dst] > 0 && func() bool { f.late[dst]--; return f.late[dst] == 0 }():
		reply, _ := (&icmp.Message{Type: ipv4.ICMPTypeEchoReply, Body: &icmp.Echo{ID: echo.ID, Seq: echo.Seq, Data: echo.Data}}).Marshal(nil)
		f.queue = append(f.queue, [2]any{reply, &net.IPAddr{IP: dst.AsSlice()}})
	case f.rejected[dst]:
		ip := make([]byte, 20)
		ip[0], ip[9] = 0x45, 1
		copy(ip[16:20], dst.AsSlice())
		quoted := append(ip, b[:8]...)
		unreach, _ := (&icmp.Message{Type: ipv4.ICMPTypeDestinationUnreachable, Code: 1, Body: &icmp.DstUnreach{Data: quoted}}).Marshal(nil)
		f.queue = append(f.queue, [2]any{unreach, &net.IPAddr{IP: net.IPv4(172, 18, 0, 1)}})
	}
	return len(b), nil
}

func (f *fakeConn) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		f.mu.Lock()
		if len(f.queue) > 0 {
			p := f.queue[0]
			f.queue = f.queue[1:]
			f.mu.Unlock()
			return copy(b, p[0].([]byte)), p[1].(net.Addr), nil
		}
		expired := !f.deadline.IsZero() && time.Now().After(f.deadline)
		f.mu.Unlock()
		if expired {
			return 0, nil, os.ErrDeadlineExceeded
		}
		time.Sleep(time.Millisecond)
	}
}

func (f *fakeConn) SetReadDeadline(t time.Time) error {
	f.mu.Lock()
	f.deadline = t
	f.mu.Unlock()
	return nil
}
func (f *fakeConn) Close() error                     { return nil }
func (f *fakeConn) LocalAddr() net.Addr              { return &net.IPAddr{} }
func (f *fakeConn) SetDeadline(t time.Time) error    { return f.SetReadDeadline(t) }
func (f *fakeConn) SetWriteDeadline(time.Time) error { return nil }

func TestPingAll(t *testing.T) {
	a := netip.MustParseAddr
	conn := &fakeConn{
		alive:    map[netip.Addr]bool{a("172.18.0.2"): true, a("172.18.0.3"): true},
		rejected: map[netip.Addr]bool{a("172.19.0.2"): true},
		late:     map[netip.Addr]int{a("172.18.0.4"): 2},
	}
	targets := []netip.Addr{a("172.18.0.2"), a("172.18.0.3"), a("172.19.0.2"), a("172.17.0.9"), a("172.18.0.4")}
	res := PingAll(context.Background(), conn, targets, PingOptions{Timeout: 30 * time.Millisecond, Retries: 1, ID: 4242})
	want := []struct {
		outcome  Outcome
		attempts int
	}{{Reached, 1}, {Reached, 1}, {Unreachable, 1}, {Timeout, 2}, {Reached, 2}}
	for i, w := range want {
		r := res[i]
		if r.Addr != targets[i] || r.Outcome != w.outcome || r.Attempts != w.attempts {
			t.Errorf("%s: %s after %d attempts, want %s after %d (%s)", targets[i], r.Outcome, r.Attempts, w.outcome, w.attempts, r.Detail)
		}
	}
	if res[2].Detail != "host unreachable from 172.18.0.1" {
		t.Errorf("unreachable detail %q", res[2].Detail)
	}
	if res[0].RTT <= 0 {
		t.Error("no RTT for a reply")
	}
	for _, w := range conn.writes {
		found := false
		for _, tg := range targets {
			found = found || w == tg
		}
		if !found {
			t.Errorf("sent to %s, which is not a target", w)
		}
	}
	if len(conn.writes) != 7 { // 5 first round + 2 retries (the silent and the late one)
		t.Errorf("%d requests sent, want 7", len(conn.writes))
	}
}

func TestPingAllStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	res := PingAll(ctx, &fakeConn{}, []netip.Addr{netip.MustParseAddr("10.255.255.1")}, PingOptions{Timeout: 5 * time.Second, Retries: 3})
	if time.Since(start) > 2*time.Second {
		t.Errorf("PingAll ignored the context for %v", time.Since(start))
	}
	if res[0].Outcome != Timeout {
		t.Errorf("outcome %s", res[0].Outcome)
	}
}

func TestPingRepeatLoss(t *testing.T) {
	a := netip.MustParseAddr
	conn := &fakeConn{alive: map[netip.Addr]bool{a("172.18.0.2"): true}}
	res := PingRepeat(context.Background(), conn, []netip.Addr{a("172.18.0.2"), a("172.19.0.9")}, 3, PingOptions{Timeout: 10 * time.Millisecond, Retries: 1})
	if r := res[0]; r.Outcome != Reached || r.Attempts != 3 || r.Received != 3 || r.Loss() != 0 || r.RTT <= 0 {
		t.Errorf("alive: %+v loss %.0f", r, r.Loss())
	}
	if r := res[1]; r.Outcome != Timeout || r.Attempts != 6 || r.Received != 0 || r.Loss() != 100 {
		t.Errorf("silent: %+v loss %.0f", r, r.Loss())
	}
}
