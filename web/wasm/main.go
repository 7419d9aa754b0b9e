//go:build js && wasm

// Command wasm is the WebAssembly half of the script page: built with
// GOOS=js GOARCH=wasm (go generate ./web, or go run ./web/build), it puts
// an object ucbootstrap on the page's global object with three functions,
// each taking a request and returning a result as JSON text (the shapes of
// package web/internal/page):
//
//	ucbootstrap.generate(request) // page.Generate
//	ucbootstrap.lint(request)     // page.LintScript
//	ucbootstrap.decode(name, text, lenient) // page.Decode; text is a string or a Uint8Array
//
// and then calls the global function ucbootstrapReady, when there is one.
// It makes no request: nothing it is given leaves the page.
package main

import (
	"encoding/json"
	"syscall/js"

	"github.com/ucbootstrap/ucbootstrap/web/internal/page"
)

func main() {
	api := js.Global().Get("Object").New()
	api.Set("generate", js.FuncOf(func(_ js.Value, args []js.Value) any {
		var r page.Request
		if err := request(args, &r); err != nil {
			return failure(err)
		}
		return result(page.Generate(r))
	}))
	api.Set("lint", js.FuncOf(func(_ js.Value, args []js.Value) any {
		var r page.Request
		if err := request(args, &r); err != nil {
			return failure(err)
		}
		return result(page.LintScript(r))
	}))
	api.Set("decode", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) < 2 {
			return failure(errUsage)
		}
		_, p := page.Decode(args[0].String(), bytesOf(args[1]), len(args) > 2 && args[2].Truthy())
		return result(p)
	}))
	js.Global().Set("ucbootstrap", api)
	if ready := js.Global().Get("ucbootstrapReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {} // serve calls until the page goes away
}

type usageError string

func (e usageError) Error() string { return string(e) }

const errUsage = usageError("ucbootstrap: wasm: call with a request object as JSON text")

// request decodes the JSON text of args[0] into r.
func request(args []js.Value, r *page.Request) error {
	if len(args) < 1 || args[0].Type() != js.TypeString {
		return errUsage
	}
	return json.Unmarshal([]byte(args[0].String()), r)
}

// bytesOf returns the bytes of v: a Uint8Array, or a string as UTF-8.
func bytesOf(v js.Value) []byte {
	if v.Type() == js.TypeString {
		return []byte(v.String())
	}
	b := make([]byte, v.Get("length").Int())
	js.CopyBytesToGo(b, v)
	return b
}

func result(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return failure(err)
	}
	return string(data)
}

func failure(err error) any {
	data, _ := json.Marshal(map[string]string{"failure": err.Error()})
	return string(data)
}
