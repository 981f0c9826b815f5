package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const aliasScript = `# the --net-alias exercise
docker network create mybridge
docker run -d --name alias1 --net mybridge --net-alias alicek106 ubuntu:14.04
docker run -d --name alias2 --net mybridge --net-alias alicek106 ubuntu:14.04
docker run -d --name pinger --net mybridge ubuntu:14.04
docker run -d --name other ubuntu:14.04
`

func TestSimCLI(t *testing.T) {
	dir := t.TempDir()
	noEngine := map[string]string{"DOCKER_HOST": "unix://" + filepath.Join(dir, "none.sock")}
	script := writeScript(t, dir, "alias.sh", aliasScript)

	code, out, stderr := runCLI(t, noEngine, "sim", script)
	if code != exitOK || !strings.Contains(out, "alicek106 on mybridge via DNS 127.0.0.11") || !strings.Contains(out, "docker 29.0 (simulated)") {
		t.Errorf("sim: exit %d\n%s%s", code, out, stderr)
	}
	code, out, _ = runCLI(t, noEngine, "sim", script, "--resolve", "alicek106", "--from", "pinger")
	if code != exitOK || !strings.Contains(out, "pinger resolves alicek106 to 2 address(es)") || !strings.Contains(out, "172.18.0.2") {
		t.Errorf("--resolve: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, noEngine, "sim", script, "--resolve", "alicek106", "--from", "other")
	if code != exitOK || !strings.Contains(out, "would not resolve alicek106 (NXDOMAIN)") {
		t.Errorf("--resolve from the default bridge: %s", out)
	}
	code, out, _ = runCLI(t, noEngine, "sim", script, "--reach")
	if code != exitOK || !strings.Contains(out, "pinger") || !strings.Contains(out, "different bridges") {
		t.Errorf("--reach: exit %d\n%s", code, out)
	}
	svg := filepath.Join(dir, "alias.svg")
	if code, _, stderr := runCLI(t, noEngine, "sim", script, "-o", svg); code != exitOK {
		t.Fatalf("sim -o: %s", stderr)
	}
	if data, _ := os.ReadFile(svg); !strings.Contains(string(data), "<svg") {
		t.Error("no SVG written")
	}
	frames := filepath.Join(dir, "frames")
	if code, _, stderr := runCLI(t, noEngine, "sim", script, "--steps", frames); code != exitOK {
		t.Fatalf("--steps: %s", stderr)
	}
	entries, _ := os.ReadDir(frames)
	if len(entries) != 6 { // 5 commands + index.html
		t.Errorf("--steps wrote %d files", len(entries))
	}
	page, _ := os.ReadFile(filepath.Join(frames, "index.html"))
	if !strings.Contains(string(page), "ArrowRight") || !strings.Contains(string(page), "step-005.svg") {
		t.Error("index.html does not step through the frames")
	}

	bad := writeScript(t, dir, "bad.sh", "docker network create n\ndocker run --net nope img\n")
	out2 := filepath.Join(dir, "bad.svg")
	code, _, stderr = runCLI(t, noEngine, "sim", bad, "-o", out2)
	if code != exitUsage || !strings.Contains(stderr, "bad.sh:2:1: Error response from daemon: network nope not found") {
		t.Errorf("bad scenario: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(out2); !os.IsNotExist(err) {
		t.Error("a refused scenario left an output file")
	}
	code, _, stderr = runCLI(t, noEngine, "sim", writeScript(t, dir, "flag.sh", "docker run --nett x img\n"))
	if code != exitUsage || !strings.Contains(stderr, "flag.sh:1:12: docker run: unknown flag: --nett") {
		t.Errorf("bad flag: exit %d, %q", code, stderr)
	}
	code, _, stderr = runCLI(t, noEngine, "sim", filepath.Join(dir, "missing.sh"))
	if code != exitUsage || !strings.Contains(stderr, "no such file") {
		t.Errorf("missing file: exit %d, %q", code, stderr)
	}
}

func TestLabCLIOffline(t *testing.T) {
	code, out, _ := runCLI(t, nil, "lab", "list")
	if code != exitOK || !strings.Contains(out, "alias") || !strings.Contains(out, "macvlan") {
		t.Errorf("lab list: %s", out)
	}
	code, out, _ = runCLI(t, nil, "lab", "show", "alias")
	if code != exitOK || !strings.Contains(out, "--net-alias alicek106") {
		t.Errorf("lab show: %s", out)
	}
	code, _, stderr := runCLI(t, nil, "lab", "show", "nope")
	if code != exitUsage || !strings.Contains(stderr, `no lab named "nope"; labs: alias`) {
		t.Errorf("unknown lab: %d %s", code, stderr)
	}
}

// TestSimStepsNothingOnRefusal: a scenario the daemon would refuse writes
// no frame and no directory.
func TestSimStepsNothingOnRefusal(t *testing.T) {
	dir := t.TempDir()
	noEngine := map[string]string{"DOCKER_HOST": "unix://" + filepath.Join(dir, "none.sock")}
	bad := writeScript(t, dir, "bad.sh", "docker network create n\ndocker run -d --name aa --net n img\ndocker run --net nope img\n")
	frames := filepath.Join(dir, "frames")
	code, _, stderr := runCLI(t, noEngine, "sim", bad, "--steps", frames)
	if code != exitUsage || !strings.Contains(stderr, "bad.sh:3:1: Error response from daemon: network nope not found") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(frames); !os.IsNotExist(err) {
		t.Error("--steps left frames behind for a refused scenario")
	}
}
