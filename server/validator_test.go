package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/ucemu"
	"github.com/ucbootstrap/ucbootstrap/server/store"
	"github.com/ucbootstrap/ucbootstrap/server/store/storetest"
	"github.com/ucbootstrap/ucbootstrap/validation"
)

// The tests of this file run the real validator (package validation)
// against the workspace emulator (package ucemu), in process.

const (
	emuAdmin = "admin@example.com"
	emuSP    = "6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f"
)

// startEmulator starts a workspace emulator that knows the test token as
// the service principal's, with a metastore admin, a running warehouse and
// the data source main.sales, and returns it with its port.
func startEmulator(t testing.TB) (*ucemu.Server, int) {
	t.Helper()
	s, err := ucemu.Start(ucemu.MetastoreAdmin(emuAdmin), ucemu.Token(testToken, emuSP),
		ucemu.Warehouse("8a1b2c3d4e5f6a7b", "RUNNING"), ucemu.SystemSchema("access", "ENABLE_COMPLETED"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.ExecScript(emuAdmin, "prerequisites.sql", []byte("CREATE CATALOG main;\nCREATE SCHEMA main.sales;\nCREATE SCHEMA main.hr;\n")); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatal(err)
	}
	return s, port
}

// emuPayload is a payload on the emulator's port, with main.sales and the
// other data sources.
func emuPayload(port int, auto bool, more ...string) string {
	ds, _ := json.Marshal(append([]string{"main.sales"}, more...))
	return fmt.Sprintf(`{
  "type": "Databricks",
  "autoBootstrap": %t,
  "config": {
    "workspaceUrl": "127.0.0.1",
    "port": %d,
    "httpPath": "/sql/1.0/warehouses/8a1b2c3d4e5f6a7b",
    "authenticationType": "token",
    "token": %q,
    "catalog": "immuta",
    "servicePrincipal": %q,
    "tenant": "acme-prod",
    "dataSources": %s,
    "audit": {"enabled": true}
  }
}`, auto, port, testToken, emuSP, ds)
}

// runBootstrap runs, as the metastore admin, the bootstrap script generated
// for the payload (or the edit script from the options): the manual setup.
func runBootstrap(t testing.TB, s *ucemu.Server, payload string, opts ...generator.Option) {
	t.Helper()
	kind := generator.Bootstrap
	if len(opts) > 0 {
		kind = generator.Edit
	}
	script, err := generator.Generate(mustDecode(t, payload), kind, opts...)
	if err != nil {
		t.Fatal(err)
	}
	sql, err := script.SQL()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ExecScript(emuAdmin, "bootstrap.sql", []byte(sql)); err != nil {
		t.Fatal(err)
	}
}

func liveHarness(t testing.TB, backend string) *harness {
	return newHarness(t, backend, func(c *Config) {
		c.Validator = NewLiveValidator(validation.Options{InsecureLoopback: true})
	})
}

// testStatuses returns "name=status" of each validation test of a
// response (or of a stored record's validationResults).
func testStatuses(t testing.TB, results any) []string {
	t.Helper()
	b, _ := json.Marshal(results)
	var r Results
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("validationResults %s: %v", b, err)
	}
	out := []string{"overall=" + r.Status}
	for _, x := range r.Tests {
		out = append(out, x.Name+"="+x.Status)
	}
	return out
}

// A manual setup: the metastore admin ran the bootstrap script of the
// payload; POST validates it (catalog, owner, recorded fingerprint), then
// the job validates again and the integration is enabled. DELETE of a
// manual setup has nothing to apply.
func TestLiveManualSetup(t *testing.T) {
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) {
			emu, port := startEmulator(t)
			payload := emuPayload(port, false)
			runBootstrap(t, emu, payload)
			h := liveHarness(t, backend)
			r := h.post("/integrations", payload)
			if r.status != 200 {
				t.Fatalf("POST: %d %s", r.status, r.body)
			}
			body := r.json(t)
			want := []string{"overall=passed",
				validation.IdentityTest + "=passed", validation.MetastoreTest + "=passed", validation.WarehouseTest + "=passed",
				validation.ConnectionTest + "=passed", validation.CatalogTest + "=passed", validation.PrivilegesTest + "=passed",
				validation.AuditTest + "=passed"}
			if body["status"] != "creating" {
				t.Errorf("POST answered %s", r.body)
			}
			if diff := cmp.Diff(want, testStatuses(t, body["validationResults"])); diff != "" {
				t.Errorf("POST validationResults (-want +got):\n%s\n%s", diff, r.body)
			}
			// The results are validation.Run's, in the same JSON shape.
			in := mustDecode(t, payload)
			direct, err := validation.Run(context.Background(), in, validation.Options{InsecureLoopback: true, Getenv: func(string) string { return "" }})
			if err != nil {
				t.Fatal(err)
			}
			wantJSON, _ := json.Marshal(direct)
			gotJSON, _ := json.Marshal(body["validationResults"])
			if diff := cmp.Diff(normJSON(t, wantJSON), normJSON(t, gotJSON)); diff != "" {
				t.Errorf("validationResults differ from validation.Run's (-run +server):\n%s", diff)
			}
			h.runJobs()
			if s := statusOf(t, h, "1"); s != "enabled" {
				t.Fatalf("after the job: %s\n%s", s, h.do("GET", "/integrations/1/status", h.reader, "", "").body)
			}
			r = h.do("DELETE", "/integrations/1", h.admin, "", "")
			if r.status != 200 || r.json(t)["status"] != "deleting" {
				t.Fatalf("DELETE: %d %s", r.status, r.body)
			}
			h.runJobs()
			if s := statusOf(t, h, "1"); s != "deleted" {
				t.Errorf("after the delete job: %s", s)
			}
			// Nothing was dropped: the cleanup of a manual setup is the
			// admin's to run (POST /integrations/1/scripts/delete).
			if _, ok := emu.Owner(ucemu.Sec("CATALOG", "immuta")); !ok {
				t.Error("the delete of a manual setup dropped the catalog")
			}
		})
	}
}

func normJSON(t testing.TB, b []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out, _ := json.MarshalIndent(v, "", "  ")
	return string(out)
}

// A manual setup whose script was not run: POST answers creating with the
// failed catalog test (the payload is usable, the setup is not done), and
// the job ends in createError with the results kept.
func TestLiveManualSetupNotRun(t *testing.T) {
	_, port := startEmulator(t)
	h := liveHarness(t, "sqlite")
	r := h.post("/integrations", emuPayload(port, false))
	if r.status != 200 {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	if got := testStatuses(t, r.json(t)["validationResults"]); got[0] != "overall=failed" || !contains(got, validation.CatalogTest+"=failed") {
		t.Errorf("POST validationResults %v", got)
	}
	if !strings.Contains(string(r.body), "catalog immuta does not exist: generate the bootstrap script for this payload") {
		t.Errorf("the catalog test does not say what to do:\n%s", r.body)
	}
	h.runJobs()
	st := h.do("GET", "/integrations/1/status", h.reader, "", "").json(t)
	if st["status"] != "createError" {
		t.Fatalf("after the job: %v", st)
	}
	if got := testStatuses(t, st["validationResults"]); !contains(got, validation.CatalogTest+"=failed") {
		t.Errorf("status validationResults %v", got)
	}
	if e, _ := st["error"].(map[string]any); e["job"] != "create" || !strings.Contains(fmt.Sprint(e["message"]), "validation tests failed") {
		t.Errorf("status error %v", st["error"])
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A workspace whose metastore cannot be read: POST answers Immuta's 422
// at once and stores nothing; for an enabled integration the periodic
// validation keeps the failed test instead (recurringValidationError).
func TestLiveUnreadableMetastore(t *testing.T) {
	emu, port := startEmulator(t)
	payload := emuPayload(port, false)
	runBootstrap(t, emu, payload)
	emu.Unassign(-1)
	// POST asks once, whatever the wait of the jobs: with an hour's wait
	// it would run into the validation timeout and answer another text.
	h := newHarness(t, "sqlite", func(c *Config) {
		c.Validator = NewLiveValidator(validation.Options{InsecureLoopback: true, MetastoreWait: time.Hour})
		c.ValidationTimeout = 10 * time.Second
	})
	wantError(t, h.post("/integrations", payload), 422, "Processing Error: Error trying to get the current metastore info.")
	if l, _ := h.st.List(context.Background()); len(l) != 0 {
		t.Errorf("a 422 stored %d integrations", len(l))
	}

	h = newHarness(t, "sqlite", func(c *Config) {
		c.Validator = NewLiveValidator(validation.Options{InsecureLoopback: true, MetastoreWait: 10 * time.Millisecond})
	})
	emu.Unassign(0)
	if r := h.post("/integrations", payload); r.status != 200 {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	h.runJobs()
	if s := statusOf(t, h, "1"); s != "enabled" {
		t.Fatalf("after the job: %s", s)
	}
	emu.Unassign(-1)
	if err := h.srv.Revalidate(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := h.do("GET", "/integrations/1/status", h.reader, "", "").json(t)
	if st["status"] != string(store.RecurringValidationError) || !contains(testStatuses(t, st["validationResults"]), validation.MetastoreTest+"=failed") {
		t.Errorf("after the revalidation: %v", st)
	}
	if !strings.Contains(fmt.Sprint(st["validationResults"]), "Error trying to get the current metastore info: ") {
		t.Errorf("the failed metastore test does not say why: %v", st["validationResults"])
	}
}

// Fifty POSTs at once for one workspace, each validated for real: one
// integration, forty-nine documented 409s.
func TestLiveConcurrentCreate(t *testing.T) {
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) {
			emu, port := startEmulator(t)
			payload := emuPayload(port, false)
			runBootstrap(t, emu, payload)
			h := liveHarness(t, backend)
			const n = 50
			results := make([]resp, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { results[i] = h.post("/integrations", payload) })
			}
			wg.Wait()
			ok := 0
			for _, r := range results {
				if r.status == 200 {
					ok++
					continue
				}
				wantError(t, r, 409, "Databricks Unity Catalog integration already exists on 127.0.0.1 (id = 1)")
			}
			if ok != 1 {
				t.Errorf("%d POSTs succeeded; want 1", ok)
			}
			if l, _ := h.st.List(context.Background()); len(l) != 1 {
				t.Errorf("%d integrations stored; want 1", len(l))
			}
		})
	}
}

// The validator never takes credentials from the server's environment,
// and reaches a workspace that is not on loopback over HTTPS even when
// --insecure-loopback is on.
func TestLiveValidatorOptions(t *testing.T) {
	t.Setenv("DATABRICKS_TOKEN", testToken)
	v := NewLiveValidator(validation.Options{InsecureLoopback: true, Getenv: func(k string) string { return testToken }})
	in, err := ucbootstrap.Decode("payload", []byte(strings.Replace(emuPayload(1, false), `"token": "`+testToken+`",`, "", 1)), ucbootstrap.ExternalSecrets())
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Validate(context.Background(), in, PhaseCreate, nil)
	var pe *ProcessingError
	if !errors.As(err, &pe) || strings.HasPrefix(pe.Message, "validation: ") {
		t.Errorf("a payload without credentials: %v", err)
	}
	// A host that is not loopback: HTTPS, not refused by the switch (the
	// name does not resolve here: the identity test fails, the validation
	// runs).
	in = mustDecode(t, tokenPayload("dbc-a1b2c3d4-e5f6.invalid", false))
	res, err := v.Validate(context.Background(), in, PhaseSetup, nil)
	if err != nil {
		t.Fatalf("a remote workspace with --insecure-loopback: %v", err)
	}
	if res.Tests[0].Name != validation.IdentityTest || res.Tests[0].Status != "failed" {
		t.Errorf("identity test %+v", res.Tests[0])
	}
}

// The edit of a manual setup: the admin ran the edit script, and the
// catalog still records the previous payload's fingerprint until the
// service principal records the new one. Validating the edit (PhaseEdit)
// accepts the previous fingerprint, and only that one.
func TestLiveValidatorEdit(t *testing.T) {
	emu, port := startEmulator(t)
	old, edited := emuPayload(port, false), emuPayload(port, false, "main.hr")
	runBootstrap(t, emu, old)
	runBootstrap(t, emu, edited, generator.From(mustDecode(t, old)))
	v := NewLiveValidator(validation.Options{InsecureLoopback: true})
	ctx := context.Background()
	in, prev := mustDecode(t, edited), mustDecode(t, old)
	res, err := v.Validate(ctx, in, PhaseEdit, prev)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "passed" {
		t.Errorf("the edit validates %s:\n%s", res.Status, js(res))
	}
	for _, x := range res.Tests {
		if x.Name == validation.CatalogTest && !strings.Contains(x.Message, "was set up from the configuration being edited ("+prev.Fingerprint()+"); the service principal records this payload's fingerprint ("+in.Fingerprint()+")") {
			t.Errorf("catalog test %+v", x)
		}
	}
	// Another previous configuration, or after the edit: the recorded
	// fingerprint is not this payload's.
	for _, c := range []struct {
		phase Phase
		prev  *ucbootstrap.Integration
	}{
		{PhaseEdit, mustDecode(t, emuPayload(port, false, "main.other"))},
		{PhaseSetup, nil},
	} {
		res, err := v.Validate(ctx, in, c.phase, c.prev)
		if err != nil {
			t.Fatal(err)
		}
		if got := testStatuses(t, res); got[0] != "overall=failed" || !contains(got, validation.CatalogTest+"=failed") {
			t.Errorf("%s: %v", c.phase, got)
		}
	}
}
