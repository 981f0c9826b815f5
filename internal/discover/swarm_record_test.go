package discover

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/api/types/system"
)

// A recorded swarm node: what the engine's API answered, as the API's own
// types (testdata/swarm/NODE/*.json, written by TestLiveSwarmDiscovery
// with -update), and the namespace snapshots read with it. loadRecorded
// turns the API answers into a DockerSnapshot the way readDocker and
// readSwarm do, with the same conversions.

// swarmRecordDir holds one directory per recorded node.
var swarmRecordDir = filepath.Join("testdata", "swarm")

// recordMeta is what the engine said outside the recorded answers.
type recordMeta struct {
	Host       string `json:"host"`
	APIVersion string `json:"apiVersion"`
	Version    string `json:"version"`
}

// engineRecord is what one node's engine answered.
type engineRecord struct {
	Meta       recordMeta
	Info       system.Info
	Networks   []network.Summary
	Overlays   map[string]network.Inspect // by network ID, inspected --verbose
	Containers []container.InspectResponse
	Nodes      []swarm.Node    // a manager's
	Services   []swarm.Service // a manager's
	Namespaces []NamespaceSnapshot
}

var recordFiles = []struct {
	name string
	v    func(*engineRecord) any
}{
	{"meta.json", func(r *engineRecord) any { return &r.Meta }},
	{"info.json", func(r *engineRecord) any { return &r.Info }},
	{"networks.json", func(r *engineRecord) any { return &r.Networks }},
	{"overlays.json", func(r *engineRecord) any { return &r.Overlays }},
	{"containers.json", func(r *engineRecord) any { return &r.Containers }},
	{"nodes.json", func(r *engineRecord) any { return &r.Nodes }},
	{"services.json", func(r *engineRecord) any { return &r.Services }},
	{"namespaces.json", func(r *engineRecord) any { return &r.Namespaces }},
}

// writeRecord writes r into dir, one file per answer.
func writeRecord(dir string, r *engineRecord) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range recordFiles {
		b, err := json.MarshalIndent(f.v(r), "", "  ")
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// readRecord reads a node's directory; nodes.json and services.json may
// be missing (a worker's).
func readRecord(dir string) (*engineRecord, error) {
	r := &engineRecord{}
	for _, f := range recordFiles {
		b, err := os.ReadFile(filepath.Join(dir, f.name))
		if errors.Is(err, fs.ErrNotExist) && (f.name == "nodes.json" || f.name == "services.json") {
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, f.v(r)); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, f.name), err)
		}
	}
	return r, nil
}

// dockerSnapshot converts the recorded answers as the readers do.
func (r *engineRecord) dockerSnapshot() *DockerSnapshot {
	snap := &DockerSnapshot{Host: r.Meta.Host, Version: r.Meta.Version, APIVersion: r.Meta.APIVersion, Name: r.Info.Name}
	for _, n := range r.Networks {
		snap.Networks = append(snap.Networks, convertNetwork(n.Network))
	}
	for _, c := range r.Containers {
		snap.Containers = append(snap.Containers, convertContainer(c))
	}
	slices.SortFunc(snap.Containers, func(a, b DockerContainer) int { return cmp.Compare(a.Name, b.Name) })
	if snap.Swarm = convertSwarm(r.Info); snap.Swarm == nil {
		return snap
	}
	for i := range snap.Networks {
		if in, ok := r.Overlays[snap.Networks[i].ID]; ok && isSwarmOverlay(snap.Networks[i]) {
			addOverlay(&snap.Networks[i], in)
		}
	}
	if snap.Swarm.Manager {
		addSwarmLists(snap, r.Nodes, r.Services)
	}
	return snap
}

// recordedNodes lists the recorded nodes' directories, sorted.
func recordedNodes() ([]string, error) {
	entries, err := os.ReadDir(swarmRecordDir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out, nil
}
