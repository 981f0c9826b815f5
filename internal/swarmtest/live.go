package swarmtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/dockertest"
	"github.com/netviz/netviz/internal/nsrun"
)

// lockPath serialises live swarm tests across test binaries: they share
// one swarm, and the scenario publishes a fixed host port.
const lockPath = "/run/netviz-swarm-test.lock"

// Swarm is one live test's handle on the test bed.
type Swarm struct {
	T   testing.TB
	Ctx context.Context
	// Nodes are the test bed's engines, the manager first; Clients[i]
	// talks to Nodes[i].
	Nodes   []Node
	Clients []*client.Client
	// Prefix starts every name this test creates, unique per test run.
	Prefix string
}

// Require returns the test bed, or skips the test (NETVIZ_E2E unset) or
// fails it (NETVIZ_E2E=1 but NETVIZ_SWARM is unset or malformed, not root,
// or an engine does not answer or is not in the swarm). It imports the test
// images on any node that lacks them and holds the swarm for t alone.
func Require(t testing.TB) *Swarm {
	t.Helper()
	env, set := os.LookupEnv(EnvVar)
	d := decide(dockertest.Enabled(), env, set)
	if d.skip != "" {
		t.Skip(d.skip)
	}
	if d.err != nil {
		t.Fatal(d.err)
	}
	if os.Geteuid() != 0 {
		t.Fatal("NETVIZ_E2E=1 but not root: swarm tests enter the nodes' network namespaces")
	}
	lock(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	s := &Swarm{T: t, Ctx: ctx, Nodes: d.nodes}
	for _, n := range d.nodes {
		cli, err := client.New(client.WithHost(n.DockerHost), client.WithAPIVersionFromEnv())
		if err != nil {
			t.Fatalf("docker client for %s: %v", n.Name, err)
		}
		t.Cleanup(func() { cli.Close() })
		if _, err := cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
			t.Fatalf("swarm node %s at %s does not answer (is the test bed up? .ci/swarm up): %v", n.Name, n.DockerHost, err)
		}
		info, err := cli.Info(ctx, client.InfoOptions{})
		if err != nil {
			t.Fatalf("swarm node %s: info: %v", n.Name, err)
		}
		if st := info.Info.Swarm.LocalNodeState; st != "active" {
			t.Fatalf("swarm node %s is not in a swarm (state %q)", n.Name, st)
		}
		if err := dockertest.EnsureImages(ctx, cli); err != nil {
			t.Fatalf("swarm node %s: %v", n.Name, err)
		}
		s.Clients = append(s.Clients, cli)
	}
	b := make([]byte, 3)
	rand.Read(b)
	s.Prefix = "nvzt" + hex.EncodeToString(b) + "-"
	return s
}

func lock(t testing.TB) {
	t.Helper()
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		t.Fatalf("swarm-test lock: %v", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatalf("swarm-test lock %s: %v", lockPath, err)
	}
	t.Cleanup(func() { f.Close() })
}

// Manager is the client of the swarm's manager, where services and swarm
// networks are created.
func (s *Swarm) Manager() *client.Client { return s.Clients[0] }

// Name prefixes name with the test's unique prefix.
func (s *Swarm) Name(name string) string { return s.Prefix + name }

// NodeIndex maps swarm node IDs (a task's NodeID) to indexes in Nodes, by
// hostname.
func (s *Swarm) NodeIndex() (map[string]int, error) {
	res, err := s.Manager().NodeList(s.Ctx, client.NodeListOptions{})
	if err != nil {
		return nil, fmt.Errorf("node list: %w", err)
	}
	byName := map[string]int{}
	for i, n := range s.Nodes {
		byName[n.Name] = i
	}
	out := map[string]int{}
	for _, n := range res.Items {
		i, ok := byName[n.Description.Hostname]
		if !ok {
			return nil, fmt.Errorf("swarm node %s (%s) is not in %s", n.ID, n.Description.Hostname, EnvVar)
		}
		out[n.ID] = i
	}
	return out, nil
}

// Exec runs cmd in container ctr on node i and returns its output (stdout
// then stderr) and exit code.
func (s *Swarm) Exec(ctx context.Context, i int, ctr string, cmd ...string) (string, int, error) {
	cli := s.Clients[i]
	ex, err := cli.ExecCreate(ctx, ctr, client.ExecCreateOptions{AttachStdout: true, AttachStderr: true, Cmd: cmd})
	if err != nil {
		return "", -1, fmt.Errorf("exec in %s on %s: %w", ctr, s.Nodes[i].Name, err)
	}
	att, err := cli.ExecAttach(ctx, ex.ID, client.ExecAttachOptions{})
	if err != nil {
		return "", -1, fmt.Errorf("exec in %s on %s: attach: %w", ctr, s.Nodes[i].Name, err)
	}
	var out, stderr bytes.Buffer
	_, err = stdcopy.StdCopy(&out, &stderr, att.Reader)
	att.Close()
	if err != nil {
		return "", -1, fmt.Errorf("exec in %s on %s: read: %w", ctr, s.Nodes[i].Name, err)
	}
	out.Write(stderr.Bytes())
	for {
		ins, err := cli.ExecInspect(ctx, ex.ID, client.ExecInspectOptions{})
		if err != nil {
			return out.String(), -1, fmt.Errorf("exec in %s on %s: inspect: %w", ctr, s.Nodes[i].Name, err)
		}
		if !ins.Running {
			return out.String(), ins.ExitCode, nil
		}
		select {
		case <-ctx.Done():
			return out.String(), -1, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Do runs fn inside the network namespace the node's engine runs in (where
// its LAN address, docker_gwbridge and published ports are).
func (n Node) Do(fn func() error) error {
	ns, err := nsrun.Open(n.NetNSPath())
	if err != nil {
		return err
	}
	defer ns.Close()
	return ns.Do(fn)
}

// DoIn runs fn inside the namespace dockerd mounted as ExecRoot/netns/name.
func (n Node) DoIn(name string, fn func() error) error {
	ns, err := nsrun.Open(n.SandboxPath(name))
	if err != nil {
		return err
	}
	defer ns.Close()
	return ns.Do(fn)
}

// overlayNSName matches the overlay driver's namespace for a network:
// "<epoch>-" and the network ID, cut to 12 characters.
var overlayNSName = regexp.MustCompile(`^[0-9]+-`)

// OverlayNS is the name, under ExecRoot/netns, of the namespace holding
// the overlay network netID's br0 and vxlan0 on this node ("1-" and the
// ID, cut to 12 characters; the number counts re-creations, the highest wins).
func (n Node) OverlayNS(netID string) (string, error) {
	entries, err := os.ReadDir(n.SandboxPath(""))
	if err != nil {
		return "", fmt.Errorf("node %s: %w", n.Name, err)
	}
	best, bestEpoch := "", -1
	for _, e := range entries {
		name := e.Name()
		pre := overlayNSName.FindString(name)
		if pre == "" || len(name) != 12 || !strings.HasPrefix(netID, name[len(pre):]) {
			continue
		}
		var epoch int
		fmt.Sscanf(pre, "%d-", &epoch)
		if epoch > bestEpoch {
			best, bestEpoch = name, epoch
		}
	}
	if best == "" {
		return "", fmt.Errorf("node %s: no overlay namespace for network %.12s: %w", n.Name, netID, os.ErrNotExist)
	}
	return best, nil
}

// LBNS is the name of the load-balancer namespace of network netID:
// "lb_" and the ID, cut to 12 characters.
func LBNS(netID string) string { return ("lb_" + netID)[:min(12, 3+len(netID))] }

// retry calls fn until it returns nil, or until ctx's deadline has passed:
// then fn's last error is returned. fn runs to its end every time (give it
// a context of its own), so the error says what was wrong, not that time
// ran out.
func retry(ctx context.Context, every time.Duration, fn func() error) error {
	deadline, ok := ctx.Deadline()
	for {
		err := fn()
		if err == nil {
			return nil
		}
		if ok && time.Now().Add(every).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(every):
		}
	}
}
