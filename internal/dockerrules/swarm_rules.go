package dockerrules

import "net/netip"

// Swarm mode: the networks, namespaces and addresses a swarm makes, and
// how its managers word their refusals (measured on the 3-node Docker 29
// test bed of .ci/swarm; see the swarm.* rules).

// Networks and devices every swarm node has (rules swarm.ingress and
// swarm.gwbridge).
const (
	IngressNetwork       = "ingress"
	GatewayBridgeNetwork = "docker_gwbridge"
	// IngressVNI is the ingress network's VXLAN ID; user overlays count
	// up from IngressVNI+1 (rule swarm.vni).
	IngressVNI = 4096
	// VXLANPort is the UDP port of the overlays' VXLAN unless swarm init
	// --data-path-port says otherwise.
	VXLANPort = 4789
	// OverlayMTU is the MTU of every overlay interface: br0, vxlan0 and
	// the veths on it (1500 less VXLAN's 50 bytes).
	OverlayMTU = 1450
	// SwarmPort is a manager's port for swarm join.
	SwarmPort = 2377
	// VNIOption is the overlay option inspect lists the VXLAN ID in.
	VNIOption = "com.docker.network.driver.overlay.vxlanid_list"
	// EncryptedOption (-o encrypted) makes an overlay carry IPsec ESP.
	EncryptedOption = "encrypted"
	// FirstIngressPort is the first port the swarm publishes a service's
	// ingress port on when none is given.
	FirstIngressPort = 30000
)

// DefaultOverlayPool is the pool overlays take subnets of, DefaultSubnetSize
// the size of each (swarm init --default-addr-pool, --default-addr-pool-mask-length;
// rule swarm.overlay-pool).
var DefaultOverlayPool = netip.MustParsePrefix("10.0.0.0/8")

// DefaultSubnetSize is the prefix length of an overlay's default subnet.
const DefaultSubnetSize = 24

// GatewayBridgeOptions are docker_gwbridge's options (rule swarm.gwbridge):
// no traffic between the containers on it, masquerade on the way out.
func GatewayBridgeOptions() map[string]string {
	return map[string]string{ICCOption: "false", "com.docker.network.bridge.enable_ip_masquerade": "true", BridgeOption: GatewayBridgeNetwork}
}

// OverlayMAC is an overlay endpoint's MAC (rule swarm.overlay-mac): 02:42
// and its IPv4 address on every release, random MACs of bridges from 28
// notwithstanding.
func OverlayMAC(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return MACFromIPv4(a)
}

// The swarm's refusals, after "Error response from daemon: " (rules
// swarm.manager-only, swarm.attachable and the rules named).
const (
	// On a node outside a swarm (and, measured on 29, on a worker for
	// network create -d overlay).
	RefuseNotSwarmManager = "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again."
	// Service commands and network rm of an overlay on a worker.
	RefuseWorkerNode   = "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager."
	RefuseInSwarm      = "This node is already part of a swarm. Use \"docker swarm leave\" to leave this swarm and join another one."
	RefuseNotInSwarm   = "This node is not part of a swarm"
	RefuseJoinTimeout  = "Timeout was reached before node joined. The attempt to join the swarm will continue in the background. Use the \"docker info\" command to see the current swarm status of your node."
	RefuseLeaveManager = "You are attempting to leave the swarm on a node that is participating as a manager. Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message."
	// docker run (start) of a container on an overlay made without
	// --attachable (rule swarm.attachable).
	RefuseNotAttachable = "failed to set up container networking: Could not attach to network %s: rpc error: code = PermissionDenied desc = network %s not manually attachable"
	RefuseServiceExists = "rpc error: code = AlreadyExists desc = name conflicts with an existing object: service %s already exists"
	RefuseNoSuchService = "service %s not found"
	RefuseDNSRRIngress  = "rpc error: code = InvalidArgument desc = EndpointSpec: port published with ingress mode can't be used with dnsrr mode"
	// swarmkit controlapi (checkPortConflicts), from its source.
	RefuseIngressPortInUse   = "rpc error: code = InvalidArgument desc = port '%d' is already in use by service '%s' (%s) as an ingress port"
	RefuseOverlayInUseBy     = "rpc error: code = FailedPrecondition desc = network %s is in use by %s %s"
	RefuseScaleNotReplicated = "scale can only be used with replicated or replicated-job mode"
)
