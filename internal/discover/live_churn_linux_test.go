package discover_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/dockertest"
	"github.com/netviz/netviz/internal/graph"
)

// TestLiveDiscoverUnderChurn discovers the host again and again while
// containers are created and removed as fast as the engine allows, and
// checks every model is complete: the host's interfaces are there, and each
// container the model calls running has its namespace and an interface for
// every address Docker gave it. A container that went away mid-discovery
// must be left out with a note, not drawn half. NETVIZ_CHURN_RUNS sets the
// number of discoveries (bench/churn.sh runs 30).
func TestLiveDiscoverUnderChurn(t *testing.T) {
	env := dockertest.Require(t)
	runs := 10
	if n, err := strconv.Atoi(os.Getenv("NETVIZ_CHURN_RUNS")); err == nil && n > 0 {
		runs = n
	}
	net := env.Network("churn", client.NetworkCreateOptions{Driver: "bridge"})
	var stable []string
	for i := range 4 {
		stable = append(stable, env.Run(fmt.Sprintf("stable%d", i), dockertest.Spec{Network: net}))
	}

	// The churn: one container created, started and force-removed after
	// another, four loops at once, until the discoveries are done.
	ctx, stop := context.WithCancel(env.Ctx)
	var wg sync.WaitGroup
	var churned atomic.Int64
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				name := env.Name(fmt.Sprintf("churn%d-%d", w, i))
				// Each round runs whole on the test's context: a create
				// cut short by the stop could still land on the engine
				// after the remove, and leak.
				_, err := env.Client.ContainerCreate(env.Ctx, client.ContainerCreateOptions{Name: name,
					Config:     &container.Config{Image: dockertest.Image, Labels: map[string]string{dockertest.Label: dockertest.LabelValue}},
					HostConfig: &container.HostConfig{NetworkMode: container.NetworkMode(net)}})
				if err == nil {
					env.Client.ContainerStart(env.Ctx, name, client.ContainerStartOptions{})
				}
				env.Remove(name)
				churned.Add(1)
			}
		}()
	}
	t.Cleanup(func() { stop(); wg.Wait() })

	// At least runs discoveries, and on until runs containers came and went.
	skipped, run := 0, 0
	for deadline := time.Now().Add(2 * time.Minute); (run < runs || churned.Load() < int64(runs)) && time.Now().Before(deadline); run++ {
		m, err := discover.Discover(env.Ctx, discover.Options{Client: env.Client})
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		skipped += strings.Count(strings.Join(m.Warnings, "\n"), "skipped")
		if problems := incomplete(m, stable); len(problems) > 0 {
			t.Errorf("run %d: incomplete model:\n  %s\nwarnings: %q", run, strings.Join(problems, "\n  "), m.Warnings)
		}
	}
	stop()
	wg.Wait()
	t.Logf("%d discoveries while %d containers came and went; %d vanished mid-run and were skipped with a note",
		run, churned.Load(), skipped)
}

// incomplete lists what a model lacks that a complete one has.
func incomplete(m *graph.Model, stable []string) []string {
	var out []string
	x := graph.NewIndex(m)
	hostIfs := 0
	for _, i := range x.InterfacesIn(graph.HostNamespaceID) {
		if i.Kind != graph.KindLoopback {
			hostIfs++
		}
	}
	if hostIfs == 0 {
		out = append(out, "no host interfaces")
	}
	for _, w := range m.Warnings {
		if strings.Contains(w, "incomplete") || strings.Contains(w, "cannot read") {
			out = append(out, "warning: "+w)
		}
	}
	for _, name := range stable {
		if x.Container(graph.NewContainerID(name)) == nil {
			out = append(out, "stable container "+name+" missing")
		}
	}
	for _, c := range m.Containers {
		if !c.Running() || c.Namespace == "" || c.Namespace == graph.HostNamespaceID {
			continue
		}
		if x.Namespace(c.Namespace) == nil || x.Namespace(c.Namespace).Inode == 0 {
			out = append(out, c.Name+": running, but its namespace was not read")
			continue
		}
		for _, ep := range c.Endpoints {
			if !ep.IPv4.IsValid() {
				continue
			}
			ifc := x.Interface(ep.Interface)
			if ifc == nil {
				out = append(out, fmt.Sprintf("%s: endpoint %s on %s has no interface", c.Name, ep.IPv4, ep.Network))
				continue
			}
			if ifc.Kind == graph.KindVeth && x.Peer(ifc.ID) == "" {
				out = append(out, fmt.Sprintf("%s: %s has no veth peer", c.Name, ifc.Name))
			}
		}
	}
	return out
}
