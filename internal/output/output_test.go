//go:build unix

package output

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// TestWrite covers every kind of destination with real files, links, pipes
// and devices: what Check says, what Write does, and what is left on disk.
func TestWrite(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix file types")
	}
	tests := []struct {
		name string
		// setup prepares dir and returns the path to write.
		setup func(t *testing.T, dir string) string
		perm  os.FileMode
		// wantErr is a substring of the error of both Check and Write; ""
		// means both succeed.
		wantErr string
		// check inspects dir afterwards.
		check func(t *testing.T, dir string)
	}{
		{"new file", func(t *testing.T, dir string) string { return filepath.Join(dir, "net.svg") }, 0o644, "", func(t *testing.T, dir string) {
			assertFile(t, filepath.Join(dir, "net.svg"), "new", 0o644)
			assertOnly(t, dir, "net.svg")
		}},
		{"new private file", func(t *testing.T, dir string) string { return filepath.Join(dir, "probe.pcap") }, 0o600, "", func(t *testing.T, dir string) {
			assertFile(t, filepath.Join(dir, "probe.pcap"), "new", 0o600)
		}},
		{"existing file keeps its narrower mode", func(t *testing.T, dir string) string {
			return mkfile(t, filepath.Join(dir, "net.svg"), "old", 0o600)
		}, 0o644, "", func(t *testing.T, dir string) {
			assertFile(t, filepath.Join(dir, "net.svg"), "new", 0o600)
			assertOnly(t, dir, "net.svg")
		}},
		{"existing file is narrowed to perm", func(t *testing.T, dir string) string {
			return mkfile(t, filepath.Join(dir, "probe.pcap"), "old", 0o644)
		}, 0o600, "", func(t *testing.T, dir string) {
			assertFile(t, filepath.Join(dir, "probe.pcap"), "new", 0o600)
		}},
		{"absolute symlink is followed, not replaced", func(t *testing.T, dir string) string {
			real := mkfile(t, filepath.Join(dir, "real", "net.svg"), "old", 0o644)
			link := filepath.Join(dir, "link.svg")
			must(t, os.Symlink(real, link))
			return link
		}, 0o644, "", func(t *testing.T, dir string) {
			assertLink(t, filepath.Join(dir, "link.svg"), filepath.Join(dir, "real", "net.svg"))
			assertFile(t, filepath.Join(dir, "real", "net.svg"), "new", 0o644)
			assertOnly(t, filepath.Join(dir, "real"), "net.svg")
			assertOnly(t, dir, "link.svg", "real")
		}},
		{"relative symlink into another directory", func(t *testing.T, dir string) string {
			mkfile(t, filepath.Join(dir, "b", "target.json"), "old", 0o644)
			must(t, os.MkdirAll(filepath.Join(dir, "a"), 0o755))
			link := filepath.Join(dir, "a", "out.json")
			must(t, os.Symlink("../b/target.json", link))
			return link
		}, 0o644, "", func(t *testing.T, dir string) {
			assertLink(t, filepath.Join(dir, "a", "out.json"), "../b/target.json")
			assertFile(t, filepath.Join(dir, "b", "target.json"), "new", 0o644)
			assertOnly(t, filepath.Join(dir, "a"), "out.json")
			assertOnly(t, filepath.Join(dir, "b"), "target.json")
		}},
		{"chain of links", func(t *testing.T, dir string) string {
			mkfile(t, filepath.Join(dir, "c.svg"), "old", 0o644)
			must(t, os.Symlink("c.svg", filepath.Join(dir, "b.svg")))
			must(t, os.Symlink(filepath.Join(dir, "b.svg"), filepath.Join(dir, "a.svg")))
			return filepath.Join(dir, "a.svg")
		}, 0o644, "", func(t *testing.T, dir string) {
			assertLink(t, filepath.Join(dir, "a.svg"), filepath.Join(dir, "b.svg"))
			assertLink(t, filepath.Join(dir, "b.svg"), "c.svg")
			assertFile(t, filepath.Join(dir, "c.svg"), "new", 0o644)
		}},
		{"new file under a symlinked directory", func(t *testing.T, dir string) string {
			must(t, os.MkdirAll(filepath.Join(dir, "real"), 0o755))
			must(t, os.Symlink("real", filepath.Join(dir, "d")))
			return filepath.Join(dir, "d", "net.svg")
		}, 0o644, "", func(t *testing.T, dir string) {
			assertFile(t, filepath.Join(dir, "real", "net.svg"), "new", 0o644)
		}},
		{"dangling symlink is refused", func(t *testing.T, dir string) string {
			link := filepath.Join(dir, "link.svg")
			must(t, os.Symlink(filepath.Join(dir, "nothing.svg"), link))
			return link
		}, 0o644, "dangling link", func(t *testing.T, dir string) {
			assertOnly(t, dir, "link.svg")
		}},
		{"symlink loop", func(t *testing.T, dir string) string {
			must(t, os.Symlink("b", filepath.Join(dir, "a")))
			must(t, os.Symlink("a", filepath.Join(dir, "b")))
			return filepath.Join(dir, "a")
		}, 0o644, "too many levels of symbolic links", nil},
		{"directory", func(t *testing.T, dir string) string { return dir }, 0o644, "is a directory", func(t *testing.T, dir string) {
			assertOnly(t, dir)
		}},
		{"symlink to a directory", func(t *testing.T, dir string) string {
			must(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
			must(t, os.Symlink("sub", filepath.Join(dir, "l")))
			return filepath.Join(dir, "l")
		}, 0o644, "a directory", nil},
		{"missing directory", func(t *testing.T, dir string) string { return filepath.Join(dir, "nope", "x.svg") }, 0o644, "does not exist", func(t *testing.T, dir string) {
			assertOnly(t, dir)
		}},
		{"a file used as a directory", func(t *testing.T, dir string) string {
			mkfile(t, filepath.Join(dir, "f"), "x", 0o644)
			return filepath.Join(dir, "f", "x.svg")
		}, 0o644, "is not a directory", nil},
		{"socket", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "s.sock")
			l, err := net.Listen("unix", p)
			must(t, err)
			t.Cleanup(func() { l.Close() })
			return p
		}, 0o644, "a socket", func(t *testing.T, dir string) {
			fi, err := os.Lstat(filepath.Join(dir, "s.sock"))
			if err != nil || fi.Mode()&fs.ModeSocket == 0 {
				t.Errorf("the socket was replaced: %v %v", fi, err)
			}
		}},
		{"/dev/null is written in place", func(t *testing.T, dir string) string {
			guardDevNull(t)
			return "/dev/null"
		}, 0o644, "", func(t *testing.T, dir string) {
			assertCharDevice(t, "/dev/null")
			assertOnly(t, dir)
		}},
		{"symlink to /dev/null", func(t *testing.T, dir string) string {
			guardDevNull(t)
			link := filepath.Join(dir, "null.svg")
			must(t, os.Symlink("/dev/null", link))
			return link
		}, 0o644, "", func(t *testing.T, dir string) {
			assertCharDevice(t, "/dev/null")
			assertLink(t, filepath.Join(dir, "null.svg"), "/dev/null")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.setup(t, dir)
			cerr := Check(path)
			werr := Write(context.Background(), path, tt.perm, writeString("new"))
			for what, err := range map[string]error{"Check": cerr, "Write": werr} {
				switch {
				case tt.wantErr == "" && err != nil:
					t.Errorf("%s: %v", what, err)
				case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
					t.Errorf("%s: err = %v, want %q", what, err, tt.wantErr)
				}
			}
			if tt.check != nil {
				tt.check(t, dir)
			}
		})
	}
}

func TestWriteFailureLeavesNothing(t *testing.T) {
	boom := errors.New("layout failed")
	fails := func(w io.Writer) error {
		io.WriteString(w, strings.Repeat("<svg", 100000)) // past the buffer: bytes reach the temp file
		return boom
	}
	t.Run("new file", func(t *testing.T) {
		dir := t.TempDir()
		if err := Write(context.Background(), filepath.Join(dir, "net.svg"), 0o644, fails); !errors.Is(err, boom) {
			t.Fatalf("err = %v, want %v", err, boom)
		}
		assertOnly(t, dir)
	})
	t.Run("existing file", func(t *testing.T) {
		dir := t.TempDir()
		path := mkfile(t, filepath.Join(dir, "net.json"), "old", 0o644)
		Write(context.Background(), path, 0o644, fails)
		assertFile(t, path, "old", 0o644)
		assertOnly(t, dir, "net.json")
	})
	t.Run("cancelled before the rename", func(t *testing.T) {
		dir := t.TempDir()
		path := mkfile(t, filepath.Join(dir, "net.json"), "old", 0o644)
		ctx, cancel := context.WithCancel(context.Background())
		err := Write(ctx, path, 0o644, func(w io.Writer) error {
			io.WriteString(w, "half")
			cancel() // Ctrl-C while rendering; the renderer did not notice
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		assertFile(t, path, "old", 0o644)
		assertOnly(t, dir, "net.json")
	})
}

func TestWriteFIFO(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("named pipes")
	}
	t.Run("a reader gets everything and the FIFO stays", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "pipe")
		must(t, syscall.Mkfifo(p, 0o600))
		want := strings.Repeat("0123456789", 50000) // past the pipe's buffer
		got := make(chan string, 1)
		go func() {
			f, err := os.Open(p)
			if err != nil {
				got <- err.Error()
				return
			}
			defer f.Close()
			b, _ := io.ReadAll(f)
			got <- string(b)
		}()
		if err := Write(context.Background(), p, 0o644, writeString(want)); err != nil {
			t.Fatal(err)
		}
		if g := <-got; g != want {
			t.Errorf("reader got %d bytes, want %d", len(g), len(want))
		}
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
			t.Errorf("the FIFO was replaced: %v %v", fi, err)
		}
		assertOnly(t, dir, "pipe")
	})
	t.Run("no reader: Ctrl-C ends the wait", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "pipe")
		must(t, syscall.Mkfifo(p, 0o600))
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := Write(ctx, p, 0o644, writeString("x"))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want the context's", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("took %v after the context ended", d)
		}
	})
	t.Run("a reader that stops reading: Ctrl-C ends the write", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "pipe")
		must(t, syscall.Mkfifo(p, 0o600))
		opened := make(chan *os.File, 1)
		go func() {
			f, _ := os.Open(p) // opens, never reads
			opened <- f
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := Write(ctx, p, 0o644, writeString(strings.Repeat("x", 1<<20)))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want the context's", err)
		}
		if d := time.Since(start); d > 1200*time.Millisecond {
			t.Errorf("took %v", d)
		}
		if f := <-opened; f != nil {
			f.Close()
		}
	})
}

// TestStickyDirectoryLinks: in a sticky world-writable directory (as /tmp)
// a link planted by another user is not followed, as root either.
func TestStickyDirectoryLinks(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to plant a link owned by another user")
	}
	base := t.TempDir()
	tmp := filepath.Join(base, "tmp")
	must(t, os.Mkdir(tmp, 0o777))
	must(t, os.Chmod(tmp, 0o777|fs.ModeSticky))
	victim := mkfile(t, filepath.Join(base, "victim"), "precious", 0o644)
	link := filepath.Join(tmp, "net.svg")
	must(t, os.Symlink(victim, link))
	must(t, os.Lchown(link, 65534, 65534))
	for name, err := range map[string]error{"Check": Check(link), "Write": Write(context.Background(), link, 0o644, writeString("pwned"))} {
		if err == nil || !strings.Contains(err.Error(), "belongs to uid 65534") {
			t.Errorf("%s: err = %v, want a refusal", name, err)
		}
	}
	assertFile(t, victim, "precious", 0o644)
	// The same link owned by root (the user running netviz) is followed.
	must(t, os.Lchown(link, 0, 0))
	if err := Write(context.Background(), link, 0o644, writeString("mine")); err != nil {
		t.Fatal(err)
	}
	assertFile(t, victim, "mine", 0o644)
}

// TestKeepsOwner: root replacing a user's file leaves it that user's.
func TestKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file away")
	}
	dir := t.TempDir()
	path := mkfile(t, filepath.Join(dir, "net.svg"), "old", 0o644)
	must(t, os.Chown(path, 65534, 65534))
	if err := Write(context.Background(), path, 0o644, writeString("new")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	must(t, err)
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 65534 || st.Gid != 65534 {
		t.Errorf("owner %d:%d, want 65534:65534", st.Uid, st.Gid)
	}
}

func TestCheckUnwritableDirectory(t *testing.T) {
	if os.Geteuid() == 0 || runtime.GOOS == "windows" {
		t.Skip("root may write anywhere")
	}
	dir := t.TempDir()
	must(t, os.Chmod(dir, 0o555))
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if err := Check(filepath.Join(dir, "x.svg")); err == nil || !strings.Contains(err.Error(), "not writable") {
		t.Errorf("err = %v", err)
	}
}

func TestErrorIsClean(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "nope\x1b[2J", "x.svg")
	err := Check(name)
	if err == nil || strings.ContainsRune(err.Error(), 0x1b) {
		t.Errorf("err = %q", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mkfile(t *testing.T, path, content string, mode os.FileMode) string {
	t.Helper()
	must(t, os.MkdirAll(filepath.Dir(path), 0o755))
	must(t, os.WriteFile(path, []byte(content), mode))
	must(t, os.Chmod(path, mode))
	return path
}

func assertFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.Mode().IsRegular() {
		t.Fatalf("%s is %v, want a regular file", path, fi.Mode())
	}
	if fi.Mode().Perm() != mode {
		t.Errorf("%s: mode %04o, want %04o", path, fi.Mode().Perm(), mode)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, []byte(content)) {
		t.Errorf("%s holds %q, want %q", path, got, content)
	}
}

func assertLink(t *testing.T, path, dest string) {
	t.Helper()
	got, err := os.Readlink(path)
	if err != nil || got != dest {
		t.Errorf("%s: link to %q (%v), want a link to %q", path, got, err, dest)
	}
}

func assertCharDevice(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Errorf("%s is no longer a character device: %v %v", path, fi, err)
	}
}

// guardDevNull puts /dev/null back if a broken Write replaced it, so a
// failing test does not break the machine it runs on.
func guardDevNull(t *testing.T) {
	t.Cleanup(func() {
		if fi, err := os.Lstat("/dev/null"); err == nil && fi.Mode()&fs.ModeCharDevice != 0 {
			return
		}
		t.Error("/dev/null was replaced; restoring it")
		os.Remove("/dev/null")
		if err := syscall.Mknod("/dev/null", syscall.S_IFCHR|0o666, 1<<8|3); err == nil {
			os.Chmod("/dev/null", 0o666)
		}
	})
}

func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("%s holds %v, want %v", dir, got, names)
	}
}

// TestWriteOwnDescriptor: -o /dev/stdout (a link to /proc/self/fd/1) and
// /dev/fd/N write to the descriptor, a pipe or a file the shell opened, and
// leave the links in /dev alone.
func TestWriteOwnDescriptor(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd")
	}
	r, w, err := os.Pipe()
	must(t, err)
	defer r.Close()
	got := make(chan string, 1)
	go func() { b, _ := io.ReadAll(r); got <- string(b) }()
	for _, p := range []string{"/dev/fd/" + strconv.Itoa(int(w.Fd())), "/proc/self/fd/" + strconv.Itoa(int(w.Fd()))} {
		must(t, Check(p))
		if err := Write(context.Background(), p, 0o644, writeString("frame;")); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	w.Close()
	if g := <-got; g != "frame;frame;" {
		t.Errorf("pipe got %q", g)
	}
	if fi, err := os.Lstat("/dev/fd"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("/dev/fd is now %v (%v)", fi, err)
	}
	// A file the shell opened (netviz -o /dev/stdout > out.svg).
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "out.svg"))
	must(t, err)
	must(t, Write(context.Background(), "/dev/fd/"+strconv.Itoa(int(f.Fd())), 0o644, writeString("<svg/>")))
	f.Close()
	assertFile(t, filepath.Join(dir, "out.svg"), "<svg/>", 0o644&^fs.FileMode(syscallUmask()))
}

func syscallUmask() int {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return m
}
