// Package fifo opens named pipes (FIFOs, process substitution's /dev/fd/N)
// without hanging: opening one end of a FIFO blocks until someone opens the
// other, and reading or writing it blocks while the other side is idle.
// Open gives up when its context is done, and Watch makes a blocked read or
// write return when it is.
package fifo

import (
	"context"
	"errors"
	"os"
	"time"
)

// ErrUnsupported is returned where the platform has no FIFOs.
var ErrUnsupported = errors.New("named pipes are not supported on this platform")

// Watch makes reads and writes on f fail with os.ErrDeadlineExceeded once
// ctx is done (f must be pollable, as Open's files are). Call the returned
// function when done with f.
func Watch(ctx context.Context, f *os.File) (stop func()) {
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			f.SetDeadline(time.Unix(1, 0))
		case <-done:
		}
	}()
	return func() { close(done) }
}
