// Package trust decides whether netviz, possibly running as root, may rely
// on a file or directory: load compiled code from it, read configuration
// that points it at sockets or programs. A path is trusted when nobody but
// the effective user (or root) could have put or replaced what is there.
//
// The rule is the one OpenSSH applies to ~/.ssh and sudo to sudoers: the
// directory itself belongs to the effective user and has no group or other
// write bit, and every ancestor up to / belongs to root or the effective
// user and is not writable by group or others — except sticky directories
// such as /tmp, where others cannot rename or remove what they do not own.
package trust

import (
	"fmt"
	"os"
	"path/filepath"
)

// Error says why a path is not trusted.
type Error struct {
	Path    string // the path asked about
	Culprit string // the path that failed the rule (Path or an ancestor)
	Reason  string
}

func (e *Error) Error() string {
	if e.Culprit == e.Path {
		return fmt.Sprintf("%s is not trusted: %s", e.Path, e.Reason)
	}
	return fmt.Sprintf("%s is not trusted: %s %s", e.Path, e.Culprit, e.Reason)
}

// Dir checks that dir exists, is a real directory (not a symlink), belongs
// to the effective user with no group or other write bit, and that every
// ancestor is safe (see the package comment).
func Dir(dir string) error { return check(dir, true) }

// File checks that path is a regular file (not a symlink) belonging to the
// effective user or root with no group or other write bit, in a directory
// whose ancestors are all safe. A user's own config file passes; one that
// another user could have written does not.
func File(path string) error { return check(path, false) }

func check(path string, wantDir bool) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	uid := uint32(os.Geteuid())
	fi, err := os.Lstat(abs)
	if err != nil {
		return err
	}
	fail := func(culprit, reason string) error { return &Error{Path: path, Culprit: culprit, Reason: reason} }
	switch {
	case fi.Mode()&os.ModeSymlink != 0:
		return fail(path, "is a symbolic link")
	case wantDir && !fi.IsDir():
		return fail(path, "is not a directory")
	case !wantDir && !fi.Mode().IsRegular():
		return fail(path, "is not a regular file")
	}
	owner, ok := ownerOf(fi)
	if !ok {
		return nil // no ownership on this platform
	}
	switch {
	case wantDir && owner != uid:
		return fail(path, fmt.Sprintf("belongs to uid %d, not to uid %d", owner, uid))
	case !wantDir && owner != uid && owner != 0:
		return fail(path, fmt.Sprintf("belongs to uid %d", owner))
	case fi.Mode().Perm()&0o022 != 0:
		return fail(path, fmt.Sprintf("is writable by group or others (mode %04o)", fi.Mode().Perm()))
	}
	// Both the directories as written (whoever can write one could swap a
	// symlink in it) and where they really are must be safe.
	parent := filepath.Dir(abs)
	real, err := filepath.EvalSymlinks(parent)
	if err != nil {
		return err
	}
	if err := ancestors(path, parent, uid); err != nil {
		return err
	}
	return ancestors(path, real, uid)
}

// ancestors checks dir and every directory above it.
func ancestors(path, dir string, uid uint32) error {
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		owner, ok := ownerOf(fi)
		if !ok {
			return nil
		}
		if owner != 0 && owner != uid {
			return &Error{Path: path, Culprit: d, Reason: fmt.Sprintf("belongs to uid %d", owner)}
		}
		if fi.Mode().Perm()&0o022 != 0 && fi.Mode()&os.ModeSticky == 0 {
			return &Error{Path: path, Culprit: d, Reason: fmt.Sprintf("is writable by group or others (mode %04o)", fi.Mode().Perm())}
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}
