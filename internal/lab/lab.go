// Package lab holds the built-in scenarios of the seed curriculum and applies
// scenarios to a real Docker engine: every network and container it creates
// carries the label io.netviz.owner=<owner>, images that are not present are
// replaced by netviz's own lab image (no registry needed), a macvlan parent is
// a veth the lab creates, and Down removes exactly what carries the label.
package lab

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/netviz/netviz/internal/scenario"
)

//go:embed labs/*.sh
var labFS embed.FS

// Lab is one built-in scenario.
type Lab struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	// About explains what the lab shows, in the curriculum's words.
	About  string `json:"about"`
	Script string `json:"script"`
	// Swarm says the lab names several engines and a swarm of them: it
	// is built with one --host per node (a swarm that exists already,
	// such as the test bed .ci/swarm makes).
	Swarm bool `json:"swarm,omitempty"`
}

// List returns the built-in labs, sorted by name.
func List() []Lab {
	entries, _ := fs.ReadDir(labFS, "labs")
	var out []Lab
	for _, e := range entries {
		data, err := labFS.ReadFile(path.Join("labs", e.Name()))
		if err != nil {
			continue
		}
		l := Lab{Name: strings.TrimSuffix(e.Name(), ".sh"), Script: string(data)}
		sc := bufio.NewScanner(strings.NewReader(l.Script))
		first := true
		var about []string
		for sc.Scan() {
			line := sc.Text()
			if !strings.HasPrefix(line, "#") {
				break
			}
			text := strings.TrimSpace(strings.TrimPrefix(line, "#"))
			if first {
				_, l.Title, _ = strings.Cut(text, ": ")
				first = false
				continue
			}
			about = append(about, text)
		}
		l.About = strings.Join(about, " ")
		if sc, err := l.Scenario(); err == nil {
			l.Swarm = sc.UsesSwarm()
		}
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Get returns the named lab.
func Get(name string) (Lab, error) {
	var names []string
	for _, l := range List() {
		if l.Name == name {
			return l, nil
		}
		names = append(names, l.Name)
	}
	return Lab{}, fmt.Errorf("no lab named %q; labs: %s", name, strings.Join(names, ", "))
}

// Scenario parses the lab's script.
func (l Lab) Scenario() (*scenario.Scenario, error) {
	return scenario.ParseShell(strings.NewReader(l.Script), "lab:"+l.Name)
}

// OwnerLabel is the label every resource netviz creates carries.
const OwnerLabel = "io.netviz.owner"

// Owner is the label value of a lab's resources.
func Owner(name string) string { return "lab:" + name }
