package main

import (
	"context"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/output"
	"github.com/netviz/netviz/internal/overlay"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/render"
	"github.com/netviz/netviz/internal/render/probeview"
)

// probeOptions are the flags of `netviz probe`.
type probeOptions struct {
	pingFlags
	from  []string
	count int
	pings int
	noCap bool
	pcap  string
	hosts []string
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

  # draw who asked, what came back and where each echo went
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
	f.StringVarP(&o.output, "output", "o", "", "draw the probe to `FILE` (.svg .png .html), or save the report as .json")
	f.StringVar(&o.pcap, "pcap", "", "write the captured echo packets to `FILE` (pcap, mode 0600)")
	f.StringArrayVar(&o.hosts, "host", nil, hostFlagHelp)
	return cmd
}

func probeFn(ctx context.Context, target string, o *probeOptions, stdout, stderr io.Writer) error {
	if err := firstError(checkRange("count", o.count, 1, 1000), checkRange("pings", o.pings, 1, 100), o.pingFlags.check()); err != nil {
		return err
	}
	var outFormat render.Format
	if o.output != "" {
		f, err := pictureFormat(o.output, "probe results are", render.FormatSVG, render.FormatPNG, render.FormatHTML, render.FormatJSON)
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
	ctx, cancel := context.WithTimeout(ctx, o.deadline)
	defer cancel()
	var m *graph.Model
	if len(o.hosts) > 0 {
		// Several engines on this machine: a name resolved from each
		// container by its own node's DNS, the pings captured hop by hop
		// across the overlay's tunnel (VXLAN on the nodes' uplinks).
		var err error
		if m, _, err = clusterModel(ctx, "probe", o.hosts, stderr); err != nil {
			return err
		}
	} else {
		ep, cli, err := liveEngine(ctx, "probe", stderr)
		if err != nil {
			return err
		}
		defer cli.Close()
		if m, err = discoverLive(ctx, cli, ep); err != nil {
			return err
		}
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
		if err := writeResult(ctx, stderr, o.pcap, 0o600, func(w io.Writer) error { return probe.WritePcap(w, rep.Frames) }, nil); err != nil {
			return err
		}
	}
	if o.output != "" {
		write := func(w io.Writer) error { return probeview.RenderProbe(w, overlay.Probe(m, rep), outFormat) }
		if outFormat == render.FormatJSON {
			write = func(w io.Writer) error { return probe.WriteJSON(w, rep) }
		}
		if err := writeResult(ctx, stderr, o.output, 0o644, write, nil); err != nil {
			return err
		}
	}
	if o.asJSON {
		return probe.WriteJSON(stdout, rep)
	}
	return probe.WriteReport(stdout, rep, isTerminal(stdout))
}
