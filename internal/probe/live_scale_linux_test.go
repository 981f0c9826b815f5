package probe_test

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/dockertest"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/probe"
)

// TestLiveReachPastTheNeighbourTable sweeps more pairs than the host's
// shared neighbour table holds (60 containers on two bridges need about
// 3,500 entries; gc_thresh3 is 1024 by default), twice in a row: every cell
// must be measured and agree with the model, the kernel must not have
// overflowed while netviz measured, and the table must be left about as the
// sweep found it. Before netviz budgeted the table, one in ten cells came
// out as false silence from about 50 containers. NETVIZ_SCALE_CONTAINERS
// changes the count.
func TestLiveReachPastTheNeighbourTable(t *testing.T) {
	env := dockertest.RequireQuiet(t)
	n := 60
	if v, err := strconv.Atoi(os.Getenv("NETVIZ_SCALE_CONTAINERS")); err == nil && v > 0 {
		n = v
	}
	nets := []string{
		env.Network("scale1", client.NetworkCreateOptions{Driver: "bridge"}),
		env.Network("scale2", client.NetworkCreateOptions{Driver: "bridge"}),
	}
	names := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 8)
	for i := range n {
		names[i] = env.Name(fmt.Sprintf("s%d", i))
		t.Cleanup(func() { env.Remove(names[i]) })
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if _, err := env.Client.ContainerCreate(env.Ctx, client.ContainerCreateOptions{Name: names[i],
				Config:     &container.Config{Image: dockertest.Image, Labels: map[string]string{dockertest.Label: dockertest.LabelValue}},
				HostConfig: &container.HostConfig{NetworkMode: container.NetworkMode(nets[i%2])}}); err != nil {
				errs <- err
				return
			}
			if _, err := env.Client.ContainerStart(env.Ctx, names[i], client.ContainerStartOptions{}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	m, err := discover.Discover(env.Ctx, discover.Options{Client: env.Client})
	if err != nil {
		t.Fatal(err)
	}
	if m, err = graph.Subset(m, nets); err != nil {
		t.Fatal(err)
	}
	table := probe.LiveNeighbours()
	for run := 1; run <= 2; run++ {
		before, err := table.Usage()
		if err != nil {
			t.Fatal(err)
		}
		mat := probe.Measure(env.Ctx, m, probe.OpenContainer, probe.MeasureOptions{
			Ping: probe.PingOptions{Timeout: 200 * time.Millisecond, Retries: 1}, Concurrency: 64, Neighbours: table,
		})
		after, err := table.Usage()
		if err != nil {
			t.Fatal(err)
		}
		c := mat.Counts()
		if c.Pairs != n*n || c.Unexpected != 0 || c.NotMeasured != 0 || c.Failed != 0 {
			t.Errorf("run %d: %+v, want %d pairs all measured and agreeing", run, c, n*n)
			for _, cell := range mat.Cells {
				if !cell.Agrees || cell.Measured.Outcome == probe.NotMeasured {
					t.Logf("  %s → %s: %s %s", cell.Client, cell.Addr, cell.Measured.Outcome, cell.Measured.Detail)
					break
				}
			}
		}
		if after.Overflows != before.Overflows {
			t.Errorf("run %d: the kernel's neighbour table overflowed %d times while netviz measured", run, after.Overflows-before.Overflows)
		}
		// Left as found: each namespace may keep one exempt lo entry (the
		// kernel's for pinging its own address), nothing counted against
		// the limit.
		if after.Entries > before.Entries+n+8 {
			t.Errorf("run %d: the table held %d entries before the sweep and %d after", run, before.Entries, after.Entries)
		}
		t.Logf("run %d: %d pairs in %v, table %d → %d entries (limit %d), slowest reply %v",
			run, c.Pairs, mat.Elapsed.Round(time.Millisecond), before.Entries, after.Entries, after.Limit, mat.SlowestReply)
	}
}
