package swarmtest

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/dockertest"
)

// PublishedPort is the port the dnsrr service publishes in mode=host on
// every node that runs one of its tasks (to its tasks' port 80).
const PublishedPort = 8080

// Endpoint is one container on the overlay: a task or the attached container.
type Endpoint struct {
	// Name is the container's name; ContainerID its full ID.
	Name, ContainerID string
	// Node indexes Swarm.Nodes: the node it runs on.
	Node int
	// Addr is its address on the overlay.
	Addr netip.Addr
}

// Service is a service of the deployment and its running tasks.
type Service struct {
	Name, ID string
	// VIP is the service's virtual IP on the overlay; invalid for dnsrr.
	VIP   netip.Addr
	Tasks []Endpoint
}

// Deployment is issue 13's scenario on the test bed: an attachable overlay,
// a 4-replica VIP service, a 3-replica dnsrr service (fewer on a smaller
// swarm) publishing PublishedPort in mode=host, and a container attached
// to the overlay on the last node. Every task runs busybox httpd on port 80.
type Deployment struct {
	// Network is the overlay's name, NetworkID its ID.
	Network, NetworkID string
	VIP, DNSRR         Service
	Attached           Endpoint
}

// Endpoints are all containers on the overlay: the tasks, then the
// attached container.
func (d *Deployment) Endpoints() []Endpoint {
	return slices.Concat(d.VIP.Tasks, d.DNSRR.Tasks, []Endpoint{d.Attached})
}

// httpd is the tasks' command: busybox's httpd in the foreground on port 80
// (an empty document root: every request answers 404, which is an answer).
var httpd = []string{"/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/tmp"}

// Deploy creates the scenario, labelled io.netviz.owner=test, waits until
// every task runs, and removes it all when the test ends, pass or fail.
func (s *Swarm) Deploy() *Deployment {
	t := s.T
	t.Helper()
	label := map[string]string{dockertest.Label: dockertest.LabelValue}
	d := &Deployment{Network: s.Name("ov")}
	// Registered first, so it runs last: the agents remove a removed
	// service's containers, and a worker its copy of the network, a moment
	// after the manager said yes.
	t.Cleanup(s.waitGone)
	res, err := s.Manager().NetworkCreate(s.Ctx, d.Network, client.NetworkCreateOptions{
		Driver: "overlay", Attachable: true, Labels: label,
	})
	if err != nil {
		t.Fatalf("create overlay %s: %v", d.Network, err)
	}
	d.NetworkID = res.ID
	t.Cleanup(func() { s.removeNetwork(d.Network) })

	service := func(name string, replicas uint64, ep *swarm.EndpointSpec) string {
		spec := swarm.ServiceSpec{
			Annotations: swarm.Annotations{Name: s.Name(name), Labels: label},
			TaskTemplate: swarm.TaskSpec{
				ContainerSpec: &swarm.ContainerSpec{
					Image: dockertest.Image, Command: httpd, Labels: label,
					// busybox as PID 1 ignores SIGTERM: no 10 s stop grace.
					StopGracePeriod: new(time.Duration),
				},
				Networks:      []swarm.NetworkAttachmentConfig{{Target: d.Network}},
				RestartPolicy: &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionNone},
			},
			Mode:         swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &replicas}},
			EndpointSpec: ep,
		}
		// QueryRegistry false: --no-resolve-image, there is no registry.
		res, err := s.Manager().ServiceCreate(s.Ctx, client.ServiceCreateOptions{Spec: spec})
		if err != nil {
			t.Fatalf("create service %s: %v", spec.Name, err)
		}
		t.Cleanup(func() { s.removeService(spec.Name) })
		return res.ID
	}
	d.VIP = Service{Name: s.Name("vip"), ID: service("vip", 4, &swarm.EndpointSpec{Mode: swarm.ResolutionModeVIP})}
	d.DNSRR = Service{Name: s.Name("rr"), ID: service("rr", uint64(min(3, len(s.Nodes))), &swarm.EndpointSpec{
		Mode: swarm.ResolutionModeDNSRR,
		Ports: []swarm.PortConfig{{Protocol: network.TCP, TargetPort: 80, PublishedPort: PublishedPort,
			PublishMode: swarm.PortConfigPublishModeHost}},
	})}

	last := len(s.Nodes) - 1
	d.Attached = Endpoint{Name: s.Name("att"), Node: last}
	cli := s.Clients[last]
	if _, err := cli.ContainerCreate(s.Ctx, client.ContainerCreateOptions{
		Name:       d.Attached.Name,
		Config:     &container.Config{Image: dockertest.Image, Labels: label},
		HostConfig: &container.HostConfig{NetworkMode: container.NetworkMode(d.Network)},
	}); err != nil {
		t.Fatalf("create container %s on %s: %v", d.Attached.Name, s.Nodes[last].Name, err)
	}
	t.Cleanup(func() { s.removeContainer(last, d.Attached.Name) })
	// Right after another test's overlay went, a worker's attach can time
	// out while the manager still tidies up ("attaching to network failed
	// … context deadline exceeded"): the start is tried again, three times
	// in all.
	err = nil
	for try := 1; try <= 3; try++ {
		if _, err = cli.ContainerStart(s.Ctx, d.Attached.Name, client.ContainerStartOptions{}); err == nil || !strings.Contains(err.Error(), "attaching to network failed") {
			break
		}
		t.Logf("start %s, try %d: %v", d.Attached.Name, try, err)
	}
	if err != nil {
		t.Fatalf("start container %s on %s: %v", d.Attached.Name, s.Nodes[last].Name, err)
	}
	ins, err := cli.ContainerInspect(s.Ctx, d.Attached.Name, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatalf("inspect %s: %v", d.Attached.Name, err)
	}
	d.Attached.ContainerID = ins.Container.ID
	if ep := ins.Container.NetworkSettings.Networks[d.Network]; ep != nil {
		d.Attached.Addr = ep.IPAddress
	}
	if !d.Attached.Addr.IsValid() {
		t.Fatalf("container %s has no address on %s", d.Attached.Name, d.Network)
	}

	ctx, cancel := context.WithTimeout(s.Ctx, 90*time.Second)
	defer cancel()
	for _, svc := range []*Service{&d.VIP, &d.DNSRR} {
		if err := s.waitTasks(ctx, svc, d.NetworkID); err != nil {
			t.Fatalf("service %s: %v", svc.Name, err)
		}
	}
	return d
}

// waitTasks waits until the service's tasks all run and fills in its
// tasks and VIP.
func (s *Swarm) waitTasks(ctx context.Context, svc *Service, netID string) error {
	nodes, err := s.NodeIndex()
	if err != nil {
		return err
	}
	return retry(ctx, 200*time.Millisecond, func() error {
		si, err := s.Manager().ServiceInspect(s.Ctx, svc.ID, client.ServiceInspectOptions{})
		if err != nil {
			return err
		}
		want := *si.Service.Spec.Mode.Replicated.Replicas
		for _, v := range si.Service.Endpoint.VirtualIPs {
			if v.NetworkID == netID {
				svc.VIP = v.Addr.Addr()
			}
		}
		tl, err := s.Manager().TaskList(s.Ctx, client.TaskListOptions{
			Filters: make(client.Filters).Add("service", svc.ID).Add("desired-state", "running"),
		})
		if err != nil {
			return err
		}
		var tasks []Endpoint
		var states []string
		for _, task := range tl.Items {
			states = append(states, fmt.Sprintf("%d:%s %s", task.Slot, task.Status.State, task.Status.Err))
			if task.Status.State != swarm.TaskStateRunning || task.Status.ContainerStatus == nil {
				continue
			}
			e := Endpoint{
				Name:        fmt.Sprintf("%s.%d.%s", svc.Name, task.Slot, task.ID),
				ContainerID: task.Status.ContainerStatus.ContainerID,
				Node:        -1,
			}
			if i, ok := nodes[task.NodeID]; ok {
				e.Node = i
			}
			for _, na := range task.NetworksAttachments {
				if na.Network.ID == netID && len(na.Addresses) > 0 {
					e.Addr = na.Addresses[0].Addr()
				}
			}
			if e.Node < 0 || !e.Addr.IsValid() {
				return fmt.Errorf("task %s: node %q or address not known yet", e.Name, task.NodeID)
			}
			tasks = append(tasks, e)
		}
		if uint64(len(tasks)) != want {
			return fmt.Errorf("%d of %d tasks running: %s", len(tasks), want, strings.Join(states, ", "))
		}
		slices.SortFunc(tasks, func(a, b Endpoint) int { return a.Addr.Compare(b.Addr) })
		svc.Tasks = tasks
		return nil
	})
}

// removeService removes the service, then its task containers on every
// node at once: an agent shuts a task down with a fixed pause for gossip
// (2 s each) before it removes the container.
func (s *Swarm) removeService(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.Manager().ServiceRemove(ctx, name, client.ServiceRemoveOptions{}); err != nil && !cerrdefs.IsNotFound(err) {
		s.T.Errorf("remove service %s: %v", name, err)
	}
	for i, cli := range s.Clients {
		cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true,
			Filters: make(client.Filters).Add("label", "com.docker.swarm.service.name="+name)})
		if err != nil {
			s.T.Errorf("list the containers of %s on %s: %v", name, s.Nodes[i].Name, err)
			continue
		}
		for _, c := range cs.Items {
			s.removeContainer(i, c.ID)
		}
	}
}

func (s *Swarm) removeContainer(i int, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.Clients[i].ContainerRemove(ctx, name, client.ContainerRemoveOptions{Force: true}); err != nil && !cerrdefs.IsNotFound(err) {
		s.T.Errorf("remove container %s on %s: %v", name, s.Nodes[i].Name, err)
	}
}

// removeNetwork removes the overlay once the tasks on it are gone (service
// removal is asynchronous: the network is in use until then).
func (s *Swarm) removeNetwork(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := retry(ctx, 250*time.Millisecond, func() error {
		_, err := s.Manager().NetworkRemove(ctx, name, client.NetworkRemoveOptions{})
		if err != nil && cerrdefs.IsNotFound(err) {
			return nil
		}
		return err
	})
	if err != nil {
		s.T.Errorf("remove network %s: %v", name, err)
	}
}

// waitGone waits until no node has a container or network of this test.
func (s *Swarm) waitGone() {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := retry(ctx, 250*time.Millisecond, func() error {
		var left []string
		for i, cli := range s.Clients {
			cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("name", s.Prefix)})
			if err != nil {
				return err
			}
			for _, c := range cs.Items {
				left = append(left, fmt.Sprintf("container %s on %s", strings.Join(c.Names, ","), s.Nodes[i].Name))
			}
			ns, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: make(client.Filters).Add("name", s.Prefix)})
			if err != nil {
				return err
			}
			for _, n := range ns.Items {
				left = append(left, fmt.Sprintf("network %s on %s", n.Name, s.Nodes[i].Name))
			}
		}
		if len(left) > 0 {
			return fmt.Errorf("left: %s", strings.Join(left, "; "))
		}
		return nil
	})
	if err != nil {
		s.T.Errorf("removing the scenario: %v", err)
	}
}
