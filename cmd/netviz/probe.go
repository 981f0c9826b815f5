package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/output"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/render"
	"github.com/netviz/netviz/internal/textsafe"
)

// probeOptions are the flags of `netviz probe`.
type probeOptions struct {
	from     []string
	count    int
	timeout  time.Duration
	retries  int
	asJSON   bool
	pings    int
	deadline time.Duration
	noCap    bool
	pcap     string
	output   string
}

func newProbeCmd(stdout, stderr io.Writer) *cobra.Command {
	o := &probeOptions{}
	cmd := &cobra.Command{
		Use:   "probe TARGET",
		Short: "Resolve a name the way each container would, and ping every answer",
		Long: `Resolve TARGET (a --net-alias, a container name, a --link alias, or an IP)
from every running container that could: raw A queries to Docker's embedded
DNS at 127.0.0.11 from inside the container's namespace on user networks,
/etc/hosts (read through /proc/PID/root) for --link on the default bridge.
Shows every answer, which one came first per query (what ping would use:
Docker rotates the answers), then pings every answer from that container while
capturing on the interfaces the model says the packets cross (the client's
eth0, its host-side veth, the bridge, the target's veth and eth0), and prints
the hops each ping was seen at and where it stopped. A bridge in [brackets]
switched the frame between two of its ports, which its own socket never sees.

Nothing runs inside the containers; needs root.`,
		Example: `  # the round-robin exercise: three containers under --net-alias alicek106
  sudo netviz probe alicek106

  # one client, 12 queries, as JSON
  sudo netviz probe alicek106 --from network_alias_ping --count 12 --json

  # draw the answers and paths over the topology
  sudo netviz probe alicek106 -o probe.svg

  # a --link alias on the default bridge, packets saved for Wireshark
  sudo netviz probe mysql --from wordpress --pcap mysql.pcap`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return probeFn(cmd.Context(), args[0], o, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.from, "from", nil, "probe from this `CONTAINER` only (repeatable)")
	f.IntVar(&o.count, "count", 6, "DNS queries per client")
	f.DurationVar(&o.timeout, "timeout", 500*time.Millisecond, "wait this long for each DNS answer and each round of pings")
	f.IntVar(&o.retries, "retries", 1, "extra ping rounds for silent answers")
	f.IntVar(&o.pings, "pings", 3, "echo requests to each answer (loss and mean RTT)")
	f.DurationVar(&o.deadline, "deadline", 60*time.Second, "stop the whole probe after this long")
	f.BoolVar(&o.asJSON, "json", false, "print the report as JSON")
	f.BoolVar(&o.noCap, "no-capture", false, "do not capture packets on the path (faster, no hop path)")
	f.StringVarP(&o.output, "output", "o", "", "draw the results over the topology to `FILE` (.svg .png .dot .html)")
	f.StringVar(&o.pcap, "pcap", "", "write the captured echo packets to `FILE` (pcap, mode 0600)")
	return cmd
}

func probeFn(ctx context.Context, target string, o *probeOptions, stdout, stderr io.Writer) error {
	if err := firstError(checkRange("count", o.count, 1, 1000), checkRange("pings", o.pings, 1, 100),
		checkDuration("timeout", o.timeout), checkDuration("deadline", o.deadline), checkRange("retries", o.retries, 0, 100)); err != nil {
		return err
	}
	var outFormat render.Format
	if o.output != "" {
		f, err := pictureFormat(o.output, "probe results are", render.FormatSVG, render.FormatPNG, render.FormatDOT, render.FormatHTML)
		if err != nil {
			return err
		}
		outFormat = f
	}
	if o.pcap != "" {
		if o.noCap {
			return usageErrorf("--pcap needs the capture: drop --no-capture")
		}
		if err := output.Check(o.pcap); err != nil {
			return usageErrorf("%v", err)
		}
	}
	ep, cli, err := liveEngine(ctx, "probe", stderr)
	if err != nil {
		return err
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(ctx, o.deadline)
	defer cancel()
	m, err := discover.Discover(ctx, discover.Options{Client: cli, Endpoint: ep})
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if m.Host.Engine == "" {
		return usageErrorf("%s", firstWarning(m))
	}
	rep, err := probe.Probe(ctx, m, target, probe.LiveEnv(), probe.TargetOptions{
		Count: o.count, Timeout: o.timeout, Retries: o.retries, Pings: o.pings, From: o.from, Capture: !o.noCap,
	})
	if err != nil { // an unknown target or --from container: usage
		return usageErrorf("%v", err)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if o.pcap != "" {
		if err := writeResult(ctx, stderr, o.pcap, 0o600, func(w io.Writer) error { return probe.WritePcap(w, rep.Frames) }); err != nil {
			return err
		}
	}
	if o.output != "" {
		ov := probeOverlay(m, rep)
		if err := writeResult(ctx, stderr, o.output, 0o644, func(w io.Writer) error { return render.RenderOverlay(ctx, w, m, outFormat, ov) }); err != nil {
			return err
		}
	}
	if o.asJSON {
		return probe.WriteJSON(stdout, rep)
	}
	return writeProbe(stdout, rep, isTerminal(stdout))
}

// paint wraps s in an ANSI colour when color is on (a terminal).
func paint(color bool, code, s string) string {
	if !color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func outcomeColor(o probe.Outcome) string {
	if o == probe.Reached {
		return "32" // green
	}
	return "31" // red
}

func writeProbe(w io.Writer, rep *probe.Report, color bool) error {
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
