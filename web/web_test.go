package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap/web"
)

func get(t *testing.T, h http.Handler, method, path string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, r *http.Response) []byte {
	t.Helper()
	data, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// wantSecurityHeaders checks the headers every response has.
func wantSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	for k, v := range map[string]string{
		"Content-Security-Policy":      web.ContentSecurityPolicy,
		"X-Content-Type-Options":       "nosniff",
		"Referrer-Policy":              "no-referrer",
		"X-Frame-Options":              "DENY",
		"Cross-Origin-Opener-Policy":   "same-origin",
		"Cross-Origin-Resource-Policy": "same-origin",
	} {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s: %q, want %q", what, k, got, v)
		}
	}
}

func TestContentSecurityPolicy(t *testing.T) {
	directives := map[string]string{}
	for d := range strings.SplitSeq(web.ContentSecurityPolicy, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	for name, want := range map[string]string{
		"default-src":     "'none'",
		"script-src":      "'self' 'wasm-unsafe-eval'",
		"style-src":       "'self'",
		"img-src":         "'self'",
		"connect-src":     "'none'",
		"frame-ancestors": "'none'",
		"base-uri":        "'none'",
		"form-action":     "'none'",
	} {
		if got := directives[name]; got != want {
			t.Errorf("%s %q, want %q", name, got, want)
		}
	}
	// The page's <meta> policy is the same, less frame-ancestors, which a
	// <meta> cannot set.
	page, err := fs.ReadFile(web.Static(), "index.html")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`).FindSubmatch(page)
	if m == nil {
		t.Fatal("index.html has no Content-Security-Policy <meta>")
	}
	want := strings.Replace(web.ContentSecurityPolicy, " frame-ancestors 'none';", "", 1)
	if string(m[1]) != want {
		t.Errorf("<meta> policy\n%s\nwant\n%s", m[1], want)
	}
}

// TestNoInlineCode checks what the policy forbids anyway, so that the page
// works under it: no inline script or style, no event handler attribute,
// nothing loaded from another origin.
func TestNoInlineCode(t *testing.T) {
	page, err := fs.ReadFile(web.Static(), "index.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct{ re, what string }{
		{`<script(?:\s[^>]*)?>[^<]+</script>`, "inline script"},
		{`<style`, "inline style element"},
		{`\sstyle=`, "style attribute"},
		{`\son[a-z]+=`, "event handler attribute"},
		{`\ssrc="(?:[a-z]+:)?//`, "asset from another origin"},
		{`<link[^>]*\shref="(?:[a-z]+:)?//`, "asset from another origin"},
		{`javascript:`, "javascript: URL"},
	} {
		if loc := regexp.MustCompile(bad.re).FindIndex(page); loc != nil {
			t.Errorf("index.html has an %s: %s", bad.what, page[loc[0]:min(loc[1]+40, len(page))])
		}
	}
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAll(page, -1) {
		if !regexp.MustCompile(`\ssrc="[a-z_.]+\.js"`).Match(tag) {
			t.Errorf("index.html has a script that is not one of the page's files: %s", tag)
		}
	}
	// Links to the documentation are navigations, not requests of the
	// page; they are the only absolute URLs.
	for _, m := range regexp.MustCompile(`https?://[^"'\s)]+`).FindAll(page, -1) {
		if !strings.HasPrefix(string(m), "https://github.com/ucbootstrap/ucbootstrap/") {
			t.Errorf("index.html names %s", m)
		}
	}
	for _, name := range []string{"app.js", "style.css"} {
		data, err := fs.ReadFile(web.Static(), name)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"innerHTML", "outerHTML =", "insertAdjacentHTML", "eval(", "new Function", "fetch(", "XMLHttpRequest", "WebSocket", "sendBeacon", "EventSource", "@import", "url("} {
			if bytes.Contains(data, []byte(bad)) {
				t.Errorf("%s uses %s", name, bad)
			}
		}
	}
}

func TestHandlerAssets(t *testing.T) {
	h := web.Handler()
	for _, tc := range []struct{ path, contentType string }{
		{"/", "text/html; charset=utf-8"},
		{"/index.html", "text/html; charset=utf-8"},
		{"/app.js", "text/javascript; charset=utf-8"},
		{"/style.css", "text/css; charset=utf-8"},
		{"/wasm_exec.js", "text/javascript; charset=utf-8"},
		{"/ucb.wasm.js", "text/javascript; charset=utf-8"},
		{"/favicon.svg", "image/svg+xml"},
	} {
		r := get(t, h, "GET", tc.path)
		if r.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s", tc.path, r.Status)
			continue
		}
		wantSecurityHeaders(t, "GET "+tc.path, r.Header)
		if got := r.Header.Get("Content-Type"); got != tc.contentType {
			t.Errorf("GET %s: Content-Type %q, want %q", tc.path, got, tc.contentType)
		}
		if got := r.Header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q", tc.path, got)
		}
		if r.Header.Get("Content-Encoding") != "" {
			t.Errorf("GET %s without Accept-Encoding: Content-Encoding %q", tc.path, r.Header.Get("Content-Encoding"))
		}
		data := body(t, r)
		if len(data) == 0 || r.Header.Get("Content-Length") != strconv.Itoa(len(data)) {
			t.Errorf("GET %s: %d bytes, Content-Length %q", tc.path, len(data), r.Header.Get("Content-Length"))
		}
		// The ETag answers a conditional request with 304.
		etag := r.Header.Get("ETag")
		if r := get(t, h, "GET", tc.path, "If-None-Match", etag); r.StatusCode != http.StatusNotModified || len(body(t, r)) != 0 {
			t.Errorf("GET %s If-None-Match %s: %s", tc.path, etag, r.Status)
		}
		// HEAD has the headers and no body.
		if r := get(t, h, "HEAD", tc.path); r.StatusCode != http.StatusOK || len(body(t, r)) != 0 || r.Header.Get("Content-Length") != strconv.Itoa(len(data)) {
			t.Errorf("HEAD %s: %s, Content-Length %q", tc.path, r.Status, r.Header.Get("Content-Length"))
		}
	}
}

// TestHandlerGzip checks that the WebAssembly script goes gzipped to a
// client that accepts it, plain to one that does not, and is the same.
func TestHandlerGzip(t *testing.T) {
	h := web.Handler()
	plain := get(t, h, "GET", "/ucb.wasm.js")
	plainBody := body(t, plain)
	for _, ae := range []string{"gzip", "gzip, deflate, br, zstd", "br;q=1.0, gzip;q=0.5", "*"} {
		r := get(t, h, "GET", "/ucb.wasm.js", "Accept-Encoding", ae)
		if got := r.Header.Get("Content-Encoding"); got != "gzip" {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want gzip", ae, got)
			continue
		}
		if got := r.Header.Get("Vary"); got != "Accept-Encoding" {
			t.Errorf("Vary %q", got)
		}
		if r.Header.Get("ETag") == plain.Header.Get("ETag") {
			t.Error("the gzipped and the plain script have the same ETag")
		}
		zr, err := gzip.NewReader(bytes.NewReader(body(t, r)))
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, plainBody) {
			t.Errorf("Accept-Encoding %q: the gunzipped script differs from the plain one", ae)
		}
	}
	for _, ae := range []string{"", "identity", "br", "gzip;q=0", "deflate, gzip;q=0.0"} {
		r := get(t, h, "GET", "/ucb.wasm.js", "Accept-Encoding", ae)
		if got := r.Header.Get("Content-Encoding"); got != "" {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want none", ae, got)
		}
	}
	// The other assets are small, and go plain.
	if r := get(t, h, "GET", "/", "Accept-Encoding", "gzip"); r.Header.Get("Content-Encoding") != "" {
		t.Errorf("the page is sent with Content-Encoding %q", r.Header.Get("Content-Encoding"))
	}
}

func TestHandlerErrors(t *testing.T) {
	h := web.Handler()
	for _, path := range []string{"/nope", "/static/index.html", "/gen/ucb.wasm.js.gz", "/gen/build.txt", "/../go.mod", "/app.js/", "/%2e%2e/doc.go"} {
		r := get(t, h, "GET", path)
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404", path, r.Status)
		}
		wantSecurityHeaders(t, "GET "+path, r.Header)
	}
	for _, method := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		r := get(t, h, method, "/")
		if r.StatusCode != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s /: %s, Allow %q", method, r.Status, r.Header.Get("Allow"))
		}
		wantSecurityHeaders(t, method+" /", r.Header)
	}
}
