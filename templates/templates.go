package templates

import (
	"embed"
	"fmt"
	"io"
	"strings"
	"text/template"

	"github.com/ucbootstrap/ucbootstrap/internal/sqltext"
)

//go:embed *.sql.tmpl
var files embed.FS

// FuncMap returns the functions the templates run with, beyond the
// builtins of text/template: ident (back-quoted identifier parts), lit (an
// escaped string literal) and comment (text made safe for a "--" line).
// Each is a pure function of its arguments, so the output of a template is
// a pure function of its input.
func FuncMap() template.FuncMap {
	return template.FuncMap{
		"ident":   sqltext.Ident,
		"lit":     sqltext.Literal,
		"comment": sqltext.Comment,
	}
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
