package dbsql

import "strings"

// This file parses the ALTER statements: ALTER CATALOG, SCHEMA, TABLE,
// VIEW, MATERIALIZED VIEW, STREAMING TABLE, VOLUME, FUNCTION, EXTERNAL
// LOCATION, [STORAGE | SERVICE] CREDENTIAL, CONNECTION, SHARE, RECIPIENT
// and PROVIDER, each with the actions of its page of the language
// reference (sql-ref-syntax-ddl-alter-*).

// The actions an ALTER statement may take, by object type.
const (
	actOwner = 1 << iota
	actRename
	actTags
	actPredictive
	actCollation
	actOptions
	actManaged
	actRetain
	actDBProperties
	actTblProperties
	actProperties
	actURL
	actCredential
	actColumns
	actConstraints
	actCluster
	actRowFilter
	actMask
	actAlterColumn // ALTER COLUMN of a materialized view or streaming table
	actQuery
	actBinding
	actSchedule
	actShareObjects
	actTableOpaque // partitions, SERDE, LOCATION, features, ...: kept opaque
)

var alterActions = map[ObjectType]int{
	Catalog:           actOwner | actTags | actPredictive | actCollation | actOptions | actManaged | actRetain,
	Schema:            actOwner | actTags | actPredictive | actCollation | actDBProperties | actManaged | actRetain,
	Database:          actOwner | actTags | actPredictive | actCollation | actDBProperties | actManaged | actRetain,
	Table:             actOwner | actRename | actTags | actPredictive | actCollation | actTblProperties | actColumns | actConstraints | actCluster | actRowFilter | actMask | actTableOpaque,
	View:              actOwner | actRename | actTags | actTblProperties | actQuery | actBinding,
	MaterializedView:  actOwner | actTags | actSchedule | actRowFilter | actMask | actAlterColumn,
	StreamingTable:    actOwner | actTags | actSchedule | actRowFilter | actMask | actAlterColumn,
	Volume:            actOwner | actRename | actTags,
	Function:          actOwner | actTags,
	ExternalLocation:  actOwner | actRename | actURL | actCredential,
	StorageCredential: actOwner | actRename,
	ServiceCredential: actOwner | actRename,
	Credential:        actOwner | actRename,
	Connection:        actOwner | actRename | actOptions,
	Share:             actOwner | actRename | actShareObjects,
	Recipient:         actOwner | actRename | actProperties,
	Provider:          actOwner | actRename,
}

// alterWords are the words an ALTER action starts with, for a
// did-you-mean.
var alterWords = []string{"SET", "UNSET", "OWNER", "RENAME", "ADD", "DROP", "ALTER", "CHANGE", "ENABLE",
	"DISABLE", "INHERIT", "DEFAULT", "OPTIONS", "CLUSTER", "RETAIN", "REMOVE", "AS", "WITH"}

// alterKindWords are the object types ALTER takes, for a did-you-mean.
var alterKindWords = []string{"CATALOG", "SCHEMA", "TABLE", "VIEW", "MATERIALIZED", "STREAMING", "VOLUME",
	"FUNCTION", "EXTERNAL", "STORAGE", "SERVICE", "CREDENTIAL", "CONNECTION", "SERVER", "SHARE", "RECIPIENT",
	"PROVIDER", "DATABASE"}

func (p *parser) parseAlter() Stmt {
	start := p.expectKw("ALTER")
	pos, t := p.parseObjectType()
	switch t {
	case "":
		p.errorExpectedWord("the type of object to alter (CATALOG, SCHEMA, TABLE, VIEW, ...)", alterKindWords)
	case CleanRoom, ExternalMetadata, Procedure:
		return p.parseOpaque(start) // kept opaque
	}
	acts, ok := alterActions[t]
	if !ok {
		p.fail(pos, "ALTER %s is not Databricks SQL", t)
	}
	obj := &Securable{TypePos: pos, Type: t}
	if t != Catalog || !p.catalogClauseNext() {
		obj.Name = p.parseName(t)
	}
	obj.EndPos = p.prevEnd
	if p.atEnd() {
		p.errorExpectedWord("what to alter", alterWords)
	}
	return p.parseAlterAction(start, obj, acts)
}

// catalogClauseNext reports whether an ALTER CATALOG action starts at the
// next token, the catalog name left out (ALTER CATALOG page: without a
// name, the catalog is hive_metastore).
func (p *parser) catalogClauseNext() bool {
	if p.tok != IDENT {
		return false
	}
	tok, lit := p.peek()
	next := func(kws ...string) bool {
		if tok != IDENT {
			return false
		}
		for _, kw := range kws {
			if strings.EqualFold(lit, kw) {
				return true
			}
		}
		return false
	}
	switch upper(p.lit) {
	case "SET":
		return next("OWNER", "TAGS", "MANAGED", "RETAIN")
	case "OWNER":
		return next("TO")
	case "UNSET":
		return next("TAGS")
	case "ENABLE", "DISABLE", "INHERIT":
		return next("PREDICTIVE")
	case "DEFAULT":
		return next("COLLATION")
	case "OPTIONS":
		return tok == LPAREN
	case "RETAIN":
		return next("DROPPED")
	}
	return false
}

// parseAlterAction parses the action of an ALTER statement on obj. acts
// are the actions obj's type takes.
func (p *parser) parseAlterAction(start Pos, obj *Securable, acts int) Stmt {
	pos := p.pos
	if p.tok != IDENT {
		p.errorExpectedWord("what to alter", alterWords)
	}
	w := upper(p.lit)
	tok2, lit2 := p.peek()
	w2 := ""
	if tok2 == IDENT {
		w2 = upper(lit2)
	}
	need := func(act int) {
		if acts&act == 0 {
			p.fail(pos, "ALTER %s cannot %s", obj.Type, actionName(w, w2))
		}
	}
	action := func(a AlterAction) Stmt {
		return &AlterStmt{Alter: start, Object: obj, Action: a}
	}
	switch {
	case w == "OWNER" || w == "SET" && w2 == "OWNER":
		need(actOwner)
		set := w == "SET"
		if set {
			p.next()
		}
		p.expectKw("OWNER")
		p.expectKw("TO")
		return &AlterOwnerStmt{Alter: start, Object: obj, Set: set, Owner: p.parsePrincipal()}
	case w == "RENAME" && w2 == "TO":
		need(actRename)
		p.next()
		p.next()
		return action(&RenameAction{Rename: pos, To: p.parseName(obj.Type)})
	case w == "RENAME" && w2 == "COLUMN":
		need(actColumns)
		p.next()
		p.next()
		x := &RenameColumnAction{RenamePos: pos, Column: p.parseQualifiedName()}
		p.expectKw("TO")
		x.To = p.parseIdent()
		return action(x)
	case (w == "SET" || w == "UNSET") && (w2 == "TAGS" || w2 == "TBLPROPERTIES" || w2 == "DBPROPERTIES" || w2 == "PROPERTIES"):
		switch w2 {
		case "TAGS":
			need(actTags)
		case "TBLPROPERTIES":
			need(actTblProperties)
		case "DBPROPERTIES":
			need(actDBProperties)
			if w == "UNSET" {
				p.fail(pos, "ALTER SCHEMA cannot UNSET DBPROPERTIES: set them to new values instead")
			}
		case "PROPERTIES":
			need(actProperties)
		}
		p.next()
		p.next()
		x := &PropertiesAction{SetPos: pos, Unset: w == "UNSET", Kind: w2}
		if x.Unset && w2 == "TBLPROPERTIES" {
			x.IfExists = p.parseIfExists()
		}
		x.List = p.parsePropertyList()
		if x.Unset {
			for _, prop := range x.List.List {
				if prop.Value != nil || prop.Expr != nil {
					p.fail(prop.EndPos, "UNSET %s takes keys only: remove the value of %s", w2, prop.Key)
				}
			}
		}
		return action(x)
	case w == "OPTIONS":
		need(actOptions)
		p.next()
		return action(&PropertiesAction{SetPos: pos, Kind: "OPTIONS", List: p.parsePropertyList()})
	case w == "ENABLE" || w == "DISABLE" || w == "INHERIT":
		need(actPredictive)
		p.next()
		p.expectKw("PREDICTIVE")
		p.expectKw("OPTIMIZATION")
		return action(&PredictiveOptimizationAction{ModePos: pos, Mode: w, EndPos: p.prevEnd})
	case w == "DEFAULT" && w2 == "COLLATION":
		need(actCollation)
		p.next()
		p.next()
		return action(&CollationAction{DefaultPos: pos, Collation: p.parseQualifiedName()})
	case w == "SET" && w2 == "MANAGED" && acts&actManaged != 0:
		p.next()
		p.next()
		if p.is("LOCATION") {
			p.next()
			return action(&SetLocationAction{SetPos: pos, Kind: "MANAGED LOCATION", Location: p.parseString(), EndPos: p.prevEnd})
		}
		p.errorExpectedWord("LOCATION", []string{"LOCATION"})
	case w == "RETAIN" || w == "SET" && w2 == "RETAIN":
		need(actRetain)
		if w == "SET" {
			p.next()
		}
		p.expectKw("RETAIN")
		p.expectKw("DROPPED")
		p.expectKw("TO")
		return action(&RetainAction{RetainPos: pos, Period: p.parseInterval(retainUnits)})
	case w == "SET" && w2 == "URL":
		need(actURL)
		p.next()
		p.next()
		x := &SetLocationAction{SetPos: pos, Kind: "URL", Location: p.parseString()}
		x.Force = p.got("FORCE")
		x.EndPos = p.prevEnd
		return action(x)
	case w == "SET" && w2 == "STORAGE":
		need(actCredential)
		p.next()
		p.next()
		p.expectKw("CREDENTIAL")
		return action(&SetCredentialAction{SetPos: pos, Credential: p.parseName(StorageCredential)})
	case (w == "SET" || w == "DROP") && w2 == "ROW":
		need(actRowFilter)
		return p.parseRowFilter(start, obj)
	case w == "CLUSTER":
		need(actCluster)
		p.next()
		p.expectKw("BY")
		x := &ClusterByAction{ClusterPos: pos}
		switch {
		case p.got("AUTO"):
			x.Auto = true
		case p.got("NONE"):
			x.None = true
		default:
			x.Columns = p.parseIdentList()
		}
		x.EndPos = p.prevEnd
		return action(x)
	case w == "AS":
		need(actQuery)
		p.next()
		sp := p.parseRest(p.pos)
		return action(&QueryAction{AsPos: pos, Query: &sp})
	case w == "WITH" && w2 == "SCHEMA":
		need(actBinding)
		p.next()
		p.next()
		mode := p.parseSchemaBindingMode()
		return action(&SchemaBindingAction{WithPos: pos, Mode: mode, EndPos: p.prevEnd})
	case acts&actSchedule != 0 && ((w == "ADD" || w == "ALTER") && (w2 == "SCHEDULE" || w2 == "TRIGGER") || w == "DROP" && w2 == "SCHEDULE"):
		p.next()
		x := &ScheduleAction{VerbPos: pos, Verb: w}
		if w == "DROP" {
			p.next()
		} else {
			x.Schedule = p.parseSchedule()
		}
		x.EndPos = p.prevEnd
		return action(x)
	case acts&actShareObjects != 0 && (w == "ADD" || w == "ALTER" || w == "REMOVE"):
		return action(p.parseShareObject())
	case acts&actAlterColumn != 0 && w == "ALTER":
		return p.parseAlterColumn(start, obj, true)
	case acts&actTableOpaque != 0:
		if s := p.parseAlterTable(start, obj, w, w2); s != nil {
			return s
		}
	}
	if acts&actTableOpaque != 0 && tableOpaque(w, w2) {
		return p.parseOpaque(start)
	}
	if contains(alterWords, w) {
		p.fail(pos, "ALTER %s cannot %s", obj.Type, actionName(w, w2))
	}
	p.errorExpectedWord("what to alter", alterWords)
	return nil
}

// actionName describes an action for a message.
func actionName(w, w2 string) string {
	switch w {
	case "OWNER":
		return "change its OWNER"
	case "ENABLE", "DISABLE", "INHERIT":
		return w + " PREDICTIVE OPTIMIZATION"
	}
	if w2 != "" {
		return w + " " + w2
	}
	return w
}

// tableOpaque reports whether an ALTER TABLE action is one the parser
// keeps opaque: partitions, SERDE, LOCATION, DROP FEATURE, SET MANAGED,
// SET EXTERNAL, REPLACE COLUMNS, ...
func tableOpaque(w, w2 string) bool {
	switch w {
	case "PARTITION", "RECOVER", "REPLACE", "TOUCH":
		return true
	case "ADD", "DROP":
		return w2 == "PARTITION" || w2 == "IF" || w2 == "FEATURE"
	case "RENAME":
		return w2 == "PARTITION"
	case "SET":
		return w2 == "LOCATION" || w2 == "SERDE" || w2 == "SERDEPROPERTIES" || w2 == "MANAGED" || w2 == "EXTERNAL" || w2 == "FILEFORMAT"
	case "UNSET":
		return w2 == "MANAGED"
	}
	return false
}

// parseRowFilter parses SET ROW FILTER function ON (columns) or DROP ROW
// FILTER.
func (p *parser) parseRowFilter(start Pos, obj *Securable) Stmt {
	drop := p.is("DROP")
	p.next()
	p.expectKw("ROW")
	p.expectKw("FILTER")
	s := &RowFilterStmt{Alter: start, Table: obj.Name, Drop: drop, Type: tableType(obj.Type)}
	if !drop {
		s.Function = p.parseName(Function)
		p.expectKw("ON")
		s.Columns = p.parseArgs()
	}
	s.EndPos = p.prevEnd
	return s
}

// tableType is the Type of a RowFilterStmt or ColumnMaskStmt: "" for a
// table.
func tableType(t ObjectType) ObjectType {
	if t == Table {
		return ""
	}
	return t
}

// parseAlterTable parses the ALTER TABLE actions on columns and
// constraints. It returns nil, having consumed nothing, for another
// action.
func (p *parser) parseAlterTable(start Pos, obj *Securable, w, w2 string) Stmt {
	pos := p.pos
	action := func(a AlterAction) Stmt {
		return &AlterStmt{Alter: start, Object: obj, Action: a}
	}
	switch w {
	case "ADD":
		switch w2 {
		case "PARTITION", "IF":
			return nil
		case "CONSTRAINT", "PRIMARY", "FOREIGN", "CHECK":
			p.next()
			return action(&AddConstraintAction{AddPos: pos, Constraint: p.parseConstraint(false)})
		}
		p.next()
		x := &AddColumnsAction{AddPos: pos}
		if !p.got("COLUMNS") {
			p.got("COLUMN")
		}
		paren := p.tok == LPAREN
		if paren {
			p.next()
		}
		for {
			x.Columns = append(x.Columns, p.parseColumnDef(colAdd))
			if p.tok != COMMA {
				break
			}
			p.next()
		}
		if paren {
			p.expect(RPAREN)
		}
		x.EndPos = p.prevEnd
		return action(x)
	case "DROP":
		switch w2 {
		case "COLUMN", "COLUMNS":
			p.next()
			p.next()
			x := &DropColumnsAction{DropPos: pos, IfExists: p.parseIfExists()}
			paren := p.tok == LPAREN
			if paren {
				p.next()
			}
			for {
				x.Columns = append(x.Columns, p.parseQualifiedName())
				if p.tok != COMMA {
					break
				}
				p.next()
			}
			if paren {
				p.expect(RPAREN)
			}
			x.EndPos = p.prevEnd
			return action(x)
		case "CONSTRAINT", "PRIMARY", "FOREIGN":
			p.next()
			p.next()
			x := &DropConstraintAction{DropPos: pos, Kind: w2}
			if w2 != "CONSTRAINT" {
				p.expectKw("KEY")
				x.Kind += " KEY"
			}
			x.IfExists = p.parseIfExists()
			switch w2 {
			case "CONSTRAINT":
				id := p.parseIdent()
				x.Name = &id
			case "FOREIGN":
				x.Columns = p.parseIdentList()
			}
			switch {
			case p.got("RESTRICT"):
				x.Behavior = "RESTRICT"
			case p.got("CASCADE"):
				x.Behavior = "CASCADE"
			}
			x.EndPos = p.prevEnd
			return action(x)
		}
	case "ALTER", "CHANGE":
		return p.parseAlterColumn(start, obj, false)
	}
	return nil
}

// parseAlterColumn parses { ALTER | CHANGE } [COLUMN] column change. With
// mv (a materialized view or streaming table), the change is COMMENT, SET
// MASK, DROP MASK, SET TAGS or UNSET TAGS.
func (p *parser) parseAlterColumn(start Pos, obj *Securable, mv bool) Stmt {
	pos := p.pos
	change := p.is("CHANGE")
	p.next()
	if p.is("COLUMN") {
		if tok, _ := p.peek(); tok == IDENT || tok == QUOTEDIDENT {
			p.next()
		}
	}
	col := p.parseQualifiedName()
	x := &AlterColumnAction{AlterPos: pos, Column: col}
	op := upper(p.lit)
	if p.tok != IDENT {
		op = ""
	}
	tok2, lit2 := p.peek()
	op2 := ""
	if tok2 == IDENT {
		op2 = upper(lit2)
	}
	if (op == "SET" || op == "DROP") && op2 == "MASK" {
		if len(col.Parts) > 1 {
			p.fail(col.Pos(), "a column mask applies to a column, not to the field %s", col)
		}
		p.next()
		p.next()
		s := &ColumnMaskStmt{Alter: start, Table: obj.Name, Column: col.Parts[0], Drop: op == "DROP", Type: tableType(obj.Type)}
		if !s.Drop {
			s.Function = p.parseName(Function)
			if p.got("USING") {
				p.expectKw("COLUMNS")
				s.UsingColumns = p.parseArgs()
			}
		}
		s.EndPos = p.prevEnd
		return s
	}
	if mv && op != "COMMENT" && !((op == "SET" || op == "UNSET") && op2 == "TAGS") {
		p.errorExpectedWord("COMMENT, SET MASK, DROP MASK, SET TAGS or UNSET TAGS", []string{"COMMENT", "SET", "DROP", "UNSET"})
	}
	switch {
	case op == "COMMENT":
		p.next()
		x.Op = "COMMENT"
		x.Comment = p.parseString()
	case op == "FIRST":
		p.next()
		x.Op = "FIRST"
	case op == "AFTER":
		p.next()
		x.Op = "AFTER"
		id := p.parseIdent()
		x.After = &id
	case (op == "SET" || op == "DROP") && op2 == "NOT":
		p.next()
		p.next()
		p.expectKw("NULL")
		x.Op = op + " NOT NULL"
	case op == "TYPE":
		p.next()
		x.Op = "TYPE"
		x.Type = p.parseType()
	case op == "SET" && op2 == "DEFAULT":
		p.next()
		p.next()
		x.Op = "SET DEFAULT"
		sp := p.parseExprSpan()
		x.Default = &sp
	case op == "DROP" && op2 == "DEFAULT":
		p.next()
		p.next()
		x.Op = "DROP DEFAULT"
	case op == "SYNC" && op2 == "IDENTITY":
		p.next()
		p.next()
		x.Op = "SYNC IDENTITY"
	case (op == "SET" || op == "UNSET") && op2 == "TAGS":
		p.next()
		p.next()
		x.Op = op + " TAGS"
		x.Tags = p.parsePropertyList()
	case change && p.tok == IDENT || change && p.tok == QUOTEDIDENT:
		return p.parseOpaque(start) // CHANGE COLUMN old new type: the Hive form
	default:
		p.errorExpectedWord("the change of the column (COMMENT, TYPE, SET NOT NULL, SET DEFAULT, SET MASK, ...)",
			[]string{"COMMENT", "FIRST", "AFTER", "SET", "DROP", "TYPE", "SYNC", "UNSET"})
	}
	x.EndPos = p.prevEnd
	return &AlterStmt{Alter: start, Object: obj, Action: x}
}

// shareObjectTypes are the object types a share holds.
var shareObjectTypes = map[string]ObjectType{
	"TABLE": Table, "SCHEMA": Schema, "VIEW": View, "MATERIALIZED": MaterializedView, "MODEL": Model, "VOLUME": Volume,
}

// parseSharePartition parses one partition specification of a shared
// table, ( column [= value | LIKE pattern] [, ...] ): the PARTITION clause
// of ALTER SHARE takes several, separated by commas ("PARTITION (c1 = 5),
// (c1 = 7)" in the SHOW ALL IN SHARE page). A column with '=' and no value
// is EMPTY_PARTITION_VALUE of the invalid SQL syntax error class.
func (p *parser) parseSharePartition() {
	p.expect(LPAREN)
	for {
		col := p.parseIdentWhat("a partition column")
		switch {
		case p.tok == EQ:
			p.next()
			if p.tok == COMMA || p.tok == RPAREN {
				p.fail(p.pos, "the partition column %s has no value after '=': give a value, or leave out '='", col.Name)
			}
			p.parseExprSpan()
		case p.tok != COMMA && p.tok != RPAREN:
			p.parseExprSpan() // LIKE pattern, or another comparison
		}
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	p.expect(RPAREN)
}

// parseShareObject parses { ADD | ALTER } [type] name [COMMENT 'text']
// [PARTITION (...)] [AS name] [WITH HISTORY | WITHOUT HISTORY] or REMOVE
// type name (ALTER SHARE page; the type defaults to TABLE).
func (p *parser) parseShareObject() *ShareObjectAction {
	x := &ShareObjectAction{VerbPos: p.pos, Verb: upper(p.lit), Type: Table}
	p.next()
	if p.tok == IDENT {
		if t, ok := shareObjectTypes[upper(p.lit)]; ok {
			p.next()
			if t == MaterializedView {
				p.expectKw("VIEW")
			}
			x.Type = t
		} else if x.Verb == "REMOVE" {
			p.errorExpectedWord("TABLE, SCHEMA, VIEW, MATERIALIZED VIEW, MODEL or VOLUME", []string{"TABLE", "SCHEMA", "VIEW", "MATERIALIZED", "MODEL", "VOLUME"})
		}
	}
	x.Name = p.parseName(x.Type)
	if x.Verb != "REMOVE" {
		if p.got("COMMENT") {
			x.Comment = p.parseString()
		}
		if x.Type == Table && p.is("PARTITION") {
			from := p.pos
			p.next()
			p.parseSharePartition()
			for p.tok == COMMA {
				p.next()
				p.parseSharePartition()
			}
			sp := p.span(from, p.prevEnd)
			x.Partition = &sp
		}
		if p.got("AS") {
			x.As = p.parseQualifiedName()
		}
		if x.Type == Table {
			switch {
			case p.is("WITH") && p.peekIs("HISTORY"):
				p.next()
				p.next()
				x.History = "WITH HISTORY"
			case p.is("WITHOUT"):
				p.next()
				p.expectKw("HISTORY")
				x.History = "WITHOUT HISTORY"
			}
		}
	}
	x.EndPos = p.prevEnd
	return x
}
