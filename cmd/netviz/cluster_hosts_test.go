package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSwarmLabCLI: a swarm lab or scenario is refused, with what to give
// instead, where a single engine is named, a one-engine lab where --host
// is given, and a --host that does not answer names itself — exit 2 each
// time, before anything is built.
func TestSwarmLabCLI(t *testing.T) {
	dir := t.TempDir()
	noEngine := map[string]string{"DOCKER_HOST": "unix://" + filepath.Join(dir, "no-docker.sock")}
	gone := "unix://" + filepath.Join(dir, "gone.sock")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"verify", "lab:overlay"}, "this scenario names several engines (a swarm): give each node as --host ENGINE[,pid=PID]"},
		{[]string{"lab", "up", "overlay"}, "lab overlay names several engines (a swarm): give each node as --host"},
		{[]string{"lab", "up", "alias", "--host", gone}, "lab alias is built on one engine: drop --host"},
		{[]string{"lab", "up", "overlay", "--host", gone}, "--host " + gone + ": "},
		{[]string{"lab", "down", "overlay", "--host", gone}, "--host " + gone + ": "},
		{[]string{"lab", "down", "overlay", "--host", gone + ",pid=x"}, "pid \"x\" is not a process id"},
	} {
		code, _, stderr := runCLI(t, noEngine, tt.args...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("netviz %s: exit %d, %q; want exit 2 and one line with %q", strings.Join(tt.args, " "), code, stderr, tt.want)
		}
	}
	code, out, _ := runCLI(t, nil, "lab", "list")
	if code != exitOK || !strings.Contains(out, "overlay         a Swarm overlay across three nodes (a swarm of several engines: one --host per node)") {
		t.Errorf("lab list: %s", out)
	}
	code, out, _ = runCLI(t, nil, "lab", "show", "overlay")
	if code != exitOK || !strings.Contains(out, "docker --context nvz-sw3 run -d --name att --network appnet") {
		t.Errorf("lab show overlay: %s", out)
	}
}
