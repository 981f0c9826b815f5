package probe

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/reach"
)

// The host's neighbour (ARP) table is one table for every network namespace
// on the machine, capped by net.ipv4.neigh.default.gc_thresh3 (1024 on most
// distributions). An all-pairs sweep needs two entries per pair of
// containers on one bridge — the client's for the target and the target's
// for the client — so 100 containers on 5 networks need about 2,000 and 250
// need 12,000. Past the cap the kernel drops requests (ENOBUFS, silently
// unless IP_RECVERR is set) and replies (never reported at all), and an
// entry only becomes collectable 5 s after its last use, so the table stays
// full for a minute after a careless sweep — for every program on the host.
//
// netviz never changes the sysctl. It keeps the sweep inside the room the
// table has (NeighbourBudget), and after each client it removes the entries
// its own probes created — only entries that were not there when the sweep
// began — so the table is left as it was found.

// NeighbourUsage is a reading of the kernel's shared IPv4 neighbour table.
// Equivalent to the entries and table_fulls columns of
// /proc/net/stat/arp_cache and net.ipv4.neigh.default.gc_thresh3.
type NeighbourUsage struct {
	Entries int // entries in use now, in every namespace
	Limit   int // gc_thresh3: past it, new entries fail
	// Overflows counts the kernel's "table full" events since boot: when it
	// moves during a measurement, a silence may be the table's, not Docker's.
	Overflows int
}

// NeighbourTable is what a sweep needs from the kernel's neighbour tables.
type NeighbourTable interface {
	// Usage reads the shared table's size, limit and overflow count.
	Usage() (NeighbourUsage, error)
	// Baseline remembers the neighbour entries of one namespace now — the
	// host's for nsID graph.HostNamespaceID (c nil), else c's — so that
	// Forget removes only entries created afterwards.
	Baseline(nsID graph.NamespaceID, c *graph.Container) (NeighbourNamespace, error)
	// Exclusive waits until no other sweep on this host budgets the table
	// (two budgets, each sized to the whole table, would overflow it
	// together) and returns the function that lets the next one in.
	Exclusive(ctx context.Context) (release func(), err error)
}

// NeighbourNamespace is one namespace's neighbour entries as they were at
// the start of a sweep.
type NeighbourNamespace interface {
	// Forget removes the entries for addrs on this namespace's links that
	// were not there at the baseline, and says how many it removed.
	// Equivalent to `ip neigh del ADDR dev LINK` for each.
	Forget(addrs []netip.Addr) (int, error)
	Close() error
}

// neighbourMargin is room left in the table for everything else on the host.
const neighbourMargin = 128

// NeighbourBudget admits clients into a sweep while the kernel's neighbour
// table has room for the entries their probes will create.
type NeighbourBudget struct {
	table NeighbourTable
	mu    sync.Mutex
	// room is what the sweep may hold at once: the limit, less the margin
	// and what others held when the sweep began.
	room     int
	reserved int
	freed    chan struct{} // closed and replaced when a reservation ends
}

// NewNeighbourBudget reads the table once and sizes the sweep's room.
func NewNeighbourBudget(t NeighbourTable) (*NeighbourBudget, error) {
	u, err := t.Usage()
	if err != nil {
		return nil, fmt.Errorf("read the neighbour table: %w", err)
	}
	return &NeighbourBudget{table: t, room: max(u.Limit-neighbourMargin-u.Entries, minRoom(u.Limit)), freed: make(chan struct{})}, nil
}

// minRoom keeps a sweep moving when others fill the table: one small client
// at a time, relying on the kernel to collect entries idle for 5 s.
func minRoom(limit int) int { return max(8, limit/16) }

// Room is the largest reservation the budget can grant.
func (b *NeighbourBudget) Room() int { return b.room }

// Acquire waits until need entries fit — in the sweep's room and, read
// afresh, in the table itself — and reserves them. A need larger than the
// room waits until nothing else is reserved. It returns ctx's error if ctx
// ends first.
func (b *NeighbourBudget) Acquire(ctx context.Context, need int) error {
	need = min(need, b.room)
	for {
		b.mu.Lock()
		freed := b.freed
		fits := b.reserved+need <= b.room
		if fits && b.reserved > 0 {
			// What the table holds now counts too: others' entries, and
			// ours not yet removed (entries are removed only once no job
			// can still be using them). Reservations may already be in it;
			// counting them again errs on the safe side.
			if u, err := b.table.Usage(); err == nil && u.Entries+b.reserved+need > u.Limit-neighbourMargin {
				fits = false
			}
		}
		if fits {
			b.reserved += need
			b.mu.Unlock()
			return nil
		}
		b.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-freed:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Release returns a reservation made by Acquire.
func (b *NeighbourBudget) Release(need int) {
	need = min(need, b.room)
	b.mu.Lock()
	b.reserved -= need
	close(b.freed)
	b.freed = make(chan struct{})
	b.mu.Unlock()
}

// Overflows reads the kernel's overflow counter (0 when it cannot be read).
func (b *NeighbourBudget) Overflows() int {
	u, err := b.table.Usage()
	if err != nil {
		return 0
	}
	return u.Overflows
}

// neighbourSweep is the neighbour-table side of one Measure: the budget,
// every namespace's baseline, and the entries waiting to be removed.
//
// An entry is removed only once neither the namespace holding it nor the
// namespace owning its address is being measured: a job still running
// there may have packets queued on it, and removing an entry drops them —
// a lost request would read as silence.
type neighbourSweep struct {
	budget *NeighbourBudget
	limit  int
	unlock func()                           // lets the next sweep on this host in
	owner  map[netip.Addr]graph.NamespaceID // address → the namespace it belongs to

	mu      sync.Mutex
	ns      map[graph.NamespaceID]NeighbourNamespace // nil value: its baseline could not be taken
	active  map[graph.NamespaceID]int                // namespace → jobs measuring from it
	pending map[graph.NamespaceID]map[netip.Addr]bool
}

// startNeighbourSweep takes the baseline of every namespace a sweep touches
// (the clients', the targets' and the host's), concurrency at a time. It
// returns nil when the table cannot be read: the sweep then runs unbudgeted,
// as before, and IP_RECVERR still reports what the kernel refuses to send.
func startNeighbourSweep(ctx context.Context, t NeighbourTable, x *graph.Index, jobs []*job, targets []reach.Target, concurrency int) *neighbourSweep {
	release, err := t.Exclusive(ctx)
	if err != nil {
		return nil
	}
	budget, err := NewNeighbourBudget(t)
	if err != nil {
		release()
		return nil
	}
	u, _ := t.Usage()
	sw := &neighbourSweep{budget: budget, limit: u.Limit, unlock: release, owner: map[netip.Addr]graph.NamespaceID{},
		ns: map[graph.NamespaceID]NeighbourNamespace{}, active: map[graph.NamespaceID]int{}, pending: map[graph.NamespaceID]map[netip.Addr]bool{}}
	owners := map[graph.NamespaceID]*graph.Container{graph.HostNamespaceID: nil}
	for _, j := range jobs {
		owners[j.ns] = j.client
		for _, a := range j.sources {
			sw.owner[a] = j.ns
		}
		for _, a := range gateways(x, j.client) {
			sw.owner[a] = graph.HostNamespaceID
		}
	}
	for _, tg := range targets {
		if _, ok := owners[tg.Container.Namespace]; !ok {
			owners[tg.Container.Namespace] = x.NetworkOwner(tg.Container)
		}
		if _, ok := sw.owner[tg.Addr]; !ok {
			sw.owner[tg.Addr] = tg.Container.Namespace
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, concurrency))
	for nsID, c := range owners {
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if nsID != graph.HostNamespaceID && c != nil && c.Namespace == graph.HostNamespaceID {
				return // host-mode: the host's baseline serves it
			}
			b, err := t.Baseline(nsID, c)
			if err != nil {
				b = nil // nothing is removed there
			}
			sw.mu.Lock()
			sw.ns[nsID] = b
			sw.mu.Unlock()
		}()
	}
	wg.Wait()
	return sw
}

// acquire reserves a job's neighbour entries; without a sweep it is free.
func (sw *neighbourSweep) acquire(ctx context.Context, need int) error {
	if sw == nil {
		return ctx.Err()
	}
	return sw.budget.Acquire(ctx, need)
}

func (sw *neighbourSweep) release(need int) {
	if sw != nil {
		sw.budget.Release(need)
	}
}

func (sw *neighbourSweep) limitText() string {
	if sw == nil {
		return "its limit"
	}
	return fmt.Sprintf("%d entries, net.ipv4.neigh.default.gc_thresh3", sw.limit)
}

// begin marks a job's namespace as being measured from.
func (sw *neighbourSweep) begin(j *job) {
	if sw == nil {
		return
	}
	sw.mu.Lock()
	sw.active[j.ns]++
	sw.mu.Unlock()
}

// end marks the job done, queues the entries its probes created, and
// removes every queued entry no running job can still be using.
func (sw *neighbourSweep) end(j *job) {
	if sw == nil {
		return
	}
	sw.mu.Lock()
	sw.active[j.ns]--
	for nsID, addrs := range j.forget {
		set := sw.pending[nsID]
		if set == nil {
			set = map[netip.Addr]bool{}
			sw.pending[nsID] = set
		}
		for _, a := range addrs {
			set[a] = true
		}
	}
	// Removed with mu held: a job beginning meanwhile in one of these
	// namespaces would otherwise open its socket between the choice and
	// the removal.
	sw.remove(sw.takeReady(false))
	sw.mu.Unlock()
}

// takeReady removes from pending, and returns, the entries that may go now
// (all of them with everything set). Called with mu held.
func (sw *neighbourSweep) takeReady(everything bool) map[graph.NamespaceID][]netip.Addr {
	ready := map[graph.NamespaceID][]netip.Addr{}
	for nsID, set := range sw.pending {
		if !everything && sw.active[nsID] > 0 {
			continue
		}
		for a := range set {
			if owner, ok := sw.owner[a]; !everything && ok && sw.active[owner] > 0 {
				continue
			}
			ready[nsID] = append(ready[nsID], a)
			delete(set, a)
		}
		if len(set) == 0 {
			delete(sw.pending, nsID)
		}
	}
	return ready
}

// remove forgets ready's entries. Called with mu held.
func (sw *neighbourSweep) remove(ready map[graph.NamespaceID][]netip.Addr) {
	for nsID, addrs := range ready {
		if b := sw.ns[nsID]; b != nil {
			b.Forget(addrs)
		}
	}
}

// overflows reads the kernel's overflow counter; 0 without a sweep.
func (sw *neighbourSweep) overflows() int {
	if sw == nil {
		return 0
	}
	return sw.budget.Overflows()
}

// close removes what is still queued and lets go of every namespace.
func (sw *neighbourSweep) close() {
	if sw == nil {
		return
	}
	sw.mu.Lock()
	sw.remove(sw.takeReady(true))
	sw.mu.Unlock()
	for _, b := range sw.ns {
		if b != nil {
			b.Close()
		}
	}
	sw.unlock()
}
