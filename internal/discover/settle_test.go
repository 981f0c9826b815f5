package discover

import (
	"slices"
	"strings"
	"testing"
)

func TestUnsettled(t *testing.T) {
	id := func(prefix, fill string, n int) string { return prefix + strings.Repeat(fill, n) }
	web, alias1, alias2, mac := id("web0000000001", "a", 51), id("al1000000004", "d", 52), id("al2000000005", "e", 52), id("mac000000008", "1", 52)
	tests := []struct {
		name   string
		change func(*DockerSnapshot, []NamespaceSnapshot) []NamespaceSnapshot
		want   map[string]string // Docker ID → a word of the reason
	}{
		{"the seed: alias2's namespace was never read", nil, map[string]string{alias2: "could not be read"}},
		{"a container removed mid-read keeps only lo", func(d *DockerSnapshot, s []NamespaceSnapshot) []NamespaceSnapshot {
			for i := range s {
				if slices.Contains(s[i].Containers, web) {
					s[i].Links = s[i].Links[:1] // its veth went with it
				}
			}
			return s
		}, map[string]string{alias2: "could not be read", web: "172.17.0.3 on bridge"}},
		{"a reused PID puts a bridged container in the host's namespace", func(d *DockerSnapshot, s []NamespaceSnapshot) []NamespaceSnapshot {
			s = slices.DeleteFunc(s, func(n NamespaceSnapshot) bool { return slices.Contains(n.Containers, alias1) })
			s[0].Containers = append(s[0].Containers, alias1)
			return s
		}, map[string]string{alias2: "could not be read", alias1: "host's namespace"}},
		{"a macvlan address counts like a bridge one", func(d *DockerSnapshot, s []NamespaceSnapshot) []NamespaceSnapshot {
			for i := range s {
				if slices.Contains(s[i].Containers, mac) {
					s[i].Links[1].Addrs = nil
				}
			}
			return s
		}, map[string]string{alias2: "could not be read", mac: "my_macvlan"}},
		{"gone from Docker too: nothing to settle", func(d *DockerSnapshot, s []NamespaceSnapshot) []NamespaceSnapshot {
			dropContainers(d, s, []string{alias2})
			return s
		}, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, s := seedDocker(), seedNamespaces()
			if tt.change != nil {
				s = tt.change(d, s)
			}
			got := Unsettled(d, s)
			if len(got) != len(tt.want) {
				t.Errorf("unsettled %v, want %d", got, len(tt.want))
			}
			for id, word := range tt.want {
				if !strings.Contains(got[id], word) {
					t.Errorf("%s: %q, want it to say %q", id[:12], got[id], word)
				}
			}
		})
	}
	if Unsettled(nil, seedNamespaces()) != nil {
		t.Error("no engine, yet something to settle")
	}
}

func TestDropAndReplace(t *testing.T) {
	d, s := seedDocker(), seedNamespaces()
	web := "web0000000001" + strings.Repeat("a", 51)
	dropContainers(d, s, []string{web})
	if slices.ContainsFunc(d.Containers, func(c DockerContainer) bool { return c.ID == web }) || !slices.Contains(d.Vanished, "web") {
		t.Errorf("web still listed, or not noted as vanished: %v", d.Vanished)
	}
	if m := Build("vm", d, s, BuildOptions{}); !strings.Contains(strings.Join(m.Warnings, "\n"), "container web disappeared during discovery; skipped") {
		t.Errorf("no note for web: %q", m.Warnings)
	}

	d, s = seedDocker(), seedNamespaces()
	fresh := []NamespaceSnapshot{{Host: true, Inode: hostInode}, {Inode: 999, Containers: []string{web}, Links: s[1].Links}}
	s = replaceSnapshots(s, []string{web}, fresh)
	n := 0
	for _, snap := range s {
		if slices.Contains(snap.Containers, web) {
			n++
			if snap.Inode != 999 {
				t.Errorf("web still in the old snapshot %d", snap.Inode)
			}
		}
	}
	if n != 1 || !s[0].Host {
		t.Errorf("web in %d snapshots, host first: %v", n, s[0].Host)
	}
}
