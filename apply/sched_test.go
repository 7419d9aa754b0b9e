package apply

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap/dbsql"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/benchdata"
	"github.com/ucbootstrap/ucbootstrap/internal/emutest"
	"github.com/ucbootstrap/ucbootstrap/internal/ucemu"
)

// benchPayload writes the benchmarks' manual-setup payload with n data
// sources (internal/benchdata) as a file.
func benchPayload(t testing.TB, n int) string {
	t.Helper()
	data := benchdata.Payload(n)
	path := filepath.Join(t.TempDir(), "bench.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// target returns the object a statement is about, read with dbsql: this
// test's own reading, not the steps apply orders by. A query (the guards)
// is about the metastore, which holds everything.
func target(t *testing.T, sql string) ucemu.Securable {
	st, err := dbsql.ParseStmt(sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	name := func(typ string, q *dbsql.QualifiedName) ucemu.Securable {
		var parts []string
		for _, p := range q.Parts {
			parts = append(parts, p.Name)
		}
		return ucemu.Sec(typ, strings.Join(parts, "."))
	}
	on := func(s *dbsql.Securable) ucemu.Securable {
		if s.Name == nil {
			return ucemu.Sec("METASTORE", "")
		}
		return name(string(s.Type), s.Name)
	}
	switch st := st.(type) {
	case *dbsql.CreateCatalogStmt:
		return name("CATALOG", st.Name)
	case *dbsql.CreateSchemaStmt:
		return name("SCHEMA", st.Name)
	case *dbsql.CreateTableStmt:
		return name("TABLE", st.Name)
	case *dbsql.CreateFunctionStmt:
		return name("FUNCTION", st.Name)
	case *dbsql.GrantStmt:
		return on(st.On)
	case *dbsql.RevokeStmt:
		return on(st.On)
	case *dbsql.AlterOwnerStmt:
		return on(st.Object)
	case *dbsql.DropStmt:
		return on(st.Object)
	}
	return ucemu.Sec("METASTORE", "")
}

// contains reports whether a is b or holds it.
func contains(a, b ucemu.Securable) bool {
	if a.Type == "METASTORE" || a == b {
		return true
	}
	return strings.HasPrefix(b.Name, a.Name+".") && a.Type != "TABLE" && a.Type != "FUNCTION"
}

// concurrentBootstrap runs the manual bootstrap of a payload with n data
// sources at concurrency 16 on an emulator where every statement stays in
// flight for a poll, and returns the workspace and the plan.
func concurrentBootstrap(t *testing.T, n int) (*emutest.Workspace, *Plan, int) {
	w := emutest.New(t, benchPayload(t, n), ucemu.RunningPolls(1))
	o := options(w, w.In, generator.Bootstrap)
	o.Concurrency, o.NoValidation = 16, true // validation polls at its own pace
	most := 0
	o.Progress = func(ev Event) { most = max(most, ev.Running) }
	res := mustRun(t, o)
	return w, res.Plan, most
}

// TestConcurrentOrder runs a large manual bootstrap with 16 statements in
// flight on an emulator that keeps each in flight for a poll: the emulator
// sees no ordering violation (no statement submitted while one on a
// related object runs), every two statements on related objects ran in
// script order (by this test's own reading of their objects), and the
// metastore ends as after a run one statement at a time.
func TestConcurrentOrder(t *testing.T) {
	w, plan, most := concurrentBootstrap(t, 300)
	if vs, n := w.Violations(); n != 0 {
		t.Fatalf("%d ordering violations, the first: %+v", n, vs[0])
	}
	if most < 8 {
		t.Errorf("at most %d statements were in flight at once, want up to 16", most)
	}
	pos := map[string]int{}
	for i, st := range plan.Statements {
		pos[st.SQL] = i
	}
	var order []int // script indexes, in execution order
	for _, e := range w.Executed() {
		if i, ok := pos[e.Statement]; ok && e.Principal == emutest.Admin {
			order = append(order, i)
		}
	}
	if len(order) != len(plan.Statements) {
		t.Fatalf("%d statements executed, the plan has %d", len(order), len(plan.Statements))
	}
	targets := make([]ucemu.Securable, len(plan.Statements))
	for i, st := range plan.Statements {
		targets[i] = target(t, st.SQL)
	}
	bad := 0
	for a := range order {
		for b := a + 1; b < len(order); b++ {
			i, j := order[a], order[b] // i ran before j
			if i > j && (contains(targets[i], targets[j]) || contains(targets[j], targets[i])) {
				if bad++; bad <= 5 {
					t.Errorf("statement %d ran before statement %d, on related objects:\n  %s\n  %s", i+1, j+1, plan.Statements[i].SQL, plan.Statements[j].SQL)
				}
			}
		}
	}

	seq := emutest.New(t, benchPayload(t, 300))
	o := options(seq, seq.In, generator.Bootstrap)
	o.Concurrency = 1
	mustRun(t, o)
	if a, b := seq.State(), w.State(); a != b {
		t.Errorf("the concurrent run ends elsewhere than the sequential one:\n%s", diffLines(a, b))
	}
}

// TestConcurrentOrderCatchesNoDependencies shows that the emulator sees a
// scheduler that ignores the dependencies: the same run with none fails
// or shows violations.
func TestConcurrentOrderCatchesNoDependencies(t *testing.T) {
	dependenciesOf = func(p *Plan, ph phase) [][]int { return make([][]int, len(ph.stmts)) }
	defer func() { dependenciesOf = dependencies }()
	w := emutest.New(t, benchPayload(t, 30), ucemu.RunningPolls(1))
	o := options(w, w.In, generator.Bootstrap)
	o.Concurrency, o.NoValidation = 16, true
	res, err := Run(t.Context(), o)
	_, n := w.Violations()
	if err == nil && n == 0 {
		t.Fatalf("a run without dependencies passed without violations: %s", describe(res))
	}
	t.Logf("without dependencies: %d violations, %v", n, err)
}
