package discover

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// maxProcFile bounds what is read of a /proc file (ip_vs, cmdline) and of
// the kernel's configuration.
const maxProcFile = 8 << 20

// listSwarmNamespaces lists the engine's netns directory dir (as the
// engine sees it) and picks the namespace files of its swarm networks.
// Equivalent to `ls /run/docker/netns`. A directory that is not there
// (no container has run yet) holds none.
func listSwarmNamespaces(loc Location, dir string, nets []DockerNetwork) ([]SwarmNamespace, error) {
	entries, err := os.ReadDir(loc.Path(dir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list the engine's namespaces: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return matchSwarmNamespaces(names, nets), nil
}

// engineCmdline is the engine process's command line; nil when no process
// is named or it cannot be read.
func engineCmdline(loc Location) []string {
	if !loc.Engine() {
		return nil
	}
	b, err := readBounded("/proc/" + strconv.Itoa(loc.PID) + "/cmdline")
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
}

// engineComm is the engine process's command name (/proc/PID/comm).
func engineComm(loc Location) (string, error) {
	b, err := readBounded("/proc/" + strconv.Itoa(loc.PID) + "/comm")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// checkLocation makes sure the engine process loc names is there and its
// network namespace can be opened.
func checkLocation(loc Location) error {
	if !loc.Engine() {
		return nil
	}
	f, err := os.Open(loc.NetNS())
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("engine process %d: opening %s needs root: %w", loc.PID, loc.NetNS(), err)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("engine process %d: no such process", loc.PID)
		}
		return fmt.Errorf("engine process %d: %w", loc.PID, err)
	}
	defer f.Close()
	// Its root directory is where namespace files and sandbox keys are
	// read: only a root engine's is trusted (another user's process may
	// have a mount namespace of its own making).
	var st unix.Stat_t
	if err := unix.Stat("/proc/"+strconv.Itoa(loc.PID), &st); err != nil {
		return fmt.Errorf("engine process %d: %w", loc.PID, err)
	}
	if st.Uid != 0 {
		return fmt.Errorf("engine process %d runs as uid %d, not root: netviz reads an engine's namespaces only through a root process", loc.PID, st.Uid)
	}
	return nil
}

// readIPVSFacts notes in the host's snapshot whether the kernel has IPVS
// (/proc/net/ip_vs in the engine's namespace) and its CONFIG_IP_VS.
func readIPVSFacts(loc Location, host *NamespaceSnapshot) {
	host.HasIPVS = exists(loc.ProcNet("ip_vs"))
	host.IPVSConfig = kernelIPVSConfig()
}

// exists reports whether path exists.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// readIPVS reads an ip_vs file: its text, and whether it exists (the
// kernel has IPVS).
func readIPVS(path string) (string, bool) {
	b, err := readBounded(path)
	if err != nil {
		return "", !errors.Is(err, fs.ErrNotExist)
	}
	return string(b), true
}

// kernelIPVSConfig is the running kernel's CONFIG_IP_VS ("y", "m", "n"),
// from /proc/config.gz, else /boot/config-RELEASE; "" when neither says.
func kernelIPVSConfig() string {
	if b, err := readBounded("/proc/config.gz"); err == nil {
		if zr, err := gzip.NewReader(bytes.NewReader(b)); err == nil {
			text, err := io.ReadAll(io.LimitReader(zr, maxProcFile))
			if err == nil {
				if v := kernelConfigValue(string(text), "CONFIG_IP_VS"); v != "" {
					return v
				}
			}
		}
	}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		if b, err := readBounded("/boot/config-" + unix.ByteSliceToString(u.Release[:])); err == nil {
			return kernelConfigValue(string(b), "CONFIG_IP_VS")
		}
	}
	return ""
}

// readBounded reads at most maxProcFile bytes of path.
func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxProcFile))
}
