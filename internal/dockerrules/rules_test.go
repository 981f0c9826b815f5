package dockerrules

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestRulesCatalogue: every rule has a unique ID, a sentence, the moby code
// it mirrors and a range of known releases, Since before Until.
func TestRulesCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules {
		if !regexp.MustCompile(`^[a-z]+\.[a-z0-9-]+$`).MatchString(r.ID) || seen[r.ID] {
			t.Errorf("rule ID %q: malformed or duplicate", r.ID)
		}
		seen[r.ID] = true
		if r.Says == "" || r.Mirrors == "" {
			t.Errorf("%s: says %q, mirrors %q", r.ID, r.Says, r.Mirrors)
		}
		since, until := slices.Index(EngineMajors, r.Holds.Since), slices.Index(EngineMajors, r.Holds.Until)
		if (r.Holds.Since != "" && since < 0) || (r.Holds.Until != "" && until < 0) || (since >= 0 && until >= 0 && since > until) {
			t.Errorf("%s: holds %+v", r.ID, r.Holds)
		}
		if r.Holds != All && r.Otherwise == "" {
			t.Errorf("%s holds only for %s but says nothing of the other releases", r.ID, r.Holds)
		}
		if got, ok := Lookup(r.ID); !ok || got.ID != r.ID {
			t.Errorf("Lookup(%s) = %+v, %v", r.ID, got, ok)
		}
	}
	if _, ok := Lookup("no.such-rule"); ok {
		t.Error("Lookup found a rule that does not exist")
	}
}

// TestRulesAreCitedAndExist: the code that implements a rule names it
// ("rule ipam.gateway"); every name cited under internal/ is in the
// catalogue, and every rule in the catalogue is cited by some code — no
// rule without a home, no home pointing nowhere.
func TestRulesAreCitedAndExist(t *testing.T) {
	cite := regexp.MustCompile(`rules? ((?:[a-z]+\.[a-z0-9-]+(?:,? (?:and )?)?)+)`)
	id := regexp.MustCompile(`[a-z]+\.[a-z0-9-]+`)
	joinComments := regexp.MustCompile(`\n\s*//\s*`)
	cited := map[string]string{}
	files, _ := filepath.Glob(filepath.Join("..", "*", "*.go"))
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || strings.HasSuffix(f, "rules.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := joinComments.ReplaceAllString(string(data), " ") // a citation may wrap
		for _, m := range cite.FindAllStringSubmatch(text, -1) {
			for _, name := range id.FindAllString(m[1], -1) {
				if strings.HasSuffix(name, ".go") {
					continue
				}
				cited[name] = f
			}
		}
	}
	for name, f := range cited {
		if _, ok := Lookup(name); !ok {
			t.Errorf("%s cites rule %s, which is not in Rules", f, name)
		}
	}
	for _, r := range Rules {
		if _, ok := cited[r.ID]; !ok {
			t.Errorf("rule %s is cited by no code under internal/", r.ID)
		}
	}
}

func TestVersions(t *testing.T) {
	tests := []struct {
		r        Versions
		v        string
		contains bool
		text     string
	}{
		{All, "20.10.24+dfsg1", true, "all"},
		{All, "19.03", false, "all"},
		{Versions{Until: "27"}, "27.5.1", true, "20.10–27"},
		{Versions{Until: "27"}, "28.2.2", false, "20.10–27"},
		{Versions{Since: "27"}, "26.1", false, "27+"},
		{Versions{Since: "27"}, "29.8.0-beta.24", true, "27+"},
		{Versions{Since: "25", Until: "26"}, "24", false, "25–26"},
		{Versions{Since: "26", Until: "26"}, "26.0.1", true, "26"},
	}
	for _, tt := range tests {
		if got := tt.r.Contains(tt.v); got != tt.contains {
			t.Errorf("%+v.Contains(%s) = %v", tt.r, tt.v, got)
		}
		if got := tt.r.String(); got != tt.text {
			t.Errorf("%+v.String() = %q, want %q", tt.r, got, tt.text)
		}
	}
}

func TestCheckEngineVersion(t *testing.T) {
	for v, ok := range map[string]bool{
		"20.10": true, "20.10.24": true, "20.10.24+dfsg1": true, "27": true, "28.2.2": true, "29.8.0-beta.24": true,
		"banana": false, "19.03": false, "20": false, "20.11": false, "30.0": false, "": false, "29.0\x1b[2J": false,
	} {
		err := CheckEngineVersion(v)
		if (err == nil) != ok {
			t.Errorf("CheckEngineVersion(%q) = %v", v, err)
		}
		if err != nil && (strings.ContainsRune(err.Error(), '\x1b') || !strings.Contains(err.Error(), "20.10, 23, 24, 25, 26, 27, 28 or 29")) {
			t.Errorf("message %q", err)
		}
	}
	if m, ok := Major("20.10.24+dfsg1"); !ok || m != "20.10" {
		t.Errorf("Major = %q, %v", m, ok)
	}
}
