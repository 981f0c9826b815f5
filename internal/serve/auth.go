package serve

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
	"time"
)

// maxHeaderBytes bounds a request's line and headers.
const maxHeaderBytes = 16 << 10

// maxQuery bounds a request's query string: names and addresses only.
const maxQuery = 1024

// answerDeadline bounds the writing of one answer that is not a stream
// (a measurement's included).
const answerDeadline = 60 * time.Second

// cookieName carries the token after the first request that had it.
const cookieName = "netviz_token"

// contentSecurity keeps the page to itself: its own script and styles,
// the SVG's inline <style> and data: font, nothing from anywhere else.
const contentSecurity = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// guard wraps next with every check a request passes before it is served:
// the method, the size, the Host header (loopback servers), and the token.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurity)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			httpError(w, http.StatusMethodNotAllowed, "netviz serve answers GET only")
			return
		}
		if r.ContentLength != 0 {
			httpError(w, http.StatusRequestEntityTooLarge, "netviz serve takes no request body")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 0)
		if len(r.URL.RawQuery) > maxQuery {
			httpError(w, http.StatusRequestURITooLong, "query too long")
			return
		}
		if s.loopback && !loopbackHost(r.Host) {
			// A page elsewhere that made its own name resolve to
			// 127.0.0.1 (DNS rebinding) sends its own name here.
			httpError(w, http.StatusForbidden, "this server answers to localhost and loopback addresses only")
			return
		}
		if s.cfg.Token != "" && !s.authorized(w, r) {
			return
		}
		if r.URL.Path != "/api/events" && r.URL.Path != "/api/probe" {
			// A client that stops reading an answer does not keep its
			// connection for ever; streams set a deadline per write.
			http.NewResponseController(w).SetWriteDeadline(time.Now().Add(answerDeadline))
		}
		next.ServeHTTP(w, r)
	})
}

// authorized checks the token — in the query (then set as a cookie), the
// cookie, or an Authorization: Bearer header — and answers 401 if it is
// missing or wrong. A page request that carried it in the query is
// redirected to the same address without it, so the token stays out of
// the address bar and history.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	q := r.URL.Query()
	if tok, ok := q["token"]; ok {
		if len(tok) != 1 || !s.tokenIs(tok[0]) {
			s.unauthorized(w, "wrong token")
			return false
		}
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.cfg.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		if r.URL.Path == "/" {
			q.Del("token")
			u := *r.URL
			u.RawQuery = q.Encode()
			http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
			return false
		}
		return true
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		tok, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || !s.tokenIs(tok) {
			s.unauthorized(w, "wrong token")
			return false
		}
		return true
	}
	if c, err := r.Cookie(cookieName); err == nil && s.tokenIs(c.Value) {
		return true
	}
	s.unauthorized(w, "this server needs its token: open the address netviz serve printed (…/?token=…), or send Authorization: Bearer TOKEN")
	return false
}

func (s *Server) tokenIs(tok string) bool {
	return subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.Token)) == 1
}

func (s *Server) unauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="netviz"`)
	httpError(w, http.StatusUnauthorized, msg)
}

// loopbackHost reports whether a Host header names this machine's
// loopback: localhost or a loopback address, any port.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// httpError answers with a one-line plain-text error.
func httpError(w http.ResponseWriter, code int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write([]byte(msg + "\n"))
}
