package testkit

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryPackageSaysWhatItOwns: every package under internal/ and cmd/
// has a package comment whose first sentence names what it is for
// ("Package x …." or "Command x …."), so a newcomer finds the one home of a
// concept by reading `go doc`.
func TestEveryPackageSaysWhatItOwns(t *testing.T) {
	for _, root := range []string{"..", filepath.Join("..", "..", "cmd")} {
		filepath.WalkDir(root, func(dir string, d os.DirEntry, err error) error {
			if err != nil || !d.IsDir() || d.Name() == "testdata" {
				if d != nil && d.IsDir() && d.Name() == "testdata" {
					return filepath.SkipDir
				}
				return nil
			}
			pkgs, err := parser.ParseDir(token.NewFileSet(), dir, func(fi os.FileInfo) bool {
				return !strings.HasSuffix(fi.Name(), "_test.go")
			}, parser.ParseComments|parser.PackageClauseOnly)
			if err != nil {
				t.Errorf("%s: %v", dir, err)
				return nil
			}
			for name, p := range pkgs {
				doc := ""
				for _, f := range p.Files {
					if f.Doc != nil {
						doc = f.Doc.Text()
					}
				}
				want := "Package " + name + " "
				if name == "main" {
					want = "Command "
				}
				first := sentenceEnd.Split(doc, 2)[0]
				switch {
				case doc == "":
					t.Errorf("%s: package %s has no doc comment", dir, name)
				case !strings.HasPrefix(doc, want):
					t.Errorf("%s: doc comment starts %q, want %q…", dir, firstLine(doc), want)
				case len(first) > 400:
					t.Errorf("%s: the first sentence of package %s's doc runs on for %d characters", dir, name, len(first))
				}
			}
			return nil
		})
	}
}

// sentenceEnd is a full stop before white space (not the dot in cli.go).
var sentenceEnd = regexp.MustCompile(`\.\s`)

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
