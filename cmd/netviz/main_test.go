package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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
		{"missing directory", nil, []string{"graph", "-o", filepath.Join(dir, "nope", "net.svg")}, exitUsage, "nope does not exist", ""},
		{"probe picture as dot", nil, []string{"probe", "alicek106", "-o", filepath.Join(dir, "probe.dot")}, exitUsage, "probe results are drawn as .svg, .png, .html or .json", ""},
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

// TestBadInput: every flag value netviz cannot honour is refused before any
// work with exit 2, one line on stderr naming the flag and the value, and no
// output file.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	noEngine := map[string]string{"DOCKER_HOST": "unix://" + filepath.Join(dir, "none.sock")}
	script := writeScript(t, dir, "alias.sh", aliasScript)
	out := filepath.Join(dir, "out.svg")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"graph --timeout 0", []string{"graph", "--timeout", "0", "-o", out}, "netviz: --timeout 0s: must be at least 1ms"},
		{"graph --timeout negative", []string{"graph", "--timeout", "-5s", "-o", out}, "--timeout -5s: must be at least 1ms"},
		{"graph --timeout below 1ms", []string{"graph", "--timeout", "500us", "-o", out}, "--timeout 500µs: must be at least 1ms"},
		{"reach --timeout 0", []string{"reach", "--timeout", "0", "-o", out}, "--timeout 0s: must be at least 1ms"},
		{"reach --timeout 1ns", []string{"reach", "--timeout", "1ns", "-o", out}, "--timeout 1ns: must be at least 1ms"},
		{"reach --deadline 0", []string{"reach", "--deadline", "0", "-o", out}, "--deadline 0s: must be at least 1ms"},
		{"reach --concurrency 0", []string{"reach", "--concurrency", "0", "-o", out}, "--concurrency 0: must be 1 to 4096"},
		{"reach --retries -1", []string{"reach", "--retries", "-1", "-o", out}, "--retries -1: must be 0 to 100"},
		{"reach -o x.dot", []string{"reach", "-o", filepath.Join(dir, "matrix.dot")}, "-o " + filepath.Join(dir, "matrix.dot") + ": the matrix is drawn as .svg or .png"},
		{"probe --timeout 0", []string{"probe", "alicek106", "--timeout", "0", "-o", out}, "--timeout 0s: must be at least 1ms"},
		{"probe --timeout negative", []string{"probe", "alicek106", "--timeout", "-1ms", "-o", out}, "--timeout -1ms: must be at least 1ms"},
		{"probe --count 0", []string{"probe", "alicek106", "--count", "0", "-o", out}, "--count 0: must be 1 to 1000"},
		{"probe --pings 0", []string{"probe", "alicek106", "--pings", "0", "-o", out}, "--pings 0: must be 1 to 100"},
		{"probe --retries -1", []string{"probe", "alicek106", "--retries", "-1", "-o", out}, "--retries -1: must be 0 to 100"},
		{"probe --deadline 0", []string{"probe", "alicek106", "--deadline", "0", "-o", out}, "--deadline 0s: must be at least 1ms"},
		{"sim --timeout 0", []string{"sim", script, "--timeout", "0", "-o", out}, "--timeout 0s: must be at least 1ms"},
		{"sim --timeout 999us", []string{"sim", script, "--timeout", "999us", "-o", out}, "--timeout 999µs: must be at least 1ms"},
		{"sim --engine-version banana", []string{"sim", script, "--engine-version", "banana", "-o", out},
			`--engine-version: engine version "banana" is not one the simulator reproduces: use 20.10, 23, 24, 25, 26, 27, 28 or 29, optionally with minor, patch and pre-release (20.10.24, 28.2.2, 29.8.0-beta.24)`},
		{"sim --engine-version 19.03", []string{"sim", script, "--engine-version", "19.03", "-o", out}, `engine version "19.03" is not one`},
		{"sim --engine-version 20", []string{"sim", script, "--engine-version", "20", "-o", out}, `engine version "20" is not one`},
		{"sim --engine-version 30.0", []string{"sim", script, "--engine-version", "30.0", "-o", out}, `engine version "30.0" is not one`},
		{"verify --timeout 0", []string{"verify", script, "--timeout", "0"}, "--timeout 0s: must be at least 1ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, noEngine, tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want 2", code)
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
	// The accepted spellings of --engine-version.
	for _, v := range []string{"20.10", "20.10.24", "27", "28.2.2", "29.8.0-beta.24", "29.0"} {
		code, out, stderr := runCLI(t, noEngine, "sim", script, "--engine-version", v)
		if code != exitOK || !strings.Contains(out, "docker "+v+" (simulated)") {
			t.Errorf("--engine-version %s: exit %d %s %s", v, code, stderr, out)
		}
	}
}

// TestEchoIsSanitized: user input with terminal escapes, 10 KB long, comes
// back escaped and cut short wherever netviz repeats it.
func TestEchoIsSanitized(t *testing.T) {
	dir := t.TempDir()
	noEngine := map[string]string{"DOCKER_HOST": "unix://" + filepath.Join(dir, "none.sock")}
	evil := "\x1b[2J\x1b]0;pwned\x07" + strings.Repeat("A", 10*1024)
	script := writeScript(t, dir, "alias.sh", aliasScript)
	bad := writeScript(t, dir, "bad.sh", "docker network create n\ndocker run --net $'"+strings.ReplaceAll(evil, "\x1b", `\e`)+"' img\n")
	rawLine := writeScript(t, dir, "raw.sh", "docker "+evil+"\n")
	tests := []struct {
		name string
		args []string
		want string // what the echo starts with, escaped
	}{
		{"graph --network", []string{"graph", "--network", evil}, `no network named "\x1b[2J\x1b]0;pwned\aAAAA`},
		{"unknown flag", []string{"graph", "--" + evil}, `unknown flag: --\x1b[2J`},
		{"scenario word in a daemon error", []string{"sim", bad}, `bad.sh:2:1: Error response from daemon: network \x1b[2J\x1b]0;pwned\aAAA`},
		{"scenario line that is not a command", []string{"sim", rawLine}, `raw.sh:1:8: docker: '\x1b[2J\x1b]0' is not a docker command`},
		{"sim --from", []string{"sim", script, "--resolve", "alicek106", "--from", evil}, `--from "\x1b[2J`},
		{"lab show", []string{"lab", "show", evil}, `no lab named "\x1b[2J`},
		{"lab up", []string{"lab", "up", evil}, `no lab named "\x1b[2J`},
		{"verify lab:", []string{"verify", "lab:" + evil}, `no lab named "\x1b[2J`},
		{"sim of a missing file", []string{"sim", filepath.Join(dir, evil)}, `\x1b[2J\x1b]0;pwned\aAAA`},
		{"-o in a missing directory", []string{"graph", "-o", filepath.Join(dir, evil, "x.svg")}, `\x1b[2J\x1b]0;pwned\aAAA`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, noEngine, tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want 2: %.300q", code, stderr)
			}
			all := stdout + stderr
			if strings.ContainsAny(all, "\x1b\x07") {
				t.Errorf("raw control characters reached the terminal: %.300q", all)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %.400q lacks %q", stderr, tt.want)
			}
			if strings.Contains(all, strings.Repeat("A", 1000)) {
				t.Errorf("the 10 KB input is echoed whole (%d bytes of output)", len(all))
			}
		})
	}
}
