package lab

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/textsafe"
)

// Node is one engine of a cluster a scenario is applied to.
type Node struct {
	// Name is the engine's host name, which is its swarm node name and
	// the name a scenario calls it by (docker --context NAME, -H
	// unix:///run/NAME/docker.sock); "" takes it from the engine.
	Name   string
	Client *client.Client
}

// nodeState is what an engine says of itself and its swarm.
type nodeState struct {
	name    string
	active  bool // a node of a swarm
	manager bool
	nodeID  string
	addr    string // its advertised (and data-path) address
	info    swarm.Info
}

// ClusterApplier applies a scenario to several engines, a scenario.Target
// that is a scenario.NodeTarget and a scenario.SwarmTarget: a command
// naming a node goes to the engine of that host name, one naming none to
// the swarm's manager (the first engine given when none is a manager).
// On each engine it is an Applier (labels, the lab image, stop without a
// wait). Swarm mode is taken as the engines are: netviz makes and leaves
// no swarm (neither could be undone by a label), so swarm init and join
// are checked — the node must already be a manager (init) or in the
// manager's swarm in the role the token asks for (join), at the address
// the scenario advertises — and then skipped, said in a notice; swarm
// leave is refused. Services carry the owner label (--label and
// --container-label), are created without asking a registry
// (--no-resolve-image: the nodes run an image they have) and, as the
// docker CLI does without --detach, each service command waits until the
// service's tasks run (or are gone).
type ClusterApplier struct {
	Nodes []Node
	// Owner is the io.netviz.owner label value (lab:NAME, verify:ID).
	Owner string
	// Pull lets images that are not present be pulled instead of
	// substituted with the lab image.
	Pull bool
	// Notices tells the person what was substituted or skipped.
	Notices []string
	// Wait bounds how long a service command waits for its tasks (0: 2
	// minutes).
	Wait time.Duration

	states  []*nodeState
	targets map[string]*nodeTarget
	def     *nodeTarget
}

var (
	_ scenario.NodeTarget  = (*ClusterApplier)(nil)
	_ scenario.SwarmTarget = (*nodeTarget)(nil)
)

// Prepare asks every engine its host name and its place in a swarm. Two
// engines of one name are an error: a scenario could not tell them apart.
// Apply and Preflight call it when it was not called.
func (c *ClusterApplier) Prepare(ctx context.Context) error {
	if c.targets != nil {
		return nil
	}
	if len(c.Nodes) == 0 {
		return errors.New("no engines to apply the scenario to")
	}
	targets := map[string]*nodeTarget{}
	var states []*nodeState
	var def *nodeTarget
	for i, n := range c.Nodes {
		res, err := n.Client.Info(ctx, client.InfoOptions{})
		if err != nil {
			return fmt.Errorf("engine %d (%s): %w", i+1, n.Client.DaemonHost(), err)
		}
		info := res.Info
		st := &nodeState{name: info.Name, active: info.Swarm.LocalNodeState == swarm.LocalNodeStateActive,
			manager: info.Swarm.ControlAvailable, nodeID: info.Swarm.NodeID, addr: info.Swarm.NodeAddr, info: info.Swarm}
		if n.Name != "" && n.Name != st.name {
			return fmt.Errorf("engine %s is named %s, not %s", n.Client.DaemonHost(), textsafe.Quote(st.name), textsafe.Quote(n.Name))
		}
		if _, dup := targets[st.name]; dup {
			return fmt.Errorf("two engines are named %s: a scenario names a node by its host name", textsafe.Quote(st.name))
		}
		t := &nodeTarget{Applier: &Applier{Client: n.Client, Owner: c.Owner, Pull: c.Pull}, cl: c, st: st}
		targets[st.name] = t
		states = append(states, st)
		if def == nil && st.manager {
			def = t
		}
	}
	if def == nil {
		def = targets[states[0].name]
	}
	c.targets, c.states, c.def = targets, states, def
	return nil
}

// Names are the engines' host names, in the order given (after Prepare).
func (c *ClusterApplier) Names() []string {
	var out []string
	for _, st := range c.states {
		out = append(out, st.name)
	}
	return out
}

// Manager is the name of the engine commands naming no node go to.
func (c *ClusterApplier) Manager() string {
	if c.def == nil {
		return ""
	}
	return c.def.st.name
}

// Apply executes the scenario on the engines, in order (scenario.Apply); a
// refusal names the command's position.
func (c *ClusterApplier) Apply(ctx context.Context, sc *scenario.Scenario) error {
	if err := c.Prepare(ctx); err != nil {
		return err
	}
	defer c.gatherNotices()
	return scenario.Apply(ctx, c, sc)
}

// gatherNotices moves the engines' appliers' notices into c.Notices, each
// naming its node.
func (c *ClusterApplier) gatherNotices() {
	for _, st := range c.states {
		t := c.targets[st.name]
		for _, n := range t.Notices {
			c.Notices = append(c.Notices, st.name+": "+n)
		}
		t.Notices = nil
	}
}

func (c *ClusterApplier) notef(format string, args ...any) {
	c.Notices = append(c.Notices, fmt.Sprintf(format, args...))
}

// On is the engine a command naming node is sent to.
func (c *ClusterApplier) On(ctx context.Context, node string) (scenario.Target, error) {
	t, err := c.on(ctx, node)
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (c *ClusterApplier) on(ctx context.Context, node string) (*nodeTarget, error) {
	if err := c.Prepare(ctx); err != nil {
		return nil, err
	}
	if node == "" {
		return c.def, nil
	}
	if t := c.targets[node]; t != nil {
		return t, nil
	}
	return nil, fmt.Errorf("this command goes to node %s, which is none of the engines given (%s)", textsafe.Quote(node), strings.Join(c.Names(), ", "))
}

// The Target methods of the cluster itself are those of the engine
// commands naming no node go to (scenario.Exec always asks On first).

// NetworkCreate is `docker network create` on the default engine.
func (c *ClusterApplier) NetworkCreate(ctx context.Context, spec *scenario.NetworkSpec) error {
	t, err := c.on(ctx, "")
	if err != nil {
		return err
	}
	return t.NetworkCreate(ctx, spec)
}

// NetworkConnect is `docker network connect` on the default engine.
func (c *ClusterApplier) NetworkConnect(ctx context.Context, spec *scenario.ConnectSpec) error {
	t, err := c.on(ctx, "")
	if err != nil {
		return err
	}
	return t.NetworkConnect(ctx, spec)
}

// NetworkDisconnect is `docker network disconnect` on the default engine.
func (c *ClusterApplier) NetworkDisconnect(ctx context.Context, spec *scenario.ConnectSpec, force bool) error {
	t, err := c.on(ctx, "")
	if err != nil {
		return err
	}
	return t.NetworkDisconnect(ctx, spec, force)
}

// NetworkRemove is `docker network rm` on the default engine.
func (c *ClusterApplier) NetworkRemove(ctx context.Context, name string) error {
	t, err := c.on(ctx, "")
	if err != nil {
		return err
	}
	return t.NetworkRemove(ctx, name)
}

// ContainerCreate is `docker create` on the default engine.
func (c *ClusterApplier) ContainerCreate(ctx context.Context, spec *scenario.RunSpec) (string, error) {
	t, err := c.on(ctx, "")
	if err != nil {
		return "", err
	}
	return t.ContainerCreate(ctx, spec)
}

// ContainerStart is `docker start` on the default engine.
func (c *ClusterApplier) ContainerStart(ctx context.Context, ref string) error {
	t, err := c.on(ctx, "")
	if err != nil {
		return err
	}
	return t.ContainerStart(ctx, ref)
}

// ContainerStop is `docker stop` on the default engine.
func (c *ClusterApplier) ContainerStop(ctx context.Context, ref string) error {
	t, err := c.on(ctx, "")
	if err != nil {
		return err
	}
	return t.ContainerStop(ctx, ref)
}

// ContainerRestart is `docker restart` on the default engine.
func (c *ClusterApplier) ContainerRestart(ctx context.Context, ref string) error {
	t, err := c.on(ctx, "")
	if err != nil {
		return err
	}
	return t.ContainerRestart(ctx, ref)
}

// ContainerRemove is `docker rm` on the default engine.
func (c *ClusterApplier) ContainerRemove(ctx context.Context, ref string, force bool) error {
	t, err := c.on(ctx, "")
	if err != nil {
		return err
	}
	return t.ContainerRemove(ctx, ref, force)
}

// Containers is the default engine's containers of this owner.
func (c *ClusterApplier) Containers(ctx context.Context, running bool) ([]string, error) {
	t, err := c.on(ctx, "")
	if err != nil {
		return nil, err
	}
	return t.Containers(ctx, running)
}

// Preflight refuses a scenario that names a node none of the engines is,
// needs a name already in use where it would be made — a network or a
// container on its node (an overlay on the manager, which lists every
// swarm network), a service on the manager — or makes its swarm otherwise
// than the engines are in one (swarm init and join are checked as they
// would be applied; swarm leave is refused).
func (c *ClusterApplier) Preflight(ctx context.Context, sc *scenario.Scenario) error {
	if err := c.Prepare(ctx); err != nil {
		return err
	}
	err := clusterPreflight(ctx, func(node string) (clusterNames, error) {
		t, err := c.on(ctx, node)
		if err != nil {
			return nil, err
		}
		return clusterEngineNames{engineNames{t.Client}}, nil
	}, sc)
	if err != nil {
		return err
	}
	// The swarm as the scenario says it is made: checked before anything
	// is built.
	for _, cmd := range sc.Commands {
		if cmd.Swarm == nil {
			continue
		}
		t, err := c.on(ctx, cmd.Node)
		if err != nil {
			return fmt.Errorf("%s: %w", cmd.Pos, err)
		}
		switch cmd.Verb {
		case scenario.VerbSwarmInit:
			err = t.checkInit(cmd.Swarm)
		case scenario.VerbSwarmJoin:
			err = t.checkJoin(ctx, cmd.Swarm)
		case scenario.VerbSwarmLeave:
			err = t.SwarmLeave(ctx, cmd.Swarm)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", cmd.Pos, err)
		}
	}
	return nil
}

// clusterNames answers names on one node of a cluster: the engine's
// (clusterEngineNames) or the simulator's.
type clusterNames interface {
	names
	ServiceExists(ctx context.Context, name string) bool
}

type clusterEngineNames struct{ engineNames }

func (e clusterEngineNames) ServiceExists(ctx context.Context, name string) bool {
	res, err := e.cli.ServiceInspect(ctx, name, client.ServiceInspectOptions{})
	return err == nil && res.Service.Spec.Name == name
}

func clusterPreflight(ctx context.Context, on func(node string) (clusterNames, error), sc *scenario.Scenario) error {
	for _, c := range sc.Commands {
		if c.Verb == scenario.VerbNoop {
			continue
		}
		engine, err := on(c.Node)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Pos, err)
		}
		where := "on this engine"
		if c.Node != "" {
			where = "on node " + textsafe.Clean(c.Node)
		}
		switch {
		case c.Network != nil:
			if engine.NetworkExists(ctx, c.Network.Name) {
				return fmt.Errorf("%s: network %s already exists %s; remove it or run `netviz lab down`", c.Pos, c.Network.Name, where)
			}
		case c.Run != nil && c.Run.Name != "":
			if engine.ContainerExists(ctx, c.Run.Name) {
				return fmt.Errorf("%s: container %s already exists %s; remove it or run `netviz lab down`", c.Pos, c.Run.Name, where)
			}
		case c.Service != nil && c.Service.Name != "":
			if engine.ServiceExists(ctx, c.Service.Name) {
				return fmt.Errorf("%s: service %s already exists in the swarm; remove it or run `netviz lab down`", c.Pos, c.Service.Name)
			}
		}
	}
	return nil
}

// nodeTarget is one engine of the cluster: an Applier, and swarm mode.
type nodeTarget struct {
	*Applier
	cl *ClusterApplier
	st *nodeState
}

// NetworkCreate is `docker network create` on this node. A macvlan or
// ipvlan network is refused: its parent would have to be an interface of
// the node's own namespace, which netviz does not pick for it.
func (t *nodeTarget) NetworkCreate(ctx context.Context, n *scenario.NetworkSpec) error {
	if (n.Driver == "macvlan" || n.Driver == "ipvlan") && t.Parent == "" {
		return fmt.Errorf("network %s: a %s network on one node of several engines is not built by netviz: its parent would be an interface of that node", textsafe.Clean(n.Name), n.Driver)
	}
	return t.Applier.NetworkCreate(ctx, n)
}

// ContainerStart is `docker start`, tried again (three times in all) when
// the node's attach to an overlay times out: right after an overlay of
// someone else's went, a worker's attach can time out while the manager
// still tidies up ("attaching to network failed … context deadline
// exceeded"), which the next try does not meet.
func (t *nodeTarget) ContainerStart(ctx context.Context, ref string) error {
	var err error
	for try := 1; try <= 3; try++ {
		if err = t.Applier.ContainerStart(ctx, ref); err == nil || !strings.Contains(err.Error(), "attaching to network failed") || ctx.Err() != nil {
			return err
		}
	}
	return err
}

// Containers lists this node's containers of the owner that are no
// service's task: a bulk form acts on the scenario's own containers, and
// the swarm's tasks are its services'.
func (t *nodeTarget) Containers(ctx context.Context, running bool) ([]string, error) {
	f := make(client.Filters).Add("label", OwnerLabel+"="+t.Owner)
	res, err := t.Client.ContainerList(ctx, client.ContainerListOptions{All: !running, Filters: f})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range res.Items {
		if _, task := s.Labels[taskLabel]; !task && len(s.Names) > 0 {
			out = append(out, strings.TrimPrefix(s.Names[0], "/"))
		}
	}
	return out, nil
}

// Labels swarm puts on a task's container.
const (
	taskLabel    = "com.docker.swarm.task.id"
	serviceLabel = "com.docker.swarm.service.id"
)

// errNoSwarm says netviz does not make swarms.
func errNoSwarm(node string) error {
	return fmt.Errorf("node %s is in no swarm, and netviz makes none (a swarm is not removed by a label): make the swarm first (docker swarm init/join; .ci/swarm up makes a test bed)", textsafe.Quote(node))
}

// checkAddr compares the address a swarm init or join advertises (an IP
// address, with or without a port) with the node's.
func (t *nodeTarget) checkAddr(spec *scenario.SwarmSpec) error {
	for _, f := range []struct{ flag, val string }{{"--advertise-addr", spec.AdvertiseAddr}, {"--data-path-addr", spec.DataPathAddr}} {
		if f.val == "" {
			continue
		}
		host := f.val
		if ap, err := netip.ParseAddrPort(f.val); err == nil {
			host = ap.Addr().String()
		}
		a, err := netip.ParseAddr(host)
		if err != nil {
			continue // an interface name: the node's address is what it gave
		}
		if a.String() != t.st.addr {
			return fmt.Errorf("node %s is in the swarm with address %s, but the scenario gives %s %s", textsafe.Quote(t.st.name), t.st.addr, f.flag, a)
		}
	}
	return nil
}

// SwarmInit checks that the node is a manager of a swarm already, at the
// address and with the pools the scenario gives, and skips the command.
func (t *nodeTarget) SwarmInit(_ context.Context, spec *scenario.SwarmSpec) error {
	if err := t.checkInit(spec); err != nil {
		return err
	}
	t.cl.notef("%s: a manager of swarm %.12s already (%s): swarm init skipped", t.st.name, t.clusterID(), t.st.addr)
	return nil
}

// checkInit is SwarmInit's check.
func (t *nodeTarget) checkInit(spec *scenario.SwarmSpec) error {
	switch {
	case !t.st.active:
		return errNoSwarm(t.st.name)
	case !t.st.manager:
		return fmt.Errorf("node %s is a worker of a swarm already: swarm init would be refused (This node is already part of a swarm)", textsafe.Quote(t.st.name))
	}
	if err := t.checkAddr(spec); err != nil {
		return err
	}
	if ci := t.st.info.Cluster; ci != nil {
		var pools []string
		for _, p := range ci.DefaultAddrPool {
			pools = append(pools, p.String())
		}
		if len(spec.DefaultAddrPools) > 0 && !slices.Equal(pools, spec.DefaultAddrPools) {
			return fmt.Errorf("node %s's swarm has the address pools %s, not the scenario's %s", textsafe.Quote(t.st.name), strings.Join(pools, ","), textsafe.Clean(strings.Join(spec.DefaultAddrPools, ",")))
		}
		if spec.SubnetSize != 0 && uint32(spec.SubnetSize) != ci.SubnetSize {
			return fmt.Errorf("node %s's swarm hands out /%d subnets, not the scenario's /%d", textsafe.Quote(t.st.name), ci.SubnetSize, spec.SubnetSize)
		}
		if spec.DataPathPort != 0 && uint32(spec.DataPathPort) != ci.DataPathPort {
			return fmt.Errorf("node %s's swarm carries VXLAN on UDP %d, not the scenario's %d", textsafe.Quote(t.st.name), ci.DataPathPort, spec.DataPathPort)
		}
	}
	return nil
}

func (t *nodeTarget) clusterID() string {
	if ci := t.st.info.Cluster; ci != nil {
		return ci.ID
	}
	return "?"
}

// SwarmJoin checks that the node is in the swarm of the cluster's manager,
// in the role the token asks for, at the address given, joined through a
// manager's address — and skips the command.
func (t *nodeTarget) SwarmJoin(ctx context.Context, spec *scenario.SwarmSpec) error {
	if err := t.checkJoin(ctx, spec); err != nil {
		return err
	}
	role := map[bool]string{true: "manager", false: "worker"}[t.st.manager]
	t.cl.notef("%s: a %s of swarm %.12s already (%s): swarm join skipped", t.st.name, role, t.cl.def.clusterID(), t.st.addr)
	return nil
}

// checkJoin is SwarmJoin's check.
func (t *nodeTarget) checkJoin(ctx context.Context, spec *scenario.SwarmSpec) error {
	if !t.st.active {
		return errNoSwarm(t.st.name)
	}
	role := "worker"
	if spec.Token == scenario.ManagerToken {
		role = "manager"
	}
	if have := map[bool]string{true: "manager", false: "worker"}[t.st.manager]; have != role {
		return fmt.Errorf("node %s is a %s of the swarm, but the scenario joins it as a %s", textsafe.Quote(t.st.name), have, role)
	}
	if err := t.checkAddr(spec); err != nil {
		return err
	}
	mgr := t.cl.def
	if !mgr.st.manager {
		return fmt.Errorf("swarm join on node %s: none of the engines given is a manager of its swarm", textsafe.Quote(t.st.name))
	}
	nodes, err := mgr.Client.NodeList(ctx, client.NodeListOptions{})
	if err != nil {
		return fmt.Errorf("list the swarm's nodes on %s: %w", mgr.st.name, err)
	}
	var managers []string
	in := false
	for _, n := range nodes.Items {
		if n.ID == t.st.nodeID {
			in = true
		}
		if n.ManagerStatus != nil {
			managers = append(managers, n.ManagerStatus.Addr, n.Description.Hostname)
		}
	}
	if !in {
		return fmt.Errorf("node %s is in another swarm than %s's", textsafe.Quote(t.st.name), mgr.st.name)
	}
	if remote := spec.Remote; remote != "" {
		host := remote
		if ap, err := netip.ParseAddrPort(remote); err == nil {
			host = ap.Addr().String()
		} else if h, _, ok := strings.Cut(remote, ":"); ok {
			host = h
		}
		if !slices.ContainsFunc(managers, func(m string) bool { return m == remote || m == host || strings.HasPrefix(m, host+":") }) {
			return fmt.Errorf("swarm join %s: no manager of the swarm is there (managers: %s)", textsafe.Clean(remote), strings.Join(managers, ", "))
		}
	}
	return nil
}

// SwarmLeave is refused: netviz could not put the node back.
func (t *nodeTarget) SwarmLeave(context.Context, *scenario.SwarmSpec) error {
	return fmt.Errorf("node %s: netviz does not take a node out of a swarm (it could not put it back)", textsafe.Quote(t.st.name))
}

// ServiceCreate is `docker service create --no-resolve-image`, labelled
// (the service and its tasks' containers), with a stop grace period of 0
// (a lab's tasks have nothing to shut down cleanly); it waits until the
// tasks run.
func (t *nodeTarget) ServiceCreate(ctx context.Context, s *scenario.ServiceSpec) error {
	img, args, err := t.cl.serviceImage(ctx, s.Image, s.Command)
	if err != nil {
		return err
	}
	zero := time.Duration(0)
	spec := swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: s.Name, Labels: t.labels()},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: &swarm.ContainerSpec{Image: img, Args: args, Labels: t.labels(), StopGracePeriod: &zero},
			Placement:     &swarm.Placement{Constraints: s.Constraints, MaxReplicas: uint64(s.MaxPerNode)},
		},
		EndpointSpec: &swarm.EndpointSpec{Mode: swarm.ResolutionMode(s.EndpointMode)},
	}
	for _, n := range s.Networks {
		spec.TaskTemplate.Networks = append(spec.TaskTemplate.Networks, swarm.NetworkAttachmentConfig{Target: n.Name, Aliases: n.Aliases})
	}
	switch s.Mode {
	case "global":
		spec.Mode.Global = &swarm.GlobalService{}
	case "replicated", "":
		n := uint64(s.Replicas)
		spec.Mode.Replicated = &swarm.ReplicatedService{Replicas: &n}
	default:
		return fmt.Errorf("--mode %s: netviz builds replicated and global services only", textsafe.Clean(s.Mode))
	}
	for _, p := range s.Ports {
		pc := swarm.PortConfig{Protocol: network.IPProtocol(p.Proto), TargetPort: uint32(p.Target), PublishedPort: uint32(p.Published),
			PublishMode: swarm.PortConfigPublishMode(p.Mode)}
		spec.EndpointSpec.Ports = append(spec.EndpointSpec.Ports, pc)
	}
	res, err := t.Client.ServiceCreate(ctx, client.ServiceCreateOptions{Spec: spec})
	if err != nil {
		return err
	}
	return t.cl.converge(ctx, t, res.ID, s.Name)
}

// service is a service of this owner by name, or why it cannot be acted on.
func (t *nodeTarget) service(ctx context.Context, name string) (swarm.Service, error) {
	res, err := t.Client.ServiceInspect(ctx, name, client.ServiceInspectOptions{})
	if err != nil {
		return swarm.Service{}, err
	}
	if res.Service.Spec.Labels[OwnerLabel] != t.Owner {
		return swarm.Service{}, fmt.Errorf("service %s was not made by this scenario (no %s=%s): netviz leaves it alone", textsafe.Quote(name), OwnerLabel, t.Owner)
	}
	return res.Service, nil
}

// ServiceRemove is `docker service rm` of a service of this owner; it
// waits until its tasks' containers are gone from every node.
func (t *nodeTarget) ServiceRemove(ctx context.Context, name string) error {
	svc, err := t.service(ctx, name)
	if err != nil {
		return err
	}
	if _, err := t.Client.ServiceRemove(ctx, svc.ID, client.ServiceRemoveOptions{}); err != nil {
		return err
	}
	if err := t.cl.removeTasks(ctx, func(labels map[string]string) bool { return labels[serviceLabel] == svc.ID }); err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, t.cl.wait())
	defer cancel()
	return tasksGone(wctx, t.Client, []string{svc.ID})
}

// tasksGone waits until the manager lists no task of the services: only
// then has the swarm given back what they held (host-mode ports, their
// addresses), for what comes next to find it free as the simulator does.
func tasksGone(ctx context.Context, mgr *client.Client, ids []string) error {
	for {
		// Every task, not filtered by service: the filter refuses a
		// service that is gone.
		tl, err := mgr.TaskList(ctx, client.TaskListOptions{})
		if err != nil {
			return err
		}
		left := 0
		for _, task := range tl.Items {
			if slices.Contains(ids, task.ServiceID) {
				left++
			}
		}
		if left == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the swarm still lists %d task(s) of removed services: %w", left, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// ServiceScale is `docker service scale NAME=N` of a replicated service
// of this owner; it waits until N tasks run and removes the containers of
// the tasks it shut down (the simulator keeps no task history).
func (t *nodeTarget) ServiceScale(ctx context.Context, sc scenario.ScaleSpec) error {
	svc, err := t.service(ctx, sc.Service)
	if err != nil {
		return err
	}
	if svc.Spec.Mode.Replicated == nil {
		return fmt.Errorf("%s: scale can only be used with replicated or replicated-job mode", textsafe.Clean(sc.Service))
	}
	n := uint64(sc.Replicas)
	spec := svc.Spec
	spec.Mode.Replicated = &swarm.ReplicatedService{Replicas: &n}
	if _, err := t.Client.ServiceUpdate(ctx, svc.ID, client.ServiceUpdateOptions{Version: svc.Version, Spec: spec}); err != nil {
		return err
	}
	if err := t.cl.converge(ctx, t, svc.ID, sc.Service); err != nil {
		return err
	}
	tl, err := t.Client.TaskList(ctx, client.TaskListOptions{Filters: make(client.Filters).Add("service", svc.ID).Add("desired-state", "running")})
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, task := range tl.Items {
		keep[task.ID] = true
	}
	return t.cl.removeTasks(ctx, func(labels map[string]string) bool {
		return labels[serviceLabel] == svc.ID && !keep[labels[taskLabel]]
	})
}

// serviceImage is the image a service runs: the scenario's when every
// node has it (or Pull), else the lab image (every node has it: see
// EnsureImage), which runs its own command.
func (c *ClusterApplier) serviceImage(ctx context.Context, ref string, args []string) (string, []string, error) {
	if c.Pull {
		return ref, args, nil
	}
	var lacking []string
	for _, st := range c.states {
		if _, err := c.targets[st.name].Client.ImageInspect(ctx, ref); err != nil {
			if !cerrdefs.IsNotFound(err) {
				return "", nil, fmt.Errorf("inspect %s on %s: %w", textsafe.Clean(ref), st.name, err)
			}
			lacking = append(lacking, st.name)
		}
	}
	if len(lacking) == 0 {
		return ref, args, nil
	}
	c.notef("image %s is not on %s: the service runs %s (netviz idling) instead; --pull lets the nodes fetch it", textsafe.Clean(ref), strings.Join(lacking, ", "), Image)
	return Image, nil, nil
}

func (c *ClusterApplier) wait() time.Duration {
	if c.Wait > 0 {
		return c.Wait
	}
	return 2 * time.Minute
}

// taskSettled says whether a task's state is final for converge: running,
// or pending because no node fits it (the simulator's pending tasks).
func taskSettled(task swarm.Task) (running, pending bool) {
	switch {
	case task.Status.State == swarm.TaskStateRunning:
		return true, false
	case task.Status.State == swarm.TaskStatePending && strings.Contains(task.Status.Err, "no suitable node"):
		return false, true
	}
	return false, false
}

// pendingGrace is how long a task no node fits must stay so before
// converge takes it as pending for good: a node frees a host-mode port,
// say, only once the swarm removed the task that held it.
const pendingGrace = 5 * time.Second

// converge waits until the service's tasks run: as many as its replicas
// (a global service: each task the orchestrator made), none still
// starting or shutting down. Tasks no node fits for pendingGrace are left
// pending, said in a notice; a task that failed is the error when time
// runs out.
func (c *ClusterApplier) converge(ctx context.Context, t *nodeTarget, id, name string) error {
	ctx, cancel := context.WithTimeout(ctx, c.wait())
	defer cancel()
	var last string
	var pendingSince time.Time
	for {
		si, err := t.Client.ServiceInspect(ctx, id, client.ServiceInspectOptions{})
		if err != nil {
			return fmt.Errorf("service %s: %w", textsafe.Clean(name), err)
		}
		tl, err := t.Client.TaskList(ctx, client.TaskListOptions{Filters: make(client.Filters).Add("service", id)})
		if err != nil {
			return fmt.Errorf("service %s: tasks: %w", textsafe.Clean(name), err)
		}
		want := -1
		if r := si.Service.Spec.Mode.Replicated; r != nil && r.Replicas != nil {
			want = int(*r.Replicas)
		}
		running, pending, desired, busy := 0, 0, 0, 0
		var why []string
		for _, task := range tl.Items {
			live := !slices.Contains([]swarm.TaskState{swarm.TaskStateComplete, swarm.TaskStateShutdown, swarm.TaskStateFailed,
				swarm.TaskStateRejected, swarm.TaskStateRemove, swarm.TaskStateOrphaned}, task.Status.State)
			if task.DesiredState != swarm.TaskStateRunning {
				if live {
					busy++ // shutting down
				}
				if task.Status.Err != "" && (task.Status.State == swarm.TaskStateFailed || task.Status.State == swarm.TaskStateRejected) {
					why = append(why, fmt.Sprintf("task %d: %s", task.Slot, task.Status.Err))
				}
				continue
			}
			desired++
			r, p := taskSettled(task)
			switch {
			case r:
				running++
			case p:
				pending++
			default:
				busy++
				if task.Status.Err != "" {
					why = append(why, fmt.Sprintf("task %d: %s %s", task.Slot, task.Status.State, task.Status.Err))
				}
			}
		}
		if len(why) > 0 {
			last = strings.Join(why, "; ")
		}
		if busy == 0 && (want < 0 && desired > 0 || desired == want) {
			if pending == 0 {
				return nil
			}
			if pendingSince.IsZero() {
				pendingSince = time.Now()
			}
			if time.Since(pendingSince) >= pendingGrace {
				c.notef("service %s: %d task(s) stay pending: no suitable node", textsafe.Clean(name), pending)
				return nil
			}
		} else {
			pendingSince = time.Time{}
		}
		select {
		case <-ctx.Done():
			if err := ctx.Err(); errors.Is(err, context.DeadlineExceeded) {
				msg := fmt.Sprintf("service %s: %d of %d tasks running after %s", textsafe.Clean(name), running, max(want, desired), c.wait())
				if last != "" {
					msg += ": " + textsafe.CleanN(last, 300)
				}
				return errors.New(msg)
			}
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// removeTasks removes, on every node, the task containers match accepts
// (by their labels), until none is left: a node's agent removes a task's
// container only after a pause for gossip.
func (c *ClusterApplier) removeTasks(ctx context.Context, match func(map[string]string) bool) error {
	ctx, cancel := context.WithTimeout(ctx, c.wait())
	defer cancel()
	for {
		left := 0
		for _, st := range c.states {
			cli := c.targets[st.name].Client
			cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", serviceLabel)})
			if err != nil {
				return err
			}
			for _, ct := range cs.Items {
				if !match(ct.Labels) {
					continue
				}
				left++
				if _, err := cli.ContainerRemove(ctx, ct.ID, client.ContainerRemoveOptions{Force: true}); err != nil && !cerrdefs.IsNotFound(err) && !cerrdefs.IsConflict(err) {
					return fmt.Errorf("remove task container %s on %s: %w", strings.TrimPrefix(firstName(ct.Names), "/"), st.name, err)
				}
			}
		}
		if left == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the tasks' containers were not gone in time: %w", ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
