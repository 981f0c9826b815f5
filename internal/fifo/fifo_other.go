//go:build !unix

package fifo

import (
	"context"
	"os"
)

// Open needs a Unix system.
func Open(ctx context.Context, path string, flag int) (*os.File, error) {
	return nil, &os.PathError{Op: "open", Path: path, Err: ErrUnsupported}
}
