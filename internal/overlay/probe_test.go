package overlay

import (
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/render/probeview"
	"github.com/netviz/netviz/internal/testkit"
)

// TestProbe: a report becomes the probe picture's input, named from the
// model it was measured on — the full answer set once, sorted, each answer
// with the container holding it (a running one, none for a stranger); per
// client the network whose DNS answered, its own address (a container:X
// member X's), its queries, one result per answer in the set's order with
// how often it came first, its ping, and its hops named by interface and
// owner, marked where the capture saw the request (a bridge in brackets:
// switched), and the reply; a path not captured is the model's plan.
func TestProbe(t *testing.T) {
	m := testkit.SeedModel(t)
	x := graph.NewIndex(m)
	a := netip.MustParseAddr
	alias1 := x.Container("ctr:alias1")
	plan2 := probe.PathPlan(x, alias1, a("172.18.0.3"))
	hops2 := probe.HopsFor(plan2, []probe.Sighting{
		{Point: 0, Dst: a("172.18.0.3")}, {Point: 1, Dst: a("172.18.0.3")}, // the bridge: silent, and nothing after
		{Point: 0, Reply: true, Src: a("172.18.0.3")},
	}, a("172.18.0.3"))
	lookup := func(as ...string) probe.Lookup {
		l := probe.Lookup{Rcode: "NOERROR"}
		for _, s := range as {
			l.Answers = append(l.Answers, a(s))
		}
		return l
	}
	rep := &probe.Report{Target: "alicek106", Elapsed: time.Second, Clients: []probe.ClientReport{{
		Client: "alias1", Via: graph.NameEmbeddedDNS,
		Lookups:      []probe.Lookup{lookup("172.18.0.3", "172.18.0.2"), lookup("172.18.0.3", "172.18.0.2"), lookup("172.18.0.2", "172.18.0.3", "10.9.9.9")},
		Answers:      []netip.Addr{a("10.9.9.9"), a("172.18.0.2"), a("172.18.0.3")},
		FirstAnswers: map[string]int{"172.18.0.3": 2, "172.18.0.2": 1},
		Pings: []probe.EchoResult{
			{Addr: a("10.9.9.9"), Outcome: probe.Timeout, Attempts: 6},
			{Addr: a("172.18.0.2"), Outcome: probe.Reached, Attempts: 3, Received: 3, RTT: 50 * time.Microsecond},
			{Addr: a("172.18.0.3"), Outcome: probe.Timeout, Attempts: 6, Detail: "no reply"},
		},
		Paths: []probe.PathReport{
			{Addr: a("172.18.0.3"), Plan: plan2, Hops: hops2},
			{Addr: a("10.9.9.9"), Error: "no route"},
		},
	}, {
		Client: "sidecar", Via: "address", Answers: []netip.Addr{a("172.17.0.2")},
		Pings: []probe.EchoResult{{Addr: a("172.17.0.2"), Outcome: probe.Reached, Attempts: 3, Received: 2}},
	}, {
		Client: "gone", Via: graph.NameEmbeddedDNS, Err: "container exited",
	}}}
	got := Probe(m, rep)
	if !strings.Contains(got.Text, "probe alicek106 from 3 client(s)") || !strings.Contains(got.Text, "error: container exited") {
		t.Errorf("text report:\n%s", got.Text)
	}
	got.Text = ""
	want := &probeview.ProbeView{
		Target: "alicek106", Elapsed: time.Second,
		Answers: []probeview.ProbeAnswer{
			{Addr: "10.9.9.9"},
			{Addr: "172.17.0.2", Container: "db", ID: "ctr:db"},
			{Addr: "172.18.0.2", Container: "alias1", ID: "ctr:alias1"},
			{Addr: "172.18.0.3", Container: "alias2", ID: "ctr:alias2"},
		},
		Clients: []probeview.ProbeClient{{
			Name: "alias1", ID: "ctr:alias1", Addr: "172.18.0.2", Via: "embedded-dns", Network: "mybridge", Queries: 3,
			Results: []probeview.ProbeResult{
				{Addr: "10.9.9.9", Ping: probeview.ProbePing{Outcome: "timeout", Attempts: 6}, PathErr: "no route"},
				{Addr: "172.18.0.2", First: 1, Ping: probeview.ProbePing{Outcome: "reached", Reached: true, Attempts: 3, Received: 3, RTT: 50 * time.Microsecond},
					// Not captured: the plan, its own address over loopback.
					Hops: []probeview.ProbeHop{{ID: "ns:alias1/lo", Name: "lo", Where: "own address"}}},
				{Addr: "172.18.0.3", First: 2, Ping: probeview.ProbePing{Outcome: "timeout", Attempts: 6, Detail: "no reply"}, Captured: true,
					Hops: []probeview.ProbeHop{
						{ID: "ns:alias1/eth0", Name: "eth0", Where: "alias1", Request: true, Reply: true},
						{ID: "host/veth5e6f", Name: "veth5e6f", Where: "host", Request: true},
						{ID: "host/br-3f4d5e6f7a8b", Name: "br-3f4d5e6f7a8b", Where: "network mybridge", Bridge: true},
					}},
			},
		}, {
			Name: "sidecar", ID: "ctr:sidecar", Addr: "172.17.0.3", Via: "address",
			Results: []probeview.ProbeResult{{Addr: "172.17.0.2", Ping: probeview.ProbePing{Outcome: "reached", Reached: true, Attempts: 3, Received: 2},
				Hops: []probeview.ProbeHop{
					{ID: "ns:web/eth0", Name: "eth0", Where: "web"},
					{ID: "host/veth1a2b", Name: "veth1a2b", Where: "host"},
					{ID: "host/docker0", Name: "docker0", Where: "network bridge", Bridge: true},
					{ID: "host/veth3c4d", Name: "veth3c4d", Where: "host"},
					{ID: "ns:db/eth0", Name: "eth0", Where: "db"},
				}}},
		}, {
			Name: "gone", ID: "ctr:gone", Via: "embedded-dns", Err: "container exited",
		}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
}

// TestProbeHopsSwitched: a bridge the frame crossed between two of its
// ports is marked switched, not seen, and the hops after it carry what the
// capture saw.
func TestProbeHopsSwitched(t *testing.T) {
	x := graph.NewIndex(testkit.SeedModel(t))
	plan := probe.PathPlan(x, x.Container("ctr:web"), netip.MustParseAddr("172.17.0.2"))
	dst := netip.MustParseAddr("172.17.0.2")
	var seen []probe.Sighting
	for _, i := range []int{0, 1, 3, 4} {
		seen = append(seen, probe.Sighting{Point: i, Dst: dst}, probe.Sighting{Point: i, Reply: true, Src: dst})
	}
	var got []string
	for _, h := range probeHops(x, plan, probe.HopsFor(plan, seen, dst)) {
		got = append(got, fmt.Sprintf("%s req=%v sw=%v rep=%v", h.Name, h.Request, h.Switched, h.Reply))
	}
	want := []string{"eth0 req=true sw=false rep=true", "veth1a2b req=true sw=false rep=true", "docker0 req=false sw=true rep=false", "veth3c4d req=true sw=false rep=true", "eth0 req=true sw=false rep=true"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("hops\n%q\nwant\n%q", got, want)
	}
}
