package scenario_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/sim"
)

// The walk is tested on the simulator: a real implementation of
// scenario.Target, the same walk lab.Applier takes on a real engine.

func parse(t *testing.T, src string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.ParseShell(strings.NewReader(src), "w.sh")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func containers(t *testing.T, e *sim.Engine, running bool) []string {
	t.Helper()
	names, err := e.Containers(context.Background(), running)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestApplyWalk: run is create then start (an unnamed container started by
// the name the target gave it), bulk forms expand to the target's
// containers of that moment, rm and network rm act on every name given.
func TestApplyWalk(t *testing.T) {
	e := sim.New(sim.Options{})
	err := scenario.Apply(context.Background(), e, parse(t, `docker network create n1
docker network create n2
docker run -d --name aa --net n1 img
docker create --name bb img
docker run -d img
docker stop $(docker ps -q)
docker start aa
docker rm bb unnamed_1
docker network rm n2
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := containers(t, e, false); !slices.Equal(got, []string{"aa"}) {
		t.Errorf("containers %v", got)
	}
	if got := containers(t, e, true); !slices.Equal(got, []string{"aa"}) {
		t.Errorf("running %v", got)
	}
	if !e.NetworkExists(context.Background(), "n1") || e.NetworkExists(context.Background(), "n2") {
		t.Error("network rm")
	}
}

// TestApplyErrorsArePositioned: the target's refusal comes back at the
// command's position, wrapping the target's own error; a Command built by
// hand without its spec is refused, never a panic.
func TestApplyErrorsArePositioned(t *testing.T) {
	e := sim.New(sim.Options{})
	err := scenario.Apply(context.Background(), e, parse(t, "docker run -d --name aa img\n\n  docker stop aa ghost\n"))
	var ae *scenario.ApplyError
	var de *sim.DaemonError
	if !errors.As(err, &ae) || ae.Pos.Line != 3 || ae.Pos.Col != 3 || !errors.As(err, &de) {
		t.Fatalf("err = %#v", err)
	}
	if got := err.Error(); got != "w.sh:3:3: Error response from daemon: No such container: ghost" {
		t.Errorf("message %q", got)
	}
	if got := containers(t, e, true); len(got) != 0 {
		t.Errorf("aa stopped before the refusal, running: %v", got)
	}
	for _, c := range []scenario.Command{
		{Pos: scenario.Pos{File: "x", Line: 1, Col: 1}, Verb: scenario.VerbRun},
		{Pos: scenario.Pos{File: "x", Line: 1, Col: 1}, Verb: scenario.VerbNetworkCreate},
		{Pos: scenario.Pos{File: "x", Line: 1, Col: 1}, Verb: scenario.VerbNetworkConnect},
		{Pos: scenario.Pos{File: "x", Line: 1, Col: 1}, Verb: "network prune --force"},
	} {
		if err := scenario.Exec(context.Background(), e, c); err == nil || !strings.HasPrefix(err.Error(), "x:1:1: ") {
			t.Errorf("%q: %v", c.Verb, err)
		}
	}
}

// TestApplyPassesThePosition: while the target handles a command, the
// context carries its position, so a note the target keeps names it.
func TestApplyPassesThePosition(t *testing.T) {
	e := sim.New(sim.Options{})
	if err := scenario.Apply(context.Background(), e, parse(t, "docker network create n\n docker run -d --net host -p 80:80 img\n")); err != nil {
		t.Fatal(err)
	}
	if len(e.Notes) != 1 || !strings.HasPrefix(e.Notes[0], "w.sh:2:2: published ports are discarded") {
		t.Errorf("notes %q", e.Notes)
	}
	if _, ok := scenario.PosFrom(context.Background()); ok {
		t.Error("a position from a bare context")
	}
}
