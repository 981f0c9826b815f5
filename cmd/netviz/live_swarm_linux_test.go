package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/swarmtest"
)

// swarmHosts are the --host flags naming every node of the test bed.
func swarmHosts(s *swarmtest.Swarm) []string {
	var out []string
	for _, n := range s.Nodes {
		out = append(out, "--host", fmt.Sprintf("%s,pid=%d", n.DockerHost, n.PID))
	}
	return out
}

// TestLiveSwarmCluster runs graph and reach over every engine of the
// swarm test bed with the scenario deployed: the picture has a box
// per node and the overlay's tunnel; every pair of overlay endpoints is
// measured (across nodes through VXLAN) with nothing unexpected, and each
// client's cell for the VIP says why it is silent here (no IPVS).
func TestLiveSwarmCluster(t *testing.T) {
	s := swarmtest.Require(t)
	d := s.Deploy()
	hosts := swarmHosts(s)
	dir := t.TempDir()

	svg := filepath.Join(dir, "cluster.svg")
	code, _, errOut := runCLI(t, nil, append([]string{"graph", "-o", svg}, hosts...)...)
	if code != 0 {
		t.Fatalf("graph --host ×%d: exit %d: %s", len(s.Nodes), code, errOut)
	}
	t.Logf("graph: %s", strings.TrimSpace(errOut[strings.LastIndex(errOut, "netviz: wrote"):]))
	data, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	pic := string(data)
	for _, n := range s.Nodes {
		if !strings.Contains(pic, `data-obj="node:`+n.Name+`"`) || !strings.Contains(pic, `data-obj="tunnel:`+d.Network+":"+n.Name+`"`) {
			t.Errorf("the picture lacks %s's box or its tunnel to %s", n.Name, d.Network)
		}
	}
	js := filepath.Join(dir, "cluster.json")
	if code, _, errOut := runCLI(t, nil, append([]string{"graph", "-o", js}, hosts...)...); code != 0 {
		t.Fatalf("graph -o json: %s", errOut)
	}
	c, err := graph.ReadClusterFile(js)
	if err != nil || len(c.Hosts) != len(s.Nodes) {
		t.Fatalf("cluster.json: %v", err)
	}

	code, out, errOut := runCLI(t, nil, append([]string{"reach", "--json"}, hosts...)...)
	if code != 0 {
		t.Fatalf("reach --host ×%d: exit %d: %s", len(s.Nodes), code, errOut)
	}
	var m probe.Matrix
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	eps := d.Endpoints()
	cells := map[string]probe.Cell{}
	for _, cell := range m.Cells {
		cells[strings.SplitN(cell.Client, "@", 2)[0]+" → "+cell.Addr.String()] = cell
	}
	across := 0
	for _, from := range eps {
		for _, to := range eps {
			cell, ok := cells[from.Name+" → "+to.Addr.String()]
			switch {
			case !ok:
				t.Errorf("no cell %s → %s (%s)", from.Name, to.Name, to.Addr)
			case cell.Measured.Outcome != probe.Reached || !cell.Agrees:
				t.Errorf("%s → %s: %s, expected %+v", from.Name, to.Name, cell.Measured.Outcome, cell.Expected)
			case from.Node != to.Node:
				across++
				if cell.Expected.Reason != "overlay" || !strings.Contains(cell.Expected.Detail, "VXLAN VNI") {
					t.Errorf("%s → %s across nodes: reason %s (%s)", from.Name, to.Name, cell.Expected.Reason, cell.Expected.Detail)
				}
			}
		}
		vip, ok := cells[from.Name+" → "+d.VIP.VIP.String()]
		if !ok || vip.Measured.Outcome == probe.Reached || vip.Expected.Reason != "no-ipvs" || !vip.Agrees || !strings.Contains(vip.Expected.Detail, "IPVS") {
			t.Errorf("%s → the VIP %s: %+v", from.Name, d.VIP.VIP, vip)
		}
	}
	counts := m.Counts()
	if counts.Unexpected != 0 {
		t.Errorf("%d unexpected cells", counts.Unexpected)
	}
	t.Logf("reach: %d pairs (%d across nodes over the overlay, %d to the VIP) in %s: %d reached, %d blocked, %d unexpected",
		counts.Pairs, across, len(eps), m.Elapsed.Round(1e6), counts.Reached, counts.Blocked, counts.Unexpected)
}

// TestLiveSwarmProbe probes the dnsrr service from the attached container
// over every engine of the test bed: the name answers every task's address
// (which comes first rotates), each answer is pinged, and a ping to a task
// on another node is seen hop by hop through vxlan0 and both nodes'
// uplinks, where it travels inside VXLAN.
func TestLiveSwarmProbe(t *testing.T) {
	s := swarmtest.Require(t)
	d := s.Deploy()
	args := append([]string{"probe", "--json", "--from", d.Attached.Name, "--count", "12"}, swarmHosts(s)...)
	var rep probe.Report
	// A node learns the other nodes' tasks by gossip: the attached
	// container's DNS may answer the newest task a moment later.
	deadline := time.Now().Add(15 * time.Second)
	for {
		code, out, errOut := runCLI(t, nil, append(args, d.DNSRR.Name)...)
		if code != 0 {
			t.Fatalf("probe --host: exit %d: %s", code, errOut)
		}
		rep = probe.Report{}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		if len(rep.Clients) != 1 || len(rep.Clients[0].Answers) >= len(d.DNSRR.Tasks) || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if len(rep.Clients) != 1 {
		t.Fatalf("%d clients, want the attached container", len(rep.Clients))
	}
	cr := rep.Clients[0]
	want := map[string]swarmtest.Endpoint{}
	for _, task := range d.DNSRR.Tasks {
		want[task.Addr.String()] = task
	}
	if len(cr.Answers) != len(want) {
		t.Errorf("answers %v, want the %d tasks' addresses", cr.Answers, len(want))
	}
	for _, a := range cr.Answers {
		if _, ok := want[a.String()]; !ok {
			t.Errorf("answer %s is no task of %s", a, d.DNSRR.Name)
		}
	}
	if len(cr.FirstAnswers) < 2 {
		t.Errorf("the first answer never changed over 12 queries: %v (dnsrr rotates)", cr.FirstAnswers)
	}
	for _, p := range cr.Pings {
		if p.Outcome != probe.Reached {
			t.Errorf("ping %s: %s", p.Addr, p.Outcome)
		}
	}
	tunnels := 0
	for _, p := range cr.Paths {
		task := want[p.Addr.String()]
		if task.Node == d.Attached.Node {
			continue
		}
		tunnels++
		joined := strings.Join(p.Hops.Request, " → ")
		for _, hop := range []string{"vxlan0 (VXLAN VNI", "eth0 on " + s.Nodes[d.Attached.Node].Name, "eth0 on " + s.Nodes[task.Node].Name, task.Name + " eth0"} {
			if !strings.Contains(joined, hop) {
				t.Errorf("%s: the request was not seen at %q: %s (%s)", p.Addr, hop, joined, p.Error)
			}
		}
		if len(p.Hops.Reply) == 0 {
			t.Errorf("%s: no reply seen on the way back", p.Addr)
		}
		t.Logf("%s on %s: %s", p.Addr, s.Nodes[task.Node].Name, joined)
	}
	if tunnels == 0 {
		t.Error("no task of the dnsrr service on another node: nothing crossed the tunnel")
	}
	t.Logf("probe %s from %s: %d answers, first answers %v, in %s", d.DNSRR.Name, d.Attached.Name, len(cr.Answers), cr.FirstAnswers, rep.Elapsed.Round(1e6))
}
