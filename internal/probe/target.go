package probe

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/textsafe"
)

// ReportSchema versions the JSON of a probe report.
const ReportSchema = "netviz/probe/v1"

// Env is what a probe needs from the machine, so the logic is tested with
// fakes: a resolver socket and an ICMP socket in a container's namespace, and
// the container's /etc/hosts.
type Env struct {
	DNS   func(c *graph.Container) (net.Conn, error)
	ICMP  Opener
	Hosts func(c *graph.Container) (string, error)
	// Capture opens a capture on one model interface (nil: no capture).
	Capture func(x *graph.Index, ifID graph.InterfaceID) (PacketSource, error)
}

// PathReport is what the capture saw of the pings to one answer.
type PathReport struct {
	Addr  netip.Addr `json:"addr"`
	Plan  []Point    `json:"plan"`
	Hops  Hops       `json:"hops"`
	Error string     `json:"error,omitempty"`
}

// ClientReport is one client's view of the target.
type ClientReport struct {
	Client string `json:"client"`
	// Via is how this client resolves the name: "embedded-dns" (127.0.0.11),
	// "hosts" (/etc/hosts from --link), or "address" when TARGET is an IP.
	Via     string       `json:"via"`
	Lookups []Lookup     `json:"lookups,omitempty"`
	Answers []netip.Addr `json:"answers"`
	// FirstAnswers counts which address came first per query: what ping uses.
	FirstAnswers map[string]int `json:"firstAnswers,omitempty"`
	Pings        []EchoResult   `json:"pings"`
	Paths        []PathReport   `json:"paths,omitempty"`
	Err          string         `json:"error,omitempty"`
}

// Report is the result of `netviz probe TARGET`.
type Report struct {
	Schema  string         `json:"schema"`
	Target  string         `json:"target"`
	Elapsed time.Duration  `json:"elapsedNs"`
	Clients []ClientReport `json:"clients"`
	// Frames are the captured echo frames, for --pcap.
	Frames []Frame `json:"-"`
}

// UnknownTargetError says no container can resolve the target.
type UnknownTargetError struct {
	Target string
	Known  []string
}

func (e *UnknownTargetError) Error() string {
	known := "none"
	if len(e.Known) > 0 {
		const most = 15
		var shown []string
		for _, n := range e.Known[:min(len(e.Known), most)] {
			shown = append(shown, textsafe.Clean(n))
		}
		known = strings.Join(shown, ", ")
		if len(e.Known) > most {
			known += fmt.Sprintf(" (+%d more)", len(e.Known)-most)
		}
	}
	return fmt.Sprintf("no container resolves %s; names known here: %s", textsafe.Quote(e.Target), known)
}

// TargetOptions bounds a probe.
type TargetOptions struct {
	Count   int           // DNS queries per client
	Timeout time.Duration // per DNS query and per ping round
	Retries int
	// Pings is how many echo rounds go to each answer (loss and mean RTT).
	Pings int
	From  []string // client container names; empty: every client that can resolve it
	// Capture records the probe's packets on the interfaces the model says
	// they cross (Env.Capture must be set).
	Capture bool
	// Progress, if set, is told what a client is about to do ("resolving",
	// "pinging", "done"), with a line saying it in words; clients run
	// concurrently, so it is called from several goroutines.
	Progress func(client, stage, text string)
}

// progress tells opts.Progress, if set.
func (opts *TargetOptions) progress(client, stage, format string, args ...any) {
	if opts.Progress != nil {
		opts.Progress(client, stage, fmt.Sprintf(format, args...))
	}
}

// how says how client c would resolve target ("hosts", "embedded-dns"), or
// "" if it cannot: the model's own resolution rule decides.
func how(x *graph.Index, c *graph.Container, target string) string {
	_, via := dockerrules.Resolve(x, c, target)
	switch via {
	case graph.NameTasks, graph.NameServiceVIP:
		// A swarm service's name: the embedded DNS answers it too.
		return graph.NameEmbeddedDNS
	}
	return via
}

// KnownNames lists the names the model says some container can resolve.
func KnownNames(m *graph.Model) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range m.Names {
		if !seen[n.Name] {
			seen[n.Name] = true
			out = append(out, n.Name)
		}
	}
	sort.Strings(out)
	return out
}

// Probe resolves target the way each client would and pings every answer
// from that client's namespace.
func Probe(ctx context.Context, m *graph.Model, target string, env Env, opts TargetOptions) (*Report, error) {
	start := time.Now()
	if opts.Count <= 0 {
		opts.Count = 6
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 500 * time.Millisecond
	}
	x := graph.NewIndex(m)
	addr, addrErr := netip.ParseAddr(target)
	isAddr := addrErr == nil
	var clients []*graph.Container
	for _, c := range m.Containers {
		if !c.Running() || c.Namespace == "" {
			continue
		}
		if len(opts.From) > 0 {
			if slices.Contains(opts.From, c.Name) {
				clients = append(clients, c)
			}
			continue
		}
		if isAddr || how(x, c, target) != "" {
			clients = append(clients, c)
		}
	}
	for _, name := range opts.From {
		if x.Container(graph.NewContainerID(name)) == nil {
			return nil, fmt.Errorf("--from %s: no running container of that name", textsafe.Clean(name))
		}
	}
	if len(clients) == 0 {
		return nil, &UnknownTargetError{Target: target, Known: KnownNames(m)}
	}
	rep := &Report{Schema: ReportSchema, Target: target, Clients: make([]ClientReport, len(clients))}
	frames := make([][]Frame, len(clients))
	var wg sync.WaitGroup
	sem := make(chan struct{}, probeConcurrency)
	for ci, c := range clients {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			rep.Clients[ci], frames[ci] = probeClient(ctx, x, c, target, isAddr, addr, env, opts)
		}()
	}
	wg.Wait()
	for _, f := range frames {
		rep.Frames = append(rep.Frames, f...)
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// pingAndCapture pings every answer from c, capturing on the union of the
// answers' planned paths when asked, and fills cr's pings and paths.
func pingAndCapture(ctx context.Context, x *graph.Index, c *graph.Container, cr *ClientReport, env Env, opts TargetOptions) []Frame {
	conn, err := env.ICMP(c)
	if err != nil {
		cr.Err = err.Error()
		return nil
	}
	defer conn.Close()
	id := 1 + rand.IntN(0xfffe)
	var union []Point
	plans := make([][]Point, len(cr.Answers))
	var capture *Capture
	if opts.Capture && env.Capture != nil {
		index := map[graph.InterfaceID]int{}
		for i, a := range cr.Answers {
			plans[i] = PathPlan(x, c, a)
			for _, p := range plans[i] {
				if _, ok := index[p.Interface]; !ok {
					index[p.Interface] = len(union)
					union = append(union, p)
				}
			}
		}
		sources := make([]PacketSource, len(union))
		for i, p := range union {
			if src, err := env.Capture(x, p.Interface); err == nil {
				sources[i] = src
			}
		}
		capture = StartCapture(sources, id, true)
	}
	cr.Pings = PingRepeat(ctx, conn, cr.Answers, opts.Pings, PingOptions{Timeout: opts.Timeout, Retries: opts.Retries, ID: id})
	if capture == nil {
		return nil
	}
	time.Sleep(20 * time.Millisecond) // let the last replies reach every capture point
	seen, frames := capture.Stop()
	for i, a := range cr.Answers {
		// Re-index sightings from the union onto this answer's own plan.
		var mine []Sighting
		for _, s := range seen {
			for j, p := range plans[i] {
				if p.Interface == union[s.Point].Interface {
					s.Point = j
					mine = append(mine, s)
				}
			}
		}
		cr.Paths = append(cr.Paths, PathReport{Addr: a, Plan: plans[i], Hops: HopsFor(plans[i], mine, a)})
	}
	return frames
}

// probeConcurrency bounds how many clients are probed at once.
const probeConcurrency = 8

// probeClient resolves target as client c would and pings every answer.
func probeClient(ctx context.Context, x *graph.Index, c *graph.Container, target string, isAddr bool, addr netip.Addr, env Env, opts TargetOptions) (ClientReport, []Frame) {
	var frames []Frame
	cr := ClientReport{Client: c.Name}
	defer func() {
		opts.progress(c.Name, "done", "%s: %d answers, %d pinged", textsafe.Clean(c.Name), len(cr.Answers), len(cr.Pings))
	}()
	opts.progress(c.Name, "resolving", "%s: resolving %s", textsafe.Clean(c.Name), textsafe.Quote(target))
	switch {
	case isAddr:
		cr.Via, cr.Answers = "address", []netip.Addr{addr.Unmap()}
	default:
		cr.Via = how(x, c, target)
		switch cr.Via {
		case graph.NameHosts:
			hosts, err := env.Hosts(c)
			if err != nil {
				cr.Err = err.Error()
				break
			}
			cr.Answers = HostsLookup(hosts, target)
		case graph.NameEmbeddedDNS:
			conn, err := env.DNS(c)
			if err != nil {
				cr.Err = err.Error()
				break
			}
			cr.Lookups = Resolve(ctx, conn, target, opts.Count, opts.Timeout)
			conn.Close()
			cr.Answers = AnswerSet(cr.Lookups)
			cr.FirstAnswers = map[string]int{}
			for a, n := range Spread(cr.Lookups) {
				cr.FirstAnswers[a.String()] = n
			}
		default:
			cr.Err = fmt.Sprintf("%s cannot resolve %s (not on a network where the name exists)", textsafe.Clean(c.Name), textsafe.Quote(target))
		}
	}
	if len(cr.Answers) > 0 {
		opts.progress(c.Name, "pinging", "%s: pinging %d answers %v", textsafe.Clean(c.Name), len(cr.Answers), cr.Answers)
		frames = pingAndCapture(ctx, x, c, &cr, env, opts)
	}
	return cr, frames
}
