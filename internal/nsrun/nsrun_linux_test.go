package nsrun

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

func TestOpenRejects(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	os.WriteFile(plain, []byte("x"), 0o644)
	tests := []struct {
		name, path, want string
		is               error
	}{
		{"missing", filepath.Join(dir, "nope"), "open netns", fs.ErrNotExist},
		{"not a namespace", plain, "is not a namespace file", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.is)
			}
		})
	}
}

func TestSelf(t *testing.T) {
	ns, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/ns/net", &st); err != nil {
		t.Fatal(err)
	}
	if ns.Inode != st.Ino {
		t.Errorf("inode %d, want %d", ns.Inode, st.Ino)
	}
	// Entering the namespace one is already in works and changes nothing.
	if err := ns.Do(func() error { return nil }); err != nil {
		t.Fatal(err)
	}
}

// newNamespace makes a fresh, empty network namespace (root only) without
// leaving any thread in it, and removes it when the test ends.
func newNamespace(t *testing.T) *NS {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("NETVIZ_E2E") == "1" {
			t.Fatal("NETVIZ_E2E=1 but not root: cannot create a network namespace")
		}
		t.Skip("creating a network namespace needs root")
	}
	name := "nvzt-nsrun-" + strings.ReplaceAll(t.Name(), "/", "-")
	var created error
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			created = err
			return
		}
		defer orig.Close()
		h, err := netns.NewNamed(name) // moves this thread into it
		if err != nil {
			created = err
			return
		}
		h.Close()
		if err := netns.Set(orig); err != nil {
			created = err // thread stays locked and dies
			return
		}
		runtime.UnlockOSThread()
	}()
	<-done
	if created != nil {
		t.Fatalf("create namespace: %v", created)
	}
	t.Cleanup(func() { netns.DeleteNamed(name) })
	ns, err := Open(filepath.Join("/run/netns", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	return ns
}

func threadInode(t *testing.T) uint64 {
	var st unix.Stat_t
	if err := unix.Stat("/proc/thread-self/ns/net", &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

func TestDoEntersAndReturns(t *testing.T) {
	target := newNamespace(t)
	self, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	defer self.Close()

	var inside uint64
	var ifaces []string
	if err := target.Do(func() error {
		inside = threadInode(t)
		entries, err := os.ReadDir("/proc/thread-self/net/dev_snmp6")
		for _, e := range entries {
			ifaces = append(ifaces, e.Name())
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if inside != target.Inode {
		t.Errorf("fn ran in namespace %d, want %d", inside, target.Inode)
	}
	if len(ifaces) != 1 || ifaces[0] != "lo" {
		t.Errorf("a fresh namespace should hold only lo, saw %v", ifaces)
	}

	// No thread of the process may be left in the target: hammer Do from many
	// goroutines, then check every goroutine's thread is back home.
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			target.Do(func() error { return nil })
		}()
	}
	wg.Wait()
	for range 64 {
		if got := threadInode(t); got != self.Inode {
			t.Fatalf("a thread was left in namespace %d", got)
		}
		runtime.Gosched()
	}
}

func TestDoReturnsFnError(t *testing.T) {
	target := newNamespace(t)
	boom := errors.New("boom")
	if err := target.Do(func() error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
}
