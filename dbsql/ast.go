package dbsql

// A Node is a node of the syntax tree. Pos is the position of its first
// byte and End the position just after its last byte.
type Node interface {
	Pos() Pos
	End() Pos
}

// A Stmt is a statement. Its span excludes the final semicolon.
type Stmt interface {
	Node
	stmtNode()
}

// A File is a parsed script: its statements and the table of its line
// starts, which turns a [Pos] into a [Position].
type File struct {
	Name  string // file name, as given to ParseFile
	Stmts []Stmt // the statements, bad ones as *BadStmt
	Size  int    // length of the source in bytes

	lines lineTable
}

// Position expands p, a position in f.
func (f *File) Position(p Pos) Position { return f.lines.position(f.Name, p) }

// Pos returns the position of the start of the file.
func (f *File) Pos() Pos { return 1 }

// End returns the position just after the last byte of the file.
func (f *File) End() Pos { return Pos(f.Size + 1) }

// An Ident is an identifier, bare or back-quoted. Name is its value:
// without the back quotes, a doubled back quote undoubled, the case as
// written.
type Ident struct {
	NamePos Pos // position of the first byte (the back quote, if quoted)
	NameEnd Pos // position just after the last byte
	Name    string
}

// Pos returns the position of the identifier.
func (x *Ident) Pos() Pos { return x.NamePos }

// End returns the position just after the identifier.
func (x *Ident) End() Pos { return x.NameEnd }

// A QualifiedName is a dotted name such as catalog.schema.table.
type QualifiedName struct {
	Parts []Ident
}

// Pos returns the position of the first part.
func (x *QualifiedName) Pos() Pos {
	if len(x.Parts) == 0 {
		return NoPos
	}
	return x.Parts[0].NamePos
}

// End returns the position just after the last part.
func (x *QualifiedName) End() Pos {
	if len(x.Parts) == 0 {
		return NoPos
	}
	return x.Parts[len(x.Parts)-1].NameEnd
}

// String returns the parts joined by dots, unquoted.
func (x *QualifiedName) String() string {
	s := ""
	for i, p := range x.Parts {
		if i > 0 {
			s += "."
		}
		s += p.Name
	}
	return s
}

// A StringLit is a string literal. Value is its value, escapes interpreted.
type StringLit struct {
	ValuePos Pos
	ValueEnd Pos
	Value    string
}

// Pos returns the position of the opening quote.
func (x *StringLit) Pos() Pos { return x.ValuePos }

// End returns the position just after the closing quote.
func (x *StringLit) End() Pos { return x.ValueEnd }

// A Literal is a constant in a property list: a string, a number or a bare
// word such as TRUE.
type Literal struct {
	ValuePos Pos
	ValueEnd Pos
	Kind     Token // STRING, NUMBER or IDENT
	Value    string
}

// Pos returns the position of the literal.
func (x *Literal) Pos() Pos { return x.ValuePos }

// End returns the position just after the literal.
func (x *Literal) End() Pos { return x.ValueEnd }

// A Property is a key = value pair of OPTIONS, DBPROPERTIES or
// TBLPROPERTIES. The key is a string or a dotted name; Key holds its value.
type Property struct {
	KeyPos Pos
	Key    string
	Value  *Literal // nil when the value is omitted
	EndPos Pos

	// Expr is a value that is not a constant, such as a call of
	// secret('scope', 'key') in the OPTIONS of a connection; Value is
	// then nil.
	Expr *Span
}

// Pos returns the position of the key.
func (x *Property) Pos() Pos { return x.KeyPos }

// End returns the position just after the value.
func (x *Property) End() Pos { return x.EndPos }

// A PropertyList is a parenthesised list of properties.
type PropertyList struct {
	Lparen Pos
	List   []*Property
	Rparen Pos
}

// Pos returns the position of "(".
func (x *PropertyList) Pos() Pos { return x.Lparen }

// End returns the position just after ")".
func (x *PropertyList) End() Pos { return x.Rparen + 1 }

// A Span is a stretch of source kept as text: a query or an expression
// that the parser does not analyse.
type Span struct {
	From Pos    // position of the first byte
	To   Pos    // position just after the last byte
	Text string // the source text, from its first token to its last
}

// Pos returns the start of the span.
func (x *Span) Pos() Pos { return x.From }

// End returns the position just after the span.
func (x *Span) End() Pos { return x.To }

// A Type is a data type: a name with optional parameters, such as
// DECIMAL(10,2), or a nested ARRAY, MAP or STRUCT type.
type Type struct {
	NamePos Pos
	Name    string         // upper case: STRING, DECIMAL, ARRAY, MAP, STRUCT, INTERVAL DAY TO SECOND, ...
	Params  []string       // numeric parameters, as in DECIMAL(10,2)
	Elems   []*Type        // ARRAY<elem>; MAP<key, value>
	Fields  []*StructField // STRUCT<...>
	EndPos  Pos
}

// Pos returns the position of the type name.
func (x *Type) Pos() Pos { return x.NamePos }

// End returns the position just after the type.
func (x *Type) End() Pos { return x.EndPos }

// A StructField is a field of a STRUCT type.
type StructField struct {
	Name    Ident
	Type    *Type
	NotNull bool
	Comment *StringLit
	EndPos  Pos
}

// Pos returns the position of the field name.
func (x *StructField) Pos() Pos { return x.Name.NamePos }

// End returns the position just after the field.
func (x *StructField) End() Pos { return x.EndPos }

// A ColumnDef defines a column of a table, or of a function that returns a
// table.
type ColumnDef struct {
	Name      Ident
	Type      *Type
	NotNull   bool
	Default   *Span          // DEFAULT expression
	Generated *Span          // what follows GENERATED, as in ALWAYS AS (expr)
	Mask      *QualifiedName // MASK function
	MaskUsing []*Literal     // MASK ... USING COLUMNS (...)
	Comment   *StringLit
	EndPos    Pos

	Collate     *QualifiedName // COLLATE collation
	GeneratedAs *Span          // GENERATED ALWAYS AS ( expr ): the expression
	Identity    *Identity      // GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY
	Constraints []*Constraint  // column constraints: PRIMARY KEY, REFERENCES

	// ALTER TABLE ... ADD COLUMN only: FIRST, or AFTER column.
	First bool
	After *Ident
}

// Pos returns the position of the column name.
func (x *ColumnDef) Pos() Pos { return x.Name.NamePos }

// End returns the position just after the column definition.
func (x *ColumnDef) End() Pos { return x.EndPos }

// A Param is a parameter of a function.
type Param struct {
	Name    Ident
	Type    *Type
	Default *Span // DEFAULT expression, or nil
	Comment *StringLit
	EndPos  Pos
}

// Pos returns the position of the parameter name.
func (x *Param) Pos() Pos { return x.Name.NamePos }

// End returns the position just after the parameter.
func (x *Param) End() Pos { return x.EndPos }

// ObjectType is the type of a securable object, as SQL spells it in upper
// case, one space between words.
type ObjectType string

// The securable object types.
const (
	Metastore          ObjectType = "METASTORE"
	Catalog            ObjectType = "CATALOG"
	Schema             ObjectType = "SCHEMA"
	Database           ObjectType = "DATABASE" // a synonym of SCHEMA
	Table              ObjectType = "TABLE"
	View               ObjectType = "VIEW"
	MaterializedView   ObjectType = "MATERIALIZED VIEW"
	Volume             ObjectType = "VOLUME"
	Function           ObjectType = "FUNCTION"
	ExternalLocation   ObjectType = "EXTERNAL LOCATION"
	StorageCredential  ObjectType = "STORAGE CREDENTIAL"
	ServiceCredential  ObjectType = "SERVICE CREDENTIAL"
	Credential         ObjectType = "CREDENTIAL"
	Connection         ObjectType = "CONNECTION"
	Share              ObjectType = "SHARE"
	Recipient          ObjectType = "RECIPIENT"
	Provider           ObjectType = "PROVIDER"
	CleanRoom          ObjectType = "CLEAN ROOM"
	StreamingTable     ObjectType = "STREAMING TABLE"
	Model              ObjectType = "MODEL"
	ExternalMetadata   ObjectType = "EXTERNAL METADATA"
	ForeignCatalogType ObjectType = "FOREIGN CATALOG"
	Column             ObjectType = "COLUMN" // in COMMENT ON and SET TAG ON only
	Procedure          ObjectType = "PROCEDURE"
	AnyFile            ObjectType = "ANY FILE"           // legacy hive_metastore table ACLs
	AnonymousFunction  ObjectType = "ANONYMOUS FUNCTION" // legacy hive_metastore table ACLs
)

// A Securable names the object of a GRANT, REVOKE, ALTER or DROP: its type
// and, except for the metastore, its name.
type Securable struct {
	TypePos Pos // position of the type keyword; NoPos when TABLE is implied
	Type    ObjectType
	Name    *QualifiedName // nil for METASTORE
	EndPos  Pos
}

// Pos returns the position of the securable.
func (x *Securable) Pos() Pos {
	if x.TypePos.IsValid() {
		return x.TypePos
	}
	if x.Name != nil {
		return x.Name.Pos()
	}
	return NoPos
}

// End returns the position just after the securable.
func (x *Securable) End() Pos { return x.EndPos }

// A Privilege is a privilege of a GRANT or REVOKE, such as SELECT,
// USE CATALOG or ALL PRIVILEGES. Name is upper case, one space between
// words.
type Privilege struct {
	NamePos Pos
	Name    string
	EndPos  Pos
}

// Pos returns the position of the privilege.
func (x *Privilege) Pos() Pos { return x.NamePos }

// End returns the position just after the privilege.
func (x *Privilege) End() Pos { return x.EndPos }

// A Principal is the grantee of a GRANT, the revokee of a REVOKE or the
// new owner of an ALTER ... OWNER TO: a user, group or service principal,
// or a share recipient.
type Principal struct {
	Recipient Pos // position of RECIPIENT, if written
	Name      Ident
}

// Pos returns the position of the principal.
func (x *Principal) Pos() Pos {
	if x.Recipient.IsValid() {
		return x.Recipient
	}
	return x.Name.NamePos
}

// End returns the position just after the principal.
func (x *Principal) End() Pos { return x.Name.NameEnd }

// Statements.
type (
	// A BadStmt is a statement with syntax errors.
	BadStmt struct {
		From, To Pos
	}

	// An OpaqueStmt is a statement the parser does not analyse, such as a
	// SELECT or a MERGE. Verb is its first word in upper case.
	OpaqueStmt struct {
		Verb string
		Span
	}

	// A CreateCatalogStmt is CREATE [FOREIGN] CATALOG.
	CreateCatalogStmt struct {
		Create          Pos
		IfNotExists     bool
		Name            *QualifiedName
		UsingShare      *QualifiedName // USING SHARE provider.share
		ManagedLocation *StringLit
		Comment         *StringLit
		Options         *PropertyList
		EndPos          Pos

		Foreign          bool           // CREATE FOREIGN CATALOG
		Connection       *QualifiedName // USING CONNECTION name (foreign catalogs)
		DefaultCollation *QualifiedName // DEFAULT COLLATION name
		RetainDropped    *Interval      // RETAIN DROPPED FOR n unit
	}

	// A CreateSchemaStmt is CREATE SCHEMA or CREATE DATABASE.
	CreateSchemaStmt struct {
		Create          Pos
		Type            ObjectType // Schema or Database
		IfNotExists     bool
		Name            *QualifiedName
		ManagedLocation *StringLit
		Location        *StringLit
		Comment         *StringLit
		Properties      *PropertyList // WITH DBPROPERTIES
		EndPos          Pos

		DefaultCollation *QualifiedName // DEFAULT COLLATION name
		RetainDropped    *Interval      // RETAIN DROPPED FOR n unit
	}

	// A CreateTableStmt is CREATE [OR REPLACE] [EXTERNAL] TABLE or
	// REPLACE TABLE.
	CreateTableStmt struct {
		Create      Pos  // position of CREATE, or of REPLACE
		OrReplace   bool // CREATE OR REPLACE, or REPLACE alone
		External    bool
		IfNotExists bool
		Name        *QualifiedName
		Columns     []*ColumnDef // nil when no column list is given
		Constraints []*Span      // table constraints in the column list, as written
		Using       *Ident       // USING format; Name is upper case
		PartitionBy []Ident      // PARTITIONED BY (...)
		ClusterBy   []Ident      // CLUSTER BY (...)
		Location    *StringLit
		Comment     *StringLit
		Properties  *PropertyList // TBLPROPERTIES
		As          *Span         // AS query
		EndPos      Pos

		// WITH ROW FILTER function ON (columns)
		RowFilter        *QualifiedName
		RowFilterColumns []*Literal

		Temporary          bool           // CREATE TEMP[ORARY] TABLE
		PartitionColumns   []*ColumnDef   // PARTITIONED BY (column type, ...): set when a type is given; PartitionBy has the names
		TableConstraints   []*Constraint  // Constraints, parsed
		Options            *PropertyList  // OPTIONS (...)
		ClusterAuto        bool           // CLUSTER BY AUTO
		ClusterNone        bool           // CLUSTER BY NONE
		Bucketing          *Bucketing     // CLUSTERED BY ... INTO n BUCKETS
		LocationCredential *QualifiedName // LOCATION ... WITH (CREDENTIAL name)
		DefaultCollation   *QualifiedName // DEFAULT COLLATION name
	}

	// A CreateFunctionStmt is CREATE [OR REPLACE] [TEMPORARY] FUNCTION.
	CreateFunctionStmt struct {
		Create        Pos
		OrReplace     bool
		Temporary     bool
		IfNotExists   bool
		Name          *QualifiedName
		Params        []*Param
		Returns       *Type        // RETURNS type; nil with RETURNS TABLE
		ReturnsTable  bool         // RETURNS TABLE
		TableColumns  []*ColumnDef // RETURNS TABLE (columns)
		Comment       *StringLit
		Language      *Ident // Name is upper case
		Deterministic *bool  // nil, or whether [NOT] DETERMINISTIC was written
		DataAccess    string // "", "CONTAINS SQL", "READS SQL DATA", "MODIFIES SQL DATA" or "NO SQL"
		Return        *Span  // RETURN expression or query
		Body          *Span  // AS $$ body $$ or AS 'body': Text is the body
		EndPos        Pos

		Environment      *PropertyList  // ENVIRONMENT (dependencies = ..., environment_version = ...)
		DefaultCollation *QualifiedName // DEFAULT COLLATION name
	}

	// A GrantStmt is GRANT privileges ON securable TO principal.
	GrantStmt struct {
		Grant      Pos
		Privileges []*Privilege
		On         *Securable
		Principal  *Principal
	}

	// A RevokeStmt is REVOKE privileges ON securable FROM principal.
	RevokeStmt struct {
		Revoke     Pos
		Privileges []*Privilege
		On         *Securable
		Principal  *Principal
	}

	// An AlterOwnerStmt is ALTER securable [SET] OWNER TO principal.
	AlterOwnerStmt struct {
		Alter  Pos
		Object *Securable
		Set    bool // SET was written
		Owner  *Principal
	}

	// A DropStmt is DROP [TEMPORARY] securable [IF EXISTS] name
	// [CASCADE | RESTRICT | FORCE].
	DropStmt struct {
		Drop     Pos
		IfExists bool
		Object   *Securable
		Behavior string // "", "CASCADE" or "RESTRICT"
		EndPos   Pos

		Temporary bool // DROP TEMPORARY FUNCTION, DROP TEMPORARY TABLE
		Force     bool // FORCE (external locations and credentials)
	}

	// A CreateViewStmt is CREATE [OR REPLACE] [TEMPORARY] VIEW.
	CreateViewStmt struct {
		Create      Pos
		OrReplace   bool
		Temporary   bool
		IfNotExists bool
		Name        *QualifiedName
		Columns     []*ViewColumn // nil when no column list is given
		Comment     *StringLit
		Properties  *PropertyList // TBLPROPERTIES
		As          *Span         // the query
		EndPos      Pos

		Global           bool           // CREATE GLOBAL TEMPORARY VIEW
		SchemaBinding    string         // WITH SCHEMA BINDING, COMPENSATION, EVOLUTION or TYPE EVOLUTION
		Metrics          bool           // WITH METRICS (a metric view)
		Language         *Ident         // LANGUAGE YAML; Name is upper case
		DefaultCollation *QualifiedName // DEFAULT COLLATION name
	}

	// A CreateVolumeStmt is CREATE [EXTERNAL] VOLUME.
	CreateVolumeStmt struct {
		Create      Pos
		External    bool
		IfNotExists bool
		Name        *QualifiedName
		Location    *StringLit
		Comment     *StringLit
		EndPos      Pos
	}

	// A RowFilterStmt is ALTER TABLE name SET ROW FILTER function ON
	// (column, ...) or, with Drop, ALTER TABLE name DROP ROW FILTER.
	RowFilterStmt struct {
		Alter    Pos
		Table    *QualifiedName
		Drop     bool
		Function *QualifiedName // nil with Drop
		Columns  []*Literal     // the function's arguments: columns (Kind IDENT) or constants
		EndPos   Pos

		Type ObjectType // "" for TABLE; MaterializedView or StreamingTable
	}

	// A ColumnMaskStmt is ALTER TABLE name ALTER COLUMN column SET MASK
	// function [USING COLUMNS (...)] or, with Drop, ... DROP MASK.
	ColumnMaskStmt struct {
		Alter        Pos
		Table        *QualifiedName
		Column       Ident
		Drop         bool
		Function     *QualifiedName // nil with Drop
		UsingColumns []*Literal     // further arguments: columns (Kind IDENT) or constants
		EndPos       Pos

		Type ObjectType // "" for TABLE; MaterializedView or StreamingTable
	}

	// A ShowGrantsStmt is SHOW GRANTS [principal] ON securable.
	ShowGrantsStmt struct {
		Show      Pos
		Principal *Principal // nil when not given
		On        *Securable
	}

	// A CommentOnStmt is COMMENT ON securable IS 'text' or IS NULL. The
	// securable type may also be COLUMN, with a table.column name.
	CommentOnStmt struct {
		Comment Pos
		On      *Securable
		Text    *StringLit // nil for IS NULL
		EndPos  Pos
	}

	// A UseStmt is USE [CATALOG | SCHEMA | DATABASE] name, or the same
	// with the name given as a string literal; then Name is nil and
	// Literal holds it.
	UseStmt struct {
		Use    Pos
		Type   ObjectType // "", Catalog, Schema or Database
		Name   *QualifiedName
		EndPos Pos

		Literal *StringLit
	}
)

// A ViewColumn is a column of a view's column list.
type ViewColumn struct {
	Name    Ident
	Comment *StringLit
	EndPos  Pos
}

// Pos returns the position of the column name.
func (x *ViewColumn) Pos() Pos { return x.Name.NamePos }

// End returns the position just after the column.
func (x *ViewColumn) End() Pos { return x.EndPos }

// Pos returns the position of the statement's first byte.
func (s *BadStmt) Pos() Pos { return s.From }

// End returns the position just after the statement's last byte.
func (s *BadStmt) End() Pos { return s.To }

// Pos returns the position of the statement's first byte.
func (s *CreateCatalogStmt) Pos() Pos { return s.Create }

// End returns the position just after the statement's last byte.
func (s *CreateCatalogStmt) End() Pos { return s.EndPos }

// Pos returns the position of the statement's first byte.
func (s *CreateSchemaStmt) Pos() Pos { return s.Create }

// End returns the position just after the statement's last byte.
func (s *CreateSchemaStmt) End() Pos { return s.EndPos }

// Pos returns the position of the statement's first byte.
func (s *CreateTableStmt) Pos() Pos { return s.Create }

// End returns the position just after the statement's last byte.
func (s *CreateTableStmt) End() Pos { return s.EndPos }

// Pos returns the position of the statement's first byte.
func (s *CreateFunctionStmt) Pos() Pos { return s.Create }

// End returns the position just after the statement's last byte.
func (s *CreateFunctionStmt) End() Pos { return s.EndPos }

// Pos returns the position of the statement's first byte.
func (s *GrantStmt) Pos() Pos { return s.Grant }

// End returns the position just after the statement's last byte.
func (s *GrantStmt) End() Pos { return s.Principal.End() }

// Pos returns the position of the statement's first byte.
func (s *RevokeStmt) Pos() Pos { return s.Revoke }

// End returns the position just after the statement's last byte.
func (s *RevokeStmt) End() Pos { return s.Principal.End() }

// Pos returns the position of the statement's first byte.
func (s *AlterOwnerStmt) Pos() Pos { return s.Alter }

// End returns the position just after the statement's last byte.
func (s *AlterOwnerStmt) End() Pos { return s.Owner.End() }

// Pos returns the position of the statement's first byte.
func (s *DropStmt) Pos() Pos { return s.Drop }

// End returns the position just after the statement's last byte.
func (s *DropStmt) End() Pos { return s.EndPos }

// Pos returns the position of the statement's first byte.
func (s *UseStmt) Pos() Pos { return s.Use }

// Pos returns the position of the statement's first byte.
func (s *CreateViewStmt) Pos() Pos { return s.Create }

// End returns the position just after the statement's last byte.
func (s *CreateViewStmt) End() Pos { return s.EndPos }

// Pos returns the position of the statement's first byte.
func (s *CreateVolumeStmt) Pos() Pos { return s.Create }

// End returns the position just after the statement's last byte.
func (s *CreateVolumeStmt) End() Pos { return s.EndPos }

// Pos returns the position of the statement's first byte.
func (s *RowFilterStmt) Pos() Pos { return s.Alter }

// End returns the position just after the statement's last byte.
func (s *RowFilterStmt) End() Pos { return s.EndPos }

// Pos returns the position of the statement's first byte.
func (s *ColumnMaskStmt) Pos() Pos { return s.Alter }

// End returns the position just after the statement's last byte.
func (s *ColumnMaskStmt) End() Pos { return s.EndPos }

// Pos returns the position of the statement's first byte.
func (s *ShowGrantsStmt) Pos() Pos { return s.Show }

// End returns the position just after the statement's last byte.
func (s *ShowGrantsStmt) End() Pos { return s.On.End() }

// Pos returns the position of the statement's first byte.
func (s *CommentOnStmt) Pos() Pos { return s.Comment }

// End returns the position just after the statement's last byte.
func (s *CommentOnStmt) End() Pos { return s.EndPos }

// End returns the position just after the statement's last byte.
func (s *UseStmt) End() Pos { return s.EndPos }

func (*BadStmt) stmtNode()            {}
func (*OpaqueStmt) stmtNode()         {}
func (*CreateCatalogStmt) stmtNode()  {}
func (*CreateSchemaStmt) stmtNode()   {}
func (*CreateTableStmt) stmtNode()    {}
func (*CreateFunctionStmt) stmtNode() {}
func (*GrantStmt) stmtNode()          {}
func (*RevokeStmt) stmtNode()         {}
func (*AlterOwnerStmt) stmtNode()     {}
func (*DropStmt) stmtNode()           {}
func (*UseStmt) stmtNode()            {}
func (*CreateViewStmt) stmtNode()     {}
func (*CreateVolumeStmt) stmtNode()   {}
func (*RowFilterStmt) stmtNode()      {}
func (*ColumnMaskStmt) stmtNode()     {}
func (*ShowGrantsStmt) stmtNode()     {}
func (*CommentOnStmt) stmtNode()      {}
