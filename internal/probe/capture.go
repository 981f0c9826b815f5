package probe

import (
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netviz/netviz/internal/graph"
)

// PacketSource is a capture handle on one interface (pcapgo.EthernetHandle on
// Linux; crafted frames in tests). Close must unblock a pending read.
type PacketSource interface {
	ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	Close() error
}

// Point is one interface a probe's packets should cross, as the model says.
type Point struct {
	// Interface is the model's interface ID (namespace/name).
	Interface graph.InterfaceID `json:"interface"`
	// Label is how a person names it: "network_alias_ping eth0", "veth1a2b",
	// "br-3f4d (mybridge)".
	Label string `json:"label"`
	// Bridge marks a Linux bridge: a frame it switches between two of its
	// ports never reaches its own socket, only routed traffic does.
	Bridge bool `json:"bridge,omitempty"`
}

// Sighting is one of our echo packets seen at a point.
type Sighting struct {
	Point int
	Reply bool // echo reply (else request)
	Src   netip.Addr
	Dst   netip.Addr
	Seq   int
	Time  time.Time
	// VNI is the VXLAN segment the echo was carried in (0: not
	// encapsulated).
	VNI int
}

// Frame is a captured frame kept for --pcap.
type Frame struct {
	Info gopacket.CaptureInfo
	Data []byte
}

// Capture reads every point's source until Stop and keeps the ICMP echo
// packets that carry the probe's id.
type Capture struct {
	id      int
	sources []PacketSource
	wg      sync.WaitGroup
	mu      sync.Mutex
	seen    []Sighting
	frames  []Frame
	keep    bool
}

// StartCapture starts one reader per source; sources[i] captures points[i].
// With keepFrames the matching frames are kept for a pcap file.
func StartCapture(sources []PacketSource, id int, keepFrames bool) *Capture {
	c := &Capture{id: id, sources: sources, keep: keepFrames}
	for i, src := range sources {
		if src == nil {
			continue
		}
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			for {
				data, ci, err := src.ReadPacketData()
				if err != nil {
					return
				}
				s, ok := decodeEcho(data, id)
				if !ok {
					continue
				}
				s.Point, s.Time = i, ci.Timestamp
				c.mu.Lock()
				c.seen = append(c.seen, s)
				if c.keep {
					c.frames = append(c.frames, Frame{Info: ci, Data: data})
				}
				c.mu.Unlock()
			}
		}()
	}
	return c
}

// Stop closes every source, waits for the readers, and returns what they saw.
func (c *Capture) Stop() ([]Sighting, []Frame) {
	for _, s := range c.sources {
		if s != nil {
			s.Close()
		}
	}
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seen, c.frames
}

// decodeEcho reads an Ethernet frame and reports an ICMPv4 echo request or
// reply with the given id — also one carried in VXLAN (an overlay's
// traffic between nodes: outer IPv4/UDP 4789, VXLAN, inner Ethernet), whose
// VNI it keeps. Everything else is somebody else's traffic.
func decodeEcho(data []byte, id int) (Sighting, bool) {
	p := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
	var ip *layers.IPv4
	var icmp *layers.ICMPv4
	vni := 0
	for _, l := range p.Layers() {
		switch v := l.(type) {
		case *layers.IPv4:
			ip = v // the innermost is the echo's
		case *layers.VXLAN:
			vni = int(v.VNI)
		case *layers.ICMPv4:
			icmp = v
		}
		if icmp != nil {
			break
		}
	}
	if ip == nil || icmp == nil || int(icmp.Id) != id {
		return Sighting{}, false
	}
	var reply bool
	switch icmp.TypeCode.Type() {
	case layers.ICMPv4TypeEchoRequest:
	case layers.ICMPv4TypeEchoReply:
		reply = true
	default:
		return Sighting{}, false
	}
	src, _ := netip.AddrFromSlice(ip.SrcIP.To4())
	dst, _ := netip.AddrFromSlice(ip.DstIP.To4())
	return Sighting{Reply: reply, Src: src, Dst: dst, Seq: int(icmp.Seq), VNI: vni}, true
}

// PathPlan lists the interfaces a ping from client to addr crosses, in
// order, as the model wires them: the client's interface, its host-side
// veth, the client's bridge, the target's bridge (if another), the target's
// host-side veth, the target's interface.
func PathPlan(x *graph.Index, client *graph.Container, addr netip.Addr) []Point {
	var target *graph.Container
	var targetEP graph.Endpoint
	for _, c := range x.Model.Containers {
		for _, ep := range c.Endpoints {
			if ep.IPv4.IsValid() && ep.IPv4.Addr() == addr && c.Running() {
				target, targetEP = c, ep
			}
		}
	}
	owner := x.NetworkOwner(client)
	// The client leaves through its interface on the target's network, else
	// its first one (the default route).
	var clientIf graph.InterfaceID
	for _, ep := range owner.Endpoints {
		if ep.Interface != "" && (clientIf == "" || target != nil && ep.Network == targetEP.Network) {
			clientIf = ep.Interface
		}
	}
	var points []Point
	if target != nil && target.Namespace == client.Namespace {
		// Its own address: the kernel answers over loopback, never eth0.
		for _, i := range x.InterfacesIn(client.Namespace) {
			if i.Kind == graph.KindLoopback {
				owner, _ := i.Namespace.Owner()
				return []Point{{Interface: i.ID, Label: owner + " " + i.Name + " (own address)"}}
			}
		}
	}
	add := func(ifID graph.InterfaceID) {
		if ifID == "" {
			return
		}
		for _, p := range points {
			if p.Interface == ifID {
				return
			}
		}
		i := x.Interface(ifID)
		if i == nil {
			return
		}
		label := i.Name
		if owner, ok := i.Namespace.Owner(); ok {
			label = owner + " " + i.Name // the container that created the namespace
		}
		ns := x.Namespace(i.Namespace)
		for _, n := range x.Model.Networks {
			if n.Bridge == ifID || ns != nil && ns.Kind == graph.NamespaceOverlay && ns.Network == n.ID && i.Kind == graph.KindBridge {
				label += " (" + n.Name + ")"
			}
		}
		if i.VXLAN != nil {
			label += fmt.Sprintf(" (VXLAN VNI %d)", i.VXLAN.VNI)
		}
		if ns != nil && ns.Node != "" {
			label += " on " + ns.Node
		}
		points = append(points, Point{Interface: ifID, Label: label, Bridge: i.Kind == graph.KindBridge})
	}
	hostSide := x.Peer(clientIf)
	add(clientIf)
	add(hostSide)
	clientBridge := x.Master(hostSide)
	add(clientBridge)
	if target != nil && targetEP.Interface != "" {
		targetSide := x.Peer(targetEP.Interface)
		targetBridge := x.Master(targetSide)
		// One overlay on two nodes: the tunnel between the bridges.
		for _, hop := range tunnelHops(x, clientBridge, targetBridge) {
			add(hop)
		}
		add(targetBridge)
		add(targetSide)
		add(targetEP.Interface)
	}
	return points
}

// tunnelHops are the interfaces between two nodes' bridges of one overlay
// (a flattened cluster): the first node's VXLAN device and uplink (its
// VTEP), then the second's uplink and VXLAN device; none when the bridges
// are not two nodes' br0 of one overlay.
func tunnelHops(x *graph.Index, from, to graph.InterfaceID) []graph.InterfaceID {
	fb, tb := x.Interface(from), x.Interface(to)
	if fb == nil || tb == nil || from == to {
		return nil
	}
	fns, tns := x.Namespace(fb.Namespace), x.Namespace(tb.Namespace)
	if fns == nil || tns == nil || fns.Kind != graph.NamespaceOverlay || tns.Kind != graph.NamespaceOverlay || fns.Network != tns.Network || fns.Node == tns.Node {
		return nil
	}
	vxlan := func(ns *graph.Namespace) graph.InterfaceID {
		for _, i := range x.InterfacesIn(ns.ID) {
			if i.Kind == graph.KindVxlan || i.VXLAN != nil {
				return i.ID
			}
		}
		return ""
	}
	return []graph.InterfaceID{vxlan(fns), vtepInterface(x, fns.Node), vtepInterface(x, tns.Node), vxlan(tns)}
}

// vtepInterface is the interface holding a node's VTEP address, in the
// node's own namespace.
func vtepInterface(x *graph.Index, node string) graph.InterfaceID {
	sw := x.Model.Host.Swarm
	if sw == nil {
		return ""
	}
	for _, n := range sw.Nodes {
		if n.Name != node || !n.Addr.IsValid() {
			continue
		}
		for _, ns := range x.Model.Namespaces {
			if ns.Node != node || !ns.Host && ns.Kind != graph.NamespaceNodeHost {
				continue
			}
			for _, i := range x.InterfacesIn(ns.ID) {
				if slices.ContainsFunc(i.Addrs, func(p netip.Prefix) bool { return p.Addr() == n.Addr }) {
					return i.ID
				}
			}
		}
	}
	return ""
}

// Hops reports, for one target address, the labels of the points where the
// echo request was seen (in plan order), where the reply was seen, and the
// last point the request reached when it did not arrive.
type Hops struct {
	Request      []string `json:"request"`
	Reply        []string `json:"reply,omitempty"`
	StoppedAfter string   `json:"stoppedAfter,omitempty"`
}

// HopsFor summarises the sightings of echoes to addr along points.
func HopsFor(points []Point, seen []Sighting, addr netip.Addr) Hops {
	req := make([]bool, len(points))
	rep := make([]bool, len(points))
	for _, s := range seen {
		switch {
		case !s.Reply && s.Dst == addr:
			req[s.Point] = true
		case s.Reply && s.Src == addr:
			rep[s.Point] = true
		}
	}
	var h Hops
	seenLater := func(i int) bool { return slices.Contains(req[i+1:], true) }
	for i, p := range points {
		switch {
		case req[i]:
			h.Request = append(h.Request, p.Label)
		case p.Bridge && seenLater(i):
			// Switched between two ports of this bridge: it did its job
			// without the frame reaching the bridge's own socket.
			h.Request = append(h.Request, "["+p.Label+"]")
		}
		if rep[i] {
			h.Reply = append(h.Reply, p.Label)
		}
	}
	if len(h.Request) > 0 && !req[len(points)-1] {
		h.StoppedAfter = h.Request[len(h.Request)-1]
	}
	return h
}
