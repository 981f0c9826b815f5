package sim

import "github.com/netviz/netviz/internal/scenario"

// NeedsParent reports whether a scenario creates a macvlan or ipvlan
// network, whose parent interface must exist on the engine's host (`netviz
// lab up` makes it a veth on this machine). A scenario the daemon would
// refuse needs none: applying it will say what is wrong.
func NeedsParent(sc *scenario.Scenario) bool {
	eng := New(Options{})
	if eng.Apply(sc) != nil {
		return false
	}
	for _, n := range eng.Model().Networks {
		if n.Driver == "macvlan" || n.Driver == "ipvlan" {
			return true
		}
	}
	return false
}
