package discover

import (
	"context"
	"fmt"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// readSwarm asks the engine for its name and whether it is a swarm node;
// on a node it inspects each swarm overlay verbosely (peers, the node's
// endpoints, the service records) and, on a manager, lists the swarm's
// nodes and services. Equivalent to `docker info`, `docker network inspect
// --verbose NET` per overlay, `docker node ls` and `docker service ls`
// (each service in full). A worker cannot list nodes or services: that
// is no error (Build says so); a manager that cannot (no leader) keeps
// the reason in ListError.
func readSwarm(ctx context.Context, cli *client.Client, snap *DockerSnapshot) error {
	info, err := cli.Info(ctx, client.InfoOptions{})
	if err != nil {
		return fmt.Errorf("info: %w", err)
	}
	snap.Name = info.Info.Name
	sw := convertSwarm(info.Info)
	if sw == nil {
		return nil
	}
	snap.Swarm = sw
	for i := range snap.Networks {
		n := &snap.Networks[i]
		if !isSwarmOverlay(*n) {
			continue
		}
		res, err := cli.NetworkInspect(ctx, n.ID, client.NetworkInspectOptions{Verbose: true})
		switch {
		case cerrdefs.IsNotFound(err):
			continue // removed since listed: drawn from the list entry
		case err != nil:
			return fmt.Errorf("inspect network %s: %w", n.Name, err)
		}
		addOverlay(n, res.Network)
	}
	if !sw.Manager {
		return nil
	}
	nodes, err := cli.NodeList(ctx, client.NodeListOptions{})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		sw.ListError = fmt.Sprintf("list nodes: %v", err)
		return nil
	}
	services, err := cli.ServiceList(ctx, client.ServiceListOptions{})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		sw.ListError = fmt.Sprintf("list services: %v", err)
		return nil
	}
	addSwarmLists(snap, nodes.Items, services.Items)
	return nil
}
