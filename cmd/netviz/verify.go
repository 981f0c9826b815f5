package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/netviz/netviz/internal/connect"
	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/sim"
	"github.com/netviz/netviz/internal/verify"
)

type verifyOptions struct {
	asJSON  bool
	parent  string
	timeout time.Duration
}

func newVerifyCmd(stdout, stderr io.Writer) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify SCENARIO|lab:NAME",
		Short: "Build a scenario on the real engine and check the simulation against it",
		Long: `Simulate SCENARIO, then apply it to the local Docker engine (every resource
labelled io.netviz.owner=verify:ID), discover and measure what was built, and
compare with the simulation check by check: each container's state and
namespace, each endpoint's address (exact where the scenario fixed the subnet,
position in the subnet otherwise: the engine's pool allocator keeps state) and
interface, the DNS answer set of every name for every client, and the
reachability of every pair. Prints the agreement and every difference; exits 1
on any difference. Everything is torn down afterwards, also on failure and
Ctrl-C. Refuses to run if a name the scenario needs already exists.

Needs root (namespaces, probes). Built-in labs: lab:alias, lab:macvlan, …`,
		Example: `  sudo netviz verify lab:alias
  sudo netviz verify my-scenario.sh --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return verifyFn(cmd.Context(), args[0], o, stdout, stderr)
		},
	}
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print every check as JSON")
	cmd.Flags().StringVar(&o.parent, "parent", "", "macvlan parent `INTERFACE` (default: a veth netviz creates)")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 3*time.Minute, "give up after this long")
	return cmd
}

func loadTarget(ctx context.Context, arg string) (*scenario.Scenario, error) {
	if name, ok := strings.CutPrefix(arg, "lab:"); ok {
		_, sc, err := labScenario(name)
		return sc, err
	}
	return loadScenario(ctx, arg)
}

func verifyFn(ctx context.Context, arg string, o *verifyOptions, stdout, stderr io.Writer) error {
	if err := checkDuration("timeout", o.timeout); err != nil {
		return err
	}
	start := time.Now()
	sc, err := loadTarget(ctx, arg)
	if err != nil {
		return err
	}
	eng := sim.New(sim.Options{})
	if err := eng.Apply(sc); err != nil {
		return usageErrorf("the simulation already refuses this scenario: %v", err)
	}
	simModel := eng.Model()
	for _, c := range simModel.Containers {
		if strings.HasPrefix(c.Name, "unnamed_") {
			return usageErrorf("verify needs every container named (--name): the engine names the others at random")
		}
	}
	if !discover.Root() {
		return usageErrorf("netviz verify needs root (it builds the scenario and probes inside namespaces): run it with sudo")
	}
	if err := connect.CheckPrivileges("verify"); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	ep, err := resolveEngine(ctx, stderr)
	if err != nil {
		return err
	}
	if !ep.Local {
		return usageErrorf("netviz verify probes inside this machine's network namespaces, but the engine at %s is not on this machine: run netviz on the engine's host", ep.Describe())
	}
	_, cli, err := labEngine(ctx, io.Discard)
	if err != nil {
		return err
	}
	defer cli.Close()
	id := make([]byte, 4)
	rand.Read(id)
	rep, notices, err := verify.Run(ctx, verify.RunOptions{
		Name: arg, Scenario: sc, Sim: simModel, Client: cli, Owner: "verify:" + hex.EncodeToString(id), Parent: o.parent,
		Warn: func(msg string) { fmt.Fprintf(stderr, "netviz: warning: %s\n", msg) },
	})
	if err != nil {
		return err
	}
	if o.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		// A reader that stops early (| head) does not change the verdict.
		_ = verify.WriteText(stdout, rep, time.Since(start))
	}
	for _, n := range notices {
		fmt.Fprintf(stderr, "netviz: note: %s\n", n)
	}
	if rep.Agreed() < len(rep.Checks) {
		return &exitError{code: exitFindings, err: fmt.Errorf("verify: %d difference(s) between simulation and engine", len(rep.Checks)-rep.Agreed())}
	}
	return nil
}
