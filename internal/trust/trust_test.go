package trust

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestDirAndFile(t *testing.T) {
	base := t.TempDir() // 0700, ours, under a sticky or private tmp
	mk := func(name string, perm os.FileMode) string {
		p := filepath.Join(base, name)
		if err := os.Mkdir(p, perm); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, perm) // past the umask
		return p
	}
	good := mk("good", 0o700)
	groupW := mk("groupw", 0o770)
	worldW := mk("worldw", 0o777)
	sticky := mk("sticky", 0o777|os.ModeSticky)
	inSticky := filepath.Join(sticky, "mine")
	os.Mkdir(inSticky, 0o700)
	inWorld := filepath.Join(worldW, "mine")
	os.Mkdir(inWorld, 0o700)
	link := filepath.Join(base, "link")
	os.Symlink(good, link)
	file := filepath.Join(good, "config.json")
	os.WriteFile(file, []byte("{}"), 0o600)
	wfile := filepath.Join(good, "open.json")
	os.WriteFile(wfile, []byte("{}"), 0o666)
	os.Chmod(wfile, 0o666)

	tests := []struct {
		name    string
		check   func(string) error
		path    string
		trusted bool
	}{
		{"own private dir", Dir, good, true},
		{"group-writable dir", Dir, groupW, false},
		{"world-writable dir", Dir, worldW, false},
		{"own dir inside a sticky dir", Dir, inSticky, true},
		{"own dir inside a world-writable dir", Dir, inWorld, false},
		{"symlink to a dir", Dir, link, false},
		{"a file is not a dir", Dir, file, false},
		{"missing dir", Dir, filepath.Join(base, "nope"), false},
		{"own private file", File, file, true},
		{"world-writable file", File, wfile, false},
		{"file through a symlinked dir", File, filepath.Join(link, "config.json"), true},
		{"a dir is not a file", File, good, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check(tt.path)
			if (err == nil) != tt.trusted {
				t.Fatalf("check(%s) = %v, want trusted=%v", tt.path, err, tt.trusted)
			}
			var te *Error
			if err != nil && !errors.Is(err, os.ErrNotExist) && !errors.As(err, &te) {
				t.Errorf("error %v is neither *Error nor not-exist", err)
			}
		})
	}
}

func TestForeignOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a directory owned by another user")
	}
	dir := filepath.Join(t.TempDir(), "go-graphviz")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil { // nobody
		t.Fatal(err)
	}
	err := Dir(dir)
	var te *Error
	if !errors.As(err, &te) || te.Culprit != dir {
		t.Fatalf("Dir(dir owned by nobody) = %v, want an *Error naming it", err)
	}
	sub := filepath.Join(dir, "cache")
	os.Mkdir(sub, 0o700)
	if err := Dir(sub); !errors.As(err, &te) || te.Culprit != dir {
		t.Fatalf("Dir(own dir under nobody's) = %v, want an *Error naming the parent", err)
	}
}
