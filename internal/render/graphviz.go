package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/goccy/go-graphviz"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/trust"
)

// Graphviz lays m out with Graphviz's dot engine (compiled to WebAssembly, no
// cgo) and writes SVG or PNG.
//
// The layout runs in a child process, netviz itself in worker mode (see
// workerEnv), so that a cancelled one can be killed: wazero cannot stop
// running WebAssembly code in-process except with checks compiled into every
// loop, which made layouts 2.4–2.9× slower, and abandoning the call did not
// return reliably within a second either (seen 2.2–2.5 s). When ctx is done
// Graphviz kills the worker and returns ctx's error at once, writing
// nothing; the next drawing starts a new worker.
//
// Only drawings start the WebAssembly runtime (netviz uses a patched
// go-graphviz, third_party/go-graphviz, that does nothing in init()), and
// only in the worker. Compiling graphviz.wasm to native code takes about a
// second; the result is cached in netviz/wazero under the user's cache
// directory ($XDG_CACHE_HOME or ~/.cache), or in /var/cache/netviz/wazero
// for root when that directory belongs to someone else (sudo keeps the
// caller's HOME). A cache directory is used only if trust.Dir accepts it —
// nobody but the effective user could have put code there; otherwise the
// worker compiles in memory, every time.
func Graphviz(ctx context.Context, w io.Writer, m *graph.Model, f Format) error {
	var dot bytes.Buffer
	if err := DOT(&dot, m); err != nil {
		return err
	}
	return layoutDOT(ctx, w, dot.Bytes(), f)
}

// workerEnv makes a netviz process a layout worker when set in its
// environment to svg or png: it reads DOT on stdin, writes the picture to
// stdout and exits (see runWorker). cacheEnv names the compilation cache
// directory the parent chose ("" for none); the worker checks it again.
const (
	workerEnv = "NETVIZ_LAYOUT_WORKER"
	cacheEnv  = "NETVIZ_LAYOUT_CACHE"
)

// A worker is netviz (or a test binary) started again, so it is told apart
// before anything else runs: in this package's initialisation, which every
// program that can draw goes through. Otherwise this does nothing.
func init() {
	if f := os.Getenv(workerEnv); f != "" {
		os.Exit(runWorker(f, os.Getenv(cacheEnv), os.Stdin, os.Stdout, os.Stderr))
	}
}

func layoutDOT(ctx context.Context, w io.Writer, dot []byte, f Format) error {
	if f != FormatSVG && f != FormatPNG {
		return fmt.Errorf("graphviz cannot write %q", f)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	exe, err := selfExecutable()
	if err != nil {
		return fmt.Errorf("graphviz %s: find netviz's own executable to run the layout: %w", f, err)
	}
	cmd := exec.CommandContext(ctx, exe)
	cmd.Args = []string{"netviz-layout-worker"} // what ps shows
	cmd.Env = append(workerEnviron(), workerEnv+"="+string(f), cacheEnv+"="+cacheDir())
	cmd.Stdin = bytes.NewReader(dot)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.WaitDelay = 500 * time.Millisecond // once killed, do not wait on its pipes
	err = cmd.Run()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("graphviz %s: %s", f, msg)
	}
	_, err = w.Write(out.Bytes())
	return err
}

// selfExecutable is the running program: /proc/self/exe names the very file
// this process runs, even if its path has been replaced since.
func selfExecutable() (string, error) {
	if _, err := os.Stat("/proc/self/exe"); err == nil {
		return "/proc/self/exe", nil
	}
	return os.Executable()
}

// workerEnviron is this process's environment without the worker variables.
func workerEnviron() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, workerEnv+"=") && !strings.HasPrefix(kv, cacheEnv+"=") {
			env = append(env, kv)
		}
	}
	return env
}

// runWorker lays out the DOT on in to the end and writes the picture in
// format f to out; errors go to errw as one line. It returns the exit code.
func runWorker(f, cache string, in io.Reader, out, errw io.Writer) (code int) {
	fail := func(err error) int {
		fmt.Fprintln(errw, strings.ReplaceAll(err.Error(), "\n", " "))
		return 1
	}
	defer func() {
		if p := recover(); p != nil {
			code = fail(fmt.Errorf("go-graphviz panicked: %v", p))
		}
	}()
	var gf graphviz.Format
	switch Format(f) {
	case FormatSVG:
		gf = graphviz.SVG
	case FormatPNG:
		gf = graphviz.PNG
	default:
		return fail(fmt.Errorf("layout worker: unknown format %q", f))
	}
	dot, err := io.ReadAll(in)
	if err != nil {
		return fail(err)
	}
	// The parent chose the directory; whoever set the variable, the code
	// in it is loaded only if the directory is still trusted.
	if cache != "" && trust.Dir(cache) == nil {
		graphviz.SetCompilationCacheDir(cache)
	}
	pic, err := layout(dot, gf)
	if err != nil {
		return fail(err)
	}
	if _, err := out.Write(pic); err != nil {
		return fail(err)
	}
	return 0
}

// layout runs Graphviz on dot into memory.
func layout(dot []byte, f graphviz.Format) ([]byte, error) {
	ctx := context.Background() // the parent kills the worker to stop it
	gv, err := graphviz.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	defer gv.Close()
	g, err := graphviz.ParseBytes(dot)
	if err != nil {
		return nil, fmt.Errorf("parse generated DOT: %w", err)
	}
	defer g.Close()
	var out bytes.Buffer
	if err := gv.Render(ctx, g, f, &out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

var (
	cacheOnce sync.Once
	cacheName string
)

// cacheDir is the compilation cache directory for this process's workers,
// chosen (and created) once; "" when none can be trusted.
func cacheDir() string {
	cacheOnce.Do(func() {
		fallback := ""
		if os.Geteuid() == 0 {
			fallback = rootCacheDir
		}
		cacheName, _ = graphvizCacheDir(os.UserCacheDir, fallback)
	})
	return cacheName
}

// rootCacheDir is where root keeps the cache when its own cache directory
// is not trusted (a variable for the tests).
var rootCacheDir = "/var/cache/netviz/wazero"

// graphvizCacheDir picks the compilation cache directory — netviz/wazero in
// the user's cache directory, else fallback if not "" — creating it 0700 if
// missing. It returns "" (compile in memory) with the reasons when neither
// passes trust.Dir.
func graphvizCacheDir(userCacheDir func() (string, error), fallback string) (string, error) {
	var errs []error
	base, err := userCacheDir()
	if err == nil {
		dir := filepath.Join(base, "netviz", "wazero")
		if err = trustedCacheDir(base, dir); err == nil {
			return dir, nil
		}
	}
	errs = append(errs, err)
	if fallback != "" {
		if err := trustedCacheDir(filepath.Dir(fallback), fallback); err == nil {
			return fallback, nil
		}
		errs = append(errs, err)
	}
	return "", errors.Join(errs...)
}

// trustedCacheDir makes sure dir, which is base or below it, exists and is
// trusted. Missing directories are created only below a trusted one, and
// base itself only if its parent is trusted: nothing is ever made in an
// untrusted directory or in another user's home.
func trustedCacheDir(base, dir string) error {
	err := trust.Dir(dir)
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	anchor := dir
	for {
		if _, err := os.Lstat(anchor); err == nil {
			break
		}
		if anchor == base || anchor == filepath.Dir(anchor) {
			anchor = filepath.Dir(anchor)
			break
		}
		anchor = filepath.Dir(anchor)
	}
	if err := trust.Dir(anchor); err != nil {
		return fmt.Errorf("cannot create %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return trust.Dir(dir)
}
