package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ucbootstrap/ucbootstrap/apply"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/ucemu"
	"github.com/ucbootstrap/ucbootstrap/server/store/storetest"
	"github.com/ucbootstrap/ucbootstrap/sqlexec"
	"github.com/ucbootstrap/ucbootstrap/validation"
)

// The tests of this file run the real validator and the real applier
// (packages validation and apply) against the workspace emulator, in
// process.

// fastSQL polls the emulator without waiting.
var fastSQL = sqlexec.Options{MinPoll: time.Millisecond, MaxPoll: 5 * time.Millisecond, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}

func liveApplier() *LiveApplier {
	return NewLiveApplier(apply.Options{InsecureLoopback: true, SQL: fastSQL})
}

func applyHarness(t testing.TB, backend string) *harness {
	return newHarness(t, backend, func(c *Config) {
		c.Validator = NewLiveValidator(validation.Options{InsecureLoopback: true, MetastoreWait: -1})
		c.Applier = liveApplier()
	})
}

// runScript runs the script of kind generated for payload, as the
// metastore admin (the prerequisites of an automatic setup; the scripts a
// person runs).
func runScript(t testing.TB, s *ucemu.Server, payload string, kind generator.Kind, opts ...generator.Option) {
	t.Helper()
	script, err := generator.Generate(mustDecode(t, payload), kind, opts...)
	if err != nil {
		t.Fatal(err)
	}
	sql, err := script.SQL()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ExecScript(emuAdmin, string(kind)+".sql", []byte(sql)); err != nil {
		t.Fatal(err)
	}
}

// recorded returns the fingerprint the governance catalog records, read
// as the service principal.
func recorded(t testing.TB, s *ucemu.Server) string {
	t.Helper()
	rows, err := s.Exec(emuSP, "SELECT `value` FROM `immuta`.`immuta_system`.`integration_metadata` WHERE `key` = 'fingerprint'")
	if err != nil || len(rows) != 1 {
		t.Fatalf("the recorded fingerprint: %v %v", rows, err)
	}
	return fmt.Sprint(rows[0][0])
}

// executedOnce checks that every statement of the script ran exactly once
// on the emulator (since the count was last n).
func executedOnce(t testing.TB, s *ucemu.Server, script *generator.Script, before map[string]int) {
	t.Helper()
	for i, st := range script.Statements {
		if n := s.Executions(st.SQL) - before[st.SQL]; n != 1 {
			t.Errorf("statement %d ran %d times; want 1:\n%s", i+1, n, st.SQL)
		}
	}
}

func counts(s *ucemu.Server, script *generator.Script) map[string]int {
	m := map[string]int{}
	for _, st := range script.Statements {
		m[st.SQL] = s.Executions(st.SQL)
	}
	return m
}

func generate(t testing.TB, payload string, kind generator.Kind, opts ...generator.Option) *generator.Script {
	t.Helper()
	s, err := generator.Generate(mustDecode(t, payload), kind, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// An automatic setup through its life: POST creating -> enabled (the
// service principal ran the bootstrap, each statement once); PUT editing
// -> enabled (the edit applied, the new fingerprint recorded); DELETE
// deleting -> deleted (the cleanup applied: the catalog is gone).
func TestLiveAutomaticSetup(t *testing.T) {
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) {
			emu, port := startEmulator(t)
			payload, edited := emuPayload(port, true), emuPayload(port, true, "main.hr")
			runScript(t, emu, edited, generator.Prerequisites) // the grants of both payloads
			h := applyHarness(t, backend)

			r := h.post("/integrations", payload)
			if r.status != 200 || r.json(t)["status"] != "creating" {
				t.Fatalf("POST: %d %s", r.status, r.body)
			}
			h.runJobs()
			if st := statusBody(t, h, "1"); st["status"] != "enabled" {
				t.Fatalf("after the create job: %s", js(st))
			}
			bootstrap := generate(t, payload, generator.Bootstrap)
			executedOnce(t, emu, bootstrap, nil)
			if owner, _ := emu.Owner(ucemu.Sec("CATALOG", "immuta")); owner != emuSP {
				t.Errorf("catalog immuta is owned by %q", owner)
			}

			edit := generate(t, edited, generator.Edit, generator.From(mustDecode(t, payload)))
			before := counts(emu, edit)
			r = h.do("PUT", "/integrations/1", h.admin, "application/json", edited)
			if r.status != 200 || r.json(t)["status"] != "editing" {
				t.Fatalf("PUT: %d %s", r.status, r.body)
			}
			h.runJobs()
			if st := statusBody(t, h, "1"); st["status"] != "enabled" {
				t.Fatalf("after the edit job: %s", js(st))
			}
			executedOnce(t, emu, edit, before)
			if got, want := recorded(t, emu), mustDecode(t, edited).Fingerprint(); got != want {
				t.Errorf("the catalog records %s after the edit; want %s", got, want)
			}

			cleanup := generate(t, edited, generator.Cleanup)
			before = counts(emu, cleanup)
			r = h.do("DELETE", "/integrations/1", h.admin, "", "")
			if r.status != 200 || r.json(t)["status"] != "deleting" {
				t.Fatalf("DELETE: %d %s", r.status, r.body)
			}
			h.runJobs()
			if st := statusBody(t, h, "1"); st["status"] != "deleted" {
				t.Fatalf("after the delete job: %s", js(st))
			}
			executedOnce(t, emu, cleanup, before)
			if _, ok := emu.Owner(ucemu.Sec("CATALOG", "immuta")); ok {
				t.Error("the cleanup left catalog immuta")
			}
		})
	}
}

// A statement of the bootstrap fails: createError, with the statement in
// the record and in /status; the statements after it did not run.
func TestLiveCreateError(t *testing.T) {
	emu, port := startEmulator(t)
	payload := emuPayload(port, true)
	runScript(t, emu, payload, generator.Prerequisites)
	h := applyHarness(t, "sqlite")
	bootstrap := generate(t, payload, generator.Bootstrap)
	failing := -1
	for i, st := range bootstrap.Statements {
		if strings.HasPrefix(st.SQL, "CREATE SCHEMA") {
			failing = i
			break
		}
	}
	emu.FailStatement(bootstrap.Statements[failing].SQL, 1)
	st := createAndRun(t, h, payload)
	fs := failedStatement(st)
	if st["status"] != "createError" || fs == nil || fs["index"] != float64(failing) || fs["statement"] != bootstrap.Statements[failing].SQL ||
		!strings.Contains(fmt.Sprint(fs["message"]), "INTERNAL_ERROR") {
		t.Fatalf("after a failed bootstrap: %s", js(st))
	}
	rec, _ := h.st.Get(context.Background(), 1)
	if !strings.Contains(string(rec.Error), `"index":`+fmt.Sprint(failing)) || rec.Validation == nil {
		t.Errorf("the record: error %s, validation %s", rec.Error, rec.Validation)
	}
	// The statements after the failing one's section did not run.
	for _, s := range bootstrap.Statements[failing+1:] {
		if s.Section > bootstrap.Statements[failing].Section && emu.Executions(s.SQL) != 0 {
			t.Errorf("a statement after the failure ran: %s", s.SQL)
		}
	}
}

// An edit whose statement fails: editError, rolled back (the previous
// configuration in the record, its fingerprint in the catalog).
func TestLiveEditRollback(t *testing.T) {
	emu, port := startEmulator(t)
	payload, edited := emuPayload(port, true), emuPayload(port, true, "main.hr")
	runScript(t, emu, edited, generator.Prerequisites)
	h := applyHarness(t, "sqlite")
	h.post("/integrations", payload)
	h.runJobs()
	edit := generate(t, edited, generator.Edit, generator.From(mustDecode(t, payload)))
	emu.FailStatement(edit.Statements[0].SQL, 1)
	if r := h.do("PUT", "/integrations/1", h.admin, "application/json", edited); r.status != 200 {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	h.runJobs()
	st := statusBody(t, h, "1")
	e, _ := st["error"].(map[string]any)
	if st["status"] != "editError" || e["rolledBack"] != true || e["failedStatement"] == nil {
		t.Fatalf("after a failed edit: %s", js(st))
	}
	one := h.do("GET", "/integrations/1", h.reader, "", "").json(t)
	if ds := fmt.Sprint(one["config"].(map[string]any)["dataSources"]); ds != "[main.sales]" {
		t.Errorf("the configuration was not restored: %s", ds)
	}
	if got, want := recorded(t, emu), mustDecode(t, payload).Fingerprint(); got != want {
		t.Errorf("the catalog records %s after the rollback; want the previous %s", got, want)
	}
}

// The edit of a manual setup: the admin ran the edit script; PUT editing
// -> enabled, the service principal recorded the new fingerprint. An edit
// whose script was not run: editError, and the previous fingerprint
// recorded again.
func TestLiveManualEdit(t *testing.T) {
	emu, port := startEmulator(t)
	payload, edited := emuPayload(port, false), emuPayload(port, false, "main.hr")
	runBootstrap(t, emu, payload)
	h := applyHarness(t, "sqlite")
	h.post("/integrations", payload)
	h.runJobs()
	if s := statusOf(t, h, "1"); s != "enabled" {
		t.Fatalf("after the create job: %s", s)
	}
	runScript(t, emu, edited, generator.Edit, generator.From(mustDecode(t, payload)))
	r := h.do("PUT", "/integrations/1", h.admin, "application/json", edited)
	if r.status != 200 || r.json(t)["status"] != "editing" {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	if got := testStatuses(t, r.json(t)["validationResults"]); got[0] != "overall=passed" {
		t.Errorf("PUT validationResults %v\n%s", got, r.body)
	}
	h.runJobs()
	if st := statusBody(t, h, "1"); st["status"] != "enabled" {
		t.Fatalf("after the edit job: %s", js(st))
	}
	if got, want := recorded(t, emu), mustDecode(t, edited).Fingerprint(); got != want {
		t.Errorf("the catalog records %s; want %s", got, want)
	}

	// main.other: its edit script was never run.
	emu.ExecScript(emuAdmin, "schema.sql", []byte("CREATE SCHEMA main.other;\n"))
	other := emuPayload(port, false, "main.hr", "main.other")
	if r := h.do("PUT", "/integrations/1", h.admin, "application/json", other); r.status != 200 {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	h.runJobs()
	st := statusBody(t, h, "1")
	if e, _ := st["error"].(map[string]any); st["status"] != "editError" || e["rolledBack"] != true {
		t.Fatalf("after an edit whose script did not run: %s", js(st))
	}
	if got, want := recorded(t, emu), mustDecode(t, edited).Fingerprint(); got != want {
		t.Errorf("the catalog records %s after the rollback; want %s", got, want)
	}
}
