package main

import (
	"bytes"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/dockertest"
	"github.com/netviz/netviz/internal/probe"
)

// TestLiveReachInterrupted: Ctrl-C in the middle of a sweep whose silences
// take long (--fixed-timeout --timeout 5s across two isolated bridges) stops
// netviz within a second, exit 130, and the neighbour entries its probes
// created are gone with it.
func TestLiveReachInterrupted(t *testing.T) {
	env := dockertest.Require(t)
	bin := buildNetviz(t)
	a := env.Network("inta", client.NetworkCreateOptions{Driver: "bridge"})
	b := env.Network("intb", client.NetworkCreateOptions{Driver: "bridge"})
	for i, n := range []string{a, a, a, b, b, b} {
		env.Run("int"+string(rune('0'+i)), dockertest.Spec{Network: n})
	}
	before, err := probe.LiveNeighbours().Usage()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "reach", "--network", a, "--network", b, "--fixed-timeout", "--timeout", "5s")
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond) // discovery done, the silences being waited for
	signalled := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("reach did not stop after Ctrl-C")
	}
	if took := time.Since(signalled); took > time.Second {
		t.Errorf("reach took %v to stop after Ctrl-C, want under a second", took)
	}
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Errorf("exit %d after Ctrl-C, want %d; stderr: %s", code, exitInterrupted, stderr.String())
	}
	if strings.Contains(stderr.String(), "panic") {
		t.Errorf("stderr: %s", stderr.String())
	}
	after, err := probe.LiveNeighbours().Usage()
	if err != nil {
		t.Fatal(err)
	}
	// Six namespaces may each keep the kernel's exempt lo entry.
	if after.Entries > before.Entries+6+4 {
		t.Errorf("neighbour table: %d entries before, %d after the interrupted sweep", before.Entries, after.Entries)
	}
}
