package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/server/store"
)

// Phase says when validation runs.
type Phase string

// The phases of validation.
const (
	// PhaseCreate runs before POST /integrations answers.
	PhaseCreate Phase = "create"
	// PhaseEdit runs before PUT /integrations/{id} answers, on the new
	// configuration, before the service principal records its
	// fingerprint: the workspace still records the previous one.
	PhaseEdit Phase = "edit"
	// PhaseSetup runs after the setup (the bootstrap or the edit, applied
	// by the service principal or run by a person): it checks that the
	// workspace is set up for this payload (the recorded fingerprint).
	PhaseSetup Phase = "setup"
	// PhaseRecurring is the periodic revalidation of an enabled
	// integration.
	PhaseRecurring Phase = "recurring"
)

// A Validator runs the validation tests of an integration against its
// workspace. The validation package provides the real one; the server
// needs only this.
type Validator interface {
	// Validate returns the results of the tests. It returns a
	// [*ProcessingError] when a test shows that the configuration cannot
	// be used at all (the metastore cannot be read): POST and PUT then
	// answer 422 and store nothing. Other failures are results, not
	// errors. For PhaseEdit, previous is the configuration being edited
	// (whose fingerprint the workspace records); otherwise it is nil.
	Validate(ctx context.Context, in *ucbootstrap.Integration, phase Phase, previous *ucbootstrap.Integration) (*Results, error)
}

// Results are the validation results, in the shape of the API's
// validationResults.
type Results struct {
	// Status is passed, failed, warning or skipped.
	Status string `json:"status"`
	Tests  []Test `json:"validationTests"`
}

// Test is one validation test's result.
type Test struct {
	Name   string          `json:"name"`
	Status string          `json:"status"`
	Result json.RawMessage `json:"result,omitempty"`
	// Message says, on failure, what is wrong and what to do.
	Message string `json:"message,omitempty"`
}

// Failed reports whether the results make the setup unusable.
func (r *Results) Failed() bool { return r != nil && r.Status == "failed" }

// MetastoreInfoError is the message of the 422 a validator gives when the
// metastore cannot be read (Immuta's documented text).
const MetastoreInfoError = "Error trying to get the current metastore info."

// A ProcessingError is a validation outcome that makes a configuration
// unusable; the API answers 422 "Processing Error: " and the message.
type ProcessingError struct {
	Message string
	// Results are the results up to the failure, for the log.
	Results *Results
}

func (e *ProcessingError) Error() string { return "server: processing error: " + e.Message }

// An Applier runs a setup script on the workspace as the service
// principal: the bootstrap of an automatic setup, an edit, a cleanup. The
// apply package provides the real one, with its statement ledger; the
// server needs only this.
type Applier interface {
	// Apply runs run.Script. It saves its progress with run.Checkpoint
	// as it goes, and, when run.Checkpoint.Load gives something, resumes
	// from it (a job taken over from a server that stopped) instead of
	// running again what had succeeded. A failing statement is reported
	// as a [*StatementError] (with Refused when a guard of the script
	// stopped it, Unknown when it may have taken effect); a run that
	// stopped before its end because its context ended or its checkpoint
	// could not be saved, as an error that wraps [ErrInterrupted]: the
	// job is then left to be taken up again, from its checkpoint. The
	// server relies on the order of package apply: the sections one after
	// the other, none after the one that failed.
	Apply(ctx context.Context, run *Run) error
	// Record has the service principal record in the workspace the
	// fingerprint of in's payload (generator.RecordFingerprint): the edit
	// of a manual setup, whose script a person ran, and its rollback.
	Record(ctx context.Context, in *ucbootstrap.Integration) error
}

// ErrInterrupted is wrapped by the error of an [Applier] that stopped
// before the end of a script without failing.
var ErrInterrupted = errors.New("server: the run was interrupted")

// A Run is one script to apply for a job.
type Run struct {
	IntegrationID int64
	Kind          store.JobKind
	// Attempt counts the times the job was claimed, from 1; more than one
	// means that a server stopped while running it.
	Attempt int
	// Rollback is true when the script undoes an edit that failed.
	Rollback bool
	// Integration is the configuration the script was generated from, with
	// its credentials, for the applier to connect as the service principal.
	Integration *ucbootstrap.Integration
	// From is, for an edit, the configuration the edit starts from.
	From       *ucbootstrap.Integration
	Script     *generator.Script
	Checkpoint Checkpoint
}

// Checkpoint is where an applier keeps its progress (its statement
// ledger); it lives in the store with the job, so that another server can
// take the job over.
type Checkpoint interface {
	// Load returns what was saved last, or nil.
	Load() []byte
	// Save replaces it. It fails when this server no longer holds the
	// job's lease; the applier must then stop.
	Save(ctx context.Context, data []byte) error
}

// A StatementError says which statement of a script failed, and why.
type StatementError struct {
	// Index is the statement's index in the script, from 0.
	Index int    `json:"index"`
	SQL   string `json:"statement"`
	// Message is the workspace's error, without credentials.
	Message string `json:"message"`
	// Refused reports that the statement stopped the script on purpose:
	// it raised its own error (raise_error, USER_RAISED_EXCEPTION), as the
	// catalog guards do when the catalog exists and is not the
	// integration's own.
	Refused bool `json:"refused,omitempty"`
	// Unknown reports that the statement's outcome is not known: it may
	// have taken effect (the connection dropped after the workspace
	// accepted it).
	Unknown bool `json:"-"`
}

func (e *StatementError) Error() string {
	return fmt.Sprintf("server: statement %d failed: %s", e.Index+1, e.Message)
}

// JobError is what the store keeps, and GET /integrations/{id}/status
// shows, about the failure of a job.
type JobError struct {
	// Job is create, edit or delete.
	Job     string `json:"job"`
	Message string `json:"message"`
	// Statement is the statement that failed, when one did.
	Statement *StatementError `json:"failedStatement,omitempty"`
	// RolledBack is set for a failed edit: whether the previous
	// configuration was applied again.
	RolledBack *bool `json:"rolledBack,omitempty"`
	// ValidationResults are, for a failed edit, the latest validation
	// results of the configuration that failed (those PUT answered, or
	// those run after the edit); the integration's own validationResults
	// are then those of the configuration it holds again.
	ValidationResults json.RawMessage `json:"validationResults,omitempty"`
}

// apiError is the body of every error response.
type apiError struct {
	StatusCode int    `json:"statusCode"`
	Error      string `json:"error"`
	Message    string `json:"message"`
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }

// The documented error texts (integration-api.md §2.3), and ours in the
// same style where none is documented.
func notFoundText(id int64) string { return fmt.Sprintf("No Integration found with ID %d.", id) }

func deleteNotFoundText(id int64) string { return fmt.Sprintf("No integration found with ID %d.", id) }

func existsText(workspace string, id int64) string {
	return fmt.Sprintf("Databricks Unity Catalog integration already exists on %s (id = %d)", workspace, id)
}

func editConflictText(id int64, s store.Status) string {
	return fmt.Sprintf("Unable to edit integration with ID %d in current state %s.", id, s)
}

func deleteConflictText(id int64, s store.Status) string {
	return fmt.Sprintf("Unable to delete integration with ID %d in current state %s.", id, s)
}

// deleteCredentialsText is Immuta's answer to a DELETE of a Unity Catalog
// integration that carries credentials; its documented form ends in "use
// PUT …", completed here.
const deleteCredentialsText = "Credentials are not required to disable a Databricks Unity Catalog integration. If you need to update your integration credentials, use PUT /integrations/{id}."
