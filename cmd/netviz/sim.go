package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/reach"
	"github.com/netviz/netviz/internal/render"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/sim"
	"github.com/netviz/netviz/internal/textsafe"
)

// simOptions are the flags of `netviz sim`.
type simOptions struct {
	output        string
	format        string
	reach         bool
	asJSON        bool
	resolve       string
	from          string
	steps         string
	engineVersion string
	timeout       time.Duration
	detail        string
	layout        string
}

func newSimCmd(stdout, stderr io.Writer) *cobra.Command {
	o := &simOptions{}
	cmd := &cobra.Command{
		Use:   "sim SCENARIO",
		Short: "Simulate what docker commands or a compose file would build, without Docker",
		Long: `Read SCENARIO — a shell script of docker commands exactly as people write them
(comments, \ continuations, sudo docker …, $(docker ps -a -q)), or a compose
file (.yml/.yaml, read as docker compose up would create it) — and build the
network those commands would create, the way dockerd would: addresses from
Docker's default pools, veth pairs and bridge ports, macvlan parents, DNS names
per network, published ports. No Docker engine is needed.

The result is drawn like ` + "`netviz graph`" + ` (format from -o's extension, text
without -o). --reach prints the predicted reachability matrix, --resolve NAME
--from C the answers C would get for NAME, and --steps DIR one picture per
command plus an index.html that steps through them with the arrow keys.

A scenario may address several engines (docker --context NODE, -H,
DOCKER_HOST=…, docker context use NODE) and make a Swarm of them (docker
swarm init/join, network create -d overlay, service create/rm/scale): it then
builds one model per node — the cluster JSON with -f json, a picture of every
node and the overlay tunnels as svg or png, each node in turn as text. Lines
without a node go to node1, the manager.

A command Docker would refuse is an error at its file:line:col (exit 2).`,
		Example: `  # draw the alias round-robin exercise before running it
  netviz sim alias.sh -o alias.svg

  # who will reach whom, and why
  netviz sim seed.sh --reach

  # what network_alias_ping gets for alicek106
  netviz sim alias.sh --resolve alicek106 --from network_alias_ping

  # one frame per command, for the workshop projector
  netviz sim seed.sh --steps frames/ && xdg-open frames/index.html

  # a three-node swarm with an overlay: every node and the tunnels
  netviz sim overlay.sh -o cluster.svg`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return simFn(cmd.Context(), args[0], o, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "", "write the drawing to `FILE` (format from its extension)")
	f.StringVarP(&o.format, "format", "f", "", "output `FORMAT`: svg, png, dot, json, mmd, html or text")
	f.BoolVar(&o.reach, "reach", false, "print the predicted reachability matrix")
	f.BoolVar(&o.asJSON, "json", false, "print --reach or --resolve as JSON")
	f.StringVar(&o.resolve, "resolve", "", "predict the DNS answers for `NAME` (needs --from)")
	f.StringVar(&o.from, "from", "", "the `CONTAINER` that resolves --resolve")
	f.StringVar(&o.steps, "steps", "", "write one picture per command and an index.html into `DIR`")
	f.StringVar(&o.engineVersion, "engine-version", "", "Docker engine `VERSION` whose behaviour to reproduce: "+strings.Join(sim.EngineMajors, ", ")+" (default: the local engine's, else "+sim.NewestEngineVersion+")")
	f.DurationVar(&o.timeout, "timeout", 2*time.Minute, "give up reading, simulating and drawing after this long")
	f.StringVar(&o.detail, "detail", "auto", "picture `DETAIL`: full, compact or auto (full if it fits a 1920×1080 screen legibly)")
	f.StringVar(&o.layout, "layout", "netviz", "`ENGINE` that places the picture: netviz (svg, png, html) or graphviz (svg only)")
	return cmd
}

// loadScenario reads a scenario file (or pipe) within scenario.MaxFileSize,
// giving up when ctx is done.
func loadScenario(ctx context.Context, path string) (*scenario.Scenario, error) {
	sc, err := scenario.ReadFile(ctx, path)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, usageErrorf("%v", err)
	}
	return sc, nil
}

// simFn checks the flags, then runs the simulation within --timeout.
func simFn(ctx context.Context, path string, o *simOptions, stdout, stderr io.Writer) error {
	if err := checkDuration("timeout", o.timeout); err != nil {
		return err
	}
	if _, err := render.ParseDetail(o.detail); err != nil {
		return usageErrorf("--detail: %v", err)
	}
	if _, err := render.ParseLayout(o.layout); err != nil {
		return usageErrorf("--layout: %v", err)
	}
	if o.engineVersion != "" {
		if err := sim.CheckEngineVersion(o.engineVersion); err != nil {
			return usageErrorf("--engine-version: %v", err)
		}
	}
	tctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	err := simRun(tctx, path, o, stdout, stderr)
	if err != nil && ctx.Err() == nil && tctx.Err() != nil {
		return usageErrorf("sim %s: gave up after %s (--timeout)", textsafe.CleanN(path, 256), o.timeout)
	}
	return err
}

func simRun(ctx context.Context, path string, o *simOptions, stdout, stderr io.Writer) error {
	if (o.resolve == "") != (o.from == "") {
		return usageErrorf("--resolve NAME and --from CONTAINER go together")
	}
	g := &graphOptions{output: o.output, format: o.format}
	format, err := g.resolveFormat(stdout)
	if err != nil {
		return err
	}
	sc, err := loadScenario(ctx, path)
	if err != nil {
		return err
	}
	version := o.engineVersion
	if version == "" {
		// The local engine's release when it answers within
		// connect.VersionWait, else the newest modelled; a local release
		// the simulator does not reproduce is said, not guessed at.
		if version, err = localEngineVersion(ctx); err != nil {
			return err
		}
		if sim.CheckEngineVersion(version) != nil {
			fmt.Fprintf(stderr, "netviz: the local engine is Docker %s, which the simulator does not reproduce; simulating %s\n", textsafe.CleanN(version, 64), sim.NewestEngineVersion)
			version = sim.NewestEngineVersion
		}
	}
	hostname := "sim"
	if sc.UsesSwarm() {
		hostname = "node1" // the manager of a swarm scenario, where lines without a node go
	}
	eng := sim.New(sim.Options{Hostname: hostname, EngineVersion: version})
	if o.steps != "" {
		if err := writeSteps(ctx, eng, sc, o.steps, o.detail, stderr); err != nil {
			return err
		}
	} else if err := eng.Apply(sc); err != nil {
		return usageErrorf("%v", err)
	}
	if eng.MultiHost() {
		return simCluster(ctx, eng.Cluster(), o, g, format, stdout, stderr)
	}
	m := eng.Model()
	x := graph.NewIndex(m)
	switch {
	case o.reach:
		return reach.WritePrediction(stdout, x, o.asJSON)
	case o.resolve != "":
		if x.Container(graph.NewContainerID(o.from)) == nil {
			return usageErrorf("--from %s: no container of that name in the scenario", textsafe.Quote(o.from))
		}
		return sim.WriteResolve(stdout, x, o.resolve, o.from, o.asJSON)
	}
	detail, _ := render.ParseDetail(o.detail)
	layout, _ := render.ParseLayout(o.layout)
	if layout == render.LayoutGraphviz && (format == render.FormatPNG || format == render.FormatHTML) {
		return usageErrorf("--layout graphviz writes svg only, not %s", format)
	}
	write := func(w io.Writer) error {
		return render.RenderWith(ctx, w, m, format, render.Options{Detail: detail, Layout: layout})
	}
	if !g.toFile() {
		return write(stdout)
	}
	return writeResult(ctx, stderr, o.output, 0o644, write, func() string {
		return fmt.Sprintf(" (%s, simulated: %d containers, %d networks)", format, len(m.Containers), len(m.Networks))
	})
}

// writeSteps executes the scenario one command at a time, drawing the model
// after each and writing an index.html that steps through the frames.
// A scenario the daemon would refuse writes no frame, and a failure or
// Ctrl-C midway removes the frames already written (and DIR, if it made it).
func writeSteps(ctx context.Context, eng *sim.Engine, sc *scenario.Scenario, dir, detail string, stderr io.Writer) error {
	dry := sim.New(eng.Options())
	if err := dry.Apply(sc); err != nil { // the same release: what it refuses differs
		return usageErrorf("%v", err)
	}
	if n := len(dry.Cluster().Hosts); n > 1 {
		return usageErrorf("--steps draws one host; this scenario builds %d", n)
	}
	d, err := render.ParseDetail(detail)
	if err != nil {
		return usageErrorf("--detail: %v", err)
	}
	_, statErr := os.Stat(dir)
	madeDir := errors.Is(statErr, fs.ErrNotExist)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usageErrorf("--steps %s: %v", textsafe.CleanN(dir, 256), err)
	}
	n, err := render.WriteSlideshow(ctx, dir, sc.File, d, func(yield func(render.Frame) error) error {
		return eng.Steps(sc, func(st sim.Step) error {
			return yield(render.Frame{Model: st.Model, Highlight: st.AddedIDs, Gone: st.RemovedIDs,
				Slide: render.Slide{Command: st.Command.Text, Pos: st.Command.Pos.String(), Added: st.Added, Removed: st.Removed}})
		})
	})
	if err != nil {
		if madeDir {
			os.Remove(dir) // only if empty: nothing but ours was there
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &exitError{code: exitUsage, err: err}
	}
	fmt.Fprintf(stderr, "netviz: wrote %d frames and index.html to %s\n", n, textsafe.CleanN(dir, 256))
	return nil
}

// simCluster writes what a scenario of several hosts (or a swarm) built:
// the cluster JSON, a picture of every node and the overlay tunnels (svg,
// png), or each node's text and the overlays they share; --resolve over
// the cluster as one model (graph.Flatten), where a name's answers are
// every node's.
func simCluster(ctx context.Context, c *graph.Cluster, o *simOptions, g *graphOptions, format render.Format, stdout, stderr io.Writer) error {
	switch {
	case o.reach:
		// The prediction's client classes do not tell nodes apart yet.
		return usageErrorf("--reach of several hosts: not yet (netviz reach measures a live cluster)")
	case o.resolve != "":
		x := graph.NewIndex(graph.Flatten(c))
		if x.Container(graph.NewContainerID(o.from)) == nil {
			return usageErrorf("--from %s: no container of that name in the scenario (one whose name two nodes share is NAME@NODE)", textsafe.Quote(o.from))
		}
		return sim.WriteResolve(stdout, x, o.resolve, o.from, o.asJSON)
	}
	layout, _ := render.ParseLayout(o.layout)
	switch format {
	case render.FormatJSON, render.FormatText:
	case render.FormatSVG, render.FormatPNG:
		if layout == render.LayoutGraphviz && len(c.Hosts) > 1 {
			return usageErrorf("--layout graphviz draws one host; this scenario builds %d", len(c.Hosts))
		}
	default:
		return usageErrorf("a scenario of several hosts (or a swarm) is drawn as svg, png, json or text, not %s", format)
	}
	detail, _ := render.ParseDetail(o.detail)
	write := func(w io.Writer) error {
		if format == render.FormatText {
			return writeClusterText(w, c)
		}
		return render.RenderCluster(ctx, w, c, format, render.Options{Detail: detail, Layout: layout})
	}
	if !g.toFile() {
		return write(stdout)
	}
	return writeResult(ctx, stderr, o.output, 0o644, write, func() string {
		n := 0
		for _, m := range c.Hosts {
			n += len(m.Containers)
		}
		hosts := fmt.Sprintf("%d hosts", len(c.Hosts))
		if len(c.Hosts) == 1 {
			hosts = "1 host"
		}
		return fmt.Sprintf(" (%s, simulated: %s, %d containers, %d shared overlays)", format, hosts, n, len(c.Shared()))
	})
}

// writeClusterText is each node's text summary in turn, then the overlays
// the nodes share.
func writeClusterText(w io.Writer, c *graph.Cluster) error {
	for i, m := range c.Hosts {
		if i > 0 {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
		}
		if err := render.Text(w, m); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "\n"+clusterText(c))
	return err
}
