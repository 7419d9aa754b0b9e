package apply

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/emutest"
	"github.com/ucbootstrap/ucbootstrap/privileges"
)

// firstAdminStep returns the first statement of the plan that only a
// metastore admin may run, as package privileges says (Step.Needs).
func firstAdminStep(p *Plan, runner string) int {
	for i, st := range p.Statements {
		for _, req := range st.Step.Needs(runner) {
			if req.Privilege == privileges.MetastoreAdmin {
				return i
			}
		}
	}
	return -1
}

// TestRunnerNotAdmin: a manual bootstrap run by a user who may create
// catalogs and owns the data sources, but is not a metastore admin, stops
// at the first statement that needs one (the grants on the system tables
// when query audit is on, else ALTER FUNCTION ... OWNER TO), with its
// position and the server's error; everything before it ran.
func TestRunnerNotAdmin(t *testing.T) {
	for _, name := range []string{"manual-token.yaml", "audit-enabled.yaml"} {
		t.Run(name, func(t *testing.T) {
			w := emutest.New(t, example(name))
			w.Exec(emutest.Admin, "GRANT CREATE CATALOG ON METASTORE TO `"+emutest.User+"`")
			for _, ds := range w.In.Config.Sources() {
				w.Exec(emutest.Admin, "ALTER CATALOG `"+ds.Catalog+"` OWNER TO `"+emutest.User+"`")
			}
			o := options(w, w.In, generator.Bootstrap)
			o.Runner = person(w, emutest.UserToken)
			o.Concurrency = 8
			res, err := Run(context.Background(), o)
			var serr *StatementError
			if !errors.As(err, &serr) {
				t.Fatalf("err = %v, want a *StatementError", err)
			}
			want := firstAdminStep(res.Plan, emutest.User)
			if want < 0 {
				t.Fatal("no statement of the plan needs a metastore admin")
			}
			st := res.Plan.Statements[want]
			if serr.Statement.Index != want || serr.Statement.Pos.Line != st.Pos.Line {
				t.Errorf("failed at statement %d (%s), want %d (%s): %s", serr.Statement.Index+1, serr.Statement.Pos, want+1, st.Pos, st.SQL)
			}
			if name == "audit-enabled.yaml" && st.Section != generator.SectionAudit || name == "manual-token.yaml" && !strings.HasPrefix(st.SQL, "ALTER FUNCTION") {
				t.Errorf("the first statement needing an admin is %q (%s)", st.SQL, st.Section.Key())
			}
			se := serr.SQL()
			if se == nil || se.Code != "PERMISSION_DENIED" || !strings.Contains(se.Message, "INSUFFICIENT_PERMISSIONS") || !strings.Contains(err.Error(), st.Pos.String()) {
				t.Errorf("the error %v lacks the position %s or the server's error", err, st.Pos)
			}
			for i := range want {
				if !res.Record.Statements[i].State.ok() {
					t.Errorf("statement %d before the failure: %s", i+1, res.Record.Statements[i].State)
				}
			}
			if containsInt(serr.NotRun, want) || res.Record.Statements[want].State != Failed || serr.Ran < want || serr.Total != len(res.Plan.Statements) {
				t.Errorf("ran %d, not run %v, of %d", serr.Ran, serr.NotRun, serr.Total)
			}
		})
	}
}

func (s State) ok() bool { return s == Succeeded }

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestForeignCatalog: a catalog of the same name that ucbootstrap did not
// set up (no marker) is refused by the first guard, before anything
// changes; so is the catalog of another tenant.
func TestForeignCatalog(t *testing.T) {
	t.Run("no marker", func(t *testing.T) {
		w := emutest.New(t, example("manual-token.yaml"))
		w.Exec(emutest.Admin, "CREATE CATALOG `immuta` COMMENT 'the finance team''s'")
		refused(t, w, options(w, w.In, generator.Bootstrap), "was not set up by ucbootstrap")
	})
	t.Run("other tenant", func(t *testing.T) {
		w := emutest.New(t, example("manual-token.yaml"))
		mustRun(t, options(w, w.In, generator.Bootstrap))
		_, other := w.Write("other-tenant.json", func(raw map[string]any) { emutest.Config(raw)["tenant"] = "globex" })
		refused(t, w, options(w, other, generator.Bootstrap), "tenant globex")
	})
	t.Run("automatic, not visible", func(t *testing.T) {
		w := emutest.New(t, example("auto-token.json"))
		mustRun(t, options(w, w.In, generator.Prerequisites))
		w.Exec(emutest.Admin, "CREATE CATALOG `immuta`")
		before := w.State()
		_, err := Run(context.Background(), options(w, w.In, generator.Bootstrap))
		var pe *PreflightError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "Catalog Test") {
			t.Fatalf("err = %v, want the pre-flight's catalog test to refuse", err)
		}
		if after := w.State(); after != before {
			t.Errorf("the refused run changed the metastore:\n%s", diffLines(before, after))
		}
	})
}

// refused runs o and wants the first guard to refuse, with nothing
// changed.
func refused(t *testing.T, w *emutest.Workspace, o Options, msg string) {
	t.Helper()
	before := w.State()
	_, err := Run(context.Background(), o)
	var serr *StatementError
	if !errors.As(err, &serr) || serr.Statement.Index != 0 || serr.SQL() == nil || !serr.SQL().Raised() || !strings.Contains(err.Error(), msg) {
		t.Fatalf("err = %v, want the guard (statement 1) to refuse with %q", err, msg)
	}
	if after := w.State(); after != before {
		t.Errorf("the refused run changed the metastore:\n%s", diffLines(before, after))
	}
}
