package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/server/store"
	"github.com/ucbootstrap/ucbootstrap/server/store/storetest"
)

func statusBody(t *testing.T, h *harness, id string) map[string]any {
	t.Helper()
	r := h.do("GET", "/integrations/"+id+"/status", h.reader, "", "")
	if r.status != http.StatusOK {
		t.Fatalf("GET status: %d %s", r.status, r.body)
	}
	return r.json(t)
}

// A statement that fails: createError, with the statement and the
// validation results in the record, and no credential in the message even
// when the workspace echoes it.
func TestCreateError(t *testing.T) {
	h := newHarness(t, "sqlite", nil)
	h.app.failAt, h.app.echo = 2, true
	if r := h.post("/integrations", tokenPayload(ws1, true)); r.status != 200 {
		t.Fatal(r.status)
	}
	h.runJobs()
	st := statusBody(t, h, "1")
	if st["status"] != "createError" || st["validationResults"] == nil {
		t.Fatalf("status %s", js(st))
	}
	e := st["error"].(map[string]any)
	fs := e["failedStatement"].(map[string]any)
	bootstrap, _ := generator.Generate(mustDecode(t, tokenPayload(ws1, true)), generator.Bootstrap)
	if e["job"] != "create" || fs["index"] != 2.0 || fs["statement"] != bootstrap.Statements[2].SQL ||
		!strings.HasPrefix(fs["message"].(string), "[INSUFFICIENT_PERMISSIONS]") || !strings.Contains(fs["message"].(string), "for token REDACTED") {
		t.Errorf("error %s", js(e))
	}
}

// Manual setup: the create job only validates; failing tests after the
// setup give createError.
func TestManualCreate(t *testing.T) {
	h := newHarness(t, "sqlite", nil)
	h.val.setFailing("other.cloud.databricks.com", PhaseSetup)
	h.post("/integrations", tokenPayload(ws1, false))
	h.post("/integrations", tokenPayload("other.cloud.databricks.com", false))
	h.runJobs()
	if s := statusOf(t, h, "1"); s != "enabled" {
		t.Errorf("manual setup that validates: %s", s)
	}
	if st := statusBody(t, h, "2"); st["status"] != "createError" || st["validationResults"].(map[string]any)["status"] != "failed" {
		t.Errorf("manual setup that fails validation: %s", js(st))
	}
	if h.ws.total() != 0 {
		t.Errorf("manual setup applied %d statements", h.ws.total())
	}
}

// A failed edit: editError, the previous configuration restored (in the
// record and, for automatic setup, on the workspace). An edit whose
// failure shows that it changed nothing is not applied back: the edit
// back would revoke grants it did not make.
func TestEditRollback(t *testing.T) {
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) {
			h := newHarness(t, backend, nil)
			h.post("/integrations", tokenPayload(ws1, true))
			h.runJobs()
			before := h.do("GET", "/integrations/1", h.reader, "", "")
			// The second grant fails: the first, of the same section,
			// may have run; the edit is applied back.
			h.app.failAt = 1
			if r := h.do("PUT", "/integrations/1", h.admin, "application/json", tokenPayload(ws1, true, "main.sales", "main.hr", "main.fin")); r.status != 200 {
				t.Fatalf("PUT: %d %s", r.status, r.body)
			}
			h.runJobs()
			st := statusBody(t, h, "1")
			e, _ := st["error"].(map[string]any)
			if st["status"] != "editError" || e == nil || e["rolledBack"] != true || e["failedStatement"] == nil {
				t.Errorf("after a failed edit: %s", js(st))
			}
			after := h.do("GET", "/integrations/1", h.reader, "", "")
			var b, a map[string]any
			json.Unmarshal(before.body, &b)
			json.Unmarshal(after.body, &a)
			if js(b["config"]) != js(a["config"]) {
				t.Errorf("the configuration was not restored:\nbefore %s\nafter  %s", before.body, after.body)
			}
			last := h.app.runs[len(h.app.runs)-1]
			if !last.Rollback || last.Script.Kind != generator.Edit {
				t.Errorf("the last run is not the rollback edit: %+v", last.Script.Kind)
			}
			rec, _ := h.st.Get(context.Background(), 1)
			if rec.Previous != nil {
				t.Error("the rolled-back edit left a previous configuration")
			}
			if in, err := h.srv.open(rec.ID, &rec.Config); err != nil || in.Config.Token.Reveal() != testToken {
				t.Errorf("the restored configuration's token does not open: %v", err)
			}
			// An integration in editError can be edited again.
			h.app.failAt = -1
			if r := h.do("PUT", "/integrations/1", h.admin, "application/json", tokenPayload(ws1, true, "main.hr")); r.status != 200 {
				t.Fatalf("PUT after editError: %d %s", r.status, r.body)
			}
			h.runJobs()
			if s := statusOf(t, h, "1"); s != "enabled" {
				t.Errorf("after the second edit: %s", s)
			}
		})
	}
}

func TestEditChangedNothing(t *testing.T) {
	h := newHarness(t, "sqlite", nil)
	h.post("/integrations", tokenPayload(ws1, true))
	h.runJobs()
	edited := tokenPayload(ws1, true, "main.sales", "main.hr")
	edit, err := generator.Generate(mustDecode(t, edited), generator.Edit, generator.From(mustDecode(t, tokenPayload(ws1, true))))
	if err != nil {
		t.Fatal(err)
	}
	if len(edit.Statements) != 1 {
		t.Fatalf("the edit has %d statements; the test wants one", len(edit.Statements))
	}
	h.app.failAt = 0
	runs := len(h.app.runs)
	if r := h.do("PUT", "/integrations/1", h.admin, "application/json", edited); r.status != 200 {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	h.runJobs()
	st := statusBody(t, h, "1")
	e, _ := st["error"].(map[string]any)
	if st["status"] != "editError" || e["rolledBack"] != true || !strings.Contains(js(e["message"]), "nothing to roll back") {
		t.Errorf("after the failed edit: %s", js(st))
	}
	if n := len(h.app.runs) - runs; n != 1 {
		t.Errorf("%d runs; want the edit only", n)
	}
}

func TestDeleteError(t *testing.T) {
	h := newHarness(t, "sqlite", nil)
	h.post("/integrations", tokenPayload(ws1, true))
	h.runJobs()
	h.app.failAt = 1
	h.do("DELETE", "/integrations/1", h.admin, "", "")
	h.runJobs()
	if st := statusBody(t, h, "1"); st["status"] != "deleteError" || st["error"] == nil {
		t.Errorf("after a failed cleanup: %s", js(st))
	}
	h.app.failAt = -1
	if r := h.do("DELETE", "/integrations/1", h.admin, "", "{}"); r.status != 200 {
		t.Fatalf("DELETE again: %d %s", r.status, r.body)
	}
	h.runJobs()
	if s := statusOf(t, h, "1"); s != "deleted" {
		t.Errorf("after the second delete: %s", s)
	}
}

// The revalidation sets recurringValidationError, and enabled again once
// the tests pass.
func TestRevalidate(t *testing.T) {
	h := newHarness(t, "sqlite", nil)
	h.post("/integrations", tokenPayload(ws1, true))
	h.runJobs()
	h.val.setFailing(ws1, PhaseRecurring)
	ctx := context.Background()
	if err := h.srv.Revalidate(ctx); err != nil {
		t.Fatal(err)
	}
	if st := statusBody(t, h, "1"); st["status"] != "recurringValidationError" || st["validationResults"].(map[string]any)["status"] != "failed" {
		t.Errorf("after a failing revalidation: %s", js(st))
	}
	// PUT is allowed from recurringValidationError.
	h.val.setFailing(ws1, "")
	if err := h.srv.Revalidate(ctx); err != nil {
		t.Fatal(err)
	}
	if st := statusBody(t, h, "1"); st["status"] != "enabled" || st["error"] != nil {
		t.Errorf("after a passing revalidation: %s", js(st))
	}
}

// A server that stops in the middle of a job (here: its workers are
// stopped, as a killed server's are) leaves the job leased; once the lease
// expires another server takes it over and resumes after the last
// statement the first one checkpointed: no statement runs twice.
func TestLeaseTakeOver(t *testing.T) {
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) {
			dsn := storetest.DSN(t, backend)
			open := func() store.Store {
				st, err := store.Open(context.Background(), dsn, store.Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				return st
			}
			ws := &fakeWorkspace{}
			blocked := make(chan struct{})
			first := newServerOn(t, open(), ws, "first", func(a *fakeApplier) {
				a.blockAt = 3
				a.block = func(ctx context.Context) { close(blocked); <-ctx.Done() }
			})
			first.srv.Start()
			if r := first.post("/integrations", tokenPayload(ws1, true)); r.status != 200 {
				t.Fatal(r.status)
			}
			select {
			case <-blocked:
			case <-time.After(10 * time.Second):
				t.Fatal("the first server did not start the job")
			}
			first.srv.Stop()
			if n := ws.total(); n != 3 {
				t.Fatalf("the first server ran %d statements before it stopped; want 3", n)
			}
			if s := statusOf(t, first, "1"); s != "creating" {
				t.Fatalf("after the first server stopped: %s", s)
			}
			second := newServerOn(t, open(), ws, "second", nil)
			second.srv.Start()
			deadline := time.Now().Add(15 * time.Second)
			for statusOf(t, second, "1") == "creating" && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if s := statusOf(t, second, "1"); s != "enabled" {
				t.Fatalf("after the take-over: %s", s)
			}
			bootstrap, _ := generator.Generate(mustDecode(t, tokenPayload(ws1, true)), generator.Bootstrap)
			for i, st := range bootstrap.Statements {
				if n := ws.count("1: " + st.SQL); n != 1 {
					t.Errorf("statement %d ran %d times", i, n)
				}
			}
			if got := second.app.attempts; len(got) != 1 || got[0] != 2 {
				t.Errorf("the second server's runs had attempts %v; want [2]", got)
			}
			jobs, _ := second.st.Jobs(context.Background(), 1)
			if len(jobs) != 1 || !jobs[0].Done || jobs[0].Owner != "second" {
				t.Errorf("jobs %+v", jobs)
			}
		})
	}
}

// newServerOn starts a server on a store shared with others, with its own
// applier on a shared workspace and a lease of one second.
func newServerOn(t *testing.T, st store.Store, ws *fakeWorkspace, owner string, mod func(*fakeApplier)) *harness {
	t.Helper()
	h := newHarness(t, "sqlite", func(c *Config) {
		c.Store, c.Owner, c.LeaseTTL = st, owner, 3*time.Second
	})
	h.st = st
	h.app.ws = ws
	if mod != nil {
		mod(h.app)
	}
	var err error
	if h.admin, _, err = CreateAPIKey(context.Background(), st, owner+"-admin", store.Admin); err != nil {
		t.Fatal(err)
	}
	if h.reader, _, err = CreateAPIKey(context.Background(), st, owner+"-reader", store.ReadOnly); err != nil {
		t.Fatal(err)
	}
	return h
}

// A job that keeps being interrupted is given up.
func TestMaxAttempts(t *testing.T) {
	h := newHarness(t, "sqlite", func(c *Config) { c.MaxAttempts = 2 })
	h.post("/integrations", tokenPayload(ws1, true))
	ctx := context.Background()
	for range 2 {
		j, err := h.st.Claim(ctx, "crashing", time.Millisecond)
		if err != nil || j == nil {
			t.Fatal(j, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	h.runJobs()
	st := statusBody(t, h, "1")
	if st["status"] != "createError" || !strings.Contains(js(st["error"]), "interrupted 2 times") {
		t.Errorf("after three claims: %s", js(st))
	}
	if h.ws.total() != 0 {
		t.Error("a given-up job ran statements")
	}
}

// An edit job given up after too many interruptions: editError, not
// rolled back, the previous configuration restored in the record with
// validation results of its own (run again), the edit's in the error.
func TestMaxAttemptsEdit(t *testing.T) {
	h := newHarness(t, "sqlite", func(c *Config) { c.MaxAttempts = 1 })
	h.val.tagData = true
	h.post("/integrations", tokenPayload(ws1, true))
	h.runJobs()
	before := h.do("GET", "/integrations/1", h.reader, "", "").json(t)
	r := h.do("PUT", "/integrations/1", h.admin, "application/json", tokenPayload(ws1, true, "main.sales", "main.hr"))
	if r.status != 200 {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	editing := js(r.json(t)["validationResults"])
	ctx := context.Background()
	if j, err := h.st.Claim(ctx, "crashing", time.Millisecond); err != nil || j == nil || j.Kind != store.EditJob {
		t.Fatal(j, err)
	}
	time.Sleep(5 * time.Millisecond)
	runs := len(h.app.runs)
	h.runJobs()
	st := statusBody(t, h, "1")
	e, _ := st["error"].(map[string]any)
	if st["status"] != "editError" || e["rolledBack"] != false || !strings.Contains(js(e), "interrupted 1 times") {
		t.Fatalf("after the given-up edit: %s", js(st))
	}
	if len(h.app.runs) != runs {
		t.Error("the given-up edit ran a script")
	}
	after := h.do("GET", "/integrations/1", h.reader, "", "").json(t)
	if js(after["config"]) != js(before["config"]) || js(after["validationResults"]) != js(before["validationResults"]) {
		t.Errorf("after the given-up edit: config %s, validationResults %s; want the previous configuration's %s, %s",
			js(after["config"]), js(after["validationResults"]), js(before["config"]), js(before["validationResults"]))
	}
	if got := js(e["validationResults"]); got != editing || got == js(before["validationResults"]) {
		t.Errorf("error.validationResults = %s; want the PUT's %s", got, editing)
	}
}

// A rolled-back edit whose restored configuration cannot be validated:
// no validation results (none are known for it), and the error says why.
func TestEditRollbackUnvalidated(t *testing.T) {
	h := newHarness(t, "sqlite", nil)
	h.post("/integrations", tokenPayload(ws1, true))
	h.runJobs()
	h.app.failAt = 0
	if r := h.do("PUT", "/integrations/1", h.admin, "application/json", tokenPayload(ws1, true, "main.sales", "main.hr")); r.status != 200 {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	h.val.mu.Lock()
	h.val.gate = func(context.Context) error { return errors.New("the warehouse does not answer") }
	h.val.mu.Unlock()
	h.runJobs()
	st := statusBody(t, h, "1")
	e, _ := st["error"].(map[string]any)
	if st["status"] != "editError" || e["rolledBack"] != true || st["validationResults"] != nil || e["validationResults"] == nil ||
		!strings.Contains(js(e["message"]), "The validation tests of the restored configuration could not run: Processing Error: the warehouse does not answer") {
		t.Errorf("after the rollback: %s", js(st))
	}
	if got := h.do("GET", "/integrations/1", h.reader, "", "").json(t); got["validationResults"] != nil {
		t.Errorf("GET shows validationResults %s", js(got["validationResults"]))
	}
}

// Without a validator or an applier, the server says so instead of
// pretending.
func TestNotImplemented(t *testing.T) {
	h := newHarness(t, "sqlite", func(c *Config) { c.Validator, c.Applier = nil, nil })
	wantError(t, h.post("/integrations", tokenPayload(ws1, false)), 501, "This server cannot run the validation tests: it was built without it.")
	h = newHarness(t, "sqlite", func(c *Config) { c.Applier = nil })
	wantError(t, h.post("/integrations", tokenPayload(ws1, true)), 501, "This server cannot apply scripts (autoBootstrap: true): it was built without it.")
	if r := h.post("/integrations", tokenPayload(ws1, false)); r.status != 200 {
		t.Errorf("manual setup without an applier: %d %s", r.status, r.body)
	}
	h.runJobs()
	// The edit of a manual setup: the service principal records the new
	// fingerprint, which takes an applier.
	wantError(t, h.do("PUT", "/integrations/1", h.admin, "application/json", tokenPayload(ws1, false, "main.sales", "main.hr")), 501,
		"This server cannot apply scripts (an edit is recorded in the workspace by the service principal): it was built without it.")
	if r := h.do("DELETE", "/integrations/1", h.admin, "", ""); r.status != 200 {
		t.Errorf("DELETE of a manual setup without an applier: %d %s", r.status, r.body)
	}
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// changedNothing: a failure in the first section that changes anything
// shows that nothing changed only when every other statement up to that
// section reads, and the failing one reads or surely failed.
func TestChangedNothing(t *testing.T) {
	old, edited := mustDecode(t, tokenPayload(ws1, true)), mustDecode(t, tokenPayload(ws1, true, "main.sales", "main.hr"))
	bootstrap, err := generator.Generate(old, generator.Bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	edit, err := generator.Generate(edited, generator.Edit, generator.From(old))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		script *generator.Script
		se     StatementError
		want   bool
	}{
		{"bootstrap guard fails", bootstrap, StatementError{Index: 0}, true},
		{"bootstrap guard unknown", bootstrap, StatementError{Index: 0, Unknown: true}, true},
		{"bootstrap catalog fails", bootstrap, StatementError{Index: 1}, false},
		{"edit grant fails", edit, StatementError{Index: 0}, true},
		{"edit grant unknown", edit, StatementError{Index: 0, Unknown: true}, false},
		{"out of range", edit, StatementError{Index: 5}, false},
	} {
		if got := changedNothing(c.script, &c.se); got != c.want {
			t.Errorf("%s: changedNothing = %t; want %t", c.name, got, c.want)
		}
	}
}
