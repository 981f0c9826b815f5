package probe

import (
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/testkit"
)

// frame builds an Ethernet/IPv4/ICMPv4 echo frame.
func frame(t *testing.T, src, dst string, typ uint8, id, seq uint16) []byte {
	t.Helper()
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 66, 172, 17, 0, 3}, DstMAC: net.HardwareAddr{2, 66, 172, 17, 0, 2}, EthernetType: layers.EthernetTypeIPv4}
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolICMPv4, SrcIP: net.ParseIP(src), DstIP: net.ParseIP(dst)}
	icmp := &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(typ, 0), Id: id, Seq: seq}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, eth, ip, icmp, gopacket.Payload("netviz probe")); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fakeSource replays frames, then blocks until closed.
type fakeSource struct {
	frames [][]byte
	closed chan struct{}
}

func newFakeSource(frames ...[]byte) *fakeSource {
	return &fakeSource{frames: frames, closed: make(chan struct{})}
}

func (f *fakeSource) ReadPacketData() ([]byte, gopacket.CaptureInfo, error) {
	if len(f.frames) > 0 {
		d := f.frames[0]
		f.frames = f.frames[1:]
		return d, gopacket.CaptureInfo{Timestamp: time.Now(), CaptureLength: len(d), Length: len(d)}, nil
	}
	<-f.closed
	return nil, gopacket.CaptureInfo{}, errors.New("closed")
}

func (f *fakeSource) Close() error { close(f.closed); return nil }

func TestCaptureAndHops(t *testing.T) {
	const id = 777
	req := frame(t, "172.17.0.3", "172.17.0.2", 8, id, 1)
	rep := frame(t, "172.17.0.2", "172.17.0.3", 0, id, 1)
	other := frame(t, "172.17.0.3", "172.17.0.2", 8, id+1, 1) // another pinger
	points := []Point{{Label: "web eth0"}, {Label: "veth1a2b"}, {Label: "docker0 (bridge)", Bridge: true}, {Label: "veth3c4d"}, {Label: "db eth0"}}

	t.Run("delivered", func(t *testing.T) {
		var srcs []PacketSource
		for range points {
			srcs = append(srcs, newFakeSource(other, req, rep))
		}
		seen, frames := StartCapture(srcs, id, true).Stop()
		if len(seen) != 10 || len(frames) != 10 {
			t.Fatalf("%d sightings, %d frames; want 10 each (foreign id ignored)", len(seen), len(frames))
		}
		h := HopsFor(points, seen, netip.MustParseAddr("172.17.0.2"))
		if len(h.Request) != 5 || len(h.Reply) != 5 || h.StoppedAfter != "" {
			t.Errorf("hops %+v", h)
		}
	})
	t.Run("switched by the bridge", func(t *testing.T) {
		srcs := []PacketSource{newFakeSource(req), newFakeSource(req), newFakeSource(), newFakeSource(req), newFakeSource(req)}
		seen, _ := StartCapture(srcs, id, false).Stop()
		h := HopsFor(points, seen, netip.MustParseAddr("172.17.0.2"))
		if !slices.Equal(h.Request, []string{"web eth0", "veth1a2b", "[docker0 (bridge)]", "veth3c4d", "db eth0"}) || h.StoppedAfter != "" {
			t.Errorf("hops %+v", h)
		}
	})
	t.Run("dropped at the bridge", func(t *testing.T) {
		srcs := []PacketSource{newFakeSource(req), newFakeSource(req), newFakeSource(req), newFakeSource(), newFakeSource()}
		seen, _ := StartCapture(srcs, id, false).Stop()
		h := HopsFor(points, seen, netip.MustParseAddr("172.17.0.2"))
		if !slices.Equal(h.Request, []string{"web eth0", "veth1a2b", "docker0 (bridge)"}) || h.StoppedAfter != "docker0 (bridge)" || len(h.Reply) != 0 {
			t.Errorf("hops %+v", h)
		}
	})
}

func TestDecodeEchoIgnoresOthers(t *testing.T) {
	if _, ok := decodeEcho([]byte{1, 2, 3}, 1); ok {
		t.Error("garbage decoded")
	}
	if _, ok := decodeEcho(frame(t, "10.0.0.1", "10.0.0.2", 3, 5, 1), 5); ok {
		t.Error("a destination-unreachable taken for an echo")
	}
	s, ok := decodeEcho(frame(t, "10.0.0.1", "10.0.0.2", 8, 5, 9), 5)
	if !ok || s.Reply || s.Seq != 9 || s.Dst != netip.MustParseAddr("10.0.0.2") {
		t.Errorf("decoded %+v, %v", s, ok)
	}
}

func TestPathPlan(t *testing.T) {
	x := graph.NewIndex(seedModel(t))
	tests := []struct {
		client, addr string
		want         []string
	}{
		{"web", "172.17.0.2", []string{"ns:web/eth0", "host/veth1a2b", "host/docker0", "host/veth3c4d", "ns:db/eth0"}},
		{"sidecar", "172.17.0.2", []string{"ns:web/eth0", "host/veth1a2b", "host/docker0", "host/veth3c4d", "ns:db/eth0"}},
		// alias1 → web crosses from its bridge to docker0, where isolation drops it.
		{"alias1", "172.17.0.3", []string{"ns:alias1/eth0", "host/veth5e6f", "host/br-3f4d5e6f7a8b", "host/docker0", "host/veth1a2b", "ns:web/eth0"}},
	}
	for _, tt := range tests {
		var got []string
		for _, p := range PathPlan(x, x.Container(graph.NewContainerID(tt.client)), netip.MustParseAddr(tt.addr)) {
			got = append(got, string(p.Interface))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s → %s: %v, want %v", tt.client, tt.addr, got, tt.want)
		}
	}
	own := PathPlan(x, x.Container("ctr:sidecar"), netip.MustParseAddr("172.17.0.3"))
	if len(own) != 1 || own[0].Interface != "ns:web/lo" {
		t.Errorf("own address plan %+v, want only ns:web/lo", own)
	}
	labels := PathPlan(x, x.Container("ctr:web"), netip.MustParseAddr("172.17.0.2"))
	if labels[0].Label != "web eth0" || labels[2].Label != "docker0 (bridge)" {
		t.Errorf("labels %+v", labels)
	}
}

// vxlanFrame is frame(...) as an overlay carries it between nodes: in
// VXLAN (VNI vni) over UDP 4789 from VTEP vsrc to VTEP vdst.
func vxlanFrame(t *testing.T, vsrc, vdst string, vni uint32, inner []byte) []byte {
	t.Helper()
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv4}
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: net.ParseIP(vsrc), DstIP: net.ParseIP(vdst)}
	udp := &layers.UDP{SrcPort: 41000, DstPort: 4789}
	udp.SetNetworkLayerForChecksum(ip)
	vx := &layers.VXLAN{ValidIDFlag: true, VNI: vni}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, eth, ip, udp, vx, gopacket.Payload(inner)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDecodeEchoInVXLAN: an echo between two overlay endpoints, seen on a
// node's uplink inside VXLAN, is ours, with the inner addresses and the
// segment it travelled in.
func TestDecodeEchoInVXLAN(t *testing.T) {
	inner := frame(t, "10.0.1.3", "10.0.1.9", 8, 5, 2)
	tests := []struct {
		name string
		data []byte
		id   int
		ok   bool
		vni  int
	}{
		{"plain", inner, 5, true, 0},
		{"in VXLAN", vxlanFrame(t, "10.252.0.1", "10.252.0.2", 4097, inner), 5, true, 4097},
		{"someone else's, in VXLAN", vxlanFrame(t, "10.252.0.1", "10.252.0.2", 4097, frame(t, "10.0.1.3", "10.0.1.9", 8, 6, 2)), 5, false, 0},
	}
	for _, tt := range tests {
		s, ok := decodeEcho(tt.data, tt.id)
		if ok != tt.ok {
			t.Errorf("%s: ok = %v", tt.name, ok)
			continue
		}
		if ok && (s.Src.String() != "10.0.1.3" || s.Dst.String() != "10.0.1.9" || s.VNI != tt.vni || s.Reply || s.Seq != 2) {
			t.Errorf("%s: %+v", tt.name, s)
		}
	}
}

// TestPathPlanAcrossTheTunnel: a ping from a task on node1 to one on
// node2 over their overlay crosses the client's veth and br0, node1's
// vxlan0 and its VTEP's interface, then node2's, to the target.
func TestPathPlanAcrossTheTunnel(t *testing.T) {
	var ms []*graph.Model
	for i := 1; i <= 3; i++ {
		ms = append(ms, testkit.SwarmNode(i, 3, 2))
	}
	c, err := graph.NewCluster(ms...)
	if err != nil {
		t.Fatal(err)
	}
	x := graph.NewIndex(graph.Flatten(c))
	client := x.Container("ctr:web.1.task10")
	var labels []string
	for _, p := range PathPlan(x, client, netip.MustParseAddr("10.0.1.20")) {
		labels = append(labels, p.Label)
	}
	want := []string{
		"web.1.task10 eth0 on node1", "veth1 on node1", "br0 (appnet) on node1", "vxlan0 (VXLAN VNI 4097) on node1", "eth0 on node1",
		"eth0 on node2", "vxlan0 (VXLAN VNI 4097) on node2", "br0 (appnet) on node2", "veth1 on node2", "web.3.task20 eth0 on node2",
	}
	if !slices.Equal(labels, want) {
		t.Errorf("path\n got %q\nwant %q", labels, want)
	}
	// On one node: no tunnel.
	var local []string
	for _, p := range PathPlan(x, client, netip.MustParseAddr("10.0.1.11")) {
		local = append(local, p.Label)
	}
	if slices.ContainsFunc(local, func(l string) bool { return strings.Contains(l, "vxlan0") }) {
		t.Errorf("a ping on one node crosses the tunnel: %q", local)
	}
}
