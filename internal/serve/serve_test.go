package serve

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestCheckListen(t *testing.T) {
	tests := []struct {
		addr     string
		loopback bool
		err      string
	}{
		{"127.0.0.1:7077", true, ""},
		{"127.1.2.3:80", true, ""},
		{"[::1]:7077", true, ""},
		{"localhost:7077", true, ""},
		{"0.0.0.0:7077", false, ""},
		{":7077", false, ""},
		{"[::]:7077", false, ""},
		{"192.0.2.10:7077", false, ""},
		{"127.0.0.1", false, "missing port"},
		{"127.0.0.1:http", true, ""},
		{"127.0.0.1:99999", false, "not a port number"},
		{"127.0.0.1:", false, "not a port number"},
		{"example.com:7077", false, "not an IP address"},
		{"evil\x1bx:1", false, `"evil\x1bx"`},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			lo, err := CheckListen(tt.addr)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want one saying %q", err, tt.err)
				}
				if strings.ContainsRune(err.Error(), '\x1b') {
					t.Errorf("raw escape in %q", err)
				}
				return
			}
			if err != nil || lo != tt.loopback {
				t.Errorf("loopback %v, %v; want %v", lo, err, tt.loopback)
			}
		})
	}
}

// TestNonLoopbackNeedsToken: a server other machines can reach is refused
// at configuration time unless it has a token.
func TestNonLoopbackNeedsToken(t *testing.T) {
	src := pushSource(make(chan Update))
	tests := []struct {
		listen, token string
		ok            bool
	}{
		{"0.0.0.0:7077", "", false},
		{":7077", "", false},
		{"[::]:7077", "", false},
		{"192.0.2.10:7077", "", false},
		{"0.0.0.0:7077", "t0k3n", true},
		{"127.0.0.1:7077", "", true},
		{"[::1]:7077", "", true},
		{"", "", true}, // DefaultListen
	}
	for _, tt := range tests {
		_, err := New(Config{Listen: tt.listen, Token: tt.token, Source: src})
		if (err == nil) != tt.ok {
			t.Errorf("New(listen %q, token %q): %v, want ok=%v", tt.listen, tt.token, err, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "needs a token") {
			t.Errorf("listen %q: %v", tt.listen, err)
		}
	}
}

func TestNewToken(t *testing.T) {
	a, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewToken()
	if len(a) != 43 || a == b || strings.ContainsAny(a, "+/=") {
		t.Errorf("tokens %q %q", a, b)
	}
}

// TestTokenNonLoopback: a server listening on every address answers 401
// without its token, and 200 with it in each of the three places.
func TestTokenNonLoopback(t *testing.T) {
	src := pushSource(make(chan Update, 1))
	r := start(t, Config{Listen: "0.0.0.0:0", Token: "s3cret-token", Source: src})
	if r.loopback {
		t.Fatal("0.0.0.0 taken for loopback")
	}
	src <- labFrames(t, "alias")[1]
	r.waitSeq(t, 1)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		name, path string
		header     http.Header
		code       int
		cookie     bool   // the answer sets the cookie
		location   string // the answer redirects there
	}{
		{"nothing", "/api/model", nil, 401, false, ""},
		{"nothing, the page", "/", nil, 401, false, ""},
		{"wrong query token", "/api/model?token=guess", nil, 401, false, ""},
		{"wrong bearer", "/api/model", http.Header{"Authorization": {"Bearer guess"}}, 401, false, ""},
		{"basic auth is not a token", "/api/model", http.Header{"Authorization": {"Basic czNjcmV0LXRva2Vu"}}, 401, false, ""},
		{"wrong cookie", "/api/model", http.Header{"Cookie": {cookieName + "=guess"}}, 401, false, ""},
		{"query token on the page: cookie, then the address without it", "/?token=s3cret-token&network=mybridge", nil, 303, true, "/?network=mybridge"},
		{"query token on the API", "/api/model?token=s3cret-token", nil, 200, true, ""},
		{"bearer", "/api/model", http.Header{"Authorization": {"Bearer s3cret-token"}}, 200, false, ""},
		{"cookie", "/api/model", http.Header{"Cookie": {cookieName + "=s3cret-token"}}, 200, false, ""},
		{"cookie, the page", "/", http.Header{"Cookie": {cookieName + "=s3cret-token"}}, 200, false, ""},
		{"cookie, the stream", "/api/info", http.Header{"Cookie": {cookieName + "=s3cret-token"}}, 200, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, r.base+tt.path, nil)
			for k, v := range tt.header {
				req.Header[k] = v
			}
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.code {
				t.Fatalf("%s, want %d: %s", resp.Status, tt.code, body)
			}
			if tt.code == 401 && (resp.Header.Get("WWW-Authenticate") == "" || strings.Contains(string(body), "s3cret")) {
				t.Errorf("401 without WWW-Authenticate, or with the token in it: %s", body)
			}
			var set *http.Cookie
			for _, c := range resp.Cookies() {
				if c.Name == cookieName {
					set = c
				}
			}
			if tt.cookie != (set != nil) {
				t.Fatalf("cookie %v, want %v", set, tt.cookie)
			}
			if set != nil && (!set.HttpOnly || set.SameSite != http.SameSiteStrictMode || set.Value != "s3cret-token" || set.Path != "/") {
				t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, Path=/", set)
			}
			if loc := resp.Header.Get("Location"); loc != tt.location {
				t.Errorf("Location %q, want %q", loc, tt.location)
			}
		})
	}
	if u := r.URL(); !strings.HasSuffix(u, "/?token=s3cret-token") || strings.Contains(u, "0.0.0.0") {
		t.Errorf("URL %s: want this host's name and the token", u)
	}
}

// TestGuard: what every request passes before it is served.
func TestGuard(t *testing.T) {
	src := pushSource(make(chan Update, 1))
	r := start(t, Config{Source: src})
	src <- labFrames(t, "alias")[1]
	r.waitSeq(t, 1)
	long := strings.Repeat("a", maxQuery)
	tests := []struct {
		name, method, path, host, body string
		code                           int
	}{
		{"GET", "GET", "/api/model", "", "", 200},
		{"HEAD", "HEAD", "/api/svg", "", "", 200},
		{"HEAD of the stream does not open it", "HEAD", "/api/events", "", "", 200},
		{"HEAD of a measurement does not run it", "HEAD", "/api/reach?to=nobody", "", "", 200},
		{"POST", "POST", "/api/model", "", "", 405},
		{"PUT", "PUT", "/", "", "", 405},
		{"DELETE", "DELETE", "/api/events", "", "", 405},
		{"a body", "GET", "/api/model", "", "x", 413},
		{"a long query", "GET", "/api/model?network=" + long, "", "", 414},
		{"a host of another name (DNS rebinding)", "GET", "/api/model", "evil.example:7077", "", 403},
		{"a private address for a host", "GET", "/api/model", "192.168.1.5:7077", "", 403},
		{"localhost", "GET", "/api/model", "localhost:7077", "", 200},
		{"LOCALHOST", "GET", "/api/model", "LOCALHOST", "", 200},
		{"::1", "GET", "/api/model", "[::1]:7077", "", 200},
		{"127.0.0.2", "GET", "/api/model", "127.0.0.2", "", 200},
		{"no such page", "GET", "/etc/passwd", "", "", 404},
		{"no listing", "GET", "/web/", "", "", 404},
		{"an unknown network", "GET", "/api/svg?network=nope", "", "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, _ := http.NewRequest(tt.method, r.base+tt.path, body)
			if tt.host != "" {
				req.Host = tt.host
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.code {
				t.Fatalf("%s, want %d: %s", resp.Status, tt.code, b)
			}
			if resp.Header.Get("Content-Security-Policy") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("security headers missing: %v", resp.Header)
			}
		})
	}
	// Headers past MaxHeaderBytes: refused by the server itself.
	req, _ := http.NewRequest("GET", r.base+"/api/info", nil)
	req.Header.Set("X-Big", strings.Repeat("b", 2*maxHeaderBytes))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("%d KiB of headers: %s, want 431", 2*maxHeaderBytes>>10, resp.Status)
	}
}

// TestHalfSentRequest: a client that never finishes its headers is cut
// off (ReadHeaderTimeout), not kept forever.
func TestHalfSentRequest(t *testing.T) {
	t.Parallel()
	r := start(t, Config{Source: pushSource(nil)})
	conn, err := net.Dial("tcp", strings.TrimPrefix(r.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /api/info HTTP/1.1\r\nHost: 127.0.0.1\r\n")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	io.ReadAll(conn)
	if d := time.Since(start); d > 7*time.Second {
		t.Errorf("a half-sent request kept its connection %s", d)
	}
}

// TestPageAssets: the page and its script and styles are embedded and
// reach for nothing outside the server.
func TestPageAssets(t *testing.T) {
	s, err := New(Config{Source: pushSource(nil)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, ctype, has string }{
		{"/", "text/html", `<script src="app.js"`},
		{"/app.js", "javascript", "EventSource"},
		{"/app.css", "text/css", "#stage"},
	} {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "http://127.0.0.1"+tt.path, nil))
		body := rec.Body.String()
		if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Type"), tt.ctype) || !strings.Contains(body, tt.has) {
			t.Errorf("%s: %d %s, want %s with %q", tt.path, rec.Code, rec.Header().Get("Content-Type"), tt.ctype, tt.has)
		}
		for _, bad := range []string{"http://", "https://", "//cdn", "@import"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s refers to %q: the page must work offline", tt.path, bad)
			}
		}
	}
}

// TestShutdown: a server with open event streams stops within a second
// of its context ending, and the streams end.
func TestShutdown(t *testing.T) {
	src := pushSource(make(chan Update, 1))
	s, err := New(Config{Listen: "127.0.0.1:0", Source: src})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	src <- labFrames(t, "alias")[2]
	base := "http://" + ln.Addr().String()
	var streams []*sseClient
	for range 5 {
		c := openEvents(t, context.Background(), base, nil)
		if ev, err := c.next(); err != nil || ev.Name != "snapshot" {
			t.Fatalf("first event %+v %v", ev, err)
		}
		streams = append(streams, c)
	}
	began := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Serve still running 2 s after its context ended")
	}
	took := time.Since(began)
	t.Logf("stopped in %s with %d open streams", took.Round(time.Millisecond), len(streams))
	if took > time.Second {
		t.Errorf("shutdown took %s, want under 1 s", took)
	}
	for i, c := range streams {
		if _, err := c.next(); err == nil {
			t.Errorf("stream %d still open after shutdown", i)
		}
		c.Close()
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("still listening after shutdown")
	}
}

// TestSourceFails: a source that fails stops the server with its error.
func TestSourceFails(t *testing.T) {
	s, err := New(Config{Listen: "127.0.0.1:0", Source: SourceFunc(func(ctx context.Context, emit func(Update)) error {
		return io.ErrUnexpectedEOF
	})})
	if err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	if err := s.Serve(context.Background(), ln); err != io.ErrUnexpectedEOF {
		t.Errorf("Serve: %v, want the source's error", err)
	}
}
