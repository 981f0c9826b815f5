package scenario

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/netviz/netviz/internal/textsafe"
)

// The values of the networking flags: --link, -p and the pools of docker
// network create.

func parseLink(s string) (LinkSpec, error) {
	target, alias, ok := strings.Cut(s, ":")
	if !ok {
		alias = target
	}
	if target == "" || alias == "" {
		return LinkSpec{}, fmt.Errorf("invalid argument %s for \"--link\" flag: want NAME[:ALIAS]", textsafe.Quote(s))
	}
	return LinkSpec{Target: target, Alias: alias}, nil
}

// ParsePort reads -p [IP:][HOSTPORT:]CONTAINERPORT[/PROTO].
func ParsePort(s string) (PortSpec, error) {
	ps := PortSpec{Proto: "tcp"}
	body := s
	if i := strings.LastIndex(s, "/"); i >= 0 {
		body, ps.Proto = s[:i], strings.ToLower(s[i+1:])
		if ps.Proto != "tcp" && ps.Proto != "udp" && ps.Proto != "sctp" {
			return ps, fmt.Errorf("unknown protocol %s", textsafe.Quote(ps.Proto))
		}
	}
	var hostPort, ctrPort string
	if strings.HasPrefix(body, "[") { // [::1]:8080:80
		end := strings.Index(body, "]")
		if end < 0 {
			return ps, fmt.Errorf("unclosed [ in address")
		}
		ps.HostIP = body[1:end]
		body = strings.TrimPrefix(body[end+1:], ":")
	}
	parts := strings.Split(body, ":")
	switch {
	case len(parts) == 1:
		ctrPort = parts[0]
	case len(parts) == 2:
		hostPort, ctrPort = parts[0], parts[1]
	case len(parts) == 3 && ps.HostIP == "":
		ps.HostIP, hostPort, ctrPort = parts[0], parts[1], parts[2]
	default:
		return ps, fmt.Errorf("too many colons")
	}
	if ps.HostIP != "" {
		if _, err := netip.ParseAddr(ps.HostIP); err != nil {
			return ps, fmt.Errorf("%s is not an IP address", textsafe.Quote(ps.HostIP))
		}
	}
	n, err := strconv.Atoi(ctrPort)
	if err != nil || n < 1 || n > 65535 {
		return ps, fmt.Errorf("container port %s is not 1-65535", textsafe.Quote(ctrPort))
	}
	ps.ContainerPort = n
	if hostPort != "" {
		h, err := strconv.Atoi(hostPort)
		if err != nil || h < 1 || h > 65535 {
			return ps, fmt.Errorf("host port %s is not 1-65535", textsafe.Quote(hostPort))
		}
		ps.HostPort = h
	}
	return ps, nil
}

// errPoolCount refuses a second --subnet (or --ip-range, --gateway) of one
// address family.
var errPoolCount = errors.New("one --subnet, --ip-range and --gateway per address family (IPv4, IPv6) is supported")

// setPools sorts --subnet, --ip-range and --gateway by address family into
// n: at most one of each per family, each range and gateway with a subnet
// of its family (whether it lies inside is the daemon's check).
func (n *NetworkSpec) setPools(subnets, ranges, gateways []string) error {
	type pool struct{ subnet, ipRange, gateway *string }
	v4 := pool{&n.Subnet, &n.IPRange, &n.Gateway}
	v6 := pool{&n.IPv6Subnet, &n.IPv6Range, &n.IPv6Gateway}
	family := func(a netip.Addr) pool {
		if a.Is4() || a.Is4In6() {
			return v4
		}
		return v6
	}
	for _, s := range subnets {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return fmt.Errorf("invalid --subnet %s", textsafe.Quote(s))
		}
		f := family(p.Addr())
		if *f.subnet != "" {
			return errPoolCount
		}
		*f.subnet = s
	}
	for _, s := range ranges {
		p, err := netip.ParsePrefix(s)
		if err != nil || *family(p.Addr()).subnet == "" {
			return fmt.Errorf("invalid --ip-range %s (it needs a --subnet that holds it)", textsafe.Quote(s))
		}
		if f := family(p.Addr()); *f.ipRange != "" {
			return errPoolCount
		} else {
			*f.ipRange = s
		}
	}
	for _, s := range gateways {
		a, err := netip.ParseAddr(s)
		if err != nil || *family(a).subnet == "" {
			return fmt.Errorf("invalid --gateway %s (it needs a --subnet that holds it)", textsafe.Quote(s))
		}
		if f := family(a); *f.gateway != "" {
			return errPoolCount
		} else {
			*f.gateway = s
		}
	}
	return nil
}
