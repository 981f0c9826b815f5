package graphviz

// netviz: the Graphviz WebAssembly module starts on first use (New,
// NewWithPlugins, ParseBytes, ParseFile, ...) instead of in init(), and keeps
// compiled code on disk only where it is told to. See NETVIZ-PATCH.md.

import "github.com/goccy/go-graphviz/internal/wasm"

// SetCompilationCacheDir makes the WebAssembly runtime keep the native code
// compiled from graphviz.wasm in dir, and load it from there in later
// processes, which saves the compile (about half a second) on every run.
// Whoever can write to dir decides what code this process runs, so the
// caller must make sure only the effective user can. The default, "", keeps
// compiled code in memory only. Call it before the first New or Parse*; it
// has no effect once the runtime is built.
func SetCompilationCacheDir(dir string) { wasm.SetCompilationCacheDir(dir) }

// Started reports whether this process has started the WebAssembly runtime.
func Started() bool { return wasm.Started() }
