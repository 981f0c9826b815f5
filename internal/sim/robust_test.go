package sim

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/render"
	"github.com/netviz/netviz/internal/scenario"
)

// edgeScripts are scenarios the parser accepts that once crashed the engine
// or sit on its boundaries (IPv6, tiny and huge subnets, the ends of the
// address space).
var edgeScripts = []string{
	"docker network create --ipv6 --subnet fd00:1::/64 v6net\ndocker run -d --name aa --net v6net img",
	"docker network create --subnet fd00:1::/64 v6net\ndocker run -d --name aa --net v6net img",
	"docker network create --ipv6 n\ndocker run -d --net n img",
	"docker network create --ipv6 --subnet fd00::/127 n\ndocker run -d --net n img\ndocker run -d --net n img",
	"docker network create --ipv6 --subnet ::/0 n\ndocker run -d --net n img",
	"docker network create --ipv6 --subnet ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128 n\ndocker run -d --net n img",
	"docker network create --subnet 255.255.255.255/32 n\ndocker run -d --net n img",
	"docker network create --subnet 0.0.0.0/0 n",
	"docker network create --subnet 10.0.0.0/8 --ip-range 10.0.0.0/32 n\ndocker run -d --net n img",
	"docker network create --ipv6 --subnet fd00:1::/64 --ip-range fd00:1::/126 --gateway fd00:1::3 n\ndocker run -d --net n img\ndocker run -d --net n img",
	"docker network create --ipv6 --subnet fd00:1::/64 a\ndocker network create --ipv6 --subnet fd00:1::/80 b",
	"docker network create -d macvlan --ipv6 --subnet fd00:9::/64 -o parent=eth0 mv\ndocker run -d --net mv img",
	"docker network create --ipv6 --subnet 10.5.0.0/16 --subnet fd00:5::/64 d\ndocker run -d --name aa img\ndocker network connect --ip 10.5.0.9 d aa\ndocker network connect --ip fd00:5::9 d aa",
	"docker network create --ipv6 --subnet fd00:1::/64 n\ndocker run -d --name aa --net n img\ndocker network disconnect n aa\ndocker network connect n aa\ndocker restart aa",
	"docker run -d --name aa img\ndocker run -d --name bb --net container:aa img\ndocker rm -f aa",
	"docker run -d --name aa img\ndocker run -d --name bb --net container:aa img\ndocker stop aa\ndocker start bb",
	"docker network create --subnet 10.9.0.0/29 tiny\n" + strings.Repeat("docker run -d --net tiny img\n", 8),
	// Docker 28's options, the ones refused and the ones simulated.
	"docker network create n\ndocker run -d --name aa --network name=n,driver-opt=com.docker.network.endpoint.ifname=eth0 img\ndocker network connect n2 aa",
	"docker network create n\ndocker network create m\ndocker run -d --name aa --network name=n,driver-opt=com.docker.network.endpoint.ifname=eth1 img\ndocker network connect m aa\ndocker restart aa",
	"docker network create n\ndocker network create m\ndocker create --name aa --network name=n,driver-opt=com.docker.network.endpoint.ifname=eth0 img\ndocker network connect m aa\ndocker start aa",
	"docker network create -d macvlan --subnet 10.1.0.0/30 -o parent=eth0 mv\ndocker run -d --net mv img\ndocker run -d --net mv img\ndocker run -d --net mv img",
	"docker network create -d macvlan --ipv6 --subnet 10.2.0.0/24 --subnet fd00:9::/127 -o parent=eth0 mv\ndocker run -d --net mv img\ndocker run -d --net mv img",
	"docker network create --internal --ipv6 --subnet fd00:4::/64 i\ndocker run -d --name aa --net i img\ndocker network connect bridge aa\ndocker restart aa",
	"docker network create --ipv4 -o com.docker.network.bridge.gateway_mode_ipv4=nat-unprotected -o com.docker.network.bridge.trusted_host_interfaces=eth0 n\ndocker network connect --gw-priority 0 n x",
	"docker network create n1\ndocker network rm n1\n" + strings.Repeat("docker network create --internal n\ndocker network rm n\n", 40),
	// Swarm mode: tiny and odd pools, hosts by the dozen, pending tasks,
	// scale to zero and back, a node that leaves and joins again.
	"docker swarm init --default-addr-pool 10.9.0.0/30 --default-addr-pool-mask-length 30\ndocker network create -d overlay a\ndocker network create -d overlay b",
	"docker swarm init --default-addr-pool 0.0.0.0/0 --default-addr-pool-mask-length 32\ndocker network create -d overlay a\ndocker service create --network a img",
	"docker swarm init\ndocker network create -d overlay --subnet 10.5.0.0/30 t\ndocker service create --replicas 5 --network t img",
	"docker swarm init\ndocker -H n2 swarm join x\ndocker -H n3 swarm join x\ndocker -H n4 swarm join x\ndocker service create --mode global img\ndocker -H n4 run -d --name cc img",
	"docker swarm init\ndocker -H n2 swarm join --availability drain x\ndocker service create --replicas 3 --constraint node.role==worker img\ndocker -H n3 swarm join x",
	"docker swarm init\ndocker network create -d overlay --attachable o\ndocker service create --name w --replicas 2 --network o img\ndocker service scale w=0 w=3\ndocker run -d --name cc --network o img\ndocker stop cc\ndocker start cc\ndocker network disconnect o cc\ndocker network connect o cc",
	"docker swarm init\ndocker -H n2 swarm join x\ndocker -H n2 swarm leave\ndocker -H n2 swarm join x\ndocker network create -d overlay o\ndocker service create --mode global --network o -p 80:80 img",
	"docker swarm init --advertise-addr 10.0.0.1\ndocker network create -d overlay --internal --attachable o\ndocker run -d --network o img",
}

// TestNoScenarioPanicsTheSimulator runs every scenario the parser accepts
// from the parser's fuzz corpus, the seed and golden scripts and edgeScripts
// through the engine, the model's validation and the text, JSON and DOT
// renderers: none may panic, a refusal names its position, and whatever
// state the engine reached is a valid model.
func TestNoScenarioPanicsTheSimulator(t *testing.T) {
	for i, src := range corpus(t) {
		t.Run(strconv.Itoa(i), func(t *testing.T) { simulate(t, src) })
	}
}

// FuzzSimulate is TestNoScenarioPanicsTheSimulator under the fuzzer:
// go test ./internal/sim -fuzz FuzzSimulate.
func FuzzSimulate(f *testing.F) {
	for _, src := range corpus(f) {
		f.Add(src)
	}
	f.Fuzz(simulate)
}

func simulate(t *testing.T, src string) {
	sc, err := scenario.ParseShell(strings.NewReader(src), "f.sh")
	if err != nil {
		return // the parser's refusal: FuzzParseShell's business
	}
	// Every release a boundary separates: their engines take other paths.
	for _, v := range goldenVersions {
		e := New(Options{EngineVersion: v})
		if err := e.Apply(sc); err != nil && !strings.HasPrefix(err.Error(), "f.sh:") {
			t.Fatalf("Docker %s: refusal without a position: %v\n%s", v, err, src)
		}
		// Every host of the scenario, and the cluster they make.
		c := e.Cluster()
		for _, m := range c.Hosts {
			if err := graph.Validate(m); err != nil {
				t.Fatalf("Docker %s: %s: invalid model: %v\n%s", v, graph.NodeName(m), err, src)
			}
			var b bytes.Buffer
			for name, r := range map[string]func() error{
				"text": func() error { return render.Text(&b, m) },
				"json": func() error { return graph.WriteJSON(&b, m) },
				"dot":  func() error { return render.DOT(&b, m) },
			} {
				if err := r(); err != nil {
					t.Fatalf("Docker %s: %s: %s: %v\n%s", v, graph.NodeName(m), name, err, src)
				}
			}
		}
		var b bytes.Buffer
		if err := graph.WriteClusterJSON(&b, c); err != nil {
			t.Fatalf("Docker %s: cluster JSON: %v\n%s", v, err, src)
		}
		if _, err := graph.ReadClusterJSON(&b); err != nil {
			t.Fatalf("Docker %s: the cluster does not read back: %v\n%s", v, err, src)
		}
		if err := graph.Validate(graph.Flatten(c)); err != nil && len(c.Hosts) > 1 {
			t.Fatalf("Docker %s: the flattened cluster: %v\n%s", v, err, src)
		}
	}
}

// corpus gathers the scripts: the parser's saved fuzz inputs (go test fuzz
// v1 files), its seed scripts, this package's golden scripts, edgeScripts.
func corpus(t testing.TB) []string {
	out := append([]string(nil), edgeScripts...)
	for _, glob := range []string{"testdata/*.sh", "testdata/swarm/*.sh", "../scenario/testdata/*.sh"} {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, string(data))
		}
	}
	saved, _ := filepath.Glob("../scenario/testdata/fuzz/FuzzParseShell/*")
	if len(saved) == 0 {
		t.Fatal("no saved fuzz inputs in ../scenario/testdata/fuzz/FuzzParseShell")
	}
	for _, f := range saved {
		src, err := readFuzzInput(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, src)
	}
	return out
}

// readFuzzInput reads a one-string input saved by the fuzzer.
func readFuzzInput(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	lines := strings.SplitN(strings.TrimSpace(string(data)), "\n", 2)
	if len(lines) != 2 || lines[0] != "go test fuzz v1" {
		return "", fmt.Errorf("%s: not a go test fuzz v1 file", path)
	}
	arg, ok := strings.CutPrefix(strings.TrimSpace(lines[1]), "string(")
	arg, ok2 := strings.CutSuffix(arg, ")")
	if !ok || !ok2 {
		return "", fmt.Errorf("%s: not one string argument", path)
	}
	return strconv.Unquote(arg)
}
