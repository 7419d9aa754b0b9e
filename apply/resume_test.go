package apply

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/emutest"
	"github.com/ucbootstrap/ucbootstrap/internal/ucemu"
)

// executions returns how often the emulator executed each statement of
// the plan.
func executions(w *emutest.Workspace, p *Plan) []int {
	out := make([]int, len(p.Statements))
	for i, st := range p.Statements {
		out[i] = w.Executions(st.SQL)
	}
	return out
}

// TestResumeAfterFault: a statement fails half-way (an injected fault);
// the run stops there with what ran recorded in the file; the resumed run
// skips every statement that had succeeded (the emulator executed each of
// them once), runs the rest, and ends where a run without the fault ends.
func TestResumeAfterFault(t *testing.T) {
	w := emutest.New(t, example("manual-token.yaml"))
	w.FailStatement("GRANT USE CATALOG, MANAGE ON CATALOG `hr`", 1)
	path := filepath.Join(t.TempDir(), "run.jsonl")
	l, _, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	o := options(w, w.In, generator.Bootstrap)
	o.Ledger, o.Concurrency = l, 8
	res, err := Run(context.Background(), o)
	l.Close()
	var serr *StatementError
	if !errors.As(err, &serr) || serr.SQL() == nil || serr.SQL().Code != "INTERNAL_ERROR" || !strings.Contains(serr.Statement.SQL, "`hr`") {
		t.Fatalf("err = %v, want the injected failure", err)
	}
	succeeded := map[int]bool{}
	for _, st := range res.Record.Statements {
		if st.State == Succeeded {
			succeeded[st.Index] = true
		}
	}

	l, prev, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if prev == nil || prev.End == nil || prev.End.State != RunFailed || len(prev.Statements) == 0 {
		t.Fatalf("the record read back: %+v", prev)
	}
	for i := range succeeded {
		if prev.Statements[i].State != Succeeded {
			t.Errorf("statement %d: %s in the file, succeeded in the run", i+1, prev.Statements[i].State)
		}
	}
	o.Ledger, o.Previous, o.Resume = l, prev, true
	res2 := mustRun(t, o)
	if res2.Skipped != len(succeeded) || res2.Ran != len(res2.Plan.Statements)-len(succeeded) {
		t.Errorf("resumed: ran %d, skipped %d; %d had succeeded of %d", res2.Ran, res2.Skipped, len(succeeded), len(res2.Plan.Statements))
	}
	for i, n := range executions(w, res2.Plan) {
		switch {
		case i == serr.Statement.Index && n != 2:
			t.Errorf("the failed statement %d ran %d times, want 2 (failed, then succeeded)", i+1, n)
		case i != serr.Statement.Index && n != 1:
			t.Errorf("statement %d ran %d times, want once: %s", i+1, n, res2.Plan.Statements[i].SQL)
		}
	}
	fresh := emutest.New(t, example("manual-token.yaml"))
	mustRun(t, options(fresh, fresh.In, generator.Bootstrap))
	if a, b := fresh.State(), w.State(); a != b {
		t.Errorf("the resumed run ends elsewhere than a run without the fault:\n%s", diffLines(a, b))
	}
	rec, err := ReadRecord(mustOpen(t, path))
	if err != nil || rec.Runs != 2 || rec.End.State != RunSucceeded || rec.Resumes == "" {
		t.Errorf("the record after the resume: runs %d, end %+v, resumes %q, %v", rec.Runs, rec.End, rec.Resumes, err)
	}
}

func mustOpen(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// memory is a ledger that keeps the entries.
type memory struct {
	mu      sync.Mutex
	entries []Entry
}

func (m *memory) Write(_ context.Context, e Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = append(m.entries, e)
	return nil
}

// record replays the first n entries.
func (m *memory) record(t *testing.T, n int) *Record {
	t.Helper()
	r := &Record{}
	for _, e := range m.entries[:n] {
		if err := r.apply(e); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// TestResumeAttaches: a run that stopped right after it recorded a
// statement's submission (as a process killed then leaves its record) is
// resumed by attaching to that statement's ID, not by submitting it again;
// a statement whose ID the workspace no longer knows is run again.
func TestResumeAttaches(t *testing.T) {
	for _, expired := range []bool{false, true} {
		name := "attach"
		if expired {
			name = "expired"
		}
		t.Run(name, func(t *testing.T) {
			w := emutest.New(t, example("manual-token.yaml"))
			m := &memory{}
			o := options(w, w.In, generator.Bootstrap)
			o.Ledger, o.Concurrency = m, 1
			res := mustRun(t, o)
			// The entries up to the submission of statement 5.
			cut, id := -1, ""
			for i, e := range m.entries {
				if e.Statement != nil && e.Statement.Index == 4 && e.Statement.State == Submitted {
					cut, id = i+1, e.Statement.StatementID
				}
			}
			if cut < 0 || id == "" {
				t.Fatal("no submission of statement 5 recorded")
			}
			prev := m.record(t, cut)
			if expired {
				w.Expire(id)
			}
			before := executions(w, res.Plan)
			o.Ledger, o.Previous, o.Resume = &memory{}, prev, true
			res2 := mustRun(t, o)
			after := executions(w, res2.Plan)
			for i := range after {
				n := after[i] - before[i]
				switch {
				case i < 4 && n != 0:
					t.Errorf("statement %d had succeeded and ran again", i+1)
				case i == 4 && !expired && (n != 0 || res2.Attached != 1):
					t.Errorf("statement 5 ran %d more times (attached %d), want 0: attached to %s", n, res2.Attached, id)
				case i == 4 && expired && n != 1:
					t.Errorf("statement 5, gone from the workspace, ran %d more times, want 1", n)
				}
			}
		})
	}
}

// TestResumeRefuses: a record whose applied statements no longer match the
// script, or of another payload or kind, is refused with the reason.
func TestResumeRefuses(t *testing.T) {
	w := emutest.New(t, example("manual-token.yaml"))
	m := &memory{}
	o := options(w, w.In, generator.Bootstrap)
	o.Ledger = m
	mustRun(t, o)
	for _, c := range []struct {
		name   string
		change func(*Record)
		want   string
		index  int
	}{
		{"changed statement", func(r *Record) { r.Statements[3].Hash = hash("something else") }, "statement 4 (bootstrap.sql:", 3},
		{"other kind", func(r *Record) { r.Kind = generator.Edit }, "of the edit script, not of the bootstrap script", -1},
		{"statement beyond the script", func(r *Record) {
			r.Total++
			r.Statements = append(r.Statements, StatementRecord{Index: len(r.Statements), State: Succeeded, Hash: hash("x")})
		}, "the script now has", len(m.record(t, len(m.entries)).Statements)},
	} {
		t.Run(c.name, func(t *testing.T) {
			prev := m.record(t, len(m.entries))
			c.change(prev)
			o.Previous, o.Resume, o.Ledger = prev, true, nil
			_, err := Run(context.Background(), o)
			var re *ResumeError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), c.want) || re.Index != c.index {
				t.Errorf("err = %v, want a *ResumeError at %d with %q", err, c.index, c.want)
			}
		})
	}
}

// TestInterrupt: a run whose context ends half-way (Ctrl-C) cancels what
// runs (each statement stays in flight for a poll), keeps its record, and
// says it was interrupted, telling the statements that did not run from
// those whose outcome is unknown; resumed, it runs nothing that had
// succeeded.
func TestInterrupt(t *testing.T) {
	w := emutest.New(t, example("audit-enabled.yaml"), ucemu.RunningPolls(1))
	m := &memory{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := options(w, w.In, generator.Bootstrap)
	o.Ledger, o.Concurrency, o.NoValidation = m, 2, true // the validation polls at its own pace
	o.Progress = func(ev Event) {
		if ev.Done >= 10 && ev.Running > 0 {
			cancel()
		}
	}
	res, err := Run(ctx, o)
	var ie *InterruptedError
	if !errors.As(err, &ie) || !errors.Is(err, context.Canceled) || ie.Ran < 10 || len(ie.NotRun) == 0 {
		t.Fatalf("err = %v, want an *InterruptedError after 10 statements", err)
	}
	if res.Record.End == nil || res.Record.End.State != RunInterrupted {
		t.Errorf("the record's end: %+v", res.Record.End)
	}
	// What did not run and what is unknown are told apart: a statement
	// cancelled in flight is not among those that did not run.
	state := func(i int) State {
		if i < len(res.Record.Statements) {
			return res.Record.Statements[i].State
		}
		return Pending
	}
	for _, i := range ie.NotRun {
		if s := state(i); s != Pending {
			t.Errorf("statement %d is listed as not run, and its state is %s", i+1, s)
		}
	}
	if len(ie.Unknown) == 0 {
		t.Errorf("no statement in flight was cancelled (at concurrency 2): %+v", ie)
	}
	for _, i := range ie.Unknown {
		if s := state(i); s != Unknown {
			t.Errorf("statement %d is listed as unknown, and its state is %s", i+1, s)
		}
	}
	before := executions(w, res.Plan)
	prev := m.record(t, len(m.entries))
	o.Progress, o.Previous, o.Resume, o.Ledger = nil, prev, true, &memory{}
	res2 := mustRun(t, o)
	after := executions(w, res2.Plan)
	for i, st := range prev.Statements {
		if st.State == Succeeded && after[i] != before[i] {
			t.Errorf("statement %d had succeeded and ran again", i+1)
		}
	}
}

// TestInterruptInPreflight: a run whose context ends in the pre-flight
// (the validation tests wait for a warehouse that keeps every statement
// queued) is interrupted, not a failed pre-flight, and Force does not go
// past it: nothing runs.
func TestInterruptInPreflight(t *testing.T) {
	for _, force := range []bool{false, true} {
		w := emutest.New(t, example("manual-token.yaml"), ucemu.PendingPolls(1<<20))
		setUp := len(w.Executed())
		ctx, cancel := context.WithCancel(t.Context())
		stop := time.AfterFunc(300*time.Millisecond, cancel)
		o := options(w, w.In, generator.Bootstrap)
		o.Force, o.Ledger = force, &memory{}
		res, err := Run(ctx, o)
		stop.Stop()
		cancel()
		var ie *InterruptedError
		if !errors.As(err, &ie) || !ie.Preflight || !errors.Is(err, context.Canceled) {
			t.Errorf("force %v: err = %v, want an *InterruptedError in the pre-flight", force, err)
		}
		if res != nil && len(res.Forced) != 0 {
			t.Errorf("force %v: forced past %q", force, res.Forced)
		}
		if got := w.Executed()[setUp:]; len(got) != 0 {
			t.Errorf("force %v: statements ran: %v", force, got)
		}
	}
}

// TestLedgerTableAfterResume: a manual bootstrap interrupted after the run
// ledger table was created and before the hand-over leaves rows that
// neither the runner nor the service principal could write then; the
// resumed run writes them with its own, so that the table has a row for
// every statement of the record, by run ID and statement index, once; a
// resume of the finished record (which runs nothing) writes nothing
// again, and writes what the table lost.
func TestLedgerTableAfterResume(t *testing.T) {
	w := emutest.New(t, example("manual-token.yaml"), ucemu.RunningPolls(1))
	s, err := generator.Generate(w.In, generator.Bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := NewPlan(s, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	create := slices.IndexFunc(plan.Statements, func(st Statement) bool {
		return strings.HasPrefix(st.SQL, "CREATE TABLE IF NOT EXISTS `immuta`.`immuta_system`.`setup_runs`")
	})
	if create < 0 {
		t.Fatal("the bootstrap creates no run ledger table")
	}
	m := &memory{}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	o := options(w, w.In, generator.Bootstrap)
	o.Ledger, o.Concurrency, o.NoValidation = m, 2, true
	o.Progress = func(ev Event) {
		if ev.Done > create+3 && ev.Running > 0 {
			cancel()
		}
	}
	res, err := Run(ctx, o)
	var ie *InterruptedError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want an interruption", err)
	}
	t.Logf("interrupted: %v; notes %q", err, res.Notes)
	// Read by the table's owner: the runner before the hand-over, the
	// service principal after it.
	rows := func(who string) map[string]int {
		out := map[string]int{}
		for _, row := range w.Exec(who, "SELECT run_id, statement_index FROM `immuta`.`immuta_system`.`setup_runs`") {
			out[fmt.Sprint(row[0])+"/"+fmt.Sprint(row[1])]++
		}
		return out
	}
	first := rows(emutest.Admin)
	if len(first) >= ie.Ran {
		t.Errorf("after the interruption the table has %d rows, %d statements succeeded: want fewer (the test interrupts too late)", len(first), ie.Ran)
	}

	o.Progress, o.Previous, o.Resume = nil, m.record(t, len(m.entries)), true
	mustRun(t, o)
	rec := m.record(t, len(m.entries))
	got := rows(w.SP)
	want := map[string]int{}
	for _, st := range rec.Statements {
		want[st.RunID+"/"+strconv.Itoa(st.Index)] = 1
	}
	for k, n := range got {
		if want[k] == 0 && first[k] == 0 {
			t.Errorf("row %s is not of the record", k)
		} else if n != 1 {
			t.Errorf("row %s is in the table %d times", k, n)
		}
	}
	for k := range want {
		if got[k] == 0 {
			t.Errorf("the record's statement %s has no row", k)
		}
	}

	o.Previous = m.record(t, len(m.entries))
	mustRun(t, o)
	if again := rows(w.SP); !maps.Equal(again, got) {
		t.Errorf("a resume of the finished record changed the table: %d rows, had %d", len(again), len(got))
	}
	// A record whose statement 1 an earlier run ran without writing its
	// row (here: a run the table has never heard of).
	prev := m.record(t, len(m.entries))
	prev.Statements[0].RunID = "20260101T000000Z-lost"
	o.Previous = prev
	mustRun(t, o)
	got["20260101T000000Z-lost/0"] = 1
	if again := rows(w.SP); !maps.Equal(again, got) {
		t.Errorf("a resume of the finished record did not write the row the table lacks: %d rows, want %d", len(again), len(got))
	}
}

// cancelOn is a transport that cancels a run when a request's body holds
// a string: to interrupt a run at a given request.
type cancelOn struct {
	match  string
	cancel context.CancelFunc
}

func (c cancelOn) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
		if bytes.Contains(b, []byte(c.match)) {
			c.cancel()
		}
	}
	return http.DefaultTransport.RoundTrip(req)
}

// TestInterruptInAudit: a run interrupted in the live audit that follows
// the script has run every statement, and says that the audit was
// interrupted; the run ledger has every row.
func TestInterruptInAudit(t *testing.T) {
	w := emutest.New(t, example("manual-token.yaml"))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	o := options(w, w.In, generator.Bootstrap)
	o.NoValidation = true
	o.HTTPClient = &http.Client{Transport: cancelOn{"information_schema.catalog_privileges", cancel}}
	res, err := Run(ctx, o)
	if err != nil {
		t.Fatalf("err = %v, want none", err)
	}
	if res.Passed || res.Ran != len(res.Plan.Statements) {
		t.Fatalf("passed %v, %d statements ran of %d", res.Passed, res.Ran, len(res.Plan.Statements))
	}
	if !slices.ContainsFunc(res.Notes, func(n string) bool {
		return strings.HasPrefix(n, "the live audit was interrupted (context canceled) after every statement had run")
	}) {
		t.Errorf("the notes do not say that the audit was interrupted: %q", res.Notes)
	}
	if rows := w.Exec(w.SP, "SELECT run_id FROM `immuta`.`immuta_system`.`setup_runs`"); len(rows) != len(res.Plan.Statements) {
		t.Errorf("the run ledger has %d rows, want %d (notes %q)", len(rows), len(res.Plan.Statements), res.Notes)
	}
}

// TestPreflightAdviceNamesTheSettings: a pre-flight statement that does not
// end within its budget (the statement timeout, no interruption) fails the
// pre-flight with advice that names the caller's setting for that budget.
func TestPreflightAdviceNamesTheSettings(t *testing.T) {
	w := emutest.New(t, example("manual-token.yaml"), ucemu.PendingPolls(1<<20))
	o := options(w, w.In, generator.Bootstrap)
	o.Ledger = &memory{}
	o.SQL.Timeout, o.SQL.StartTimeout = 200*time.Millisecond, 200*time.Millisecond
	o.TimeoutSetting, o.RequestTimeoutSetting = "--the-budget", "--each-request"
	_, err := Run(t.Context(), o)
	var pe *PreflightError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *PreflightError", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "more time with --the-budget") || strings.Contains(msg, "--each-request") {
		t.Errorf("the advice does not name the statement budget's setting alone:\n%s", msg)
	}
}

// TestResumeOtherPayload: a record written for another payload resumes
// when every statement that ran is unchanged (a note says so), and is
// refused at the first statement that ran and that the change changed.
func TestResumeOtherPayload(t *testing.T) {
	w := emutest.New(t, example("manual-token.yaml"))
	m := &memory{}
	o := options(w, w.In, generator.Bootstrap)
	o.Ledger = m
	mustRun(t, o)

	prev := m.record(t, len(m.entries))
	prev.Payload = "sha256:0000"
	o.Previous, o.Resume, o.Ledger = prev, true, nil
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatalf("resume of a record of another payload with the same statements: %v", err)
	}
	if !slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, "written for another payload (sha256:0000;") }) {
		t.Errorf("no note of the other payload in %q", res.Notes)
	}

	// Another data source changes the metadata statement (it records the
	// fingerprint) and adds grants: the first changed statement that ran
	// refuses the resume.
	in := *w.In
	in.Config.DataSources = append(slices.Clone(in.Config.DataSources), "newcat")
	o2 := options(w, &in, generator.Bootstrap)
	o2.Previous, o2.Resume = m.record(t, len(m.entries)), true
	_, err = Run(context.Background(), o2)
	var re *ResumeError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "has changed since it ran") {
		t.Errorf("err = %v, want a *ResumeError for a changed statement", err)
	}
}

// TestResumeAutomaticAfterFault: an automatic bootstrap that stopped
// half-way (its catalog and schemas created, its functions not) resumes,
// and runs again from the top, without --force: the pre-flight holds what
// the service principal has yet to create as pending, not missing.
func TestResumeAutomaticAfterFault(t *testing.T) {
	w := emutest.New(t, example("auto-token.json"))
	mustRun(t, options(w, w.In, generator.Prerequisites))
	w.FailStatement("CREATE FUNCTION IF NOT EXISTS", 1)
	m := &memory{}
	o := options(w, w.In, generator.Bootstrap)
	o.Ledger = m
	_, err := Run(context.Background(), o)
	var serr *StatementError
	if !errors.As(err, &serr) || !strings.Contains(serr.Statement.SQL, "CREATE FUNCTION") {
		t.Fatalf("err = %v, want the injected failure of a CREATE FUNCTION", err)
	}
	if _, ok := w.Owner(ucemu.Sec("CATALOG", "immuta")); !ok {
		t.Fatal("the first run did not create the catalog")
	}
	o.Previous, o.Resume, o.Ledger = m.record(t, len(m.entries)), true, nil
	res := mustRun(t, o)
	if res.Skipped == 0 || res.Ran == 0 || len(res.Forced) != 0 {
		t.Errorf("resumed: ran %d, skipped %d, forced past %q", res.Ran, res.Skipped, res.Forced)
	}
	o.Previous, o.Resume = nil, false
	if res := mustRun(t, o); len(res.Forced) != 0 {
		t.Errorf("from the top: forced past %q", res.Forced)
	}
}
