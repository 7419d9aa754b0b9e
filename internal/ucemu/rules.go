package ucemu

import (
	"fmt"
	"strings"
)

// This file holds the Unity Catalog permission rules the emulator
// enforces. They are written from the Databricks documentation, each
// citing its source, and share nothing with package privileges: a rule
// that either gets wrong shows up as a failing end-to-end test.

// A sqlError is a statement that failed, in the shape of the Statement
// Execution API: an error_code, an error condition with its message, and a
// SQLSTATE.
type sqlError struct {
	code  string // status.error.error_code
	class string // the error condition, such as INSUFFICIENT_PERMISSIONS
	state string // SQLSTATE
	msg   string
}

// message returns the rendered message, as Databricks renders it:
// "[CLASS] text SQLSTATE: 42501".
func (e *sqlError) message() string {
	return "[" + e.class + "] " + e.msg + " SQLSTATE: " + e.state
}

func (e *sqlError) Error() string { return e.message() }

// typeWord names a securable type in messages: "Catalog", "Schema", ...
func typeWord(t string) string {
	w := strings.ToLower(t)
	return strings.ToUpper(w[:1]) + w[1:]
}

// quoted returns the back-quoted name parts: `a`.`b`.
func quoted(sec Securable) string {
	p := sec.parts()
	for i := range p {
		p[i] = "`" + p[i] + "`"
	}
	return strings.Join(p, ".")
}

func describe(sec Securable) string {
	if sec.Type == "METASTORE" {
		return "Metastore"
	}
	return fmt.Sprintf("%s '%s'", typeWord(sec.Type), sec.Name)
}

// denied is the error of a missing privilege (error condition and SQLSTATE
// as Databricks reports them: "[INSUFFICIENT_PERMISSIONS] Insufficient
// privileges: User does not have USE CATALOG on Catalog 'foo'. SQLSTATE:
// 42501").
func denied(format string, args ...any) *sqlError {
	return &sqlError{code: "PERMISSION_DENIED", class: "INSUFFICIENT_PERMISSIONS", state: "42501",
		msg: "Insufficient privileges: " + fmt.Sprintf(format, args...)}
}

func missingPrivilege(priv string, sec Securable) *sqlError {
	return denied("User does not have %s on %s.", privSQL(priv), describe(sec))
}

func notFound(sec Securable) *sqlError {
	switch sec.Type {
	case "CATALOG":
		return &sqlError{code: "NOT_FOUND", class: "NO_SUCH_CATALOG_EXCEPTION", state: "42704",
			msg: fmt.Sprintf("Catalog '%s' was not found. Please verify the catalog name and then retry the query or command again.", sec.Name)}
	case "SCHEMA":
		return &sqlError{code: "NOT_FOUND", class: "SCHEMA_NOT_FOUND", state: "42704",
			msg: fmt.Sprintf("The schema %s cannot be found. Verify the spelling and correctness of the schema and catalog.", quoted(sec))}
	case "FUNCTION":
		return &sqlError{code: "NOT_FOUND", class: "ROUTINE_NOT_FOUND", state: "42883",
			msg: fmt.Sprintf("The routine %s cannot be found. Verify the spelling and correctness of the schema and catalog.", quoted(sec))}
	}
	return &sqlError{code: "NOT_FOUND", class: "TABLE_OR_VIEW_NOT_FOUND", state: "42P01",
		msg: fmt.Sprintf("The table or view %s cannot be found. Verify the spelling and correctness of the schema and catalog.", quoted(sec))}
}

func alreadyExists(sec Securable) *sqlError {
	class, state := "TABLE_OR_VIEW_ALREADY_EXISTS", "42P07"
	switch sec.Type {
	case "CATALOG":
		class, state = "CATALOG_ALREADY_EXISTS", "42P04"
	case "SCHEMA":
		class, state = "SCHEMA_ALREADY_EXISTS", "42P06"
	case "FUNCTION":
		class, state = "ROUTINE_ALREADY_EXISTS", "42723"
	}
	return &sqlError{code: "ALREADY_EXISTS", class: class, state: state,
		msg: fmt.Sprintf("Cannot create %s %s because it already exists.", strings.ToLower(sec.Type), quoted(sec))}
}

func badRequest(class, state, format string, args ...any) *sqlError {
	return &sqlError{code: "BAD_REQUEST", class: class, state: state, msg: fmt.Sprintf(format, args...)}
}

// unsupported reports a statement the emulator does not execute; it says
// so, so that nobody mistakes it for what Databricks would answer.
func unsupported(format string, args ...any) *sqlError {
	return badRequest("UNSUPPORTED_FEATURE", "0A000", "ucemu does not emulate "+format, args...)
}

// principalsOf returns the names p acts as: itself, every account group it
// belongs to (transitively), and account users, which every principal is a
// member of.
func (m *metastore) principalsOf(p string) []string {
	out := []string{p, accountUsers}
	seen := map[string]bool{strings.ToLower(p): true, accountUsers: true}
	for i := 0; i < len(out); i++ {
		for g, members := range m.groups {
			if members[strings.ToLower(out[i])] && !seen[g] {
				seen[g] = true
				out = append(out, g)
			}
		}
	}
	return out
}

// memberOf reports whether p is group or belongs to it.
func (m *metastore) memberOf(p, group string) bool {
	for _, q := range m.principalsOf(p) {
		if samePrincipal(q, group) {
			return true
		}
	}
	return false
}

func (m *metastore) isGroup(name string) bool {
	_, ok := m.groups[strings.ToLower(name)]
	return ok || samePrincipal(name, accountUsers)
}

// isAdmin reports whether p is a metastore admin, itself or through a
// group.
func (m *metastore) isAdmin(p string) bool {
	for _, q := range m.principalsOf(p) {
		if m.admins[strings.ToLower(q)] {
			return true
		}
	}
	return false
}

// isAccountAdmin reports whether p is an account admin.
func (m *metastore) isAccountAdmin(p string) bool {
	for _, q := range m.principalsOf(p) {
		if m.accountAdmins[strings.ToLower(q)] {
			return true
		}
	}
	return false
}

// owns reports whether p, or a group p belongs to, owns sec. Metastore
// admins own the metastore ("Metastore admins are the owners of the
// metastore", manage-ownership).
func (m *metastore) owns(p string, sec Securable) bool {
	if sec.Type == "METASTORE" {
		return m.isAdmin(p)
	}
	o := m.objects[sec]
	return o != nil && o.owner != "" && m.memberOf(p, o.owner)
}

// notInAllPrivileges are the privileges ALL PRIVILEGES leaves out: "ALL
// PRIVILEGES ... does not include the EXTERNAL USE SCHEMA, EXTERNAL USE
// LOCATION, or MANAGE privileges" (security-grant).
var notInAllPrivileges = map[string]bool{"MANAGE": true, "EXTERNAL_USE_SCHEMA": true, "EXTERNAL_USE_LOCATION": true}

// granted reports whether p holds priv on sec through a grant, to p or to a
// group p belongs to, on sec or on one of its containers (privileges are
// inherited downwards), directly or through ALL PRIVILEGES.
//
// USE SCHEMA granted on the catalog system gives no schema of it (DECISIONS
// list; no first-party source, see the reference's correction 5).
func (m *metastore) granted(p, priv string, sec Securable) bool {
	names := m.principalsOf(p)
	for _, a := range append([]Securable{sec}, sec.ancestors()...) {
		o := m.objects[a]
		if o == nil {
			continue
		}
		if priv == "USE_SCHEMA" && a != sec && a == (Securable{Type: "CATALOG", Name: "system"}) {
			continue
		}
		for grantee, privs := range o.grants {
			if !privs[priv] && (!privs["ALL_PRIVILEGES"] || notInAllPrivileges[priv]) {
				continue
			}
			for _, n := range names {
				if samePrincipal(grantee, n) {
					return true
				}
			}
		}
	}
	return false
}

// has reports whether p holds priv on sec: through a grant, or as its
// owner. "Owners of an object are automatically granted all privileges on
// that object ... owners of a schema do not automatically have all
// privileges on the tables in the schema" (manage-ownership): ownership
// counts for the object itself only. Schema owners do not have EXTERNAL
// USE SCHEMA (same page).
func (m *metastore) has(p, priv string, sec Securable) bool {
	if m.owns(p, sec) && priv != "EXTERNAL_USE_SCHEMA" && priv != "EXTERNAL_USE_LOCATION" {
		return true
	}
	return m.granted(p, priv, sec)
}

// reach checks that p may reach sec: USE CATALOG on its catalog and USE
// SCHEMA on its schema. "Like other privileges, the user needs USE CATALOG
// on the object's parent catalog and USE SCHEMA on the object's parent
// schema" (manage-ownership, Ownership versus MANAGE).
func (m *metastore) reach(p string, sec Securable) *sqlError {
	if cat, ok := sec.catalogOf(); ok && cat != sec && !m.has(p, "USE_CATALOG", cat) {
		return missingPrivilege("USE_CATALOG", cat)
	}
	if sch, ok := sec.schemaOf(); ok && !m.has(p, "USE_SCHEMA", sch) {
		return missingPrivilege("USE_SCHEMA", sch)
	}
	return nil
}

// canGrant checks that p may grant or revoke privileges on sec.
// "Privileges can be granted by a metastore admin, the owner of an object,
// the owner of the catalog or schema that contains the object, or a user
// with the MANAGE privilege on the object" (manage-permissions), and a
// MANAGE holder also needs USE CATALOG and USE SCHEMA on the parents
// (sql-ref-privileges; manage-ownership).
func (m *metastore) canGrant(p string, sec Securable) *sqlError {
	if m.isAdmin(p) || m.owns(p, sec) {
		return nil
	}
	for _, a := range sec.ancestors() {
		if (a.Type == "CATALOG" || a.Type == "SCHEMA") && m.owns(p, a) {
			return nil
		}
	}
	if m.granted(p, "MANAGE", sec) {
		return m.reach(p, sec)
	}
	return denied("User is not an owner of %s and does not have MANAGE on it.", describe(sec))
}

// canTransfer checks that p may make newOwner the owner of sec. "You can
// transfer ownership of an object if you are its current owner, a
// metastore admin, or the owner of the container (the catalog of a schema,
// the schema of a table)" (manage-ownership, Transfer ownership). For
// functions (and views and models) a non-admin may only hand the object to
// a group the caller belongs to: "If the user is not a metastore admin, the
// user must be a member of the group that is the new function owner"
// (Functions update API), "to prevent privilege escalation, only metastore
// admins can transfer ownership of views, functions, or models"
// (manage-ownership).
func (m *metastore) canTransfer(p string, sec Securable, newOwner string) *sqlError {
	admin := m.isAdmin(p)
	parent, _ := sec.parent()
	if !admin && !m.owns(p, sec) && !((parent.Type == "CATALOG" || parent.Type == "SCHEMA") && m.owns(p, parent)) {
		return denied("User is not an owner of %s.", describe(sec))
	}
	o := m.objects[sec]
	if (sec.Type == "FUNCTION" || o != nil && o.kind == "VIEW") && !admin && !(m.isGroup(newOwner) && m.memberOf(p, newOwner)) {
		return denied("Only a metastore admin can transfer the ownership of %s to a principal that is not a group the caller belongs to.", describe(sec))
	}
	return nil
}

// canCreateCatalog checks CREATE CATALOG on the metastore, which metastore
// admins hold as its owners (security-grant; manage-ownership).
func (m *metastore) canCreateCatalog(p string) *sqlError {
	if m.has(p, "CREATE_CATALOG", Securable{Type: "METASTORE"}) {
		return nil
	}
	return missingPrivilege("CREATE_CATALOG", Securable{Type: "METASTORE"})
}

// canCreateIn checks that p may create an object of type typ in container
// (a catalog for a schema, a schema for a table or function): USE CATALOG
// (and USE SCHEMA) on the containers and the CREATE privilege on the
// direct one, which its owner has (sql-ref-privileges, "CREATE SCHEMA",
// "CREATE TABLE", "CREATE FUNCTION").
func (m *metastore) canCreateIn(p, typ string, container Securable) *sqlError {
	cat, _ := container.catalogOf()
	if !m.has(p, "USE_CATALOG", cat) {
		return missingPrivilege("USE_CATALOG", cat)
	}
	if container.Type == "SCHEMA" && !m.has(p, "USE_SCHEMA", container) {
		return missingPrivilege("USE_SCHEMA", container)
	}
	priv := "CREATE_" + typ
	if !m.has(p, priv, container) {
		return missingPrivilege(priv, container)
	}
	return nil
}

// canManage checks that p may drop or edit (COMMENT ON) sec: its owner
// ("An object's owner has the ability to drop the object",
// manage-ownership), or a MANAGE holder ("MANAGE ... grants the ability to
// edit, delete, and manage privileges on the object", same page) that can
// reach it. DROP CATALOG "needs ownership or MANAGE" (DECISIONS list).
func (m *metastore) canManage(p string, sec Securable, what string) *sqlError {
	if m.owns(p, sec) {
		return nil
	}
	if m.granted(p, "MANAGE", sec) {
		return m.reach(p, sec)
	}
	return denied("User is not an owner of %s and does not have MANAGE on it: only they can %s it.", describe(sec), what)
}

// canRead checks that p may read a table: USE CATALOG, USE SCHEMA and
// SELECT (sql-ref-privileges). Metastore admins "manage privileges and
// ownership of every object but read no data" unless granted.
func (m *metastore) canRead(p string, sec Securable) *sqlError {
	if err := m.reach(p, sec); err != nil {
		return err
	}
	if !m.has(p, "SELECT", sec) {
		return missingPrivilege("SELECT", sec)
	}
	return nil
}

// canWrite checks that p may change a table's rows (MERGE): MODIFY and
// SELECT on it, and the parents' USE privileges (sql-ref-privileges).
func (m *metastore) canWrite(p string, sec Securable) *sqlError {
	if err := m.canRead(p, sec); err != nil {
		return err
	}
	if !m.has(p, "MODIFY", sec) {
		return missingPrivilege("MODIFY", sec)
	}
	return nil
}

// visible reports whether information_schema shows sec to p: its rows "are
// filtered to the objects the caller may interact with" — through a
// privilege on the object or a container (BROWSE included), or ownership.
// A metastore admin sees every object [inferred: admins manage every
// object].
func (m *metastore) visible(p string, sec Securable) bool {
	if m.isAdmin(p) || m.owns(p, sec) {
		return true
	}
	names := m.principalsOf(p)
	for _, a := range append([]Securable{sec}, sec.ancestors()...) {
		if a.Type == "METASTORE" {
			break
		}
		o := m.objects[a]
		if o == nil {
			continue
		}
		for grantee, privs := range o.grants {
			if len(privs) == 0 {
				continue
			}
			for _, n := range names {
				if samePrincipal(grantee, n) {
					return true
				}
			}
		}
	}
	return false
}
