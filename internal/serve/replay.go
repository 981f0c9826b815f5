package serve

import (
	"context"
	"fmt"
	"time"

	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/sim"
)

// Replay is a Source that plays a fixed list of updates: the first at
// once, then one every Interval, and then holds the last until ctx ends
// (Loop: starts over instead). `netviz serve --sim` steps through a
// scenario with it.
type Replay struct {
	Frames   []Update
	Interval time.Duration
	Loop     bool
}

// Run emits the frames.
func (p *Replay) Run(ctx context.Context, emit func(Update)) error {
	if len(p.Frames) == 0 {
		return fmt.Errorf("replay: no frames")
	}
	t := time.NewTicker(max(p.Interval, time.Millisecond))
	defer t.Stop()
	for i := 0; ; i++ {
		if i == len(p.Frames) {
			if !p.Loop {
				<-ctx.Done()
				return nil
			}
			i = 0
		}
		f := p.Frames[i]
		if i == 0 && p.Loop {
			f.Resync = true // a fresh start: the host went back in time
		}
		emit(f)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// SimFrames executes sc on eng one command at a time (sim.Engine.Steps)
// and returns the host before the first command and after each: the
// update of a step touches what it added and removed, and its events name
// the command and those things.
func SimFrames(eng *sim.Engine, sc *scenario.Scenario) ([]Update, error) {
	frames := []Update{{Model: eng.Model(), Events: []string{fmt.Sprintf("%s: before the first command", sc.File)}}}
	n := 0
	err := eng.Steps(sc, func(st sim.Step) error {
		n++
		ev := []string{fmt.Sprintf("step %d · %s: %s", n, st.Command.Pos, st.Command.Text)}
		for _, a := range st.Added {
			ev = append(ev, "+ "+a)
		}
		for _, r := range st.Removed {
			ev = append(ev, "− "+r)
		}
		touched := append(append([]string{}, st.AddedIDs...), st.RemovedIDs...)
		frames = append(frames, Update{Model: st.Model, Touched: touched, Events: ev})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return frames, nil
}
