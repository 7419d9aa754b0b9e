package apply

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/emutest"
)

// TestDryRun: a dry run lists the statements of the script, in order, and
// runs none; resumed, only those left.
func TestDryRun(t *testing.T) {
	w := emutest.New(t, example("manual-token.yaml"))
	o := options(w, w.In, generator.Bootstrap)
	o.DryRun = true
	before := len(w.Executed())
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(w.Executed()); n != before {
		t.Errorf("the dry run executed %d statements", n-before)
	}
	s, _ := generator.Generate(w.In, generator.Bootstrap)
	if len(res.ToRun) != len(s.Statements) {
		t.Fatalf("the dry run lists %d statements, the script has %d", len(res.ToRun), len(s.Statements))
	}
	for i, st := range res.ToRun {
		if normalize(st.SQL) != normalize(s.Statements[i].SQL) || st.Index != i {
			t.Errorf("statement %d: %q, want %q", i+1, st.SQL, s.Statements[i].SQL)
		}
	}

	m := &memory{}
	run := options(w, w.In, generator.Bootstrap)
	run.Ledger = m
	mustRun(t, run)
	prev := m.record(t, len(m.entries)/2)
	o.Previous, o.Resume = prev, true
	res, err = Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	left := 0
	for i := range res.Plan.Statements {
		if i >= len(prev.Statements) || prev.Statements[i].State != Succeeded {
			left++
		}
	}
	if len(res.ToRun) != left || left == 0 || left == len(res.Plan.Statements) {
		t.Errorf("the resumed dry run lists %d statements, %d are left", len(res.ToRun), left)
	}
}

// TestEditedScript: a hand-edited script whose lint fails is refused
// unless forced, and the force is recorded; a statement the generated
// script does not have runs alone (its step is unknown).
func TestEditedScript(t *testing.T) {
	w := emutest.New(t, example("manual-token.yaml"))
	s, _ := generator.Generate(w.In, generator.Bootstrap)
	sql, _ := s.SQL()
	extra := "GRANT USE CATALOG ON CATALOG `immuta` TO `analysts`;\n"
	i := strings.Index(sql, "-- 3.")
	edited := sql[:i] + extra + sql[i:]
	o := options(w, w.In, generator.Bootstrap)
	o.Source = &Source{Name: "edited.sql", SQL: []byte(edited)}
	_, err := Run(context.Background(), o)
	var pe *PreflightError
	if !errors.As(err, &pe) || len(pe.Lint) == 0 || !strings.Contains(err.Error(), "edited.sql:") {
		t.Fatalf("err = %v, want the lint to refuse edited.sql", err)
	}
	o.Force = true
	m := &memory{}
	o.Ledger = m
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Forced) == 0 || m.entries[0].Run == nil || len(m.entries[0].Run.Forced) == 0 || !m.entries[0].Run.Edited {
		t.Errorf("the force is not recorded: %v, %+v", res.Forced, m.entries[0].Run)
	}
	var unknown []Statement
	for _, st := range res.Plan.Statements {
		if !st.Known {
			unknown = append(unknown, st)
		}
	}
	if len(unknown) != 1 || unknown[0].SQL+";\n" != extra {
		t.Errorf("statements of unknown step: %+v", unknown)
	}
	if res.Passed {
		t.Error("a script that exposes the governance catalog passed its audit")
	}
}

// TestIdentity: the service principal's own credentials may not run a
// script a person runs, and another principal's may not run the one the
// service principal runs; both are refused before anything runs.
func TestIdentity(t *testing.T) {
	w := emutest.New(t, example("auto-token.json"))
	before := len(w.Executed())
	o := options(w, w.In, generator.Prerequisites)
	o.Runner = person(w, w.In.Config.Token.Reveal())
	_, err := Run(context.Background(), o)
	var ie *IdentityError
	if !errors.As(err, &ie) || ie.Principal != w.SP || !strings.Contains(err.Error(), "run by a person") {
		t.Errorf("the service principal running the prerequisites: %v", err)
	}
	_, other := w.Write("admin-token.json", func(raw map[string]any) { emutest.Config(raw)["token"] = emutest.AdminToken })
	_, err = Run(context.Background(), options(w, other, generator.Bootstrap))
	if !errors.As(err, &ie) || ie.Principal != emutest.Admin || !strings.Contains(err.Error(), "not to its service principal") {
		t.Errorf("an admin's token as the payload's for the service principal's bootstrap: %v", err)
	}
	if n := len(w.Executed()) - before; n != 0 {
		t.Errorf("%d statements executed", n)
	}
}
