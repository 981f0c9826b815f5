package discover

import (
	"slices"
	"strings"

	"github.com/google/nftables"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/nsrun"
)

// readChains lists the chains of the IPv4 filter table in netviz's own
// namespace whose names start with DOCKER: which ones the engine made says
// how it isolates its networks (DOCKER-ISOLATION-STAGE-1/2 up to 28, the
// DOCKER chain's per-bridge drops on 29), and dockerrules.NFTablesChains when the
// engine runs its nftables backend (table ip docker-bridges). Equivalent to `iptables -S | grep
// '^-N DOCKER'`, read over nf_tables netlink (Debian's iptables is
// iptables-nft). nil when the ruleset cannot be read (no privilege,
// iptables-legacy): the rules then name the release's chains. The ruleset
// is the one of the engine's network namespace (loc).
func readChains(loc Location) []string {
	var opts []nftables.ConnOption
	if loc.Engine() {
		ns, err := nsrun.Open(loc.NetNS())
		if err != nil {
			return nil
		}
		defer ns.Close()
		opts = append(opts, nftables.WithNetNSFd(ns.Fd()))
	}
	c, err := nftables.New(opts...)
	if err != nil {
		return nil
	}
	defer c.CloseLasting()
	chains, err := c.ListChainsOfTableFamily(nftables.TableFamilyIPv4)
	if err != nil {
		return nil
	}
	var out []string
	for _, ch := range chains {
		switch {
		case ch.Table == nil:
		case ch.Table.Name == "filter" && strings.HasPrefix(ch.Name, "DOCKER"):
			out = append(out, ch.Name)
		case ch.Table.Name == dockerrules.NFTablesTable && ch.Name == "filter-FORWARD":
			// Docker 28+'s nftables backend (firewall-backend nftables):
			// one table of its own, per-bridge chains.
			out = append(out, dockerrules.NFTablesChains)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
