// Package verify compares a simulated model with what a real engine built
// from the same scenario: addresses, interfaces, DNS answers and measured
// reachability, check by check. The comparison (Compare) is pure code over
// two models and the measurements; Run builds the scenario on a real engine,
// measures it from inside the containers (QueryDNS, probe.Measure) and
// tears it down.
package verify

import (
	"fmt"
	"net/netip"
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

// CompareOptions says how strictly Compare reads addresses.
type CompareOptions struct {
	// FreshEngine says the engine had never made a network before the
	// scenario: the default pools it hands out are then predictable, and
	// subnets, gateways and addresses from them compare exactly. Otherwise
	// a default-pool address compares by its position in its subnet (the
	// engine's allocator keeps state across networks).
	FreshEngine bool
}

// Compare checks the live model and measurements against the simulation:
// each container's state and namespace, each network's subnets and
// gateways, each endpoint's addresses, gateway, interface name and — where
// the simulation claims one — MAC, every DNS answer set, every measured
// reachability cell. Addresses must match exactly where the scenario pinned
// the subnet (or opts.FreshEngine), by position in the subnet otherwise.
func Compare(name string, sim, live *graph.Model, dns LiveDNS, mat *probe.Matrix, opts CompareOptions) *Report {
	r := &Report{Scenario: name}
	sx, lx := graph.NewIndex(sim), graph.NewIndex(live)
	pos := func(x *graph.Index, ep graph.Endpoint, a netip.Addr) string {
		return position(x, ep, a, opts.FreshEngine)
	}
	for _, sn := range sim.Networks {
		ln := lx.Network(sn.ID)
		switch {
		case sn.Driver == "host" || sn.Driver == "null":
			continue
		case ln == nil:
			r.add("network", sn.Name, "present", "missing")
			continue
		}
		r.add("network", sn.Name+" subnets", subnetShape(sn, opts.FreshEngine), subnetShape(ln, opts.FreshEngine))
	}
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
				r.add("address", sc.Name+" on "+net, pos(sx, sep, sep.IPv4.Addr()), pos(lx, lep, lep.IPv4.Addr()))
			}
			if sep.IPv6.IsValid() || lep.IPv6.IsValid() {
				r.add("address", sc.Name+" on "+net+" (IPv6)", graph.PrefixText(sep.IPv6), graph.PrefixText(lep.IPv6))
			}
			if sc.Running() {
				r.add("gateway", sc.Name+" on "+net, pos(sx, sep, sep.Gateway), pos(lx, lep, lep.Gateway))
			}
			if sep.Interface != "" {
				r.add("interface", sc.Name+" on "+net, ifName(sep.Interface), ifName(lep.Interface))
			}
			if sep.MAC != "" { // only a MAC the simulation can know (02:42 + IPv4 up to 27)
				r.add("mac", sc.Name+" on "+net, macShape(sep, opts.FreshEngine), macShape(lep, opts.FreshEngine))
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

// position is an address of endpoint ep's network as "exact A.B.C.D" when
// the scenario fixed the subnet (or exact is set: a fresh engine), else
// "host #k of a default pool": its offset inside its subnet. "none" when
// there is no such address.
func position(x *graph.Index, ep graph.Endpoint, a netip.Addr, exact bool) string {
	if !a.IsValid() {
		return "none"
	}
	n := x.Network(ep.Network)
	if n == nil || len(n.Subnets) == 0 || !n.Subnets[0].Subnet.IsValid() {
		return a.String()
	}
	var sub netip.Prefix
	for _, s := range n.Subnets {
		if s.Subnet.Contains(a) {
			sub = s.Subnet
		}
	}
	switch {
	case !sub.IsValid():
		return "outside its subnets: " + a.String()
	case exact || !a.Is4():
		return "exact " + a.String()
	case n.Default:
		// The host's own containers share the default bridge: only the
		// subnet is the scenario's to predict.
		return "an address of " + sub.String()
	case !dockerrules.FromDefaultPools(sub):
		return "exact " + a.String()
	}
	base, b := sub.Masked().Addr().As4(), a.As4()
	off := (uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])) -
		(uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3]))
	// The pool's size depends on which default pool the engine reached (a
	// /16 from 172.17-31, a /20 from 192.168): only the position compares.
	return fmt.Sprintf("host #%d of a default pool", off)
}

// macShape is an endpoint's MAC: exactly where its address is exact, else
// whether it is 02:42 followed by its own IPv4 address (the rule up to 27),
// since the address itself may come from another pool.
func macShape(ep graph.Endpoint, exact bool) string {
	if !exact && ep.IPv4.IsValid() && strings.EqualFold(ep.MAC, dockerrules.MACFromIPv4(ep.IPv4.Addr())) {
		return "02:42 + its IPv4 address"
	}
	return ep.MAC
}

// subnetShape is a network's pools in the engine's order, each with its
// gateway: exactly for a fresh engine or a pinned subnet, else the family,
// the position of the gateway and whether it came from a default pool.
func subnetShape(n *graph.Network, exact bool) string {
	var parts []string
	for _, s := range n.Subnets {
		gw := "no gateway"
		switch {
		case n.Default:
			// Whether inspect shows docker0's gateway depends on the
			// daemon's history (20.10 records it only after a restart
			// found docker0 configured): not the scenario's to predict.
			gw = "gw (the engine's)"
		case s.Gateway.IsValid():
			gw = "gw " + s.Gateway.String()
		}
		switch {
		case exact || !s.Subnet.Addr().Is4() || !dockerrules.FromDefaultPools(s.Subnet) || n.Default:
			parts = append(parts, graph.PrefixText(s.Subnet)+" "+gw)
		case s.Gateway.IsValid():
			parts = append(parts, fmt.Sprintf("a default pool, gw host #%d", int(s.Gateway.As4()[3])-int(s.Subnet.Masked().Addr().As4()[3])))
		default:
			parts = append(parts, "a default pool, no gateway")
		}
	}
	return strings.Join(parts, "; ")
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
