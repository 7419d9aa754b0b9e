// Package page is what the script page asks of the library: it decodes the
// payloads typed into the page, generates a script and lints a hand-edited
// one, and returns the results in the shape the page's JavaScript reads
// (JSON, through the WebAssembly entry in web/wasm).
//
// Every message is the one the CLI prints for the same input: diagnostics are
// ucbootstrap.Diagnostic.String and lint.Diagnostic.String, the count line of
// an invalid payload is the one of "ucbootstrap validate", and a script that
// cannot be generated gives the lines of "ucbootstrap generate". Positions are
// given twice: as the CLI's line and byte column, and as UTF-16 offsets into
// the text, which is how JavaScript indexes a string.
package page

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/lint"
)

// A Diagnostic is a problem in a payload or a finding in a script.
type Diagnostic struct {
	// Text is the diagnostic as the CLI prints it.
	Text     string `json:"text"`
	Severity string `json:"severity"`
	// Line and Col are the CLI's position (1-based, Col in bytes); 0 when
	// the diagnostic is about the whole input.
	Line int `json:"line"`
	Col  int `json:"col"`
	// Start and End are the span to mark, as UTF-16 offsets into the
	// text; -1 when the diagnostic has no position.
	Start int `json:"start"`
	End   int `json:"end"`
	// Field, Message and Hint are set for payload diagnostics.
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
	// Code and URL are set for lint diagnostics: the rule's code and its
	// help page.
	Code string `json:"code,omitempty"`
	URL  string `json:"url,omitempty"`
}

// A Payload is a decoded payload.
type Payload struct {
	// Name is the file name diagnostics give the payload.
	Name string `json:"name"`
	// Empty is true when the text is blank: nothing to report yet.
	Empty bool `json:"empty"`
	Valid bool `json:"valid"`
	// Diagnostics holds every error and warning, in the CLI's order.
	Diagnostics []Diagnostic `json:"diagnostics"`
	Errors      int          `json:"errors"`
	Warnings    int          `json:"warnings"`
	// Summary is the CLI's count line of an invalid payload, such as
	// "payload.yaml: 3 errors, 1 warning"; empty when the payload is valid.
	Summary string `json:"summary,omitempty"`
	// Fingerprint, Catalog and Manual are set when the payload is valid.
	Fingerprint string `json:"fingerprint,omitempty"`
	Catalog     string `json:"catalog,omitempty"`
	Manual      bool   `json:"manual,omitempty"`
}

// Name returns the file name of a payload typed or pasted into the page:
// base with ".json" when the text starts like JSON ('{' or '[' first), and
// with ".yaml" otherwise, as ucbootstrap.Decode tells the two apart.
func Name(base string, text []byte) string {
	if t := bytes.TrimLeft(text, " \t\r\n\ufeff"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return base + ".json"
	}
	return base + ".yaml"
}

// Decode decodes the payload text named name, as "ucbootstrap validate"
// does (with --lenient when lenient is set). The integration is nil when
// the payload is invalid or blank.
func Decode(name string, text []byte, lenient bool) (*ucbootstrap.Integration, Payload) {
	p := Payload{Name: name, Diagnostics: []Diagnostic{}}
	if len(bytes.TrimSpace(text)) == 0 {
		p.Empty = true
		return nil, p
	}
	var opts []ucbootstrap.Option
	if lenient {
		opts = append(opts, ucbootstrap.Lenient())
	}
	in, err := ucbootstrap.Decode(name, text, opts...)
	var ds ucbootstrap.Diagnostics
	switch {
	case err == nil:
		ds = in.Warnings()
	case errors.As(err, &ds) && len(ds) > 0:
	default:
		// As the CLI does: Decode documents Diagnostics as its only
		// error; keep another one visible rather than lose it.
		ds = ucbootstrap.Diagnostics{{Pos: ucbootstrap.Position{File: name}, Message: err.Error()}}
	}
	lines := newLineIndex(text)
	for _, d := range ds {
		start, end := lines.span(d.Pos.Line, d.Pos.Col)
		p.Diagnostics = append(p.Diagnostics, Diagnostic{
			Text: d.String(), Severity: d.Severity.String(),
			Line: d.Pos.Line, Col: d.Pos.Col, Start: start, End: end,
			Field: d.Field, Message: d.Message, Hint: d.Hint,
		})
	}
	p.Errors = ds.Errors()
	p.Warnings = len(ds.Warnings())
	if in == nil {
		p.Summary = name + ": " + plural(p.Errors, "error")
		if p.Warnings > 0 {
			p.Summary += ", " + plural(p.Warnings, "warning")
		}
		return nil, p
	}
	p.Valid = true
	p.Fingerprint = in.Fingerprint()
	p.Catalog = in.Config.CatalogName()
	p.Manual = !in.AutoBootstrap
	return in, p
}

// plural returns "1 error" or "3 errors", as the CLI does.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// A Request asks for a script, or for the lint of a script.
type Request struct {
	// Payload is the payload's text and PayloadName its file name; an
	// empty name stands for Name("payload", Payload).
	Payload     string `json:"payload"`
	PayloadName string `json:"payloadName"`
	// Kind is the kind of script: bootstrap, prerequisites, edit or
	// cleanup.
	Kind string `json:"kind"`
	// From and FromName are the payload the metastore was set up with, for
	// an edit script (generate --from); an empty name stands for
	// Name("previous-payload", From).
	From     string `json:"from,omitempty"`
	FromName string `json:"fromName,omitempty"`
	// RevokeGrants is generate --revoke-grants, for a cleanup script.
	RevokeGrants bool `json:"revokeGrants,omitempty"`
	// Runner is generate --runner, for a cleanup script: the person who
	// runs it (a metastore admin who does not own the catalog), so that
	// the script first makes them its owner. Spaces around it are cut.
	Runner string `json:"runner,omitempty"`
	// Lenient reports unknown payload keys as warnings (--lenient).
	Lenient bool `json:"lenient,omitempty"`
	// Script and ScriptName are the hand-edited script to lint.
	Script     string `json:"script,omitempty"`
	ScriptName string `json:"scriptName,omitempty"`
}

// payloadName returns the payload's file name: PayloadName, or for text
// typed into the page Name("payload", text).
func (r *Request) payloadName() string {
	if r.PayloadName != "" {
		return r.PayloadName
	}
	return Name("payload", []byte(r.Payload))
}

// fromName returns the previous payload's file name: FromName, or
// Name("previous-payload", text).
func (r *Request) fromName() string {
	if r.FromName != "" {
		return r.FromName
	}
	return Name("previous-payload", []byte(r.From))
}

// A Script is the answer to a generate request.
type Script struct {
	Payload Payload `json:"payload"`
	// From is the previous payload of an edit script.
	From *Payload `json:"from,omitempty"`
	// SQL is the script, byte for byte what "ucbootstrap generate" writes;
	// empty when there is none.
	SQL string `json:"sql"`
	// FileName is the name to download the script as:
	// <catalog>-<kind>.sql.
	FileName string `json:"fileName,omitempty"`
	// Title is the script's one-line title.
	Title string `json:"title,omitempty"`
	// Error says why there is no script: the lines "ucbootstrap generate"
	// prints, or what the page still needs (such as the previous payload
	// of an edit script). Empty when the payloads are invalid: their
	// diagnostics say why.
	Error string `json:"error,omitempty"`
}

// Generate decodes the payloads of r and generates the script it asks for,
// as "ucbootstrap generate --kind KIND [--from OLD] [--revoke-grants]
// [--runner NAME] [--lenient]" does.
func Generate(r Request) Script {
	kind, err := generator.ParseKind(r.Kind)
	if err != nil {
		return Script{Payload: Payload{Name: r.PayloadName, Empty: true, Diagnostics: []Diagnostic{}},
			Error: "ucbootstrap: " + strings.TrimPrefix(err.Error(), "generator: ")}
	}
	in, p := Decode(r.payloadName(), []byte(r.Payload), r.Lenient)
	s := Script{Payload: p}
	var opts []generator.Option
	if kind == generator.Edit {
		old, fp := Decode(r.fromName(), []byte(r.From), r.Lenient)
		s.From = &fp
		switch {
		case fp.Empty && !p.Empty:
			s.Error = "The edit script goes from the payload the metastore was set up with to the new one: paste the previous payload too."
		case old != nil:
			opts = append(opts, generator.From(old))
		}
		if old == nil {
			return s
		}
	}
	if in == nil {
		return s
	}
	if r.RevokeGrants && kind == generator.Cleanup {
		opts = append(opts, generator.RevokeGrants())
	}
	if runner := strings.TrimSpace(r.Runner); runner != "" && kind == generator.Cleanup {
		opts = append(opts, generator.Runner(runner))
	}
	script, err := generator.Generate(in, kind, opts...)
	if err != nil {
		s.Error = generateError(p.Name, err)
		return s
	}
	var b strings.Builder
	if err := script.Render(&b); err != nil {
		s.Error = generateError(p.Name, err)
		return s
	}
	s.SQL = b.String()
	s.Title = script.Title()
	s.FileName = FileName(script.Catalog, kind)
	return s
}

// FileName returns the name a script downloads as, <catalog>-<kind>.sql,
// with every character other than a letter, a digit, '-' or '_' replaced
// by '_' so that the name is safe on every file system.
func FileName(catalog string, kind generator.Kind) string {
	safe := strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '-', r == '_':
			return r
		}
		return '_'
	}, catalog)
	if safe == "" {
		safe = "script"
	}
	return safe + "-" + string(kind) + ".sql"
}

// generateError formats why the script of the payload file cannot be
// generated as "ucbootstrap generate" does: one reason a line, each naming
// the file.
func generateError(file string, err error) string {
	lines := strings.Split(strings.TrimRight(err.Error(), "\n"), "\n")
	for i, l := range lines {
		lines[i] = "ucbootstrap: " + file + ": " + l
	}
	return strings.Join(lines, "\n")
}

// A Lint is the answer to a lint request.
type Lint struct {
	Payload Payload `json:"payload"`
	// Diagnostics are the findings in the script, as "ucbootstrap lint"
	// prints them.
	Diagnostics []Diagnostic `json:"diagnostics"`
	// Error says why the script cannot be linted: the line "ucbootstrap
	// lint" prints. Empty when the payload is invalid: its diagnostics say
	// why.
	Error string `json:"error,omitempty"`
}

// LintScript decodes the payload of r and lints r.Script against it, as
// "ucbootstrap lint --kind KIND SCRIPT --payload PAYLOAD" does.
func LintScript(r Request) Lint {
	in, p := Decode(r.payloadName(), []byte(r.Payload), r.Lenient)
	l := Lint{Payload: p, Diagnostics: []Diagnostic{}}
	if in == nil {
		return l
	}
	src := []byte(r.Script)
	ds, err := lint.Run(r.ScriptName, src, in, generator.Kind(r.Kind))
	if err != nil {
		l.Error = fmt.Sprintf("ucbootstrap: %s: %v", p.Name, err)
		return l
	}
	lines := newLineIndex(src)
	for _, d := range ds {
		start, end := lines.span(d.Pos.Line, d.Pos.Col)
		if d.End != d.Pos {
			if e := lines.offset(d.End.Line, d.End.Col); e > start {
				end = e
			}
		}
		url := ""
		if r := lint.Lookup(d.Code); r != nil {
			url = r.URL
		}
		l.Diagnostics = append(l.Diagnostics, Diagnostic{
			Text: d.String(), Severity: d.Severity.String(),
			Line: d.Pos.Line, Col: d.Pos.Col, Start: start, End: end,
			Message: d.Message, Code: d.Code, URL: url,
		})
	}
	return l
}

// A lineIndex converts the CLI's positions (line, byte column) in a text
// into UTF-16 offsets.
type lineIndex struct {
	text  []byte
	lines []int // byte offset of the start of each line
}

func newLineIndex(text []byte) *lineIndex {
	x := &lineIndex{text: text, lines: []int{0}}
	for i, c := range text {
		if c == '\n' {
			x.lines = append(x.lines, i+1)
		}
	}
	return x
}

// lineEnd returns the byte offset of the end of line (1-based), before its
// line break.
func (x *lineIndex) lineEnd(line int) int {
	end := len(x.text)
	if line < len(x.lines) {
		end = x.lines[line] - 1
	}
	if end > x.lines[line-1] && x.text[end-1] == '\r' {
		end--
	}
	return end
}

// byteOffset returns the byte offset of line:col, clamped to the line.
func (x *lineIndex) byteOffset(line, col int) int {
	start, end := x.lines[line-1], x.lineEnd(line)
	off := start + max(col, 1) - 1
	return min(off, end)
}

// utf16 returns the UTF-16 offset of the byte offset off.
func (x *lineIndex) utf16(off int) int {
	n := 0
	for s := x.text[:off]; len(s) > 0; {
		r, size := utf8.DecodeRune(s)
		n += utf16.RuneLen(r) // an invalid byte decodes to U+FFFD, one unit, as in JavaScript
		s = s[size:]
	}
	return n
}

// offset returns the UTF-16 offset of line:col, or -1 when there is no such
// line.
func (x *lineIndex) offset(line, col int) int {
	if line < 1 || line > len(x.lines) {
		return -1
	}
	return x.utf16(x.byteOffset(line, col))
}

// span returns the UTF-16 span to mark for a problem at line:col: from
// there to the end of the line, less trailing blanks; empty when the
// column is at the end of the line. Both are -1 when there is no such line.
func (x *lineIndex) span(line, col int) (start, end int) {
	if line < 1 || line > len(x.lines) {
		return -1, -1
	}
	from := x.byteOffset(line, col)
	to := x.lineEnd(line)
	for to > from && (x.text[to-1] == ' ' || x.text[to-1] == '\t') {
		to--
	}
	return x.utf16(from), x.utf16(to)
}
