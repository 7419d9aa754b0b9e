package databricks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/ucbootstrap/ucbootstrap/internal/sqltext"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/privileges/listing"
)

// This file is the warehouse path of the live audit: the same questions
// as [Fetch] asks, answered by a handful of queries of the
// information_schema privilege and owner views instead of a REST call per
// securable.

// A Querier runs one SQL query and returns its column names and rows:
// nil for NULL, and for the information_schema views strings.
type Querier interface {
	Query(ctx context.Context, sql string) (columns []string, rows [][]any, err error)
}

// SQLFetchOptions configure [FetchSQL].
type SQLFetchOptions struct {
	// Concurrency bounds the queries in flight; 0 means
	// [DefaultConcurrency].
	Concurrency int
}

// An SQLError is a query of the warehouse path that failed.
type SQLError struct {
	// View is the information_schema view queried.
	View string
	Err  error
}

func (e *SQLError) Error() string {
	return "databricks: querying system.information_schema." + e.View + ": " + e.Err.Error()
}

func (e *SQLError) Unwrap() error { return e.Err }

// FetchSQL asks what [Fetch] asks, about the same securables, through the
// information_schema views of a warehouse: the direct grants of the
// catalogs, schemas, tables, functions and the metastore in a query per
// view, and their owners (which also tell which of them exist) in a query
// per owner view, each filtered to the names concerned. The grants are
// read with package listing (the information_schema rows as a Statement
// Execution API result), and each securable's effective grants are made
// as the REST effective-permissions endpoint reports them: its own, and
// those of its schema and catalog as inherited ones.
//
// The grants read are those of the principals that matter to the audit —
// the service principal, account users, the workspace-local groups users
// and admins — and every grant inside the governance catalog, where any
// grant to another principal is an exposure (see [Audited]). Privileges
// are spelt as the REST API spells them (Grant.Spelling "USE_CATALOG",
// where information_schema writes "USE CATALOG"), so that both paths
// fetch the same grants. A securable that no owner view
// lists is in Fetched.NotFound: it does not exist, or the credentials may
// not see it (information_schema shows only what they may reach).
// Fetched.Requests counts the queries. Securable types that the views do
// not cover (volumes, external locations, connections, ...) are an error.
func FetchSQL(ctx context.Context, q Querier, reqs *privileges.Requirements, opts SQLFetchOptions) (*Fetched, error) {
	if q == nil || reqs == nil {
		return nil, errors.New("databricks: FetchSQL needs a querier and requirements")
	}
	js := jobs(reqs)
	var perms, owners []privileges.Securable
	catalogs := map[string]bool{}
	schemas, names := map[string]bool{}, map[string]bool{}
	needMetastore := false
	types := map[privileges.SecurableType]bool{}
	for _, j := range js {
		on := j.on.Canonical()
		switch on.Type {
		case privileges.Metastore:
			needMetastore = true
		case privileges.Catalog, privileges.Schema, privileges.Table, privileges.Function:
			parts := on.Parts()
			catalogs[parts[0]] = true
			if len(parts) > 1 {
				schemas[parts[1]] = true
			}
			if len(parts) > 2 {
				names[parts[2]] = true
			}
		default:
			return nil, fmt.Errorf("databricks: the warehouse path cannot read %s: its information_schema view is not queried; use the REST path", on)
		}
		types[on.Type] = true
		if j.owner {
			owners = append(owners, on)
		} else {
			perms = append(perms, on)
		}
	}
	f := &Fetched{Owners: map[privileges.Securable]string{}, Failed: map[privileges.Securable]string{},
		NotFound: map[privileges.Securable]string{}, Unfetched: map[privileges.Securable]string{}}
	if len(js) == 0 {
		return f, nil
	}
	principals := auditedPrincipals(reqs)
	w := &sqlWhere{catalogs: slices.Sorted(maps.Keys(catalogs)), schemas: slices.Sorted(maps.Keys(schemas)),
		names: slices.Sorted(maps.Keys(names)), principals: principals, governance: reqs.Catalog}
	var qs []sqlQuery
	if len(catalogs) > 0 {
		qs = append(qs,
			sqlQuery{view: "catalog_privileges", grants: true, sql: "SELECT grantee, catalog_name, privilege_type, inherited_from FROM system.information_schema.catalog_privileges WHERE " + w.direct() + " AND " + w.in("catalog_name", w.catalogs) + " AND " + w.granted("catalog_name")},
			sqlQuery{view: "schema_privileges", grants: true, sql: "SELECT grantee, catalog_name, schema_name, privilege_type, inherited_from FROM system.information_schema.schema_privileges WHERE " + w.direct() + " AND " + w.in("catalog_name", w.catalogs) + " AND " + w.granted("catalog_name")},
			sqlQuery{view: "catalogs", sql: "SELECT catalog_name, catalog_owner FROM system.information_schema.catalogs WHERE " + w.in("catalog_name", w.catalogs)},
		)
		if len(schemas) > 0 {
			qs = append(qs, sqlQuery{view: "schemata", sql: "SELECT catalog_name, schema_name, schema_owner FROM system.information_schema.schemata WHERE " + w.in("catalog_name", w.catalogs) + " AND " + w.in("schema_name", w.schemas)})
		}
	}
	if types[privileges.Table] {
		where := w.in("table_catalog", w.catalogs) + " AND " + w.in("table_schema", w.schemas) + " AND " + w.in("table_name", w.names)
		qs = append(qs,
			sqlQuery{view: "table_privileges", grants: true, sql: "SELECT grantee, table_catalog, table_schema, table_name, privilege_type, inherited_from FROM system.information_schema.table_privileges WHERE " + w.direct() + " AND " + where + " AND " + w.granted("table_catalog")},
			sqlQuery{view: "tables", sql: "SELECT table_catalog, table_schema, table_name, table_owner FROM system.information_schema.tables WHERE " + where},
		)
	}
	if types[privileges.Function] {
		where := w.in("routine_catalog", w.catalogs) + " AND " + w.in("routine_schema", w.schemas) + " AND " + w.in("routine_name", w.names)
		qs = append(qs,
			sqlQuery{view: "routine_privileges", grants: true, sql: "SELECT grantee, routine_catalog, routine_schema, routine_name, privilege_type, inherited_from FROM system.information_schema.routine_privileges WHERE " + w.direct() + " AND " + where + " AND " + w.granted("routine_catalog")},
			sqlQuery{view: "routines", routines: true, sql: "SELECT routine_catalog, routine_schema, routine_name, routine_owner FROM system.information_schema.routines WHERE " + where},
		)
	}
	if needMetastore {
		qs = append(qs,
			sqlQuery{view: "metastore_privileges", metastore: true, grants: true, sql: "SELECT grantee, privilege_type FROM system.information_schema.metastore_privileges WHERE " + w.in("grantee", principals)},
			sqlQuery{view: "metastores", metastore: true, sql: "SELECT metastore_id, metastore_owner FROM system.information_schema.metastores"},
		)
	}

	results := make([]sqlResult, len(qs))
	sem := make(chan struct{}, positive(opts.Concurrency, DefaultConcurrency))
	var wg sync.WaitGroup
	for i := range qs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = qs[i].run(ctx, q)
		})
	}
	wg.Wait()
	f.Requests = len(qs)
	if err := ctx.Err(); err != nil {
		for _, j := range js {
			f.Unfetched[j.on] = err.Error()
		}
		return f, err
	}
	direct := map[privileges.Securable][]privileges.Grant{}
	exists := map[privileges.Securable]string{} // securable -> owner
	for i, r := range results {
		if r.err != nil {
			return nil, &SQLError{View: qs[i].view, Err: r.err}
		}
		for _, g := range r.grants {
			g.Pos = privileges.Position{} // of the synthetic result, not of a file
			g.Spelling = restSpelling(g.Spelling)
			direct[g.On.Canonical()] = append(direct[g.On.Canonical()], g)
		}
		for s, o := range r.owners {
			exists[s.Canonical()] = o
		}
	}
	wanted := func(s privileges.Securable) bool {
		if s.Type == privileges.Metastore {
			return true
		}
		_, ok := exists[s]
		return ok
	}
	for _, s := range perms {
		if !wanted(s) {
			f.NotFound[s] = notListed(s)
			continue
		}
		f.Grants = append(f.Grants, direct[s]...)
		for _, a := range s.Ancestors() {
			for _, g := range direct[a] {
				g.On, g.InheritedFrom = s, a
				f.Grants = append(f.Grants, g)
			}
		}
	}
	for _, s := range owners {
		if !wanted(s) {
			if _, ok := f.NotFound[s]; !ok {
				f.NotFound[s] = notListed(s)
			}
			continue
		}
		if o := exists[s]; o != "" && o != noOwner {
			f.Owners[s] = o
		}
	}
	SortGrants(f.Grants)
	return f, nil
}

// auditedPrincipals are the principals whose grants the live audit reads
// outside the governance catalog: the service principal, account users,
// and the workspace-local groups users and admins (a grant to them is a
// finding).
func auditedPrincipals(reqs *privileges.Requirements) []string {
	return []string{reqs.ServicePrincipal, "account users", "users", "admins"}
}

// Audited reports whether the live audit reads grant g: a grant to one of
// the principals that matter to it (the service principal, account users,
// the workspace-local groups users and admins), or any grant inside the
// governance catalog, where a grant to anyone else is an exposure.
// [FetchSQL] asks the warehouse for these grants only; [Fetch] learns the
// grants of every principal, and the live audit (package liveaudit) drops
// the others, so that both paths audit the same grants.
func Audited(reqs *privileges.Requirements, g privileges.Grant) bool {
	if reqs.Catalog != "" && g.On.CatalogName() == reqs.Catalog {
		return true
	}
	return slices.Contains(auditedPrincipals(reqs), g.Principal)
}

// restSpelling spells a privilege of an information_schema row ("USE
// CATALOG") as the REST API does ("USE_CATALOG").
func restSpelling(s string) string { return strings.ReplaceAll(s, " ", "_") }

// notListed says why a securable is in Fetched.NotFound on the warehouse
// path.
func notListed(s privileges.Securable) string {
	return s.String() + " is not in information_schema: it does not exist, or these credentials may not see it"
}

// sqlWhere builds the filters of the warehouse path's queries.
type sqlWhere struct {
	catalogs, schemas, names []string
	principals               []string
	governance               string
}

// in returns "col IN ('a', 'b')".
func (w *sqlWhere) in(col string, vals []string) string {
	lits := make([]string, len(vals))
	for i, v := range vals {
		lits[i] = sqltext.Literal(v)
	}
	return col + " IN (" + strings.Join(lits, ", ") + ")"
}

// direct keeps the grants made on the object itself: inherited ones are
// rebuilt from their ancestor's row.
func (w *sqlWhere) direct() string {
	return "coalesce(inherited_from, 'NONE') IN ('NONE', '')"
}

// granted keeps the grants of the principals that matter, and every grant
// inside the governance catalog.
func (w *sqlWhere) granted(catalogCol string) string {
	s := "(" + w.in("grantee", w.principals)
	if w.governance != "" {
		s += " OR " + catalogCol + " = " + sqltext.Literal(w.governance)
	}
	return s + ")"
}

// A sqlQuery is one query of the warehouse path.
type sqlQuery struct {
	view      string
	sql       string
	grants    bool // privilege rows; else owner rows
	metastore bool // about the metastore
	routines  bool // owner rows of information_schema.routines
}

type sqlResult struct {
	grants []privileges.Grant
	owners map[privileges.Securable]string
	err    error
}

// run runs the query and reads its rows with package listing.
func (q sqlQuery) run(ctx context.Context, querier Querier) sqlResult {
	cols, rows, err := querier.Query(ctx, q.sql)
	if err != nil {
		return sqlResult{err: err}
	}
	name := "system.information_schema." + q.view
	switch {
	case q.metastore && q.grants:
		// No listing shape for metastore_privileges rows: each is a REST
		// grant on the metastore.
		var out sqlResult
		for _, row := range rows {
			grantee, priv := cell(row, cols, "grantee"), cell(row, cols, "privilege_type")
			g, err := listing.RESTGrant(grantee, privileges.Securable{Type: privileges.Metastore}, priv, "", "")
			if err != nil {
				return sqlResult{err: err}
			}
			out.grants = append(out.grants, g)
		}
		return out
	case q.metastore:
		var objs []map[string]string
		for _, row := range rows {
			objs = append(objs, map[string]string{"securable_type": "metastore", "full_name": cell(row, cols, "metastore_id"), "owner": cell(row, cols, "metastore_owner")})
		}
		return readOwners(name, objs)
	case q.routines:
		// ReadOwners reads tables, schemata and catalogs rows; a
		// routine's owner goes as the REST object of a function.
		var objs []map[string]string
		for _, row := range rows {
			full := cell(row, cols, "routine_catalog") + "." + cell(row, cols, "routine_schema") + "." + cell(row, cols, "routine_name")
			objs = append(objs, map[string]string{"securable_type": "function", "full_name": full, "owner": cell(row, cols, "routine_owner")})
		}
		return readOwners(name, objs)
	}
	if !q.grants {
		// A row without an owner still says that its object exists:
		// listing wants an owner, so it reads a placeholder, dropped
		// after.
		oc := slices.IndexFunc(cols, func(c string) bool { return strings.HasSuffix(c, "_owner") })
		if oc >= 0 {
			for _, row := range rows {
				if oc < len(row) && (row[oc] == nil || row[oc] == "") {
					row[oc] = noOwner
				}
			}
		}
	}
	data, err := statementResult(cols, rows)
	if err != nil {
		return sqlResult{err: err}
	}
	if !q.grants {
		owners, err := listing.ReadOwners(name, bytes.NewReader(data))
		return sqlResult{owners: owners, err: err}
	}
	var out sqlResult
	for g, err := range listing.Read(name, bytes.NewReader(data)) {
		if err != nil {
			return sqlResult{err: err}
		}
		out.grants = append(out.grants, g)
	}
	return out
}

// noOwner stands in for the owner of an object that has none, so that
// its row still says that it exists.
const noOwner = "\x00"

func readOwners(name string, objs []map[string]string) sqlResult {
	if len(objs) == 0 {
		return sqlResult{owners: map[privileges.Securable]string{}}
	}
	for _, o := range objs {
		if o["owner"] == "" {
			o["owner"] = noOwner
		}
	}
	data, err := json.Marshal(objs)
	if err != nil {
		return sqlResult{err: err}
	}
	owners, err := listing.ReadOwners(name, bytes.NewReader(data))
	return sqlResult{owners: owners, err: err}
}

// cell returns a row's value of a column as a string ("" for NULL).
func cell(row []any, cols []string, name string) string {
	i := slices.Index(cols, name)
	if i < 0 || i >= len(row) || row[i] == nil {
		return ""
	}
	return fmt.Sprint(row[i])
}

// statementResult writes rows as the Statement Execution API returns
// them (manifest.schema.columns and result.data_array), which package
// listing reads.
func statementResult(cols []string, rows [][]any) ([]byte, error) {
	type column struct {
		Name     string `json:"name"`
		TypeName string `json:"type_name"`
	}
	var doc struct {
		Manifest struct {
			Schema struct {
				Columns []column `json:"columns"`
			} `json:"schema"`
		} `json:"manifest"`
		Result struct {
			DataArray [][]*string `json:"data_array"`
		} `json:"result"`
	}
	for _, c := range cols {
		doc.Manifest.Schema.Columns = append(doc.Manifest.Schema.Columns, column{c, "STRING"})
	}
	doc.Result.DataArray = make([][]*string, 0, len(rows))
	for _, row := range rows {
		cells := make([]*string, len(row))
		for i, v := range row {
			if v != nil {
				s := fmt.Sprint(v)
				cells[i] = &s
			}
		}
		doc.Result.DataArray = append(doc.Result.DataArray, cells)
	}
	return json.Marshal(doc)
}
