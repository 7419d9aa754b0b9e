package dbsql

import (
	"fmt"
	"io"
	"strings"
)

// Fprint writes node to w as canonical SQL: keywords in upper case, every
// identifier back-quoted (a back quote inside doubled), strings in single
// quotes with backslash escapes, opaque spans as written. A statement is
// written without its final semicolon; a *File is written as its
// statements, each followed by ";" and a newline. Parsing the output gives
// the same tree, positions aside.
//
// The nodes Fprint accepts are *File, the statements and the nodes they
// contain. A *BadStmt cannot be printed.
func Fprint(w io.Writer, node Node) error {
	var p printer
	if err := p.node(node); err != nil {
		return err
	}
	_, err := io.WriteString(w, p.String())
	return err
}

type printer struct {
	strings.Builder
}

func (p *printer) node(n Node) error {
	switch n := n.(type) {
	case *File:
		for _, s := range n.Stmts {
			if err := p.node(s); err != nil {
				return err
			}
			p.WriteString(";\n")
		}
	case *BadStmt:
		return fmt.Errorf("dbsql: cannot print a BadStmt")
	case Stmt:
		p.stmt(n)
	case *QualifiedName:
		p.name(n)
	case *Ident:
		p.ident(n.Name)
	case *Type:
		p.typ(n)
	case *StringLit:
		p.str(n.Value)
	case *Securable:
		p.securable(n)
	case *Principal:
		p.principal(n)
	case *Privilege:
		p.WriteString(n.Name)
	case *PropertyList:
		p.props(n)
	case *ColumnDef:
		p.column(n)
	case *Span:
		p.WriteString(n.Text)
	case *Literal:
		p.literal(n)
	case *Property:
		p.property(n)
	case *Param:
		p.param(n)
	case *StructField:
		p.field(n)
	case *ViewColumn:
		p.ident(n.Name.Name)
		p.clause("COMMENT", n.Comment)
	case *Constraint:
		p.constraint(n)
	case *Schedule:
		p.schedule(n)
	case *Interval:
		p.interval(n)
	case AlterAction:
		p.action(n)
	default:
		return fmt.Errorf("dbsql: cannot print %T", n)
	}
	return nil
}

func (p *printer) ident(name string) {
	p.WriteByte('`')
	if strings.IndexByte(name, '`') >= 0 {
		name = strings.ReplaceAll(name, "`", "``")
	}
	p.WriteString(name)
	p.WriteByte('`')
}

func (p *printer) name(x *QualifiedName) {
	for i := range x.Parts {
		if i > 0 {
			p.WriteByte('.')
		}
		p.ident(x.Parts[i].Name)
	}
}

// str writes s as a single-quoted string literal.
func (p *printer) str(s string) {
	p.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '\'':
			p.WriteByte('\\')
			p.WriteByte(c)
		case '\n':
			p.WriteString(`\n`)
		case '\r':
			p.WriteString(`\r`)
		case '\t':
			p.WriteString(`\t`)
		case 0:
			p.WriteString(`\0`)
		default:
			p.WriteByte(c)
		}
	}
	p.WriteByte('\'')
}

func (p *printer) typ(t *Type) {
	p.WriteString(t.Name)
	switch {
	case t.Name == "STRUCT":
		p.WriteByte('<')
		for i, f := range t.Fields {
			if i > 0 {
				p.WriteString(", ")
			}
			p.field(f)
		}
		p.WriteByte('>')
	case len(t.Elems) > 0:
		p.WriteByte('<')
		for i, e := range t.Elems {
			if i > 0 {
				p.WriteString(", ")
			}
			p.typ(e)
		}
		p.WriteByte('>')
	case len(t.Params) > 0:
		p.WriteByte('(')
		p.WriteString(strings.Join(t.Params, ", "))
		p.WriteByte(')')
	}
}

func (p *printer) field(f *StructField) {
	p.ident(f.Name.Name)
	p.WriteString(": ")
	p.typ(f.Type)
	if f.NotNull {
		p.WriteString(" NOT NULL")
	}
	p.clause("COMMENT", f.Comment)
}

func (p *printer) param(x *Param) {
	p.ident(x.Name.Name)
	p.WriteByte(' ')
	p.typ(x.Type)
	if x.Default != nil {
		p.WriteString(" DEFAULT " + x.Default.Text)
	}
	p.clause("COMMENT", x.Comment)
}

func (p *printer) column(c *ColumnDef) {
	p.ident(c.Name.Name)
	if c.Type != nil {
		p.WriteByte(' ')
		p.typ(c.Type)
	}
	if c.Collate != nil {
		p.WriteString(" COLLATE ")
		p.collationName(c.Collate)
	}
	if c.NotNull {
		p.WriteString(" NOT NULL")
	}
	if c.Generated != nil {
		p.WriteString(" GENERATED " + c.Generated.Text)
	}
	if c.Default != nil {
		p.WriteString(" DEFAULT " + c.Default.Text)
	}
	for _, k := range c.Constraints {
		p.WriteByte(' ')
		p.constraint(k)
	}
	if c.Mask != nil {
		p.WriteString(" MASK ")
		p.name(c.Mask)
		if c.MaskUsing != nil {
			p.WriteString(" USING COLUMNS ")
			p.args(c.MaskUsing)
		}
	}
	if c.Comment != nil {
		p.WriteString(" COMMENT ")
		p.str(c.Comment.Value)
	}
	if c.First {
		p.WriteString(" FIRST")
	}
	if c.After != nil {
		p.WriteString(" AFTER ")
		p.ident(c.After.Name)
	}
}

// constraint writes a table or column constraint.
func (p *printer) constraint(c *Constraint) {
	if c.Name != nil {
		p.WriteString("CONSTRAINT ")
		p.ident(c.Name.Name)
		p.WriteByte(' ')
	}
	p.WriteString(c.Kind)
	switch c.Kind {
	case "PRIMARY KEY":
		if c.Columns != nil {
			p.WriteString(" (")
			for i := range c.Columns {
				if i > 0 {
					p.WriteString(", ")
				}
				p.ident(c.Columns[i].Name)
				if c.Timeseries != nil && c.Timeseries.NamePos == c.Columns[i].NamePos {
					p.WriteString(" TIMESERIES")
				}
			}
			p.WriteByte(')')
		}
	case "FOREIGN KEY":
		p.WriteByte(' ')
		p.identList(c.Columns)
		fallthrough
	case "REFERENCES":
		if c.Kind == "FOREIGN KEY" {
			p.WriteString(" REFERENCES")
		}
		p.WriteByte(' ')
		p.name(c.References)
		if c.RefColumns != nil {
			p.WriteByte(' ')
			p.identList(c.RefColumns)
		}
	case "UNIQUE":
		if c.Columns != nil {
			p.WriteByte(' ')
			p.identList(c.Columns)
		}
	case "CHECK":
		p.WriteString(" (" + c.Check.Text + ")")
	}
	if c.Options != nil {
		p.WriteString(" " + c.Options.Text)
	}
}

func (p *printer) columns(cols []*ColumnDef, cons []*Span) {
	p.WriteString(" (\n")
	for i, c := range cols {
		p.WriteString("  ")
		p.column(c)
		if i < len(cols)+len(cons)-1 {
			p.WriteByte(',')
		}
		p.WriteByte('\n')
	}
	for i, c := range cons {
		p.WriteString("  " + c.Text)
		if i < len(cons)-1 {
			p.WriteByte(',')
		}
		p.WriteByte('\n')
	}
	p.WriteByte(')')
}

func (p *printer) props(x *PropertyList) {
	p.WriteByte('(')
	for i, prop := range x.List {
		if i > 0 {
			p.WriteString(", ")
		}
		p.property(prop)
	}
	p.WriteByte(')')
}

func (p *printer) property(x *Property) {
	p.str(x.Key)
	switch {
	case x.Expr != nil:
		p.WriteString(" = " + x.Expr.Text)
	case x.Value != nil:
		p.WriteString(" = ")
		p.literal(x.Value)
	}
}

// literal writes a constant: a string quoted, a number or a bare word
// (TRUE, FALSE) as it is. Column names in argument lists go through args,
// which back-quotes them.
func (p *printer) literal(x *Literal) {
	if x.Kind == STRING {
		p.str(x.Value)
	} else {
		p.WriteString(x.Value)
	}
}

func (p *printer) identList(list []Ident) {
	p.WriteByte('(')
	for i := range list {
		if i > 0 {
			p.WriteString(", ")
		}
		p.ident(list[i].Name)
	}
	p.WriteByte(')')
}

func (p *printer) securable(x *Securable) {
	p.WriteString(string(x.Type))
	if x.Name != nil {
		p.WriteByte(' ')
		p.name(x.Name)
	}
}

func (p *printer) principal(x *Principal) {
	if x.Recipient.IsValid() {
		p.WriteString("RECIPIENT ")
	}
	p.ident(x.Name.Name)
}

func (p *printer) privileges(list []*Privilege) {
	for i, x := range list {
		if i > 0 {
			p.WriteString(", ")
		}
		p.WriteString(x.Name)
	}
}

// clause writes " KEYWORD 'value'" when s is not nil.
func (p *printer) clause(kw string, s *StringLit) {
	if s != nil {
		p.WriteString(" " + kw + " ")
		p.str(s.Value)
	}
}

func (p *printer) stmt(s Stmt) {
	switch s := s.(type) {
	case *OpaqueStmt:
		p.WriteString(s.Text)
	case *CreateCatalogStmt:
		p.WriteString("CREATE ")
		if s.Foreign {
			p.WriteString("FOREIGN ")
		}
		p.WriteString("CATALOG ")
		if s.IfNotExists {
			p.WriteString("IF NOT EXISTS ")
		}
		p.name(s.Name)
		if s.UsingShare != nil {
			p.WriteString(" USING SHARE ")
			p.name(s.UsingShare)
		}
		if s.Connection != nil {
			p.WriteString(" USING CONNECTION ")
			p.name(s.Connection)
		}
		p.clause("MANAGED LOCATION", s.ManagedLocation)
		p.clause("COMMENT", s.Comment)
		p.collation(s.DefaultCollation)
		p.retain(" RETAIN DROPPED FOR ", s.RetainDropped)
		if s.Options != nil {
			p.WriteString(" OPTIONS ")
			p.props(s.Options)
		}
	case *CreateSchemaStmt:
		p.WriteString("CREATE " + string(s.Type) + " ")
		if s.IfNotExists {
			p.WriteString("IF NOT EXISTS ")
		}
		p.name(s.Name)
		p.clause("MANAGED LOCATION", s.ManagedLocation)
		p.clause("LOCATION", s.Location)
		p.clause("COMMENT", s.Comment)
		p.collation(s.DefaultCollation)
		p.retain(" RETAIN DROPPED FOR ", s.RetainDropped)
		if s.Properties != nil {
			p.WriteString(" WITH DBPROPERTIES ")
			p.props(s.Properties)
		}
	case *CreateTableStmt:
		p.WriteString("CREATE ")
		if s.OrReplace {
			p.WriteString("OR REPLACE ")
		}
		if s.Temporary {
			p.WriteString("TEMPORARY ")
		}
		if s.External {
			p.WriteString("EXTERNAL ")
		}
		p.WriteString("TABLE ")
		if s.IfNotExists {
			p.WriteString("IF NOT EXISTS ")
		}
		p.name(s.Name)
		if s.Columns != nil {
			p.columns(s.Columns, s.Constraints)
		}
		if s.Using != nil {
			p.WriteString(" USING " + s.Using.Name)
		}
		if s.Options != nil {
			p.WriteString(" OPTIONS ")
			p.props(s.Options)
		}
		switch {
		case s.PartitionColumns != nil:
			p.WriteString(" PARTITIONED BY (")
			for i, c := range s.PartitionColumns {
				if i > 0 {
					p.WriteString(", ")
				}
				p.column(c)
			}
			p.WriteByte(')')
		case s.PartitionBy != nil:
			p.WriteString(" PARTITIONED BY ")
			p.identList(s.PartitionBy)
		}
		switch {
		case s.ClusterAuto:
			p.WriteString(" CLUSTER BY AUTO")
		case s.ClusterNone:
			p.WriteString(" CLUSTER BY NONE")
		case s.ClusterBy != nil:
			p.WriteString(" CLUSTER BY ")
			p.identList(s.ClusterBy)
		}
		if s.Bucketing != nil {
			p.bucketing(s.Bucketing)
		}
		p.clause("LOCATION", s.Location)
		if s.LocationCredential != nil {
			p.WriteString(" WITH (CREDENTIAL ")
			p.name(s.LocationCredential)
			p.WriteByte(')')
		}
		p.clause("COMMENT", s.Comment)
		p.collation(s.DefaultCollation)
		if s.Properties != nil {
			p.WriteString(" TBLPROPERTIES ")
			p.props(s.Properties)
		}
		p.rowFilter(s.RowFilter, s.RowFilterColumns)
		if s.As != nil {
			p.WriteString(" AS ")
			p.WriteString(s.As.Text)
		}
	case *CreateFunctionStmt:
		p.WriteString("CREATE ")
		if s.OrReplace {
			p.WriteString("OR REPLACE ")
		}
		if s.Temporary {
			p.WriteString("TEMPORARY ")
		}
		p.WriteString("FUNCTION ")
		if s.IfNotExists {
			p.WriteString("IF NOT EXISTS ")
		}
		p.name(s.Name)
		p.WriteByte('(')
		for i, x := range s.Params {
			if i > 0 {
				p.WriteString(", ")
			}
			p.param(x)
		}
		p.WriteByte(')')
		switch {
		case s.ReturnsTable:
			p.WriteString("\n  RETURNS TABLE")
			if s.TableColumns != nil {
				p.WriteString(" (")
				for i, c := range s.TableColumns {
					if i > 0 {
						p.WriteString(", ")
					}
					p.column(c)
				}
				p.WriteByte(')')
			}
		case s.Returns != nil:
			p.WriteString("\n  RETURNS ")
			p.typ(s.Returns)
		}
		if s.Language != nil {
			p.WriteString("\n  LANGUAGE " + s.Language.Name)
		}
		if s.Deterministic != nil {
			p.WriteString("\n  ")
			if !*s.Deterministic {
				p.WriteString("NOT ")
			}
			p.WriteString("DETERMINISTIC")
		}
		if s.DataAccess != "" {
			p.WriteString("\n  " + s.DataAccess)
		}
		if s.DefaultCollation != nil {
			p.WriteString("\n ")
			p.collation(s.DefaultCollation)
		}
		if s.Environment != nil {
			p.WriteString("\n  ENVIRONMENT ")
			p.props(s.Environment)
		}
		if s.Comment != nil {
			p.WriteString("\n ")
			p.clause("COMMENT", s.Comment)
		}
		if s.Body != nil {
			p.WriteString("\n  AS ")
			if strings.Contains(s.Body.Text, "$") {
				p.str(s.Body.Text)
			} else {
				p.WriteString("$$" + s.Body.Text + "$$")
			}
		}
		if s.Return != nil {
			p.WriteString("\n  RETURN ")
			p.WriteString(s.Return.Text)
		}
	case *GrantStmt:
		p.WriteString("GRANT ")
		p.privileges(s.Privileges)
		p.WriteString(" ON ")
		p.securable(s.On)
		p.WriteString(" TO ")
		p.principal(s.Principal)
	case *RevokeStmt:
		p.WriteString("REVOKE ")
		p.privileges(s.Privileges)
		p.WriteString(" ON ")
		p.securable(s.On)
		p.WriteString(" FROM ")
		p.principal(s.Principal)
	case *AlterOwnerStmt:
		p.WriteString("ALTER ")
		p.securable(s.Object)
		if s.Set {
			p.WriteString(" SET")
		}
		p.WriteString(" OWNER TO ")
		p.principal(s.Owner)
	case *DropStmt:
		p.WriteString("DROP ")
		if s.Temporary {
			p.WriteString("TEMPORARY ")
		}
		p.WriteString(string(s.Object.Type) + " ")
		tempTable := s.Temporary && s.Object.Type == Table // DROP TEMPORARY TABLE name IF EXISTS
		if s.IfExists && !tempTable {
			p.WriteString("IF EXISTS ")
		}
		p.name(s.Object.Name)
		if s.IfExists && tempTable {
			p.WriteString(" IF EXISTS")
		}
		if s.Behavior != "" {
			p.WriteString(" " + s.Behavior)
		}
		if s.Force {
			p.WriteString(" FORCE")
		}
	case *CreateViewStmt:
		p.WriteString("CREATE ")
		if s.OrReplace {
			p.WriteString("OR REPLACE ")
		}
		if s.Global {
			p.WriteString("GLOBAL ")
		}
		if s.Temporary {
			p.WriteString("TEMPORARY ")
		}
		p.WriteString("VIEW ")
		if s.IfNotExists {
			p.WriteString("IF NOT EXISTS ")
		}
		p.name(s.Name)
		if s.Columns != nil {
			p.WriteString(" (")
			for i, c := range s.Columns {
				if i > 0 {
					p.WriteString(", ")
				}
				p.ident(c.Name.Name)
				p.clause("COMMENT", c.Comment)
			}
			p.WriteByte(')')
		}
		if s.SchemaBinding != "" {
			p.WriteString(" WITH SCHEMA " + s.SchemaBinding)
		}
		if s.Metrics {
			p.WriteString(" WITH METRICS")
		}
		p.clause("COMMENT", s.Comment)
		p.collation(s.DefaultCollation)
		if s.Properties != nil {
			p.WriteString(" TBLPROPERTIES ")
			p.props(s.Properties)
		}
		if s.Language != nil {
			p.WriteString(" LANGUAGE " + s.Language.Name)
		}
		p.WriteString(" AS ")
		p.WriteString(s.As.Text)
	case *CreateVolumeStmt:
		p.WriteString("CREATE ")
		if s.External {
			p.WriteString("EXTERNAL ")
		}
		p.WriteString("VOLUME ")
		if s.IfNotExists {
			p.WriteString("IF NOT EXISTS ")
		}
		p.name(s.Name)
		p.clause("LOCATION", s.Location)
		p.clause("COMMENT", s.Comment)
	case *RowFilterStmt:
		p.alterTable(s.Type, s.Table)
		if s.Drop {
			p.WriteString(" DROP ROW FILTER")
			break
		}
		p.WriteString(" SET ROW FILTER ")
		p.name(s.Function)
		p.WriteString(" ON ")
		p.args(s.Columns)
	case *ColumnMaskStmt:
		p.alterTable(s.Type, s.Table)
		p.WriteString(" ALTER COLUMN ")
		p.ident(s.Column.Name)
		if s.Drop {
			p.WriteString(" DROP MASK")
			break
		}
		p.WriteString(" SET MASK ")
		p.name(s.Function)
		if s.UsingColumns != nil {
			p.WriteString(" USING COLUMNS ")
			p.args(s.UsingColumns)
		}
	case *ShowGrantsStmt:
		p.WriteString("SHOW GRANTS ")
		if s.Principal != nil {
			p.principal(s.Principal)
			p.WriteByte(' ')
		}
		p.WriteString("ON ")
		p.securable(s.On)
	case *CommentOnStmt:
		p.WriteString("COMMENT ON ")
		p.securable(s.On)
		if s.Text == nil {
			p.WriteString(" IS NULL")
		} else {
			p.clause("IS", s.Text)
		}
	case *UseStmt:
		p.WriteString("USE ")
		if s.Type != "" {
			p.WriteString(string(s.Type) + " ")
		}
		if s.Literal != nil {
			p.str(s.Literal.Value)
		} else {
			p.name(s.Name)
		}
	default:
		p.stmtDDL(s)
	}
}

// args writes a parenthesised list of columns and constants.
func (p *printer) args(list []*Literal) {
	p.WriteByte('(')
	for i, x := range list {
		if i > 0 {
			p.WriteString(", ")
		}
		if x.Kind == IDENT {
			p.ident(x.Value)
		} else {
			p.literal(x)
		}
	}
	p.WriteByte(')')
}
