package verify

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/sim"
)

func simulate(t *testing.T, script string) *graph.Model {
	t.Helper()
	sc, err := scenario.ParseShell(strings.NewReader(script), "s.sh")
	if err != nil {
		t.Fatal(err)
	}
	e := sim.New(sim.Options{})
	if err := e.Apply(sc); err != nil {
		t.Fatal(err)
	}
	return e.Model()
}

const script = `docker network create mybridge
docker network create --subnet 10.5.0.0/24 pinned
docker run -d --name c1 --net mybridge --net-alias alicek106 img
docker run -d --name c2 --net mybridge --net-alias alicek106 img
docker run -d --name p1 --net pinned img
`

func TestCompareAgreesWithItself(t *testing.T) {
	m := simulate(t, script)
	dns := LiveDNS{"c1": {"alicek106": {"c1", "c2"}, "c1": {"c1"}, "c2": {"c2"}}}
	r := Compare("s", m, m, dns, nil, CompareOptions{})
	if r.Agreed() != len(r.Checks) || r.Percent() != 100 || len(r.Checks) < 10 {
		t.Errorf("%d/%d", r.Agreed(), len(r.Checks))
	}
}

func TestCompareFindsDifferences(t *testing.T) {
	simModel := simulate(t, script)
	// The "live" engine: same scenario, but its pool handed mybridge another
	// /16 (not a difference), c2 got another position, p1 (pinned subnet) an
	// exact other address, and DNS missed c2.
	live := simulate(t, "docker network create skip\n"+script)
	for _, c := range live.Containers {
		switch c.Name {
		case "c2":
			c.Endpoints[0].IPv4 = netip.MustParsePrefix("172.19.0.9/16")
			c.Endpoints[0].MAC = "02:42:ac:13:00:09" // the engine's MAC follows its address
		case "p1":
			c.Endpoints[0].IPv4 = netip.MustParsePrefix("10.5.0.7/24")
			c.Endpoints[0].MAC = "02:42:0a:05:00:07"
		}
	}
	dns := LiveDNS{"c1": {"alicek106": {"c1"}, "c1": {"c1"}, "c2": {"c2"}}}
	r := Compare("s", simModel, live, dns, nil, CompareOptions{})
	var diffs []string
	for _, c := range r.Checks {
		if !c.OK {
			diffs = append(diffs, c.Kind+" "+c.What+": "+c.Sim+" / "+c.Live)
		}
	}
	want := []string{
		"address c2 on mybridge: host #3 of a default pool / host #9 of a default pool",
		"address p1 on pinned: exact 10.5.0.2 / exact 10.5.0.7",
		"dns c1 resolves alicek106: c1,c2 / c1",
	}
	if strings.Join(diffs, "\n") != strings.Join(want, "\n") {
		t.Errorf("differences:\n%s\nwant:\n%s", strings.Join(diffs, "\n"), strings.Join(want, "\n"))
	}
}
