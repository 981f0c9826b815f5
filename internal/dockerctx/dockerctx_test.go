package dockerctx

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// store is a docker CLI configuration directory built in a temp dir, laid
// out as `docker context create` writes it.
type store struct {
	t   *testing.T
	dir string
}

func newStore(t *testing.T) *store {
	dir := filepath.Join(t.TempDir(), "docker")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return &store{t: t, dir: dir}
}

func (s *store) write(rel string, data []byte) string {
	s.t.Helper()
	p := filepath.Join(s.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o600); err != nil {
		s.t.Fatal(err)
	}
	return p
}

func (s *store) config(current string) {
	s.write("config.json", []byte(`{"auths":{},"currentContext":"`+current+`"}`))
}

// context writes meta.json the way docker 20.10+ does.
func (s *store) context(name, host string, skipTLS bool) {
	s.t.Helper()
	m := map[string]any{
		"Name":      name,
		"Metadata":  map[string]any{"Description": "made by a test"},
		"Endpoints": map[string]any{"docker": map[string]any{"Host": host, "SkipTLSVerify": skipTLS}},
	}
	data, err := json.Marshal(m)
	if err != nil {
		s.t.Fatal(err)
	}
	s.write(filepath.Join("contexts", "meta", ContextID(name), "meta.json"), data)
}

func (s *store) tls(name string, files map[string][]byte) {
	for f, data := range files {
		s.write(filepath.Join("contexts", "tls", ContextID(name), "docker", f), data)
	}
}

// selfSigned returns a PEM certificate and its PEM key.
func selfSigned(t *testing.T) ([]byte, []byte) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "netviz test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestResolve(t *testing.T) {
	cert, key := selfSigned(t)
	type want struct {
		context, source, host string
		local, fromEnv, tls   bool
		warn                  string // a substring of the one warning; "" for none
		err                   string // a substring of the error; "" for none
	}
	tests := []struct {
		name  string
		setup func(s *store) // nil: an empty config dir
		env   map[string]string
		flag  string
		root  bool
		want  want
	}{
		{name: "nothing set: the local socket",
			want: want{context: "default", host: DefaultHost, local: true, fromEnv: true}},
		{name: "no config dir at all",
			env:  map[string]string{"DOCKER_CONFIG": "/nonexistent/netviz-test"},
			want: want{context: "default", host: DefaultHost, local: true, fromEnv: true}},
		{name: "DOCKER_HOST is the default context",
			env:  map[string]string{"DOCKER_HOST": "tcp://192.0.2.7:2376"},
			want: want{context: "default", source: SourceDockerHost, host: "tcp://192.0.2.7:2376", fromEnv: true}},
		{name: "DOCKER_HOST beats DOCKER_CONTEXT and currentContext",
			setup: func(s *store) { s.config("remote"); s.context("remote", "ssh://u@192.0.2.9", false) },
			env:   map[string]string{"DOCKER_HOST": "unix:///run/other.sock", "DOCKER_CONTEXT": "remote"},
			want:  want{context: "default", source: SourceDockerHost, host: "unix:///run/other.sock", local: true, fromEnv: true}},
		{name: "--context beats DOCKER_HOST",
			setup: func(s *store) { s.context("remote", "ssh://u@192.0.2.9", false) },
			env:   map[string]string{"DOCKER_HOST": "unix:///run/other.sock"},
			flag:  "remote",
			want:  want{context: "remote", source: SourceFlag, host: "ssh://u@192.0.2.9"}},
		{name: "DOCKER_CONTEXT beats currentContext",
			setup: func(s *store) {
				s.config("a")
				s.context("a", "tcp://127.0.0.1:2375", false)
				s.context("b", "tcp://192.0.2.8:2375", false)
			},
			env:  map[string]string{"DOCKER_CONTEXT": "b"},
			want: want{context: "b", source: SourceEnv, host: "tcp://192.0.2.8:2375"}},
		{name: "currentContext from config.json",
			setup: func(s *store) { s.config("lo"); s.context("lo", "tcp://127.0.0.1:2375", false) },
			want:  want{context: "lo", source: SourceConfig, host: "tcp://127.0.0.1:2375", local: true}},
		{name: "--context default ignores currentContext",
			setup: func(s *store) { s.config("lo"); s.context("lo", "tcp://127.0.0.1:2375", false) },
			flag:  "default",
			want:  want{context: "default", source: SourceFlag, host: DefaultHost, local: true, fromEnv: true}},
		{name: "currentContext default",
			setup: func(s *store) { s.config("default") },
			want:  want{context: "default", source: SourceConfig, host: DefaultHost, local: true, fromEnv: true}},
		{name: "unknown context lists the others",
			setup: func(s *store) { s.context("zeta", "ssh://z", false); s.context("alpha", "ssh://a", false) },
			flag:  "nope",
			want:  want{err: `context "nope" not found (contexts: default, "alpha", "zeta")`}},
		{name: "unknown context from config.json says where it came from",
			setup: func(s *store) { s.config("gone") },
			want:  want{err: `context "gone" not found (contexts: default); it was set by currentContext in config.json`}},
		{name: "an unknown name with escapes is echoed escaped",
			flag: "x\x1b[2Jy",
			want: want{err: `context "x\x1b[2Jy" not found`}},
		{name: "TLS material of a tcp context",
			setup: func(s *store) {
				s.context("tls", "tcp://192.0.2.5:2376", false)
				s.tls("tls", map[string][]byte{"ca.pem": cert, "cert.pem": cert, "key.pem": key})
			},
			flag: "tls",
			want: want{context: "tls", source: SourceFlag, host: "tcp://192.0.2.5:2376", tls: true}},
		{name: "SkipTLSVerify without material",
			setup: func(s *store) { s.context("insecure", "tcp://192.0.2.5:2376", true) },
			flag:  "insecure",
			want:  want{context: "insecure", source: SourceFlag, host: "tcp://192.0.2.5:2376", tls: true}},
		{name: "a bad CA is an error naming the file",
			setup: func(s *store) {
				s.context("badca", "tcp://192.0.2.5:2376", false)
				s.tls("badca", map[string][]byte{"ca.pem": []byte("not pem")})
			},
			flag: "badca",
			want: want{err: "ca.pem holds no PEM certificate"}},
		{name: "meta.json that is not JSON",
			setup: func(s *store) {
				s.write(filepath.Join("contexts", "meta", ContextID("broken"), "meta.json"), []byte("{"))
			},
			flag: "broken",
			want: want{err: `context "broken"`}},
		{name: "a context without a docker endpoint",
			setup: func(s *store) {
				s.write(filepath.Join("contexts", "meta", ContextID("k8s"), "meta.json"), []byte(`{"Name":"k8s","Endpoints":{"kubernetes":{}}}`))
			},
			flag: "k8s",
			want: want{err: "has no docker endpoint"}},
		{name: "config.json that is not JSON is ignored with a warning",
			setup: func(s *store) { s.write("config.json", []byte("{nope")) },
			want:  want{context: "default", host: DefaultHost, local: true, fromEnv: true, warn: "ignoring the docker CLI's config"}},
		{name: "config.json over 1 MiB is not read",
			setup: func(s *store) {
				s.write("config.json", []byte(`{"currentContext":"x","pad":"`+strings.Repeat("a", MaxFileSize)+`"}`))
			},
			want: want{context: "default", host: DefaultHost, local: true, fromEnv: true, warn: "bigger than 1048576 bytes"}},
		{name: "meta.json that is a FIFO is refused, not waited on",
			setup: func(s *store) {
				p := filepath.Join(s.dir, "contexts", "meta", ContextID("fifo"))
				os.MkdirAll(p, 0o700)
				if err := syscall.Mkfifo(filepath.Join(p, "meta.json"), 0o600); err != nil {
					s.t.Skip("mkfifo:", err)
				}
			},
			flag: "fifo",
			want: want{err: "not a regular file"}},
		{name: "root: a trusted store is used",
			setup: func(s *store) { s.config("r"); s.context("r", "ssh://root@192.0.2.3", false) },
			root:  true,
			want:  want{context: "r", source: SourceConfig, host: "ssh://root@192.0.2.3"}},
		{name: "root: a group-writable config dir is ignored with one warning",
			setup: func(s *store) {
				s.config("r")
				s.context("r", "ssh://root@192.0.2.3", false)
				os.Chmod(s.dir, 0o770)
			},
			root: true,
			want: want{context: "default", host: DefaultHost, local: true, fromEnv: true, warn: "as root: "}},
		{name: "root: a world-writable meta.json of the current context is ignored",
			setup: func(s *store) {
				s.config("r")
				s.context("r", "ssh://root@192.0.2.3", false)
				os.Chmod(filepath.Join(s.dir, "contexts", "meta", ContextID("r"), "meta.json"), 0o666)
			},
			root: true,
			want: want{context: "default", source: SourceConfig, host: DefaultHost, local: true, fromEnv: true, warn: `ignoring context "r"`}},
		{name: "root: an explicitly named untrusted context is an error",
			setup: func(s *store) {
				s.context("r", "ssh://root@192.0.2.3", false)
				os.Chmod(s.dir, 0o777)
			},
			env:  map[string]string{"DOCKER_CONTEXT": "r"},
			root: true,
			want: want{err: `context "r" (from DOCKER_CONTEXT) is not used as root`}},
		{name: "root: world-writable TLS material of a named context is an error",
			setup: func(s *store) {
				s.context("tls", "tcp://192.0.2.5:2376", false)
				s.tls("tls", map[string][]byte{"ca.pem": cert})
				os.Chmod(filepath.Join(s.dir, "contexts", "tls", ContextID("tls"), "docker", "ca.pem"), 0o666)
			},
			flag: "tls",
			root: true,
			want: want{err: "is writable by group or others"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			if tt.setup != nil {
				tt.setup(s)
			}
			e := map[string]string{"DOCKER_CONFIG": s.dir, "HOME": "/nonexistent"}
			for k, v := range tt.env {
				e[k] = v
			}
			root := tt.root
			ep, err := Resolve(Options{Flag: tt.flag, Getenv: env(e), Root: &root})
			if tt.want.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want.err) {
					t.Fatalf("Resolve() error = %v, want one containing %q", err, tt.want.err)
				}
				if strings.ContainsRune(err.Error(), 0x1b) {
					t.Fatalf("error echoes a raw ESC: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve() error = %v", err)
			}
			got := want{context: ep.Context, source: ep.Source, host: ep.Host, local: ep.Local, fromEnv: ep.FromEnv, tls: ep.TLS != nil}
			w := tt.want
			w.warn = ""
			if got != w {
				t.Errorf("Resolve() = %+v, want %+v", got, w)
			}
			switch {
			case tt.want.warn == "" && len(ep.Warnings) > 0:
				t.Errorf("unexpected warnings %q", ep.Warnings)
			case tt.want.warn != "" && (len(ep.Warnings) != 1 || !strings.Contains(ep.Warnings[0], tt.want.warn)):
				t.Errorf("warnings = %q, want one containing %q", ep.Warnings, tt.want.warn)
			}
		})
	}
}

func TestResolveTLSContents(t *testing.T) {
	cert, key := selfSigned(t)
	s := newStore(t)
	s.context("tls", "tcp://192.0.2.5:2376", false)
	s.tls("tls", map[string][]byte{"ca.pem": cert, "cert.pem": cert, "key.pem": key})
	root := false
	ep, err := Resolve(Options{Flag: "tls", Getenv: env(map[string]string{"DOCKER_CONFIG": s.dir}), Root: &root})
	if err != nil {
		t.Fatal(err)
	}
	if ep.TLS.RootCAs == nil || len(ep.TLS.Certificates) != 1 || ep.TLS.InsecureSkipVerify {
		t.Fatalf("TLS config = roots %v, %d certificates, skip %v; want the CA, one pair, verification on",
			ep.TLS.RootCAs != nil, len(ep.TLS.Certificates), ep.TLS.InsecureSkipVerify)
	}
}

func TestNotFoundIsTyped(t *testing.T) {
	root := false
	_, err := Resolve(Options{Flag: "x", Getenv: env(map[string]string{"DOCKER_CONFIG": t.TempDir()}), Root: &root})
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Name != "x" || len(nf.Known) != 1 {
		t.Fatalf("err = %#v, want a *NotFoundError for x knowing only default", err)
	}
}

func TestConfigDir(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"DOCKER_CONFIG": "/cfg", "HOME": "/home/u"}, "/cfg"},
		{map[string]string{"HOME": "/home/u"}, "/home/u/.docker"},
	}
	for _, tt := range tests {
		if got := ConfigDir(env(tt.env)); got != tt.want {
			t.Errorf("ConfigDir(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}

func TestContextID(t *testing.T) {
	// The directory name docker/cli's store uses: the hex sha256 of the name
	// (printf default | sha256sum).
	if got := ContextID("default"); got != "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f" {
		t.Errorf("ContextID(default) = %s, want the sha256 of the name", got)
	}
}

func TestIsLocal(t *testing.T) {
	tests := []struct {
		host  string
		local bool
	}{
		{"unix:///var/run/docker.sock", true},
		{"fd://", true},
		{"npipe:////./pipe/docker_engine", true},
		{"tcp://127.0.0.1:2375", true},
		{"tcp://127.1.2.3:2375", true},
		{"tcp://localhost:2376", true},
		{"tcp://[::1]:2375", true},
		{"tcp://192.0.2.1:2376", false},
		{"tcp://docker.example:2376", false},
		{"https://[2001:db8::1]:2376", false},
		{"ssh://root@127.0.0.1:2222", false},
		{"ssh://localhost", false},
		{"garbage", false},
	}
	for _, tt := range tests {
		if got := IsLocal(tt.host); got != tt.local {
			t.Errorf("IsLocal(%q) = %v, want %v", tt.host, got, tt.local)
		}
	}
}

func TestDescribe(t *testing.T) {
	if got := (&Endpoint{Context: "default", Host: DefaultHost}).Describe(); got != DefaultHost {
		t.Errorf("default Describe = %q", got)
	}
	if got := (&Endpoint{Context: "remote", Host: "ssh://u@h"}).Describe(); got != `ssh://u@h (context "remote")` {
		t.Errorf("named Describe = %q", got)
	}
}

// TestRootIgnoresAnotherUsersConfig is `sudo -E netviz graph` for a user
// whose ~/.docker names a context: root does not follow it (it could point
// at any socket, or make root run ssh), says so once, and uses the default.
func TestRootIgnoresAnotherUsersConfig(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create files owned by another user")
	}
	s := newStore(t)
	s.config("theirs")
	s.context("theirs", "ssh://root@192.0.2.3", false)
	filepath.Walk(s.dir, func(p string, _ os.FileInfo, _ error) error { return os.Lchown(p, 65534, 65534) })
	root := true
	getenv := env(map[string]string{"DOCKER_CONFIG": s.dir})
	ep, err := Resolve(Options{Getenv: getenv, Root: &root})
	if err != nil {
		t.Fatal(err)
	}
	if ep.Context != DefaultName || len(ep.Warnings) != 1 || !strings.Contains(ep.Warnings[0], "belongs to uid 65534") {
		t.Fatalf("Resolve as root = context %q, warnings %q; want the default and one warning naming the owner", ep.Context, ep.Warnings)
	}
	_, err = Resolve(Options{Flag: "theirs", Getenv: getenv, Root: &root})
	var ue *UntrustedError
	if !errors.As(err, &ue) {
		t.Fatalf("--context theirs as root = %v, want an *UntrustedError", err)
	}
}
