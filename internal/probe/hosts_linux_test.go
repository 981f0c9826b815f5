package probe

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netviz/netviz/internal/dockertest"
	"github.com/netviz/netviz/internal/graph"
)

// TestReadHostsHostile: a container controls its own /etc/hosts, and netviz
// reads it as root. Whatever the container puts there — a link out to a host
// file, a FIFO, a device, a huge file — netviz reads nothing outside the
// container's root, never hangs, and reads at most maxHostsSize bytes. The
// container is a real process chrooted into a directory (what
// /proc/PID/root shows for a container).
func TestReadHostsHostile(t *testing.T) {
	need := func(why string) {
		if dockertest.Enabled() {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	if os.Geteuid() != 0 {
		need("needs root to chroot a process")
	}
	var busybox string
	for _, p := range []string{"/bin/busybox", "/usr/bin/busybox"} {
		if _, err := os.Stat(p); err == nil {
			busybox = p
			break
		}
	}
	if busybox == "" {
		need("needs a static busybox (apt-get install busybox-static)")
	}
	base := t.TempDir()
	secret := filepath.Join(base, "shadow")
	os.WriteFile(secret, []byte("root:SECRET:19000::::::\n"), 0o600)
	root := filepath.Join(base, "root")
	for _, d := range []string{"bin", "etc", "dev"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	bin, err := os.ReadFile(busybox)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "bin", "busybox"), bin, 0o755)
	cmd := exec.Command("/bin/busybox", "sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	c := &graph.Container{Name: "hostile", Pid: cmd.Process.Pid}
	hosts := filepath.Join(root, "etc", "hosts")

	tests := []struct {
		name    string
		plant   func() error
		want    string // the content read, or an error substring after "!"
		notWant string
	}{
		{"a normal hosts file", func() error { return os.WriteFile(hosts, []byte("172.17.0.2\tdb mysql\n"), 0o644) }, "172.17.0.2\tdb mysql\n", ""},
		{"absolute link to a host file", func() error { return os.Symlink(secret, hosts) }, "!no such file", "SECRET"},
		{"relative link climbing out", func() error { return os.Symlink("../../../../../../"+secret, hosts) }, "!no such file", "SECRET"},
		{"a FIFO", func() error { return syscall.Mkfifo(hosts, 0o644) }, "!is a named pipe, not a regular file", ""},
		{"a link to its own /dev/zero", func() error {
			if err := syscall.Mknod(filepath.Join(root, "dev", "zero"), syscall.S_IFCHR|0o666, 1<<8|5); err != nil {
				return err
			}
			return os.Symlink("/dev/zero", hosts)
		}, "!is a character device, not a regular file", ""},
		{"a huge file", func() error {
			f, err := os.Create(hosts)
			if err != nil {
				return err
			}
			defer f.Close()
			return f.Truncate(maxHostsSize + 1)
		}, "!larger than 1 MiB", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(hosts)
			if err := tt.plant(); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			got, err := readHosts(c)
			if d := time.Since(start); d > 500*time.Millisecond {
				t.Errorf("took %v", d)
			}
			if tt.notWant != "" && (strings.Contains(got, tt.notWant) || err != nil && strings.Contains(err.Error(), tt.notWant)) {
				t.Fatalf("read a file outside the container's root: %q %v", got, err)
			}
			if want, ok := strings.CutPrefix(tt.want, "!"); ok {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("err = %v, want %q", err, want)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v", got, err)
			}
		})
	}
	cmd.Process.Kill()
	cmd.Wait()
	if _, err := readHosts(c); err == nil || !strings.Contains(err.Error(), "exited") {
		t.Errorf("after exit: err = %v", err)
	}
}
