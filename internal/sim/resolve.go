package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/textsafe"
)

// WriteResolve predicts what container from gets for name, as `netviz sim
// --resolve NAME --from C` prints it: every answer of the names in its
// scope (Docker rotates their order per query), as text or JSON. A from
// that is not in the model is an error naming it.
func WriteResolve(w io.Writer, x *graph.Index, name, from string, asJSON bool) error {
	c := x.Container(graph.NewContainerID(from))
	if c == nil {
		return fmt.Errorf("no container %s in the model", textsafe.Quote(from))
	}
	type answer struct {
		Addr      string `json:"addr"`
		Container string `json:"container"`
		Via       string `json:"via"`
	}
	var answers []answer
	edges, via := dockerrules.Resolve(x, c, name)
	for _, e := range edges {
		who := graph.ContainerID(e.To).Name()
		if sv := x.Service(graph.ServiceID(e.To)); sv != nil {
			who = "service " + sv.Name + " (VIP)" // rule dns.swarm-service
		}
		answers = append(answers, answer{Addr: e.Label, Container: who, Via: via})
	}
	sort.Slice(answers, func(i, j int) bool { return answers[i].Addr < answers[j].Addr })
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"name": name, "from": from, "answers": answers})
	}
	if len(answers) == 0 {
		fmt.Fprintf(w, "%s would not resolve %s (NXDOMAIN)\n", textsafe.Clean(from), textsafe.Clean(name))
		return nil
	}
	fmt.Fprintf(w, "%s resolves %s to %d address(es)", textsafe.Clean(from), textsafe.Clean(name), len(answers))
	if len(answers) > 1 {
		fmt.Fprint(w, "; Docker rotates their order per query, so ping's first answer changes")
	}
	fmt.Fprintln(w)
	for _, a := range answers {
		via := "Docker's DNS 127.0.0.11"
		if a.Via == graph.NameHosts {
			via = "/etc/hosts (--link)"
		}
		fmt.Fprintf(w, "  %-15s %s  via %s\n", a.Addr, textsafe.CleanN(a.Container, 0), via)
	}
	return nil
}
