//go:build unix

package fifo

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestOpen(t *testing.T) {
	for _, flag := range []int{os.O_RDONLY, os.O_WRONLY} {
		p := filepath.Join(t.TempDir(), "pipe")
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Fatal(err)
		}
		// Nobody at the other end: the context ends the wait, and the
		// goroutine blocked in open(2) is released.
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		start := time.Now()
		if _, err := Open(ctx, p, flag); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("flag %d: err = %v", flag, err)
		}
		cancel()
		if d := time.Since(start); d > time.Second {
			t.Errorf("flag %d: took %v", flag, d)
		}
	}
	p := filepath.Join(t.TempDir(), "pipe")
	syscall.Mkfifo(p, 0o600)
	go func() {
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err == nil {
			io.WriteString(f, "hello")
			f.Close()
		}
	}()
	f, err := Open(context.Background(), p, os.O_RDONLY)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if string(b) != "hello" || err != nil {
		t.Errorf("read %q, %v", b, err)
	}
	if _, err := Open(context.Background(), p, os.O_RDWR); err == nil {
		t.Error("O_RDWR accepted")
	}
	reg := filepath.Join(t.TempDir(), "file")
	os.WriteFile(reg, nil, 0o600)
	if _, err := Open(context.Background(), reg, os.O_RDONLY); err == nil {
		t.Error("a regular file accepted as a FIFO")
	}
}

func TestWatch(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pipe")
	syscall.Mkfifo(p, 0o600)
	w := make(chan *os.File, 1)
	go func() { f, _ := os.OpenFile(p, os.O_WRONLY, 0); w <- f }() // opens, stays silent
	f, err := Open(context.Background(), p, os.O_RDONLY)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	defer func() {
		if wf := <-w; wf != nil {
			wf.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	stop := Watch(ctx, f)
	defer stop()
	start := time.Now()
	if _, err := f.Read(make([]byte, 10)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
}
