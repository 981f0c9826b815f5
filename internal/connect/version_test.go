package connect

import (
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/netviz/netviz/internal/dockerctx"
)

// TestVersionGivesUpAfterVersionWait: a local engine that accepts the
// connection but does not answer (a dockerd busy starting, a wedged one) is
// given VersionWait (200 ms), not more, before `netviz sim` falls back to
// the newest release it models. The socket is a real listener that reads
// and never writes: no Docker API is imitated.
func TestVersionGivesUpAfterVersionWait(t *testing.T) {
	if VersionWait != 200*time.Millisecond {
		t.Errorf("VersionWait = %s, want 200ms", VersionWait)
	}
	sock := filepath.Join(t.TempDir(), "silent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("no unix socket here: %v", err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { // read the request, answer nothing, close when the client does
				defer c.Close()
				buf := make([]byte, 4096)
				for {
					if _, err := c.Read(buf); err != nil {
						return
					}
				}
			}()
		}
	}()
	ep := &dockerctx.Endpoint{Context: "silent", Host: "unix://" + sock, Local: true}
	start := time.Now()
	v := Version(context.Background(), ep)
	took := time.Since(start)
	if v != "" {
		t.Errorf("Version = %q from a socket that never answers", v)
	}
	if took < VersionWait-20*time.Millisecond || took > VersionWait+800*time.Millisecond {
		t.Errorf("Version gave up after %s, want about %s", took, VersionWait)
	}
}
