package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/output"
	"github.com/netviz/netviz/internal/render"
	"github.com/netviz/netviz/internal/textsafe"
)

// graphOptions are the flags of `netviz graph`.
type graphOptions struct {
	output   string
	format   string
	networks []string
	all      bool
	timeout  time.Duration
	detail   string
	layout   string
	// enginePID is the engine's process when its kernel objects are not
	// in netviz's namespaces (--engine-pid).
	enginePID int
	// hosts are the engines of a cluster (--host, repeatable).
	hosts []string
}

func newGraphCmd(stdout, stderr io.Writer) *cobra.Command {
	o := &graphOptions{}
	cmd := &cobra.Command{
		Use:   "graph [-o FILE]",
		Short: "Discover this host's Docker networking and draw it",
		Long: `Discover the live host — containers and networks from the Docker Engine API,
interfaces, veth pairs, bridge ports and macvlan parents from netlink inside
every network namespace — and draw it:

  host eth0 ↔ docker0 / br-… ↔ host-side veth… ↔ container eth0

The format comes from the output file's extension (.svg .png .dot .json .mmd
.html) or --format. Without -o a compact text summary is printed.

Run as root (sudo) for interfaces and veth pairs; without root netviz shows
what the Docker API says and warns. Without a Docker engine it shows the host's
own interfaces and warns. The engine is the one docker would use: --context,
else DOCKER_HOST, else DOCKER_CONTEXT, else 'docker context use'; one on
another machine (ssh://) gives Docker's facts without namespace detail.

An engine running in namespaces of its own (a swarm node of a multi-engine
test bed, Docker in a container) keeps its interfaces in its own network
namespace and its namespace files in its own mount namespace: name its
process with --engine-pid and netviz reads them there (/proc/PID/ns/net and
/proc/PID/root). On a swarm node the model holds the node, its overlays'
namespaces (br0, vxlan0 with its VNI and forwarding database, the load
balancer and ingress sandboxes), the services and their tasks.`,
		Example: `  # the seed picture: who hangs off docker0 and mybridge
  sudo netviz graph -o net.svg

  # a text tree in the terminal
  sudo netviz graph

  # only the network from the --net-alias alicek106 exercise, as PNG
  sudo netviz graph --network mybridge -o mybridge.png

  # include stopped containers (drawn greyed); JSON to stdout
  sudo netviz graph --all --format json

  # a Mermaid flowchart to paste into workshop notes
  sudo netviz graph -o net.mmd

  # a busy host (100 containers) as one projector-sized picture
  sudo netviz graph --detail compact -o host.svg

  # a swarm node whose dockerd runs in namespaces of its own
  sudo DOCKER_HOST=unix:///run/nvz-sw1/docker.sock netviz graph --engine-pid "$(cat /run/nvz-sw1/docker.pid)" -o node1.json

  # several engines on this machine as one picture: a box per host, the
  # overlays as tunnels between them (on separate machines: graph -o on
  # each, then netviz merge)
  sudo netviz graph --host unix:///run/nvz-sw1/docker.sock,pid=4242 \
                    --host unix:///run/nvz-sw2/docker.sock,pid=4343 -o cluster.svg`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return graphFn(cmd.Context(), o, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "", "write to `FILE` (format from its extension; - for stdout)")
	f.StringVarP(&o.format, "format", "f", "", "output `FORMAT`: svg, png, dot, json, mmd, html or text")
	f.StringArrayVar(&o.networks, "network", nil, "draw only this Docker `NETWORK` and what is attached to it (repeatable)")
	f.BoolVarP(&o.all, "all", "a", false, "include stopped containers")
	f.DurationVar(&o.timeout, "timeout", 30*time.Second, "give up discovery and drawing after this long")
	f.StringVar(&o.detail, "detail", "auto", "picture `DETAIL`: full (every interface, MAC and veth), compact (a small box per container, in a grid per network) or auto (full if it fits a 1920×1080 screen legibly)")
	f.StringArrayVar(&o.hosts, "host", nil, hostFlagHelp)
	f.IntVar(&o.enginePID, "engine-pid", 0, "the engine's `PID` (dockerd), when its interfaces and namespace files are not in netviz's namespaces: read them in /proc/PID/ns/net and /proc/PID/root")
	f.StringVar(&o.layout, "layout", "netviz", "`ENGINE` that places the picture: netviz (a frame per network, fits 16:9; svg, png, html) or graphviz (Graphviz dot's general layout; svg only)")
	return cmd
}

func graphFn(ctx context.Context, o *graphOptions, stdout, stderr io.Writer) error {
	if err := checkDuration("timeout", o.timeout); err != nil {
		return err
	}
	detail, err := render.ParseDetail(o.detail)
	if err != nil {
		return usageErrorf("--detail: %v", err)
	}
	layout, err := render.ParseLayout(o.layout)
	if err != nil {
		return usageErrorf("--layout: %v", err)
	}
	format, err := o.resolveFormat(stdout)
	if err != nil {
		return err
	}
	if layout == render.LayoutGraphviz && (format == render.FormatPNG || format == render.FormatHTML) {
		return usageErrorf("--layout graphviz writes svg only, not %s", format)
	}
	if o.enginePID < 0 {
		return usageErrorf("--engine-pid %d: not a process id", o.enginePID)
	}
	if len(o.hosts) > 0 {
		return graphHosts(ctx, o, format, detail, layout, stdout, stderr)
	}
	start := time.Now()
	dctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	ep, err := resolveEngine(ctx, stderr)
	if err != nil {
		return err
	}
	m, err := discover.Discover(dctx, discover.Options{All: o.all, Endpoint: ep, Location: discover.Location{PID: o.enginePID}})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if dctx.Err() != nil {
			return usageErrorf("graph: gave up after %s (--timeout): %v", o.timeout, err)
		}
		return &exitError{code: exitUsage, err: err}
	}
	m, err = graph.Subset(m, o.networks)
	if err != nil {
		return usageErrorf("%v", err)
	}
	// Warnings go to stderr (and stay in the model); the text summary prints
	// them itself.
	if format != render.FormatText || o.toFile() {
		for _, w := range m.Warnings {
			fmt.Fprintf(stderr, "netviz: warning: %s\n", textsafe.CleanN(w, 0))
		}
	}
	// --timeout bounds the drawing too: a layout of thousands of
	// containers can take minutes.
	write := func(w io.Writer) error {
		return render.RenderWith(dctx, w, m, format, render.Options{Detail: detail, Layout: layout})
	}
	gaveUp := func(err error) error {
		if ctx.Err() == nil && dctx.Err() != nil {
			return usageErrorf("graph: gave up after %s (--timeout)", o.timeout)
		}
		return err
	}
	if !o.toFile() {
		return gaveUp(write(stdout))
	}
	return gaveUp(writeResult(dctx, stderr, o.output, 0o644, write, func() string {
		running := 0
		for _, c := range m.Containers {
			if c.Running() {
				running++
			}
		}
		return fmt.Sprintf(" (%s: %d containers, %d networks, %d interfaces) in %.2fs", format, running, len(m.Networks), len(m.Interfaces), time.Since(start).Seconds())
	}))
}

func (o *graphOptions) toFile() bool { return o.output != "" && o.output != "-" }

// resolveFormat picks the format from --format, else the extension, else
// text, and checks that -o FILE can be written (output.Check).
func (o *graphOptions) resolveFormat(stdout io.Writer) (render.Format, error) {
	var format render.Format
	switch {
	case o.format != "":
		f, err := render.ParseFormat(o.format)
		if err != nil {
			return "", usageErrorf("%v", err)
		}
		format = f
	case o.toFile():
		f, err := render.FormatForPath(o.output)
		if err != nil {
			return "", usageErrorf("%v", err)
		}
		format = f
	default:
		format = render.FormatText
	}
	if format.Binary() && !o.toFile() && isTerminal(stdout) {
		return "", usageErrorf("refusing to write %s to a terminal; use -o FILE", format)
	}
	if o.toFile() {
		if err := output.Check(o.output); err != nil {
			return "", usageErrorf("%v", err)
		}
	}
	return format, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// graphHosts is graph over --host engines: one host as graph draws it,
// several as a cluster (a box per host, overlays as tunnels).
func graphHosts(ctx context.Context, o *graphOptions, format render.Format, detail render.Detail, layout render.Layout, stdout, stderr io.Writer) error {
	if o.enginePID != 0 {
		return usageErrorf("--engine-pid and --host: give the pid in --host ENGINE,pid=PID")
	}
	if cn, _ := ctx.Value(contextFlagKey{}).(string); cn != "" {
		return usageErrorf("--context and --host: name the engines with --host only")
	}
	specs, err := parseHosts(o.hosts)
	if err != nil {
		return err
	}
	if len(specs) > 1 {
		switch format {
		case render.FormatSVG, render.FormatPNG, render.FormatJSON, render.FormatText:
		default:
			return usageErrorf("several hosts are drawn as svg, png, json or text, not %s", format)
		}
		if len(o.networks) > 0 {
			return usageErrorf("--network with several hosts: not yet; draw each host with --host ENGINE --network NAME")
		}
		if layout == render.LayoutGraphviz {
			return usageErrorf("--layout graphviz draws one host; --host was given %d times", len(specs))
		}
	}
	start := time.Now()
	dctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	c, took, err := discoverHosts(dctx, specs, o.all, stderr)
	if err != nil {
		if ctx.Err() == nil && dctx.Err() != nil {
			return usageErrorf("graph: gave up after %s (--timeout): %v", o.timeout, err)
		}
		return err
	}
	if len(c.Hosts) == 1 {
		m, err := graph.Subset(c.Hosts[0], o.networks)
		if err != nil {
			return usageErrorf("%v", err)
		}
		write := func(w io.Writer) error {
			return render.RenderWith(dctx, w, m, format, render.Options{Detail: detail, Layout: layout})
		}
		if !o.toFile() {
			return write(stdout)
		}
		return writeResult(dctx, stderr, o.output, 0o644, write, nil)
	}
	write := func(w io.Writer) error {
		if format == render.FormatText {
			_, err := io.WriteString(w, clusterText(c))
			return err
		}
		return render.RenderCluster(dctx, w, c, format, render.Options{Detail: detail})
	}
	if !o.toFile() {
		return write(stdout)
	}
	return writeResult(dctx, stderr, o.output, 0o644, write, func() string {
		var per []string
		for _, m := range c.Hosts {
			per = append(per, fmt.Sprintf("%s %.0f ms", graph.NodeName(m), took[graph.NodeName(m)].Seconds()*1000))
		}
		return fmt.Sprintf(" (%s: %d hosts, %d shared overlays; discovered %s; %.2fs in all)", format, len(c.Hosts), len(c.Shared()), strings.Join(per, ", "), time.Since(start).Seconds())
	})
}
