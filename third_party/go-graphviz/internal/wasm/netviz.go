package wasm

// netviz: the lazy start of the Graphviz WebAssembly module, which upstream
// did in init(). See NETVIZ-PATCH.md at the module root.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/tetratelabs/wazero"
)

var (
	startMu  sync.Mutex
	rt       wazero.Runtime        // guarded by startMu
	compiled wazero.CompiledModule // guarded by startMu
	cacheDir string                // guarded by startMu
	enumErr  error                 // guarded by startMu
	started  atomic.Bool           // set when the runtime is first built
)

// Graph descriptors behind cgraph.Directed, StrictDirected, UnDirected and
// StrictUnDirected: allocated here and filled in by Start, so the pointers
// cgraph and graphviz copy at package initialisation are the ones set up.
var (
	DirectedDescriptor         = &GraphDescriptor{}
	StrictDirectedDescriptor   = &GraphDescriptor{}
	UnDirectedDescriptor       = &GraphDescriptor{}
	StrictUnDirectedDescriptor = &GraphDescriptor{}
)

// SetCompilationCacheDir makes the runtime keep the compiled native code of
// graphviz.wasm in dir and load it from there on later runs. The caller
// vouches for dir: whoever can write to it decides what code this process
// runs. "" (the default) compiles in memory only. It takes effect when the
// runtime is built, at the first Start.
func SetCompilationCacheDir(dir string) {
	startMu.Lock()
	defer startMu.Unlock()
	cacheDir = dir
}

// Started reports whether this process has begun building the WebAssembly
// runtime.
func Started() bool { return started.Load() }

// Start builds the runtime, compiles graphviz.wasm and instantiates it, the
// first time it is called; every constructor calls it. A failure is
// returned (upstream's init() panicked) and the next call tries again.
func Start(ctx context.Context) error {
	startMu.Lock()
	defer startMu.Unlock()
	if mod.mod != nil {
		return nil
	}
	if rt == nil {
		started.Store(true)
		r, c, err := buildRuntime(ctx)
		if err != nil {
			return fmt.Errorf("graphviz: start the WebAssembly runtime: %w", err)
		}
		rt, compiled = r, c
	}
	m, err := rt.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().
		WithFSConfig(wazero.NewFSConfig().WithFSMount(mod.fs, "/")).
		WithName("wasi"))
	if err != nil {
		return fmt.Errorf("graphviz: instantiate graphviz.wasm: %w", err)
	}
	mod.mod = m
	if err := setup(ctx); err != nil {
		mod.mod = nil
		m.Close(context.Background())
		return fmt.Errorf("graphviz: set up graphviz.wasm: %w", err)
	}
	return nil
}

// buildRuntime uses the cache directory if one was set, and compiles in
// memory when that fails: a cache that cannot be read or written (full
// disk, changed permissions) must not stop the drawing.
func buildRuntime(ctx context.Context) (wazero.Runtime, wazero.CompiledModule, error) {
	if cacheDir != "" {
		cache, err := wazero.NewCompilationCacheWithDir(cacheDir)
		if err == nil {
			r, c, err := newRuntime(ctx, cache)
			if err == nil {
				return r, c, nil
			}
			cache.Close(context.Background())
		}
	}
	return newRuntime(ctx, nil)
}

// setup reads the enum values and makes the graph descriptors in the new
// instance (upstream: the end of init() in this package and cgraph's init()).
func setup(ctx context.Context) error {
	preset := enumValues()
	enumErr = nil
	bindEnums(ctx)
	if enumErr != nil {
		return enumErr
	}
	if err := enumsMatch(preset, enumValues()); err != nil {
		return err
	}
	// Set MAX to prevent outputting internally generated errors or warnings with agerr to the stderr.
	if _, err := SetError(ctx, MAX); err != nil {
		return err
	}
	for _, d := range []struct {
		desc             *GraphDescriptor
		directed, strict uint32
	}{
		{DirectedDescriptor, 1, 0},
		{StrictDirectedDescriptor, 1, 1},
		{UnDirectedDescriptor, 0, 0},
		{StrictUnDirectedDescriptor, 0, 1},
	} {
		n, err := NewGraphDescriptor(ctx)
		if err != nil {
			return err
		}
		if n == nil {
			return errors.New("cannot allocate a graph descriptor")
		}
		*d.desc = *n
		if err := errors.Join(d.desc.SetDirected(d.directed), d.desc.SetStrict(d.strict), d.desc.SetMaingraph(1)); err != nil {
			return err
		}
	}
	return nil
}

// enumsMatch checks the values read from the module against those preset in
// netviz_enums.go, which other packages copied at initialisation.
func enumsMatch(preset, read []enumValue) error {
	for i, e := range read {
		if e != preset[i] {
			return fmt.Errorf("graphviz.wasm gives %s the value %d, netviz_enums.go %d: regenerate netviz_enums.go", e.name, e.value, preset[i].value)
		}
	}
	return nil
}

func noteEnumError(value string, err error) {
	if enumErr == nil {
		enumErr = fmt.Errorf("read %s: %w", value, err)
	}
}
