package probe

import (
	"errors"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netviz/netviz/internal/graph"
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
