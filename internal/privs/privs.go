// Package privs reads the capabilities netviz runs with. Root is not enough
// inside a restricted container or under `capsh --drop`: the effective
// capability set is what the kernel checks.
package privs

import (
	"fmt"
	"strings"
)

// Cap is a Linux capability number (linux/capability.h).
type Cap uint

// The capabilities netviz's live commands need.
const (
	// NetRaw opens raw ICMP sockets (ping) and packet captures.
	NetRaw Cap = 13
	// SysAdmin enters other network namespaces (setns).
	SysAdmin Cap = 21
)

var capNames = map[Cap]string{NetRaw: "CAP_NET_RAW", SysAdmin: "CAP_SYS_ADMIN"}

// String is the capability's name, as capabilities(7) writes it.
func (c Cap) String() string {
	if n, ok := capNames[c]; ok {
		return n
	}
	return fmt.Sprintf("capability %d", uint(c))
}

// Set is a capability bit set (bit n is capability n).
type Set uint64

// Has reports whether c is in the set.
func (s Set) Has(c Cap) bool { return c < 64 && s&(1<<c) != 0 }

// Missing returns the capabilities of want that s lacks, in want's order.
func (s Set) Missing(want ...Cap) []Cap {
	var out []Cap
	for _, c := range want {
		if !s.Has(c) {
			out = append(out, c)
		}
	}
	return out
}

// Names joins capability names with "and": "CAP_NET_RAW and CAP_SYS_ADMIN".
func Names(caps []Cap) string {
	names := make([]string, len(caps))
	for i, c := range caps {
		names[i] = c.String()
	}
	return strings.Join(names, " and ")
}
