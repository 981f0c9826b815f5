package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/dockertest"
	"github.com/netviz/netviz/internal/graph"
)

// runBin runs the built netviz with env added to (and overriding) the
// test's environment, and returns its exit code and output.
func runBin(t *testing.T, env map[string]string, argv ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); env[k] == "" && (k == "DOCKER_HOST" || k == "DOCKER_CONTEXT") {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", argv, err)
	}
	return code, out.String(), errb.String()
}

// lookTool finds a program the live test needs; under NETVIZ_E2E=1 its
// absence fails the test (.ci/run installs it).
func lookTool(t *testing.T, name, pkg string) string {
	t.Helper()
	for _, p := range []string{name, "/usr/sbin/" + name, "/sbin/" + name} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Fatalf("%s is not installed (Debian package %s; .ci/run installs it)", name, pkg)
	return ""
}

// sshEngine is a private sshd on a free loopback port that lets a throwaway
// key in as root, and an `ssh` on PATH that uses it: the setting of
// `docker context create remote --docker host=ssh://root@127.0.0.1:PORT`.
type sshEngine struct {
	host string // ssh://root@127.0.0.1:PORT
	bin  string // a directory holding the ssh wrapper, for PATH
}

func startSSHEngine(t *testing.T) *sshEngine {
	t.Helper()
	sshd := lookTool(t, "sshd", "openssh-server")
	ssh := lookTool(t, "ssh", "openssh-client")
	keygen := lookTool(t, "ssh-keygen", "openssh-client")
	dir := t.TempDir()
	for _, k := range []string{"hostkey", "id"} {
		if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, k)).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
	}
	pub, err := os.ReadFile(filepath.Join(dir, "id.pub"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), pub, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	sshdConfig := filepath.Join(dir, "sshd_config")
	os.WriteFile(sshdConfig, []byte(fmt.Sprintf(`ListenAddress 127.0.0.1:%d
HostKey %[2]s/hostkey
AuthorizedKeysFile %[2]s/authorized_keys
PidFile %[2]s/sshd.pid
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
`, port, dir)), 0o600)
	os.WriteFile(filepath.Join(dir, "ssh_config"), []byte(fmt.Sprintf(`Host 127.0.0.1
  IdentityFile %[1]s/id
  IdentitiesOnly yes
  StrictHostKeyChecking no
  UserKnownHostsFile %[1]s/known_hosts
  BatchMode yes
  LogLevel ERROR
`, dir)), 0o600)
	// sshd wants its privilege separation directory (the system service's
	// unit creates it).
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatal(err)
	}
	var sshdLog bytes.Buffer
	daemon := exec.Command(sshd, "-D", "-e", "-f", sshdConfig)
	daemon.Stdout, daemon.Stderr = &sshdLog, &sshdLog
	if err := daemon.Start(); err != nil {
		t.Fatalf("start sshd: %v", err)
	}
	t.Cleanup(func() {
		daemon.Process.Kill()
		daemon.Wait()
		if t.Failed() {
			t.Logf("sshd log:\n%s", sshdLog.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sshd did not listen on 127.0.0.1:%d: %v\n%s", port, err, sshdLog.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The user's ssh configuration is where docker (and netviz) leave ssh
	// options; ssh reads ~/.ssh/config of the passwd entry, not $HOME, so
	// the test puts an ssh on PATH that adds -F instead of touching root's.
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o700)
	wrapper := fmt.Sprintf("#!/bin/sh\nexec %s -F %s \"$@\"\n", ssh, filepath.Join(dir, "ssh_config"))
	if err := os.WriteFile(filepath.Join(bin, "ssh"), []byte(wrapper), 0o700); err != nil {
		t.Fatal(err)
	}
	return &sshEngine{host: fmt.Sprintf("ssh://root@127.0.0.1:%d", port), bin: bin}
}

// TestLiveSSHContext: a context made by the real docker CLI pointing at an
// ssh:// engine (this machine's dockerd behind a private sshd on loopback)
// gives Docker's facts — the test's container, its network and address —
// with one warning that namespace detail is skipped, and commands that
// measure namespaces refuse it.
func TestLiveSSHContext(t *testing.T) {
	env := dockertest.Require(t)
	docker := lookTool(t, "docker", "docker.io")
	netName := env.Network("sshnet", client.NetworkCreateOptions{Driver: "bridge"})
	ctr := env.Run("sshctr", dockertest.Spec{Network: netName, Aliases: []string{"remotealias"}})
	eng := startSSHEngine(t)
	cfg := filepath.Join(t.TempDir(), "docker")
	os.Mkdir(cfg, 0o700)
	create := exec.Command(docker, "context", "create", "remote", "--docker", "host="+eng.host)
	create.Env = append(os.Environ(), "DOCKER_CONFIG="+cfg)
	if out, err := create.CombinedOutput(); err != nil {
		t.Fatalf("docker context create: %v\n%s", err, out)
	}
	bin := buildNetviz(t)
	runEnv := map[string]string{"DOCKER_CONFIG": cfg, "PATH": eng.bin + ":" + os.Getenv("PATH")}

	start := time.Now()
	code, stdout, stderr := runBin(t, runEnv, bin, "--context", "remote", "graph", "--format", "json")
	if code != exitOK {
		t.Fatalf("netviz --context remote graph: exit %d\n%s", code, stderr)
	}
	t.Logf("graph through ssh in %v", time.Since(start).Round(time.Millisecond))
	m, err := graph.ReadJSON(strings.NewReader(stdout))
	if err != nil {
		t.Fatalf("model: %v", err)
	}
	if m.Host.EngineHost != eng.host || m.Host.Engine == "" {
		t.Errorf("host = %+v, want the engine at %s", m.Host, eng.host)
	}
	var found *graph.Container
	for i := range m.Containers {
		if m.Containers[i].Name == ctr {
			found = m.Containers[i]
		}
	}
	if found == nil || len(found.Endpoints) != 1 || found.Endpoints[0].Network != graph.NewNetworkID(netName) || !found.Endpoints[0].IPv4.IsValid() {
		t.Fatalf("container %s through ssh = %+v, want one endpoint on %s with an address", ctr, found, netName)
	}
	if got := found.Endpoints[0].Aliases; !strings.Contains(strings.Join(got, ","), "remotealias") {
		t.Errorf("aliases %v lack remotealias", got)
	}
	if len(m.Interfaces) != 0 {
		t.Errorf("a remote engine's model holds %d interfaces of this machine", len(m.Interfaces))
	}
	if n := strings.Count(stderr, "namespace detail"); n != 1 || !strings.Contains(stderr, `(context "remote") is not on this machine`) {
		t.Errorf("stderr should warn once that namespace detail is skipped, naming the context:\n%s", stderr)
	}

	// DOCKER_CONTEXT and `docker context use` pick the same engine.
	use := exec.Command(docker, "context", "use", "remote")
	use.Env = append(os.Environ(), "DOCKER_CONFIG="+cfg)
	if out, err := use.CombinedOutput(); err != nil {
		t.Fatalf("docker context use: %v\n%s", err, out)
	}
	code, stdout, stderr = runBin(t, runEnv, bin, "graph", "--network", netName, "--format", "json")
	if code != exitOK || !strings.Contains(stdout, eng.host) || !strings.Contains(stdout, ctr) {
		t.Errorf("currentContext remote: exit %d, stderr %s", code, stderr)
	}

	for _, args := range [][]string{{"reach"}, {"probe", "remotealias"}} {
		code, _, stderr = runBin(t, runEnv, append([]string{bin, "--context", "remote"}, args...)...)
		if code != exitUsage || !strings.Contains(stderr, "not on this machine") {
			t.Errorf("%s on a remote engine: exit %d, %q; want exit 2 saying it is not on this machine", args[0], code, stderr)
		}
	}
}

// TestLiveCapabilities: root without CAP_NET_RAW or CAP_SYS_ADMIN (as in a
// restricted container) gets exit 2 naming the capability from reach and
// probe, and graph degrades with one warning instead of one per namespace.
func TestLiveCapabilities(t *testing.T) {
	env := dockertest.Require(t)
	setpriv := lookTool(t, "setpriv", "util-linux")
	netName := env.Network("capnet", client.NetworkCreateOptions{Driver: "bridge"})
	env.Run("cap1", dockertest.Spec{Network: netName, Aliases: []string{"capalias"}})
	env.Run("cap2", dockertest.Spec{Network: netName})
	bin := buildNetviz(t)
	drop := func(c string) []string {
		return []string{setpriv, "--inh-caps=-" + c, "--bounding-set=-" + c, bin}
	}
	tests := []struct {
		cap  string
		args []string
		want string
	}{
		{"net_raw", []string{"reach", "--network", netName}, "CAP_NET_RAW"},
		{"net_raw", []string{"probe", "capalias"}, "CAP_NET_RAW"},
		{"sys_admin", []string{"reach", "--network", netName}, "CAP_SYS_ADMIN"},
		{"sys_admin", []string{"probe", "capalias"}, "CAP_SYS_ADMIN"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runBin(t, nil, append(drop(tt.cap), tt.args...)...)
		if code != exitUsage || !strings.Contains(stderr, "without "+tt.want) || stdout != "" {
			t.Errorf("%s without %s: exit %d, stdout %q, stderr %q; want exit 2 naming %s", tt.args[0], tt.cap, code, stdout, stderr, tt.want)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := filepath.Join(t.TempDir(), "net.json")
	cmd := exec.CommandContext(ctx, drop("sys_admin")[0], append(drop("sys_admin")[1:], "graph", "--network", netName, "-o", out)...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("graph without CAP_SYS_ADMIN: %v\n%s", err, errb.String())
	}
	// One warning for the missing capability, none per namespace (other
	// tests' containers may come and go: their notes are not counted).
	if n := strings.Count(errb.String(), "CAP_SYS_ADMIN"); n != 1 || strings.Contains(errb.String(), "not permitted") {
		t.Errorf("graph without CAP_SYS_ADMIN: want one warning naming it and none per namespace, got:\n%s", errb.String())
	}
	m, err := graph.ReadFile(out)
	if err != nil || len(m.Containers) != 2 {
		t.Fatalf("graph without CAP_SYS_ADMIN: %v, %d containers; want Docker's facts for both", err, len(m.Containers))
	}
}
