package apply

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/databricks"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/lint"
	"github.com/ucbootstrap/ucbootstrap/liveaudit"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/sqlexec"
	"github.com/ucbootstrap/ucbootstrap/validation"
)

// ledgerTimeout bounds the writing of the run ledger's rows at the end
// of a run, which goes on after Ctrl-C.
const ledgerTimeout = time.Minute

// DefaultConcurrency is the number of statements a run has in flight at
// once unless told otherwise.
const DefaultConcurrency = 4

// Who says whose credentials run a script.
type Who string

// Whose credentials run a script.
const (
	// ServicePrincipal: the payload's own credentials.
	ServicePrincipal Who = "service principal"
	// Person: the credentials of the person who runs the script (a
	// metastore admin, or a user with what the script's header says),
	// never the service principal's.
	Person Who = "person"
)

// RunsAs returns who runs a script as the vendor describes the setup: the
// service principal runs the bootstrap of an automatic setup; a person
// runs every other script (a manual bootstrap, the prerequisites, an
// edit, a cleanup).
func RunsAs(in *ucbootstrap.Integration, kind generator.Kind) Who {
	if kind == generator.Bootstrap && in != nil && in.AutoBootstrap {
		return ServicePrincipal
	}
	return Person
}

// A Source is a hand-edited script.
type Source struct {
	// Name is its file name, for positions.
	Name string
	SQL  []byte
}

// Options configure [Run]. Integration and Kind are required.
type Options struct {
	// Integration is the payload (valid, decoded), with the service
	// principal's credentials.
	Integration *ucbootstrap.Integration
	Kind        generator.Kind
	// From is the old payload of an edit.
	From *ucbootstrap.Integration
	// RevokeGrants makes a cleanup revoke the service principal's grants
	// too.
	RevokeGrants bool
	// Script is the script to run when the caller generated it (the
	// integrations server); nil: Run generates it, for a cleanup run by a
	// metastore admin who does not own the catalog with
	// generator.Runner(that admin).
	Script *generator.Script
	// Source, when not nil, is a hand-edited script to run instead of the
	// generated one; it is linted against the generated one.
	Source *Source
	// Force runs a script whose pre-flight (lint, validation tests)
	// fails; what it let through is in Result.Forced and the record.
	Force bool
	// DryRun makes Run return the plan, with the statements it would run
	// in Result.ToRun, after the identity checks and the lint, and run
	// nothing.
	DryRun bool

	// PayloadEnv reads the DATABRICKS_* variables for credentials the
	// payload leaves out (databricks.ConfigFrom); nil means none: only the
	// payload's own.
	PayloadEnv func(string) string
	// Runner is the connection of the person who runs a script a person
	// runs; nil runs it with the payload's credentials, as the service
	// principal.
	Runner *databricks.Config
	// InsecureLoopback, HTTPClient and RequestTimeout apply to both
	// connections (see databricks.Config).
	InsecureLoopback bool
	HTTPClient       *http.Client
	RequestTimeout   time.Duration
	// TimeoutSetting and RequestTimeoutSetting name where the caller sets
	// the statement budget and RequestTimeout (such as a flag), for the
	// pre-flight's advice (see validation.Options).
	TimeoutSetting, RequestTimeoutSetting string
	// SQL are the statement execution options (timeouts, polling);
	// Submitted and Progress are Run's own.
	SQL sqlexec.Options

	// Ledger keeps the record as the run goes; nil keeps it in memory
	// only (Result.Record).
	Ledger Ledger
	// Previous is the record of an earlier run; with Resume, the run goes
	// on from it: what succeeded does not run again, a statement that was
	// submitted and had not ended is attached to by its statement ID.
	Previous *Record
	Resume   bool
	// RunID names the run in its record; "" makes one up.
	RunID string

	// Concurrency bounds the statements in flight; 0 means
	// [DefaultConcurrency], 1 runs one at a time.
	Concurrency int
	// Audit configures the live audit that follows the script.
	Audit liveaudit.Options
	// Requirements are the options of the requirements the audit checks
	// (privileges.Required), such as the rule set.
	Requirements []privileges.Option
	// Progress, when not nil, hears of each statement that ends and of
	// what the run waits for. Calls do not overlap.
	Progress func(Event)

	// NoValidation skips the validation tests of the pre-flight, for a
	// caller that ran them itself just before (the integrations server
	// validates a configuration before it applies it). The lint runs
	// whatever.
	NoValidation bool

	// now is the clock; nil means time.Now.
	now func() time.Time
}

// An Event reports the progress of a run.
type Event struct {
	// Done counts the statements that ended (in this run or before, when
	// resumed), of Total; Running those in flight.
	Done, Running, Total int
	Section              generator.Section
	Elapsed              time.Duration
	// Message says what the run waits for, such as "warehouse 8a1b
	// starting", or "".
	Message string
}

// An AuditResult is the live audit that follows a script.
type AuditResult struct {
	Report *privileges.Report
	// Info says which path ran.
	Info liveaudit.Info
	// Pending counts the requirements left out because the service
	// principal creates their securables itself (the prerequisites of an
	// automatic setup, before its bootstrap).
	Pending int
	Passed  bool
}

// A CleanupCheck is what is left after a cleanup.
type CleanupCheck struct {
	// CatalogGone is true when the governance catalog no longer exists.
	CatalogGone bool
	// Remaining lists the grants a --revoke-grants cleanup revoked that
	// the service principal still holds.
	Remaining []string
	Passed    bool
}

// A Result is what a run did.
type Result struct {
	RunID string
	Plan  *Plan
	// ToRun lists the statements the run runs (or, dry, would run), in
	// script order: all of them, or those a resumed run has left.
	ToRun []Statement
	// Record is the run's record as it ended.
	Record *Record
	// Runner is the principal the statements ran as.
	Runner string
	// Forced lists the pre-flight failures Force let through.
	Forced []string
	// Lint holds the script's diagnostics (warnings, and errors when
	// forced).
	Lint []lint.Diagnostic
	// Validation holds the pre-flight validation tests.
	Validation *validation.Results
	// Ran counts the statements that ran in this run, Skipped those that
	// had succeeded before (resumed), Attached those whose earlier
	// submission was waited for instead of submitting them again.
	Ran, Skipped, Attached int
	// Notes are warnings: the run ledger in the governance catalog, the
	// fingerprint, what was resumed.
	Notes []string
	// Audit is the live audit after a script other than a cleanup;
	// Cleanup what a cleanup left.
	Audit   *AuditResult
	Cleanup *CleanupCheck
	// Passed is true when every statement ran and the audit (or the
	// cleanup check) passed.
	Passed bool
	// Elapsed is the time the statements took.
	Elapsed time.Duration
}

// Run runs the script of opts.Kind for opts.Integration on its workspace.
//
// In order: it asks the workspace who the credentials belong to (SCIM
// Me) and refuses the service principal's own for a script a person runs
// (and any other for the one the service principal runs); generates the
// script (or takes opts.Script or opts.Source); lints it and, unless dry,
// runs the validation tests; with Resume, checks that every statement
// that ran before is unchanged. Then it runs the statements, section by
// section in script order and independent statements of a section at once
// (see [Options.Concurrency]), keeping the record in opts.Ledger: the
// header, each statement as soon as the workspace accepts it (with its
// statement ID, before waiting for it) and when it ends, and the end. The
// ledger table of the governance catalog gets a row per statement too,
// written by whoever may write it (the runner until the catalog is handed
// over, the service principal after it). After an edit, the service
// principal records the new payload's fingerprint. Last, the live audit
// (or, after a cleanup, the check that the catalog is gone).
//
// The result is never nil once the identity is known; the error is one of
// [*IdentityError], [*PreflightError], [*ResumeError], [*StatementError],
// [*InterruptedError], or an error before anything ran. A failed audit is
// not an error: Result.Passed is false.
func Run(ctx context.Context, opts Options) (*Result, error) {
	r, err := newRun(opts)
	if err != nil {
		return nil, err
	}
	return r.run(ctx)
}

// run is one Run.
type run struct {
	opts Options
	in   *ucbootstrap.Integration
	now  func() time.Time
	res  *Result

	payloadCfg databricks.Config
	payloadErr error // why the payload's credentials cannot be used
	runnerCfg  databricks.Config
	asSP       bool // the runner is the payload's own credentials

	runner *databricks.Client
	sp     *databricks.Client // nil when payloadErr
	// runExec runs the script's statements (its submissions are
	// recorded); runQuery the runner's other queries; spExec the service
	// principal's (nil when payloadErr).
	runExec, runQuery, spExec *sqlexec.Executor
	me                        string
	plan                      *Plan
	ledger                    Ledger
	catalogs                  *catalogLedger

	// mu guards the record and the scheduler's state while statements
	// run.
	mu      sync.Mutex
	rec     *Record
	started map[int]time.Time // statement index -> when it started
	ids     map[int]string    // statement index -> statement ID
	sched   *scheduler
}

func newRun(opts Options) (*run, error) {
	in := opts.Integration
	if in == nil {
		return nil, errors.New("apply: no integration")
	}
	if err := in.Validate(); err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	if _, err := generator.ParseKind(string(opts.Kind)); err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	if opts.Script != nil && opts.Script.Kind != opts.Kind {
		return nil, fmt.Errorf("apply: the script is a %s script, and the run is of the %s script", opts.Script.Kind, opts.Kind)
	}
	if opts.Resume && opts.Previous == nil {
		return nil, &ResumeError{Index: -1, Reason: "there is no record to resume from"}
	}
	r := &run{opts: opts, in: in, now: opts.now, res: &Result{}}
	if r.now == nil {
		r.now = time.Now
	}
	env := opts.PayloadEnv
	if env == nil {
		env = func(string) string { return "" }
	}
	r.payloadCfg, r.payloadErr = databricks.ConfigFrom(in, env)
	r.payloadCfg.InsecureLoopback, r.payloadCfg.HTTPClient, r.payloadCfg.Timeout = opts.InsecureLoopback, opts.HTTPClient, opts.RequestTimeout
	if opts.Runner == nil {
		if r.payloadErr != nil {
			return nil, fmt.Errorf("apply: the payload's credentials: %w", r.payloadErr)
		}
		r.runnerCfg, r.asSP = r.payloadCfg, true
	} else {
		r.runnerCfg = *opts.Runner
		r.runnerCfg.InsecureLoopback = r.runnerCfg.InsecureLoopback || opts.InsecureLoopback
		if r.runnerCfg.HTTPClient == nil {
			r.runnerCfg.HTTPClient = opts.HTTPClient
		}
		if r.runnerCfg.Timeout == 0 {
			r.runnerCfg.Timeout = opts.RequestTimeout
		}
	}
	var err error
	if r.runner, err = databricks.New(r.runnerCfg); err != nil {
		return nil, fmt.Errorf("apply: the runner's credentials: %w", err)
	}
	if r.asSP {
		r.sp = r.runner
	} else if r.payloadErr == nil {
		if r.sp, err = databricks.New(r.payloadCfg); err != nil {
			r.payloadErr, r.sp = err, nil
		}
	}
	return r, nil
}

func (r *run) run(ctx context.Context) (*Result, error) {
	if err := r.identify(ctx); err != nil {
		return nil, r.preflightStopped(ctx, err)
	}
	r.res.Runner = r.me
	if err := r.script(ctx); err != nil {
		return r.res, r.preflightStopped(ctx, err)
	}
	if err := r.lint(); err != nil {
		return r.res, err
	}
	if err := r.resume(); err != nil {
		return r.res, err
	}
	for i := range r.plan.Statements {
		if !r.done(i) {
			r.res.ToRun = append(r.res.ToRun, r.plan.Statements[i])
		}
	}
	if r.opts.DryRun {
		return r.res, nil
	}
	if err := r.executors(); err != nil {
		return r.res, err
	}
	defer r.closeExecutors(ctx)
	if !r.opts.NoValidation {
		if err := r.validate(ctx); err != nil {
			return r.res, r.preflightStopped(ctx, err)
		}
	}
	return r.execute(ctx)
}

// preflightStopped returns the error of a step before the first
// statement: an [*InterruptedError] when ctx ended (Ctrl-C, a deadline),
// whatever the step made of it, else err.
func (r *run) preflightStopped(ctx context.Context, err error) error {
	if ctx.Err() == nil {
		return err
	}
	ie := &InterruptedError{Cause: ctx.Err(), Preflight: true}
	if r.plan != nil && r.rec != nil {
		ie.Total = len(r.plan.Statements)
		ie.Ran, ie.NotRun, ie.Unknown = r.tally()
	}
	return ie
}

// identify asks who the runner is, and refuses credentials that may not
// run the script.
func (r *run) identify(ctx context.Context) error {
	me, err := r.runner.Me(ctx)
	if err != nil {
		return fmt.Errorf("apply: asking the workspace whom the credentials belong to (SCIM Me): %w", err)
	}
	r.me = me
	sp := r.in.Config.ServicePrincipalID()
	same := sp != "" && privileges.SamePrincipal(me, sp)
	switch {
	case r.asSP && sp != "" && !same:
		return &IdentityError{Principal: me, ServicePrincipal: sp,
			Message: fmt.Sprintf("the payload's credentials belong to %s, not to its service principal %s: the %s script runs as the service principal", me, sp, r.opts.Kind)}
	case !r.asSP && same:
		return &IdentityError{Principal: me, ServicePrincipal: sp,
			Message: fmt.Sprintf("the credentials belong to the service principal %s itself: the %s script is run by a person (%s): give that person's credentials (DATABRICKS_TOKEN, or DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET)", sp, r.opts.Kind, r.runAs())}
	}
	return nil
}

// runAs says who runs the script, for messages.
func (r *run) runAs() string {
	if r.opts.Script != nil && r.opts.Script.RunAs != "" {
		return r.opts.Script.RunAs
	}
	if s, err := generator.Generate(r.in, r.opts.Kind, r.genOptions("")...); err == nil {
		return s.RunAs
	}
	return "see the script's header"
}

func (r *run) genOptions(runner string) []generator.Option {
	var o []generator.Option
	if r.opts.From != nil && r.opts.Kind == generator.Edit {
		o = append(o, generator.From(r.opts.From))
	}
	if r.opts.Kind == generator.Cleanup {
		if r.opts.RevokeGrants {
			o = append(o, generator.RevokeGrants())
		}
		if runner != "" {
			o = append(o, generator.Runner(runner))
		}
	}
	return o
}

// script generates (or takes) the script and makes the plan.
func (r *run) script(ctx context.Context) error {
	s := r.opts.Script
	if s == nil {
		runner := ""
		if r.opts.Kind == generator.Cleanup && !r.asSP {
			// A metastore admin who does not own the catalog makes
			// themself its owner first: DROP CATALOG needs ownership.
			info, err := r.runner.Catalog(ctx, r.in.Config.CatalogName())
			var ae *databricks.APIError
			switch {
			case err == nil && !privileges.SamePrincipal(info.Owner, r.me):
				runner = r.me
			case err != nil && !(errors.As(err, &ae) && ae.NotFound()):
				return fmt.Errorf("apply: reading the owner of catalog %s: %w", r.in.Config.CatalogName(), err)
			}
		}
		var err error
		if s, err = generator.Generate(r.in, r.opts.Kind, r.genOptions(runner)...); err != nil {
			return fmt.Errorf("apply: %w", err)
		}
	}
	name, src := "", []byte(nil)
	if r.opts.Source != nil {
		name, src = r.opts.Source.Name, r.opts.Source.SQL
		if src == nil {
			src = []byte{}
		}
	}
	p, err := NewPlan(s, name, src)
	if err != nil {
		return err
	}
	r.plan, r.res.Plan = p, p
	return nil
}

// lint lints the script against the generated one.
func (r *run) lint() error {
	var diags []lint.Diagnostic
	var err error
	src := []byte(r.plan.SQL)
	if r.opts.Kind == generator.Edit && r.opts.From != nil {
		diags, err = lint.RunEdit(r.plan.Name, src, r.in, r.opts.From)
	} else {
		diags, err = lint.Run(r.plan.Name, src, r.in, r.opts.Kind)
	}
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	r.res.Lint = diags
	var errs []lint.Diagnostic
	for _, d := range diags {
		if d.Severity == lint.SeverityError {
			errs = append(errs, d)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	if r.opts.Force {
		for _, d := range errs {
			r.res.Forced = append(r.res.Forced, "lint: "+d.String())
		}
		return nil
	}
	return &PreflightError{Lint: errs}
}

// resume checks the previous record and starts this run's from it.
func (r *run) resume() error {
	r.rec = &Record{}
	if !r.opts.Resume {
		return nil
	}
	prev := r.opts.Previous
	switch {
	case prev.Kind != r.plan.Kind:
		return &ResumeError{Index: -1, Reason: fmt.Sprintf("the record is of the %s script, not of the %s script", prev.Kind, r.plan.Kind)}
	case prev.Catalog != r.in.Config.CatalogName():
		return &ResumeError{Index: -1, Reason: fmt.Sprintf("the record is of catalog %s, not %s", prev.Catalog, r.in.Config.CatalogName())}
	}
	if prev.Payload != r.in.Fingerprint() {
		// The statements that ran decide, as for a hand-edited script: a
		// payload change that changed one of them (the metadata
		// statement records the fingerprint) is refused below.
		r.res.Notes = append(r.res.Notes, fmt.Sprintf("the record was written for another payload (%s; this one is %s): the statements that ran are unchanged, so the run goes on with this payload", prev.Payload, r.in.Fingerprint()))
	}
	last := -1
	for i, st := range prev.Statements {
		if st.State != Succeeded && st.State != Submitted {
			continue
		}
		if i >= len(r.plan.Statements) {
			return &ResumeError{Index: i, Reason: fmt.Sprintf("statement %d ran, and the script now has %d statements", i+1, len(r.plan.Statements))}
		}
		if now := r.plan.Statements[i]; st.Hash != now.Hash {
			return &ResumeError{Index: i, Reason: fmt.Sprintf("statement %d (%s) has changed since it ran: it was %s, it is %s", i+1, now.Pos, st.Hash, now.Hash)}
		}
		last = i
	}
	if last >= 0 && prev.Statements[last].Cumulative != r.plan.Statements[last].Cumulative {
		r.res.Notes = append(r.res.Notes, fmt.Sprintf("the script before statement %d changed in statements that had not succeeded: they run in their new form", last+1))
	}
	c := *prev
	c.Statements = slices.Clone(prev.Statements)
	r.rec = &c
	return nil
}

// done reports whether statement i has succeeded (a resumed run skips
// the statements that had).
func (r *run) done(i int) bool { return r.state(i) == Succeeded }

// state returns the recorded state of statement i.
func (r *run) state(i int) State {
	if i < len(r.rec.Statements) && r.rec.Statements[i].State != "" {
		return r.rec.Statements[i].State
	}
	return Pending
}

// executors makes the SQL executors of the runner and the service
// principal.
func (r *run) executors() error {
	so := r.opts.SQL
	so.Submitted, so.Progress = r.submitted, r.progress
	plain := r.opts.SQL
	plain.Submitted, plain.Progress = nil, nil
	var err error
	if r.runExec, err = sqlexec.New(r.runner, r.in.Config.HTTPPath, so); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	if r.runQuery, err = sqlexec.New(r.runner, r.in.Config.HTTPPath, plain); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	switch {
	case r.asSP:
		r.spExec = r.runQuery
	case r.sp != nil:
		if r.spExec, err = sqlexec.New(r.sp, r.in.Config.HTTPPath, plain); err != nil {
			return fmt.Errorf("apply: %w", err)
		}
	}
	return nil
}

func (r *run) closeExecutors(ctx context.Context) {
	cctx := context.WithoutCancel(ctx)
	for _, e := range []*sqlexec.Executor{r.runExec, r.runQuery, r.spExec} {
		if e != nil && (e != r.spExec || !r.asSP) {
			e.Close(cctx)
		}
	}
}

// validate runs the validation tests as the service principal. The tests
// that say whether anything can run gate the run: identity, metastore,
// warehouse (or cluster) state, the connection; for an automatic
// bootstrap also the catalog and the privileges (the prerequisites). The
// others describe the end state, which the script makes.
func (r *run) validate(ctx context.Context) error {
	if r.payloadErr != nil {
		msg := "the validation tests run with the payload's credentials: " + r.payloadErr.Error()
		if r.opts.Force {
			r.res.Forced = append(r.res.Forced, "validation: "+msg)
			return nil
		}
		return &PreflightError{Message: msg}
	}
	vo := validation.Options{Getenv: r.opts.PayloadEnv, InsecureLoopback: r.opts.InsecureLoopback, HTTPClient: r.opts.HTTPClient,
		RequestTimeout: r.opts.RequestTimeout, Requirements: r.opts.Requirements, Concurrency: r.opts.Audit.Concurrency,
		TimeoutSetting: r.opts.TimeoutSetting, RequestTimeoutSetting: r.opts.RequestTimeoutSetting,
		// The run's statement budget is the pre-flight's too (0: the
		// validation's default), so that the advice's setting gives it.
		Timeout: r.opts.SQL.Timeout,
		SetUp:   r.opts.Kind == generator.Bootstrap && r.in.AutoBootstrap}
	if vo.Getenv == nil {
		vo.Getenv = func(string) string { return "" }
	}
	if r.opts.Progress != nil {
		vo.Progress = func(msg string) { r.opts.Progress(Event{Total: len(r.plan.Statements), Message: "pre-flight: " + msg}) }
	}
	res, err := validation.Run(ctx, r.in, vo)
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	r.res.Validation = res
	if ctx.Err() != nil {
		// Tests cut short by Ctrl-C or a deadline did not fail: the run
		// was interrupted (and --force does not go past it).
		return ctx.Err()
	}
	gate := map[string]bool{validation.IdentityTest: true, validation.MetastoreTest: true, validation.WarehouseTest: true,
		validation.ClusterTest: true, validation.ConnectionTest: true}
	if r.opts.Kind == generator.Bootstrap && r.in.AutoBootstrap {
		gate[validation.CatalogTest], gate[validation.PrivilegesTest] = true, true
	}
	var failed []validation.Test
	for _, t := range res.ValidationTests {
		if gate[t.Name] && t.Status == validation.Failed {
			failed = append(failed, t)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	if r.opts.Force {
		for _, t := range failed {
			r.res.Forced = append(r.res.Forced, "validation: "+t.Name+": "+t.Message)
		}
		return nil
	}
	return &PreflightError{Validation: failed}
}

// runID returns the run's ID.
func (r *run) runID() string {
	if r.opts.RunID != "" {
		return r.opts.RunID
	}
	var b [4]byte
	rand.Read(b[:])
	return r.now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// tally counts the statements that have succeeded, and lists those that
// did not run (never submitted) and those whose outcome is unknown
// (cancelled, or submitted and not seen to end): for errors.
func (r *run) tally() (ran int, notRun, unknown []int) {
	for i := range r.plan.Statements {
		switch r.state(i) {
		case Succeeded:
			ran++
		case Failed:
		case Unknown, Submitted:
			unknown = append(unknown, i)
		default:
			notRun = append(notRun, i)
		}
	}
	return ran, notRun, unknown
}

// execute writes the header, runs the phases, and does what follows.
func (r *run) execute(ctx context.Context) (*Result, error) {
	id := r.runID()
	r.res.RunID = id
	conc := r.opts.Concurrency
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	h := Header{Schema: RecordSchema, RunID: id, Kind: r.plan.Kind, Catalog: r.in.Config.CatalogName(), Payload: r.in.Fingerprint(),
		Script: r.plan.Fingerprint, ScriptName: r.plan.Name, Edited: r.plan.Edited, Total: len(r.plan.Statements), Runner: r.me,
		Forced: r.res.Forced, Concurrency: conc, Started: r.now().UTC()}
	if r.opts.Resume {
		h.Resumes = r.rec.RunID
	}
	r.ledger = r.opts.Ledger
	r.catalogs = newCatalogLedger(r)
	if err := r.write(ctx, Entry{Run: &h}); err != nil {
		return r.res, &InterruptedError{Cause: err, Total: len(r.plan.Statements)}
	}
	start := r.now()
	x := &scheduler{r: r, conc: conc, start: start}
	r.started, r.ids = map[int]time.Time{}, map[int]string{}
	r.mu.Lock()
	r.sched = x
	r.mu.Unlock()
	var runErr error
	for _, ph := range r.plan.phases() {
		if runErr = x.phase(ctx, ph); runErr != nil {
			break
		}
		r.catalogs.flushRunner(ctx)
	}
	r.res.Elapsed = r.now().Sub(start)
	r.res.Ran, r.res.Skipped, r.res.Attached = x.ran, x.skipped, x.attached
	ran, notRun, unknown := r.tally()
	end := &End{RunID: id, State: RunSucceeded}
	var serr *StatementError
	switch {
	case runErr == nil:
	case errors.As(runErr, &serr):
		serr.Ran, serr.NotRun, serr.Unknown, serr.Total = ran, notRun, unknown, len(r.plan.Statements)
		end.State, end.Message = RunFailed, serr.Error()
	default:
		end.State, end.Message = RunInterrupted, runErr.Error()
		runErr = &InterruptedError{Cause: runErr, Ran: ran, NotRun: notRun, Unknown: unknown, Total: len(r.plan.Statements)}
	}
	// The rest of the run ledger first, however the run ended, with a
	// context of its own: a Ctrl-C now (in the audit) loses no rows.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ledgerTimeout)
	r.catalogs.flushServicePrincipal(lctx)
	cancel()
	if runErr == nil {
		r.after(ctx)
	}
	end.Ended = r.now().UTC()
	if err := r.write(context.WithoutCancel(ctx), Entry{End: end}); err != nil && runErr == nil {
		r.res.Notes = append(r.res.Notes, "the end of the run could not be recorded: "+err.Error())
	}
	r.res.Record = r.rec
	return r.res, runErr
}

// write records an entry: in the record, in the ledger, and, for a
// statement that ended, in the queue of the governance catalog's ledger.
// It is called with the scheduler's lock held, or before and after it
// runs.
func (r *run) write(ctx context.Context, e Entry) error {
	if err := r.rec.apply(e); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	if e.Statement != nil && e.Statement.State != Submitted {
		r.catalogs.queue(*e.Statement)
	}
	if r.ledger == nil {
		return nil
	}
	return r.ledger.Write(ctx, e)
}

// after runs what follows a script that ran to its end: the fingerprint
// of an edit, and the audit or the cleanup check.
func (r *run) after(ctx context.Context) {
	if r.opts.Kind == generator.Edit {
		r.recordFingerprint(ctx)
	}
	if r.opts.Kind == generator.Cleanup {
		r.res.Cleanup = r.checkCleanup(ctx)
		r.res.Passed = r.res.Cleanup.Passed
		return
	}
	r.res.Audit = r.audit(ctx)
	r.res.Passed = r.res.Audit != nil && r.res.Audit.Passed
}

// recordFingerprint has the service principal record the payload's
// fingerprint in the governance catalog, after an edit.
func (r *run) recordFingerprint(ctx context.Context) {
	if r.spExec == nil {
		r.res.Notes = append(r.res.Notes, "the service principal records the new payload's fingerprint with the payload's credentials, which cannot be used: "+r.payloadErr.Error())
		return
	}
	record, _, err := generator.RecordFingerprint(r.in)
	if err == nil {
		_, err = r.spExec.Query(ctx, record)
	}
	if err != nil {
		r.res.Notes = append(r.res.Notes, "the service principal could not record the new payload's fingerprint: "+strings.TrimPrefix(err.Error(), "sqlexec: "))
	}
}

// audit runs the live audit as the service principal.
func (r *run) audit(ctx context.Context) *AuditResult {
	if r.sp == nil {
		r.res.Notes = append(r.res.Notes, "the live audit runs with the payload's credentials, which cannot be used: "+r.payloadErr.Error())
		return nil
	}
	reqs, err := privileges.Required(r.in, r.opts.Requirements...)
	if err != nil {
		r.res.Notes = append(r.res.Notes, "the live audit: "+err.Error())
		return nil
	}
	out := &AuditResult{}
	if r.in.AutoBootstrap && r.opts.Kind == generator.Prerequisites {
		// Before the service principal's bootstrap, what it will create
		// (and then own) cannot be there yet.
		cat := r.in.Config.CatalogName()
		var ae *databricks.APIError
		if _, err := r.sp.Catalog(ctx, cat); errors.As(err, &ae) && (ae.NotFound() || ae.Forbidden()) {
			kept := reqs.List[:0:0]
			for _, q := range reqs.List {
				if q.On.Type != privileges.Metastore && q.On.CatalogName() == cat {
					out.Pending++
					continue
				}
				kept = append(kept, q)
			}
			reqs.List = kept
		}
	}
	rep, _, info, err := liveaudit.Audit(ctx, r.sp, r.spExec, reqs, r.opts.Audit)
	out.Info = info
	switch {
	case err != nil && ctx.Err() != nil:
		r.res.Notes = append(r.res.Notes, fmt.Sprintf("the live audit was interrupted (%v) after every statement had run: audit with ucbootstrap audit --live", ctx.Err()))
		return out
	case err != nil:
		r.res.Notes = append(r.res.Notes, "the live audit failed: "+err.Error())
		return out
	}
	out.Report, out.Passed = rep, rep.Passed(privileges.Gate{})
	return out
}
