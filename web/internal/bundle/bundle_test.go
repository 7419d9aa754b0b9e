package bundle

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

func TestScriptRoundTrip(t *testing.T) {
	var all []byte
	for i := range 256 {
		all = append(all, byte(i))
	}
	for _, data := range [][]byte{nil, {0}, []byte(`"\` + "\n\r\u2028"), all, append(bytes.Repeat([]byte{0, 0x61, 0x73, 0x6d}, 100), all...)} {
		script := Script(data)
		if !utf8.Valid(script) || !bytes.HasPrefix(script, []byte("\ufeff")) {
			t.Errorf("Script(%.20q) is not UTF-8 with a byte order mark", data)
		}
		if n := bytes.Count(script, []byte("\n")); n != 2 {
			t.Errorf("Script(%.20q) has %d lines, want 2 (the comment, the literal)", data, n)
		}
		got, err := ReadScript(script)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("Script(%.20q) reads back as %.20q, %v", data, got, err)
		}
	}
}

func TestGzipDeterministic(t *testing.T) {
	data := bytes.Repeat([]byte("ucbootstrap "), 1000)
	a, b := Gzip(data), Gzip(data)
	if !bytes.Equal(a, b) {
		t.Error("two Gzip of the same data differ")
	}
	// No name, no modification time: bytes 4 to 7 of the header are zero.
	if !bytes.Equal(a[4:8], []byte{0, 0, 0, 0}) || a[3] != 0 {
		t.Errorf("gzip header %x has a time or flags", a[:10])
	}
}

func TestReadScriptErrors(t *testing.T) {
	for _, bad := range []string{
		"",
		"globalThis.UCB_WASM = \"\";\n",
		scriptPrefix + "\\q" + scriptSuffix,
		scriptPrefix + "\"" + scriptSuffix,
		scriptPrefix + "\u0100" + scriptSuffix,
		scriptPrefix + "\xff" + scriptSuffix,
	} {
		if _, err := ReadScript([]byte(bad)); err == nil {
			t.Errorf("ReadScript(%.60q): no error", bad)
		}
	}
}
