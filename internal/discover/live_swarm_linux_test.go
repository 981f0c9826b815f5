package discover

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/dockerctx"
	"github.com/netviz/netviz/internal/dockertest"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/swarmtest"
	"github.com/netviz/netviz/internal/testkit"
)

// TestLiveSwarmDiscovery discovers every node of the swarm test bed in
// turn, each through its engine's process (Location), with issue 13's
// scenario deployed, and checks each model against the deployment and the
// other nodes' models (checkSwarmNode): the node's place in the swarm, the
// overlay's VNI (the engine's vxlanid_list), namespace, br0 with the
// gateway, vxlan0 on UDP 4789 with one permanent FDB entry per endpoint on
// another node pointing at that node's VTEP, the load balancer and the
// ingress sandbox, docker_gwbridge, each task with its service, slot and
// node and eth0 on br0, eth1 on docker_gwbridge, the services (their
// replicas and ports on the manager), their names, and why there is no
// IPVS. It logs how long discovering each node takes. With -update it
// records the nodes' answers for TestBuildSwarmRecorded.
func TestLiveSwarmDiscovery(t *testing.T) {
	s := swarmtest.Require(t)
	d := s.Deploy()
	exp := expectDeployment(t, s, d)

	discoverNode := func(i int) (*graph.Model, time.Duration, error) {
		n := s.Nodes[i]
		ctx, cancel := context.WithTimeout(s.Ctx, 30*time.Second)
		defer cancel()
		start := time.Now()
		m, err := Discover(ctx, Options{
			Client:   s.Clients[i],
			Endpoint: &dockerctx.Endpoint{Context: dockerctx.DefaultName, Host: n.DockerHost, Local: true},
			Location: Location{PID: n.PID},
		})
		return m, time.Since(start), err
	}
	// FDB entries and service records arrive by gossip: ask again until
	// every node's model agrees with the deployment and the others'.
	models := make([]*graph.Model, len(s.Nodes))
	deadline := time.Now().Add(30 * time.Second)
	for {
		for i := range s.Nodes {
			m, _, err := discoverNode(i)
			if err != nil {
				t.Fatalf("discover %s: %v", s.Nodes[i].Name, err)
			}
			models[i] = m
		}
		var bad []string
		for i, n := range s.Nodes {
			for _, p := range checkSwarmNode(exp, i, models) {
				bad = append(bad, n.Name+": "+p)
			}
		}
		if len(bad) == 0 {
			break
		}
		if time.Now().After(deadline) {
			for _, b := range bad {
				t.Error(b)
			}
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	for i, m := range models {
		t.Logf("%s: %d namespaces, %d interfaces, %d containers, %d services, %d names; warnings %q",
			s.Nodes[i].Name, len(m.Namespaces), len(m.Interfaces), len(m.Containers), len(m.Services), len(m.Names), m.Warnings)
	}

	// How long one node takes: the median of 5 discoveries, each node in turn.
	for i, n := range s.Nodes {
		var took []time.Duration
		for range 5 {
			_, dt, err := discoverNode(i)
			if err != nil {
				t.Fatalf("discover %s: %v", n.Name, err)
			}
			took = append(took, dt)
		}
		slices.Sort(took)
		t.Logf("discovery of %s: median %.1f ms (min %.1f, max %.1f) over 5", n.Name,
			ms(took[len(took)/2]), ms(took[0]), ms(took[len(took)-1]))
	}

	if testkit.Updating() {
		recordSwarm(t, s, exp)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// expectDeployment is what the deployment should look like, from the
// deployment itself and the manager's view of the overlay.
func expectDeployment(t *testing.T, s *swarmtest.Swarm, d *swarmtest.Deployment) *swarmExpect {
	t.Helper()
	ni, err := s.Manager().NetworkInspect(s.Ctx, d.NetworkID, client.NetworkInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	vni, err := strconv.Atoi(ni.Network.Options[OptionVNI])
	if err != nil || len(ni.Network.IPAM.Config) != 1 {
		t.Fatalf("overlay %s: options %v, IPAM %v", d.Network, ni.Network.Options, ni.Network.IPAM.Config)
	}
	cfg := ni.Network.IPAM.Config[0]
	_, ipvs := os.Stat("/proc/net/ip_vs")
	exp := &swarmExpect{
		Network: d.Network, NetworkID: d.NetworkID, VNI: vni,
		Gateway:       netip.PrefixFrom(cfg.Gateway, cfg.Subnet.Bits()),
		VIP:           expService{Name: d.VIP.Name, VIP: d.VIP.VIP, Replicas: len(d.VIP.Tasks)},
		DNSRR:         expService{Name: d.DNSRR.Name, Replicas: len(d.DNSRR.Tasks)},
		PublishedPort: swarmtest.PublishedPort,
		IPVS:          ipvs == nil,
	}
	for i, n := range s.Nodes {
		exp.Nodes = append(exp.Nodes, expNode{Name: n.Name, Addr: n.Addr, Manager: i == 0})
	}
	for _, svc := range []swarmtest.Service{d.VIP, d.DNSRR} {
		for _, e := range svc.Tasks {
			// Deploy names a task SERVICE.SLOT.TASKID from the manager's task list.
			parts := strings.Split(e.Name, ".")
			slot, err := strconv.Atoi(parts[len(parts)-2])
			if err != nil {
				t.Fatalf("task name %s: %v", e.Name, err)
			}
			exp.Endpoints = append(exp.Endpoints, expEndpoint{Name: e.Name, Node: e.Node, Addr: e.Addr, Service: svc.Name, Slot: slot})
		}
	}
	exp.Endpoints = append(exp.Endpoints, expEndpoint{Name: d.Attached.Name, Node: d.Attached.Node, Addr: d.Attached.Addr})
	return exp
}

// recordSwarm writes what each node's engine answers and its namespace
// snapshots into testdata/swarm (only this test's containers, networks
// and services, and the engine's own), with the expectations.
func recordSwarm(t *testing.T, s *swarmtest.Swarm, exp *swarmExpect) {
	t.Helper()
	if err := os.RemoveAll(swarmRecordDir); err != nil {
		t.Fatal(err)
	}
	for i, n := range s.Nodes {
		r, err := recordNode(s.Ctx, s.Clients[i], n, s.Prefix)
		if err != nil {
			t.Fatalf("record %s: %v", n.Name, err)
		}
		if err := writeRecord(filepath.Join(swarmRecordDir, n.Name), r); err != nil {
			t.Fatal(err)
		}
		// The recording is what discovery reads: built from it, the model
		// is the one Discover returns (the firewall's chains aside, which
		// are not recorded).
		live, err := Discover(s.Ctx, Options{
			Client:   s.Clients[i],
			Endpoint: &dockerctx.Endpoint{Context: dockerctx.DefaultName, Host: n.DockerHost, Local: true},
			Location: Location{PID: n.PID},
		})
		if err != nil {
			t.Fatal(err)
		}
		live.Host.Chains = nil
		built := Build(r.Info.Name, r.dockerSnapshot(), r.Namespaces, BuildOptions{})
		if got, want := modelJSON(t, built), modelJSON(t, live); got != want {
			t.Errorf("%s: the model built from the recording is not the one discovered:\n%s", n.Name, testkit.LineDiff(got, want, "recorded", "discovered"))
		}
	}
	b, err := json.MarshalIndent(exp, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(swarmRecordDir, "deployment.json"), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d nodes in %s", len(s.Nodes), swarmRecordDir)
}

// recordNode asks one engine what discovery asks, keeping what the test
// made (names starting with prefix) and what the engine made itself (no
// io.netviz.owner label), then reads the namespaces of what it kept.
func recordNode(ctx context.Context, cli *client.Client, n swarmtest.Node, prefix string) (*engineRecord, error) {
	r := &engineRecord{Meta: recordMeta{Host: n.DockerHost, APIVersion: cli.ClientVersion()}, Overlays: map[string]network.Inspect{}}
	info, err := cli.Info(ctx, client.InfoOptions{})
	if err != nil {
		return nil, err
	}
	r.Info, r.Meta.Version = info.Info, info.Info.ServerVersion
	keep := func(name string, labels map[string]string) bool {
		_, owned := labels[dockertest.Label]
		return strings.HasPrefix(name, prefix) || !owned
	}
	nets, err := cli.NetworkList(ctx, client.NetworkListOptions{})
	if err != nil {
		return nil, err
	}
	for _, nw := range nets.Items {
		if !keep(nw.Name, nw.Labels) {
			continue
		}
		r.Networks = append(r.Networks, nw)
		if nw.Driver == "overlay" && nw.Scope == "swarm" {
			in, err := cli.NetworkInspect(ctx, nw.ID, client.NetworkInspectOptions{Verbose: true})
			if err != nil {
				return nil, err
			}
			r.Overlays[nw.ID] = in.Network
		}
	}
	sort.Slice(r.Networks, func(a, b int) bool { return r.Networks[a].Name < r.Networks[b].Name })
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{})
	if err != nil {
		return nil, err
	}
	for _, c := range list.Items {
		if len(c.Names) == 0 || !strings.HasPrefix(strings.TrimPrefix(c.Names[0], "/"), prefix) {
			continue
		}
		in, err := cli.ContainerInspect(ctx, c.ID, client.ContainerInspectOptions{})
		if err != nil {
			return nil, err
		}
		r.Containers = append(r.Containers, in.Container)
	}
	slices.SortFunc(r.Containers, func(a, b container.InspectResponse) int { return strings.Compare(a.Name, b.Name) })
	if info.Info.Swarm.ControlAvailable {
		nodes, err := cli.NodeList(ctx, client.NodeListOptions{})
		if err != nil {
			return nil, err
		}
		r.Nodes = nodes.Items
		svcs, err := cli.ServiceList(ctx, client.ServiceListOptions{})
		if err != nil {
			return nil, err
		}
		for _, sv := range svcs.Items {
			if strings.HasPrefix(sv.Spec.Name, prefix) {
				r.Services = append(r.Services, sv)
			}
		}
	}
	docker := r.dockerSnapshot()
	loc := Location{PID: n.PID}
	dir := engineNetNSDir(docker.Containers, engineCmdline(loc))
	sns, err := listSwarmNamespaces(loc, dir, docker.Networks)
	if err != nil {
		return nil, err
	}
	read, err := ReadNamespacesAt(loc, docker.Containers, dir, sns)
	if err != nil {
		return nil, err
	}
	if len(read.Warnings) > 0 {
		return nil, errors.New(strings.Join(read.Warnings, "; "))
	}
	if bad := Unsettled(docker, read.Snapshots); len(bad) > 0 {
		return nil, fmt.Errorf("namespaces disagree with the engine: %v", bad)
	}
	r.Namespaces = read.Snapshots
	return r, nil
}
