package probe

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/reach"
)

// MatrixSchema versions the JSON of a reachability matrix.
const MatrixSchema = "netviz/reach/v1"

// Cell is one client × target address: what the model expects, what was
// measured, and whether they agree.
type Cell struct {
	Client   string            `json:"client"`
	Target   string            `json:"target"`
	Network  string            `json:"network"`
	Addr     netip.Addr        `json:"addr"`
	Expected reach.Expectation `json:"expected"`
	Measured EchoResult        `json:"measured"`
	// Agrees is false when a measurement contradicts the model.
	Agrees bool `json:"agrees"`
}

// Matrix is the all-pairs reachability of a host's running containers.
type Matrix struct {
	Schema  string        `json:"schema"`
	Host    string        `json:"host"`
	Elapsed time.Duration `json:"elapsedNs"`
	Cells   []Cell        `json:"cells"`
}

// Counts summarises a matrix.
type Counts struct {
	Pairs, Reached, Blocked, NotMeasured, Failed, Unexpected int
}

// Counts tallies the cells.
func (m *Matrix) Counts() Counts {
	var c Counts
	for _, cell := range m.Cells {
		c.Pairs++
		switch cell.Measured.Outcome {
		case Reached:
			c.Reached++
		case Timeout, Unreachable:
			c.Blocked++
		case NotMeasured:
			c.NotMeasured++
		case Failed:
			c.Failed++
		}
		if !cell.Agrees {
			c.Unexpected++
		}
	}
	return c
}

// Opener opens a raw ICMP socket inside a container's network namespace.
type Opener func(c *graph.Container) (net.PacketConn, error)

// MeasureOptions bounds a measurement.
type MeasureOptions struct {
	Ping PingOptions
	// Concurrency is how many namespaces are probed at once.
	Concurrency int
	// Progress, if set, is called after each namespace with how many are done.
	Progress func(done, total int)
}

// Measure pings every target address from every client namespace (once per
// namespace: container:X members share X's measurement) and sets each
// result beside the model's expectation. Pairs whose packets would leave the
// host are never sent; they are reported as not measured.
func Measure(ctx context.Context, m *graph.Model, open Opener, opts MeasureOptions) *Matrix {
	start := time.Now()
	if opts.Concurrency <= 0 {
		opts.Concurrency = 16
	}
	x := graph.NewIndex(m)
	targets := reach.Targets(x)
	clients := reach.Clients(x)

	type job struct {
		client *graph.Container
		addrs  []netip.Addr
	}
	jobs := map[string]*job{} // namespace → who measures it and what
	var order []string
	for _, c := range clients {
		j := jobs[c.Namespace]
		if j == nil {
			j = &job{client: c}
			jobs[c.Namespace] = j
			order = append(order, c.Namespace)
		}
		for _, t := range targets {
			if reach.Expect(x, c, t).Local && !containsAddr(j.addrs, t.Addr) {
				j.addrs = append(j.addrs, t.Addr)
			}
		}
	}
	results := map[string]map[netip.Addr]EchoResult{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, opts.Concurrency)
	for _, ns := range order {
		j := jobs[ns]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			res := map[netip.Addr]EchoResult{}
			conn, err := open(j.client)
			if err != nil {
				for _, a := range j.addrs {
					res[a] = EchoResult{Addr: a, Outcome: Failed, Detail: err.Error()}
				}
			} else {
				for _, r := range PingAll(ctx, conn, j.addrs, opts.Ping) {
					res[r.Addr] = r
				}
				conn.Close()
			}
			mu.Lock()
			results[ns] = res
			done := len(results)
			mu.Unlock()
			if opts.Progress != nil {
				opts.Progress(done, len(order))
			}
		}()
	}
	wg.Wait()

	out := &Matrix{Schema: MatrixSchema, Host: m.Host.Name}
	for _, c := range clients {
		for _, t := range targets {
			exp := reach.Expect(x, c, t)
			cell := Cell{Client: c.Name, Target: t.Container.Name, Network: t.Network.Name, Addr: t.Addr, Expected: exp, Agrees: true}
			if !exp.Local {
				cell.Measured = EchoResult{Addr: t.Addr, Outcome: NotMeasured, Detail: "not sent: the packet would leave this host"}
			} else if r, ok := results[c.Namespace][t.Addr]; ok {
				cell.Measured = r
				if r.Outcome == Reached || r.Outcome == Timeout || r.Outcome == Unreachable {
					cell.Agrees = (r.Outcome == Reached) == exp.Reachable
				}
			} else {
				cell.Measured = EchoResult{Addr: t.Addr, Outcome: Failed, Detail: fmt.Sprintf("%s was not probed (interrupted)", c.Name)}
			}
			out.Cells = append(out.Cells, cell)
		}
	}
	out.Elapsed = time.Since(start)
	return out
}

func containsAddr(list []netip.Addr, a netip.Addr) bool {
	for _, b := range list {
		if a == b {
			return true
		}
	}
	return false
}
