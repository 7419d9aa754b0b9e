package templates

import (
	"embed"
	"fmt"
	"io"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"

	"github.com/ucbootstrap/ucbootstrap/internal/sqltext"
)

//go:embed *.sql.tmpl
var files embed.FS

// SprigAllowed lists the sprig functions the templates may use. Each is a
// pure function of its arguments; the test checks that none of the
// nondeterministic ones ever slips in.
var SprigAllowed = []string{
	"contains", "default", "empty", "hasPrefix", "hasSuffix", "indent", "join",
	"list", "lower", "nindent", "repeat", "replace", "sortAlpha", "splitList",
	"trim", "trimSuffix", "trimPrefix", "upper",
}

// FuncMap returns the functions the templates run with: the sprig
// allow-list plus ident (back-quoted identifier parts), lit (an escaped
// string literal) and comment (text made safe for a "--" line).
func FuncMap() template.FuncMap {
	all := sprig.TxtFuncMap()
	m := template.FuncMap{}
	for _, name := range SprigAllowed {
		f, ok := all[name]
		if !ok {
			panic("templates: sprig has no function " + name)
		}
		m[name] = f
	}
	m["ident"] = sqltext.Ident
	m["lit"] = sqltext.Literal
	m["comment"] = sqltext.Comment
	return m
}

var parsed = template.Must(template.New("").Funcs(FuncMap()).Option("missingkey=error").ParseFS(files, "*.sql.tmpl"))

// Execute runs the named template (a file name or a {{define}} name) with
// data and writes to w.
func Execute(w io.Writer, name string, data any) error {
	if err := parsed.ExecuteTemplate(w, name, data); err != nil {
		return fmt.Errorf("templates: %w", err)
	}
	return nil
}

// String runs the named template and returns its output with surrounding
// blank space trimmed.
func String(name string, data any) (string, error) {
	var b strings.Builder
	if err := Execute(&b, name, data); err != nil {
		return "", err
	}
	return strings.TrimSpace(b.String()), nil
}

// Names returns the names of all templates, for tests.
func Names() []string {
	var names []string
	for _, t := range parsed.Templates() {
		if t.Name() != "" {
			names = append(names, t.Name())
		}
	}
	return names
}
