// Package listing reads the grants that the audit of package privileges
// checks: grant listings in every shape Unity Catalog prints them, and the
// grant changes a SQL script makes.
//
// # Listings
//
// [Read] detects the shape of a grant listing (SHOW GRANTS as CSV, TSV or
// JSON; the SQL Statement Execution API; information_schema privilege rows;
// the REST permissions and effective-permissions JSON) and yields its grants
// as it reads: memory grows with the distinct spellings, not with the rows.
// A malformed row is a [*ReadError] with file, line and column. [ReadOwners]
// and [ReadMembers] read owner facts and group memberships.
// [RESTGrant] is the one conversion of a REST privilege into a grant; the
// workspace client uses it too, so that a live audit and an audit of a dump
// read the same grants.
//
// # Scripts
//
// [FromScript] returns the GRANT, REVOKE and ALTER ... OWNER TO statements
// of a parsed script, and [ApplyScript] applies them to the current grants
// and owners: "after this script runs, what will the metastore grant?"
package listing
