package lint

import (
	"strings"

	"github.com/ucbootstrap/ucbootstrap/dbsql"
	"github.com/ucbootstrap/ucbootstrap/privileges/listing"
)

// samplesCatalog is the read-only catalog of sample data that every
// workspace has.
const samplesCatalog = "samples"

// runSamples reports GRANT and REVOKE on the samples catalog or anything in
// it. The GRANT page of the Databricks SQL reference: "Modifying access to
// the samples catalog is not supported. This catalog is available to all
// workspaces, but is read-only."
func runSamples(p *Pass) {
	for _, c := range p.Changes {
		if c.Kind != listing.GrantChange && c.Kind != listing.RevokeChange || c.On.CatalogName() != samplesCatalog {
			continue
		}
		var at dbsql.Node = c.Stmt
		verb := "GRANT"
		switch s := c.Stmt.(type) {
		case *dbsql.GrantStmt:
			at = s.On
		case *dbsql.RevokeStmt:
			at, verb = s.On, "REVOKE"
		}
		p.Reportf(at, "%s on %s fails: the samples catalog is read-only and its access cannot be changed; remove the statement, or copy the data into a catalog of your own",
			verb, short(strings.ToLower(c.On.String())))
	}
}
