package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestGraphEnginePIDRefused: --engine-pid names a process on this machine
// whose namespaces hold an engine that answers; anything else is refused
// with exit 2, one line naming what was wrong, and no output file — never
// a picture of netviz's own namespaces in its place.
func TestGraphEnginePIDRefused(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("--engine-pid needs Linux namespaces")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "node.json")
	noEngine := map[string]string{"DOCKER_HOST": "unix://" + filepath.Join(dir, "none.sock")}
	tests := []struct {
		name string
		env  map[string]string
		pid  string
		want string
	}{
		{"negative", noEngine, "-3", "--engine-pid -3: not a process id"},
		{"no such process", noEngine, "999999999", "engine process 999999999: no such process"},
		{"an engine on another machine", map[string]string{"DOCKER_HOST": "tcp://192.0.2.1:2375"}, strconv.Itoa(os.Getpid()),
			"can be named only for an engine on this machine; tcp://192.0.2.1:2375 is not"},
		{"no engine answers", noEngine, strconv.Itoa(os.Getpid()), "cannot reach the Docker engine at unix://" + filepath.Join(dir, "none.sock")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.env, "graph", "--engine-pid", tt.pid, "-o", out)
			if code != exitUsage {
				t.Errorf("exit %d, want 2; stderr %q", code, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q lacks %q", stderr, tt.want)
			}
			if lines := strings.Count(stderr, "\n"); lines != 1 || !strings.HasPrefix(stderr, "netviz: ") {
				t.Errorf("stderr is %d lines, want one netviz: line: %q", lines, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q", stdout)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("an output file was created: %v", err)
				os.Remove(out)
			}
		})
	}
}
