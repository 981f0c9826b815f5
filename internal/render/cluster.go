package render

// Pictures of several hosts (a graph.Cluster): each host's own picture,
// laid out as a single host's is, in a box of its own; the boxes in a
// grid fitted to 16:9; and each overlay the hosts share drawn as the
// tunnel it is: from the overlay's frame on each host, out to the host's
// VTEP at the right edge of its box, and along a pipe under the hosts'
// row that joins every host taking part, labelled with the network, its
// VXLAN segment and UDP port and each host's VTEP address.

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/draw"
	"github.com/netviz/netviz/internal/graph"
)

// Spacing of a cluster picture, in pixels.
const (
	hostGap    = 28.0 // between host boxes, beside the tunnels' lanes
	tunnelLane = 16.0 // between two tunnels' lanes
	tunnelW    = 7.0  // a tunnel pipe's width
)

// tunnelColor is the overlay tunnels' colour.
const tunnelColor = "#7A4FBF"

// placedHost is one host's picture in the cluster's.
type placedHost struct {
	m     *graph.Model
	plan  *topoPlan
	scene *draw.Scene
	box   draw.Box // the host's box, in the cluster's coordinates
	row   int
}

// ClusterScene lays out and draws a cluster. At auto detail each host is
// drawn in full unless the whole would then show text under 10 px on a
// 1920×1080 screen and compact hosts show it larger.
func ClusterScene(ctx context.Context, c *graph.Cluster, opt Options) *draw.Scene {
	if opt.Detail != DetailAuto && opt.Detail != "" {
		return clusterScene(ctx, c, opt.Detail)
	}
	full := clusterScene(ctx, c, DetailFull)
	px := func(s *draw.Scene) float64 { return draw.MinTextSize(s) * min(screenW/s.W, screenH/s.H) }
	if px(full) >= 10 || ctx.Err() != nil {
		return full
	}
	if compact := clusterScene(ctx, c, DetailCompact); px(compact) > px(full) {
		return compact
	}
	return full
}

func clusterScene(ctx context.Context, c *graph.Cluster, detail Detail) *draw.Scene {
	opt := Options{Detail: detail}
	var hosts []*placedHost
	for _, m := range c.Hosts {
		if ctx.Err() != nil {
			return &draw.Scene{}
		}
		m = m.Sorted()
		p := planContext(ctx, []*graph.Model{m}, opt.Detail)
		s := p.scene(m, frameOpts{title: nodeTitle(m)})
		hosts = append(hosts, &placedHost{m: m, plan: p, scene: s})
	}
	shared := sharedOverlays(c)
	// Each row keeps, right of every host and under the row, a lane per
	// tunnel.
	side := 0.0
	if len(shared) > 0 {
		side = float64(len(shared))*tunnelLane + 14
	}
	cols := bestColumns(hosts, side)
	y := margin + lineHeight(sizeHeading) + lineHeight(sizeText) + 16
	var rowBottom []float64
	x := margin
	rowH := 0.0
	for i, h := range hosts {
		if i > 0 && i%cols == 0 {
			rowBottom = append(rowBottom, y+rowH)
			y += rowH + side + hostGap
			x, rowH = margin, 0
		}
		h.row = i / cols
		h.box = draw.Box{X: x, Y: y, W: h.scene.W, H: h.scene.H}
		x += h.scene.W + side + hostGap
		rowH = max(rowH, h.scene.H)
	}
	rowBottom = append(rowBottom, y+rowH)
	W, H := margin, y+rowH+side+margin
	for _, h := range hosts {
		W = max(W, h.box.Right()+side+hostGap)
	}
	legendY := H
	if len(shared) > 0 {
		H += lineHeight(sizeSmall) + 12
	}
	s := &draw.Scene{W: W, H: H, Title: "netviz · " + clusterTitle(c)}
	s.Add(textLines([]tline{
		{btxt(clusterTitle(c), sizeHeading, "#111111")},
		{txt(clusterSummary(c, len(shared)), sizeText, subColor)},
	}, margin, margin, draw.Attrs{Class: "heading"})...)
	for _, h := range hosts {
		g := &draw.Group{Attrs: draw.Attrs{Class: "host", Data: map[string]string{"obj": "node:" + graph.NodeName(h.m)}}}
		g.Add(&draw.Rect{X: h.box.X - 6, Y: h.box.Y - 6, W: h.box.W + 12, H: h.box.H + 12, R: 14, Fill: "#FFFFFF", Stroke: hostStroke, StrokeW: 2.5})
		inner := &draw.Group{}
		inner.Items = h.scene.Items
		g.Add(draw.Translate(inner, h.box.X, h.box.Y))
		s.Add(g)
	}
	for k, sh := range shared {
		drawTunnel(s, hosts, sh, k, cols, rowBottom)
	}
	if len(shared) > 0 {
		s.Add(&draw.Line{Pts: []draw.Pt{{X: margin, Y: legendY + 8}, {X: margin + 30, Y: legendY + 8}}, Stroke: tunnelColor, W: tunnelW, Opacity: 0.55})
		s.Add(&draw.Text{X: margin + 40, Y: legendY + 4 + 1.03*sizeSmall/2 + 4, S: "overlay tunnel: the network's frames on each host are one L2 segment, carried in VXLAN (UDP) between the hosts' VTEP addresses", Size: sizeSmall, Color: "#333333"})
	}
	return s
}

// nodeTitle is a host's title in a cluster picture.
func nodeTitle(m *graph.Model) string {
	sw := m.Host.Swarm
	if sw == nil {
		return "host " + orDash(m.Host.Name)
	}
	t := "node " + graph.NodeName(m)
	if sw.Role != "" {
		t += " (" + sw.Role + ")"
	}
	if sw.Addr.IsValid() {
		t += " · VTEP " + sw.Addr.String()
	}
	return t
}

func clusterTitle(c *graph.Cluster) string {
	names := make([]string, len(c.Hosts))
	for i, m := range c.Hosts {
		names[i] = graph.NodeName(m)
	}
	if len(c.Hosts) > 0 && c.Hosts[0].Host.Swarm != nil {
		return "swarm of " + count(len(names), "node") + ": " + strings.Join(names, ", ")
	}
	return count(len(names), "host") + ": " + strings.Join(names, ", ")
}

func clusterSummary(c *graph.Cluster, tunnels int) string {
	ctrs := 0
	for _, m := range c.Hosts {
		for _, ct := range m.Containers {
			if ct.Running() {
				ctrs++
			}
		}
	}
	return fmt.Sprintf("%s running · %s between the hosts", count(ctrs, "container"), count(tunnels, "overlay tunnel"))
}

// count is n things: "1 node", "3 nodes".
func count(n int, what string) string {
	return fmt.Sprintf("%d %s", n, plural(n, what, what+"s"))
}

// sharedOverlay is an overlay on several hosts.
type sharedOverlay struct {
	name  string
	vni   int
	port  int
	views []graph.HostNetwork
}

// sharedOverlays lists the cluster's shared overlays by name.
func sharedOverlays(c *graph.Cluster) []sharedOverlay {
	var out []sharedOverlay
	for _, views := range c.Shared() {
		o := sharedOverlay{name: views[0].Network.Name, views: views}
		for _, v := range views {
			if ov := v.Network.Overlay; ov != nil {
				o.vni = cmp.Or(o.vni, ov.VNI)
				if i := graph.NewIndex(v.Host).Interface(ov.VXLAN); i != nil && i.VXLAN != nil {
					o.port = cmp.Or(o.port, i.VXLAN.Port)
				}
			}
		}
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b sharedOverlay) int { return strings.Compare(a.name, b.name) })
	return out
}

// bestColumns is the number of hosts per row that fits the picture to
// 16:9 largest.
func bestColumns(hosts []*placedHost, side float64) int {
	best, bestScale := 1, -1.0
	for cols := 1; cols <= max(1, len(hosts)); cols++ {
		w, h, rowW, rowH := 0.0, 0.0, 0.0, 0.0
		for i, p := range hosts {
			if i > 0 && i%cols == 0 {
				w, h = max(w, rowW), h+rowH+side+hostGap
				rowW, rowH = 0, 0
			}
			rowW += p.scene.W + side + hostGap
			rowH = max(rowH, p.scene.H)
		}
		w, h = max(w, rowW)+2*margin, h+rowH+side+2*margin+60
		if s := math.Min(screenW/w, screenH/h); s > bestScale+1e-9 {
			best, bestScale = cols, s
		}
	}
	return best
}

// drawTunnel draws the k-th shared overlay: from its frame on each host
// up into the gap above the frame, right to the host's edge, down to its
// row's lane; the lanes of the rows joined at the right.
func drawTunnel(s *draw.Scene, hosts []*placedHost, sh sharedOverlay, k, cols int, rowBottom []float64) {
	laneOff := float64(k)*tunnelLane + tunnelLane/2
	rows := map[int][2]float64{} // row → min and max x of its drops
	var vteps []string
	for _, v := range sh.views {
		var h *placedHost
		for _, ph := range hosts {
			if ph.m.Host.Name == v.Host.Host.Name && graph.NodeName(ph.m) == graph.NodeName(v.Host) {
				h = ph
			}
		}
		if h == nil {
			continue
		}
		b := h.plan.blocks[v.Network.ID]
		if b == nil {
			continue
		}
		fb := draw.Box{X: b.box.X + h.box.X, Y: b.box.Y + h.box.Y, W: b.box.W, H: b.box.H}
		out := h.box.Right() + 6 + laneOff // right of the host's box
		gapY := fb.Y - 4 - float64(k)*3
		laneY := rowBottom[h.row] + 14 + laneOff
		pts := []draw.Pt{{X: fb.Right() - 30, Y: fb.Y}, {X: fb.Right() - 30, Y: gapY}, {X: out, Y: gapY}, {X: out, Y: laneY}}
		vtep := ""
		if sw := v.Host.Host.Swarm; sw != nil && sw.Addr.IsValid() {
			vtep = sw.Addr.String()
			vteps = append(vteps, graph.NodeName(v.Host)+" "+vtep)
		}
		s.Add(&draw.Line{Attrs: draw.Attrs{Class: "edge tunnel", Data: map[string]string{"obj": "tunnel:" + sh.name + ":" + graph.NodeName(v.Host)}, Tip: fmt.Sprintf("%s on %s: vxlan0 ↔ VTEP %s", sh.name, graph.NodeName(v.Host), orDash(vtep))},
			Pts: pts, Stroke: tunnelColor, W: 3, Opacity: 0.8})
		r := rows[h.row]
		if _, ok := rows[h.row]; !ok {
			r = [2]float64{out, out}
		}
		rows[h.row] = [2]float64{min(r[0], out), max(r[1], out)}
	}
	if len(rows) == 0 {
		return
	}
	// The pipe along each row's lane; rows joined down the right.
	var keys []int
	for r := range rows {
		keys = append(keys, r)
	}
	slices.Sort(keys)
	right := 0.0
	for _, h := range hosts {
		right = max(right, h.box.Right()+6+laneOff)
	}
	label := fmt.Sprintf("overlay %s", sh.name)
	if sh.vni != 0 {
		label += fmt.Sprintf(" · VXLAN VNI %d", sh.vni)
	}
	if sh.port != 0 {
		label += fmt.Sprintf(" · UDP %d", sh.port)
	}
	if len(vteps) > 0 {
		label += " · VTEPs " + strings.Join(vteps, ", ")
	}
	for i, r := range keys {
		laneY := rowBottom[r] + 14 + laneOff
		x0, x1 := rows[r][0], rows[r][1]
		if len(keys) > 1 {
			x1 = right
		}
		s.Add(&draw.Line{Attrs: draw.Attrs{Class: "edge tunnel", Data: map[string]string{"obj": "tunnel:" + sh.name}, Tip: label},
			Pts: []draw.Pt{{X: x0 - 20, Y: laneY}, {X: x1, Y: laneY}}, Stroke: tunnelColor, W: tunnelW, Opacity: 0.55})
		if i == 0 {
			// On the lane, left of where the pipe begins.
			s.Add(&draw.Text{Attrs: draw.Attrs{Class: "tunnel-label", Tip: label}, X: margin, Y: laneY + 0.36*sizeSmall, S: draw.Fit(label, sizeSmall, true, max(120, x0-margin-30)), Size: sizeSmall, Bold: true, Color: tunnelColor})
		}
		if i > 0 {
			prev := rowBottom[keys[i-1]] + 14 + laneOff
			s.Add(&draw.Line{Attrs: draw.Attrs{Class: "edge tunnel"}, Pts: []draw.Pt{{X: right, Y: prev}, {X: right, Y: laneY}}, Stroke: tunnelColor, W: tunnelW, Opacity: 0.55})
		}
	}
}

// RenderCluster writes a cluster as SVG, PNG or JSON.
func RenderCluster(ctx context.Context, w io.Writer, c *graph.Cluster, f Format, opt Options) error {
	switch f {
	case FormatJSON:
		return graph.WriteClusterJSON(w, c)
	case FormatSVG, FormatPNG:
		if opt.Layout == LayoutGraphviz {
			return fmt.Errorf("--layout graphviz draws one host; a cluster has %d", len(c.Hosts))
		}
		if len(c.Hosts) == 1 {
			return RenderWith(ctx, w, c.Hosts[0], f, opt)
		}
		return writeScene(ctx, w, ClusterScene(ctx, c, opt), f, nil)
	}
	return fmt.Errorf("a picture of several hosts is svg, png or json, not %s", f)
}
