package main

import (
	"bytes"
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/netviz/netviz/internal/probe"
)

// TestDocs walks the command tree: every command a person can run says what
// it does and shows examples, and every flag explains itself.
func TestDocs(t *testing.T) {
	root := newRootCmd(&bytes.Buffer{}, &bytes.Buffer{})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" || c.HasParent() && c.Parent().Name() == "completion" {
			return
		}
		if c.Short == "" {
			t.Errorf("%s: no short help", c.CommandPath())
		}
		if c.Runnable() && c.Example == "" {
			t.Errorf("%s: no examples", c.CommandPath())
		}
		if strings.HasSuffix(c.Short, ".") {
			t.Errorf("%s: short help ends with a period", c.CommandPath())
		}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Usage == "" {
				t.Errorf("%s --%s: no usage text", c.CommandPath(), f.Name)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

type exitCase struct {
	name       string
	env        map[string]string
	args       []string
	wantCode   int
	wantStderr string
	wantStdout string
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	noEngine := map[string]string{"DOCKER_HOST": "unix://" + filepath.Join(dir, "no-docker.sock")}
	tests := []exitCase{
		{"version", nil, []string{"version"}, exitOK, "", "netviz "},
		{"unknown command", nil, []string{"grpah"}, exitUsage, `unknown command "grpah"`, ""},
		{"unknown flag", nil, []string{"graph", "--frobnicate"}, exitUsage, "unknown flag: --frobnicate", ""},
		{"stray argument", nil, []string{"graph", "extra"}, exitUsage, "unknown command", ""},
		{"unknown extension", nil, []string{"graph", "-o", filepath.Join(dir, "net.pdf")}, exitUsage, `unknown extension ".pdf"`, ""},
		{"unknown format", nil, []string{"graph", "--format", "gif"}, exitUsage, `unknown format "gif"`, ""},
		{"missing directory", nil, []string{"graph", "-o", filepath.Join(dir, "nope", "net.svg")}, exitUsage, "no such file or directory", ""},
	}
	if runtime.GOOS == "linux" {
		tests = append(tests,
			exitCase{"no engine degrades to the host", noEngine, []string{"graph"}, exitOK, "", "no Docker engine"},
			exitCase{"no engine: unknown network", noEngine, []string{"graph", "--network", "mybridge"}, exitUsage, `no network named "mybridge"; networks here: none`, ""},
		)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.env, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.wantCode, stderr)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr %q lacks %q", stderr, tt.wantStderr)
			}
			if !strings.Contains(stdout, tt.wantStdout) {
				t.Errorf("stdout %q lacks %q", stdout, tt.wantStdout)
			}
		})
	}
}

// TestNoEngineWarningNamesSocket: without an engine the picture is still
// written, and the warning names the socket and DOCKER_HOST.
func TestNoEngineWarningNamesSocket(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("host namespace discovery needs Linux")
	}
	dir := t.TempDir()
	sock := "unix://" + filepath.Join(dir, "no-docker.sock")
	out := filepath.Join(dir, "net.json")
	code, _, stderr := runCLI(t, map[string]string{"DOCKER_HOST": sock}, "graph", "-o", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"is dockerd running?", "DOCKER_HOST=" + sock, "host namespace only"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q lacks %q", stderr, want)
		}
	}
	data, err := os.ReadFile(out)
	if err != nil || !bytes.Contains(data, []byte(`"schema": "netviz/v1"`)) {
		t.Fatalf("output %s: %v", data, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only net.json (no temp files)", len(entries))
	}
}

func TestWriteProbe(t *testing.T) {
	a := netip.MustParseAddr
	rep := &probe.Report{Target: "alicek106", Clients: []probe.ClientReport{{
		Client: "ping", Via: "embedded-dns", Answers: []netip.Addr{a("172.18.0.2"), a("172.18.0.3")},
		Lookups:      []probe.Lookup{{Answers: []netip.Addr{a("172.18.0.3"), a("172.18.0.2")}}, {Answers: []netip.Addr{a("172.18.0.2"), a("172.18.0.3")}}},
		FirstAnswers: map[string]int{"172.18.0.2": 1, "172.18.0.3": 1},
		Pings: []probe.EchoResult{{Addr: a("172.18.0.2"), Outcome: probe.Reached, Attempts: 3, Received: 3, RTT: 200 * time.Microsecond},
			{Addr: a("172.18.0.3"), Outcome: probe.Timeout, Attempts: 6}},
		Paths: []probe.PathReport{{Addr: a("172.18.0.3"), Plan: make([]probe.Point, 5), Hops: probe.Hops{Request: []string{"ping eth0", "veth1"}, StoppedAfter: "veth1"}}},
	}}}
	var plain, color bytes.Buffer
	writeProbe(&plain, rep, false)
	writeProbe(&color, rep, true)
	for _, want := range []string{"via Docker's DNS 127.0.0.11", "2 queries, answers: 172.18.0.2 172.18.0.3",
		"172.18.0.2 ×1, 172.18.0.3 ×1", "reached avg 0.20ms, 3/3 replies (0% loss)", "timeout, 0/6 replies (100% loss)",
		"ping eth0 → veth1  ✗ stopped after veth1"} {
		if !strings.Contains(plain.String(), want) {
			t.Errorf("probe output lacks %q:\n%s", want, plain.String())
		}
	}
	if strings.Contains(plain.String(), "\x1b[") || !strings.Contains(color.String(), "\x1b[32m") {
		t.Error("colour must appear on a terminal only")
	}
}
