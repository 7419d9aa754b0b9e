package validation

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/databricks"
	"github.com/ucbootstrap/ucbootstrap/sqlexec"
)

const autoPayload = `type: Databricks
autoBootstrap: true
config:
  workspaceUrl: 127.0.0.1
  port: 443
  httpPath: /sql/1.0/warehouses/8a1b2c3d4e5f6a7b
  authenticationType: token
  token: dapi-validation-token-0123456789
  catalog: immuta
  servicePrincipal: 6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f
  dataSources: [main.sales]
`

func decodeAuto(t *testing.T) *ucbootstrap.Integration {
	t.Helper()
	in, err := ucbootstrap.Decode("payload.yaml", []byte(autoPayload))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func find(res *Results, name string) Test {
	for _, t := range res.ValidationTests {
		if t.Name == name {
			return t
		}
	}
	return Test{}
}

// A workspace assigned a metastore a moment ago answers 404 for a while:
// the test asks again.
func TestMetastoreAskedAgain(t *testing.T) {
	in := decodeAuto(t)
	s := emulatorFor(t, in, "unassigned 3", "")
	o := testOptions(s)
	o.MetastoreWait = time.Minute
	res, err := Run(context.Background(), in, o)
	if err != nil {
		t.Fatal(err)
	}
	if got := find(res, MetastoreTest); got.Status != Passed {
		t.Errorf("metastore test %+v", got)
	}
	// Asking once fails at the first 404.
	s.Unassign(1)
	o.MetastoreWait = -1
	res, _ = Run(context.Background(), in, o)
	if got := find(res, MetastoreTest); got.Status != Failed || !strings.HasPrefix(got.Message, "Error trying to get the current metastore info: ") {
		t.Errorf("asked once: %+v", got)
	}
}

func TestProgressAndInterrupt(t *testing.T) {
	in := decodeAuto(t)
	s := emulatorFor(t, in, "warehouse 8a1b2c3d4e5f6a7b STOPPED", "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var heard []string
	o := testOptions(s)
	o.Progress = func(msg string) {
		heard = append(heard, msg)
		if msg == CatalogTest {
			cancel()
		}
	}
	res, err := Run(ctx, in, o)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(heard, "|")
	if !strings.Contains(joined, "warehouse 8a1b2c3d4e5f6a7b starting") || !strings.HasPrefix(joined, IdentityTest+"|") {
		t.Errorf("progress %q", joined)
	}
	if got := find(res, PrivilegesTest); got.Status != Skipped || !strings.Contains(got.Message, "interrupted") {
		t.Errorf("after the interrupt: %+v", got)
	}
}

func TestRunErrors(t *testing.T) {
	if _, err := Run(context.Background(), nil, Options{}); err == nil {
		t.Error("Run(nil) succeeded")
	}
	// A payload whose token comes from the environment, without one there.
	in, err := ucbootstrap.Decode("payload.yaml", []byte(strings.Replace(autoPayload, "  token: dapi-validation-token-0123456789\n", "", 1)), ucbootstrap.ExternalSecrets())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), in, Options{Getenv: func(string) string { return "" }}); err == nil || !strings.HasPrefix(err.Error(), "validation: ") {
		t.Errorf("Run without credentials: %v", err)
	}
}

// Each way SELECT 1 can fail gets its own advice: only a statement that
// ran out of time is told to take more time, with the caller's name for
// the setting.
func TestConnectionAdvice(t *testing.T) {
	const late = "the statement did not end in time"
	for _, c := range []struct {
		name, lines string
		opts        func(*Options)
		interrupt   bool
		want        []string
	}{
		{name: "timeout", lines: "running-polls 1000000000",
			opts: func(o *Options) {
				o.Timeout, o.RequestTimeout, o.TimeoutSetting = 50*time.Millisecond, 30*time.Second, "--deadline"
			},
			want: []string{"did not end within 50ms", late, "or give it more time with --deadline"}},
		{name: "timeout-unnamed", lines: "running-polls 1000000000",
			opts: func(o *Options) { o.Timeout, o.RequestTimeout = 50*time.Millisecond, 30*time.Second },
			want: []string{late, "or give it more time"}},
		{name: "expired", lines: "running-polls 3\nfail GET /api/2.0/sql/statements/ 404 1",
			want: []string{"the workspace no longer knows the statement it accepted", "run the validation again"}},
		{name: "dropped", lines: "running-polls 3\nfail GET /api/2.0/sql/statements/ 0 1000",
			want: []string{"the connection to the workspace failed before the answer came", "check the network path to workspaceUrl"}},
		{name: "interrupted", lines: "warehouse 8a1b2c3d4e5f6a7b STOPPED", interrupt: true,
			want: []string{"the validation was interrupted before the statement ended: run it again"}},
		{name: "http-500", lines: "fail POST /api/2.0/sql/statements 500 1",
			want: []string{"HTTP 500", "the workspace failed on its side"}},
		{name: "http-400", lines: "fail POST /api/2.0/sql/statements 400 1",
			want: []string{"HTTP 400", "the workspace refused the statement: check httpPath"}},
		{name: "failed", lines: "fail-statement 1 SELECT 1",
			want: []string{"FAILED: [INTERNAL_ERROR]", "SELECT 1 reached the warehouse 8a1b2c3d4e5f6a7b and failed there", "up in the query history"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := decodeAuto(t)
			s := emulatorFor(t, in, c.lines, "")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			o := testOptions(s)
			if c.opts != nil {
				c.opts(&o)
			}
			if c.interrupt {
				o.Progress = func(msg string) {
					if strings.Contains(msg, "starting") {
						cancel()
					}
				}
			}
			res, err := Run(ctx, in, o)
			if err != nil {
				t.Fatal(err)
			}
			got := find(res, ConnectionTest)
			if got.Status != Failed {
				t.Fatalf("%+v, want failed", got)
			}
			for _, w := range c.want {
				if !strings.Contains(got.Message, w) {
					t.Errorf("message %q\nwants %q", got.Message, w)
				}
			}
			if !strings.HasPrefix(c.name, "timeout") && strings.Contains(got.Message, late) {
				t.Errorf("message %q: the advice for a statement that ran out of time", got.Message)
			}
			if !strings.Contains(strings.Join(c.want, " "), "--") && strings.Contains(got.Message, "--") {
				t.Errorf("message %q names a setting the caller did not", got.Message)
			}
		})
	}
}

// A request that ran out of its own time is told apart from a statement
// that did: the advice names the request timeout's setting.
func TestRequestTimeoutAdvice(t *testing.T) {
	in := decodeAuto(t)
	c, err := databricks.New(databricks.Config{Host: "https://example.cloud.databricks.com", Token: ucbootstrap.NewSecret("dapi-x")})
	if err != nil {
		t.Fatal(err)
	}
	e, err := sqlexec.New(c, in.Config.HTTPPath, sqlexec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := &runner{opts: Options{TimeoutSetting: "--deadline", RequestTimeoutSetting: "--timeout"}, exec: e}
	err = &sqlexec.Error{StatementID: "01f0", Unknown: true, Message: "polling the statement failed",
		Err: &databricks.TransportError{Method: "GET", Path: "/api/2.0/sql/statements/01f0", Timeout: true, Err: context.DeadlineExceeded}}
	got := r.hint(err)
	if !strings.Contains(got, "a request to the workspace got no answer in time") || !strings.HasSuffix(got, "give each request more time with --timeout") || strings.Contains(got, "--deadline") {
		t.Errorf("advice %q", got)
	}
}
