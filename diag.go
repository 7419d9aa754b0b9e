package ucbootstrap

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/diag"
)

// A Position is a place in a payload file: Line and Col are 1-based; Col
// counts bytes. The zero Position means "unknown", for an Integration built
// in Go rather than decoded. It is the module's one position type.
type Position = diag.Position

// Severity tells errors from warnings; it is the module's one severity
// type.
type Severity = diag.Severity

const (
	// Error means the payload cannot be used.
	Error = diag.Error
	// Warning means the payload can be used but probably does not say what
	// its author meant.
	Warning = diag.Warning
)

// A Diagnostic is one problem in a payload.
// Its JSON form is {"pos": {"file", "line", "col"}, "severity", "field",
// "message", "hint"}, every key always present but those of pos, which
// leaves out what is unknown.
type Diagnostic struct {
	Pos      Position `json:"pos"`
	Severity Severity `json:"severity"`
	// Field is the path of the field, such as
	// "config.oAuthClientConfig.clientId"; empty for the payload as a whole.
	Field string `json:"field"`
	// Message says what is wrong, in one sentence without a final period.
	Message string `json:"message"`
	// Hint says how to fix it; it may be empty.
	Hint string `json:"hint"`
}

// String formats d as "file:line:col: field: message (hint)", with
// "warning: " before the field for warnings.
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.Pos.String())
	b.WriteString(": ")
	if d.Severity == Warning {
		b.WriteString("warning: ")
	}
	if d.Field != "" {
		b.WriteString(d.Field)
		b.WriteString(": ")
	}
	b.WriteString(d.Message)
	if d.Hint != "" {
		b.WriteString(" (")
		b.WriteString(d.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// Diagnostics is a list of problems. As an error it stands for a payload
// that has at least one [Error]-severity diagnostic.
type Diagnostics []Diagnostic

// Error returns the diagnostics, one a line, after a summary line.
func (ds Diagnostics) Error() string {
	var b strings.Builder
	n := ds.Errors()
	fmt.Fprintf(&b, "ucbootstrap: invalid payload: %d error", n)
	if n != 1 {
		b.WriteString("s")
	}
	for _, d := range ds {
		b.WriteString("\n")
		b.WriteString(d.String())
	}
	return b.String()
}

// Errors counts the diagnostics of severity [Error].
func (ds Diagnostics) Errors() int {
	n := 0
	for _, d := range ds {
		if d.Severity == Error {
			n++
		}
	}
	return n
}

// HasErrors reports whether any diagnostic is an [Error].
func (ds Diagnostics) HasErrors() bool { return ds.Errors() > 0 }

// Warnings returns the diagnostics of severity [Warning].
func (ds Diagnostics) Warnings() Diagnostics {
	var ws Diagnostics
	for _, d := range ds {
		if d.Severity == Warning {
			ws = append(ws, d)
		}
	}
	return ws
}

// Sort orders ds by file, line, column, field and message, and removes exact
// repeats.
func (ds Diagnostics) Sort() Diagnostics {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
			cmp.Compare(a.Field, b.Field),
			cmp.Compare(a.Message, b.Message),
		)
	})
	return slices.Compact(ds)
}

// Err returns ds as an error when it has errors, and nil otherwise.
func (ds Diagnostics) Err() error {
	if ds.HasErrors() {
		return ds
	}
	return nil
}
