package ucemu

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

const tok = "tok"

// call makes an authenticated request with a JSON body (nil for none) and
// decodes the JSON answer. A dropped connection gives code 0.
func call(t *testing.T, s *Server, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := s.Client().Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func sqlServer(t *testing.T, opts ...Option) *Server {
	return newWorkspace(t, append([]Option{Token(tok, admin), Warehouse("wh", "RUNNING"), Cluster("0101-abc", "RUNNING")}, opts...)...)
}

func submit(t *testing.T, s *Server, body map[string]any) (int, map[string]any) {
	t.Helper()
	if body["warehouse_id"] == nil {
		body["warehouse_id"] = "wh"
	}
	return call(t, s, http.MethodPost, StatementsPath, body)
}

// state returns status.state, and error_code and sql_state when failed.
func state(resp map[string]any) (st, code, sqlState string) {
	status, _ := resp["status"].(map[string]any)
	st, _ = status["state"].(string)
	sqlState, _ = status["sql_state"].(string)
	if e, ok := status["error"].(map[string]any); ok {
		code, _ = e["error_code"].(string)
	}
	return
}

func TestStatementSucceeds(t *testing.T) {
	s := sqlServer(t)
	code, resp := submit(t, s, map[string]any{"statement": "SELECT 1", "wait_timeout": "10s", "on_wait_timeout": "CONTINUE"})
	if st, _, _ := state(resp); code != 200 || st != "SUCCEEDED" {
		t.Fatalf("%d %v", code, resp)
	}
	got, _ := json.Marshal(map[string]any{"manifest": resp["manifest"], "result": resp["result"]})
	want := `{"manifest":{"chunks":[{"chunk_index":0,"row_count":1,"row_offset":0}],"format":"JSON_ARRAY",` +
		`"schema":{"column_count":1,"columns":[{"name":"1","position":0,"type_name":"INT","type_text":"INT"}]},` +
		`"total_chunk_count":1,"total_row_count":1,"truncated":false},` +
		`"result":{"chunk_index":0,"data_array":[["1"]],"row_count":1,"row_offset":0}}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestStatementRequestErrors(t *testing.T) {
	s := sqlServer(t)
	for _, tc := range []struct {
		body map[string]any
		code int
	}{
		{map[string]any{"statement": "SELECT 1", "wait_timeout": "60s"}, 400},
		{map[string]any{"statement": "SELECT 1", "wait_timeout": "3s"}, 400},
		{map[string]any{"statement": "SELECT 1", "on_wait_timeout": "WAIT"}, 400},
		{map[string]any{"statement": ""}, 400},
		{map[string]any{"statement": "SELECT 1", "warehouse_id": "nope"}, 404},
		{map[string]any{"statement": "SELECT 1", "disposition": "EXTERNAL_LINKS"}, 400},
	} {
		if code, resp := submit(t, s, tc.body); code != tc.code {
			t.Errorf("%v: %d %v, want %d", tc.body, code, resp, tc.code)
		}
	}
	// Several statements in one call fail as Databricks fails them: HTTP
	// 200, FAILED, a syntax error.
	code, resp := submit(t, s, map[string]any{"statement": "SELECT 1; SELECT 2"})
	if st, ec, ss := state(resp); code != 200 || st != "FAILED" || ec != "BAD_REQUEST" || ss != "42601" {
		t.Errorf("two statements: %d %v", code, resp)
	}
}

func TestStatementPollsAndChunks(t *testing.T) {
	s := sqlServer(t, PendingPolls(2), RunningPolls(1), ChunkRows(2))
	_, resp := submit(t, s, map[string]any{"statement": "SELECT * FROM VALUES (1), (2), (3) AS v(n)"})
	id := resp["statement_id"].(string)
	var states []string
	for range 5 {
		_, resp = call(t, s, http.MethodGet, StatementsPath+"/"+id, nil)
		st, _, _ := state(resp)
		states = append(states, st)
	}
	if got := strings.Join(states, " "); got != "PENDING PENDING RUNNING SUCCEEDED SUCCEEDED" {
		t.Errorf("states %s", got)
	}
	m := resp["manifest"].(map[string]any)
	r := resp["result"].(map[string]any)
	if m["total_chunk_count"] != 2.0 || m["total_row_count"] != 3.0 || r["next_chunk_index"] != 1.0 {
		t.Errorf("manifest %v result %v", m, r)
	}
	code, chunk := call(t, s, http.MethodGet, StatementsPath+"/"+id+"/result/chunks/1", nil)
	if d, _ := json.Marshal(chunk["data_array"]); code != 200 || string(d) != `[["3"]]` || chunk["row_offset"] != 2.0 {
		t.Errorf("chunk 1: %d %v", code, chunk)
	}
	if code, _ := call(t, s, http.MethodGet, StatementsPath+"/"+id+"/result/chunks/2", nil); code != 404 {
		t.Errorf("chunk 2: %d, want 404", code)
	}
}

// A statement submitted to a stopped warehouse starts it, and stays
// PENDING until the warehouse runs.
func TestStatementStartsWarehouse(t *testing.T) {
	s := sqlServer(t, Warehouse("cold", "STOPPED"), StartPolls(2))
	_, resp := submit(t, s, map[string]any{"statement": "SELECT 1", "warehouse_id": "cold"})
	if st, _, _ := state(resp); st != "PENDING" || s.WarehouseState("cold") != "STARTING" {
		t.Fatalf("%v, warehouse %s", resp, s.WarehouseState("cold"))
	}
	id := resp["statement_id"].(string)
	_, resp = call(t, s, http.MethodGet, StatementsPath+"/"+id, nil)
	if st, _, _ := state(resp); st != "PENDING" {
		t.Errorf("first poll: %v", resp)
	}
	_, resp = call(t, s, http.MethodGet, StatementsPath+"/"+id, nil)
	if st, _, _ := state(resp); st != "SUCCEEDED" || s.WarehouseState("cold") != "RUNNING" {
		t.Errorf("second poll: %v, warehouse %s", resp, s.WarehouseState("cold"))
	}
}

func TestStatementCancel(t *testing.T) {
	for _, applies := range []bool{false, true} {
		s := sqlServer(t, PendingPolls(5))
		s.CancelApplies(applies)
		_, resp := submit(t, s, map[string]any{"statement": "CREATE CATALOG c"})
		id := resp["statement_id"].(string)
		if code, _ := call(t, s, http.MethodPost, StatementsPath+"/"+id+"/cancel", nil); code != 200 {
			t.Fatalf("cancel: %d", code)
		}
		_, resp = call(t, s, http.MethodGet, StatementsPath+"/"+id, nil)
		_, exists := s.Owner(Sec("CATALOG", "c"))
		if st, _, _ := state(resp); st != "CANCELED" || exists != applies {
			t.Errorf("applies=%v: %v, catalog exists %v", applies, resp, exists)
		}
	}
	// on_wait_timeout CANCEL cancels a statement that does not end in the
	// wait.
	s := sqlServer(t, PendingPolls(1))
	_, resp := submit(t, s, map[string]any{"statement": "SELECT 1", "on_wait_timeout": "CANCEL"})
	if st, _, _ := state(resp); st != "CANCELED" {
		t.Errorf("on_wait_timeout CANCEL: %v", resp)
	}
}

func TestStatementFaults(t *testing.T) {
	s := sqlServer(t)
	s.Fail("POST "+StatementsPath, http.StatusServiceUnavailable, 1)
	if code, _ := submit(t, s, map[string]any{"statement": "CREATE CATALOG a"}); code != 503 {
		t.Errorf("fault: %d, want 503", code)
	}
	if _, ok := s.Owner(Sec("CATALOG", "a")); ok {
		t.Error("a refused statement took effect")
	}
	s.DropAfterAccept(1)
	if code, _ := submit(t, s, map[string]any{"statement": "CREATE CATALOG b"}); code != 0 {
		t.Errorf("dropped connection: %d, want none", code)
	}
	if _, ok := s.Owner(Sec("CATALOG", "b")); !ok {
		t.Error("the accepted statement did not take effect")
	}
	_, resp := submit(t, s, map[string]any{"statement": "SELECT 1"})
	id := resp["statement_id"].(string)
	s.Expire(id)
	if code, resp := call(t, s, http.MethodGet, StatementsPath+"/"+id, nil); code != 404 || resp["error_code"] != "NOT_FOUND" {
		t.Errorf("expired: %d %v", code, resp)
	}
	if got := len(s.Executed()); got != 2 { // CREATE CATALOG b and SELECT 1
		t.Errorf("%d statements executed, want 2", got)
	}
}

// Inject answers with the status, error_code and Retry-After asked for.
func TestInject(t *testing.T) {
	s := sqlServer(t)
	s.Inject(Fault{Prefix: "GET " + WarehousesPath, Status: http.StatusInternalServerError, Code: "TEMPORARILY_UNAVAILABLE", RetryAfter: 1500 * time.Millisecond, N: 1})
	s.Fail(WarehousesPath, http.StatusTooManyRequests, 1)
	s.Fail(WarehousesPath, http.StatusServiceUnavailable, 1)
	for _, want := range []struct {
		status     int
		code       string
		retryAfter []string
	}{
		{500, "TEMPORARILY_UNAVAILABLE", []string{"2"}}, // whole seconds, rounded up
		{429, "REQUEST_LIMIT_EXCEEDED", []string{"0"}},
		{503, "TEMPORARILY_UNAVAILABLE", nil},
		{200, "", nil},
	} {
		req, _ := http.NewRequest(http.MethodGet, s.URL+WarehousesPath+"wh", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		code, _ := body["error_code"].(string)
		if resp.StatusCode != want.status || code != want.code || !slices.Equal(resp.Header.Values("Retry-After"), want.retryAfter) {
			t.Errorf("got %d %q Retry-After %q, want %d %q %q", resp.StatusCode, code, resp.Header.Values("Retry-After"), want.status, want.code, want.retryAfter)
		}
	}
}

// A statement closed after it succeeded answers CLOSED, without its
// result, and its side effect stays; one that failed stays FAILED.
func TestCloseStatement(t *testing.T) {
	s := sqlServer(t, RunningPolls(1<<30))
	_, resp := submit(t, s, map[string]any{"statement": "CREATE CATALOG c", "wait_timeout": "0s"})
	id := resp["statement_id"].(string)
	s.CloseStatement(id) // runs it first
	code, resp := call(t, s, http.MethodGet, StatementsPath+"/"+id, nil)
	if st, _, _ := state(resp); code != 200 || st != "CLOSED" || resp["manifest"] != nil || resp["result"] != nil {
		t.Errorf("closed: %d %v", code, resp)
	}
	if _, ok := s.Owner(Sec("CATALOG", "c")); !ok {
		t.Error("the closed statement did not take effect")
	}
	if code, _ := call(t, s, http.MethodGet, StatementsPath+"/"+id+"/result/chunks/0", nil); code != 404 {
		t.Errorf("a chunk of a closed statement: %d, want 404", code)
	}
	_, resp = submit(t, s, map[string]any{"statement": "CREATE CATALOG c", "wait_timeout": "0s"})
	id = resp["statement_id"].(string)
	s.CloseStatement(id) // fails: c exists
	_, resp = call(t, s, http.MethodGet, StatementsPath+"/"+id, nil)
	if st, _, _ := state(resp); st != "FAILED" {
		t.Errorf("a failed statement closed: %v", resp)
	}
}

func TestWarehousesAndClusters(t *testing.T) {
	s := sqlServer(t, Warehouse("cold", "STOPPED"), Cluster("0202-def", "TERMINATED"), StartPolls(1))
	if code, resp := call(t, s, http.MethodGet, WarehousesPath+"cold", nil); code != 200 || resp["state"] != "STOPPED" {
		t.Errorf("GET warehouse: %d %v", code, resp)
	}
	call(t, s, http.MethodPost, WarehousesPath+"cold/start", nil)
	if _, resp := call(t, s, http.MethodGet, WarehousesPath+"cold", nil); resp["state"] != "RUNNING" {
		t.Errorf("after start: %v", resp)
	}
	if code, _ := call(t, s, http.MethodGet, WarehousesPath+"nope", nil); code != 404 {
		t.Errorf("unknown warehouse: %d", code)
	}
	if _, resp := call(t, s, http.MethodGet, ClustersGetPath+"?cluster_id=0202-def", nil); resp["state"] != "TERMINATED" {
		t.Errorf("GET cluster: %v", resp)
	}
	if code, _ := call(t, s, http.MethodPost, ContextsPath+"create", map[string]string{"clusterId": "0202-def", "language": "sql"}); code != 400 {
		t.Errorf("context on a terminated cluster: %d, want 400", code)
	}
	call(t, s, http.MethodPost, ClustersStartPath, map[string]string{"cluster_id": "0202-def"})
	if _, resp := call(t, s, http.MethodGet, ClustersGetPath+"?cluster_id=0202-def", nil); resp["state"] != "RUNNING" {
		t.Errorf("after start: %v", resp)
	}
	if code, _ := call(t, s, http.MethodPost, ClustersStartPath, map[string]string{"cluster_id": "0202-def"}); code != 400 {
		t.Errorf("starting a running cluster: %d, want 400", code)
	}
}

func TestCommands(t *testing.T) {
	s := sqlServer(t)
	const cl = "0101-abc"
	code, resp := call(t, s, http.MethodPost, ContextsPath+"create", map[string]string{"clusterId": cl, "language": "sql"})
	ctx, _ := resp["id"].(string)
	if code != 200 || ctx == "" {
		t.Fatalf("create context: %d %v", code, resp)
	}
	q := "?clusterId=" + cl + "&contextId=" + ctx
	_, resp = call(t, s, http.MethodGet, ContextsPath+"status"+q, nil)
	_, resp2 := call(t, s, http.MethodGet, ContextsPath+"status"+q, nil)
	if resp["status"] != "Pending" || resp2["status"] != "Running" {
		t.Errorf("context status: %v then %v", resp, resp2)
	}
	exec := func(cmd string) map[string]any {
		_, resp := call(t, s, http.MethodPost, CommandExecutePath, map[string]string{"clusterId": cl, "contextId": ctx, "language": "sql", "command": cmd})
		_, st := call(t, s, http.MethodGet, CommandsPath+"status"+q+"&commandId="+resp["id"].(string), nil)
		return st
	}
	st := exec("SELECT 1 AS one, 'a' AS s, NULL AS n")
	got, _ := json.Marshal(st["results"])
	if want := `{"data":[[1,"a",null]],"isJsonSchema":true,"resultType":"table","schema":[{"metadata":"{}","name":"one","type":"\"integer\""},{"metadata":"{}","name":"s","type":"\"string\""},{"metadata":"{}","name":"n","type":"\"void\""}],"truncated":false}`; st["status"] != "Finished" || string(got) != want {
		t.Errorf("table result %v:\n got %s\nwant %s", st["status"], got, want)
	}
	st = exec("SELECT * FROM main.s.t")
	res := st["results"].(map[string]any)
	if st["status"] != "Finished" || res["resultType"] != "error" || !strings.Contains(res["summary"].(string), "[NO_SUCH_CATALOG_EXCEPTION]") {
		t.Errorf("error result: %v", st)
	}
	s.SetPolls(3, 0)
	_, resp = call(t, s, http.MethodPost, CommandExecutePath, map[string]string{"clusterId": cl, "contextId": ctx, "language": "sql", "command": "SELECT 1"})
	id := resp["id"].(string)
	call(t, s, http.MethodPost, CommandsPath+"cancel", map[string]string{"clusterId": cl, "contextId": ctx, "commandId": id})
	_, a := call(t, s, http.MethodGet, CommandsPath+"status"+q+"&commandId="+id, nil)
	_, b := call(t, s, http.MethodGet, CommandsPath+"status"+q+"&commandId="+id, nil)
	if a["status"] != "Cancelling" || b["status"] != "Cancelled" {
		t.Errorf("cancel: %v then %v", a, b)
	}
	if code, _ := call(t, s, http.MethodPost, ContextsPath+"destroy", map[string]string{"clusterId": cl, "contextId": ctx}); code != 200 {
		t.Errorf("destroy: %d", code)
	}
	if code, _ := call(t, s, http.MethodGet, ContextsPath+"status"+q, nil); code != 400 {
		t.Errorf("destroyed context: %d, want 400", code)
	}
}

func TestSystemSchemasAPI(t *testing.T) {
	s := sqlServer(t, Token("sp-tok", sp))
	path := UCPath + "metastores/" + DefaultMetastoreID + "/systemschemas"
	code, resp := call(t, s, http.MethodGet, path, nil)
	if code != 200 || len(resp["schemas"].([]any)) != len(defaultSystemSchemas) {
		t.Fatalf("list: %d %v", code, resp)
	}
	if code, _ := call(t, s, http.MethodPut, path+"/access", nil); code != 200 {
		t.Errorf("enable: %d", code)
	}
	// Enabled, the table is there; the admin still needs grants to read it.
	if _, err := s.Exec(admin, "SELECT * FROM system.access.audit LIMIT 0"); err == nil || !strings.Contains(err.Error(), "INSUFFICIENT_PERMISSIONS") {
		t.Errorf("after enabling: %v", err)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
	req.Header.Set("Authorization", "Bearer sp-tok")
	if r, err := s.Client().Do(req); err != nil || r.StatusCode != 403 {
		t.Errorf("a service principal lists system schemas: %v %v", r.StatusCode, err)
	}
	if code, resp := call(t, s, http.MethodGet, SummaryPath, nil); code != 200 || resp["metastore_id"] != DefaultMetastoreID || resp["owner"] != admin {
		t.Errorf("summary: %d %v", code, resp)
	}
	s.Unassign(1)
	if code, resp := call(t, s, http.MethodGet, MetastorePath, nil); code != 404 || resp["message"] != "No metastore assigned for the current workspace." {
		t.Errorf("unassigned: %d %v", code, resp)
	}
	if code, _ := call(t, s, http.MethodGet, MetastorePath, nil); code != 200 {
		t.Errorf("assigned again: %d", code)
	}
}

// A held statement stays RUNNING however often it is polled; released, it
// executes at once (execute) or at its next poll, and only once.
func TestStatementHold(t *testing.T) {
	for _, execute := range []bool{true, false} {
		s := sqlServer(t)
		s.HoldStatement("CREATE CATALOG held")
		_, resp := submit(t, s, map[string]any{"statement": "CREATE CATALOG held", "wait_timeout": "10s"})
		id := resp["statement_id"].(string)
		for range 3 {
			_, resp = call(t, s, http.MethodGet, StatementsPath+"/"+id, nil)
			if st, _, _ := state(resp); st != "RUNNING" {
				t.Fatalf("held statement %s", st)
			}
		}
		if n := s.Executions("CREATE CATALOG held"); n != 0 {
			t.Fatalf("a held statement executed %d times", n)
		}
		// Only the next matching statement is held.
		if _, resp := submit(t, s, map[string]any{"statement": "CREATE CATALOG held2", "wait_timeout": "10s"}); resp["status"].(map[string]any)["state"] != "SUCCEEDED" {
			t.Errorf("a second statement: %v", resp)
		}
		if ids := s.ReleaseStatements(execute); len(ids) != 1 || ids[0] != id {
			t.Errorf("released %v, want [%s]", ids, id)
		}
		if n, want := s.Executions("CREATE CATALOG held"), map[bool]int{true: 1, false: 0}[execute]; n != want {
			t.Errorf("execute=%t: %d executions after the release, want %d", execute, n, want)
		}
		for range 2 {
			_, resp = call(t, s, http.MethodGet, StatementsPath+"/"+id, nil)
			if st, _, _ := state(resp); st != "SUCCEEDED" {
				t.Errorf("execute=%t: after the release %s", execute, st)
			}
		}
		if n := s.Executions("CREATE CATALOG held"); n != 1 {
			t.Errorf("execute=%t: %d executions, want 1", execute, n)
		}
	}
}
