package sim

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/scenario"
)

// simulateFile simulates a scenario file the way `netviz sim` does.
func simulateFile(t *testing.T, path string) *graph.Index {
	t.Helper()
	sc, err := scenario.ReadFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	e := New(Options{Hostname: "sim", EngineVersion: NewestEngineVersion})
	if err := e.Apply(sc); err != nil {
		t.Fatal(err)
	}
	return graph.NewIndex(e.Model())
}

// TestWriteResolve pins `netviz sim --resolve NAME --from C`, byte for byte
// what it printed before it moved here: every answer, sorted, how it is
// found (embedded DNS on a user network, /etc/hosts for --link), and
// NXDOMAIN where the name is out of the client's scope.
func TestWriteResolve(t *testing.T) {
	alias := simulateFile(t, "../scenario/testdata/seed-alias.sh")
	link := simulateFile(t, "../lab/labs/link-port.sh")
	tests := []struct {
		name       string
		x          *graph.Index
		what, from string
		asJSON     bool
		want       string
	}{
		{"round-robin alias", alias, "alicek106", "network_alias_ping", false, `network_alias_ping resolves alicek106 to 3 address(es); Docker rotates their order per query, so ping's first answer changes
  172.18.0.2      network_alias_container1  via Docker's DNS 127.0.0.11
  172.18.0.3      network_alias_container2  via Docker's DNS 127.0.0.11
  172.18.0.4      network_alias_container3  via Docker's DNS 127.0.0.11
`},
		{"container name", alias, "network_alias_container2", "network_alias_ping", false, `network_alias_ping resolves network_alias_container2 to 1 address(es)
  172.18.0.3      network_alias_container2  via Docker's DNS 127.0.0.11
`},
		{"round-robin alias as JSON", alias, "alicek106", "network_alias_ping", true, `{
  "answers": [
    {
      "addr": "172.18.0.2",
      "container": "network_alias_container1",
      "via": "embedded-dns"
    },
    {
      "addr": "172.18.0.3",
      "container": "network_alias_container2",
      "via": "embedded-dns"
    },
    {
      "addr": "172.18.0.4",
      "container": "network_alias_container3",
      "via": "embedded-dns"
    }
  ],
  "from": "network_alias_ping",
  "name": "alicek106"
}
`},
		{"--link alias", link, "mysql", "wordpress", false, `wordpress resolves mysql to 1 address(es)
  172.17.0.2      wordpressdb  via /etc/hosts (--link)
`},
		{"--link alias as JSON", link, "mysql", "wordpress", true, `{
  "answers": [
    {
      "addr": "172.17.0.2",
      "container": "wordpressdb",
      "via": "hosts"
    }
  ],
  "from": "wordpress",
  "name": "mysql"
}
`},
		{"out of scope", link, "alicek106", "wordpress", false, "wordpress would not resolve alicek106 (NXDOMAIN)\n"},
		{"out of scope as JSON", link, "alicek106", "wordpress", true, "{\n  \"answers\": null,\n  \"from\": \"wordpress\",\n  \"name\": \"alicek106\"\n}\n"},
		{"a name is echoed escaped", link, "a\x1b[2Jb", "wordpress", false, "wordpress would not resolve a\\x1b[2Jb (NXDOMAIN)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteResolve(&b, tt.x, tt.what, tt.from, tt.asJSON); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tt.want)
			}
		})
	}
	var b bytes.Buffer
	if err := WriteResolve(&b, link, "mysql", "nope\x1b[2J", false); err == nil || !strings.Contains(err.Error(), `no container "nope\x1b[2J" in the model`) || b.Len() != 0 {
		t.Errorf("unknown client: %v, output %q", err, b.String())
	}
}
