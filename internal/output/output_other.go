//go:build !unix

package output

import (
	"context"
	"errors"
	"io/fs"
	"os"
)

func followable(dir, link string, fi fs.FileInfo) error { return nil }

func keepOwner(f *os.File, old fs.FileInfo) error { return nil }

func writable(path string) error { return nil }

func openDevice(path string) (*os.File, error) { return os.OpenFile(path, os.O_WRONLY, 0) }

func ownFD(path string) (int, bool) { return 0, false }

func dupFD(fd int, path string) (*os.File, error) { return nil, errors.New("unsupported") }

func openFIFO(ctx context.Context, path string) (*os.File, error) {
	return nil, errors.New("named pipes are not supported on this platform")
}

func watch(ctx context.Context, f *os.File) func() { return func() {} }

func syncDir(root *os.Root) error { return nil }
