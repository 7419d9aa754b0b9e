package dbsql_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/ucbootstrap/ucbootstrap/dbsql"
)

// FuzzParse checks that ParseFile never panics, that every error and
// statement position lies within the input, and that a script without
// errors prints to SQL that parses to the same tree.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../testdata/dbsql/*.txtar")
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, af := range ar.Files {
			if af.Name == "input.sql" {
				f.Add(af.Data)
			}
		}
	}
	for _, s := range generatedScripts(f) {
		var b bytes.Buffer
		if err := s.Render(&b); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	f.Add([]byte("GRANT `a``b` ON r'x\\'y' TO $$ $a$ /* /* */ */ -- x\n;"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<16 {
			return // bound the work of one input
		}
		file, err := dbsql.ParseFile("fuzz.sql", src)
		if file == nil {
			t.Fatal("nil File")
		}
		if err != nil {
			list, ok := err.(dbsql.ErrorList)
			if !ok || len(list) == 0 {
				t.Fatalf("error %v (%T) is not a non-empty ErrorList", err, err)
			}
			for _, e := range list {
				if e.Pos.Line < 1 || e.Pos.Col < 1 || e.Pos.Offset < 0 || e.Pos.Offset > len(src) {
					t.Fatalf("error position %+v outside the input of %d bytes: %s", e.Pos, len(src), e.Msg)
				}
			}
		}
		prev := dbsql.Pos(1)
		for _, s := range file.Stmts {
			if s.Pos() < prev || s.End() < s.Pos() || int(s.End()) > len(src)+1 {
				t.Fatalf("statement %T spans %d..%d, out of order or outside the input of %d bytes", s, s.Pos(), s.End(), len(src))
			}
			prev = s.End()
		}
		checkSpans(t, file)
		if err != nil {
			return
		}
		var b bytes.Buffer
		if err := dbsql.Fprint(&b, file); err != nil {
			t.Fatal(err)
		}
		again, err := dbsql.ParseFile("printed.sql", b.Bytes())
		if err != nil {
			t.Fatalf("printed SQL does not parse: %v\n%s", err, b.Bytes())
		}
		if diff := diffIgnoringPos(file.Stmts, again.Stmts); diff != "" {
			t.Fatalf("parse(print(ast)) differs:\n%s\ninput:\n%s\nprinted:\n%s", diff, src, b.Bytes())
		}
	})
}
