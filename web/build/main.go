// Command build compiles the script page's WebAssembly (package web/wasm,
// GOOS=js GOARCH=wasm, stripped) with the go command and writes the page.
//
//	go run ./web/build -o dist     # the static bundle
//	go run ./web/build -embed gen  # (in web/, by go generate) the generated files package web embeds
//
// The static bundle is index.html, its script, style and icon, the
// toolchain's wasm_exec.js, and the WebAssembly as the script ucb.wasm.js
// (also gzipped, for a server that serves precompressed files). It works
// served by any static file server, and opened from the file system.
// Serve it with the headers of web.Handler (its Content-Security-Policy
// above all); the page repeats that policy, less frame-ancestors, in a
// <meta> element.
//
// It prints the sizes of the module and of the gzipped script.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"

	"github.com/ucbootstrap/ucbootstrap/web/internal/bundle"
)

func main() {
	out := flag.String("o", "", "write the static bundle into the directory `DIR`")
	embed := flag.String("embed", "", "write the generated files of package web into the directory `DIR`")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./web/build -o DIR | -embed DIR\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if (*out == "") == (*embed == "") || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(context.Background(), *out, *embed); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out, embed string) error {
	b, err := bundle.New(ctx)
	if err != nil {
		return err
	}
	if embed != "" {
		err = b.WriteEmbedded(embed)
	} else {
		// The page's own files, from the source tree (this command does
		// not import package web, whose generated files it writes).
		var dir string
		dir, err = bundle.StaticDir(ctx)
		if err == nil {
			var static map[string][]byte
			static, err = readAll(os.DirFS(dir))
			if err == nil {
				err = b.WriteBundle(out, static)
			}
		}
	}
	if err != nil {
		return err
	}
	fmt.Printf("web/build: %s: wasm %d bytes, ucb.wasm.js %d bytes, gzipped %d bytes\n",
		b.GoVersion, len(b.Wasm), len(b.Script), len(bundle.Gzip(b.Script)))
	return nil
}

// readAll returns every file of fsys by name; the page has no
// subdirectories.
func readAll(fsys fs.FS) (map[string][]byte, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() {
			return nil, errors.New("web/build: the page has a subdirectory " + e.Name() + ": teach web/build to copy it")
		}
		data, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		files[e.Name()] = data
	}
	return files, nil
}
