package page

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/lint"
)

func TestName(t *testing.T) {
	for text, want := range map[string]string{
		"":                    "payload.yaml",
		"type: Databricks":    "payload.yaml",
		"  \n\t{\"type\": 1}": "payload.json",
		"\ufeff{}":            "payload.json",
		"[1]":                 "payload.json",
		"# {not json}":        "payload.yaml",
	} {
		if got := Name("payload", []byte(text)); got != want {
			t.Errorf("Name(%q) = %q, want %q", text, got, want)
		}
	}
}

func examples(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob("../../../examples/payloads/*")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	return paths
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestGenerateIsTheCLIs compares Generate with the library calls of
// "ucbootstrap generate" for every example and kind.
func TestGenerateIsTheCLIs(t *testing.T) {
	for _, path := range examples(t) {
		data := read(t, path)
		in, err := ucbootstrap.Decode("p", data)
		if err != nil {
			t.Fatal(err)
		}
		oldData := read(t, filepath.Join("../../testdata/edit", filepath.Base(path)))
		old, err := ucbootstrap.Decode("old", oldData)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			kind   generator.Kind
			revoke bool
			runner string
		}{
			{generator.Bootstrap, false, ""}, {generator.Prerequisites, false, ""}, {generator.Edit, false, ""},
			{generator.Cleanup, false, ""}, {generator.Cleanup, true, ""}, {generator.Cleanup, true, "admin@example.com"},
		} {
			r := Request{Payload: string(data), Kind: string(tc.kind), RevokeGrants: tc.revoke, Runner: " " + tc.runner + "\n"}
			var opts []generator.Option
			if tc.kind == generator.Edit {
				r.From = string(oldData)
				opts = append(opts, generator.From(old))
			}
			if tc.revoke {
				opts = append(opts, generator.RevokeGrants())
			}
			if tc.runner != "" {
				opts = append(opts, generator.Runner(tc.runner))
			}
			got := Generate(r)
			s, err := generator.Generate(in, tc.kind, opts...)
			name := Name("payload", data)
			if err != nil {
				want := "ucbootstrap: " + name + ": " + err.Error()
				if got.SQL != "" || got.Error != want {
					t.Errorf("%s %s: SQL %d bytes, error %q; want none and %q", path, tc.kind, len(got.SQL), got.Error, want)
				}
				continue
			}
			want, err := s.SQL()
			if err != nil {
				t.Fatal(err)
			}
			if got.SQL != want || got.Error != "" {
				t.Errorf("%s %s revoke=%v runner=%q: the script differs from the generator's (error %q)", path, tc.kind, tc.revoke, tc.runner, got.Error)
			}
			if got.FileName != in.Config.CatalogName()+"-"+string(tc.kind)+".sql" || got.Title != s.Title() {
				t.Errorf("%s %s: file name %q, title %q", path, tc.kind, got.FileName, got.Title)
			}
			if !got.Payload.Valid || got.Payload.Fingerprint != in.Fingerprint() || got.Payload.Name != name {
				t.Errorf("%s: payload %+v", path, got.Payload)
			}
		}
	}
}

// TestDecodeDiagnostics checks the texts (the CLI's), the count line and
// the spans, in UTF-16 units, of an invalid payload with non-ASCII text
// before a problem on its line.
func TestDecodeDiagnostics(t *testing.T) {
	text := "type: Databricks\n" +
		"autoBootstrap: false\n" +
		"config:\n" +
		"  workspaceUrl: \"[dbc-1.cloud.databricks.com](https://dbc-1.cloud.databricks.com)\"\n" +
		"  httpPath: /sql/1.0/warehouses/1234567890abcdef\n" +
		"  authenticationType: token\n" +
		"  token: dapi-not-a-real-token\n" +
		"  tenant: \"é😀\"\n" +
		"  catalog: 1immuta   \n" +
		"  catalgo: immuta\r\n" +
		"  servicePrincipal: 6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f\n"
	in, p := Decode("bad.yaml", []byte(text), false)
	if in != nil || p.Valid || p.Empty {
		t.Fatalf("decoded an invalid payload: %+v", p)
	}
	_, err := ucbootstrap.Decode("bad.yaml", []byte(text))
	var ds ucbootstrap.Diagnostics
	if !errors.As(err, &ds) {
		t.Fatal(err)
	}
	if len(p.Diagnostics) != len(ds) {
		t.Fatalf("%d diagnostics, want %d", len(p.Diagnostics), len(ds))
	}
	u16 := utf16.Encode([]rune(text))
	for i, d := range ds {
		got := p.Diagnostics[i]
		if got.Text != d.String() || got.Line != d.Pos.Line || got.Col != d.Pos.Col || got.Field != d.Field || got.Severity != d.Severity.String() {
			t.Errorf("diagnostic %d: %+v, want %s", i, got, d)
		}
		// The span starts at the CLI's line and column, and ends at the end
		// of the line, without trailing blanks or the CR of a CRLF.
		lines := strings.Split(text, "\n")
		line := strings.TrimRight(lines[d.Pos.Line-1], " \r")
		wantSpan := line[d.Pos.Col-1:]
		if gotSpan := string(utf16.Decode(u16[got.Start:got.End])); gotSpan != wantSpan {
			t.Errorf("diagnostic %d (%s): span %q, want %q", i, d, gotSpan, wantSpan)
		}
	}
	if p.Summary != "bad.yaml: "+strconv.Itoa(ds.Errors())+" errors" {
		t.Errorf("summary %q", p.Summary)
	}
}

func u16len(s string) int { return len(utf16.Encode([]rune(s))) }

func TestDecodeEmptyAndLenient(t *testing.T) {
	if in, p := Decode("p.yaml", []byte(" \n\t\n"), false); in != nil || !p.Empty || len(p.Diagnostics) != 0 || p.Diagnostics == nil {
		t.Errorf("blank payload: %+v", p)
	}
	data := append(read(t, "../../../examples/payloads/manual-token.yaml"), "  colour: blue\n"...)
	if in, p := Decode("p.yaml", data, false); in != nil || p.Errors != 1 {
		t.Errorf("unknown key: %+v", p)
	}
	in, p := Decode("p.yaml", data, true)
	if in == nil || !p.Valid || p.Warnings != 1 || p.Errors != 0 || p.Diagnostics[0].Severity != "warning" || p.Summary != "" {
		t.Errorf("unknown key, lenient: %+v", p)
	}
	if !strings.Contains(p.Diagnostics[0].Text, ": warning: config.colour: ") {
		t.Errorf("warning text %q", p.Diagnostics[0].Text)
	}
}

func TestGenerateNeeds(t *testing.T) {
	data := string(read(t, "../../../examples/payloads/manual-token.yaml"))
	// An edit script needs the previous payload.
	s := Generate(Request{Payload: data, Kind: "edit"})
	if s.SQL != "" || !strings.Contains(s.Error, "previous payload") || s.From == nil || !s.From.Empty {
		t.Errorf("edit without the previous payload: %+v", s)
	}
	// An invalid previous payload is reported under its own name.
	s = Generate(Request{Payload: data, Kind: "edit", From: "type: Databricks\n"})
	if s.SQL != "" || s.Error != "" || s.From.Valid || s.From.Name != "previous-payload.yaml" || s.From.Errors == 0 {
		t.Errorf("edit with an invalid previous payload: %+v", s.From)
	}
	// Nothing yet: no script, no message.
	s = Generate(Request{Kind: "bootstrap"})
	if s.SQL != "" || s.Error != "" || !s.Payload.Empty {
		t.Errorf("empty payload: %+v", s)
	}
	s = Generate(Request{Payload: data, Kind: "nonsense"})
	if s.SQL != "" || !strings.HasPrefix(s.Error, "ucbootstrap: ") {
		t.Errorf("unknown kind: %+v", s)
	}
	// A name given by the page (an opened file) is kept.
	s = Generate(Request{Payload: data, PayloadName: "mine.yaml", Kind: "prerequisites"})
	if !strings.HasPrefix(s.Error, "ucbootstrap: mine.yaml: generator: the prerequisites script is for automatic setup") {
		t.Errorf("prerequisites of a manual payload: %q", s.Error)
	}
}

func TestFileName(t *testing.T) {
	for _, tc := range []struct{ catalog, want string }{
		{"immuta", "immuta-bootstrap.sql"},
		{"gov_1", "gov_1-bootstrap.sql"},
		{"a/b\\c d.e", "a_b_c_d_e-bootstrap.sql"},
		{"", "script-bootstrap.sql"},
		{"é", "_-bootstrap.sql"},
	} {
		if got := FileName(tc.catalog, generator.Bootstrap); got != tc.want {
			t.Errorf("FileName(%q) = %q, want %q", tc.catalog, got, tc.want)
		}
	}
}

// TestLintIsTheCLIs lints an edited script and compares with lint.Run.
func TestLintIsTheCLIs(t *testing.T) {
	data := read(t, "../../../examples/payloads/manual-token.yaml")
	in, err := ucbootstrap.Decode("p", data)
	if err != nil {
		t.Fatal(err)
	}
	script := "-- é😀 a comment\nREVOKE ALL PRIVILEGES ON CATALOG `immuta` FORM `account users`;\nGRANT SELECT ON CATALOG `immuta` TO `someone`;\n"
	got := LintScript(Request{Payload: string(data), Kind: "bootstrap", Script: script, ScriptName: "s.sql"})
	ds, err := lint.Run("s.sql", []byte(script), in, generator.Bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	if got.Error != "" || len(got.Diagnostics) != len(ds) || len(ds) == 0 {
		t.Fatalf("lint: error %q, %d diagnostics, want %d", got.Error, len(got.Diagnostics), len(ds))
	}
	u16 := utf16.Encode([]rune(script))
	lines := strings.Split(script, "\n")
	for i, d := range ds {
		g := got.Diagnostics[i]
		if g.Text != d.String() || g.Code != d.Code || g.URL != lint.Lookup(d.Code).URL {
			t.Errorf("diagnostic %d: %+v, want %s", i, g, d)
		}
		// The span starts at the diagnostic's position.
		off := len(strings.Join(lines[:d.Pos.Line], "\n")) - len(lines[d.Pos.Line-1]) + d.Pos.Col - 1
		if g.Start != u16len(script[:off]) || g.End < g.Start || g.End > len(u16) {
			t.Errorf("diagnostic %d (%s): span [%d, %d)", i, d, g.Start, g.End)
		}
	}
	if diff := cmp.Diff([]Diagnostic{}, LintScript(Request{Payload: string(data), Kind: "bootstrap", Script: mustSQL(t, in)}).Diagnostics); diff != "" {
		t.Errorf("lint of the generated script (-want +got):\n%s", diff)
	}
	// A payload without a script of the kind: the CLI's message.
	l := LintScript(Request{Payload: string(data), Kind: "prerequisites", Script: script})
	if !strings.HasPrefix(l.Error, "ucbootstrap: payload.yaml: ") {
		t.Errorf("lint of prerequisites with manual setup: %q", l.Error)
	}
}

func mustSQL(t *testing.T, in *ucbootstrap.Integration) string {
	s, err := generator.Generate(in, generator.Bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	sql, err := s.SQL()
	if err != nil {
		t.Fatal(err)
	}
	return sql
}

func TestResultsAreJSON(t *testing.T) {
	data := read(t, "../../../examples/payloads/auto-token.json")
	out, err := json.Marshal(Generate(Request{Payload: string(data), Kind: "bootstrap"}))
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"payload", "sql", "fileName", "title"} {
		if _, ok := back[k]; !ok {
			t.Errorf("no %q in %s", k, out[:min(len(out), 200)])
		}
	}
	// The secrets of the payload are not in the result.
	if strings.Contains(string(out), "dapi0000") {
		t.Error("the token is in the result")
	}
}

// TestMessagesAreTheCLIs runs the CLI itself on payloads that it rejects
// and compares what it prints with what the page shows: the diagnostics
// and count line of an invalid payload, the reason a script cannot be
// generated, and the lint findings.
func TestMessagesAreTheCLIs(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "ucbootstrap")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/ucbootstrap/ucbootstrap/cmd/ucbootstrap").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	run := func(args ...string) (stdout, stderr string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = root
		var o, e strings.Builder
		cmd.Stdout, cmd.Stderr = &o, &e
		cmd.Run() // the exit status is 1: findings
		return o.String(), e.String()
	}
	lines := func(p Payload) string {
		var b strings.Builder
		for _, d := range p.Diagnostics {
			b.WriteString(d.Text + "\n")
		}
		if p.Summary != "" {
			b.WriteString(p.Summary + "\n")
		}
		return b.String()
	}

	bad := "web/testdata/bad.yaml"
	_, stderr := run("generate", bad)
	got := Generate(Request{Payload: string(read(t, filepath.Join(root, bad))), PayloadName: bad, Kind: "bootstrap"})
	if lines(got.Payload) != stderr {
		t.Errorf("invalid payload: the page shows\n%s\nthe CLI prints\n%s", lines(got.Payload), stderr)
	}

	manual := "examples/payloads/manual-token.yaml"
	_, stderr = run("generate", "--kind", "prerequisites", manual)
	got = Generate(Request{Payload: string(read(t, filepath.Join(root, manual))), PayloadName: manual, Kind: "prerequisites"})
	if got.Error+"\n" != stderr {
		t.Errorf("no prerequisites script: the page says\n%s\nthe CLI prints\n%s", got.Error, stderr)
	}

	lenient := filepath.Join(t.TempDir(), "lenient.yaml")
	if err := os.WriteFile(lenient, append(read(t, filepath.Join(root, manual)), "  colour: blue\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr := run("generate", "--lenient", lenient)
	got = Generate(Request{Payload: string(read(t, lenient)), PayloadName: lenient, Kind: "bootstrap", Lenient: true})
	if lines(got.Payload) != stderr || got.SQL != stdout {
		t.Errorf("lenient: the page shows\n%s\nthe CLI prints\n%s", lines(got.Payload), stderr)
	}

	script := filepath.Join(t.TempDir(), "edited.sql")
	if err := os.WriteFile(script, []byte("REVOKE ALL PRIVILEGES ON CATALOG `immuta` FORM `account users`;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, _ = run("lint", script, "--payload", manual)
	l := LintScript(Request{Payload: string(read(t, filepath.Join(root, manual))), PayloadName: manual, Kind: "bootstrap", Script: string(read(t, script)), ScriptName: script})
	var b strings.Builder
	for _, d := range l.Diagnostics {
		b.WriteString(d.Text + "\n")
	}
	if b.String() != stdout || stdout == "" {
		t.Errorf("lint: the page shows\n%s\nthe CLI prints\n%s", b.String(), stdout)
	}

	// A script the payload has no kind of: the same one line.
	_, stderr = run("lint", "--kind", "prerequisites", script, "--payload", manual)
	l = LintScript(Request{Payload: string(read(t, filepath.Join(root, manual))), PayloadName: manual, Kind: "prerequisites", Script: string(read(t, script)), ScriptName: script})
	if l.Error+"\n" != stderr {
		t.Errorf("lint without a script of that kind: the page says\n%s\nthe CLI prints\n%s", l.Error, stderr)
	}
}
