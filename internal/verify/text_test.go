package verify

import (
	"bytes"
	"testing"
	"time"
)

// TestWriteText: the agreement, then the checks per kind in name order,
// then every difference with both sides; names from the scenario escaped.
func TestWriteText(t *testing.T) {
	rep := &Report{Scenario: "lab:alias", Checks: []Check{
		{Kind: "dns", What: "c1 resolves alicek106", Sim: "c1,c2", Live: "c1,c2", OK: true},
		{Kind: "address", What: "c1 on mybridge", Sim: "host #2", Live: "host #2", OK: true},
		{Kind: "address", What: "c2\x1b[2J on mybridge", Sim: "host #3", Live: "host #9"},
		{Kind: "reach", What: "c1 → c2", Sim: "reached", Live: "reached", OK: true},
	}}
	var b bytes.Buffer
	if err := WriteText(&b, rep, 1520*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	want := `verify lab:alias: 3/4 checks agree (75.0%) in 1.5s
  address   1/2
  dns       1/1
  reach     1/1
  DIFFERS address c2\x1b[2J on mybridge: simulated "host #3", real "host #9"
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
