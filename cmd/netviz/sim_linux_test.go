package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netviz/netviz/internal/dockertest"
	"github.com/netviz/netviz/internal/scenario"
)

// TestSimBoundedInput: a scenario that is a device, bigger than the cap, or
// a pipe nobody writes to ends with exit 2 (or 130 on Ctrl-C) in one line
// naming the file, quickly, and writes nothing.
func TestSimBoundedInput(t *testing.T) {
	dir := t.TempDir()
	noEngine := map[string]string{"DOCKER_HOST": "unix://" + filepath.Join(dir, "none.sock")}
	big := filepath.Join(dir, "big.sh")
	f, _ := os.Create(big)
	f.Truncate(scenario.MaxFileSize + 1) // sparse
	f.Close()
	out := filepath.Join(dir, "out.svg")
	for _, tt := range []struct{ name, path, want string }{
		{"a character device", "/dev/zero", "netviz: /dev/zero is a character device, not a scenario file: give a regular file or a pipe"},
		{"over 16 MiB", big, "big.sh: larger than 16 MiB, the most netviz reads of a scenario"},
		{"a directory", dir, "is a directory, not a scenario file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			code, _, stderr := runCLI(t, noEngine, "sim", tt.path, "-o", out)
			if code != exitUsage || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q, want %q", code, stderr, tt.want)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Error("an output file was written")
			}
		})
	}

	t.Run("a pipe is read until its writer closes it", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "alias.sh")
		syscall.Mkfifo(p, 0o600)
		go func() {
			if w, err := os.OpenFile(p, os.O_WRONLY, 0); err == nil {
				io.WriteString(w, aliasScript)
				w.Close()
			}
		}()
		code, stdout, stderr := runCLI(t, noEngine, "sim", p)
		if code != exitOK || !strings.Contains(stdout, "alicek106 on mybridge") {
			t.Errorf("exit %d: %s%s", code, stdout, stderr)
		}
	})
	t.Run("a pipe with no writer: --timeout", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "stuck.sh")
		syscall.Mkfifo(p, 0o600)
		start := time.Now()
		code, _, stderr := runCLI(t, noEngine, "sim", p, "--timeout", "200ms", "-o", out)
		if code != exitUsage || !strings.Contains(stderr, "stuck.sh: gave up after 200ms (--timeout)") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
		if d := time.Since(start); d > 1200*time.Millisecond {
			t.Errorf("took %v for a 200ms timeout", d)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Error("an output file was written")
		}
	})
	for _, writer := range []bool{false, true} {
		name := map[bool]string{false: "a pipe with no writer: Ctrl-C", true: "a silent writer: Ctrl-C"}[writer]
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "stuck.sh")
			syscall.Mkfifo(p, 0o600)
			if writer {
				opened := make(chan *os.File, 1)
				go func() { w, _ := os.OpenFile(p, os.O_WRONLY, 0); opened <- w }()
				defer func() {
					if w := <-opened; w != nil {
						w.Close()
					}
				}()
			}
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel) // what SIGINT/SIGTERM do in main
			t.Setenv("DOCKER_HOST", noEngine["DOCKER_HOST"])
			var stdout, stderr bytes.Buffer
			start := time.Now()
			code := run(ctx, []string{"sim", p, "-o", out}, &stdout, &stderr)
			if d := time.Since(start) - 200*time.Millisecond; d > time.Second {
				t.Errorf("stopped %v after Ctrl-C", d)
			}
			if code != exitInterrupted {
				t.Errorf("exit %d (%s), want %d", code, stderr.String(), exitInterrupted)
			}
		})
	}
}

// TestSimOutputToDevNull: as root, `sim -o /dev/null` writes into the
// device and leaves it a character device (it used to become a regular
// file owned by root).
func TestSimOutputToDevNull(t *testing.T) {
	if os.Geteuid() != 0 {
		if dockertest.Enabled() {
			t.Fatal("NETVIZ_E2E=1: this test must run as root")
		}
		t.Skip("the damage happened as root only (NETVIZ_E2E=1 as root runs it)")
	}
	t.Cleanup(func() { // never leave the machine without /dev/null
		if fi, err := os.Lstat("/dev/null"); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
			os.Remove("/dev/null")
			syscall.Mknod("/dev/null", syscall.S_IFCHR|0o666, 1<<8|3)
			os.Chmod("/dev/null", 0o666)
			t.Error("/dev/null had been replaced; restored")
		}
	})
	dir := t.TempDir()
	noEngine := map[string]string{"DOCKER_HOST": "unix://" + filepath.Join(dir, "none.sock")}
	script := filepath.Join("..", "..", "internal", "scenario", "testdata", "seed-alias.sh")
	for _, args := range [][]string{
		{"sim", script, "-o", "/dev/null", "--format", "json"},
		{"sim", script, "-o", "/dev/null", "--format", "svg"},
	} {
		code, _, stderr := runCLI(t, noEngine, args...)
		if code != exitOK {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
		fi, err := os.Lstat("/dev/null")
		if err != nil || fi.Mode()&fs.ModeCharDevice == 0 || fi.Mode().Perm() != 0o666 {
			t.Fatalf("%v: /dev/null is now %v (%v)", args, fi.Mode(), err)
		}
		if st := fi.Sys().(*syscall.Stat_t); st.Rdev != 1<<8|3 {
			t.Fatalf("/dev/null is device %x", st.Rdev)
		}
	}
	if entries, _ := os.ReadDir("/dev"); slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return strings.HasPrefix(e.Name(), ".null.tmp-") }) {
		t.Error("a temporary file was left in /dev")
	}
}

// TestSimStepsInterrupted: Ctrl-C while a long slideshow is being planned
// or written ends netviz within a second, exit 130, with no frame left and
// the directory it made gone.
func TestSimStepsInterrupted(t *testing.T) {
	bin := buildNetviz(t)
	dir := t.TempDir()
	var b strings.Builder
	for n := 1; n <= 5; n++ {
		fmt.Fprintf(&b, "docker network create net%d\n", n)
	}
	for i := 1; i <= 250; i++ {
		fmt.Fprintf(&b, "docker run -d --name c%d --net net%d busybox\n", i, i%5+1)
	}
	script := filepath.Join(dir, "s250.sh")
	if err := os.WriteFile(script, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, after := range []time.Duration{200 * time.Millisecond, 700 * time.Millisecond, 1200 * time.Millisecond} {
		t.Run(after.String(), func(t *testing.T) {
			frames := filepath.Join(dir, "frames-"+after.String())
			cmd := exec.Command(bin, "sim", script, "--engine-version", "29", "--steps", frames)
			cmd.Env = append(os.Environ(), "DOCKER_HOST=unix://"+filepath.Join(dir, "none.sock"))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(after)
			cmd.Process.Signal(syscall.SIGINT)
			sent := time.Now()
			cmd.Wait()
			took := time.Since(sent)
			code := cmd.ProcessState.ExitCode()
			if code == exitOK {
				t.Skipf("the slideshow was done before Ctrl-C (%s)", after)
			}
			if code != exitInterrupted || took > time.Second {
				t.Errorf("exit %d %s after Ctrl-C, want %d within a second; stderr: %s", code, took.Round(time.Millisecond), exitInterrupted, stderr.String())
			}
			if _, err := os.Stat(frames); !os.IsNotExist(err) {
				names, _ := os.ReadDir(frames)
				t.Errorf("%s left behind with %d entries", frames, len(names))
			}
		})
	}
}
