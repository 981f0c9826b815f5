package render

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/netviz/netviz/internal/graph"
)

// htmlPage writes a self-contained page: the SVG drawing, the text
// summary, and the model's JSON for anyone who wants the raw facts. No
// scripts or files from elsewhere, so it opens offline in a workshop.
func htmlPage(w io.Writer, m *graph.Model, svgDoc string) error {
	var text, js bytes.Buffer
	if err := Text(&text, m); err != nil {
		return err
	}
	if err := graph.WriteJSON(&js, m); err != nil {
		return err
	}
	body := svgDoc
	if i := strings.Index(body, "<svg"); i >= 0 {
		body = body[i:] // drop the XML prolog and DOCTYPE inside HTML
	}
	_, err := fmt.Fprintf(w, `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>netviz · %s</title>
<style>
body{font-family:Helvetica,Arial,sans-serif;margin:1.5rem;color:#222}
.drawing{overflow:auto;border:1px solid #ddd;border-radius:8px;padding:.5rem}
.drawing svg{max-width:100%%;height:auto}
pre{background:#f7f7f7;padding:1rem;border-radius:8px;overflow:auto;font-size:.85rem}
details{margin-top:1rem}
</style></head><body>
<h1>netviz · %s</h1>
<div class="drawing">%s</div>
<details open><summary>Summary</summary><pre>%s</pre></details>
<details><summary>Model (JSON, %s)</summary><pre>%s</pre></details>
</body></html>
`, html.EscapeString(m.Host.Name), html.EscapeString(m.Host.Name), body,
		html.EscapeString(text.String()), graph.Schema, html.EscapeString(js.String()))
	return err
}
