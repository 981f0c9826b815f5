//go:build unix

package input

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "seed.sh")
	os.WriteFile(small, []byte("docker network create n\n"), 0o644)
	big := filepath.Join(dir, "big.sh")
	os.WriteFile(big, make([]byte, 101), 0o644)
	tests := []struct {
		name, path string
		want       string // content, or an error substring after "!"
	}{
		{"regular file", small, "docker network create n\n"},
		{"over the cap", big, "!big.sh: larger than 100 bytes, the most netviz reads of a scenario"},
		{"character device", "/dev/zero", "!/dev/zero is a character device, not a scenario file: give a regular file or a pipe"},
		{"directory", dir, "!is a directory, not a scenario file"},
		{"missing", filepath.Join(dir, "nope.sh"), "!no such file"},
		{"/dev/null is empty", "/dev/null", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadFile(context.Background(), tt.path, "scenario", 100)
			if strings.HasPrefix(tt.want, "!") {
				if err == nil || !strings.Contains(err.Error(), tt.want[1:]) {
					t.Errorf("err = %v, want %q", err, tt.want[1:])
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Errorf("got %q, %v", got, err)
			}
		})
	}
	var tl *TooLargeError
	if _, err := ReadFile(context.Background(), big, "scenario", 100); !errors.As(err, &tl) || tl.Limit != 100 {
		t.Errorf("err = %v, want a *TooLargeError", err)
	}
	if _, err := ReadRegular(small, "model", 1<<20); err != nil {
		t.Errorf("ReadRegular: %v", err)
	}
}

func mkfifo(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadFIFO(t *testing.T) {
	t.Run("a writer's whole output", func(t *testing.T) {
		p := mkfifo(t)
		want := strings.Repeat("docker run -d img\n", 10000)
		go func() {
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err == nil {
				f.WriteString(want)
				f.Close()
			}
		}()
		got, err := ReadFile(context.Background(), p, "scenario", 16<<20)
		if err != nil || string(got) != want {
			t.Errorf("got %d bytes, %v", len(got), err)
		}
	})
	t.Run("an endless writer is cut at the cap", func(t *testing.T) {
		p := mkfifo(t)
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			defer f.Close()
			buf := make([]byte, 64<<10)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := f.Write(buf); err != nil {
					return
				}
			}
		}()
		var tl *TooLargeError
		if _, err := ReadFile(context.Background(), p, "scenario", 1<<20); !errors.As(err, &tl) {
			t.Errorf("err = %v, want a *TooLargeError", err)
		}
	})
	for _, tt := range []struct {
		name   string
		writer bool // a writer opens the pipe and then stays silent
	}{{"no writer: the context ends the wait", false}, {"a silent writer: the context ends the read", true}} {
		t.Run(tt.name, func(t *testing.T) {
			p := mkfifo(t)
			if tt.writer {
				w := make(chan *os.File, 1)
				go func() { f, _ := os.OpenFile(p, os.O_WRONLY, 0); w <- f }()
				defer func() {
					if f := <-w; f != nil {
						f.Close()
					}
				}()
			}
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := ReadFile(ctx, p, "scenario", 1<<20)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want the context's", err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	t.Run("ReadRegular refuses a pipe without waiting", func(t *testing.T) {
		p := mkfifo(t)
		start := time.Now()
		if _, err := ReadRegular(p, "model", 1<<20); err == nil || !strings.Contains(err.Error(), "is a named pipe, not a model file") {
			t.Errorf("err = %v", err)
		}
		if time.Since(start) > 100*time.Millisecond {
			t.Error("waited for a writer")
		}
	})
}

func TestMessagesAreClean(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "evil\x1b[2J"+strings.Repeat("x", 10000))
	os.Mkdir(name[:200], 0o755) // a directory with an ESC in its name
	_, err := ReadFile(context.Background(), name[:200], "scenario", 10)
	if err == nil || strings.ContainsRune(err.Error(), 0x1b) || !strings.Contains(err.Error(), `evil\x1b[2J`) {
		t.Errorf("err = %q", err)
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{16 << 20: "16 MiB", 1 << 20: "1 MiB", 64 << 10: "64 KiB", 300: "300 bytes"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
