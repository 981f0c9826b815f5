package serve

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/render"
	"github.com/netviz/netviz/internal/textsafe"
)

//go:embed web
var webFS embed.FS

// renderTimeout bounds one drawing.
const renderTimeout = 30 * time.Second

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	web, _ := fs.Sub(webFS, "web")
	files := http.FileServerFS(web)
	mux.Handle("GET /{$}", files)
	mux.Handle("GET /app.js", files)
	mux.Handle("GET /app.css", files)
	mux.HandleFunc("GET /api/info", s.info)
	mux.HandleFunc("GET /api/model", s.picture(render.FormatJSON))
	mux.HandleFunc("GET /api/svg", s.picture(render.FormatSVG))
	mux.HandleFunc("GET /api/png", s.picture(render.FormatPNG))
	mux.HandleFunc("GET /api/events", noHead("text/event-stream", s.events))
	mux.HandleFunc("GET /api/reach", noHead("application/json", s.handleReach))
	mux.HandleFunc("GET /api/probe", noHead("text/event-stream", s.handleProbe))
	return s.guard(mux)
}

// noHead answers HEAD with the headers only: a stream is not opened, a
// measurement not run, for a request that would not read the answer.
func noHead(ctype string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			w.Header().Set("Content-Type", ctype)
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusOK)
			return
		}
		h(w, r)
	}
}

// info says what the page needs to know beyond the model.
func (s *Server) info(w http.ResponseWriter, r *http.Request) {
	type probes struct {
		Available bool   `json:"available"`
		Reason    string `json:"reason,omitempty"`
	}
	out := struct {
		Version string `json:"version"`
		Seq     uint64 `json:"seq"`
		Streams int    `json:"streams"`
		Token   bool   `json:"token"`
		Probes  probes `json:"probes"`
		Dropped uint64 `json:"dropped"`
	}{Version: s.cfg.Version, Streams: s.hub.streams(), Token: s.cfg.Token != "", Dropped: s.hub.dropped.Load()}
	if st := s.hub.current(); st != nil {
		out.Seq = st.seq
	}
	out.Probes.Available = s.cfg.Probes.available()
	out.Probes.Reason = s.cfg.Probes.offReason()
	writeJSON(w, http.StatusOK, out)
}

// picture serves the current model as f: ?network=NAME (repeatable) draws
// only those networks (graph.Subset), ?download=1 asks the browser to save
// it. Each drawing is made once per model; the X-Netviz-Seq header and the
// ETag say which model it is. Each set of filters keeps its picture's
// layout from one model to the next (render.Memory): what stays, stays
// where it was.
func (s *Server) picture(f render.Format) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st := s.hub.current()
		if st == nil {
			w.Header().Set("Retry-After", "1")
			httpError(w, http.StatusServiceUnavailable, "no model yet: discovery is still running")
			return
		}
		nets := r.URL.Query()["network"]
		if len(nets) > 8 {
			httpError(w, http.StatusBadRequest, "at most 8 networks")
			return
		}
		key := string(f) + "\x00" + strings.Join(nets, "\x00")
		etag := fmt.Sprintf(`"%d-%x"`, st.seq, fnv(key))
		h := w.Header()
		h.Set("X-Netviz-Seq", strconv.FormatUint(st.seq, 10))
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		m, err := graph.Subset(st.model, nets)
		if err != nil {
			var unknown *graph.UnknownNetworkError
			if errors.As(err, &unknown) {
				httpError(w, http.StatusNotFound, err.Error())
				return
			}
			httpError(w, http.StatusBadRequest, err.Error())
			return
		}
		data, err := st.get(key, func() ([]byte, error) {
			// Not the request's context: the drawing is shared by every
			// page that asks for it.
			ctx, cancel := context.WithTimeout(context.Background(), renderTimeout)
			defer cancel()
			var b bytes.Buffer
			opt := s.cfg.Picture
			opt.Memory = s.layout(strings.Join(nets, "\x00"))
			if err := render.RenderWith(ctx, &b, m, f, opt); err != nil {
				return nil, err
			}
			return b.Bytes(), nil
		})
		if err != nil {
			s.cfg.Logf("draw %s of model %d: %v", f, st.seq, err)
			httpError(w, http.StatusInternalServerError, "drawing failed: "+textsafe.CleanN(err.Error(), 300))
			return
		}
		h.Set("Content-Type", map[render.Format]string{
			render.FormatJSON: "application/json",
			render.FormatSVG:  "image/svg+xml",
			render.FormatPNG:  "image/png",
		}[f])
		if r.URL.Query().Get("download") != "" {
			name := "netviz-" + safeFile(st.model.Host.Name)
			if len(nets) > 0 {
				name += "-" + safeFile(strings.Join(nets, "+"))
			}
			h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%d.%s"`, name, st.seq, f))
		}
		h.Set("Content-Length", strconv.Itoa(len(data)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			w.Write(data)
		}
	}
}

// safeFile keeps letters, digits, '.', '-' and '_' of a file name part.
func safeFile(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_', r == '+':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 64 {
			break
		}
	}
	if b.Len() == 0 {
		return "host"
	}
	return strings.TrimLeft(b.String(), ".")
}

// fnv is FNV-1a of s: an ETag's tag for the drawing's key.
func fnv(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
