// Package web is the script page: a single page that validates an
// integration payload, generates its setup scripts and lints a hand-edited
// script in the browser, with the library compiled to WebAssembly, so that
// the payload and its credentials never leave the page.
//
// Handler serves the page and its assets, embedded in the binary, with a
// Content-Security-Policy that allows scripts, styles and images from the
// page's own origin only and no connection at all (connect-src 'none'):
// the WebAssembly arrives as a script (ucb.wasm.js, gzipped when the client
// accepts it), not through fetch. The page makes no request once it has
// loaded.
//
// The page's own files are in static/: plain HTML, CSS and JavaScript, no
// framework and no build step. The generated files are in gen/: the
// WebAssembly of package web/wasm as a script, the toolchain's
// wasm_exec.js, and build.txt (toolchain, size and hash). They are written
// by
//
//	go generate ./web
//
// and a test fails when they are not those the sources give. The
// self-contained static bundle, which also works opened from the file
// system, is written by
//
//	go run ./web/build -o dist
package web

//go:generate go run ./build -embed gen
