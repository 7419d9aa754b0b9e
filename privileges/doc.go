// Package privileges is the Unity Catalog privilege model of the
// integration: securables and their hierarchy, the privilege vocabulary,
// principals, the requirements an integration puts on the service principal
// (and on the person who runs a manual script), and the audit of what a
// metastore actually grants against them.
//
// # Model
//
// A [Securable] is a metastore, catalog, schema or leaf object, named by its
// full name in lower case. Privileges inherit from catalog to schema to
// leaf, never from the metastore. A [Privilege] is a normalised key
// ("USE_CATALOG"); [Normalize] maps any spelling, and the legacy USAGE and
// CREATE, to it. ALL PRIVILEGES covers every privilege applicable to a
// securable except MANAGE, EXTERNAL USE SCHEMA, EXTERNAL USE LOCATION and
// READ METADATA. Ownership is not a grant: it comes from owner [Facts].
//
// # Requirements and audit
//
// [Required] derives the [Requirement] list of an integration under a
// versioned [RuleSet]. [Audit] reads grants one at a time (memory grows with
// the requirements, not with the grants) and returns a [Report]: each
// requirement satisfied (and how), missing, or unverified (and why); the
// findings beyond requirements (exposure of the governance catalog, legacy
// privilege names, grants to workspace-local groups, USE SCHEMA on the
// system catalog, ALL PRIVILEGES where less would do); and the fewest GRANT
// statements that fix what is missing.
//
// # Where the grants come from
//
// The audit reads grants as an iter.Seq2 of [Grant]; package
// privileges/listing reads them from grant listings (SHOW GRANTS,
// information_schema, the SQL Statement Execution API, the REST JSON) and
// from the GRANT, REVOKE and OWNER TO statements of a script.
package privileges
