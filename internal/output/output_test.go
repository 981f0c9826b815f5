package output

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "net.svg")
	if err := WriteFile(path, 0o644, func(w io.Writer) error {
		_, err := io.WriteString(w, "<svg/>")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "<svg/>" {
		t.Fatalf("content = %q, %v", got, err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, want 0644", fi.Mode().Perm())
	}
	assertOnly(t, dir, "net.svg")
}

func TestWriteFileFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "net.svg")
	boom := errors.New("layout failed")
	err := WriteFile(path, 0o644, func(w io.Writer) error {
		io.WriteString(w, "<svg")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	assertOnly(t, dir)
}

func TestWriteFileKeepsOldFileOnFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "net.json")
	os.WriteFile(path, []byte("old"), 0o644)
	_ = WriteFile(path, 0o644, func(w io.Writer) error { return errors.New("no") })
	got, _ := os.ReadFile(path)
	if string(got) != "old" {
		t.Fatalf("old file changed to %q", got)
	}
	assertOnly(t, dir, "net.json")
}

func TestWriteFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
	}{
		{"missing directory", filepath.Join(dir, "nope", "x.svg")},
		{"path is a directory", dir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteFile(tt.path, 0o644, func(w io.Writer) error { return nil })
			if err == nil {
				t.Fatal("want an error")
			}
		})
	}
	if err := CheckDir(filepath.Join(dir, "nope", "x.svg")); err == nil {
		t.Error("CheckDir: want an error for a missing directory")
	}
	if err := CheckDir(filepath.Join(dir, "x.svg")); err != nil {
		t.Errorf("CheckDir: %v", err)
	}
}

func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if len(got) != len(names) {
		t.Fatalf("directory holds %v, want %v", got, names)
	}
	for i := range names {
		if got[i] != names[i] {
			t.Fatalf("directory holds %v, want %v", got, names)
		}
	}
}
