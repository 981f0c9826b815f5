package lab

import "github.com/vishvananda/netlink"

// addVeth creates an up veth pair in netviz's own namespace.
// Equivalent to: ip link add NAME type veth peer name PEER; ip link set … up.
func addVeth(name, peer string) error {
	la := netlink.NewLinkAttrs()
	la.Name = name
	if err := netlink.LinkAdd(&netlink.Veth{LinkAttrs: la, PeerName: peer}); err != nil {
		return err
	}
	for _, n := range []string{name, peer} {
		l, err := netlink.LinkByName(n)
		if err != nil {
			return err
		}
		if err := netlink.LinkSetUp(l); err != nil {
			return err
		}
	}
	return nil
}

// delVeth deletes a veth pair netviz created; absent is fine.
func delVeth(name string) {
	if l, err := netlink.LinkByName(name); err == nil {
		netlink.LinkDel(l)
	}
}
