package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/render"
	"github.com/netviz/netviz/internal/textsafe"
)

// mergeOptions are the flags of `netviz merge`.
type mergeOptions struct {
	output  string
	format  string
	detail  string
	timeout time.Duration
}

func newMergeCmd(stdout, stderr io.Writer) *cobra.Command {
	o := &mergeOptions{}
	cmd := &cobra.Command{
		Use:   "merge FILE... [-o OUT]",
		Short: "Join several hosts' models (graph --format json) into one picture of the cluster",
		Long: `Read models written by 'netviz graph --format json' on several hosts (or
clusters written by merge itself) and join them: one picture with a box per
host, each drawn as graph draws it, and every swarm overlay the hosts share
as the VXLAN tunnel it is between their VTEPs.

On real deployments each machine runs its own netviz (its namespaces are its
own): run graph on each, copy the JSON files to one place, merge them there.
Hosts are known by their swarm node name, else their host name; two files of
one host are an error.

The format comes from OUT's extension (.svg .png .json) or --format; without
-o a text summary is printed.`,
		Example: `  # on each node of the swarm
  sudo netviz graph -o node1.json
  # then, with the files in one place
  netviz merge node1.json node2.json node3.json -o cluster.svg

  # the joined cluster as JSON (netviz/cluster/v1), for scripts
  netviz merge node*.json -o cluster.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return mergeFn(cmd.Context(), o, args, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "", "write to `OUT` (format from its extension; - for stdout)")
	f.StringVarP(&o.format, "format", "f", "", "output `FORMAT`: svg, png, json or text")
	f.StringVar(&o.detail, "detail", "auto", "each host's picture `DETAIL`: full, compact or auto")
	f.DurationVar(&o.timeout, "timeout", 30*time.Second, "give up drawing after this long")
	return cmd
}

// maxMergeFiles bounds the hosts of one merge.
const maxMergeFiles = 64

func mergeFn(ctx context.Context, o *mergeOptions, files []string, stdout, stderr io.Writer) error {
	if err := checkDuration("timeout", o.timeout); err != nil {
		return err
	}
	if len(files) > maxMergeFiles {
		return usageErrorf("merge: %d files; at most %d hosts", len(files), maxMergeFiles)
	}
	detail, err := render.ParseDetail(o.detail)
	if err != nil {
		return usageErrorf("--detail: %v", err)
	}
	g := graphOptions{output: o.output, format: o.format}
	format, err := g.resolveFormat(stdout)
	if err != nil {
		return err
	}
	switch format {
	case render.FormatSVG, render.FormatPNG, render.FormatJSON, render.FormatText:
	default:
		return usageErrorf("merge draws svg, png, json or text, not %s", format)
	}
	var hosts []*graph.Model
	from := map[string]string{} // node name → file
	for _, path := range files {
		c, err := graph.ReadClusterFile(path)
		if err != nil {
			return usageErrorf("%v", err)
		}
		for _, m := range c.Hosts {
			name := graph.NodeName(m)
			if prev, ok := from[name]; ok {
				return usageErrorf("merge: host %s is in both %s and %s", textsafe.Quote(name), textsafe.CleanN(prev, 256), textsafe.CleanN(path, 256))
			}
			from[name] = path
			hosts = append(hosts, m)
		}
	}
	c, err := graph.NewCluster(hosts...)
	if err != nil {
		return usageErrorf("merge: %v", err)
	}
	dctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	write := func(w io.Writer) error {
		if format == render.FormatText {
			_, err := io.WriteString(w, clusterText(c))
			return err
		}
		return render.RenderCluster(dctx, w, c, format, render.Options{Detail: detail})
	}
	gaveUp := func(err error) error {
		if ctx.Err() == nil && dctx.Err() != nil {
			return usageErrorf("merge: gave up after %s (--timeout)", o.timeout)
		}
		return err
	}
	if !g.toFile() {
		return gaveUp(write(stdout))
	}
	return gaveUp(writeResult(dctx, stderr, o.output, 0o644, write, func() string {
		return fmt.Sprintf(" (%s: %d hosts, %d shared overlays)", format, len(c.Hosts), len(c.Shared()))
	}))
}

// clusterText is merge's summary: each host, then the overlays they
// share.
func clusterText(c *graph.Cluster) string {
	var b strings.Builder
	for _, m := range c.Hosts {
		running := 0
		for _, ct := range m.Containers {
			if ct.Running() {
				running++
			}
		}
		line := "host " + textsafe.CleanN(graph.NodeName(m), 128)
		if sw := m.Host.Swarm; sw != nil {
			if sw.Role != "" {
				line += " (" + sw.Role + ")"
			}
			if sw.Addr.IsValid() {
				line += " VTEP " + sw.Addr.String()
			}
		}
		fmt.Fprintf(&b, "%s: %d running containers, %d networks\n", line, running, len(m.Networks))
	}
	shared := c.Shared()
	if len(shared) == 0 {
		b.WriteString("no overlay network is shared by two of these hosts\n")
		return b.String()
	}
	var keys []string
	for k := range shared {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		views := shared[k]
		n := views[0].Network
		var on []string
		for _, v := range views {
			on = append(on, textsafe.CleanN(graph.NodeName(v.Host), 128))
		}
		vni := ""
		if n.Overlay != nil && n.Overlay.VNI != 0 {
			vni = fmt.Sprintf(" VNI %d", n.Overlay.VNI)
		}
		fmt.Fprintf(&b, "overlay %s%s on %s\n", textsafe.CleanN(n.Name, 128), vni, strings.Join(on, ", "))
	}
	return b.String()
}
