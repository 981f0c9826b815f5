package sim

import (
	"context"
	"errors"
	"fmt"

	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/textsafe"
)

// DaemonError is an error the daemon would answer, at a scenario position.
// The Target methods answer without one (scenario.Apply wraps their refusal
// in a *scenario.ApplyError at the command's position); Engine.Apply and
// Engine.Exec return the DaemonError itself with Pos set.
type DaemonError struct {
	Pos scenario.Pos
	Msg string
}

func (e *DaemonError) Error() string {
	if e.Pos == (scenario.Pos{}) {
		return e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

// positioned turns a refusal of this engine that scenario.Apply or Exec
// placed into a *DaemonError at that position; other errors pass as they
// are.
func positioned(err error) error {
	var ae *scenario.ApplyError
	if errors.As(err, &ae) {
		if de, ok := ae.Err.(*DaemonError); ok {
			pos := ae.Pos
			if de.Pos != (scenario.Pos{}) { // a refusal of one option points at it
				pos = de.Pos
			}
			return &DaemonError{Pos: pos, Msg: de.Msg}
		}
	}
	return err
}

// daemonErr words the daemon's answer (a dockerrules.Refuse… format, most
// often). Every string argument is a word of the scenario (a name, a
// reference) or an ID, so it is escaped and cut (textsafe.Clean) before it
// reaches a terminal.
func daemonErr(format string, args ...any) error {
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = textsafe.Clean(s)
		}
	}
	return &DaemonError{Msg: "Error response from daemon: " + fmt.Sprintf(format, args...)}
}

// refuseAt is a refusal that is not the daemon's own words (a release's
// CLI refusing a flag it does not know, or the simulator's NotModelled), at
// the position of the option that caused it (the command's when at is
// zero). Its string arguments are escaped and cut like daemonErr's.
func refuseAt(at scenario.Pos, format string, args ...any) error {
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = textsafe.CleanN(s, 300)
		}
	}
	return &DaemonError{Pos: at, Msg: fmt.Sprintf(format, args...)}
}

// noteAt is note at the position of one option (the command's when at is
// zero).
func (e *Engine) noteAt(ctx context.Context, at scenario.Pos, format string, args ...any) {
	if at == (scenario.Pos{}) {
		e.note(ctx, format, args...)
		return
	}
	e.Notes = append(e.Notes, at.String()+": "+fmt.Sprintf(format, args...))
}

// note records something worth telling the reader, at the position of the
// command being applied (scenario.PosFrom).
func (e *Engine) note(ctx context.Context, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if pos, ok := scenario.PosFrom(ctx); ok {
		msg = pos.String() + ": " + msg
	}
	e.Notes = append(e.Notes, msg)
}
