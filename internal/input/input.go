// Package input reads the files netviz is handed — scenarios, saved models,
// a container's /etc/hosts — whole but bounded: at most a size cap, never a
// device (/dev/zero, a terminal) that would be read forever, and a named pipe
// only until the context is done. netviz may run as root on a shared
// machine; whatever a path leads to must not make it hang or eat memory.
package input

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/netviz/netviz/internal/fifo"
	"github.com/netviz/netviz/internal/textsafe"
)

// TooLargeError says a file is over its cap.
type TooLargeError struct {
	Path  string
	What  string // "scenario", "model", ...
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: larger than %s, the most netviz reads of a %s", safePath(e.Path), Size(e.Limit), e.What)
}

// KindError says a path is not something netviz reads (a device, a
// directory, a socket).
type KindError struct {
	Path string
	What string
	Kind string // "a character device", "a directory", ...
	Want string // "a regular file or a pipe"
}

func (e *KindError) Error() string {
	return fmt.Sprintf("%s is %s, not a %s file: give %s", safePath(e.Path), e.Kind, e.What, e.Want)
}

// ReadFile reads the regular file or named pipe at path whole: a pipe
// (mkfifo, `<(command)`, /dev/stdin from a pipe) until its writer closes it,
// the context is done, or limit bytes are exceeded. /dev/null reads as
// empty; other devices, directories and sockets are refused with a
// *KindError; more than limit bytes is a *TooLargeError. what names the
// file's role in messages ("scenario").
func ReadFile(ctx context.Context, path, what string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, pathError(path, err)
	}
	switch {
	case fi.Mode().IsRegular():
		return readRegular(ctx, path, what, limit)
	case fi.Mode()&fs.ModeNamedPipe != 0:
		f, err := fifo.Open(ctx, path, os.O_RDONLY)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, pathError(path, err)
		}
		defer f.Close()
		stop := fifo.Watch(ctx, f)
		defer stop()
		data, err := ReadAll(ctx, f, path, what, limit)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return data, err
	}
	if isDevNull(fi) {
		return []byte{}, nil // the empty input, as in `netviz sim /dev/null`
	}
	return nil, &KindError{Path: path, What: what, Kind: KindOf(fi.Mode()), Want: "a regular file or a pipe"}
}

// isDevNull reports whether fi is the null device. Any other device is
// refused unopened: opening one can have effects (a watchdog, a tape) and
// reading one may never end (/dev/zero, a terminal).
func isDevNull(fi fs.FileInfo) bool {
	if fi.Mode()&fs.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(fi, null)
}

// ReadRegular reads the regular file at path whole, refusing anything else
// (a pipe included) and more than limit bytes.
func ReadRegular(path, what string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, pathError(path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, &KindError{Path: path, What: what, Kind: KindOf(fi.Mode()), Want: "a regular file"}
	}
	return readRegular(context.Background(), path, what, limit)
}

func readRegular(ctx context.Context, path, what string, limit int64) ([]byte, error) {
	// Opened non-blocking: if the path was swapped for a FIFO since the
	// Stat, the open does not wait for a writer, and the check below
	// refuses it.
	f, err := openNonblock(path)
	if err != nil {
		return nil, pathError(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &KindError{Path: path, What: what, Kind: KindOf(fi.Mode()), Want: "a regular file"}
	}
	if fi.Size() > limit {
		return nil, &TooLargeError{Path: path, What: what, Limit: limit}
	}
	return ReadAll(ctx, f, path, what, limit)
}

// ReadAll reads r to its end, failing with a *TooLargeError past limit bytes
// (path and what name it in the message) and with ctx's error once ctx is
// done.
func ReadAll(ctx context.Context, r io.Reader, path, what string, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(ctxReader{ctx, r}, limit+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, fmt.Errorf("read %s: %w", safePath(path), err)
		}
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, What: what, Limit: limit}
	}
	return data, nil
}

// ctxReader stops reading once its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// KindOf names a file mode for messages: "a directory", "a character
// device", "a named pipe", ...
func KindOf(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "not a regular file"
}

// Size writes a byte count the way people say it: 16 MiB, 512 KiB, 300 bytes.
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// pathError words an *os.PathError as "read PATH: reason" with the path
// cleaned; errors.Is still sees the reason (fs.ErrNotExist, ...).
func pathError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("read %s: %w", safePath(path), err)
}

// safePath is a path as it may be printed: control characters escaped,
// cut if absurdly long.
func safePath(p string) string { return textsafe.CleanN(p, 256) }
