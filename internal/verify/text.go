package verify

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/netviz/netviz/internal/textsafe"
)

// WriteText writes a report as `netviz verify` prints it: the agreement,
// checks agreed per kind, then every difference. elapsed is how long the
// whole verification took.
func WriteText(w io.Writer, rep *Report, elapsed time.Duration) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "verify %s: %d/%d checks agree (%.1f%%) in %.1fs\n", textsafe.CleanN(rep.Scenario, 256), rep.Agreed(), len(rep.Checks), rep.Percent(), elapsed.Seconds())
	counts := map[string][2]int{}
	for _, c := range rep.Checks {
		v := counts[c.Kind]
		v[1]++
		if c.OK {
			v[0]++
		}
		counts[c.Kind] = v
	}
	var kinds []string
	for k := range counts {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(&b, "  %-9s %d/%d\n", k, counts[k][0], counts[k][1])
	}
	for _, c := range rep.Checks {
		if !c.OK {
			fmt.Fprintf(&b, "  DIFFERS %s %s: simulated %q, real %q\n", c.Kind, textsafe.CleanN(c.What, 0), c.Sim, c.Live)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}
