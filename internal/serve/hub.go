package serve

import (
	"encoding/json"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netviz/netviz/internal/graph"
)

var hostname = os.Hostname

// logSize is how many changes the event log keeps (and a snapshot
// carries).
const logSize = 200

// maxListed bounds the IDs and lines one change carries to the pages: a
// change touching more says how many more.
const maxListed = 500

// state is one model as served: its sequence number, and what has been
// drawn or encoded of it, each made once, when first asked for.
type state struct {
	seq   uint64
	model *graph.Model // sorted
	at    time.Time

	mu    sync.Mutex
	cache map[string]*cached // by kind and network
}

type cached struct {
	once sync.Once
	data []byte
	err  error
}

// maxCached bounds the drawings kept of one model (a page per network
// filter asks for its own).
const maxCached = 16

// get returns what make produces for key, made once per state; past
// maxCached keys it is made afresh every time.
func (st *state) get(key string, make func() ([]byte, error)) ([]byte, error) {
	st.mu.Lock()
	c := st.cache[key]
	if c == nil {
		if len(st.cache) >= maxCached {
			st.mu.Unlock()
			return make()
		}
		c = &cached{}
		st.cache[key] = c
	}
	st.mu.Unlock()
	c.once.Do(func() { c.data, c.err = make() })
	return c.data, c.err
}

// change is one Update as the pages see it, encoded once for every stream.
type change struct {
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	Touched []string  `json:"touched"`
	Events  []string  `json:"events"`
	// More counts the touched IDs and event lines left out (maxListed).
	More   int  `json:"more,omitempty"`
	Resync bool `json:"resync,omitempty"`
	// EventTime is when the engine emitted the change's first event.
	EventTime *time.Time `json:"eventTime,omitempty"`
	data      []byte
}

// subscriber is one open event stream: a bounded queue of changes, and a flag
// raised when the queue overflowed and the stream needs a snapshot
// instead.
type subscriber struct {
	ch     chan *change
	resync atomic.Bool
	kick   chan struct{} // cap 1: look at resync
}

// hub holds the current state and fans changes out to the clients.
type hub struct {
	queue int

	mu      sync.Mutex
	cur     *state
	clients map[*subscriber]struct{}
	log     []*change // the last logSize changes, oldest first
	ready   chan struct{}
	// dropped counts changes that did not fit a client's queue.
	dropped atomic.Uint64
}

func newHub(queue int) *hub {
	return &hub{queue: queue, clients: map[*subscriber]struct{}{}, ready: make(chan struct{})}
}

// publish makes u the current state and queues it for every client,
// without waiting for any: a full queue marks its client for a resync.
func (h *hub) publish(u Update) {
	if u.Model == nil {
		return
	}
	m := u.Model.Sorted()
	ch := &change{Time: time.Now().UTC(), Touched: clip(u.Touched), Events: clip(u.Events), Resync: u.Resync}
	ch.More = len(u.Touched) - len(ch.Touched) + len(u.Events) - len(ch.Events)
	if !u.EventTime.IsZero() {
		et := u.EventTime.UTC()
		ch.EventTime = &et
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	seq := u.Seq
	if h.cur != nil && seq <= h.cur.seq {
		seq = h.cur.seq + 1
	}
	if seq == 0 {
		seq = 1
	}
	ch.Seq = seq
	ch.data, _ = json.Marshal(ch) // strings and IDs only: cannot fail
	first := h.cur == nil
	h.cur = &state{seq: seq, model: m, at: ch.Time, cache: map[string]*cached{}}
	if len(h.log) == logSize {
		copy(h.log, h.log[1:])
		h.log = h.log[:logSize-1]
	}
	h.log = append(h.log, ch)
	for c := range h.clients {
		select {
		case c.ch <- ch:
		default:
			h.dropped.Add(1)
			c.resync.Store(true)
			select {
			case c.kick <- struct{}{}:
			default:
			}
		}
	}
	if first {
		close(h.ready)
	}
}

// clip keeps at most maxListed entries.
func clip(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list[:min(len(list), maxListed)]
}

// current is the newest state, nil before the first.
func (h *hub) current() *state {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cur
}

// recent copies the event log, oldest first.
func (h *hub) recent() []*change {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*change(nil), h.log...)
}

// subscribe registers a client; every change published after it returns
// reaches its queue (or marks it for a resync).
func (h *hub) subscribe() *subscriber {
	c := &subscriber{ch: make(chan *change, h.queue), kick: make(chan struct{}, 1)}
	h.mu.Lock()
	h.clients[c] = struct{}{}
	h.mu.Unlock()
	return c
}

func (h *hub) unsubscribe(c *subscriber) {
	h.mu.Lock()
	delete(h.clients, c)
	h.mu.Unlock()
}

// streams is how many clients are subscribed.
func (h *hub) streams() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}
