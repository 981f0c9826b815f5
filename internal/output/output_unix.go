//go:build unix

package output

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/netviz/netviz/internal/fifo"
	"github.com/netviz/netviz/internal/textsafe"
)

// followable applies fs.protected_symlinks' rule to the link at link, in
// the (resolved) directory dir: in a sticky world-writable directory a link
// is followed only when it belongs to the effective user or to the
// directory's owner.
func followable(dir, link string, fi fs.FileInfo) error {
	dfi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if dfi.Mode()&fs.ModeSticky == 0 || dfi.Mode().Perm()&0o002 == 0 {
		return nil
	}
	lst, ok1 := fi.Sys().(*syscall.Stat_t)
	dst, ok2 := dfi.Sys().(*syscall.Stat_t)
	if !ok1 || !ok2 {
		return nil
	}
	if euid := uint32(os.Geteuid()); lst.Uid == euid || lst.Uid == dst.Uid {
		return nil
	}
	return fmt.Errorf("the symbolic link %s belongs to uid %d, and in a sticky world-writable directory such as %s netviz follows only links of its own user or of the directory's owner",
		textsafe.CleanN(link, 256), lst.Uid, textsafe.CleanN(dir, 256))
}

// keepOwner gives f the owner of the file it replaces, when netviz runs as
// root (an ordinary user cannot give a file away).
func keepOwner(f *os.File, old fs.FileInfo) error {
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok || os.Geteuid() != 0 {
		return nil
	}
	cur, err := f.Stat()
	if err != nil {
		return err
	}
	if c, ok := cur.Sys().(*syscall.Stat_t); ok && c.Uid == st.Uid && c.Gid == st.Gid {
		return nil
	}
	return f.Chown(int(st.Uid), int(st.Gid))
}

// writable asks the kernel whether the effective user may write path.
func writable(path string) error {
	return unix.Faccessat(unix.AT_FDCWD, path, unix.W_OK, unix.AT_EACCESS)
}

// openDevice opens a character device for writing in place. Opened
// non-blocking (a serial line must not wait for carrier), then blocking.
func openDevice(path string) (*os.File, error) {
	fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_NOCTTY|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFCHR {
		syscall.Close(fd)
		return nil, errors.New("it is no longer a character device")
	}
	if err := syscall.SetNonblock(fd, false); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), path), nil
}

// ownFDPath is /proc/PID[/task/TID]/fd/N, where /dev/stdout, /dev/fd/N and
// /proc/self/fd/N lead on Linux.
var ownFDPath = regexp.MustCompile(`^/proc/([0-9]+)(?:/task/[0-9]+)?/fd/([0-9]+)$`)

// ownFD reports whether path names one of this process's descriptors.
func ownFD(path string) (int, bool) {
	m := ownFDPath.FindStringSubmatch(path)
	if m == nil || m[1] != strconv.Itoa(os.Getpid()) {
		return 0, false
	}
	fd, err := strconv.Atoi(m[2])
	if err != nil {
		return 0, false
	}
	var st syscall.Stat_t
	if syscall.Fstat(fd, &st) != nil {
		return 0, false // not open: let the walk report it
	}
	return fd, true
}

// dupFD is a file writing to descriptor fd, closable without closing fd.
func dupFD(fd int, path string) (*os.File, error) {
	nfd, err := syscall.Dup(fd)
	if err != nil {
		return nil, err
	}
	syscall.CloseOnExec(nfd)
	return os.NewFile(uintptr(nfd), path), nil
}

func openFIFO(ctx context.Context, path string) (*os.File, error) {
	return fifo.Open(ctx, path, os.O_WRONLY)
}

func watch(ctx context.Context, f *os.File) func() { return fifo.Watch(ctx, f) }

// syncDir fsyncs the directory root is open on; file systems that cannot
// (EINVAL) are let be.
func syncDir(root *os.Root) error {
	d, err := root.Open(".")
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}
