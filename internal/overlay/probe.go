package overlay

import (
	"bytes"
	"net/netip"
	"slices"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/render/probeview"
)

// Probe turns a probe report into the probe picture's input, using the
// topology m it was measured on to name things: which container holds each
// answer, which network's DNS answered, each hop's interface and owner. A
// path that was not captured (--no-capture) is drawn as the model plans it.
func Probe(m *graph.Model, rep *probe.Report) *probeview.ProbeView {
	x := graph.NewIndex(m)
	v := &probeview.ProbeView{Target: rep.Target, Elapsed: rep.Elapsed}
	var text bytes.Buffer
	if err := probe.WriteReport(&text, rep, false); err == nil {
		v.Text = text.String()
	}
	// Who holds each address: a running container before a stopped one
	// that last had it.
	owner := map[netip.Addr]*graph.Container{}
	for _, c := range m.Containers {
		for _, ep := range c.Endpoints {
			if !ep.IPv4.IsValid() {
				continue
			}
			a := ep.IPv4.Addr()
			if cur, ok := owner[a]; !ok || !cur.Running() && c.Running() {
				owner[a] = c
			}
		}
	}
	var all []netip.Addr
	seen := map[netip.Addr]bool{}
	for _, c := range rep.Clients {
		for _, a := range c.Answers {
			if !seen[a] {
				seen[a] = true
				all = append(all, a)
			}
		}
	}
	slices.SortFunc(all, func(a, b netip.Addr) int { return a.Compare(b) })
	for _, a := range all {
		ans := probeview.ProbeAnswer{Addr: a.String()}
		if c := owner[a]; c != nil {
			ans.Container, ans.ID = c.Name, string(c.ID)
		}
		v.Answers = append(v.Answers, ans)
	}
	for _, cr := range rep.Clients {
		v.Clients = append(v.Clients, probeClient(x, rep.Target, cr, all))
	}
	return v
}

// probeClient is one client's row and lane: its results in the order of
// the whole answer set.
func probeClient(x *graph.Index, target string, cr probe.ClientReport, order []netip.Addr) probeview.ProbeClient {
	id := graph.NewContainerID(cr.Client)
	pc := probeview.ProbeClient{Name: cr.Client, ID: string(id), Via: cr.Via, Queries: len(cr.Lookups), Err: cr.Err}
	c := x.Container(id)
	if c != nil {
		var netID graph.NetworkID
		if cr.Via == graph.NameEmbeddedDNS {
			edges, _ := dockerrules.Resolve(x, c, target)
			for _, e := range edges {
				if n := x.Name(e.From); n != nil {
					if nid, ok := n.Scope.Network(); ok && x.Network(nid) != nil {
						netID, pc.Network = nid, x.Network(nid).Name
						break
					}
				}
			}
		}
		for _, ep := range x.NetworkOwner(c).Endpoints {
			if ep.IPv4.IsValid() && (pc.Addr == "" || ep.Network == netID) {
				pc.Addr = ep.IPv4.Addr().String()
			}
		}
	}
	pings := map[netip.Addr]probe.EchoResult{}
	for _, p := range cr.Pings {
		pings[p.Addr] = p
	}
	paths := map[netip.Addr]probe.PathReport{}
	for _, p := range cr.Paths {
		paths[p.Addr] = p
	}
	mine := map[netip.Addr]bool{}
	for _, a := range cr.Answers {
		mine[a] = true
	}
	for _, a := range order {
		if !mine[a] {
			continue
		}
		r := probeview.ProbeResult{Addr: a.String(), First: cr.FirstAnswers[a.String()]}
		if p, ok := pings[a]; ok {
			r.Ping = probeview.ProbePing{Outcome: string(p.Outcome), Reached: p.Outcome == probe.Reached, Attempts: p.Attempts, Received: p.Received, RTT: p.RTT, Detail: p.Detail}
		}
		if p, ok := paths[a]; ok {
			r.Hops, r.Captured, r.PathErr = probeHops(x, p.Plan, p.Hops), p.Error == "", p.Error
		} else if c != nil && c.Running() {
			r.Hops = probeHops(x, probe.PathPlan(x, c, a), probe.Hops{})
		}
		pc.Results = append(pc.Results, r)
	}
	return pc
}

// probeHops names each planned point and marks what the capture saw there.
func probeHops(x *graph.Index, plan []probe.Point, seen probe.Hops) []probeview.ProbeHop {
	var out []probeview.ProbeHop
	for _, pt := range plan {
		h := probeview.ProbeHop{ID: string(pt.Interface), Name: pt.Label, Bridge: pt.Bridge,
			Request:  slices.Contains(seen.Request, pt.Label),
			Switched: slices.Contains(seen.Request, "["+pt.Label+"]"),
			Reply:    slices.Contains(seen.Reply, pt.Label),
		}
		if i := x.Interface(pt.Interface); i != nil {
			h.Name, h.Where = i.Name, "host"
			if o, ok := i.Namespace.Owner(); ok {
				h.Where = o
			}
			if i.Kind == graph.KindLoopback {
				h.Where = "own address"
			}
			for _, n := range x.Model.Networks {
				if n.Bridge == i.ID {
					h.Where = "network " + n.Name
				}
			}
		}
		out = append(out, h)
	}
	return out
}
