package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/netviz/netviz/internal/connect"
	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/dockerctx"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/textsafe"
)

// hostFlagHelp is the help of --host, shared by graph and reach.
const hostFlagHelp = "an engine of a cluster (repeatable): `ENGINE[,pid=PID]`, ENGINE a DOCKER_HOST URL or a context name, PID the engine's process when its namespaces are not netviz's"

// maxHosts bounds the engines of one run.
const maxHosts = 32

// hostSpec is one --host: an engine and where its kernel objects are.
type hostSpec struct {
	raw    string
	engine string // URL (has "://") or context name
	pid    int
}

// parseHostSpec reads ENGINE[,pid=PID].
func parseHostSpec(s string) (hostSpec, error) {
	h := hostSpec{raw: s}
	parts := strings.Split(s, ",")
	h.engine = strings.TrimSpace(parts[0])
	if h.engine == "" {
		return h, usageErrorf("--host %s: no engine (want a DOCKER_HOST URL or a context name)", textsafe.Quote(s))
	}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || k != "pid" {
			return h, usageErrorf("--host %s: unknown option %s (the only one is pid=PID)", textsafe.Quote(s), textsafe.Quote(p))
		}
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return h, usageErrorf("--host %s: pid %s is not a process id", textsafe.Quote(s), textsafe.Quote(v))
		}
		h.pid = n
	}
	return h, nil
}

// endpoint resolves the spec's engine: a URL as DOCKER_HOST would be, a
// name as --context would be.
func (h hostSpec) endpoint() (*dockerctx.Endpoint, error) {
	opts := dockerctx.Options{}
	if strings.Contains(h.engine, "://") {
		url := h.engine
		opts.Getenv = func(k string) string {
			switch k {
			case "DOCKER_HOST":
				return url
			case "DOCKER_CONTEXT":
				return ""
			}
			return os.Getenv(k)
		}
	} else {
		opts.Flag = h.engine
	}
	ep, err := dockerctx.Resolve(opts)
	if err != nil {
		return nil, usageErrorf("--host %s: %v", textsafe.CleanN(h.raw, 200), err)
	}
	if opts.Getenv != nil {
		// The URL given, not the environment's DOCKER_HOST (a TLS engine
		// is named by a context).
		ep.FromEnv = false
	}
	return ep, nil
}

// parseHosts reads every --host.
func parseHosts(raw []string) ([]hostSpec, error) {
	if len(raw) > maxHosts {
		return nil, usageErrorf("--host given %d times; at most %d engines", len(raw), maxHosts)
	}
	var out []hostSpec
	for _, r := range raw {
		h, err := parseHostSpec(r)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// discoverHosts discovers every host at once and joins them. An engine
// that does not answer is an error naming it: a cluster with a host left
// out would be a wrong picture.
func discoverHosts(ctx context.Context, specs []hostSpec, all bool, stderr io.Writer) (*graph.Cluster, map[string]time.Duration, error) {
	models := make([]*graph.Model, len(specs))
	took := make([]time.Duration, len(specs))
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	for i, h := range specs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ep, err := h.endpoint()
			if err != nil {
				errs[i] = err
				return
			}
			cli, err := connect.Live(ctx, ep, "graph")
			if err != nil {
				errs[i] = fmt.Errorf("--host %s: %w", textsafe.CleanN(h.raw, 200), err)
				return
			}
			defer cli.Close()
			start := time.Now()
			m, err := discover.Discover(ctx, discover.Options{All: all, Client: cli, Endpoint: ep, Location: discover.Location{PID: h.pid}})
			took[i] = time.Since(start)
			if err != nil {
				errs[i] = fmt.Errorf("--host %s: %w", textsafe.CleanN(h.raw, 200), err)
				return
			}
			if m.Host.Engine == "" {
				errs[i] = fmt.Errorf("--host %s: no engine answered", textsafe.CleanN(h.raw, 200))
				return
			}
			models[i] = m
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			return nil, nil, &exitError{code: exitUsage, err: err}
		}
	}
	for _, m := range models {
		for _, w := range m.Warnings {
			fmt.Fprintf(stderr, "netviz: warning: %s: %s\n", textsafe.CleanN(graph.NodeName(m), 128), textsafe.CleanN(w, 0))
		}
	}
	c, err := graph.NewCluster(models...)
	if err != nil {
		return nil, nil, usageErrorf("%v", err)
	}
	byNode := map[string]time.Duration{}
	for i, m := range models {
		byNode[graph.NodeName(m)] = took[i]
	}
	return c, byNode, nil
}

// clusterModel discovers the --host engines for reach and probe: one host's
// model as it is, several flattened into one (graph.Flatten), with the
// cluster for what needs each host (IPVS per node). Measuring needs root
// with the probes' capabilities, checked first.
func clusterModel(ctx context.Context, command string, hosts []string, stderr io.Writer) (*graph.Model, *graph.Cluster, error) {
	if cn, _ := ctx.Value(contextFlagKey{}).(string); cn != "" {
		return nil, nil, usageErrorf("--context and --host: name the engines with --host only")
	}
	specs, err := parseHosts(hosts)
	if err != nil {
		return nil, nil, err
	}
	if err := connect.CheckPrivileges(command); err != nil {
		return nil, nil, err
	}
	c, _, err := discoverHosts(ctx, specs, false, stderr)
	if err != nil {
		return nil, nil, err
	}
	if len(c.Hosts) == 1 {
		return c.Hosts[0], c, nil
	}
	return graph.Flatten(c), c, nil
}
