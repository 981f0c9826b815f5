package main

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServeUsage: flags serve refuses before it listens, each in one line,
// exit 2, nothing on stdout.
func TestServeUsage(t *testing.T) {
	alias := filepath.Join("..", "..", "internal", "lab", "labs", "alias.sh")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no token off loopback", []string{"serve", "--listen", "0.0.0.0:7077", "--no-token"}, "--no-token: only with a loopback --listen"},
		{"no token, every address", []string{"serve", "--listen", ":7077", "--no-token"}, "--no-token: only with a loopback --listen"},
		{"no port", []string{"serve", "--listen", "127.0.0.1"}, "--listen: listen address \"127.0.0.1\": missing port in address"},
		{"a host name", []string{"serve", "--listen", "example.com:80"}, "is not an IP address"},
		{"loop without sim", []string{"serve", "--loop"}, "--step-interval and --loop go with --sim"},
		{"interval without sim", []string{"serve", "--step-interval", "1s"}, "--step-interval and --loop go with --sim"},
		{"tiny interval", []string{"serve", "--sim", alias, "--step-interval", "1ms"}, "--step-interval 1ms: must be at least 100ms"},
		{"bad detail", []string{"serve", "--sim", alias, "--detail", "huge"}, "--detail:"},
		{"missing scenario", []string{"serve", "--sim", filepath.Join(t.TempDir(), "nope.sh")}, "nope.sh"},
		{"stray argument", []string{"serve", "now"}, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, nil, tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", code, stdout, stderr, tt.want)
			}
			if n := strings.Count(strings.TrimSpace(stderr), "\n"); n > 1 {
				t.Errorf("%d lines of error:\n%s", n+1, stderr)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe to read while the command writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeSim runs `netviz serve --sim alias.sh` on a free port: it
// prints the address with its token, serves the scenario's steps to a
// client holding the token (and nothing to one without), and exits 0
// soon after its context ends (Ctrl-C).
func TestServeSim(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	alias := filepath.Join("..", "..", "internal", "lab", "labs", "alias.sh")
	go func() {
		done <- run(ctx, []string{"serve", "--sim", alias, "--listen", addr, "--step-interval", "100ms"}, &stdout, &stderr)
	}()
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		url = strings.TrimSpace(stdout.String())
	}
	if !strings.HasPrefix(url, "http://"+addr+"/?token=") {
		t.Fatalf("stdout %q, stderr %q", url, stderr.String())
	}
	token := strings.TrimPrefix(url, "http://"+addr+"/?token=")
	resp, err := http.Get("http://" + addr + "/api/model")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without the token: %s", resp.Status)
	}
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	// The stream: a snapshot, then the steps until the last (five
	// commands: seq 6).
	r := bufio.NewReader(resp.Body)
	var events []string
	for !strings.Contains(strings.Join(events, " "), `"seq":6`) {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("%v after %q", err, events)
		}
		if strings.HasPrefix(line, "event: ") || strings.HasPrefix(line, "data: ") {
			events = append(events, line[:min(len(line), 120)])
		}
	}
	resp.Body.Close()
	if !strings.HasPrefix(events[0], "event: snapshot") || !strings.Contains(strings.Join(events, " "), "network_alias_ping") {
		t.Errorf("events %q", events)
	}
	began := time.Now()
	cancel()
	select {
	case code := <-done:
		if code != exitOK && code != exitInterrupted {
			t.Errorf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(3 * time.Second):
		t.Fatal("serve still running 3 s after Ctrl-C")
	}
	t.Logf("stopped in %s; stderr:\n%s", time.Since(began).Round(time.Millisecond), stderr.String())
	if !strings.Contains(stderr.String(), "simulation") {
		t.Errorf("stderr does not say measurements are off: %s", stderr.String())
	}
}
