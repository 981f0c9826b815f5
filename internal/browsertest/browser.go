// Package browsertest checks netviz's pictures in a real browser. It loads an
// SVG into Chromium (Debian's chromium, headless, driven with
// chromedp over a pipe — nothing is downloaded, and the page reaches no
// network) and reads back what the browser drew: where every node box and
// every text lies on a 1920×1080 screen when the picture is scaled to fit
// it (Geometry), or a screenshot of the picture at its own size
// (Screenshot). Checks on a Geometry (TextsInsideTheirNode,
// NodesDoNotOverlap, TextsDoNotOverlap, MinTextHeight, EmbeddedFontUsed)
// return the problems they find, naming the objects; InkAgreement compares
// a screenshot with netviz's own PNG.
//
// Without Chromium the tests that need it skip, saying why; with
// NETVIZ_E2E=1 they fail instead.
package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Screen is the projector Geometry fits pictures to.
const (
	ScreenW = 1920
	ScreenH = 1080
)

// Timeout bounds one Geometry or Screenshot call.
var Timeout = 60 * time.Second

// Browser is one tab of a headless Chromium, for one test. Its methods may
// be called from several goroutines; they take turns.
type Browser struct {
	mu  sync.Mutex
	ctx context.Context // the tab
}

// Path is the Chromium New starts: $NETVIZ_CHROMIUM, or the first of
// /usr/lib/chromium/chromium (the program Debian's /usr/bin/chromium
// launcher runs, without the flags the launcher adds), /usr/bin/chromium,
// and chromium, chromium-browser, google-chrome on $PATH. "" when there is
// none.
func Path() string {
	if p := os.Getenv("NETVIZ_CHROMIUM"); p != "" {
		return p
	}
	for _, p := range places {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// Where Path looks (tests change them).
var (
	places = []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium"}
	names  = []string{"chromium", "chromium-browser", "google-chrome"}
)

// Enabled reports whether tests were told they must run (NETVIZ_E2E=1).
func Enabled() bool { return os.Getenv("NETVIZ_E2E") == "1" }

// New opens a tab in a headless Chromium, closed when t ends. It skips t
// when there is no Chromium, unless NETVIZ_E2E=1, when it fails t. One
// browser serves every Browser open at the same time (subtests, parallel
// tests); call New once in a parent test and share it, or use Main, to
// start Chromium only once.
func New(t testing.TB) *Browser {
	t.Helper()
	exe := Path()
	if exe == "" {
		if Enabled() {
			t.Fatal("NETVIZ_E2E=1 but no Chromium: install Debian's chromium (apt-get install chromium) or set NETVIZ_CHROMIUM to the browser")
		}
		t.Skip("browser test: needs Chromium (apt-get install chromium, or NETVIZ_CHROMIUM=/path/to/chrome); NETVIZ_E2E=1 makes its absence a failure")
	}
	if fi, err := os.Stat(exe); err != nil || fi.IsDir() {
		t.Fatalf("Chromium %s: not a program (NETVIZ_CHROMIUM?)", exe)
	}
	bctx, err := acquire(exe)
	if err != nil {
		t.Fatalf("start Chromium %s: %v", exe, err)
	}
	tab, cancel := chromedp.NewContext(bctx)
	b := &Browser{ctx: tab}
	t.Cleanup(func() {
		cancel()
		release()
	})
	// A navigation, so that chromedp knows the tab's frame (its DOM
	// bookkeeping needs it once DOM events arrive).
	if err := chromedp.Do(tab, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("open a Chromium tab: %v", err)
	}
	return b
}

// The browser all open Browsers share, started on first use and closed
// when the last one closes (or when Main returns).
var shared struct {
	sync.Mutex
	refs   int
	keep   bool
	ctx    context.Context // the browser's first context
	cancel func()
}

func acquire(exe string) (context.Context, error) {
	shared.Lock()
	defer shared.Unlock()
	if shared.ctx == nil {
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(exe),
			chromedp.DisableGPU,
			// Text as netviz's PNG draws it: outlines unhinted, grey
			// anti-aliasing.
			chromedp.Flag("font-render-hinting", "none"),
			chromedp.Flag("disable-lcd-text", true),
			// Nothing leaves the machine: no name resolves but the
			// loopback address a test serves a page on, no updates.
			chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-domain-reliability", true),
			chromedp.Flag("no-pings", true),
			chromedp.Flag("disable-crash-reporter", true),
		)
		actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, bcancel := chromedp.NewContext(actx)
		if err := chromedp.Do(bctx); err != nil {
			bcancel()
			acancel()
			return nil, err
		}
		shared.ctx = bctx
		shared.cancel = func() { bcancel(); acancel() }
	}
	shared.refs++
	return shared.ctx, nil
}

func release() {
	shared.Lock()
	defer shared.Unlock()
	shared.refs--
	closeIdle()
}

// closeIdle stops the browser when nothing uses it; shared is locked.
func closeIdle() {
	if shared.refs == 0 && !shared.keep && shared.cancel != nil {
		shared.cancel()
		shared.ctx, shared.cancel = nil, nil
	}
}

// Main runs a test binary's tests keeping one Chromium for all of them
// (started by the first New), and stops it at the end:
//
//	func TestMain(m *testing.M) { os.Exit(browsertest.Main(m)) }
func Main(m *testing.M) int {
	shared.Lock()
	shared.keep = true
	shared.Unlock()
	defer func() {
		shared.Lock()
		shared.keep = false
		closeIdle()
		shared.Unlock()
	}()
	return m.Run()
}

// Rect is a box on the screen, in CSS pixels.
type Rect struct{ X, Y, W, H float64 }

// Right is X+W, Bottom Y+H.
func (r Rect) Right() float64  { return r.X + r.W }
func (r Rect) Bottom() float64 { return r.Y + r.H }

// overlap is how far r and o overlap on each axis (≤ 0: they do not).
func (r Rect) overlap(o Rect) (dx, dy float64) {
	return math.Min(r.Right(), o.Right()) - math.Max(r.X, o.X), math.Min(r.Bottom(), o.Bottom()) - math.Max(r.Y, o.Y)
}

func (r Rect) String() string {
	return fmt.Sprintf("(%.1f,%.1f %.1f×%.1f)", r.X, r.Y, r.W, r.H)
}

// Geometry is what Chromium drew of an SVG scaled to fit a 1920×1080
// screen (aspect kept, centred), in screen pixels.
type Geometry struct {
	// Scale is screen pixels per SVG unit; Picture is where the SVG's
	// viewBox lies on the screen.
	Scale   float64
	Picture Rect
	// Nodes are the g.node groups, in document order.
	Nodes []Node
	// Texts are all <text> elements, in document order.
	Texts []Text
	// Shapes are the other drawn elements: rect, polyline, polygon, line,
	// path, circle, ellipse (not the background).
	Shapes []Shape
	// FontFaces are the @font-face rules the document declares and whether
	// the browser loaded them; Fonts the fonts the browser drew text with.
	FontFaces []FontFace
	Fonts     []FontUse
}

// Node is one g.node group: a box whose first rect child is its shape.
type Node struct {
	Obj, ID, Class string
	Data           map[string]string
	// Shape is the first rect child's box (the group's box when it has
	// none, HasShape false).
	Shape    Rect
	HasShape bool
	// Parent is the index of the g.node it lies in, or -1.
	Parent int
}

// Name is how problems name the node.
func (n *Node) Name() string {
	switch {
	case n.Obj != "":
		return "node " + quote(n.Obj)
	case n.ID != "":
		return "node #" + quote(n.ID)
	}
	return "node (no data-obj)"
}

// Text is one <text> as drawn.
type Text struct {
	S string
	// Box is the text's client rect: its advance width by the font's
	// ascent plus descent, the bounding box of that when rotated.
	Box Rect
	// Px is its font size on the screen; Weight the CSS font weight.
	Px     float64
	Weight string
	// Rotate is its rotation in degrees, clockwise.
	Rotate float64
	// Family is the computed font-family.
	Family string
	// Obj is the nearest data-obj around it (its own included).
	Obj string
	// Node is the index of the innermost g.node it lies in, or -1.
	Node int
	// Fonts are the fonts Chromium drew its glyphs with.
	Fonts []FontUse
}

// Name is how problems name the text.
func (t *Text) Name() string { return "text " + quote(t.S) }

// Shape is a drawn element that is not text.
type Shape struct {
	Tag, ID, Class, Obj string
	Box                 Rect
	Node                int
}

// FontFace is one @font-face rule: its family, weight, and whether it
// loaded ("loaded", "error", "unloaded").
type FontFace struct{ Family, Weight, Status string }

// FontUse is a font Chromium drew glyphs with; Custom when it came from an
// @font-face rule, not from the system.
type FontUse struct {
	Family, PostScript string
	Custom             bool
	Glyphs             int
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return strings.ReplaceAll(string(b), `\u0026`, "&")
}

const pageHTML = `<!DOCTYPE html><html><head><meta charset="utf-8"><style>
html,body{margin:0;padding:0;background:#fff;overflow:hidden}
#host{width:%dpx;height:%dpx}
#host>svg{display:block}
</style></head><body><div id="host"></div></body></html>`

// loadJS puts the SVG (parsed as XML) into #host, at fit (1920×1080, the
// viewBox scaled to fit) or its own size, and waits for its fonts and a
// paint.
const loadJS = `(async (src, fit) => {
  const doc = new DOMParser().parseFromString(src, "image/svg+xml");
  const bad = doc.getElementsByTagName("parsererror")[0];
  if (bad) return "the SVG is not well-formed XML: " + bad.textContent.slice(0, 300);
  const svg = document.importNode(doc.documentElement, true);
  if (svg.namespaceURI !== "http://www.w3.org/2000/svg" || svg.localName !== "svg") return "not an SVG document";
  const host = document.getElementById("host");
  host.replaceChildren(svg);
  if (fit) {
    if (!svg.getAttribute("viewBox")) {
      svg.setAttribute("viewBox", "0 0 " + svg.width.baseVal.value + " " + svg.height.baseVal.value);
    }
    svg.style.width = "%dpx"; svg.style.height = "%dpx";
  }
  document.body.offsetHeight;
  for (const t of svg.querySelectorAll("text")) t.getComputedTextLength();
  await document.fonts.ready;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return "";
})`

const measureJS = `(() => {
  const svg = document.querySelector("#host>svg");
  const R = r => ({X: r.x, Y: r.y, W: r.width, H: r.height});
  const ctm = svg.getScreenCTM();
  const vb = svg.viewBox.baseVal;
  const els = [...svg.querySelectorAll("g.node")];
  const idx = new Map(els.map((g, i) => [g, i]));
  const owner = (el, self) => {
    for (let p = self ? el : el.parentElement; p && p !== svg; p = p.parentElement) if (idx.has(p)) return idx.get(p);
    return -1;
  };
  const obj = el => { const o = el.closest("[data-obj]"); return o && svg.contains(o) ? o.dataset.obj : ""; };
  const nodes = els.map(g => {
    const s = g.querySelector(":scope > rect");
    return {Obj: g.dataset.obj || "", ID: g.id, Class: g.getAttribute("class") || "", Data: Object.assign({}, g.dataset),
      Shape: R((s || g).getBoundingClientRect()), HasShape: !!s, Parent: owner(g, false)};
  });
  const texts = [...svg.querySelectorAll("text")].map(t => {
    const cs = getComputedStyle(t), m = t.getScreenCTM();
    const s = [...t.childNodes].filter(n => n.nodeType === 3).map(n => n.data).join("");
    return {S: s, Box: R(t.getBoundingClientRect()), Px: parseFloat(cs.fontSize) * Math.hypot(m.a, m.b), Weight: cs.fontWeight,
      Rotate: Math.atan2(m.b, m.a) * 180 / Math.PI - Math.atan2(ctm.b, ctm.a) * 180 / Math.PI,
      Family: cs.fontFamily, Obj: obj(t), Node: owner(t, false)};
  });
  const bg = svg.querySelector(":scope > rect");
  const shapes = [...svg.querySelectorAll("rect,polyline,polygon,line,path,circle,ellipse")]
    .filter(e => !(e === bg && e.getAttribute("width") === "100%"))
    .map(e => ({Tag: e.localName, ID: e.id, Class: e.getAttribute("class") || "", Obj: obj(e), Box: R(e.getBoundingClientRect()), Node: owner(e, false)}));
  const faces = [...document.fonts].map(f => ({Family: f.family.replace(/^"|"$/g, ""), Weight: String(f.weight), Status: f.status}));
  return {Scale: ctm.a, Picture: {X: ctm.e + vb.x * ctm.a, Y: ctm.f + vb.y * ctm.d, W: vb.width * ctm.a, H: vb.height * ctm.d},
    Nodes: nodes, Texts: texts, Shapes: shapes, FontFaces: faces};
})()`

// load puts svg into the tab at fit or natural size; the viewport is
// w×h CSS pixels at device scale dsf.
func (b *Browser) load(ctx context.Context, svg []byte, fit bool, w, h int64, dsf float64) error {
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: w, Height: h, DeviceScaleFactor: dsf,
	}); err != nil {
		return fmt.Errorf("set viewport: %w", err)
	}
	tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		return fmt.Errorf("frame tree: %w", err)
	}
	if _, err := chromedp.Call(ctx, page.SetDocumentContent, page.SetDocumentContentParams{
		FrameID: tree.FrameTree.Frame.ID, HTML: fmt.Sprintf(pageHTML, w, h),
	}); err != nil {
		return fmt.Errorf("set page: %w", err)
	}
	src, err := json.Marshal(string(svg))
	if err != nil {
		return err
	}
	msg, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		fmt.Sprintf(loadJS, ScreenW, ScreenH)+"("+string(src)+","+fmt.Sprint(fit)+")", chromedp.EvalAwaitPromise))
	if err != nil {
		return fmt.Errorf("load the SVG: %w", err)
	}
	if msg != "" {
		return errors.New(msg)
	}
	return nil
}

// Geometry loads svg scaled to fit a 1920×1080 screen and measures it.
func (b *Browser) Geometry(svg []byte) (*Geometry, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	if err := b.load(ctx, svg, true, ScreenW, ScreenH, 1); err != nil {
		return nil, err
	}
	g, err := chromedp.Run(ctx, chromedp.Evaluate[*Geometry](measureJS))
	if err != nil {
		return nil, fmt.Errorf("measure: %w", err)
	}
	if err := b.fonts(ctx, g); err != nil {
		return nil, err
	}
	return g, nil
}

// fonts asks the browser which fonts it drew each text with.
func (b *Browser) fonts(ctx context.Context, g *Geometry) error {
	if _, err := chromedp.Call(ctx, dom.Enable, dom.EnableParams{}); err != nil {
		return fmt.Errorf("DOM.enable: %w", err)
	}
	if _, err := chromedp.Call(ctx, css.Enable, cdp.Empty{}); err != nil {
		return fmt.Errorf("CSS.enable: %w", err)
	}
	doc, err := chromedp.Call(ctx, dom.GetDocument, dom.GetDocumentParams{})
	if err != nil {
		return fmt.Errorf("DOM.getDocument: %w", err)
	}
	res, err := chromedp.Call(ctx, dom.QuerySelectorAll, dom.QuerySelectorAllParams{NodeID: doc.Root.NodeID, Selector: "#host>svg text"})
	if err != nil {
		return fmt.Errorf("DOM.querySelectorAll: %w", err)
	}
	if len(res.NodeIDs) != len(g.Texts) {
		return fmt.Errorf("found %d texts by DOM, %d by script", len(res.NodeIDs), len(g.Texts))
	}
	total := map[FontUse]int{}
	var order []FontUse
	for i, id := range res.NodeIDs {
		pf, err := chromedp.Call(ctx, css.GetPlatformFontsForNode, css.GetPlatformFontsForNodeParams{NodeID: id})
		if err != nil {
			return fmt.Errorf("CSS.getPlatformFontsForNode: %w", err)
		}
		for _, f := range pf.Fonts {
			u := FontUse{Family: f.FamilyName, PostScript: f.PostScriptName, Custom: f.IsCustomFont, Glyphs: int(f.GlyphCount)}
			g.Texts[i].Fonts = append(g.Texts[i].Fonts, u)
			k := u
			k.Glyphs = 0
			if _, ok := total[k]; !ok {
				order = append(order, k)
			}
			total[k] += u.Glyphs
		}
	}
	for _, k := range order {
		k.Glyphs = total[k]
		g.Fonts = append(g.Fonts, k)
	}
	return nil
}

// Screenshot is what Chromium draws of svg at its own size (its width and
// height attributes) times scale, the device scale factor.
func (b *Browser) Screenshot(svg []byte, scale float64) (image.Image, error) {
	if !(scale > 0) || math.IsInf(scale, 0) {
		return nil, fmt.Errorf("screenshot scale %v: must be a positive number", scale)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	// Size the viewport to the picture first: load at a nominal size,
	// read the SVG's size, then again at that size.
	if err := b.load(ctx, svg, false, 16, 16, 1); err != nil {
		return nil, err
	}
	size, err := chromedp.Run(ctx, chromedp.Evaluate[[2]float64](
		`(() => { const r = document.querySelector("#host>svg").getBoundingClientRect(); return [r.width, r.height]; })()`))
	if err != nil {
		return nil, fmt.Errorf("picture size: %w", err)
	}
	w, h := int64(math.Ceil(size[0]-1e-6)), int64(math.Ceil(size[1]-1e-6))
	if w <= 0 || h <= 0 || float64(w)*float64(h)*scale*scale > 64e6 {
		return nil, fmt.Errorf("screenshot of %d×%d at scale %v: empty or over 64 megapixels", w, h, scale)
	}
	if err := b.load(ctx, svg, false, w, h, scale); err != nil {
		return nil, err
	}
	shot, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format: page.CaptureScreenshotFormatPng, FromSurface: new(true),
	})
	if err != nil {
		return nil, fmt.Errorf("screenshot: %w", err)
	}
	img, err := png.Decode(bytes.NewReader(shot.Data))
	if err != nil {
		return nil, fmt.Errorf("screenshot: %w", err)
	}
	return img, nil
}

// Run runs one chromedp action in b's tab — on a page the test serves
// itself, say — and returns its value, taking its turn with b's other
// methods, within Timeout.
func Run[T any](b *Browser, a chromedp.Action[T]) (T, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	return chromedp.Run(ctx, a)
}
