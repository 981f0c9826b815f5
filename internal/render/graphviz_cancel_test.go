package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// bigDOT is a graph dot takes seconds to lay out: clusters chained by edges
// that cross them (400 clusters: about 4 s on a 2-core VM; 1000: minutes).
func bigDOT(clusters int) []byte {
	var b bytes.Buffer
	b.WriteString("digraph big {\n")
	for i := range clusters {
		fmt.Fprintf(&b, "  subgraph cluster_%d { n%d_a -> n%d_b; n%d_b -> n%d_c }\n  n%d_c -> n%d_a\n",
			i, i, i, i, i, i, (i*7+1)%clusters)
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// stopsInTime runs layoutDOT on dot with ctx, which is done at the latest
// at doneBy, and checks that it returned want within a second of that and
// wrote nothing.
func stopsInTime(t *testing.T, ctx context.Context, doneBy time.Time, dot []byte, want error) {
	t.Helper()
	var out bytes.Buffer
	ended := make(chan error, 1)
	go func() { ended <- layoutDOT(ctx, &out, dot, FormatSVG) }()
	select {
	case err := <-ended:
		late := time.Since(doneBy)
		t.Logf("returned %v after the context was done", late.Round(time.Millisecond))
		if late > time.Second {
			t.Errorf("returned %v after the context was done, want under 1s", late.Round(time.Millisecond))
		}
		if !errors.Is(err, want) {
			t.Fatalf("layout ended with %v, want %v", err, want)
		}
		if out.Len() != 0 {
			t.Errorf("a stopped layout wrote %d bytes", out.Len())
		}
	case <-time.After(time.Until(doneBy) + 10*time.Second):
		t.Fatal("layout still running 10s after its context was done")
	}
}

// TestLayoutStopsOnCancel: Ctrl-C or SIGTERM (cancel) and --timeout
// (deadline) end a drawing of a big graph within a second, with the
// context's error and no output, and the next drawing in the same process
// still works.
func TestLayoutStopsOnCancel(t *testing.T) {
	// Fill the compilation cache first (a cold compile takes a second or
	// more), so the stop below falls in the layout.
	if err := layoutDOT(context.Background(), &bytes.Buffer{}, []byte("digraph { a -> b }"), FormatSVG); err != nil {
		t.Fatal(err)
	}
	dot := bigDOT(400)
	const after = 300 * time.Millisecond

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelAt := time.Now().Add(after)
	time.AfterFunc(after, cancel)
	stopsInTime(t, ctx, cancelAt, dot, context.Canceled)

	deadline := time.Now().Add(after)
	ctx, cancel = context.WithDeadline(context.Background(), deadline)
	defer cancel()
	stopsInTime(t, ctx, deadline, dot, context.DeadlineExceeded)

	start := time.Now()
	var again bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- layoutDOT(context.Background(), &again, []byte(`digraph { web -> db; db -> cache }`), FormatSVG)
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("drawing after a stopped one: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("drawing after a stopped one did not end in a minute")
	}
	t.Logf("the next drawing took %v", time.Since(start).Round(time.Millisecond))
	if !bytes.Contains(again.Bytes(), []byte("<svg")) || !bytes.Contains(again.Bytes(), []byte(">cache<")) {
		t.Errorf("drawing after a stopped one is not the picture:\n%s", again.Bytes())
	}
}
