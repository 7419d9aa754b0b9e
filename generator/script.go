package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/templates"
)

// Kind is the kind of script.
type Kind string

// The kinds of script.
const (
	Bootstrap     Kind = "bootstrap"
	Prerequisites Kind = "prerequisites"
	Edit          Kind = "edit"
	Cleanup       Kind = "cleanup"
)

// Kinds lists every kind, in the order a user meets them.
var Kinds = []Kind{Bootstrap, Prerequisites, Edit, Cleanup}

// ParseKind returns the kind named s.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("generator: unknown kind %q: use bootstrap, prerequisites, edit or cleanup", s)
}

// Section is a block of a script. Sections appear in the order of their
// values.
type Section int

// The sections of a script, in script order.
const (
	SectionGuard Section = iota + 1
	SectionCatalog
	SectionMetastore
	SectionData
	SectionAudit
	SectionOwnership
	SectionDrop
	SectionRevokes
)

var sectionTitles = map[Section]string{
	SectionGuard:     "Catalog guard: stop unless the catalog is absent or this integration's own",
	SectionCatalog:   "Governance catalog, private to the service principal",
	SectionMetastore: "Service principal on the metastore",
	SectionData:      "Service principal on the data it protects",
	SectionAudit:     "Query audit (system tables)",
	SectionOwnership: "Hand the governance catalog to the service principal (last: the runner loses its rights here)",
	SectionRevokes:   "Revoke what is no longer needed",
	SectionDrop:      "Drop the governance catalog and everything in it",
}

// sectionKeys are the stable names of the sections in JSON.
var sectionKeys = map[Section]string{
	SectionGuard:     "guard",
	SectionCatalog:   "catalog",
	SectionMetastore: "metastore",
	SectionData:      "data",
	SectionAudit:     "audit",
	SectionOwnership: "ownership",
	SectionRevokes:   "revokes",
	SectionDrop:      "drop",
}

// String returns the section's title, as the script's comments print it.
func (s Section) String() string { return sectionTitles[s] }

// Key returns the section's stable name: guard, catalog, metastore, data,
// audit, ownership, drop or revokes.
func (s Section) Key() string { return sectionKeys[s] }

// MarshalText gives the key, for JSON: titles are prose and may change,
// keys do not.
func (s Section) MarshalText() ([]byte, error) { return []byte(s.Key()), nil }

// A Statement is one SQL statement of a script.
type Statement struct {
	Section Section `json:"section"`
	// Purpose says in one line why the statement is there.
	Purpose string `json:"purpose"`
	// SQL is the statement without its final semicolon. It may span lines.
	SQL string `json:"sql"`
	// Note is a comment printed above the statement, or "".
	Note string `json:"note,omitempty"`
	// Step is what the statement does, for the rules of who may run it
	// (see [privileges.Step.Needs]).
	Step privileges.Step `json:"step"`
}

// A Script is the result of [Generate]: a header and an ordered list of
// statements.
type Script struct {
	Kind Kind `json:"kind"`
	// Manual is true for manual setup (autoBootstrap false).
	Manual bool `json:"manual"`
	// Workspace, Catalog and ServicePrincipal are the names the script is
	// about; ServicePrincipal may be "" when the script does not name it.
	Workspace        string `json:"workspace"`
	Catalog          string `json:"catalog"`
	ServicePrincipal string `json:"servicePrincipal,omitempty"`
	// RunAs says who must run the script, with which privileges.
	RunAs string `json:"runAs"`
	// Fingerprint is the payload's [ucbootstrap.Integration.Fingerprint];
	// for an edit script, the new payload's.
	Fingerprint string `json:"fingerprint"`
	// Notes are further header lines: warnings and instructions.
	Notes      []string    `json:"notes"`
	Statements []Statement `json:"statements"`
}

// Steps returns what each statement does, in order, for the rules of who
// may run the script: privileges.RunAs describes them, and
// privileges.Runner audits a runner against them.
func (s *Script) Steps() []privileges.Step {
	steps := make([]privileges.Step, len(s.Statements))
	for i, st := range s.Statements {
		steps[i] = st.Step
	}
	return steps
}

// Title names the script in its first line.
func (s *Script) Title() string {
	mode := "automatic setup"
	if s.Manual {
		mode = "manual setup"
	}
	return fmt.Sprintf("%s script (%s)", s.Kind, mode)
}

type headerLine struct{ Label, Text string }

type sectionView struct {
	Number     int
	Title      string
	Statements []Statement
}

type scriptView struct {
	Title, SchemaVersion string
	Header               []headerLine
	Notes                []string
	Sections             []sectionView
	Empty                string
}

func (s *Script) view() scriptView {
	v := scriptView{Title: s.Title(), SchemaVersion: ucbootstrap.SchemaVersion, Notes: s.Notes,
		Empty: "the old and the new payload make the same grants and objects."}
	v.Header = append(v.Header,
		headerLine{"workspace", s.Workspace},
		headerLine{"catalog", s.Catalog})
	if s.ServicePrincipal != "" {
		v.Header = append(v.Header, headerLine{"principal", s.ServicePrincipal + " (service principal)"})
	}
	v.Header = append(v.Header,
		headerLine{"run as", s.RunAs},
		headerLine{"payload", s.Fingerprint + " (secrets excluded; the configure call must send the same payload)"})
	for i := 0; i < len(s.Statements); {
		j := i
		for j < len(s.Statements) && s.Statements[j].Section == s.Statements[i].Section {
			j++
		}
		v.Sections = append(v.Sections, sectionView{Number: len(v.Sections) + 1, Title: s.Statements[i].Section.String(), Statements: s.Statements[i:j]})
		i = j
	}
	return v
}

// Render writes the script as SQL text.
func (s *Script) Render(w io.Writer) error {
	if err := templates.Execute(w, "script.sql.tmpl", s.view()); err != nil {
		return fmt.Errorf("generator: render %s script: %w", s.Kind, err)
	}
	return nil
}

// SQL returns the rendered script.
func (s *Script) SQL() (string, error) {
	var b strings.Builder
	err := s.Render(&b)
	return b.String(), err
}

// MarshalJSON adds the schema version and the script's title to its
// fields. SQL is not HTML-escaped: "<>" stays "<>".
func (s *Script) MarshalJSON() ([]byte, error) {
	type plain Script
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(struct {
		Schema string `json:"schema"`
		Title  string `json:"title"`
		*plain
	}{"ucbootstrap.script/v2", s.Title(), (*plain)(s)})
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), err
}

// SetupKind returns the kind of the script a person runs to set the
// integration up: the bootstrap with manual setup, the prerequisites with
// automatic setup (the service principal runs its bootstrap itself).
func SetupKind(in *ucbootstrap.Integration) Kind {
	if in.AutoBootstrap {
		return Prerequisites
	}
	return Bootstrap
}
