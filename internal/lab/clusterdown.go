package lab

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/textsafe"
)

// Removed counts what a teardown removed.
type Removed struct {
	Services, Containers, Networks int
}

// ownerMatch is Down's test of a label value: exactly owner, or for owner
// "" every lab's (values starting with "lab:").
func ownerMatch(owner string) func(labels map[string]string) bool {
	return func(labels map[string]string) bool {
		v, ok := labels[OwnerLabel]
		switch {
		case !ok:
			return false
		case owner == "":
			return strings.HasPrefix(v, "lab:")
		}
		return v == owner
	}
}

// DownCluster removes, from every engine of a cluster, what carries
// io.netviz.owner=owner (owner "": every lab's), in the order the engines
// let go of it: the services (on a manager), then their tasks' containers
// on every node (waited for: a node's agent removes them after a pause),
// the other containers, the tasks from the manager's store (waited for:
// only then are their host-mode ports and addresses free again), each
// node's local networks, the swarm networks
// (on a manager, retried while the endpoints of removed tasks linger), and
// last it waits until no node lists a network of the owner (a worker drops
// its copy of an overlay after its last endpoint left). Nothing without
// the label is touched.
func DownCluster(ctx context.Context, nodes []Node, owner string) (Removed, error) {
	var r Removed
	match := ownerMatch(owner)
	var mgr *client.Client
	for _, n := range nodes {
		res, err := n.Client.Info(ctx, client.InfoOptions{})
		if err != nil {
			return r, fmt.Errorf("engine %s: %w", n.Client.DaemonHost(), err)
		}
		if res.Info.Swarm.ControlAvailable {
			mgr = n.Client
			break
		}
	}
	var errs []error
	var removed []string
	if mgr != nil {
		svcs, err := mgr.ServiceList(ctx, client.ServiceListOptions{Filters: make(client.Filters).Add("label", OwnerLabel)})
		if err != nil {
			return r, fmt.Errorf("list services: %w", err)
		}
		for _, s := range svcs.Items {
			if !match(s.Spec.Labels) {
				continue
			}
			if _, err := mgr.ServiceRemove(ctx, s.ID, client.ServiceRemoveOptions{}); err != nil && !cerrdefs.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("remove service %s: %w", textsafe.Clean(s.Spec.Name), err))
				continue
			}
			removed = append(removed, s.ID)
			r.Services++
		}
	}
	// Containers: the tasks' (labelled through --container-label) and the
	// others, on every node at once, until none is left.
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Go(func() {
			k, err := removeContainers(ctx, n.Client, match)
			mu.Lock()
			defer mu.Unlock()
			r.Containers += k
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	// The swarm gives back what the tasks held (host-mode ports,
	// addresses) once it removed them from its store.
	if len(removed) > 0 {
		wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		err := tasksGone(wctx, mgr, removed)
		cancel()
		if err != nil {
			errs = append(errs, err)
		}
	}
	// Networks: each node's local ones there, the swarm's on the manager.
	swarmNets := map[string]string{}
	for _, n := range nodes {
		nets, err := n.Client.NetworkList(ctx, client.NetworkListOptions{Filters: make(client.Filters).Add("label", OwnerLabel)})
		if err != nil {
			errs = append(errs, fmt.Errorf("list networks on %s: %w", n.Client.DaemonHost(), err))
			continue
		}
		for _, nw := range nets.Items {
			if !match(nw.Labels) {
				continue
			}
			if nw.Scope == "swarm" {
				swarmNets[nw.ID] = nw.Name
				continue
			}
			if err := removeNetwork(ctx, n.Client, nw.ID); err != nil {
				errs = append(errs, fmt.Errorf("remove network %s on %s: %w", textsafe.Clean(nw.Name), n.Client.DaemonHost(), err))
				continue
			}
			r.Networks++
		}
	}
	for id, name := range swarmNets {
		if mgr == nil {
			errs = append(errs, fmt.Errorf("network %s is a swarm network, and none of the engines is a manager that could remove it", textsafe.Clean(name)))
			continue
		}
		if err := retryFor(ctx, 60*time.Second, func() error {
			_, err := mgr.NetworkRemove(ctx, id, client.NetworkRemoveOptions{})
			if err != nil && cerrdefs.IsNotFound(err) {
				return nil
			}
			return err
		}); err != nil {
			errs = append(errs, fmt.Errorf("remove network %s: %w", textsafe.Clean(name), err))
			continue
		}
		r.Networks++
	}
	if len(errs) > 0 {
		return r, errors.Join(errs...)
	}
	// What the nodes still have: each drops its copy of a removed swarm
	// network a moment later (the manager's too: its inspect still finds
	// it by name after the removal was acknowledged).
	err := retryFor(ctx, 30*time.Second, func() error {
		var left []string
		for _, n := range nodes {
			l, err := leftOn(ctx, n.Client, match)
			if err != nil {
				return err
			}
			left = append(left, l...)
			for id, name := range swarmNets {
				if _, err := n.Client.NetworkInspect(ctx, id, client.NetworkInspectOptions{}); err == nil {
					left = append(left, fmt.Sprintf("network %s on %s", textsafe.Clean(name), n.Client.DaemonHost()))
				} else if !cerrdefs.IsNotFound(err) {
					return err
				}
			}
		}
		if len(left) > 0 {
			return fmt.Errorf("still there: %s", strings.Join(left, "; "))
		}
		return nil
	})
	return r, err
}

// DownClusterSettled is DownCluster for after an interruption: once more
// after in-flight requests had time to land.
func DownClusterSettled(ctx context.Context, nodes []Node, owner string) error {
	_, err1 := DownCluster(ctx, nodes, owner)
	select {
	case <-time.After(700 * time.Millisecond):
	case <-ctx.Done():
	}
	if _, err2 := DownCluster(ctx, nodes, owner); err2 != nil {
		return err2
	}
	_ = err1 // a first pass racing with in-flight requests may fail harmlessly
	return nil
}

// removeContainers force-removes the containers match accepts on one
// engine, listing again until none is left.
func removeContainers(ctx context.Context, cli *client.Client, match func(map[string]string) bool) (int, error) {
	removed := 0
	var errs []error
	for pass := 0; pass < 50; pass++ {
		errs = nil
		cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", OwnerLabel)})
		if err != nil {
			return removed, fmt.Errorf("list containers on %s: %w", cli.DaemonHost(), err)
		}
		left := 0
		for _, c := range cs.Items {
			if !match(c.Labels) {
				continue
			}
			left++
			if _, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true}); err != nil && !cerrdefs.IsNotFound(err) {
				// A task's container the agent is removing at this moment.
				if !cerrdefs.IsConflict(err) {
					errs = append(errs, fmt.Errorf("remove container %s on %s: %w", strings.TrimPrefix(firstName(c.Names), "/"), cli.DaemonHost(), err))
				}
				continue
			}
			removed++
		}
		if left == 0 {
			return removed, nil
		}
		select {
		case <-ctx.Done():
			return removed, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	if len(errs) == 0 {
		errs = append(errs, fmt.Errorf("containers on %s kept coming back", cli.DaemonHost()))
	}
	return removed, errors.Join(errs...)
}

// leftOn lists the containers and networks match accepts on one engine.
func leftOn(ctx context.Context, cli *client.Client, match func(map[string]string) bool) ([]string, error) {
	var left []string
	f := make(client.Filters).Add("label", OwnerLabel)
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return nil, err
	}
	for _, c := range cs.Items {
		if match(c.Labels) {
			left = append(left, fmt.Sprintf("container %s on %s", strings.TrimPrefix(firstName(c.Names), "/"), cli.DaemonHost()))
		}
	}
	nets, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		return nil, err
	}
	for _, n := range nets.Items {
		if match(n.Labels) {
			left = append(left, fmt.Sprintf("network %s on %s", textsafe.Clean(n.Name), cli.DaemonHost()))
		}
	}
	slices.Sort(left)
	return left, nil
}

// retryFor calls fn until it returns nil or d has passed; then fn's last
// error is returned.
func retryFor(ctx context.Context, d time.Duration, fn func() error) error {
	deadline := time.Now().Add(d)
	for {
		err := fn()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(250 * time.Millisecond):
		}
	}
}
