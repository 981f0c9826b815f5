package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/netviz/netviz/internal/connect"
	"github.com/netviz/netviz/internal/lab"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/sim"
	"github.com/netviz/netviz/internal/textsafe"
)

func newLabCmd(stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lab",
		Short: "Build the curriculum's scenarios on a real engine, and remove them",
		Long: `Built-in scenarios from the Docker networking curriculum: the default bridge,
a user bridge, --net-alias round-robin, host, none, container:, a custom
subnet, --link with -p, macvlan and a multi-homed container; and one of
several engines: a Swarm overlay across three nodes (overlay), built with
one --host per node of a swarm that exists (.ci/swarm up makes a test bed).

Everything a lab creates carries the label io.netviz.owner=lab:NAME and
` + "`netviz lab down`" + ` removes exactly that. No registry is needed: images that are
not present are replaced by netviz's own lab image (FROM scratch, netviz
idling), unless --pull.`,
		Example: `  netviz lab list
  netviz lab show alias
  sudo netviz lab up alias && sudo netviz probe alicek106
  sudo netviz lab down alias
  sudo netviz lab up overlay --host unix:///run/nvz-sw1/docker.sock,pid=$(cat /run/nvz-sw1/docker.pid) \
                             --host unix:///run/nvz-sw2/docker.sock,pid=$(cat /run/nvz-sw2/docker.pid) \
                             --host unix:///run/nvz-sw3/docker.sock,pid=$(cat /run/nvz-sw3/docker.pid)`,
	}
	cmd.AddCommand(newLabListCmd(stdout), newLabShowCmd(stdout), newLabUpCmd(stdout, stderr), newLabDownCmd(stdout, stderr))
	return cmd
}

func newLabListCmd(stdout io.Writer) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the built-in labs",
		Args:    cobra.NoArgs,
		Example: "  netviz lab list\n  netviz lab list --json",
		RunE: func(cmd *cobra.Command, args []string) error {
			labs := lab.List()
			if asJSON {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(labs)
			}
			tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "LAB\tSHOWS")
			for _, l := range labs {
				title := l.Title
				if l.Swarm {
					title += " (a swarm of several engines: one --host per node)"
				}
				fmt.Fprintf(tw, "%s\t%s\n", l.Name, title)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

func newLabShowCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:     "show NAME",
		Short:   "Print a lab's script and what it teaches",
		Args:    cobra.ExactArgs(1),
		Example: "  netviz lab show alias\n  netviz lab show macvlan > macvlan.sh && netviz sim macvlan.sh -o macvlan.svg",
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := getLab(args[0])
			if err != nil {
				return usageErrorf("%v", err)
			}
			_, err = io.WriteString(stdout, l.Script)
			return err
		},
	}
}

func newLabUpCmd(stdout, stderr io.Writer) *cobra.Command {
	var pull bool
	var parent string
	var hosts []string
	cmd := &cobra.Command{
		Use:   "up NAME",
		Short: "Build a lab on the local Docker engine",
		Long: `Build a lab on the local Docker engine. Names the lab needs must be free; a
failure or Ctrl-C removes whatever was already created. A macvlan lab uses a
veth pair it creates as the parent (never the machine's uplink) unless
--parent is given.

A swarm lab (overlay) is built over several engines, one --host per node of
a swarm that exists already: the scenario names each node by its host name,
its swarm init and join are checked against the nodes and skipped, and its
services carry the label too (lab down removes them first, then their
tasks' containers on every node, the containers, the networks).`,
		Args:    cobra.ExactArgs(1),
		Example: "  sudo netviz lab up alias\n  sudo netviz lab up macvlan --parent eth1\n  sudo netviz lab up link-port --pull",
		RunE: func(cmd *cobra.Command, args []string) error {
			return labUpFn(cmd.Context(), args[0], pull, parent, hosts, stdout, stderr)
		},
	}
	cmd.Flags().BoolVar(&pull, "pull", false, "pull missing images instead of using netviz's lab image")
	cmd.Flags().StringArrayVar(&hosts, "host", nil, swarmHostsHelp)
	cmd.Flags().StringVar(&parent, "parent", "", "use this `INTERFACE` as the macvlan parent instead of a new veth")
	return cmd
}

func labUpFn(ctx context.Context, name string, pull bool, parent string, hosts []string, stdout, stderr io.Writer) error {
	l, sc, err := labScenario(name)
	if err != nil {
		return err
	}
	switch {
	case l.Swarm && len(hosts) == 0:
		return needsHosts("lab " + name)
	case !l.Swarm && len(hosts) > 0:
		return usageErrorf("lab %s is built on one engine: drop --host (and use --context or DOCKER_HOST to pick it)", name)
	case l.Swarm:
		if parent != "" {
			return usageErrorf("--parent: lab %s has no macvlan network", name)
		}
		return labUpHostsFn(ctx, l, sc, hosts, pull, stdout, stderr)
	}
	ep, cli, err := labEngine(ctx, stderr)
	if err != nil {
		return err
	}
	defer cli.Close()
	if !ep.Local && parent == "" && sim.NeedsParent(sc) {
		return usageErrorf("lab %s needs a macvlan parent, and the veth netviz would create is on this machine, not on the engine's at %s: pass --parent with an interface of the engine's host", name, ep.Describe())
	}
	a := &lab.Applier{Client: cli, Owner: lab.Owner(name), Pull: pull, Parent: parent}
	if err := a.Preflight(ctx, sc); err != nil {
		return usageErrorf("%v", err)
	}
	start := time.Now()
	if err := a.Apply(ctx, sc); err != nil {
		// Failure or Ctrl-C: take down what was built, with a context of
		// its own since ctx may be the one that was cancelled.
		cctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if derr := lab.DownSettled(cctx, cli, lab.Owner(name)); derr != nil {
			fmt.Fprintf(stderr, "netviz: warning: cleanup: %v\n", derr)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return usageErrorf("lab %s: %v (everything it had created was removed)", name, err)
	}
	for _, n := range a.Notices {
		fmt.Fprintf(stderr, "netviz: note: %s\n", n)
	}
	fmt.Fprintf(stdout, "lab %s is up in %.1fs: %s\n", name, time.Since(start).Seconds(), l.Title)
	fmt.Fprintf(stdout, "  look:   sudo netviz graph -o %s.svg\n  probe:  sudo netviz reach\n  remove: sudo netviz lab down %s\n", name, name)
	return nil
}

func newLabDownCmd(stdout, stderr io.Writer) *cobra.Command {
	var hosts []string
	cmd := &cobra.Command{
		Use:     "down [NAME]",
		Short:   "Remove a lab (or every lab) from the engine",
		Long:    "Remove every container and network labelled io.netviz.owner=lab:NAME (every lab's without NAME), and the veth a macvlan lab created. Safe to run after a crash; nothing without the label is touched. With --host, from every engine named: the labelled services first (on a manager), their tasks' containers on every node, the other containers, each node's networks and the swarm's.",
		Args:    cobra.MaximumNArgs(1),
		Example: "  sudo netviz lab down alias\n  sudo netviz lab down\n  sudo netviz lab down overlay --host unix:///run/nvz-sw1/docker.sock --host unix:///run/nvz-sw2/docker.sock --host unix:///run/nvz-sw3/docker.sock",
		RunE: func(cmd *cobra.Command, args []string) error {
			owner := ""
			if len(args) == 1 {
				if _, err := getLab(args[0]); err != nil {
					return usageErrorf("%v", err)
				}
				owner = lab.Owner(args[0])
			}
			if len(hosts) > 0 {
				return labDownHostsFn(cmd.Context(), owner, hosts, stdout)
			}
			ep, err := resolveEngine(cmd.Context(), stderr)
			if err != nil {
				return err
			}
			cli, err := connect.Engine(cmd.Context(), ep)
			if err != nil {
				return err
			}
			defer cli.Close()
			c, n, err := lab.Down(cmd.Context(), cli, owner)
			what := "every lab"
			if owner != "" {
				what = "lab " + strings.TrimPrefix(owner, "lab:")
			}
			fmt.Fprintf(stdout, "%s: removed %d containers, %d networks\n", what, c, n)
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&hosts, "host", nil, swarmHostsHelp)
	return cmd
}

// getLab is lab.Get with the name asked for, the user's input, escaped and
// cut short in the message (exit 2).
func getLab(name string) (lab.Lab, error) {
	l, err := lab.Get(name)
	if err != nil {
		var names []string
		for _, l := range lab.List() {
			names = append(names, l.Name)
		}
		return l, usageErrorf("no lab named %s; labs: %s", textsafe.Quote(name), strings.Join(names, ", "))
	}
	return l, nil
}

// labScenario is the built-in lab name and the scenario it applies.
func labScenario(name string) (lab.Lab, *scenario.Scenario, error) {
	l, err := getLab(name)
	if err != nil {
		return l, nil, err
	}
	sc, err := l.Scenario()
	if err != nil {
		return l, nil, usageErrorf("%v", err)
	}
	return l, sc, nil
}

// newIdleCmd is what the lab image runs: wait for a signal, exit 0.
func newIdleCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "idle",
		Short:  "Wait until stopped (the lab image's command)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			<-cmd.Context().Done()
			return nil
		},
	}
}
