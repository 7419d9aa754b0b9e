package sqlexec_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/databricks"
	"github.com/ucbootstrap/ucbootstrap/diag"
	"github.com/ucbootstrap/ucbootstrap/internal/ucemu"
	"github.com/ucbootstrap/ucbootstrap/sqlexec"
)

const (
	token   = "dapi-sqlexec-test-token"
	admin   = "admin@example.com"
	whPath  = "/sql/1.0/warehouses/wh1"
	clPath  = "sql/protocolv1/o/1234567890/0101-abc"
	cluster = "0101-abc"
)

// paths are the two kinds of compute every behaviour is checked on.
var paths = map[string]string{"warehouse": whPath, "cluster": clPath}

func emulator(t testing.TB, opts ...ucemu.Option) *ucemu.Server {
	t.Helper()
	s := ucemu.New(append([]ucemu.Option{ucemu.Token(token, admin), ucemu.MetastoreAdmin(admin),
		ucemu.Warehouse("wh1", "RUNNING"), ucemu.Cluster(cluster, "RUNNING")}, opts...)...)
	t.Cleanup(s.Close)
	return s
}

func client(t testing.TB, s *ucemu.Server) *databricks.Client {
	t.Helper()
	c, err := databricks.New(databricks.Config{Host: s.URL, Token: ucbootstrap.NewSecret(token), InsecureLoopback: true,
		HTTPClient: s.Client(), MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fast are options that poll and retry without waiting long.
func fast() sqlexec.Options {
	return sqlexec.Options{MinPoll: time.Millisecond, MaxPoll: 2 * time.Millisecond,
		MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}
}

func executor(t testing.TB, s *ucemu.Server, path string, o sqlexec.Options) *sqlexec.Executor {
	t.Helper()
	e, err := sqlexec.New(client(t, s), path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(context.Background()) })
	return e
}

// events records progress events.
type events struct {
	mu   sync.Mutex
	list []sqlexec.Event
}

func (ev *events) add(e sqlexec.Event) {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	ev.list = append(ev.list, e)
}

func (ev *events) kinds() string {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	var ks []string
	for _, e := range ev.list {
		if len(ks) == 0 || ks[len(ks)-1] != string(e.Kind) {
			ks = append(ks, string(e.Kind))
		}
	}
	return strings.Join(ks, " ")
}

func TestParseHTTPPath(t *testing.T) {
	for _, tc := range []struct {
		path string
		want sqlexec.Target
		ok   bool
	}{
		{"/sql/1.0/warehouses/8a1b2c3d4e5f6a7b", sqlexec.Target{Kind: sqlexec.Warehouse, ID: "8a1b2c3d4e5f6a7b"}, true},
		{"sql/1.0/endpoints/abc123", sqlexec.Target{Kind: sqlexec.Warehouse, ID: "abc123"}, true},
		{"sql/protocolv1/o/0/0000-00000-abc123", sqlexec.Target{Kind: sqlexec.Cluster, ID: "0000-00000-abc123", Org: "0"}, true},
		{"/sql/protocolv1/o/1234/0101-abc/", sqlexec.Target{Kind: sqlexec.Cluster, ID: "0101-abc", Org: "1234"}, true},
		{"/sql/1.0/warehouses/", sqlexec.Target{}, false},
		{"https://host/sql/1.0/warehouses/x", sqlexec.Target{}, false},
		{"/sql/2.0/warehouses/x", sqlexec.Target{}, false},
	} {
		got, err := sqlexec.ParseHTTPPath(tc.path)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseHTTPPath(%q) = %+v, %v", tc.path, got, err)
		}
	}
}

func TestSplit(t *testing.T) {
	src := "-- header\nCREATE CATALOG IF NOT EXISTS `c`;\n\nSELECT ';' AS semi;\n  CREATE CATALOG d;\nMERGE INTO x USING y ON a = b WHEN MATCHED THEN DELETE"
	got, err := sqlexec.Split("s.sql", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []sqlexec.Statement{
		{Text: "CREATE CATALOG IF NOT EXISTS `c`", Pos: diag.Position{File: "s.sql", Line: 2, Col: 1, Offset: 10}, Index: 0, Idempotent: true},
		{Text: "SELECT ';' AS semi", Pos: diag.Position{File: "s.sql", Line: 4, Col: 1, Offset: 45}, Index: 1, Idempotent: true},
		{Text: "CREATE CATALOG d", Pos: diag.Position{File: "s.sql", Line: 5, Col: 3, Offset: 67}, Index: 2},
		{Text: "MERGE INTO x USING y ON a = b WHEN MATCHED THEN DELETE", Pos: diag.Position{File: "s.sql", Line: 6, Col: 1, Offset: 85}, Index: 3},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := sqlexec.Split("bad.sql", []byte("GRANT ON;")); err == nil || !strings.Contains(err.Error(), "bad.sql:1:") {
		t.Errorf("a syntax error: %v", err)
	}
	if _, err := sqlexec.Parse("SELECT 1; SELECT 2"); err == nil {
		t.Error("Parse accepted two statements")
	}
}

func TestSelectOne(t *testing.T) {
	for kind, path := range paths {
		t.Run(kind, func(t *testing.T) {
			e := executor(t, emulator(t), path, fast())
			res, err := e.Query(context.Background(), "SELECT 1")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(res.Objects())
			if string(b) != `[{"1":1}]` {
				t.Errorf("SELECT 1 gives %s, want [{\"1\":1}]", b)
			}
			if res.StatementID == "" {
				t.Error("no statement ID")
			}
		})
	}
}

func TestTypedResults(t *testing.T) {
	for kind, path := range paths {
		t.Run(kind, func(t *testing.T) {
			e := executor(t, emulator(t), path, fast())
			res, err := e.Query(context.Background(), "SELECT 1 AS i, 'a' AS s, '' AS e, NULL AS n, true AS b, 1.5 AS d, count(*) AS c")
			if err != nil {
				t.Fatal(err)
			}
			want := [][]any{{int64(1), "a", "", nil, true, 1.5, int64(1)}}
			if diff := cmp.Diff(want, res.Rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			var types []string
			for _, c := range res.Columns {
				types = append(types, c.Name+":"+c.Type)
			}
			if got := strings.Join(types, " "); got != "i:INT s:STRING e:STRING n:NULL b:BOOLEAN d:DOUBLE c:LONG" {
				t.Errorf("columns %s", got)
			}
		})
	}
}

func TestChunks(t *testing.T) {
	e := executor(t, emulator(t, ucemu.ChunkRows(2)), whPath, fast())
	res, err := e.Query(context.Background(), "SELECT * FROM VALUES (1), (2), (3), (4), (5) AS v(n)")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 5 || res.Rows[4][0] != int64(5) {
		t.Errorf("rows %v", res.Rows)
	}
}

// A statement that fails is an Error with everything the server said and
// where the statement is.
func TestFailed(t *testing.T) {
	for kind, path := range paths {
		t.Run(kind, func(t *testing.T) {
			s := emulator(t, ucemu.Token("alice-token", "alice@example.com"))
			c, _ := databricks.New(databricks.Config{Host: s.URL, Token: ucbootstrap.NewSecret("alice-token"), InsecureLoopback: true, HTTPClient: s.Client()})
			e, err := sqlexec.New(c, path, fast())
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close(context.Background())
			sts, _ := sqlexec.Split("boot.sql", []byte("-- one\n\n  CREATE CATALOG `immuta`;"))
			_, err = e.Execute(context.Background(), sts[0])
			var se *sqlexec.Error
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not an *sqlexec.Error", err)
			}
			if se.State != "FAILED" || se.Class != "INSUFFICIENT_PERMISSIONS" || se.SQLState != "42501" || se.StatementID == "" || se.Unknown || se.Raised() {
				t.Errorf("error %+v", se)
			}
			if kind == "warehouse" && se.Code != "PERMISSION_DENIED" {
				t.Errorf("error_code %q", se.Code)
			}
			msg := strings.ReplaceAll(err.Error(), se.StatementID, "ID")
			want := "sqlexec: boot.sql:3:3: statement ID: FAILED: [INSUFFICIENT_PERMISSIONS] Insufficient privileges: User does not have CREATE CATALOG on Metastore. SQLSTATE: 42501"
			if !strings.HasPrefix(msg, want) {
				t.Errorf("message\n%s\nwant it to start with\n%s", msg, want)
			}
		})
	}
}

// The guards' raise_error is told apart, and the server's message is
// redacted of credentials.
func TestRaisedAndRedacted(t *testing.T) {
	for kind, path := range paths {
		t.Run(kind, func(t *testing.T) {
			e := executor(t, emulator(t), path, fast())
			_, err := e.Query(context.Background(), "SELECT raise_error('catalog taken; header Bearer abc123def456ghi and "+token+"')")
			var se *sqlexec.Error
			if !errors.As(err, &se) || !se.Raised() || se.SQLState != "P0001" {
				t.Fatalf("error %#v", err)
			}
			if strings.Contains(err.Error(), "abc123def456ghi") || strings.Contains(err.Error(), token) {
				t.Errorf("the error leaks a credential: %v", err)
			}
			if !strings.Contains(se.Message, "catalog taken; header Bearer REDACTED and REDACTED") {
				t.Errorf("message %q", se.Message)
			}
		})
	}
}

// PENDING is not a failure: the executor polls, and a stopped warehouse
// or terminated cluster is reported as starting.
func TestStartsCompute(t *testing.T) {
	for kind, path := range paths {
		t.Run(kind, func(t *testing.T) {
			s := emulator(t, ucemu.Warehouse("wh1", "STOPPED"), ucemu.Cluster(cluster, "TERMINATED"), ucemu.StartPolls(3), ucemu.RunningPolls(2))
			var ev events
			o := fast()
			o.Progress = ev.add
			e := executor(t, s, path, o)
			res, err := e.Query(context.Background(), "SELECT 1")
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Rows) != 1 {
				t.Errorf("rows %v", res.Rows)
			}
			if got := ev.kinds(); got != "starting running" {
				t.Errorf("events %q, want starting running", got)
			}
			if kind == "warehouse" && s.WarehouseState("wh1") != "RUNNING" || kind == "cluster" && s.ClusterState(cluster) != "RUNNING" {
				t.Errorf("compute not running: %s %s", s.WarehouseState("wh1"), s.ClusterState(cluster))
			}
		})
	}
}

// A statement that outlives its deadline is cancelled and polled to its
// end; CANCELED means the outcome is unknown, and a late cancel may find
// the statement applied.
func TestTimeoutCancels(t *testing.T) {
	for kind, path := range paths {
		for _, applies := range []bool{false, true} {
			t.Run(kind, func(t *testing.T) {
				s := emulator(t, ucemu.RunningPolls(1<<30))
				s.CancelApplies(applies)
				var ev events
				o := fast()
				o.Timeout, o.Progress = 20*time.Millisecond, ev.add
				e := executor(t, s, path, o)
				_, err := e.Query(context.Background(), "CREATE CATALOG IF NOT EXISTS c")
				var se *sqlexec.Error
				if !errors.As(err, &se) || se.State != "CANCELED" || !errors.Is(err, sqlexec.ErrOutcomeUnknown) || !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("error %v", err)
				}
				if !strings.Contains(ev.kinds(), "cancelling") {
					t.Errorf("events %q", ev.kinds())
				}
				if _, ok := s.Owner(ucemu.Sec("CATALOG", "c")); ok != applies {
					t.Errorf("catalog exists: %v, want %v", ok, applies)
				}
			})
		}
	}
}

// The start-up budget is its own: a statement that stays PENDING fails
// when it runs out, whatever the execution budget.
func TestStartTimeout(t *testing.T) {
	s := emulator(t, ucemu.Warehouse("wh1", "STOPPED"), ucemu.StartPolls(1<<30))
	o := fast()
	o.StartTimeout = 20 * time.Millisecond
	_, err := executor(t, s, whPath, o).Query(context.Background(), "SELECT 1")
	if !errors.Is(err, sqlexec.ErrOutcomeUnknown) || !strings.Contains(err.Error(), "did not start running within 20ms") {
		t.Errorf("error %v", err)
	}
}

// Ctrl-C cancels the statement, then waits for it to end.
func TestInterruptCancels(t *testing.T) {
	for kind, path := range paths {
		t.Run(kind, func(t *testing.T) {
			s := emulator(t, ucemu.RunningPolls(1<<30))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			o := fast()
			o.Progress = func(ev sqlexec.Event) {
				if ev.Kind == sqlexec.Running {
					cancel()
				}
			}
			_, err := executor(t, s, path, o).Query(ctx, "SELECT 1")
			var se *sqlexec.Error
			if !errors.As(err, &se) || se.State != "CANCELED" || !errors.Is(err, context.Canceled) || !se.Unknown {
				t.Errorf("error %v", err)
			}
			cancels := s.RequestsTo("POST /api/2.0/sql/statements/") + s.RequestsTo("POST /api/1.2/commands/cancel")
			if cancels != 1 {
				t.Errorf("%d cancel requests, want 1", cancels)
			}
		})
	}
}

func submitPath(kind string) string {
	if kind == "cluster" {
		return "POST /api/1.2/commands/execute"
	}
	return "POST /api/2.0/sql/statements"
}

// 429 and 503 on submission are retried, honouring Retry-After; other
// errors are not.
func TestSubmitRetries(t *testing.T) {
	for kind, path := range paths {
		t.Run(kind, func(t *testing.T) {
			s := emulator(t)
			s.Fail(submitPath(kind), http.StatusTooManyRequests, 1)
			s.Fail(submitPath(kind), http.StatusServiceUnavailable, 1)
			var ev events
			o := fast()
			o.Progress = ev.add
			e := executor(t, s, path, o)
			if _, err := e.Query(context.Background(), "CREATE CATALOG c"); err != nil {
				t.Fatal(err)
			}
			if n := s.RequestsTo(submitPath(kind)); n != 3 {
				t.Errorf("%d submissions, want 3", n)
			}
			if got := ev.kinds(); got != "retrying" {
				t.Errorf("events %q", got)
			}
			s.Fail(submitPath(kind), http.StatusInternalServerError, 1)
			_, err := e.Query(context.Background(), "CREATE CATALOG d")
			var se *sqlexec.Error
			if !errors.As(err, &se) || se.Unknown || !strings.Contains(err.Error(), "not accepted: HTTP 500") {
				t.Errorf("a 500: %v", err)
			}
			if n := s.RequestsTo(submitPath(kind)); n != 4 {
				t.Errorf("%d submissions, want 4: a 500 is not retried", n)
			}
		})
	}
}

// A submission whose connection drops after the server accepted it is
// sent again only for an idempotent statement.
func TestDroppedAfterAccept(t *testing.T) {
	for kind, path := range paths {
		t.Run(kind, func(t *testing.T) {
			s := emulator(t)
			var ev events
			o := fast()
			o.Progress = ev.add
			e := executor(t, s, path, o)
			s.DropAfterAccept(1)
			if _, err := e.Query(context.Background(), "CREATE CATALOG IF NOT EXISTS a"); err != nil {
				t.Fatal(err)
			}
			if n := s.RequestsTo(submitPath(kind)); n != 2 || ev.kinds() != "resubmitting" {
				t.Errorf("idempotent: %d submissions, events %q; want 2, resubmitting", n, ev.kinds())
			}
			s.DropAfterAccept(1)
			_, err := e.Query(context.Background(), "CREATE CATALOG b")
			if !errors.Is(err, sqlexec.ErrOutcomeUnknown) {
				t.Errorf("not idempotent: %v", err)
			}
			if n := s.RequestsTo(submitPath(kind)); n != 3 {
				t.Errorf("%d submissions, want 3: the second was not sent again", n)
			}
			if _, ok := s.Owner(ucemu.Sec("CATALOG", "b")); !ok {
				t.Error("the accepted statement should have taken effect")
			}
		})
	}
}

// The ID reaches Submitted before any wait; an ID the server no longer
// knows (404) gives an unknown outcome.
func TestSubmittedAndExpired(t *testing.T) {
	for kind, path := range paths {
		t.Run(kind, func(t *testing.T) {
			s := emulator(t, ucemu.RunningPolls(3))
			var got []string
			o := fast()
			o.Submitted = func(sub sqlexec.Submission) error {
				got = append(got, sub.ID)
				s.Expire("")
				return nil
			}
			_, err := executor(t, s, path, o).Query(context.Background(), "SELECT 1")
			if len(got) != 1 || got[0] == "" {
				t.Errorf("submissions %v", got)
			}
			if !errors.Is(err, sqlexec.ErrOutcomeUnknown) {
				t.Errorf("error %v", err)
			}
		})
	}
}

// A Submitted that fails cancels the statement.
func TestSubmittedFails(t *testing.T) {
	s := emulator(t, ucemu.RunningPolls(1<<30))
	o := fast()
	o.Submitted = func(sqlexec.Submission) error { return errors.New("ledger full") }
	_, err := executor(t, s, whPath, o).Query(context.Background(), "SELECT 1")
	if err == nil || !strings.Contains(err.Error(), "ledger full") || s.RequestsTo("POST /api/2.0/sql/statements/") != 1 {
		t.Errorf("error %v, %d cancels", err, s.RequestsTo("POST /api/2.0/sql/statements/"))
	}
}

func post(t *testing.T, s *ucemu.Server, path string, body any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, s.URL+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return out
}

// A statement submitted by an earlier run is attached to, not submitted
// again.
func TestAttach(t *testing.T) {
	s := emulator(t, ucemu.RunningPolls(2))
	resp := post(t, s, "/api/2.0/sql/statements", map[string]string{"statement": "SELECT 7 AS n", "warehouse_id": "wh1", "wait_timeout": "0s"})
	e := executor(t, s, whPath, fast())
	res, err := e.Attach(context.Background(), resp["statement_id"].(string), sqlexec.Statement{Text: "SELECT 7 AS n"})
	if err != nil || len(res.Rows) != 1 || res.Rows[0][0] != int64(7) {
		t.Fatalf("attach: %v %v", res, err)
	}
	if n := s.RequestsTo("POST /api/2.0/sql/statements"); n != 1 {
		t.Errorf("%d submissions, want 1", n)
	}

	ctx := post(t, s, "/api/1.2/contexts/create", map[string]string{"clusterId": cluster, "language": "sql"})["id"].(string)
	cmd := post(t, s, "/api/1.2/commands/execute", map[string]string{"clusterId": cluster, "contextId": ctx, "language": "sql", "command": "SELECT 8 AS n"})["id"].(string)
	ce := executor(t, s, clPath, fast())
	res, err = ce.Attach(context.Background(), ctx+"/"+cmd, sqlexec.Statement{Text: "SELECT 8 AS n"})
	if err != nil || len(res.Rows) != 1 || res.Rows[0][0] != int64(8) {
		t.Fatalf("attach to a command: %v %v", res, err)
	}
	if _, err := ce.Attach(context.Background(), "nonsense", sqlexec.Statement{}); err == nil {
		t.Error("a malformed command ID was accepted")
	}
}

func TestCompute(t *testing.T) {
	s := emulator(t, ucemu.Warehouse("wh1", "STOPPED"), ucemu.Cluster(cluster, "TERMINATED"))
	for kind, path := range paths {
		c, err := executor(t, s, path, fast()).Compute(context.Background())
		want := map[string]string{"warehouse": "STOPPED", "cluster": "TERMINATED"}[kind]
		if err != nil || c.State != want || string(c.Kind) != kind {
			t.Errorf("%s: %+v %v", kind, c, err)
		}
	}
	_, err := executor(t, s, "/sql/1.0/warehouses/nope", fast()).Compute(context.Background())
	var ae *databricks.APIError
	if !errors.As(err, &ae) || !ae.NotFound() {
		t.Errorf("unknown warehouse: %v", err)
	}
}

func TestOptions(t *testing.T) {
	s := emulator(t)
	for _, d := range []time.Duration{5 * time.Second, 51 * time.Second, 10500 * time.Millisecond} {
		if _, err := sqlexec.New(client(t, s), whPath, sqlexec.Options{WaitTimeout: d}); err == nil {
			t.Errorf("wait timeout %v accepted", d)
		}
	}
	if _, err := sqlexec.New(client(t, s), "/nope", sqlexec.Options{}); err == nil {
		t.Error("a bad httpPath was accepted")
	}
}

// Close destroys the cluster's execution context.
func TestCloseDestroysContext(t *testing.T) {
	s := emulator(t)
	e := executor(t, s, clPath, fast())
	if _, err := e.Query(context.Background(), "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := s.RequestsTo("POST /api/1.2/contexts/destroy"); n != 1 {
		t.Errorf("%d destroys", n)
	}
	if _, err := e.Query(context.Background(), "SELECT 1"); err != nil { // a new context
		t.Fatal(err)
	}
	if n := s.RequestsTo("POST /api/1.2/contexts/create"); n != 2 {
		t.Errorf("%d contexts created, want 2", n)
	}
}

// Polls that fail with 503 or 429 are made again.
func TestPollRetries(t *testing.T) {
	for kind, path := range paths {
		t.Run(kind, func(t *testing.T) {
			s := emulator(t, ucemu.RunningPolls(1))
			poll := map[string]string{"warehouse": "GET /api/2.0/sql/statements/", "cluster": "GET /api/1.2/commands/status"}[kind]
			s.Fail(poll, http.StatusServiceUnavailable, 1)
			s.Fail(poll, http.StatusTooManyRequests, 1)
			res, err := executor(t, s, path, fast()).Query(context.Background(), "SELECT 1")
			if err != nil || len(res.Rows) != 1 {
				t.Fatalf("%v %v", res, err)
			}
			if n := s.RequestsTo(poll); n < 4 {
				t.Errorf("%d polls, want at least 4", n)
			}
		})
	}
}

// pollPath is the request that polls a statement or command.
func pollPath(kind string) string {
	if kind == "cluster" {
		return "GET /api/1.2/commands/status"
	}
	return "GET /api/2.0/sql/statements/"
}

// sleeps records the waits an executor asks for, without taking them.
type sleeps struct {
	mu   sync.Mutex
	list []time.Duration
}

func (sl *sleeps) sleep(ctx context.Context, d time.Duration) error {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	sl.list = append(sl.list, d)
	return ctx.Err()
}

func (sl *sleeps) has(d time.Duration) bool {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	for _, v := range sl.list {
		if v == d {
			return true
		}
	}
	return false
}

// A Retry-After that is not zero is the wait before the next attempt, on
// submission and on polls, in place of the backoff.
func TestRetryAfter(t *testing.T) {
	for kind, path := range paths {
		t.Run(kind, func(t *testing.T) {
			s := emulator(t, ucemu.RunningPolls(1))
			s.Inject(ucemu.Fault{Prefix: submitPath(kind), Status: http.StatusTooManyRequests, RetryAfter: 7 * time.Second, N: 1})
			s.Inject(ucemu.Fault{Prefix: pollPath(kind), Status: http.StatusServiceUnavailable, RetryAfter: 3 * time.Second, N: 1})
			var ev events
			o := fast()
			o.Progress = ev.add
			e := executor(t, s, path, o)
			var sl sleeps
			sqlexec.SetSleep(e, sl.sleep)
			if _, err := e.Query(context.Background(), "SELECT 1"); err != nil {
				t.Fatal(err)
			}
			if !sl.has(7*time.Second) || !sl.has(3*time.Second) {
				t.Errorf("waits %v, want 7s (submission) and 3s (poll) among them", sl.list)
			}
			var waits []time.Duration
			for _, e := range ev.list {
				if e.Kind == sqlexec.Retrying {
					waits = append(waits, e.Wait)
				}
			}
			if diff := cmp.Diff([]time.Duration{7 * time.Second, 3 * time.Second}, waits); diff != "" {
				t.Errorf("the waits of the retrying events (-want +got):\n%s", diff)
			}
			if n := s.RequestsTo(submitPath(kind)); n != 2 {
				t.Errorf("%d submissions, want 2", n)
			}
		})
	}
}

// TEMPORARILY_UNAVAILABLE is retried whatever the HTTP status that
// carries it.
func TestTemporarilyUnavailable(t *testing.T) {
	for kind, path := range paths {
		t.Run(kind, func(t *testing.T) {
			s := emulator(t, ucemu.RunningPolls(1))
			s.Inject(ucemu.Fault{Prefix: submitPath(kind), Status: http.StatusInternalServerError, Code: "TEMPORARILY_UNAVAILABLE", N: 1})
			s.Inject(ucemu.Fault{Prefix: pollPath(kind), Status: http.StatusBadGateway, Code: "TEMPORARILY_UNAVAILABLE", N: 1})
			res, err := executor(t, s, path, fast()).Query(context.Background(), "CREATE CATALOG c")
			if err != nil {
				t.Fatal(err)
			}
			if n := s.RequestsTo(submitPath(kind)); n != 2 {
				t.Errorf("%d submissions, want 2", n)
			}
			if _, ok := s.Owner(ucemu.Sec("CATALOG", "c")); !ok || res == nil {
				t.Error("the statement did not take effect")
			}
		})
	}
}

// CLOSED (warehouses only: succeeded, the result no longer there) ends the
// statement without a result and without an error, seen while waiting and
// when attaching to a statement that ended long ago.
func TestClosed(t *testing.T) {
	s := emulator(t, ucemu.RunningPolls(1<<30))
	o := fast()
	o.Timeout = time.Minute // a CLOSED taken for RUNNING fails in a minute
	o.Submitted = func(sub sqlexec.Submission) error {
		s.CloseStatement(sub.ID)
		return nil
	}
	e := executor(t, s, whPath, o)
	res, err := e.Query(context.Background(), "CREATE CATALOG c")
	if err != nil || res.StatementID == "" || res.Columns != nil || res.Rows != nil {
		t.Fatalf("closed while waiting: %+v %v", res, err)
	}
	if _, ok := s.Owner(ucemu.Sec("CATALOG", "c")); !ok {
		t.Error("the closed statement did not take effect")
	}

	s.SetPolls(0, 0)
	res, err = executor(t, s, whPath, fast()).Query(context.Background(), "SELECT 1")
	if err != nil || len(res.Rows) != 1 {
		t.Fatalf("SELECT 1: %v %v", res, err)
	}
	s.CloseStatement(res.StatementID)
	got, err := executor(t, s, whPath, fast()).Attach(context.Background(), res.StatementID, sqlexec.Statement{Text: "SELECT 1"})
	if err != nil || got.StatementID != res.StatementID || got.Rows != nil {
		t.Errorf("attached to a closed statement: %+v %v", got, err)
	}
}

// A cluster that does not start within the start-up budget fails the
// statement; the cluster was asked to start once.
func TestClusterStartTimeout(t *testing.T) {
	s := emulator(t, ucemu.Cluster(cluster, "TERMINATED"), ucemu.StartPolls(1<<30))
	var ev events
	o := fast()
	o.StartTimeout, o.Progress = 20*time.Millisecond, ev.add
	_, err := executor(t, s, clPath, o).Query(context.Background(), "SELECT 1")
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "cluster 0101-abc did not start within 20ms") {
		t.Errorf("error %v", err)
	}
	if got := ev.kinds(); got != "starting" {
		t.Errorf("events %q, want starting", got)
	}
	if n := s.RequestsTo("POST /api/2.1/clusters/start"); n != 1 {
		t.Errorf("%d start requests, want 1", n)
	}
	if n := s.RequestsTo("POST /api/1.2/commands/execute"); n != 0 {
		t.Errorf("%d commands submitted to a cluster that did not start", n)
	}
}

// A poll whose connection drops is made again; when it keeps dropping, the
// statement's outcome is unknown and the error says the poll failed.
func TestPollDropped(t *testing.T) {
	for kind, path := range paths {
		t.Run(kind, func(t *testing.T) {
			s := emulator(t, ucemu.RunningPolls(1))
			s.Fail(pollPath(kind), 0, 1)
			e := executor(t, s, path, fast())
			if res, err := e.Query(context.Background(), "SELECT 1"); err != nil || len(res.Rows) != 1 {
				t.Fatalf("one dropped poll: %v %v", res, err)
			}
			s.Fail(pollPath(kind), 0, 1000)
			before := s.RequestsTo(pollPath(kind))
			_, err := e.Query(context.Background(), "SELECT 1")
			var se *sqlexec.Error
			var te *databricks.TransportError
			if !errors.As(err, &se) || !se.Unknown || se.StatementID == "" || !errors.As(err, &te) || !strings.Contains(err.Error(), "polling the") {
				t.Errorf("polls that keep dropping: %v", err)
			}
			// net/http may itself send a GET again on a fresh connection.
			if n := s.RequestsTo(pollPath(kind)) - before; n < sqlexec.DefaultMaxAttempts {
				t.Errorf("%d polls, want at least %d attempts", n, sqlexec.DefaultMaxAttempts)
			}
		})
	}
}

// The start-up budget is larger than the execution budget (doc.go).
func TestDefaultBudgets(t *testing.T) {
	if sqlexec.DefaultStartTimeout <= sqlexec.DefaultTimeout {
		t.Errorf("start-up budget %v, execution budget %v: want the start-up budget larger", sqlexec.DefaultStartTimeout, sqlexec.DefaultTimeout)
	}
}
