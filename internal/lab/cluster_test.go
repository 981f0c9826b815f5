package lab

import (
	"testing"

	"github.com/moby/moby/api/types/swarm"
)

// TestTaskSettled: a service command waits for running tasks, and for
// nothing more from a task no node fits (the simulator's pending one).
func TestTaskSettled(t *testing.T) {
	for _, tt := range []struct {
		state            swarm.TaskState
		err              string
		running, pending bool
	}{
		{swarm.TaskStateRunning, "", true, false},
		{swarm.TaskStatePending, "no suitable node (scheduling constraints not satisfied on 3 nodes)", false, true},
		{swarm.TaskStatePending, "", false, false},
		{swarm.TaskStatePreparing, "", false, false},
		{swarm.TaskStateStarting, "", false, false},
		{swarm.TaskStateRejected, "No such image: nope:latest", false, false},
		{swarm.TaskStateFailed, "task: non-zero exit (1)", false, false},
	} {
		r, p := taskSettled(swarm.Task{Status: swarm.TaskStatus{State: tt.state, Err: tt.err}})
		if r != tt.running || p != tt.pending {
			t.Errorf("%s %q: running %v pending %v, want %v %v", tt.state, tt.err, r, p, tt.running, tt.pending)
		}
	}
}
