package generator

import (
	"slices"
	"strings"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/internal/sqltext"
)

// A Securable is an object of Unity Catalog that grants are made on.
type Securable struct {
	// Type is the securable type as GRANT spells it: METASTORE, CATALOG,
	// SCHEMA or TABLE.
	Type string
	// Name holds the name parts; none for the metastore.
	Name []string
}

// SQL returns the securable as it follows ON in a GRANT.
func (s Securable) SQL() string {
	if len(s.Name) == 0 {
		return s.Type
	}
	return s.Type + " " + sqltext.Ident(s.Name...)
}

func (s Securable) key() string { return s.Type + "\x00" + strings.Join(s.Name, "\x00") }

// A Grant gives privileges on a securable to a principal.
type Grant struct {
	Privileges []string // SQL spelling, such as "USE CATALOG"
	On         Securable
	Principal  string
	// Reason says in one line why the grant is needed.
	Reason string
}

// SQL returns the GRANT statement, without a semicolon.
func (g Grant) SQL() string {
	return "GRANT " + strings.Join(g.Privileges, ", ") + " ON " + g.On.SQL() + " TO " + sqltext.Ident(g.Principal)
}

// RevokeSQL returns the REVOKE statement of the same privileges.
func (g Grant) RevokeSQL() string {
	return "REVOKE " + strings.Join(g.Privileges, ", ") + " ON " + g.On.SQL() + " FROM " + sqltext.Ident(g.Principal)
}

func catalogOf(name string) Securable  { return Securable{Type: "CATALOG", Name: []string{name}} }
func schemaOf(c, s string) Securable   { return Securable{Type: "SCHEMA", Name: []string{c, s}} }
func tableOf(c, s, t string) Securable { return Securable{Type: "TABLE", Name: []string{c, s, t}} }
func metastore() Securable             { return Securable{Type: "METASTORE"} }

// The reasons of the service principal's grants.
const (
	reasonCatalog      = "USE CATALOG and MANAGE must be set directly on the catalog of a data source for the grants and policies of the integration to be fully applied"
	reasonSchemaUse    = "USE SCHEMA lets the service principal reach the tables of the schema"
	reasonData         = "SELECT and MODIFY let the service principal read the data and apply row filters and column masks"
	reasonMetastore    = "with automatic setup the service principal creates the governance catalog itself"
	reasonAuditCatalog = "query audit reads the system tables, which need USE CATALOG on system"
	reasonAuditSchema  = "USE SCHEMA must be granted on each system schema: granted on the system catalog it is silently ignored"
	reasonAuditTable   = "query audit reads this system table"
)

// DataGrants returns the grants the service principal sp needs on the data
// sources: USE CATALOG and MANAGE directly on each catalog; then, for a
// catalog data source, USE SCHEMA, SELECT and MODIFY on the catalog; for a
// schema, the same on the schema; for a table, USE SCHEMA on its schema and
// SELECT and MODIFY on the table. A data source that lies inside another is
// covered by it. sources must be sorted (as Config.Sources returns them).
func DataGrants(sp string, sources []ucbootstrap.DataSource) []Grant {
	grants := make([]Grant, 0, len(sources)+len(sources)/2+1)
	// In sorted order a catalog comes right before its schemas and a schema
	// right before its tables, so the data source that covers the current
	// one, if any, is the last catalog or schema data source seen.
	var catalogCovered bool
	var lastSchema ucbootstrap.DataSource
	usedSchema := ""
	for i, ds := range sources {
		if i == 0 || ds.Catalog != sources[i-1].Catalog {
			grants = append(grants, Grant{Privileges: []string{"USE CATALOG", "MANAGE"}, On: catalogOf(ds.Catalog), Principal: sp, Reason: reasonCatalog})
			catalogCovered, lastSchema, usedSchema = false, ucbootstrap.DataSource{}, ""
		}
		if catalogCovered || lastSchema.Schema != "" && lastSchema.Contains(ds) {
			continue
		}
		switch ds.Level() {
		case ucbootstrap.CatalogLevel:
			grants = append(grants, Grant{Privileges: []string{"USE SCHEMA", "SELECT", "MODIFY"}, On: catalogOf(ds.Catalog), Principal: sp, Reason: reasonData})
			catalogCovered = true
		case ucbootstrap.SchemaLevel:
			grants = append(grants, Grant{Privileges: []string{"USE SCHEMA", "SELECT", "MODIFY"}, On: schemaOf(ds.Catalog, ds.Schema), Principal: sp, Reason: reasonData})
			lastSchema = ds
		case ucbootstrap.TableLevel:
			if usedSchema != ds.Schema {
				grants = append(grants, Grant{Privileges: []string{"USE SCHEMA"}, On: schemaOf(ds.Catalog, ds.Schema), Principal: sp, Reason: reasonSchemaUse})
				usedSchema = ds.Schema
			}
			grants = append(grants, Grant{Privileges: []string{"SELECT", "MODIFY"}, On: tableOf(ds.Catalog, ds.Schema, ds.Table), Principal: sp, Reason: reasonData})
		}
	}
	return grants
}

// AuditGrants returns the grants query audit needs: USE CATALOG on system,
// USE SCHEMA on system.access (never on the system catalog, where Unity
// Catalog ignores it) and SELECT on its audit and lineage tables; with
// queryHistory also system.query and its history table. It returns nil
// when audit is off.
func AuditGrants(sp string, a ucbootstrap.Audit) []Grant {
	if !a.Enabled {
		return nil
	}
	grants := []Grant{
		{Privileges: []string{"USE CATALOG"}, On: catalogOf("system"), Principal: sp, Reason: reasonAuditCatalog},
		{Privileges: []string{"USE SCHEMA"}, On: schemaOf("system", "access"), Principal: sp, Reason: reasonAuditSchema},
		{Privileges: []string{"SELECT"}, On: tableOf("system", "access", "audit"), Principal: sp, Reason: reasonAuditTable},
		{Privileges: []string{"SELECT"}, On: tableOf("system", "access", "column_lineage"), Principal: sp, Reason: reasonAuditTable},
		{Privileges: []string{"SELECT"}, On: tableOf("system", "access", "table_lineage"), Principal: sp, Reason: reasonAuditTable},
	}
	if a.QueryHistory {
		grants = append(grants,
			Grant{Privileges: []string{"USE SCHEMA"}, On: schemaOf("system", "query"), Principal: sp, Reason: reasonAuditSchema},
			Grant{Privileges: []string{"SELECT"}, On: tableOf("system", "query", "history"), Principal: sp, Reason: reasonAuditTable},
		)
	}
	return grants
}

// MetastoreGrants returns CREATE CATALOG on the metastore, which the service
// principal needs with automatic setup, and nil with manual setup.
func MetastoreGrants(sp string, auto bool) []Grant {
	if !auto {
		return nil
	}
	return []Grant{{Privileges: []string{"CREATE CATALOG"}, On: metastore(), Principal: sp, Reason: reasonMetastore}}
}

// grantDiff returns the grants of a that b does not make, privilege by
// privilege, in the order of a.
func grantDiff(a, b []Grant) []Grant {
	type atom struct{ principal, on, privilege string }
	have := map[atom]bool{}
	for _, g := range b {
		for _, p := range g.Privileges {
			have[atom{g.Principal, g.On.key(), p}] = true
		}
	}
	var out []Grant
	for _, g := range a {
		var missing []string
		for _, p := range g.Privileges {
			if !have[atom{g.Principal, g.On.key(), p}] {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			g.Privileges = slices.Clip(missing)
			out = append(out, g)
		}
	}
	return out
}
