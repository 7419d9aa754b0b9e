package ucemu

import (
	"errors"
	"strings"
	"testing"
)

// Each test of this file shows one Unity Catalog rule the emulator
// enforces, and names the documentation it rests on:
//
//	[ownership]   https://docs.databricks.com/data/manage-ownership.html
//	[permissions] https://docs.databricks.com/data/manage-permissions.html
//	[privileges]  https://docs.databricks.com/sql/language-manual/sql-ref-privileges
//	[grant]       https://docs.databricks.com/sql/language-manual/security-grant.html
//	[revoke]      https://docs.databricks.com/sql/language-manual/security-revoke.html
//	[functions]   Functions update API (Go SDK service/catalog UpdateFunction)
//	[sysschemas]  https://docs.databricks.com/api/workspace/systemschemas
//	[decisions]   /work/notes/DECISIONS.md, "Unity Catalog rules the emulator enforces"

const (
	admin = "admin@example.com"
	alice = "alice@example.com"
	bob   = "bob@example.com"
	sp    = "6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f"
)

func newWorkspace(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s := New(append([]Option{MetastoreAdmin(admin), Member(bob, "data-eng")}, opts...)...)
	t.Cleanup(s.Close)
	return s
}

// do runs statements as who, failing the test on the first error.
func do(t *testing.T, s *Server, who string, stmts ...string) {
	t.Helper()
	for _, st := range stmts {
		if _, err := s.Exec(who, st); err != nil {
			t.Fatalf("%s: %s: %v", who, st, err)
		}
	}
}

// allowed fails the test unless who may run the statement.
func allowed(t *testing.T, s *Server, who, stmt string) {
	t.Helper()
	if _, err := s.Exec(who, stmt); err != nil {
		t.Errorf("%s: %s: %v, want success", who, stmt, err)
	}
}

// refused fails the test unless the statement fails with the error
// condition class, and returns the message.
func refused(t *testing.T, s *Server, who, stmt, class string) string {
	t.Helper()
	_, err := s.Exec(who, stmt)
	var se *sqlError
	if !errors.As(err, &se) || se.class != class {
		t.Errorf("%s: %s: %v, want %s", who, stmt, err, class)
		return ""
	}
	return se.message()
}

// [grant] CREATE CATALOG is a privilege on the metastore; [ownership]
// metastore admins own the metastore and so hold it; the creator of an
// object becomes its owner.
func TestRuleCreateCatalog(t *testing.T) {
	s := newWorkspace(t)
	msg := refused(t, s, alice, "CREATE CATALOG c1", "INSUFFICIENT_PERMISSIONS")
	if want := "[INSUFFICIENT_PERMISSIONS] Insufficient privileges: User does not have CREATE CATALOG on Metastore. SQLSTATE: 42501"; msg != want {
		t.Errorf("message %q, want %q", msg, want)
	}
	allowed(t, s, admin, "CREATE CATALOG c1")
	do(t, s, admin, "GRANT CREATE CATALOG ON METASTORE TO `alice@example.com`")
	allowed(t, s, alice, "CREATE CATALOG c2 COMMENT 'mine'")
	if o, _ := s.Owner(Sec("CATALOG", "c2")); o != alice {
		t.Errorf("owner of c2 is %q, want the creator %s", o, alice)
	}
	refused(t, s, alice, "CREATE CATALOG c2", "CATALOG_ALREADY_EXISTS")
}

// [privileges] CREATE SCHEMA needs USE CATALOG and CREATE SCHEMA on the
// catalog; [ownership] the catalog's owner has both.
func TestRuleCreateSchema(t *testing.T) {
	s := newWorkspace(t)
	do(t, s, admin, "CREATE CATALOG c", "GRANT CREATE SCHEMA ON CATALOG c TO `alice@example.com`")
	refused(t, s, alice, "CREATE SCHEMA c.s", "INSUFFICIENT_PERMISSIONS") // USE CATALOG missing
	do(t, s, admin, "GRANT USE CATALOG ON CATALOG c TO `alice@example.com`")
	allowed(t, s, alice, "CREATE SCHEMA c.s")
	allowed(t, s, admin, "CREATE SCHEMA c.t") // owner of c
	refused(t, s, bob, "CREATE SCHEMA c.u", "INSUFFICIENT_PERMISSIONS")
	refused(t, s, admin, "CREATE SCHEMA nope.s", "NO_SUCH_CATALOG_EXCEPTION")
}

// [privileges] CREATE TABLE and CREATE FUNCTION need USE CATALOG, USE
// SCHEMA and the CREATE privilege on the schema.
func TestRuleCreateTableAndFunction(t *testing.T) {
	s := newWorkspace(t)
	do(t, s, admin, "CREATE CATALOG c", "CREATE SCHEMA c.s",
		"GRANT USE CATALOG ON CATALOG c TO `alice@example.com`",
		"GRANT CREATE TABLE, CREATE FUNCTION ON SCHEMA c.s TO `alice@example.com`")
	msg := refused(t, s, alice, "CREATE TABLE c.s.t (a STRING)", "INSUFFICIENT_PERMISSIONS")
	if !strings.Contains(msg, "USE SCHEMA on Schema 'c.s'") {
		t.Errorf("message %q does not name USE SCHEMA on c.s", msg)
	}
	do(t, s, admin, "GRANT USE SCHEMA ON SCHEMA c.s TO `alice@example.com`")
	allowed(t, s, alice, "CREATE TABLE c.s.t (a STRING)")
	allowed(t, s, alice, "CREATE FUNCTION c.s.f() RETURNS INT RETURN 1")
	refused(t, s, alice, "CREATE FUNCTION c.s.f() RETURNS INT RETURN 1", "ROUTINE_ALREADY_EXISTS")
	refused(t, s, bob, "CREATE TABLE c.s.u (a STRING)", "INSUFFICIENT_PERMISSIONS")
}

// [ownership] "Owners of an object are automatically granted all
// privileges on that object ... owners of a schema do not automatically
// have all privileges on the tables in the schema".
func TestRuleOwnershipDoesNotReachChildren(t *testing.T) {
	s := newWorkspace(t)
	do(t, s, admin, "CREATE CATALOG c", "CREATE SCHEMA c.s", "CREATE TABLE c.s.t (a STRING)",
		"ALTER SCHEMA c.s OWNER TO `alice@example.com`",
		"GRANT USE CATALOG ON CATALOG c TO `alice@example.com`")
	allowed(t, s, alice, "CREATE TABLE c.s.mine (a STRING)") // all privileges on the schema
	refused(t, s, alice, "SELECT * FROM c.s.t", "INSUFFICIENT_PERMISSIONS")
	allowed(t, s, alice, "SELECT * FROM c.s.mine") // the table she owns
	// "... but they can grant themselves privileges on the tables in the
	// schema."
	allowed(t, s, alice, "GRANT SELECT ON TABLE c.s.t TO `alice@example.com`")
	allowed(t, s, alice, "SELECT * FROM c.s.t")
}

// [permissions] "Privileges can be granted by a metastore admin, the owner
// of an object, the owner of the catalog or schema that contains the
// object, or a user with the MANAGE privilege on the object"; [privileges]
// a MANAGE holder also needs USE CATALOG and USE SCHEMA on the parents.
func TestRuleWhoCanGrant(t *testing.T) {
	s := newWorkspace(t)
	do(t, s, admin, "CREATE CATALOG c", "CREATE SCHEMA c.s", "CREATE TABLE c.s.t (a STRING)")
	const grant = "GRANT SELECT ON TABLE c.s.t TO `analysts`"
	allowed(t, s, admin, grant) // metastore admin, owner of nothing below c
	refused(t, s, alice, grant, "INSUFFICIENT_PERMISSIONS")

	do(t, s, admin, "ALTER TABLE c.s.t OWNER TO `alice@example.com`")
	allowed(t, s, alice, grant) // the table's owner
	do(t, s, admin, "ALTER TABLE c.s.t OWNER TO `admin@example.com`", "ALTER SCHEMA c.s OWNER TO `alice@example.com`")
	allowed(t, s, alice, grant) // the schema's owner
	do(t, s, admin, "ALTER SCHEMA c.s OWNER TO `admin@example.com`", "ALTER CATALOG c OWNER TO `alice@example.com`")
	allowed(t, s, alice, grant) // the catalog's owner

	do(t, s, admin, "GRANT MANAGE ON TABLE c.s.t TO `bob@example.com`")
	refused(t, s, bob, grant, "INSUFFICIENT_PERMISSIONS") // MANAGE without USE CATALOG, USE SCHEMA
	do(t, s, admin, "GRANT USE CATALOG, USE SCHEMA ON CATALOG c TO `bob@example.com`")
	allowed(t, s, bob, grant)
}

// Correction 2 of the reference, [permissions]: MANAGE on a table does not
// let one grant on its catalog; MANAGE (or ownership) of the catalog
// itself does.
func TestRuleManageIsPerObject(t *testing.T) {
	s := newWorkspace(t)
	do(t, s, admin, "CREATE CATALOG hr", "CREATE SCHEMA hr.people", "CREATE TABLE hr.people.e (a STRING)",
		"GRANT USE CATALOG, USE SCHEMA ON CATALOG hr TO `alice@example.com`",
		"GRANT MANAGE ON TABLE hr.people.e TO `alice@example.com`")
	refused(t, s, alice, "GRANT USE CATALOG ON CATALOG hr TO `x`", "INSUFFICIENT_PERMISSIONS")
	do(t, s, admin, "GRANT MANAGE ON CATALOG hr TO `alice@example.com`")
	allowed(t, s, alice, "GRANT USE CATALOG ON CATALOG hr TO `x`")
	// MANAGE on the catalog is inherited by its tables.
	allowed(t, s, alice, "GRANT SELECT ON TABLE hr.people.e TO `x`")
}

// [grant] "ALL PRIVILEGES ... does not include the EXTERNAL USE SCHEMA,
// EXTERNAL USE LOCATION, or MANAGE privileges".
func TestRuleAllPrivilegesExcludesManage(t *testing.T) {
	s := newWorkspace(t)
	do(t, s, admin, "CREATE CATALOG c", "CREATE SCHEMA c.s", "CREATE TABLE c.s.t (a STRING)",
		"GRANT ALL PRIVILEGES ON CATALOG c TO `alice@example.com`")
	allowed(t, s, alice, "SELECT * FROM c.s.t")        // SELECT, USE CATALOG, USE SCHEMA are in it
	allowed(t, s, alice, "CREATE TABLE c.s.u (a INT)") // CREATE TABLE too
	refused(t, s, alice, "GRANT SELECT ON TABLE c.s.t TO `x`", "INSUFFICIENT_PERMISSIONS")
	refused(t, s, alice, "DROP TABLE c.s.t", "INSUFFICIENT_PERMISSIONS")
}

// [ownership] "You can transfer ownership of an object if you are its
// current owner, a metastore admin, or the owner of the container".
func TestRuleOwnershipTransfer(t *testing.T) {
	s := newWorkspace(t)
	do(t, s, admin, "CREATE CATALOG c", "CREATE SCHEMA c.s", "CREATE TABLE c.s.t (a STRING)",
		"GRANT MANAGE ON TABLE c.s.t TO `bob@example.com`", "GRANT USE CATALOG, USE SCHEMA ON CATALOG c TO `bob@example.com`")
	refused(t, s, bob, "ALTER TABLE c.s.t OWNER TO `bob@example.com`", "INSUFFICIENT_PERMISSIONS") // MANAGE is not enough
	allowed(t, s, admin, "ALTER TABLE c.s.t OWNER TO `alice@example.com`")
	allowed(t, s, alice, "ALTER TABLE c.s.t OWNER TO `"+sp+"`") // the owner
	if o, _ := s.Owner(Sec("TABLE", "c.s.t")); o != sp {
		t.Errorf("owner %q, want %s", o, sp)
	}
	refused(t, s, alice, "ALTER TABLE c.s.t OWNER TO `alice@example.com`", "INSUFFICIENT_PERMISSIONS") // no longer
	do(t, s, admin, "ALTER SCHEMA c.s OWNER TO `alice@example.com`")
	allowed(t, s, alice, "ALTER TABLE c.s.t OWNER TO `alice@example.com`") // the container's owner
}

// [functions] "If the user is not a metastore admin, the user must be a
// member of the group that is the new function owner"; [ownership] only
// metastore admins transfer views, functions and models to another
// principal. Tables have no such rule.
func TestRuleFunctionOwnershipNeedsAdmin(t *testing.T) {
	s := newWorkspace(t)
	do(t, s, admin, "CREATE CATALOG c", "CREATE SCHEMA c.s",
		"GRANT USE CATALOG ON CATALOG c TO `bob@example.com`",
		"GRANT USE SCHEMA, CREATE FUNCTION, CREATE TABLE ON SCHEMA c.s TO `bob@example.com`")
	do(t, s, bob, "CREATE FUNCTION c.s.f() RETURNS INT RETURN 1", "CREATE TABLE c.s.t (a STRING)")
	refused(t, s, bob, "ALTER FUNCTION c.s.f OWNER TO `"+sp+"`", "INSUFFICIENT_PERMISSIONS")
	allowed(t, s, bob, "ALTER TABLE c.s.t OWNER TO `"+sp+"`")
	allowed(t, s, bob, "ALTER FUNCTION c.s.f OWNER TO `data-eng`") // a group bob is in
	allowed(t, s, admin, "ALTER FUNCTION c.s.f OWNER TO `"+sp+"`")
}

// [decisions] DROP CATALOG needs ownership or MANAGE; [ownership] "An
// object's owner has the ability to drop the object" and MANAGE grants
// the ability to delete it. A metastore admin who does not own a catalog
// cannot drop it.
func TestRuleDrop(t *testing.T) {
	s := newWorkspace(t)
	do(t, s, admin, "GRANT CREATE CATALOG ON METASTORE TO `alice@example.com`")
	do(t, s, alice, "CREATE CATALOG c", "CREATE SCHEMA c.s")
	refused(t, s, admin, "DROP CATALOG c CASCADE", "INSUFFICIENT_PERMISSIONS")
	refused(t, s, alice, "DROP CATALOG c", "CATALOG_NOT_EMPTY")
	do(t, s, alice, "GRANT MANAGE ON CATALOG c TO `bob@example.com`")
	refused(t, s, bob, "DROP SCHEMA c.s", "INSUFFICIENT_PERMISSIONS") // MANAGE needs USE CATALOG too
	do(t, s, alice, "GRANT USE CATALOG ON CATALOG c TO `bob@example.com`")
	allowed(t, s, bob, "DROP SCHEMA c.s")
	allowed(t, s, admin, "DROP CATALOG IF EXISTS nope CASCADE")
	do(t, s, admin, "ALTER CATALOG c OWNER TO `admin@example.com`")
	allowed(t, s, admin, "DROP CATALOG c CASCADE")
	refused(t, s, admin, "DROP CATALOG c", "NO_SUCH_CATALOG_EXCEPTION")
}

// [ownership] MANAGE "grants the ability to edit ... the object": COMMENT
// ON takes ownership or MANAGE.
func TestRuleComment(t *testing.T) {
	s := newWorkspace(t)
	do(t, s, admin, "CREATE CATALOG c")
	refused(t, s, alice, "COMMENT ON CATALOG c IS 'x'", "INSUFFICIENT_PERMISSIONS")
	do(t, s, admin, "GRANT MANAGE ON CATALOG c TO `alice@example.com`")
	allowed(t, s, alice, "COMMENT ON CATALOG c IS 'x'")
	rows, _ := s.Exec(admin, "SELECT comment FROM system.information_schema.catalogs WHERE catalog_name = 'c'")
	if len(rows) != 1 || rows[0][0] != "x" {
		t.Errorf("comment rows %v", rows)
	}
}

// [decisions] metastore admins manage privileges and ownership of every
// object but read no data without a grant; [privileges] reading a table
// takes USE CATALOG, USE SCHEMA and SELECT.
func TestRuleAdminsReadNoData(t *testing.T) {
	s := newWorkspace(t)
	do(t, s, admin, "GRANT CREATE CATALOG ON METASTORE TO `alice@example.com`")
	do(t, s, alice, "CREATE CATALOG c", "CREATE SCHEMA c.s", "CREATE TABLE c.s.t AS SELECT 1 AS a")
	refused(t, s, admin, "SELECT * FROM c.s.t", "INSUFFICIENT_PERMISSIONS")
	allowed(t, s, admin, "GRANT SELECT ON TABLE c.s.t TO `admin@example.com`") // manages privileges
	refused(t, s, admin, "SELECT * FROM c.s.t", "INSUFFICIENT_PERMISSIONS")    // still USE CATALOG
	do(t, s, admin, "GRANT USE CATALOG, USE SCHEMA ON CATALOG c TO `admin@example.com`")
	allowed(t, s, admin, "SELECT * FROM c.s.t")
}

// [privileges] privileges are inherited downwards, and grants to a group
// hold for its members; every principal is in account users.
func TestRuleInheritanceAndGroups(t *testing.T) {
	s := newWorkspace(t)
	do(t, s, admin, "CREATE CATALOG c", "CREATE SCHEMA c.s", "CREATE TABLE c.s.t AS SELECT 1 AS a",
		"GRANT USE CATALOG, USE SCHEMA, SELECT ON CATALOG c TO `data-eng`")
	allowed(t, s, bob, "SELECT * FROM c.s.t")
	refused(t, s, alice, "SELECT * FROM c.s.t", "INSUFFICIENT_PERMISSIONS")
	do(t, s, admin, "GRANT USE CATALOG, USE SCHEMA, SELECT ON CATALOG c TO `account users`")
	allowed(t, s, alice, "SELECT * FROM c.s.t")
}

// [decisions] information_schema rows are filtered to the objects the
// caller may interact with (a privilege, ownership, BROWSE); a metastore
// admin sees every catalog.
func TestRuleInformationSchemaFiltered(t *testing.T) {
	s := newWorkspace(t)
	do(t, s, admin, "CREATE CATALOG a", "CREATE CATALOG b", "CREATE CATALOG c",
		"GRANT BROWSE ON CATALOG b TO `alice@example.com`", "ALTER CATALOG c OWNER TO `alice@example.com`")
	const q = "SELECT catalog_name FROM system.information_schema.catalogs WHERE catalog_name IN ('a', 'b', 'c')"
	got := func(who string) string {
		rows, err := s.Exec(who, q)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range rows {
			names = append(names, r[0].(string))
		}
		return strings.Join(names, ",")
	}
	if g := got(alice); g != "b,c" {
		t.Errorf("alice sees %q, want b,c", g)
	}
	if g := got(admin); g != "a,b,c" {
		t.Errorf("the admin sees %q, want a,b,c", g)
	}
	if g := got(bob); g != "" {
		t.Errorf("bob sees %q, want nothing", g)
	}
}

// [decisions] IF NOT EXISTS on an object that exists and the caller can
// see is a no-op that needs no privilege; on a catalog the caller cannot
// see it is a no-op too, which is why guard 2 counts the marked catalogs
// the runner sees.
func TestRuleIfNotExists(t *testing.T) {
	s := newWorkspace(t)
	do(t, s, admin, "CREATE CATALOG c", "CREATE SCHEMA c.s", "GRANT BROWSE ON CATALOG c TO `alice@example.com`")
	allowed(t, s, alice, "CREATE SCHEMA IF NOT EXISTS c.s")
	allowed(t, s, alice, "CREATE CATALOG IF NOT EXISTS c")
	allowed(t, s, bob, "CREATE CATALOG IF NOT EXISTS c") // not visible to bob: still a no-op
	refused(t, s, bob, "CREATE SCHEMA IF NOT EXISTS c.s", "INSUFFICIENT_PERMISSIONS")
	refused(t, s, bob, "CREATE CATALOG d", "INSUFFICIENT_PERMISSIONS")
}

// [revoke] "REVOKE ... succeeds even if the specified privileges were not
// granted".
func TestRuleRevokeNotGranted(t *testing.T) {
	s := newWorkspace(t)
	do(t, s, admin, "CREATE CATALOG c")
	allowed(t, s, admin, "REVOKE ALL PRIVILEGES ON CATALOG c FROM `account users`")
	do(t, s, admin, "GRANT SELECT, MODIFY ON CATALOG c TO `x`", "REVOKE SELECT ON CATALOG c FROM `X`")
	if got := s.Privileges("x", Sec("CATALOG", "c")); len(got) != 1 || got[0] != "MODIFY" {
		t.Errorf("after the revoke x holds %v, want [MODIFY]", got)
	}
}

// [sysschemas] a system schema must be enabled before its tables can be
// read; [decisions] USE SCHEMA granted ON CATALOG system is ignored (no
// first-party source: the reference's correction 5), so each system schema
// needs its own USE SCHEMA.
func TestRuleSystemTables(t *testing.T) {
	s := newWorkspace(t)
	do(t, s, admin, "GRANT USE CATALOG ON CATALOG system TO `"+sp+"`",
		"GRANT USE SCHEMA ON CATALOG system TO `"+sp+"`",
		"GRANT SELECT ON TABLE system.access.audit TO `"+sp+"`")
	const probe = "SELECT * FROM system.access.audit LIMIT 0"
	refused(t, s, sp, probe, "TABLE_OR_VIEW_NOT_FOUND") // the schema is not enabled
	s.SetSystemSchema("access", "ENABLE_COMPLETED")
	msg := refused(t, s, sp, probe, "INSUFFICIENT_PERMISSIONS")
	if !strings.Contains(msg, "USE SCHEMA on Schema 'system.access'") {
		t.Errorf("message %q", msg)
	}
	do(t, s, admin, "GRANT USE SCHEMA ON SCHEMA system.access TO `"+sp+"`")
	allowed(t, s, sp, probe)
}

// [privileges] changing a table's rows (MERGE) takes MODIFY on it, and
// reading it as well: SELECT on the table, USE SCHEMA on its schema and
// USE CATALOG on its catalog.
func TestRuleMergeNeedsModify(t *testing.T) {
	s := newWorkspace(t)
	do(t, s, admin, "CREATE CATALOG c", "CREATE SCHEMA c.s",
		"CREATE TABLE c.s.t AS SELECT * FROM VALUES ('k', 'v') AS m(`key`, `value`)")
	merge := "MERGE INTO c.s.t AS m USING (SELECT 'k' AS `key`, 'w' AS `value`) AS s ON m.`key` = s.`key` WHEN MATCHED THEN UPDATE SET m.`value` = s.`value`"
	refused(t, s, alice, merge, "INSUFFICIENT_PERMISSIONS")
	do(t, s, admin, "GRANT USE CATALOG ON CATALOG c TO `alice@example.com`", "GRANT USE SCHEMA ON SCHEMA c.s TO `alice@example.com`",
		"GRANT SELECT ON TABLE c.s.t TO `alice@example.com`")
	if msg := refused(t, s, alice, merge, "INSUFFICIENT_PERMISSIONS"); !strings.Contains(msg, "User does not have MODIFY on Table 'c.s.t'") {
		t.Errorf("SELECT without MODIFY: %q, want the missing MODIFY", msg)
	}
	do(t, s, admin, "GRANT MODIFY ON TABLE c.s.t TO `alice@example.com`", "REVOKE SELECT ON TABLE c.s.t FROM `alice@example.com`")
	if msg := refused(t, s, alice, merge, "INSUFFICIENT_PERMISSIONS"); !strings.Contains(msg, "User does not have SELECT on Table 'c.s.t'") {
		t.Errorf("MODIFY without SELECT: %q, want the missing SELECT", msg)
	}
	do(t, s, admin, "GRANT SELECT ON TABLE c.s.t TO `alice@example.com`", "REVOKE USE SCHEMA ON SCHEMA c.s FROM `alice@example.com`")
	if msg := refused(t, s, alice, merge, "INSUFFICIENT_PERMISSIONS"); !strings.Contains(msg, "USE SCHEMA") {
		t.Errorf("without USE SCHEMA: %q, want the missing USE SCHEMA", msg)
	}
	do(t, s, admin, "GRANT USE SCHEMA ON SCHEMA c.s TO `alice@example.com`")
	allowed(t, s, alice, merge)
	rows, err := s.Exec(alice, "SELECT `value` FROM c.s.t")
	if err != nil || len(rows) != 1 || rows[0][0] != "w" {
		t.Errorf("after the MERGE: %v %v, want [[w]]", rows, err)
	}
}
