// Package netlinkx repeats the netlink dumps (github.com/vishvananda/netlink)
// that the kernel interrupted because a table changed while it was read.
package netlinkx

import (
	"errors"
	"fmt"
)

// dumpAttempts bounds how often an interrupted dump is repeated.
const dumpAttempts = 8

// Dump runs a netlink dump (LinkList, AddrList, NeighList, …) again when the
// kernel interrupted it: NLM_F_DUMP_INTR means the table changed while it
// was read — an interface created or removed by a container starting or
// stopping — and the partial result netlink returns with
// netlink.ErrDumpInterrupted may miss entries or hold stale ones. After
// dumpAttempts interrupted tries it gives up with an error, never a partial
// result.
func Dump[T any](what string, dump func() ([]T, error)) ([]T, error) {
	for range dumpAttempts {
		out, err := dump()
		if !errors.Is(err, errDumpInterrupted) {
			return out, err
		}
	}
	return nil, fmt.Errorf("%s: the kernel interrupted the dump %d times in a row (the table kept changing)", what, dumpAttempts)
}
