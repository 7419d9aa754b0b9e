package dbsql_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/dbsql"
	"github.com/ucbootstrap/ucbootstrap/generator"
)

// generatedScripts returns every script the generator makes from the
// example payloads: each kind, cleanup with and without revokes, and edits
// between every pair of payloads that allows one, plus an edit that drops
// data sources and turns audit off.
func generatedScripts(t testing.TB) map[string]*generator.Script {
	files, err := filepath.Glob("../examples/payloads/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no payloads: %v", err)
	}
	decode := func(file string) *ucbootstrap.Integration {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		in, err := ucbootstrap.Decode(file, data)
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	scripts := map[string]*generator.Script{}
	add := func(name string, s *generator.Script, err error) {
		if err == nil {
			scripts[name] = s
		}
	}
	for _, file := range files {
		base := filepath.Base(file)
		for _, kind := range []generator.Kind{generator.Bootstrap, generator.Prerequisites, generator.Cleanup} {
			s, err := generator.Generate(decode(file), kind)
			add(base+"/"+string(kind), s, err)
		}
		s, err := generator.Generate(decode(file), generator.Cleanup, generator.RevokeGrants())
		add(base+"/cleanup-revoke", s, err)
		for _, old := range files {
			s, err := generator.Generate(decode(file), generator.Edit, generator.From(decode(old)))
			add(base+"/edit-from-"+filepath.Base(old), s, err)
		}
		// An edit that revokes: the new payload has fewer data sources and
		// no audit.
		smaller := decode(file)
		smaller.Config.DataSources = smaller.Config.DataSources[:1]
		smaller.Config.Audit = ucbootstrap.Audit{}
		s, err = generator.Generate(smaller, generator.Edit, generator.From(decode(file)))
		add(base+"/edit-smaller", s, err)
		s, err = generator.Generate(decode(file), generator.Edit, generator.From(smaller))
		add(base+"/edit-larger", s, err)
	}
	return scripts
}

// TestGeneratedScripts checks that every statement the generator writes
// parses without error, into a parsed (not opaque) statement except for
// the query statements the parser keeps opaque, and that the rendered
// scripts parse into the same statements.
func TestGeneratedScripts(t *testing.T) {
	scripts := generatedScripts(t)
	kinds := map[generator.Kind]bool{}
	var grants, revokes int
	for name, s := range scripts {
		kinds[s.Kind] = true
		for i, st := range s.Statements {
			stmt, err := dbsql.ParseStmt(st.SQL)
			if err != nil {
				t.Errorf("%s: statement %d: %v\n%s", name, i, err, st.SQL)
				continue
			}
			switch stmt := stmt.(type) {
			case *dbsql.OpaqueStmt:
				if stmt.Verb != "SELECT" && stmt.Verb != "MERGE" {
					t.Errorf("%s: statement %d: opaque %s statement:\n%s", name, i, stmt.Verb, st.SQL)
				}
			case *dbsql.GrantStmt:
				grants++
			case *dbsql.RevokeStmt:
				revokes++
			}
			// The printed statement must parse to the same tree.
			var b bytes.Buffer
			if err := dbsql.Fprint(&b, stmt); err != nil {
				t.Fatal(err)
			}
			again, err := dbsql.ParseStmt(b.String())
			if err != nil {
				t.Errorf("%s: statement %d: printed form does not parse: %v\n%s", name, i, err, b.String())
				continue
			}
			if diff := diffIgnoringPos(stmt, again); diff != "" {
				t.Errorf("%s: statement %d: parse(print(ast)) differs:\n%s", name, i, diff)
			}
		}
		var rendered bytes.Buffer
		if err := s.Render(&rendered); err != nil {
			t.Fatal(err)
		}
		f, err := dbsql.ParseFile(name, rendered.Bytes())
		if err != nil {
			t.Errorf("%s: rendered script: %v", name, err)
			continue
		}
		if len(f.Stmts) != len(s.Statements) {
			t.Errorf("%s: rendered script has %d statements, want %d", name, len(f.Stmts), len(s.Statements))
		}
	}
	for _, k := range generator.Kinds {
		if !kinds[k] {
			t.Errorf("no %s script generated", k)
		}
	}
	if grants == 0 || revokes == 0 {
		t.Errorf("%d GRANTs and %d REVOKEs seen, want some of each", grants, revokes)
	}
}
