package probe

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"text/tabwriter"
	"time"

	"github.com/netviz/netviz/internal/textsafe"
)

// ANSI colours for a terminal.
const (
	ansiGreen = "\x1b[32m"
	ansiGrey  = "\x1b[90m"
	ansiRed   = "\x1b[1;31m"
	ansiReset = "\x1b[0m"
)

// WriteTable writes a matrix as a table a person reads: one line per client
// and target address, what happened, and why the model expected it.
// Contradictions are marked UNEXPECTED. With color (a terminal), results are
// green, grey or red.
func WriteTable(w io.Writer, m *Matrix, color bool) error {
	c := m.Counts()
	fmt.Fprintf(w, "reach on %s: %d pairs in %s — %d reached, %d blocked, %d not measured, %d failed, %d unexpected\n\n",
		textsafe.CleanN(m.Host, 0), c.Pairs, m.Elapsed.Round(time.Millisecond), c.Reached, c.Blocked, c.NotMeasured, c.Failed, c.Unexpected)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLIENT\tTARGET\tADDRESS\tRESULT\tRTT\tWHY")
	prev := ""
	for _, cell := range m.Cells {
		client := cell.Client
		if client == prev {
			client = ""
		}
		prev = cell.Client
		result := string(cell.Measured.Outcome)
		if !cell.Agrees {
			result += "  UNEXPECTED (model: " + expectWord(cell.Expected.Reachable) + ")"
		}
		if color {
			// Pad before colouring: tabwriter counts the escape bytes.
			c := ansiGrey
			switch {
			case !cell.Agrees:
				c = ansiRed
			case cell.Measured.Outcome == Reached:
				c = ansiGreen
			}
			result = c + fmt.Sprintf("%-11s", result) + ansiReset
		}
		rtt := ""
		if cell.Measured.RTT > 0 {
			rtt = fmt.Sprintf("%.2fms", float64(cell.Measured.RTT)/float64(time.Millisecond))
		}
		why := cell.Expected.Detail
		if cell.Measured.Detail != "" && cell.Measured.Outcome != NotMeasured {
			why += " [" + cell.Measured.Detail + "]"
		}
		// Names and reasons come from the model (names people chose):
		// escaped before they reach a terminal, colour added after.
		clean := func(s string) string { return textsafe.CleanN(s, 0) }
		fmt.Fprintf(tw, "%s\t%s@%s\t%s\t%s\t%s\t%s\n", clean(client), clean(cell.Target), clean(cell.Network), cell.Addr, result, rtt, clean(why))
	}
	return tw.Flush()
}

func expectWord(reachable bool) string {
	if reachable {
		return "reachable"
	}
	return "blocked"
}

// WriteJSON writes a matrix or report as indented JSON (their "schema" field
// names the version).
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WritePcap writes captured frames as a classic pcap file (Ethernet).
func WritePcap(w io.Writer, frames []Frame) error {
	pw := pcapgo.NewWriterNanos(w)
	if err := pw.WriteFileHeader(65536, layers.LinkTypeEthernet); err != nil {
		return err
	}
	for _, f := range frames {
		ci := f.Info
		ci.CaptureLength = len(f.Data)
		if ci.Length < ci.CaptureLength {
			ci.Length = ci.CaptureLength
		}
		if err := pw.WritePacket(ci, f.Data); err != nil {
			return err
		}
	}
	return nil
}
