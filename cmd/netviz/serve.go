package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/render"
	"github.com/netviz/netviz/internal/serve"
	"github.com/netviz/netviz/internal/sim"
	"github.com/netviz/netviz/internal/textsafe"
	"github.com/netviz/netviz/internal/watch"
)

// serveOptions are the flags of `netviz serve`.
type serveOptions struct {
	listen       string
	noToken      bool
	simFile      string
	stepInterval time.Duration
	loop         bool
	all          bool
	detail       string
}

func newServeCmd(stdout, stderr io.Writer) *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Show the host's network live in a browser, with reach and probe one click away",
		Long: `Serve a page that shows this host's network as ` + "`netviz graph`" + ` draws it, live:
the engine's events (container start/stop/die, network create/destroy/
connect/disconnect) reach every open page within a second, and what changed
is highlighted. Click a container for its endpoints, aliases and published
ports, and ask who can reach it, whom it can reach (measured as ` + "`netviz reach`" + `
does, restricted to its row or column, each cell with its reason) or probe a
name from it (` + "`netviz probe`" + `, streamed as it runs). Filter by network, search
by name or IP, download the picture as SVG, PNG or JSON.

The page needs nothing from the internet. Scripts can follow the host too:
GET /api/model (graph --format json), /api/svg, /api/png, and /api/events
(Server-Sent Events: a snapshot, then one event per change naming what it
touched).

It listens on 127.0.0.1:7077 unless --listen says otherwise, and prints the
address to open (with its token); it opens no browser. Every request needs
the token, printed at start-up (the page keeps it in a cookie); --no-token
drops it, on a loopback address only: a server other machines can reach
always checks it. Measurements run only on the model's own containers, one
at a time, a few a minute per client; they need root.

--sim SCENARIO serves a simulation instead of the host: the page steps
through the scenario command by command, every --step-interval.`,
		Example: `  # the live host, at http://127.0.0.1:7077/?token=…
  sudo netviz serve

  # the workshop projector on the room's network (the token is required)
  sudo netviz serve --listen 0.0.0.0:7077

  # a script following the host: the snapshot, then the changes
  curl -N -H "Authorization: Bearer $TOKEN" http://127.0.0.1:7077/api/events

  # step through a scenario, a command every 3 seconds, no Docker needed
  netviz serve --sim alias.sh --step-interval 3s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return serveFn(cmd.Context(), o, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", serve.DefaultListen, "listen on `ADDR` (HOST:PORT; HOST an IP address or localhost)")
	f.BoolVar(&o.noToken, "no-token", false, "serve without a token (loopback addresses only)")
	f.StringVar(&o.simFile, "sim", "", "serve the simulation of `SCENARIO` step by step instead of the host")
	f.DurationVar(&o.stepInterval, "step-interval", 3*time.Second, "with --sim: time between steps")
	f.BoolVar(&o.loop, "loop", false, "with --sim: start again after the last step")
	f.BoolVarP(&o.all, "all", "a", false, "include stopped containers")
	f.StringVar(&o.detail, "detail", "auto", "picture `DETAIL`: full, compact or auto")
	return cmd
}

func serveFn(ctx context.Context, o *serveOptions, stdout, stderr io.Writer) error {
	loopback, err := serve.CheckListen(o.listen)
	if err != nil {
		return usageErrorf("--listen: %v", err)
	}
	if o.noToken && !loopback {
		return usageErrorf("--no-token: only with a loopback --listen (127.0.0.1, ::1, localhost); a server other machines can reach always checks its token")
	}
	if o.simFile == "" && (o.loop || o.stepInterval != 3*time.Second) {
		return usageErrorf("--step-interval and --loop go with --sim SCENARIO")
	}
	if o.stepInterval < 100*time.Millisecond {
		return usageErrorf("--step-interval %s: must be at least 100ms", o.stepInterval)
	}
	detail, err := render.ParseDetail(o.detail)
	if err != nil {
		return usageErrorf("--detail: %v", err)
	}
	cfg := serve.Config{Listen: o.listen, Picture: render.Options{Detail: detail}, Version: buildVersion(),
		Logf: func(format string, args ...any) {
			fmt.Fprintf(stderr, "netviz: serve: %s\n", textsafe.CleanN(fmt.Sprintf(format, args...), 0))
		}}
	if !o.noToken {
		if cfg.Token, err = serve.NewToken(); err != nil {
			return err
		}
	}
	if o.simFile != "" {
		src, err := simSource(ctx, o)
		if err != nil {
			return err
		}
		cfg.Source = src
		cfg.Probes = &serve.Probes{Off: "this is a simulation: there is nothing to measure"}
	} else {
		src, err := liveSource(ctx, o, stderr)
		if err != nil {
			return err
		}
		cfg.Source = src
		cfg.Probes = liveProbes()
	}
	s, err := serve.New(cfg)
	if err != nil {
		return usageErrorf("%v", err)
	}
	err = s.Run(ctx, func(url string) {
		fmt.Fprintf(stderr, "netviz: serving on %s (Ctrl-C to stop)\n", textsafe.CleanN(o.listen, 256))
		if cfg.Probes.Off != "" {
			fmt.Fprintf(stderr, "netviz: %s\n", cfg.Probes.Off)
		}
		fmt.Fprintln(stdout, url)
	})
	if err != nil && ctx.Err() == nil {
		return &exitError{code: exitUsage, err: err}
	}
	return nil
}

// liveProbes runs measurements as root; without root the page says they
// need it.
func liveProbes() *serve.Probes {
	if os.Geteuid() != 0 {
		return &serve.Probes{Off: "measurements need root (CAP_NET_RAW and CAP_SYS_ADMIN): run sudo netviz serve"}
	}
	return &serve.Probes{Open: probe.OpenContainer, Env: probe.LiveEnv(), Neighbours: probe.LiveNeighbours()}
}

// simSource reads and checks the scenario, then replays its steps.
func simSource(ctx context.Context, o *serveOptions) (serve.Source, error) {
	sc, err := loadScenario(ctx, o.simFile)
	if err != nil {
		return nil, err
	}
	version, err := localEngineVersion(ctx)
	if err != nil {
		return nil, err
	}
	if sim.CheckEngineVersion(version) != nil {
		version = sim.NewestEngineVersion
	}
	frames, err := serve.SimFrames(sim.New(sim.Options{Hostname: "sim", EngineVersion: version}), sc)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return &serve.Replay{Frames: frames, Interval: o.stepInterval, Loop: o.loop}, nil
}

// liveSource is the host as discovery sees it, kept current by the
// engine's events (internal/watch): the first model, then one update per
// burst of events with what it touched, re-reading only that.
func liveSource(ctx context.Context, o *serveOptions, stderr io.Writer) (serve.Source, error) {
	ep, err := resolveEngine(ctx, stderr)
	if err != nil {
		return nil, err
	}
	return serve.SourceFunc(func(ctx context.Context, emit func(serve.Update)) error {
		warned := false
		return watch.Run(ctx, watch.Options{
			Discovery: discover.Options{All: o.all, Endpoint: ep},
			Log: func(s string) {
				if !strings.Contains(s, "changed nothing drawn") { // routine, not news
					fmt.Fprintf(stderr, "netviz: %s\n", textsafe.CleanN(s, 0))
				}
			},
		}, func(u watch.Update) {
			if !warned {
				warned = true
				for _, w := range u.Model.Warnings {
					fmt.Fprintf(stderr, "netviz: warning: %s\n", textsafe.CleanN(w, 0))
				}
			}
			emit(serve.Update{Seq: u.Seq, Model: u.Model, Touched: u.Touched, Events: u.Events, Resync: u.Resync, EventTime: u.EventTime})
		})
	}), nil
}
