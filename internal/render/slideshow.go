package render

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"

	"github.com/netviz/netviz/internal/draw"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/output"
)

// Slide is one frame of a slideshow: the picture's file (relative to the
// page), the command that made it and where the command was written, and
// what it added and removed.
type Slide struct {
	File    string   `json:"file"`
	Command string   `json:"command"`
	Pos     string   `json:"pos"`
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
}

// Frame is one picture of a slideshow: the model, the node IDs the step
// added (outlined) and removed (drawn as ghosts), and the Slide the page
// shows beside it (WriteSlideshow sets its File).
type Frame struct {
	Model     *graph.Model
	Highlight []string
	Gone      []string
	Slide
}

// WriteSlideshow draws frames into the directory dir as step-001.svg,
// step-002.svg, … (each titled "step N: COMMAND", written whole as package
// output writes files) and then index.html, the Slideshow of them titled
// title. frames calls yield once per frame, in order. The layout is planned
// once for every frame together, so each object keeps its place and colour
// from the first frame to the last (detail d, auto by default). An error
// from frames, from yield or from writing stops it, and the files it wrote
// are removed (dir itself is the caller's). It returns how many frames it
// wrote.
func WriteSlideshow(ctx context.Context, dir, title string, d Detail, frames func(yield func(Frame) error) error) (n int, err error) {
	var all []Frame
	if err := frames(func(f Frame) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		f.Model = f.Model.Sorted()
		all = append(all, f)
		return nil
	}); err != nil {
		return 0, err
	}
	models := make([]*graph.Model, len(all))
	for i, f := range all {
		models[i] = f.Model
	}
	plan := planContext(ctx, models, d)
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var written []string
	defer func() {
		if err != nil {
			for _, p := range written {
				os.Remove(p)
			}
		}
	}()
	slides := make([]Slide, 0, len(all))
	for i, f := range all {
		f.File = fmt.Sprintf("step-%03d.svg", i+1)
		fo := frameOpts{title: fmt.Sprintf("step %d/%d: %s", i+1, len(all), f.Command), added: toSet(f.Highlight), removed: toSet(f.Gone)}
		if i > 0 {
			fo.prev = all[i-1].Model
		}
		scene := plan.scene(f.Model, fo)
		path := filepath.Join(dir, f.File)
		if err := output.Write(ctx, path, 0o644, func(w io.Writer) error { return draw.WriteSVG(w, scene) }); err != nil {
			return 0, err
		}
		written = append(written, path)
		slides = append(slides, f.Slide)
	}
	err = output.Write(ctx, filepath.Join(dir, "index.html"), 0o644, func(w io.Writer) error { return Slideshow(w, title, slides) })
	return len(slides), err
}

// Slideshow writes the workshop view of `netviz sim --steps`: one frame at a
// time, ← and → to move. The page needs nothing from elsewhere; the slides
// travel as JSON (which escapes <, > and &, so no text closes the script)
// and reach the page only as text nodes, never as markup.
func Slideshow(w io.Writer, title string, slides []Slide) error {
	data, err := json.Marshal(slides)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>netviz sim · %[1]s</title>
<style>
body{font-family:Helvetica,Arial,sans-serif;margin:0;display:flex;flex-direction:column;height:100vh;color:#222}
header{padding:.6rem 1rem;background:#f4f4f4;border-bottom:1px solid #ddd}
header code{font-size:1.05rem;background:#fff;padding:.15rem .4rem;border-radius:4px}
#where{color:#777;font-size:.8rem;margin-left:.6rem}
#changes{font-size:.85rem;margin-top:.3rem}
.add{color:#1B7E34}.rm{color:#B22222}
main{flex:1;overflow:auto;text-align:center}
main img{max-width:100%%;max-height:100%%}
footer{padding:.4rem 1rem;font-size:.8rem;color:#666;border-top:1px solid #ddd}
</style></head><body>
<header><strong id="n"></strong> <code id="cmd"></code><span id="where"></span><div id="changes"></div></header>
<main><img id="frame" alt=""></main>
<footer>← → or space to step · Home/End for the first and last frame · %[1]s</footer>
<script>
const steps = %[2]s;
let i = 0;
function show(k) {
  i = Math.max(0, Math.min(steps.length - 1, k));
  const s = steps[i];
  document.getElementById('n').textContent = 'step ' + (i + 1) + ' / ' + steps.length;
  document.getElementById('cmd').textContent = s.command;
  document.getElementById('where').textContent = s.pos;
  document.getElementById('frame').src = s.file;
  const changes = document.getElementById('changes');
  changes.replaceChildren();
  const items = (s.added || []).map(a => ['add', '+ ' + a]).concat((s.removed || []).map(r => ['rm', '− ' + r]));
  items.forEach(([cls, text], j) => {
    if (j > 0) changes.append(' · ');
    const span = document.createElement('span');
    span.className = cls;
    span.textContent = text;
    changes.append(span);
  });
}
document.addEventListener('keydown', e => {
  if (e.key === 'ArrowRight' || e.key === ' ' || e.key === 'PageDown') { show(i + 1); e.preventDefault(); }
  if (e.key === 'ArrowLeft' || e.key === 'PageUp') { show(i - 1); e.preventDefault(); }
  if (e.key === 'Home') show(0);
  if (e.key === 'End') show(steps.length - 1);
});
show(0);
</script></body></html>
`, html.EscapeString(title), data)
	return err
}
