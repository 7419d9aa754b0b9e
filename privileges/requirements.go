package privileges

import (
	"fmt"

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
	// Reason says in one line why the requirement exists.
	Reason string `json:"reason"`
	// Unverifiable, when set, says why no grant listing can show the
	// requirement (metastore admin, an external location known only by
	// URL): it is always reported as unverified.
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
	rules  RuleSet
	runner string
}

// Rules selects the rule set; the default is [Current].
func Rules(r RuleSet) Option { return func(o *options) { o.rules = r } }

// Runner adds the requirements of the person who runs a manual bootstrap
// script, named as the grant listings name them (an e-mail address).
// Without it those requirements are left out.
func Runner(principal string) Option { return func(o *options) { o.runner = principal } }

// The reasons of the requirements.
const (
	whyUseCatalogDirect = "USE CATALOG must be granted directly on the catalog of every data source"
	whyManageDirect     = "MANAGE must be set directly on the parent catalog for grants to be fully applied"
	whyUseSchema        = "USE SCHEMA lets the service principal reach the tables of the data source"
	whySelect           = "SELECT lets the service principal read the data it protects"
	whyModify           = "MODIFY and MANAGE let the service principal apply row filters and column masks"
	whyOwnDataSource    = "the owner model: the service principal owns the data sources it protects"
	whyCreateCatalog    = "with automatic setup the service principal creates the governance catalog"
	whyOwnGovernance    = "the service principal owns the governance catalog and everything in it"
	whyAuditCatalog     = "query audit reads the system tables: USE CATALOG on system"
	whyAuditSchema      = "USE SCHEMA must be granted on each system schema: granted on the system catalog it is silently ignored"
	whyAuditTable       = "query audit reads this system table"
	whyRunnerCatalog    = "the runner of the manual script creates the governance catalog"
	whyRunnerStorage    = "a MANAGED LOCATION needs CREATE MANAGED STORAGE on the external location that holds it"
	whyRunnerAdmin      = "the runner grants the system tables of query audit, which takes a metastore admin"
	whyRunnerManage     = "the runner grants the service principal its privileges on the data source"
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
// order: the service principal's (metastore, governance catalog, data
// sources sorted by name, audit), then the runner's when [Runner] names
// one. It returns an error when the integration is invalid or names no
// service principal.
func Required(in *ucbootstrap.Integration, opts ...Option) (*Requirements, error) {
	o := options{rules: Current}
	for _, opt := range opts {
		opt(&o)
	}
	if _, err := ParseRuleSet(string(o.rules)); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, fmt.Errorf("privileges: %w", err)
	}
	c := &in.Config
	sp := c.ServicePrincipalID()
	if sp == "" {
		return nil, fmt.Errorf("privileges: the audit checks the service principal's grants, and a token does not name it: set config.servicePrincipal to its application ID")
	}
	var reqs []Requirement
	add := func(p Privilege, on Securable, direct bool, why string) {
		reqs = append(reqs, Requirement{Who: ForServicePrincipal, Principal: sp, Privilege: p, On: on, DirectOnly: direct, Reason: why})
	}
	if in.AutoBootstrap {
		add(CreateCatalog, Securable{Type: Metastore}, true, whyCreateCatalog)
	}
	add(Ownership, SecurableOf(Catalog, c.CatalogName()), true, whyOwnGovernance)
	for _, ds := range c.Sources() {
		cat := SecurableOf(Catalog, ds.Catalog)
		on := dataSourceSecurable(ds)
		if o.rules == OwnerModel {
			add(Ownership, on, true, whyOwnDataSource)
			continue
		}
		add(UseCatalog, cat, true, whyUseCatalogDirect)
		add(Manage, cat, true, whyManageDirect)
		switch ds.Level() {
		case ucbootstrap.CatalogLevel, ucbootstrap.SchemaLevel:
			add(UseSchema, on, false, whyUseSchema)
		case ucbootstrap.TableLevel:
			add(UseSchema, SecurableOf(Schema, ds.Catalog, ds.Schema), false, whyUseSchema)
		}
		add(Select, on, false, whySelect)
		add(Modify, on, false, whyModify)
	}
	if c.Audit.Enabled {
		add(UseCatalog, NewSecurable(Catalog, "system"), true, whyAuditCatalog)
		schemas := []string{"access"}
		if c.Audit.QueryHistory {
			schemas = append(schemas, "query")
		}
		for _, s := range schemas {
			add(UseSchema, NewSecurable(Schema, "system."+s), true, whyAuditSchema)
		}
		tables := []string{"access.audit", "access.column_lineage", "access.table_lineage"}
		if c.Audit.QueryHistory {
			tables = append(tables, "query.history")
		}
		for _, t := range tables {
			add(Select, NewSecurable(Table, "system."+t), false, whyAuditTable)
		}
	}
	reqs = dedupe(reqs)
	if o.runner != "" && !in.AutoBootstrap {
		reqs = append(reqs, runnerRequirements(in, o.runner)...)
	}
	return &Requirements{Rules: o.rules, ServicePrincipal: sp, Catalog: c.CatalogName(), List: reqs}, nil
}

// dataSourceSecurable returns the securable a data source names. A
// table-level data source may be a view: the audit matches TABLE and VIEW
// alike by name.
func dataSourceSecurable(ds ucbootstrap.DataSource) Securable {
	switch ds.Level() {
	case ucbootstrap.TableLevel:
		return SecurableOf(Table, ds.Parts()...)
	case ucbootstrap.SchemaLevel:
		return SecurableOf(Schema, ds.Parts()...)
	}
	return SecurableOf(Catalog, ds.Parts()...)
}

// dedupe drops requirements that repeat an earlier one (two tables of one
// catalog both need USE CATALOG on it).
func dedupe(reqs []Requirement) []Requirement {
	type key struct {
		who Who
		p   Privilege
		on  Securable
	}
	seen := map[key]bool{}
	out := reqs[:0]
	for _, r := range reqs {
		k := key{r.Who, r.Privilege, r.On}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, r)
	}
	return out
}

func runnerRequirements(in *ucbootstrap.Integration, runner string) []Requirement {
	c := &in.Config
	reqs := []Requirement{{Who: ForRunner, Principal: runner, Privilege: CreateCatalog, On: Securable{Type: Metastore}, DirectOnly: true, Reason: whyRunnerCatalog}}
	var locs []string
	if c.Storage.CatalogLocation != "" {
		locs = append(locs, c.Storage.CatalogLocation)
	}
	for _, s := range ucbootstrap.GovernanceSchemas {
		if l := c.Storage.SchemaLocation(s); l != "" {
			locs = append(locs, l)
		}
	}
	for _, l := range locs {
		reqs = append(reqs, Requirement{Who: ForRunner, Principal: runner, Privilege: CreateManagedStorage,
			On: NewSecurable(ExternalLocation, l), Reason: whyRunnerStorage,
			Unverifiable: "a grant listing names external locations, not the URLs they hold: check CREATE MANAGED STORAGE on the location that holds " + l})
	}
	if c.Audit.Enabled {
		reqs = append(reqs, Requirement{Who: ForRunner, Principal: runner, Privilege: MetastoreAdmin, On: Securable{Type: Metastore},
			Reason: whyRunnerAdmin, Unverifiable: "metastore admin is a role, not a grant: check it in the account console"})
	}
	for _, ds := range c.Sources() {
		reqs = append(reqs, Requirement{Who: ForRunner, Principal: runner, Privilege: Manage, On: dataSourceSecurable(ds), Reason: whyRunnerManage})
	}
	return reqs
}
