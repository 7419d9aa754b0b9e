package ucbootstrap

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the diagnostics sections of testdata/decode/*.txtar")

// testData returns the path of a file under testdata; every golden read goes
// through it.
func testData(elem ...string) string {
	return filepath.Join(append([]string{"testdata"}, elem...)...)
}

// A decodeCase is one archive in testdata/decode; see testdata/README.md.
//
// The archive comment starts with one line that says what the case is, and
// may go on with directives, one a line:
//
//	options: lenient              decode with Lenient()
//	options: external-secrets     decode with ExternalSecrets()
//	generate: garbage <bytes>     the payload is <bytes> of deterministic printable junk
//	generate: random <bytes>      the payload is <bytes> of deterministic random bytes
//	input: hex-escapes            \xHH in the payload section stands for the byte HH
//
// The sections are one payload (payload.yaml or payload.json; its name is
// the file name given to Decode) and diagnostics: every Diagnostic.String()
// of the result, one a line, errors and warnings alike. An empty diagnostics
// section means a clean payload.
type decodeCase struct {
	title    string   // the first comment line
	opts     []Option // from the options directive
	file     string   // the payload section's name
	payload  []byte   // after hex escapes and generation
	want     []string // the lines of the diagnostics section
	archive  *txtar.Archive
	diagsIdx int // the index of the diagnostics section in archive.Files, or -1
}

var hexEscapeRE = regexp.MustCompile(`\\x([0-9a-fA-F]{2})`)

func readDecodeCase(t *testing.T, path string) *decodeCase {
	t.Helper()
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c := &decodeCase{archive: ar, diagsIdx: -1}
	var generate []string
	hexEscapes := false
	for i, line := range strings.Split(strings.TrimRight(string(ar.Comment), "\n"), "\n") {
		if i == 0 {
			c.title = strings.TrimSpace(line)
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("comment line %d: %q is not a directive (key: value)", i+1, line)
		}
		switch key {
		case "options":
			for _, o := range strings.Fields(value) {
				switch o {
				case "lenient":
					c.opts = append(c.opts, Lenient())
				case "external-secrets":
					c.opts = append(c.opts, ExternalSecrets())
				default:
					t.Fatalf("unknown option %q", o)
				}
			}
		case "generate":
			generate = strings.Fields(value)
		case "input":
			if strings.TrimSpace(value) != "hex-escapes" {
				t.Fatalf("unknown input mode %q", value)
			}
			hexEscapes = true
		default:
			t.Fatalf("unknown directive %q", key)
		}
	}
	if c.title == "" {
		t.Fatal("the archive comment must start with a line that says what the case is")
	}
	for i, f := range ar.Files {
		switch f.Name {
		case "payload.yaml", "payload.json":
			if c.file != "" {
				t.Fatalf("two payload sections: %s and %s", c.file, f.Name)
			}
			c.file, c.payload = f.Name, f.Data
		case "diagnostics":
			c.diagsIdx = i
			c.want = lines(string(f.Data))
		default:
			t.Fatalf("unexpected txtar section %q", f.Name)
		}
	}
	if c.file == "" {
		t.Fatal("no payload.yaml or payload.json section")
	}
	if c.diagsIdx < 0 && !*update {
		t.Fatal("no diagnostics section (run go test -update to write one)")
	}
	if hexEscapes {
		c.payload = hexEscapeRE.ReplaceAllFunc(c.payload, func(m []byte) []byte {
			b, _ := strconv.ParseUint(string(m[2:]), 16, 8)
			return []byte{byte(b)}
		})
	}
	if generate != nil {
		if len(c.payload) > 0 {
			t.Fatal("a generated payload's section must be empty")
		}
		if c.payload, err = generatePayload(generate); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// generatePayload builds a large input deterministically, so that the
// archive need not hold it: args is a kind (garbage or random) and a size.
func generatePayload(args []string) ([]byte, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("generate: want <kind> <bytes>, got %q", args)
	}
	n, err := strconv.Atoi(args[1])
	if err != nil || n < 0 {
		return nil, fmt.Errorf("generate: bad size %q", args[1])
	}
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]byte, n)
	switch args[0] {
	case "garbage":
		// Printable junk with the characters that mean something to
		// YAML and JSON, in no valid structure.
		const junk = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t\n:-{}[],\"'#&*!|>%@`?"
		for i := range out {
			out[i] = junk[r.IntN(len(junk))]
		}
	case "random":
		for i := range out {
			out[i] = byte(r.Uint32())
		}
	default:
		return nil, fmt.Errorf("generate: unknown kind %q", args[0])
	}
	return out, nil
}

func lines(s string) []string {
	s = strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// diagnosticsOf returns what Decode reported: the diagnostics of the error,
// or the warnings of a payload that decoded.
func diagnosticsOf(t *testing.T, in *Integration, err error) Diagnostics {
	t.Helper()
	if err == nil {
		if in == nil {
			t.Fatal("Decode returned neither an Integration nor an error")
		}
		for _, d := range in.Warnings() {
			if d.Severity != Warning {
				t.Errorf("Decode succeeded with an error diagnostic: %s", d)
			}
		}
		return in.Warnings()
	}
	if in != nil {
		t.Error("Decode returned both an Integration and an error")
	}
	var ds Diagnostics
	if !errors.As(err, &ds) {
		t.Fatalf("Decode error is %T, not Diagnostics: %v", err, err)
	}
	if !ds.HasErrors() {
		t.Errorf("Decode failed without an error diagnostic: %v", err)
	}
	return ds
}

func TestDecodeGolden(t *testing.T) {
	files, err := filepath.Glob(testData("decode", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no test cases in testdata/decode")
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			if !*update {
				t.Parallel()
			}
			c := readDecodeCase(t, path)
			in, err := Decode(c.file, c.payload, c.opts...)
			ds := diagnosticsOf(t, in, err)
			var got []string
			for _, d := range ds {
				checkPosition(t, c.file, c.payload, d)
				got = append(got, d.String())
			}
			if diff := cmp.Diff(c.want, got); diff != "" || c.diagsIdx < 0 {
				if !*update {
					t.Errorf("%s: %s\nDecode(%s) diagnostics mismatch (-want +got):\n%s", path, c.title, c.file, diff)
					return
				}
				text := strings.Join(got, "\n")
				if text != "" {
					text += "\n"
				}
				f := txtar.File{Name: "diagnostics", Data: []byte(text)}
				if c.diagsIdx < 0 {
					c.archive.Files = append(c.archive.Files, f)
				} else {
					c.archive.Files[c.diagsIdx] = f
				}
				if err := os.WriteFile(path, txtar.Format(c.archive), 0o666); err != nil {
					t.Fatal(err)
				}
				t.Logf("updated %s", path)
			}
		})
	}
}

// checkPosition requires a diagnostic of a decoded payload to name the file
// and a line and column inside it, or just past the end of a line.
func checkPosition(t *testing.T, file string, data []byte, d Diagnostic) {
	t.Helper()
	if err := positionError(file, data, d); err != nil {
		t.Error(err)
	}
}

func positionError(file string, data []byte, d Diagnostic) error {
	p := d.Pos
	ix := newLineIndex(file, data)
	if p.File != file || p.Line < 1 || p.Col < 1 || p.Line > len(ix.starts) {
		return fmt.Errorf("diagnostic %q has position %+v; want file %s and 1 <= line <= %d", d, p, file, len(ix.starts))
	}
	start := ix.starts[p.Line-1]
	end := len(data)
	if i := bytes.IndexByte(data[start:], '\n'); i >= 0 {
		end = start + i
	}
	if p.Col > end-start+1 {
		return fmt.Errorf("diagnostic %q has position %+v; line %d has %d bytes", d, p, p.Line, end-start)
	}
	return nil
}

// A payload written in the test, for the unit tests.
const validYAML = `type: Databricks
autoBootstrap: false
config:
  workspaceUrl: dbc-1234abcd-5678.cloud.databricks.com
  httpPath: /sql/1.0/warehouses/1234567890abcdef
  authenticationType: token
  token: dapi-not-a-real-token
  catalog: immuta
  servicePrincipal: 6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f
  audit:
    enabled: true
  dataSources:
    - main.sales
    - analytics
`

func mustDecode(t testing.TB, file, payload string, opts ...Option) *Integration {
	t.Helper()
	in, err := Decode(file, []byte(payload), opts...)
	if err != nil {
		t.Fatalf("Decode(%s): %v", file, err)
	}
	return in
}

func TestDecodeValid(t *testing.T) {
	in := mustDecode(t, "payload.yaml", validYAML)
	if len(in.Warnings()) != 0 {
		t.Errorf("Warnings() = %v, want none", in.Warnings())
	}
	got := fmt.Sprintf("%s %v %s %s %d %s %s %s %v %v", in.Type, in.AutoBootstrap, in.Config.Host(), in.Config.HTTPPath,
		in.Config.EffectivePort(), in.Config.AuthenticationType, in.Config.Token.Reveal(), in.Config.CatalogName(),
		in.Config.Sources(), in.Config.Audit)
	want := "Databricks false dbc-1234abcd-5678.cloud.databricks.com /sql/1.0/warehouses/1234567890abcdef 443 token dapi-not-a-real-token immuta [analytics main.sales] {true false}"
	if got != want {
		t.Errorf("decoded\n got %s\nwant %s", got, want)
	}
	if got, want := in.Pos("config.catalog").String(), "payload.yaml:8:12"; got != want {
		t.Errorf(`Pos("config.catalog") = %s, want %s`, got, want)
	}
	if got, want := in.Pos("config.storage.catalogLocation").String(), "payload.yaml:3:1"; got != want {
		t.Errorf(`Pos of an absent field = %s, want the enclosing object's %s`, got, want)
	}
}

// TestDecodeHostile feeds Decode inputs shaped to make a YAML or JSON parser
// slow or deep. Each must fail fast with the limit it hits; the test has no
// timer, but it would take minutes without the limits.
func TestDecodeHostile(t *testing.T) {
	keys := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "k%d: %d\n", i, i)
		}
		return b.String()
	}
	jsonKeys := func(n int) string {
		var b strings.Builder
		b.WriteString("{\n")
		for i := range n {
			fmt.Fprintf(&b, "  \"k%d\": %d,\n", i, i)
		}
		b.WriteString("  \"end\": 0\n}\n")
		return b.String()
	}
	laughs := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for c := 'b'; c <= 'k'; c++ {
		prev := string(c - 1)
		laughs += fmt.Sprintf("%c: &%c [%s]\n", c, c, strings.TrimSuffix(strings.Repeat("*"+prev+", ", 10), ", "))
	}
	tests := []struct {
		name, file, input, want string
	}{
		{"deep YAML flow", "p.yaml", "a: " + strings.Repeat("[", 100_000), "payload.yaml:1:68: payload is nested more than 64 levels deep"},
		{"deep YAML flow maps", "p.yaml", "a: " + strings.Repeat("{a: ", 100_000), "payload.yaml:1:260: payload is nested more than 64 levels deep"},
		{"deep JSON", "p.json", strings.Repeat("[", 1_000_000), "payload.json:1:66: JSON syntax error: nested more than 64 levels deep"},
		{"deep JSON objects", "p.json", strings.Repeat(`{"a":`, 100_000), "payload.json:1:326: JSON syntax error: nested more than 64 levels deep"},
		{"dash chain", "p.yaml", strings.Repeat("- ", 100_000) + "x\n", "payload.yaml:1:131: payload is nested more than 64 levels deep"},
		{"complex-key chain", "p.yaml", strings.Repeat("? ", 100_000) + "x\n", "payload.yaml:1:131: payload is nested more than 64 levels deep"},
		{"anchor chain", "p.yaml", strings.Repeat("&a ", 100_000) + "x\n", "payload.yaml:1:3001: payload has more than 1000 anchors, aliases and tags"},
		{"tag chain", "p.yaml", strings.Repeat("!t ", 100_000) + "x\n", "payload.yaml:1:2001: payload has more than 1000 anchors, aliases and tags"},
		{"many YAML keys", "p.yaml", keys(100_000), "payload.yaml:1001:6: payload has more than 1000 keys"},
		{"many JSON keys", "p.json", jsonKeys(100_000), "payload.json:1002:3: JSON syntax error: more than 1000 keys"},
		{"many documents", "p.yaml", strings.Repeat("---\na: 1\n", 100_000), "payload.yaml:3:1: payload has more than one YAML document"},
		{"many empty documents", "p.yaml", strings.Repeat("---\n", 100_000) + "a: 1\n", "payload.yaml:17:1: payload has more than 16 document markers"},
		{"billion laughs", "p.yaml", laughs, "aliases expand the payload to too many values"},
		{"oversize", "p.yaml", strings.Repeat("a", MaxPayloadSize+1), "payload.yaml:1:1: payload is 8388609 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			file := "payload" + filepath.Ext(tt.file)
			_, err := Decode(file, []byte(tt.input))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Decode: %.300v\nwant an error containing %q", err, tt.want)
			}
		})
	}
}

// A payload with many data sources decodes in time linear in their number.
func TestDecodeManyDataSources(t *testing.T) {
	var b strings.Builder
	b.WriteString(validYAML)
	const n = 50_000
	for i := range n {
		fmt.Fprintf(&b, "    - main.s%d.t%d\n", i/100, i)
	}
	in := mustDecode(t, "payload.yaml", b.String())
	if got := len(in.Config.Sources()); got != n+2 {
		t.Errorf("%d data sources, want %d", got, n+2)
	}
}

func BenchmarkDecode(b *testing.B) {
	many := func(n int) []byte {
		var s strings.Builder
		s.WriteString(validYAML)
		for i := range n {
			fmt.Fprintf(&s, "    - main.s%d.t%d\n", i/100, i)
		}
		return []byte(s.String())
	}
	garbage := func(kind string, n int) []byte {
		data, err := generatePayload([]string{kind, strconv.Itoa(n)})
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	for _, bm := range []struct {
		name string
		data []byte
	}{
		{"valid", []byte(validYAML)},
		{"sources=1000", many(1000)},
		{"sources=100000", many(100_000)},
		{"garbage=1MB", garbage("garbage", 1<<20)},
		{"garbage=8MB", garbage("garbage", MaxPayloadSize)},
		{"garbage=10MB", garbage("garbage", 10<<20)},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(bm.data)))
			for b.Loop() {
				Decode("payload.yaml", bm.data)
			}
		})
	}
}
