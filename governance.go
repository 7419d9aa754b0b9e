package ucbootstrap

// ObjectKind is the kind of an object inside the governance catalog.
type ObjectKind string

// The kinds of governance objects, spelt as SQL spells them.
const (
	SchemaObject   ObjectKind = "SCHEMA"
	TableObject    ObjectKind = "TABLE"
	FunctionObject ObjectKind = "FUNCTION"
)

// A GovernanceObject is one object that the bootstrap script creates inside
// the governance catalog. Schema is the schema that holds a table or a
// function, and "" for a schema; Name is the object's own name.
type GovernanceObject struct {
	Kind   ObjectKind
	Schema string
	Name   string
}

// Parts returns the object's name parts below the catalog: the schema, and
// the table's or function's name.
func (o GovernanceObject) Parts() []string {
	if o.Kind == SchemaObject {
		return []string{o.Name}
	}
	return []string{o.Schema, o.Name}
}

// The tables of the governance catalog's system schema.
const (
	MetadataTable     = "integration_metadata"
	EntitlementsTable = "user_entitlements"
	ExemptionsTable   = "principal_exemptions"
	// RunsTable is the run ledger: a row for each statement that a run of
	// a setup script (ucbootstrap apply) ended, appended as the run goes.
	RunsTable = "setup_runs"
)

// GovernanceObjects lists what the bootstrap creates inside the governance
// catalog, in creation order: the system schema with its tables (the run
// ledger among them), then the functions schema with its functions. Every one of them belongs to the
// service principal once the bootstrap has run, and to nobody else: the
// audit checks each owner.
var GovernanceObjects = []GovernanceObject{
	{SchemaObject, "", SystemSchema},
	{TableObject, SystemSchema, MetadataTable},
	{TableObject, SystemSchema, EntitlementsTable},
	{TableObject, SystemSchema, ExemptionsTable},
	{TableObject, SystemSchema, RunsTable},
	{SchemaObject, "", FunctionsSchema},
	{FunctionObject, FunctionsSchema, "is_exempt"},
	{FunctionObject, FunctionsSchema, "has_attribute"},
	{FunctionObject, FunctionsSchema, "filter_by_attribute"},
	{FunctionObject, FunctionsSchema, "mask_string"},
	{FunctionObject, FunctionsSchema, "mask_hash"},
}

// MarkerVersion is the version of the catalog marker's format.
const MarkerVersion = "v1"

// Marker returns the text that ends the comment of a governance catalog
// that ucbootstrap set up for this integration's tenant:
// " [ucbootstrap v1 tenant=acme-prod]", or " [ucbootstrap v1 tenant=]"
// without a tenant. The bootstrap refuses a catalog that exists without
// it, and the cleanup refuses to drop one. Validation keeps "[" and "]"
// out of tenants, so that no tenant's marker ends another's.
func (c *Config) Marker() string {
	return " [ucbootstrap " + MarkerVersion + " tenant=" + c.Tenant + "]"
}
