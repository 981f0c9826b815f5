//go:build unix

package fifo

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Open opens the FIFO at path for reading (os.O_RDONLY) or writing
// (os.O_WRONLY), waiting for the other end to be opened until ctx is done.
// The file it returns is non-blocking under Go's poller, so deadlines (and
// Watch) work on it. A path that is not a FIFO once opened is an error.
func Open(ctx context.Context, path string, flag int) (*os.File, error) {
	if flag != os.O_RDONLY && flag != os.O_WRONLY {
		return nil, fmt.Errorf("fifo: open %s: flag must be O_RDONLY or O_WRONLY", path)
	}
	type result struct {
		fd  int
		err error
	}
	opened := make(chan result, 1)
	go func() {
		// Blocks until the other end is opened.
		fd, err := syscall.Open(path, flag|syscall.O_CLOEXEC|syscall.O_NOCTTY, 0)
		opened <- result{fd, err}
	}()
	select {
	case r := <-opened:
		if r.err != nil {
			return nil, &os.PathError{Op: "open", Path: path, Err: r.err}
		}
		return finish(r.fd, path)
	case <-ctx.Done():
	}
	// Given up: release the goroutine by being the other end for a moment.
	// A non-blocking open of the write end fails (ENXIO) until the reader is
	// really waiting, so it is retried; the read end opens at once.
	partner := syscall.O_WRONLY
	if flag == os.O_WRONLY {
		partner = syscall.O_RDONLY
	}
	pfd := -1
	defer func() {
		if pfd >= 0 {
			syscall.Close(pfd)
		}
	}()
	giveUp := time.After(time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if pfd < 0 {
			if fd, err := syscall.Open(path, partner|syscall.O_NONBLOCK|syscall.O_CLOEXEC|syscall.O_NOCTTY, 0); err == nil {
				pfd = fd
			}
		}
		select {
		case r := <-opened:
			if r.err == nil {
				syscall.Close(r.fd)
			}
			return nil, ctx.Err()
		case <-giveUp: // the path changed under us: leave the goroutine blocked
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}

// finish checks that fd is a FIFO and makes it pollable.
func finish(fd int, path string) (*os.File, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		syscall.Close(fd)
		return nil, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFIFO {
		syscall.Close(fd)
		return nil, fmt.Errorf("%s: not a named pipe any more", path)
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}
