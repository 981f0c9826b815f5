//go:build unix

package graph

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netviz/netviz/internal/input"
)

// TestReadFileBounded: a model file is a regular file of at most
// MaxFileSize; anything else is refused at once, without reading or waiting.
func TestReadFileBounded(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "model.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.json")
	f, _ := os.Create(big)
	f.Truncate(MaxFileSize + 1) // sparse: no disk used
	f.Close()
	tests := []struct{ path, want string }{
		{"/dev/zero", "/dev/zero is a character device, not a model file"},
		{fifo, "is a named pipe, not a model file"},
		{dir, "is a directory, not a model file"},
		{big, "larger than 64 MiB, the most netviz reads of a model"},
	}
	for _, tt := range tests {
		start := time.Now()
		_, err := ReadFile(tt.path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.path, err, tt.want)
		}
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Errorf("%s: took %v", tt.path, d)
		}
	}
	var tl *input.TooLargeError
	if _, err := ReadFile(big); !errors.As(err, &tl) {
		t.Errorf("err = %v, want a *input.TooLargeError", err)
	}
}

// TestSubsetErrorIsClean: a --network name with terminal escapes is echoed
// escaped and cut short.
func TestSubsetErrorIsClean(t *testing.T) {
	m := New(SourceSim, "h")
	m.Networks = append(m.Networks, &Network{ID: NewNetworkID("evil\x1b]0;x\x07"), Name: "evil\x1b]0;x\x07", Driver: "bridge"})
	_, err := Subset(m, []string{"\x1b[2J" + strings.Repeat("A", 10000)})
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\x1b\x07") || len(msg) > 300 || !strings.Contains(msg, `"\x1b[2JAAA`) || !strings.Contains(msg, "(10004 bytes)") {
		t.Errorf("message %q", msg)
	}
}
