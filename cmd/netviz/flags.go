package main

import (
	"strings"
	"time"

	"github.com/netviz/netviz/internal/textsafe"
)

// pingFlags are the bounds both measuring commands (probe, reach) take:
// how long one ping waits, how often a silent one is asked again, how long
// the whole run may take, and its outputs.
type pingFlags struct {
	timeout  time.Duration
	retries  int
	deadline time.Duration
	asJSON   bool
	output   string
}

// check refuses bounds no run could honour.
func (p *pingFlags) check() error {
	return firstError(checkDuration("timeout", p.timeout), checkDuration("deadline", p.deadline), checkRange("retries", p.retries, 0, 100))
}

// minTimeout is the shortest --timeout or --deadline netviz accepts: below a
// millisecond nothing on a host answers, so a smaller value is a typo (10 for
// 10s reads as 10ns), not a wish.
const minTimeout = time.Millisecond

// checkDuration refuses a --name shorter than minTimeout (0 and negative
// included), in one line naming the flag and the value.
func checkDuration(name string, d time.Duration) error {
	if d < minTimeout {
		return usageErrorf("--%s %s: must be at least %s", name, d, minTimeout)
	}
	return nil
}

// checkRange refuses a --name outside lo..hi.
func checkRange(name string, v, lo, hi int) error {
	if v < lo || v > hi {
		return usageErrorf("--%s %d: must be %d to %d", name, v, lo, hi)
	}
	return nil
}

// firstError returns the first non-nil error.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// maxErrorLine bounds one line of an error message.
const maxErrorLine = 2000

// safeMessage is the last guard before an error reaches the terminal: the
// messages netviz words itself quote input through textsafe already, but a
// flag parser's "unknown flag: --…" or an OS error may carry raw input. Each
// line is escaped and cut; the line breaks of a multi-line message stay.
func safeMessage(msg string) string {
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		lines[i] = textsafe.CleanN(l, maxErrorLine)
	}
	return strings.Join(lines, "\n")
}
