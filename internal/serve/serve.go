// Package serve is `netviz serve`: the host's network live in a browser.
//
// A Source (live discovery following the engine's events, or a replayed
// simulation) hands the server one Update per change. The server keeps the
// newest model, draws it on demand (SVG, PNG, JSON — cached per model),
// and streams the changes to every open page as Server-Sent Events: a
// snapshot first, then one "change" event per update naming what it
// touched. A client too slow to keep up is never waited for: its queue is
// bounded, and when it overflows the client is sent a fresh snapshot
// instead of the changes it missed.
//
// The page (embedded, nothing fetched from elsewhere) shows the picture,
// highlights what changed, and runs netviz's own bounded measurements on
// the model's own containers: reach restricted to one container's row or
// column, and probe from one container — one at a time per server, a few
// per minute per client.
//
// Every request is checked: only GET and HEAD, no body, headers within
// MaxHeaderBytes, and a token when one is set (always for an address other
// than loopback). On a loopback address the Host header must name a
// loopback host too, so a web page cannot reach the server by DNS
// rebinding.
package serve

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/render"
	"github.com/netviz/netviz/internal/textsafe"
)

// DefaultListen is where the server listens unless told otherwise.
const DefaultListen = "127.0.0.1:7077"

// Update is one new state of the host: a sequence number, the whole model
// after a change, the IDs of the model objects the change touched (graph
// IDs: "ctr:web", "net:mybridge", interface IDs…), the change in words for
// the event log, and whether the producer lost track and this is a fresh
// start rather than a delta (Resync). EventTime, when known, is when the
// engine emitted the earliest event the update follows; the change event
// carries it, so a page can tell its latency from the engine's event.
// The fields are watch.Update's, by the same names.
type Update struct {
	Seq       uint64
	Model     *graph.Model
	Touched   []string
	Events    []string
	Resync    bool
	EventTime time.Time
}

// Source produces the host's states. Run calls emit with the first model as
// soon as it has one and then once per change, from one goroutine, until
// ctx is done — it then returns nil or ctx's error — or until it fails.
// emit returns at once (it fans out without waiting for any client) and
// keeps the Model: the source must not change a model after emitting it.
type Source interface {
	Run(ctx context.Context, emit func(Update)) error
}

// SourceFunc makes a function a Source.
type SourceFunc func(ctx context.Context, emit func(Update)) error

// Run calls f.
func (f SourceFunc) Run(ctx context.Context, emit func(Update)) error { return f(ctx, emit) }

// Config is what a Server serves and how.
type Config struct {
	// Listen is the host:port to listen on (DefaultListen when empty). A
	// host is an IP address or "localhost"; an empty host is every
	// address.
	Listen string
	// Token, when not empty, is required on every request (NewToken makes
	// one). An address other than loopback must have one.
	Token string
	// Source produces the models.
	Source Source
	// Probes runs measurements; nil or Probes.Off set: reach answers with
	// the model's prediction only, probe is refused.
	Probes *Probes
	// Picture is how /api/svg and /api/png draw the model.
	Picture render.Options
	// Version is netviz's, shown by /api/info.
	Version string

	// Heartbeat is the time between keep-alive comments on an event
	// stream (15 s when 0); ClientQueue how many changes a stream may lag
	// behind before it is resynchronised instead (64 when 0); MaxStreams
	// how many event streams may be open at once (64 when 0);
	// WriteTimeout how long one write to a client may take before the
	// client is dropped (10 s when 0).
	Heartbeat    time.Duration
	ClientQueue  int
	MaxStreams   int
	WriteTimeout time.Duration
	// Logf, if set, is told about dropped clients and failed renders.
	Logf func(format string, args ...any)
}

// Server serves one Source. Make it with New.
type Server struct {
	cfg      Config
	loopback bool
	hub      *hub
	limiter  *limiter
	streams  chan struct{} // a slot per open event stream
	handler  http.Handler
	mu       sync.Mutex
	addr     net.Addr
	// layouts keep each view's picture in place from one model to the
	// next, a view being a set of ?network= filters (at most
	// maxLayouts of them, the least recently drawn dropped).
	layoutMu sync.Mutex
	layouts  map[string]*layoutMemory
	drawn    uint64
}

// maxLayouts bounds the views whose layouts are remembered.
const maxLayouts = 16

type layoutMemory struct {
	mem  *render.Memory
	used uint64
}

// layout is the view's layout memory.
func (s *Server) layout(view string) *render.Memory {
	s.layoutMu.Lock()
	defer s.layoutMu.Unlock()
	s.drawn++
	if l, ok := s.layouts[view]; ok {
		l.used = s.drawn
		return l.mem
	}
	if s.layouts == nil {
		s.layouts = map[string]*layoutMemory{}
	}
	if len(s.layouts) >= maxLayouts {
		oldest := ""
		for k, l := range s.layouts {
			if oldest == "" || l.used < s.layouts[oldest].used {
				oldest = k
			}
		}
		delete(s.layouts, oldest)
	}
	l := &layoutMemory{mem: &render.Memory{}, used: s.drawn}
	s.layouts[view] = l
	return l.mem
}

// NewToken returns a fresh random token: 32 bytes from crypto/rand,
// base64url.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// CheckListen parses a listen address (host:port, the host an IP address,
// "localhost", or empty for every address) and reports whether it is
// loopback only.
func CheckListen(addr string) (loopback bool, err error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		why := err.Error()
		var ae *net.AddrError
		if errors.As(err, &ae) {
			why = ae.Err
		}
		return false, fmt.Errorf("listen address %s: %s (want HOST:PORT, as in %s)", textsafe.Quote(addr), why, DefaultListen)
	}
	if p, err := net.LookupPort("tcp", port); err != nil || p < 0 || p > 65535 || port == "" {
		return false, fmt.Errorf("listen address %s: port %s is not a port number", textsafe.Quote(addr), textsafe.Quote(port))
	}
	switch host {
	case "":
		return false, nil
	case "localhost":
		return true, nil
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return false, fmt.Errorf("listen address %s: %s is not an IP address (give one: 127.0.0.1, ::1, 0.0.0.0, or an address of this host)", textsafe.Quote(addr), textsafe.Quote(host))
	}
	return ip.IsLoopback(), nil
}

// New checks cfg and makes a Server. A listen address other than loopback
// without a token is refused.
func New(cfg Config) (*Server, error) {
	if cfg.Listen == "" {
		cfg.Listen = DefaultListen
	}
	loopback, err := CheckListen(cfg.Listen)
	if err != nil {
		return nil, err
	}
	if !loopback && cfg.Token == "" {
		return nil, fmt.Errorf("listen address %s is not loopback: a server other machines can reach needs a token", textsafe.Quote(cfg.Listen))
	}
	if cfg.Source == nil {
		return nil, errors.New("serve: no source of models")
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 15 * time.Second
	}
	if cfg.ClientQueue <= 0 {
		cfg.ClientQueue = 64
	}
	if cfg.MaxStreams <= 0 {
		cfg.MaxStreams = 64
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	s := &Server{
		cfg:      cfg,
		loopback: loopback,
		hub:      newHub(cfg.ClientQueue),
		limiter:  newLimiter(probeRate, probeBurst),
		streams:  make(chan struct{}, cfg.MaxStreams),
	}
	s.handler = s.routes()
	return s, nil
}

// Handler is the server's HTTP handler, every check included.
func (s *Server) Handler() http.Handler { return s.handler }

// URL is the address to open: http://HOST:PORT/ with the token, if any, in
// the query (the page moves it into a cookie at once). An unspecified
// host (0.0.0.0, ::) is shown as this machine's name.
func (s *Server) URL() string {
	s.mu.Lock()
	addr := s.addr
	s.mu.Unlock()
	hostport := s.cfg.Listen
	if addr != nil {
		hostport = addr.String()
	}
	if host, port, err := net.SplitHostPort(hostport); err == nil {
		if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
			if name, err := hostname(); err == nil {
				hostport = net.JoinHostPort(name, port)
			}
		}
	}
	u := url.URL{Scheme: "http", Host: hostport, Path: "/"}
	if s.cfg.Token != "" {
		u.RawQuery = "token=" + url.QueryEscape(s.cfg.Token)
	}
	return u.String()
}

// Run listens on the configured address, calls ready with the URL to open,
// and serves until ctx is done (nil) or the source fails (its error).
func (s *Server) Run(ctx context.Context, ready func(url string)) error {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", s.cfg.Listen)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) {
			err = oe.Err // "bind: address already in use", without the address again
		}
		return fmt.Errorf("listen on %s: %w", textsafe.CleanN(s.cfg.Listen, 256), err)
	}
	s.mu.Lock()
	s.addr = ln.Addr()
	s.mu.Unlock()
	if ready != nil {
		ready(s.URL())
	}
	return s.Serve(ctx, ln)
}

// shutdownGrace is how long open requests get to finish once the server
// is told to stop; then their connections are closed.
const shutdownGrace = 500 * time.Millisecond

// Serve runs the source and serves on ln until ctx is done (it returns
// nil) or the source fails (it returns the source's error). Either way it
// returns within about a second: every request's context ends with ctx,
// so event streams and probes stop at once.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.mu.Lock()
	if s.addr == nil {
		s.addr = ln.Addr()
	}
	s.mu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    maxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          nil,
	}
	srcErr := make(chan error, 1)
	go func() { srcErr <- s.cfg.Source.Run(ctx, s.hub.publish) }()
	httpErr := make(chan error, 1)
	go func() { httpErr <- srv.Serve(ln) }()

	var err error
	srcDone := false
	select {
	case <-ctx.Done():
	case err = <-srcErr:
		srcDone = true
		if err == nil && ctx.Err() == nil {
			// A source that ends keeps its last model on show.
			select {
			case <-ctx.Done():
			case err = <-httpErr:
			}
		} else if ctx.Err() != nil {
			err = nil
		}
	case err = <-httpErr:
	}
	cancel()
	sctx, scancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer scancel()
	if srv.Shutdown(sctx) != nil {
		srv.Close()
	}
	if !srcDone {
		select {
		case e := <-srcErr:
			if err == nil && e != nil && !errors.Is(e, context.Canceled) {
				err = e
			}
		case <-time.After(shutdownGrace):
			s.cfg.Logf("the source did not stop within %s", shutdownGrace)
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
