package reach

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/textsafe"
)

// MaxPairTable is the largest matrix printed pair by pair; bigger ones print
// by class.
const MaxPairTable = 2500

// WritePrediction writes the predicted reachability of x, as `netviz sim
// --reach` prints it: every pair up to MaxPairTable pairs, client classes ×
// networks beyond; a table, or JSON with "schema": "netviz/predict/v1".
func WritePrediction(w io.Writer, x *graph.Index, asJSON bool) error {
	cm := PredictClasses(x)
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if cm.Pairs <= MaxPairTable {
			return enc.Encode(map[string]any{"schema": "netviz/predict/v1", "pairs": cm.Expand(x)})
		}
		return enc.Encode(map[string]any{"schema": "netviz/predict/v1", "classes": cm})
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	if cm.Pairs <= MaxPairTable {
		fmt.Fprintf(w, "predicted reach: %d pairs (%d client classes)\n\n", cm.Pairs, len(cm.Classes))
		fmt.Fprintln(tw, "CLIENT\tTARGET\tADDRESS\tEXPECTED\tWHY")
		prev := ""
		for _, p := range cm.Expand(x) {
			client := p.Client
			if client == prev {
				client = ""
			}
			prev = p.Client
			fmt.Fprintf(tw, "%s\t%s@%s\t%s\t%s\t%s\n", clean(client), clean(p.Target), clean(p.Network), p.Addr, expectWord(p.Expect), clean(p.Expect.Detail))
		}
		return tw.Flush()
	}
	fmt.Fprintf(w, "predicted reach: %d pairs in %d client classes × networks\n\n", cm.Pairs, len(cm.Classes))
	fmt.Fprintln(tw, "CLASS\tMEMBERS\tNETWORK\tADDRESSES\tEXPECTED\tWHY")
	for _, c := range cm.Cells {
		cl := cm.Classes[c.Class]
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%s\n", clean(cl.Key), len(cl.Members), clean(c.Network), c.Targets, expectWord(c.Expect), clean(c.Expect.Detail))
	}
	return tw.Flush()
}

// clean escapes what a table prints from the model (names a scenario
// chose) for the terminal.
func clean(s string) string { return textsafe.CleanN(s, 0) }

// expectWord is the EXPECTED column: where the packet would go.
func expectWord(e Expectation) string {
	switch {
	case !e.Local:
		return "leaves host"
	case e.Reachable:
		return "reachable"
	}
	return "blocked"
}
