package graph

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// seedFile is the one seed model (internal/testkit serves it to the other
// packages; graph's own tests read the file, since testkit imports graph).
var seedFile = filepath.Join("..", "testkit", "testdata", "seed.model.json")

func loadSeed(t testing.TB) *Model {
	t.Helper()
	m, err := ReadFile(seedFile)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestJSONRoundTrip reads the seed model and writes it back byte for byte.
func TestJSONRoundTrip(t *testing.T) {
	want, err := os.ReadFile(seedFile)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ReadJSON(bytes.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := WriteJSON(&got, m); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Error("round trip changed the model")
	}
	if !strings.Contains(got.String(), `"schema": "netviz/v1"`) {
		t.Error("schema missing from JSON")
	}
}

func TestReadJSONRejects(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"not JSON", "{", "decode model"},
		{"other schema", `{"schema":"netviz/v0"}`, `schema "netviz/v0"`},
		{"unknown field", `{"schema":"netviz/v1","host":{"namespace":"host"},"namespaces":[{"id":"host","host":true}],"bogus":1}`, "unknown field"},
		{"dangling edge", `{"schema":"netviz/v1","host":{"namespace":"host"},"namespaces":[{"id":"host","host":true}],
			"edges":[{"kind":"master","from":"host/veth0","to":"host/docker0"}]}`, "unknown endpoint"},
		{"missing host namespace", `{"schema":"netviz/v1","host":{"namespace":"host"}}`, "host namespace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadJSON(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(m *Model)
		want   string // "" means valid
	}{
		{"seed is valid", func(m *Model) {}, ""},
		{"duplicate id", func(m *Model) { m.Interfaces = append(m.Interfaces, m.Interfaces[0]) }, "duplicate id"},
		{"interface in unknown namespace", func(m *Model) { m.Interfaces[0].Namespace = "ns:nobody" }, "unknown namespace"},
		{"endpoint on unknown network", func(m *Model) { m.Containers[0].Endpoints[0].Network = "net:gone" }, "unknown network"},
		{"share with unknown container", func(m *Model) { m.Containers[0].SharesWith = "ctr:gone" }, "unknown container"},
		{"port of unknown container", func(m *Model) { m.Ports[0].Container = "ctr:gone" }, "unknown container"},
		{"uplink unknown", func(m *Model) { m.Host.Uplink = "host/wlan9" }, "uplink"},
		{"wrong schema", func(m *Model) { m.Schema = "x" }, "schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := loadSeed(t)
			tt.mutate(m)
			err := Validate(m)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestIndex(t *testing.T) {
	x := NewIndex(loadSeed(t))
	tests := []struct {
		name      string
		got, want InterfaceID
	}{
		{"peer from host side", x.Peer("host/veth1a2b"), "ns:web/eth0"},
		{"peer from container side", x.Peer("ns:web/eth0"), "host/veth1a2b"},
		{"master", x.Master("host/veth1a2b"), "host/docker0"},
		{"lower", x.Lower("ns:mac1/eth0"), "host/nvz-par0"},
		{"no peer", x.Peer("host/docker0"), ""},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if got := x.BridgePorts("host/docker0"); !slices.Equal(got, []InterfaceID{"host/veth1a2b", "host/veth3c4d"}) {
		t.Errorf("docker0 ports %v", got)
	}
	if got := x.ContainersIn("ns:web"); len(got) != 2 {
		t.Errorf("ns:web holds %d containers, want web and sidecar", len(got))
	}
}

func TestAllEdgesAddsOwnership(t *testing.T) {
	m := loadSeed(t)
	all := m.AllEdges()
	want := []Edge{
		{Kind: EdgeInNamespace, From: "ns:web/eth0", To: "ns:web"},
		{Kind: EdgeUsesNamespace, From: "ctr:sidecar", To: "ns:web"},
		{Kind: EdgeAttached, From: "ctr:web", To: "net:bridge", Label: "172.17.0.3/16"},
	}
	for _, e := range want {
		if !slices.Contains(all, e) {
			t.Errorf("AllEdges lacks %+v", e)
		}
	}
	if len(all) <= len(m.Edges) {
		t.Error("AllEdges added nothing")
	}
}

func TestAddEdgeNormalisesAndDedupes(t *testing.T) {
	m := New(SourceSim, "h")
	m.AddEdge(EdgeVethPeer, "b", "a", "")
	m.AddEdge(EdgeVethPeer, "a", "b", "")
	m.AddEdge(EdgeMaster, "b", "a", "")
	if len(m.Edges) != 2 || m.Edges[0].From != "a" {
		t.Fatalf("edges %+v", m.Edges)
	}
}

func TestSubset(t *testing.T) {
	tests := []struct {
		networks       []string
		wantContainers []string
		wantIfaces     []InterfaceID // must be present
		absentIfaces   []InterfaceID
	}{
		{[]string{"mybridge"}, []string{"ctr:alias1", "ctr:alias2", "ctr:stopped"},
			[]InterfaceID{"host/br-3f4d5e6f7a8b", "host/veth5e6f", "ns:alias1/eth0", "host/eth0"},
			[]InterfaceID{"host/docker0", "host/veth1a2b", "ns:web/eth0"}},
		{[]string{"bridge"}, []string{"ctr:db", "ctr:sidecar", "ctr:web"},
			[]InterfaceID{"host/docker0", "host/veth1a2b", "ns:web/eth0"},
			[]InterfaceID{"host/br-3f4d5e6f7a8b"}},
		{[]string{"my_macvlan"}, []string{"ctr:mac1"},
			[]InterfaceID{"host/nvz-par0", "ns:mac1/eth0"}, nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.networks, ","), func(t *testing.T) {
			m, err := Subset(loadSeed(t), tt.networks)
			if err != nil {
				t.Fatal(err)
			}
			if err := Validate(m); err != nil {
				t.Fatalf("subset does not validate: %v", err)
			}
			var ctrs []string
			for _, c := range m.Containers {
				ctrs = append(ctrs, string(c.ID))
			}
			if !slices.Equal(ctrs, tt.wantContainers) {
				t.Errorf("containers %v, want %v", ctrs, tt.wantContainers)
			}
			x := NewIndex(m)
			for _, id := range tt.wantIfaces {
				if x.Interface(id) == nil {
					t.Errorf("missing %s", id)
				}
			}
			for _, id := range tt.absentIfaces {
				if x.Interface(id) != nil {
					t.Errorf("kept %s", id)
				}
			}
		})
	}
}

func TestSubsetUnknownNetwork(t *testing.T) {
	_, err := Subset(loadSeed(t), []string{"nope"})
	var une *UnknownNetworkError
	if !errors.As(err, &une) {
		t.Fatalf("err = %v, want *UnknownNetworkError", err)
	}
	if !strings.Contains(err.Error(), `"nope"`) || !strings.Contains(err.Error(), "mybridge") {
		t.Errorf("message %q should name the network asked for and the ones that exist", err)
	}
}

// FuzzReadJSON: no input may panic the model reader, and whatever it accepts
// must validate and survive a round trip.
func FuzzReadJSON(f *testing.F) {
	seed, err := os.ReadFile(seedFile)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"schema":"netviz/v1","host":{"namespace":"host"},"namespaces":[{"id":"host","host":true}]}`))
	f.Add([]byte(`{"schema":"netviz/v1","edges":[{"kind":"veth-peer","from":"a","to":"a"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		if err := Validate(m); err != nil {
			t.Fatalf("accepted an invalid model: %v", err)
		}
		var out bytes.Buffer
		if err := WriteJSON(&out, m); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadJSON(&out); err != nil {
			t.Fatalf("written model does not read back: %v", err)
		}
		NewIndex(m).Peer("x")
		_, _ = Subset(m, m.NetworkNames())
	})
}
