// Package dockerctx finds the Docker engine the docker CLI would talk to.
// It follows the --context flag, DOCKER_HOST, DOCKER_CONTEXT and the current
// context in ~/.docker/config.json in the docker CLI's order (docker/cli
// cli/command/cli.go resolveContextName), and reads the named context's
// endpoint from the CLI's context store ($DOCKER_CONFIG/contexts).
//
// It reads files only, bounded, and — when netviz runs as root — only files
// that package trust accepts: a context points netviz at any socket or, for
// ssh://, makes it run ssh, so a config directory another user could write is
// not a source of truth for root.
package dockerctx

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/netviz/netviz/internal/textsafe"
)

// DefaultName is the context that means "the environment": DOCKER_HOST,
// DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_API_VERSION, else the local
// socket.
const DefaultName = "default"

// DefaultHost is the engine of the default context without DOCKER_HOST.
const DefaultHost = "unix:///var/run/docker.sock"

// MaxFileSize bounds every configuration file read (config.json, meta.json,
// each PEM file).
const MaxFileSize = 1 << 20

// Where the context name came from.
const (
	SourceFlag        = "--context"
	SourceDockerHost  = "DOCKER_HOST"
	SourceEnv         = "DOCKER_CONTEXT"
	SourceConfig      = "currentContext in config.json"
	SourceUnspecified = ""
)

// Endpoint is a resolved Docker engine address.
type Endpoint struct {
	// Context is the context's name; DefaultName for the environment.
	Context string
	// Source says what chose the context (one of the Source constants).
	Source string
	// Host is the engine's URL: unix:///…, tcp://host:port, ssh://user@host, …
	Host string
	// FromEnv means the client is configured from the environment like the
	// docker CLI's default context (TLS from DOCKER_CERT_PATH and
	// DOCKER_TLS_VERIFY); TLS is then nil.
	FromEnv bool
	// TLS is a named context's TLS configuration; nil means plain.
	TLS *tls.Config
	// Local reports whether the engine runs on this machine (a unix socket,
	// or tcp to a loopback address), so this machine's network namespaces
	// are the engine's. ssh:// is never local.
	Local bool
	// Warnings are things the caller should print once: configuration that
	// was ignored and why.
	Warnings []string
}

// Named reports whether a context other than the default was used.
func (e *Endpoint) Named() bool { return e != nil && e.Context != DefaultName }

// Describe names the engine for messages: its host, and the context when one
// other than the default was used.
func (e *Endpoint) Describe() string {
	if !e.Named() {
		return e.Host
	}
	return fmt.Sprintf("%s (context %s)", e.Host, textsafe.Quote(e.Context))
}

// Options are the inputs of Resolve. The zero value reads the process's
// environment and effective uid.
type Options struct {
	// Flag is the value of --context ("" when not given).
	Flag string
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// Root says whether to apply the rules for root (trust checks);
	// nil means os.Geteuid() == 0.
	Root *bool
}

// NotFoundError is a context name the store does not hold.
type NotFoundError struct {
	Name   string
	Source string
	Known  []string // every context there is, "default" first
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("context %s not found (contexts: %s)", textsafe.Quote(e.Name), strings.Join(quoteAll(e.Known), ", "))
	if e.Source != SourceFlag && e.Source != "" {
		msg += "; it was set by " + e.Source
	}
	return msg
}

// UntrustedError is a context named explicitly (--context, DOCKER_CONTEXT)
// whose files root may not rely on.
type UntrustedError struct {
	Name   string
	Source string
	Err    error
}

func (e *UntrustedError) Error() string {
	return fmt.Sprintf("context %s (from %s) is not used as root: %v; run without sudo, or create the context as root", textsafe.Quote(e.Name), e.Source, e.Err)
}

func (e *UntrustedError) Unwrap() error { return e.Err }

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		if n == DefaultName {
			out[i] = n
		} else {
			out[i] = textsafe.Quote(n)
		}
	}
	return out
}

// resolver carries one resolution's inputs.
type resolver struct {
	getenv func(string) string
	root   bool
	warn   []string
}

// Resolve picks the context like the docker CLI and returns its endpoint.
// An unknown context is a *NotFoundError; a malformed one an error naming
// the file. As root, configuration files trust does not accept are ignored
// with a warning (an explicitly named context is then an *UntrustedError).
func Resolve(o Options) (*Endpoint, error) {
	r := &resolver{getenv: o.Getenv}
	if r.getenv == nil {
		r.getenv = os.Getenv
	}
	if o.Root != nil {
		r.root = *o.Root
	} else {
		r.root = os.Geteuid() == 0
	}
	name, source := r.contextName(o.Flag)
	var ep *Endpoint
	if name == DefaultName {
		ep = r.defaultEndpoint()
	} else {
		var err error
		if ep, err = r.named(name, source); err != nil {
			return nil, err
		}
	}
	ep.Source = source
	ep.Warnings = append(r.warn, ep.Warnings...)
	return ep, nil
}

// ConfigDir is the docker CLI's configuration directory: DOCKER_CONFIG,
// else ~/.docker ("" when neither is known).
func ConfigDir(getenv func(string) string) string {
	if d := getenv("DOCKER_CONFIG"); d != "" {
		return d
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".docker")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".docker")
	}
	return ""
}

// contextName is docker/cli's resolveContextName: --context, then
// DOCKER_HOST (the default context), DOCKER_CONTEXT, config.json's
// currentContext, else the default.
func (r *resolver) contextName(flag string) (string, string) {
	switch {
	case flag != "":
		return flag, SourceFlag
	case r.getenv("DOCKER_HOST") != "":
		return DefaultName, SourceDockerHost
	case r.getenv("DOCKER_CONTEXT") != "":
		return r.getenv("DOCKER_CONTEXT"), SourceEnv
	}
	if cur := r.currentContext(); cur != "" {
		return cur, SourceConfig
	}
	return DefaultName, SourceUnspecified
}

// currentContext reads currentContext from config.json; a missing file is
// no current context, an unreadable or untrusted one a warning.
func (r *resolver) currentContext() string {
	dir := ConfigDir(r.getenv)
	if dir == "" {
		return ""
	}
	path := filepath.Join(dir, "config.json")
	data, err := r.readFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	if err == nil {
		var cfg struct {
			CurrentContext string `json:"currentContext"`
		}
		if err = json.Unmarshal(data, &cfg); err == nil {
			return cfg.CurrentContext
		}
		err = fmt.Errorf("%s: %w", textsafe.Clean(path), err)
	}
	how := "ignoring the docker CLI's config"
	if isTrustError(err) {
		how += " as root"
	}
	r.warn = append(r.warn, fmt.Sprintf("%s: %v; using the default context", how, err))
	return ""
}

// defaultEndpoint is the environment's engine.
func (r *resolver) defaultEndpoint() *Endpoint {
	host := r.getenv("DOCKER_HOST")
	if host == "" {
		host = DefaultHost
	}
	return &Endpoint{Context: DefaultName, Host: host, FromEnv: true, Local: IsLocal(host)}
}

// isSocket reports whether host is a unix socket, a named pipe or an fd.
func isSocket(host string) bool {
	proto, _, _ := strings.Cut(host, "://")
	switch proto {
	case "unix", "npipe", "fd":
		return true
	}
	return false
}

// IsLocal reports whether the engine at host runs on this machine: a unix
// socket (or named pipe, fd), or tcp/http(s) to localhost or a loopback
// address. ssh:// is never local, whatever the host: the kernel netviz reads
// is the one ssh runs on, not necessarily the engine's.
func IsLocal(host string) bool {
	if isSocket(host) {
		return true
	}
	proto, rest, ok := strings.Cut(host, "://")
	if !ok {
		return false
	}
	switch proto {
	case "tcp", "http", "https":
	default:
		return false
	}
	u, err := url.Parse("tcp://" + rest)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
