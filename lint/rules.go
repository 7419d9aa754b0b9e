package lint

import (
	"strings"

	"github.com/ucbootstrap/ucbootstrap/dbsql"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/sqltext"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/privileges/listing"
)

// runSyntax reports each syntax error of the script.
func runSyntax(p *Pass) {
	if p.Err == nil {
		return
	}
	list, ok := p.Err.(dbsql.ErrorList)
	if !ok {
		start := p.File.Position(p.File.Pos())
		p.add(Diagnostic{Pos: start, End: start, Severity: SeverityError, Message: p.Err.Error()})
		return
	}
	for _, e := range list {
		p.add(Diagnostic{Pos: e.Pos, End: e.Pos, Severity: SeverityError, Message: e.Msg})
	}
}

// A created is an object that a CREATE statement makes.
type created struct {
	obj  privileges.Securable
	stmt dbsql.Stmt
}

// creates returns the catalogs, schemas, tables and functions that the
// statements of f create, in script order.
func creates(f *dbsql.File) []created {
	var out []created
	for _, st := range f.Stmts {
		if obj, ok := createdBy(st); ok {
			out = append(out, created{obj, st})
		}
	}
	return out
}

// createdBy returns the catalog, schema, table or function that st
// creates, if it creates one.
func createdBy(st dbsql.Stmt) (privileges.Securable, bool) {
	var t privileges.SecurableType
	var name *dbsql.QualifiedName
	switch s := st.(type) {
	case *dbsql.CreateCatalogStmt:
		t, name = privileges.Catalog, s.Name
	case *dbsql.CreateSchemaStmt:
		t, name = privileges.Schema, s.Name
	case *dbsql.CreateTableStmt:
		t, name = privileges.Table, s.Name
	case *dbsql.CreateFunctionStmt:
		if !s.Temporary {
			t, name = privileges.Function, s.Name
		}
	}
	if name == nil {
		return privileges.Securable{}, false
	}
	return privileges.SecurableOf(t, parts(name)...), true
}

func parts(q *dbsql.QualifiedName) []string {
	out := make([]string, len(q.Parts))
	for i, p := range q.Parts {
		out[i] = p.Name
	}
	return out
}

// securable returns the securable a GRANT, ALTER or DROP names.
func securable(s *dbsql.Securable) privileges.Securable {
	t, ok := privileges.ParseSecurableType(string(s.Type))
	if !ok {
		t = privileges.SecurableType(s.Type)
	}
	if s.Name == nil {
		return privileges.SecurableOf(t)
	}
	return privileges.SecurableOf(t, parts(s.Name)...)
}

// sameObject reports whether a and b name one object: tables, views and
// materialized views share a namespace.
func sameObject(a, b privileges.Securable) bool {
	class := func(t privileges.SecurableType) privileges.SecurableType {
		switch t {
		case privileges.View, privileges.MaterializedView:
			return privileges.Table
		}
		return t
	}
	return a.Name == b.Name && class(a.Type) == class(b.Type)
}

// governed reports whether s is the governance catalog or lies inside it.
func (p *Pass) governed(s privileges.Securable) bool {
	return p.Catalog != "" && s.CatalogName() == p.Catalog
}

// isSP reports whether principal is the payload's service principal; when
// the payload names none, whether principal is any service principal.
func (p *Pass) isSP(principal string) bool {
	if p.ServicePrincipal == "" {
		return privileges.KindOf(principal) == privileges.ServicePrincipal
	}
	return privileges.SamePrincipal(principal, p.ServicePrincipal)
}

// firstStmt returns the first statement, or the file when it has none.
func (p *Pass) firstStmt() dbsql.Node {
	if len(p.File.Stmts) > 0 {
		return p.File.Stmts[0]
	}
	return fileStart{}
}

// lastStmt returns the last statement, or the file's start when it has
// none.
func (p *Pass) lastStmt() dbsql.Node {
	if n := len(p.File.Stmts); n > 0 {
		return p.File.Stmts[n-1]
	}
	return fileStart{}
}

// fileStart is the node of a diagnostic about the script as a whole.
type fileStart struct{}

func (fileStart) Pos() dbsql.Pos { return 1 }
func (fileStart) End() dbsql.Pos { return 1 }

// grantParts returns the privileges and the principal of a GRANT or
// REVOKE, and the new owner of an ALTER ... OWNER TO.
func grantParts(st dbsql.Stmt) ([]*dbsql.Privilege, *dbsql.Principal) {
	switch s := st.(type) {
	case *dbsql.GrantStmt:
		return s.Privileges, s.Principal
	case *dbsql.RevokeStmt:
		return s.Privileges, s.Principal
	case *dbsql.AlterOwnerStmt:
		return nil, s.Owner
	}
	return nil, nil
}

// catalogRenamed reports whether the script creates a catalog of another
// name than the payload's.
func (p *Pass) catalogRenamed() bool {
	for _, c := range creates(p.File) {
		if c.obj.Type == privileges.Catalog && c.obj.Name != p.Catalog {
			return true
		}
	}
	return false
}

// runMissingObject reports the objects of the governance catalog that the
// generated script creates and the script does not. Each is reported at
// the statement that creates the object that follows it in the generated
// script (else the one before it). When the script creates a catalog of
// another name, UCB014 reports that instead.
func runMissingObject(p *Pass) {
	if p.Reference == nil || p.catalogRenamed() {
		return
	}
	want := creates(p.Reference)
	have := map[privileges.Securable]dbsql.Stmt{}
	for _, c := range creates(p.File) {
		if _, ok := have[c.obj]; !ok {
			have[c.obj] = c.stmt
		}
	}
	for i, w := range want {
		if _, ok := have[w.obj]; ok {
			continue
		}
		var at dbsql.Node
		for j := i + 1; j < len(want) && at == nil; j++ {
			if st, ok := have[want[j].obj]; ok {
				at = st
			}
		}
		for j := i - 1; j >= 0 && at == nil; j-- {
			if st, ok := have[want[j].obj]; ok {
				at = st
			}
		}
		if at == nil {
			at = p.firstStmt()
		}
		p.Reportf(at, "the script no longer creates %s, which the %s script creates and the integration needs: restore its CREATE %s statement",
			w.obj, p.Kind, w.obj.Type)
	}
}

// hasGrantTo reports whether the script f grants anything to principal.
func hasGrantTo(f *dbsql.File, principal string) bool {
	for _, c := range listing.FromScript(f) {
		if c.Kind == listing.GrantChange && len(c.Grants) > 0 && privileges.SamePrincipal(c.Grants[0].Principal, principal) {
			return true
		}
	}
	return false
}

// runMissingGrant applies the script's grants and revokes to an empty
// grant set and audits the result against the service principal's
// requirements, when the generated script grants the service principal
// what it needs (a manual bootstrap script, a prerequisites script). Each
// missing grant requirement is reported at the last GRANT on its
// securable, else at the last GRANT.
func runMissingGrant(p *Pass) {
	if p.Reference == nil || p.Requirements == nil || !hasGrantTo(p.Reference, p.ServicePrincipal) {
		return
	}
	grants, _ := listing.ApplyScript(nil, nil, p.Changes)
	rep, err := privileges.Audit(p.Requirements, grants, privileges.Facts{})
	if err != nil {
		return // no grant sequence of a script fails
	}
	for _, res := range rep.Results {
		if res.Status != privileges.Missing || res.Privilege == privileges.Ownership || res.Privilege == privileges.MetastoreAdmin || res.Unverifiable != "" {
			continue
		}
		var at, last dbsql.Node
		for _, c := range p.Changes {
			if c.Kind != listing.GrantChange {
				continue
			}
			last = c.Stmt
			if sameObject(c.On, res.On) {
				at = c.Stmt
			}
		}
		if at == nil {
			at = last
		}
		if at == nil {
			at = p.lastStmt()
		}
		fix := privileges.GrantSQL([]privileges.Privilege{res.Privilege}, res.On, p.ServicePrincipal)
		p.Reportf(at, "the service principal no longer gets %s on %s (%s): add %s", res.Privilege.SQL(), res.On, res.Reason, fix)
	}
}

// runExposure reports grants on the governance catalog, or on anything in
// it, to another principal than the service principal, and ownership of
// it handed to another principal — except, in a cleanup script that drops
// the catalog, the catalog handed to the person who drops it (DROP CATALOG
// needs ownership: generate --kind cleanup --runner).
func runExposure(p *Pass) {
	catalog := privileges.SecurableOf(privileges.Catalog, p.Catalog)
	dropped := p.Kind == generator.Cleanup && dropsCatalog(p.File, catalog)
	for _, c := range p.Changes {
		if !p.governed(c.On) {
			continue
		}
		_, principal := grantParts(c.Stmt)
		switch c.Kind {
		case listing.GrantChange:
			if len(c.Grants) == 0 || p.isSP(c.Grants[0].Principal) {
				continue
			}
			privs := make([]string, len(c.Grants))
			for i, g := range c.Grants {
				privs[i] = g.Privilege.SQL()
			}
			p.Reportf(principal, "%s gets %s on %s, inside the governance catalog: nobody but the service principal may reach it; remove the grant",
				short(c.Grants[0].Principal), short(strings.Join(privs, ", ")), short(c.On))
		case listing.OwnerChange:
			if p.isSP(c.Owner) || dropped && c.On == catalog {
				continue
			}
			p.Reportf(principal, "%s would own %s, inside the governance catalog: only the service principal may own it; hand it to %s",
				short(c.Owner), short(c.On), orAny(p.ServicePrincipal))
		}
	}
}

func orAny(sp string) string {
	if sp == "" {
		return "the service principal"
	}
	return sqltext.Ident(sp)
}

// runOwnership reports, when the generated script hands the governance
// catalog to the service principal, a script that does not, and the
// statements on the catalog that come after the hand-over and need the
// runner's rights.
func runOwnership(p *Pass) {
	if p.Reference == nil || p.ServicePrincipal == "" {
		return
	}
	catalog := privileges.SecurableOf(privileges.Catalog, p.Catalog)
	handsOver := func(f *dbsql.File) (int, *dbsql.AlterOwnerStmt) {
		for i, st := range f.Stmts {
			if s, ok := st.(*dbsql.AlterOwnerStmt); ok && securable(s.Object) == catalog && privileges.SamePrincipal(s.Owner.Name.Name, p.ServicePrincipal) {
				return i, s
			}
		}
		return -1, nil
	}
	if i, _ := handsOver(p.Reference); i < 0 {
		return
	}
	i, handover := handsOver(p.File)
	if handover == nil {
		var at dbsql.Node
		for _, st := range p.File.Stmts {
			if s, ok := st.(*dbsql.AlterOwnerStmt); ok && securable(s.Object) == catalog {
				at = s
			}
		}
		if at == nil {
			at = p.lastStmt()
		}
		p.Reportf(at, "the governance catalog %s is not handed over to the service principal: end the script with %s",
			p.Catalog, privileges.OwnerSQL(catalog, p.ServicePrincipal))
		return
	}
	line := p.File.Position(handover.Pos()).Line
	for _, st := range p.File.Stmts[i+1:] {
		var on privileges.Securable
		switch s := st.(type) {
		case *dbsql.GrantStmt:
			on = securable(s.On)
		case *dbsql.RevokeStmt:
			on = securable(s.On)
		default:
			on, _ = createdBy(st)
		}
		if on.Name != "" && p.governed(on) {
			p.Reportf(st, "this statement on %s comes after the governance catalog is handed to the service principal (line %d), when the runner may no longer make it: move the hand-over to the end of the script",
				short(on), line)
		}
	}
}

// runSystemSchema reports USE SCHEMA granted on the system catalog, which
// Unity Catalog ignores.
func runSystemSchema(p *Pass) {
	system := privileges.SecurableOf(privileges.Catalog, "system")
	for _, c := range p.Changes {
		if c.Kind != listing.GrantChange || c.On != system {
			continue
		}
		privs, principal := grantParts(c.Stmt)
		for i, g := range c.Grants {
			if g.Privilege == privileges.UseSchema {
				p.Warnf(privs[i], "USE SCHEMA on CATALOG system has no effect: Unity Catalog ignores it on the system catalog; grant USE SCHEMA ON SCHEMA `system`.`access` TO %s instead",
					sqltext.Ident(principal.Name.Name))
			}
		}
	}
}

// runLegacyPrivilege reports the legacy privilege names USAGE and CREATE.
func runLegacyPrivilege(p *Pass) {
	for _, c := range p.Changes {
		privs, _ := grantParts(c.Stmt)
		for i, g := range c.Grants {
			if !g.Legacy {
				continue
			}
			if g.Privilege == privileges.Usage || g.Privilege == privileges.Create {
				p.Warnf(privs[i], "%s is a legacy privilege name with no Unity Catalog meaning on a %s: remove it", short(privs[i].Name), c.On.Type)
				continue
			}
			p.Warnf(privs[i], "%s is a legacy privilege name, read as %s on a %s: write %s", short(privs[i].Name), g.Privilege.SQL(), c.On.Type, g.Privilege.SQL())
		}
	}
}

// runWorkspaceGroup reports grants to the workspace-local groups users and
// admins, which cannot hold Unity Catalog grants.
func runWorkspaceGroup(p *Pass) {
	for _, c := range p.Changes {
		if c.Kind != listing.GrantChange || len(c.Grants) == 0 || privileges.KindOf(c.Grants[0].Principal) != privileges.WorkspaceLocal {
			continue
		}
		_, principal := grantParts(c.Stmt)
		p.Warnf(principal, "the workspace-local group %s cannot hold Unity Catalog grants: grant to an account group (such as `account users`) instead",
			short(c.Grants[0].Principal))
	}
}

// runDisplayName reports grants of what the service principal needs to a
// principal named like a group or a display name: Unity Catalog names a
// service principal by its application ID.
func runDisplayName(p *Pass) {
	if p.Requirements == nil {
		return
	}
	for _, c := range p.Changes {
		if c.Kind != listing.GrantChange || len(c.Grants) == 0 {
			continue
		}
		name := c.Grants[0].Principal
		if privileges.KindOf(name) != privileges.Group {
			continue
		}
		needed := false
		for _, g := range c.Grants {
			for _, r := range p.Requirements.List {
				if r.Who == privileges.ForServicePrincipal && r.Privilege == g.Privilege && sameObject(r.On, c.On) {
					needed = true
				}
			}
		}
		if needed {
			_, principal := grantParts(c.Stmt)
			p.Reportf(principal, "%s is not an application ID, yet gets what the service principal needs: Unity Catalog names a service principal by its application ID, not its display name; grant to %s",
				short(sqltext.Ident(name)), sqltext.Ident(p.ServicePrincipal))
		}
	}
}

// runInapplicable reports privileges that cannot be granted on the type of
// their securable, such as MODIFY on a view.
func runInapplicable(p *Pass) {
	for _, c := range p.Changes {
		privs, _ := grantParts(c.Stmt)
		for i, g := range c.Grants {
			if g.Legacy || privileges.Applies(g.Privilege, c.On.Type) {
				continue
			}
			p.Reportf(privs[i], "%s does not apply to a %s: Unity Catalog rejects the statement; grant a privilege the %s takes, or name another securable",
				short(privs[i].Name), c.On.Type, strings.ToLower(string(c.On.Type)))
		}
	}
}

// cloudSchemes are the URI schemes of cloud storage: of an external
// location, and of the managed locations, tables and volumes inside one.
var cloudSchemes = []string{"s3://", "abfss://", "gs://", "r2://"}

// runLocation reports a storage location of Unity Catalog that is not a
// cloud storage URI: a MANAGED LOCATION (CREATE or ALTER ... SET), the URL
// of an external location (CREATE, or ALTER ... SET URL), and the LOCATION
// of a volume or of a table. A table's LOCATION is checked only when its
// name has three parts outside hive_metastore: the Hive metastore takes
// DBFS paths, and a shorter name may be in it.
func runLocation(p *Pass) {
	for _, st := range p.File.Stmts {
		var loc *dbsql.StringLit
		what, want := "MANAGED LOCATION", "use an s3://, abfss://, gs:// or r2:// URI of an external location"
		inside := "use an s3://, abfss://, gs:// or r2:// URI inside an external location"
		switch s := st.(type) {
		case *dbsql.CreateCatalogStmt:
			loc = s.ManagedLocation
		case *dbsql.CreateSchemaStmt:
			loc = s.ManagedLocation
		case *dbsql.CreateExternalLocationStmt:
			loc = s.URL
			what, want = "the URL", "an external location is an s3://, abfss://, gs:// or r2:// URI"
		case *dbsql.CreateVolumeStmt:
			loc, what, want = s.Location, "the LOCATION", inside
		case *dbsql.CreateTableStmt:
			if n := s.Name.Parts; len(n) == 3 && !strings.EqualFold(n[0].Name, "hive_metastore") {
				loc, what, want = s.Location, "the LOCATION", inside
			}
		case *dbsql.AlterStmt:
			if a, ok := s.Action.(*dbsql.SetLocationAction); ok {
				loc = a.Location
				if a.Kind == "URL" {
					what, want = "the URL", "an external location is an s3://, abfss://, gs:// or r2:// URI"
				}
			}
		}
		if loc == nil || isCloudURI(loc.Value) {
			continue
		}
		p.Reportf(loc, "%s %s is not a cloud storage URI: %s", what, short(sqltext.Literal(loc.Value)), want)
	}
}

func isCloudURI(s string) bool {
	for _, scheme := range cloudSchemes {
		if len(s) > len(scheme) && strings.EqualFold(s[:len(scheme)], scheme) {
			return true
		}
	}
	return false
}

// runDestructive reports, outside a cleanup script, a DROP of the
// governance catalog or of anything in it, and a REVOKE from the service
// principal of a privilege it needs on that very securable.
func runDestructive(p *Pass) {
	if p.Kind == generator.Cleanup {
		return
	}
	for _, st := range p.File.Stmts {
		if s, ok := st.(*dbsql.DropStmt); ok && s.Object != nil && s.Object.Name != nil {
			if on := securable(s.Object); p.governed(on) {
				p.Reportf(s, "DROP %s breaks the row filters and column masks that call the governance functions: only a cleanup script drops it", short(on))
			}
		}
	}
	if p.Requirements == nil {
		return
	}
	for _, c := range p.Changes {
		if c.Kind != listing.RevokeChange || len(c.Grants) == 0 || !p.isSP(c.Grants[0].Principal) {
			continue
		}
		privs, _ := grantParts(c.Stmt)
		for i, g := range c.Grants {
			for _, r := range p.Requirements.List {
				if r.Who != privileges.ForServicePrincipal || r.Privilege == privileges.Ownership || !sameObject(r.On, c.On) {
					continue
				}
				if r.Privilege == g.Privilege || g.Privilege == privileges.AllPrivileges && privileges.AllPrivilegesCovers(r.Privilege) {
					p.Reportf(privs[i], "REVOKE %s on %s takes from the service principal what it needs (%s): only a cleanup script revokes it",
						r.Privilege.SQL(), short(c.On), r.Reason)
				}
			}
		}
	}
}

// isGuard reports whether st is a tenant guard: a SELECT that calls
// raise_error.
func isGuard(st dbsql.Stmt) (*dbsql.OpaqueStmt, bool) {
	s, ok := st.(*dbsql.OpaqueStmt)
	if !ok || s.Verb != "SELECT" || !strings.Contains(strings.ToLower(s.Text), "raise_error") {
		return nil, false
	}
	return s, true
}

// runCatalogGuard reports, when the generated script guards the catalog
// (every bootstrap and cleanup does), a script with fewer guards, a guard
// that does not check this integration's marker, and a guard that comes
// after a statement that creates, grants or drops something (other than
// the CREATE CATALOG IF NOT EXISTS that the second guard follows).
func runCatalogGuard(p *Pass) {
	if p.Reference == nil {
		return
	}
	want := 0
	for _, st := range p.Reference.Stmts {
		if _, ok := isGuard(st); ok {
			want++
		}
	}
	if want == 0 {
		return
	}
	marker := p.Integration.Config.Marker()
	lit := sqltext.Literal(marker)
	var guards []*dbsql.OpaqueStmt
	var firstChange dbsql.Stmt // the first statement, other than CREATE CATALOG, that changes something
	for _, st := range p.File.Stmts {
		if g, ok := isGuard(st); ok {
			guards = append(guards, g)
			if !strings.Contains(g.Text, lit) {
				p.Reportf(g, "the catalog guard does not check this integration's marker%s: restore the comparison with %s", marker, lit)
			}
			if firstChange != nil {
				p.Reportf(g, "the catalog guard comes after the %s at %s: it protects nothing there; move it before anything is created, granted or dropped",
					verbOf(firstChange), p.File.Position(firstChange.Pos()))
			}
			continue
		}
		if _, ok := st.(*dbsql.CreateCatalogStmt); !ok && firstChange == nil && changes(st) {
			firstChange = st
		}
	}
	if len(guards) < want {
		anchor := dbsql.Node(firstChange)
		if firstChange == nil {
			anchor = p.firstStmt()
		}
		p.Reportf(anchor, "the catalog guard is gone: without it the script may take over, or drop, a catalog that ucbootstrap did not set up for this integration (one whose comment does not end with%s); restore it before this statement", marker)
	}
}

// changes reports whether a statement creates, grants, hands over or drops
// something.
func changes(st dbsql.Stmt) bool {
	switch s := st.(type) {
	case *dbsql.OpaqueStmt:
		return s.Verb != "SELECT"
	case *dbsql.UseStmt, *dbsql.ShowGrantsStmt:
		return false
	}
	return true
}

// verbOf names the kind of a statement for a message: "DROP", "GRANT",
// "CREATE SCHEMA"...
func verbOf(st dbsql.Stmt) string {
	switch s := st.(type) {
	case *dbsql.OpaqueStmt:
		return s.Verb
	case *dbsql.GrantStmt:
		return "GRANT"
	case *dbsql.RevokeStmt:
		return "REVOKE"
	case *dbsql.DropStmt:
		return "DROP"
	case *dbsql.CreateSchemaStmt:
		return "CREATE SCHEMA"
	case *dbsql.CreateTableStmt:
		return "CREATE TABLE"
	case *dbsql.CreateFunctionStmt:
		return "CREATE FUNCTION"
	}
	return "statement"
}

// runCatalogName reports CREATE CATALOG of another name than the payload's
// governance catalog.
func runCatalogName(p *Pass) {
	for _, st := range p.File.Stmts {
		s, ok := st.(*dbsql.CreateCatalogStmt)
		if !ok || s.Name == nil {
			continue
		}
		if name := strings.ToLower(s.Name.String()); name != p.Catalog {
			p.Reportf(s.Name, "the script creates catalog %s, but the payload's governance catalog is %s: use %s, or change config.catalog and generate the script again",
				short(name), p.Catalog, sqltext.Ident(p.Catalog))
		}
	}
}
