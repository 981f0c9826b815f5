// Package probe measures what the model predicts: ICMP echo from inside each
// client's network namespace, without docker exec or any tool in the image.
// The measuring code works on a net.PacketConn, so tests feed it crafted
// replies instead of a raw socket; opening the socket inside a namespace is
// the only privileged step (conn_linux.go).
package probe

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
)

// Outcome of one echo probe.
type Outcome string

// Outcomes. Timeout and Unreachable are kept apart: Docker's isolation drops
// packets (timeout) while a router or REJECT rule answers (unreachable).
const (
	Reached     Outcome = "reached"
	Timeout     Outcome = "timeout"
	Unreachable Outcome = "unreachable"
	NotMeasured Outcome = "not-measured"
	Failed      Outcome = "failed" // the probe itself could not run
)

// EchoResult is the measurement for one target address.
type EchoResult struct {
	Addr     netip.Addr    `json:"addr"`
	Outcome  Outcome       `json:"outcome"`
	RTT      time.Duration `json:"rttNs,omitempty"`
	Attempts int           `json:"attempts"`
	// Received counts replies; with Attempts it gives the loss.
	Received int `json:"received"`
	// Detail is the ICMP error seen ("host unreachable from 172.18.0.1") or why
	// the probe failed.
	Detail string `json:"detail,omitempty"`
	// tableFull is set when the kernel refused to send for lack of room in
	// its neighbour table: worth another try.
	tableFull bool
}

// PingOptions bounds an echo round.
type PingOptions struct {
	// Timeout is the longest wait for a reply to one request: the patience
	// given to a target the model expects to answer.
	Timeout time.Duration
	// Retries is how many more requests go to a target that stayed silent.
	Retries int
	// ID is the ICMP echo identifier; 0 picks a random one. Raw sockets see
	// every ICMP packet in the namespace, so replies are matched on it.
	ID int
	// ExpectSilent, when set (one entry per target), marks the targets the
	// model expects to stay silent (Docker's isolation drops their packets).
	// With Silence set, their silence is decided as soon as it is
	// unmistakable rather than after the full Timeout.
	ExpectSilent []bool
	// Silence learns how fast this host answers; nil waits the full Timeout
	// for every target.
	Silence *SilenceEstimator
}

// SilenceEstimator decides how long an echo request must go unanswered before
// netviz calls it dropped: ten times the slowest reply seen so far in the
// same sweep (a round trip inside one host is about 0.1 ms; measured from
// the kernel's receive timestamps, so netviz's own scheduling does not
// count), at least MinSilence, at most the patience. Each retry waits as
// long again, and a reply that comes later still counts as long as the
// round runs. It is
// safe for concurrent use by the pingers of one sweep.
type SilenceEstimator struct {
	mu      sync.Mutex
	slowest time.Duration
	replies int
}

// MinSilence is the shortest silence ever taken for a drop.
const MinSilence = 20 * time.Millisecond

// silenceFactor is how many times the slowest reply a silence must last.
const silenceFactor = 10

// Observe records the round-trip time of a reply.
func (s *SilenceEstimator) Observe(rtt time.Duration) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.slowest = max(s.slowest, rtt)
	s.replies++
	s.mu.Unlock()
}

// Wait is how long a request to a target expected to be silent should go
// unanswered before it counts as dropped (the same for every attempt). Until a reply
// has been seen there is nothing to learn from, and it is the patience.
func (s *SilenceEstimator) Wait(attempt int, patience time.Duration) time.Duration {
	if s == nil {
		return patience
	}
	s.mu.Lock()
	slowest, replies := s.slowest, s.replies
	s.mu.Unlock()
	if replies == 0 {
		return patience
	}
	return min(max(MinSilence, silenceFactor*slowest), patience)
}

// Slowest is the slowest reply observed so far.
func (s *SilenceEstimator) Slowest() time.Duration {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.slowest
}

// drainWindow is how long a read waits for replies already on their way
// before a decision is taken.
const drainWindow = 500 * time.Microsecond

// stampedReader is a socket that says when the kernel received a packet.
type stampedReader interface {
	ReadFromStamped(b []byte) (int, net.Addr, time.Time, error)
}

// neighbourTableFull is the detail of a request the kernel refused because
// the host's neighbour (ARP) table was full: nothing was sent, so nothing
// can be said about the pair yet.
const neighbourTableFull = "not sent: the kernel's neighbour table is full (ENOBUFS)"

// PingAll sends an echo request to every target over conn, all at once, and
// collects replies until each target answered or its wait passed; a silent
// target gets Retries more requests. A reply arriving after its target was
// given up on still counts while other targets are pending. It never sends
// to an address not in targets.
func PingAll(ctx context.Context, conn net.PacketConn, targets []netip.Addr, opts PingOptions) []EchoResult {
	if opts.Timeout <= 0 {
		opts.Timeout = 500 * time.Millisecond
	}
	id := opts.ID
	if id == 0 {
		id = 1 + rand.IntN(0xfffe)
	}
	results := make([]EchoResult, len(targets))
	for i, t := range targets {
		results[i] = EchoResult{Addr: t, Outcome: Timeout}
	}
	type request struct {
		target int
		at     time.Time
	}
	sent := map[int]request{} // seq → what it asked
	lastSent := make([]time.Time, len(targets))
	open := make([]bool, len(targets)) // waiting for this target's reply
	nextSeq := rand.IntN(0x10000)
	send := func(i int) {
		seq := nextSeq & 0xffff
		nextSeq++
		msg := icmp.Message{Type: ipv4.ICMPTypeEcho, Body: &icmp.Echo{ID: id, Seq: seq, Data: []byte("netviz probe")}}
		wire, err := msg.Marshal(nil)
		if err == nil {
			_, err = conn.WriteTo(wire, &net.IPAddr{IP: targets[i].AsSlice()})
		}
		results[i].Attempts++
		switch {
		case errors.Is(err, syscall.ENOBUFS):
			// Nothing left the socket: the pair is not measured yet, and
			// the caller may try again once the table has room.
			results[i].Attempts--
			results[i].Outcome, results[i].Detail, results[i].tableFull = NotMeasured, neighbourTableFull, true
			open[i] = false
		case err != nil:
			results[i].Outcome, results[i].Detail = Unreachable, err.Error()
			open[i] = false
		default:
			now := time.Now()
			sent[seq] = request{i, now.Round(0)} // wall clock, as the kernel's stamps
			lastSent[i] = now
			open[i] = true
		}
	}
	wait := func(i int) time.Duration {
		attempt := results[i].Attempts - 1
		if opts.ExpectSilent != nil && opts.ExpectSilent[i] {
			return opts.Silence.Wait(attempt, opts.Timeout)
		}
		return opts.Timeout
	}
	// A read waits for its deadline, not for ctx: end it when ctx ends, so
	// Ctrl-C stops a sweep within a moment whatever the --timeout.
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Now()) })
	defer stop()
	buf := make([]byte, 1500)
	stamped, _ := conn.(stampedReader)
	// readUntil takes in replies until the deadline, or until the socket
	// fails for good.
	failed := false
	readUntil := func(deadline time.Time) {
		conn.SetReadDeadline(deadline)
		if ctx.Err() != nil { // cancelled while the deadline was being set
			return
		}
		for !failed {
			var n int
			var from net.Addr
			var at time.Time
			var err error
			if stamped != nil {
				n, from, at, err = stamped.ReadFromStamped(buf)
			} else {
				n, from, err = conn.ReadFrom(buf)
				at = time.Now()
			}
			if err != nil {
				var ne net.Error
				if !errors.Is(err, os.ErrDeadlineExceeded) && !(errors.As(err, &ne) && ne.Timeout()) {
					failed = true
				}
				return
			}
			seq, outcome, detail, ok := match(buf[:n], from, id)
			req, known := sent[seq]
			if !ok || !known || targets[req.target] != replyTarget(buf[:n], from, outcome) {
				continue
			}
			delete(sent, seq) // a duplicate of this reply counts once
			i := req.target
			if results[i].Outcome != Timeout {
				if outcome == Reached && results[i].Outcome == Reached {
					results[i].Received++ // a late reply to an earlier request
				}
				continue
			}
			results[i].Outcome, results[i].Detail = outcome, detail
			if outcome == Reached {
				rtt := at.Sub(req.at)
				if rtt <= 0 || rtt > time.Since(req.at) {
					rtt = time.Since(req.at) // the wall clock stepped
				}
				results[i].RTT, results[i].Received = rtt, results[i].Received+1
				opts.Silence.Observe(rtt)
			}
			open[i] = false
		}
	}
	for i := range targets {
		send(i)
	}
	for ctx.Err() == nil && !failed {
		// Take in what has arrived, then give up on, or ask again, every
		// target whose wait is over, and find when the next one will be.
		readUntil(time.Now().Add(drainWindow))
		now := time.Now()
		var next time.Time
		for i := range targets {
			if !open[i] {
				continue
			}
			due := lastSent[i].Add(wait(i))
			if !now.Before(due) {
				if results[i].Attempts > opts.Retries {
					open[i] = false // a timeout, unless a late reply turns up
					continue
				}
				send(i)
				if !open[i] {
					continue
				}
				due = lastSent[i].Add(wait(i))
			}
			if next.IsZero() || due.Before(next) {
				next = due
			}
		}
		if next.IsZero() {
			break
		}
		if d, ok := ctx.Deadline(); ok && d.Before(next) {
			next = d
		}
		readUntil(next)
	}
	// Replies already queued when the last wait ran out still count.
	readUntil(time.Now().Add(drainWindow))
	return results
}

// match reads a packet as an answer to one of our requests: an echo reply
// with our id, or an ICMP error quoting an echo request with our id. It
// returns the request's sequence number.
func match(pkt []byte, from net.Addr, id int) (seq int, outcome Outcome, detail string, ok bool) {
	msg, err := icmp.ParseMessage(1, pkt)
	if err != nil {
		return 0, "", "", false
	}
	switch body := msg.Body.(type) {
	case *icmp.Echo:
		if msg.Type != ipv4.ICMPTypeEchoReply || body.ID != id {
			return 0, "", "", false
		}
		return body.Seq, Reached, "", true
	case *icmp.DstUnreach:
		seq, _, ok := quotedEcho(body.Data, id)
		if !ok {
			return 0, "", "", false
		}
		src, _ := netip.AddrFromSlice(ipOf(from))
		return seq, Unreachable, fmt.Sprintf("%s from %s", unreachText(msg.Code), src.Unmap()), true
	}
	return 0, "", "", false
}

// replyTarget is the address a matched packet speaks for: the sender of an
// echo reply, the quoted destination of an ICMP error.
func replyTarget(pkt []byte, from net.Addr, outcome Outcome) netip.Addr {
	if outcome == Unreachable {
		msg, err := icmp.ParseMessage(1, pkt)
		if err == nil {
			if body, ok := msg.Body.(*icmp.DstUnreach); ok {
				if _, dst, ok := quotedEcho(body.Data, -1); ok {
					return dst
				}
			}
		}
		return netip.Addr{}
	}
	src, _ := netip.AddrFromSlice(ipOf(from))
	return src.Unmap()
}

// quotedEcho reads the IPv4 header and echo request an ICMP error quotes;
// id < 0 accepts any identifier.
func quotedEcho(data []byte, id int) (seq int, dst netip.Addr, ok bool) {
	if len(data) < 20 {
		return 0, netip.Addr{}, false
	}
	ihl := int(data[0]&0x0f) * 4
	if ihl < 20 || len(data) < ihl+8 || data[9] != 1 {
		return 0, netip.Addr{}, false
	}
	dst = netip.AddrFrom4([4]byte(data[16:20]))
	echo := data[ihl:]
	if echo[0] != 8 || id >= 0 && int(echo[4])<<8|int(echo[5]) != id {
		return 0, netip.Addr{}, false
	}
	return int(echo[6])<<8 | int(echo[7]), dst, true
}

func ipOf(a net.Addr) net.IP {
	switch a := a.(type) {
	case *net.IPAddr:
		return a.IP
	case *net.UDPAddr:
		return a.IP
	}
	return nil
}

func unreachText(code int) string {
	switch code {
	case 0:
		return "network unreachable"
	case 1:
		return "host unreachable"
	case 3:
		return "port unreachable"
	case 9, 10, 13:
		return "administratively prohibited"
	}
	return fmt.Sprintf("destination unreachable (code %d)", code)
}

// PingRepeat runs count echo rounds (each with PingAll's retries) and folds
// them into one result per target: attempts and replies summed (the loss),
// the mean RTT of the replies, reached if any reply came.
func PingRepeat(ctx context.Context, conn net.PacketConn, targets []netip.Addr, count int, opts PingOptions) []EchoResult {
	if count < 1 {
		count = 1
	}
	total := make([]EchoResult, len(targets))
	var rttSum = make([]time.Duration, len(targets))
	for n := 0; n < count && ctx.Err() == nil; n++ {
		for i, r := range PingAll(ctx, conn, targets, opts) {
			t := &total[i]
			t.Addr = r.Addr
			t.Attempts += r.Attempts
			t.Received += r.Received
			rttSum[i] += r.RTT
			switch {
			case r.Outcome == Reached:
				t.Outcome = Reached
			case t.Outcome == "" || t.Outcome == Timeout:
				t.Outcome, t.Detail = r.Outcome, r.Detail
			}
		}
	}
	for i := range total {
		if total[i].Received > 0 {
			total[i].RTT = rttSum[i] / time.Duration(total[i].Received)
		}
	}
	return total
}

// Loss is the share of echo requests that got no reply, in percent.
func (r EchoResult) Loss() float64 {
	if r.Attempts == 0 {
		return 0
	}
	return 100 * float64(r.Attempts-r.Received) / float64(r.Attempts)
}
