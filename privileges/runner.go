package privileges

import (
	"fmt"
	"slices"
	"strings"
)

// StepKind is what a statement of a script does, as far as the rules of
// who may run it go.
type StepKind string

// The kinds of steps.
const (
	// StepCreateCatalog creates a catalog (CREATE CATALOG).
	StepCreateCatalog StepKind = "create-catalog"
	// StepCreate creates a schema, table or function inside an object the
	// same script created, whose creator owns it.
	StepCreate StepKind = "create"
	// StepGrant grants or revokes privileges on On.
	StepGrant StepKind = "grant"
	// StepOwner hands On to NewOwner (ALTER ... OWNER TO).
	StepOwner StepKind = "owner"
	// StepDrop drops On (DROP CATALOG ... CASCADE).
	StepDrop StepKind = "drop"
	// StepRead only reads what anyone may read (the guards' queries of
	// information_schema).
	StepRead StepKind = "read"
)

// A Step is what one statement of a script does, for the rules of who may
// run it: the generator gives one per statement, and [Step.Needs] says what
// the person who runs the statement must hold. These are the one table of
// the runner's rules: the script header, the audit's --runner and the
// executor's pre-flight all read them.
type Step struct {
	Kind StepKind  `json:"kind"`
	On   Securable `json:"on"`
	// Created means the same script created On before this step, so that
	// its runner owns it.
	Created bool `json:"created,omitempty"`
	// NewOwner is the principal a StepOwner hands On to.
	NewOwner string `json:"newOwner,omitempty"`
	// Location is the MANAGED LOCATION a create step uses, or "".
	Location string `json:"location,omitempty"`
}

// The reasons of the runner's requirements.
const (
	whyRunnerCatalog   = "CREATE CATALOG needs CREATE CATALOG on the metastore (metastore admins hold it)"
	whyRunnerStorage   = "a MANAGED LOCATION needs CREATE MANAGED STORAGE on the external location that holds it"
	whyRunnerGrant     = "granting or revoking on an object needs MANAGE on it, ownership of it or of its catalog or schema, or a metastore admin"
	whyRunnerUseParent = "a MANAGE holder or owner who grants on an object also needs USE CATALOG on its catalog and USE SCHEMA on its schema"
	whyRunnerMetastore = "granting on the metastore takes a metastore admin"
	whyRunnerSystem    = "granting on the system catalog's schemas and tables takes a metastore admin"
	whyRunnerFunction  = "only a metastore admin may hand a function, view or model to a principal that is not a group (Databricks: functions update API; Manage Unity Catalog object ownership)"
	whyRunnerOwner     = "only the owner of an object, or a metastore admin, may hand it to another principal"
	whyRunnerDrop      = "DROP CATALOG needs ownership of the catalog or MANAGE on it; a metastore admin who holds neither first makes themself the owner"
)

// adminOnlyOwnership lists the securable types whose ownership only a
// metastore admin may hand to a principal that is not a group the caller
// belongs to.
var adminOnlyOwnership = []SecurableType{Function, View, MaterializedView}

// Needs returns what the principal who runs s must hold, as requirements
// of runner (Who is ForRunner, Area is AreaScript).
func (s Step) Needs(runner string) []Requirement { return s.appendNeeds(nil, runner) }

// appendNeeds appends what Needs returns to out.
func (s Step) appendNeeds(out []Requirement, runner string) []Requirement {
	req := func(p Privilege, on Securable, why string) Requirement {
		return Requirement{Who: ForRunner, Principal: runner, Privilege: p, On: on, Area: AreaScript, Reason: why}
	}
	if s.Location != "" {
		r := req(CreateManagedStorage, NewSecurable(ExternalLocation, s.Location), whyRunnerStorage)
		r.Unverifiable = "a grant listing names external locations, not the URLs they hold: check CREATE MANAGED STORAGE on the location that holds " + s.Location
		out = append(out, r)
	}
	switch s.Kind {
	case StepCreateCatalog:
		r := req(CreateCatalog, Securable{Type: Metastore}, whyRunnerCatalog)
		r.DirectOnly, r.ByOwner, r.ByAdmin = true, ByOwnerOfObject, true
		out = append(out, r)
	case StepGrant:
		switch {
		case s.Created:
		case s.On.Type == Metastore:
			out = append(out, req(MetastoreAdmin, Securable{Type: Metastore}, whyRunnerMetastore))
		case s.On.CatalogName() == "system":
			out = append(out, req(MetastoreAdmin, Securable{Type: Metastore}, whyRunnerSystem))
		default:
			r := req(Manage, s.On, whyRunnerGrant)
			r.ByOwner, r.ByAdmin = ByOwnerOfObjectOrParent, true
			out = append(out, r)
			for _, a := range s.On.Ancestors() {
				p := UseSchema
				if a.Type == Catalog {
					p = UseCatalog
				}
				r := req(p, a, whyRunnerUseParent)
				r.ByOwner, r.ByAdmin = ByOwnerOfObject, true
				out = append(out, r)
			}
		}
	case StepOwner:
		switch {
		case slices.Contains(adminOnlyOwnership, s.On.Type) && KindOf(s.NewOwner) != Group:
			out = append(out, req(MetastoreAdmin, Securable{Type: Metastore}, whyRunnerFunction))
		case s.Created:
		default:
			r := req(Ownership, s.On, whyRunnerOwner)
			r.DirectOnly, r.ByAdmin = true, true
			out = append(out, r)
		}
	case StepDrop:
		if !s.Created {
			r := req(Manage, s.On, whyRunnerDrop)
			r.ByOwner = ByOwnerOfObject
			out = append(out, r)
		}
	}
	return out
}

// RunnerRequirements returns what the person who runs the steps must hold,
// each requirement once, in the order the steps first need it.
func RunnerRequirements(runner string, steps []Step) []Requirement {
	var out []Requirement
	eachNeed(runner, steps, func(r Requirement, first bool) {
		if first {
			out = append(out, r)
		}
	})
	return out
}

// eachNeed calls fn with every requirement of every step, in order; first
// is true the first time a privilege on a securable comes.
func eachNeed(runner string, steps []Step, fn func(r Requirement, first bool)) {
	seen := make(map[reqKey]bool, len(steps))
	var buf []Requirement
	for _, s := range steps {
		buf = s.appendNeeds(buf[:0], runner)
		for _, r := range buf {
			k := reqKey{r.Privilege, r.On}
			first := !seen[k]
			if first {
				seen[k] = true
			}
			fn(r, first)
		}
	}
}

// RunnerNeeds sums up what the person who runs a script must hold, for
// its header: made from [RunnerRequirements], so that the header says
// what the audit's --runner checks.
type RunnerNeeds struct {
	// AdminFor says why a metastore admin is needed, when one is ("to hand
	// functions to the service principal"); empty when none is.
	AdminFor []string
	// Holds lists what the runner must hold beyond being a metastore admin
	// (or, without one, at all): "CREATE CATALOG on the metastore", "MANAGE
	// on (or ownership of) CATALOG hr", ...
	Holds []string
	// Owner means the runner must own (or hold MANAGE on) the governance
	// catalog, to drop it.
	Owner bool
	// Empty means the steps need nothing: there are none.
	Empty bool
	// AdminSuffices means a metastore admin may run the steps as well as a
	// user who holds what Holds lists.
	AdminSuffices bool
}

// Describe sums up what running the steps takes.
func Describe(steps []Step) RunnerNeeds {
	var n RunnerNeeds
	n.Empty = len(steps) == 0
	// What the runner must hold, in two sets: what a metastore admin holds
	// by being one, and the rest; which of them the header names depends
	// on whether a step needs an admin, known at the end.
	var holds [2]holdings // [0]: not held by an admin; [1]: held by one
	n.AdminSuffices = true
	eachNeed("", steps, func(r Requirement, first bool) {
		if r.Privilege == MetastoreAdmin {
			if w := adminWhy(r.Reason); !slices.Contains(n.AdminFor, w) {
				n.AdminFor = append(n.AdminFor, w)
			}
			return
		}
		if !first {
			return
		}
		if !r.ByAdmin {
			n.AdminSuffices = false
		}
		holds[boolRank(r.ByAdmin)].add(r)
	})
	h := holds[0]
	if len(n.AdminFor) == 0 {
		h.merge(holds[1])
	}
	manage, own, storage, catalog, use := h.manage, h.own, h.storage, h.catalog, h.use
	n.Owner = h.drop
	if catalog {
		n.Holds = append(n.Holds, "CREATE CATALOG on the metastore")
	}
	if manage.n > 0 {
		h := "MANAGE on (or ownership of) " + manage.String()
		if use {
			h += ", with USE CATALOG and USE SCHEMA on the catalogs and schemas that hold them"
		}
		n.Holds = append(n.Holds, h)
	}
	if own.n > 0 {
		n.Holds = append(n.Holds, "ownership of "+own.String())
	}
	if storage.n > 0 {
		n.Holds = append(n.Holds, "CREATE MANAGED STORAGE on the external locations that hold "+storage.String())
	}
	return n
}

// String describes who may run the script: "a metastore admin (to hand
// functions to the service principal), with CREATE MANAGED STORAGE on
// ...", "a user with MANAGE on (or ownership of) CATALOG hr, ...", or the
// owner of the governance catalog.
func (n RunnerNeeds) String() string {
	holds := andList(n.Holds)
	switch {
	case n.Empty:
		return "nobody: the script has no statements"
	case len(n.AdminFor) > 0:
		s := "a metastore admin (" + strings.Join(n.AdminFor, ", and ") + ")"
		if n.Owner {
			s += " who owns the governance catalog or holds MANAGE on it"
		}
		if holds != "" {
			s += ", with " + holds
		}
		return s
	case n.Owner && holds == "":
		return "the owner of the governance catalog (the service principal), or a user with MANAGE on it"
	case n.Owner:
		return "the owner of the governance catalog (the service principal), or a user with MANAGE on it, with " + holds
	case holds == "":
		return "anyone who can reach the workspace (the statements need no privilege of their own)"
	case n.AdminSuffices:
		return "a metastore admin, or a user with " + holds
	}
	return "a user with " + holds
}

// RunAs is Describe(steps).String().
func RunAs(steps []Step) string { return Describe(steps).String() }

// andList returns "a", "a and b" or "a, b, and c".
func andList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	case 2:
		return items[0] + " and " + items[1]
	}
	return strings.Join(items[:len(items)-1], ", ") + ", and " + items[len(items)-1]
}

// adminWhy says in a few words why a step needs a metastore admin.
func adminWhy(reason string) string {
	switch {
	case reason == whyRunnerMetastore:
		return "for the grants on the metastore"
	case reason == whyRunnerSystem:
		return "for the grants on the system tables"
	}
	return "to hand functions to the service principal"
}

// holdings sorts the runner's requirements for the header.
type holdings struct {
	manage, own, storage firstFew
	catalog, use, drop   bool
}

func (h *holdings) add(r Requirement) {
	switch {
	case r.Privilege == CreateManagedStorage:
		h.storage.add(r.On.Name)
	case r.Privilege == CreateCatalog:
		h.catalog = true
	case r.Privilege == Manage && r.Reason == whyRunnerDrop:
		h.drop = true
	case r.Privilege == Manage:
		h.manage.add(r.On.String())
	case r.Privilege == Ownership:
		h.own.add(r.On.String())
	default:
		h.use = true
	}
}

func (h *holdings) merge(o holdings) {
	h.manage.merge(o.manage)
	h.own.merge(o.own)
	h.storage.merge(o.storage)
	h.catalog, h.use, h.drop = h.catalog || o.catalog, h.use || o.use, h.drop || o.drop
}

// firstFew keeps the first few items of a list and counts them all, for a
// header line that names five and counts the rest.
type firstFew struct {
	items []string
	n     int
}

const fewItems = 5

func (f *firstFew) add(s string) {
	if f.n < fewItems {
		f.items = append(f.items, s)
	}
	f.n++
}

func (f *firstFew) merge(o firstFew) {
	for _, s := range o.items {
		if len(f.items) < fewItems {
			f.items = append(f.items, s)
		}
	}
	f.n += o.n
}

// String joins the items kept and counts the others: "a, b, c, d, e and 3
// more".
func (f firstFew) String() string {
	s := strings.Join(f.items, ", ")
	if f.n > len(f.items) {
		s += fmt.Sprintf(" and %d more", f.n-len(f.items))
	}
	return s
}
