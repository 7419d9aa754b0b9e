package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/server/store"
)

// notify wakes a worker: a job was queued.
func (s *Server) notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// work claims and runs jobs until ctx ends: the jobs this server queues,
// and those whose server stopped before finishing (their lease expired).
func (s *Server) work(ctx context.Context) {
	tick := time.NewTicker(s.cfg.PollInterval)
	defer tick.Stop()
	for ctx.Err() == nil {
		j, err := s.st.Claim(ctx, s.owner, s.cfg.LeaseTTL)
		if err != nil && ctx.Err() == nil {
			s.log.Error("claiming a job failed", "err", err.Error())
		}
		if j != nil {
			s.runJob(ctx, j)
			continue
		}
		select {
		case <-ctx.Done():
		case <-s.wake:
		case <-tick.C:
		}
	}
}

// RunPending runs the jobs that can be claimed now, one after the other,
// and returns when there is none left (for tests and one-shot use).
func (s *Server) RunPending(ctx context.Context) error {
	for {
		j, err := s.st.Claim(ctx, s.owner, s.cfg.LeaseTTL)
		if err != nil || j == nil {
			return err
		}
		s.runJob(ctx, j)
	}
}

// runJob runs one claimed job, renewing its lease meanwhile. When ctx ends
// or the lease is lost, the job is left as it is: its lease expires and
// a server claims it again, and resumes from its checkpoint.
func (s *Server) runJob(ctx context.Context, j *store.Job) {
	log := s.log.With(slog.Int64("job", j.ID), slog.Int64("integration", j.IntegrationID), slog.String("kind", string(j.Kind)), slog.Int("attempt", j.Attempts))
	log.Info("job claimed")
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		t := time.NewTicker(s.cfg.LeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-jctx.Done():
				return
			case <-t.C:
				if err := s.st.Renew(jctx, j.ID, s.owner, s.cfg.LeaseTTL); err != nil {
					if jctx.Err() == nil {
						log.Warn("the job's lease could not be renewed: stopping it", "err", err.Error())
					}
					cancel()
					return
				}
			}
		}
	}()
	o := s.performJob(jctx, j, log)
	if jctx.Err() != nil || o.leave {
		cancel()
		<-renewed
		log.Warn("job interrupted; it will be taken up again when its lease expires")
		return
	}
	cancel()
	<-renewed
	rec, err := s.st.Finish(ctx, j.ID, s.owner, o.to, o.ch)
	if err != nil {
		log.Warn("the job could not finish", "err", err.Error())
		return
	}
	log.Info("job finished", "status", string(rec.Status))
}

// outcome is what a job leaves: the integration's status and change; or,
// with leave, nothing: the job stopped before its end (its checkpoint
// could not be saved) and is taken up again once its lease expires.
type outcome struct {
	to    store.Status
	ch    store.Change
	leave bool
}

// interrupted reports whether err is an applier's run that stopped before
// its end without failing.
func interrupted(err error) bool { return errors.Is(err, ErrInterrupted) }

func failure(to store.Status, je JobError, ch store.Change) outcome {
	b, _ := json.Marshal(je)
	ch.Error = b
	return outcome{to: to, ch: ch}
}

func (s *Server) performJob(ctx context.Context, j *store.Job, log *slog.Logger) outcome {
	errStatus := map[store.JobKind]store.Status{store.CreateJob: store.CreateError, store.EditJob: store.EditError, store.DeleteJob: store.DeleteError}[j.Kind]
	rec, err := s.st.Get(ctx, j.IntegrationID)
	if err != nil {
		return failure(errStatus, JobError{Job: string(j.Kind), Message: "The integration cannot be read: " + err.Error()}, store.Change{})
	}
	if j.Attempts > s.cfg.MaxAttempts {
		je := JobError{Job: string(j.Kind), Message: fmt.Sprintf("The job was interrupted %d times; it is given up.", j.Attempts-1)}
		if j.Kind == store.EditJob {
			// The edit is not applied back: running on is what failed.
			rolledBack := false
			je.RolledBack = &rolledBack
			je.Message += " The previous configuration is restored in the record but was not applied again."
			return s.restored(ctx, rec, je, rec.Validation)
		}
		return failure(errStatus, je, store.Change{})
	}
	in, err := s.open(rec.ID, &rec.Config)
	if err != nil {
		msg := credentialMessage(err)
		if j.Kind == store.EditJob {
			return s.restored(ctx, rec, JobError{Job: string(j.Kind), Message: msg}, rec.Validation)
		}
		return failure(errStatus, JobError{Job: string(j.Kind), Message: msg}, store.Change{})
	}
	cp := &checkpoints{s: s, job: j}
	if err := json.Unmarshal(orEmpty(j.Checkpoint), &cp.parts); err != nil || cp.parts == nil {
		log.Warn("the job's checkpoint does not decode; starting over", "err", fmt.Sprint(err))
		cp.parts = map[string]string{}
	}
	switch j.Kind {
	case store.CreateJob:
		return s.setUp(ctx, j, in, cp)
	case store.EditJob:
		return s.applyEdit(ctx, j, rec, in, cp)
	case store.DeleteJob:
		return s.cleanUp(ctx, j, rec, in, cp, log)
	}
	return failure(store.CreateError, JobError{Job: string(j.Kind), Message: "Unknown job kind."}, store.Change{})
}

func orEmpty(b []byte) []byte {
	if len(b) == 0 {
		return []byte("{}")
	}
	return b
}

// setUp applies the bootstrap (automatic setup) and validates the setup.
// A bootstrap that stopped before it could create anything says so in the
// job's checkpoint, for the cleanup (see cleanUp).
func (s *Server) setUp(ctx context.Context, j *store.Job, in *ucbootstrap.Integration, cp *checkpoints) outcome {
	if in.AutoBootstrap {
		if err := s.apply(ctx, j, in, generator.Bootstrap, nil, false, cp); interrupted(err) {
			return outcome{leave: true}
		} else if err != nil {
			if createdNothing(in, err) {
				if err := cp.set(ctx, setupPart, nothingCreated); err != nil {
					return outcome{leave: true}
				}
			}
			return failure(store.CreateError, jobError(j, in, err), store.Change{})
		}
	}
	res, results, err := s.validateJob(ctx, in)
	if err != nil {
		return failure(store.CreateError, jobError(j, in, err), store.Change{Validation: results})
	}
	if res.Failed() {
		return failure(store.CreateError, JobError{Job: string(j.Kind), Message: "The validation tests failed after the setup; validationResults say which."}, store.Change{Validation: results})
	}
	return outcome{to: store.Enabled, ch: store.Change{Validation: results, ClearError: true}}
}

// applyEdit applies the edit (automatic setup: the edit script, after
// which the service principal records the new fingerprint; manual setup,
// whose edit script a person ran: the new fingerprint only) and validates
// it; on failure it applies the edit back to the previous configuration
// and restores it.
func (s *Server) applyEdit(ctx context.Context, j *store.Job, rec *store.Integration, in *ucbootstrap.Integration, cp *checkpoints) outcome {
	var prev *ucbootstrap.Integration
	if rec.Previous != nil {
		p, err := s.open(rec.ID, rec.Previous)
		if err != nil {
			return s.restored(ctx, rec, jobError(j, in, err), rec.Validation)
		}
		prev = p
	}
	// fail applies the previous configuration again; results are the
	// failed edit's validation results after the edit, nil when it did not
	// get that far (PUT's are then the latest).
	fail := func(je JobError, results []byte) outcome {
		if results == nil {
			results = rec.Validation
		}
		if prev == nil {
			return failure(store.EditError, je, store.Change{Validation: results})
		}
		rolledBack := true
		var err error
		if in.AutoBootstrap {
			err = s.apply(ctx, j, prev, generator.Edit, in, true, cp)
		} else {
			err = s.cfg.Applier.Record(ctx, prev)
		}
		if interrupted(err) || ctx.Err() != nil {
			return outcome{leave: true}
		}
		if err != nil {
			rolledBack = false
			je.Message = sentences(je.Message, "Applying the previous configuration again failed too: "+scrub(in, scrub(prev, err.Error())))
		}
		je.RolledBack = &rolledBack
		o := s.restored(ctx, rec, je, results)
		if ctx.Err() != nil {
			return outcome{leave: true}
		}
		return o
	}
	if prev != nil {
		var err error
		if in.AutoBootstrap {
			err = s.apply(ctx, j, in, generator.Edit, prev, false, cp)
		} else {
			err = s.cfg.Applier.Record(ctx, in)
		}
		if interrupted(err) || ctx.Err() != nil {
			return outcome{leave: true}
		}
		var se *StatementError
		if errors.As(err, &se) && in.AutoBootstrap && editChangedNothing(in, prev, se) {
			// Nothing to undo; the edit back would revoke grants the
			// failed edit did not make (those an admin made beforehand).
			rolledBack := true
			je := jobError(j, in, err)
			je.RolledBack = &rolledBack
			je.Message = sentences(je.Message, "The edit changed nothing on the workspace: there was nothing to roll back.")
			if o := s.restored(ctx, rec, je, rec.Validation); ctx.Err() == nil {
				return o
			}
			return outcome{leave: true}
		}
		if err != nil {
			return fail(jobError(j, in, err), nil)
		}
	}
	res, results, err := s.validateJob(ctx, in)
	if ctx.Err() != nil {
		return outcome{leave: true}
	}
	if err != nil {
		return fail(jobError(j, in, err), results)
	}
	if res.Failed() {
		return fail(JobError{Job: string(j.Kind), Message: "The validation tests failed after the edit; error.validationResults say which."}, results)
	}
	return outcome{to: store.Enabled, ch: store.Change{Validation: results, ClearError: true, ClearPrevious: true}}
}

// restored is the outcome of an edit that failed: editError, the previous
// configuration restored, and the validation results of that
// configuration, run now (after its rollback); edited, the failed edit's
// latest validation results, go into the error. When the tests of the
// restored configuration cannot run, the integration has no validation
// results, and the error says why.
func (s *Server) restored(ctx context.Context, rec *store.Integration, je JobError, edited []byte) outcome {
	je.ValidationResults = edited
	ch := store.Change{RestorePrevious: rec.Previous != nil}
	if rec.Previous == nil {
		// Nothing to restore (a record from before previous
		// configurations were kept): the edit's results are its own.
		ch.Validation = edited
		return failure(store.EditError, je, ch)
	}
	prev, err := s.open(rec.ID, rec.Previous)
	var results []byte
	if err == nil {
		_, results, err = s.validateJob(ctx, prev)
	}
	if err != nil {
		ch.ClearValidation = true
		je.Message = sentences(je.Message, "The validation tests of the restored configuration could not run: "+strings.TrimPrefix(err.Error(), "server: "))
	} else {
		ch.Validation = results
	}
	return failure(store.EditError, je, ch)
}

// cleanUp applies the cleanup (automatic setup), then forgets the
// credentials. Nothing ucbootstrap runs drops what it did not create: an
// integration whose bootstrap created nothing is deleted without running
// the cleanup, and one whose catalog the cleanup's guard refuses (it
// exists and is not the integration's own) is deleted with that catalog
// left as it is.
func (s *Server) cleanUp(ctx context.Context, j *store.Job, rec *store.Integration, in *ucbootstrap.Integration, cp *checkpoints, log *slog.Logger) outcome {
	deleted := outcome{to: store.Deleted, ch: store.Change{Config: &store.Config{Payload: rec.Config.Payload}, ClearPrevious: true, ClearError: true}}
	if !in.AutoBootstrap {
		return deleted
	}
	nothing, err := s.setupCreatedNothing(ctx, rec.ID)
	if err != nil {
		if ctx.Err() != nil {
			return outcome{leave: true}
		}
		return failure(store.DeleteError, jobError(j, in, err), store.Change{})
	}
	if nothing {
		log.Info("the bootstrap created nothing: no cleanup to run")
		return deleted
	}
	err = s.apply(ctx, j, in, generator.Cleanup, nil, false, cp)
	var se *StatementError
	switch {
	case interrupted(err):
		return outcome{leave: true}
	case errors.As(err, &se) && se.Refused && guardAt(in, generator.Cleanup, se.Index):
		log.Warn("the cleanup's guard refused the catalog: it exists and is not this integration's own; it is left as it is", "catalog", in.Config.CatalogName())
		return deleted
	case err != nil:
		return failure(store.DeleteError, jobError(j, in, err), store.Change{})
	}
	return deleted
}

// The checkpoint part where a create job records what its bootstrap did,
// and its value for a bootstrap that created nothing.
const (
	setupPart      = "setup"
	nothingCreated = "created nothing"
)

// createdNothing reports whether err, the failure of in's bootstrap,
// shows that the bootstrap created nothing: it stopped at a statement
// that only reads, with only such statements before it, or at a catalog
// guard that refused the catalog (which then existed, so that the CREATE
// CATALOG IF NOT EXISTS before the guard did nothing). The sections of a
// script run one after the other and its guards alone (package apply), so
// nothing after the statement ran.
func createdNothing(in *ucbootstrap.Integration, err error) bool {
	var se *StatementError
	if !errors.As(err, &se) {
		return false
	}
	script, gerr := generator.Generate(in, generator.Bootstrap)
	if gerr != nil {
		return false
	}
	if changedNothing(script, se) {
		return true
	}
	if se.Index < 0 || se.Index >= len(script.Statements) || !se.Refused {
		return false
	}
	for i, st := range script.Statements[:se.Index+1] {
		switch st.Step.Kind {
		case privileges.StepRead:
		case privileges.StepCreateCatalog:
			if i == se.Index {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// changedNothing reports whether script, which failed at se, left the
// workspace as it was. Package apply runs the sections one after the
// other and stops after the section that failed, whose other statements
// may have run meanwhile: every statement of the sections before, and of
// the failing one's, must only read, and the failing statement must only
// read or have failed for sure.
func changedNothing(script *generator.Script, se *StatementError) bool {
	if se.Index < 0 || se.Index >= len(script.Statements) {
		return false
	}
	failing := script.Statements[se.Index]
	for i, st := range script.Statements {
		if st.Section > failing.Section {
			break
		}
		if st.Step.Kind == privileges.StepRead || (i == se.Index && !se.Unknown) {
			continue
		}
		return false
	}
	return true
}

// editChangedNothing reports whether the edit from prev to in, which
// failed at se, left the workspace as it was.
func editChangedNothing(in, prev *ucbootstrap.Integration, se *StatementError) bool {
	script, err := generator.Generate(in, generator.Edit, generator.From(prev))
	return err == nil && changedNothing(script, se)
}

// guardAt reports whether statement i of in's script of kind is a catalog
// guard.
func guardAt(in *ucbootstrap.Integration, kind generator.Kind, i int) bool {
	script, err := generator.Generate(in, kind)
	return err == nil && i >= 0 && i < len(script.Statements) && script.Statements[i].Section == generator.SectionGuard
}

// setupCreatedNothing reports whether the integration's create job
// recorded that its bootstrap created nothing, and no edit ran since.
func (s *Server) setupCreatedNothing(ctx context.Context, id int64) (bool, error) {
	jobs, err := s.st.Jobs(ctx, id)
	if err != nil {
		return false, err
	}
	nothing := false
	for _, j := range jobs {
		switch j.Kind {
		case store.CreateJob:
			var parts map[string]string
			nothing = json.Unmarshal(orEmpty(j.Checkpoint), &parts) == nil && parts[setupPart] == nothingCreated
		case store.EditJob:
			return false, nil
		}
	}
	return nothing, nil
}

// apply generates a script and runs it with the applier, under the
// checkpoint part of its direction (the rollback of an edit has its own).
func (s *Server) apply(ctx context.Context, j *store.Job, in *ucbootstrap.Integration, kind generator.Kind, from *ucbootstrap.Integration, rollback bool, cp *checkpoints) error {
	var opts []generator.Option
	if from != nil {
		opts = append(opts, generator.From(from))
	}
	script, err := generator.Generate(in, kind, opts...)
	if err != nil {
		return err
	}
	part := "apply"
	if rollback {
		part = "rollback"
	}
	return s.cfg.Applier.Apply(ctx, &Run{
		IntegrationID: j.IntegrationID,
		Kind:          j.Kind,
		Attempt:       j.Attempts,
		Rollback:      rollback,
		Integration:   in,
		From:          from,
		Script:        script,
		Checkpoint:    &checkpoint{cp: cp, part: part},
	})
}

func (s *Server) validateJob(ctx context.Context, in *ucbootstrap.Integration) (*Results, []byte, error) {
	res, results, err := s.validate(ctx, in, PhaseSetup, nil)
	var he *httpError
	if errors.As(err, &he) {
		return nil, nil, errors.New(he.message)
	}
	return res, results, err
}

// jobError describes the error of a job, credentials scrubbed.
func jobError(j *store.Job, in *ucbootstrap.Integration, err error) JobError {
	msg := strings.TrimPrefix(err.Error(), "server: ")
	if r, n := utf8.DecodeRuneInString(msg); n > 0 {
		msg = string(unicode.ToUpper(r)) + msg[n:]
	}
	je := JobError{Job: string(j.Kind), Message: scrub(in, msg)}
	var se *StatementError
	if errors.As(err, &se) {
		c := *se
		c.Message = scrub(in, c.Message)
		je.Statement = &c
	}
	return je
}

// checkpoints is a job's checkpoint: one part for the script, one for its
// rollback. It is stored as a JSON object of the parts, each a string:
// what the applier saved, as text.
type checkpoints struct {
	s     *Server
	job   *store.Job
	parts map[string]string
}

type checkpoint struct {
	cp   *checkpoints
	part string
}

// set saves a part of the checkpoint.
func (cp *checkpoints) set(ctx context.Context, part, value string) error {
	return (&checkpoint{cp: cp, part: part}).Save(ctx, []byte(value))
}

func (c *checkpoint) Load() []byte {
	if b, ok := c.cp.parts[c.part]; ok {
		return []byte(b)
	}
	return nil
}

func (c *checkpoint) Save(ctx context.Context, data []byte) error {
	if !utf8.Valid(data) {
		return errors.New("server: checkpoint: not UTF-8 text")
	}
	c.cp.parts[c.part] = string(data)
	b, err := json.Marshal(c.cp.parts)
	if err != nil {
		return fmt.Errorf("server: checkpoint: %w", err)
	}
	return c.cp.s.st.Checkpoint(ctx, c.cp.job.ID, c.cp.s.owner, b)
}

// revalidateLoop revalidates the enabled integrations every period.
func (s *Server) revalidateLoop(ctx context.Context) {
	t := time.NewTicker(s.cfg.RevalidateEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Revalidate(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("revalidation failed", "err", err.Error())
			}
		}
	}
}

// Revalidate runs the validation tests of every enabled integration (and
// of those whose last revalidation failed): failed tests set
// recurringValidationError, passing ones set enabled again. An integration
// that changed meanwhile is left alone.
func (s *Server) Revalidate(ctx context.Context) error {
	if s.cfg.Validator == nil {
		return nil
	}
	recs, err := s.st.List(ctx)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		if rec.Status != store.Enabled && rec.Status != store.RecurringValidationError {
			continue
		}
		in, err := s.open(rec.ID, &rec.Config)
		if err != nil {
			s.log.Error("revalidation: the integration cannot be opened", "integration", rec.ID, "err", err.Error())
			continue
		}
		to, ch := store.Enabled, store.Change{ClearError: true}
		res, results, err := s.validate(ctx, in, PhaseRecurring, nil)
		switch {
		case err != nil:
			var he *httpError
			msg := err.Error()
			if errors.As(err, &he) {
				msg = he.message
			}
			to, ch = store.RecurringValidationError, store.Change{Error: mustJSON(JobError{Job: "revalidate", Message: msg})}
		case res.Failed():
			to, ch = store.RecurringValidationError, store.Change{Validation: results, Error: mustJSON(JobError{Job: "revalidate", Message: "The periodic validation failed; validationResults say which tests."})}
		default:
			ch.Validation = results
		}
		if _, err := s.st.Update(ctx, rec.ID, rec.Version, to, ch); err != nil && !errors.Is(err, store.ErrStale) {
			return err
		}
		if to != rec.Status {
			s.log.Info("revalidation changed the status", logAttrs(rec.ID, to)...)
		}
	}
	return nil
}

// sentences appends the sentence more to text, with a full stop between.
func sentences(text, more string) string {
	if text != "" && !strings.HasSuffix(text, ".") {
		text += "."
	}
	return text + " " + more
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("server: " + err.Error()) // only strings and bools
	}
	return b
}
