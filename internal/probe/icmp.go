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
}

// PingOptions bounds an echo round.
type PingOptions struct {
	// Timeout is how long to wait for replies after each round of requests.
	Timeout time.Duration
	// Retries is how many more rounds go to targets that did not answer.
	Retries int
	// ID is the ICMP echo identifier; 0 picks a random one. Raw sockets see
	// every ICMP packet in the namespace, so replies are matched on it.
	ID int
}

// PingAll sends an echo request to every target over conn, all at once, and
// collects replies until each target answered or the round's timeout passed;
// targets that stayed silent get Retries more rounds. It never sends to an
// address not in targets.
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
	sent := make(map[int]time.Time) // seq → send time
	seqOf := func(round, i int) int { return (round*len(targets) + i) & 0xffff }
	buf := make([]byte, 1500)
	for round := 0; round <= opts.Retries && ctx.Err() == nil; round++ {
		pending := 0
		for i, t := range targets {
			if results[i].Outcome != Timeout {
				continue
			}
			seq := seqOf(round, i)
			msg := icmp.Message{Type: ipv4.ICMPTypeEcho, Body: &icmp.Echo{ID: id, Seq: seq, Data: []byte("netviz probe")}}
			wire, err := msg.Marshal(nil)
			if err == nil {
				_, err = conn.WriteTo(wire, &net.IPAddr{IP: t.AsSlice()})
			}
			results[i].Attempts++
			if err != nil {
				results[i].Outcome, results[i].Detail = Unreachable, err.Error()
				continue
			}
			sent[seq] = time.Now()
			pending++
		}
		deadline := time.Now().Add(opts.Timeout)
		if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
			deadline = d
		}
		conn.SetReadDeadline(deadline)
		for pending > 0 {
			if ctx.Err() != nil {
				return results
			}
			n, from, err := conn.ReadFrom(buf)
			if err != nil {
				if errors.Is(err, os.ErrDeadlineExceeded) {
					break
				}
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					break
				}
				return results
			}
			i, rtt, outcome, detail := match(buf[:n], from, id, targets, sent, seqOf, round)
			if i < 0 || results[i].Outcome != Timeout {
				continue
			}
			results[i].Outcome, results[i].RTT, results[i].Detail = outcome, rtt, detail
			if outcome == Reached {
				results[i].Received++
			}
			pending--
		}
	}
	return results
}

// match finds which target a packet answers: an echo reply with our id from
// the target itself, or an ICMP error quoting one of our requests.
func match(pkt []byte, from net.Addr, id int, targets []netip.Addr, sent map[int]time.Time, seqOf func(round, i int) int, round int) (int, time.Duration, Outcome, string) {
	msg, err := icmp.ParseMessage(1, pkt)
	if err != nil {
		return -1, 0, "", ""
	}
	src, _ := netip.AddrFromSlice(ipOf(from))
	src = src.Unmap()
	find := func(seq int, dst netip.Addr) int {
		for r := 0; r <= round; r++ {
			for i, t := range targets {
				if seqOf(r, i) == seq && t == dst {
					return i
				}
			}
		}
		return -1
	}
	switch body := msg.Body.(type) {
	case *icmp.Echo:
		if msg.Type != ipv4.ICMPTypeEchoReply || body.ID != id {
			return -1, 0, "", ""
		}
		i := find(body.Seq, src)
		if i < 0 {
			return -1, 0, "", ""
		}
		return i, time.Since(sent[body.Seq]), Reached, ""
	case *icmp.DstUnreach:
		seq, dst, ok := quotedEcho(body.Data, id)
		if !ok {
			return -1, 0, "", ""
		}
		i := find(seq, dst)
		if i < 0 {
			return -1, 0, "", ""
		}
		return i, 0, Unreachable, fmt.Sprintf("%s from %s", unreachText(msg.Code), src)
	}
	return -1, 0, "", ""
}

// quotedEcho reads the IPv4 header and echo request an ICMP error quotes.
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
	if echo[0] != 8 || int(echo[4])<<8|int(echo[5]) != id {
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
