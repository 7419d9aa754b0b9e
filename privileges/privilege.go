package privileges

import (
	"slices"
	"strings"
)

// A Privilege is a normalised privilege key: upper case, words joined with
// underscores ("USE_CATALOG"). Privileges are open strings: a key this
// package does not know is kept as it is.
type Privilege string

// The privileges the rules and findings name.
const (
	AllPrivileges        Privilege = "ALL_PRIVILEGES"
	Browse               Privilege = "BROWSE"
	CreateCatalog        Privilege = "CREATE_CATALOG"
	CreateManagedStorage Privilege = "CREATE_MANAGED_STORAGE"
	CreateSchema         Privilege = "CREATE_SCHEMA"
	CreateTable          Privilege = "CREATE_TABLE"
	CreateFunction       Privilege = "CREATE_FUNCTION"
	Execute              Privilege = "EXECUTE"
	ExternalUseLocation  Privilege = "EXTERNAL_USE_LOCATION"
	ExternalUseSchema    Privilege = "EXTERNAL_USE_SCHEMA"
	Manage               Privilege = "MANAGE"
	Modify               Privilege = "MODIFY"
	ReadMetadata         Privilege = "READ_METADATA"
	Select               Privilege = "SELECT"
	UseCatalog           Privilege = "USE_CATALOG"
	UseSchema            Privilege = "USE_SCHEMA"
	Insert               Privilege = "INSERT"
	Update               Privilege = "UPDATE"
	Delete               Privilege = "DELETE"
	Usage                Privilege = "USAGE"  // legacy
	Create               Privilege = "CREATE" // legacy
	Own                  Privilege = "OWN"    // hive_metastore ownership rows
	Ownership            Privilege = "OWNERSHIP"
)

// Key normalises a spelling: upper case, runs of blanks and underscores
// become one underscore ("use catalog", "USE CATALOG", "Use_Catalog" all
// give USE_CATALOG).
func Key(s string) Privilege {
	return Privilege(strings.ToUpper(strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '_' || r == '\t'
	}), "_")))
}

// SQL returns the privilege as SQL writes it, with spaces.
func (p Privilege) SQL() string { return strings.ReplaceAll(string(p), "_", " ") }

// Normalize returns the key of a privilege spelling on a securable type.
// The legacy names of the preview privilege model are mapped as Unity
// Catalog maps them, and legacy is true: USAGE to USE_CATALOG on a catalog
// and USE_SCHEMA on a schema; CREATE to CREATE_CATALOG on the metastore,
// CREATE_SCHEMA on a catalog and CREATE_TABLE on a schema.
func Normalize(spelling string, on SecurableType) (p Privilege, legacy bool) {
	p = Key(spelling)
	switch p {
	case Usage:
		switch on {
		case Catalog:
			return UseCatalog, true
		case Schema:
			return UseSchema, true
		}
		return p, true
	case Create:
		switch on {
		case Metastore:
			return CreateCatalog, true
		case Catalog:
			return CreateSchema, true
		case Schema:
			return CreateTable, true
		}
		return p, true
	}
	return p, false
}

// applicable lists the privileges each securable type takes, its own and
// those it passes on to its children (for catalogs and schemas). Sources:
// the Unity Catalog privileges reference
// (https://docs.databricks.com/data-governance/unity-catalog/access-control/privileges-reference;
// reference/unity-catalog-privileges.md section 2.3 and Corrections 11):
// BROWSE applies to catalogs and external locations only; views take
// SELECT and no MODIFY; INSERT, UPDATE and DELETE (fine-grained DML, in
// Beta) apply to tables and are inherited from catalogs and schemas
// (https://docs.databricks.com/aws/en/data-governance/unity-catalog/access-control/fine-grained-dml-privileges).
var applicable = map[SecurableType][]Privilege{
	Metastore: {CreateCatalog, "CREATE_CLEAN_ROOM", "CREATE_CONNECTION", "CREATE_EXTERNAL_LOCATION", "CREATE_EXTERNAL_METADATA",
		"CREATE_PROVIDER", "CREATE_RECIPIENT", "CREATE_SHARE", "CREATE_SERVICE_CREDENTIAL", "CREATE_STORAGE_CREDENTIAL",
		"MANAGE_ALLOWLIST", "SET_SHARE_PERMISSION", "USE_MARKETPLACE_ASSETS", "USE_PROVIDER", "USE_RECIPIENT", "USE_SHARE", ReadMetadata},
	Catalog: {AllPrivileges, "APPLY_TAG", Browse, CreateSchema, UseCatalog, "CREATE_CONNECTION",
		CreateFunction, CreateTable, "CREATE_MATERIALIZED_VIEW", "CREATE_MODEL", "CREATE_VOLUME", ExternalUseSchema,
		"READ_VOLUME", "REFRESH", "WRITE_VOLUME", Execute, Manage, Modify, Select, UseSchema, Insert, Update, Delete},
	Schema: {AllPrivileges, "APPLY_TAG", CreateFunction, CreateTable, "CREATE_VOLUME", "CREATE_MATERIALIZED_VIEW", "CREATE_MODEL",
		Manage, UseSchema, ExternalUseSchema, Execute, Modify, "REFRESH", Select, "READ_VOLUME", "WRITE_VOLUME", Insert, Update, Delete},
	Table:             {AllPrivileges, "APPLY_TAG", Manage, Select, Modify, Insert, Update, Delete},
	View:              {AllPrivileges, "APPLY_TAG", Manage, Select},
	MaterializedView:  {AllPrivileges, "APPLY_TAG", Manage, Select, "REFRESH"},
	Volume:            {AllPrivileges, "APPLY_TAG", Manage, "READ_VOLUME", "WRITE_VOLUME"},
	Function:          {AllPrivileges, "APPLY_TAG", Execute, Manage},
	ExternalLocation:  {AllPrivileges, Browse, "CREATE_EXTERNAL_TABLE", "CREATE_EXTERNAL_VOLUME", CreateManagedStorage, "CREATE_FOREIGN_SECURABLE", ExternalUseLocation, Manage, "READ_FILES", "WRITE_FILES"},
	StorageCredential: {AllPrivileges, "CREATE_EXTERNAL_LOCATION", "CREATE_EXTERNAL_TABLE", Manage, "READ_FILES", "WRITE_FILES"},
	ServiceCredential: {AllPrivileges, "ACCESS", "CREATE_CONNECTION", Manage},
	Connection:        {AllPrivileges, Manage, "USE_CONNECTION", "CREATE_FOREIGN_CATALOG"},
	Share:             {Select},
}

// forChildren lists the privileges that, granted on a catalog or schema,
// act on the objects inside it rather than on the container itself: the
// owner of the container does not hold them on its children.
var forChildren = []Privilege{Select, Modify, Execute, "REFRESH", "READ_VOLUME", "WRITE_VOLUME", Insert, Update, Delete, ExternalUseSchema}

// ownerHolds reports whether the owner of a securable of type t holds p on
// it without a grant. Owners hold every privilege applicable to the object
// itself; on a catalog that means USE CATALOG, CREATE SCHEMA, BROWSE and
// APPLY TAG, not what a grant on the catalog passes on to its schemas and
// tables ("owners of a schema do not automatically have all privileges on
// the tables in the schema", Databricks: Manage Unity Catalog object
// ownership); schema owners do not hold EXTERNAL USE SCHEMA by default.
func ownerHolds(p Privilege, t SecurableType) bool {
	switch t {
	case Metastore:
		return true // the metastore's owner is its metastore admin
	case Catalog:
		return p == UseCatalog || p == CreateSchema || p == Browse || p == "APPLY_TAG"
	case Schema:
		return Applies(p, t) && !slices.Contains(forChildren, p)
	}
	return Applies(p, t) && p != ExternalUseLocation
}

// Applies reports whether privilege p can be granted on type t. An unknown
// securable type accepts everything.
func Applies(p Privilege, t SecurableType) bool {
	list, ok := applicable[t]
	if !ok {
		return true
	}
	for _, q := range list {
		if q == p {
			return true
		}
	}
	return false
}

// Inherits reports whether p granted on a catalog or schema also applies to
// the objects inside it. Every privilege does, except those that only make
// sense on the container itself.
func Inherits(p Privilege) bool {
	switch p {
	case UseCatalog, CreateSchema, Browse, "APPLY_TAG", "CREATE_CONNECTION":
		return false
	}
	return true
}

// AllPrivilegesCovers reports whether ALL PRIVILEGES implies p. It implies
// every privilege applicable to the securable, except MANAGE, EXTERNAL USE
// SCHEMA, EXTERNAL USE LOCATION and READ METADATA, which must always be
// granted by name.
func AllPrivilegesCovers(p Privilege) bool {
	switch p {
	case Manage, ExternalUseSchema, ExternalUseLocation, ReadMetadata, AllPrivileges:
		return false
	}
	return true
}

// MetastoreAdmin stands for the metastore admin role in a requirement; it is
// not a privilege, and no grant listing shows it.
const MetastoreAdmin Privilege = "METASTORE_ADMIN"
