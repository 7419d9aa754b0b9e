package server

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/apply"
	"github.com/ucbootstrap/ucbootstrap/databricks"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/sqlexec"
)

// LiveApplier is the [Applier] of a real server: package apply runs the
// scripts on the workspace with the payload's credentials, as the service
// principal, and keeps its record (the statement ledger) in the job's
// checkpoint, so that a job taken over after a crash resumes from it: what
// had succeeded does not run again, and a statement recorded as submitted
// is attached to by its statement ID instead of being submitted again.
type LiveApplier struct {
	opts apply.Options
}

// NewLiveApplier returns an applier that runs [apply.Run] with opts, of
// which it keeps the connection and execution settings (InsecureLoopback,
// HTTPClient, RequestTimeout, SQL, Concurrency, Audit, Requirements); the
// rest comes from each run. Credentials come from the payload only, and
// InsecureLoopback holds only for workspaces on a loopback address (see
// [NewLiveValidator]).
func NewLiveApplier(opts apply.Options) *LiveApplier {
	return &LiveApplier{opts: apply.Options{
		InsecureLoopback: opts.InsecureLoopback,
		HTTPClient:       opts.HTTPClient,
		RequestTimeout:   opts.RequestTimeout,
		SQL:              opts.SQL,
		Concurrency:      opts.Concurrency,
		Audit:            opts.Audit,
		Requirements:     opts.Requirements,
	}}
}

// Apply runs run.Script as the service principal, resuming from the record
// in run.Checkpoint when there is one.
func (a *LiveApplier) Apply(ctx context.Context, run *Run) error {
	if run.Script == nil || run.Integration == nil {
		return errors.New("server: apply: no script or no integration")
	}
	o := a.opts
	o.Integration, o.Kind, o.Script = run.Integration, run.Script.Kind, run.Script
	// The server ran the validation tests before it queued the job, and
	// runs them again after the script. apply's own pre-flight would also
	// refuse to resume a bootstrap that stopped half-way: once the catalog
	// exists, the privileges test counts the objects the rest of the
	// bootstrap creates as missing.
	o.NoValidation = true
	if run.Script.Kind == generator.Edit {
		o.From = run.From
	}
	o.InsecureLoopback = o.InsecureLoopback && ucbootstrap.IsLoopback(run.Integration.Config.Host())
	var prev *apply.Record
	if data := run.Checkpoint.Load(); len(data) > 0 {
		p, err := apply.ParseRecord(data)
		if err != nil {
			return fmt.Errorf("server: the job's checkpoint: %w", err)
		}
		prev = p
	}
	o.Previous, o.Resume = prev, prev != nil
	o.Ledger = apply.Snapshot(prev, run.Checkpoint.Save)
	res, err := apply.Run(ctx, o)
	var se *apply.StatementError
	var ie *apply.InterruptedError
	switch {
	case errors.As(err, &se):
		out := &StatementError{Index: se.Statement.Index, SQL: se.Statement.SQL, Message: strings.TrimPrefix(se.Err.Error(), "sqlexec: ")}
		if e := se.SQL(); e != nil {
			out.Message = strings.TrimPrefix(e.Error(), "sqlexec: ")
			out.Refused = e.Class == userRaisedException
			out.Unknown = e.Unknown
		} else {
			// Not the workspace's answer: the statement may have run.
			out.Unknown = true
		}
		return out
	case errors.As(err, &ie):
		return fmt.Errorf("%w: %s", ErrInterrupted, strings.TrimPrefix(ie.Error(), "apply: "))
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("%w: %v", ErrInterrupted, ctx.Err())
	case err != nil:
		return fmt.Errorf("server: %s", strings.TrimPrefix(err.Error(), "apply: "))
	}
	// The validation tests that follow a bootstrap or an edit judge the
	// audit's findings; nothing follows a cleanup.
	if c := res.Cleanup; c != nil && !c.CatalogGone {
		return fmt.Errorf("server: after the cleanup, catalog %s still exists", run.Integration.Config.CatalogName())
	}
	return nil
}

// userRaisedException is the error class of raise_error
// (docs.databricks.com/aws/en/sql/language-manual/functions/raise_error).
const userRaisedException = "USER_RAISED_EXCEPTION"

// Record runs, as the service principal, the statement that records in's
// payload fingerprint in the governance catalog.
func (a *LiveApplier) Record(ctx context.Context, in *ucbootstrap.Integration) error {
	record, _, err := generator.RecordFingerprint(in)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	cfg, err := databricks.ConfigFrom(in, func(string) string { return "" })
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	cfg.InsecureLoopback = a.opts.InsecureLoopback && ucbootstrap.IsLoopback(in.Config.Host())
	cfg.HTTPClient, cfg.Timeout = a.opts.HTTPClient, a.opts.RequestTimeout
	client, err := databricks.New(cfg)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	exec, err := sqlexec.New(client, in.Config.HTTPPath, a.opts.SQL)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	defer exec.Close(context.WithoutCancel(ctx))
	if _, err := exec.Query(ctx, record); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: %v", ErrInterrupted, ctx.Err())
		}
		return fmt.Errorf("server: the service principal could not record the payload fingerprint: %s", strings.TrimPrefix(err.Error(), "sqlexec: "))
	}
	return nil
}
