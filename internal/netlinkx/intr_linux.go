package netlinkx

import "github.com/vishvananda/netlink"

// errDumpInterrupted is netlink's NLM_F_DUMP_INTR error.
var errDumpInterrupted = netlink.ErrDumpInterrupted
