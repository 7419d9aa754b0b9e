package dbsql

import "strings"

// This file parses the CREATE statements. Each statement's syntax is the
// one of its page of the Databricks SQL language reference
// (sql-ref-syntax-ddl-create-*).

// createKinds are the words that may follow CREATE [modifiers], for a
// did-you-mean.
var createKinds = []string{
	"CATALOG", "SCHEMA", "DATABASE", "TABLE", "VIEW", "MATERIALIZED", "FUNCTION", "VOLUME",
	"EXTERNAL", "FOREIGN", "TEMPORARY", "CONNECTION", "SERVER", "SHARE", "RECIPIENT",
	"STREAMING", "PROCEDURE", "OR",
}

// createModifiers are the words CREATE [OR REPLACE] may have before the
// object type.
type createModifiers struct {
	start     Pos // position of CREATE
	orReplace Pos // position of OR, or NoPos
	global    Pos // GLOBAL
	temporary Pos // TEMPORARY or TEMP
	external  Pos // EXTERNAL
	foreign   Pos // FOREIGN
}

// allow reports the first modifier that kind does not take.
func (p *parser) allow(m *createModifiers, kind string, orReplace, temporary, external, foreign bool) {
	bad := func(pos Pos, mod string) {
		if pos.IsValid() {
			p.fail(pos, "CREATE %s %s is not Databricks SQL: a %s cannot be created with %s", mod, kind, strings.ToLower(kind), mod)
		}
	}
	if !orReplace {
		bad(m.orReplace, "OR REPLACE")
	}
	if !temporary {
		bad(m.global, "GLOBAL TEMPORARY")
		bad(m.temporary, "TEMPORARY")
	}
	if !external {
		bad(m.external, "EXTERNAL")
	}
	if !foreign {
		bad(m.foreign, "FOREIGN")
	}
}

func (p *parser) parseCreate() Stmt {
	m := &createModifiers{start: p.expectKw("CREATE")}
	if p.is("OR") {
		m.orReplace = p.pos
		p.next()
		if p.is("REFRESH") {
			// CREATE OR REFRESH STREAMING TABLE / MATERIALIZED VIEW: a
			// pipeline dataset.
			return p.parseOpaque(m.start)
		}
		p.expectKw("REPLACE")
	}
	if p.is("GLOBAL") {
		m.global = p.pos
		p.next()
		if !p.is("TEMPORARY") && !p.is("TEMP") {
			p.errorExpectedWord("TEMPORARY after GLOBAL", []string{"TEMPORARY"})
		}
	}
	if p.is("TEMPORARY") || p.is("TEMP") {
		m.temporary = p.pos
		p.next()
	}
	if p.is("EXTERNAL") {
		m.external = p.pos
		p.next()
	}
	if p.is("FOREIGN") {
		m.foreign = p.pos
		p.next()
	}
	if p.tok != IDENT {
		p.errorExpected("the type of object to create (CATALOG, SCHEMA, TABLE, VIEW, FUNCTION, ...)")
	}
	kind := upper(p.lit)
	switch kind {
	case "CATALOG":
		p.allow(m, "CATALOG", false, false, false, true)
		p.next()
		return p.parseCreateCatalog(m)
	case "SCHEMA", "DATABASE":
		p.allow(m, kind, false, false, false, false)
		return p.parseCreateSchema(m.start)
	case "TABLE":
		p.allow(m, "TABLE", true, true, true, false)
		p.next()
		s := &CreateTableStmt{Create: m.start, OrReplace: m.orReplace.IsValid(), External: m.external.IsValid(), Temporary: m.temporary.IsValid()}
		if m.global.IsValid() {
			p.fail(m.global, "CREATE GLOBAL TEMPORARY TABLE is not Databricks SQL: write CREATE TEMPORARY TABLE")
		}
		if s.OrReplace && (s.External || s.Temporary) {
			p.fail(m.orReplace, "CREATE OR REPLACE %s TABLE is not Databricks SQL: OR REPLACE applies to managed tables only", map[bool]string{true: "EXTERNAL", false: "TEMPORARY"}[s.External])
		}
		if s.External && s.Temporary {
			p.fail(m.external, "a table cannot be both TEMPORARY and EXTERNAL")
		}
		return p.parseCreateTable(s)
	case "VIEW":
		p.allow(m, "VIEW", true, true, false, false)
		p.next()
		return p.parseCreateView(&CreateViewStmt{Create: m.start, OrReplace: m.orReplace.IsValid(), Temporary: m.temporary.IsValid(), Global: m.global.IsValid()})
	case "MATERIALIZED":
		p.allow(m, "MATERIALIZED VIEW", true, false, false, false)
		p.next()
		p.expectKw("VIEW")
		return p.parseCreateMaterializedView(&CreateMaterializedViewStmt{Create: m.start, OrReplace: m.orReplace.IsValid()})
	case "FUNCTION":
		p.allow(m, "FUNCTION", true, true, false, false)
		if m.global.IsValid() {
			p.fail(m.global, "CREATE GLOBAL TEMPORARY FUNCTION is not Databricks SQL: write CREATE TEMPORARY FUNCTION")
		}
		p.next()
		return p.parseCreateFunction(&CreateFunctionStmt{Create: m.start, OrReplace: m.orReplace.IsValid(), Temporary: m.temporary.IsValid()})
	case "VOLUME":
		p.allow(m, "VOLUME", false, false, true, false)
		p.next()
		return p.parseCreateVolume(&CreateVolumeStmt{Create: m.start, External: m.external.IsValid()})
	case "LOCATION":
		if !m.external.IsValid() {
			p.fail(p.pos, "CREATE LOCATION is not Databricks SQL: write CREATE EXTERNAL LOCATION")
		}
		p.allow(m, "EXTERNAL LOCATION", false, false, true, false)
		p.next()
		return p.parseCreateExternalLocation(m.start)
	case "CONNECTION", "SERVER":
		p.allow(m, "CONNECTION", false, false, false, false)
		p.next()
		return p.parseCreateConnection(m.start)
	case "SHARE":
		p.allow(m, "SHARE", false, false, false, false)
		p.next()
		return p.parseCreateShare(m.start)
	case "RECIPIENT":
		p.allow(m, "RECIPIENT", false, false, false, false)
		p.next()
		return p.parseCreateRecipient(m.start)
	case "STREAMING", "BLOOMFILTER":
		// Streaming tables (pipelines) and bloom filter indexes are kept
		// opaque.
		return p.parseOpaque(m.start)
	case "PROCEDURE":
		// A stored procedure is kept opaque; its body is a compound
		// statement, whose semicolons do not end it.
		for !p.atEnd() && !(p.depth == 0 && p.is("BEGIN")) {
			p.next()
		}
		if p.is("BEGIN") {
			p.next()
			p.skipCompound()
			return &OpaqueStmt{Verb: "CREATE", Span: p.span(m.start, p.prevEnd)}
		}
		return p.parseOpaque(m.start)
	case "STORAGE", "SERVICE", "CREDENTIAL":
		what := kind + " CREDENTIAL"
		if kind == "CREDENTIAL" {
			what = kind
		}
		p.fail(p.pos, "Databricks SQL has no CREATE %s: create storage and service credentials in Catalog Explorer, with the Databricks CLI or with the REST API", what)
	case "PROVIDER":
		p.fail(p.pos, "Databricks SQL has no CREATE PROVIDER: a provider is created when you import a share (Catalog Explorer, databricks providers create, or the REST API)")
	case "METASTORE":
		p.fail(p.pos, "Databricks SQL has no CREATE METASTORE: an account admin creates metastores in the account console, the CLI or the REST API")
	}
	p.errorExpectedWord("the type of object to create (CATALOG, SCHEMA, TABLE, VIEW, FUNCTION, ...)", createKinds)
	return nil
}

// orReplaceAndIfNotExists reports OR REPLACE given with IF NOT EXISTS.
func (p *parser) orReplaceAndIfNotExists(pos Pos, what string) {
	p.fail(pos, "OR REPLACE and IF NOT EXISTS cannot both be given: OR REPLACE replaces an existing %s, IF NOT EXISTS keeps it; choose one", what)
}

// parseIfNotExistsPos parses IF NOT EXISTS and returns the position of IF,
// or NoPos.
func (p *parser) parseIfNotExistsPos() Pos {
	pos := p.pos
	if p.parseIfNotExists() {
		return pos
	}
	return NoPos
}

// parseName parses the name of an object of type t and checks its parts.
func (p *parser) parseName(t ObjectType) *QualifiedName {
	n := p.parseQualifiedName()
	p.checkParts(t, n)
	return n
}

func (p *parser) parseCreateCatalog(m *createModifiers) Stmt {
	s := &CreateCatalogStmt{Create: m.start, Foreign: m.foreign.IsValid()}
	s.IfNotExists = p.parseIfNotExists()
	s.Name = p.parseName(Catalog)
	for {
		pos := p.pos
		switch {
		case p.is("USING"):
			p.next()
			switch {
			case p.got("SHARE"):
				p.once(pos, s.UsingShare != nil, "USING SHARE")
				s.UsingShare = p.parseQualifiedName()
				if len(s.UsingShare.Parts) != 2 {
					p.fail(s.UsingShare.Pos(), "USING SHARE names a share of a provider: write provider_name.share_name")
				}
			case p.got("CONNECTION"):
				p.once(pos, s.Connection != nil, "USING CONNECTION")
				s.Connection = p.parseName(Connection)
			default:
				p.errorExpectedWord("SHARE or CONNECTION after USING", []string{"SHARE", "CONNECTION"})
			}
		case p.is("MANAGED"):
			p.next()
			p.expectKw("LOCATION")
			p.once(pos, s.ManagedLocation != nil, "MANAGED LOCATION")
			s.ManagedLocation = p.parseString()
		case p.is("COMMENT"):
			p.next()
			p.once(pos, s.Comment != nil, "COMMENT")
			s.Comment = p.parseString()
		case p.is("OPTIONS"):
			p.next()
			p.once(pos, s.Options != nil, "OPTIONS")
			s.Options = p.parsePropertyList()
		case p.is("DEFAULT"):
			p.next()
			p.expectKw("COLLATION")
			p.once(pos, s.DefaultCollation != nil, "DEFAULT COLLATION")
			s.DefaultCollation = p.parseQualifiedName()
		case p.is("RETAIN"):
			p.next()
			p.expectKw("DROPPED")
			p.expectKw("FOR")
			p.once(pos, s.RetainDropped != nil, "RETAIN DROPPED")
			s.RetainDropped = p.parseInterval(retainUnits)
		default:
			p.endClauses("CREATE CATALOG", "USING", "MANAGED", "COMMENT", "OPTIONS", "DEFAULT", "RETAIN")
			s.EndPos = p.prevEnd
			p.checkCatalog(s, m)
			return s
		}
	}
}

// checkCatalog checks the clauses of a catalog against its kind: a foreign
// catalog is CREATE FOREIGN CATALOG name USING CONNECTION c [COMMENT]
// OPTIONS (...) (CREATE CATALOG page).
func (p *parser) checkCatalog(s *CreateCatalogStmt, m *createModifiers) {
	if !s.Foreign {
		if s.Connection != nil {
			p.fail(s.Connection.Pos(), "USING CONNECTION makes a foreign catalog: write CREATE FOREIGN CATALOG")
		}
		return
	}
	switch {
	case s.Connection == nil:
		p.fail(m.foreign, "a foreign catalog needs USING CONNECTION connection_name")
	case s.Options == nil:
		p.fail(m.foreign, "a foreign catalog needs OPTIONS (...), such as OPTIONS (database 'name')")
	case s.UsingShare != nil:
		p.fail(s.UsingShare.Pos(), "a foreign catalog cannot also be USING SHARE: a catalog comes from a connection or from a share")
	case s.ManagedLocation != nil:
		p.fail(s.ManagedLocation.Pos(), "a foreign catalog has no MANAGED LOCATION: its data stays in the foreign system")
	}
}

// retainUnits and scheduleUnits are the time units of RETAIN DROPPED and
// of a refresh schedule's EVERY.
var (
	retainUnits   = []string{"HOUR", "HOURS", "DAY", "DAYS", "WEEK", "WEEKS"}
	scheduleUnits = retainUnits
)

// parseInterval parses a number and a unit of units.
func (p *parser) parseInterval(units []string) *Interval {
	x := &Interval{NumberPos: p.pos}
	if p.tok != NUMBER {
		p.errorExpected("number")
	}
	x.Number = p.lit
	p.next()
	if p.tok != IDENT || !contains(units, upper(p.lit)) {
		p.errorExpectedWord(words(units...), units)
	}
	x.Unit = upper(p.lit)
	p.next()
	x.EndPos = p.prevEnd
	return x
}

func (p *parser) parseCreateSchema(start Pos) Stmt {
	s := &CreateSchemaStmt{Create: start, Type: Schema}
	if p.is("DATABASE") {
		s.Type = Database
	}
	p.next()
	s.IfNotExists = p.parseIfNotExists()
	s.Name = p.parseName(s.Type)
	for {
		pos := p.pos
		switch {
		case p.is("MANAGED"):
			p.next()
			p.expectKw("LOCATION")
			p.once(pos, s.ManagedLocation != nil, "MANAGED LOCATION")
			if s.Location != nil {
				p.fail(pos, "LOCATION and MANAGED LOCATION cannot both be given: use MANAGED LOCATION in Unity Catalog")
			}
			s.ManagedLocation = p.parseString()
		case p.is("LOCATION"):
			p.next()
			p.once(pos, s.Location != nil, "LOCATION")
			if s.ManagedLocation != nil {
				p.fail(pos, "LOCATION and MANAGED LOCATION cannot both be given: use MANAGED LOCATION in Unity Catalog")
			}
			s.Location = p.parseString()
		case p.is("COMMENT"):
			p.next()
			p.once(pos, s.Comment != nil, "COMMENT")
			s.Comment = p.parseString()
		case p.is("WITH"):
			p.next()
			if !p.got("DBPROPERTIES") {
				p.expectKw("PROPERTIES")
			}
			p.once(pos, s.Properties != nil, "WITH DBPROPERTIES")
			s.Properties = p.parsePropertyList()
		case p.is("DEFAULT"):
			p.next()
			p.expectKw("COLLATION")
			p.once(pos, s.DefaultCollation != nil, "DEFAULT COLLATION")
			s.DefaultCollation = p.parseQualifiedName()
		case p.is("RETAIN"):
			p.next()
			p.expectKw("DROPPED")
			p.expectKw("FOR")
			p.once(pos, s.RetainDropped != nil, "RETAIN DROPPED")
			s.RetainDropped = p.parseInterval(retainUnits)
		default:
			p.endClauses("CREATE SCHEMA", "MANAGED", "LOCATION", "COMMENT", "WITH", "DEFAULT", "RETAIN")
			s.EndPos = p.prevEnd
			return s
		}
	}
}

// endClauses reports a word where a clause of stmt or the end of the
// statement was expected, with a did-you-mean among the clauses' first
// words.
func (p *parser) endClauses(stmt string, clauses ...string) {
	if p.tok == IDENT {
		p.errorExpectedWord("a clause of "+stmt+" ("+words(clauses...)+") or ';'", clauses)
	}
}

func (p *parser) parseCreateTable(s *CreateTableStmt) Stmt {
	ifPos := p.parseIfNotExistsPos()
	s.IfNotExists = ifPos.IsValid()
	if s.IfNotExists && s.OrReplace {
		p.orReplaceAndIfNotExists(ifPos, "table")
	}
	if s.IfNotExists && s.Temporary {
		p.fail(ifPos, "CREATE TEMPORARY TABLE takes no IF NOT EXISTS")
	}
	s.Name = p.parseName(Table)
	if s.Temporary {
		p.checkUnqualified("table", s.Name)
	}
	if p.isAny("LIKE", "CLONE", "SHALLOW", "DEEP") {
		// CREATE TABLE ... LIKE source, and Delta's [SHALLOW | DEEP]
		// CLONE: kept opaque.
		return p.parseOpaque(s.Create)
	}
	if p.tok == LPAREN {
		s.Columns, s.Constraints, s.TableConstraints = p.parseTableElements(colTable)
		if s.Columns == nil {
			s.Columns = []*ColumnDef{}
		}
	}
	clauses := false // a table clause was parsed: USING must come before
	var partitionPos, clusterPos, bucketPos Pos
	for {
		pos := p.pos
		switch {
		case p.tok == LPAREN:
			p.fail(pos, "the column list must come right after the table name")
		case p.isAny("ROW", "STORED") && !p.peekIs("FILTER"):
			// The Hive format clauses ROW FORMAT and STORED AS (CREATE
			// TABLE with Hive format): kept opaque.
			return p.parseOpaque(s.Create)
		case p.is("WITH"):
			p.next()
			p.expectKw("ROW")
			p.expectKw("FILTER")
			p.once(pos, s.RowFilter != nil, "WITH ROW FILTER")
			s.RowFilter = p.parseName(Function)
			p.expectKw("ON")
			s.RowFilterColumns = p.parseArgs()
		case p.is("USING"):
			p.next()
			p.once(pos, s.Using != nil, "USING")
			if clauses {
				p.fail(pos, "USING data_source must come before the other table clauses (CREATE TABLE name (columns) USING format clauses AS query)")
			}
			if s.Temporary {
				p.fail(pos, "CREATE TEMPORARY TABLE ... USING is a deprecated syntax: remove USING to create a temporary table, or create a TEMPORARY VIEW")
			}
			id := p.parseWord()
			s.Using = &id
			continue
		case p.is("PARTITIONED"):
			partitionPos = pos
			p.next()
			p.expectKw("BY")
			p.once(pos, s.PartitionBy != nil, "PARTITIONED BY")
			s.PartitionBy, s.PartitionColumns = p.parsePartitionColumns()
		case p.is("CLUSTER"):
			clusterPos = pos
			p.next()
			p.expectKw("BY")
			p.once(pos, s.ClusterBy != nil || s.ClusterAuto || s.ClusterNone, "CLUSTER BY")
			switch {
			case p.got("AUTO"):
				s.ClusterAuto = true
			case p.got("NONE"):
				s.ClusterNone = true
			default:
				s.ClusterBy = p.parseIdentList()
			}
		case p.is("CLUSTERED"):
			bucketPos = pos
			p.once(pos, s.Bucketing != nil, "CLUSTERED BY")
			s.Bucketing = p.parseBucketing()
		case p.is("LOCATION"):
			p.next()
			p.once(pos, s.Location != nil, "LOCATION")
			s.Location = p.parseString()
			if p.is("WITH") {
				if tok, _ := p.peek(); tok == LPAREN {
					p.next()
					p.next()
					p.expectKw("CREDENTIAL")
					s.LocationCredential = p.parseName(StorageCredential)
					p.expect(RPAREN)
				}
			}
		case p.is("COMMENT"):
			p.next()
			p.once(pos, s.Comment != nil, "COMMENT")
			s.Comment = p.parseString()
		case p.is("TBLPROPERTIES"):
			p.next()
			p.once(pos, s.Properties != nil, "TBLPROPERTIES")
			s.Properties = p.parsePropertyList()
		case p.is("OPTIONS"):
			p.next()
			p.once(pos, s.Options != nil, "OPTIONS")
			s.Options = p.parsePropertyList()
		case p.is("DEFAULT"):
			p.next()
			p.expectKw("COLLATION")
			p.once(pos, s.DefaultCollation != nil, "DEFAULT COLLATION")
			s.DefaultCollation = p.parseQualifiedName()
		case p.is("AS"):
			p.next()
			sp := p.parseRest(p.pos)
			s.As = &sp
		default:
			p.endClauses("CREATE TABLE", "USING", "OPTIONS", "PARTITIONED", "CLUSTER", "CLUSTERED", "LOCATION", "COMMENT", "TBLPROPERTIES", "WITH", "DEFAULT", "AS")
			s.EndPos = p.prevEnd
			if s.ClusterBy != nil || s.ClusterAuto {
				p.clusterWith(clusterPos, partitionPos, "PARTITIONED BY", "partitions")
				p.clusterWith(clusterPos, bucketPos, "CLUSTERED BY ... INTO n BUCKETS", "buckets")
			}
			if s.External && s.Location == nil {
				p.fail(s.Create, "an external table needs a LOCATION: give LOCATION 'path', or drop EXTERNAL to create a managed table")
			}
			return s
		}
		clauses = true
	}
}

// clusterWith reports CLUSTER BY (at cluster) given with another layout
// clause (at other, if valid), at the later of the two: liquid clustering
// replaces partitions and buckets.
func (p *parser) clusterWith(cluster, other Pos, clause, what string) {
	if !other.IsValid() {
		return
	}
	p.fail(max(cluster, other), "CLUSTER BY cannot be combined with %s: liquid clustering replaces %s; keep one of the two", clause, what)
}

// parsePartitionColumns parses PARTITIONED BY's ( column [type], ... ):
// the names and, when a type is given, the columns.
func (p *parser) parsePartitionColumns() ([]Ident, []*ColumnDef) {
	p.expect(LPAREN)
	var names []Ident
	var cols []*ColumnDef
	typed := false
	for {
		c := &ColumnDef{Name: p.parseIdent()}
		if p.tok != COMMA && p.tok != RPAREN {
			c.Type = p.parseType()
			typed = true
		}
		c.EndPos = p.prevEnd
		names = append(names, c.Name)
		cols = append(cols, c)
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	p.expect(RPAREN)
	if !typed {
		cols = nil
	}
	return names, cols
}

// parseBucketing parses CLUSTERED BY (columns) [SORTED BY (columns)] INTO
// n BUCKETS.
func (p *parser) parseBucketing() *Bucketing {
	x := &Bucketing{Clustered: p.expectKw("CLUSTERED")}
	p.expectKw("BY")
	x.Columns = p.parseIdentList()
	if p.got("SORTED") {
		p.expectKw("BY")
		p.expect(LPAREN)
		for {
			c := &SortColumn{Name: p.parseIdent()}
			switch {
			case p.got("ASC"):
				c.Order = "ASC"
			case p.got("DESC"):
				c.Order = "DESC"
			}
			c.EndPos = p.prevEnd
			x.SortedBy = append(x.SortedBy, c)
			if p.tok != COMMA {
				break
			}
			p.next()
		}
		p.expect(RPAREN)
	}
	p.expectKw("INTO")
	if p.tok != NUMBER {
		p.errorExpected("number of buckets")
	}
	x.Buckets = p.lit
	p.next()
	p.expectKw("BUCKETS")
	x.EndPos = p.prevEnd
	return x
}

// A columnContext says where a column definition is.
type columnContext int

const (
	colTable   columnContext = iota // CREATE TABLE: the type is required
	colView                         // CREATE MATERIALIZED VIEW: the type may be left out
	colAdd                          // ALTER TABLE ADD COLUMN: FIRST or AFTER may follow
	colReturns                      // RETURNS TABLE (...) of a function
)

func (p *parser) parseColumnDefs() []*ColumnDef {
	list, _, _ := p.parseTableElements(colReturns)
	return list
}

// parseTableElements parses a parenthesised list of column definitions
// and, except in a function's RETURNS TABLE, table constraints: their text
// and their parsed form.
func (p *parser) parseTableElements(ctx columnContext) (cols []*ColumnDef, cons []*Span, parsed []*Constraint) {
	p.expect(LPAREN)
	for {
		if ctx != colReturns && p.isConstraint() {
			from := p.pos
			c := p.parseConstraint(false)
			sp := p.span(from, p.prevEnd)
			cons = append(cons, &sp)
			parsed = append(parsed, c)
		} else {
			cols = append(cols, p.parseColumnDef(ctx))
		}
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	p.expect(RPAREN)
	return cols, cons, parsed
}

// isConstraint reports whether a table constraint starts at the next
// token: CONSTRAINT name ..., PRIMARY KEY, FOREIGN KEY, UNIQUE (...) or
// CHECK (...).
func (p *parser) isConstraint() bool {
	if p.tok != IDENT {
		return false
	}
	tok, lit := p.peek()
	switch {
	case p.is("CONSTRAINT"):
		return tok == IDENT || tok == QUOTEDIDENT
	case p.is("PRIMARY"), p.is("FOREIGN"):
		return tok == IDENT && strings.EqualFold(lit, "KEY")
	case p.is("CHECK"), p.is("UNIQUE"):
		return tok == LPAREN
	}
	return false
}

// parseConstraint parses a table constraint or, with column, a column
// constraint.
func (p *parser) parseConstraint(column bool) *Constraint {
	c := &Constraint{ConstraintPos: p.pos}
	if p.got("CONSTRAINT") {
		id := p.parseIdent()
		c.Name = &id
	}
	switch {
	case p.is("PRIMARY"):
		p.next()
		p.expectKw("KEY")
		c.Kind = "PRIMARY KEY"
		if !column {
			p.expect(LPAREN)
			for {
				c.Columns = append(c.Columns, p.parseIdent())
				if p.is("TIMESERIES") {
					p.next()
					if c.Timeseries != nil {
						p.fail(p.prevEnd, "only one column of a primary key can be TIMESERIES")
					}
					ts := c.Columns[len(c.Columns)-1]
					c.Timeseries = &ts
				}
				if p.tok != COMMA {
					break
				}
				p.next()
			}
			p.expect(RPAREN)
		}
	case !column && p.is("FOREIGN"):
		p.next()
		p.expectKw("KEY")
		c.Kind = "FOREIGN KEY"
		c.Columns = p.parseIdentList()
		p.expectKw("REFERENCES")
		c.References = p.parseName(Table)
		if p.tok == LPAREN {
			c.RefColumns = p.parseIdentList()
		}
	case column && (p.is("REFERENCES") || p.is("FOREIGN")):
		// [FOREIGN KEY] REFERENCES: the same constraint, printed
		// without the optional words.
		if p.got("FOREIGN") {
			p.expectKw("KEY")
		}
		p.expectKw("REFERENCES")
		c.Kind = "REFERENCES"
		c.References = p.parseName(Table)
		if p.tok == LPAREN {
			c.RefColumns = p.parseIdentList()
		}
	case p.is("UNIQUE"):
		p.next()
		c.Kind = "UNIQUE"
		if !column {
			c.Columns = p.parseIdentList()
		}
	case !column && p.is("CHECK"):
		p.next()
		p.expect(LPAREN)
		sp := p.parseExprSpan()
		c.Check = &sp
		p.expect(RPAREN)
		c.Kind = "CHECK"
	default:
		if column {
			p.errorExpectedWord("PRIMARY KEY, UNIQUE or [FOREIGN KEY] REFERENCES", []string{"PRIMARY", "UNIQUE", "FOREIGN", "REFERENCES"})
		}
		p.errorExpectedWord("PRIMARY KEY, FOREIGN KEY, UNIQUE or CHECK", []string{"PRIMARY", "FOREIGN", "UNIQUE", "CHECK"})
	}
	if from := p.pos; p.parseConstraintOptions() {
		sp := p.span(from, p.prevEnd)
		c.Options = &sp
	}
	c.EndPos = p.prevEnd
	return c
}

// parseConstraintOptions parses the options of a constraint, and reports
// whether there were any: [NOT] ENFORCED, [NOT] DEFERRABLE, INITIALLY
// {DEFERRED | IMMEDIATE}, RELY, NORELY, MATCH FULL, ON {UPDATE | DELETE} NO
// ACTION, and ENABLE NOVALIDATE, which the CONSTRAINT clause page accepts
// for NOT ENFORCED DEFERRABLE INITIALLY DEFERRED.
func (p *parser) parseConstraintOptions() bool {
	any := false
	for {
		switch {
		case p.is("NOT"):
			if tok, lit := p.peek(); tok != IDENT || !(strings.EqualFold(lit, "ENFORCED") || strings.EqualFold(lit, "DEFERRABLE")) {
				return any
			}
			p.next()
			p.next()
		case p.is("ENFORCED"), p.is("DEFERRABLE"), p.is("RELY"), p.is("NORELY"):
			p.next()
		case p.is("INITIALLY"):
			p.next()
			if !p.got("DEFERRED") {
				p.expectKw("IMMEDIATE")
			}
		case p.is("MATCH"):
			p.next()
			p.expectKw("FULL")
		case p.is("ENABLE"):
			p.next()
			p.expectKw("NOVALIDATE")
		case p.is("ON"):
			if tok, lit := p.peek(); tok != IDENT || !(strings.EqualFold(lit, "UPDATE") || strings.EqualFold(lit, "DELETE")) {
				return any
			}
			p.next()
			p.next()
			p.expectKw("NO")
			p.expectKw("ACTION")
		default:
			return any
		}
		any = true
	}
}

// columnStop lists the keywords that end a DEFAULT expression.
var columnStop = []string{"NOT", "COMMENT", "MASK", "DEFAULT", "GENERATED", "COLLATE", "CONSTRAINT", "PRIMARY", "FOREIGN", "UNIQUE", "REFERENCES", "FIRST", "AFTER"}

// noType lists the words that may follow a column name whose type is left
// out (in a materialized view's column list).
var noType = []string{"COMMENT", "NOT", "MASK", "CONSTRAINT", "PRIMARY", "FOREIGN", "UNIQUE", "REFERENCES"}

func (p *parser) parseColumnDef(ctx columnContext) *ColumnDef {
	c := p.columns.new()
	c.Name = p.parseIdent()
	if ctx != colView || (p.tok != COMMA && p.tok != RPAREN && !p.isAny(noType...)) {
		c.Type = p.parseType()
	}
	for {
		pos := p.pos
		switch {
		case p.is("NOT"):
			p.next()
			p.expectKw("NULL")
			if c.NotNull {
				p.duplicate(pos, "NOT NULL")
			}
			c.NotNull = true
		case p.is("COMMENT"):
			p.next()
			p.once(pos, c.Comment != nil, "COMMENT")
			c.Comment = p.parseString()
		case ctx == colReturns:
			c.EndPos = p.prevEnd
			return c
		case p.is("COLLATE"):
			p.next()
			p.once(pos, c.Collate != nil, "COLLATE")
			c.Collate = p.parseQualifiedName()
		case p.is("DEFAULT"):
			p.next()
			p.once(pos, c.Default != nil, "DEFAULT")
			sp := p.parseExprSpan(columnStop...)
			c.Default = &sp
		case p.is("GENERATED"):
			p.next()
			p.once(pos, c.Generated != nil, "GENERATED")
			p.parseGenerated(c)
		case p.is("MASK"):
			p.next()
			p.once(pos, c.Mask != nil, "MASK")
			c.Mask = p.parseName(Function)
			if p.got("USING") {
				p.expectKw("COLUMNS")
				c.MaskUsing = p.parseArgs()
			}
		case p.is("CONSTRAINT"), p.is("PRIMARY"), p.is("FOREIGN"), p.is("UNIQUE"), p.is("REFERENCES"):
			c.Constraints = append(c.Constraints, p.parseConstraint(true))
		case ctx == colAdd && p.is("FIRST"):
			p.next()
			if c.First || c.After != nil {
				p.duplicate(pos, "FIRST or AFTER")
			}
			c.First = true
		case ctx == colAdd && p.is("AFTER"):
			p.next()
			if c.First || c.After != nil {
				p.duplicate(pos, "FIRST or AFTER")
			}
			id := p.parseIdent()
			c.After = &id
		default:
			if p.tok == IDENT {
				p.errorExpectedWord("a column property (NOT NULL, COMMENT, DEFAULT, GENERATED, MASK, ...), ',' or ')'",
					[]string{"NOT", "COMMENT", "COLLATE", "DEFAULT", "GENERATED", "MASK", "CONSTRAINT", "PRIMARY", "FOREIGN", "UNIQUE", "REFERENCES"})
			}
			c.EndPos = p.prevEnd
			return c
		}
	}
}

// parseGenerated parses what follows GENERATED in a column definition:
// ALWAYS AS ( expr ) or { ALWAYS | BY DEFAULT } AS IDENTITY [ ( [START WITH
// n] [INCREMENT BY n] ) ] (CREATE TABLE [USING] page). Generated keeps the
// text, GeneratedAs or Identity the parsed form.
func (p *parser) parseGenerated(c *ColumnDef) {
	from := p.pos
	always := false
	switch {
	case p.got("ALWAYS"):
		always = true
	case p.got("BY"):
		p.expectKw("DEFAULT")
	default:
		p.errorExpectedWord("ALWAYS or BY DEFAULT after GENERATED", []string{"ALWAYS", "BY"})
	}
	p.expectKw("AS")
	if p.is("IDENTITY") {
		p.next()
		id := &Identity{IdentityPos: from, Always: always}
		if p.tok == LPAREN {
			p.next()
			for p.tok != RPAREN {
				pos := p.pos
				switch {
				case p.got("START"):
					p.expectKw("WITH")
					p.once(pos, id.Start != nil, "START WITH")
					id.Start = p.parseNumber()
				case p.got("INCREMENT"):
					p.expectKw("BY")
					p.once(pos, id.Increment != nil, "INCREMENT BY")
					id.Increment = p.parseNumber()
				default:
					p.errorExpectedWord("START WITH, INCREMENT BY or ')'", []string{"START", "INCREMENT"})
				}
			}
			p.next()
		}
		id.EndPos = p.prevEnd
		c.Identity = id
	} else {
		if !always {
			p.fail(from, "GENERATED BY DEFAULT makes an identity column: write GENERATED BY DEFAULT AS IDENTITY, or GENERATED ALWAYS AS (expression)")
		}
		p.expect(LPAREN)
		sp := p.parseExprSpan()
		c.GeneratedAs = &sp
		p.expect(RPAREN)
	}
	sp := p.span(from, p.prevEnd)
	c.Generated = &sp
}

// parseNumber parses a number, possibly negative, as a Literal.
func (p *parser) parseNumber() *Literal {
	x := p.literals.new()
	x.ValuePos, x.Kind = p.pos, NUMBER
	neg := p.tok == SUB
	if neg {
		p.next()
	}
	if p.tok != NUMBER {
		p.errorExpected("number")
	}
	x.Value = p.lit
	if neg {
		x.Value = "-" + p.lit
	}
	p.next()
	x.ValueEnd = p.prevEnd
	return x
}

func (p *parser) parseCreateFunction(s *CreateFunctionStmt) Stmt {
	ifPos := p.parseIfNotExistsPos()
	s.IfNotExists = ifPos.IsValid()
	switch {
	case s.IfNotExists && s.OrReplace:
		p.orReplaceAndIfNotExists(ifPos, "function")
	case s.IfNotExists && s.Temporary:
		p.fail(ifPos, "CREATE TEMPORARY FUNCTION with IF NOT EXISTS is not allowed")
	}
	s.Name = p.parseName(Function)
	if s.Temporary {
		p.checkUnqualified("function", s.Name)
	}
	if p.is("AS") {
		// CREATE FUNCTION name AS class_name [USING JAR ...]: a Hive
		// function implemented in Java or Scala, kept opaque.
		return p.parseOpaque(s.Create)
	}
	p.expect(LPAREN)
	if p.tok != RPAREN {
		for {
			s.Params = append(s.Params, p.parseParam())
			if p.tok != COMMA {
				break
			}
			p.next()
		}
	}
	p.expect(RPAREN)
	if p.got("RETURNS") {
		if p.got("TABLE") {
			s.ReturnsTable = true
			if p.tok == LPAREN {
				s.TableColumns = p.parseColumnDefs()
			}
		} else {
			s.Returns = p.parseType()
		}
	}
	languagePos := NoPos
	for {
		pos := p.pos
		switch {
		case p.is("RETURNS"):
			p.fail(pos, "RETURNS must come right after the parameter list")
		case p.is("COMMENT"):
			p.next()
			p.once(pos, s.Comment != nil, "COMMENT")
			s.Comment = p.parseString()
		case p.is("LANGUAGE"):
			p.next()
			p.once(pos, s.Language != nil, "LANGUAGE")
			languagePos = pos
			id := p.parseWord()
			if id.Name != "SQL" && id.Name != "PYTHON" {
				p.fail(id.NamePos, "LANGUAGE %s is not a function language of Databricks SQL: write LANGUAGE SQL or LANGUAGE PYTHON", id.Name)
			}
			s.Language = &id
		case p.is("DETERMINISTIC"), p.is("NOT"):
			det := !p.is("NOT")
			p.next()
			if !det {
				p.expectKw("DETERMINISTIC")
			}
			p.once(pos, s.Deterministic != nil, "DETERMINISTIC")
			s.Deterministic = &det
		case p.is("CONTAINS"), p.is("READS"), p.is("MODIFIES"), p.is("NO"):
			access := ""
			switch {
			case p.got("CONTAINS"):
				p.expectKw("SQL")
				access = "CONTAINS SQL"
			case p.got("READS"):
				p.expectKw("SQL")
				p.expectKw("DATA")
				access = "READS SQL DATA"
			default:
				p.fail(pos, "a Databricks SQL function CONTAINS SQL or READS SQL DATA: %s is not one of its characteristics", map[bool]string{true: "MODIFIES SQL DATA", false: "NO SQL"}[p.is("MODIFIES")])
			}
			if s.DataAccess != "" {
				p.duplicate(pos, "SQL data access")
			}
			s.DataAccess = access
		case p.is("DEFAULT"):
			p.next()
			p.expectKw("COLLATION")
			p.once(pos, s.DefaultCollation != nil, "DEFAULT COLLATION")
			s.DefaultCollation = p.parseQualifiedName()
		case p.is("ENVIRONMENT"):
			p.next()
			p.once(pos, s.Environment != nil, "ENVIRONMENT")
			s.Environment = p.parsePropertyList()
		case p.is("RETURN"):
			p.next()
			sp := p.parseRest(p.pos)
			s.Return = &sp
			s.EndPos = p.prevEnd
			p.checkFunctionBody(s, pos, languagePos)
			return s
		case p.is("AS"):
			p.next()
			var text string
			switch p.tok {
			case DOLLAR:
				i := strings.IndexByte(p.lit[1:], '$') + 2
				text = p.lit[i:]
				if len(text) >= i && text[len(text)-i:] == p.lit[:i] {
					text = text[:len(text)-i]
				}
			case STRING:
				text = unquoteString(p.lit)
			default:
				p.errorExpected("$$ body or string")
			}
			s.Body = &Span{From: p.pos, To: p.pos + Pos(len(p.lit)), Text: text}
			p.next()
			if !p.atEnd() {
				p.fail(p.pos, "the function body must come last: move %s before AS", p.found())
			}
			s.EndPos = p.prevEnd
			p.checkFunctionBody(s, pos, languagePos)
			return s
		default:
			p.errorExpectedWord("RETURN or AS", []string{"RETURN", "AS", "RETURNS", "LANGUAGE", "COMMENT", "DETERMINISTIC", "CONTAINS", "READS", "ENVIRONMENT"})
		}
	}
}

// checkFunctionBody checks that the body fits the language: a SQL
// function has a RETURN body, a Python function an AS $$ ... $$ body
// (CREATE FUNCTION (SQL and Python) page). bodyPos is the position of
// RETURN or AS.
func (p *parser) checkFunctionBody(s *CreateFunctionStmt, bodyPos, languagePos Pos) {
	python := s.Language != nil && s.Language.Name == "PYTHON"
	switch {
	case python && s.Return != nil:
		p.fail(bodyPos, "a LANGUAGE PYTHON function has an AS $$ ... $$ body, not RETURN")
	case !python && s.Body != nil:
		if languagePos.IsValid() {
			p.fail(bodyPos, "a LANGUAGE SQL function has a RETURN body: AS $$ ... $$ is the body of a LANGUAGE PYTHON function")
		}
		p.fail(bodyPos, "AS $$ ... $$ is the body of a LANGUAGE PYTHON function: add LANGUAGE PYTHON, or write RETURN expression for a SQL function")
	case !python && s.Environment != nil:
		p.fail(s.Environment.Pos(), "ENVIRONMENT applies to LANGUAGE PYTHON functions only")
	}
}

func (p *parser) parseParam() *Param {
	x := &Param{Name: p.parseIdent()}
	x.Type = p.parseType()
	for {
		pos := p.pos
		switch {
		case p.is("DEFAULT"):
			p.next()
			p.once(pos, x.Default != nil, "DEFAULT")
			sp := p.parseExprSpan("COMMENT", "NOT", "GENERATED", "PRIMARY", "REFERENCES", "CONSTRAINT")
			x.Default = &sp
		case p.is("COMMENT"):
			p.next()
			p.once(pos, x.Comment != nil, "COMMENT")
			x.Comment = p.parseString()
		case p.is("NOT"), p.is("PRIMARY"), p.is("REFERENCES"), p.is("CONSTRAINT"):
			p.fail(pos, "CREATE FUNCTION with constraints on parameters is not allowed: remove %s from parameter %s", p.found(), x.Name.Name)
		case p.is("GENERATED"):
			p.fail(pos, "CREATE FUNCTION with generated columns as parameters is not allowed: remove GENERATED from parameter %s", x.Name.Name)
		default:
			x.EndPos = p.prevEnd
			return x
		}
	}
}

func (p *parser) parseCreateView(s *CreateViewStmt) Stmt {
	ifPos := p.parseIfNotExistsPos()
	s.IfNotExists = ifPos.IsValid()
	if s.IfNotExists && s.OrReplace {
		p.orReplaceAndIfNotExists(ifPos, "view")
	}
	if s.IfNotExists && s.Temporary {
		p.fail(ifPos, "CREATE TEMPORARY VIEW takes no IF NOT EXISTS: use CREATE OR REPLACE TEMPORARY VIEW")
	}
	s.Name = p.parseName(View)
	if s.Temporary {
		p.checkUnqualified("view", s.Name)
	}
	if p.tok == LPAREN {
		p.next()
		s.Columns = []*ViewColumn{}
		for {
			c := &ViewColumn{Name: p.parseIdent()}
			if p.got("COMMENT") {
				c.Comment = p.parseString()
			}
			c.EndPos = p.prevEnd
			s.Columns = append(s.Columns, c)
			if p.tok != COMMA {
				break
			}
			p.next()
		}
		p.expect(RPAREN)
	}
	for {
		pos := p.pos
		switch {
		case p.tok == LPAREN:
			p.fail(pos, "the column list must come right after the view name")
		case p.is("COMMENT"):
			p.next()
			p.once(pos, s.Comment != nil, "COMMENT")
			s.Comment = p.parseString()
		case p.is("TBLPROPERTIES"):
			p.next()
			p.once(pos, s.Properties != nil, "TBLPROPERTIES")
			s.Properties = p.parsePropertyList()
		case p.is("DEFAULT"):
			p.next()
			p.expectKw("COLLATION")
			p.once(pos, s.DefaultCollation != nil, "DEFAULT COLLATION")
			s.DefaultCollation = p.parseQualifiedName()
		case p.is("LANGUAGE"):
			p.next()
			p.once(pos, s.Language != nil, "LANGUAGE")
			id := p.parseWord()
			if id.Name != "YAML" {
				p.fail(id.NamePos, "a view is defined in SQL or, for a metric view, LANGUAGE YAML: LANGUAGE %s is neither", id.Name)
			}
			s.Language = &id
		case p.is("WITH"):
			p.next()
			if p.tok == LPAREN {
				p.next()
				for {
					p.parseViewWith(s, p.pos)
					if p.tok != COMMA {
						break
					}
					p.next()
				}
				p.expect(RPAREN)
				continue
			}
			p.parseViewWith(s, pos)
		default:
			if !p.is("AS") {
				p.errorExpectedWord("AS query", []string{"AS", "COMMENT", "TBLPROPERTIES", "WITH", "DEFAULT", "LANGUAGE"})
			}
			p.next()
			sp := p.parseRest(p.pos)
			s.As = &sp
			s.EndPos = p.prevEnd
			return s
		}
	}
}

// parseViewWith parses an item of a view's WITH clause: SCHEMA mode or
// METRICS.
func (p *parser) parseViewWith(s *CreateViewStmt, pos Pos) {
	switch {
	case p.got("METRICS"):
		if s.Metrics {
			p.duplicate(pos, "WITH METRICS")
		}
		s.Metrics = true
	case p.is("SCHEMA"):
		if s.Temporary {
			p.fail(pos, "a temporary view takes no WITH SCHEMA clause: recreate it when the underlying schema changes, or create a persisted view")
		}
		p.next()
		if s.SchemaBinding != "" {
			p.duplicate(pos, "WITH SCHEMA")
		}
		s.SchemaBinding = p.parseSchemaBindingMode()
	default:
		p.errorExpectedWord("SCHEMA or METRICS after WITH", []string{"SCHEMA", "METRICS"})
	}
}

// parseSchemaBindingMode parses BINDING, COMPENSATION, EVOLUTION or TYPE
// EVOLUTION.
func (p *parser) parseSchemaBindingMode() string {
	switch {
	case p.got("BINDING"):
		return "BINDING"
	case p.got("COMPENSATION"):
		return "COMPENSATION"
	case p.got("EVOLUTION"):
		return "EVOLUTION"
	case p.got("TYPE"):
		p.expectKw("EVOLUTION")
		return "TYPE EVOLUTION"
	}
	p.errorExpectedWord("BINDING, COMPENSATION, EVOLUTION or TYPE EVOLUTION", []string{"BINDING", "COMPENSATION", "EVOLUTION", "TYPE"})
	return ""
}

func (p *parser) parseCreateMaterializedView(s *CreateMaterializedViewStmt) Stmt {
	ifPos := p.parseIfNotExistsPos()
	s.IfNotExists = ifPos.IsValid()
	if s.IfNotExists && s.OrReplace {
		p.orReplaceAndIfNotExists(ifPos, "materialized view")
	}
	s.Name = p.parseName(MaterializedView)
	if p.tok == LPAREN {
		s.Columns, _, s.Constraints = p.parseTableElements(colView)
	}
	for {
		pos := p.pos
		switch {
		case p.tok == LPAREN:
			p.fail(pos, "the column list must come right after the materialized view name")
		case p.is("PARTITIONED"):
			p.next()
			p.expectKw("BY")
			p.once(pos, s.PartitionBy != nil, "PARTITIONED BY")
			s.PartitionBy = p.parseIdentList()
		case p.is("CLUSTER"):
			p.next()
			p.expectKw("BY")
			p.once(pos, s.ClusterBy != nil || s.ClusterAuto, "CLUSTER BY")
			if p.got("AUTO") {
				s.ClusterAuto = true
			} else {
				s.ClusterBy = p.parseIdentList()
			}
		case p.is("COMMENT"):
			p.next()
			p.once(pos, s.Comment != nil, "COMMENT")
			s.Comment = p.parseString()
		case p.is("DEFAULT"):
			p.next()
			p.expectKw("COLLATION")
			p.once(pos, s.DefaultCollation != nil, "DEFAULT COLLATION")
			s.DefaultCollation = p.parseQualifiedName()
		case p.is("TBLPROPERTIES"):
			p.next()
			p.once(pos, s.Properties != nil, "TBLPROPERTIES")
			s.Properties = p.parsePropertyList()
		case p.is("SCHEDULE"), p.is("TRIGGER"):
			p.once(pos, s.Schedule != nil, "SCHEDULE")
			s.Schedule = p.parseSchedule()
		case p.is("WITH"):
			p.next()
			p.expectKw("ROW")
			p.expectKw("FILTER")
			p.once(pos, s.RowFilter != nil, "WITH ROW FILTER")
			s.RowFilter = p.parseName(Function)
			p.expectKw("ON")
			s.RowFilterColumns = p.parseArgs()
		case p.is("REFRESH"):
			// REFRESH POLICY: kept opaque.
			return p.parseOpaque(s.Create)
		default:
			if !p.is("AS") {
				p.errorExpectedWord("AS query", []string{"AS", "PARTITIONED", "CLUSTER", "COMMENT", "TBLPROPERTIES", "SCHEDULE", "TRIGGER", "WITH"})
			}
			p.next()
			sp := p.parseRest(p.pos)
			s.As = &sp
			s.EndPos = p.prevEnd
			return s
		}
	}
}

// scheduleStop lists the keywords that end a trigger interval.
var scheduleStop = []string{"AS", "COMMENT", "TBLPROPERTIES", "PARTITIONED", "CLUSTER", "WITH", "DEFAULT"}

// parseSchedule parses SCHEDULE [REFRESH] { EVERY n unit | CRON 'expr' [AT
// TIME ZONE 'zone'] } or TRIGGER ON UPDATE [AT MOST EVERY interval].
func (p *parser) parseSchedule() *Schedule {
	s := &Schedule{SchedulePos: p.pos}
	if p.got("TRIGGER") {
		p.expectKw("ON")
		p.expectKw("UPDATE")
		s.Trigger = true
		if p.got("AT") {
			p.expectKw("MOST")
			p.expectKw("EVERY")
			sp := p.parseExprSpan(scheduleStop...)
			s.AtMostEvery = &sp
		}
	} else {
		p.expectKw("SCHEDULE")
		s.Refresh = p.got("REFRESH")
		switch {
		case p.got("EVERY"):
			s.Every = p.parseInterval(scheduleUnits)
		case p.got("CRON"):
			s.Cron = p.parseString()
			if p.got("AT") {
				p.expectKw("TIME")
				p.expectKw("ZONE")
				s.TimeZone = p.parseString()
			}
		default:
			p.errorExpectedWord("EVERY or CRON", []string{"EVERY", "CRON"})
		}
	}
	s.EndPos = p.prevEnd
	return s
}

func (p *parser) parseCreateVolume(s *CreateVolumeStmt) Stmt {
	s.IfNotExists = p.parseIfNotExists()
	s.Name = p.parseName(Volume)
	for {
		pos := p.pos
		switch {
		case p.is("LOCATION"):
			p.next()
			p.once(pos, s.Location != nil, "LOCATION")
			if !s.External {
				p.fail(pos, "a managed volume has no LOCATION: write CREATE EXTERNAL VOLUME to register a location")
			}
			s.Location = p.parseString()
		case p.is("COMMENT"):
			p.next()
			p.once(pos, s.Comment != nil, "COMMENT")
			s.Comment = p.parseString()
		default:
			p.endClauses("CREATE VOLUME", "LOCATION", "COMMENT")
			s.EndPos = p.prevEnd
			if s.External && s.Location == nil {
				p.fail(s.Create, "an external volume needs a LOCATION: give LOCATION 'path' in an external location, or drop EXTERNAL for a managed volume")
			}
			return s
		}
	}
}

// parseCreateExternalLocation parses CREATE EXTERNAL LOCATION [IF NOT
// EXISTS] name URL 'url' WITH (STORAGE CREDENTIAL name) [COMMENT 'text'].
func (p *parser) parseCreateExternalLocation(start Pos) Stmt {
	s := &CreateExternalLocationStmt{Create: start}
	s.IfNotExists = p.parseIfNotExists()
	s.Name = p.parseName(ExternalLocation)
	p.expectKw("URL")
	s.URL = p.parseString()
	p.expectKw("WITH")
	p.expect(LPAREN)
	p.expectKw("STORAGE")
	p.expectKw("CREDENTIAL")
	s.Credential = p.parseName(StorageCredential)
	p.expect(RPAREN)
	if p.got("COMMENT") {
		s.Comment = p.parseString()
	}
	s.EndPos = p.prevEnd
	return s
}

// parseCreateConnection parses CREATE CONNECTION [IF NOT EXISTS] name TYPE
// type OPTIONS (...) [COMMENT 'text'].
func (p *parser) parseCreateConnection(start Pos) Stmt {
	s := &CreateConnectionStmt{Create: start}
	s.IfNotExists = p.parseIfNotExists()
	s.Name = p.parseName(Connection)
	p.expectKw("TYPE")
	s.Type = p.parseWord()
	p.expectKw("OPTIONS")
	s.Options = p.parsePropertyList()
	if p.got("COMMENT") {
		s.Comment = p.parseString()
	}
	s.EndPos = p.prevEnd
	return s
}

// parseCreateShare parses CREATE SHARE [IF NOT EXISTS] name [COMMENT
// 'text'].
func (p *parser) parseCreateShare(start Pos) Stmt {
	s := &CreateShareStmt{Create: start}
	s.IfNotExists = p.parseIfNotExists()
	s.Name = p.parseName(Share)
	if p.got("COMMENT") {
		s.Comment = p.parseString()
	}
	s.EndPos = p.prevEnd
	return s
}

// parseCreateRecipient parses CREATE RECIPIENT [IF NOT EXISTS] name [USING
// ID 'id'] [COMMENT 'text'] [[SET] PROPERTIES (...)].
func (p *parser) parseCreateRecipient(start Pos) Stmt {
	s := &CreateRecipientStmt{Create: start}
	s.IfNotExists = p.parseIfNotExists()
	s.Name = p.parseName(Recipient)
	if p.got("USING") {
		p.expectKw("ID")
		s.SharingID = p.parseString()
	}
	if p.got("COMMENT") {
		s.Comment = p.parseString()
	}
	if p.is("SET") || p.is("PROPERTIES") {
		p.got("SET")
		p.expectKw("PROPERTIES")
		s.Properties = p.parsePropertyList()
	}
	s.EndPos = p.prevEnd
	return s
}
