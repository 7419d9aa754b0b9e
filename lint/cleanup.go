package lint

import (
	"github.com/ucbootstrap/ucbootstrap/dbsql"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/sqltext"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/privileges/listing"
)

// runCleanup reports, in a cleanup script, a script that is not a cleanup
// at all (it creates objects or grants privileges, which the generated
// cleanup script never does), and a cleanup that no longer drops the
// governance catalog that the generated one drops.
func runCleanup(p *Pass) {
	if p.Kind != generator.Cleanup || p.Reference == nil || p.Catalog == "" {
		return
	}
	if len(creates(p.Reference)) == 0 && !grants(p.Reference) {
		if c := creates(p.File); len(c) > 0 {
			p.Reportf(c[0].stmt, "this is not a cleanup script: it creates %s, which a cleanup never does; lint a setup script with --kind bootstrap, prerequisites or edit", short(c[0].obj))
			return
		}
		for _, c := range p.Changes {
			if c.Kind == listing.GrantChange && len(c.Grants) > 0 {
				p.Reportf(c.Stmt, "this is not a cleanup script: it grants %s on %s, which a cleanup never does; lint a setup script with --kind bootstrap, prerequisites or edit",
					c.Grants[0].Privilege.SQL(), short(c.On))
				return
			}
		}
	}
	catalog := privileges.SecurableOf(privileges.Catalog, p.Catalog)
	if !dropsCatalog(p.Reference, catalog) || dropsCatalog(p.File, catalog) {
		return
	}
	p.Reportf(p.lastStmt(), "the cleanup script no longer drops the governance catalog %s: the integration's catalog, its functions and tables stay behind; restore DROP CATALOG IF EXISTS %s CASCADE",
		p.Catalog, sqltext.Ident(p.Catalog))
}

// grants reports whether the script f grants anything.
func grants(f *dbsql.File) bool {
	for _, st := range f.Stmts {
		if _, ok := st.(*dbsql.GrantStmt); ok {
			return true
		}
	}
	return false
}

// dropsCatalog reports whether the script f drops the catalog.
func dropsCatalog(f *dbsql.File, catalog privileges.Securable) bool {
	for _, st := range f.Stmts {
		if s, ok := st.(*dbsql.DropStmt); ok && s.Object != nil && s.Object.Name != nil && securable(s.Object) == catalog {
			return true
		}
	}
	return false
}
