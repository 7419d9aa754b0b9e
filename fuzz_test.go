package ucbootstrap

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// FuzzDecode feeds Decode arbitrary payloads, seeded with the golden cases
// and the secret-marker payloads. Decode must not panic; every diagnostic
// must name the file and a line and column inside the input (or just past
// the end of a line); and the value of config.token or
// config.oAuthClientConfig.clientSecret, when it appears once in the input,
// must not appear in any diagnostic, nor in Redacted or the JSON form of
// the result.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(testData("decode", "*.txtar"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds in testdata/decode (%v)", err)
	}
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, sec := range ar.Files {
			if strings.HasPrefix(sec.Name, "payload.") {
				f.Add(sec.Data, bytes.Contains(ar.Comment, []byte("options: lenient")))
			}
		}
	}
	for _, p := range markerPayloads {
		f.Add([]byte(p), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, lenient bool) {
		var opts []Option
		if lenient {
			opts = append(opts, Lenient())
		}
		const file = "fuzz.yaml"
		in, err := Decode(file, data, opts...)
		var ds Diagnostics
		switch {
		case err == nil && in == nil:
			t.Fatal("Decode returned neither an Integration nor an error")
		case err == nil:
			ds = in.Warnings()
		default:
			var ok bool
			if ds, ok = err.(Diagnostics); !ok || !ds.HasErrors() {
				t.Fatalf("Decode error %T without error diagnostics: %v", err, err)
			}
		}
		for _, d := range ds {
			if err := positionError(file, data, d); err != nil {
				t.Error(err)
			}
			if d.Message == "" {
				t.Errorf("diagnostic without a message: %+v", d)
			}
		}
		// A secret leaks when it shows more often in what Decode prints
		// than it does after it is replaced in the input by as many
		// x's: the hints' own examples may contain any short string.
		for _, s := range secretsOf(file, data) {
			if bytes.Count(data, []byte(s)) != 1 {
				continue
			}
			blank := bytes.Replace(data, []byte(s), bytes.Repeat([]byte("x"), len(s)), 1)
			with, without := printed(t, file, data, opts), printed(t, file, blank, opts)
			if strings.Count(with, s) > strings.Count(without, s) {
				t.Fatalf("secret %q shows in:\n%s", s, with)
			}
		}
	})
}

// printed returns what Decode gives for data, as text: the diagnostics,
// and for a payload that decodes, Redacted and the JSON form. Not fmt's
// forms: they print pointers, which differ from run to run;
// TestSecretsNeverLeak covers them.
func printed(t *testing.T, file string, data []byte, opts []Option) string {
	in, err := Decode(file, data, opts...)
	if err != nil {
		return err.Error()
	}
	j, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	return in.Warnings().Error() + string(in.Redacted()) + string(j)
}

// secretsOf returns the values of config.token and
// config.oAuthClientConfig.clientSecret in the payload's tree that are at
// least 8 bytes long and written as they are read (not folded over lines
// or escaped), so that the input holds them where the tree says.
func secretsOf(file string, data []byte) []string {
	tree, ds := readTree(file, data)
	if len(ds) > 0 || tree == nil {
		return nil
	}
	ix := newLineIndex(file, data)
	var secrets []string
	var walk func(path string, n *node)
	walk = func(path string, n *node) {
		for _, e := range n.entries {
			p := join(path, e.key)
			v := e.value
			if (p == "config.token" || p == "config.oAuthClientConfig.clientSecret") && v.kind == stringNode && len(v.text) >= 8 {
				off := ix.starts[v.pos.Line-1] + v.pos.Col - 1
				if off < len(data) && (data[off] == '"' || data[off] == '\'') {
					off++
				}
				if off <= len(data) && bytes.HasPrefix(data[off:], []byte(v.text)) {
					secrets = append(secrets, v.text)
				}
			}
			walk(p, v)
		}
	}
	walk("", tree)
	return secrets
}
