// Package overlay turns measurements — a probe report, a reachability
// matrix — into what internal/render draws: the probe picture (who asked,
// what came back, each echo's hops) and the reach grid, named from the
// topology they were measured on. It sits between probe and render so that
// neither has to know the other.
package overlay

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/render/matrix"
)

// ReachGrid turns a matrix measured on m into the matrix picture: a row
// per client under the networks it is on, a column per target address under
// its network, each cell the measured outcome (silence and ICMP unreachable
// apart) marked unexpected where it contradicts the model. With m nil a
// client's networks are those of its own addresses in the matrix.
func ReachGrid(m *graph.Model, mat *probe.Matrix) *matrix.Grid {
	g := &matrix.Grid{Title: "reach on " + mat.Host}
	type colKey struct {
		target, network string
		addr            netip.Addr
	}
	rows, cols := map[string]int{}, map[colKey]int{}
	for _, cell := range mat.Cells {
		if _, ok := rows[cell.Client]; !ok {
			rows[cell.Client] = len(g.Rows)
			g.Rows = append(g.Rows, matrix.GridRow{Name: cell.Client})
		}
		k := colKey{cell.Target, cell.Network, cell.Addr}
		if _, ok := cols[k]; !ok {
			cols[k] = len(g.Cols)
			g.Cols = append(g.Cols, matrix.GridCol{Name: cell.Target, Addr: cell.Addr.String(), Network: cell.Network})
		}
	}
	nets := clientNetworks(m, mat)
	for i := range g.Rows {
		g.Rows[i].Networks = nets[g.Rows[i].Name]
	}
	g.Cells = make([][]matrix.GridCell, len(g.Rows))
	for r := range g.Cells {
		g.Cells[r] = make([]matrix.GridCell, len(g.Cols))
	}
	for _, cell := range mat.Cells {
		g.Cells[rows[cell.Client]][cols[colKey{cell.Target, cell.Network, cell.Addr}]] = gridCell(cell)
	}
	return g
}

// gridCell is one measurement as the picture draws it, with a tooltip
// saying the pair, what came back and the model's reason.
func gridCell(c probe.Cell) matrix.GridCell {
	gc := matrix.GridCell{Unexpected: !c.Agrees}
	var what string
	switch c.Measured.Outcome {
	case probe.Reached:
		gc.Look, what = matrix.LookReached, "reached"
	case probe.Timeout:
		gc.Look, what = matrix.LookTimeout, "no reply (timeout)"
	case probe.Unreachable:
		gc.Look, what = matrix.LookUnreachable, "ICMP unreachable"
	case probe.NotMeasured:
		gc.Look, what = matrix.LookNotMeasured, "not measured"
	default:
		gc.Look, what = matrix.LookFailed, "could not run"
	}
	if c.Measured.Detail != "" {
		what += ": " + c.Measured.Detail
	}
	if c.Measured.Outcome == probe.Reached && c.Measured.RTT > 0 {
		what += " in " + c.Measured.RTT.Round(time.Microsecond).String()
	}
	predicts := "blocked"
	if c.Expected.Reachable {
		predicts = "reached"
	}
	head := ""
	if gc.Unexpected {
		head = "UNEXPECTED: "
	}
	gc.Tip = fmt.Sprintf("%s%s → %s (%s) @ %s\nmeasured: %s\nmodel: %s — %s", head, c.Client, c.Target, c.Addr, c.Network, what, predicts, c.Expected.Detail)
	return gc
}

// clientNetworks names the networks of each client: those its namespace
// is on (a --net container:X member is on X's), ["host"] for --net host.
func clientNetworks(m *graph.Model, mat *probe.Matrix) map[string][]string {
	out := map[string][]string{}
	add := func(client, network string) {
		if !slices.Contains(out[client], network) {
			out[client] = append(out[client], network)
		}
	}
	if m == nil {
		for _, cell := range mat.Cells {
			if cell.Client == cell.Target {
				add(cell.Client, cell.Network)
			}
		}
		return out
	}
	x := graph.NewIndex(m)
	for _, c := range m.Containers {
		owner := x.NetworkOwner(c)
		if owner.NetworkMode == graph.ModeHost {
			add(c.Name, "host")
			continue
		}
		for _, ep := range owner.Endpoints {
			if n := x.Network(ep.Network); n != nil {
				add(c.Name, n.Name)
			}
		}
	}
	return out
}
