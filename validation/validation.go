package validation

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/databricks"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/sqlexec"
)

// Status is the outcome of a test, or of all of them.
type Status string

// The statuses, from best to worst (Skipped ranks below Passed: a
// skipped test does not lower the overall status).
const (
	Skipped Status = "skipped"
	Passed  Status = "passed"
	Warning Status = "warning"
	Failed  Status = "failed"
)

var rank = map[Status]int{Skipped: 0, Passed: 1, Warning: 2, Failed: 3}

// A Test is the outcome of one validation test.
type Test struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Result is what the test found, such as [{"1": 1}] for the basic
	// connection. [Run] gives every test one, as the API's example does:
	// [] when the test found nothing worth reporting.
	Result any `json:"result"`
	// Message gives context and, unless the test passed, what to do.
	Message string `json:"message"`
}

// Results are the outcomes of the validation tests, as the integrations
// API's validationResults.
type Results struct {
	// Status is the worst status of the tests.
	Status          Status `json:"status"`
	ValidationTests []Test `json:"validationTests"`
}

// The names of the tests, in the order they run.
const (
	MetastoreTest  = "Metastore validation"
	IdentityTest   = "Principal Identity Test"
	WarehouseTest  = "Warehouse State Test" // for a SQL warehouse
	ClusterTest    = "Cluster State Test"   // for a cluster
	ConnectionTest = "Basic Connection Test"
	CatalogTest    = "Catalog Test"
	PrivilegesTest = "Privileges Test"
	AuditTest      = "Audit Access Test"
)

// The defaults of [Options].
const (
	DefaultTimeout       = 5 * time.Minute
	DefaultMetastoreWait = 30 * time.Second
)

// Options configure [Run].
type Options struct {
	// Getenv reads the DATABRICKS_* variables for credentials the payload
	// leaves out; nil means os.Getenv.
	Getenv func(string) string
	// InsecureLoopback talks plain HTTP to a stand-in workspace on a
	// loopback address (databricks.Config.InsecureLoopback).
	InsecureLoopback bool
	// HTTPClient makes the requests; nil means a new http.Client.
	HTTPClient *http.Client
	// Timeout bounds each statement, the warehouse's start-up included;
	// 0 means [DefaultTimeout].
	Timeout time.Duration
	// RequestTimeout bounds each REST request; 0 means Timeout, up to a
	// minute.
	RequestTimeout time.Duration
	// TimeoutSetting and RequestTimeoutSetting name where the caller sets
	// Timeout and RequestTimeout, such as a command's "--deadline" and
	// "--timeout", for the advice of a test whose statement or request ran
	// out of time ("give it more time with --deadline"); "" names none.
	TimeoutSetting, RequestTimeoutSetting string
	// SetUp says the tests run just before the bootstrap of an automatic
	// setup (apply's pre-flight): what the service principal creates in
	// the governance catalog, and then owns, is pending, not missing, even
	// when the catalog exists (a bootstrap that stopped half-way, run
	// again or resumed).
	SetUp bool
	// Concurrency bounds the requests of the privileges test in flight; 0
	// means databricks.DefaultConcurrency.
	Concurrency int
	// MetastoreWait is how long the metastore assignment is asked again
	// when the workspace has none, for a workspace just assigned one; 0
	// means [DefaultMetastoreWait], and a negative value asks once.
	MetastoreWait time.Duration
	// Requirements are the options of the requirements the privileges test
	// checks (privileges.Required), such as the rule set.
	Requirements []privileges.Option
	// Progress, when not nil, hears the name of each test as it starts,
	// and what the SQL client waits for.
	Progress func(string)

	// configure adjusts the client configuration (tests: fast retries).
	configure func(*databricks.Config)
	// sql adjusts the SQL options (tests: fast polling).
	sql func(*sqlexec.Options)
	// pollEvery is the wait between metastore polls; 0 means 2 seconds.
	pollEvery time.Duration
}

// Run validates the integration in (a valid, decoded payload) against its
// workspace. The error is for a payload that cannot be validated live at
// all (no host, no credentials, a refused configuration); everything the
// workspace answers is in the results.
func Run(ctx context.Context, in *ucbootstrap.Integration, opts Options) (*Results, error) {
	if in == nil {
		return nil, errors.New("validation: no integration")
	}
	cfg, err := databricks.ConfigFrom(in, opts.Getenv)
	if err != nil {
		return nil, fmt.Errorf("validation: %w", err)
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	cfg.InsecureLoopback, cfg.HTTPClient, cfg.Timeout = opts.InsecureLoopback, opts.HTTPClient, min(timeout, time.Minute)
	if opts.RequestTimeout > 0 {
		cfg.Timeout = opts.RequestTimeout
	}
	if opts.configure != nil {
		opts.configure(&cfg)
	}
	client, err := databricks.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("validation: %w", err)
	}
	so := sqlexec.Options{Timeout: timeout, StartTimeout: timeout}
	if opts.Progress != nil {
		so.Progress = func(ev sqlexec.Event) {
			if ev.Kind == sqlexec.Starting || ev.Kind == sqlexec.Cancelling {
				opts.Progress(ev.Message)
			}
		}
	}
	if opts.sql != nil {
		opts.sql(&so)
	}
	exec, err := sqlexec.New(client, in.Config.HTTPPath, so)
	if err != nil {
		return nil, fmt.Errorf("validation: %w", err)
	}
	defer exec.Close(context.WithoutCancel(ctx))
	r := &runner{ctx: ctx, in: in, opts: opts, client: client, exec: exec}
	return r.run(), nil
}

// A runner runs the tests of one validation.
type runner struct {
	ctx    context.Context
	in     *ucbootstrap.Integration
	opts   Options
	client *databricks.Client
	exec   *sqlexec.Executor

	// What earlier tests found, for the later ones.
	refused     string // why the credentials were refused, if they were
	noMetastore string // why the metastore could not be read
	noSQL       string // why SQL cannot run

	catalogAbsent bool // the governance catalog does not exist
}

func (r *runner) run() *Results {
	res := &Results{Status: Skipped, ValidationTests: []Test{}}
	for _, t := range []struct {
		name string
		run  func() Test
	}{
		{IdentityTest, r.identity},
		{MetastoreTest, r.metastore},
		{r.computeTest(), r.compute},
		{ConnectionTest, r.connection},
		{CatalogTest, r.catalog},
		{PrivilegesTest, r.privileges},
		{AuditTest, r.audit},
	} {
		if r.opts.Progress != nil {
			r.opts.Progress(t.name)
		}
		var test Test
		switch {
		case r.ctx.Err() != nil:
			test = Test{Status: Skipped, Message: "skipped: the validation was interrupted (" + r.ctx.Err().Error() + ")"}
		case r.refused != "" && t.name != IdentityTest:
			test = Test{Status: Skipped, Message: "skipped: the workspace refused the credentials (" + r.refused + ")"}
		default:
			test = t.run()
		}
		test.Name = t.name
		if test.Result == nil {
			test.Result = []any{}
		}
		res.ValidationTests = append(res.ValidationTests, test)
		if rank[test.Status] > rank[res.Status] {
			res.Status = test.Status
		}
	}
	return res
}
