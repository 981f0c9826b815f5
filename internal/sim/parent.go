package sim

import "github.com/netviz/netviz/internal/scenario"

// NeedsParent reports whether a scenario creates a macvlan or ipvlan
// network, whose parent interface must exist on the engine's host (`netviz
// lab up` makes it a veth on this machine). A scenario every release
// would refuse needs none: applying it will say what is wrong. (Which
// release the engine runs is not known here; what one release refuses,
// --ipv4 before 28, another takes.)
func NeedsParent(sc *scenario.Scenario) bool {
	for _, v := range EngineMajors {
		eng := New(Options{EngineVersion: v})
		if eng.Apply(sc) != nil {
			continue
		}
		for _, n := range eng.Model().Networks {
			if n.Driver == "macvlan" || n.Driver == "ipvlan" {
				return true
			}
		}
		return false
	}
	return false
}
