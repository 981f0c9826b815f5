package watch

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/textsafe"
)

// The engine events that change what netviz draws.
var (
	containerActions = []events.Action{
		events.ActionStart, events.ActionDie, events.ActionStop, events.ActionDestroy,
		events.ActionRename, events.ActionPause, events.ActionUnPause, events.ActionRestart,
	}
	networkActions = []events.Action{
		events.ActionCreate, events.ActionDestroy, events.ActionConnect, events.ActionDisconnect,
	}
)

// eventFilters asks the engine for those events only (`docker events
// --filter type=container --filter type=network --filter event=start …`).
// The engine ANDs the terms, so a container create also passes; touches
// drops what the lists do not name.
func eventFilters() client.Filters {
	f := make(client.Filters).Add("type", string(events.ContainerEventType), string(events.NetworkEventType))
	for _, a := range slices.Concat(containerActions, networkActions) {
		f.Add("event", string(a))
	}
	return f
}

// touch is what one event asks to read again.
type touch struct {
	containers []string // Docker IDs
	networks   []string // Docker IDs
	// full: the event names nothing to read again by itself (a network
	// connect without its container): only a full discovery is sure.
	full bool
}

// touches maps an engine event to what it changed; ok is false for events
// that change nothing netviz draws.
func touches(m events.Message) (t touch, ok bool) {
	switch m.Type {
	case events.ContainerEventType:
		if !slices.Contains(containerActions, m.Action) {
			return touch{}, false
		}
		if m.Actor.ID == "" {
			return touch{full: true}, true
		}
		return touch{containers: []string{m.Actor.ID}}, true
	case events.NetworkEventType:
		switch m.Action {
		case events.ActionCreate, events.ActionDestroy:
			if m.Actor.ID == "" {
				return touch{full: true}, true
			}
			return touch{networks: []string{m.Actor.ID}}, true
		case events.ActionConnect, events.ActionDisconnect:
			// The network's own facts do not change; the container's
			// endpoints, namespace and host-side veth do.
			if c := m.Actor.Attributes["container"]; c != "" {
				return touch{containers: []string{c}}, true
			}
			return touch{full: true}, true
		}
	}
	return touch{}, false
}

// eventTime is when the engine emitted m.
func eventTime(m events.Message) time.Time {
	if m.TimeNano != 0 {
		return time.Unix(0, m.TimeNano)
	}
	return time.Unix(m.Time, 0)
}

// Bounds on what events leave behind between two refreshes: a burst of any
// size costs at most this much memory.
const (
	// maxPending is how many distinct containers and networks a batch
	// follows one by one; past it the batch becomes a full discovery,
	// cheaper than that many inspects and namespace reads anyway.
	maxPending = 256
	// maxRecords is how many events of a batch are described in words;
	// the rest are counted.
	maxRecords = 32
)

// record is what an event leaves for its description.
type record struct {
	typ       events.Type
	action    events.Action
	id        string // the actor: a container's or a network's Docker ID
	name      string // the actor's name
	container string // network connect/disconnect: the container's Docker ID
	oldName   string // rename: the name before
	exitCode  string // die
}

// batch is the events gathered since the last refresh, coalesced.
type batch struct {
	change discover.Change
	full   bool // read everything again
	// resync: the event stream was lost and is back; events may have been
	// missed, so everything is read again. lostWhy says why it was lost.
	resync  bool
	lostWhy string
	records []record
	dropped int       // events past maxRecords
	first   time.Time // the earliest event's engine time
	events  int       // relevant events gathered
}

func (b *batch) empty() bool {
	return !b.full && !b.resync && len(b.change.Containers) == 0 && len(b.change.Networks) == 0 && b.events == 0
}

// pending gathers events as they arrive (from the listener) until the loop
// takes them: a set per kind, so a burst about the same objects costs what
// one event does, and bounded (maxPending, maxRecords).
type pending struct {
	mu         sync.Mutex
	containers map[string]struct{}
	networks   map[string]struct{}
	b          batch
	lostWhy    string // the stream's last error, until it is back
}

func newPending() *pending {
	return &pending{containers: map[string]struct{}{}, networks: map[string]struct{}{}}
}

// add takes in one event; it reports whether the event matters.
func (p *pending) add(m events.Message) bool {
	t, ok := touches(m)
	if !ok {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	at := eventTime(m)
	if p.b.first.IsZero() || at.Before(p.b.first) {
		p.b.first = at
	}
	p.b.events++
	if len(p.b.records) < maxRecords {
		r := record{typ: m.Type, action: m.Action, id: m.Actor.ID, name: m.Actor.Attributes["name"],
			container: m.Actor.Attributes["container"], exitCode: m.Actor.Attributes["exitCode"]}
		if m.Action == events.ActionRename {
			r.oldName = strings.TrimPrefix(m.Actor.Attributes["oldName"], "/")
		}
		p.b.records = append(p.b.records, r)
	} else {
		p.b.dropped++
	}
	p.b.full = p.b.full || t.full
	if p.b.full {
		return true // everything is read again: no need to follow objects
	}
	for _, id := range t.containers {
		p.containers[id] = struct{}{}
	}
	for _, id := range t.networks {
		p.networks[id] = struct{}{}
	}
	if len(p.containers)+len(p.networks) > maxPending {
		p.b.full = true
		clear(p.containers)
		clear(p.networks)
	}
	return true
}

// lost notes that the event stream broke: until it is back, nothing is
// known about what changes.
func (p *pending) lost(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lostWhy == "" {
		p.lostWhy = err.Error()
	}
}

// reconnected notes that the stream is back after it broke: the next batch
// reads everything again.
func (p *pending) reconnected() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.b.resync = true
	p.b.lostWhy = p.lostWhy
	p.lostWhy = ""
}

// take returns what was gathered and starts afresh.
func (p *pending) take() batch {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.b
	if !b.full {
		b.change = discover.Change{
			Containers: slices.Sorted(maps.Keys(p.containers)),
			Networks:   slices.Sorted(maps.Keys(p.networks)),
		}
	}
	clear(p.containers)
	clear(p.networks)
	p.b = batch{}
	return b
}

// requeue puts back a batch whose refresh failed, as a full discovery: what
// failed part-way is not known to be anything.
func (p *pending) requeue(b batch) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.b.full = true
	clear(p.containers)
	clear(p.networks)
	p.b.resync = p.b.resync || b.resync
	if p.b.lostWhy == "" {
		p.b.lostWhy = b.lostWhy
	}
	if !b.first.IsZero() && (p.b.first.IsZero() || b.first.Before(p.b.first)) {
		p.b.first = b.first
	}
	p.b.events += b.events
	recs := slices.Concat(b.records, p.b.records)
	p.b.dropped += b.dropped
	if len(recs) > maxRecords {
		p.b.dropped += len(recs) - maxRecords
		recs = recs[:maxRecords]
	}
	p.b.records = recs
}

// describe puts an event in words ("container web started"), naming
// containers and networks the engine did not name in the event by lookup.
func describe(r record, lookup func(typ events.Type, id string) (string, bool)) string {
	name := func(typ events.Type, id, given string) string {
		if given != "" {
			return textsafe.Clean(given)
		}
		if n, ok := lookup(typ, id); ok {
			return textsafe.Clean(n)
		}
		return textsafe.Clean(shortID(id))
	}
	switch r.typ {
	case events.ContainerEventType:
		n := name(r.typ, r.id, r.name)
		switch r.action {
		case events.ActionStart:
			return "container " + n + " started"
		case events.ActionDie:
			if r.exitCode != "" {
				return fmt.Sprintf("container %s died (exit code %s)", n, textsafe.CleanN(r.exitCode, 8))
			}
			return "container " + n + " died"
		case events.ActionStop:
			return "container " + n + " stopped"
		case events.ActionDestroy:
			return "container " + n + " removed"
		case events.ActionRename:
			return "container " + textsafe.Clean(r.oldName) + " renamed to " + n
		case events.ActionPause:
			return "container " + n + " paused"
		case events.ActionUnPause:
			return "container " + n + " unpaused"
		case events.ActionRestart:
			return "container " + n + " restarted"
		}
	case events.NetworkEventType:
		n := name(r.typ, r.id, r.name)
		switch r.action {
		case events.ActionCreate:
			return "network " + n + " created"
		case events.ActionDestroy:
			return "network " + n + " removed"
		case events.ActionConnect:
			return "container " + name(events.ContainerEventType, r.container, "") + " connected to network " + n
		case events.ActionDisconnect:
			return "container " + name(events.ContainerEventType, r.container, "") + " disconnected from network " + n
		}
	}
	return textsafe.Clean(string(r.typ) + " " + string(r.action) + " " + shortID(r.id))
}

// lookupIn finds a container's or network's name by Docker ID in the
// models, newest first, then among those lately gone.
func lookupIn(gone *goneNames, models ...*graph.Model) func(events.Type, string) (string, bool) {
	return func(typ events.Type, id string) (string, bool) {
		for _, m := range models {
			if m == nil {
				continue
			}
			switch typ {
			case events.ContainerEventType:
				for _, c := range m.Containers {
					if c.DockerID == id {
						return c.Name, true
					}
				}
			case events.NetworkEventType:
				for _, n := range m.Networks {
					if n.DockerID == id {
						return n.Name, true
					}
				}
			}
		}
		if gone != nil {
			n, ok := gone.name[id]
			return n, ok
		}
		return "", false
	}
}

// maxGone bounds goneNames.
const maxGone = 256

// goneNames remembers the names of the containers and networks that left
// the model lately, for the events about them that come after the one
// that removed them (a network disconnect after the die): at most maxGone,
// the oldest forgotten first.
type goneNames struct {
	order []string          // Docker IDs, oldest first
	name  map[string]string // Docker ID → name
}

// note remembers what is in old and not in cur.
func (g *goneNames) note(old, cur *graph.Model) {
	if g.name == nil {
		g.name = map[string]string{}
	}
	add := func(id, name string) {
		if id == "" {
			return
		}
		if _, ok := g.name[id]; !ok {
			g.order = append(g.order, id)
		}
		g.name[id] = name
		for len(g.order) > maxGone {
			delete(g.name, g.order[0])
			g.order = g.order[1:]
		}
	}
	for _, c := range old.Containers {
		if !slices.ContainsFunc(cur.Containers, func(n *graph.Container) bool { return n.DockerID == c.DockerID }) {
			add(c.DockerID, c.Name)
		}
	}
	for _, n := range old.Networks {
		if !slices.ContainsFunc(cur.Networks, func(o *graph.Network) bool { return o.DockerID == n.DockerID }) {
			add(n.DockerID, n.Name)
		}
	}
}

// named lists the model IDs of the containers and networks the records
// name, in the old model or the new one.
func named(recs []record, old, cur *graph.Model) []string {
	var out []string
	for _, m := range []*graph.Model{old, cur} {
		if m == nil {
			continue
		}
		for _, r := range recs {
			ctr := r.container
			if r.typ == events.ContainerEventType {
				ctr = r.id
			}
			for _, c := range m.Containers {
				if ctr != "" && c.DockerID == ctr {
					out = append(out, string(c.ID))
				}
			}
			if r.typ == events.NetworkEventType {
				for _, n := range m.Networks {
					if n.DockerID == r.id {
						out = append(out, string(n.ID))
					}
				}
			}
		}
	}
	return out
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
