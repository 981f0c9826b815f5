package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/netviz/netviz/internal/browsertest"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-graphviz"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/testkit"
)

// childEnv makes the test binary act as a netviz process that draws (see
// TestMain): whether the WebAssembly runtime started, and which cache
// directory was chosen, is decided once per process, so a test that asks
// needs a process of its own. (Its layout workers are the test binary
// again, told apart by workerEnv before TestMain runs.)
const childEnv = "NETVIZ_RENDER_TEST_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(child(mode))
	}
	// The tests' compiled Graphviz code goes to a cache of their own, not
	// the user's.
	dir, err := os.MkdirTemp("", "netviz-render-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	code := browsertest.Main(m) // one Chromium for the picture tests, stopped at the end
	os.RemoveAll(dir)
	os.Exit(code)
}

// child draws the seed model in the formats mode names and reports on
// stderr; exit 0 when everything held.
func child(mode string) int {
	if d := os.Getenv("NETVIZ_RENDER_TEST_ROOT_CACHE"); d != "" {
		rootCacheDir = d
	}
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
		return 1
	}
	m, err := graph.ReadFile(filepath.Join("..", "testkit", testkit.SeedModelFile))
	if err != nil {
		return fail("%v", err)
	}
	ctx := context.Background()
	switch mode {
	case "no-layout":
		// Everything netviz writes without laying a graph out: graph and
		// sim -o x.json/.dot/.mmd, the text tree, reach -o x.svg/.png.
		// netviz's own pictures (svg, png, html) lay out without Graphviz too.
		for _, f := range []Format{FormatText, FormatJSON, FormatDOT, FormatMermaid, FormatSVG, FormatPNG, FormatHTML} {
			if err := Render(ctx, io.Discard, m, f); err != nil {
				return fail("%s: %v", f, err)
			}
		}
		if graphviz.Started() {
			return fail("the WebAssembly runtime started for formats that lay nothing out")
		}
	case "svg":
		var out bytes.Buffer
		if err := RenderWith(ctx, &out, m, FormatSVG, Options{Layout: LayoutGraphviz}); err != nil {
			return fail("svg: %v", err)
		}
		if _, err := svgText(out.Bytes()); err != nil || !bytes.Contains(out.Bytes(), []byte("alicek106")) {
			return fail("not the seed picture (%v)", err)
		}
		if graphviz.Started() {
			return fail("the WebAssembly runtime started in netviz itself, not in a layout worker")
		}
	default:
		return fail("unknown child mode %q", mode)
	}
	return 0
}

// runChild runs the test binary as a child in mode with env added, and
// fails the test if the child reported a problem.
func runChild(t *testing.T, mode string, env ...string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{childEnv + "=" + mode}, env...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child %s: %v\n%s", mode, err, out)
	}
}

// contents lists what is under dir, relative to it.
func contents(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestNoLayoutNoWASM: drawings that lay nothing out (text, JSON, DOT,
// Mermaid, overlay and grid DOT) neither start the WebAssembly runtime nor
// create a cache anywhere — upstream go-graphviz compiled in init() and
// made $TMPDIR/go-graphviz in every netviz process.
func TestNoLayoutNoWASM(t *testing.T) {
	tmp, cache := t.TempDir(), t.TempDir()
	runChild(t, "no-layout", "TMPDIR="+tmp, "XDG_CACHE_HOME="+cache)
	for _, dir := range []string{tmp, cache} {
		if got := contents(t, dir); len(got) > 0 {
			t.Errorf("%s: non-drawing renders created %v", dir, got)
		}
	}
}

// TestCacheOnlyInTrustedDir draws an SVG in a fresh process with the cache
// directory in a given state: a trusted one gets the compiled code, an
// untrusted one is left alone while the drawing still works, and $TMPDIR is
// never used.
func TestCacheOnlyInTrustedDir(t *testing.T) {
	type setup func(t *testing.T, base string)
	chmod := func(perm os.FileMode) setup {
		return func(t *testing.T, base string) {
			if err := os.Chmod(base, perm); err != nil {
				t.Fatal(err)
			}
		}
	}
	chownNobody := func(t *testing.T, base string) {
		if os.Geteuid() != 0 {
			t.Skip("needs root to give the directory to another user")
		}
		if err := os.Chown(base, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		prepare setup
		cached  bool
	}{
		{"own 0700", chmod(0o700), true},
		{"own 0755", chmod(0o755), true},
		{"mode 0777", chmod(0o777), false},
		{"group-writable", chmod(0o770), false},
		{"owned by nobody", chownNobody, false},
	}
	// Root falls back to a directory of its own; keep that in the test too.
	rootCache := filepath.Join(t.TempDir(), "netviz", "wazero")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp, base := t.TempDir(), filepath.Join(t.TempDir(), "cache")
			if err := os.Mkdir(base, 0o700); err != nil {
				t.Fatal(err)
			}
			tt.prepare(t, base)
			runChild(t, "svg", "TMPDIR="+tmp, "XDG_CACHE_HOME="+base, "NETVIZ_RENDER_TEST_ROOT_CACHE="+rootCache)
			if got := contents(t, tmp); len(got) > 0 {
				t.Errorf("$TMPDIR: drawing created %v", got)
			}
			got := contents(t, base)
			if !tt.cached {
				if len(got) > 0 {
					t.Errorf("untrusted cache directory was written: %v", got)
				}
				if os.Geteuid() == 0 && len(contents(t, rootCache)) == 0 {
					t.Errorf("root did not fall back to its own cache directory")
				}
				return
			}
			var code bool
			for _, p := range got {
				fi, err := os.Stat(filepath.Join(base, p))
				if err != nil {
					t.Fatal(err)
				}
				if fi.IsDir() && fi.Mode().Perm() != 0o700 {
					t.Errorf("%s: mode %04o, want 0700", p, fi.Mode().Perm())
				}
				code = code || strings.HasPrefix(p, filepath.Join("netviz", "wazero", "wazero-")) && fi.Mode().IsRegular() && fi.Size() > 1<<20
			}
			if !code {
				t.Errorf("no compiled code in the trusted cache: %v", got)
			}
		})
	}
}

// TestGraphvizCacheDir: which directory netviz hands go-graphviz, and what
// it creates on the way.
func TestGraphvizCacheDir(t *testing.T) {
	root := os.Geteuid() == 0
	tests := []struct {
		name     string
		prepare  func(t *testing.T, home string) // home: 0700, ours
		base     string                          // the user cache dir, relative to home; "" = none
		fallback bool                            // offer a root fallback
		want     string                          // relative to home, "fallback" or "" (none)
		untouch  string                          // relative to home: must stay empty
		absent   string                          // relative to home: must not be created
		needRoot bool
	}{
		{name: "missing cache dir is created", base: ".cache", want: ".cache/netviz/wazero"},
		{name: "existing cache dir", prepare: mkdir(".cache", 0o700), base: ".cache", want: ".cache/netviz/wazero"},
		{name: "existing wazero dir", prepare: mkdir(".cache/netviz/wazero", 0o700), base: ".cache", want: ".cache/netviz/wazero"},
		{name: "cache dir 0777", prepare: mkdir(".cache", 0o777), base: ".cache", untouch: ".cache"},
		{name: "netviz dir 0777", prepare: mkdir(".cache/netviz", 0o777), base: ".cache", untouch: ".cache/netviz"},
		{name: "wazero dir 0777", prepare: mkdir(".cache/netviz/wazero", 0o777), base: ".cache", untouch: ".cache/netviz/wazero"},
		{name: "wazero dir a symlink to our own dir", prepare: symlink(".cache/netviz/wazero", "elsewhere"), base: ".cache", untouch: "elsewhere"},
		{name: "home 0777, no cache dir yet", prepare: chmodHome(0o777), base: ".cache", absent: ".cache"},
		{name: "no cache dir known", base: ""},
		{name: "untrusted, root falls back", prepare: mkdir(".cache", 0o777), base: ".cache", fallback: true, want: "fallback", untouch: ".cache"},
		{name: "sudo: cache dir of another user", prepare: chown(".cache", 65534), base: ".cache", fallback: true, want: "fallback", untouch: ".cache", needRoot: true},
		{name: "sudo: home of another user", prepare: chown(".", 65534), base: ".cache", fallback: true, want: "fallback", absent: ".cache", needRoot: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needRoot && !root {
				t.Skip("needs root to give a directory to another user")
			}
			home := filepath.Join(t.TempDir(), "home")
			if err := os.Mkdir(home, 0o700); err != nil {
				t.Fatal(err)
			}
			if tt.prepare != nil {
				tt.prepare(t, home)
			}
			userCacheDir := func() (string, error) {
				if tt.base == "" {
					return "", errors.New("neither $XDG_CACHE_HOME nor $HOME are defined")
				}
				return filepath.Join(home, tt.base), nil
			}
			fallback := ""
			if tt.fallback {
				fallback = filepath.Join(t.TempDir(), "var", "cache", "netviz", "wazero")
				if err := os.MkdirAll(filepath.Dir(filepath.Dir(fallback)), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			want := ""
			switch tt.want {
			case "":
			case "fallback":
				want = fallback
			default:
				want = filepath.Join(home, tt.want)
			}

			got, err := graphvizCacheDir(userCacheDir, fallback)
			if got != want {
				t.Fatalf("graphvizCacheDir = %q (%v), want %q", got, err, want)
			}
			if want == "" {
				t.Logf("no cache: %v", err)
				if err == nil {
					t.Error("no cache directory and no reason why")
				}
			} else if fi, err := os.Lstat(want); err != nil || !fi.IsDir() || fi.Mode().Perm()&0o077 != 0 {
				t.Errorf("%s: want a directory only we can use, have %v (%v)", want, fi.Mode(), err)
			}
			if tt.untouch != "" {
				if names := contents(t, filepath.Join(home, tt.untouch)); len(names) > 0 {
					t.Errorf("created %v in the untrusted %s", names, tt.untouch)
				}
			}
			if tt.absent != "" {
				if _, err := os.Lstat(filepath.Join(home, tt.absent)); err == nil {
					t.Errorf("created %s in an untrusted directory", tt.absent)
				}
			}
		})
	}
}

func mkdir(rel string, perm os.FileMode) func(t *testing.T, home string) {
	return func(t *testing.T, home string) {
		p := filepath.Join(home, rel)
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, perm); err != nil {
			t.Fatal(err)
		}
	}
}

func symlink(rel, target string) func(t *testing.T, home string) {
	return func(t *testing.T, home string) {
		p := filepath.Join(home, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(filepath.Join(home, target), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(home, target), p); err != nil {
			t.Fatal(err)
		}
	}
}

func chmodHome(perm os.FileMode) func(t *testing.T, home string) {
	return func(t *testing.T, home string) {
		if err := os.Chmod(home, perm); err != nil {
			t.Fatal(err)
		}
	}
}

func chown(rel string, uid int) func(t *testing.T, home string) {
	return func(t *testing.T, home string) {
		p := filepath.Join(home, rel)
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, uid, uid); err != nil {
			t.Fatal(err)
		}
	}
}
