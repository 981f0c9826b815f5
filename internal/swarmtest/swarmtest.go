// Package swarmtest is test infrastructure for live tests against a Docker
// Swarm: the multi-engine test bed .ci/swarm starts (N Docker engines, each
// in a network and UTS namespace of its own, joined over a bridge in a
// namespace of its own), described to the tests by one environment
// variable, NETVIZ_SWARM, that `.ci/swarm env` prints.
//
// Like internal/dockertest, live swarm tests run only with NETVIZ_E2E=1:
// without it they skip with the reason; with it, a missing or unreachable
// test bed fails them.
package swarmtest

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// EnvVar names the variable that describes the test bed.
const EnvVar = "NETVIZ_SWARM"

// Node is one engine of the test bed.
type Node struct {
	// Name is the swarm node's name: its hostname (`docker node ls`).
	Name string
	// DockerHost is the engine's DOCKER_HOST (unix:///run/nvz-sw1/docker.sock).
	DockerHost string
	// NetNS names the network namespace the engine runs in (/run/netns/NetNS):
	// its eth0 on the LAN, docker_gwbridge, the veths of its containers.
	NetNS string
	// ExecRoot is the engine's --exec-root. The namespaces it makes for the
	// overlay (1-<network id>, lb_<network id>, ingress_sbox) and for its
	// containers are files under ExecRoot/netns, mounted in the engine's own
	// mount namespace: see SandboxPath.
	ExecRoot string
	// Addr is the node's address on the LAN: swarm's advertise and data-path
	// address, so the VTEP address remote FDB entries point at.
	Addr netip.Addr
	// PID is dockerd's process id, in the caller's PID namespace.
	PID int
	// Log is dockerd's log file.
	Log string
}

// NetNSPath is the file of the namespace the engine runs in.
func (n Node) NetNSPath() string { return filepath.Join("/run/netns", n.NetNS) }

// SandboxPath is the path, openable from outside, of the namespace file
// name (a container's sandbox key base, "1-<id>", "lb_<id>", "ingress_sbox")
// that dockerd bind-mounted under ExecRoot/netns: the bind mounts exist only
// in dockerd's mount namespace, reached through /proc/PID/root.
func (n Node) SandboxPath(name string) string {
	return fmt.Sprintf("/proc/%d/root%s", n.PID, filepath.Join(n.ExecRoot, "netns", name))
}

// HostPath turns a path as the engine sees it (a container's SandboxKey,
// under ExecRoot) into one openable from outside its mount namespace.
func (n Node) HostPath(path string) string {
	return fmt.Sprintf("/proc/%d/root%s", n.PID, filepath.Clean(path))
}

// Parse reads the value of NETVIZ_SWARM: nodes separated by ";", each a
// comma-separated list of key=value with the keys name, host, netns,
// execroot, addr, pid and log (unknown keys are an error, so a typo does
// not go unnoticed). The first node is the swarm's manager.
func Parse(s string) ([]Node, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("%s is empty", EnvVar)
	}
	var nodes []Node
	seen := map[string]bool{}
	for i, part := range strings.Split(s, ";") {
		n, err := parseNode(part)
		if err != nil {
			return nil, fmt.Errorf("%s node %d: %w", EnvVar, i+1, err)
		}
		if seen[n.Name] {
			return nil, fmt.Errorf("%s node %d: name %q given twice", EnvVar, i+1, n.Name)
		}
		seen[n.Name] = true
		nodes = append(nodes, n)
	}
	return nodes, nil
}

func parseNode(s string) (Node, error) {
	var n Node
	got := map[string]bool{}
	for _, field := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(field, "=")
		if !ok || v == "" {
			return n, fmt.Errorf("field %q is not key=value", field)
		}
		if got[k] {
			return n, fmt.Errorf("key %q given twice", k)
		}
		got[k] = true
		switch k {
		case "name":
			n.Name = v
		case "host":
			if !strings.HasPrefix(v, "unix://") && !strings.HasPrefix(v, "tcp://") {
				return n, fmt.Errorf("host %q is not a unix:// or tcp:// URL", v)
			}
			n.DockerHost = v
		case "netns":
			if strings.ContainsRune(v, '/') {
				return n, fmt.Errorf("netns %q is a path, not a name", v)
			}
			n.NetNS = v
		case "execroot":
			if !filepath.IsAbs(v) {
				return n, fmt.Errorf("execroot %q is not an absolute path", v)
			}
			n.ExecRoot = filepath.Clean(v)
		case "addr":
			a, err := netip.ParseAddr(v)
			if err != nil {
				return n, fmt.Errorf("addr: %w", err)
			}
			n.Addr = a
		case "pid":
			p, err := strconv.Atoi(v)
			if err != nil || p <= 0 {
				return n, fmt.Errorf("pid %q is not a process id", v)
			}
			n.PID = p
		case "log":
			if !filepath.IsAbs(v) {
				return n, fmt.Errorf("log %q is not an absolute path", v)
			}
			n.Log = v
		default:
			return n, fmt.Errorf("unknown key %q", k)
		}
	}
	for _, k := range []string{"name", "host", "netns", "execroot", "addr", "pid"} {
		if !got[k] {
			return n, fmt.Errorf("no %s", k)
		}
	}
	return n, nil
}

// FromEnv reads the test bed from NETVIZ_SWARM: nil, nil when unset.
func FromEnv() ([]Node, error) {
	v, ok := os.LookupEnv(EnvVar)
	if !ok || strings.TrimSpace(v) == "" {
		return nil, nil
	}
	return Parse(v)
}

// decision is what Require does: skip with a reason, fail with an error,
// or go on with the nodes.
type decision struct {
	skip  string
	err   error
	nodes []Node
}

// decide is Require's logic, apart from testing.TB: live tests only with
// NETVIZ_E2E=1, and then a missing or malformed test bed is a failure.
func decide(e2e bool, env string, set bool) decision {
	if !e2e {
		return decision{skip: "live test against a Docker Swarm: set NETVIZ_E2E=1 (as root) with the test bed up " +
			"(.ci/swarm up; export $(.ci/swarm env)) to run it"}
	}
	if !set || strings.TrimSpace(env) == "" {
		return decision{err: fmt.Errorf("NETVIZ_E2E=1 but %s is not set: start the swarm test bed with "+
			"`.ci/swarm up` and `export $(.ci/swarm env)` (.ci/run does)", EnvVar)}
	}
	nodes, err := Parse(env)
	if err != nil {
		return decision{err: err}
	}
	return decision{nodes: nodes}
}
