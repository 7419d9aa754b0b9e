package ucemu

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestSQL")

// TestSQL runs the scripts of testdata/sql/*.txtar and compares what each
// statement gives with the golden "want" section. A script is split into
// statements with dbsql; a line "-- as PRINCIPAL" runs the statements that
// follow as PRINCIPAL (the first block runs as admin@example.com, a
// metastore admin). bob@example.com is in the group data-eng.
func TestSQL(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "sql", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files (%v)", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var script []byte
			wantIndex := -1
			for i, f := range ar.Files {
				switch f.Name {
				case "script.sql":
					script = f.Data
				case "want":
					wantIndex = i
				}
			}
			s := newWorkspace(t)
			got := runScript(t, s, script)
			if *update {
				if wantIndex < 0 {
					ar.Files = append(ar.Files, txtar.File{Name: "want"})
					wantIndex = len(ar.Files) - 1
				}
				ar.Files[wantIndex].Data = []byte(got)
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if wantIndex < 0 {
				t.Fatal("no want section: run go test -run TestSQL -update")
			}
			if diff := cmp.Diff(string(ar.Files[wantIndex].Data), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", file, diff)
			}
		})
	}
}

// runScript runs a script and renders what each statement gave.
func runScript(t *testing.T, s *Server, script []byte) string {
	var b strings.Builder
	stmts, err := scriptStatements(admin, "script.sql", script)
	if err != nil {
		t.Fatalf("the script does not parse: %v", err)
	}
	for _, st := range stmts {
		fmt.Fprintf(&b, "[%s] %s\n", st.principal, strings.Join(strings.Fields(st.text), " "))
		x := &session{ms: s.ms, caller: st.principal}
		s.mu.Lock()
		rel, serr := x.run(st.text)
		s.mu.Unlock()
		switch {
		case serr != nil:
			fmt.Fprintf(&b, "  %s %s: %s\n", serr.code, serr.state, serr.message())
		case rel == nil:
			b.WriteString("  ok\n")
		default:
			var cols []string
			for _, c := range rel.cols {
				cols = append(cols, c.name+" "+c.typ)
			}
			fmt.Fprintf(&b, "  (%s)\n", strings.Join(cols, ", "))
			for _, r := range rel.rows {
				j, _ := json.Marshal(r)
				fmt.Fprintf(&b, "  %s\n", j)
			}
		}
	}
	return b.String()
}
