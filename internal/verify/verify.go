// Package verify compares a simulated model with what a real engine built
// from the same scenario: addresses, interfaces, DNS answers and measured
// reachability, check by check. The comparison (Compare) is pure code over
// two models and the measurements; Run builds the scenario on a real engine,
// measures it from inside the containers (QueryDNS, probe.Measure) and
// tears it down.
package verify

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/reach"
)

// Check is one compared fact.
type Check struct {
	Kind string `json:"kind"` // container, address, interface, dns, reach
	What string `json:"what"`
	Sim  string `json:"sim"`
	Live string `json:"live"`
	OK   bool   `json:"ok"`
}

// Report is the result of a verification.
type Report struct {
	Scenario string  `json:"scenario"`
	Checks   []Check `json:"checks"`
}

// Agreed counts the checks that agree.
func (r *Report) Agreed() int {
	n := 0
	for _, c := range r.Checks {
		if c.OK {
			n++
		}
	}
	return n
}

// Percent is the share of checks that agree.
func (r *Report) Percent() float64 {
	if len(r.Checks) == 0 {
		return 100
	}
	return 100 * float64(r.Agreed()) / float64(len(r.Checks))
}

func (r *Report) add(kind, what, sim, live string) {
	r.Checks = append(r.Checks, Check{Kind: kind, What: what, Sim: sim, Live: live, OK: sim == live})
}

// LiveDNS is what each live client got for each name: the answering
// containers' names, or "NXDOMAIN".
type LiveDNS map[string]map[string][]string

// Compare checks the live model and measurements against the simulation.
// Addresses must match exactly where the subnets match (the scenario pinned
// them) and by position in the subnet otherwise: the engine's pool allocator
// keeps state across networks, so a fresh network may get another /16.
func Compare(name string, sim, live *graph.Model, dns LiveDNS, mat *probe.Matrix) *Report {
	r := &Report{Scenario: name}
	sx, lx := graph.NewIndex(sim), graph.NewIndex(live)
	for _, sc := range sim.Containers {
		lc := lx.Container(sc.ID)
		if lc == nil {
			r.add("container", sc.Name, sc.State, "missing")
			continue
		}
		r.add("container", sc.Name+" state", sc.State, lc.State)
		r.add("container", sc.Name+" namespace", nsShape(sc), nsShape(lc))
		for _, sep := range sc.Endpoints {
			net := sep.Network.Name()
			lep, ok := endpoint(lc, sep.Network)
			if !ok {
				r.add("address", sc.Name+" on "+net, graph.PrefixText(sep.IPv4), "not attached")
				continue
			}
			if sep.IPv4.IsValid() || lep.IPv4.IsValid() {
				r.add("address", sc.Name+" on "+net, position(sx, sep), position(lx, lep))
			}
			if sep.Interface != "" {
				r.add("interface", sc.Name+" on "+net, ifName(sep.Interface), ifName(lep.Interface))
			}
		}
	}
	// DNS: every name the simulation says a client can resolve.
	for _, sc := range sim.Containers {
		if !sc.Running() {
			continue
		}
		got, measured := dns[sc.Name]
		if !measured {
			continue
		}
		for _, name := range namesFor(sx, sc) {
			want := answers(sx, sc, name)
			have := got[name]
			sort.Strings(have)
			r.add("dns", sc.Name+" resolves "+name, strings.Join(want, ","), strings.Join(have, ","))
		}
	}
	// Reachability: every measured cell against the simulation's expectation.
	if mat != nil {
		byKey := map[string]reach.Expectation{}
		for _, p := range reach.PredictClasses(sx).Expand(sx) {
			byKey[p.Client+"→"+p.Target+"@"+p.Network] = p.Expect
		}
		for _, c := range mat.Cells {
			exp, ok := byKey[c.Client+"→"+c.Target+"@"+c.Network]
			what := fmt.Sprintf("%s → %s@%s", c.Client, c.Target, c.Network)
			if !ok {
				r.add("reach", what, "no such pair", string(c.Measured.Outcome))
				continue
			}
			r.add("reach", what, simOutcome(exp), liveOutcome(c.Measured.Outcome))
		}
	}
	return r
}

func simOutcome(e reach.Expectation) string {
	switch {
	case !e.Local:
		return "not measured"
	case e.Reachable:
		return "reachable"
	}
	return "blocked"
}

func liveOutcome(o probe.Outcome) string {
	switch o {
	case probe.Reached:
		return "reachable"
	case probe.Timeout, probe.Unreachable:
		return "blocked"
	case probe.NotMeasured:
		return "not measured"
	}
	return string(o)
}

// nsShape says how a container's namespace is shared, comparable across
// models: its own, the host's, or another container's.
func nsShape(c *graph.Container) string {
	switch {
	case !c.Running():
		return "none (stopped)"
	case c.Namespace == graph.HostNamespaceID:
		return "host"
	case c.SharesWith != "":
		return "shares " + c.SharesWith.Name()
	}
	return "own"
}

func endpoint(c *graph.Container, netID graph.NetworkID) (graph.Endpoint, bool) {
	for _, ep := range c.Endpoints {
		if ep.Network == netID {
			return ep, true
		}
	}
	return graph.Endpoint{}, false
}

func ifName(id graph.InterfaceID) string {
	s := string(id)
	if i := strings.LastIndex(s, "/"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// position is an address as "exact A.B.C.D/N" when the scenario fixed the
// subnet, else "host #k of a default pool": its offset inside its subnet.
func position(x *graph.Index, ep graph.Endpoint) string {
	p := ep.IPv4
	if !p.IsValid() {
		return "none"
	}
	n := x.Network(ep.Network)
	if n == nil || len(n.Subnets) == 0 || !n.Subnets[0].Subnet.IsValid() {
		return p.String()
	}
	sub := n.Subnets[0].Subnet
	if n.Default {
		// The host's own containers share the default bridge: only the
		// subnet is the scenario's to predict.
		return "an address of " + sub.String()
	}
	if !dockerrules.FromDefaultPools(sub) {
		return "exact " + p.String()
	}
	base, a := sub.Masked().Addr().As4(), p.Addr().As4()
	off := (uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])) -
		(uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3]))
	// The pool's size depends on which default pool the engine reached (a
	// /16 from 172.17-31, a /20 from 192.168): only the position compares.
	return fmt.Sprintf("host #%d of a default pool", off)
}

// namesFor lists the names client c can resolve per the simulation.
func namesFor(x *graph.Index, c *graph.Container) []string {
	owner := x.NetworkOwner(c)
	seen := map[string]bool{}
	var out []string
	for _, n := range x.Model.Names {
		in := n.Scope == graph.Scope(owner.ID) || slices.ContainsFunc(owner.Endpoints, func(ep graph.Endpoint) bool { return graph.Scope(ep.Network) == n.Scope })
		if in && !seen[n.Name] {
			seen[n.Name] = true
			out = append(out, n.Name)
		}
	}
	sort.Strings(out)
	return out
}

// answers is the sorted set of containers the simulation says name resolves
// to for client c ("NXDOMAIN" when none).
func answers(x *graph.Index, c *graph.Container, name string) []string {
	edges, _ := dockerrules.Resolve(x, c, name)
	var out []string
	for _, e := range edges {
		if t := graph.ContainerID(e.To).Name(); !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return []string{"NXDOMAIN"}
	}
	return out
}

// NamesToQuery lists, per running simulated client, the names to ask live.
func NamesToQuery(sim *graph.Model) map[string][]string {
	x := graph.NewIndex(sim)
	out := map[string][]string{}
	for _, c := range sim.Containers {
		if c.Running() {
			if ns := namesFor(x, c); len(ns) > 0 {
				out[c.Name] = ns
			}
		}
	}
	return out
}

// Via says how the simulation says client resolves name ("hosts" or
// "embedded-dns"); x indexes the simulated model.
func Via(x *graph.Index, client, name string) string {
	c := x.Container(graph.NewContainerID(client))
	if c == nil {
		return ""
	}
	_, via := dockerrules.Resolve(x, c, name)
	return via
}
