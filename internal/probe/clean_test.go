package probe

import (
	"bytes"
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/reach"
)

const evil = "\x1b[2J\x1b]0;pwned\x07"

// TestEchoedTargetIsClean: a 10 KB TARGET with terminal escapes is quoted
// escaped and cut short in the error that names it.
func TestEchoedTargetIsClean(t *testing.T) {
	var asked []string
	target := evil + strings.Repeat("A", 10*1024)
	_, err := Probe(context.Background(), seedModel(t), target, fakeEnv(t, &asked), TargetOptions{})
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\x1b\x07") || strings.Contains(msg, strings.Repeat("A", 200)) || !strings.Contains(msg, `no container resolves "\x1b[2J`) {
		t.Errorf("message %.300q", msg)
	}
	_, err = Probe(context.Background(), seedModel(t), "alicek106", fakeEnv(t, &asked), TargetOptions{From: []string{target}})
	if err == nil || strings.ContainsAny(err.Error(), "\x1b\x07") || len(err.Error()) > 300 {
		t.Errorf("--from: %.300q", err)
	}
}

// TestTableIsClean: names in the model (an alias or network a container's
// creator chose) reach the reach table escaped; netviz's own colours stay.
func TestTableIsClean(t *testing.T) {
	m := &Matrix{Host: "h" + evil, Cells: []Cell{{
		Client: "c" + evil, Target: "t" + evil, Network: "n" + evil, Addr: netip.MustParseAddr("172.18.0.2"),
		Expected: reach.Expectation{Reachable: true, Local: true, Detail: "both on n" + evil},
		Measured: EchoResult{Outcome: Reached}, Agrees: true,
	}}}
	for _, color := range []bool{false, true} {
		var b bytes.Buffer
		if err := WriteTable(&b, m, color); err != nil {
			t.Fatal(err)
		}
		out := strings.NewReplacer(ansiGreen, "", ansiGrey, "", ansiRed, "", ansiReset, "").Replace(b.String())
		if strings.ContainsAny(out, "\x1b\x07") || !strings.Contains(out, `c\x1b[2J\x1b]0;pwned\a`) {
			t.Errorf("color %v: %q", color, b.String())
		}
	}
}
