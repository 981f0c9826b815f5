package discover

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Churn: Docker is read first (list, then inspect each container), the
// kernel afterwards, so a container removed in between is still "running"
// in the Docker snapshot while its namespace is gone, or — when it was
// opened through Docker's sandbox key after its process had exited — holds
// only lo, its veth already deleted. A PID reused by a host process even
// makes /proc/PID/ns/net the host's own namespace. Drawn as read, such a
// container would be half a container. Unsettled finds them; Discover asks
// Docker about each again and leaves out those that went away, with a note.

// Unsettled lists, by Docker ID, the running containers whose namespace does
// not agree with what Docker said of them, and why: no snapshot holds them,
// a container that is not --net host turned up in the host's namespace, or
// an address Docker gave an endpoint on a bridge, macvlan or ipvlan network
// is on none of the namespace's interfaces.
func Unsettled(docker *DockerSnapshot, snaps []NamespaceSnapshot) map[string]string {
	if docker == nil {
		return nil
	}
	driver := map[string]string{}
	for _, n := range docker.Networks {
		driver[n.Name] = n.Driver
	}
	where := map[string]*NamespaceSnapshot{} // Docker ID → its snapshot
	for i := range snaps {
		for _, id := range snaps[i].Containers {
			where[id] = &snaps[i]
		}
	}
	out := map[string]string{}
	for i := range docker.Containers {
		c := &docker.Containers[i]
		if !hasNamespace(c) || c.NetworkMode == "host" {
			continue
		}
		s := where[c.ID]
		switch {
		case s == nil:
			out[c.ID] = "its namespace could not be read"
			continue
		case s.Host:
			out[c.ID] = "it turned up in the host's namespace (its process is gone)"
			continue
		}
		for _, ep := range c.Endpoints {
			switch driver[ep.Network] {
			case "bridge", "macvlan", "ipvlan":
			default:
				continue
			}
			if ep.IPv4.IsValid() && !holds(s, ep.IPv4.Addr()) {
				out[c.ID] = fmt.Sprintf("Docker gave it %s on %s, which no interface in its namespace holds", ep.IPv4.Addr(), ep.Network)
				break
			}
		}
	}
	return out
}

// holds reports whether an interface of s has the address ip.
func holds(s *NamespaceSnapshot, ip netip.Addr) bool {
	for _, l := range s.Links {
		for _, a := range l.Addrs {
			if a.Addr() == ip {
				return true
			}
		}
	}
	return false
}

// dropContainers removes the containers with the given Docker IDs from the
// snapshot, naming them as vanished, and from the namespace snapshots.
func dropContainers(docker *DockerSnapshot, snaps []NamespaceSnapshot, ids []string) {
	docker.Containers = slices.DeleteFunc(docker.Containers, func(c DockerContainer) bool {
		if slices.Contains(ids, c.ID) {
			docker.Vanished = append(docker.Vanished, c.Name)
			return true
		}
		return false
	})
	slices.Sort(docker.Vanished)
	for i := range snaps {
		snaps[i].Containers = slices.DeleteFunc(snaps[i].Containers, func(id string) bool { return slices.Contains(ids, id) })
	}
}

// replaceSnapshots swaps in fresh snapshots of some containers' namespaces:
// every old one holding any of them goes, the fresh ones (host excluded)
// come in.
func replaceSnapshots(snaps []NamespaceSnapshot, ids []string, fresh []NamespaceSnapshot) []NamespaceSnapshot {
	out := slices.DeleteFunc(snaps, func(s NamespaceSnapshot) bool {
		return !s.Host && slices.ContainsFunc(s.Containers, func(id string) bool { return slices.Contains(ids, id) })
	})
	for i := range out {
		if out[i].Host {
			out[i].Containers = slices.DeleteFunc(out[i].Containers, func(id string) bool { return slices.Contains(ids, id) })
		}
	}
	for _, s := range fresh {
		if !s.Host {
			out = append(out, s)
		} else {
			for i := range out {
				if out[i].Host {
					out[i].Containers = append(out[i].Containers, s.Containers...)
				}
			}
		}
	}
	return out
}

// UnsettledError says discovery could not get a consistent picture of some
// containers even after asking again: the model would be incomplete, so none
// is produced.
type UnsettledError struct {
	Why map[string]string // container name → why
}

func (e *UnsettledError) Error() string {
	var parts []string
	for name, why := range e.Why {
		parts = append(parts, name+": "+why)
	}
	slices.Sort(parts)
	return "discovery could not settle (containers kept changing while they were read; try again): " + strings.Join(parts, "; ")
}
