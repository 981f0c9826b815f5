package scenario

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"

	"github.com/netviz/netviz/internal/textsafe"
)

// ParseShell reads a shell script of docker commands, exactly as people
// write them: comments, backslash continuations, quotes, `sudo docker …`,
// `docker container run …`, and `$(docker ps -a -q)` bulk forms. Anything
// that is not a docker command, an unknown docker command, or a flag docker
// would reject is an *Error at file:line:col.
func ParseShell(r io.Reader, file string) (*Scenario, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	f, err := syntax.NewParser(syntax.KeepComments(false)).Parse(bytes.NewReader(src), file)
	if err != nil {
		if pe, ok := err.(syntax.ParseError); ok {
			return nil, &Error{Pos{file, int(pe.Pos.Line()), int(pe.Pos.Col())}, pe.Text}
		}
		return nil, &Error{Pos{file, 1, 1}, err.Error()}
	}
	sc := &Scenario{File: file}
	st := &shellState{}
	for _, stmt := range f.Stmts {
		if err := walkStmt(sc, st, src, stmt); err != nil {
			return nil, err
		}
	}
	return sc, nil
}

func posOf(file string, p syntax.Pos) Pos { return Pos{file, int(p.Line()), int(p.Col())} }

// shellState is what one line of a script leaves for the next: the node
// `docker context use NODE` made current.
type shellState struct {
	node string
}

// walkStmt accepts plain commands and `a && b`/`a; b` lists of them. A panic
// inside the shell library becomes an error at the statement, never a crash.
func walkStmt(sc *Scenario, st *shellState, src []byte, stmt *syntax.Stmt) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &Error{posOf(sc.File, stmt.Pos()), fmt.Sprintf("cannot read this command (%v)", r)}
		}
	}()
	switch cmd := stmt.Cmd.(type) {
	case *syntax.CallExpr:
		c, err := parseCall(sc.File, st, src, cmd)
		if err != nil {
			return err
		}
		if c != nil {
			sc.Commands = append(sc.Commands, *c)
		}
		return nil
	case *syntax.BinaryCmd:
		switch cmd.Op {
		case syntax.AndStmt, syntax.OrStmt:
			if err := walkStmt(sc, st, src, cmd.X); err != nil {
				return err
			}
			return walkStmt(sc, st, src, cmd.Y)
		case syntax.Pipe, syntax.PipeAll:
			// `docker inspect x | grep Id`: the docker command is what counts;
			// what filters its output changes no network.
			return walkStmt(sc, st, src, cmd.X)
		}
	case nil:
		return nil
	}
	return &Error{posOf(sc.File, stmt.Pos()), "only docker commands are allowed in a scenario"}
}

// bulkSubst expands $(docker ps -a -q)-style substitutions to placeholders
// and refuses any other command substitution.
func bulkSubst(file string) func(io.Writer, *syntax.CmdSubst) error {
	return func(w io.Writer, cs *syntax.CmdSubst) error {
		var words []string
		if len(cs.Stmts) == 1 {
			if call, ok := cs.Stmts[0].Cmd.(*syntax.CallExpr); ok {
				for _, a := range call.Args {
					words = append(words, a.Lit())
				}
			}
		}
		line := strings.Join(words, " ")
		for _, w := range []string{"sudo ", "container "} {
			line = strings.Replace(line, w, "", 1)
		}
		switch line {
		case "docker ps -a -q", "docker ps -aq", "docker ps -qa", "docker ps -q -a", "docker ls -a -q", "docker ls -aq":
			_, err := io.WriteString(w, AllContainers)
			return err
		case "docker ps -q":
			_, err := io.WriteString(w, RunningContainers)
			return err
		case "docker swarm join-token -q worker", "docker swarm join-token worker -q":
			_, err := io.WriteString(w, WorkerToken)
			return err
		case "docker swarm join-token -q manager", "docker swarm join-token manager -q":
			_, err := io.WriteString(w, ManagerToken)
			return err
		}
		return &Error{posOf(file, cs.Pos()), "only $(docker ps -q), $(docker ps -a -q) and $(docker swarm join-token -q worker|manager) substitutions are understood"}
	}
}

// parseCall turns one command line into a Command (nil for an empty line).
func parseCall(file string, st *shellState, src []byte, call *syntax.CallExpr) (*Command, error) {
	if len(call.Assigns) > 0 && len(call.Args) == 0 {
		return nil, &Error{posOf(file, call.Pos()), "variable assignments are not supported in a scenario"}
	}
	cfg := &expand.Config{
		CmdSubst: bulkSubst(file),
		// Without this hook the expander calls a nil function (found by
		// FuzzParseShell with ">()").
		ProcSubst: func(ps *syntax.ProcSubst) (string, error) {
			return "", &Error{posOf(file, ps.Pos()), "process substitution is not supported in a scenario"}
		},
		Env: expand.ListEnviron(),
	}
	// DOCKER_HOST=… and DOCKER_CONTEXT=… before the command name its
	// node; other assignments change nothing the simulator sees.
	env := map[string]string{}
	envAt := map[string]Pos{}
	for _, as := range call.Assigns {
		if as.Name == nil || (as.Name.Value != "DOCKER_HOST" && as.Name.Value != "DOCKER_CONTEXT") {
			continue
		}
		v := ""
		if as.Value != nil {
			lit, err := expand.Literal(cfg, as.Value)
			if err != nil {
				if se, ok := err.(*Error); ok {
					return nil, se
				}
				return nil, &Error{posOf(file, as.Pos()), err.Error()}
			}
			v = lit
		}
		env[as.Name.Value], envAt[as.Name.Value] = v, posOf(file, as.Pos())
	}
	var words []string
	var pos []Pos
	for _, w := range call.Args {
		fields, err := expand.Fields(cfg, w)
		if err != nil {
			if se, ok := err.(*Error); ok {
				return nil, se
			}
			return nil, &Error{posOf(file, w.Pos()), err.Error()}
		}
		for _, f := range fields {
			// A placeholder may arrive glued to nothing: split it out.
			words = append(words, f)
			pos = append(pos, posOf(file, w.Pos()))
		}
	}
	if len(words) == 0 {
		return nil, nil
	}
	text := shortText(string(src[call.Pos().Offset():call.End().Offset()]))
	start := posOf(file, call.Pos())
	i := 0
	if words[i] == "sudo" {
		i++
		for i < len(words) && strings.HasPrefix(words[i], "-") {
			i++ // sudo -E, sudo -n
		}
		// sudo DOCKER_HOST=… docker: sudo sets the variable.
		for i < len(words) {
			k, v, ok := strings.Cut(words[i], "=")
			if !ok || (k != "DOCKER_HOST" && k != "DOCKER_CONTEXT") {
				break
			}
			env[k], envAt[k] = v, pos[i]
			i++
		}
	}
	if i >= len(words) || words[i] != "docker" {
		at := start
		if i < len(pos) {
			at = pos[i]
		}
		name := "(nothing)"
		if i < len(words) {
			name = words[i]
		}
		return nil, &Error{at, fmt.Sprintf("%s: not a docker command (a scenario holds docker commands only)", textsafe.Clean(name))}
	}
	i++
	p := &parser{file: file, words: words[i:], pos: pos[i:], start: start, text: text, state: st}
	node, named, err := p.globalOptions()
	if err != nil {
		return nil, err
	}
	// The docker CLI's order: --context, -H, DOCKER_HOST, DOCKER_CONTEXT,
	// then the context `docker context use` made current.
	if !named {
		node = st.node
		if h, ok := env["DOCKER_HOST"]; ok && h != "" {
			if node, err = NodeName(h); err != nil {
				return nil, &Error{envAt["DOCKER_HOST"], "DOCKER_HOST: " + err.Error()}
			}
		} else if ctx, ok := env["DOCKER_CONTEXT"]; ok && ctx != "" {
			if node, err = contextNode(ctx); err != nil {
				return nil, &Error{envAt["DOCKER_CONTEXT"], "DOCKER_CONTEXT: " + err.Error()}
			}
		}
	}
	c, err := p.command()
	if c != nil && c.Verb != VerbNoop {
		c.Node = node
	}
	return c, err
}

type parser struct {
	file  string
	words []string
	pos   []Pos
	start Pos
	text  string
	state *shellState
}

func (p *parser) errAt(i int, format string, args ...any) error {
	at := p.start
	if i >= 0 && i < len(p.pos) {
		at = p.pos[i]
	}
	return &Error{at, fmt.Sprintf(format, args...)}
}

// flagErr places a pflag error on the word that caused it.
func (p *parser) flagErr(prefix string, args []string, offset int, err error) error {
	msg := err.Error()
	// pflag quotes the word it refuses raw (unknown flag: --…): escaped
	// and cut here, like every echo of the script.
	safe := textsafe.CleanN(msg, 300)
	for i, a := range args {
		name := strings.SplitN(strings.TrimLeft(a, "-"), "=", 2)[0]
		if strings.HasPrefix(a, "-") && name != "" && strings.Contains(msg, name) {
			return p.errAt(offset+i, "%s: %s", prefix, safe)
		}
	}
	return p.errAt(offset, "%s: %s", prefix, safe)
}

func (p *parser) command() (*Command, error) {
	if len(p.words) == 0 {
		return nil, p.errAt(-1, "docker: a command is missing")
	}
	sub, rest, off := p.words[0], p.words[1:], 1
	if sub == "container" && len(rest) > 0 {
		sub, rest, off = rest[0], rest[1:], 2
		if sub == "prune" || sub == "ls" {
			return p.noop(), nil
		}
	}
	c := &Command{Pos: p.start, Text: p.text}
	switch sub {
	case "run", "create":
		spec, err := p.runSpec(sub, rest, off)
		if err != nil {
			return nil, err
		}
		c.Verb, c.Run = sub, spec
	case "start", "stop", "restart", "rm":
		targets, force, err := p.lifecycle(sub, rest, off)
		if err != nil {
			return nil, err
		}
		c.Verb, c.Targets, c.Force = sub, targets, force
	case "network":
		return p.network(c, rest, off)
	case "swarm":
		return p.swarm(c, rest, off)
	case "service":
		return p.service(c, rest, off)
	case "context":
		return p.context(rest, off)
	case "node", "stack":
		if len(rest) > 0 && (rest[0] == "ls" || rest[0] == "list" || rest[0] == "ps" || rest[0] == "inspect" || rest[0] == "services") {
			return p.noop(), nil
		}
		return nil, p.errAt(0, "docker %s: only ls, ps and inspect are understood (the rest is not modelled yet)", sub)
	default:
		if readOnly[sub] {
			return p.noop(), nil
		}
		return nil, p.errAt(0, "docker: '%s' is not a docker command", textsafe.Clean(sub))
	}
	return c, nil
}

func (p *parser) noop() *Command {
	return &Command{Pos: p.start, Text: p.text, Verb: VerbNoop}
}

func (p *parser) runSpec(sub string, args []string, off int) (*RunSpec, error) {
	spec := &RunSpec{}
	fs, links, ports := runFlags(spec)
	if err := fs.Parse(args); err != nil {
		return nil, p.flagErr("docker "+sub, args, off, err)
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return nil, p.errAt(off-1, "docker %s: requires at least 1 argument (the image)", sub)
	}
	spec.Image, spec.Command = rest[0], rest[1:]
	if strings.HasPrefix(spec.Network, "container:") && strings.TrimPrefix(spec.Network, "container:") == "" {
		return nil, p.errAt(off, "docker %s: --net container: needs a container name", sub)
	}
	for _, l := range *links {
		ls, err := parseLink(l)
		if err != nil {
			return nil, p.flagErr("docker "+sub, args, off, err)
		}
		spec.Links = append(spec.Links, ls)
	}
	for _, raw := range *ports {
		ps, err := ParsePort(raw)
		if err != nil {
			return nil, p.flagErr("docker "+sub, args, off, fmt.Errorf("invalid argument %s for \"-p, --publish\" flag: %v", textsafe.Quote(raw), err))
		}
		spec.Ports = append(spec.Ports, ps)
	}
	if spec.IP != "" {
		if _, err := netip.ParseAddr(spec.IP); err != nil {
			return nil, p.flagErr("docker "+sub, args, off, fmt.Errorf("invalid argument %s for \"--ip\" flag: not an IP address", textsafe.Quote(spec.IP)))
		}
	}
	// Where Docker 28's endpoint options were written: the --network word.
	if spec.Endpoint.GwPrioritySet || len(spec.Endpoint.DriverOpts) > 0 {
		at := p.wordPos(args, off, func(a string) bool { return isFlag(a, "network") || isFlag(a, "net") })
		spec.Endpoint.Where = map[string]Pos{"gw-priority": at}
		for k := range spec.Endpoint.DriverOpts {
			spec.Endpoint.Where["driver-opt "+k] = at
		}
	}
	return spec, nil
}

// isFlag reports whether word a is the long flag name, alone or as
// --name=value.
func isFlag(a, name string) bool { return a == "--"+name || strings.HasPrefix(a, "--"+name+"=") }

// wordPos is the position of the first of args (which start at word off of
// the command) that match says is the one, else of the command.
func (p *parser) wordPos(args []string, off int, match func(string) bool) Pos {
	for i, a := range args {
		if a == "--" {
			break
		}
		if match(a) {
			if j := off + i; j < len(p.pos) {
				return p.pos[j]
			}
		}
	}
	return p.start
}

// optionPos is where -o KEY=… (or --opt, -oKEY=…) was written.
func (p *parser) optionPos(args []string, off int, key string) Pos {
	for i, a := range args {
		v, isOpt := "", false
		switch {
		case a == "-o" || a == "--opt":
			if i+1 < len(args) {
				v, isOpt = args[i+1], true
			}
		case strings.HasPrefix(a, "--opt="):
			v, isOpt = strings.TrimPrefix(a, "--opt="), true
		case strings.HasPrefix(a, "-o"):
			v, isOpt = strings.TrimPrefix(strings.TrimPrefix(a, "-o"), "="), true
		}
		if k, _, _ := strings.Cut(v, "="); isOpt && k == key {
			if j := off + i; j < len(p.pos) {
				return p.pos[j]
			}
		}
	}
	return p.start
}

func (p *parser) lifecycle(sub string, args []string, off int) ([]string, bool, error) {
	var force bool
	fs := lifecycleFlags(sub, &force)
	if err := fs.Parse(args); err != nil {
		return nil, false, p.flagErr("docker "+sub, args, off, err)
	}
	if fs.NArg() == 0 {
		return nil, false, p.errAt(off-1, "docker %s: requires at least 1 argument", sub)
	}
	return fs.Args(), force, nil
}

func (p *parser) network(c *Command, args []string, off int) (*Command, error) {
	if len(args) == 0 {
		return nil, p.errAt(off-1, "docker network: a subcommand is missing (create, connect, disconnect, rm, ls, inspect)")
	}
	sub, rest := args[0], args[1:]
	off++
	prefix := "docker network " + sub
	switch sub {
	case "create":
		n := &NetworkSpec{Driver: "bridge", Options: map[string]string{}}
		var subnets, ranges, gateways, opts []string
		fs := networkCreateFlags(n, &subnets, &ranges, &gateways, &opts)
		if err := fs.Parse(rest); err != nil {
			return nil, p.flagErr(prefix, rest, off, err)
		}
		if fs.NArg() != 1 {
			return nil, p.errAt(off-1, "%s: requires exactly 1 argument (the network name)", prefix)
		}
		n.Name = fs.Arg(0)
		n.Where = map[string]Pos{}
		for _, o := range opts {
			k, v, _ := strings.Cut(o, "=")
			n.Options[k] = v
			n.Where["-o "+k] = p.optionPos(rest, off, k)
		}
		if n.IPv4 != nil {
			n.Where["--ipv4"] = p.wordPos(rest, off, func(a string) bool { return isFlag(a, "ipv4") })
		}
		if err := n.setPools(subnets, ranges, gateways); err != nil {
			if err == errPoolCount {
				return nil, p.errAt(off, "%s: %v", prefix, err)
			}
			return nil, p.flagErr(prefix, rest, off, err)
		}
		switch n.Driver {
		case "bridge", "macvlan", "ipvlan", "overlay":
		case "host", "null", "none":
			return nil, p.errAt(off, "%s: only one instance of %s network is allowed", prefix, textsafe.Quote(n.Driver))
		default:
			return nil, p.errAt(off, "%s: plugin %s not found", prefix, textsafe.Quote(n.Driver))
		}
		c.Verb, c.Network = VerbNetworkCreate, n
	case "connect", "disconnect":
		cs := &ConnectSpec{}
		var links, driverOpts []string
		force := false
		fs := connectFlags(sub, cs, &links, &driverOpts, &force)
		if err := fs.Parse(rest); err != nil {
			return nil, p.flagErr(prefix, rest, off, err)
		}
		if fs.NArg() != 2 {
			return nil, p.errAt(off-1, "%s: requires exactly 2 arguments (NETWORK CONTAINER)", prefix)
		}
		cs.Network, cs.Container = fs.Arg(0), fs.Arg(1)
		if cs.IP != "" {
			if _, err := netip.ParseAddr(cs.IP); err != nil {
				return nil, p.flagErr(prefix, rest, off, fmt.Errorf("invalid argument %s for \"--ip\" flag: not an IP address", textsafe.Quote(cs.IP)))
			}
		}
		for _, l := range links {
			ls, err := parseLink(l)
			if err != nil {
				return nil, p.flagErr(prefix, rest, off, err)
			}
			cs.Links = append(cs.Links, ls)
		}
		// Docker 28's endpoint options (docker/cli convertDriverOpt).
		if cs.Endpoint.GwPrioritySet || len(driverOpts) > 0 {
			cs.Endpoint.Where = map[string]Pos{"gw-priority": p.wordPos(rest, off, func(a string) bool { return isFlag(a, "gw-priority") })}
		}
		for _, o := range driverOpts {
			k, v, ok := strings.Cut(o, "=")
			if k = strings.TrimSpace(k); !ok || k == "" {
				return nil, p.flagErr(prefix, rest, off, fmt.Errorf("invalid argument %s for \"--driver-opt\" flag: invalid key/value pair format in driver options", textsafe.Quote(o)))
			}
			if cs.Endpoint.DriverOpts == nil {
				cs.Endpoint.DriverOpts = map[string]string{}
			}
			cs.Endpoint.DriverOpts[k] = strings.TrimSpace(v)
			cs.Endpoint.Where["driver-opt "+k] = p.wordPos(rest, off, func(a string) bool { return strings.Contains(a, k) })
		}
		c.Verb, c.Connect, c.Force = VerbNetwork(sub), cs, force
	case "rm", "remove":
		fs := networkRmFlags(sub)
		if err := fs.Parse(rest); err != nil {
			return nil, p.flagErr(prefix, rest, off, err)
		}
		if fs.NArg() == 0 {
			return nil, p.errAt(off-1, "%s: requires at least 1 argument", prefix)
		}
		c.Verb, c.Targets = VerbNetworkRm, fs.Args()
	case "ls", "list", "inspect", "prune":
		return p.noop(), nil
	default:
		return nil, p.errAt(off-1, "docker network: '%s' is not a docker network command", textsafe.Clean(sub))
	}
	return c, nil
}

// VerbNetwork maps connect/disconnect to their verbs.
func VerbNetwork(sub string) string {
	if sub == "connect" {
		return VerbNetworkConnect
	}
	return VerbNetworkDisconnect
}
