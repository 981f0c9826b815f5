package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netviz/netviz/internal/textsafe"
)

// Exit codes shared by every command.
const (
	exitOK       = 0
	exitFindings = 1 // the command ran and found what it was asked to fail on
	exitUsage    = 2 // bad input or an environment that cannot serve the command
	// exitInterrupted follows the shell's convention for SIGINT (128+2).
	exitInterrupted = 130
)

// exitError carries an exit code with an error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErrorf is a usage or input error (exit 2).
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "netviz",
		Short: "Show how a Docker host's network is really wired",
		Long: `netviz shows how a Docker host's network is really wired: host eth0 ↔ docker0
and user bridges ↔ host-side veth ↔ container eth0, macvlan parents,
--net host/none/container: namespaces, published ports and DNS aliases.

It reads the Docker Engine API and, as root, netlink inside every container's
network namespace — nothing runs inside the containers.`,
		Example: `  sudo netviz graph -o net.svg        # draw this host
  sudo netviz graph                    # text summary in the terminal
  sudo netviz probe alicek106          # DNS round-robin, every answer pinged
  sudo netviz reach                    # who reaches whom, measured and explained
  netviz sim seed.sh -o seed.svg       # what a script would build, no Docker needed
  sudo netviz lab up alias             # build a curriculum scenario for real
  sudo netviz serve                    # the host live in the browser (prints the URL)
  netviz --context remote graph        # another engine, as in 'docker context use'
  netviz version`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	var contextName string
	root.PersistentFlags().StringVar(&contextName, "context", "", "docker CLI `CONTEXT` of the engine to use (overrides DOCKER_HOST, DOCKER_CONTEXT and 'docker context use')")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		cmd.SetContext(withContextFlag(cmd.Context(), contextName))
		return nil
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageErrorf("%s\nsee '%s --help'", textsafe.CleanN(err.Error(), 300), cmd.CommandPath())
	})
	root.AddCommand(newGraphCmd(stdout, stderr), newReachCmd(stdout, stderr), newProbeCmd(stdout, stderr), newSimCmd(stdout, stderr), newLabCmd(stdout, stderr), newVerifyCmd(stdout, stderr), newServeCmd(stdout, stderr), newMergeCmd(stdout, stderr), newIdleCmd(), newVersionCmd(stdout))
	return root
}

// run executes the command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	if ctx.Err() != nil {
		// Ctrl-C or SIGTERM, whatever the command was doing when it came:
		// the shell's code for an interrupt, and no error to decode.
		fmt.Fprintln(stderr, "netviz: interrupted")
		return exitInterrupted
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "netviz") {
		msg = "netviz: " + msg
	}
	fmt.Fprintln(stderr, safeMessage(msg))
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, context.Canceled) {
		return exitInterrupted
	}
	// Unknown commands, bad arguments and environment failures.
	return exitUsage
}
