package graph

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/netviz/netviz/internal/input"
	"github.com/netviz/netviz/internal/textsafe"
)

// ClusterSchema names the JSON encoding of a Cluster.
const ClusterSchema = "netviz/cluster/v1"

// Cluster is several hosts, each its own Model, joined by the swarm-scoped
// networks they share: an overlay is one network (one Docker ID) with a
// namespace, a br0 and a VXLAN device on every host that has an endpoint
// on it. Hosts are sorted by name; names are unique.
type Cluster struct {
	Schema string   `json:"schema"`
	Hosts  []*Model `json:"hosts"`
}

// NodeName is the name a host goes by in a cluster: its swarm node name,
// else its host name.
func NodeName(m *Model) string {
	if m.Host.Swarm != nil && m.Host.Swarm.NodeName != "" {
		return m.Host.Swarm.NodeName
	}
	return m.Host.Name
}

// NewCluster joins host models into a cluster. Two hosts with one name,
// or none at all, is an error.
func NewCluster(hosts ...*Model) (*Cluster, error) {
	if len(hosts) == 0 {
		return nil, errors.New("a cluster needs at least one host")
	}
	c := &Cluster{Schema: ClusterSchema}
	seen := map[string]bool{}
	for _, m := range hosts {
		name := NodeName(m)
		if name == "" {
			return nil, errors.New("a host without a name cannot join a cluster")
		}
		if seen[name] {
			return nil, fmt.Errorf("two hosts are named %s", textsafe.Quote(name))
		}
		seen[name] = true
		c.Hosts = append(c.Hosts, m.Sorted())
	}
	slices.SortFunc(c.Hosts, func(a, b *Model) int { return cmp.Compare(NodeName(a), NodeName(b)) })
	return c, nil
}

// Host is the named host's model, or nil.
func (c *Cluster) Host(name string) *Model {
	for _, m := range c.Hosts {
		if NodeName(m) == name {
			return m
		}
	}
	return nil
}

// IPVS is each host's Host.IPVS, by node name.
func (c *Cluster) IPVS() map[string]string {
	out := map[string]string{}
	for _, m := range c.Hosts {
		out[NodeName(m)] = m.Host.IPVS
	}
	return out
}

// HostNetwork is one host's view of a network.
type HostNetwork struct {
	Host    *Model
	Network *Network
}

// Shared is, for each swarm-scoped network on more than one host (by
// Docker ID, else by name), every host's view of it, in host order.
func (c *Cluster) Shared() map[string][]HostNetwork {
	out := map[string][]HostNetwork{}
	for _, m := range c.Hosts {
		for _, n := range m.Networks {
			if n.Scope != "swarm" && n.Overlay == nil {
				continue
			}
			out[networkKey(n)] = append(out[networkKey(n)], HostNetwork{m, n})
		}
	}
	for k, v := range out {
		if len(v) < 2 {
			delete(out, k)
		}
	}
	return out
}

func networkKey(n *Network) string { return cmp.Or(n.DockerID, n.Name) }

// WriteClusterJSON writes c as indented JSON ("schema":
// "netviz/cluster/v1"), each host in the model's sorted order.
func WriteClusterJSON(w io.Writer, c *Cluster) error {
	out := Cluster{Schema: ClusterSchema}
	for _, m := range c.Hosts {
		out.Hosts = append(out.Hosts, m.Sorted())
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("encode cluster: %w", err)
	}
	return nil
}

// ReadClusterJSON decodes a cluster written by WriteClusterJSON, or a
// single host's model (a cluster of one), checking every host as ReadJSON
// does.
func ReadClusterJSON(r io.Reader) (*Cluster, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read cluster: %w", err)
	}
	var probe struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("decode cluster: %w", err)
	}
	switch probe.Schema {
	case Schema:
		m, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		return NewCluster(m)
	case ClusterSchema:
	default:
		return nil, fmt.Errorf("decode cluster: schema %s is neither %q nor %q", textsafe.Quote(probe.Schema), ClusterSchema, Schema)
	}
	var raw struct {
		Schema string            `json:"schema"`
		Hosts  []json.RawMessage `json:"hosts"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("decode cluster: %w", err)
	}
	var hosts []*Model
	for i, h := range raw.Hosts {
		m, err := ReadJSON(bytes.NewReader(h))
		if err != nil {
			return nil, fmt.Errorf("decode cluster: host %d: %w", i+1, err)
		}
		hosts = append(hosts, m)
	}
	c, err := NewCluster(hosts...)
	if err != nil {
		return nil, fmt.Errorf("decode cluster: %w", err)
	}
	return c, nil
}

// ReadClusterFile reads a cluster or a model file (at most MaxFileSize
// bytes, a regular file).
func ReadClusterFile(path string) (*Cluster, error) {
	data, err := input.ReadRegular(path, "model", MaxFileSize)
	if err != nil {
		return nil, err
	}
	c, err := ReadClusterJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", textsafe.CleanN(path, 256), err)
	}
	return c, nil
}
