package probe

import (
	"context"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"syscall"
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
	// full are targets the kernel refuses to send to (ENOBUFS).
	full map[netip.Addr]bool
	// deadlines records every read deadline set.
	deadlines []time.Time
	// dup answers every request twice.
	dup bool
}

func (f *fakeConn) WriteTo(b []byte, to net.Addr) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	dst, _ := netip.AddrFromSlice(to.(*net.IPAddr).IP)
	dst = dst.Unmap()
	if f.full[dst] {
		return 0, &net.OpError{Op: "write", Net: "ip4:icmp", Err: os.NewSyscallError("sendto", syscall.ENOBUFS)}
	}
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
		if f.dup {
			f.queue = append(f.queue, [2]any{reply, &net.IPAddr{IP: dst.AsSlice()}})
		}
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
	f.deadlines = append(f.deadlines, t)
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
	for _, how := range []string{"deadline", "cancel"} {
		t.Run(how, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			if how == "cancel" { // Ctrl-C: no deadline to clamp reads to
				ctx, cancel = context.WithCancel(context.Background())
				time.AfterFunc(20*time.Millisecond, cancel)
			}
			defer cancel()
			start := time.Now()
			res := PingAll(ctx, &fakeConn{}, []netip.Addr{netip.MustParseAddr("10.255.255.1")}, PingOptions{Timeout: 5 * time.Second, Retries: 3})
			if time.Since(start) > 2*time.Second {
				t.Errorf("PingAll ignored the context for %v", time.Since(start))
			}
			if res[0].Outcome != Timeout {
				t.Errorf("outcome %s", res[0].Outcome)
			}
		})
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

func TestSilenceEstimator(t *testing.T) {
	const patience = 200 * time.Millisecond
	tests := []struct {
		name    string
		replies []time.Duration
		want    time.Duration
	}{
		{"nothing learnt yet", nil, patience},
		{"local round trips", []time.Duration{100 * time.Microsecond, 300 * time.Microsecond}, MinSilence},
		{"ten times the slowest", []time.Duration{time.Millisecond, 5 * time.Millisecond}, 50 * time.Millisecond},
		{"never past the patience", []time.Duration{90 * time.Millisecond}, patience},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &SilenceEstimator{}
			for _, r := range tt.replies {
				s.Observe(r)
			}
			if got := s.Wait(0, patience); got != tt.want {
				t.Errorf("Wait = %v, want %v", got, tt.want)
			}
			if got := s.Wait(1, patience); got != tt.want {
				t.Errorf("a retry waits %v, want %v like the first request", got, tt.want)
			}
		})
	}
	var none *SilenceEstimator
	none.Observe(time.Millisecond)
	if got := none.Wait(0, patience); got != patience {
		t.Errorf("a nil estimator waits %v, want the patience", got)
	}
}

// TestPingAllSilenceByExpectation: a target the model expects to be blocked
// is given up on once its silence is unmistakable; one it expects to answer
// gets the full patience.
func TestPingAllSilenceByExpectation(t *testing.T) {
	a := netip.MustParseAddr
	alive, blocked := a("172.18.0.2"), a("172.19.0.2")
	const patience = 400 * time.Millisecond
	tests := []struct {
		name         string
		expectSilent bool
		wantLongest  time.Duration // the furthest read deadline, from the start
		atLeast      bool
	}{
		{"expected blocked: decided from the round trips", true, patience / 4, false},
		{"expected reachable: the full patience", false, patience, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.expectSilent && testing.Short() {
				t.Skip("waits the full patience")
			}
			conn := &fakeConn{alive: map[netip.Addr]bool{alive: true}}
			start := time.Now()
			res := PingAll(context.Background(), conn, []netip.Addr{alive, blocked}, PingOptions{
				Timeout: patience, Retries: 1, ID: 7, Silence: &SilenceEstimator{}, ExpectSilent: []bool{false, tt.expectSilent},
			})
			if res[0].Outcome != Reached || res[1].Outcome != Timeout || res[1].Attempts != 2 {
				t.Fatalf("results %+v", res)
			}
			var longest time.Duration
			for _, d := range conn.deadlines {
				longest = max(longest, d.Sub(start))
			}
			if tt.atLeast != (longest >= tt.wantLongest) {
				t.Errorf("furthest read deadline %v after the start; want it %s %v", longest, map[bool]string{true: "at least", false: "under"}[tt.atLeast], tt.wantLongest)
			}
		})
	}
}

// TestPingAllTableFull: a request the kernel refuses for want of a
// neighbour entry is not a measurement: the target is marked for another
// try, not reported as silent.
func TestPingAllTableFull(t *testing.T) {
	a := netip.MustParseAddr
	conn := &fakeConn{alive: map[netip.Addr]bool{a("172.18.0.2"): true, a("172.18.0.3"): true}, full: map[netip.Addr]bool{a("172.18.0.3"): true}}
	res := PingAll(context.Background(), conn, []netip.Addr{a("172.18.0.2"), a("172.18.0.3")}, PingOptions{Timeout: 20 * time.Millisecond, Retries: 1})
	if res[0].Outcome != Reached {
		t.Errorf("the other target: %+v", res[0])
	}
	if r := res[1]; r.Outcome != NotMeasured || !r.tableFull || r.Attempts != 0 || !strings.Contains(r.Detail, "ENOBUFS") {
		t.Errorf("refused target: %+v", r)
	}
}

// TestPingAllDuplicateReply: a duplicated reply counts once.
func TestPingAllDuplicateReply(t *testing.T) {
	a := netip.MustParseAddr
	conn := &fakeConn{alive: map[netip.Addr]bool{a("172.18.0.2"): true}, dup: true}
	res := PingRepeat(context.Background(), conn, []netip.Addr{a("172.18.0.2")}, 3, PingOptions{Timeout: 20 * time.Millisecond})
	if r := res[0]; r.Attempts != 3 || r.Received != 3 || r.Loss() != 0 {
		t.Errorf("%+v loss %.0f%%", r, r.Loss())
	}
}
