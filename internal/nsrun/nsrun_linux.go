package nsrun

import (
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// Open opens the network namespace file at path (/proc/PID/ns/net, a Docker
// sandbox key, /run/netns/NAME) and checks that it is one.
func Open(path string) (*NS, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open netns: %w", err)
	}
	var fs unix.Statfs_t
	if err := unix.Fstatfs(int(f.Fd()), &fs); err != nil {
		f.Close()
		return nil, fmt.Errorf("statfs netns %s: %w", path, err)
	}
	// /proc/PID/ns/* are nsfs files; older kernels report procfs.
	if fs.Type != unix.NSFS_MAGIC && fs.Type != unix.PROC_SUPER_MAGIC {
		f.Close()
		return nil, fmt.Errorf("%s is not a namespace file", path)
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		f.Close()
		return nil, fmt.Errorf("stat netns %s: %w", path, err)
	}
	return &NS{f: f, Path: path, Inode: st.Ino}, nil
}

// Self opens the namespace the calling process runs in.
func Self() (*NS, error) { return Open("/proc/self/ns/net") }

// Do runs fn with the calling goroutine's work moved to a fresh OS thread
// inside n, then moves that thread back. If it cannot move back, the thread
// stays locked so the runtime discards it with the goroutine instead of
// reusing a thread in the wrong namespace.
func (n *NS) Do(fn func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
		if err != nil {
			runtime.UnlockOSThread()
			done <- fmt.Errorf("open current netns: %w", err)
			return
		}
		defer orig.Close()
		if err := unix.Setns(n.Fd(), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			done <- fmt.Errorf("enter %s: %w", n, err)
			return
		}
		fnErr := fn()
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			// Keep the thread locked: it dies with this goroutine.
			done <- fmt.Errorf("return from %s: %w", n, err)
			return
		}
		runtime.UnlockOSThread()
		done <- fnErr
	}()
	return <-done
}
