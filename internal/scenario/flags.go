package scenario

import (
	"io"

	"github.com/spf13/pflag"
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
}

// runFlags declares every flag `docker run` accepts (docker 28): the ones
// that shape networking are read, the rest are accepted and ignored.
func runFlags(spec *RunSpec) (fs *pflag.FlagSet, links, ports *[]string) {
	fs = newFlags("run")
	fs.SetInterspersed(false) // options stop at the image, as in docker
	fs.StringVar(&spec.Name, "name", "", "")
	fs.StringVar(&spec.Network, "network", "", "")
	fs.StringVar(&spec.Network, "net", "", "")
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
	fs.Bool("attachable", false, "")
	fs.Bool("ingress", false, "")
	fs.Bool("config-only", false, "")
	fs.Bool("ipv4", true, "")
	for _, v := range []string{"aux-address", "config-from", "ipam-driver", "ipam-opt", "scope"} {
		fs.StringArray(v, nil, "")
	}
	return fs
}

// connectFlags declares the flags of docker network connect (aliases, --ip
// and links fill cs and links) or disconnect (-f sets force).
func connectFlags(sub string, cs *ConnectSpec, links *[]string, force *bool) *pflag.FlagSet {
	fs := newFlags("network " + sub)
	if sub == "connect" {
		fs.StringArrayVar(&cs.Aliases, "alias", nil, "")
		fs.StringVar(&cs.IP, "ip", "", "")
		fs.StringArrayVar(links, "link", nil, "")
		for _, v := range []string{"ip6", "link-local-ip", "driver-opt", "gw-priority"} {
			fs.StringArray(v, nil, "")
		}
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
