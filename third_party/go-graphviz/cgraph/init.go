package cgraph

import (
	"github.com/goccy/go-graphviz/internal/wasm"
)

// netviz: the descriptors are made in the WebAssembly module by wasm.Start,
// on first use, instead of in init() (see NETVIZ-PATCH.md).
var (
	Directed         = toDesc(wasm.DirectedDescriptor)
	StrictDirected   = toDesc(wasm.StrictDirectedDescriptor)
	UnDirected       = toDesc(wasm.UnDirectedDescriptor)
	StrictUnDirected = toDesc(wasm.StrictUnDirectedDescriptor)
)
