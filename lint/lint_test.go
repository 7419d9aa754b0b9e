package lint_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/lint"
)

// root is the module root, which fixture headers name payloads relative to.
const root = ".."

// TestRules validates the rule registry.
func TestRules(t *testing.T) {
	if err := lint.Validate(lint.Rules()); err != nil {
		t.Error(err)
	}
	bad := []*lint.Rule{
		{Code: "X1", Name: "Bad-Name", Doc: "Starts with a capital.", URL: "x"},
		{Code: "X1", Name: "dup", Doc: "a line\nand another"},
	}
	err := lint.Validate(bad)
	if err == nil {
		t.Fatal("Validate(bad rules) = nil, want errors")
	}
	for _, want := range []string{"not of the form", "duplicate code", "lower-case identifier", "capital", "one line", "URL", "no Run"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate(bad rules) = %v, want it to mention %q", err, want)
		}
	}
}

// TestREADME checks that lint/README.md documents every rule under its
// code, with a bad and a good example.
func TestREADME(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, r := range lint.Rules() {
		i := strings.Index(text, "\n## "+r.Code+"\n")
		if i < 0 {
			t.Errorf("README.md has no heading %q", "## "+r.Code)
			continue
		}
		section := text[i+1:]
		if j := strings.Index(section[3:], "\n## "); j >= 0 {
			section = section[:j+3]
		}
		for _, want := range []string{r.Name, r.Doc, "Bad:", "Good:"} {
			if !strings.Contains(section, want) {
				t.Errorf("README.md section %s lacks %q", r.Code, want)
			}
		}
	}
}

// An expectation is a `-- want "regexp"` comment of a fixture.
type expectation struct {
	line int
	rx   *regexp.Regexp
}

var wantRx = regexp.MustCompile(`--\s*want\s+(.*)$`)

// parseFixture returns the payload and kind a fixture's header names and
// its expectations. Header lines are "-- payload: PATH" (relative to the
// module root; default testdata/lint/payload.yaml) and "-- kind: KIND"
// (default bootstrap).
func parseFixture(t *testing.T, file string, src []byte) (payload string, kind generator.Kind, wants []expectation) {
	payload, kind = filepath.Join("testdata", "lint", "payload.yaml"), generator.Bootstrap // "none": no payload
	sc := bufio.NewScanner(bytes.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "-- payload:"); ok {
			payload = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "-- kind:"); ok {
			kind = generator.Kind(strings.TrimSpace(v))
		}
		m := wantRx.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		rest := strings.TrimSpace(m[1])
		for rest != "" {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				t.Fatalf("%s:%d: bad want %q: %v", file, n, rest, err)
			}
			s, _ := strconv.Unquote(q)
			rx, err := regexp.Compile(s)
			if err != nil {
				t.Fatalf("%s:%d: bad regexp %q: %v", file, n, s, err)
			}
			wants = append(wants, expectation{n, rx})
			rest = strings.TrimSpace(rest[len(q):])
		}
	}
	return payload, kind, wants
}

// runFixture lints a fixture: with lint.RunWithoutPayload when its payload
// is "none", with lint.RunEdit when a "-- from: PATH" header names the old
// payload of an edit, with lint.Run otherwise.
func runFixture(t *testing.T, name string, src []byte, payload string, kind generator.Kind) ([]lint.Diagnostic, error) {
	if payload == "none" {
		diags, _ := lint.RunWithoutPayload(name, src)
		return diags, nil
	}
	in := decode(t, filepath.Join(root, payload))
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		if from, ok := strings.CutPrefix(sc.Text(), "-- from:"); ok {
			return lint.RunEdit(name, src, in, decode(t, filepath.Join(root, strings.TrimSpace(from))))
		}
	}
	return lint.Run(name, src, in, kind)
}

func decode(t *testing.T, path string) *ucbootstrap.Integration {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	in, err := ucbootstrap.Decode(path, data)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return in
}

// TestFixtures runs the linter on testdata/lint/<rule>/*.sql and checks
// the diagnostics against the fixtures' `-- want "regexp"` comments, like
// x/tools' analysistest: each diagnostic, printed as "CODE message", must
// match an expectation on its line, and each expectation must be met.
// Every rule has a directory, and each fixture expects its rule's code.
func TestFixtures(t *testing.T) {
	for _, r := range lint.Rules() {
		t.Run(r.Name, func(t *testing.T) {
			files, err := filepath.Glob(filepath.Join(root, "testdata", "lint", r.Name, "*.sql"))
			if err != nil || len(files) == 0 {
				t.Fatalf("no fixtures testdata/lint/%s/*.sql (%v)", r.Name, err)
			}
			for _, file := range files {
				t.Run(filepath.Base(file), func(t *testing.T) {
					checkFixture(t, r, file)
				})
			}
		})
	}
}

func checkFixture(t *testing.T, r *lint.Rule, file string) {
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	payload, kind, wants := parseFixture(t, file, src)
	if !slices.ContainsFunc(wants, func(w expectation) bool { return strings.Contains(w.rx.String(), r.Code) }) {
		t.Errorf("%s: no expectation of %s", file, r.Code)
	}
	name := filepath.ToSlash(file)
	diags, err := runFixture(t, name, src, payload, kind)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	for _, d := range diags {
		if d.Pos.File != name {
			t.Errorf("%s: diagnostic names file %q", d, d.Pos.File)
		}
		text := d.Code + " " + d.Message
		i := slices.IndexFunc(wants, func(w expectation) bool { return w.line == d.Pos.Line && w.rx.MatchString(text) })
		if i < 0 {
			t.Errorf("%s: unexpected diagnostic: %s", d.Pos, text)
			continue
		}
		wants = slices.Delete(wants, i, i+1)
	}
	for _, w := range wants {
		t.Errorf("%s:%d: no diagnostic was reported matching %q", file, w.line, w.rx)
	}
}

// scripts returns every script the generator makes of a payload: each kind
// that applies (an edit from the payload to itself), and the cleanup script
// with RevokeGrants, and with a Runner (who takes the catalog over to drop
// it).
func scripts(t *testing.T, in *ucbootstrap.Integration) map[generator.Kind][]string {
	out := map[generator.Kind][]string{}
	add := func(kind generator.Kind, opts ...generator.Option) {
		s, err := generator.Generate(in, kind, opts...)
		if err != nil {
			return // a kind that does not apply to this payload
		}
		sql, err := s.SQL()
		if err != nil {
			t.Fatal(err)
		}
		out[kind] = append(out[kind], sql)
	}
	add(generator.Bootstrap)
	add(generator.Prerequisites)
	add(generator.Edit, generator.From(in))
	add(generator.Cleanup)
	add(generator.Cleanup, generator.RevokeGrants())
	add(generator.Cleanup, generator.Runner("admin@example.com"), generator.RevokeGrants())
	return out
}

// TestGeneratedClean checks that every script generated from the example
// payloads, and from the fixtures' payload, lints clean.
func TestGeneratedClean(t *testing.T) {
	payloads, err := filepath.Glob(filepath.Join(root, "examples", "payloads", "*"))
	if err != nil || len(payloads) == 0 {
		t.Fatalf("no example payloads (%v)", err)
	}
	payloads = append(payloads, filepath.Join(root, "testdata", "lint", "payload.yaml"))
	for _, path := range payloads {
		in := decode(t, path)
		n := 0
		for kind, list := range scripts(t, in) {
			for i, sql := range list {
				n++
				name := fmt.Sprintf("%s.%s.%d.sql", filepath.Base(path), kind, i)
				diags, err := lint.Run(name, []byte(sql), in, kind)
				if err != nil {
					t.Errorf("Run(%s): %v", name, err)
				}
				for _, d := range diags {
					t.Errorf("generated script: %s", d)
				}
			}
		}
		if n < 2 {
			t.Errorf("%s: only %d scripts generated", path, n)
		}
	}
}

// TestRunDeterministic checks that the diagnostics are sorted and the same
// on every run.
func TestRunDeterministic(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(root, "testdata", "lint", "*", "*.sql"))
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		payload, kind, _ := parseFixture(t, file, src)
		first, err := runFixture(t, file, src, payload, kind)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			again, _ := runFixture(t, file, src, payload, kind)
			if !slices.Equal(first, again) {
				t.Fatalf("%s: diagnostics differ between runs", file)
			}
		}
		if !slices.IsSortedFunc(first, func(a, b lint.Diagnostic) int { return a.Pos.Offset - b.Pos.Offset }) {
			t.Errorf("%s: diagnostics not sorted by position", file)
		}
	}
}

// TestRunErrors checks that Run refuses what it cannot lint.
func TestRunErrors(t *testing.T) {
	in := decode(t, filepath.Join(root, "examples", "payloads", "manual-token.yaml"))
	for _, tc := range []struct {
		name string
		in   *ucbootstrap.Integration
		kind generator.Kind
		want string
	}{
		{"nil payload", nil, generator.Bootstrap, "lint: no payload"},
		{"unknown kind", in, "teardown", `lint: unknown kind "teardown"`},
		{"no such script", in, generator.Prerequisites, "lint: generator: the prerequisites script is for automatic setup"},
	} {
		_, err := lint.Run("x.sql", nil, tc.in, tc.kind)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: Run = %v, want an error starting %q", tc.name, err, tc.want)
		}
	}
}

// TestWrite checks the three formats on a syntax error.
func TestWrite(t *testing.T) {
	in := decode(t, filepath.Join(root, "examples", "payloads", "auto-token.json"))
	diags, err := lint.Run("bad.sql", []byte("GRANT SELECT ON TABLE TO x;"), in, generator.Prerequisites)
	if err != nil {
		t.Fatal(err)
	}
	if len(diags) == 0 {
		t.Fatal("no diagnostics")
	}
	var text, js, sarif bytes.Buffer
	for format, b := range map[string]*bytes.Buffer{"text": &text, "json": &js, "sarif": &sarif} {
		if err := lint.Write(b, format, []string{"bad.sql"}, diags); err != nil {
			t.Fatalf("Write(%s): %v", format, err)
		}
	}
	if !strings.HasPrefix(text.String(), "bad.sql:1:") || !strings.Contains(text.String(), ": UCB001 ") {
		t.Errorf("text = %q", text.String())
	}
	var j struct {
		Schema      string
		Diagnostics []struct{ Code, URL string }
	}
	if err := json.Unmarshal(js.Bytes(), &j); err != nil || j.Schema != lint.JSONSchema || len(j.Diagnostics) != len(diags) {
		t.Errorf("json = %s (%v)", js.String(), err)
	}
	var s struct {
		Version string
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct{ ID, HelpURI string }
				}
			}
			Results []struct{ RuleID string }
		}
	}
	if err := json.Unmarshal(sarif.Bytes(), &s); err != nil || s.Version != "2.1.0" || len(s.Runs) != 1 ||
		len(s.Runs[0].Tool.Driver.Rules) != len(lint.Rules()) || len(s.Runs[0].Results) != len(diags) {
		t.Errorf("sarif = %s (%v)", sarif.String(), err)
	}
	if err := lint.Write(&text, "xml", nil, diags); err == nil || !strings.HasPrefix(err.Error(), "lint: ") {
		t.Errorf("Write(xml) = %v, want a lint: error", err)
	}
}
