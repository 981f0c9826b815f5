package swarmtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// TestLiveSwarmTestBed pins what issue 13's test bed shows, the facts
// netviz's discovery, reach and probe across hosts will have to explain:
// the swarm has every node, Ready, advertising its LAN address; over an
// attachable overlay every task and the attached container ping every
// other across nodes; a dnsrr name answers each task's address, tasks.NAME
// too; a VIP name answers the VIP alone, but nothing answers at the VIP:
// this kernel has no IPVS, dockerd logs that once per node and puts the VIP
// nowhere; a mode=host published port answers on each node running a task;
// and each node's overlay namespace holds br0 with the gateway and vxlan0
// with the network's VNI on UDP 4789, whose permanent FDB entries point
// each remote endpoint's MAC at its node's LAN address.
func TestLiveSwarmTestBed(t *testing.T) {
	s := Require(t)
	checkNodes(t, s)
	if t.Failed() {
		return
	}
	d := s.Deploy()
	eps := d.Endpoints()
	for _, e := range eps {
		t.Logf("%-40s %-15s on %s", e.Name, e.Addr, s.Nodes[e.Node].Name)
	}
	// Swarm spreads a service's tasks: with no more nodes than VIP replicas,
	// every node runs one, so every pair of nodes is crossed.
	if len(s.Nodes) <= len(d.VIP.Tasks) {
		for i, n := range s.Nodes {
			if !slices.ContainsFunc(d.VIP.Tasks, func(e Endpoint) bool { return e.Node == i }) {
				t.Errorf("no task of %s on node %s: the scenario does not cross every node", d.VIP.Name, n.Name)
			}
		}
	}
	t.Run("ping", func(t *testing.T) { checkPing(t, s, eps) })
	t.Run("dns", func(t *testing.T) { checkDNS(t, s, d) })
	t.Run("vip", func(t *testing.T) { checkVIP(t, s, d) })
	t.Run("published", func(t *testing.T) { checkPublished(t, s, d) })
	t.Run("kernel", func(t *testing.T) { checkKernel(t, s, d) })
}

func checkNodes(t *testing.T, s *Swarm) {
	res, err := s.Manager().NodeList(s.Ctx, client.NodeListOptions{})
	if err != nil {
		t.Fatalf("node list: %v", err)
	}
	if len(res.Items) != len(s.Nodes) {
		t.Errorf("the swarm has %d nodes, %s %d", len(res.Items), EnvVar, len(s.Nodes))
	}
	for _, n := range s.Nodes {
		i := slices.IndexFunc(res.Items, func(sn swarm.Node) bool { return sn.Description.Hostname == n.Name })
		if i < 0 {
			t.Errorf("node %s is not in the swarm (node names are the engines' hostnames)", n.Name)
			continue
		}
		sn := res.Items[i]
		if sn.Status.State != swarm.NodeStateReady || sn.Spec.Availability != swarm.NodeAvailabilityActive {
			t.Errorf("node %s is %s/%s, want ready/active", n.Name, sn.Status.State, sn.Spec.Availability)
		}
		if sn.Status.Addr != n.Addr.String() {
			t.Errorf("node %s advertises %s, want its LAN address %s", n.Name, sn.Status.Addr, n.Addr)
		}
		if leader := sn.ManagerStatus != nil && sn.ManagerStatus.Leader; leader != (n.Name == s.Nodes[0].Name) {
			t.Errorf("node %s: leader %v; the first node of %s is the manager", n.Name, leader, EnvVar)
		}
	}
}

// pingAll pings each of addrs once (1 s) from container e and returns the
// addresses that did not answer.
func pingAll(ctx context.Context, s *Swarm, e Endpoint, addrs []netip.Addr) ([]netip.Addr, error) {
	cmd := []string{"sh", "-c", `for a in "$@"; do if ping -c1 -W1 "$a" >/dev/null 2>&1; then echo "ok $a"; else echo "fail $a"; fi; done`, "sh"}
	for _, a := range addrs {
		cmd = append(cmd, a.String())
	}
	out, code, err := s.Exec(ctx, e.Node, e.ContainerID, cmd...)
	if err != nil {
		return nil, err
	}
	if code != 0 {
		return nil, fmt.Errorf("ping loop in %s exited %d: %s", e.Name, code, out)
	}
	ok := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		if a, found := strings.CutPrefix(line, "ok "); found {
			ok[a] = true
		}
	}
	var failed []netip.Addr
	for _, a := range addrs {
		if !ok[a.String()] {
			failed = append(failed, a)
		}
	}
	return failed, nil
}

// checkPing: every endpoint pings every other over the overlay. Pairs
// that fail are tried again for a while (FDB entries arrive by gossip).
func checkPing(t *testing.T, s *Swarm, eps []Endpoint) {
	ctx, cancel := context.WithTimeout(s.Ctx, 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	cross := 0
	for _, src := range eps {
		var targets []netip.Addr
		for _, dst := range eps {
			if dst.Addr != src.Addr {
				targets = append(targets, dst.Addr)
				if dst.Node != src.Node {
					mu.Lock()
					cross++
					mu.Unlock()
				}
			}
		}
		wg.Go(func() {
			err := retry(ctx, 500*time.Millisecond, func() error {
				failed, err := pingAll(s.Ctx, s, src, targets)
				if err != nil {
					return err
				}
				if len(failed) > 0 {
					targets = failed
					return fmt.Errorf("no answer from %v", failed)
				}
				return nil
			})
			if err != nil {
				t.Errorf("%s (%s on %s): %v", src.Name, src.Addr, s.Nodes[src.Node].Name, err)
			}
		})
	}
	wg.Wait()
	if cross == 0 && len(s.Nodes) > 1 {
		t.Error("no pair crosses nodes")
	}
	t.Logf("%d endpoints, %d pairs, %d across nodes", len(eps), len(eps)*(len(eps)-1), cross)
}

// nslookupAddr is an answer line of busybox nslookup ("Address: 10.0.1.7",
// older ones "Address 1: 10.0.1.7").
var nslookupAddr = regexp.MustCompile(`^Address(?: [0-9]+)?:\s+(\S+)`)

// lookup asks Docker's embedded DNS, from container e, for name's addresses.
func lookup(ctx context.Context, s *Swarm, e Endpoint, name string) ([]netip.Addr, error) {
	out, code, err := s.Exec(ctx, e.Node, e.ContainerID, "nslookup", name)
	if err != nil {
		return nil, err
	}
	var addrs []netip.Addr
	answer := false // past the "Server:" block
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "Name:") {
			answer = true
			continue
		}
		if m := nslookupAddr.FindStringSubmatch(line); answer && m != nil {
			if a, err := netip.ParseAddr(m[1]); err == nil && a.Is4() {
				addrs = append(addrs, a)
			}
		}
	}
	if code != 0 && len(addrs) == 0 {
		return nil, fmt.Errorf("nslookup %s in %s exited %d: %s", name, e.Name, code, strings.TrimSpace(out))
	}
	slices.SortFunc(addrs, netip.Addr.Compare)
	return slices.Compact(addrs), nil
}

func addrsOf(eps []Endpoint) []netip.Addr {
	var out []netip.Addr
	for _, e := range eps {
		out = append(out, e.Addr)
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return out
}

// checkDNS: from the attached container and from a task on another node,
// the dnsrr name and tasks.NAME answer every task's address, the VIP name
// its VIP alone.
func checkDNS(t *testing.T, s *Swarm, d *Deployment) {
	if !d.VIP.VIP.IsValid() {
		t.Fatalf("service %s has no VIP on %s", d.VIP.Name, d.Network)
	}
	if d.DNSRR.VIP.IsValid() {
		t.Errorf("dnsrr service %s has a VIP %s", d.DNSRR.Name, d.DNSRR.VIP)
	}
	askers := []Endpoint{d.Attached}
	if i := slices.IndexFunc(d.VIP.Tasks, func(e Endpoint) bool { return e.Node != d.Attached.Node }); i >= 0 {
		askers = append(askers, d.VIP.Tasks[i])
	}
	want := map[string][]netip.Addr{
		d.DNSRR.Name:            addrsOf(d.DNSRR.Tasks),
		"tasks." + d.DNSRR.Name: addrsOf(d.DNSRR.Tasks),
		d.VIP.Name:              {d.VIP.VIP},
		"tasks." + d.VIP.Name:   addrsOf(d.VIP.Tasks),
	}
	ctx, cancel := context.WithTimeout(s.Ctx, 20*time.Second)
	defer cancel()
	for _, e := range askers {
		for name, w := range want {
			var got []netip.Addr
			err := retry(ctx, 500*time.Millisecond, func() error {
				var err error
				if got, err = lookup(s.Ctx, s, e, name); err != nil {
					return err
				}
				if !slices.Equal(got, w) {
					return fmt.Errorf("answers %v", got)
				}
				return nil
			})
			if err != nil {
				t.Errorf("from %s on %s: %s: %v; want %v", e.Name, s.Nodes[e.Node].Name, name, err, w)
			}
		}
	}
}

// httpGet sends a GET from container e to addr:80 and returns the status
// line, or what nc said when nothing answered within 2 s.
func httpGet(ctx context.Context, s *Swarm, e Endpoint, addr netip.Addr) (string, error) {
	out, _, err := s.Exec(ctx, e.Node, e.ContainerID, "sh", "-c",
		`printf 'GET / HTTP/1.0\r\n\r\n' | nc -w2 "$1" 80 2>&1 | head -1`, "sh", addr.String())
	return strings.TrimSpace(out), err
}

// checkVIP: the VIP is resolved but answers nothing, neither ping nor TCP,
// while a task behind it answers; the reason: no IPVS in this kernel
// (no /proc/net/ip_vs in any namespace), dockerd says so once, and the lb_
// namespace never gets the VIP.
func checkVIP(t *testing.T, s *Swarm, d *Deployment) {
	ctx, cancel := context.WithTimeout(s.Ctx, 30*time.Second)
	defer cancel()
	e := d.Attached
	if _, err := os.Stat("/proc/net/ip_vs"); err == nil {
		// A kernel with IPVS (not this test bed's): the VIP must then work.
		if line, err := httpGet(ctx, s, e, d.VIP.VIP); err != nil || !strings.HasPrefix(line, "HTTP/1.") {
			t.Errorf("this kernel has IPVS, yet TCP to VIP %s:80 = %q, %v", d.VIP.VIP, line, err)
		}
		return
	}
	if failed, err := pingAll(ctx, s, e, []netip.Addr{d.VIP.VIP}); err != nil {
		t.Error(err)
	} else if len(failed) == 0 {
		t.Errorf("ping %s (VIP of %s) answered without IPVS", d.VIP.VIP, d.VIP.Name)
	}
	if line, err := httpGet(ctx, s, e, d.VIP.VIP); err != nil || strings.HasPrefix(line, "HTTP/") {
		t.Errorf("TCP to VIP %s:80 = %q, %v; want no answer", d.VIP.VIP, line, err)
	} else {
		t.Logf("TCP to VIP %s:80: %q", d.VIP.VIP, line)
	}
	// Nobody answers ARP for the VIP: no namespace holds it.
	if out, _, err := s.Exec(ctx, e.Node, e.ContainerID, "ip", "neigh", "show", d.VIP.VIP.String()); err != nil {
		t.Error(err)
	} else if strings.Contains(out, "lladdr") {
		t.Errorf("the VIP %s has a neighbour entry with a MAC in %s: %s", d.VIP.VIP, e.Name, out)
	} else {
		t.Logf("neighbour entry of the VIP in %s: %s", e.Name, strings.TrimSpace(out))
	}
	task := d.VIP.Tasks[0]
	if line, err := httpGet(ctx, s, e, task.Addr); err != nil || !strings.HasPrefix(line, "HTTP/1.") {
		t.Errorf("TCP to task %s:80 behind the VIP = %q, %v; want an HTTP answer", task.Addr, line, err)
	}
	const ipvsLog = "Could not get ipvs family information from the kernel"
	eps := d.Endpoints()
	for i, n := range s.Nodes {
		if err := n.Do(func() error {
			_, err := os.Stat("/proc/thread-self/net/ip_vs")
			if err == nil {
				return errors.New("/proc/net/ip_vs exists in the node's namespace")
			}
			return nil
		}); err != nil {
			t.Errorf("node %s: %v", n.Name, err)
		}
		lb := LBNS(d.NetworkID)
		if _, err := os.Stat(n.SandboxPath(lb)); err != nil {
			if slices.ContainsFunc(eps, func(e Endpoint) bool { return e.Node == i }) {
				t.Errorf("node %s runs endpoints of %s but has no %s: %v", n.Name, d.Network, lb, err)
			}
			continue // the overlay is not on this node
		}
		var addrs []netip.Addr
		if err := n.DoIn(lb, func() error {
			var err error
			addrs, err = linkAddrs("eth0")
			return err
		}); err != nil {
			t.Errorf("node %s, %s: %v", n.Name, lb, err)
		} else if slices.Contains(addrs, d.VIP.VIP) {
			t.Errorf("node %s: %s eth0 holds the VIP %s (%v) without IPVS", n.Name, lb, d.VIP.VIP, addrs)
		}
		if n.Log == "" {
			continue
		}
		b, err := os.ReadFile(n.Log)
		if err != nil {
			t.Error(err)
			continue
		}
		if c := strings.Count(string(b), ipvsLog); c != 1 {
			t.Errorf("node %s: dockerd logged %q %d times, want once", n.Name, ipvsLog, c)
		}
	}
}

// linkAddrs are the IPv4 addresses on the link named name, in the calling
// thread's namespace.
func linkAddrs(name string) ([]netip.Addr, error) {
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	l, err := h.LinkByName(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	as, err := h.AddrList(l, unix.AF_INET)
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for _, a := range as {
		if ip, ok := netip.AddrFromSlice(a.IP.To4()); ok {
			out = append(out, ip)
		}
	}
	return out, nil
}

// checkPublished: the dnsrr service's mode=host port answers HTTP on the
// LAN address of each node running one of its tasks, asked from another
// node's namespace over the LAN.
func checkPublished(t *testing.T, s *Swarm, d *Deployment) {
	for _, task := range d.DNSRR.Tasks {
		from := s.Nodes[(task.Node+1)%len(s.Nodes)]
		to := netip.AddrPortFrom(s.Nodes[task.Node].Addr, PublishedPort)
		var line string
		err := from.Do(func() error {
			c, err := (&net.Dialer{Timeout: 2 * time.Second}).Dial("tcp4", to.String())
			if err != nil {
				return err
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(3 * time.Second))
			if _, err := c.Write([]byte("GET / HTTP/1.0\r\n\r\n")); err != nil {
				return err
			}
			line, err = bufio.NewReader(c).ReadString('\n')
			return err
		})
		if err != nil || !strings.HasPrefix(line, "HTTP/1.") {
			t.Errorf("from %s to %s (published by %s): %q, %v; want an HTTP answer", from.Name, to, task.Name, line, err)
		}
	}
}

// checkKernel: on each node the overlay's namespace has br0 holding the
// gateway, vxlan0 with the network's VNI on UDP 4789 enslaved to it, and a
// permanent FDB entry for every endpoint on another node pointing its MAC
// at that node's LAN address.
func checkKernel(t *testing.T, s *Swarm, d *Deployment) {
	ni, err := s.Manager().NetworkInspect(s.Ctx, d.NetworkID, client.NetworkInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	vni, err := strconv.Atoi(ni.Network.Options["com.docker.network.driver.overlay.vxlanid_list"])
	if err != nil {
		t.Fatalf("overlay %s: VNI option: %v (options %v)", d.Network, err, ni.Network.Options)
	}
	if len(ni.Network.IPAM.Config) != 1 {
		t.Fatalf("overlay %s: IPAM %v", d.Network, ni.Network.IPAM.Config)
	}
	gw := ni.Network.IPAM.Config[0].Gateway
	// Each endpoint's MAC, from its own node's view of the network.
	macs := map[netip.Addr]string{}
	for i := range s.Nodes {
		li, err := s.Clients[i].NetworkInspect(s.Ctx, d.NetworkID, client.NetworkInspectOptions{})
		if err != nil {
			continue // not on this node
		}
		for _, c := range li.Network.Containers {
			if c.IPv4Address.IsValid() {
				macs[c.IPv4Address.Addr()] = net.HardwareAddr(c.MacAddress).String()
			}
		}
	}
	eps := d.Endpoints()
	ctx, cancel := context.WithTimeout(s.Ctx, 15*time.Second)
	defer cancel()
	for i, n := range s.Nodes {
		if !slices.ContainsFunc(eps, func(e Endpoint) bool { return e.Node == i }) {
			continue
		}
		nsName, err := n.OverlayNS(d.NetworkID)
		if err != nil {
			t.Error(err)
			continue
		}
		err = retry(ctx, 500*time.Millisecond, func() error {
			var k overlayKernel
			err := n.DoIn(nsName, func() error {
				var err error
				k, err = readOverlay()
				return err
			})
			if err != nil {
				return err
			}
			var problems []string
			if k.vni != vni || k.port != 4789 || !k.enslaved {
				problems = append(problems, fmt.Sprintf("vxlan0 VNI %d port %d in br0 %v, want VNI %d port 4789 in br0", k.vni, k.port, k.enslaved, vni))
			}
			if !slices.Contains(k.brAddrs, gw) {
				problems = append(problems, fmt.Sprintf("br0 holds %v, not the gateway %s", k.brAddrs, gw))
			}
			for _, e := range eps {
				if e.Node == i {
					continue
				}
				mac, ok := macs[e.Addr]
				if !ok {
					problems = append(problems, fmt.Sprintf("no MAC known for %s", e.Addr))
					continue
				}
				if dst := k.fdb[mac]; dst != s.Nodes[e.Node].Addr {
					problems = append(problems, fmt.Sprintf("FDB %s (%s of %s) -> %v, want %s", mac, e.Addr, e.Name, dst, s.Nodes[e.Node].Addr))
				}
			}
			if len(problems) > 0 {
				return errors.New(strings.Join(problems, "; "))
			}
			return nil
		})
		if err != nil {
			t.Errorf("node %s, %s: %v", n.Name, nsName, err)
		}
	}
}

type overlayKernel struct {
	vni, port int
	enslaved  bool
	brAddrs   []netip.Addr
	// fdb maps MAC to VTEP address, the permanent entries of vxlan0.
	fdb map[string]netip.Addr
}

// readOverlay reads br0 and vxlan0 in the calling thread's namespace.
func readOverlay() (overlayKernel, error) {
	k := overlayKernel{fdb: map[string]netip.Addr{}}
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return k, err
	}
	defer h.Close()
	br, err := h.LinkByName("br0")
	if err != nil {
		return k, fmt.Errorf("br0: %w", err)
	}
	l, err := h.LinkByName("vxlan0")
	if err != nil {
		return k, fmt.Errorf("vxlan0: %w", err)
	}
	vx, ok := l.(*netlink.Vxlan)
	if !ok {
		return k, fmt.Errorf("vxlan0 is a %s", l.Type())
	}
	k.vni, k.port = vx.VxlanId, vx.Port
	k.enslaved = vx.Attrs().MasterIndex == br.Attrs().Index
	if k.brAddrs, err = linkAddrs("br0"); err != nil {
		return k, err
	}
	neighs, err := h.NeighList(vx.Attrs().Index, unix.AF_BRIDGE)
	if err != nil {
		return k, err
	}
	for _, ne := range neighs {
		if ne.State&netlink.NUD_PERMANENT == 0 || ne.IP == nil {
			continue
		}
		if a, ok := netip.AddrFromSlice(ne.IP.To4()); ok {
			k.fdb[ne.HardwareAddr.String()] = a
		}
	}
	return k, nil
}
