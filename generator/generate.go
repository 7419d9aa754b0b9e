package generator

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/internal/clip"
	"github.com/ucbootstrap/ucbootstrap/internal/sqltext"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/templates"
)

// An Option changes what [Generate] produces.
type Option func(*options)

type options struct {
	from         *ucbootstrap.Integration
	revokeGrants bool
	runner       string
}

// From gives the old payload of an [Edit] script.
func From(old *ucbootstrap.Integration) Option { return func(o *options) { o.from = old } }

// RevokeGrants makes a [Cleanup] script also revoke the service principal's
// data-source and audit grants.
func RevokeGrants() Option { return func(o *options) { o.revokeGrants = true } }

// Runner names the person who will run a [Cleanup] script, as grants name
// them (an e-mail address). The script then hands the governance catalog
// to them before it drops it: DROP CATALOG needs ownership of the catalog
// or MANAGE on it, which a metastore admin does not hold by being one.
func Runner(principal string) Option { return func(o *options) { o.runner = principal } }

// maxPrincipal bounds a runner's name, generously: a user is named by an
// e-mail address (at most 254 bytes), a service principal by an
// application ID (36).
const maxPrincipal = 1024

// checkRunner refuses a runner that no principal can be named: blank at
// either end, too long, or holding a control character.
func checkRunner(r string) error {
	switch {
	case r == "":
		return nil
	case strings.TrimSpace(r) != r:
		return fmt.Errorf("generator: the runner %s starts or ends with a blank: name the principal alone", clip.Quote(r))
	case len(r) > maxPrincipal:
		return fmt.Errorf("generator: the runner %s is longer than %d bytes: name a user, group or service principal", clip.Quote(r), maxPrincipal)
	case strings.IndexFunc(r, unicode.IsControl) >= 0:
		return fmt.Errorf("generator: the runner %s holds a control character: name the principal on one line", clip.Quote(r))
	}
	return nil
}

// Generate returns the script of the given kind for the integration, which
// it validates first. An invalid payload gives an error wrapping
// [ucbootstrap.Diagnostics]; a script that cannot be made from a valid
// payload (prerequisites with manual setup, an edit that cannot be made in
// place) gives an error that says what to do instead, a [*RefusalError]
// for the edits that cannot be made in place. Generate does not change
// the integration.
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
	if kind != Cleanup && o.runner != "" {
		return nil, fmt.Errorf("generator: a runner (Runner) is only used by the cleanup script, not by %s", kind)
	}
	if err := checkRunner(o.runner); err != nil {
		return nil, err
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
		err = g.cleanup(o.revokeGrants, o.runner)
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

func (g *gen) add(sec Section, step privileges.Step, purpose, sql string) {
	g.s.Statements = append(g.s.Statements, Statement{Section: sec, Purpose: purpose, SQL: sql, Step: step})
}

func (g *gen) note(format string, args ...any) {
	g.s.Notes = append(g.s.Notes, fmt.Sprintf(format, args...))
}

// requirements returns the integration's requirements, or an error naming
// the field to set when a script must name the service principal and the
// payload does not.
func (g *gen) requirements(in *ucbootstrap.Integration, what string) (*privileges.Requirements, error) {
	if in.Config.ServicePrincipalID() == "" {
		return nil, fmt.Errorf("generator: the %s grants to the service principal, and a token does not name it: set config.servicePrincipal to its application ID", what)
	}
	// Generate validated both payloads first.
	reqs, err := privileges.Required(in, privileges.Prevalidated())
	if err != nil {
		return nil, fmt.Errorf("generator: %w", err)
	}
	return reqs, nil
}

// sectionOf returns the section of the grants of an area.
func sectionOf(a privileges.Area) Section {
	switch a {
	case privileges.AreaMetastore:
		return SectionMetastore
	case privileges.AreaAudit:
		return SectionAudit
	}
	return SectionData
}

func (g *gen) grants(grants []privileges.GrantStmt) {
	for _, gr := range grants {
		g.add(sectionOf(gr.Area), privileges.Step{Kind: privileges.StepGrant, On: gr.On}, gr.Reason, gr.SQL())
	}
}

func (g *gen) revokes(grants []privileges.GrantStmt, purpose string) {
	for _, gr := range grants {
		g.add(SectionRevokes, privileges.Step{Kind: privileges.StepGrant, On: gr.On}, purpose, gr.RevokeSQL())
	}
}

func (g *gen) hasLocations() bool {
	return g.c.Storage.CatalogLocation != "" || len(g.c.Storage.SchemaLocations) > 0
}

// The header notes shared by several kinds.
const (
	noteAccountAdmin = "The integration's setup documentation also asks the person who runs it to be an account admin."
	noteSystemTables = "Query audit reads system tables whose schemas an account or metastore admin must enable first, once per metastore: %s (API: PUT /api/2.1/unity-catalog/metastores/{metastore_id}/systemschemas/{schema})."
)

// systemSchemas returns the system schemas that query audit reads under
// c: none when audit is off, access, and query with query history.
func systemSchemas(c *ucbootstrap.Config) []string {
	if !c.Audit.Enabled {
		return nil
	}
	if c.Audit.QueryHistory {
		return []string{"access", "query"}
	}
	return []string{"access"}
}

// systemSchemasNote tells how to enable the system schemas that query
// audit reads under c and not under old (nil: none before).
func (g *gen) systemSchemasNote(c, old *ucbootstrap.Config) {
	var had []string
	if old != nil {
		had = systemSchemas(old)
	}
	var cmds []string
	for _, s := range systemSchemas(c) {
		if !slices.Contains(had, s) {
			cmds = append(cmds, "databricks system-schemas enable <metastore-id> "+s)
		}
	}
	if len(cmds) > 0 {
		g.note(noteSystemTables, strings.Join(cmds, "; "))
	}
}

func (g *gen) bootstrap() error {
	if g.in.AutoBootstrap {
		g.s.ServicePrincipal = g.c.ServicePrincipalID()
		if err := g.governance(); err != nil {
			return err
		}
		g.s.RunAs = "the service principal itself, with " + andList(privileges.Describe(g.s.Steps()).Holds) + " (the prerequisites script grants CREATE CATALOG)"
		g.note("Safe to run again by the service principal: the guards accept the catalog it set up, and every CREATE is IF NOT EXISTS.")
		return nil
	}
	reqs, err := g.requirements(g.in, "bootstrap script")
	if err != nil {
		return err
	}
	g.s.ServicePrincipal = reqs.ServicePrincipal
	grants := reqs.Grants()
	g.s.Statements = make([]Statement, 0, len(grants)+3*len(ucbootstrap.GovernanceObjects)+8)
	if err := g.governance(); err != nil {
		return err
	}
	g.grants(grants)
	g.ownership(reqs, true)
	g.s.RunAs = privileges.RunAs(g.s.Steps())
	g.note(noteAccountAdmin)
	g.systemSchemasNote(g.c, nil)
	g.note("Safe to run again by a metastore admin: the guards accept this integration's own catalog, every CREATE is IF NOT EXISTS, and the grants and the hand-over repeat harmlessly.")
	return nil
}

func (g *gen) prerequisites() error {
	if !g.in.AutoBootstrap {
		return errors.New("generator: the prerequisites script is for automatic setup (autoBootstrap: true); with manual setup the bootstrap script makes every grant itself")
	}
	reqs, err := g.requirements(g.in, "prerequisites script")
	if err != nil {
		return err
	}
	g.s.ServicePrincipal = reqs.ServicePrincipal
	g.grants(reqs.Grants())
	g.s.RunAs = privileges.RunAs(g.s.Steps())
	if g.hasLocations() {
		g.note("The service principal also needs CREATE MANAGED STORAGE on the external locations that hold %s: grant it on each of them.", strings.Join(g.locations(), ", "))
	}
	g.systemSchemasNote(g.c, nil)
	g.note("Safe to run again. Then configure the integration: the service principal runs the bootstrap script.")
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

// andList returns "a", "a and b" or "a, b, and c".
func andList(items []string) string {
	if len(items) < 3 {
		return strings.Join(items, " and ")
	}
	return strings.Join(items[:len(items)-1], ", ") + ", and " + items[len(items)-1]
}

// governanceView is the data of the governance templates.
type governanceView struct {
	Catalog, System, Functions                         string
	CatalogLocation, SystemLocation, FunctionsLocation string
	TenantNote, TenantWho, Marker                      string
	GuardAdvice                                        string
	Fingerprint                                        string
	Metadata                                           []metadataRow
}

// A metadataRow is a row the bootstrap writes into integration_metadata.
type metadataRow struct{ Key, Value string }

// templateOf names the template of each governance object.
var templateOf = map[string]string{
	ucbootstrap.SystemSchema:      "schema_system",
	ucbootstrap.FunctionsSchema:   "schema_functions",
	ucbootstrap.MetadataTable:     "table_integration_metadata",
	ucbootstrap.EntitlementsTable: "table_user_entitlements",
	ucbootstrap.ExemptionsTable:   "table_principal_exemptions",
	ucbootstrap.RunsTable:         "table_setup_runs",
	"is_exempt":                   "function_is_exempt",
	"has_attribute":               "function_has_attribute",
	"filter_by_attribute":         "function_filter_by_attribute",
	"mask_string":                 "function_mask_string",
	"mask_hash":                   "function_mask_hash",
}

// purposeOf says why each governance object exists.
var purposeOf = map[string]string{
	ucbootstrap.SystemSchema:      "holds the integration's own tables",
	ucbootstrap.FunctionsSchema:   "holds the functions that row filters and column masks call",
	ucbootstrap.MetadataTable:     "records the payload fingerprint, the setup mode and the tenant, once, when it is created",
	ucbootstrap.EntitlementsTable: "holds the attributes that row filters test",
	ucbootstrap.ExemptionsTable:   "holds the principals that policies do not apply to",
	ucbootstrap.RunsTable:         "records the statements each run of a setup script ran (ucbootstrap apply)",
	"is_exempt":                   "tells whether the current user is exempt from policies",
	"has_attribute":               "tells whether the current user holds an attribute value",
	"filter_by_attribute":         "row filter on an attribute",
	"mask_string":                 "column mask that hides a value",
	"mask_hash":                   "column mask that hashes a value",
}

// viewOf returns the view of the governance templates; fingerprint is the
// integration's, which the caller has computed already.
func viewOf(in *ucbootstrap.Integration, fingerprint string) governanceView {
	c := &in.Config
	v := governanceView{
		Catalog:           c.CatalogName(),
		System:            ucbootstrap.SystemSchema,
		Functions:         ucbootstrap.FunctionsSchema,
		CatalogLocation:   c.Storage.CatalogLocation,
		SystemLocation:    c.Storage.SchemaLocation(ucbootstrap.SystemSchema),
		FunctionsLocation: c.Storage.SchemaLocation(ucbootstrap.FunctionsSchema),
		TenantWho:         "this integration",
		Marker:            c.Marker(),
		Fingerprint:       fingerprint,
		GuardAdvice:       "give the integration a catalog of its own (config.catalog)",
	}
	setup := "manual"
	if in.AutoBootstrap {
		setup = "automatic"
	}
	v.Metadata = []metadataRow{{"fingerprint", v.Fingerprint}, {"setup", setup}}
	if c.Tenant != "" {
		v.TenantNote = " of tenant " + c.Tenant
		v.TenantWho = "tenant " + c.Tenant
		v.Metadata = append(v.Metadata, metadataRow{"tenant", c.Tenant})
	}
	return v
}

// securableOf returns the securable of a governance object.
func securableOf(catalog string, o ucbootstrap.GovernanceObject) privileges.Securable {
	return privileges.SecurableOf(privileges.SecurableType(o.Kind), append([]string{catalog}, o.Parts()...)...)
}

// governance refuses a catalog that is not the integration's own, then
// creates the catalog, its schemas, tables and functions, and revokes
// what account users may hold on it.
func (g *gen) governance() error {
	v := viewOf(g.in, g.s.Fingerprint)
	catalog := privileges.SecurableOf(privileges.Catalog, v.Catalog)
	read := privileges.Step{Kind: privileges.StepRead, On: catalog}
	if err := g.template(SectionGuard, read, "refuses a catalog that exists and is not this integration's own", "guard_catalog_foreign", v); err != nil {
		return err
	}
	g.s.Statements[len(g.s.Statements)-1].Note = "catalog guard: stops when the catalog exists without this integration's marker"
	if err := g.template(SectionCatalog, privileges.Step{Kind: privileges.StepCreateCatalog, On: catalog, Location: v.CatalogLocation},
		"creates the governance catalog, marked as this integration's own", "catalog", v); err != nil {
		return err
	}
	if err := g.template(SectionCatalog, read, "refuses an existing catalog that this user cannot see as the integration's own", "guard_catalog_visible", v); err != nil {
		return err
	}
	g.s.Statements[len(g.s.Statements)-1].Note = "catalog guard: stops unless this user sees the catalog with the marker"
	for _, o := range ucbootstrap.GovernanceObjects {
		step := privileges.Step{Kind: privileges.StepCreate, On: securableOf(v.Catalog, o), Created: true}
		if o.Kind == ucbootstrap.SchemaObject {
			step.Location = g.c.Storage.SchemaLocation(o.Name)
		}
		if err := g.template(SectionCatalog, step, purposeOf[o.Name], templateOf[o.Name], v); err != nil {
			return err
		}
	}
	g.add(SectionCatalog, privileges.Step{Kind: privileges.StepGrant, On: catalog, Created: true},
		"keeps the governance catalog private: nobody but the service principal may use it",
		privileges.RevokeSQL([]privileges.Privilege{privileges.AllPrivileges}, catalog, "account users"))
	return nil
}

func (g *gen) template(sec Section, step privileges.Step, purpose, name string, v governanceView) error {
	sql, err := templates.String(name, v)
	if err != nil {
		return fmt.Errorf("generator: %w", err)
	}
	g.add(sec, step, purpose, sql)
	return nil
}

// ownership hands every governance object to the service principal of
// reqs: functions, then tables, then schemas, then the catalog. created
// says whether the script created them (bootstrap) or they exist already
// (edit, for a new service principal).
func (g *gen) ownership(reqs *privileges.Requirements, created bool) {
	for _, r := range reqs.Ownerships(privileges.AreaGovernance) {
		purpose := "hands the " + strings.ToLower(string(r.On.Type)) + " to the service principal"
		if r.On.Type == privileges.Catalog {
			purpose = "hands the governance catalog to the service principal, last"
		}
		g.add(SectionOwnership, privileges.Step{Kind: privileges.StepOwner, On: r.On, Created: created, NewOwner: r.Principal},
			purpose, privileges.OwnerSQL(r.On, r.Principal))
	}
}

func (g *gen) cleanup(revoke bool, runner string) error {
	v := viewOf(g.in, g.s.Fingerprint)
	v.GuardAdvice = "the cleanup drops only a catalog that ucbootstrap set up for this integration"
	catalog := privileges.SecurableOf(privileges.Catalog, v.Catalog)
	g.s.ServicePrincipal = g.c.ServicePrincipalID()
	g.note("WARNING: row filters and column masks that call the functions of catalog %s break every query on their tables once the catalog is gone.", v.Catalog)
	g.note("Find them first, and drop them (ALTER TABLE ... DROP ROW FILTER; ALTER TABLE ... ALTER COLUMN ... DROP MASK):")
	g.note("  SELECT catalog_name, schema_name, table_name, 'row filter' AS kind FROM system.information_schema.row_filters WHERE filter_catalog = %s", sqltext.Literal(v.Catalog))
	g.note("  UNION ALL SELECT catalog_name, schema_name, table_name, 'column mask on ' || column_name FROM system.information_schema.column_masks WHERE mask_catalog = %s;", sqltext.Literal(v.Catalog))
	g.note("DROP CATALOG ... CASCADE soft-deletes the catalog and everything in it: UNDROP cannot bring the tables back, since it needs their catalog and schema to exist; managed files are purged after the recovery window, external files are not deleted.")
	if err := g.template(SectionGuard, privileges.Step{Kind: privileges.StepRead, On: catalog},
		"refuses to drop a catalog that ucbootstrap did not set up for this integration", "guard_catalog_foreign", v); err != nil {
		return err
	}
	g.s.Statements[len(g.s.Statements)-1].Note = "catalog guard: stops when the catalog exists without this integration's marker"
	if runner != "" {
		g.add(SectionDrop, privileges.Step{Kind: privileges.StepOwner, On: catalog, NewOwner: runner},
			"makes the runner the catalog's owner, which DROP CATALOG needs", privileges.OwnerSQL(catalog, runner))
	}
	g.add(SectionDrop, privileges.Step{Kind: privileges.StepDrop, On: catalog, Created: runner != ""},
		"drops the governance catalog with its schemas, tables and functions",
		"DROP CATALOG IF EXISTS "+sqltext.Ident(v.Catalog)+" CASCADE")
	if revoke {
		reqs, err := g.requirements(g.in, "cleanup script with RevokeGrants")
		if err != nil {
			return err
		}
		g.revokes(reqs.Grants(), "removes a grant the setup scripts made")
	}
	g.s.RunAs = privileges.RunAs(g.s.Steps())
	if runner != "" {
		rerun := "Safe to run again until the catalog is gone; after that, ALTER CATALOG ... OWNER TO fails because there is no catalog left: the drop is done"
		if revoke {
			rerun += " (run the REVOKEs alone if they did not run)"
		}
		g.note("%s.", rerun)
		return nil
	}
	g.note("A metastore admin who does not own the catalog first makes themself the owner (generate with --runner YOU to put ALTER CATALOG %s OWNER TO YOU first).", sqltext.Ident(v.Catalog))
	rerun := "Safe to run again: once the catalog is gone the guard passes and DROP CATALOG IF EXISTS does nothing"
	if revoke {
		rerun += "; the REVOKEs repeat harmlessly"
	}
	g.note("%s.", rerun)
	return nil
}

// A RefusalError is an edit that cannot be made in place: each Reason
// says what changes and what to do instead.
type RefusalError struct {
	Reasons []string
}

// Error returns the reasons, one a line, each prefixed "generator: ".
func (e *RefusalError) Error() string { return errors.Join(e.Unwrap()...).Error() }

// Unwrap returns an error for each reason, so that a caller can print
// them one a line, as it would the errors of errors.Join.
func (e *RefusalError) Unwrap() []error {
	errs := make([]error, len(e.Reasons))
	for i, r := range e.Reasons {
		errs[i] = errors.New("generator: " + r)
	}
	return errs
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
	newReqs, err := g.requirements(g.in, "edit script")
	if err != nil {
		return err
	}
	if old.Config.ServicePrincipalID() == "" {
		return errors.New("generator: the edit script revokes from the old service principal, and the old payload's token does not name it: set config.servicePrincipal in the old payload")
	}
	oldReqs, err := privileges.Required(old, privileges.Prevalidated())
	if err != nil {
		return fmt.Errorf("generator: old payload: %w", err)
	}
	g.s.ServicePrincipal = newReqs.ServicePrincipal
	handOver := oldReqs.ServicePrincipal != newReqs.ServicePrincipal
	if handOver {
		// The hand-over changes the owner of the catalog and all in it:
		// only of this integration's own catalog, checked before anything
		// else runs.
		v := viewOf(g.in, g.s.Fingerprint)
		v.GuardAdvice = "the edit hands to the new service principal only a catalog that ucbootstrap set up for this integration"
		if err := g.template(SectionGuard, privileges.Step{Kind: privileges.StepRead, On: privileges.SecurableOf(privileges.Catalog, v.Catalog)},
			"refuses to hand over a catalog that ucbootstrap did not set up for this integration", "guard_catalog_foreign", v); err != nil {
			return err
		}
		g.s.Statements[len(g.s.Statements)-1].Note = "catalog guard: stops when the catalog exists without this integration's marker"
	}
	before, after := oldReqs.Grants(), newReqs.Grants()
	added, removed := privileges.DiffGrants(after, before), privileges.DiffGrants(before, after)
	g.grants(added)
	if handOver {
		g.note("The service principal changes from %s to %s: the new one is given every grant and the governance catalog, then the old one loses its grants.", oldReqs.ServicePrincipal, newReqs.ServicePrincipal)
		g.ownership(newReqs, false)
	}
	g.revokes(removed, "removes a grant the old payload needed and the new one does not")
	g.s.RunAs = privileges.RunAs(g.s.Steps())
	if len(g.s.Statements) > 0 {
		g.note("Revokes come last, so that the service principal never lacks a privilege in between; they remove only what the old payload's scripts granted.")
		g.systemSchemasNote(g.c, &old.Config)
	}
	g.note("The catalog records the payload it was set up with; the service principal records this payload's fingerprint (%s) when the configure call (PUT) validates the change.", g.s.Fingerprint)
	g.note("Safe to run again: grants and revokes repeat harmlessly.")
	return nil
}

// inPlace returns the changes from old to new that an edit script cannot
// make, each with what to do instead, as a *RefusalError; nil when there
// are none.
func inPlace(old, new *ucbootstrap.Integration) error {
	var reasons []string
	o, n := &old.Config, &new.Config
	if o.CatalogName() != n.CatalogName() {
		reasons = append(reasons, fmt.Sprintf("config.catalog changes from %s to %s: a catalog cannot be renamed in place; run the old payload's cleanup script, then the new payload's bootstrap script (or keep the catalog name)", o.CatalogName(), n.CatalogName()))
	}
	if o.Storage.CatalogLocation != n.Storage.CatalogLocation {
		reasons = append(reasons, "config.storage.catalogLocation changes: ALTER CATALOG ... SET MANAGED LOCATION changes only where tables created afterwards go, and only the catalog's owner (the service principal) or a MANAGE holder may run it, so an edit script cannot move what exists; to move everything, run the old payload's cleanup script, then the new payload's bootstrap script; for new tables only, the service principal runs ALTER CATALOG "+sqltext.Ident(n.CatalogName())+" SET MANAGED LOCATION "+sqltext.Literal(cmp.Or(n.Storage.CatalogLocation, "<location>")))
	}
	if !maps.Equal(o.Storage.SchemaLocations, n.Storage.SchemaLocations) {
		reasons = append(reasons, "config.storage.schemaLocations changes: ALTER SCHEMA ... SET MANAGED LOCATION exists only for schemas of foreign catalogs (HMS and Glue federation), so a schema's managed location cannot be changed in place; run the old payload's cleanup script, then the new payload's bootstrap script")
	}
	if o.Tenant != n.Tenant {
		reasons = append(reasons, fmt.Sprintf("config.tenant changes from %q to %q: the catalog carries its tenant's marker, and a new tenant needs a catalog of its own; give the new tenant another config.catalog", o.Tenant, n.Tenant))
	}
	if old.AutoBootstrap != new.AutoBootstrap {
		reasons = append(reasons, "autoBootstrap changes: switching between manual and automatic setup is not an edit; run the old payload's cleanup script, then set up again")
	}
	if len(reasons) == 0 {
		return nil
	}
	return &RefusalError{Reasons: reasons}
}

// RecordFingerprint returns the statement with which the service principal
// records the integration's payload fingerprint in the governance catalog
// (after an edit), and the query that reads the recorded facts back. Only
// the service principal, which owns the metadata table, runs them.
func RecordFingerprint(in *ucbootstrap.Integration) (record, read string, err error) {
	if err := in.Validate(); err != nil {
		return "", "", fmt.Errorf("generator: %w", err)
	}
	v := viewOf(in, in.Fingerprint())
	if record, err = templates.String("record_fingerprint", v); err != nil {
		return "", "", fmt.Errorf("generator: %w", err)
	}
	if read, err = templates.String("read_metadata", v); err != nil {
		return "", "", fmt.Errorf("generator: %w", err)
	}
	return record, read, nil
}
