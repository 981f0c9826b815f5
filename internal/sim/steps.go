package sim

import (
	"fmt"
	"sort"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/scenario"
)

// Step is what one scenario command did to the simulated host: the model
// after it, and what it added and removed, each named the way a person
// would name it ("container web (running)", "network mybridge").
type Step struct {
	// Command is the command executed.
	Command scenario.Command
	// Model is the host after Command.
	Model *graph.Model
	// Added and Removed name what appeared and went, sorted. A thing whose
	// name changed (a container that stopped) is in both.
	Added, Removed []string
	// AddedIDs are the node IDs of Added, sorted: what a picture of the
	// step highlights.
	AddedIDs []string
	// RemovedIDs are the node IDs of Removed, sorted: what a picture of
	// the step shows as gone.
	RemovedIDs []string
}

// Steps executes sc on e one command at a time, skipping the ones that do
// nothing (comments, echo), and calls each with the step that command made,
// as `netviz sim --steps` draws them. It stops at the first error, from the
// engine (what the daemon would refuse) or from each.
func (e *Engine) Steps(sc *scenario.Scenario, each func(Step) error) error {
	before := nodeNames(e.Model())
	for _, c := range sc.Commands {
		if c.Verb == scenario.VerbNoop {
			continue
		}
		if err := e.Exec(c); err != nil {
			return err
		}
		m := e.Model()
		after := nodeNames(m)
		st := Step{Command: c, Model: m}
		for id, name := range after {
			if before[id] != name {
				st.Added = append(st.Added, name)
				st.AddedIDs = append(st.AddedIDs, id)
			}
		}
		for id, name := range before {
			if after[id] != name {
				st.Removed = append(st.Removed, name)
				st.RemovedIDs = append(st.RemovedIDs, id)
			}
		}
		sort.Strings(st.Added)
		sort.Strings(st.Removed)
		sort.Strings(st.AddedIDs)
		sort.Strings(st.RemovedIDs)
		if err := each(st); err != nil {
			return err
		}
		before = after
	}
	return nil
}

// nodeNames lists what a person would call the model's things, by ID.
func nodeNames(m *graph.Model) map[string]string {
	out := map[string]string{}
	for _, c := range m.Containers {
		out[string(c.ID)] = "container " + c.Name + " (" + c.State + ")"
	}
	for _, n := range m.Networks {
		out[string(n.ID)] = "network " + n.Name
	}
	for _, i := range m.Interfaces {
		out[string(i.ID)] = "interface " + string(i.ID)
	}
	for _, p := range m.Ports {
		out[p.ID] = fmt.Sprintf("port %s:%d/%s", graph.AddrText(p.HostIP), p.HostPort, p.Proto)
	}
	for _, n := range m.Names {
		if _, onNet := n.Scope.Network(); !onNet || n.ID != graph.NewDNSNameID(n.Scope, n.Name) {
			continue
		}
		out[n.ID] = "name " + n.Name + " on " + n.Scope.Name()
	}
	return out
}
