package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/lab"
	"github.com/netviz/netviz/internal/swarmtest"
)

// requireTestBed3 is the test bed lab overlay names: nvz-sw1 (the
// manager), nvz-sw2 and nvz-sw3, as `.ci/swarm up 3` makes them.
func requireTestBed3(t *testing.T, s *swarmtest.Swarm) {
	t.Helper()
	var names []string
	for _, n := range s.Nodes {
		names = append(names, n.Name)
	}
	if strings.Join(names, " ") != "nvz-sw1 nvz-sw2 nvz-sw3" {
		t.Fatalf("lab overlay names nodes nvz-sw1..3; the test bed has %q: bring it up with .ci/swarm up 3", names)
	}
}

// swarmLeft lists what carries an io.netviz.owner value accepted by match
// on any node of the test bed: services (on the manager), containers and
// networks.
func swarmLeft(t *testing.T, s *swarmtest.Swarm, match func(string) bool) []string {
	t.Helper()
	var left []string
	f := make(client.Filters).Add("label", lab.OwnerLabel)
	svcs, err := s.Manager().ServiceList(s.Ctx, client.ServiceListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	for _, sv := range svcs.Items {
		if match(sv.Spec.Labels[lab.OwnerLabel]) {
			left = append(left, "service "+sv.Spec.Name)
		}
	}
	for i, cli := range s.Clients {
		cs, err := cli.ContainerList(s.Ctx, client.ContainerListOptions{All: true, Filters: f})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs.Items {
			if match(c.Labels[lab.OwnerLabel]) {
				left = append(left, fmt.Sprintf("container %s on %s", strings.Join(c.Names, ","), s.Nodes[i].Name))
			}
		}
		ns, err := cli.NetworkList(s.Ctx, client.NetworkListOptions{Filters: f})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ns.Items {
			if match(n.Labels[lab.OwnerLabel]) {
				left = append(left, fmt.Sprintf("network %s on %s", n.Name, s.Nodes[i].Name))
			}
		}
	}
	return left
}

var checksLine = regexp.MustCompile(`: (\d+)/(\d+) checks agree \(([0-9.]+)%\) in ([0-9.]+)s`)

// TestLiveSwarmVerify runs `netviz verify --host ×3` on the swarm test
// bed with issue 13's scenario (lab:overlay: an attachable overlay, a
// 4-replica VIP service, a 3-replica dnsrr service publishing a mode=host
// port, an attached container), with swarm-more.sh (two overlays, an
// ingress port, scale, a global service, a constraint, a service removed)
// and with swarm-scale-down.sh (the first scaled down: the swarm picks the
// tasks it stops), and wants the simulation to agree on every check, and nothing labelled
// verify:… left on any node after either.
func TestLiveSwarmVerify(t *testing.T) {
	s := swarmtest.Require(t)
	requireTestBed3(t, s)
	bin := buildNetviz(t)
	for _, tt := range []struct {
		target string
		checks int
	}{
		{"lab:overlay", 99},
		{"../../internal/verify/testdata/swarm-more.sh", 153},
		{"../../internal/verify/testdata/swarm-scale-down.sh", 119},
	} {
		t.Run(filepath.Base(tt.target), func(t *testing.T) {
			var out, errb bytes.Buffer
			cmd := exec.CommandContext(s.Ctx, bin, append(append([]string{"verify"}, swarmHosts(s)...), tt.target)...)
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Run(); err != nil {
				t.Errorf("verify %s: %v\n%s%s", tt.target, err, out.String(), errb.String())
			}
			m := checksLine.FindStringSubmatch(out.String())
			if m == nil {
				t.Fatalf("no agreement line in:\n%s", out.String())
			}
			agreed, _ := strconv.Atoi(m[1])
			total, _ := strconv.Atoi(m[2])
			if agreed != total || total != tt.checks {
				t.Errorf("%d/%d checks agree, want all %d:\n%s", agreed, total, tt.checks, out.String())
			}
			for _, kind := range []string{"dns", "fdb", "overlay", "reach", "service", "task"} {
				if !regexp.MustCompile(`(?m)^  ` + kind + ` +\d+/\d+$`).MatchString(out.String()) {
					t.Errorf("no %s checks in:\n%s", kind, out.String())
				}
			}
			if left := swarmLeft(t, s, func(v string) bool { return strings.HasPrefix(v, "verify:") }); len(left) > 0 {
				t.Errorf("verify left behind: %s", strings.Join(left, "; "))
			}
			t.Logf("%s", strings.TrimSpace(out.String()[:strings.Index(out.String(), "\n")]))
			if i := strings.Index(out.String(), "  3 nodes:"); i >= 0 {
				t.Logf("%s", strings.TrimSpace(out.String()[i:]))
			}
		})
	}
}

// TestLiveSwarmLab: lab up overlay builds issue 13's scenario on the test
// bed's three nodes, every service, container and network labelled
// lab:overlay; a second lab up is refused before it builds anything; lab
// down removes it all from every node; and a Ctrl-C in the middle of lab
// up leaves nothing behind.
func TestLiveSwarmLab(t *testing.T) {
	s := swarmtest.Require(t)
	requireTestBed3(t, s)
	bin := buildNetviz(t)
	hosts := swarmHosts(s)
	ours := func(v string) bool { return v == lab.Owner("overlay") }
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		var nodes []lab.Node
		for _, c := range s.Clients {
			nodes = append(nodes, lab.Node{Client: c})
		}
		lab.DownCluster(ctx, nodes, lab.Owner("overlay"))
	})
	run := func(args ...string) (string, int) {
		out, err := exec.CommandContext(s.Ctx, bin, args...).CombinedOutput()
		code := 0
		if err != nil {
			code = -1
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
		}
		return string(out), code
	}
	start := time.Now()
	out, code := run(append([]string{"lab", "up", "overlay"}, hosts...)...)
	up := time.Since(start)
	if code != 0 {
		t.Fatalf("lab up overlay: exit %d\n%s", code, out)
	}
	left := swarmLeft(t, s, ours)
	count := func(prefix string) int {
		n := 0
		for _, l := range left {
			if strings.HasPrefix(l, prefix) {
				n++
			}
		}
		return n
	}
	// 2 services; 4 + 3 tasks and att; appnet on the manager and on each
	// worker with an endpoint.
	if count("service ") != 2 || count("container ") != 8 || count("network appnet on ") != 3 {
		t.Errorf("lab up overlay: %d services, %d containers, %d listings of appnet, want 2, 8, 3: %q", count("service "), count("container "), count("network appnet on "), left)
	}
	if out, code := run(append([]string{"lab", "up", "overlay"}, hosts...)...); code != exitUsage || !strings.Contains(out, "already exists") {
		t.Errorf("lab up overlay twice: exit %d\n%s", code, out)
	}
	start = time.Now()
	out, code = run(append([]string{"lab", "down", "overlay"}, hosts...)...)
	down := time.Since(start)
	if code != 0 || !strings.Contains(out, "removed 2 services, 8 containers, 1 networks") {
		t.Errorf("lab down overlay: exit %d\n%s", code, out)
	}
	if left := swarmLeft(t, s, ours); len(left) > 0 {
		t.Errorf("lab down left: %q", left)
	}
	t.Logf("lab up overlay on 3 nodes in %s, down in %s", up.Round(time.Millisecond), down.Round(time.Millisecond))

	// Interrupted while the services are being created: whatever was
	// built goes.
	for _, after := range []time.Duration{300 * time.Millisecond, 900 * time.Millisecond, 1500 * time.Millisecond} {
		cmd := exec.Command(bin, append([]string{"lab", "up", "overlay"}, hosts...)...)
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		cmd.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(2 * time.Minute):
			cmd.Process.Kill()
			t.Fatal("lab up did not stop after Ctrl-C")
		}
		if cmd.ProcessState.ExitCode() == 0 {
			// It was built before the signal came: take it down.
			if out, code := run(append([]string{"lab", "down", "overlay"}, hosts...)...); code != 0 {
				t.Fatalf("lab down: %s", out)
			}
			t.Logf("interrupt after %v: lab up had finished", after)
			continue
		}
		if left := swarmLeft(t, s, ours); len(left) > 0 {
			t.Errorf("interrupted after %v: left %q\n%s", after, left, buf.String())
		}
	}
}
