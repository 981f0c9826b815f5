package connect

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/dockerctx"
)

// TestNoEngine: every way in fails in one line that names the engine (and
// the command) when nothing listens on its socket, and asking its version
// gives up at once. No Docker is needed: the socket does not exist.
func TestNoEngine(t *testing.T) {
	host := "unix://" + filepath.Join(t.TempDir(), "nonexistent.sock")
	ep := &dockerctx.Endpoint{Context: "broken", Host: host, Local: true}
	ctx := context.Background()

	// Root or not: nothing answers, so there is nothing to measure (a
	// socket root owns would say sudo instead).
	_, err := Live(ctx, ep, "reach")
	if _, ok := errors.AsType[*discover.EngineError](err); !ok ||
		!strings.HasPrefix(err.Error(), "netviz reach has nothing to measure: cannot reach the Docker engine at "+host+` (context "broken"; is dockerd running?`) {
		t.Errorf("Live: %v", err)
	}
	if _, err := Engine(ctx, ep); !strings.Contains(errString(err), "cannot reach the Docker engine at "+host) {
		t.Errorf("Engine: %v", err)
	}
	if _, err := Lab(ctx, ep); !strings.Contains(errString(err), "cannot reach the Docker engine at "+host) {
		t.Errorf("Lab: %v", err)
	}
	start := time.Now()
	if v := Version(ctx, ep); v != "" || time.Since(start) > 2*time.Second {
		t.Errorf("Version = %q after %s, want \"\" at once", v, time.Since(start))
	}
}

// TestLiveRefusesARemoteEngine: reach and probe measure in this machine's
// namespaces, so an engine elsewhere is refused before any connection.
func TestLiveRefusesARemoteEngine(t *testing.T) {
	ep := &dockerctx.Endpoint{Context: "far", Host: "ssh://nobody@127.0.0.1:1"}
	_, err := Live(context.Background(), ep, "probe")
	want := `netviz probe measures inside this machine's network namespaces, but the engine at ssh://nobody@127.0.0.1:1 (context "far") is not on this machine: run netviz on the engine's host`
	if errString(err) != want {
		t.Errorf("got  %s\nwant %s", errString(err), want)
	}
}

// TestCheckPrivileges: without root, one line that says sudo; as root, the
// capabilities the probes use, or a line naming the missing ones.
func TestCheckPrivileges(t *testing.T) {
	err := CheckPrivileges("verify")
	switch {
	case !discover.Root():
		if errString(err) != "netviz verify needs root (CAP_NET_RAW to ping, CAP_SYS_ADMIN to enter namespaces): run it with sudo" {
			t.Errorf("not root: %v", err)
		}
	case err != nil && !strings.Contains(err.Error(), "runs as root but without CAP_"):
		t.Errorf("root: %v", err)
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
