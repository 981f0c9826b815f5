package watch

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/moby/moby/api/types/events"

	"github.com/netviz/netviz/internal/graph"
)

func msg(typ events.Type, action events.Action, id string, attrs map[string]string, nano int64) events.Message {
	return events.Message{Type: typ, Action: action, Actor: events.Actor{ID: id, Attributes: attrs}, TimeNano: nano}
}

func TestTouches(t *testing.T) {
	ctr, net := events.ContainerEventType, events.NetworkEventType
	tests := []struct {
		name string
		m    events.Message
		want touch
		ok   bool
	}{
		{"container start", msg(ctr, events.ActionStart, "c1", map[string]string{"name": "web"}, 1), touch{containers: []string{"c1"}}, true},
		{"container die", msg(ctr, events.ActionDie, "c1", nil, 1), touch{containers: []string{"c1"}}, true},
		{"container destroy", msg(ctr, events.ActionDestroy, "c1", nil, 1), touch{containers: []string{"c1"}}, true},
		{"container rename", msg(ctr, events.ActionRename, "c1", map[string]string{"oldName": "/a", "name": "b"}, 1), touch{containers: []string{"c1"}}, true},
		{"container pause", msg(ctr, events.ActionPause, "c1", nil, 1), touch{containers: []string{"c1"}}, true},
		{"container create changes nothing drawn", msg(ctr, events.ActionCreate, "c1", nil, 1), touch{}, false},
		{"container exec changes nothing drawn", msg(ctr, events.ActionExecStart, "c1", nil, 1), touch{}, false},
		{"a container event without its actor: read everything", msg(ctr, events.ActionStart, "", nil, 1), touch{full: true}, true},
		{"network create", msg(net, events.ActionCreate, "n1", map[string]string{"name": "front"}, 1), touch{networks: []string{"n1"}}, true},
		{"network destroy", msg(net, events.ActionDestroy, "n1", nil, 1), touch{networks: []string{"n1"}}, true},
		{"network connect: the container, not the network", msg(net, events.ActionConnect, "n1", map[string]string{"container": "c1"}, 1), touch{containers: []string{"c1"}}, true},
		{"network disconnect", msg(net, events.ActionDisconnect, "n1", map[string]string{"container": "c1"}, 1), touch{containers: []string{"c1"}}, true},
		{"network connect without its container: read everything", msg(net, events.ActionConnect, "n1", nil, 1), touch{full: true}, true},
		{"a volume event", msg(events.VolumeEventType, events.ActionCreate, "v", nil, 1), touch{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := touches(tt.m)
			if ok != tt.ok || !slices.Equal(got.containers, tt.want.containers) || !slices.Equal(got.networks, tt.want.networks) || got.full != tt.want.full {
				t.Errorf("touches = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestEventFilters: the engine is asked for every action touches maps,
// and only for containers and networks.
func TestEventFilters(t *testing.T) {
	f := eventFilters()
	if !f["type"]["container"] || !f["type"]["network"] || len(f["type"]) != 2 {
		t.Errorf("type filter %v", f["type"])
	}
	for _, a := range slices.Concat(containerActions, networkActions) {
		if !f["event"][string(a)] {
			t.Errorf("event %s not asked for", a)
		}
	}
}

func TestPendingCoalesces(t *testing.T) {
	ctr, net := events.ContainerEventType, events.NetworkEventType
	tests := []struct {
		name           string
		in             []events.Message
		wantContainers []string
		wantNetworks   []string
		wantFull       bool
		wantEvents     int
		wantRecords    int
		wantDropped    int
		wantFirst      int64
	}{
		{name: "docker run: connect then start, one container",
			in: []events.Message{
				msg(net, events.ActionConnect, "n1", map[string]string{"container": "c1", "name": "bridge"}, 20),
				msg(ctr, events.ActionStart, "c1", map[string]string{"name": "web"}, 30),
			},
			wantContainers: []string{"c1"}, wantEvents: 2, wantRecords: 2, wantFirst: 20},
		{name: "docker rm -f: die, disconnect, stop, destroy",
			in: []events.Message{
				msg(ctr, events.ActionDie, "c1", nil, 50),
				msg(net, events.ActionDisconnect, "n1", map[string]string{"container": "c1"}, 40), // out of order
				msg(ctr, events.ActionStop, "c1", nil, 60),
				msg(ctr, events.ActionDestroy, "c1", nil, 70),
			},
			wantContainers: []string{"c1"}, wantEvents: 4, wantRecords: 4, wantFirst: 40},
		{name: "irrelevant events leave nothing",
			in:         []events.Message{msg(ctr, events.ActionCreate, "c1", nil, 5), msg(events.ImageEventType, events.ActionPull, "i", nil, 5)},
			wantEvents: 0},
		{name: "containers and networks together, sorted",
			in: []events.Message{
				msg(net, events.ActionCreate, "n2", nil, 1), msg(ctr, events.ActionStart, "c2", nil, 2),
				msg(ctr, events.ActionStart, "c1", nil, 3), msg(net, events.ActionCreate, "n1", nil, 4),
			},
			wantContainers: []string{"c1", "c2"}, wantNetworks: []string{"n1", "n2"}, wantEvents: 4, wantRecords: 4, wantFirst: 1},
		{name: "a burst past maxPending objects becomes one full discovery",
			in: func() []events.Message {
				var out []events.Message
				for i := range maxPending + 1 {
					out = append(out, msg(ctr, events.ActionStart, fmt.Sprintf("c%d", i), nil, int64(100+i)))
				}
				return out
			}(),
			wantFull: true, wantEvents: maxPending + 1, wantRecords: maxRecords, wantDropped: maxPending + 1 - maxRecords, wantFirst: 100},
		{name: "an event naming nothing makes the batch full",
			in:       []events.Message{msg(ctr, events.ActionStart, "c1", nil, 9), msg(net, events.ActionConnect, "n1", nil, 10)},
			wantFull: true, wantEvents: 2, wantRecords: 2, wantFirst: 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPending()
			for _, m := range tt.in {
				p.add(m)
			}
			b := p.take()
			if !slices.Equal(b.change.Containers, tt.wantContainers) || !slices.Equal(b.change.Networks, tt.wantNetworks) {
				t.Errorf("change %+v, want containers %v networks %v", b.change, tt.wantContainers, tt.wantNetworks)
			}
			if b.full != tt.wantFull || b.events != tt.wantEvents || len(b.records) != tt.wantRecords || b.dropped != tt.wantDropped {
				t.Errorf("full %v events %d records %d dropped %d; want %v %d %d %d",
					b.full, b.events, len(b.records), b.dropped, tt.wantFull, tt.wantEvents, tt.wantRecords, tt.wantDropped)
			}
			if tt.wantFirst != 0 && b.first.UnixNano() != tt.wantFirst {
				t.Errorf("first %d, want %d", b.first.UnixNano(), tt.wantFirst)
			}
			if tt.wantEvents == 0 && !b.empty() {
				t.Error("a batch of nothing relevant is not empty")
			}
			if again := p.take(); !again.empty() {
				t.Errorf("take did not start afresh: %+v", again)
			}
			if len(p.containers)+len(p.networks) != 0 {
				t.Error("pending sets not cleared")
			}
		})
	}
}

func TestPendingResyncAndRequeue(t *testing.T) {
	p := newPending()
	p.add(msg(events.ContainerEventType, events.ActionStart, "c1", nil, 100))
	p.lost(fmt.Errorf("unexpected EOF"))
	p.lost(fmt.Errorf("connection refused")) // the first cause is kept
	p.reconnected()
	b := p.take()
	if !b.resync || b.lostWhy != "unexpected EOF" || b.empty() {
		t.Fatalf("after a reconnect: resync %v why %q", b.resync, b.lostWhy)
	}

	// A failed refresh goes back as a full one, keeping its events and
	// the earliest time, merged with what came meanwhile.
	p.add(msg(events.ContainerEventType, events.ActionDie, "c2", nil, 300))
	p.requeue(b)
	again := p.take()
	if !again.full || !again.resync || again.events != 2 || again.first.UnixNano() != 100 || len(again.records) != 2 {
		t.Errorf("requeued: full %v resync %v events %d first %d records %d",
			again.full, again.resync, again.events, again.first.UnixNano(), len(again.records))
	}
	if again.records[0].id != "c1" {
		t.Errorf("requeued records out of order: %+v", again.records)
	}

	// Requeueing never lets records grow past maxRecords.
	big := batch{records: make([]record, maxRecords), events: maxRecords}
	for range maxRecords {
		p.add(msg(events.ContainerEventType, events.ActionStart, "c3", nil, 1))
	}
	p.requeue(big)
	if got := p.take(); len(got.records) != maxRecords || got.dropped != maxRecords {
		t.Errorf("records %d dropped %d, want %d %d", len(got.records), got.dropped, maxRecords, maxRecords)
	}
}

func TestDescribe(t *testing.T) {
	old := &graph.Model{Containers: []*graph.Container{{ID: "ctr:gone", Name: "gone", DockerID: "c9"}},
		Networks: []*graph.Network{{ID: "net:back", Name: "back", DockerID: "n9"}}}
	cur := &graph.Model{Containers: []*graph.Container{{ID: "ctr:web", Name: "web", DockerID: "c1"}}}
	// Removed before: only the names of the lately gone have it.
	var gone goneNames
	gone.note(&graph.Model{Containers: []*graph.Container{{Name: "early", DockerID: "c8"}}}, &graph.Model{})
	ctr, net := events.ContainerEventType, events.NetworkEventType
	tests := []struct {
		r    record
		want string
	}{
		{record{typ: ctr, action: events.ActionStart, id: "c1", name: "web"}, "container web started"},
		{record{typ: ctr, action: events.ActionDie, id: "c1", name: "web", exitCode: "137"}, "container web died (exit code 137)"},
		{record{typ: ctr, action: events.ActionDestroy, id: "c9"}, "container gone removed"},
		{record{typ: ctr, action: events.ActionRename, id: "c1", name: "web", oldName: "www"}, "container www renamed to web"},
		{record{typ: ctr, action: events.ActionPause, id: "c1"}, "container web paused"},
		{record{typ: net, action: events.ActionCreate, id: "n1", name: "front"}, "network front created"},
		{record{typ: net, action: events.ActionDestroy, id: "n9"}, "network back removed"},
		{record{typ: net, action: events.ActionConnect, id: "n9", name: "back", container: "c1"}, "container web connected to network back"},
		{record{typ: net, action: events.ActionDisconnect, id: "n9", name: "back", container: "c9"}, "container gone disconnected from network back"},
		{record{typ: net, action: events.ActionDisconnect, id: "n9", name: "back", container: "c8"}, "container early disconnected from network back"},
		{record{typ: net, action: events.ActionDisconnect, id: "n9", name: "back", container: "0123456789abcdef"}, "container 0123456789ab disconnected from network back"},
		// Engine-given names are cleaned like any echoed input.
		{record{typ: ctr, action: events.ActionStart, id: "c5", name: "evil\x1b[2J"}, `container evil\x1b[2J started`},
	}
	for _, tt := range tests {
		if got := describe(tt.r, lookupIn(&gone, cur, old)); got != tt.want {
			t.Errorf("describe(%+v) = %q, want %q", tt.r, got, tt.want)
		}
	}
}

func TestGoneNamesBounded(t *testing.T) {
	var g goneNames
	for i := range maxGone + 10 {
		id := fmt.Sprintf("c%d", i)
		g.note(&graph.Model{Containers: []*graph.Container{{Name: "n" + id, DockerID: id}}}, &graph.Model{})
	}
	if len(g.name) != maxGone || len(g.order) != maxGone {
		t.Fatalf("%d names, %d in order; want %d", len(g.name), len(g.order), maxGone)
	}
	if _, ok := g.name["c0"]; ok {
		t.Error("the oldest name was kept")
	}
	if g.name[fmt.Sprintf("c%d", maxGone+9)] == "" {
		t.Error("the newest name was dropped")
	}
}

func TestNamed(t *testing.T) {
	old := &graph.Model{Containers: []*graph.Container{{ID: "ctr:old", DockerID: "c1"}}}
	cur := &graph.Model{Containers: []*graph.Container{{ID: "ctr:new", DockerID: "c1"}},
		Networks: []*graph.Network{{ID: "net:front", DockerID: "n1"}}}
	recs := []record{
		{typ: events.ContainerEventType, action: events.ActionRename, id: "c1"},
		{typ: events.NetworkEventType, action: events.ActionConnect, id: "n1", container: "c1"},
	}
	got := slices.Compact(slices.Sorted(slices.Values(named(recs, old, cur))))
	if want := []string{"ctr:new", "ctr:old", "net:front"}; !slices.Equal(got, want) {
		t.Errorf("named = %v, want %v", got, want)
	}
}

func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 7: maxBackoff, 100: maxBackoff} {
		if got := backoff(n); got != want {
			t.Errorf("backoff(%d) = %s, want %s", n, got, want)
		}
	}
}
