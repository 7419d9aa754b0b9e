package web_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"golang.org/x/tools/txtar"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/lint"
	"github.com/ucbootstrap/ucbootstrap/web"
)

var update = flag.Bool("update", false, "rewrite docs/page.png, the README's screenshot of the page")

// cli is what the CLI does with a payload file, through the library it
// calls: decode it under the name the page gives it, and generate.
type cli struct {
	t    *testing.T
	name string // the name diagnostics give the payload
	data []byte
	opts []ucbootstrap.Option // of Decode, such as Lenient
}

func readPayload(t *testing.T, path, name string) cli {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return cli{t: t, name: name, data: data}
}

// pastedName is the name the page gives pasted text.
func pastedName(base string, data []byte) string {
	if t := strings.TrimSpace(string(data)); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		return base + ".json"
	}
	return base + ".yaml"
}

func (c cli) decode() (*ucbootstrap.Integration, ucbootstrap.Diagnostics) {
	in, err := ucbootstrap.Decode(c.name, c.data, c.opts...)
	if err != nil {
		var ds ucbootstrap.Diagnostics
		if !errors.As(err, &ds) {
			c.t.Fatal(err)
		}
		return nil, ds
	}
	return in, in.Warnings()
}

// generate returns the script "ucbootstrap generate" writes, or the
// message it prints when there is none.
func (c cli) generate(kind generator.Kind, opts ...generator.Option) (script, message string) {
	c.t.Helper()
	in, ds := c.decode()
	if in == nil {
		c.t.Fatalf("%s: invalid: %v", c.name, ds)
	}
	s, err := generator.Generate(in, kind, opts...)
	if err != nil {
		var lines []string
		for l := range strings.SplitSeq(err.Error(), "\n") {
			lines = append(lines, "ucbootstrap: "+c.name+": "+l)
		}
		return "", strings.Join(lines, "\n")
	}
	var b strings.Builder
	if err := s.Render(&b); err != nil {
		c.t.Fatal(err)
	}
	return b.String(), ""
}

// problems returns the diagnostics the page lists under the editor of
// box ("payload-problems"): the text of each, errors first.
func (p *page) problems(box string) []string {
	p.t.Helper()
	return eval[[]string](p, `Array.from(document.querySelectorAll("#`+box+` li .text"), (e) => e.textContent)`)
}

func diagStrings(ds ucbootstrap.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		if d.Severity == ucbootstrap.Error {
			out = append(out, d.String())
		}
	}
	for _, d := range ds {
		if d.Severity != ucbootstrap.Error {
			out = append(out, d.String())
		}
	}
	return out
}

func equalLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\ngot:\n%s\nwant:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestVendorPayload pastes the vendor document's payload, whose
// workspaceUrl is a Markdown link, sees the error at its line and column,
// fixes it with the keyboard, and downloads the script: it is the CLI's,
// byte for byte.
func TestVendorPayload(t *testing.T) {
	p := openPage(t, serve(t), 1280, 900)
	ar, err := txtar.ParseFile("../testdata/decode/url_markdown_link.txtar")
	if err != nil {
		t.Fatal(err)
	}
	var payload, golden []byte
	for _, f := range ar.Files {
		switch f.Name {
		case "payload.yaml":
			payload = f.Data
		case "diagnostics":
			golden = f.Data
		}
	}
	p.paste("payload", string(payload))

	// The CLI's message, at its line and column.
	c := cli{t: t, name: "payload.yaml", data: payload}
	_, ds := c.decode()
	want := diagStrings(ds)
	equalLines(t, "the page's diagnostics, against the CLI's", p.problems("payload-problems"), want)
	equalLines(t, "the page's diagnostics, against the golden of testdata/decode", p.problems("payload-problems"), strings.Split(strings.TrimSpace(string(golden)), "\n"))
	if got := eval[string](p, `document.getElementById("payload-status").textContent`); got != "payload.yaml: 1 error" {
		t.Errorf("status %q, want the CLI's count line %q", got, "payload.yaml: 1 error")
	}
	if got := eval[string](p, `document.getElementById("payload").getAttribute("aria-invalid")`); got != "true" {
		t.Errorf("aria-invalid=%q, want true", got)
	}
	// Marked in the editor: the value, from 4:17 to the end of line 4, and
	// line 4 in the gutter.
	lines := strings.Split(string(payload), "\n")
	wantMark := lines[3][16:]
	if got := eval[[]string](p, `Array.from(document.querySelectorAll("#payload-editor .backdrop mark.error"), (e) => e.textContent)`); len(got) != 1 || got[0] != wantMark {
		t.Errorf("marks %q, want [%q]", got, wantMark)
	}
	if got := eval[[]string](p, `Array.from(document.querySelectorAll("#payload-editor .gutter .error"), (e) => e.textContent)`); len(got) != 1 || got[0] != "4" {
		t.Errorf("gutter marks lines %q, want [4]", got)
	}
	if got := p.script(); got != "" {
		t.Errorf("a script is shown for an invalid payload:\n%s", got)
	}
	p.screenshot("vendor-payload-error.png")

	// The button of the problem puts the caret on it, with the bad value
	// selected; typing replaces it.
	if got := eval[string](p, `document.querySelector("#payload-problems li button.goto").getAttribute("aria-label")`); got != "Go to line 4, column 17" {
		t.Errorf("goto button label %q", got)
	}
	p.click("#payload-problems li button.goto")
	start := len(strings.Join(lines[:3], "\n")) + 1 + 16
	sel := eval[[]int](p, `(() => { const t = document.getElementById("payload"); return [t.selectionStart, t.selectionEnd, document.activeElement === t ? 1 : 0]; })()`)
	if sel[0] != start || sel[1] != start+len(wantMark) || sel[2] != 1 {
		t.Errorf("selection %v, want [%d %d 1] (the textarea focused, the value selected)", sel, start, start+len(wantMark))
	}
	p.insert("dbc-1.cloud.databricks.com")
	p.settle()
	fixed := []byte(strings.Replace(string(payload), wantMark, "dbc-1.cloud.databricks.com", 1))
	if got := eval[string](p, `document.getElementById("payload").value`); got != string(fixed) {
		t.Fatalf("payload after the fix:\n%s", got)
	}
	if got := p.problems("payload-problems"); len(got) != 0 {
		t.Errorf("problems after the fix: %q", got)
	}
	c = cli{t: t, name: "payload.yaml", data: fixed}
	wantScript, _ := c.generate(generator.Bootstrap)
	if got := p.script(); got != wantScript {
		t.Errorf("shown script differs from the CLI's:\n%s", diff(got, wantScript))
	}
	name, data := p.download()
	if name != "immuta-bootstrap.sql" {
		t.Errorf("downloaded as %q, want immuta-bootstrap.sql", name)
	}
	if string(data) != wantScript {
		t.Errorf("downloaded script differs from the CLI's:\n%s", diff(string(data), wantScript))
	}
}

// TestOpenFile opens the README's bad.yaml with the file input: the page
// shows every problem at once, named bad.yaml, as "ucbootstrap validate"
// does.
func TestOpenFile(t *testing.T) {
	p := openPage(t, serve(t), 1280, 900)
	path, err := filepath.Abs("testdata/bad.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p.do(chromedp.SetUploadFiles(chromedp.ID("payload-file"), []string{path}))
	p.do(chromedp.Poll[chromedp.Void](`document.getElementById("payload").value !== ""`))
	p.settle()
	c := readPayload(t, "testdata/bad.yaml", "bad.yaml")
	_, ds := c.decode()
	equalLines(t, "diagnostics", p.problems("payload-problems"), diagStrings(ds))
	if got := eval[string](p, `document.getElementById("payload-status").textContent`); got != "bad.yaml: 3 errors" {
		t.Errorf("status %q, want bad.yaml: 3 errors", got)
	}
	if got := eval[int](p, `document.querySelectorAll("#payload-editor .backdrop mark.error").length`); got != 3 {
		t.Errorf("%d marks, want 3", got)
	}
}

// The old payloads of the edit scripts: each example less a data source
// (and, for audit-enabled, with audit off).
func editFrom(example string) string {
	return filepath.Join("testdata", "edit", filepath.Base(example))
}

// TestExamples pastes each example payload, picks each kind of script, and
// compares the script the page shows and the one it downloads with the
// CLI's, byte for byte; where the CLI has no script, the page gives its
// message.
func TestExamples(t *testing.T) {
	examples, err := filepath.Glob("../examples/payloads/*")
	if err != nil || len(examples) == 0 {
		t.Fatalf("no example payloads: %v", err)
	}
	p := openPage(t, serve(t), 1280, 900)
	kinds := []struct {
		name   string
		kind   generator.Kind
		revoke bool
	}{
		{"bootstrap", generator.Bootstrap, false},
		{"prerequisites", generator.Prerequisites, false},
		{"edit", generator.Edit, false},
		{"cleanup", generator.Cleanup, false},
		{"cleanup-revoke", generator.Cleanup, true},
	}
	compared := 0
	for _, ex := range examples {
		data, err := os.ReadFile(ex)
		if err != nil {
			t.Fatal(err)
		}
		c := cli{t: t, name: pastedName("payload", data), data: data}
		p.paste("payload", string(data))
		for _, k := range kinds {
			t.Run(filepath.Base(ex)+"/"+k.name, func(t *testing.T) {
				p := p.on(t)
				c.t = t
				p.chooseKind(string(k.kind), k.revoke)
				var opts []generator.Option
				if k.kind == generator.Edit {
					old := readPayload(t, editFrom(ex), "")
					old.name = pastedName("previous-payload", old.data)
					p.paste("from", string(old.data))
					in, ds := old.decode()
					if in == nil {
						t.Fatalf("old payload invalid: %v", ds)
					}
					opts = append(opts, generator.From(in))
				}
				if k.revoke {
					opts = append(opts, generator.RevokeGrants())
				}
				want, message := c.generate(k.kind, opts...)
				if message != "" {
					got := eval[string](p, `document.getElementById("script-error").textContent`)
					if got != message {
						t.Errorf("message %q, want the CLI's %q", got, message)
					}
					if s := p.script(); s != "" {
						t.Errorf("a script is shown where the CLI has none:\n%s", s)
					}
					return
				}
				if got := p.script(); got != want {
					t.Fatalf("shown script differs from the CLI's:\n%s", diff(got, want))
				}
				name, dl := p.download()
				in, _ := c.decode()
				if wantName := in.Config.CatalogName() + "-" + string(k.kind) + ".sql"; name != wantName {
					t.Errorf("downloaded as %q, want %q", name, wantName)
				}
				if string(dl) != want {
					t.Fatalf("downloaded script differs from the CLI's:\n%s", diff(string(dl), want))
				}
				compared++
			})
		}
	}
	// Every example has a bootstrap, edit, cleanup and cleanup-revoke
	// script; only automatic setup has prerequisites.
	if min := 4 * len(examples); compared < min {
		t.Errorf("%d scripts compared, want at least %d", compared, min)
	}
}

// TestLintPane lints a hand-edited script: the generated script with the
// hand-over of the catalog taken out and a grant of the governance catalog
// to someone else added. The findings are the CLI's, at their lines, each
// code a link to its rule.
func TestLintPane(t *testing.T) {
	p := openPage(t, serve(t), 1280, 900)
	c := readPayload(t, "../examples/payloads/manual-token.yaml", "payload.yaml")
	p.paste("payload", string(c.data))
	p.click("#to-lint")
	if got := eval[string](p, `document.getElementById("lint-status").textContent`); !strings.HasPrefix(got, "No findings") {
		t.Errorf("lint of the generated script: %q, want no findings", got)
	}
	script, _ := c.generate(generator.Bootstrap)
	var kept []string
	for l := range strings.SplitSeq(script, "\n") {
		if !strings.HasPrefix(l, "ALTER CATALOG ") {
			kept = append(kept, l)
		}
	}
	edited := strings.Join(kept, "\n") + "GRANT SELECT ON CATALOG `immuta` TO `someone@example.com`;\n"
	if len(kept) == len(strings.Split(script, "\n")) {
		t.Fatal("the generated script has no ALTER CATALOG line to take out")
	}
	p.paste("lint-script", edited)

	in, _ := c.decode()
	ds, err := lint.Run("immuta-bootstrap.sql", []byte(edited), in, generator.Bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) == 0 {
		t.Fatal("lint finds nothing in the edited script: the test needs a finding")
	}
	var want, wantURLs []string
	for _, d := range ds {
		want = append(want, d.String())
		wantURLs = append(wantURLs, lint.Lookup(d.Code).URL)
	}
	// Errors are listed before warnings.
	got := p.problems("lint-problems")
	if len(got) != len(want) {
		t.Fatalf("lint pane lists:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, w := range want {
		if !strings.Contains(strings.Join(got, "\n")+"\n", w+"\n") {
			t.Errorf("lint pane does not list %q; it lists:\n%s", w, strings.Join(got, "\n"))
		}
	}
	urls := eval[[]string](p, `Array.from(document.querySelectorAll("#lint-problems li a.code"), (a) => a.href)`)
	for _, u := range wantURLs {
		if !strings.Contains(strings.Join(urls, " ")+" ", u+" ") {
			t.Errorf("no link to %s among %q", u, urls)
		}
	}
	if n := eval[int](p, `document.querySelectorAll("#lint-editor .backdrop mark, #lint-editor .backdrop .point").length`); n == 0 {
		t.Error("no finding is marked in the lint editor")
	}
	p.click("#lint-problems li button.goto")
	png, err := chromedp.Run(p.ctx, chromedp.Screenshot(chromedp.ID("lint-panel")))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(artifacts(t), "lint-pane.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestKeyboard uses the page with the keyboard alone: Tab reaches every
// control in order, the kind is chosen with the arrow keys, and Enter on
// the download button downloads the script. Every control has a label.
func TestKeyboard(t *testing.T) {
	p := openPage(t, serve(t), 1280, 900)
	unlabelled := eval[[]string](p, `Array.from(document.querySelectorAll("input, textarea, button, select, a[href]"))
		.filter((e) => {
			if (e.closest("[hidden]")) return false;
			if (e.getAttribute("aria-label") || e.getAttribute("aria-labelledby")) return false;
			if (e.labels && e.labels.length > 0 && Array.from(e.labels).some((l) => l.textContent.trim())) return false;
			if ((e.tagName === "BUTTON" || e.tagName === "A") && e.textContent.trim()) return false;
			return true;
		})
		.map((e) => e.outerHTML.slice(0, 80))`)
	for _, e := range unlabelled {
		t.Errorf("no label: %s", e)
	}

	// Tab from the top: the skip link, then into the payload.
	p.do(chromedp.KeyEvent(kb.Tab))
	if got := eval[string](p, `document.activeElement.className`); got != "skip" {
		t.Fatalf("first Tab focuses %q, want the skip link", got)
	}
	p.do(chromedp.KeyEvent(kb.Enter))
	p.do(chromedp.KeyEvent(kb.Tab))
	order := []string{}
	for range 12 {
		order = append(order, eval[string](p, `document.activeElement.id || document.activeElement.name || document.activeElement.tagName`))
		p.do(chromedp.KeyEvent(kb.Tab))
	}
	t.Logf("tab order: %q", order)
	for _, id := range []string{"payload", "lenient", "kind"} {
		found := false
		for _, o := range order {
			found = found || o == id
		}
		if !found {
			t.Errorf("Tab does not reach %s: %q", id, order)
		}
	}

	// Type the payload, choose cleanup with the arrow keys, download with
	// Enter.
	data, err := os.ReadFile("../examples/payloads/auto-token.json")
	if err != nil {
		t.Fatal(err)
	}
	p.do(chromedp.Focus(chromedp.ID("payload")))
	p.insert(string(data))
	p.settle()
	p.do(chromedp.Focus(chromedp.CSS(`input[name=kind]:checked`)))
	for range 3 {
		p.do(chromedp.KeyEvent(kb.ArrowDown))
	}
	p.settle()
	if got := eval[string](p, `document.querySelector("input[name=kind]:checked").value`); got != "cleanup" {
		t.Fatalf("three ArrowDown from bootstrap chose %q, want cleanup", got)
	}
	p.do(chromedp.KeyEvent(kb.Tab)) // the revoke option, enabled for cleanup
	if got := eval[string](p, `document.activeElement.id`); got != "revoke" {
		t.Errorf("Tab after the kind focuses %q, want revoke", got)
	}
	p.do(chromedp.KeyEvent(" "))
	p.settle()
	c := cli{t: t, name: "payload.json", data: data}
	want, _ := c.generate(generator.Cleanup, generator.RevokeGrants())
	if got := p.script(); got != want {
		t.Fatalf("script differs from the CLI's cleanup --revoke-grants:\n%s", diff(got, want))
	}
	// Tab on to the runner and type a name: the script first makes that
	// person the catalog's owner, as generate --runner does.
	p.do(chromedp.KeyEvent(kb.Tab))
	if got := eval[string](p, `document.activeElement.id`); got != "runner" {
		t.Errorf("Tab after the revoke option focuses %q, want runner", got)
	}
	p.insert("admin@example.com")
	p.settle()
	want, _ = c.generate(generator.Cleanup, generator.RevokeGrants(), generator.Runner("admin@example.com"))
	if got := p.script(); got != want || !strings.Contains(got, "OWNER TO `admin@example.com`") {
		t.Fatalf("script differs from the CLI's cleanup --revoke-grants --runner admin@example.com:\n%s", diff(got, want))
	}
	p.do(chromedp.Focus(chromedp.ID("download")))
	if got := eval[bool](p, `document.activeElement.matches(":focus-visible") || getComputedStyle(document.activeElement).outlineStyle !== "none"`); !got {
		t.Error("the focused download button shows no focus")
	}
	name, dl := p.downloadWith(func() { p.do(chromedp.KeyEvent(kb.Enter)) })
	if name != "immuta-cleanup.sql" || string(dl) != want {
		t.Errorf("Enter on download gave %q (%d bytes), want immuta-cleanup.sql (%d bytes)", name, len(dl), len(want))
	}
}

// contrastJS measures the contrast ratio (WCAG 2) of the colour of each
// visible text with its background (the first opaque one up the tree), and
// returns how many it measured and those under 4.5:1 (3:1 for large text).
const contrastJS = `(() => {
	const rgb = (s) => { const m = s.match(/rgba?\(([^)]+)\)/); if (!m) return null; const v = m[1].split(",").map(Number); return { r: v[0], g: v[1], b: v[2], a: v.length > 3 ? v[3] : 1 }; };
	const lum = (c) => { const f = (x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
	const bg = (e) => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c && c.a > 0.5) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
	const bad = [];
	let checked = 0;
	const all = document.querySelectorAll("body *");
	for (const e of all) {
		if (e.closest("[hidden], .backdrop, .gutter") && !e.closest(".gutter")) continue;
		const own = Array.from(e.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
		if (!own || e.getClientRects().length === 0) continue;
		const st = getComputedStyle(e);
		if (st.visibility === "hidden" || e.closest(".skip")) continue;
		const fg = rgb(st.color), b = bg(e);
		const l1 = lum(fg), l2 = lum(b);
		const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
		const size = parseFloat(st.fontSize), bold = Number(st.fontWeight) >= 700;
		const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
		checked++;
		if (ratio < need) bad.push(e.tagName + "." + e.className + " " + st.color + " on " + JSON.stringify(b) + ": " + ratio.toFixed(2));
	}
	return { checked, bad };
})()`

// TestContrast measures the contrast of every text of the page with a
// script, problems and lint findings shown.
func TestContrast(t *testing.T) {
	p := openPage(t, serve(t), 1280, 900)
	c := readPayload(t, "../examples/payloads/manual-token.yaml", "payload.yaml")
	p.paste("payload", string(c.data)+"  unknownKey: 1\n")
	p.click("#lenient")
	p.click("#to-lint")
	p.paste("lint-script", "GRANT SELECT ON CATALOG `immuta` TO `someone`;\nREVOKE ALL PRIVILEGES ON CATALOG `immuta` FORM `account users`;\n")
	if n := eval[int](p, `document.querySelectorAll("#payload-problems li.warning").length`); n == 0 {
		t.Error("no warning shown for the unknown key with --lenient")
	}
	res := eval[struct {
		Checked int
		Bad     []string
	}](p, contrastJS)
	t.Logf("%d texts measured", res.Checked)
	if res.Checked < 100 {
		t.Errorf("only %d texts measured: the page with a script, problems and findings has more", res.Checked)
	}
	for _, b := range res.Bad {
		t.Errorf("contrast too low: %s", b)
	}
}

// TestNarrowScreen shows a script on a phone-sized screen: nothing is wider
// than the screen.
func TestNarrowScreen(t *testing.T) {
	p := openPage(t, serve(t), 390, 844)
	c := readPayload(t, "../examples/payloads/manual-token.yaml", "payload.yaml")
	p.paste("payload", string(c.data))
	if got := eval[[]int](p, `[document.documentElement.scrollWidth, window.innerWidth]`); got[0] > got[1] {
		t.Errorf("the page is %dpx wide on a %dpx screen", got[0], got[1])
	}
	wide := eval[[]string](p, `Array.from(document.querySelectorAll("main > *, header, footer, .actions, .editor, #script")).filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => e.id || e.className)`)
	for _, w := range wide {
		t.Errorf("%s goes past the right edge of the screen", w)
	}
	if s := p.script(); s == "" {
		t.Error("no script shown")
	}
	p.screenshot("page-narrow.png")
}

// TestScreenshot takes the screenshot of the page with a script shown;
// -update writes it to docs/page.png too, for the README.
func TestScreenshot(t *testing.T) {
	p := openPage(t, serve(t), 1280, 860)
	c := readPayload(t, "../examples/payloads/manual-token.yaml", "payload.yaml")
	p.paste("payload", string(c.data))
	p.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("payload").setSelectionRange(0, 0); document.getElementById("payload").scrollTop = 0; document.activeElement.blur()`))
	want, _ := c.generate(generator.Bootstrap)
	if got := p.script(); got != want {
		t.Fatalf("script differs from the CLI's:\n%s", diff(got, want))
	}
	p.screenshot("page-full.png")
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(artifacts(t), "page.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("../docs/page.png", png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// diff returns the first line where got and want differ.
func diff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		if i >= len(g) || i >= len(w) || g[i] != w[i] {
			line := func(l []string) string {
				if i < len(l) {
					return strconv.Quote(l[i])
				}
				return "(no line)"
			}
			return fmt.Sprintf("line %d:\n  got:  %s\n  want: %s\n(%d bytes, want %d)", i+1, line(g), line(w), len(got), len(want))
		}
	}
	return fmt.Sprintf("(%d bytes, want %d)", len(got), len(want))
}

// TestStaticBundle builds the static bundle with the documented command
// and opens it from the file system: the page works there too, loads only
// its own files, and gives the CLI's script.
func TestStaticBundle(t *testing.T) {
	chromiumPath(t) // before the build: skip or fail at once
	dir := t.TempDir()
	cmd := exec.Command("go", "run", "./build", "-o", dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run ./web/build -o DIR: %v\n%s", err, out)
	}
	t.Logf("%s", out)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"app.js", "favicon.svg", "index.html", "style.css", "ucb.wasm.js", "ucb.wasm.js.gz", "wasm_exec.js"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("bundle files %q, want %q", names, want)
	}
	// The bundle's files are the handler's.
	for _, name := range want {
		if name == "ucb.wasm.js.gz" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		path := "/" + name
		if name == "index.html" {
			path = "/"
		}
		if got := body(t, get(t, web.Handler(), "GET", path)); !bytes.Equal(got, data) {
			t.Errorf("the bundle's %s differs from the one web.Handler serves", name)
		}
	}

	p := openPage(t, fileURL(t, filepath.Join(dir, "index.html")), 1280, 900)
	c := readPayload(t, "../examples/payloads/manual-oauth.json", "payload.json")
	p.paste("payload", string(c.data))
	wantScript, _ := c.generate(generator.Bootstrap)
	if got := p.script(); got != wantScript {
		t.Errorf("the bundle's script differs from the CLI's:\n%s", diff(got, wantScript))
	}
	name, dl := p.download()
	if name != "immuta-bootstrap.sql" || string(dl) != wantScript {
		t.Errorf("downloaded %q, %d bytes; want immuta-bootstrap.sql, %d bytes", name, len(dl), len(wantScript))
	}
}

// drop drops the file at path on the element id, as a file dragged from
// the desktop.
func (p *page) drop(id, path string) {
	p.t.Helper()
	box := eval[[]float64](p, `(() => { const r = document.getElementById(`+jsString(id)+`).getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`)
	data := &input.DragData{Files: []string{path}, DragOperationsMask: 1}
	for _, typ := range []input.DispatchDragEventType{input.DispatchDragEventTypeDragEnter, input.DispatchDragEventTypeDragOver, input.DispatchDragEventTypeDrop} {
		if _, err := chromedp.Call(p.ctx, input.DispatchDragEvent, input.DispatchDragEventParams{Type: typ, X: box[0], Y: box[1], Data: data}); err != nil {
			p.t.Fatal(err)
		}
	}
}

// TestDropAndCopy drops files on the editor (the protocol's
// Input.dispatchDragEvent, as a file dragged from the desktop): an image,
// which gets the library's message, then a payload; it checks the
// fingerprint and the note that nothing leaves the page, and copies the
// script with the copy button: the clipboard holds the CLI's script.
func TestDropAndCopy(t *testing.T) {
	base := serve(t)
	p := openPage(t, base, 1280, 900)
	path, err := filepath.Abs("../examples/payloads/audit-enabled.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// A file that is no text: the library's message, from its bytes.
	png, err := filepath.Abs("../docs/page.png")
	if err != nil {
		t.Fatal(err)
	}
	p.drop("payload-editor", png)
	p.do(chromedp.Poll[chromedp.Void](`document.getElementById("payload-status").textContent.startsWith("page.png")`))
	bin := readPayload(t, png, "page.png")
	_, ds := bin.decode()
	if len(ds) == 0 {
		t.Fatal("the library decodes a PNG file without a diagnostic")
	}
	t.Logf("a PNG file: %s", ds[0])
	equalLines(t, "diagnostics of a PNG file", p.problems("payload-problems"), diagStrings(ds))

	p.drop("payload-editor", path)
	p.do(chromedp.Poll[chromedp.Void](`document.getElementById("payload").value !== ""`))
	p.settle()
	c := readPayload(t, path, "audit-enabled.yaml")
	if got := eval[string](p, `document.getElementById("payload").value`); got != string(c.data) {
		t.Fatalf("the dropped file's text is not in the editor:\n%.200s", got)
	}
	if got := eval[string](p, `document.getElementById("payload-status").textContent`); got != "audit-enabled.yaml: valid" {
		t.Errorf("status %q: the page does not name the payload by its file", got)
	}
	in, _ := c.decode()
	if got := eval[string](p, `document.getElementById("fingerprint-panel").hidden ? "" : document.getElementById("fingerprint").textContent`); got != in.Fingerprint() {
		t.Errorf("fingerprint %q, want %q", got, in.Fingerprint())
	}
	if got := eval[string](p, `document.getElementById("fingerprint-panel").textContent`); !strings.Contains(got, "The configure call must send this same payload") {
		t.Errorf("the fingerprint has no reminder that the configure call must send the same payload: %q", got)
	}
	note := eval[[]float64](p, `(() => { const e = document.getElementById("privacy"); const r = e.getBoundingClientRect(); return [r.top, r.height, e.textContent.includes("Nothing leaves this page") ? 1 : 0]; })()`)
	if note[0] < 0 || note[0] > 300 || note[1] == 0 || note[2] != 1 {
		t.Errorf("the note that nothing leaves the page is not shown at the top: %v", note)
	}

	for _, perm := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(p.ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: perm, AllowWithoutSanitization: true},
			Setting:    browser.PermissionSettingGranted, Origin: strings.TrimSuffix(base, "/"),
		}); err != nil {
			t.Fatal(err)
		}
	}
	p.click("#copy")
	p.do(chromedp.Poll[chromedp.Void](`document.getElementById("action-status").textContent !== ""`))
	if got := eval[string](p, `document.getElementById("action-status").textContent`); got != "Copied." {
		t.Errorf("after copy: %q", got)
	}
	got, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := c.generate(generator.Bootstrap)
	if got != want {
		t.Errorf("the clipboard's script differs from the CLI's:\n%s", diff(got, want))
	}
}

// TestHighlightAndGroups checks what the text comparisons cannot see: the
// script is highlighted token by token (keywords, strings, back-quoted
// names, comments), and the payload's errors and warnings are listed in
// groups of their own, each under a heading with its count.
func TestHighlightAndGroups(t *testing.T) {
	p := openPage(t, serve(t), 1280, 900)
	c := readPayload(t, "../examples/payloads/manual-token.yaml", "payload.yaml")
	p.paste("payload", string(c.data))

	type span struct{ Class, Text string }
	spans := eval[[]span](p, `Array.from(document.querySelectorAll("#script code span"), (e) => ({class: e.className, text: e.textContent}))`)
	count := map[string]int{}
	for _, s := range spans {
		count[s.Class]++
		var ok bool
		switch s.Class {
		case "k":
			ok = s.Text != "" && strings.IndexFunc(s.Text, func(r rune) bool { return !unicode.IsLetter(r) && r != '_' }) < 0
		case "s":
			ok = len(s.Text) >= 2 && s.Text[0] == '\'' && s.Text[len(s.Text)-1] == '\''
		case "i":
			ok = len(s.Text) >= 2 && s.Text[0] == '`' && s.Text[len(s.Text)-1] == '`'
		case "c":
			ok = strings.HasPrefix(s.Text, "--") || strings.HasPrefix(s.Text, "/*")
		case "n":
			ok = strings.Trim(s.Text, "0123456789.") == ""
		}
		if !ok {
			t.Errorf("span.%s holds %q, which is not a token of its class", s.Class, s.Text)
		}
	}
	for _, cls := range []string{"k", "s", "i", "c"} {
		if count[cls] == 0 {
			t.Errorf("no span.%s in the highlighted script (counts %v)", cls, count)
		}
	}
	// The words of a statement are keywords; the same words inside a
	// string or a comment are not.
	if got := eval[string](p, `(() => { const s = Array.from(document.querySelectorAll("#script code span.k")).find((e) => e.textContent === "CATALOG"); return s ? s.className : ""; })()`); got != "k" {
		t.Errorf("CATALOG is not highlighted as a keyword")
	}
	if n := eval[int](p, `document.querySelectorAll("#script code span.s span, #script code span.c span").length`); n != 0 {
		t.Errorf("%d spans nested in strings or comments", n)
	}

	// An error (a port out of range) and a warning (an unknown key under
	// --lenient): two groups, errors first, each holding only its own.
	p.click("#lenient")
	bad := strings.Replace(string(c.data), "port: 443", "port: 70000", 1) + "  unknownKey: 1\n"
	if !strings.Contains(bad, "port: 70000") {
		t.Fatal("the example payload has no port: 443 to put out of range")
	}
	p.paste("payload", bad)
	type group struct {
		Heading string
		Items   []string
	}
	groups := eval[[]group](p, `Array.from(document.querySelectorAll("#payload-problems h3"), (h) => ({heading: h.className + " " + h.textContent, items: Array.from(h.nextElementSibling.querySelectorAll("li"), (li) => li.className)}))`)
	want := []group{{"error Errors (1)", []string{"error"}}, {"warning Warnings (1)", []string{"warning"}}}
	if fmt.Sprint(groups) != fmt.Sprint(want) {
		t.Errorf("problem groups:\ngot  %v\nwant %v", groups, want)
	}
	_, ds := cli{t: t, name: "payload.yaml", data: []byte(bad), opts: []ucbootstrap.Option{ucbootstrap.Lenient()}}.decode()
	equalLines(t, "problems", p.problems("payload-problems"), diagStrings(ds))
}
