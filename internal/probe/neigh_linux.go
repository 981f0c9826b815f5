package probe

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/netlinkx"
	"github.com/netviz/netviz/internal/nsrun"
	"github.com/netviz/netviz/internal/trust"
)

// defaultNeighbourLimit is the kernel's default gc_thresh3, used when the
// sysctl cannot be read (netviz running in a namespace of its own).
const defaultNeighbourLimit = 1024

// LiveNeighbours is this host's neighbour table: its size read from
// /proc/net/stat/arp_cache and /proc/sys/net/ipv4/neigh/default/gc_thresh3,
// entries read and removed with netlink inside each namespace.
func LiveNeighbours() NeighbourTable { return liveNeighbours{} }

type liveNeighbours struct{}

// sweepLockDir holds the host-wide lock of netviz's sweeps (root's).
const sweepLockDir = "/run/netviz"

// Exclusive takes an exclusive flock on /run/netviz/neighbours.lock, waiting
// (in steps, so ctx can end the wait) while another netviz sweeps. Without
// the privilege to make the lock (not root), sweeps are not serialised: the
// caller cannot sweep container namespaces then anyway.
func (liveNeighbours) Exclusive(ctx context.Context) (func(), error) {
	none := func() {}
	if err := os.Mkdir(sweepLockDir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return none, nil
	}
	if trust.Dir(sweepLockDir) != nil {
		return none, nil // not a directory only root could have made
	}
	f, err := os.OpenFile(filepath.Join(sweepLockDir, "neighbours.lock"), os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return none, nil
	}
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { unix.Flock(int(f.Fd()), unix.LOCK_UN); f.Close() }, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) {
			f.Close()
			return none, nil
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// The neighbour table is the kernel's, one for every namespace, but its
// statistics and its sysctls exist only in the initial network namespace:
// from inside another (netviz beside an engine in a netns of its own) they
// are read through PID 1's.
func (liveNeighbours) Usage() (NeighbourUsage, error) {
	f, err := os.Open("/proc/net/stat/arp_cache")
	if errors.Is(err, fs.ErrNotExist) {
		f, err = os.Open("/proc/1/net/stat/arp_cache")
	}
	if err != nil {
		return NeighbourUsage{}, err
	}
	defer f.Close()
	u, err := parseARPCacheStat(io.LimitReader(f, 1<<20))
	if err != nil {
		return u, fmt.Errorf("/proc/net/stat/arp_cache: %w", err)
	}
	u.Limit = gcThresh3()
	return u, nil
}

// gcThresh3 reads net.ipv4.neigh.default.gc_thresh3, in the initial network
// namespace if this one has no such sysctl; the kernel's default if it
// cannot be read at all.
func gcThresh3() int {
	const path = "/proc/sys/net/ipv4/neigh/default/gc_thresh3"
	read := func() (int, error) {
		data, err := os.ReadFile(path)
		if err != nil {
			return 0, err
		}
		return strconv.Atoi(strings.TrimSpace(string(data)))
	}
	n, err := read()
	if errors.Is(err, fs.ErrNotExist) {
		if ns, nerr := nsrun.Open("/proc/1/ns/net"); nerr == nil {
			err = ns.Do(func() (err error) { n, err = read(); return err })
			ns.Close()
		}
	}
	if err != nil || n <= 0 {
		return defaultNeighbourLimit
	}
	return n
}

// parseARPCacheStat reads /proc/net/stat/arp_cache: a header naming the
// columns, then one line of hexadecimal counters per CPU. "entries" is the
// table's size (the same on every line); "table_fulls" is per CPU.
func parseARPCacheStat(r io.Reader) (NeighbourUsage, error) {
	sc := bufio.NewScanner(r)
	if !sc.Scan() {
		return NeighbourUsage{}, errors.New("empty")
	}
	header := strings.Fields(sc.Text())
	entries, fulls := -1, -1
	for i, h := range header {
		switch h {
		case "entries":
			entries = i
		case "table_fulls":
			fulls = i
		}
	}
	if entries < 0 {
		return NeighbourUsage{}, fmt.Errorf("no entries column in %q", sc.Text())
	}
	var u NeighbourUsage
	lines := 0
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != len(header) {
			continue
		}
		if lines == 0 {
			n, err := strconv.ParseUint(f[entries], 16, 32)
			if err != nil {
				return u, fmt.Errorf("entries %q: %w", f[entries], err)
			}
			u.Entries = int(n)
		}
		if fulls >= 0 {
			if n, err := strconv.ParseUint(f[fulls], 16, 32); err == nil {
				u.Overflows += int(n)
			}
		}
		lines++
	}
	if lines == 0 {
		return u, errors.New("no counters")
	}
	return u, sc.Err()
}

type linkPrefix struct {
	index  int
	prefix netip.Prefix
}

type neighKey struct {
	index int
	addr  netip.Addr
}

// liveNamespace holds a netlink socket inside one namespace and the entries
// it had at the start.
type liveNamespace struct {
	h      *netlink.Handle
	links  []linkPrefix
	before map[neighKey]bool
}

func (liveNeighbours) Baseline(nsID graph.NamespaceID, c *graph.Container) (NeighbourNamespace, error) {
	var h *netlink.Handle
	var err error
	if nsID == graph.HostNamespaceID || c == nil || c.Namespace == graph.HostNamespaceID {
		h, err = netlink.NewHandle(unix.NETLINK_ROUTE)
	} else {
		var ns *nsrun.NS
		if ns, err = openNS(c); err != nil {
			return nil, err
		}
		err = ns.Do(func() (err error) {
			h, err = netlink.NewHandle(unix.NETLINK_ROUTE)
			return err
		})
		ns.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("netlink in %s: %w", nsID, err)
	}
	l := &liveNamespace{h: h, before: map[neighKey]bool{}}
	addrs, err := netlinkx.Dump("list addresses", func() ([]netlink.Addr, error) { return h.AddrList(nil, netlink.FAMILY_V4) })
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("addresses in %s: %w", nsID, err)
	}
	for _, a := range addrs {
		if p, ok := prefixOf(a); ok {
			l.links = append(l.links, linkPrefix{a.LinkIndex, p})
		}
	}
	neighs, err := netlinkx.Dump("list neighbours", func() ([]netlink.Neigh, error) { return h.NeighList(0, netlink.FAMILY_V4) })
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("neighbours in %s: %w", nsID, err)
	}
	for _, n := range neighs {
		if a, ok := netip.AddrFromSlice(n.IP); ok {
			l.before[neighKey{n.LinkIndex, a.Unmap()}] = true
		}
	}
	return l, nil
}

func prefixOf(a netlink.Addr) (netip.Prefix, bool) {
	if a.IPNet == nil {
		return netip.Prefix{}, false
	}
	ip, ok := netip.AddrFromSlice(a.IPNet.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := a.IPNet.Mask.Size()
	return netip.PrefixFrom(ip.Unmap(), ones), true
}

// Forget deletes the entries for addrs on the links whose subnet holds
// them, unless they were there at the baseline. An entry already gone is
// fine. Equivalent to `ip neigh del ADDR dev LINK`.
func (l *liveNamespace) Forget(addrs []netip.Addr) (int, error) {
	removed := 0
	var errs []error
	for _, a := range addrs {
		for _, lp := range l.links {
			if !lp.prefix.Contains(a) || lp.prefix.Addr() == a || l.before[neighKey{lp.index, a}] {
				continue
			}
			err := l.h.NeighDel(&netlink.Neigh{LinkIndex: lp.index, Family: netlink.FAMILY_V4, IP: a.AsSlice()})
			switch {
			case err == nil:
				removed++
			case errors.Is(err, unix.ENOENT):
			default:
				errs = append(errs, fmt.Errorf("forget %s: %w", a, err))
			}
		}
	}
	return removed, errors.Join(errs...)
}

func (l *liveNamespace) Close() error {
	l.h.Close()
	return nil
}
