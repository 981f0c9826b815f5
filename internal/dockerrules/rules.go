// Package dockerrules is netviz's one statement of how Docker behaves:
// address pools and allocation, MAC addresses, interface and device names,
// embedded DNS and name resolution, the daemon's refusals, and which
// container reaches which address — each rule once, with the engine
// versions it holds for and the moby code it mirrors.
//
// The simulator (internal/sim) applies these rules; live discovery
// (internal/discover) uses them to name what the engine leaves unsaid; reach,
// probe and verify reason with them. Rules is the catalogue: every rule has
// an ID, one sentence, the releases it holds for (Holds), where it was
// measured, the moby code it mirrors, what other releases do instead
// (Otherwise, from ../shared/DESIGN.md's version table) and, in Gap, where
// netviz does not follow it yet. The functions of this package cite the ID
// of the rule they implement.
//
// Every rule was measured on docker.io 20.10.24 (API 1.41) or on
// 29.8.0-beta.24 (issue 10), or read from moby's source (Measured says
// which). Where releases differ, Holds is the only record of which release
// does what: For(version) turns it into a Profile, the typed view the
// simulator consults (profile.go), so a newcomer reads rules.json for the
// behaviour and its versions, and profile.go for the code that asks.
package dockerrules

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/textsafe"
)

// EngineMajors are the Docker engine releases netviz claims to reproduce:
// 20.10, where its findings were measured, and the releases since (23 to
// 29). Older (19.03 and before) and newer releases are not claimed. A rule's
// Versions are bounds in this list.
var EngineMajors = []string{"20.10", "23", "24", "25", "26", "27", "28", "29"}

// DefaultEngineVersion is what the simulator reproduces unless told
// otherwise: the engine its findings were measured on (docker.io 20.10.24).
const DefaultEngineVersion = "20.10"

// NewestEngineVersion is what `netviz sim` assumes without a local engine.
const NewestEngineVersion = "29.0"

// engineVersionRE is a Docker engine version: MAJOR[.MINOR[.PATCH]] with an
// optional pre-release (-beta.24, -rc.1) and build suffix (+dfsg1, as
// Debian's docker.io reports).
var engineVersionRE = regexp.MustCompile(`^([0-9]+)(?:\.([0-9]+))?(?:\.[0-9]+)?(?:-[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?(?:\+[0-9A-Za-z.~-]+)?$`)

// Major is the release of EngineMajors that version v belongs to ("20.10"
// for 20.10.24+dfsg1, "29" for 29.8.0-beta.24); ok is false for a version
// netviz does not model (banana, 19.03, 30.0).
func Major(v string) (major string, ok bool) {
	m := engineVersionRE.FindStringSubmatch(v)
	switch {
	case m == nil:
		return "", false
	case m[1] == "20" && m[2] == "10":
		return "20.10", true
	case m[1] != "20" && slices.Contains(EngineMajors, m[1]):
		return m[1], true
	}
	return "", false
}

// CheckEngineVersion reports whether v is a version netviz reproduces (see
// EngineMajors): 20.10, 20.10.24, 27, 28.2.2 and 29.8.0-beta.24 pass;
// banana, 19.03 and 30.0 do not, with an error listing what is accepted.
func CheckEngineVersion(v string) error {
	if _, ok := Major(v); ok {
		return nil
	}
	last := len(EngineMajors) - 1
	return fmt.Errorf("engine version %s is not one the simulator reproduces: use %s, optionally with minor, patch and pre-release (20.10.24, 28.2.2, 29.8.0-beta.24)",
		textsafe.Quote(v), strings.Join(EngineMajors[:last], ", ")+" or "+EngineMajors[last])
}

// Versions is the range of engine releases a rule holds for, as majors of
// EngineMajors, both ends included; an empty bound is open (from 20.10, or
// up to the newest).
type Versions struct {
	Since string `json:"since,omitempty"`
	Until string `json:"until,omitempty"`
}

// All is every release netviz models.
var All = Versions{}

// Contains reports whether engine version v (any form Major accepts) is in
// the range.
func (r Versions) Contains(v string) bool {
	major, ok := Major(v)
	if !ok {
		return false
	}
	i := slices.Index(EngineMajors, major)
	return (r.Since == "" || slices.Index(EngineMajors, r.Since) <= i) &&
		(r.Until == "" || i <= slices.Index(EngineMajors, r.Until))
}

// String is the range as a person writes it: "all", "27+", "20.10–27", "26".
func (r Versions) String() string {
	switch {
	case r.Since == "" && r.Until == "":
		return "all"
	case r.Until == "":
		return r.Since + "+"
	case r.Since == r.Until:
		return r.Since
	}
	since := r.Since
	if since == "" {
		since = EngineMajors[0]
	}
	return since + "–" + r.Until
}

// Rule is one behaviour of Docker's that netviz reproduces or reasons with.
type Rule struct {
	// ID names the rule in code comments and tests ("dns.first-network").
	ID string `json:"id"`
	// Says is the rule in a sentence.
	Says string `json:"says"`
	// Holds is the releases it holds for.
	Holds Versions `json:"holds"`
	// Measured is the engine it was measured on ("" when read from moby's
	// source only).
	Measured string `json:"measured,omitempty"`
	// Mirrors is the moby code that implements it (paths in moby/moby; a
	// libnetwork/ path is the tree of 20.10, daemon/libnetwork/ today's).
	Mirrors string `json:"mirrors"`
	// Otherwise is what releases outside Holds do instead.
	Otherwise string `json:"otherwise,omitempty"`
	// Gap says where netviz does not follow the rule yet.
	Gap string `json:"gap,omitempty"`
}

// Lookup returns the rule with the given ID.
func Lookup(id string) (Rule, bool) {
	i := slices.IndexFunc(Rules, func(r Rule) bool { return r.ID == id })
	if i < 0 {
		return Rule{}, false
	}
	return Rules[i], true
}

// Rules is the catalogue of Docker behaviour netviz encodes, grouped as the
// files of this package are: IPAM (ipam.go), devices and MACs (devices.go),
// names and DNS (names.go), the daemon's refusals (refusals.go) and
// reachability (reach.go). It is data, kept in rules.json beside this file:
// a rule's words, versions and sources are read there, its code here.
var Rules = mustLoadRules()

//go:embed rules.json
var rulesJSON []byte

func mustLoadRules() []Rule {
	var rules []Rule
	dec := json.NewDecoder(bytes.NewReader(rulesJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rules); err != nil {
		panic("dockerrules: rules.json: " + err.Error()) // a build-time file: the tests catch it
	}
	return rules
}
