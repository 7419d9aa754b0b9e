package ucemu

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// FuzzExec runs any text as a statement, as any caller can send one: the
// emulator answers with an error, never a panic. The seeds are the
// statements of testdata/sql.
func FuzzExec(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "sql", "*.txtar"))
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, af := range ar.Files {
			if af.Name == "script.sql" {
				for _, st := range strings.Split(string(af.Data), ";\n") {
					f.Add(st)
				}
			}
		}
	}
	s := New()
	defer s.Close()
	f.Fuzz(func(t *testing.T, stmt string) {
		// A fresh metastore for each input: statements that add rows or
		// objects must not pile up across inputs.
		s.mu.Lock()
		s.ms = newMetastore(DefaultMetastoreID)
		s.ms.admins[admin] = true
		s.mu.Unlock()
		for _, st := range []string{"CREATE CATALOG c", "CREATE SCHEMA c.s", "CREATE TABLE c.s.t AS SELECT 1 AS a, 'x' AS b"} {
			if _, err := s.Exec(admin, st); err != nil {
				t.Fatal(err)
			}
		}
		s.Exec(admin, stmt)
	})
}
