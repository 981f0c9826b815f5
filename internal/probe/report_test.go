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

// sampleReport is one client of the round-robin exercise: two answers, one
// reached, one silent and seen to stop at its veth.
func sampleReport() *Report {
	a := netip.MustParseAddr
	return &Report{Target: "alicek106", Elapsed: 1234 * time.Millisecond, Clients: []ClientReport{{
		Client: "ping", Via: "embedded-dns", Answers: []netip.Addr{a("172.18.0.2"), a("172.18.0.3")},
		Lookups:      []Lookup{{Answers: []netip.Addr{a("172.18.0.3"), a("172.18.0.2")}}, {Answers: []netip.Addr{a("172.18.0.2"), a("172.18.0.3")}}},
		FirstAnswers: map[string]int{"172.18.0.2": 1, "172.18.0.3": 1},
		Pings: []EchoResult{{Addr: a("172.18.0.2"), Outcome: Reached, Attempts: 3, Received: 3, RTT: 200 * time.Microsecond},
			{Addr: a("172.18.0.3"), Outcome: Timeout, Attempts: 6}},
		Paths: []PathReport{{Addr: a("172.18.0.3"), Plan: make([]Point, 5), Hops: Hops{Request: []string{"ping eth0", "veth1"}, StoppedAfter: "veth1"}},
			{Addr: a("172.18.0.2"), Plan: make([]Point, 5), Hops: Hops{Request: []string{"ping eth0", "veth0"}, Reply: []string{"veth0", "ping eth0"}}},
			{Addr: a("172.18.0.4"), Plan: make([]Point, 5)}},
	}, {
		Client: "wordpress", Via: "hosts", Answers: []netip.Addr{a("172.17.0.2")},
	}, {
		Client: "lonely", Via: "embedded-dns",
	}, {
		Client: "gone", Via: "address", Err: "container exited",
	}}}
}

func TestWriteReport(t *testing.T) {
	var out [2]bytes.Buffer // plain, then coloured for a terminal
	for i := range out {
		if err := WriteReport(&out[i], sampleReport(), i == 1); err != nil {
			t.Fatal(err)
		}
	}
	plain, color := &out[0], &out[1]
	for _, want := range []string{"via Docker's DNS 127.0.0.11", "2 queries, answers: 172.18.0.2 172.18.0.3",
		"172.18.0.2 ×1, 172.18.0.3 ×1", "reached avg 0.20ms, 3/3 replies (0% loss)", "timeout, 0/6 replies (100% loss)",
		"ping eth0 → veth1  ✗ stopped after veth1", "↩ reply seen at 2 of 5 points", "172.18.0.4      not seen on any capture point",
		"wordpress  via /etc/hosts (--link)\n  answers: 172.17.0.2", "lonely  via Docker's DNS 127.0.0.11\n  no answer",
		"gone  via no lookup: an address\n  error: container exited"} {
		if !strings.Contains(plain.String(), want) {
			t.Errorf("probe output lacks %q:\n%s", want, plain.String())
		}
	}
	if strings.Contains(plain.String(), "\x1b[") || !strings.Contains(color.String(), "\x1b[32m") {
		t.Error("colour must appear on a terminal only")
	}
	testkit.Golden(t, filepath.Join("testdata", "TestWriteReport", "plain.golden"), plain.Bytes())
	testkit.Golden(t, filepath.Join("testdata", "TestWriteReport", "color.golden"), color.Bytes())
}

// TestWriteReportEscapes: TARGET as the user typed it, and the names and
// errors of the model, reach the terminal escaped and cut short; only
// netviz's own colour codes remain.
func TestWriteReportEscapes(t *testing.T) {
	evil := "\x1b[2J\x1b]0;pwned\x07" + strings.Repeat("A", 10*1024)
	var b bytes.Buffer
	if err := WriteReport(&b, &Report{Target: evil, Clients: []ClientReport{{Client: "c\x1b[31m", Via: "hosts", Err: "boom \x1b[2J"}}}, true); err != nil {
		t.Fatal(err)
	}
	if s := strings.NewReplacer("\x1b[1m", "", "\x1b[0m", "", "\x1b[31m", "", "\x1b[32m", "").Replace(b.String()); strings.ContainsAny(s, "\x1b\x07") {
		t.Errorf("probe report: %.300q", b.String())
	}
	if !strings.Contains(b.String(), `probe \x1b[2J\x1b]0;pwned\aAAA`) || strings.Contains(b.String(), strings.Repeat("A", 1000)) {
		t.Errorf("probe header: %.300q", b.String())
	}
}
