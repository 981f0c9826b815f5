package scenario

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/netviz/netviz/internal/textsafe"
)

// The flag tables: every flag each docker command accepts, so a script
// docker would run parses and a flag docker would reject is an error. The
// flags that shape networking fill the specs; the rest are accepted and
// ignored.

// newFlags is an empty flag set that reports errors to its caller only.
func newFlags(name string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// readOnly are docker commands that change no network: accepted and ignored.
var readOnly = map[string]bool{
	"ps": true, "images": true, "inspect": true, "logs": true, "pull": true, "push": true,
	"exec": true, "attach": true, "top": true, "stats": true, "version": true, "info": true,
	"-v": true, "--version": true, "login": true, "logout": true, "search": true, "tag": true,
	"rmi": true, "build": true, "commit": true, "cp": true, "diff": true, "export": true,
	"history": true, "import": true, "load": true, "save": true, "port": true, "wait": true,
	"events": true, "kill": true, "pause": true, "unpause": true, "rename": true, "update": true,
	"volume": true, "image": true, "system": true, "compose": true, "help": true, "prune": true,
	"secret": true, "config": true,
}

// runFlags declares every flag `docker run` accepts (docker 28): the ones
// that shape networking are read, the rest are accepted and ignored.
func runFlags(spec *RunSpec) (fs *pflag.FlagSet, links, ports *[]string) {
	fs = newFlags("run")
	fs.SetInterspersed(false) // options stop at the image, as in docker
	fs.StringVar(&spec.Name, "name", "", "")
	nets := &networkOpt{spec: spec}
	fs.Var(nets, "network", "")
	fs.Var(nets, "net", "")
	fs.StringArrayVar(&spec.Aliases, "network-alias", nil, "")
	fs.StringArrayVar(&spec.Aliases, "net-alias", nil, "")
	links, ports = new([]string), new([]string)
	fs.StringArrayVar(links, "link", nil, "")
	fs.StringArrayVarP(ports, "publish", "p", nil, "")
	fs.BoolVarP(&spec.PublishAll, "publish-all", "P", false, "")
	fs.StringVar(&spec.IP, "ip", "", "")
	fs.StringVarP(&spec.Hostname, "hostname", "h", "", "")
	fs.StringVar(&spec.MAC, "mac-address", "", "")
	fs.StringArrayVar(&spec.DNS, "dns", nil, "")
	fs.BoolVarP(&spec.Detach, "detach", "d", false, "")
	fs.BoolVar(&spec.Remove, "rm", false, "")
	fs.StringArrayVarP(&spec.Labels, "label", "l", nil, "")
	bools := map[string]string{"interactive": "i", "tty": "t", "privileged": "", "init": "", "read-only": "",
		"no-healthcheck": "", "oom-kill-disable": "", "sig-proxy": "", "disable-content-trust": "", "quiet": "q",
		"use-api-socket": "", "help": ""}
	for name, short := range bools {
		fs.BoolP(name, short, false, "")
	}
	values := map[string]string{"add-host": "", "annotation": "", "attach": "a", "blkio-weight": "",
		"blkio-weight-device": "", "cap-add": "", "cap-drop": "", "cgroup-parent": "", "cgroupns": "",
		"cidfile": "", "cpu-count": "", "cpu-percent": "", "cpu-period": "", "cpu-quota": "",
		"cpu-rt-period": "", "cpu-rt-runtime": "", "cpu-shares": "c", "cpus": "", "cpuset-cpus": "",
		"cpuset-mems": "", "detach-keys": "", "device": "", "device-cgroup-rule": "", "device-read-bps": "",
		"device-read-iops": "", "device-write-bps": "", "device-write-iops": "", "dns-option": "",
		"dns-opt": "", "dns-search": "", "domainname": "", "entrypoint": "", "env": "e", "env-file": "",
		"expose": "", "gpus": "", "group-add": "", "health-cmd": "", "health-interval": "",
		"health-retries": "", "health-start-interval": "", "health-start-period": "", "health-timeout": "",
		"io-maxbandwidth": "", "io-maxiops": "", "ip6": "", "ipc": "", "isolation": "", "kernel-memory": "",
		"label-file": "", "link-local-ip": "", "log-driver": "", "log-opt": "", "memory": "m",
		"memory-reservation": "", "memory-swap": "", "memory-swappiness": "", "mount": "",
		"oom-score-adj": "", "pid": "", "pids-limit": "", "platform": "", "pull": "", "restart": "",
		"runtime": "", "security-opt": "", "shm-size": "", "stop-signal": "", "stop-timeout": "",
		"storage-opt": "", "sysctl": "", "tmpfs": "", "ulimit": "", "user": "u", "userns": "", "uts": "",
		"volume": "v", "volume-driver": "", "volumes-from": "", "workdir": "w"}
	for name, short := range values {
		fs.VarP(ignored{}, name, short, "")
	}
	return fs, links, ports
}

// ignored is a flag value docker accepts and the network does not care
// about. (pflag's own StringArray formats its default through a CSV writer:
// 4 KB a flag, 400 KB a command.)
type ignored struct{}

func (ignored) String() string   { return "" }
func (ignored) Set(string) error { return nil }
func (ignored) Type() string     { return "string" }

// lifecycleFlags declares the flags of docker start, stop, restart and rm;
// rm -f sets force.
func lifecycleFlags(sub string, force *bool) *pflag.FlagSet {
	fs := newFlags(sub)
	switch sub {
	case "rm":
		fs.BoolVarP(force, "force", "f", false, "")
		fs.BoolP("link", "l", false, "")
		fs.BoolP("volumes", "v", false, "")
	case "start":
		fs.BoolP("attach", "a", false, "")
		fs.BoolP("interactive", "i", false, "")
		fs.String("detach-keys", "", "")
		fs.String("checkpoint", "", "")
		fs.String("checkpoint-dir", "", "")
	case "stop", "restart":
		fs.StringP("time", "t", "", "")
		fs.StringP("signal", "s", "", "")
	}
	return fs
}

// networkCreateFlags declares the flags of docker network create: driver,
// internal, ipv6 and labels fill n; the pools and -o options are collected
// for the parser to sort.
func networkCreateFlags(n *NetworkSpec, subnets, ranges, gateways, opts *[]string) *pflag.FlagSet {
	fs := newFlags("network create")
	fs.StringVarP(&n.Driver, "driver", "d", "bridge", "")
	fs.StringArrayVar(subnets, "subnet", nil, "")
	fs.StringArrayVar(ranges, "ip-range", nil, "")
	fs.StringArrayVar(gateways, "gateway", nil, "")
	fs.BoolVar(&n.Internal, "internal", false, "")
	fs.BoolVar(&n.IPv6, "ipv6", false, "")
	fs.StringArrayVarP(opts, "opt", "o", nil, "")
	fs.StringArrayVar(&n.Labels, "label", nil, "")
	fs.BoolVar(&n.Attachable, "attachable", false, "")
	fs.Bool("ingress", false, "")
	fs.Bool("config-only", false, "")
	fs.Var(&optionalBool{p: &n.IPv4}, "ipv4", "")
	fs.Lookup("ipv4").NoOptDefVal = "true"
	for _, v := range []string{"aux-address", "config-from", "ipam-driver", "ipam-opt", "scope"} {
		fs.StringArray(v, nil, "")
	}
	return fs
}

// connectFlags declares the flags of docker network connect (aliases, --ip
// and links fill cs and links) or disconnect (-f sets force).
func connectFlags(sub string, cs *ConnectSpec, links, driverOpts *[]string, force *bool) *pflag.FlagSet {
	fs := newFlags("network " + sub)
	if sub == "connect" {
		fs.StringArrayVar(&cs.Aliases, "alias", nil, "")
		fs.StringVar(&cs.IP, "ip", "", "")
		fs.StringArrayVar(links, "link", nil, "")
		for _, v := range []string{"ip6", "link-local-ip"} {
			fs.StringArray(v, nil, "")
		}
		// Docker 28's endpoint options (rules opt.endpoint-ifname and
		// opt.gw-priority): docker splits --driver-opt at commas.
		fs.StringSliceVar(driverOpts, "driver-opt", nil, "")
		fs.Var(&gwPriority{e: &cs.Endpoint}, "gw-priority", "")
	} else {
		fs.BoolVarP(force, "force", "f", false, "")
	}
	return fs
}

// networkRmFlags declares the flags of docker network rm (and remove).
func networkRmFlags(sub string) *pflag.FlagSet {
	fs := newFlags("network " + sub)
	fs.BoolP("force", "f", false, "")
	return fs
}

// optionalBool is a boolean flag that remembers whether it was given:
// --ipv4, --ipv4=false.
type optionalBool struct{ p **bool }

func (b *optionalBool) String() string {
	if b.p == nil || *b.p == nil {
		return ""
	}
	return strconv.FormatBool(**b.p)
}

func (b *optionalBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	*b.p = &v
	return nil
}

func (b *optionalBool) Type() string { return "bool" }

// gwPriority is --gw-priority N: an integer, remembered as given.
type gwPriority struct{ e *EndpointOpts }

func (g *gwPriority) String() string { return "" }

func (g *gwPriority) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("invalid gw-priority (%s): not an integer", textsafe.Quote(s))
	}
	g.e.GwPriority, g.e.GwPrioritySet = n, true
	return nil
}

func (g *gwPriority) Type() string { return "int" }

// networkOpt is docker run's --network (and --net), in both of docker's
// syntaxes: a network's name, or since Docker 28 the long form
// name=NET,alias=A,ip=IP,driver-opt=K=V,gw-priority=N (docker/cli
// opts/network.go NetworkOpt, mirrored: a value that holds a key=value pair
// is the long form, read as CSV, and docker lowercases its fields). Only one
// network is modelled: engines since 25 connect a container to every
// --network given, 20.10 refuses a second.
type networkOpt struct {
	spec *RunSpec
	n    int
}

func (o *networkOpt) String() string { return "" }

func (o *networkOpt) Type() string { return "network" }

// longSyntax is docker's test for the long form (an unanchored match).
var longSyntax = regexp.MustCompile(`\w+=\w+(,\w+=\w+)*`)

func (o *networkOpt) Set(value string) error {
	if o.n++; o.n > 1 {
		return errors.New("a second --network is not modelled yet (engines since 25 connect the container to each, 20.10 refuses it): use docker network connect")
	}
	if !longSyntax.MatchString(value) {
		o.spec.Network = value
		return nil
	}
	fields, err := csv.NewReader(strings.NewReader(value)).Read()
	if err != nil {
		return err
	}
	for _, field := range fields {
		// docker/cli: "these options should not be case-insensitive".
		key, val, ok := strings.Cut(strings.ToLower(field), "=")
		if !ok || key == "" {
			return fmt.Errorf("invalid field %s", textsafe.Quote(field))
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch key {
		case "name":
			o.spec.Network = val
		case "alias":
			o.spec.Aliases = append(o.spec.Aliases, val)
		case "ip":
			if _, err := netip.ParseAddr(val); err != nil {
				return fmt.Errorf("ip %s is not an IP address", textsafe.Quote(val))
			}
			o.spec.IP = val
		case "ip6", "link-local-ip":
			if _, err := netip.ParseAddr(val); err != nil {
				return fmt.Errorf("%s %s is not an IP address", key, textsafe.Quote(val))
			}
		case "mac-address":
			o.spec.MAC = val
		case "driver-opt":
			k, v, ok := strings.Cut(val, "=")
			if k = strings.TrimSpace(k); !ok || k == "" {
				return errors.New("invalid key value pair format in driver options")
			}
			if o.spec.Endpoint.DriverOpts == nil {
				o.spec.Endpoint.DriverOpts = map[string]string{}
			}
			o.spec.Endpoint.DriverOpts[k] = strings.TrimSpace(v)
		case "gw-priority":
			if err := (&gwPriority{e: &o.spec.Endpoint}).Set(val); err != nil {
				return err
			}
		default:
			return fmt.Errorf("invalid field key %s", textsafe.Clean(key))
		}
	}
	if o.spec.Network == "" {
		return errors.New("network name/id is not specified")
	}
	return nil
}
