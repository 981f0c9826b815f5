package discover

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// TestLocationRefusesNonRootEngine: an engine process named by PID must
// run as root; another user's process, whose root directory and mounts
// it may have made itself, is refused.
func TestLocationRefusesNonRootEngine(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("starting a process as another user needs root")
	}
	cmd := exec.Command("sleep", "10")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	err := checkLocation(Location{PID: cmd.Process.Pid})
	if err == nil || !strings.Contains(err.Error(), "runs as uid 65534, not root") {
		t.Errorf("err = %v", err)
	}
	if err := checkLocation(Location{PID: os.Getpid()}); err != nil {
		t.Errorf("a root process: %v", err)
	}
}
