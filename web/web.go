package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

//go:embed static gen
var files embed.FS

// ContentSecurityPolicy is the policy of every response of Handler: nothing
// from another origin, no connection at all, no inline script or style, no
// frames, no forms, and Trusted Types so that no string becomes markup.
// 'wasm-unsafe-eval' lets the page compile its WebAssembly. The page's
// <meta> policy is the same less frame-ancestors, which a <meta> cannot
// set, so that the static bundle is held to it too.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; " +
	"connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; " +
	"require-trusted-types-for 'script'; trusted-types 'none'"

// securityHeaders are set on every response of Handler.
var securityHeaders = [][2]string{
	{"Content-Security-Policy", ContentSecurityPolicy},
	{"X-Content-Type-Options", "nosniff"},
	{"Referrer-Policy", "no-referrer"},
	{"X-Frame-Options", "DENY"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
	{"Cross-Origin-Embedder-Policy", "require-corp"},
	{"Cross-Origin-Resource-Policy", "same-origin"},
	{"Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=()"},
}

// An asset is one file of the page.
type asset struct {
	contentType string
	// plain returns the asset as served without content coding, and its
	// ETag; for a gzipped asset it gunzips it on first use, for the rare
	// client that does not accept gzip.
	plain  func() ([]byte, string)
	gz     []byte // gzipped; nil when the asset is served plain only
	gzETag string
}

// contentTypes are the types of the page's files, by extension; fixed here
// rather than read from the system's MIME tables, which differ.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
}

// Static returns the page's own files: index.html, app.js, style.css and
// the icon, without the generated ones.
func Static() fs.FS {
	sub, err := fs.Sub(files, "static")
	must(err)
	return sub
}

func etag(data []byte) string {
	sum := sha256.Sum256(data)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// pageAssets returns the assets by name ("index.html", "ucb.wasm.js", ...).
var pageAssets = sync.OnceValue(func() map[string]*asset {
	assets := map[string]*asset{}
	add := func(name string, data, gz []byte) {
		ct, ok := contentTypes[path.Ext(name)]
		if !ok {
			panic("web: no content type for " + name)
		}
		a := &asset{contentType: ct}
		if gz == nil {
			tag := etag(data)
			a.plain = func() ([]byte, string) { return data, tag }
		} else {
			a.gz, a.gzETag = gz, etag(gz)
			a.plain = sync.OnceValues(func() ([]byte, string) {
				data, err := gunzip(gz)
				must(err)
				return data, etag(data)
			})
		}
		assets[name] = a
	}
	static, err := fs.ReadDir(files, "static")
	must(err)
	for _, e := range static {
		data, err := files.ReadFile("static/" + e.Name())
		must(err)
		add(e.Name(), data, nil)
	}
	loader, err := files.ReadFile("gen/wasm_exec.js")
	must(err)
	add("wasm_exec.js", loader, nil)
	gz, err := files.ReadFile("gen/ucb.wasm.js.gz")
	must(err)
	add("ucb.wasm.js", nil, gz)
	return assets
})

// must panics on an error that only a broken embed can cause (a test
// reads every asset).
func must(err error) {
	if err != nil {
		panic(fmt.Sprintf("web: embedded assets: %v", err))
	}
}

func gunzip(gz []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// Handler returns the handler of the page: GET or HEAD of "/" (or
// "/index.html") is the page, and of "/NAME" its asset NAME; other paths
// are 404 and other methods 405. Every response has the security headers:
// the Content-Security-Policy of ContentSecurityPolicy, nosniff, no
// referrer, no framing, cross-origin isolation and a Permissions-Policy
// that turns off device access. Responses carry an ETag and
// "Cache-Control: no-cache", so that a new binary's page is never stale;
// the WebAssembly is sent gzipped to clients that accept it.
//
// Mount it at the root of a server's mux; it does not look at the host and
// keeps no state.
func Handler() http.Handler {
	assets := pageAssets()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for _, kv := range securityHeaders {
			h.Set(kv[0], kv[1])
		}
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name == "" {
			name = "index.html"
		}
		a, ok := assets[name]
		if !ok {
			http.Error(w, "404 page not found: the script page is at /", http.StatusNotFound)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "405 method not allowed: the script page only answers GET and HEAD", http.StatusMethodNotAllowed)
			return
		}
		h.Set("Content-Type", a.contentType)
		h.Set("Cache-Control", "no-cache")
		var body []byte
		var tag string
		if a.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding")) {
			h.Set("Content-Encoding", "gzip")
			body, tag = a.gz, a.gzETag
		} else {
			body, tag = a.plain()
		}
		if a.gz != nil {
			h.Set("Vary", "Accept-Encoding")
		}
		h.Set("ETag", tag)
		if match := r.Header.Get("If-None-Match"); match != "" && etagMatches(match, tag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		if r.Method == http.MethodHead {
			return
		}
		w.Write(body)
	})
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip: gzip
// or * listed without q=0.
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		return q > 0
	}
	return false
}

// etagMatches reports whether an If-None-Match header names etag (weak
// comparison, as RFC 9110 asks for If-None-Match) or is "*".
func etagMatches(header, etag string) bool {
	for part := range strings.SplitSeq(header, ",") {
		t := strings.TrimPrefix(strings.TrimSpace(part), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
