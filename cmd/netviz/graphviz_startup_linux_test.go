package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/dockertest"
)

// These tests run the built program, because what they check happens (or
// must not happen) when the process starts: upstream go-graphviz compiled
// its WebAssembly in init() and cached the native code in
// $TMPDIR/go-graphviz, whoever had made that directory.

// netvizRun is one run of the built binary.
type netvizRun struct {
	code           int
	stdout, stderr string
}

// runNetviz runs bin with exactly env, as uid/gid 65534 when nobody is set.
func runNetviz(t *testing.T, bin string, env []string, nobody bool, args ...string) netvizRun {
	t.Helper()
	cmd := exec.Command(bin, args...)
	if nobody {
		cmd = exec.Command("setpriv", append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", bin}, args...)...)
	}
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := netvizRun{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("netviz %s: %v", strings.Join(args, " "), err)
	}
	if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
		t.Fatalf("netviz %s panicked:\n%s", strings.Join(args, " "), r.stderr)
	}
	return r
}

// entries lists what is directly in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func copyScenario(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "internal", "scenario", "testdata", "seed-alias.sh"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "seed.sh")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestNonDrawingCommandsLeaveGraphvizAlone: commands that lay no graph out
// do not start the WebAssembly runtime, which shows as no cache directory
// anywhere (a drawing creates one in $XDG_CACHE_HOME; upstream created
// $TMPDIR/go-graphviz in every process, `netviz version` included).
func TestNonDrawingCommandsLeaveGraphvizAlone(t *testing.T) {
	bin := buildNetviz(t)
	work := t.TempDir()
	tmp, cache, home := filepath.Join(work, "tmp"), filepath.Join(work, "cache"), filepath.Join(work, "home")
	for _, d := range []string{tmp, cache, home} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	seed := copyScenario(t, work)
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "TMPDIR=" + tmp, "XDG_CACHE_HOME=" + cache,
		"DOCKER_HOST=unix://" + filepath.Join(work, "no-docker.sock")}
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"version"}, exitOK},
		{[]string{"--help"}, exitOK},
		{[]string{"completion", "bash"}, exitOK},
		{[]string{"sim", seed}, exitOK},
		{[]string{"sim", seed, "-o", filepath.Join(work, "x.json")}, exitOK},
		{[]string{"sim", seed, "-o", filepath.Join(work, "x.dot")}, exitOK},
		{[]string{"sim", seed, "-o", filepath.Join(work, "x.mmd")}, exitOK},
		// netviz lays out its own pictures: no Graphviz for svg, png, html
		{[]string{"sim", seed, "-o", filepath.Join(work, "x.svg")}, exitOK},
		{[]string{"sim", seed, "-o", filepath.Join(work, "x.png")}, exitOK},
		{[]string{"sim", seed, "-o", filepath.Join(work, "x.html")}, exitOK},
		{[]string{"sim", seed, "--steps", filepath.Join(work, "frames")}, exitOK},
		{[]string{"sim", seed, "--reach"}, exitOK},
		{[]string{"sim", seed, "--reach", "--json"}, exitOK},
		{[]string{"graph", "--format", "json"}, exitOK},
		{[]string{"reach", "--json"}, exitUsage}, // no engine: a clear error
	} {
		r := runNetviz(t, bin, env, false, c.args...)
		if r.code != c.code {
			t.Errorf("netviz %s: exit %d, want %d\n%s", strings.Join(c.args, " "), r.code, c.code, r.stderr)
		}
	}
	for _, d := range []string{tmp, cache, home} {
		if got := entries(t, d); len(got) > 0 {
			t.Errorf("%s: commands that draw nothing created %v", d, got)
		}
	}
	// The control: a drawing does start it, and caches where it should.
	if r := runNetviz(t, bin, env, false, "sim", seed, "--layout", "graphviz", "-o", filepath.Join(work, "x.svg")); r.code != exitOK {
		t.Fatalf("sim --layout graphviz -o x.svg: exit %d\n%s", r.code, r.stderr)
	}
	if got := entries(t, cache); len(got) != 1 || got[0] != "netviz" {
		t.Errorf("after an SVG the cache holds %v, want netviz/", got)
	}
	if got := entries(t, tmp); len(got) > 0 {
		t.Errorf("$TMPDIR: an SVG created %v", got)
	}
}

// TestOtherUserAfterRoot: root drawing first must neither lock other users
// out (upstream: root made $TMPDIR/go-graphviz 0755 and every other user's
// netviz then panicked at start-up, `netviz version` included) nor run code
// from a directory another user prepared (upstream: /tmp/go-graphviz made
// 0777 by nobody was used by root).
func TestOtherUserAfterRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		if dockertest.Enabled() {
			t.Fatal("NETVIZ_E2E=1 but not root: this test runs netviz as root and then as uid 65534")
		}
		t.Skip("needs root: runs netviz as root and then as uid 65534 (setpriv)")
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		if dockertest.Enabled() {
			t.Fatal("NETVIZ_E2E=1 but setpriv (util-linux) is missing")
		}
		t.Skip("needs setpriv (util-linux)")
	}
	bin := buildNetviz(t)
	// Let uid 65534 reach the binary and the scenario.
	for _, d := range []string{filepath.Dir(bin), filepath.Dir(filepath.Dir(bin))} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	work := filepath.Dir(bin)
	seed := copyScenario(t, work)
	mk := func(name string, perm os.FileMode, uid int) string {
		p := filepath.Join(work, name)
		if err := os.Mkdir(p, perm); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, perm); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, uid, uid); err != nil {
			t.Fatal(err)
		}
		return p
	}
	noEngine := "DOCKER_HOST=unix://" + filepath.Join(work, "no-docker.sock")
	svg := func(t *testing.T, env []string, nobody bool, path string) {
		t.Helper()
		r := runNetviz(t, bin, env, nobody, "sim", seed, "--layout", "graphviz", "-o", path)
		if r.code != exitOK {
			t.Fatalf("sim -o %s (nobody=%v): exit %d\n%s", path, nobody, r.code, r.stderr)
		}
		data, err := os.ReadFile(path)
		if err != nil || !bytes.Contains(data, []byte("<svg")) || !bytes.Contains(data, []byte("alicek106")) {
			t.Fatalf("%s is not the seed picture (%v)", path, err)
		}
	}

	t.Run("nobody after root", func(t *testing.T) {
		// HOME and TMPDIR shared by root and nobody, which nobody cannot write.
		shared := mk("shared", 0o755, 0)
		outRoot, outNobody := mk("out-root", 0o755, 0), mk("out-nobody", 0o755, 65534)
		env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + shared, "TMPDIR=" + shared, noEngine}
		if r := runNetviz(t, bin, env, false, "version"); r.code != exitOK {
			t.Fatalf("root: netviz version: exit %d\n%s", r.code, r.stderr)
		}
		svg(t, env, false, filepath.Join(outRoot, "x.svg"))
		if got := entries(t, shared); len(got) != 1 || got[0] != ".cache" {
			t.Errorf("root's drawing left %v in HOME=TMPDIR, want only .cache (its own cache)", got)
		}
		for _, args := range [][]string{{"version"}, {"--help"}, {"sim", seed, "--reach"}} {
			if r := runNetviz(t, bin, env, true, args...); r.code != exitOK {
				t.Errorf("nobody after root: netviz %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
			}
		}
		if r := runNetviz(t, bin, env, true, "reach", "--json"); r.code != exitUsage {
			t.Errorf("nobody: reach --json without an engine: exit %d, want %d\n%s", r.code, exitUsage, r.stderr)
		}
		svg(t, env, true, filepath.Join(outNobody, "x.svg"))
	})

	t.Run("root ignores a cache dir nobody made", func(t *testing.T) {
		// Where upstream looked ($TMPDIR/go-graphviz) and where netviz
		// looks ($XDG_CACHE_HOME/netviz/wazero), prepared by uid 65534.
		evilTmp := mk("evil-tmp", 0o1777, 0)
		lure := filepath.Join(evilTmp, "go-graphviz")
		if err := os.Mkdir(lure, 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(lure, 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(lure, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		roothome := mk("roothome", 0o700, 0)
		// With its own cache directory untrusted, root uses /var/cache/netviz.
		if _, err := os.Lstat("/var/cache/netviz"); os.IsNotExist(err) {
			t.Cleanup(func() { os.RemoveAll("/var/cache/netviz") })
		}
		env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + roothome, "TMPDIR=" + evilTmp, "XDG_CACHE_HOME=" + lure, noEngine}
		svg(t, env, false, filepath.Join(roothome, "y.svg"))
		if got := entries(t, lure); len(got) > 0 {
			t.Errorf("root wrote %v into %s, a directory uid 65534 made", got, lure)
		}
		if got := entries(t, evilTmp); len(got) != 1 {
			t.Errorf("root's drawing left %v in TMPDIR", got)
		}
	})
}
