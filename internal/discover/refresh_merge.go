package discover

import (
	"cmp"
	"maps"
	"slices"
	"strings"
)

// The pure half of Refresh: which containers to read again, and how what
// was read again goes into a copy of the old State.

// sharers is ids and, transitively, every known container sharing a
// namespace with one of them: those found in the same namespace snapshot,
// and those whose --net container:X names one of them (by ID, ID prefix or
// name). A change to one member of a shared namespace (the owner stopping,
// its veth going) is a change to every member's. Sorted, each once.
func (s *State) sharers(ids []string) []string {
	set := map[string]bool{}
	for _, id := range ids {
		if id != "" {
			set[id] = true
		}
	}
	for grew := true; grew; {
		grew = false
		add := func(id string) {
			if !set[id] {
				set[id], grew = true, true
			}
		}
		for _, sn := range s.namespaces {
			if !sn.Host && slices.ContainsFunc(sn.Containers, func(id string) bool { return set[id] }) {
				for _, id := range sn.Containers {
					add(id)
				}
			}
		}
		for _, c := range s.docker.Containers {
			ref, ok := strings.CutPrefix(c.NetworkMode, "container:")
			if !ok {
				continue
			}
			for _, t := range s.docker.Containers {
				if set[t.ID] && (t.ID == ref || t.Name == ref || len(ref) >= 12 && strings.HasPrefix(t.ID, ref)) {
					add(c.ID)
				}
			}
			if set[ref] { // the target is gone from the snapshot but named
				add(c.ID)
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// apply returns a copy of s with p merged in. Nothing s holds is changed:
// every list apply (or settle, later) edits is a copy.
func (s *State) apply(p partial) *State {
	next := *s
	touched := map[string]bool{}
	for _, id := range p.touched {
		touched[id] = true
	}
	d := *s.docker
	d.Vanished = nil // they were about the last full read
	d.Containers = slices.DeleteFunc(slices.Clone(s.docker.Containers), func(c DockerContainer) bool { return touched[c.ID] })
	d.Containers = append(d.Containers, p.containers...)
	slices.SortFunc(d.Containers, func(a, b DockerContainer) int { return cmp.Compare(a.Name, b.Name) })

	d.Networks = slices.Clone(s.docker.Networks)
	for _, n := range p.networks {
		if i := slices.IndexFunc(d.Networks, func(o DockerNetwork) bool { return o.ID == n.ID }); i >= 0 {
			d.Networks[i] = n
		} else {
			d.Networks = append(d.Networks, n)
		}
	}
	d.Networks = slices.DeleteFunc(d.Networks, func(n DockerNetwork) bool { return slices.Contains(p.goneNetworks, n.ID) })
	next.docker = &d

	if p.read != nil && s.namespaces != nil {
		next.namespaces = mergeNamespaces(s.namespaces, p.touched, p.read.Snapshots)
		var names []string
		for _, c := range s.docker.Containers {
			if touched[c.ID] {
				names = append(names, c.Name)
			}
		}
		for _, c := range p.containers {
			names = append(names, c.Name)
		}
		next.nsWarnings = mergeWarnings(s.nsWarnings, names, p.read.Warnings)
		next.denied = s.denied || p.read.Denied
	}
	return &next
}

// mergeNamespaces puts fresh snapshots — the host's and those of the
// touched containers' namespaces, as ReadNamespaces read them — in place of
// the old ones:
//
//   - the host's links are the fresh ones; its containers (--net host) are
//     the old untouched ones and the fresh ones;
//   - a touched container leaves every old snapshot; an old snapshot left
//     with no container goes (its namespace went, or its members are all
//     in fresh snapshots);
//   - a fresh snapshot of a namespace an old one also holds (same inode: a
//     container joining another's namespace) replaces its links and takes
//     over its remaining members;
//   - the host's netnsid table keeps the old ids of namespaces still held
//     (an id names a namespace for as long as it lives) and takes the
//     fresh ones, which win where they differ.
//
// Every slice and map in the result is new; old is not changed.
func mergeNamespaces(old []NamespaceSnapshot, touched []string, fresh []NamespaceSnapshot) []NamespaceSnapshot {
	isTouched := map[string]bool{}
	for _, id := range touched {
		isTouched[id] = true
	}
	untouched := func(ids []string) []string {
		return slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return isTouched[id] })
	}
	var oldHost, freshHost *NamespaceSnapshot
	for i := range old {
		if old[i].Host {
			oldHost = &old[i]
		}
	}
	freshAt := map[uint64]*NamespaceSnapshot{}
	for i := range fresh {
		if fresh[i].Host {
			freshHost = &fresh[i]
		} else {
			freshAt[fresh[i].Inode] = &fresh[i]
		}
	}
	if freshHost == nil {
		freshHost = oldHost
	}
	if freshHost == nil {
		return nil // ReadNamespaces always reads the host; nothing to merge
	}

	host := *freshHost
	host.Containers = nil
	if oldHost != nil {
		host.Containers = untouched(oldHost.Containers)
	}
	if freshHost != oldHost {
		for _, id := range freshHost.Containers {
			if !slices.Contains(host.Containers, id) {
				host.Containers = append(host.Containers, id)
			}
		}
	}
	out := []NamespaceSnapshot{host}
	merged := map[uint64]bool{}
	for _, o := range old {
		if o.Host {
			continue
		}
		rest := untouched(o.Containers)
		if f, ok := freshAt[o.Inode]; ok {
			n := *f
			n.Containers = rest
			for _, id := range f.Containers {
				if !slices.Contains(n.Containers, id) {
					n.Containers = append(n.Containers, id)
				}
			}
			out = append(out, n)
			merged[o.Inode] = true
			continue
		}
		if len(rest) == 0 {
			continue
		}
		o.Containers = rest
		out = append(out, o)
	}
	for i := range fresh {
		if f := fresh[i]; !f.Host && !merged[f.Inode] {
			f.Containers = slices.Clone(f.Containers)
			out = append(out, f)
			merged[f.Inode] = true
		}
	}

	held := map[uint64]bool{}
	for _, n := range out[1:] {
		held[n.Inode] = true
	}
	peers := map[int]uint64{}
	if oldHost != nil {
		for id, inode := range oldHost.PeerNSIDs {
			if held[inode] && freshAt[inode] == nil {
				peers[id] = inode
			}
		}
	}
	if freshHost != oldHost {
		maps.Copy(peers, freshHost.PeerNSIDs)
	}
	out[0].PeerNSIDs = peers
	return out
}

// mergeWarnings keeps the old namespace warnings except those about the
// named containers ("container NAME: …", as ReadNamespaces words them),
// which fresh replaces. Each warning once, in order.
func mergeWarnings(old, names, fresh []string) []string {
	var out []string
	for _, w := range old {
		if !slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(w, "container "+n+": ") }) {
			out = append(out, w)
		}
	}
	for _, w := range fresh {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
