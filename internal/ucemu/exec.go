package ucemu

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/dbsql"
)

// A session executes statements for one caller, with the default catalog
// and schema of a request (the Statement Execution API's catalog and
// schema fields). There is no state between statements: USE does not
// carry over, as in the Statement Execution API.
type session struct {
	ms              *metastore
	caller          string
	catalog, schema string
}

// Defaults of a request that names no catalog or schema.
const (
	defaultCatalog = "main"
	defaultSchema  = "default"
)

// run parses and executes one statement. The result has no columns for
// statements that return nothing.
func (x *session) run(text string) (*relation, *sqlError) {
	st, err := dbsql.ParseStmt(text)
	if err != nil {
		var list dbsql.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			return nil, syntaxError("%s (line %d, pos %d)", list[0].Msg, list[0].Pos.Line, list[0].Pos.Col-1)
		}
		return nil, syntaxError("%v", err)
	}
	switch st := st.(type) {
	case *dbsql.CreateCatalogStmt:
		if err := checkNames(st.Name); err != nil {
			return nil, err
		}
		return nil, x.createCatalog(st)
	case *dbsql.CreateSchemaStmt:
		if err := checkNames(st.Name); err != nil {
			return nil, err
		}
		return nil, x.createSchema(st)
	case *dbsql.CreateTableStmt:
		if err := checkNames(st.Name); err != nil {
			return nil, err
		}
		return nil, x.createTable(st)
	case *dbsql.CreateFunctionStmt:
		if err := checkNames(st.Name); err != nil {
			return nil, err
		}
		return nil, x.createFunction(st)
	case *dbsql.GrantStmt:
		return nil, x.grant(st.Privileges, st.On, st.Principal, true)
	case *dbsql.RevokeStmt:
		return nil, x.grant(st.Privileges, st.On, st.Principal, false)
	case *dbsql.AlterOwnerStmt:
		return nil, x.alterOwner(st)
	case *dbsql.CommentOnStmt:
		return nil, x.commentOn(st)
	case *dbsql.DropStmt:
		return nil, x.drop(st)
	case *dbsql.UseStmt:
		return nil, nil // no session: nothing carries over
	case *dbsql.OpaqueStmt:
		switch st.Verb {
		case "SELECT":
			q, err := parseQuery(text)
			if err != nil {
				return nil, err
			}
			ev := &evaluator{caller: x.caller, ms: x.ms, count: -1}
			return ev.query(q, x.read)
		case "MERGE":
			m, err := parseMerge(text)
			if err != nil {
				return nil, err
			}
			return x.merge(m)
		case "INSERT":
			in, err := parseInsert(text)
			if err != nil {
				return nil, err
			}
			return x.insert(in)
		}
		return nil, unsupported("%s statements", st.Verb)
	}
	return nil, unsupported("%s statements", stmtKind(st))
}

// stmtKind names a statement the emulator does not run.
func stmtKind(st dbsql.Stmt) string {
	switch st.(type) {
	case *dbsql.CreateViewStmt:
		return "CREATE VIEW"
	case *dbsql.CreateVolumeStmt:
		return "CREATE VOLUME"
	case *dbsql.RowFilterStmt:
		return "ROW FILTER"
	case *dbsql.ColumnMaskStmt:
		return "COLUMN MASK"
	case *dbsql.ShowGrantsStmt:
		return "SHOW GRANTS"
	}
	return fmt.Sprintf("%T", st)
}

// checkNames refuses name parts that Unity Catalog does not allow: empty,
// or with a period, a slash or a control character.
func checkNames(q *dbsql.QualifiedName) *sqlError {
	for _, p := range q.Parts {
		if p.Name == "" || strings.ContainsAny(p.Name, "./") || strings.ContainsFunc(p.Name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return badRequest("INVALID_SCHEMA_OR_RELATION_NAME", "42602", "`%s` is not a valid name: names may not be empty or contain a period, a slash or a control character.", p.Name)
		}
	}
	return nil
}

// resolve returns the securable of a name of a type, the request's
// defaults filling in a missing catalog or schema.
func (x *session) resolve(typ string, parts []string) Securable {
	want := levels[typ]
	if want == 0 {
		return Sec(typ, strings.Join(parts, "."))
	}
	if len(parts) < want {
		defaults := []string{firstNonEmpty(x.catalog, defaultCatalog), firstNonEmpty(x.schema, defaultSchema)}
		parts = append(slices.Clone(defaults[:want-len(parts)]), parts...)
	}
	return Sec(typ, strings.Join(parts, "."))
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func names(q *dbsql.QualifiedName) []string {
	var out []string
	for _, p := range q.Parts {
		out = append(out, p.Name)
	}
	return out
}

// exists checks that the containers of sec exist, the nearest last.
func (x *session) containersExist(sec Securable) *sqlError {
	anc := sec.ancestors()
	for i := len(anc) - 1; i >= 0; i-- {
		if a := anc[i]; a.Type != "METASTORE" && x.ms.get(a) == nil {
			return notFound(a)
		}
	}
	return nil
}

func stringOf(l *dbsql.StringLit) *string {
	if l == nil {
		return nil
	}
	v := l.Value
	return &v
}

// create makes a new object owned by the caller ("The principal that
// creates an object becomes its initial owner", manage-ownership).
func (x *session) create(sec Securable, kind string, comment *string) *object {
	o := x.ms.add(sec)
	o.owner, o.comment, o.kind = x.caller, comment, kind
	return o
}

// ifNotExists decides what CREATE ... IF NOT EXISTS does on an object that
// exists: nothing, when the caller can see it; for one the caller cannot
// see, the create privilege is still checked (a catalog: nothing, which is
// why the guard after CREATE CATALOG IF NOT EXISTS counts the catalogs the
// runner can see).
func (x *session) ifNotExists(sec Securable, check func() *sqlError) *sqlError {
	if sec.Type == "CATALOG" || x.ms.visible(x.caller, sec) {
		return nil
	}
	return check()
}

func (x *session) createCatalog(st *dbsql.CreateCatalogStmt) *sqlError {
	if len(st.Name.Parts) != 1 {
		return badRequest("INVALID_SCHEMA_OR_RELATION_NAME", "42602", "`%s` is not a valid catalog name.", st.Name)
	}
	if st.UsingShare != nil {
		return unsupported("CREATE CATALOG ... USING SHARE")
	}
	sec := Sec("CATALOG", st.Name.Parts[0].Name)
	if x.ms.get(sec) != nil {
		if st.IfNotExists {
			return nil
		}
		return alreadyExists(sec)
	}
	if err := x.ms.canCreateCatalog(x.caller); err != nil {
		return err
	}
	x.create(sec, "CATALOG", stringOf(st.Comment))
	return nil
}

func (x *session) createSchema(st *dbsql.CreateSchemaStmt) *sqlError {
	if len(st.Name.Parts) > 2 {
		return badRequest("INVALID_SCHEMA_OR_RELATION_NAME", "42602", "`%s` is not a valid schema name.", st.Name)
	}
	sec := x.resolve("SCHEMA", names(st.Name))
	if err := x.containersExist(sec); err != nil {
		return err
	}
	cat, _ := sec.catalogOf()
	check := func() *sqlError { return x.ms.canCreateIn(x.caller, "SCHEMA", cat) }
	if x.ms.get(sec) != nil {
		if st.IfNotExists {
			return x.ifNotExists(sec, check)
		}
		return alreadyExists(sec)
	}
	if err := check(); err != nil {
		return err
	}
	x.create(sec, "SCHEMA", stringOf(st.Comment))
	return nil
}

// manifestType maps a SQL type name to the manifest's type_name.
func manifestType(t *dbsql.Type) string {
	switch t.Name {
	case "BIGINT", "LONG":
		return "LONG"
	case "INT", "INTEGER":
		return "INT"
	case "SMALLINT", "SHORT":
		return "SHORT"
	case "TINYINT", "BYTE":
		return "BYTE"
	case "VARCHAR", "CHAR", "STRING":
		return "STRING"
	case "DEC", "NUMERIC":
		return "DECIMAL"
	case "REAL":
		return "FLOAT"
	}
	return t.Name
}

// createLeaf checks a CREATE of a table or a function: done when there is
// nothing to do (IF NOT EXISTS on one that exists), else the object to
// replace (OR REPLACE), or nil for a new one. Replacing takes ownership or
// MANAGE [inferred]; a replaced object keeps its owner.
func (x *session) createLeaf(typ string, name *dbsql.QualifiedName, ifNotExists, orReplace bool) (Securable, *object, bool, *sqlError) {
	if len(name.Parts) > 3 {
		return Securable{}, nil, false, badRequest("INVALID_SCHEMA_OR_RELATION_NAME", "42602", "`%s` is not a valid %s name.", name, strings.ToLower(typ))
	}
	sec := x.resolve(typ, names(name))
	if err := x.containersExist(sec); err != nil {
		return sec, nil, false, err
	}
	sch, _ := sec.schemaOf()
	check := func() *sqlError { return x.ms.canCreateIn(x.caller, typ, sch) }
	existing := x.ms.get(sec)
	switch {
	case existing != nil && ifNotExists:
		return sec, existing, true, x.ifNotExists(sec, check)
	case existing != nil && !orReplace:
		return sec, existing, false, alreadyExists(sec)
	case existing != nil:
		return sec, existing, false, x.ms.canManage(x.caller, sec, "replace")
	}
	return sec, nil, false, check()
}

func (x *session) createTable(st *dbsql.CreateTableStmt) *sqlError {
	sec, existing, done, err := x.createLeaf("TABLE", st.Name, st.IfNotExists, st.OrReplace)
	if done || err != nil {
		return err
	}
	var cols []column
	var rows [][]any
	for _, c := range st.Columns {
		cols = append(cols, column{c.Name.Name, manifestType(c.Type)})
	}
	if st.As != nil {
		q, err := parseQuery(st.As.Text)
		if err != nil {
			return err
		}
		ev := &evaluator{caller: x.caller, ms: x.ms, count: -1}
		rel, err := ev.query(q, x.read)
		if err != nil {
			return err
		}
		cols, rows = rel.cols, rel.rows
	}
	if existing != nil {
		existing.columns, existing.rows, existing.comment = cols, rows, stringOf(st.Comment)
		return nil
	}
	o := x.create(sec, "MANAGED", stringOf(st.Comment))
	o.columns, o.rows = cols, rows
	return nil
}

func (x *session) createFunction(st *dbsql.CreateFunctionStmt) *sqlError {
	if st.Temporary {
		return nil // a temporary function lives in a session, which the API has not
	}
	sec, existing, done, err := x.createLeaf("FUNCTION", st.Name, st.IfNotExists, st.OrReplace)
	if done || err != nil {
		return err
	}
	body := ""
	switch {
	case st.Return != nil:
		body = st.Return.Text
	case st.Body != nil:
		body = st.Body.Text
	}
	if existing != nil {
		existing.body, existing.comment = body, stringOf(st.Comment)
		return nil
	}
	x.create(sec, "FUNCTION", stringOf(st.Comment)).body = body
	return nil
}

// target resolves the securable of a GRANT, REVOKE, ALTER, COMMENT or DROP
// and checks that it exists.
func (x *session) target(on *dbsql.Securable) (Securable, *object, *sqlError) {
	typ := normType(string(on.Type))
	if typ == "METASTORE" {
		return Securable{Type: typ}, x.ms.get(Securable{Type: typ}), nil
	}
	switch typ {
	case "CATALOG", "SCHEMA", "TABLE", "FUNCTION", "VOLUME", "EXTERNAL LOCATION", "STORAGE CREDENTIAL",
		"SERVICE CREDENTIAL", "CREDENTIAL", "CONNECTION", "SHARE":
	default:
		return Securable{}, nil, unsupported("securables of type %s", on.Type)
	}
	sec := x.resolve(typ, names(on.Name))
	if len(sec.parts()) != max(levels[typ], 1) {
		return sec, nil, badRequest("INVALID_SCHEMA_OR_RELATION_NAME", "42602", "`%s` is not a valid %s name.", on.Name, strings.ToLower(typ))
	}
	if err := x.containersExist(sec); err != nil {
		return sec, nil, err
	}
	o := x.ms.get(sec)
	if o == nil {
		return sec, nil, notFound(sec)
	}
	return sec, o, nil
}

func (x *session) grant(privs []*dbsql.Privilege, on *dbsql.Securable, to *dbsql.Principal, grant bool) *sqlError {
	sec, o, err := x.target(on)
	if err != nil {
		return err
	}
	if err := x.ms.canGrant(x.caller, sec); err != nil {
		return err
	}
	for _, p := range privs {
		if grant {
			o.grant(to.Name.Name, p.Name)
		} else {
			// "REVOKE ... succeeds even if the specified privileges were
			// not granted" (security-revoke).
			o.revoke(to.Name.Name, p.Name)
		}
	}
	return nil
}

func (x *session) alterOwner(st *dbsql.AlterOwnerStmt) *sqlError {
	sec, o, err := x.target(st.Object)
	if err != nil {
		return err
	}
	if sec.Type == "METASTORE" {
		return unsupported("ALTER METASTORE OWNER")
	}
	if st.Object.Type == dbsql.View && o.kind != "VIEW" || st.Object.Type == dbsql.Table && o.kind == "VIEW" {
		return badRequest("EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE", "42809", "'ALTER %s' expects a %s but %s is not one.", st.Object.Type, strings.ToLower(string(st.Object.Type)), quoted(sec))
	}
	if err := x.ms.canTransfer(x.caller, sec, st.Owner.Name.Name); err != nil {
		return err
	}
	o.owner = st.Owner.Name.Name
	return nil
}

func (x *session) commentOn(st *dbsql.CommentOnStmt) *sqlError {
	if st.On.Type == dbsql.Column {
		return unsupported("COMMENT ON COLUMN")
	}
	sec, o, err := x.target(st.On)
	if err != nil {
		return err
	}
	if err := x.ms.canManage(x.caller, sec, "comment on"); err != nil {
		return err
	}
	o.comment = stringOf(st.Text)
	return nil
}

func (x *session) drop(st *dbsql.DropStmt) *sqlError {
	sec, o, err := x.target(st.Object)
	if err != nil {
		if err.code == "NOT_FOUND" && st.IfExists {
			return nil
		}
		return err
	}
	if err := x.ms.canManage(x.caller, sec, "drop"); err != nil {
		return err
	}
	if st.Behavior != "CASCADE" && (sec.Type == "CATALOG" || sec.Type == "SCHEMA") && len(x.ms.children(sec)) > 0 {
		class := "SCHEMA_NOT_EMPTY"
		if sec.Type == "CATALOG" {
			class = "CATALOG_NOT_EMPTY"
		}
		return badRequest(class, "2BP01", "Cannot drop %s %s because it contains objects. Use DROP %s ... CASCADE to drop it and its objects.", strings.ToLower(sec.Type), quoted(sec), sec.Type)
	}
	_ = o
	x.ms.remove(sec)
	return nil
}

// read returns the rows of a table the caller may read: a table of the
// metastore, a system table, or an information_schema view.
func (x *session) read(parts []string) (*relation, *sqlError) {
	if len(parts) > 3 {
		return nil, badRequest("INVALID_SCHEMA_OR_RELATION_NAME", "42602", "`%s` is not a valid table name.", strings.Join(parts, "."))
	}
	sec := x.resolve("TABLE", parts)
	p := sec.parts()
	if p[1] == "information_schema" {
		return x.infoSchema(p[0], p[2])
	}
	if p[0] == "system" {
		if state := x.ms.systemSchemas[p[1]]; state != "ENABLE_COMPLETED" && state != "MANAGED" {
			// A system schema that is not enabled is not there to read
			// (systemschemas docs: schemas must be enabled).
			return nil, notFound(sec)
		}
	}
	if err := x.containersExist(sec); err != nil {
		return nil, err
	}
	o := x.ms.get(sec)
	if o == nil {
		return nil, notFound(sec)
	}
	if err := x.ms.canRead(x.caller, sec); err != nil {
		return nil, err
	}
	return &relation{cols: o.columns, rows: o.rows}, nil
}

// writeTarget resolves the table a MERGE or INSERT writes: it and its
// containers must exist, and the caller must be allowed to write it.
func (x *session) writeTarget(name []string) (Securable, *object, *sqlError) {
	sec := x.resolve("TABLE", name)
	if err := x.containersExist(sec); err != nil {
		return sec, nil, err
	}
	o := x.ms.get(sec)
	if o == nil {
		return sec, nil, notFound(sec)
	}
	if err := x.ms.canWrite(x.caller, sec); err != nil {
		return sec, nil, err
	}
	return sec, o, nil
}

// merge executes MERGE INTO: all or nothing.
func (x *session) merge(m *mergeStmt) (*relation, *sqlError) {
	sec, o, err := x.writeTarget(m.target)
	if err != nil {
		return nil, err
	}
	ev := &evaluator{caller: x.caller, ms: x.ms, count: -1}
	src, err := ev.source(m.using, x.read)
	if err != nil {
		return nil, err
	}
	alias := m.alias
	if alias == "" {
		alias = m.target[len(m.target)-1]
	}
	target := &relation{alias: alias, cols: o.columns}
	colIndex := func(name string) (int, *sqlError) {
		for i, c := range o.columns {
			if strings.EqualFold(c.name, name) {
				return i, nil
			}
		}
		return 0, badRequest("UNRESOLVED_COLUMN.WITHOUT_SUGGESTION", "42703", "A column with name `%s` cannot be resolved in %s.", name, quoted(sec))
	}
	rows := slices.Clone(o.rows)
	matchedBy := map[int]bool{}
	deleted := map[int]bool{}
	var updated, inserted, removed int64
	for _, srow := range src.rows {
		var hits []int
		for i, trow := range rows {
			if deleted[i] {
				continue
			}
			v, err := ev.eval(m.on, &scope{rels: []*relation{target, src}, rows: [][]any{trow, srow}})
			if err != nil {
				return nil, err
			}
			if b, _ := truth(v); b {
				hits = append(hits, i)
			}
		}
		if len(hits) > 0 {
			for _, i := range hits {
				if matchedBy[i] && (m.hasUpdate || m.deleteMatch) {
					return nil, badRequest("MERGE_CARDINALITY_VIOLATION", "23K01", "The ON search condition of the MERGE statement matched a single row from the target table with multiple rows of the source table.")
				}
				matchedBy[i] = true
				sc := &scope{rels: []*relation{target, src}, rows: [][]any{rows[i], srow}}
				switch {
				case m.deleteMatch:
					deleted[i] = true
					removed++
				case m.hasUpdate:
					row := slices.Clone(rows[i])
					for _, a := range m.update {
						j, err := colIndex(a.col)
						if err != nil {
							return nil, err
						}
						v, err := ev.eval(a.x, sc)
						if err != nil {
							return nil, err
						}
						row[j] = v
					}
					if m.updateStar {
						return nil, unsupported("UPDATE SET *")
					}
					rows[i] = row
					updated++
				}
			}
			continue
		}
		if !m.hasInsert {
			continue
		}
		if m.insertStar {
			return nil, unsupported("INSERT *")
		}
		row := make([]any, len(o.columns))
		sc := &scope{rels: []*relation{src}, rows: [][]any{srow}}
		for k, c := range m.insertCols {
			j, err := colIndex(c)
			if err != nil {
				return nil, err
			}
			v, err := ev.eval(m.insertVals[k], sc)
			if err != nil {
				return nil, err
			}
			row[j] = v
		}
		rows = append(rows, row)
		inserted++
	}
	var kept [][]any
	for i, r := range rows {
		if !deleted[i] {
			kept = append(kept, r)
		}
	}
	o.rows = kept
	return &relation{
		cols: []column{{"num_affected_rows", "LONG"}, {"num_updated_rows", "LONG"}, {"num_deleted_rows", "LONG"}, {"num_inserted_rows", "LONG"}},
		rows: [][]any{{updated + removed + inserted, updated, removed, inserted}},
	}, nil
}

// insert executes INSERT INTO: all rows or none. Values are stored as
// given; the emulator does not cast them to the columns' types.
func (x *session) insert(in *insertStmt) (*relation, *sqlError) {
	sec, o, err := x.writeTarget(in.target)
	if err != nil {
		return nil, err
	}
	// The column each value goes to: the columns named, or all in order.
	targets := make([]int, 0, len(o.columns))
	if in.cols == nil {
		for i := range o.columns {
			targets = append(targets, i)
		}
	}
	for _, name := range in.cols {
		i := slices.IndexFunc(o.columns, func(c column) bool { return strings.EqualFold(c.name, name) })
		if i < 0 {
			return nil, badRequest("UNRESOLVED_COLUMN.WITHOUT_SUGGESTION", "42703", "A column with name `%s` cannot be resolved in %s.", name, quoted(sec))
		}
		targets = append(targets, i)
	}
	ev := &evaluator{caller: x.caller, ms: x.ms, count: -1}
	var values [][]any
	if in.query != nil {
		rel, err := ev.query(in.query, x.read)
		if err != nil {
			return nil, err
		}
		values = rel.rows
	}
	for _, row := range in.rows {
		vals := make([]any, len(row))
		for i, e := range row {
			v, err := ev.eval(e, &scope{})
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
		values = append(values, vals)
	}
	rows := make([][]any, 0, len(values))
	for _, vals := range values {
		if len(vals) != len(targets) {
			return nil, badRequest("INSERT_COLUMN_ARITY_MISMATCH", "21S01", "Cannot write to %s: %d columns are written, %d values given.", quoted(sec), len(targets), len(vals))
		}
		row := make([]any, len(o.columns))
		for i, v := range vals {
			row[targets[i]] = v
		}
		rows = append(rows, row)
	}
	o.rows = append(o.rows, rows...)
	n := int64(len(rows))
	return &relation{cols: []column{{"num_affected_rows", "LONG"}, {"num_inserted_rows", "LONG"}}, rows: [][]any{{n, n}}}, nil
}
