package sqlexec

import (
	"errors"
	"regexp"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/diag"
)

// ErrOutcomeUnknown is matched (with errors.Is) by an [Error] whose
// statement may or may not have taken effect: it was cancelled, its
// submission got no answer, or it was lost while it ran. Check what it
// does before running it again.
var ErrOutcomeUnknown = errors.New("sqlexec: outcome unknown")

// An Error is a statement that did not succeed.
type Error struct {
	// StatementID is the statement's ID (for a cluster, context/command),
	// or "" when it was never accepted.
	StatementID string
	// State is the last state seen: FAILED, CANCELED, PENDING, RUNNING,
	// or "" when none was.
	State string
	// Code is the error_code of a failed statement, such as BAD_REQUEST.
	Code string
	// Class is the error condition at the start of the message, such as
	// INSUFFICIENT_PERMISSIONS or USER_RAISED_EXCEPTION.
	Class string
	// SQLState is the SQLSTATE, such as 42501.
	SQLState string
	// Message is the server's message, redacted of credentials, or what
	// happened.
	Message string
	// Pos is the statement's position in its script.
	Pos diag.Position
	// Unknown reports that the statement may or may not have taken effect.
	Unknown bool
	// Err is the cause: a context error, a transport error or an API
	// error, if any.
	Err error
}

// Error returns "sqlexec: file:line:col: statement ID: STATE: message
// (error_code X, SQLSTATE Y)".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("sqlexec: ")
	if e.Pos.IsValid() {
		b.WriteString(e.Pos.String() + ": ")
	}
	if e.StatementID != "" {
		b.WriteString("statement " + e.StatementID + ": ")
	}
	if e.State != "" {
		b.WriteString(e.State + ": ")
	}
	b.WriteString(e.Message)
	var details []string
	if e.Code != "" {
		details = append(details, "error_code "+e.Code)
	}
	if e.SQLState != "" && !strings.Contains(e.Message, "SQLSTATE: "+e.SQLState) {
		details = append(details, "SQLSTATE "+e.SQLState)
	}
	if len(details) > 0 {
		b.WriteString(" (" + strings.Join(details, ", ") + ")")
	}
	if e.Unknown {
		b.WriteString("; outcome unknown: it may have taken effect, check before running it again")
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches [ErrOutcomeUnknown] when the outcome is unknown.
func (e *Error) Is(target error) bool { return target == ErrOutcomeUnknown && e.Unknown }

// Raised reports whether the statement failed in a raise_error call, as
// the setup scripts' guards do: a refusal to go on, not a transient error.
func (e *Error) Raised() bool { return e.Class == "USER_RAISED_EXCEPTION" }

var (
	classRE    = regexp.MustCompile(`\[([A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)*)\]`)
	sqlStateRE = regexp.MustCompile(`SQLSTATE: ?([0-9A-Z]{5})`)
	tagRE      = regexp.MustCompile(`<[^>]*>`)
	// exceptionRE matches the exception name Spark puts before a
	// message: "AnalysisException: ".
	exceptionRE = regexp.MustCompile(`^(?:[A-Za-z0-9_.$]*Exception|Error): +`)
)

// errorClass returns the error condition of a message: "[CLASS] ...".
func errorClass(msg string) string {
	if m := classRE.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	return ""
}
