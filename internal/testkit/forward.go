package testkit

import (
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// Forwarder passes connections from its own address to a target (a real
// engine's socket, a real server) and can cut every one of them at once, as
// a restart or a lost network does, then come back on the same address.
type Forwarder struct {
	Network string // "tcp" or "unix"
	Addr    string // where it listens: after Forward, the address in use
	Target  string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

// Forward starts a Forwarder listening on addr ("127.0.0.1:0" picks a
// port; a unix socket path is replaced) and stops it when t ends.
func Forward(t testing.TB, network, addr, target string) *Forwarder {
	t.Helper()
	f := &Forwarder{Network: network, Addr: addr, Target: target, conns: map[net.Conn]bool{}}
	f.Up(t)
	t.Cleanup(f.Down)
	return f
}

// Up listens on the Forwarder's address (again), retrying for a second
// while the old listener's port is still held.
func (f *Forwarder) Up(t testing.TB) {
	t.Helper()
	var ln net.Listener
	var err error
	for range 50 {
		if f.Network == "unix" {
			os.Remove(f.Addr)
		}
		if ln, err = net.Listen(f.Network, f.Addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("listen on %s: %v", f.Addr, err)
	}
	f.mu.Lock()
	f.ln, f.Addr = ln, ln.Addr().String()
	f.mu.Unlock()
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial(f.Network, f.Target)
			if err != nil {
				c.Close()
				continue
			}
			f.mu.Lock()
			f.conns[c], f.conns[up] = true, true
			f.mu.Unlock()
			f.wg.Add(2)
			go func() { defer f.wg.Done(); io.Copy(up, c); up.Close() }()
			go func() { defer f.wg.Done(); io.Copy(c, up); c.Close() }()
		}
	}()
}

// Down closes the listener and every connection through it, and waits for
// the forwarding to end.
func (f *Forwarder) Down() {
	f.mu.Lock()
	if f.ln != nil {
		f.ln.Close()
		f.ln = nil
	}
	for c := range f.conns {
		c.Close()
	}
	clear(f.conns)
	f.mu.Unlock()
	f.wg.Wait()
}

// LineDiff shows the lines where got and want differ (at most 15 pairs),
// each side named, for a failure message.
func LineDiff(got, want, gotName, wantName string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	var out []string
	for i := 0; i < max(len(g), len(w)) && len(out) < 30; i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			out = append(out, fmt.Sprintf("  line %d %s: %s", i+1, gotName, gl), fmt.Sprintf("  line %d %s: %s", i+1, wantName, wl))
		}
	}
	return strings.Join(out, "\n")
}
