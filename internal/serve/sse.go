package serve

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// retryMs is how soon a browser's EventSource reconnects after losing the
// stream.
const retryMs = 1000

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, code int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// stream writes Server-Sent Events to one client, each within the
// server's WriteTimeout.
type stream struct {
	w       *bufio.Writer
	rc      *http.ResponseController
	timeout time.Duration
}

func startStream(w http.ResponseWriter, timeout time.Duration) *stream {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	return &stream{w: bufio.NewWriterSize(w, 8<<10), rc: http.NewResponseController(w), timeout: timeout}
}

// event sends one event; data must be one line (JSON is).
func (s *stream) event(name string, id uint64, data []byte) error {
	if id > 0 {
		fmt.Fprintf(s.w, "id: %d\n", id)
	}
	fmt.Fprintf(s.w, "event: %s\ndata: ", name)
	s.w.Write(data)
	s.w.WriteString("\n\n")
	return s.flush()
}

// comment sends a keep-alive comment.
func (s *stream) comment(text string) error {
	s.w.WriteString(": " + text + "\n\n")
	return s.flush()
}

func (s *stream) flush() error {
	s.rc.SetWriteDeadline(time.Now().Add(s.timeout))
	if err := s.w.Flush(); err != nil {
		return err
	}
	return s.rc.Flush()
}

// snapshot is the first event of a stream, and the one a stream gets
// again whenever it fell too far behind: the whole model, and the recent
// event log.
type snapshot struct {
	Seq   uint64          `json:"seq"`
	Time  time.Time       `json:"time"`
	Model json.RawMessage `json:"model"`
	Log   []*change       `json:"log"`
	// Resync says why this snapshot came: "reconnect" (the client said
	// which event it saw last: LastEventID), "overflow" (it fell behind),
	// or "" for a first connection.
	Resync      string  `json:"resync,omitempty"`
	LastEventID *uint64 `json:"lastEventId,omitempty"`
}

// modelJSON is st's model encoded compactly on one line, once.
func (st *state) modelJSON() ([]byte, error) {
	return st.get("model-compact", func() ([]byte, error) {
		// Sorted already; encoding/json escapes every control character,
		// so the line has no line break in it.
		return json.Marshal(st.model)
	})
}

// events is GET /api/events: the snapshot, then one "change" per update,
// heartbeats between, until the client goes or the server stops.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	select {
	case s.streams <- struct{}{}:
		defer func() { <-s.streams }()
	default:
		w.Header().Set("Retry-After", "5")
		httpError(w, http.StatusServiceUnavailable, fmt.Sprintf("too many open event streams (%d)", cap(s.streams)))
		return
	}
	var last *uint64
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		if n, err := strconv.ParseUint(v, 10, 64); err == nil {
			last = &n
		}
	}
	c := s.hub.subscribe()
	defer s.hub.unsubscribe(c)
	ctx := r.Context()
	out := startStream(w, s.cfg.WriteTimeout)
	fmt.Fprintf(out.w, "retry: %d\n\n", retryMs)
	beat := time.NewTicker(s.cfg.Heartbeat)
	defer beat.Stop()
	if err := out.comment("netviz"); err != nil {
		return
	}
	// Wait for the first model.
	for s.hub.current() == nil {
		select {
		case <-ctx.Done():
			return
		case <-s.hub.ready:
		case <-beat.C:
			if out.comment("waiting for the first model") != nil {
				return
			}
		}
	}
	why := ""
	if last != nil {
		why = "reconnect"
	}
	sent, err := s.sendSnapshot(out, why, last)
	if err != nil {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-beat.C:
			err = out.comment("heartbeat")
		case ch := <-c.ch:
			if ch.Seq <= sent {
				continue // in the snapshot already
			}
			err = out.event("change", ch.Seq, ch.data)
			sent = ch.Seq
		case <-c.kick:
		}
		if err == nil && c.resync.Swap(false) {
			// The queue overflowed: what is in it is stale. Drop it and
			// start again from the current model.
			for len(c.ch) > 0 {
				<-c.ch
			}
			sent, err = s.sendSnapshot(out, "overflow", nil)
		}
		if err != nil {
			if !errors.Is(err, ctx.Err()) {
				s.cfg.Logf("event stream to %s dropped: %v", r.RemoteAddr, err)
			}
			return
		}
	}
}

// sendSnapshot sends the current state and returns its sequence number.
func (s *Server) sendSnapshot(out *stream, why string, last *uint64) (uint64, error) {
	st := s.hub.current()
	mj, err := st.modelJSON()
	if err != nil {
		return 0, err
	}
	data, err := json.Marshal(snapshot{Seq: st.seq, Time: st.at, Model: mj, Log: s.hub.recent(), Resync: why, LastEventID: last})
	if err != nil {
		return 0, err
	}
	return st.seq, out.event("snapshot", st.seq, data)
}
