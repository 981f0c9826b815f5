package probe

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Progress prints "label done/total" on one terminal line for runs that take
// over a second (MeasureOptions.Progress takes its Update), and nothing at
// all when it is off — when the writer is not a terminal.
type Progress struct {
	w     io.Writer
	label string
	start time.Time
	on    bool
	mu    sync.Mutex
	shown bool
}

// NewProgress starts a progress line on w; on is whether w is a terminal.
func NewProgress(w io.Writer, label string, on bool) *Progress {
	return &Progress{w: w, label: label, start: time.Now(), on: on}
}

// Update shows that done of total are done.
func (p *Progress) Update(done, total int) {
	if !p.on || time.Since(p.start) < time.Second {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.shown = true
	fmt.Fprintf(p.w, "\r\x1b[K%s %d/%d", p.label, done, total)
}

// Done clears the line, if one was shown.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
