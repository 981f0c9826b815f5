package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress prints "label done/total" on one terminal line for runs that take
// over a second, and nothing at all when stderr is not a terminal.
type progress struct {
	w     io.Writer
	label string
	start time.Time
	on    bool
	mu    sync.Mutex
	shown bool
}

func newProgress(w io.Writer, label string) *progress {
	return &progress{w: w, label: label, start: time.Now(), on: isTerminal(w)}
}

func (p *progress) update(done, total int) {
	if !p.on || time.Since(p.start) < time.Second {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.shown = true
	fmt.Fprintf(p.w, "\r\x1b[K%s %d/%d", p.label, done, total)
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
