package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/dockerctx"
)

// writeContext lays out a docker CLI context in dir the way `docker context
// create NAME --docker host=HOST` does.
func writeContext(t *testing.T, dir, name, host string) {
	t.Helper()
	p := filepath.Join(dir, "contexts", "meta", dockerctx.ContextID(name))
	if err := os.MkdirAll(p, 0o700); err != nil {
		t.Fatal(err)
	}
	meta := `{"Name":"` + name + `","Metadata":{},"Endpoints":{"docker":{"Host":"` + host + `","SkipTLSVerify":false}}}`
	if err := os.WriteFile(filepath.Join(p, "meta.json"), []byte(meta), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestEngineSelection: the engine is chosen like the docker CLI chooses it,
// and every way of not having one is exit 2 with one line that says which
// engine (DOCKER_HOST, the context) was asked. No Docker is needed: the
// engines here are sockets that do not exist, and the one ssh:// context is
// refused before any connection is made.
func TestEngineSelection(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix sockets")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "docker")
	missing := "unix://" + filepath.Join(dir, "nonexistent.sock")
	writeContext(t, cfg, "broken", missing)
	writeContext(t, cfg, "far", "ssh://nobody@127.0.0.1:1")
	base := map[string]string{"DOCKER_CONFIG": cfg, "DOCKER_HOST": "", "DOCKER_CONTEXT": ""}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	out := filepath.Join(dir, "net.json")
	script := filepath.Join(dir, "s.sh")
	if err := os.WriteFile(script, []byte("docker network create mybridge\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string // substrings of the one stderr line
	}{
		{"reach without an engine names DOCKER_HOST", with("DOCKER_HOST", "unix:///nonexistent.sock"), []string{"reach"},
			[]string{"netviz reach has nothing to measure", "cannot reach the Docker engine at unix:///nonexistent.sock", "DOCKER_HOST=unix:///nonexistent.sock"}},
		{"probe without an engine names DOCKER_HOST", with("DOCKER_HOST", "unix:///nonexistent.sock"), []string{"probe", "alicek106"},
			[]string{"netviz probe has nothing to measure", "DOCKER_HOST=unix:///nonexistent.sock"}},
		{"reach through a context names it", with(), []string{"--context", "broken", "reach"},
			[]string{"cannot reach the Docker engine at " + missing, `context "broken"`, "DOCKER_HOST=(unset)"}},
		{"DOCKER_CONTEXT picks the context", with("DOCKER_CONTEXT", "broken"), []string{"probe", "x"},
			[]string{`context "broken"`}},
		{"unknown --context lists the contexts", with(), []string{"--context", "nope", "graph", "-o", out},
			[]string{`netviz: context "nope" not found (contexts: default, "broken", "far")`}},
		{"unknown DOCKER_CONTEXT says where it came from", with("DOCKER_CONTEXT", "nope"), []string{"graph", "-o", out},
			[]string{`context "nope" not found`, "set by DOCKER_CONTEXT"}},
		{"a context name is echoed escaped", with(), []string{"--context", "x\x1b[2J", "reach"},
			[]string{`context "x\x1b[2J" not found`}},
		{"reach refuses an engine on another machine", with(), []string{"--context", "far", "reach"},
			[]string{"not on this machine", "ssh://nobody@127.0.0.1:1", `context "far"`}},
		{"probe refuses an engine on another machine", with("DOCKER_HOST", "ssh://nobody@127.0.0.1:1"), []string{"probe", "x"},
			[]string{"not on this machine"}},
		{"sim with an unknown --context", with(), []string{"--context", "nope", "sim", script},
			[]string{`context "nope" not found`}},
		{"probe with an unknown --context", with(), []string{"--context", "nope", "probe", "x"},
			[]string{`context "nope" not found`}},
		{"lab up with an unknown --context", with(), []string{"--context", "nope", "lab", "up", "alias"},
			[]string{`context "nope" not found`}},
		{"lab down with an unknown --context", with(), []string{"lab", "down", "--context", "nope"},
			[]string{`context "nope" not found`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.env, tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr: %s", code, exitUsage, stderr)
			}
			if lines := strings.Count(strings.TrimSpace(stderr), "\n") + 1; lines != 1 {
				t.Errorf("stderr has %d lines, want one: %q", lines, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if strings.ContainsRune(stderr, 0x1b) {
				t.Errorf("stderr echoes a raw ESC: %q", stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a failed run left %s", out)
			}
		})
	}
}

// TestGraphCurrentContext: config.json's currentContext chooses the engine;
// an engine that does not answer still degrades `graph` to the host view,
// with a warning that names the context.
func TestGraphCurrentContext(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("host namespace discovery needs Linux")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "docker")
	writeContext(t, cfg, "broken", "unix://"+filepath.Join(dir, "nonexistent.sock"))
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"currentContext":"broken"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DOCKER_CONFIG": cfg, "DOCKER_HOST": "", "DOCKER_CONTEXT": ""}
	out := filepath.Join(dir, "net.json")
	code, _, stderr := runCLI(t, env, "graph", "-o", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, `(context "broken"; is dockerd running?`) {
		t.Errorf("stderr %q does not name the context", stderr)
	}
	// DOCKER_HOST overrides the current context, as with docker.
	env["DOCKER_HOST"] = "unix://" + filepath.Join(dir, "other.sock")
	code, _, stderr = runCLI(t, env, "graph", "-o", out)
	if code != exitOK || strings.Contains(stderr, "broken") || !strings.Contains(stderr, "other.sock") {
		t.Errorf("DOCKER_HOST did not win over currentContext: exit %d, %q", code, stderr)
	}
}

// TestContextFlagDocumented: --context is global (every subcommand takes
// it) and the root help shows it in an example.
func TestContextFlagDocumented(t *testing.T) {
	code, stdout, _ := runCLI(t, nil, "--help")
	if code != exitOK || !strings.Contains(stdout, "netviz --context remote graph") || !strings.Contains(stdout, "--context CONTEXT") {
		t.Errorf("netviz --help does not document --context:\n%s", stdout)
	}
	for _, sub := range []string{"graph", "reach", "probe", "sim", "verify", "lab"} {
		_, stdout, _ := runCLI(t, nil, sub, "--help")
		if !strings.Contains(stdout, "--context") {
			t.Errorf("netviz %s --help lacks the global --context", sub)
		}
	}
}

// TestSimIgnoresStaleContext: sim needs no engine, so a DOCKER_CONTEXT that
// names nothing only loses the engine-version lookup; --context naming
// nothing is an error (above).
func TestSimIgnoresStaleContext(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "s.sh")
	if err := os.WriteFile(script, []byte("docker network create mybridge\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DOCKER_CONFIG": filepath.Join(dir, "docker"), "DOCKER_HOST": "", "DOCKER_CONTEXT": "gone"}
	code, stdout, stderr := runCLI(t, env, "sim", script)
	if code != exitOK || !strings.Contains(stdout, "mybridge") {
		t.Errorf("sim with a stale DOCKER_CONTEXT: exit %d, stderr %q", code, stderr)
	}
}
