// Package output writes netviz's result files (-o, --pcap, --steps) safely,
// also as root on a shared machine:
//
//   - A regular file (or a new one) is written whole or not at all: into a
//     temporary file in the same directory, flushed and fsynced, renamed over
//     the target, and the directory fsynced. On an error or a cancelled
//     context nothing is left behind and an existing file is untouched.
//   - An existing file keeps its permission bits, narrowed to the perm the
//     caller asks for (a pcap written over a 0644 file becomes 0600), and,
//     when netviz runs as root, its owner. A new file gets perm exactly.
//   - A character device (/dev/null, a terminal) or a named pipe is written
//     in place: opened for writing without O_CREAT or O_TRUNC, never
//     replaced. Waiting for a pipe's reader ends when the context is done.
//   - A symbolic link is followed, never replaced: the rename happens in the
//     directory of the file the link leads to, under that file's name. A
//     link to nothing (dangling) is refused rather than creating its target,
//     and so is a link in a sticky world-writable directory such as /tmp
//     that belongs neither to this user nor to the directory's owner (the
//     rule of the kernel's fs.protected_symlinks, applied whatever that
//     sysctl says).
//   - /dev/stdout, /dev/stderr and /dev/fd/N (links to /proc/self/fd/N) are
//     written to that descriptor, whatever the shell opened it on.
//   - A directory, a socket or a block device is an error.
//
// Check applies the same rules before any slow work, so a bad path fails in
// milliseconds instead of after a discovery or a layout.
package output

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/netviz/netviz/internal/input"
	"github.com/netviz/netviz/internal/textsafe"
)

// Error says why path cannot be written.
type Error struct {
	Path   string
	Reason string
	Err    error // the underlying error, if any
}

func (e *Error) Error() string {
	msg := "cannot write " + textsafe.CleanN(e.Path, 256) + ": " + e.Reason
	if err := e.Err; err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) { // the path is named already
			err = pe.Err
		}
		msg += ": " + textsafe.CleanN(err.Error(), 512)
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// kind is what a path leads to.
type kind int

const (
	kindNew    kind = iota // nothing yet: a new regular file
	kindFile               // an existing regular file: replaced whole
	kindDevice             // a character device: written in place
	kindFIFO               // a named pipe: written in place
	kindFD                 // one of netviz's own open descriptors (/dev/stdout): written to it
)

// target is where a path really leads.
type target struct {
	real string // the path with every symbolic link resolved
	kind kind
	fi   fs.FileInfo // the existing file (nil for kindNew)
	fd   int         // for kindFD
}

// Check fails when path could not be written by Write: its directory is
// missing or not writable, it is a directory, a socket or a block device, a
// dangling or untrusted symbolic link, or (for a device or pipe) not
// writable. "-" (stdout) passes.
func Check(path string) error {
	if path == "-" {
		return nil
	}
	t, err := resolve(path)
	if err != nil {
		return err
	}
	switch t.kind {
	case kindNew, kindFile:
		dir := filepath.Dir(t.real)
		if err := writable(dir); err != nil {
			return &Error{Path: path, Reason: "its directory " + textsafe.CleanN(dir, 256) + " is not writable", Err: err}
		}
	case kindFD:
	default:
		if err := writable(t.real); err != nil {
			return &Error{Path: path, Reason: "not writable", Err: err}
		}
	}
	return nil
}

// Write writes what write produces to path under the rules of the package
// comment. perm is the mode of a new file and the widest an existing one
// keeps. ctx ends a wait for a pipe's reader and a blocked write to it, and
// a cancelled ctx before the final rename leaves an existing file as it was.
// An error from write is returned as it is.
func Write(ctx context.Context, path string, perm os.FileMode, write func(io.Writer) error) error {
	t, err := resolve(path)
	if err != nil {
		return err
	}
	switch t.kind {
	case kindDevice, kindFIFO, kindFD:
		return writeInPlace(ctx, path, t, write)
	}
	return writeAtomic(ctx, path, t, perm, write)
}

func writeAtomic(ctx context.Context, path string, t target, perm os.FileMode, write func(io.Writer) error) (err error) {
	fail := func(reason string, e error) error { return &Error{Path: path, Reason: reason, Err: e} }
	dir, base := filepath.Split(t.real)
	// Everything below happens relative to this directory handle, so the
	// temporary file and the rename stay in the directory resolve() found
	// even if a path component is swapped meanwhile.
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fail("open its directory", err)
	}
	defer root.Close()
	if fi, err := root.Lstat(base); err == nil {
		if !fi.Mode().IsRegular() || t.kind == kindNew {
			return fail("it changed while netviz was writing it (now "+input.KindOf(fi.Mode())+")", nil)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fail("stat", err)
	}
	mode := perm.Perm()
	if t.kind == kindFile {
		mode = t.fi.Mode().Perm() & perm.Perm()
	}
	tmp, f, err := createTemp(root, base)
	if err != nil {
		return fail("create a temporary file", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			root.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 64<<10)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fail("write", err)
	}
	if err := f.Chmod(mode); err != nil {
		return fail("chmod", err)
	}
	if t.kind == kindFile {
		if err := keepOwner(f, t.fi); err != nil {
			return fail("keep the owner of the file it replaces", err)
		}
	}
	if err := f.Sync(); err != nil {
		return fail("fsync", err)
	}
	if err := f.Close(); err != nil {
		return fail("close", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := root.Rename(tmp, base); err != nil {
		return fail("rename", err)
	}
	// The rename is durable once the directory is on disk too.
	if err := syncDir(root); err != nil {
		return fail("fsync its directory", err)
	}
	return nil
}

// createTemp creates a new, empty, private file beside base in root.
func createTemp(root *os.Root, base string) (string, *os.File, error) {
	// Keep the name within NAME_MAX even for a long base name.
	if len(base) > 64 {
		base = base[:64]
	}
	for range 100 {
		var b [8]byte
		rand.Read(b[:])
		name := "." + base + ".tmp-" + hex.EncodeToString(b[:])
		f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return name, f, err
	}
	return "", nil, fs.ErrExist
}

func writeInPlace(ctx context.Context, path string, t target, write func(io.Writer) error) error {
	fail := func(reason string, e error) error { return &Error{Path: path, Reason: reason, Err: e} }
	var f *os.File
	var err error
	switch t.kind {
	case kindFIFO:
		f, err = openFIFO(ctx, t.real)
	case kindFD:
		f, err = dupFD(t.fd, path)
	default:
		f, err = openDevice(t.real)
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fail("open", err)
	}
	defer f.Close()
	stop := watch(ctx, f)
	defer stop()
	bw := bufio.NewWriterSize(f, 64<<10)
	werr := write(bw)
	if werr == nil {
		werr = bw.Flush()
		if werr != nil {
			werr = fail("write", werr)
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if werr != nil {
		return werr
	}
	if err := f.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
		return fail("close", err)
	}
	return nil
}

// maxLinks is how many symbolic links resolve follows, as the kernel's
// MAXSYMLINKS.
const maxLinks = 40

// resolve follows path to what it leads to, one component at a time, so
// every symbolic link on the way is checked against the sticky-directory
// rule, and classifies the end.
func resolve(path string) (target, error) {
	fail := func(reason string, e error) (target, error) {
		return target{}, &Error{Path: path, Reason: reason, Err: e}
	}
	if path == "" {
		return fail("empty path", nil)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fail("resolve", err)
	}
	vol := filepath.VolumeName(abs)
	done := vol + string(filepath.Separator)
	rest := splitPath(abs[len(vol):])
	links := 0
	finalLink := false // the last component came from a link's target
	for len(rest) > 0 {
		comp := rest[0]
		rest = rest[1:]
		switch comp {
		case ".":
			continue
		case "..":
			done = filepath.Dir(done)
			continue
		}
		next := filepath.Join(done, comp)
		if fd, ok := ownFD(next); ok && len(rest) == 0 {
			// /dev/stdout, /dev/fd/N: the descriptor itself, whatever it
			// is open on (a pipe, a terminal, a file the shell opened).
			return target{real: next, kind: kindFD, fd: fd}, nil
		}
		fi, err := os.Lstat(next)
		if errors.Is(err, fs.ErrNotExist) {
			if finalLink {
				dest := filepath.Join(append([]string{next}, rest...)...)
				return fail("it is a symbolic link to "+textsafe.CleanN(dest, 256)+", which does not exist (netviz does not create files through a dangling link)", nil)
			}
			if len(rest) > 0 {
				return fail("directory "+textsafe.CleanN(next, 256)+" does not exist", nil)
			}
			return target{real: next, kind: kindNew}, nil
		}
		if err != nil {
			return fail("stat", err)
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			links++
			if links > maxLinks {
				return fail("too many levels of symbolic links", nil)
			}
			if err := followable(done, next, fi); err != nil {
				return fail(err.Error(), nil)
			}
			dest, err := os.Readlink(next)
			if err != nil {
				return fail("read link", err)
			}
			if len(rest) == 0 {
				finalLink = true
			}
			if filepath.IsAbs(dest) {
				done = vol + string(filepath.Separator)
			}
			rest = append(splitPath(dest), rest...)
			continue
		}
		if len(rest) > 0 && !fi.IsDir() {
			return fail(textsafe.CleanN(next, 256)+" is not a directory", nil)
		}
		done = next
		if len(rest) == 0 {
			return classify(path, abs, next, fi)
		}
	}
	// The path ends at a directory (/, or a trailing ..).
	return fail("it is a directory", nil)
}

func splitPath(p string) []string {
	var out []string
	for _, c := range strings.Split(p, string(filepath.Separator)) {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// classify sorts what path (abs, made absolute) leads to: real, described
// by fi.
func classify(path, abs, real string, fi fs.FileInfo) (target, error) {
	m := fi.Mode()
	switch {
	case m.IsRegular():
		return target{real: real, kind: kindFile, fi: fi}, nil
	case m&fs.ModeCharDevice != 0:
		return target{real: real, kind: kindDevice, fi: fi}, nil
	case m&fs.ModeNamedPipe != 0:
		return target{real: real, kind: kindFIFO, fi: fi}, nil
	}
	reason := "it is " + input.KindOf(m)
	if real != abs {
		reason = "it leads to " + textsafe.CleanN(real, 256) + ", " + input.KindOf(m)
	}
	if m&fs.ModeDevice != 0 {
		reason += " (netviz writes only to files, character devices and pipes)"
	}
	return target{}, &Error{Path: path, Reason: reason}
}
