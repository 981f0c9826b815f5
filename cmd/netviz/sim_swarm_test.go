package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const swarmScript = `docker swarm init --advertise-addr 10.252.0.1
docker --context node2 swarm join --token $(docker swarm join-token -q worker) --advertise-addr 10.252.0.2 10.252.0.1:2377
docker --context node3 swarm join --token $(docker swarm join-token -q worker) --advertise-addr 10.252.0.3 10.252.0.1:2377
docker network create -d overlay --attachable appnet
docker service create --name web --replicas 4 --network appnet --no-resolve-image img
docker service create --name rr --replicas 3 --endpoint-mode dnsrr --network appnet -p published=8080,target=80,mode=host --no-resolve-image img
docker --context node3 run -d --name att --network appnet img
`

// TestSimCluster: a scenario of several nodes writes the cluster — JSON,
// text per node, a picture of every node — and refuses what is one host's
// only, exit 2, no file.
func TestSimCluster(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DOCKER_HOST": "unix://" + filepath.Join(dir, "none.sock")}
	script := writeScript(t, dir, "overlay.sh", swarmScript)

	code, out, stderr := runCLI(t, env, "sim", script, "--engine-version", "29", "-f", "json")
	if code != exitOK || !strings.Contains(out, `"schema": "netviz/cluster/v1"`) || strings.Count(out, `"nodeName": `) != 3 {
		t.Errorf("-f json: exit %d\n%.300s%s", code, out, stderr)
	}
	code, out, _ = runCLI(t, env, "sim", script, "--engine-version", "29")
	for _, want := range []string{"host node1 · docker 29 (simulated) · uplink eth0 10.252.0.1/24", "host node3 ·", "att:eth0 10.0.1.13/24 ⇄ veth3 → br0",
		"web on appnet via DNS 127.0.0.11 → 10.0.1.2 (svc:web)", "overlay appnet VNI 4097 on node1, node2, node3", "predicted:"} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("text: exit %d, no %q in\n%s", code, want, out)
		}
	}
	code, out, _ = runCLI(t, env, "sim", script, "--resolve", "rr", "--from", "att")
	if code != exitOK || !strings.Contains(out, "att resolves rr to 3 address(es)") {
		t.Errorf("--resolve rr: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, env, "sim", script, "--resolve", "web", "--from", "att")
	if code != exitOK || !strings.Contains(out, "10.0.1.2        service web (VIP)") {
		t.Errorf("--resolve web: exit %d\n%s", code, out)
	}
	svg := filepath.Join(dir, "cluster.svg")
	if code, _, stderr := runCLI(t, env, "sim", script, "-o", svg); code != exitOK || !strings.Contains(stderr, "3 hosts") {
		t.Fatalf("-o svg: exit %d %s", code, stderr)
	}
	if data, _ := os.ReadFile(svg); !strings.Contains(string(data), "<svg") || !strings.Contains(string(data), "node3") {
		t.Error("no picture of the cluster")
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-o", filepath.Join(dir, "c.dot")}, "is drawn as svg, png, json or text, not dot"},
		{[]string{"--reach"}, "--reach of several hosts: not yet"},
		{[]string{"--steps", filepath.Join(dir, "frames")}, "--steps draws one host; this scenario builds 3"},
		{[]string{"--resolve", "rr", "--from", "nobody"}, `--from "nobody": no container of that name`},
		{[]string{"--layout", "graphviz", "-o", filepath.Join(dir, "g.svg")}, "--layout graphviz draws one host"},
	} {
		code, out, stderr := runCLI(t, env, append([]string{"sim", script}, tt.args...)...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) || out != "" {
			t.Errorf("%q: exit %d, stderr %q", tt.args, code, stderr)
		}
	}
	for _, f := range []string{"c.dot", "frames", "g.svg"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s written on a refusal", f)
		}
	}
	bad := writeScript(t, dir, "bad.sh", "docker swarm init\ndocker network create -d overlay o\ndocker run -d --network o img\n")
	code, _, stderr = runCLI(t, env, "sim", bad)
	if code != exitUsage || !strings.Contains(stderr, "bad.sh:3:1: Error response from daemon: failed to set up container networking: Could not attach to network o") {
		t.Errorf("a non-attachable overlay: exit %d %s", code, stderr)
	}
}
