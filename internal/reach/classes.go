package reach

import (
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/graph"
)

// Class is a set of clients that see the network identically: same network
// mode and same attachments (a --net container:X member counts as X).
type Class struct {
	Key     string   `json:"key"`
	Members []string `json:"members"`
	rep     *graph.Container
}

// ClassCell is the expectation for every client of a class toward every
// address on one network (pairs inside one namespace excepted: those are
// always reachable).
type ClassCell struct {
	Class   int         `json:"class"`
	Network string      `json:"network"`
	Expect  Expectation `json:"expect"`
	// Targets is how many addresses of the network the cell covers.
	Targets int `json:"targets"`
}

// ClassMatrix is the predicted reachability of a whole model, by classes:
// cheap for ten thousand containers, expandable to pairs for a few hundred.
type ClassMatrix struct {
	Classes []Class     `json:"classes"`
	Cells   []ClassCell `json:"cells"`
	// Pairs is how many client × address pairs the matrix stands for.
	Pairs int `json:"pairs"`
}

// ClassKey names the class of a client.
func ClassKey(x *graph.Index, c *graph.Container) string {
	o := x.NetworkOwner(c)
	mode := "bridge"
	switch {
	case o.Namespace == graph.HostNamespaceID:
		mode = "host"
	case o.NetworkMode == graph.ModeNone:
		mode = "none"
	}
	var nets []string
	for _, ep := range o.Endpoints {
		nets = append(nets, ep.Network.Name())
	}
	slices.Sort(nets)
	return mode + ":" + strings.Join(nets, "+")
}

// PredictClasses computes the expectation of every class toward every
// network that has target addresses, with one Expect call per class ×
// network on representative containers.
func PredictClasses(x *graph.Index) *ClassMatrix {
	targets := Targets(x)
	byNet := map[graph.NetworkID][]Target{}
	var netOrder []graph.NetworkID
	for _, t := range targets {
		if _, ok := byNet[t.Network.ID]; !ok {
			netOrder = append(netOrder, t.Network.ID)
		}
		byNet[t.Network.ID] = append(byNet[t.Network.ID], t)
	}
	slices.Sort(netOrder)
	cm := &ClassMatrix{}
	index := map[string]int{}
	for _, c := range Clients(x) {
		k := ClassKey(x, c)
		i, ok := index[k]
		if !ok {
			i = len(cm.Classes)
			index[k] = i
			cm.Classes = append(cm.Classes, Class{Key: k, rep: c})
		}
		cm.Classes[i].Members = append(cm.Classes[i].Members, c.Name)
		cm.Pairs += len(targets)
	}
	for ci, cl := range cm.Classes {
		for _, netID := range netOrder {
			ts := byNet[netID]
			// A representative target outside the representative client's
			// namespace (inside it, everything is reachable anyway).
			rep := ts[0]
			for _, t := range ts {
				if t.Container.Namespace != cl.rep.Namespace {
					rep = t
					break
				}
			}
			cm.Cells = append(cm.Cells, ClassCell{Class: ci, Network: netID.Name(), Expect: Expect(x, cl.rep, rep), Targets: len(ts)})
		}
	}
	return cm
}

// Prediction is one client × address expectation.
type Prediction struct {
	Client  string      `json:"client"`
	Target  string      `json:"target"`
	Network string      `json:"network"`
	Addr    string      `json:"addr"`
	Expect  Expectation `json:"expected"`
}

// Expand lists every pair of a class matrix (for small models).
func (cm *ClassMatrix) Expand(x *graph.Index) []Prediction {
	cell := map[[2]string]Expectation{}
	for _, c := range cm.Cells {
		cell[[2]string{cm.Classes[c.Class].Key, c.Network}] = c.Expect
	}
	var out []Prediction
	for _, c := range Clients(x) {
		k := ClassKey(x, c)
		for _, t := range Targets(x) {
			exp := cell[[2]string{k, t.Network.Name}]
			if t.Container.Namespace == c.Namespace {
				exp = Expect(x, c, t)
			}
			out = append(out, Prediction{Client: c.Name, Target: t.Container.Name, Network: t.Network.Name, Addr: t.Addr.String(), Expect: exp})
		}
	}
	return out
}
