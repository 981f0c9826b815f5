package probe

import (
	"bytes"
	"testing"
	"time"
)

// TestProgress: nothing off a terminal or in the first second; after it,
// one line rewritten in place and cleared at the end.
func TestProgress(t *testing.T) {
	var off bytes.Buffer
	p := NewProgress(&off, "probing namespaces", false)
	p.start = p.start.Add(-time.Minute)
	p.Update(1, 2)
	p.Done()
	var quick bytes.Buffer
	p = NewProgress(&quick, "probing namespaces", true)
	p.Update(1, 2)
	p.Done()
	if off.Len() != 0 || quick.Len() != 0 {
		t.Errorf("printed %q off a terminal, %q within a second", off.String(), quick.String())
	}
	var on bytes.Buffer
	p = NewProgress(&on, "probing namespaces", true)
	p.start = p.start.Add(-2 * time.Second)
	p.Update(1, 2)
	p.Update(2, 2)
	p.Done()
	if want := "\r\x1b[Kprobing namespaces 1/2\r\x1b[Kprobing namespaces 2/2\r\x1b[K"; on.String() != want {
		t.Errorf("got %q, want %q", on.String(), want)
	}
}
