package dbsql_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/tools/txtar"

	"github.com/ucbootstrap/ucbootstrap/dbsql"
)

var update = flag.Bool("update", false, "rewrite the expected sections of testdata/dbsql/*.txtar")

// TestGolden parses the input.sql section of each testdata/dbsql/*.txtar
// case and compares the result with its sections: ast (a dump of the tree
// with line:col positions), errors (one "line:col: msg" per line) and
// printed.sql (the canonical SQL of each statement).
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("../testdata/dbsql/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no test cases")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var input []byte
			for _, f := range ar.Files {
				if f.Name == "input.sql" {
					input = f.Data
				}
			}
			if input == nil {
				t.Fatal("no input.sql section")
			}
			f, err := dbsql.ParseFile("input.sql", input)
			got := map[string]string{
				"ast":         dump(f),
				"errors":      errorLines(err),
				"printed.sql": printed(t, f),
			}
			checkSpans(t, f)
			if err == nil {
				roundTrip(t, f)
			}
			if *update {
				var out []txtar.File
				out = append(out, txtar.File{Name: "input.sql", Data: input})
				for _, name := range []string{"ast", "errors", "printed.sql"} {
					if got[name] != "" {
						out = append(out, txtar.File{Name: name, Data: []byte(got[name])})
					}
				}
				ar.Files = out
				if err := os.WriteFile(file, txtar.Format(ar), 0o666); err != nil {
					t.Fatal(err)
				}
				return
			}
			want := map[string]string{}
			for _, f := range ar.Files {
				want[f.Name] = string(f.Data)
			}
			for _, name := range []string{"ast", "errors", "printed.sql"} {
				if diff := cmp.Diff(want[name], got[name]); diff != "" {
					t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
				}
			}
		})
	}
}

// errorLines returns err as "line:col: msg" lines.
func errorLines(err error) string {
	if err == nil {
		return ""
	}
	var b strings.Builder
	for _, e := range err.(dbsql.ErrorList) {
		fmt.Fprintf(&b, "%d:%d: %s\n", e.Pos.Line, e.Pos.Col, e.Msg)
	}
	return b.String()
}

// printed returns the canonical SQL of f's statements, a comment for each
// bad one.
func printed(t *testing.T, f *dbsql.File) string {
	var b bytes.Buffer
	for _, s := range f.Stmts {
		if _, ok := s.(*dbsql.BadStmt); ok {
			b.WriteString("-- bad statement\n")
			continue
		}
		if err := dbsql.Fprint(&b, s); err != nil {
			t.Fatal(err)
		}
		b.WriteString(";\n")
	}
	return b.String()
}

// roundTrip checks that printing f and parsing the result gives f again,
// positions aside.
func roundTrip(t *testing.T, f *dbsql.File) {
	t.Helper()
	var b bytes.Buffer
	if err := dbsql.Fprint(&b, f); err != nil {
		t.Fatal(err)
	}
	g, err := dbsql.ParseFile("printed.sql", b.Bytes())
	if err != nil {
		t.Fatalf("printed SQL does not parse: %v\n%s", err, b.Bytes())
	}
	if diff := cmp.Diff(f.Stmts, g.Stmts, cmpopts.IgnoreTypes(dbsql.Pos(0))); diff != "" {
		t.Errorf("parse(print(ast)) differs (-ast +reparsed):\n%s", diff)
	}
}

// dump returns an indented dump of the tree: one field a line, positions
// as line:col, zero fields left out.
func dump(f *dbsql.File) string {
	var b strings.Builder
	for _, s := range f.Stmts {
		dumpValue(&b, f, reflect.ValueOf(s), 0)
		b.WriteByte('\n')
	}
	return b.String()
}

var posType = reflect.TypeOf(dbsql.Pos(0))

func dumpValue(b *strings.Builder, f *dbsql.File, v reflect.Value, depth int) {
	indent := strings.Repeat("  ", depth)
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.Kind() == reflect.Pointer && v.Elem().Kind() != reflect.Struct {
			fmt.Fprintf(b, "&%v", v.Elem().Interface())
			return
		}
		dumpValue(b, f, v.Elem(), depth)
	case reflect.Struct:
		b.WriteString(v.Type().Name() + " {\n")
		for i := 0; i < v.NumField(); i++ {
			fv := v.Field(i)
			sf := v.Type().Field(i)
			if !sf.IsExported() || fv.IsZero() {
				continue
			}
			if sf.Anonymous {
				// Embedded: dump its fields in line.
				for j := 0; j < fv.NumField(); j++ {
					if !fv.Field(j).IsZero() {
						b.WriteString(indent + "  " + fv.Type().Field(j).Name + ": ")
						dumpValue(b, f, fv.Field(j), depth+1)
						b.WriteByte('\n')
					}
				}
				continue
			}
			b.WriteString(indent + "  " + sf.Name + ": ")
			dumpValue(b, f, fv, depth+1)
			b.WriteByte('\n')
		}
		b.WriteString(indent + "}")
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.String {
			fmt.Fprintf(b, "%q", v.Interface())
			return
		}
		b.WriteString("[\n")
		for i := 0; i < v.Len(); i++ {
			b.WriteString(indent + "  ")
			dumpValue(b, f, v.Index(i), depth+1)
			b.WriteByte('\n')
		}
		b.WriteString(indent + "]")
	case reflect.String:
		fmt.Fprintf(b, "%q", v.String())
	default:
		if v.Type() == posType {
			p := f.Position(v.Interface().(dbsql.Pos))
			fmt.Fprintf(b, "%d:%d", p.Line, p.Col)
			return
		}
		fmt.Fprintf(b, "%v", v.Interface())
	}
}

func diffIgnoringPos(x, y any) string {
	return cmp.Diff(x, y, cmpopts.IgnoreTypes(dbsql.Pos(0)))
}

var nodeType = reflect.TypeOf((*dbsql.Node)(nil)).Elem()

// checkSpans checks that every node of f has a valid span that lies within
// the span of the node that contains it.
func checkSpans(t *testing.T, f *dbsql.File) {
	t.Helper()
	var walk func(v reflect.Value, parent dbsql.Node)
	walk = func(v reflect.Value, parent dbsql.Node) {
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem(), parent)
			}
		case reflect.Struct:
			if v.CanAddr() && v.Addr().Type().Implements(nodeType) {
				n := v.Addr().Interface().(dbsql.Node)
				if !n.Pos().IsValid() || n.End() < n.Pos() || n.Pos() < parent.Pos() || n.End() > parent.End() {
					t.Errorf("%T at %s..%s is not within %T at %s..%s", n, f.Position(n.Pos()), f.Position(n.End()),
						parent, f.Position(parent.Pos()), f.Position(parent.End()))
				}
				parent = n
			}
			for i := 0; i < v.NumField(); i++ {
				if v.Type().Field(i).IsExported() && !v.Type().Field(i).Anonymous {
					walk(v.Field(i), parent)
				}
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i), parent)
			}
		}
	}
	for _, s := range f.Stmts {
		walk(reflect.ValueOf(s), f)
	}
}
