package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/ucemu"
	"github.com/ucbootstrap/ucbootstrap/server/store/storetest"
)

// The tests of this file take integrations through the ends of their
// lifecycle that a failure leaves them in, with the real validator and
// applier on the workspace emulator: every such state has a request that
// gets out of it, and the record shows what belongs to the configuration
// it holds.

// foreignComment is the comment of a catalog immuta that ucbootstrap did
// not set up.
const foreignComment = "The finance catalog"

// foreignCatalog makes catalog immuta exist, owned by the metastore admin
// and not marked as the integration's; visible says whether the service
// principal may use it (so that it sees it in information_schema).
func foreignCatalog(t *testing.T, emu *ucemu.Server, visible bool) ucemu.Securable {
	t.Helper()
	sql := "CREATE CATALOG immuta COMMENT '" + foreignComment + "';\nCREATE SCHEMA immuta.finance;\n"
	if visible {
		sql += "GRANT USE CATALOG ON CATALOG immuta TO `" + emuSP + "`;\n"
	}
	if err := emu.ExecScript(emuAdmin, "foreign.sql", []byte(sql)); err != nil {
		t.Fatal(err)
	}
	return ucemu.Sec("CATALOG", "immuta")
}

// checkForeignUntouched checks that the foreign catalog is as it was: its
// owner, its comment, its schema, and nothing of the integration in it;
// and that the service principal tried to drop or hand over no catalog in
// the statements the emulator executed from the index from.
func checkForeignUntouched(t *testing.T, emu *ucemu.Server, from int) {
	t.Helper()
	if owner, ok := emu.Owner(ucemu.Sec("CATALOG", "immuta")); !ok || owner != emuAdmin {
		t.Errorf("the foreign catalog: exists %t, owner %q", ok, owner)
	}
	if _, ok := emu.Owner(ucemu.Sec("SCHEMA", "immuta.finance")); !ok {
		t.Error("the foreign catalog lost its schema")
	}
	if _, ok := emu.Owner(ucemu.Sec("SCHEMA", "immuta.immuta_system")); ok {
		t.Error("the integration's schema was created in the foreign catalog")
	}
	rows, err := emu.Exec(emuAdmin, "SELECT comment FROM system.information_schema.catalogs WHERE catalog_name = 'immuta'")
	if err != nil || len(rows) != 1 || fmt.Sprint(rows[0][0]) != foreignComment {
		t.Errorf("the foreign catalog's comment: %v %v", rows, err)
	}
	for _, e := range emu.Executed()[from:] {
		if e.Principal == emuSP && (strings.HasPrefix(e.Statement, "DROP") || strings.HasPrefix(e.Statement, "ALTER CATALOG")) {
			t.Errorf("the service principal ran %s", e.Statement)
		}
	}
}

// An automatic setup whose governance catalog exists and is not the
// integration's: the bootstrap's guard refuses it (createError), and a
// DELETE then ends deleted without touching that catalog, whether the
// service principal sees it (the first guard refuses) or not (the second
// does). After that, the workspace takes a new integration.
func TestLiveDeleteAfterForeignCatalog(t *testing.T) {
	for _, backend := range storetest.Backends {
		for _, visible := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/visible=%t", backend, visible), func(t *testing.T) {
				emu, port := startEmulator(t)
				payload := emuPayload(port, true)
				runScript(t, emu, payload, generator.Prerequisites)
				foreignCatalog(t, emu, visible)
				h := applyHarness(t, backend)
				st := createAndRun(t, h, payload)
				fs := failedStatement(st)
				if st["status"] != "createError" || !strings.Contains(fmt.Sprint(fs["message"]), "USER_RAISED_EXCEPTION") {
					t.Fatalf("after the bootstrap: %s", js(st))
				}
				checkForeignUntouched(t, emu, 0)

				r := h.do("DELETE", "/integrations/1", h.admin, "", "")
				if r.status != 200 || r.json(t)["status"] != "deleting" {
					t.Fatalf("DELETE: %d %s", r.status, r.body)
				}
				h.runJobs()
				if st := statusBody(t, h, "1"); st["status"] != "deleted" || st["error"] != nil {
					t.Fatalf("after the delete job: %s", js(st))
				}
				checkForeignUntouched(t, emu, 0)
				if r := h.post("/integrations", payload); r.status != 200 {
					t.Errorf("POST after the delete: %d %s", r.status, r.body)
				}
			})
		}
	}
}

// An enabled automatic setup whose governance catalog was replaced by one
// that is not the integration's: the cleanup's guard refuses it, and the
// DELETE ends deleted with that catalog left as it is.
func TestLiveDeleteReplacedCatalog(t *testing.T) {
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) {
			emu, port := startEmulator(t)
			payload := emuPayload(port, true)
			runScript(t, emu, payload, generator.Prerequisites)
			h := applyHarness(t, backend)
			h.post("/integrations", payload)
			h.runJobs()
			if s := statusOf(t, h, "1"); s != "enabled" {
				t.Fatalf("after the create job: %s", s)
			}
			if err := emu.ExecScript(emuSP, "drop.sql", []byte("DROP CATALOG immuta CASCADE;\n")); err != nil {
				t.Fatal(err)
			}
			foreignCatalog(t, emu, true)
			from := len(emu.Executed())
			if r := h.do("DELETE", "/integrations/1", h.admin, "", ""); r.status != 200 || r.json(t)["status"] != "deleting" {
				t.Fatalf("DELETE: %d %s", r.status, r.body)
			}
			h.runJobs()
			if st := statusBody(t, h, "1"); st["status"] != "deleted" || st["error"] != nil {
				t.Fatalf("after the delete job: %s", js(st))
			}
			checkForeignUntouched(t, emu, from)
			var ran []string
			for _, e := range emu.Executed()[from:] {
				if e.Principal == emuSP {
					ran = append(ran, e.Statement)
				}
			}
			if cleanup := generate(t, payload, generator.Cleanup); len(ran) != 1 || ran[0] != cleanup.Statements[0].SQL {
				t.Errorf("the delete job ran %q; want the guard only", ran)
			}
		})
	}
}

// A bootstrap that failed after it created the catalog: the DELETE runs
// the cleanup, which drops it.
func TestLiveDeleteAfterPartialSetup(t *testing.T) {
	emu, port := startEmulator(t)
	payload := emuPayload(port, true)
	runScript(t, emu, payload, generator.Prerequisites)
	h := applyHarness(t, "sqlite")
	bootstrap := generate(t, payload, generator.Bootstrap)
	for _, st := range bootstrap.Statements {
		if strings.HasPrefix(st.SQL, "CREATE SCHEMA") {
			emu.FailStatement(st.SQL, 1)
			break
		}
	}
	h.post("/integrations", payload)
	h.runJobs()
	if s := statusOf(t, h, "1"); s != "createError" {
		t.Fatalf("after the create job: %s", s)
	}
	if _, ok := emu.Owner(ucemu.Sec("CATALOG", "immuta")); !ok {
		t.Fatal("the bootstrap did not create the catalog")
	}
	deleteAndCheckGone(t, h, emu, "after the delete job")
}

// An automatic setup whose service principal could not run the bootstrap's
// first statement (the workspace refused it): createError; the bootstrap
// created nothing, so the DELETE ends deleted without a request to the
// workspace, which still refuses.
func TestLiveDeleteAfterRefusedSetup(t *testing.T) {
	emu, port := startEmulator(t)
	payload := emuPayload(port, true)
	runScript(t, emu, payload, generator.Prerequisites)
	h := applyHarness(t, "sqlite")
	if r := h.post("/integrations", payload); r.status != 200 {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	emu.Fail("POST /api/2.0/sql/statements", 403, 1000)
	h.runJobs()
	st := statusBody(t, h, "1")
	if fs, _ := st["error"].(map[string]any)["failedStatement"].(map[string]any); st["status"] != "createError" || fs["index"] != 0.0 {
		t.Fatalf("after the bootstrap: %s", js(st))
	}
	before := emu.Requests()
	h.do("DELETE", "/integrations/1", h.admin, "", "")
	h.runJobs()
	if st := statusBody(t, h, "1"); st["status"] != "deleted" {
		t.Fatalf("after the delete job: %s", js(st))
	}
	if n := emu.Requests() - before; n != 0 {
		t.Errorf("the delete job sent %d requests to the workspace", n)
	}
}

// validationOf returns the validationResults of GET /integrations/{id},
// as normalized JSON.
func validationOf(t *testing.T, h *harness, id string) string {
	t.Helper()
	r := h.do("GET", "/integrations/"+id, h.reader, "", "")
	if r.status != 200 {
		t.Fatalf("GET: %d %s", r.status, r.body)
	}
	return js(r.json(t)["validationResults"])
}

// An edit that fails and is rolled back leaves the record with the
// previous configuration and the validation results of that
// configuration, run after the rollback; the failed edit's results are in
// /status's error. Both an automatic edit whose statement fails and a
// manual edit whose script was not run (its validation fails).
func TestLiveEditRollbackValidation(t *testing.T) {
	for _, auto := range []bool{true, false} {
		t.Run(fmt.Sprintf("autoBootstrap=%t", auto), func(t *testing.T) {
			emu, port := startEmulator(t)
			payload, edited := emuPayload(port, auto), emuPayload(port, auto, "main.hr")
			if auto {
				runScript(t, emu, edited, generator.Prerequisites)
			} else {
				runBootstrap(t, emu, payload)
			}
			h := applyHarness(t, "sqlite")
			h.post("/integrations", payload)
			h.runJobs()
			if s := statusOf(t, h, "1"); s != "enabled" {
				t.Fatalf("after the create job: %s", s)
			}
			enabled := validationOf(t, h, "1")
			if auto {
				edit := generate(t, edited, generator.Edit, generator.From(mustDecode(t, payload)))
				emu.FailStatement(edit.Statements[0].SQL, 1)
			}
			r := h.do("PUT", "/integrations/1", h.admin, "application/json", edited)
			if r.status != 200 {
				t.Fatalf("PUT: %d %s", r.status, r.body)
			}
			editing := js(r.json(t)["validationResults"])
			if editing == enabled {
				t.Fatalf("the edit's validation results are those of the configuration before it: the test shows nothing\n%s", editing)
			}
			h.runJobs()
			st := statusBody(t, h, "1")
			e, _ := st["error"].(map[string]any)
			if st["status"] != "editError" || e["rolledBack"] != true {
				t.Fatalf("after the failed edit: %s", js(st))
			}
			if got := validationOf(t, h, "1"); got != enabled {
				t.Errorf("after the rollback, validationResults are not those of the restored configuration:\n%s\nwant\n%s", got, enabled)
			}
			if got := js(st["validationResults"]); got != enabled {
				t.Errorf("/status validationResults after the rollback:\n%s\nwant\n%s", got, enabled)
			}
			failed := js(e["validationResults"])
			if auto && failed != editing {
				t.Errorf("error.validationResults = %s\nwant the PUT's %s", failed, editing)
			}
			if !auto && !strings.Contains(failed, `"status":"failed"`) {
				t.Errorf("error.validationResults = %s\nwant the failed tests after the edit", failed)
			}
		})
	}
}

// An automatic setup whose cleanup failed (deleteError: the workspace
// refused the service principal's statement) accepts a PUT, as the
// documented answer to a DELETE with credentials says ("If you need to
// update your integration credentials, use PUT"); after the edit, DELETE
// cleans up.
func TestLiveEditAfterDeleteError(t *testing.T) {
	emu, port := startEmulator(t)
	payload := emuPayload(port, true)
	runScript(t, emu, payload, generator.Prerequisites)
	h := applyHarness(t, "sqlite")
	h.post("/integrations", payload)
	h.runJobs()
	emu.Fail("POST /api/2.0/sql/statements", 403, 1)
	h.do("DELETE", "/integrations/1", h.admin, "", "")
	h.runJobs()
	if st := statusBody(t, h, "1"); st["status"] != "deleteError" {
		t.Fatalf("after the failed cleanup: %s", js(st))
	}
	if r := h.do("PUT", "/integrations/1", h.admin, "application/json", payload); r.status != 200 || r.json(t)["status"] != "editing" {
		t.Fatalf("PUT in deleteError: %d %s", r.status, r.body)
	}
	h.runJobs()
	if st := statusBody(t, h, "1"); st["status"] != "enabled" {
		t.Fatalf("after the edit: %s", js(st))
	}
	deleteAndCheckGone(t, h, emu, "after the second delete")
}

// An automatic edit that fails at its first change (the grant on a new
// data source) changed nothing, so it is not applied back: the edit back
// would revoke the privileges on that data source that the metastore
// admin granted the service principal beforehand (the prerequisites).
func TestLiveEditFailedFirstStatement(t *testing.T) {
	emu, port := startEmulator(t)
	payload, edited := emuPayload(port, true), emuPayload(port, true, "main.hr")
	runScript(t, emu, edited, generator.Prerequisites)
	hr := ucemu.Sec("SCHEMA", "main.hr")
	granted := fmt.Sprint(emu.Privileges(emuSP, hr))
	if granted == "[]" {
		t.Fatal("the prerequisites granted nothing on main.hr: the test shows nothing")
	}
	h := applyHarness(t, "sqlite")
	h.post("/integrations", payload)
	h.runJobs()
	edit := generate(t, edited, generator.Edit, generator.From(mustDecode(t, payload)))
	emu.FailStatement(edit.Statements[0].SQL, 1)
	from := len(emu.Executed())
	h.do("PUT", "/integrations/1", h.admin, "application/json", edited)
	h.runJobs()
	st := statusBody(t, h, "1")
	if e, _ := st["error"].(map[string]any); st["status"] != "editError" || e["rolledBack"] != true {
		t.Fatalf("after the failed edit: %s", js(st))
	}
	if got := fmt.Sprint(emu.Privileges(emuSP, hr)); got != granted {
		t.Errorf("the service principal holds %s on main.hr after the failed edit; before it, %s", got, granted)
	}
	for _, e := range emu.Executed()[from:] {
		if strings.HasPrefix(e.Statement, "REVOKE") {
			t.Errorf("the failed edit's job ran %s", e.Statement)
		}
	}
}

// deleteAndCheckGone deletes integration 1, runs its job, and checks it
// ends deleted with the governance catalog gone from the workspace.
func deleteAndCheckGone(t *testing.T, h *harness, emu *ucemu.Server, when string) {
	t.Helper()
	h.do("DELETE", "/integrations/1", h.admin, "", "")
	h.runJobs()
	if st := statusBody(t, h, "1"); st["status"] != "deleted" {
		t.Fatalf("%s: %s", when, js(st))
	}
	if _, ok := emu.Owner(ucemu.Sec("CATALOG", "immuta")); ok {
		t.Error("the cleanup left catalog immuta")
	}
}

// createAndRun posts payload, runs the job, and returns the status of
// integration 1.
func createAndRun(t *testing.T, h *harness, payload string) map[string]any {
	t.Helper()
	if r := h.post("/integrations", payload); r.status != 200 {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	h.runJobs()
	return statusBody(t, h, "1")
}

// failedStatement returns the failedStatement of a status's error, or nil.
func failedStatement(st map[string]any) map[string]any {
	e, _ := st["error"].(map[string]any)
	fs, _ := e["failedStatement"].(map[string]any)
	return fs
}
