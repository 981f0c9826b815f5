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
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/textsafe"
	"github.com/netviz/netviz/internal/trust"
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

// readFile reads path whole up to MaxFileSize, refusing what root may not
// trust and anything that is not a regular file.
func (r *resolver) readFile(path string) ([]byte, error) {
	if r.root {
		if _, err := os.Lstat(path); err != nil {
			return nil, err
		}
		if err := trust.File(path); err != nil {
			return nil, err
		}
	}
	return ReadBounded(path, MaxFileSize)
}

// ReadBounded reads a regular file of at most max bytes. Anything else (a
// FIFO, a device) is refused before it is opened, so it cannot block.
func ReadBounded(path string, max int64) ([]byte, error) {
	if fi, err := os.Stat(path); err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", textsafe.Clean(path))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", textsafe.Clean(path))
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is bigger than %d bytes", textsafe.Clean(path), max)
	}
	return data, nil
}

// defaultEndpoint is the environment's engine.
func (r *resolver) defaultEndpoint() *Endpoint {
	host := r.getenv("DOCKER_HOST")
	if host == "" {
		host = DefaultHost
	}
	return &Endpoint{Context: DefaultName, Host: host, FromEnv: true, Local: IsLocal(host)}
}

// ContextID is the directory name the docker CLI's store keeps a context
// under: the hex SHA-256 of its name.
func ContextID(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])
}

// meta is the part of contexts/meta/<id>/meta.json netviz reads.
type meta struct {
	Name      string `json:"Name"`
	Endpoints map[string]struct {
		Host          string `json:"Host"`
		SkipTLSVerify bool   `json:"SkipTLSVerify"`
	} `json:"Endpoints"`
}

// named reads a context from the store.
func (r *resolver) named(name, source string) (*Endpoint, error) {
	dir := ConfigDir(r.getenv)
	if dir == "" {
		return nil, &NotFoundError{Name: name, Source: source, Known: []string{DefaultName}}
	}
	id := ContextID(name)
	path := filepath.Join(dir, "contexts", "meta", id, "meta.json")
	data, err := r.readFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, &NotFoundError{Name: name, Source: source, Known: r.list(dir)}
	case err != nil && r.root && isTrustError(err):
		if source == SourceConfig {
			r.warn = append(r.warn, fmt.Sprintf("ignoring context %s (the %s) as root: %v; using the default context", textsafe.Quote(name), source, err))
			return r.defaultEndpoint(), nil
		}
		return nil, &UntrustedError{Name: name, Source: source, Err: err}
	case err != nil:
		return nil, fmt.Errorf("context %s: %w", textsafe.Quote(name), err)
	}
	var m meta
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("context %s: %s: %w", textsafe.Quote(name), textsafe.Clean(path), err)
	}
	ep, ok := m.Endpoints["docker"]
	if !ok || ep.Host == "" {
		return nil, fmt.Errorf("context %s: %s has no docker endpoint", textsafe.Quote(name), textsafe.Clean(path))
	}
	if _, err := url.Parse(ep.Host); err != nil || !strings.Contains(ep.Host, "://") {
		return nil, fmt.Errorf("context %s: docker endpoint %s is not a URL", textsafe.Quote(name), textsafe.Quote(ep.Host))
	}
	out := &Endpoint{Context: name, Host: ep.Host, Local: IsLocal(ep.Host)}
	if !isSocket(ep.Host) && !strings.HasPrefix(ep.Host, "ssh://") {
		cfg, err := r.tlsConfig(filepath.Join(dir, "contexts", "tls", id, "docker"), ep.SkipTLSVerify)
		if err != nil {
			if r.root && isTrustError(err) {
				return nil, &UntrustedError{Name: name, Source: source, Err: err}
			}
			return nil, fmt.Errorf("context %s: %w", textsafe.Quote(name), err)
		}
		out.TLS = cfg
	}
	return out, nil
}

func isTrustError(err error) bool {
	var te *trust.Error
	return errors.As(err, &te)
}

// list returns the contexts in the store, DefaultName first, then sorted.
// Unreadable entries are left out.
func (r *resolver) list(dir string) []string {
	names := []string{}
	metaDir := filepath.Join(dir, "contexts", "meta")
	entries, err := os.ReadDir(metaDir)
	if err == nil {
		for _, e := range entries {
			if len(names) >= 100 {
				break
			}
			data, err := r.readFile(filepath.Join(metaDir, e.Name(), "meta.json"))
			if err != nil {
				continue
			}
			var m meta
			if json.Unmarshal(data, &m) != nil || m.Name == "" || m.Name == DefaultName || ContextID(m.Name) != e.Name() {
				continue
			}
			names = append(names, m.Name)
		}
	}
	slices.Sort(names)
	return append([]string{DefaultName}, names...)
}

// tlsConfig builds the TLS configuration of a context's docker endpoint from
// ca.pem, cert.pem and key.pem in dir (each optional), like docker/cli's
// Endpoint.tlsConfig: nil when there is no material and verification is on.
func (r *resolver) tlsConfig(dir string, skipVerify bool) (*tls.Config, error) {
	read := func(name string) ([]byte, error) {
		data, err := r.readFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return data, err
	}
	ca, err := read("ca.pem")
	if err != nil {
		return nil, err
	}
	cert, err := read("cert.pem")
	if err != nil {
		return nil, err
	}
	key, err := read("key.pem")
	if err != nil {
		return nil, err
	}
	if ca == nil && cert == nil && key == nil && !skipVerify {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: skipVerify}
	if ca != nil {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			return nil, fmt.Errorf("%s holds no PEM certificate", filepath.Join(dir, "ca.pem"))
		}
		cfg.RootCAs = pool
	}
	if cert != nil && key != nil {
		if b, _ := pem.Decode(key); b == nil {
			return nil, fmt.Errorf("%s holds no PEM private key", filepath.Join(dir, "key.pem"))
		}
		pair, err := tls.X509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
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
