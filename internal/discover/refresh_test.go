package discover

import (
	"bytes"
	"cmp"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/testkit"
)

// Docker IDs of the seed's containers and networks.
var (
	webID   = "web0000000001" + strings.Repeat("a", 51)
	dbID    = "db00000000002" + strings.Repeat("b", 51)
	sideID  = "side000000003" + strings.Repeat("c", 51)
	al1ID   = "al1000000004" + strings.Repeat("d", 52)
	hostID  = "host00000006" + strings.Repeat("f", 52)
	quietID = "aa" + strings.Repeat("2", 62)
	db2ID   = "db20000000010" + strings.Repeat("9", 51)
)

// seedState is the seed as a State: Docker sorted by name as ReadDocker
// leaves it, no vanished containers (they belong to a full read).
func seedState(change func(*DockerSnapshot, []NamespaceSnapshot) []NamespaceSnapshot) *State {
	d, s := seedDocker(), seedNamespaces()
	d.Vanished = nil
	if change != nil {
		s = change(d, s)
	}
	slices.SortFunc(d.Containers, func(a, b DockerContainer) int { return cmp.Compare(a.Name, b.Name) })
	return &State{hostname: "vm", docker: d, namespaces: s, enter: true}
}

// removeCtr takes a container out of Docker and every snapshot; a snapshot
// left empty goes, with the host veth whose peer was in it and the host's
// netnsid for it.
func removeCtr(d *DockerSnapshot, s []NamespaceSnapshot, id string) []NamespaceSnapshot {
	d.Containers = slices.DeleteFunc(d.Containers, func(c DockerContainer) bool { return c.ID == id })
	var goneInodes []uint64
	for i := range s {
		s[i].Containers = slices.DeleteFunc(s[i].Containers, func(c string) bool { return c == id })
		if !s[i].Host && len(s[i].Containers) == 0 {
			goneInodes = append(goneInodes, s[i].Inode)
		}
	}
	s = slices.DeleteFunc(s, func(n NamespaceSnapshot) bool { return slices.Contains(goneInodes, n.Inode) })
	for nsid, inode := range s[0].PeerNSIDs {
		if slices.Contains(goneInodes, inode) {
			delete(s[0].PeerNSIDs, nsid)
			s[0].Links = slices.DeleteFunc(s[0].Links, func(l LinkSnapshot) bool { return l.LinkNetNSID == nsid })
		}
	}
	return s
}

// freshRead is what Refresh would read of truth for the touched
// containers: Docker's facts of those still listed, and ReadNamespaces of
// them — the host's snapshot (netnsids only for the namespaces opened) and
// each of their namespaces, naming only them as members.
func freshRead(truth *State, touched []string, networks []string) partial {
	p := partial{touched: touched}
	entered := map[string]bool{}
	for _, c := range truth.docker.Containers {
		if slices.Contains(touched, c.ID) && listed(&c) {
			p.containers = append(p.containers, c)
			entered[c.ID] = hasNamespace(&c)
		}
	}
	for _, id := range networks {
		if i := slices.IndexFunc(truth.docker.Networks, func(n DockerNetwork) bool { return n.ID == id }); i >= 0 {
			p.networks = append(p.networks, truth.docker.Networks[i])
		} else {
			p.goneNetworks = append(p.goneNetworks, id)
		}
	}
	read := &NamespaceRead{}
	opened := map[uint64]bool{}
	for _, sn := range truth.namespaces[1:] {
		var members []string
		for _, id := range sn.Containers {
			if entered[id] {
				members = append(members, id)
			}
		}
		if len(members) > 0 {
			sn.Containers = members
			read.Snapshots = append(read.Snapshots, sn)
			opened[sn.Inode] = true
		}
	}
	host := truth.namespaces[0]
	host.Containers = slices.DeleteFunc(slices.Clone(host.Containers), func(id string) bool { return !entered[id] })
	host.PeerNSIDs = map[int]uint64{}
	for id, inode := range truth.namespaces[0].PeerNSIDs {
		if opened[inode] {
			host.PeerNSIDs[id] = inode
		}
	}
	read.Snapshots = append([]NamespaceSnapshot{host}, read.Snapshots...)
	p.read = read
	return p
}

func modelJSON(t *testing.T, m *graph.Model) string {
	t.Helper()
	var b bytes.Buffer
	if err := graph.WriteJSON(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestRefreshMergeMatchesFullBuild: an old State plus what Refresh reads
// again of the containers and networks a change touched builds the model a
// full discovery of the new host builds, and the old State is left as it
// was.
func TestRefreshMergeMatchesFullBuild(t *testing.T) {
	type change = func(*DockerSnapshot, []NamespaceSnapshot) []NamespaceSnapshot
	dropDB := func(d *DockerSnapshot, s []NamespaceSnapshot) []NamespaceSnapshot { return removeCtr(d, s, dbID) }
	tests := []struct {
		name          string
		before, after change
		containers    []string // touched, before sharers
		networks      []string
		wantTouched   []string // after sharers; nil: containers
	}{
		{name: "a container started: its namespace, its host veth, the host's netnsid for it",
			before: dropDB, containers: []string{dbID}},
		{name: "a container removed", after: dropDB, containers: []string{dbID}},
		{name: "the owner of a shared namespace stops: the sidecar is read again with it",
			after: func(d *DockerSnapshot, s []NamespaceSnapshot) []NamespaceSnapshot {
				return removeCtr(d, removeCtr(d, s, sideID), webID)
			},
			containers: []string{webID}, wantTouched: []string{sideID, webID}},
		{name: "a container joins another's namespace (same inode): the snapshots merge",
			before: func(d *DockerSnapshot, s []NamespaceSnapshot) []NamespaceSnapshot {
				return removeCtr(d, s, sideID)
			},
			containers: []string{sideID}},
		{name: "a renamed container",
			after: func(d *DockerSnapshot, s []NamespaceSnapshot) []NamespaceSnapshot {
				for i := range d.Containers {
					if d.Containers[i].ID == webID {
						d.Containers[i].Name, d.Containers[i].Links = "www", []string{"/db:/www/mysql"}
					}
				}
				return s
			},
			containers: []string{webID}, wantTouched: []string{sideID, webID}},
		{name: "a network created",
			before: func(d *DockerSnapshot, s []NamespaceSnapshot) []NamespaceSnapshot {
				d.Networks = slices.DeleteFunc(d.Networks, func(n DockerNetwork) bool { return n.ID == quietID })
				return s
			},
			networks: []string{quietID}},
		{name: "a network removed",
			after: func(d *DockerSnapshot, s []NamespaceSnapshot) []NamespaceSnapshot {
				d.Networks = slices.DeleteFunc(d.Networks, func(n DockerNetwork) bool { return n.ID == quietID })
				return s
			},
			networks: []string{quietID}},
		{name: "a container connected to a second network: eth1 and a second host veth",
			after: func(d *DockerSnapshot, s []NamespaceSnapshot) []NamespaceSnapshot {
				for i := range d.Containers {
					if d.Containers[i].ID == al1ID {
						d.Containers[i].Endpoints = append(d.Containers[i].Endpoints, DockerEndpoint{
							Network: "bridge", IPv4: pfx("172.17.0.9/16"), MAC: "02:42:ac:11:00:09"})
					}
				}
				for i := range s {
					if slices.Contains(s[i].Containers, al1ID) {
						s[i].Links = append(slices.Clone(s[i].Links), LinkSnapshot{Index: 15, Name: "eth1", Type: "veth", MAC: "02:42:ac:11:00:09",
							ParentIndex: 16, LinkNetNSID: 5, OperState: "up", Addrs: pfxs("172.17.0.9/16")})
					}
				}
				s[0].Links = append(s[0].Links, LinkSnapshot{Index: 16, Name: "veth7a8b", Type: "veth", MasterIndex: 3, ParentIndex: 15, LinkNetNSID: 7, OperState: "up"})
				return s
			},
			containers: []string{al1ID}},
		{name: "a removed container's inode reused by a new one",
			after: func(d *DockerSnapshot, s []NamespaceSnapshot) []NamespaceSnapshot {
				d.Containers = append(d.Containers, DockerContainer{ID: db2ID, Name: "db2", State: "running", Pid: 110, NetworkMode: "bridge",
					Endpoints: []DockerEndpoint{{Network: "bridge", IPv4: pfx("172.17.0.4/16"), MAC: "02:42:ac:11:00:04"}}})
				d.Containers = slices.DeleteFunc(d.Containers, func(c DockerContainer) bool { return c.ID == dbID })
				for i := range s {
					if slices.Contains(s[i].Containers, dbID) {
						s[i].Containers = []string{db2ID}
						s[i].Path = "/proc/110/ns/net"
						s[i].Links = []LinkSnapshot{s[i].Links[0], {Index: 11, Name: "eth0", Type: "veth", MAC: "02:42:ac:11:00:04", ParentIndex: 12, LinkNetNSID: 0, OperState: "up", Addrs: pfxs("172.17.0.4/16")}}
					}
				}
				return s
			},
			containers: []string{dbID, db2ID}},
		{name: "a --net host container starts: a member of the host's snapshot",
			before:     func(d *DockerSnapshot, s []NamespaceSnapshot) []NamespaceSnapshot { return removeCtr(d, s, hostID) },
			containers: []string{hostID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, truth := seedState(tt.before), seedState(tt.after)
			oldJSON := modelJSON(t, old.Model())
			oldNS := cloneNamespaces(old.namespaces)
			oldDocker := cloneDocker(old.docker)

			touched := old.sharers(tt.containers)
			want := tt.wantTouched
			if want == nil {
				want = slices.Sorted(slices.Values(tt.containers))
			}
			if !slices.Equal(touched, want) && !(len(touched) == 0 && len(want) == 0) {
				t.Errorf("sharers(%v) = %v, want %v", tt.containers, touched, want)
			}
			next := old.apply(freshRead(truth, touched, tt.networks))

			if got, want := modelJSON(t, next.Model()), modelJSON(t, truth.Model()); got != want {
				t.Errorf("merged model differs from the full build:\n%s", testkit.LineDiff(got, want, "merged", "full"))
			}
			// Settling judges the snapshots, not the model: which
			// containers are where must agree too.
			if got, want := Unsettled(next.docker, next.namespaces), Unsettled(truth.docker, truth.namespaces); !maps.Equal(got, want) {
				t.Errorf("unsettled after the merge: %v, want %v", got, want)
			}
			if got := modelJSON(t, old.Model()); got != oldJSON {
				t.Errorf("apply changed the old state's model:\n%s", testkit.LineDiff(got, oldJSON, "now", "before"))
			}
			if !reflect.DeepEqual(old.namespaces, oldNS) || !reflect.DeepEqual(old.docker, oldDocker) {
				t.Error("apply changed the old state's snapshots")
			}
		})
	}
}

// TestRefreshMergeThenSettleLeavesOldAlone: settle edits the snapshots it
// is given in place (dropping containers, replacing namespaces); after
// apply they are the new State's own.
func TestRefreshMergeThenSettleLeavesOldAlone(t *testing.T) {
	old := seedState(nil)
	oldNS, oldDocker := cloneNamespaces(old.namespaces), cloneDocker(old.docker)
	next := old.apply(partial{touched: []string{dbID}, read: &NamespaceRead{Snapshots: []NamespaceSnapshot{old.namespaces[0]}}})
	// What settle does to a container Docker says is gone.
	dropContainers(next.docker, next.namespaces, []string{webID})
	next.namespaces = replaceSnapshots(next.namespaces, []string{al1ID}, nil)
	if !reflect.DeepEqual(old.namespaces, oldNS) || !reflect.DeepEqual(old.docker, oldDocker) {
		t.Error("settling the new state changed the old one")
	}
}

func TestMergeNamespacesNetNSIDs(t *testing.T) {
	old := []NamespaceSnapshot{
		{Host: true, Inode: 1, PeerNSIDs: map[int]uint64{0: 10, 1: 11, 2: 12}},
		{Inode: 10, Containers: []string{"a"}},
		{Inode: 11, Containers: []string{"b"}},
		{Inode: 12, Containers: []string{"c"}},
	}
	fresh := []NamespaceSnapshot{
		{Host: true, Inode: 1, PeerNSIDs: map[int]uint64{1: 13}}, // b's id reused for d's new namespace
		{Inode: 13, Containers: []string{"d"}},
	}
	got := mergeNamespaces(old, []string{"b", "c", "d"}, fresh)
	if want := map[int]uint64{0: 10, 1: 13}; !maps.Equal(got[0].PeerNSIDs, want) {
		t.Errorf("netnsids %v, want %v (a kept, b's and c's gone, d's fresh)", got[0].PeerNSIDs, want)
	}
	var inodes []uint64
	for _, n := range got {
		inodes = append(inodes, n.Inode)
	}
	if want := []uint64{1, 10, 13}; !slices.Equal(inodes, want) {
		t.Errorf("namespaces %v, want %v", inodes, want)
	}
	if old[0].PeerNSIDs[2] != 12 || len(old) != 4 {
		t.Error("old snapshots changed")
	}
}

func TestMergeWarnings(t *testing.T) {
	tests := []struct {
		name             string
		old, names, news []string
		want             []string
	}{
		{"a touched container's warning is replaced",
			[]string{"container web: boom", "container db: bang"}, []string{"web"}, []string{"container web: again"},
			[]string{"container db: bang", "container web: again"}},
		{"a name that prefixes another's is not it",
			[]string{"container web2: boom"}, []string{"web"}, nil, []string{"container web2: boom"}},
		{"the same warning once", []string{"reading container namespaces needs root"}, nil,
			[]string{"reading container namespaces needs root"}, []string{"reading container namespaces needs root"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mergeWarnings(tt.old, tt.names, tt.news); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func cloneNamespaces(in []NamespaceSnapshot) []NamespaceSnapshot {
	out := slices.Clone(in)
	for i := range out {
		out[i].Containers = slices.Clone(in[i].Containers)
		out[i].Links = slices.Clone(in[i].Links)
		out[i].PeerNSIDs = maps.Clone(in[i].PeerNSIDs)
	}
	return out
}

func cloneDocker(in *DockerSnapshot) *DockerSnapshot {
	d := *in
	d.Containers = slices.Clone(in.Containers)
	d.Networks = slices.Clone(in.Networks)
	d.Vanished = slices.Clone(in.Vanished)
	return &d
}
