package sim

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/textsafe"
)

// service is a swarm service as the managers keep it.
type service struct {
	name, id, image string
	mode            string // replicated or global
	replicas        int
	maxPerNode      int
	endpointMode    string // vip or dnsrr
	// nets are the networks its tasks join, in the order they do: the
	// ingress first when a port is published in ingress mode, then the
	// --network ones as given; vips[i] is the VIP on nets[i] (vip mode).
	nets        []*network
	vips        []netip.Addr
	ports       []scenario.ServicePort // published ones resolved
	constraints []constraint
	tasks       []*task
}

// task is one task of a service: its addresses (allocated with it), and
// its node and container once the scheduler placed it.
type task struct {
	svc     *service
	id      string
	slot    int    // replicated: 1…; global: 0
	forNode string // global: the node it is for
	addrs   []netip.Addr
	node    *Engine // nil while pending
	ctr     string  // the container's name on node
	noted   bool    // pending, and said so
}

// constraint is one --constraint: node.hostname or node.role, == or !=.
type constraint struct {
	field, value string
	eq           bool
}

// maxTasks bounds the tasks of one service.
const maxTasks = 10000

// managerOf is the swarm of a manager, or the daemon's refusal of a service
// command on any other node (rule swarm.manager-only).
func (e *Engine) managerOf() (*swarm, error) {
	switch {
	case !e.member():
		return nil, daemonErr(dockerrules.RefuseNotSwarmManager)
	case !e.manager():
		return nil, daemonErr(dockerrules.RefuseWorkerNode)
	}
	return e.cl.swarm, nil
}

// ServiceCreate creates a service as a manager would (`docker service
// create`): its VIPs first, then its tasks' addresses in slot order (rule
// swarm.address-order); then the scheduler spreads the tasks over the
// nodes (rule swarm.placement), each node that gets its first endpoint on
// a network gets its load-balancer endpoint there, in join order, and the
// nodes start the task containers (rule swarm.task-name).
func (e *Engine) ServiceCreate(ctx context.Context, spec *scenario.ServiceSpec) error {
	sw, err := e.managerOf()
	if err != nil {
		return err
	}
	name := spec.Name
	if name == "" {
		name = "service_" + strconv.Itoa(len(sw.svcOrder)+1)
		e.note(ctx, "service %s: a service without --name gets a random name from Docker; the simulator calls it %s", name, name)
	} else if !dockerrules.ValidContainerName(name) && !(len(name) == 1 && dockerrules.ValidContainerName(name+name)) {
		return daemonErr("rpc error: code = InvalidArgument desc = name must be valid as a DNS name component")
	}
	if _, dup := sw.services[name]; dup {
		return daemonErr(dockerrules.RefuseServiceExists, name)
	}
	svc := &service{name: name, id: swarmID("service", name), image: spec.Image, mode: spec.Mode, replicas: spec.Replicas,
		maxPerNode: spec.MaxPerNode, endpointMode: spec.EndpointMode}
	switch spec.Mode {
	case "replicated", "global":
	default:
		return refuseAt(spec.Where["--mode"], dockerrules.NotModelled, "--mode "+textsafe.Clean(spec.Mode), e.prof.Major, "a job's tasks run to completion; the simulator's run for good")
	}
	if svc.mode == "replicated" && svc.replicas > maxTasks {
		return refuseAt(scenario.Pos{}, dockerrules.NotModelled, fmt.Sprintf("a service of %d replicas", svc.replicas), e.prof.Major, fmt.Sprintf("the simulator runs at most %d tasks a service", maxTasks))
	}
	for _, expr := range spec.Constraints {
		c, err := parseConstraint(expr)
		if err != nil {
			return refuseAt(spec.Where["--constraint "+expr], dockerrules.NotModelled, "--constraint "+textsafe.Quote(expr), e.prof.Major, err.Error())
		}
		svc.constraints = append(svc.constraints, c)
	}
	if err := sw.takePorts(svc, spec.Ports); err != nil {
		return err
	}
	for _, sn := range spec.Networks {
		at := spec.Where["--network "+sn.Name]
		n := e.nets[sn.Name]
		switch {
		case n == nil:
			return daemonErr(dockerrules.RefuseNoSuchNetwork, sn.Name)
		case n.ovl == nil:
			return refuseAt(at, dockerrules.NotModelled, "a service on local network "+textsafe.Quote(sn.Name), e.prof.Major, "the simulator's services are on overlays")
		case n.ovl.ingress:
			return daemonErr("rpc error: code = InvalidArgument desc = Service cannot be explicitly attached to the ingress network %q", n.name)
		case len(sn.Aliases) > 0:
			return refuseAt(at, dockerrules.NotModelled, "an alias on a service's network", e.prof.Major, "an alias names the service's VIP (or its tasks, dnsrr) there, which the model does not keep")
		case slices.Contains(svc.nets, n):
			return daemonErr("rpc error: code = InvalidArgument desc = duplicate network %s", n.name)
		}
		svc.nets = append(svc.nets, n)
	}
	// VIPs first (rule swarm.address-order).
	if svc.endpointMode == "vip" {
		for _, n := range svc.nets {
			a, err := allocate(n, n.ipRange, n.subnet, n.used, netip.Addr{}, "vip:"+svc.name, "IPv4")
			if err != nil {
				svc.release()
				return err
			}
			svc.vips = append(svc.vips, a)
		}
	}
	if svc.mode == "replicated" {
		for slot := 1; slot <= svc.replicas; slot++ {
			if err := sw.newTask(svc, slot, ""); err != nil {
				svc.release()
				return err
			}
		}
	}
	sw.services[svc.name] = svc
	sw.svcOrder = append(sw.svcOrder, svc.name)
	return sw.reconcile(ctx)
}

// parseConstraint reads node.hostname==X, node.role!=manager and the like:
// the constraints the simulated nodes can answer.
func parseConstraint(expr string) (constraint, error) {
	for _, op := range []string{"==", "!="} {
		if k, v, ok := strings.Cut(expr, op); ok {
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			switch k {
			case "node.hostname", "node.role":
				return constraint{field: k, value: v, eq: op == "=="}, nil
			}
			return constraint{}, fmt.Errorf("the simulated nodes know node.hostname and node.role only, not %s", textsafe.Clean(k))
		}
	}
	return constraint{}, fmt.Errorf("a constraint is KEY==VALUE or KEY!=VALUE")
}

// takePorts resolves the service's published ports: an ingress port
// unused by another service (the swarm picks one from 30000 when none is
// given); dnsrr cannot publish through the ingress, whose VIP it lacks.
// A port published in ingress mode puts the ingress network first in the
// tasks' networks.
func (sw *swarm) takePorts(svc *service, ports []scenario.ServicePort) error {
	ingressPorts := map[string]*service{}
	for _, name := range sw.svcOrder {
		o := sw.services[name]
		for _, p := range o.ports {
			if p.Mode == scenario.PublishIngress {
				ingressPorts[p.Proto+"/"+strconv.Itoa(p.Published)] = o
			}
		}
	}
	ingress := false
	for _, p := range ports {
		if p.Mode != scenario.PublishIngress {
			svc.ports = append(svc.ports, p)
			continue
		}
		ingress = true
		if svc.endpointMode == "dnsrr" {
			return daemonErr(dockerrules.RefuseDNSRRIngress)
		}
		if p.Published == 0 {
			for p.Published = dockerrules.FirstIngressPort; ingressPorts[p.Proto+"/"+strconv.Itoa(p.Published)] != nil; p.Published++ {
			}
		}
		key := p.Proto + "/" + strconv.Itoa(p.Published)
		if o := ingressPorts[key]; o != nil {
			return daemonErr(dockerrules.RefuseIngressPortInUse, p.Published, o.name, o.id)
		}
		ingressPorts[key] = svc
		svc.ports = append(svc.ports, p)
	}
	if ingress {
		svc.nets = append(svc.nets, sw.nets[0])
	}
	return nil
}

// newTask adds a task to svc with its addresses on every network of the
// service, allocated now, before the scheduler places it (rule
// swarm.address-order).
func (sw *swarm) newTask(svc *service, slot int, forNode string) error {
	sw.seq++
	t := &task{svc: svc, id: swarmID("task", svc.id+"/"+strconv.Itoa(sw.seq)), slot: slot, forNode: forNode}
	for _, n := range svc.nets {
		a, err := allocate(n, n.ipRange, n.subnet, n.used, netip.Addr{}, "task:"+t.id, "IPv4")
		if err != nil {
			t.releaseAddrs(svc)
			return err
		}
		t.addrs = append(t.addrs, a)
	}
	svc.tasks = append(svc.tasks, t)
	return nil
}

// releaseAddrs returns a task's addresses to their networks.
func (t *task) releaseAddrs(svc *service) {
	for i, a := range t.addrs {
		if i < len(svc.nets) && svc.nets[i].used != nil && strings.HasPrefix(svc.nets[i].used[a], "task:") {
			delete(svc.nets[i].used, a)
		}
	}
	t.addrs = nil
}

// release returns a service's VIPs and its tasks' addresses.
func (svc *service) release() {
	for i, a := range svc.vips {
		delete(svc.nets[i].used, a)
	}
	svc.vips = nil
	for _, t := range svc.tasks {
		t.releaseAddrs(svc)
	}
}

// containerName is a task container's name (rule swarm.task-name):
// SERVICE.SLOT.TASKID, or SERVICE.NODEID.TASKID for a global service.
func (t *task) containerName(svc *service) string {
	if svc.mode == "global" {
		return svc.name + "." + swarmID("node", t.forNode) + "." + t.id
	}
	return fmt.Sprintf("%s.%d.%s", svc.name, t.slot, t.id)
}

// reconcile is what the orchestrators and the scheduler do after a change:
// a global service gets a task for each node it fits that has none; each
// task without a node is placed (rule swarm.placement) or stays pending,
// said in a note; the nodes that get their first endpoint on a network get
// their load-balancer endpoint there, in join order (rule
// swarm.address-order); then the nodes start the placed tasks' containers.
func (sw *swarm) reconcile(ctx context.Context) error {
	type placed struct {
		svc *service
		t   *task
	}
	var started []placed
	for _, name := range sw.svcOrder {
		svc := sw.services[name]
		if svc.mode == "global" {
			for _, m := range sw.members {
				has := slices.ContainsFunc(svc.tasks, func(t *task) bool { return t.forNode == m.opts.Hostname })
				if !has && sw.unfit(svc, nil, m) == "" {
					if err := sw.newTask(svc, 0, m.opts.Hostname); err != nil {
						return err
					}
				}
			}
		}
		for _, t := range svc.tasks {
			if t.node != nil {
				continue
			}
			m, why := sw.pick(svc, t)
			if m == nil {
				if !t.noted {
					t.noted = true
					sw.leader.note(ctx, "service %s: task %s stays pending: no suitable node (%s)", textsafe.Clean(svc.name), t.containerName(svc), why)
				}
				continue
			}
			t.node = m
			started = append(started, placed{svc, t})
		}
	}
	for _, m := range sw.members {
		for _, p := range started {
			if p.t.node != m {
				continue
			}
			for _, n := range p.svc.nets {
				if err := m.activate(n); err != nil {
					return err
				}
			}
		}
	}
	for _, p := range started {
		if err := p.t.node.runTask(p.svc, p.t); err != nil {
			return err
		}
	}
	return nil
}

// pick is the node the scheduler gives a task (rule swarm.placement): of
// the nodes it fits, the one with the fewest tasks of the service, then
// the fewest tasks; ties go to the node that joined first (a real swarm
// breaks them at random). why says, for none, why not.
func (sw *swarm) pick(svc *service, t *task) (*Engine, string) {
	var best *Engine
	var bestSvc, bestAll int
	reasons := map[string]int{}
	var order []string
	for _, m := range sw.members {
		if t.forNode != "" && m.opts.Hostname != t.forNode {
			continue
		}
		if why := sw.unfit(svc, t, m); why != "" {
			if reasons[why] == 0 {
				order = append(order, why)
			}
			reasons[why]++
			continue
		}
		nSvc, nAll := sw.tasksOn(m, svc)
		if best == nil || nSvc < bestSvc || nSvc == bestSvc && nAll < bestAll {
			best, bestSvc, bestAll = m, nSvc, nAll
		}
	}
	if best != nil {
		return best, ""
	}
	var parts []string
	for _, why := range order {
		parts = append(parts, fmt.Sprintf("%s on %d node%s", why, reasons[why], map[bool]string{true: "", false: "s"}[reasons[why] == 1]))
	}
	if len(parts) == 0 {
		parts = append(parts, "no node of the swarm")
	}
	return nil, strings.Join(parts, "; ")
}

// tasksOn counts the tasks on node m: of svc, and of every service.
func (sw *swarm) tasksOn(m *Engine, svc *service) (ofSvc, all int) {
	for _, name := range sw.svcOrder {
		for _, t := range sw.services[name].tasks {
			if t.node == m {
				all++
				if sw.services[name] == svc {
					ofSvc++
				}
			}
		}
	}
	return ofSvc, all
}

// unfit says why task t of svc cannot run on node m ("" when it can), in
// the scheduler's words: the node's availability, the constraints, the
// replicas-per-node limit, a host-mode port another task holds there.
func (sw *swarm) unfit(svc *service, t *task, m *Engine) string {
	if m.node.availability != "active" {
		return "node is not available for new tasks"
	}
	for _, c := range svc.constraints {
		v := m.opts.Hostname
		if c.field == "node.role" {
			v = m.node.role
		}
		if (v == c.value) != c.eq {
			return "scheduling constraints not satisfied"
		}
	}
	if svc.maxPerNode > 0 && t != nil {
		if n, _ := sw.tasksOn(m, svc); n >= svc.maxPerNode {
			return "max replicas per node limit exceed"
		}
	}
	for _, p := range svc.ports {
		if p.Mode != scenario.PublishHost || p.Published == 0 {
			continue
		}
		for _, name := range sw.svcOrder {
			o := sw.services[name]
			for _, ot := range o.tasks {
				if ot.node != m {
					continue
				}
				for _, op := range o.ports {
					if op.Mode == scenario.PublishHost && op.Published == p.Published && op.Proto == p.Proto {
						return "host-mode port already in use"
					}
				}
			}
		}
	}
	return ""
}

// runTask starts task t's container on this node (rule swarm.task-name):
// named SERVICE.SLOT.TASKID, its hostname its short ID, network mode
// bridge as inspect reports it, its endpoints the task's addresses (the
// default bridge for a service on no network), its host-mode ports
// published here (rule swarm.host-port).
func (e *Engine) runTask(svc *service, t *task) error {
	name := t.containerName(svc)
	c := &container{name: name, id: fakeID("container", name), image: svc.image, mode: dockerrules.DefaultBridgeNetwork, task: t}
	c.hostname = c.id[:12]
	for i, n := range svc.nets {
		c.endpoints = append(c.endpoints, &endpoint{net: n.name, preset: t.addrs[i]})
	}
	if len(c.endpoints) == 0 { // a service on no network runs on the default bridge (measured on 29)
		c.endpoints = []*endpoint{{net: dockerrules.DefaultBridgeNetwork}}
	}
	for _, p := range svc.ports {
		if p.Mode == scenario.PublishHost {
			c.ports = append(c.ports, scenario.PortSpec{HostPort: p.Published, ContainerPort: p.Target, Proto: p.Proto})
		}
	}
	e.ctrs[name] = c
	e.ctrOrder = append(e.ctrOrder, name)
	t.ctr = name
	return e.start(c)
}

// dropTask stops and removes a task's container, and returns its
// addresses.
func (sw *swarm) dropTask(svc *service, t *task) {
	if m := t.node; m != nil {
		if c := m.ctrs[t.ctr]; c != nil {
			m.stop(c)
			delete(m.ctrs, c.name)
			m.ctrOrder = slices.DeleteFunc(m.ctrOrder, func(n string) bool { return n == c.name })
		}
	}
	t.releaseAddrs(svc)
	svc.tasks = slices.DeleteFunc(svc.tasks, func(o *task) bool { return o == t })
}

// ServiceRemove removes a service (`docker service rm`): its tasks'
// containers go from their nodes, and its addresses back to the pools.
func (e *Engine) ServiceRemove(_ context.Context, name string) error {
	sw, err := e.managerOf()
	if err != nil {
		return err
	}
	svc := sw.services[name]
	if svc == nil {
		return daemonErr(dockerrules.RefuseNoSuchService, name)
	}
	for len(svc.tasks) > 0 {
		sw.dropTask(svc, svc.tasks[len(svc.tasks)-1])
	}
	svc.release()
	delete(sw.services, name)
	sw.svcOrder = slices.DeleteFunc(sw.svcOrder, func(s string) bool { return s == name })
	return nil
}

// ServiceScale sets a replicated service's replicas (`docker service
// scale NAME=N`): new slots after the last, placed as at create; going
// down, the highest slots go first (a real swarm picks among the nodes
// with the most tasks).
func (e *Engine) ServiceScale(ctx context.Context, spec scenario.ScaleSpec) error {
	sw, err := e.managerOf()
	if err != nil {
		return err
	}
	svc := sw.services[spec.Service]
	switch {
	case svc == nil:
		return refuseAt(scenario.Pos{}, "%s: Error response from daemon: "+dockerrules.RefuseNoSuchService, spec.Service, spec.Service)
	case svc.mode != "replicated":
		return refuseAt(scenario.Pos{}, "%s: "+dockerrules.RefuseScaleNotReplicated, spec.Service)
	case spec.Replicas > maxTasks:
		return refuseAt(scenario.Pos{}, dockerrules.NotModelled, fmt.Sprintf("a service of %d replicas", spec.Replicas), e.prof.Major, fmt.Sprintf("the simulator runs at most %d tasks a service", maxTasks))
	}
	for len(svc.tasks) > spec.Replicas {
		sw.dropTask(svc, svc.tasks[len(svc.tasks)-1])
	}
	for slot := len(svc.tasks) + 1; slot <= spec.Replicas; slot++ {
		if err := sw.newTask(svc, slot, ""); err != nil {
			return err
		}
	}
	svc.replicas = spec.Replicas
	return sw.reconcile(ctx)
}
