package apply

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/lint"
	"github.com/ucbootstrap/ucbootstrap/sqlexec"
	"github.com/ucbootstrap/ucbootstrap/validation"
)

// An IdentityError is credentials that may not run the script: the
// service principal's own for a script a person runs, or another
// principal's for the script the service principal runs.
type IdentityError struct {
	// Principal is whom the credentials belong to (SCIM Me).
	Principal        string
	ServicePrincipal string
	Message          string
}

func (e *IdentityError) Error() string { return "apply: " + e.Message }

// A PreflightError is a pre-flight check that failed: errors of the
// script's lint, or validation tests that failed.
type PreflightError struct {
	Lint       []lint.Diagnostic
	Validation []validation.Test
	// Message says what failed when neither does (the validation could
	// not run).
	Message string
}

func (e *PreflightError) Error() string {
	var parts []string
	for _, d := range e.Lint {
		parts = append(parts, d.String())
	}
	for _, t := range e.Validation {
		parts = append(parts, t.Name+": "+t.Message)
	}
	if e.Message != "" {
		parts = append(parts, e.Message)
	}
	return "apply: the pre-flight failed (--force runs anyway): " + strings.Join(parts, "; ")
}

// Reasons returns what failed, one a line.
func (e *PreflightError) Reasons() []string {
	var out []string
	for _, d := range e.Lint {
		out = append(out, "lint: "+d.String())
	}
	for _, t := range e.Validation {
		out = append(out, "validation: "+t.Name+": "+t.Message)
	}
	if e.Message != "" {
		out = append(out, e.Message)
	}
	return out
}

// A ResumeError is a record that a run cannot resume.
type ResumeError struct {
	// Index is the statement that changed, or -1.
	Index  int
	Reason string
}

func (e *ResumeError) Error() string {
	return "apply: cannot resume: " + e.Reason + "; run from the top without resuming (every statement is idempotent), or restore the script the record was made with"
}

// A StatementError is a statement that failed, with what ran and what
// did not.
type StatementError struct {
	Statement Statement
	// Err is the failure: a *sqlexec.Error (the server's error code and
	// message, with the statement's position), or the error of recording
	// it.
	Err error
	// Ran counts the statements that have succeeded, this run or before;
	// NotRun lists the indexes of those that did not run, Unknown those
	// whose outcome is unknown (cancelled in flight when the failure
	// stopped the run); the others failed.
	Ran     int
	NotRun  []int
	Unknown []int
	Total   int
}

func (e *StatementError) Error() string {
	return fmt.Sprintf("apply: statement %d of %d (%s) failed: %s", e.Statement.Index+1, e.Total, e.Statement.Section.Key(), strings.TrimPrefix(e.Err.Error(), "sqlexec: "))
}

func (e *StatementError) Unwrap() error { return e.Err }

// SQL returns the server's error, when the statement failed there.
func (e *StatementError) SQL() *sqlexec.Error {
	var se *sqlexec.Error
	if errors.As(e.Err, &se) {
		return se
	}
	return nil
}

// An InterruptedError is a run that stopped because its context ended
// (Ctrl-C, a deadline) or its record could not be written. The record
// says where it stopped; resuming goes on from there.
type InterruptedError struct {
	Cause error
	// Preflight is true when the run stopped before its first statement
	// (in the identity check, the lint or the validation tests): nothing
	// ran, and the record has nothing of this run.
	Preflight bool
	Ran       int
	// NotRun lists the statements that did not run and were not in
	// flight; Unknown those in flight when the run stopped, whose
	// outcome is unknown (they may have taken effect; they run again
	// when resumed).
	NotRun  []int
	Unknown []int
	Total   int
}

func (e *InterruptedError) Error() string {
	if e.Preflight {
		return fmt.Sprintf("apply: interrupted in the pre-flight, before the first statement: %v", e.Cause)
	}
	return fmt.Sprintf("apply: interrupted after %d of %d statements: %v", e.Ran, e.Total, e.Cause)
}

func (e *InterruptedError) Unwrap() error { return e.Cause }
