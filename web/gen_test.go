package web_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap/web"
	"github.com/ucbootstrap/ucbootstrap/web/internal/bundle"
)

// The size budget of the page's WebAssembly: the stripped module, and the
// gzipped script that carries it (what a browser downloads). Measured at
// 9,715,082 and 2,596,019 bytes with Go 1.26.8 (gen/build.txt), with the
// templates free of sprig (14,511,159 and 3,725,852 before); the budget
// leaves about 8%: a change that crosses it says what it pulls in.
const (
	wasmBudget     = 10_500_000
	scriptGzBudget = 2_800_000
)

// served returns the asset name as Handler serves it, decoded when
// gzipped.
func served(t *testing.T, name string, gzip bool) []byte {
	t.Helper()
	var hdr []string
	if gzip {
		hdr = []string{"Accept-Encoding", "gzip"}
	}
	r := get(t, web.Handler(), "GET", "/"+name, hdr...)
	if r.StatusCode != 200 {
		t.Fatalf("GET /%s: %s", name, r.Status)
	}
	return body(t, r)
}

func TestWasmSize(t *testing.T) {
	gz := served(t, bundle.WasmScript, true)
	wasm, err := bundle.ReadScript(served(t, bundle.WasmScript, false))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(wasm, []byte("\x00asm")) {
		t.Fatalf("the served script does not hold a WebAssembly module: %.8q", wasm)
	}
	t.Logf("wasm %d bytes (gzipped alone %d), script gzipped %d bytes", len(wasm), len(bundle.Gzip(wasm)), len(gz))
	if len(wasm) > wasmBudget {
		t.Errorf("the WebAssembly module is %d bytes, over its budget of %d: see what the page pulls in (go list -deps ./web/wasm) before you raise it", len(wasm), wasmBudget)
	}
	if len(gz) > scriptGzBudget {
		t.Errorf("the gzipped WebAssembly script is %d bytes, over its budget of %d", len(gz), scriptGzBudget)
	}
}

// TestGeneratedFresh rebuilds the WebAssembly from the sources and checks
// that the files package web embeds (web/gen) are those it gives: the
// page's script must be the library's, byte for byte. The build is
// reproducible for one toolchain, so the check needs the one build.txt
// names; without it, it fails in CI and skips elsewhere.
func TestGeneratedFresh(t *testing.T) {
	info, err := os.ReadFile("gen/build.txt")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	version, err := bundle.GoVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(info), "\ngo "+version+"\n") {
		msg := "web/gen was built with another toolchain than " + version + " (gen/build.txt):\n" + string(info) + "rebuild it with go generate ./web"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	b, err := bundle.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stale := false
	if got := served(t, bundle.WasmScript, false); !bytes.Equal(got, b.Script) {
		t.Errorf("the embedded WebAssembly is not the one the sources give (%d bytes, fresh %d)", len(got), len(b.Script))
		stale = true
	}
	if got := served(t, bundle.WasmExec, false); !bytes.Equal(got, b.WasmExec) {
		t.Error("the embedded wasm_exec.js is not the toolchain's")
		stale = true
	}
	if !bytes.Equal(info, b.InfoText()) {
		t.Errorf("gen/build.txt:\n%s\nfresh:\n%s", info, b.InfoText())
		stale = true
	}
	if gz, err := os.ReadFile("gen/" + bundle.WasmScript + ".gz"); err != nil || !bytes.Equal(gz, bundle.Gzip(b.Script)) {
		t.Errorf("gen/%s.gz is not the gzip of the fresh script (%v)", bundle.WasmScript, err)
		stale = true
	}
	if stale {
		t.Log("web/gen is stale: run go generate ./web, and commit web/gen")
	}
}
