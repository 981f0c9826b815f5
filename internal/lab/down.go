package lab

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// Down removes every container and network labelled io.netviz.owner=owner
// (with owner "", every lab's: values starting with "lab:"), and the veth a
// lab created as its macvlan parent. It never touches anything else.
func Down(ctx context.Context, cli *client.Client, owner string) (containers, networks int, err error) {
	match := func(labels map[string]string) bool {
		v, ok := labels[OwnerLabel]
		if !ok {
			return false
		}
		if owner == "" {
			return strings.HasPrefix(v, "lab:")
		}
		return v == owner
	}
	owners := map[string]bool{}
	if owner != "" {
		owners[owner] = true
	}
	var errs []error
	// Re-list until nothing labelled is left: a container still starting or
	// being removed by the engine can slip through one pass.
	for pass := 0; pass < 5; pass++ {
		errs = nil
		ctrs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", OwnerLabel)})
		if err != nil {
			return containers, networks, fmt.Errorf("list containers: %w", err)
		}
		left := 0
		for _, c := range ctrs.Items {
			if !match(c.Labels) {
				continue
			}
			left++
			owners[c.Labels[OwnerLabel]] = true
			if _, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true}); err != nil && !cerrdefs.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("remove container %s: %w", strings.TrimPrefix(firstName(c.Names), "/"), err))
				continue
			}
			containers++
		}
		if left == 0 {
			break
		}
		time.Sleep(time.Duration(pass+1) * 100 * time.Millisecond)
	}
	nets, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: make(client.Filters).Add("label", OwnerLabel)})
	if err != nil {
		return containers, networks, fmt.Errorf("list networks: %w", err)
	}
	for _, n := range nets.Items {
		if !match(n.Labels) {
			continue
		}
		owners[n.Labels[OwnerLabel]] = true
		if err := removeNetwork(ctx, cli, n.ID); err != nil {
			errs = append(errs, fmt.Errorf("remove network %s: %w", n.Name, err))
			continue
		}
		networks++
	}
	for o := range owners {
		name, _ := VethNames(o)
		delVeth(name)
	}
	return containers, networks, errors.Join(errs...)
}

func firstName(names []string) string {
	if len(names) > 0 {
		return names[0]
	}
	return "?"
}

// DownSettled is Down for after an interruption: a request the client gave
// up on can still complete inside the daemon, so it sweeps again once
// in-flight requests had time to land.
func DownSettled(ctx context.Context, cli *client.Client, owner string) error {
	_, _, err1 := Down(ctx, cli, owner)
	select {
	case <-time.After(700 * time.Millisecond):
	case <-ctx.Done():
	}
	_, _, err2 := Down(ctx, cli, owner)
	if err2 != nil {
		return err2
	}
	_ = err1 // a first pass racing with in-flight requests may fail harmlessly
	return nil
}

// removeNetwork retries briefly: endpoints of just-removed containers can
// linger for a moment.
func removeNetwork(ctx context.Context, cli *client.Client, id string) error {
	var err error
	for i := 0; i < 10; i++ {
		if _, err = cli.NetworkRemove(ctx, id, client.NetworkRemoveOptions{}); err == nil || cerrdefs.IsNotFound(err) {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}
