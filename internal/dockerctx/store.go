package dockerctx

// The docker CLI's context store: meta.json and TLS material under
// $DOCKER_CONFIG/contexts, read bounded and, as root, only if trusted.

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"github.com/netviz/netviz/internal/textsafe"
	"github.com/netviz/netviz/internal/trust"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

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
