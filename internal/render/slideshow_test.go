package render

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/testkit"
)

// TestSlideshow pins the workshop page. The title is HTML-escaped like every
// other page this package writes, and the slides travel as JSON, so no
// command — not even one holding </script> — ends the script early.
func TestSlideshow(t *testing.T) {
	slides := []Slide{
		{File: "step-001.svg", Command: "docker network create mybridge", Pos: "s.sh:1:1", Added: []string{"network mybridge"}},
		{File: "step-002.svg", Command: `docker run --name x --label 'a=</script><b>' img`, Pos: "s.sh:2:1",
			Added: []string{"container x (running)"}, Removed: []string{"name <old> on mybridge"}},
	}
	var b bytes.Buffer
	if err := Slideshow(&b, `lab "a&b" <x>.sh`, slides); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if !strings.Contains(page, "<title>netviz sim · lab &#34;a&amp;b&#34; &lt;x&gt;.sh</title>") {
		t.Errorf("title not escaped:\n%.300s", page)
	}
	if n := strings.Count(page, "</script>"); n != 1 {
		t.Errorf("%d </script> in the page, want the one that ends the script", n)
	}
	if strings.Contains(page, "innerHTML") {
		t.Error("the page writes markup from slide text; it must set text only")
	}
	testkit.Golden(t, filepath.Join("testdata", "TestSlideshow", "page.html.golden"), b.Bytes())
}

// TestWriteSlideshow draws each frame into the directory and the page
// stepping through them; a failure midway leaves none of the files behind.
func TestWriteSlideshow(t *testing.T) {
	m := testkit.SeedModel(t)
	frames := func(n int, fail error) func(yield func(Frame) error) error {
		return func(yield func(Frame) error) error {
			for i := range n {
				f := Frame{Model: m, Highlight: []string{"ctr:alias1"}, Slide: Slide{Command: "docker run alias" + string(rune('1'+i)), Pos: "s.sh:1:1"}}
				if err := yield(f); err != nil {
					return err
				}
			}
			return fail
		}
	}
	dir := t.TempDir()
	n, err := WriteSlideshow(context.Background(), dir, "s.sh", DetailAuto, frames(2, nil))
	if err != nil || n != 2 {
		t.Fatalf("wrote %d frames: %v", n, err)
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{"index.html", "step-001.svg", "step-002.svg"}) {
		t.Errorf("directory holds %q", got)
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "step-002.svg"))
	text, err := svgText(svg)
	if err != nil || !strings.Contains(text, "step 2/2: docker run alias2") {
		t.Errorf("frame 2 lacks its caption (%v)", err)
	}
	page, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	if !strings.Contains(string(page), `"file":"step-002.svg","command":"docker run alias2"`) {
		t.Errorf("index.html does not list frame 2:\n%.400s", page)
	}

	dir = t.TempDir()
	boom := errors.New("the scenario went wrong")
	if _, err := WriteSlideshow(context.Background(), dir, "s.sh", DetailAuto, frames(2, boom)); !errors.Is(err, boom) {
		t.Errorf("error %v, want the frames' own", err)
	}
	if got := dirNames(t, dir); len(got) != 0 {
		t.Errorf("a failed slideshow left %q", got)
	}
}

// dirNames lists the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range paths {
		paths[i] = filepath.Base(p)
	}
	return paths
}
