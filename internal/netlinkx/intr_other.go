//go:build !linux

package netlinkx

import "errors"

// errDumpInterrupted never happens where there is no netlink.
var errDumpInterrupted = errors.New("netlink dump interrupted")
