package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/dockertest"
	"github.com/netviz/netviz/internal/lab"
	"github.com/netviz/netviz/internal/scenario"
)

// buildNetviz builds the static binary the way the README does, for tests
// that must run the real program (the lab image holds it).
func buildNetviz(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "netviz")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func labelled(t *testing.T, env *dockertest.Env, value string) int {
	t.Helper()
	f := make(client.Filters).Add("label", lab.OwnerLabel+"="+value)
	cs, err := env.Client.ContainerList(env.Ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	ns, err := env.Client.NetworkList(env.Ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	return len(cs.Items) + len(ns.Items)
}

// TestLiveVerifyEveryLab: the simulation agrees 100% with the real engine on
// every built-in lab, and verify leaves nothing behind.
func TestLiveVerifyEveryLab(t *testing.T) {
	env := dockertest.RequireQuiet(t)
	bin := buildNetviz(t)
	for _, l := range lab.List() {
		if l.Swarm {
			continue // several engines: TestLiveSwarmVerify
		}
		t.Run(l.Name, func(t *testing.T) {
			var out, errb bytes.Buffer
			cmd := exec.CommandContext(env.Ctx, bin, "verify", "lab:"+l.Name)
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Run(); err != nil {
				t.Fatalf("verify lab:%s: %v\n%s%s", l.Name, err, out.String(), errb.String())
			}
			if !strings.Contains(out.String(), "(100.0%)") {
				t.Errorf("verify lab:%s:\n%s", l.Name, out.String())
			}
			t.Log(strings.SplitN(out.String(), "\n", 2)[0])
		})
	}
	cs, _ := env.Client.ContainerList(env.Ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", lab.OwnerLabel)})
	for _, c := range cs.Items {
		if strings.HasPrefix(c.Labels[lab.OwnerLabel], "verify:") {
			t.Errorf("verify left container %v", c.Names)
		}
	}
}

// TestLiveLabUpDownInterrupted: lab up then down leaves zero labelled
// resources, and so does a Ctrl-C in the middle of lab up.
func TestLiveLabUpDownInterrupted(t *testing.T) {
	env := dockertest.Require(t)
	bin := buildNetviz(t)
	run := func(args ...string) string {
		out, err := exec.CommandContext(env.Ctx, bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("netviz %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run("lab", "up", "multi-homed")
	if n := labelled(t, env, lab.Owner("multi-homed")); n != 5 {
		t.Errorf("lab up multi-homed: %d labelled resources, want 3 containers + 2 networks", n)
	}
	run("lab", "down", "multi-homed")
	if n := labelled(t, env, lab.Owner("multi-homed")); n != 0 {
		t.Errorf("lab down left %d resources", n)
	}

	// Interrupt lab up at several moments; whatever was built must go.
	for _, after := range []time.Duration{50 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond} {
		cmd := exec.Command(bin, "lab", "up", "alias")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		cmd.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			t.Fatal("lab up did not stop after Ctrl-C")
		}
		// A run that finished before the signal is a built lab: take it down.
		if n := labelled(t, env, lab.Owner("alias")); n != 0 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			lab.Down(ctx, env.Client, lab.Owner("alias"))
			cancel()
			if cmd.ProcessState.ExitCode() == 0 {
				continue // it completed before the interrupt arrived
			}
			t.Errorf("interrupted after %v: %d labelled resources left", after, n)
		}
	}
	name, _ := lab.VethNames(lab.Owner("macvlan"))
	run("lab", "up", "macvlan")
	run("lab", "down")
	if _, err := os.Stat("/sys/class/net/" + name); err == nil {
		t.Errorf("lab down left the veth parent %s", name)
	}
	if n := labelled(t, env, lab.Owner("macvlan")); n != 0 {
		t.Errorf("lab down left %d macvlan resources", n)
	}
}

// TestLivePreflightExactNames: Docker's inspect also finds a container by a
// prefix of its ID, so a lab that names a container like the start of an
// unrelated container's ID (c1, with IDs in hex) must not be refused as if
// the name were taken; an exact name still is.
func TestLivePreflightExactNames(t *testing.T) {
	env := dockertest.Require(t)
	full := env.Run("prefix", dockertest.Spec{})
	res, err := env.Client.ContainerInspect(env.Ctx, full, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	idPrefix := res.Container.ID[:6]
	a := &lab.Applier{Client: env.Client, Owner: lab.Owner("preflight-test")}
	for _, tt := range []struct {
		name    string
		refused bool
	}{{idPrefix, false}, {full, true}} {
		sc, err := scenario.ParseShell(strings.NewReader("docker run -d --name "+tt.name+" busybox\n"), "t.sh")
		if err != nil {
			t.Fatal(err)
		}
		err = a.Preflight(env.Ctx, sc)
		if (err != nil) != tt.refused {
			t.Errorf("preflight of a container named %s (an ID prefix: %v): %v", tt.name, tt.name == idPrefix, err)
		}
	}
}
