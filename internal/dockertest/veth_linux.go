package dockertest

import (
	"github.com/vishvananda/netlink"
)

// Veth creates an up veth pair name/peer in the test's own (host) namespace,
// for use as a macvlan parent: never the machine's uplink. It is deleted when
// the test ends. Names must fit IFNAMSIZ (15 bytes).
func (e *Env) Veth(name, peer string) {
	e.T.Helper()
	la := netlink.NewLinkAttrs()
	la.Name = name
	veth := &netlink.Veth{LinkAttrs: la, PeerName: peer}
	if err := netlink.LinkAdd(veth); err != nil {
		e.T.Fatalf("add veth %s: %v", name, err)
	}
	e.T.Cleanup(func() {
		if l, err := netlink.LinkByName(name); err == nil {
			if err := netlink.LinkDel(l); err != nil {
				e.T.Errorf("delete veth %s: %v", name, err)
			}
		}
	})
	for _, n := range []string{name, peer} {
		l, err := netlink.LinkByName(n)
		if err != nil {
			e.T.Fatalf("find veth %s: %v", n, err)
		}
		if err := netlink.LinkSetUp(l); err != nil {
			e.T.Fatalf("set %s up: %v", n, err)
		}
	}
}
