// Package overlay turns measurements — a probe report, a reachability
// matrix — into what internal/render draws: paths and answers over the
// topology, and a coloured grid. It sits between probe and render so that
// neither has to know the other.
package overlay

import (
	"fmt"
	"net/netip"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/render"
)

// Probe turns a probe report into paths and answers over the topology m it
// was measured on: each client's path to each answer, green where the ping
// got through, and each DNS answer as an edge to the container it names.
func Probe(m *graph.Model, rep *probe.Report) *render.Overlay {
	ov := &render.Overlay{Title: "probe " + rep.Target}
	owner := map[netip.Addr]graph.ContainerID{}
	for _, c := range m.Containers {
		for _, ep := range c.Endpoints {
			if ep.IPv4.IsValid() {
				owner[ep.IPv4.Addr()] = c.ID
			}
		}
	}
	for _, c := range rep.Clients {
		ok := map[netip.Addr]bool{}
		for _, p := range c.Pings {
			ok[p.Addr] = p.Outcome == probe.Reached
		}
		for _, p := range c.Paths {
			var ifs []graph.InterfaceID
			for _, pt := range p.Plan {
				ifs = append(ifs, pt.Interface)
			}
			ov.Paths = append(ov.Paths, render.OverlayPath{Interfaces: ifs, OK: ok[p.Addr], Label: c.Client + " → " + p.Addr.String()})
		}
		if c.Via != "address" {
			for _, a := range c.Answers {
				if ctr := owner[a]; ctr != "" {
					ov.Answers = append(ov.Answers, render.OverlayAnswer{Name: rep.Target, Container: ctr, Addr: a.String(), OK: ok[a]})
				}
			}
		}
	}
	return ov
}

// ReachGrid turns a matrix into a coloured grid: rows are clients, columns
// are target addresses.
func ReachGrid(mat *probe.Matrix) *render.Grid {
	c := mat.Counts()
	g := &render.Grid{Title: fmt.Sprintf("reach on %s: %d pairs, %d reached, %d blocked, %d unexpected", mat.Host, c.Pairs, c.Reached, c.Blocked, c.Unexpected)}
	rowIdx, colIdx := map[string]int{}, map[string]int{}
	for _, cell := range mat.Cells {
		col := cell.Target + "@" + cell.Network
		if _, ok := rowIdx[cell.Client]; !ok {
			rowIdx[cell.Client] = len(g.Rows)
			g.Rows = append(g.Rows, cell.Client)
		}
		if _, ok := colIdx[col]; !ok {
			colIdx[col] = len(g.Cols)
			g.Cols = append(g.Cols, col)
		}
	}
	g.Cells = make([][]render.GridCell, len(g.Rows))
	for r := range g.Cells {
		g.Cells[r] = make([]render.GridCell, len(g.Cols))
		for i := range g.Cells[r] {
			g.Cells[r][i] = render.GridCell{Color: "#FFFFFF"}
		}
	}
	for _, cell := range mat.Cells {
		gc := render.GridCell{Tooltip: fmt.Sprintf("%s → %s (%s): %s — %s", cell.Client, cell.Target, cell.Addr, cell.Measured.Outcome, cell.Expected.Detail)}
		switch {
		case !cell.Agrees:
			gc.Text, gc.Color = "!", "#D62728"
		case cell.Measured.Outcome == probe.Reached:
			gc.Text, gc.Color = "✓", "#1B9E3E"
		case cell.Measured.Outcome == probe.NotMeasured:
			gc.Text, gc.Color = "–", "#BBBBBB"
		case cell.Measured.Outcome == probe.Failed:
			gc.Text, gc.Color = "?", "#E69F00"
		default:
			gc.Text, gc.Color = "·", "#555555"
		}
		g.Cells[rowIdx[cell.Client]][colIdx[cell.Target+"@"+cell.Network]] = gc
	}
	g.Legend = []render.GridCell{
		{Text: "✓", Color: "#1B9E3E", Tooltip: "reached, as the model expects"},
		{Text: "·", Color: "#555555", Tooltip: "blocked, as the model expects (isolated bridges, ICC off, none)"},
		{Text: "!", Color: "#D62728", Tooltip: "the measurement contradicts the model"},
		{Text: "–", Color: "#BBBBBB", Tooltip: "not measured: the packet would leave this host"},
		{Text: "?", Color: "#E69F00", Tooltip: "the probe could not run (container exited)"},
	}
	return g
}
