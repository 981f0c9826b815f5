package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/output"
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

A command Docker would refuse is an error at its file:line:col (exit 2).`,
		Example: `  # draw the alias round-robin exercise before running it
  netviz sim alias.sh -o alias.svg

  # who will reach whom, and why
  netviz sim seed.sh --reach

  # what network_alias_ping gets for alicek106
  netviz sim alias.sh --resolve alicek106 --from network_alias_ping

  # one frame per command, for the workshop projector
  netviz sim seed.sh --steps frames/ && xdg-open frames/index.html`,
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
	if g.toFile() {
		if err := output.Check(o.output); err != nil {
			return usageErrorf("%v", err)
		}
	}
	sc, err := loadScenario(ctx, path)
	if err != nil {
		return err
	}
	version := o.engineVersion
	if version == "" {
		if version, err = localEngineVersion(ctx); err != nil {
			return err
		}
	}
	eng := sim.New(sim.Options{Hostname: "sim", EngineVersion: version})
	if o.steps != "" {
		if err := writeSteps(ctx, eng, sc, o.steps, stderr); err != nil {
			return err
		}
	} else if err := eng.Apply(sc); err != nil {
		return usageErrorf("%v", err)
	}
	m := eng.Model()
	x := graph.NewIndex(m)
	switch {
	case o.reach:
		return writePrediction(stdout, x, o.asJSON)
	case o.resolve != "":
		return writeResolve(stdout, x, o.resolve, o.from, o.asJSON)
	}
	write := func(w io.Writer) error { return render.Render(ctx, w, m, format) }
	if !g.toFile() {
		return write(stdout)
	}
	if err := output.Write(ctx, o.output, 0o644, write); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &exitError{code: exitUsage, err: err}
	}
	fmt.Fprintf(stderr, "netviz: wrote %s (%s, simulated: %d containers, %d networks)\n", textsafe.CleanN(o.output, 256), format, len(m.Containers), len(m.Networks))
	return nil
}

// localEngineVersion asks the engine the docker CLI would use for its
// version, briefly: a laptop without Docker gets the newest version the
// simulator knows. Only a --context that cannot be used is an error.
func localEngineVersion(ctx context.Context) (string, error) {
	ep, err := resolveEngine(ctx, io.Discard)
	if err != nil {
		if name, _ := ctx.Value(contextFlagKey{}).(string); name != "" {
			return "", err
		}
		return sim.NewestEngineVersion, nil
	}
	wait := 300 * time.Millisecond
	if !ep.Local { // an ssh:// engine needs a handshake first
		wait = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	cli, err := discover.NewDockerClient(ep)
	if err != nil {
		return sim.NewestEngineVersion, nil
	}
	defer cli.Close()
	v, err := cli.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil || v.Version == "" {
		return sim.NewestEngineVersion, nil
	}
	return v.Version, nil
}

// maxPairTable is the largest matrix printed pair by pair; bigger ones print
// by class.
const maxPairTable = 2500

func writePrediction(w io.Writer, x *graph.Index, asJSON bool) error {
	cm := reach.PredictClasses(x)
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if cm.Pairs <= maxPairTable {
			return enc.Encode(map[string]any{"schema": "netviz/predict/v1", "pairs": cm.Expand(x)})
		}
		return enc.Encode(map[string]any{"schema": "netviz/predict/v1", "classes": cm})
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	if cm.Pairs <= maxPairTable {
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

func expectWord(e reach.Expectation) string {
	switch {
	case !e.Local:
		return "leaves host"
	case e.Reachable:
		return "reachable"
	}
	return "blocked"
}

// writeResolve predicts what container from gets for name: every answer of
// the names in its scope (Docker rotates their order per query).
func writeResolve(w io.Writer, x *graph.Index, name, from string, asJSON bool) error {
	c := x.Container(graph.NewContainerID(from))
	if c == nil {
		return usageErrorf("--from %s: no container of that name in the scenario", textsafe.Quote(from))
	}
	type answer struct {
		Addr      string `json:"addr"`
		Container string `json:"container"`
		Via       string `json:"via"`
	}
	var answers []answer
	edges, via := x.Resolve(c, name)
	for _, e := range edges {
		answers = append(answers, answer{Addr: e.Label, Container: graph.ContainerID(e.To).Name(), Via: via})
	}
	sort.Slice(answers, func(i, j int) bool { return answers[i].Addr < answers[j].Addr })
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"name": name, "from": from, "answers": answers})
	}
	if len(answers) == 0 {
		fmt.Fprintf(w, "%s would not resolve %s (NXDOMAIN)\n", textsafe.Clean(from), textsafe.Clean(name))
		return nil
	}
	fmt.Fprintf(w, "%s resolves %s to %d address(es)", textsafe.Clean(from), textsafe.Clean(name), len(answers))
	if len(answers) > 1 {
		fmt.Fprint(w, "; Docker rotates their order per query, so ping's first answer changes")
	}
	fmt.Fprintln(w)
	for _, a := range answers {
		via := "Docker's DNS 127.0.0.11"
		if a.Via == graph.NameHosts {
			via = "/etc/hosts (--link)"
		}
		fmt.Fprintf(w, "  %-15s %s  via %s\n", a.Addr, clean(a.Container), via)
	}
	return nil
}

// step is one frame of --steps.
type step struct {
	File    string   `json:"file"`
	Command string   `json:"command"`
	Pos     string   `json:"pos"`
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
}

// nodeNames lists what a person would call the model's things, by ID.
func nodeNames(m *graph.Model) map[string]string {
	out := map[string]string{}
	for _, c := range m.Containers {
		out[string(c.ID)] = "container " + c.Name + " (" + c.State + ")"
	}
	for _, n := range m.Networks {
		out[string(n.ID)] = "network " + n.Name
	}
	for _, i := range m.Interfaces {
		out[string(i.ID)] = "interface " + string(i.ID)
	}
	for _, p := range m.Ports {
		out[p.ID] = fmt.Sprintf("port %s:%d/%s", graph.AddrText(p.HostIP), p.HostPort, p.Proto)
	}
	for _, n := range m.Names {
		if _, onNet := n.Scope.Network(); !onNet || n.ID != graph.NewDNSNameID(n.Scope, n.Name) {
			continue
		}
		out[n.ID] = "name " + n.Name + " on " + n.Scope.Name()
	}
	return out
}

// writeSteps executes the scenario one command at a time, drawing the model
// after each and writing an index.html that steps through the frames.
// A scenario the daemon would refuse writes no frame, and a failure or
// Ctrl-C midway removes the frames already written (and DIR, if it made it).
func writeSteps(ctx context.Context, eng *sim.Engine, sc *scenario.Scenario, dir string, stderr io.Writer) (err error) {
	if err := sim.New(sim.Options{}).Apply(sc); err != nil {
		return usageErrorf("%v", err)
	}
	_, statErr := os.Stat(dir)
	madeDir := errors.Is(statErr, fs.ErrNotExist)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usageErrorf("--steps %s: %v", textsafe.CleanN(dir, 256), err)
	}
	var written []string
	defer func() {
		if err == nil {
			return
		}
		for _, p := range written {
			os.Remove(p)
		}
		if madeDir {
			os.Remove(dir) // only if empty: nothing but ours was there
		}
		if ctx.Err() != nil {
			err = ctx.Err()
		}
	}()
	var steps []step
	before := nodeNames(eng.Model())
	for _, c := range sc.Commands {
		if c.Verb == scenario.VerbNoop {
			continue
		}
		if err := eng.Exec(c); err != nil {
			return usageErrorf("%v", err)
		}
		m := eng.Model()
		after := nodeNames(m)
		st := step{File: fmt.Sprintf("step-%03d.svg", len(steps)+1), Command: c.Text, Pos: c.Pos.String()}
		var added []string
		for id, name := range after {
			if before[id] != name {
				st.Added = append(st.Added, name)
				added = append(added, id)
			}
		}
		for id, name := range before {
			if after[id] != name {
				st.Removed = append(st.Removed, name)
			}
		}
		sort.Strings(st.Added)
		sort.Strings(st.Removed)
		ov := &render.Overlay{Title: fmt.Sprintf("step %d: %s", len(steps)+1, c.Text), Highlight: added}
		path := filepath.Join(dir, st.File)
		if err := output.Write(ctx, path, 0o644, func(w io.Writer) error { return render.RenderOverlay(ctx, w, m, render.FormatSVG, ov) }); err != nil {
			return &exitError{code: exitUsage, err: err}
		}
		written = append(written, path)
		steps = append(steps, st)
		before = after
	}
	if err := output.Write(ctx, filepath.Join(dir, "index.html"), 0o644, func(w io.Writer) error { return stepsPage(w, sc.File, steps) }); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	fmt.Fprintf(stderr, "netviz: wrote %d frames and index.html to %s\n", len(steps), textsafe.CleanN(dir, 256))
	return nil
}

// stepsPage is the workshop view: one frame at a time, ← and → to move.
func stepsPage(w io.Writer, title string, steps []step) error {
	data, err := json.Marshal(steps)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>netviz sim · %[1]s</title>
<style>
body{font-family:Helvetica,Arial,sans-serif;margin:0;display:flex;flex-direction:column;height:100vh;color:#222}
header{padding:.6rem 1rem;background:#f4f4f4;border-bottom:1px solid #ddd}
header code{font-size:1.05rem;background:#fff;padding:.15rem .4rem;border-radius:4px}
#where{color:#777;font-size:.8rem;margin-left:.6rem}
#changes{font-size:.85rem;margin-top:.3rem}
.add{color:#1B7E34}.rm{color:#B22222}
main{flex:1;overflow:auto;text-align:center}
main img{max-width:100%%;max-height:100%%}
footer{padding:.4rem 1rem;font-size:.8rem;color:#666;border-top:1px solid #ddd}
</style></head><body>
<header><strong id="n"></strong> <code id="cmd"></code><span id="where"></span><div id="changes"></div></header>
<main><img id="frame" alt=""></main>
<footer>← → or space to step · Home/End for the first and last frame · %[1]s</footer>
<script>
const steps = %[2]s;
let i = 0;
const esc = s => s.replace(/[&<>]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;'}[c]));
function show(k) {
  i = Math.max(0, Math.min(steps.length - 1, k));
  const s = steps[i];
  document.getElementById('n').textContent = 'step ' + (i + 1) + ' / ' + steps.length;
  document.getElementById('cmd').textContent = s.command;
  document.getElementById('where').textContent = s.pos;
  document.getElementById('frame').src = s.file;
  document.getElementById('changes').innerHTML =
    (s.added || []).map(a => '<span class="add">+ ' + esc(a) + '</span>').join(' · ') +
    ((s.added || []).length && (s.removed || []).length ? ' · ' : '') +
    (s.removed || []).map(r => '<span class="rm">− ' + esc(r) + '</span>').join(' · ');
}
document.addEventListener('keydown', e => {
  if (e.key === 'ArrowRight' || e.key === ' ' || e.key === 'PageDown') { show(i + 1); e.preventDefault(); }
  if (e.key === 'ArrowLeft' || e.key === 'PageUp') { show(i - 1); e.preventDefault(); }
  if (e.key === 'Home') show(0);
  if (e.key === 'End') show(steps.length - 1);
});
show(0);
</script></body></html>
`, htmlEscape(title), data)
	return err
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
