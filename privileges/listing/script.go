package listing

import (
	"iter"
	"maps"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/dbsql"
	"github.com/ucbootstrap/ucbootstrap/privileges"
)

// ChangeKind tells what a statement of a script does to grants.
type ChangeKind int

// The kinds of script change.
const (
	GrantChange ChangeKind = iota + 1
	RevokeChange
	OwnerChange
)

// A ScriptChange is what one GRANT, REVOKE or ALTER ... OWNER TO statement
// of a script does: Grants holds one grant per privilege (for an owner
// change, none), Owner the new owner.
type ScriptChange struct {
	Kind   ChangeKind
	Grants []privileges.Grant
	On     privileges.Securable
	Owner  string
	Stmt   dbsql.Stmt
	Pos    privileges.Position
}

// FromScript returns the grant changes a parsed script makes, in script
// order. Other statements are skipped. Grants on hive_metastore (CATALOG
// without a name, objects in hive_metastore, ANY FILE, ANONYMOUS FUNCTION)
// have Hive set.
func FromScript(f *dbsql.File) []ScriptChange {
	var out []ScriptChange
	for _, st := range f.Stmts {
		var (
			kind      ChangeKind
			privs     []*dbsql.Privilege
			on        *dbsql.Securable
			principal *dbsql.Principal
		)
		switch s := st.(type) {
		case *dbsql.GrantStmt:
			kind, privs, on, principal = GrantChange, s.Privileges, s.On, s.Principal
		case *dbsql.RevokeStmt:
			kind, privs, on, principal = RevokeChange, s.Privileges, s.On, s.Principal
		case *dbsql.AlterOwnerStmt:
			kind, on, principal = OwnerChange, s.Object, s.Owner
		default:
			continue
		}
		if on == nil || principal == nil {
			continue
		}
		p := f.Position(st.Pos())
		c := ScriptChange{Kind: kind, On: securableOf(on), Stmt: st, Pos: privileges.Position{File: p.File, Line: p.Line, Col: p.Col}}
		if kind == OwnerChange {
			c.Owner = principal.Name.Name
		}
		hive := isHive(c.On) || c.On.Type == anyFile || c.On.Type == anonymousFunction
		for _, pr := range privs {
			priv, legacy := privileges.Normalize(pr.Name, c.On.Type)
			pp := f.Position(pr.Pos())
			c.Grants = append(c.Grants, privileges.Grant{Principal: principal.Name.Name, Privilege: priv, On: c.On, Spelling: pr.Name,
				Legacy: legacy, Hive: hive, Pos: privileges.Position{File: pp.File, Line: pp.Line, Col: pp.Col}})
		}
		out = append(out, c)
	}
	return out
}

// securableOf converts a parsed securable.
func securableOf(s *dbsql.Securable) privileges.Securable {
	t, ok := privileges.ParseSecurableType(string(s.Type))
	if !ok {
		t = privileges.SecurableType(s.Type)
	}
	if s.Name == nil {
		if t == privileges.Catalog {
			// GRANT ... ON CATALOG without a name: hive_metastore.
			return privileges.SecurableOf(t, hiveMetastore)
		}
		return privileges.SecurableOf(t)
	}
	parts := make([]string, len(s.Name.Parts))
	for i, p := range s.Name.Parts {
		parts[i] = p.Name
	}
	return privileges.SecurableOf(t, parts...)
}

// grantKey identifies a privilege of a principal on a securable.
type grantKey struct {
	principal string
	privilege privileges.Privilege
	on        privileges.Securable
}

func keyOfGrant(principal string, p privileges.Privilege, on privileges.Securable) grantKey {
	switch privileges.KindOf(principal) {
	case privileges.User, privileges.ServicePrincipal, privileges.AccountUsers:
		principal = strings.ToLower(principal)
	}
	return grantKey{principal, p, on.Canonical()}
}

// ApplyScript returns the grants and owners that hold after the script's
// changes are applied to the current ones: a REVOKE removes the privilege
// (REVOKE ALL PRIVILEGES every privilege that ALL PRIVILEGES covers, and
// itself), also where a listing shows it inherited from the securable;
// a GRANT adds it; ALTER ... OWNER TO sets the owner. The last statement on
// a privilege wins. The current grants are streamed; memory grows with the
// script, not with the listing.
func ApplyScript(current iter.Seq2[privileges.Grant, error], owners map[privileges.Securable]string, changes []ScriptChange) (iter.Seq2[privileges.Grant, error], map[privileges.Securable]string) {
	type state struct {
		granted bool
		grant   privileges.Grant
	}
	net := map[grantKey]*state{}
	var order []grantKey
	revokedAll := map[grantKey]bool{} // key with privilege ALL_PRIVILEGES: everything it covers was revoked
	after := maps.Clone(owners)
	if after == nil {
		after = map[privileges.Securable]string{}
	}
	for _, c := range changes {
		switch c.Kind {
		case OwnerChange:
			for s := range after {
				if s.Canonical() == c.On.Canonical() {
					delete(after, s)
				}
			}
			after[c.On] = c.Owner
		case GrantChange, RevokeChange:
			for _, g := range c.Grants {
				k := keyOfGrant(g.Principal, g.Privilege, g.On)
				if _, ok := net[k]; !ok {
					order = append(order, k)
				}
				net[k] = &state{granted: c.Kind == GrantChange, grant: g}
				if c.Kind == RevokeChange && g.Privilege == privileges.AllPrivileges {
					revokedAll[k] = true
					// Earlier grants that ALL PRIVILEGES covers go too.
					for other, st := range net {
						if other.principal == k.principal && other.on == k.on && privileges.AllPrivilegesCovers(other.privilege) {
							st.granted = false
						}
					}
				}
			}
		}
	}
	revoked := func(g privileges.Grant) bool {
		k := keyOfGrant(g.Principal, g.Privilege, g.Effective())
		if s, ok := net[k]; ok {
			return !s.granted
		}
		all := keyOfGrant(g.Principal, privileges.AllPrivileges, g.Effective())
		return revokedAll[all] && privileges.AllPrivilegesCovers(g.Privilege)
	}
	grants := func(yield func(privileges.Grant, error) bool) {
		if current != nil {
			for g, err := range current {
				if err != nil {
					yield(privileges.Grant{}, err)
					return
				}
				if revoked(g) {
					continue
				}
				if !yield(g, nil) {
					return
				}
			}
		}
		for _, k := range order {
			if s := net[k]; s.granted {
				if !yield(s.grant, nil) {
					return
				}
			}
		}
	}
	return grants, after
}
