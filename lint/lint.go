package lint

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/dbsql"
	"github.com/ucbootstrap/ucbootstrap/diag"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/clip"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/privileges/listing"
)

// A Rule is one check of a script. Code is its stable code (UCB001, ...),
// Name a short identifier, Doc a title line (lower case, under 60
// characters, no final period) and URL its help page. Run reports what it
// finds through the [Pass].
type Rule struct {
	Code, Name, Doc, URL string
	Run                  func(*Pass)

	// WithoutPayload marks a rule that needs nothing but the script: it
	// runs in [RunWithoutPayload] too, on a Pass without payload,
	// requirements or reference.
	WithoutPayload bool
}

// The severities of diagnostics, the module's one severity type.
const (
	SeverityError   = diag.Error   // the script fails, or leaves the integration broken or exposed
	SeverityWarning = diag.Warning // the statement has no effect, or does not do what it seems to
)

// A Diagnostic is a finding in a script: its span (End just after the
// last byte; equal to Pos when only a point is known), the code of the
// rule that found it, its severity and a message that says how to fix it.
type Diagnostic struct {
	Pos      dbsql.Position
	End      dbsql.Position
	Code     string
	Severity diag.Severity
	Message  string
}

// String returns "file:line:col: CODE message".
func (d Diagnostic) String() string {
	return d.Pos.String() + ": " + d.Code + " " + d.Message
}

// A Pass is what a rule runs on: the parsed script, the payload, and the
// script the generator makes of the payload for the same kind. In
// [RunWithoutPayload] only File, Err and Changes are set: the rules that
// run there ([Rule.WithoutPayload]) use nothing else.
type Pass struct {
	// File is the parsed script. Statements with syntax errors are
	// *dbsql.BadStmt.
	File *dbsql.File
	// Err is the syntax error of the script (a dbsql.ErrorList), or nil.
	Err error
	// Integration is the payload, valid.
	Integration *ucbootstrap.Integration
	// Kind is the kind of script File is meant to be.
	Kind generator.Kind
	// Catalog is the governance catalog's name, lower case.
	Catalog string
	// ServicePrincipal is the service principal's application ID, or ""
	// when the payload does not name it.
	ServicePrincipal string
	// Requirements are the service principal's requirements, or nil when
	// the payload does not name the service principal.
	Requirements *privileges.Requirements
	// Reference is the parsed script that generator.Generate makes for
	// Kind, or nil when it cannot make one without more input (an edit
	// script needs the old payload).
	Reference *dbsql.File
	// Changes are the GRANT, REVOKE and ALTER ... OWNER TO statements of
	// File, as listing.FromScript returns them.
	Changes []listing.ScriptChange

	rule  *Rule
	diags *[]Diagnostic
}

// Reportf reports an error on the span of node.
func (p *Pass) Reportf(node dbsql.Node, format string, args ...any) {
	p.report(node, SeverityError, fmt.Sprintf(format, args...))
}

// Warnf reports a warning on the span of node.
func (p *Pass) Warnf(node dbsql.Node, format string, args ...any) {
	p.report(node, SeverityWarning, fmt.Sprintf(format, args...))
}

// short returns v as a message prints it, cut when it is long: a value
// of the script (a name, a principal, a location) may be huge, and a
// message repeats it.
func short(v any) string { return clip.Text(fmt.Sprint(v)) }

func (p *Pass) report(node dbsql.Node, severity diag.Severity, msg string) {
	pos, end := node.Pos(), node.End()
	if !pos.IsValid() {
		pos, end = p.File.Pos(), p.File.Pos()
	}
	p.add(Diagnostic{Pos: p.File.Position(pos), End: p.File.Position(end), Severity: severity, Message: msg})
}

func (p *Pass) add(d Diagnostic) {
	d.Code = p.rule.Code
	*p.diags = append(*p.diags, d)
}

// Run lints the script src, named filename in positions, against the
// payload in, as a script of the given kind. The diagnostics are sorted by
// position, then code and message; they are the same for the same input.
//
// Run returns an error, prefixed "lint: ", when it cannot lint: the payload
// is nil or invalid, the kind is unknown, or the payload has no script of
// that kind (prerequisites with manual setup, a manual bootstrap script
// without a service principal). An edit script is linted without the
// rules that compare with the generated script, which needs the old
// payload.
func Run(filename string, src []byte, in *ucbootstrap.Integration, kind generator.Kind) ([]Diagnostic, error) {
	pass, err := newPass(filename, src, in, kind)
	if err != nil {
		return nil, err
	}
	if kind != generator.Edit {
		ref, err := reference(in, kind)
		if err != nil {
			return nil, err
		}
		pass.Reference = ref
	}
	return runRules(pass, func(*Rule) bool { return true }), nil
}

// newPass checks the payload and the kind, parses the script and returns
// the Pass of every rule, without the reference script.
func newPass(filename string, src []byte, in *ucbootstrap.Integration, kind generator.Kind) (*Pass, error) {
	if in == nil {
		return nil, errors.New("lint: no payload")
	}
	if _, err := generator.ParseKind(string(kind)); err != nil {
		return nil, fmt.Errorf("lint: unknown kind %q: use bootstrap, prerequisites, edit or cleanup", kind)
	}
	if err := in.Validate(); err != nil {
		return nil, fmt.Errorf("lint: %w", err)
	}
	f, perr := dbsql.ParseFile(filename, src)
	pass := &Pass{File: f, Err: perr, Integration: in, Kind: kind,
		Catalog: in.Config.CatalogName(), ServicePrincipal: in.Config.ServicePrincipalID()}
	if pass.ServicePrincipal != "" {
		reqs, err := privileges.Required(in)
		if err != nil {
			return nil, fmt.Errorf("lint: %w", err)
		}
		pass.Requirements = reqs
	}
	pass.Changes = listing.FromScript(f)
	return pass, nil
}

// runRules runs the rules that keep accepts on pass and returns their
// diagnostics, sorted and without repeats.
func runRules(pass *Pass, keep func(*Rule) bool) []Diagnostic {
	var diags []Diagnostic
	pass.diags = &diags
	for _, r := range Rules() {
		if keep(r) {
			pass.rule = r
			r.Run(pass)
		}
	}
	slices.SortFunc(diags, compareDiagnostics)
	return slices.CompactFunc(diags, func(a, b Diagnostic) bool { return a == b })
}

// reference returns the parsed script the generator makes for kind.
func reference(in *ucbootstrap.Integration, kind generator.Kind) (*dbsql.File, error) {
	s, err := generator.Generate(in, kind)
	if err != nil {
		return nil, fmt.Errorf("lint: %w", err)
	}
	sql, err := s.SQL()
	if err != nil {
		return nil, fmt.Errorf("lint: %w", err)
	}
	f, err := dbsql.ParseFile("generated.sql", []byte(sql))
	if err != nil {
		return nil, fmt.Errorf("lint: the generated %s script does not parse: %v", kind, err)
	}
	return f, nil
}

func compareDiagnostics(a, b Diagnostic) int {
	return cmp.Or(
		cmp.Compare(a.Pos.File, b.Pos.File),
		cmp.Compare(a.Pos.Line, b.Pos.Line),
		cmp.Compare(a.Pos.Col, b.Pos.Col),
		cmp.Compare(a.Code, b.Code),
		cmp.Compare(a.Message, b.Message),
		cmp.Compare(a.End.Offset, b.End.Offset),
	)
}
