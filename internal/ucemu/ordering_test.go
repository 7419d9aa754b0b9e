package ucemu

import (
	"net/http"
	"testing"
)

// TestViolations submits statements that stay in flight for a poll, so that
// a statement submitted before the last one ended is in flight with it:
// related objects (the same object, a container and its content, anything
// and a query of information_schema) are violations, unrelated ones and
// two queries are not, and nothing is compared once the earlier statement
// has ended.
func TestViolations(t *testing.T) {
	s := sqlServer(t, RunningPolls(1))
	do(t, s, admin, "CREATE CATALOG main", "CREATE SCHEMA main.sales", "CREATE SCHEMA main.hr", "CREATE CATALOG other")
	send := func(stmt string) string {
		t.Helper()
		code, resp := submit(t, s, map[string]any{"statement": stmt, "wait_timeout": "10s"})
		if st, _, _ := state(resp); code != 200 || terminal(st) {
			t.Fatalf("%s: %d %v", stmt, code, resp)
		}
		return resp["statement_id"].(string)
	}
	poll := func(id string) { // until it ends
		t.Helper()
		for {
			code, resp := call(t, s, http.MethodGet, StatementsPath+"/"+id, nil)
			if code != 200 {
				t.Fatalf("poll %s: %d %v", id, code, resp)
			}
			if st, _, _ := state(resp); terminal(st) {
				return
			}
		}
	}
	a := send("GRANT USE SCHEMA ON SCHEMA main.sales TO `bob@example.com`")
	b := send("GRANT USE SCHEMA ON SCHEMA main.hr TO `bob@example.com`") // a sibling: no violation
	c := send("GRANT USE CATALOG ON CATALOG other TO `bob@example.com`") // another catalog: none
	if _, n := s.Violations(); n != 0 {
		t.Fatalf("unrelated statements in flight: %d violations, want 0", n)
	}
	d := send("GRANT USE CATALOG ON CATALOG main TO `bob@example.com`") // contains a and b: two
	vs, n := s.Violations()
	if n != 2 || vs[0].On != Sec("CATALOG", "main") || vs[0].InFlight == "" {
		t.Fatalf("a statement on the catalog of two in flight: %d violations %+v, want 2", n, vs)
	}
	for _, id := range []string{a, b, c, d} {
		poll(id)
	}
	e := send("SELECT catalog_name FROM system.information_schema.catalogs") // nothing in flight
	f := send("SELECT schema_name FROM system.information_schema.schemata")  // two queries: no race
	if _, n := s.Violations(); n != 2 {
		t.Fatalf("after the others ended, and with two queries in flight: %d violations, want still 2", n)
	}
	poll(f)
	send("GRANT USE SCHEMA ON SCHEMA main.sales TO `bob@example.com`") // the query reads everything
	if vs, n := s.Violations(); n != 3 || vs[2].InFlightOn != (Securable{Type: "METASTORE"}) {
		t.Fatalf("a grant while information_schema is read: %d violations %+v, want 3", n, vs)
	}
	poll(e)
	if got := s.Executions("GRANT USE SCHEMA ON SCHEMA main.sales TO `bob@example.com`"); got != 1 {
		t.Errorf("executions of the first grant: %d, want 1 (the second is still running)", got)
	}
	if got := s.Executions("CREATE CATALOG main"); got != 1 {
		t.Errorf("executions of CREATE CATALOG main: %d, want 1", got)
	}
}

// TestHoldAfter: once n statements of a principal have run, its new ones
// are accepted and stay RUNNING without running, until released.
func TestHoldAfter(t *testing.T) {
	s := sqlServer(t)
	s.HoldAfter(admin, 1)
	run := func(stmt string) (string, string) {
		t.Helper()
		code, resp := submit(t, s, map[string]any{"statement": stmt, "wait_timeout": "10s"})
		if code != 200 {
			t.Fatalf("%s: %d %v", stmt, code, resp)
		}
		st, _, _ := state(resp)
		return resp["statement_id"].(string), st
	}
	if _, st := run("CREATE CATALOG a"); st != "SUCCEEDED" {
		t.Fatalf("the first statement: %s", st)
	}
	id, st := run("CREATE CATALOG b")
	if terminal(st) || s.Held() != 1 {
		t.Fatalf("the second statement: %s, held %d", st, s.Held())
	}
	for range 3 {
		if _, resp := call(t, s, http.MethodGet, StatementsPath+"/"+id, nil); resp["status"].(map[string]any)["state"] != "RUNNING" {
			t.Fatalf("a held statement polled: %v", resp)
		}
	}
	if s.Executions("CREATE CATALOG b") != 0 {
		t.Fatal("a held statement ran")
	}
	s.Release()
	if _, resp := call(t, s, http.MethodGet, StatementsPath+"/"+id, nil); resp["status"].(map[string]any)["state"] != "SUCCEEDED" {
		t.Fatalf("released and polled: %v", resp)
	}
	if s.Executions("CREATE CATALOG b") != 1 || s.Held() != 0 {
		t.Errorf("released: %d executions, %d held", s.Executions("CREATE CATALOG b"), s.Held())
	}
}
