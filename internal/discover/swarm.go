package discover

// Swarm mode, the pure half: what the Docker API says of a swarm node
// (docker info's Swarm, nodes, services, overlays inspected verbosely,
// task labels) as plain snapshots, which namespace files the engine made
// for its swarm networks, and what the kernel says of IPVS. Reading is in
// swarm_docker.go (the API) and swarm_linux.go (the kernel).

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"fmt"
	"net/netip"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/api/types/system"

	"github.com/netviz/netviz/internal/graph"
)

// Labels the swarm puts on a task's container.
const (
	labelTaskID      = "com.docker.swarm.task.id"
	labelTaskName    = "com.docker.swarm.task.name"
	labelServiceID   = "com.docker.swarm.service.id"
	labelServiceName = "com.docker.swarm.service.name"
	labelNodeID      = "com.docker.swarm.node.id"
)

// OptionVNI is the overlay driver's option holding a network's VXLAN
// network identifiers, one per subnet, comma-separated.
const OptionVNI = "com.docker.network.driver.overlay.vxlanid_list"

// OptionEncrypted is present on an overlay created with --opt encrypted.
const OptionEncrypted = "encrypted"

// convertSwarm keeps the engine's place in the swarm; nil when it is not
// an active node.
func convertSwarm(info system.Info) *DockerSwarm {
	sw := info.Swarm
	if sw.LocalNodeState != swarm.LocalNodeStateActive || sw.NodeID == "" {
		return nil
	}
	out := &DockerSwarm{NodeID: sw.NodeID, NodeName: info.Name, Manager: sw.ControlAvailable}
	if a, err := netip.ParseAddr(sw.NodeAddr); err == nil {
		out.NodeAddr = a
	}
	if sw.Cluster != nil {
		out.ClusterID = sw.Cluster.ID
	}
	return out
}

// convertNode keeps a node's name, role, state and address. A manager's
// Status.Addr may read 0.0.0.0; its manager address then stands in.
func convertNode(n swarm.Node) DockerNode {
	out := DockerNode{ID: n.ID, Name: n.Description.Hostname, Role: string(n.Spec.Role), State: string(n.Status.State)}
	if a, err := netip.ParseAddr(n.Status.Addr); err == nil && !a.IsUnspecified() {
		out.Addr = a
	} else if n.ManagerStatus != nil {
		if ap, err := netip.ParseAddrPort(n.ManagerStatus.Addr); err == nil {
			out.Addr = ap.Addr()
		}
	}
	return out
}

// convertService keeps what a service means for the network: its mode,
// endpoint mode, virtual IPs, published ports and networks.
func convertService(s swarm.Service) DockerService {
	out := DockerService{ID: s.ID, Name: s.Spec.Name, EndpointMode: string(swarm.ResolutionModeVIP)}
	switch m := s.Spec.Mode; {
	case m.Replicated != nil:
		out.Mode = "replicated"
		if m.Replicated.Replicas != nil {
			out.Replicas = int(*m.Replicated.Replicas)
		}
	case m.Global != nil:
		out.Mode = "global"
	case m.ReplicatedJob != nil:
		out.Mode = "replicated-job"
	case m.GlobalJob != nil:
		out.Mode = "global-job"
	}
	ports := s.Endpoint.Ports
	if es := s.Spec.EndpointSpec; es != nil {
		if es.Mode != "" {
			out.EndpointMode = string(es.Mode)
		}
		if len(ports) == 0 {
			ports = es.Ports
		}
	}
	if s.Endpoint.Spec.Mode != "" {
		out.EndpointMode = string(s.Endpoint.Spec.Mode)
	}
	for _, v := range s.Endpoint.VirtualIPs {
		if v.Addr.IsValid() {
			out.VIPs = append(out.VIPs, DockerVIP{NetworkID: v.NetworkID, Addr: v.Addr})
		}
	}
	for _, p := range ports {
		out.Ports = append(out.Ports, DockerServicePort{
			Proto: cmp.Or(string(p.Protocol), "tcp"), TargetPort: int(p.TargetPort), PublishedPort: int(p.PublishedPort),
			Mode: cmp.Or(string(p.PublishMode), string(swarm.PortConfigPublishModeIngress)),
		})
	}
	for _, n := range s.Spec.TaskTemplate.Networks {
		if !slices.Contains(out.Networks, n.Target) {
			out.Networks = append(out.Networks, n.Target)
		}
	}
	for _, v := range out.VIPs {
		if !slices.Contains(out.Networks, v.NetworkID) {
			out.Networks = append(out.Networks, v.NetworkID)
		}
	}
	return out
}

// addSwarmLists puts a manager's lists into snap (whose Swarm is set):
// the nodes, sorted by name, the node's own name as the list has it, and
// the services, sorted by name.
func addSwarmLists(snap *DockerSnapshot, nodes []swarm.Node, services []swarm.Service) {
	sw := snap.Swarm
	for _, n := range nodes {
		sw.Nodes = append(sw.Nodes, convertNode(n))
		if n.ID == sw.NodeID && n.Description.Hostname != "" {
			sw.NodeName = n.Description.Hostname
		}
	}
	slices.SortFunc(sw.Nodes, func(a, b DockerNode) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	for _, s := range services {
		snap.Services = append(snap.Services, convertService(s))
	}
	slices.SortFunc(snap.Services, func(a, b DockerService) int { return cmp.Compare(a.Name, b.Name) })
}

// addOverlay adds what a verbose inspect says of a swarm overlay to its
// list entry: attachable, ingress, peers, local endpoints and service
// records, each list sorted.
func addOverlay(dn *DockerNetwork, in network.Inspect) {
	dn.Attachable, dn.Ingress = in.Attachable, in.Ingress
	if len(in.Options) > 0 {
		dn.Options = in.Options
	}
	dn.Peers = nil
	for _, p := range in.Peers {
		dn.Peers = append(dn.Peers, DockerPeer{Name: p.Name, IP: p.IP})
	}
	slices.SortFunc(dn.Peers, func(a, b DockerPeer) int { return cmp.Or(a.IP.Compare(b.IP), cmp.Compare(a.Name, b.Name)) })
	dn.Members = nil
	for key, e := range in.Containers {
		dn.Members = append(dn.Members, DockerMember{Key: key, Name: e.Name, MAC: e.MacAddress.String(), IPv4: e.IPv4Address})
	}
	slices.SortFunc(dn.Members, func(a, b DockerMember) int { return cmp.Compare(a.Key, b.Key) })
	dn.Records = nil
	for name, si := range in.Services {
		r := DockerServiceRecord{Name: name, VIP: si.VIP, LBIndex: si.LocalLBIndex}
		for _, t := range si.Tasks {
			tr := DockerTaskRecord{Name: t.Name, IP: t.EndpointIP}
			if a, err := netip.ParseAddr(t.Info["Host IP"]); err == nil {
				tr.HostIP = a
			}
			r.Tasks = append(r.Tasks, tr)
		}
		slices.SortFunc(r.Tasks, func(a, b DockerTaskRecord) int { return cmp.Or(a.IP.Compare(b.IP), cmp.Compare(a.Name, b.Name)) })
		dn.Records = append(dn.Records, r)
	}
	slices.SortFunc(dn.Records, func(a, b DockerServiceRecord) int { return cmp.Compare(a.Name, b.Name) })
}

// isSwarmOverlay reports whether n is an overlay the swarm made: its
// namespaces are the engine's, under the netns directory.
func isSwarmOverlay(n DockerNetwork) bool { return n.Driver == "overlay" && n.Scope == "swarm" }

// taskOf reads a container's swarm labels; nil when it runs no task.
func taskOf(labels map[string]string) *DockerTask {
	if labels[labelTaskID] == "" || labels[labelServiceName] == "" {
		return nil
	}
	return &DockerTask{
		ID: labels[labelTaskID], Name: labels[labelTaskName],
		ServiceID: labels[labelServiceID], ServiceName: labels[labelServiceName], NodeID: labels[labelNodeID],
	}
}

// taskSlot is the slot in a replicated task's name, SERVICE.SLOT.TASKID;
// 0 for a global task (SERVICE.NODEID.TASKID) or a name of another shape.
func taskSlot(t *DockerTask) int {
	mid, ok := strings.CutPrefix(t.Name, t.ServiceName+".")
	if !ok {
		return 0
	}
	if t.ID != "" {
		if mid, ok = strings.CutSuffix(mid, "."+t.ID); !ok {
			return 0
		}
	}
	slot, err := strconv.Atoi(mid)
	if err != nil || slot <= 0 {
		return 0
	}
	return slot
}

// VNI is an overlay's (first) VXLAN network identifier, from its
// vxlanid_list option; 0 when it has none.
func VNI(options map[string]string) int {
	first, _, _ := strings.Cut(options[OptionVNI], ",")
	vni, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || vni <= 0 {
		return 0
	}
	return vni
}

// SwarmNamespace is a namespace file the engine made for a swarm network.
type SwarmNamespace struct {
	// Name is the file's name under the engine's netns directory.
	Name string
	// Kind is graph.NamespaceOverlay, NamespaceLB or NamespaceIngress.
	Kind string
	// Network is the Docker ID of the network it serves.
	Network string
}

// IngressSandbox is the name of the routing mesh's namespace file.
const IngressSandbox = "ingress_sbox"

// namespaceKeyLen is how much of a key libnetwork keeps in a namespace
// file's name (osl.GenerateKey).
const namespaceKeyLen = 12

// overlayEpoch matches the "<epoch>-" the overlay driver puts before a
// network's ID in its namespace's name (the epoch counts the network's
// re-creations on this node).
var overlayEpoch = regexp.MustCompile(`^([0-9]+)-`)

// keyName is what libnetwork names a namespace file for key: its first
// 12 characters.
func keyName(key string) string { return key[:min(len(key), namespaceKeyLen)] }

// matchSwarmNamespaces picks, from the names of the files in the engine's
// netns directory, those the engine made for the swarm overlays among
// nets: the overlay's own, "<epoch>-" plus its ID, cut to 12 characters
// (the highest epoch when several are there); its load balancer's,
// "lb_" plus its ID, cut likewise; and the ingress network's ingress_sbox.
// Sorted by name.
func matchSwarmNamespaces(names []string, nets []DockerNetwork) []SwarmNamespace {
	var out []SwarmNamespace
	for _, n := range nets {
		if !isSwarmOverlay(n) || n.ID == "" {
			continue
		}
		best, bestEpoch := "", -1
		for _, name := range names {
			m := overlayEpoch.FindStringSubmatch(name)
			if m == nil || name != keyName(m[0]+n.ID) {
				continue
			}
			if epoch, err := strconv.Atoi(m[1]); err == nil && epoch > bestEpoch {
				best, bestEpoch = name, epoch
			}
		}
		if best != "" {
			out = append(out, SwarmNamespace{Name: best, Kind: graph.NamespaceOverlay, Network: n.ID})
		}
		if lb := keyName("lb_" + n.ID); slices.Contains(names, lb) {
			out = append(out, SwarmNamespace{Name: lb, Kind: graph.NamespaceLB, Network: n.ID})
		}
		if n.Ingress && slices.Contains(names, IngressSandbox) {
			out = append(out, SwarmNamespace{Name: IngressSandbox, Kind: graph.NamespaceIngress, Network: n.ID})
		}
	}
	slices.SortFunc(out, func(a, b SwarmNamespace) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// DefaultNetNSDir is where an engine with the default exec-root
// (/var/run/docker) keeps its namespace files.
const DefaultNetNSDir = "/var/run/docker/netns"

// engineNetNSDir is the directory, as the engine sees it, where it keeps
// its namespace files: the one its containers' sandbox keys are in (what
// the engine itself says), else EXEC_ROOT/netns from its command line
// (--exec-root DIR or --exec-root=DIR), else the default.
func engineNetNSDir(containers []DockerContainer, cmdline []string) string {
	count := map[string]int{}
	for _, c := range containers {
		if c.SandboxKey != "" && filepath.IsAbs(c.SandboxKey) {
			count[filepath.Dir(filepath.Clean(c.SandboxKey))]++
		}
	}
	best := ""
	for dir, n := range count {
		if n > count[best] || n == count[best] && dir < best {
			best = dir
		}
	}
	if best != "" {
		return best
	}
	for i, arg := range cmdline {
		v, ok := strings.CutPrefix(arg, "--exec-root=")
		if !ok && arg == "--exec-root" && i+1 < len(cmdline) {
			v, ok = cmdline[i+1], true
		}
		if ok && filepath.IsAbs(v) {
			return filepath.Join(v, "netns")
		}
	}
	return DefaultNetNSDir
}

// IPVSEntry is one virtual service of /proc/net/ip_vs: a firewall mark
// (what swarm uses) or an address and port, and its real servers.
type IPVSEntry struct {
	Proto    string // TCP, UDP, SCTP; FWM for a firewall-mark service
	Addr     netip.AddrPort
	FWMark   uint32
	Backends []netip.AddrPort
}

// ParseIPVS reads the text of /proc/net/ip_vs (the kernel's
// ip_vs_info_seq_show: a service line "FWM  00000100 rr" or
// "TCP  0A000102:0050 rr", then a line "  -> 0A000103:0050 Masq 1 0 0"
// per real server; IPv6 addresses in brackets). Lines it does not know are
// skipped.
func ParseIPVS(text string) []IPVSEntry {
	var out []IPVSEntry
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "->":
			if len(out) == 0 {
				continue
			}
			if ap, ok := parseIPVSAddrPort(f[1]); ok {
				e := &out[len(out)-1]
				e.Backends = append(e.Backends, ap)
			}
		case "FWM":
			mark, err := strconv.ParseUint(f[1], 16, 32)
			if err == nil {
				out = append(out, IPVSEntry{Proto: "FWM", FWMark: uint32(mark)})
			}
		case "TCP", "UDP", "SCTP":
			if ap, ok := parseIPVSAddrPort(f[1]); ok {
				out = append(out, IPVSEntry{Proto: f[0], Addr: ap})
			}
		}
	}
	return out
}

// parseIPVSAddrPort reads 0A000103:0050 (IPv4 and port in hex) or
// [2001:db8::3]:0050.
func parseIPVSAddrPort(s string) (netip.AddrPort, bool) {
	host, portHex, ok := strings.Cut(s, ":")
	if strings.HasPrefix(s, "[") {
		i := strings.LastIndex(s, "]:")
		if i < 0 {
			return netip.AddrPort{}, false
		}
		host, portHex, ok = s[1:i], s[i+2:], true
	}
	if !ok {
		return netip.AddrPort{}, false
	}
	port, err := strconv.ParseUint(portHex, 16, 16)
	if err != nil {
		return netip.AddrPort{}, false
	}
	var a netip.Addr
	if strings.HasPrefix(s, "[") {
		if a, err = netip.ParseAddr(host); err != nil {
			return netip.AddrPort{}, false
		}
	} else {
		v, err := strconv.ParseUint(host, 16, 32)
		if err != nil || len(host) != 8 {
			return netip.AddrPort{}, false
		}
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(v))
		a = netip.AddrFrom4(b)
	}
	return netip.AddrPortFrom(a, uint16(port)), true
}

// IPVSOK is Host.IPVS and LoadBalancer.IPVS when the kernel has IPVS.
const IPVSOK = "ok"

// ipvsStatus says whether the kernel can balance swarm VIPs: IPVSOK when
// /proc/net/ip_vs exists, else why not, from CONFIG_IP_VS ("y", "m", "n",
// or "" unknown).
func ipvsStatus(has bool, config string) string {
	switch {
	case has:
		return IPVSOK
	case config == "n":
		return "no IPVS in this kernel (CONFIG_IP_VS is not set; no /proc/net/ip_vs)"
	case config == "m":
		return "IPVS is not loaded (CONFIG_IP_VS=m, but no /proc/net/ip_vs: modprobe ip_vs)"
	}
	return "no IPVS in this kernel (no /proc/net/ip_vs; CONFIG_IP_VS unset or the module not loaded)"
}

// kernelConfigValue is key's value in a kernel configuration (the text of
// /proc/config.gz or /boot/config-RELEASE): "y", "m", a string, "n" for
// "# KEY is not set", or "" when the text does not mention it.
func kernelConfigValue(text, key string) string {
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if v, ok := strings.CutPrefix(line, key+"="); ok {
			return strings.Trim(v, `"`)
		}
		if line == fmt.Sprintf("# %s is not set", key) {
			return "n"
		}
	}
	return ""
}
