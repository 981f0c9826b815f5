// Package nsrun runs a function inside another network namespace on a locked
// OS thread and comes back, the one place netviz switches namespaces.
//
// Sockets opened inside the function stay in that namespace after the thread
// returns, which is how discovery reads netlink and probes send pings in a
// container without `docker exec` or any tool inside the image.
package nsrun

import (
	"errors"
	"fmt"
	"os"
)

// ErrUnsupported is returned on platforms without network namespaces.
var ErrUnsupported = errors.New("network namespaces are only supported on Linux")

// NS is an open network namespace.
type NS struct {
	f *os.File
	// Path is where the namespace was opened.
	Path string
	// Inode identifies the namespace: two paths with one inode are one namespace.
	Inode uint64
}

// Fd returns the namespace's file descriptor, valid until Close.
func (n *NS) Fd() int { return int(n.f.Fd()) }

// Close releases the namespace file.
func (n *NS) Close() error { return n.f.Close() }

// String names the namespace for messages.
func (n *NS) String() string { return fmt.Sprintf("netns %s (inode %d)", n.Path, n.Inode) }
