package generator

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/internal/sqltext"
	"github.com/ucbootstrap/ucbootstrap/templates"
)

// An Option changes what [Generate] produces.
type Option func(*options)

type options struct {
	from         *ucbootstrap.Integration
	revokeGrants bool
}

// From gives the old payload of an [Edit] script.
func From(old *ucbootstrap.Integration) Option { return func(o *options) { o.from = old } }

// RevokeGrants makes a [Cleanup] script also revoke the service principal's
// data-source and audit grants.
func RevokeGrants() Option { return func(o *options) { o.revokeGrants = true } }

// Generate returns the script of the given kind for the integration, which
// it validates first. An invalid payload gives an error wrapping
// [ucbootstrap.Diagnostics]; a script that cannot be made from a valid
// payload (prerequisites with manual setup, an edit that cannot be made in
// place) gives an error that says what to do instead.
func Generate(in *ucbootstrap.Integration, kind Kind, opts ...Option) (*Script, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if in == nil {
		return nil, errors.New("generator: no integration")
	}
	if err := in.Validate(); err != nil {
		return nil, fmt.Errorf("generator: %w", err)
	}
	if kind != Edit && o.from != nil {
		return nil, fmt.Errorf("generator: an old payload (From) is only used by the edit script, not by %s", kind)
	}
	g := &gen{in: in, c: &in.Config}
	g.s = &Script{
		Kind:        kind,
		Manual:      !in.AutoBootstrap,
		Workspace:   g.c.Host(),
		Catalog:     g.c.CatalogName(),
		Fingerprint: in.Fingerprint(),
		Notes:       []string{},
	}
	var err error
	switch kind {
	case Bootstrap:
		err = g.bootstrap()
	case Prerequisites:
		err = g.prerequisites()
	case Edit:
		err = g.edit(o.from)
	case Cleanup:
		err = g.cleanup(o.revokeGrants)
	default:
		_, err = ParseKind(string(kind))
	}
	if err != nil {
		return nil, err
	}
	return g.s, nil
}

type gen struct {
	in *ucbootstrap.Integration
	c  *ucbootstrap.Config
	s  *Script
}

func (g *gen) add(sec Section, purpose, sql string) {
	g.s.Statements = append(g.s.Statements, Statement{Section: sec, Purpose: purpose, SQL: sql})
}

func (g *gen) note(format string, args ...any) {
	g.s.Notes = append(g.s.Notes, fmt.Sprintf(format, args...))
}

// sp returns the service principal, or an error naming the field to set
// when a script must name it and the payload does not.
func (g *gen) sp(what string) (string, error) {
	sp := g.c.ServicePrincipalID()
	if sp == "" {
		return "", fmt.Errorf("generator: the %s grants to the service principal, and a token does not name it: set config.servicePrincipal to its application ID", what)
	}
	g.s.ServicePrincipal = sp
	return sp, nil
}

// spGrants returns every grant the service principal needs, in script
// order: metastore (automatic setup), data sources, audit.
func spGrants(in *ucbootstrap.Integration, sp string) []Grant {
	c := &in.Config
	grants := MetastoreGrants(sp, in.AutoBootstrap)
	grants = append(grants, DataGrants(sp, c.Sources())...)
	return append(grants, AuditGrants(sp, c.Audit)...)
}

func sectionOf(g Grant) Section {
	switch {
	case g.On.Type == "METASTORE":
		return SectionMetastore
	case len(g.On.Name) > 0 && g.On.Name[0] == "system":
		return SectionAudit
	}
	return SectionData
}

func (g *gen) grants(grants []Grant) {
	for _, gr := range grants {
		g.add(sectionOf(gr), gr.Reason, gr.SQL())
	}
}

func (g *gen) revokes(grants []Grant, purpose string) {
	for _, gr := range grants {
		g.add(SectionRevokes, purpose, gr.RevokeSQL())
	}
}

// runner describes who runs a manual bootstrap script.
func (g *gen) runner() string {
	parts := []string{"a user with CREATE CATALOG on the metastore"}
	if g.hasLocations() {
		parts = append(parts, "CREATE MANAGED STORAGE on the external locations that hold the managed locations")
	}
	if len(g.c.DataSources) > 0 {
		parts = append(parts, "MANAGE on (or ownership of) every data source")
	}
	if g.c.Audit.Enabled {
		parts = append(parts, "metastore admin (audit is on)")
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + ", and " + parts[len(parts)-1]
}

func (g *gen) hasLocations() bool {
	return g.c.Storage.CatalogLocation != "" || len(g.c.Storage.SchemaLocations) > 0
}

func (g *gen) bootstrap() error {
	if !g.in.AutoBootstrap {
		sp, err := g.sp("bootstrap script")
		if err != nil {
			return err
		}
		g.s.RunAs = g.runner()
		g.note("Safe to run again; once the service principal owns the catalog, only a metastore admin (or the service principal) can.")
		if err := g.governance(); err != nil {
			return err
		}
		g.grants(spGrants(g.in, sp))
		return g.ownership(sp)
	}
	g.s.RunAs = "the service principal itself, once an admin has run the prerequisites script"
	g.s.ServicePrincipal = g.c.ServicePrincipalID()
	g.note("Safe to run again.")
	return g.governance()
}

func (g *gen) prerequisites() error {
	if !g.in.AutoBootstrap {
		return errors.New("generator: the prerequisites script is for automatic setup (autoBootstrap: true); with manual setup the bootstrap script makes every grant itself")
	}
	sp, err := g.sp("prerequisites script")
	if err != nil {
		return err
	}
	g.s.RunAs = "a metastore admin (or the owner of each data source, with the metastore grants made by a metastore admin)"
	if g.hasLocations() {
		g.note("The service principal also needs CREATE MANAGED STORAGE on the external locations that hold %s: grant it on each of them.", strings.Join(g.locations(), ", "))
	}
	g.note("Safe to run again. Then configure the integration: the service principal runs the bootstrap script.")
	g.grants(spGrants(g.in, sp))
	return nil
}

func (g *gen) locations() []string {
	var locs []string
	if l := g.c.Storage.CatalogLocation; l != "" {
		locs = append(locs, l)
	}
	for _, schema := range sortedKeys(g.c.Storage.SchemaLocations) {
		locs = append(locs, g.c.Storage.SchemaLocations[schema])
	}
	return locs
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// governanceView is the data of the governance templates.
type governanceView struct {
	Catalog, System, Functions                         string
	CatalogLocation, SystemLocation, FunctionsLocation string
	Tenant, TenantNote                                 string
}

// The governance objects, in creation order. Ownership is handed over in
// the reverse order, so that the catalog goes last.
type object struct {
	kind     string // SCHEMA, TABLE or FUNCTION
	schema   string // for tables and functions
	name     string
	template string
	purpose  string
}

var governanceObjects = []object{
	{"SCHEMA", "", ucbootstrap.SystemSchema, "schema_system", "holds the integration's own tables"},
	{"TABLE", ucbootstrap.SystemSchema, "integration_metadata", "table_integration_metadata", "records facts about the integration, such as its tenant"},
	{"GUARD", "", "", "tenant_guard", "fails when another tenant already owns this catalog"},
	{"RECORD", "", "", "tenant_record", "records the tenant of this catalog"},
	{"TABLE", ucbootstrap.SystemSchema, "user_entitlements", "table_user_entitlements", "holds the attributes that row filters test"},
	{"TABLE", ucbootstrap.SystemSchema, "principal_exemptions", "table_principal_exemptions", "holds the principals that policies do not apply to"},
	{"SCHEMA", "", ucbootstrap.FunctionsSchema, "schema_functions", "holds the functions that row filters and column masks call"},
	{"FUNCTION", ucbootstrap.FunctionsSchema, "is_exempt", "function_is_exempt", "tells whether the current user is exempt from policies"},
	{"FUNCTION", ucbootstrap.FunctionsSchema, "has_attribute", "function_has_attribute", "tells whether the current user holds an attribute value"},
	{"FUNCTION", ucbootstrap.FunctionsSchema, "filter_by_attribute", "function_filter_by_attribute", "row filter on an attribute"},
	{"FUNCTION", ucbootstrap.FunctionsSchema, "mask_string", "function_mask_string", "column mask that hides a value"},
	{"FUNCTION", ucbootstrap.FunctionsSchema, "mask_hash", "function_mask_hash", "column mask that hashes a value"},
}

func (g *gen) view() governanceView {
	v := governanceView{
		Catalog:           g.c.CatalogName(),
		System:            ucbootstrap.SystemSchema,
		Functions:         ucbootstrap.FunctionsSchema,
		CatalogLocation:   g.c.Storage.CatalogLocation,
		SystemLocation:    g.c.Storage.SchemaLocation(ucbootstrap.SystemSchema),
		FunctionsLocation: g.c.Storage.SchemaLocation(ucbootstrap.FunctionsSchema),
		Tenant:            g.c.Tenant,
	}
	if v.Tenant != "" {
		v.TenantNote = " of tenant " + v.Tenant
	}
	return v
}

// governance creates the catalog, its schemas, tables and functions, then
// revokes what account users may hold on it.
func (g *gen) governance() error {
	v := g.view()
	sql, err := templates.String("catalog", v)
	if err != nil {
		return fmt.Errorf("generator: %w", err)
	}
	g.add(SectionCatalog, "creates the governance catalog", sql)
	for _, o := range governanceObjects {
		if (o.kind == "GUARD" || o.kind == "RECORD") && v.Tenant == "" {
			continue
		}
		sql, err := templates.String(o.template, v)
		if err != nil {
			return fmt.Errorf("generator: %w", err)
		}
		g.add(SectionCatalog, o.purpose, sql)
		if o.kind == "GUARD" {
			g.s.Statements[len(g.s.Statements)-1].Note = "tenant guard: fails when another tenant already set this catalog up"
		}
	}
	g.add(SectionCatalog, "keeps the governance catalog private: nobody but the service principal may use it",
		"REVOKE ALL PRIVILEGES ON CATALOG "+sqltext.Ident(v.Catalog)+" FROM `account users`")
	return nil
}

// ownership hands every governance object to sp: functions, then tables,
// then schemas, then the catalog.
func (g *gen) ownership(sp string) error {
	catalog := g.c.CatalogName()
	for _, kind := range []string{"FUNCTION", "TABLE", "SCHEMA"} {
		for _, o := range governanceObjects {
			if o.kind != kind {
				continue
			}
			name := []string{catalog, o.schema, o.name}
			if kind == "SCHEMA" {
				name = []string{catalog, o.name}
			}
			g.add(SectionOwnership, "hands the "+strings.ToLower(kind)+" to the service principal",
				"ALTER "+kind+" "+sqltext.Ident(name...)+" OWNER TO "+sqltext.Ident(sp))
		}
	}
	g.add(SectionOwnership, "hands the governance catalog to the service principal, last",
		"ALTER CATALOG "+sqltext.Ident(catalog)+" OWNER TO "+sqltext.Ident(sp))
	return nil
}

func (g *gen) cleanup(revoke bool) error {
	catalog := g.c.CatalogName()
	g.s.RunAs = "a metastore admin, or the owner of the governance catalog (the service principal)"
	if revoke {
		g.s.RunAs = "a metastore admin (the script also revokes the service principal's grants)"
	}
	g.s.ServicePrincipal = g.c.ServicePrincipalID()
	g.note("WARNING: row filters and column masks that call the functions of catalog %s break every query on their tables once the catalog is gone.", catalog)
	g.note("Find them first, and drop them (ALTER TABLE ... DROP ROW FILTER; ALTER TABLE ... ALTER COLUMN ... DROP MASK):")
	g.note("  SELECT catalog_name, schema_name, table_name, 'row filter' AS kind FROM system.information_schema.row_filters WHERE filter_catalog = %s", sqltext.Literal(catalog))
	g.note("  UNION ALL SELECT catalog_name, schema_name, table_name, 'column mask on ' || column_name FROM system.information_schema.column_masks WHERE mask_catalog = %s;", sqltext.Literal(catalog))
	g.note("Managed tables are recoverable with UNDROP for a few days after DROP CATALOG ... CASCADE; external files are not deleted.")
	if g.c.Tenant != "" {
		g.note("The tenant guard fails when the catalog is already gone: then there is nothing left to drop.")
		sql, err := templates.String("tenant_guard", g.view())
		if err != nil {
			return fmt.Errorf("generator: %w", err)
		}
		g.add(SectionGuard, "refuses to drop a catalog that another tenant set up", sql)
	}
	g.add(SectionDrop, "drops the governance catalog with its schemas, tables and functions",
		"DROP CATALOG IF EXISTS "+sqltext.Ident(catalog)+" CASCADE")
	if revoke {
		sp, err := g.sp("cleanup script with RevokeGrants")
		if err != nil {
			return err
		}
		grants := spGrants(g.in, sp)
		g.revokes(grants, "removes a grant the bootstrap script made")
	}
	return nil
}

// edit makes the script that takes a metastore set up for old to what new
// (g.in) needs.
func (g *gen) edit(old *ucbootstrap.Integration) error {
	if old == nil {
		return errors.New("generator: the edit script needs the old payload: pass From(old) (--from OLD_FILE on the command line)")
	}
	if err := old.Validate(); err != nil {
		return fmt.Errorf("generator: old payload: %w", err)
	}
	if err := inPlace(old, g.in); err != nil {
		return err
	}
	newSP, err := g.sp("edit script")
	if err != nil {
		return err
	}
	oldSP := old.Config.ServicePrincipalID()
	if oldSP == "" {
		return errors.New("generator: the edit script revokes from the old service principal, and the old payload's token does not name it: set config.servicePrincipal in the old payload")
	}
	before, after := spGrants(old, oldSP), spGrants(g.in, newSP)
	added, removed := grantDiff(after, before), grantDiff(before, after)
	g.s.RunAs = "a metastore admin, or a user with MANAGE on (or ownership of) every data source that changed"
	if slices.ContainsFunc(slices.Concat(added, removed), func(gr Grant) bool { return sectionOf(gr) != SectionData }) {
		g.s.RunAs = "a metastore admin (the metastore or system-table grants change)"
	}
	g.grants(added)
	if oldSP != newSP {
		g.s.RunAs = "a metastore admin (the service principal changes, and with it the owner of the governance catalog)"
		g.note("The service principal changes from %s to %s: the new one is given every grant and the governance catalog, then the old one loses its grants.", oldSP, newSP)
		if err := g.ownership(newSP); err != nil {
			return err
		}
	}
	g.revokes(removed, "removes a grant the old payload needed and the new one does not")
	if len(g.s.Statements) > 0 {
		g.note("Revokes come last, so that the service principal never lacks a privilege in between; they remove only what the old payload's scripts granted.")
	}
	return nil
}

// inPlace reports the changes from old to new that an edit script cannot
// make, each with what to do instead.
func inPlace(old, new *ucbootstrap.Integration) error {
	var errs []error
	o, n := &old.Config, &new.Config
	if o.CatalogName() != n.CatalogName() {
		errs = append(errs, fmt.Errorf("generator: config.catalog changes from %s to %s: a catalog cannot be renamed in place; run the old payload's cleanup script, then the new payload's bootstrap script (or keep the catalog name)", o.CatalogName(), n.CatalogName()))
	}
	if o.Storage.CatalogLocation != n.Storage.CatalogLocation {
		errs = append(errs, errors.New("generator: config.storage.catalogLocation changes: a catalog's managed location cannot be changed in place; run the old payload's cleanup script, then the new payload's bootstrap script"))
	}
	if !maps.Equal(o.Storage.SchemaLocations, n.Storage.SchemaLocations) {
		errs = append(errs, errors.New("generator: config.storage.schemaLocations changes: a schema's managed location cannot be changed in place; run the old payload's cleanup script, then the new payload's bootstrap script"))
	}
	if o.Tenant != n.Tenant {
		errs = append(errs, fmt.Errorf("generator: config.tenant changes from %q to %q: the catalog records its tenant, and a new tenant needs a catalog of its own; give the new tenant another config.catalog", o.Tenant, n.Tenant))
	}
	if old.AutoBootstrap != new.AutoBootstrap {
		errs = append(errs, errors.New("generator: autoBootstrap changes: switching between manual and automatic setup is not an edit; run the old payload's cleanup script, then set up again"))
	}
	return errors.Join(errs...)
}
