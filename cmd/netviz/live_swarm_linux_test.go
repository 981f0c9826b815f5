package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
