package probe

import (
	"bytes"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/internal/reach"
	"github.com/netviz/netviz/internal/testkit"
)

func sampleMatrix() *Matrix {
	a := netip.MustParseAddr
	return &Matrix{Schema: MatrixSchema, Host: "vm", Elapsed: 420 * time.Millisecond, Cells: []Cell{
		{Client: "ping", Target: "c1", Network: "mybridge", Addr: a("172.18.0.2"), Agrees: true,
			Expected: reach.Expectation{Reachable: true, Reason: reach.SameNetwork, Detail: "both on mybridge", Local: true},
			Measured: EchoResult{Outcome: Reached, RTT: 150 * time.Microsecond, Attempts: 1}},
		{Client: "ping", Target: "web", Network: "bridge", Addr: a("172.17.0.3"), Agrees: true,
			Expected: reach.Expectation{Reason: reach.IsolatedBridges, Detail: "different bridges", Local: true},
			Measured: EchoResult{Outcome: Timeout, Attempts: 2}},
		{Client: "q1", Target: "q2", Network: "noicc", Addr: a("172.20.0.3"), Agrees: false,
			Expected: reach.Expectation{Reason: reach.ICCDisabled, Detail: "icc off", Local: true},
			Measured: EchoResult{Outcome: Reached, Attempts: 1}},
	}}
}

func TestWriteTable(t *testing.T) {
	var plain, color bytes.Buffer
	if err := WriteTable(&plain, sampleMatrix(), false); err != nil {
		t.Fatal(err)
	}
	if err := WriteTable(&color, sampleMatrix(), true); err != nil {
		t.Fatal(err)
	}
	p := plain.String()
	for _, want := range []string{"3 pairs in 420ms — 2 reached, 1 blocked, 0 not measured, 0 failed, 1 unexpected",
		"c1@mybridge", "0.15ms", "UNEXPECTED (model: blocked)", "different bridges"} {
		if !strings.Contains(p, want) {
			t.Errorf("table lacks %q:\n%s", want, p)
		}
	}
	if strings.Contains(p, "\x1b[") {
		t.Error("colour codes in plain output")
	}
	if !strings.Contains(color.String(), ansiGreen) || !strings.Contains(color.String(), ansiRed) {
		t.Error("no colour on a terminal")
	}
	// The client is named once per group of rows.
	if strings.Count(p, "ping ") != 1 {
		t.Errorf("client repeated:\n%s", p)
	}
}


// TestReportGolden pins the table and JSON of a matrix.
func TestReportGolden(t *testing.T) {
	for _, f := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"matrix.table", func(b *bytes.Buffer) error { return WriteTable(b, sampleMatrix(), false) }},
		{"matrix.json", func(b *bytes.Buffer) error { return WriteJSON(b, sampleMatrix()) }},
	} {
		var buf bytes.Buffer
		if err := f.write(&buf); err != nil {
			t.Fatal(err)
		}
		testkit.Golden(t, filepath.Join("testdata", "TestReportGolden", f.name+".golden"), buf.Bytes())
	}
}
