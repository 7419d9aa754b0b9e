package privileges

import (
	"fmt"
	"slices"

	"github.com/ucbootstrap/ucbootstrap"
)

// RuleSet names a version of the rules that derive requirements from an
// integration, so that a pipeline can pin one.
type RuleSet string

// The rule sets.
const (
	// Current is the MANAGE model of the current integration
	// documentation: USE CATALOG and MANAGE directly on each data source's
	// catalog, USE SCHEMA on its schemas, SELECT and MODIFY on the data.
	Current RuleSet = "current"
	// OwnerModel is the older model: the service principal owns each data
	// source (catalog, schema or table) instead of holding MANAGE, USE,
	// SELECT and MODIFY on it.
	OwnerModel RuleSet = "owner-model"
)

// RuleSets lists the rule sets; the first is the default.
var RuleSets = []RuleSet{Current, OwnerModel}

// ParseRuleSet returns the rule set named s.
func ParseRuleSet(s string) (RuleSet, error) {
	for _, r := range RuleSets {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("privileges: unknown rule set %q: use current or owner-model", s)
}

// Who says whose requirement it is.
type Who string

// The holders of requirements.
const (
	ForServicePrincipal Who = "service principal"
	ForRunner           Who = "runner"
)

// Area says which part of the integration a requirement serves; the
// generator puts the grants of each area in a section of their own.
type Area string

// The areas of requirements.
const (
	// AreaMetastore: the service principal creates the governance catalog
	// itself (automatic setup).
	AreaMetastore Area = "metastore"
	// AreaGovernance: the governance catalog and every object in it
	// belong to the service principal.
	AreaGovernance Area = "governance"
	// AreaData: the service principal on the data it protects.
	AreaData Area = "data"
	// AreaAudit: the system tables that query audit reads.
	AreaAudit Area = "audit"
	// AreaScript: what the person who runs a script needs for its
	// statements.
	AreaScript Area = "script"
)

// ByOwner says when owning a securable meets a requirement without a
// grant. Owners hold every privilege on the object itself, and none on
// its children: the owner of a catalog has no SELECT on its tables ("owners
// of a schema do not automatically have all privileges on the tables in
// the schema", Databricks: Manage Unity Catalog object ownership).
type ByOwner string

// The ways ownership meets a requirement.
const (
	// NotByOwner: only a grant meets the requirement.
	NotByOwner ByOwner = ""
	// ByOwnerOfObject: owning the securable itself meets it.
	ByOwnerOfObject ByOwner = "object"
	// ByOwnerOfObjectOrParent: owning the securable, or the catalog or
	// schema that holds it, meets it (who may grant privileges on an
	// object).
	ByOwnerOfObjectOrParent ByOwner = "object-or-parent"
)

// A Requirement is a privilege (or the ownership) that a principal must hold
// on a securable.
type Requirement struct {
	Who       Who       `json:"who"`
	Principal string    `json:"principal"`
	Privilege Privilege `json:"privilege"` // Ownership for an ownership requirement
	On        Securable `json:"on"`
	// DirectOnly means a grant on On itself is needed: an inherited one
	// does not count.
	DirectOnly bool `json:"directOnly,omitempty"`
	// Area is the part of the integration the requirement serves.
	Area Area `json:"area"`
	// ByOwner says whether owning On (or its parent) meets the
	// requirement without a grant.
	ByOwner ByOwner `json:"byOwner,omitempty"`
	// ByAdmin means a metastore admin meets the requirement without a
	// grant (metastore admins manage the privileges and ownership of every
	// object, and hold the metastore's privileges).
	ByAdmin bool `json:"byAdmin,omitempty"`
	// Reason says in one line why the requirement exists.
	Reason string `json:"reason"`
	// Unverifiable, when set, says why no grant listing can show the
	// requirement (an external location known only by URL): it is always
	// reported as unverified.
	Unverifiable string `json:"unverifiable,omitempty"`
}

// String describes the requirement: "service principal: MANAGE on CATALOG
// main (direct)".
func (r Requirement) String() string {
	s := string(r.Who) + ": " + r.Privilege.SQL() + " on " + r.On.String()
	switch r.Privilege {
	case Ownership:
		s = string(r.Who) + ": ownership of " + r.On.String()
	case MetastoreAdmin:
		s = string(r.Who) + ": metastore admin"
	}
	if r.DirectOnly {
		s += " (direct)"
	}
	return s
}

// An Option changes what [Required] derives.
type Option func(*options)

type options struct {
	rules        RuleSet
	runner       string
	steps        []Step
	prevalidated bool
}

// Prevalidated tells Required that the caller has just validated the
// integration (the generator does, before anything else), so that it is
// not validated a second time: for a payload of 100 000 data sources that
// is a tenth of the time of a script.
func Prevalidated() Option { return func(o *options) { o.prevalidated = true } }

// Rules selects the rule set; the default is [Current].
func Rules(r RuleSet) Option { return func(o *options) { o.rules = r } }

// Runner adds the requirements of the person who runs a script, named as
// the grant listings name them (an e-mail address): what each of the
// script's steps needs (see [Step.Needs]). The generator gives a script's
// steps (generator.Script.Steps). Without it those requirements are left
// out.
func Runner(principal string, steps []Step) Option {
	return func(o *options) { o.runner, o.steps = principal, steps }
}

// The reasons of the service principal's requirements.
const (
	whyUseCatalogDirect = "USE CATALOG must be granted directly on the catalog of every data source"
	whyManageDirect     = "MANAGE must be set directly on the parent catalog for grants to be fully applied"
	whyUseSchema        = "USE SCHEMA lets the service principal reach the tables of the data source"
	whySelect           = "SELECT lets the service principal read the data it protects"
	whyModify           = "MODIFY and MANAGE let the service principal apply row filters and column masks"
	whyOwnDataSource    = "the owner model: the service principal owns the data sources it protects"
	whyCreateCatalog    = "with automatic setup the service principal creates the governance catalog"
	whyOwnGovernance    = "the service principal owns the governance catalog and everything in it, so that nobody else can read or change what the policies rest on"
	whyAuditCatalog     = "query audit reads the system tables: USE CATALOG on system"
	whyAuditSchema      = "USE SCHEMA must be granted on each system schema: granted on the system catalog it is silently ignored"
	whyAuditTable       = "query audit reads this system table"
)

// Requirements are what an integration needs, with what the audit must know
// about it.
type Requirements struct {
	Rules            RuleSet       `json:"rules"`
	ServicePrincipal string        `json:"servicePrincipal"`
	Catalog          string        `json:"catalog"` // the governance catalog
	List             []Requirement `json:"requirements"`
}

// Required returns the requirements of a valid integration, in a fixed
// order: the service principal's (metastore, governance catalog and its
// objects, data sources sorted by name, audit), then the runner's when
// [Runner] names one. It is the one table of rules: the generator makes
// the service principal's grants from it ([Requirements.Grants]), so that
// a generated script meets its own audit by construction. Required returns
// an error when the integration is invalid or names no service principal.
func Required(in *ucbootstrap.Integration, opts ...Option) (*Requirements, error) {
	o := options{rules: Current}
	for _, opt := range opts {
		opt(&o)
	}
	if _, err := ParseRuleSet(string(o.rules)); err != nil {
		return nil, err
	}
	if !o.prevalidated {
		if err := in.Validate(); err != nil {
			return nil, fmt.Errorf("privileges: %w", err)
		}
	}
	c := &in.Config
	sp := c.ServicePrincipalID()
	if sp == "" {
		return nil, fmt.Errorf("privileges: the audit checks the service principal's grants, and a token does not name it: set config.servicePrincipal to its application ID")
	}
	n := 1 + len(ucbootstrap.GovernanceObjects) + 5*len(c.DataSources) + 12
	b := &builder{sp: sp, reqs: make([]Requirement, 0, n), seen: make(map[reqKey]bool, n)}
	if in.AutoBootstrap {
		b.add(AreaMetastore, CreateCatalog, Securable{Type: Metastore}, true, whyCreateCatalog)
	}
	catalog := c.CatalogName()
	b.add(AreaGovernance, Ownership, SecurableOf(Catalog, catalog), true, whyOwnGovernance)
	for _, obj := range ucbootstrap.GovernanceObjects {
		b.add(AreaGovernance, Ownership, SecurableOf(SecurableType(obj.Kind), append([]string{catalog}, obj.Parts()...)...), true, whyOwnGovernance)
	}
	for _, ds := range outermost(c.Sources()) {
		rules := dataRules
		if o.rules == OwnerModel {
			rules = ownerModelRules
		}
		for _, rule := range rules {
			b.add(AreaData, rule.privilege, rule.on(ds), rule.direct, rule.why)
		}
	}
	if c.Audit.Enabled {
		for _, rule := range auditRules(c.Audit) {
			b.add(AreaAudit, rule.privilege, rule.on(ucbootstrap.DataSource{}), rule.direct, rule.why)
		}
	}
	reqs := b.reqs
	if o.runner != "" {
		reqs = append(reqs, RunnerRequirements(o.runner, o.steps)...)
	}
	return &Requirements{Rules: o.rules, ServicePrincipal: sp, Catalog: catalog, List: reqs}, nil
}

// A rule is one privilege the service principal must hold for a data
// source: on which securable, whether it must be granted there directly,
// and why. The generator grants exactly what the rules require; the audit
// checks exactly that.
type rule struct {
	privilege Privilege
	on        func(ucbootstrap.DataSource) Securable
	direct    bool
	why       string
}

// dataRules are the rules of the current (MANAGE) model, for every data
// source: USE CATALOG and MANAGE directly on its catalog, USE SCHEMA on the
// data source (or, for a table, on its schema), SELECT and MODIFY on it.
var dataRules = []rule{
	{UseCatalog, catalogOf, true, whyUseCatalogDirect},
	{Manage, catalogOf, true, whyManageDirect},
	{UseSchema, schemaOf, false, whyUseSchema},
	{Select, dataSourceSecurable, false, whySelect},
	{Modify, dataSourceSecurable, false, whyModify},
}

// ownerModelRules are the rules of the older owner model: the service
// principal owns every data source.
var ownerModelRules = []rule{
	{Ownership, dataSourceSecurable, true, whyOwnDataSource},
}

// auditRules are the rules of query audit: USE CATALOG on system, USE
// SCHEMA on each system schema (never on the catalog, where it is ignored)
// and SELECT on each table query audit reads.
func auditRules(a ucbootstrap.Audit) []rule {
	fixed := func(s Securable) func(ucbootstrap.DataSource) Securable {
		return func(ucbootstrap.DataSource) Securable { return s }
	}
	rules := []rule{{UseCatalog, fixed(SecurableOf(Catalog, "system")), true, whyAuditCatalog}}
	for _, s := range auditSchemas(a) {
		rules = append(rules, rule{UseSchema, fixed(SecurableOf(Schema, "system", s.schema)), true, whyAuditSchema})
		for _, t := range s.tables {
			rules = append(rules, rule{Select, fixed(SecurableOf(Table, "system", s.schema, t)), false, whyAuditTable})
		}
	}
	return rules
}

func catalogOf(ds ucbootstrap.DataSource) Securable { return SecurableOf(Catalog, ds.Catalog) }

// schemaOf returns the securable that USE SCHEMA is granted on for a data
// source: the data source itself for a catalog or a schema, the schema of
// a table.
func schemaOf(ds ucbootstrap.DataSource) Securable {
	if ds.Level() == ucbootstrap.TableLevel {
		return SecurableOf(Schema, ds.Catalog, ds.Schema)
	}
	return dataSourceSecurable(ds)
}

// builder collects the service principal's requirements without repeats
// (two tables of one catalog both need USE CATALOG on it).
type builder struct {
	sp   string
	reqs []Requirement
	seen map[reqKey]bool
}

type reqKey struct {
	p  Privilege
	on Securable
}

func (b *builder) add(area Area, p Privilege, on Securable, direct bool, why string) {
	k := reqKey{p, on}
	if b.seen[k] {
		return
	}
	b.seen[k] = true
	r := Requirement{Who: ForServicePrincipal, Principal: b.sp, Privilege: p, On: on, DirectOnly: direct, Area: area, Reason: why}
	if p != Ownership && p != Manage && ownerHolds(p, on.Type) {
		// MANAGE is the one exception: the integration's documentation asks
		// for it set directly on the catalog, owner or not.
		r.ByOwner = ByOwnerOfObject
	}
	b.reqs = append(b.reqs, r)
}

// An auditSchema is a system schema and the tables of it that query audit
// reads.
type auditSchema struct {
	schema string
	tables []string
}

// auditSchemas returns the system schemas and tables of query audit, in
// the order the requirements list them.
func auditSchemas(a ucbootstrap.Audit) []auditSchema {
	out := []auditSchema{{"access", []string{"audit", "column_lineage", "table_lineage"}}}
	if a.QueryHistory {
		out = append(out, auditSchema{"query", []string{"history"}})
	}
	return out
}

// AuditTables returns the system tables query audit reads when it is on,
// as "system.schema.table" securables: what the validation probes and the
// bootstrap grants. It returns nil when audit is off.
func AuditTables(a ucbootstrap.Audit) []Securable {
	if !a.Enabled {
		return nil
	}
	var out []Securable
	for _, s := range auditSchemas(a) {
		for _, t := range s.tables {
			out = append(out, SecurableOf(Table, "system", s.schema, t))
		}
	}
	return out
}

// outermost returns the sorted data sources without those that lie inside
// another: the grants on the outer one cover them (Validate warns about
// them).
func outermost(sources []ucbootstrap.DataSource) []ucbootstrap.DataSource {
	out := make([]ucbootstrap.DataSource, 0, len(sources))
	for _, ds := range sources {
		// In sorted order a catalog comes right before its schemas and a
		// schema right before its tables, so the data source that covers
		// this one, if any, is the last one kept.
		if n := len(out); n > 0 && out[n-1].Contains(ds) {
			continue
		}
		out = append(out, ds)
	}
	return slices.Clip(out)
}

// dataSourceSecurable returns the securable a data source names: a
// table-level data source is a TABLE, since the script grants MODIFY on it
// and a view takes none (the README says to protect a view's schema). The
// audit still matches a grant listed on a view of that name (keyOf: one
// namespace).
func dataSourceSecurable(ds ucbootstrap.DataSource) Securable {
	switch ds.Level() {
	case ucbootstrap.TableLevel:
		return SecurableOf(Table, ds.Parts()...)
	case ucbootstrap.SchemaLevel:
		return SecurableOf(Schema, ds.Parts()...)
	}
	return SecurableOf(Catalog, ds.Parts()...)
}
