package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/overlay"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/render"
	matrixpic "github.com/netviz/netviz/internal/render/matrix"
	"github.com/netviz/netviz/internal/textsafe"
)

// reachOptions are the flags of `netviz reach`.
type reachOptions struct {
	pingFlags
	networks         []string
	concurrency      int
	failOnUnexpected bool
	fixedTimeout     bool
	hosts            []string
}

func newReachCmd(stdout, stderr io.Writer) *cobra.Command {
	o := &reachOptions{}
	cmd := &cobra.Command{
		Use:   "reach",
		Short: "Measure which running containers reach which, and explain each result",
		Long: `Ping every address of every running container from every other container's
network namespace, and set each result beside what Docker's rules predict:
same network, different bridges isolated, ICC disabled, --net none,
--net container:X, --net host, macvlan and its host.

Probes run from the host by entering each container's namespace — no docker
exec, no ping needed in the image. Only the containers' own addresses are
probed; a pair whose packet would leave this host (macvlan, for instance) is
reported as not measured instead of sent. Silence ("timeout") and an ICMP
error ("unreachable") are told apart; a silent pair is retried once. A pair
the model expects to answer gets the full --timeout; one it expects Docker to
block is given up on after ten times the slowest reply of the run (at least
20 ms; --fixed-timeout waits the full timeout everywhere).

On big hosts the sweep keeps within the kernel's shared neighbour (ARP) table
(net.ipv4.neigh.default.gc_thresh3, never changed) and removes the entries
its own probes created; a pair the table still kept from being measured is
reported not-measured with that reason.

Needs root (CAP_NET_RAW and CAP_SYS_ADMIN).`,
		Example: `  # the whole matrix as a table
  sudo netviz reach

  # only the network of the --net-alias exercise, as JSON
  sudo netviz reach --network mybridge --json

  # the matrix as a picture for the slides
  sudo netviz reach -o matrix.svg

  # in CI: exit 1 when any measurement contradicts the model
  sudo netviz reach --fail-on-unexpected

  # a swarm whose engines run on this machine (the multi-engine test bed):
  # every task, across nodes over the overlay, and each service VIP
  sudo netviz reach --host unix:///run/nvz-sw1/docker.sock,pid=4242 \
                    --host unix:///run/nvz-sw2/docker.sock,pid=4343`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return reachFn(cmd.Context(), o, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.asJSON, "json", false, "print the matrix as JSON")
	f.StringArrayVar(&o.networks, "network", nil, "only containers on this Docker `NETWORK` (repeatable)")
	f.DurationVar(&o.timeout, "timeout", 200*time.Millisecond, "wait at most this long for a reply to each ping (local RTTs are well under 2 ms)")
	f.IntVar(&o.retries, "retries", 1, "extra rounds for addresses that stayed silent")
	f.DurationVar(&o.deadline, "deadline", 60*time.Second, "stop the whole run after this long")
	f.IntVar(&o.concurrency, "concurrency", 64, "namespaces probed at once")
	f.BoolVar(&o.fixedTimeout, "fixed-timeout", false, "wait the full --timeout for every silent pair (by default the silence of pairs Docker is expected to block is decided from the round trips measured in the same run)")
	f.StringVarP(&o.output, "output", "o", "", "also draw the matrix to `FILE` (.svg .png)")
	f.BoolVar(&o.failOnUnexpected, "fail-on-unexpected", false, "exit 1 when a measurement contradicts the model")
	f.StringArrayVar(&o.hosts, "host", nil, hostFlagHelp)
	return cmd
}

func reachFn(ctx context.Context, o *reachOptions, stdout, stderr io.Writer) error {
	if err := firstError(o.pingFlags.check(), checkRange("concurrency", o.concurrency, 1, 4096)); err != nil {
		return err
	}
	var outFormat render.Format
	if o.output != "" {
		f, err := pictureFormat(o.output, "the matrix is", render.FormatSVG, render.FormatPNG)
		if err != nil {
			return err
		}
		outFormat = f
	}
	var m *graph.Model
	var ipvs map[string]string
	neighbours := probe.LiveNeighbours()
	ctx, cancel := context.WithTimeout(ctx, o.deadline)
	defer cancel()
	if len(o.hosts) > 0 {
		// Several engines on this machine: one flattened model, each
		// namespace entered through its own engine's processes. The
		// neighbour-table budget is this namespace's, not the nodes':
		// their sweeps are small and run without it.
		var c *graph.Cluster
		var err error
		if m, c, err = clusterModel(ctx, "reach", o.hosts, stderr); err != nil {
			return err
		}
		ipvs = c.IPVS()
		if len(c.Hosts) > 1 {
			neighbours = nil
		}
		for _, n := range dockerrules.MeshNotes(m.Services, ipvs) {
			fmt.Fprintf(stderr, "netviz: note: %s\n", textsafe.CleanN(n, 0))
		}
	} else {
		ep, cli, err := liveEngine(ctx, "reach", stderr)
		if err != nil {
			return err
		}
		defer cli.Close()
		if m, err = discoverLive(ctx, cli, ep); err != nil {
			return err
		}
	}
	var err error
	if m, err = graph.Subset(m, o.networks); err != nil {
		return usageErrorf("%v", err)
	}
	if len(o.hosts) == 0 {
		for _, w := range m.Warnings {
			io.WriteString(stderr, "netviz: warning: "+textsafe.CleanN(w, 0)+"\n")
		}
	}
	prog := probe.NewProgress(stderr, "probing namespaces", isTerminal(stderr))
	matrix := probe.Measure(ctx, m, probe.OpenContainer, probe.MeasureOptions{
		Ping:        probe.PingOptions{Timeout: o.timeout, Retries: o.retries},
		Concurrency: o.concurrency,
		Progress:    prog.Update,
		Neighbours:  neighbours,
		Fixed:       o.fixedTimeout,
		VIPs:        true,
		IPVS:        ipvs,
	})
	prog.Done()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if o.output != "" {
		g := overlay.ReachGrid(m, matrix)
		if err := writeResult(ctx, stderr, o.output, 0o644, func(w io.Writer) error { return matrixpic.RenderGrid(ctx, w, g, outFormat) }, nil); err != nil {
			return err
		}
	}
	if o.asJSON {
		err = probe.WriteJSON(stdout, matrix)
	} else {
		err = probe.WriteTable(stdout, matrix, isTerminal(stdout))
	}
	if err != nil {
		return err
	}
	if o.failOnUnexpected && matrix.Counts().Unexpected > 0 {
		return &exitError{code: exitFindings, err: fmt.Errorf("reach: %d measurement(s) contradict the model", matrix.Counts().Unexpected)}
	}
	return nil
}
