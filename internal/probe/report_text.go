package probe

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/netviz/netviz/internal/textsafe"
)

// paint wraps s in an ANSI colour when color is on (a terminal).
func paint(color bool, code, s string) string {
	if !color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// outcomeColor is the ANSI colour of a ping outcome.
func outcomeColor(o Outcome) string {
	if o == Reached {
		return "32" // green
	}
	return "31" // red
}

// WriteReport writes a probe report as `netviz probe` prints it: per
// client, how it resolved the target, every answer and which came first
// per query, each ping's outcome and the hops its packets were seen at.
// With color (a terminal) names are bold and outcomes green or red.
func WriteReport(w io.Writer, rep *Report, color bool) error {
	// TARGET is the user's, names and errors the model's: all escaped
	// (textsafe) before they reach a terminal; colour is added after.
	fmt.Fprintf(w, "probe %s from %d client(s) in %s\n", textsafe.Clean(rep.Target), len(rep.Clients), rep.Elapsed.Round(time.Millisecond))
	for _, c := range rep.Clients {
		via := map[string]string{"embedded-dns": "Docker's DNS 127.0.0.11", "hosts": "/etc/hosts (--link)", "address": "no lookup: an address"}[c.Via]
		fmt.Fprintf(w, "\n%s  via %s\n", paint(color, "1", textsafe.CleanN(c.Client, 0)), via)
		if c.Err != "" {
			fmt.Fprintf(w, "  error: %s\n", textsafe.CleanN(c.Err, 500))
		}
		if len(c.Lookups) > 0 {
			var answers []string
			for _, a := range c.Answers {
				answers = append(answers, a.String())
			}
			fmt.Fprintf(w, "  %d queries, answers: %s\n", len(c.Lookups), strings.Join(answers, " "))
			type kv struct {
				addr string
				n    int
			}
			var spread []kv
			for a, n := range c.FirstAnswers {
				spread = append(spread, kv{a, n})
			}
			sort.Slice(spread, func(i, j int) bool {
				return spread[i].n > spread[j].n || spread[i].n == spread[j].n && spread[i].addr < spread[j].addr
			})
			var parts []string
			for _, s := range spread {
				parts = append(parts, fmt.Sprintf("%s ×%d", s.addr, s.n))
			}
			fmt.Fprintf(w, "  first answer per query (what ping uses): %s\n", strings.Join(parts, ", "))
		} else if len(c.Answers) > 0 && c.Via == "hosts" {
			var answers []string
			for _, a := range c.Answers {
				answers = append(answers, a.String())
			}
			fmt.Fprintf(w, "  answers: %s\n", strings.Join(answers, " "))
		} else if len(c.Answers) == 0 && c.Err == "" {
			fmt.Fprintf(w, "  no answer\n")
		}
		for _, p := range c.Pings {
			rtt := ""
			if p.RTT > 0 {
				rtt = fmt.Sprintf(" avg %.2fms", float64(p.RTT)/float64(time.Millisecond))
			}
			detail := ""
			if p.Detail != "" {
				detail = " (" + p.Detail + ")"
			}
			fmt.Fprintf(w, "  ping %-15s %s%s, %d/%d replies (%.0f%% loss)%s\n", p.Addr, paint(color, outcomeColor(p.Outcome), string(p.Outcome)), rtt, p.Received, p.Attempts, p.Loss(), detail)
		}
		for _, p := range c.Paths {
			if len(p.Hops.Request) == 0 {
				fmt.Fprintf(w, "  path %-15s not seen on any capture point\n", p.Addr)
				continue
			}
			line := textsafe.CleanN(strings.Join(p.Hops.Request, " → "), 0)
			switch {
			case p.Hops.StoppedAfter != "":
				line += paint(color, "31", "  ✗ stopped after "+textsafe.CleanN(p.Hops.StoppedAfter, 0))
			case len(p.Hops.Reply) > 0:
				line += paint(color, "32", fmt.Sprintf("  ↩ reply seen at %d of %d points", len(p.Hops.Reply), len(p.Plan)))
			}
			fmt.Fprintf(w, "  path %-15s %s\n", p.Addr, line)
		}
	}
	return nil
}
