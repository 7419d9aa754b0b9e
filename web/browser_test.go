package web_test

// The browser tests: the page in a real headless Chromium (Debian's package
// chromium), driven over the DevTools protocol with github.com/chromedp/chromedp,
// served by web.Handler on a loopback httptest server. Each test checks the
// browser's network log: every request is for one of the page's own assets,
// and none comes after the page has loaded.
//
// Without a Chromium the tests fail when CI is set, and skip otherwise.
// UCB_CHROMIUM names the browser to use; UCB_ARTIFACTS the directory for the
// screenshots (default testdata/out, ignored by git).

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/ucbootstrap/ucbootstrap/server"
	"github.com/ucbootstrap/ucbootstrap/server/datakey"
	"github.com/ucbootstrap/ucbootstrap/server/store"
	"github.com/ucbootstrap/ucbootstrap/web"
)

// chromiumPath returns the browser to test with. Without one it fails the
// test when CI is set (CI installs Debian's chromium) and skips it
// otherwise.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("UCB_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium on PATH, and CI is set: the browser tests need one (apt-get install -y chromium, as .ci/run does)")
	}
	t.Skip("no Chromium on PATH: install Debian's chromium (or set UCB_CHROMIUM) to run the browser tests; in CI they fail without it")
	return ""
}

// artifacts returns the directory where the tests keep their screenshots.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("UCB_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "out")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A page is a browser tab on the script page, for the test t.
type page struct {
	t   *testing.T
	ctx context.Context
	log *netLog
}

// on returns the page for the (sub)test t.
func (p *page) on(t *testing.T) *page {
	return &page{t: t, ctx: p.ctx, log: p.log}
}

// A netLog is what the tab's event listener saw.
type netLog struct {
	assets []string // the URLs the page may load

	mu       sync.Mutex
	ready    bool
	requests []string // every request, as "METHOD URL"
	late     []string // requests after the page had loaded
	problems []string // console errors and warnings, exceptions
}

// assetNames are the files the page loads; "" is the page itself.
var assetNames = []string{"", "style.css", "wasm_exec.js", "ucb.wasm.js", "app.js", "favicon.svg"}

// serve starts the integrations API server on loopback, with the page
// mounted at / as "ucbootstrap serve" mounts it (a store of its own, a
// data key, no workspace), and returns the page's URL: the page's headers
// and assets are those the server sends.
func serve(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "ucbootstrap.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keys, err := datakey.Parse(datakey.Generate())
	if err != nil {
		t.Fatal(err)
	}
	ring, err := datakey.NewRing(keys...)
	if err != nil {
		t.Fatal(err)
	}
	api, err := server.New(ctx, server.Config{Store: st, Keys: ring, Page: web.Handler()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// openPage starts a headless Chromium with a window of width×height and
// loads the page at pageURL; it waits until the page is ready and has
// loaded every asset. The page's assets are in the same directory as the
// page.
func openPage(t *testing.T, pageURL string, width, height int) *page {
	t.Helper()
	exe := chromiumPath(t)
	dir := pageURL[:strings.LastIndex(pageURL, "/")+1]
	nl := &netLog{}
	for _, a := range assetNames {
		if a == "" {
			a = strings.TrimPrefix(pageURL, dir)
		}
		nl.assets = append(nl.assets, dir+a)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // the tests run as root in CI
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx, chromedp.WithListener(nl.listen))
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() {
		cancelTime()
		cancelTab()
		cancelAlloc()
	})
	p := &page{t: t, ctx: ctx, log: nl}
	p.do(chromedp.EmulateViewport(int64(width), int64(height)), chromedp.Navigate(pageURL))
	state, err := chromedp.Run(ctx, chromedp.Poll[string](`document.documentElement.dataset.ready`))
	if err != nil {
		t.Fatalf("the page did not get ready: %v", err)
	}
	if state != "true" {
		msg, _ := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS("#loading")))
		t.Fatalf("the page did not start: %s", msg)
	}
	t.Logf("the page was ready %s ms after the navigation began", eval[string](p, `document.documentElement.dataset.readyMs`))
	// The browser asks for the icon once the page has loaded, which can be
	// after the page is ready: wait for it, so that it is not taken for a
	// request after load. Every other asset is loaded before the page is
	// ready.
	icon := nl.assets[len(nl.assets)-1]
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		nl.mu.Lock()
		seen := slices.Contains(nl.requests, "GET "+icon)
		if seen || time.Now().After(deadline) {
			nl.ready = true
		}
		nl.mu.Unlock()
		if seen {
			break
		}
		if time.Now().After(deadline) {
			t.Logf("the browser did not ask for %s", icon)
			break
		}
	}
	t.Cleanup(func() { nl.check(t) })
	return p
}

// listen records the requests and the console's problems; it runs in the
// tab's event loop.
func (nl *netLog) listen(ev any) {
	nl.mu.Lock()
	defer nl.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		r := ev.Request.Method + " " + ev.Request.URL
		nl.requests = append(nl.requests, r)
		if nl.ready {
			nl.late = append(nl.late, r)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		nl.problems = append(nl.problems, "exception: "+text)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
			var args []string
			for _, a := range ev.Args {
				args = append(args, strings.Trim(string(a.Value), `"`)+a.Description)
			}
			nl.problems = append(nl.problems, "console."+string(ev.Type)+": "+strings.Join(args, " "))
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
			nl.problems = append(nl.problems, "log "+string(ev.Entry.Level)+": "+ev.Entry.Text+" "+ev.Entry.URL)
		}
	}
}

// check fails t for a request that is not for one of the page's own
// assets, for any request after the page had loaded, and for a problem in
// the console (a CSP violation, an exception).
func (nl *netLog) check(t *testing.T) {
	nl.mu.Lock()
	defer nl.mu.Unlock()
	if len(nl.requests) == 0 {
		t.Error("the network log is empty: the listener saw no request, not even the page's")
	}
	for _, r := range nl.requests {
		method, u, _ := strings.Cut(r, " ")
		if method != "GET" || !slices.Contains(nl.assets, u) {
			t.Errorf("request %s: not one of the page's own assets %q", r, nl.assets)
		}
	}
	for _, r := range nl.late {
		t.Errorf("request after the page had loaded: %s", r)
	}
	for _, m := range nl.problems {
		t.Errorf("browser console: %s", m)
	}
	if !t.Failed() {
		t.Logf("network log: %d requests, all for the page's assets, none after load: %q", len(nl.requests), nl.requests)
	}
}

func (p *page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// settle waits until the page has run the update its input asked for.
func (p *page) settle() {
	p.t.Helper()
	p.do(chromedp.Poll[chromedp.Void](`document.documentElement.dataset.pending === undefined`))
}

// paste replaces the text of the textarea id with text, as a paste does:
// select all, then insert the text (the protocol's Input.insertText, which
// fires the input event an IME or a paste fires).
func (p *page) paste(id, text string) {
	p.t.Helper()
	p.do(chromedp.Focus(chromedp.ID(id)),
		chromedp.Evaluate[chromedp.Void](`document.getElementById(`+jsString(id)+`).select()`))
	if text == "" {
		p.do(chromedp.KeyEvent("\b"))
	} else {
		p.insert(text)
	}
	p.settle()
}

// insert types text at the caret.
func (p *page) insert(text string) {
	p.t.Helper()
	if _, err := chromedp.Call(p.ctx, input.InsertText, input.InsertTextParams{Text: text}); err != nil {
		p.t.Fatal(err)
	}
}

// click clicks the element that the CSS selector finds, with the mouse.
func (p *page) click(sel string) {
	p.t.Helper()
	p.do(chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	p.settle()
}

// chooseKind picks the kind of script, and the revoke option of cleanup.
func (p *page) chooseKind(kind string, revoke bool) {
	p.t.Helper()
	p.click(`input[name=kind][value=` + kind + `]`)
	checked := eval[bool](p, `document.getElementById("revoke").checked`)
	if kind == "cleanup" && checked != revoke {
		p.click(`#revoke`)
	}
}

// script returns the script the page shows, as text.
func (p *page) script() string {
	p.t.Helper()
	return eval[string](p, `document.getElementById("script").hidden ? "" : document.querySelector("#script code").textContent`)
}

// download clicks the download button and returns the file's suggested
// name and its content.
func (p *page) download() (string, []byte) {
	p.t.Helper()
	return p.downloadWith(func() { p.click("#download") })
}

// downloadWith runs trigger, which must start a download, and returns the
// file's suggested name and its content.
func (p *page) downloadWith(trigger func()) (string, []byte) {
	p.t.Helper()
	dir := p.t.TempDir()
	_, err := chromedp.CallBrowser(p.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true),
	})
	if err != nil {
		p.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	begun := chromedp.BrowserEvents(ctx, browser.DownloadWillBegin)
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	trigger()
	var name, guid string
	for ev, err := range begun {
		if err != nil {
			p.t.Fatalf("no download began: %v", err)
		}
		name, guid = ev.SuggestedFilename, ev.GUID
		if !strings.HasPrefix(ev.URL, "blob:") {
			p.t.Errorf("download from %s, want a blob: URL of the page", ev.URL)
		}
		break
	}
	for ev, err := range progress {
		if err != nil {
			p.t.Fatalf("the download did not complete: %v", err)
		}
		if ev.GUID != guid {
			continue
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			p.t.Fatal("the download was canceled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			break
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, guid))
	if err != nil {
		p.t.Fatal(err)
	}
	return name, data
}

// screenshot saves a screenshot of the whole page as name in the
// artifacts directory, and returns it.
func (p *page) screenshot(name string) []byte {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatal(err)
	}
	path := filepath.Join(artifacts(p.t), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", path)
	return png
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return fmt.Sprintf("%q", s) // Go's quoting is valid JavaScript for the ASCII ids used here
}

// fileURL returns the file: URL of path.
func fileURL(t *testing.T, path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}
