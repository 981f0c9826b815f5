package sim

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/scenario"
)

// TestSteps: one step per command that does something, each naming what
// appeared and what went the way `netviz sim --steps` shows it; a stopped
// container is both (its name carries its state).
func TestSteps(t *testing.T) {
	sc, err := scenario.ParseShell(strings.NewReader(`# the alias exercise, cut short
docker network create mybridge
docker ps -a
docker run -d --name a1 --net mybridge --net-alias alicek106 img
docker run -d --name web -p 8080:80 img
docker stop a1
`), "s.sh")
	if err != nil {
		t.Fatal(err)
	}
	var got []Step
	if err := New(Options{}).Steps(sc, func(st Step) error { got = append(got, st); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		command        string
		added, removed []string
	}{
		{"docker network create mybridge", []string{"interface host/br-bd12f4aa5b00", "network mybridge"}, nil},
		{"docker run -d --name a1 --net mybridge --net-alias alicek106 img",
			[]string{"container a1 (running)", "interface host/" + vethName("a1", "mybridge"), "interface ns:a1/eth0", "interface ns:a1/lo", "name a1 on mybridge", "name alicek106 on mybridge"}, nil},
		{"docker run -d --name web -p 8080:80 img",
			[]string{"container web (running)", "interface host/" + vethName("web", "bridge"), "interface ns:web/eth0", "interface ns:web/lo", "port 0.0.0.0:8080/tcp", "port :::8080/tcp"}, nil},
		{"docker stop a1", []string{"container a1 (exited)"},
			[]string{"container a1 (running)", "interface host/" + vethName("a1", "mybridge"), "interface ns:a1/eth0", "interface ns:a1/lo", "name a1 on mybridge", "name alicek106 on mybridge"}},
	}
	if len(got) != len(want) {
		t.Fatalf("%d steps, want %d (docker ps is no step)", len(got), len(want))
	}
	for i, w := range want {
		st := got[i]
		if st.Command.Text != w.command || !slices.Equal(st.Added, w.added) || !slices.Equal(st.Removed, w.removed) {
			t.Errorf("step %d: %q\n added %q\n removed %q\nwant %q\n added %q\n removed %q", i+1, st.Command.Text, st.Added, st.Removed, w.command, w.added, w.removed)
		}
		if len(st.AddedIDs) != len(st.Added) || !slices.IsSorted(st.AddedIDs) {
			t.Errorf("step %d: AddedIDs %q do not match Added, sorted", i+1, st.AddedIDs)
		}
		if st.Model == nil || len(st.Model.Containers) != min(i, 2) {
			t.Errorf("step %d: the model after it has the wrong containers", i+1)
		}
	}
	if !slices.Contains(got[1].AddedIDs, "ctr:a1") {
		t.Errorf("AddedIDs %q lack the container's node ID", got[1].AddedIDs)
	}
}

// TestStepsStop: the daemon's refusal and the callback's error both stop
// the walk, and come back as they are.
func TestStepsStop(t *testing.T) {
	sc, err := scenario.ParseShell(strings.NewReader("docker network create n\ndocker run --net nope img\ndocker network create m\n"), "bad.sh")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = New(Options{}).Steps(sc, func(Step) error { n++; return nil })
	if de, ok := errors.AsType[*DaemonError](err); !ok || n != 1 || !strings.HasPrefix(de.Error(), "bad.sh:2:1: Error response from daemon: network nope not found") {
		t.Errorf("after %d steps: %v", n, err)
	}
	stop := errors.New("disk full")
	n = 0
	if err := New(Options{}).Steps(sc, func(Step) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("after %d steps: %v, want the callback's error after one", n, err)
	}
}

// TestNeedsParent: only a macvlan or ipvlan network needs a parent, and a
// refused scenario is left to the engine to refuse.
func TestNeedsParent(t *testing.T) {
	for _, tt := range []struct {
		script string
		want   bool
	}{
		{"docker network create mybridge\n", false},
		{"docker network create -d macvlan --subnet 192.168.50.0/24 -o parent=eth1 mv\n", true},
		{"docker network create -d ipvlan --subnet 192.168.51.0/24 -o parent=eth1 iv\n", true},
		{"docker network create -d macvlan --subnet 192.168.50.0/24 -o parent=eth1 mv\ndocker run --net nope img\n", false},
	} {
		sc, err := scenario.ParseShell(strings.NewReader(tt.script), "s.sh")
		if err != nil {
			t.Fatal(err)
		}
		if got := NeedsParent(sc); got != tt.want {
			t.Errorf("NeedsParent(%q) = %v, want %v", tt.script, got, tt.want)
		}
	}
}
