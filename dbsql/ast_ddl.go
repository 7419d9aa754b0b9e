package dbsql

// This file holds the nodes of the DDL and DCL statements added after the
// first set (ast.go): materialized views, external locations, connections,
// shares, recipients, ALTER actions, tags, SHOW and DESCRIBE.

// An Interval is a number of time units, as in EVERY 2 HOURS or RETAIN
// DROPPED FOR 7 DAYS. Unit is upper case, as written (HOUR or HOURS, ...).
type Interval struct {
	NumberPos Pos
	Number    string
	Unit      string
	EndPos    Pos
}

// Pos returns the position of the number.
func (x *Interval) Pos() Pos { return x.NumberPos }

// End returns the position just after the unit.
func (x *Interval) End() Pos { return x.EndPos }

// A Schedule is the refresh schedule of a materialized view or a streaming
// table: SCHEDULE [REFRESH] EVERY n unit, SCHEDULE [REFRESH] CRON 'expr'
// [AT TIME ZONE 'zone'], or TRIGGER ON UPDATE [AT MOST EVERY interval].
type Schedule struct {
	SchedulePos Pos  // position of SCHEDULE or TRIGGER
	Refresh     bool // SCHEDULE REFRESH
	Every       *Interval
	Cron        *StringLit
	TimeZone    *StringLit
	Trigger     bool  // TRIGGER ON UPDATE
	AtMostEvery *Span // TRIGGER ON UPDATE AT MOST EVERY interval
	EndPos      Pos
}

// Pos returns the position of SCHEDULE or TRIGGER.
func (x *Schedule) Pos() Pos { return x.SchedulePos }

// End returns the position just after the schedule.
func (x *Schedule) End() Pos { return x.EndPos }

// A Constraint is a table constraint ([CONSTRAINT name] PRIMARY KEY
// (columns), FOREIGN KEY (columns) REFERENCES table [(columns)] or CHECK
// (condition)) or a column constraint ([CONSTRAINT name] PRIMARY KEY or
// REFERENCES table [(column)]).
type Constraint struct {
	ConstraintPos Pos    // position of CONSTRAINT, else of the kind's first word
	Name          *Ident // CONSTRAINT name
	Kind          string // "PRIMARY KEY", "FOREIGN KEY", "REFERENCES" (column constraint, [FOREIGN KEY] REFERENCES), "UNIQUE" or "CHECK"
	Columns       []Ident
	Timeseries    *Ident // PRIMARY KEY (..., column TIMESERIES)
	References    *QualifiedName
	RefColumns    []Ident
	Check         *Span // the condition of CHECK (condition)
	Options       *Span // constraint options as written: NOT ENFORCED, RELY, MATCH FULL, ...
	EndPos        Pos
}

// Pos returns the position of the constraint.
func (x *Constraint) Pos() Pos { return x.ConstraintPos }

// End returns the position just after the constraint.
func (x *Constraint) End() Pos { return x.EndPos }

// An Identity is GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY [ ( [START
// WITH n] [INCREMENT BY n] ) ], without the word GENERATED.
type Identity struct {
	IdentityPos Pos  // position of ALWAYS or BY
	Always      bool // ALWAYS, else BY DEFAULT
	Start       *Literal
	Increment   *Literal
	EndPos      Pos
}

// Pos returns the position of ALWAYS or BY.
func (x *Identity) Pos() Pos { return x.IdentityPos }

// End returns the position just after the identity.
func (x *Identity) End() Pos { return x.EndPos }

// A Bucketing is CLUSTERED BY (columns) [SORTED BY (columns)] INTO n
// BUCKETS.
type Bucketing struct {
	Clustered Pos
	Columns   []Ident
	SortedBy  []*SortColumn
	Buckets   string
	EndPos    Pos
}

// Pos returns the position of CLUSTERED.
func (x *Bucketing) Pos() Pos { return x.Clustered }

// End returns the position just after BUCKETS.
func (x *Bucketing) End() Pos { return x.EndPos }

// A SortColumn is a column of SORTED BY, with its order.
type SortColumn struct {
	Name   Ident
	Order  string // "", "ASC" or "DESC"
	EndPos Pos
}

// Pos returns the position of the column name.
func (x *SortColumn) Pos() Pos { return x.Name.NamePos }

// End returns the position just after the column.
func (x *SortColumn) End() Pos { return x.EndPos }

// Statements.
type (
	// A CreateMaterializedViewStmt is CREATE [OR REPLACE] MATERIALIZED
	// VIEW.
	CreateMaterializedViewStmt struct {
		Create           Pos
		OrReplace        bool
		IfNotExists      bool
		Name             *QualifiedName
		Columns          []*ColumnDef  // nil when no column list is given; a column's Type may be nil
		Constraints      []*Constraint // table constraints in the column list
		PartitionBy      []Ident
		ClusterBy        []Ident
		ClusterAuto      bool
		Comment          *StringLit
		DefaultCollation *QualifiedName
		Properties       *PropertyList // TBLPROPERTIES
		Schedule         *Schedule
		RowFilter        *QualifiedName // WITH ROW FILTER function ON (columns)
		RowFilterColumns []*Literal
		As               *Span // the query
		EndPos           Pos
	}

	// A CreateExternalLocationStmt is CREATE EXTERNAL LOCATION name URL
	// 'url' WITH (STORAGE CREDENTIAL credential) [COMMENT 'text'].
	CreateExternalLocationStmt struct {
		Create      Pos
		IfNotExists bool
		Name        *QualifiedName
		URL         *StringLit
		Credential  *QualifiedName
		Comment     *StringLit
		EndPos      Pos
	}

	// A CreateConnectionStmt is CREATE CONNECTION (or its synonym
	// SERVER) name TYPE type OPTIONS (...) [COMMENT 'text'].
	CreateConnectionStmt struct {
		Create      Pos
		IfNotExists bool
		Name        *QualifiedName
		Type        Ident // Name is upper case
		Options     *PropertyList
		Comment     *StringLit
		EndPos      Pos
	}

	// A CreateShareStmt is CREATE SHARE name [COMMENT 'text'].
	CreateShareStmt struct {
		Create      Pos
		IfNotExists bool
		Name        *QualifiedName
		Comment     *StringLit
		EndPos      Pos
	}

	// A CreateRecipientStmt is CREATE RECIPIENT name [USING ID 'id']
	// [COMMENT 'text'] [[SET] PROPERTIES (...)].
	CreateRecipientStmt struct {
		Create      Pos
		IfNotExists bool
		Name        *QualifiedName
		SharingID   *StringLit // USING ID 'sharing identifier'
		Comment     *StringLit
		Properties  *PropertyList
		EndPos      Pos
	}

	// An AlterStmt is an ALTER statement with an action that has no
	// statement node of its own (those are AlterOwnerStmt, RowFilterStmt
	// and ColumnMaskStmt). Object.Name is nil for ALTER CATALOG without a
	// name, which alters hive_metastore.
	AlterStmt struct {
		Alter  Pos
		Object *Securable
		Action AlterAction
	}

	// A TagStmt is SET TAG ON securable key [= value] or, with Unset,
	// UNSET TAG ON securable key.
	TagStmt struct {
		Set    Pos // position of SET or UNSET
		Unset  bool
		On     *Securable // the type may be COLUMN, with a relation.column name
		Key    Ident
		Value  *Ident
		EndPos Pos
	}

	// A ShowGrantsToRecipientStmt is SHOW GRANTS TO RECIPIENT name.
	ShowGrantsToRecipientStmt struct {
		Show      Pos
		Recipient Ident
	}

	// A ShowStmt is a SHOW statement that lists objects or describes one,
	// other than SHOW GRANTS: SHOW CATALOGS, SCHEMAS, TABLES, VIEWS,
	// FUNCTIONS, VOLUMES, EXTERNAL LOCATIONS, CREDENTIALS, CONNECTIONS,
	// SHARES, RECIPIENTS, PROVIDERS, SHOW CREATE TABLE, TBLPROPERTIES,
	// COLUMNS, SHOW ALL IN SHARE and SHOW SHARES IN PROVIDER.
	ShowStmt struct {
		Show   Pos
		What   string         // upper case, one space between words: "TABLES", "CREATE TABLE", "ALL IN SHARE", ...
		Target *QualifiedName // the object of SHOW CREATE TABLE, TBLPROPERTIES, COLUMNS IN, ALL IN SHARE, SHARES IN PROVIDER
		In     *QualifiedName // FROM or IN: the catalog or schema listed
		Like   *StringLit     // [LIKE] 'pattern'
		EndPos Pos

		LikeName *QualifiedName // SHOW FUNCTIONS [LIKE] function_name
		Limit    *Literal       // SHOW TABLES DROPPED ... LIMIT n
	}

	// A DescribeStmt is DESCRIBE (or DESC) [kind] [EXTENDED] securable
	// [column].
	DescribeStmt struct {
		Describe Pos
		Kind     string // "", "HISTORY" or "DETAIL" (DESCRIBE HISTORY, DESCRIBE DETAIL)
		Extended bool
		Object   *Securable // TypePos is NoPos when TABLE is implied
		Column   *QualifiedName
		AsJSON   bool // AS JSON
		EndPos   Pos
	}
)

// Pos returns the position of the statement's first byte.
func (s *CreateMaterializedViewStmt) Pos() Pos { return s.Create }

// End returns the position just after the statement's last byte.
func (s *CreateMaterializedViewStmt) End() Pos { return s.EndPos }

// Pos returns the position of the statement's first byte.
func (s *CreateExternalLocationStmt) Pos() Pos { return s.Create }

// End returns the position just after the statement's last byte.
func (s *CreateExternalLocationStmt) End() Pos { return s.EndPos }

// Pos returns the position of the statement's first byte.
func (s *CreateConnectionStmt) Pos() Pos { return s.Create }

// End returns the position just after the statement's last byte.
func (s *CreateConnectionStmt) End() Pos { return s.EndPos }

// Pos returns the position of the statement's first byte.
func (s *CreateShareStmt) Pos() Pos { return s.Create }

// End returns the position just after the statement's last byte.
func (s *CreateShareStmt) End() Pos { return s.EndPos }

// Pos returns the position of the statement's first byte.
func (s *CreateRecipientStmt) Pos() Pos { return s.Create }

// End returns the position just after the statement's last byte.
func (s *CreateRecipientStmt) End() Pos { return s.EndPos }

// Pos returns the position of the statement's first byte.
func (s *AlterStmt) Pos() Pos { return s.Alter }

// End returns the position just after the statement's last byte.
func (s *AlterStmt) End() Pos { return s.Action.End() }

// Pos returns the position of the statement's first byte.
func (s *TagStmt) Pos() Pos { return s.Set }

// End returns the position just after the statement's last byte.
func (s *TagStmt) End() Pos { return s.EndPos }

// Pos returns the position of the statement's first byte.
func (s *ShowGrantsToRecipientStmt) Pos() Pos { return s.Show }

// End returns the position just after the statement's last byte.
func (s *ShowGrantsToRecipientStmt) End() Pos { return s.Recipient.NameEnd }

// Pos returns the position of the statement's first byte.
func (s *ShowStmt) Pos() Pos { return s.Show }

// End returns the position just after the statement's last byte.
func (s *ShowStmt) End() Pos { return s.EndPos }

// Pos returns the position of the statement's first byte.
func (s *DescribeStmt) Pos() Pos { return s.Describe }

// End returns the position just after the statement's last byte.
func (s *DescribeStmt) End() Pos { return s.EndPos }

func (*CreateMaterializedViewStmt) stmtNode() {}
func (*CreateExternalLocationStmt) stmtNode() {}
func (*CreateConnectionStmt) stmtNode()       {}
func (*CreateShareStmt) stmtNode()            {}
func (*CreateRecipientStmt) stmtNode()        {}
func (*AlterStmt) stmtNode()                  {}
func (*TagStmt) stmtNode()                    {}
func (*ShowGrantsToRecipientStmt) stmtNode()  {}
func (*ShowStmt) stmtNode()                   {}
func (*DescribeStmt) stmtNode()               {}

// An AlterAction is what an [AlterStmt] does to its object.
type AlterAction interface {
	Node
	alterAction()
}

// ALTER actions.
type (
	// A RenameAction is RENAME TO name.
	RenameAction struct {
		Rename Pos
		To     *QualifiedName
	}

	// A PropertiesAction sets or unsets a property list: SET TAGS (...),
	// UNSET TAGS (...), SET TBLPROPERTIES (...), UNSET TBLPROPERTIES [IF
	// EXISTS] (...), SET DBPROPERTIES (...), SET PROPERTIES (...), UNSET
	// PROPERTIES (...) or OPTIONS (...). The keys of an UNSET have no
	// values.
	PropertiesAction struct {
		SetPos   Pos // position of SET, UNSET or OPTIONS
		Unset    bool
		IfExists bool
		Kind     string // "TAGS", "TBLPROPERTIES", "DBPROPERTIES", "PROPERTIES" or "OPTIONS"
		List     *PropertyList
	}

	// A PredictiveOptimizationAction is { ENABLE | DISABLE | INHERIT }
	// PREDICTIVE OPTIMIZATION.
	PredictiveOptimizationAction struct {
		ModePos Pos
		Mode    string // "ENABLE", "DISABLE" or "INHERIT"
		EndPos  Pos
	}

	// A SetLocationAction is SET MANAGED LOCATION 'path' or SET URL 'url'
	// [FORCE].
	SetLocationAction struct {
		SetPos   Pos
		Kind     string // "MANAGED LOCATION" or "URL"
		Location *StringLit
		Force    bool
		EndPos   Pos
	}

	// A SetCredentialAction is SET STORAGE CREDENTIAL name.
	SetCredentialAction struct {
		SetPos     Pos
		Credential *QualifiedName
	}

	// A CollationAction is DEFAULT COLLATION name.
	CollationAction struct {
		DefaultPos Pos
		Collation  *QualifiedName
	}

	// A RetainAction is [SET] RETAIN DROPPED TO n unit.
	RetainAction struct {
		RetainPos Pos // position of SET or RETAIN
		Period    *Interval
	}

	// An AddColumnsAction is ADD COLUMN[S] column, ... or ADD COLUMNS
	// (column, ...).
	AddColumnsAction struct {
		AddPos  Pos
		Columns []*ColumnDef
		EndPos  Pos
	}

	// A DropColumnsAction is DROP COLUMN[S] [IF EXISTS] column, ...
	DropColumnsAction struct {
		DropPos  Pos
		IfExists bool
		Columns  []*QualifiedName
		EndPos   Pos
	}

	// A RenameColumnAction is RENAME COLUMN column TO name.
	RenameColumnAction struct {
		RenamePos Pos
		Column    *QualifiedName
		To        Ident
	}

	// An AlterColumnAction is { ALTER | CHANGE } [COLUMN] column change,
	// other than SET MASK and DROP MASK (ColumnMaskStmt).
	AlterColumnAction struct {
		AlterPos Pos
		Column   *QualifiedName
		Op       string // "COMMENT", "FIRST", "AFTER", "SET NOT NULL", "DROP NOT NULL", "TYPE", "SET DEFAULT", "DROP DEFAULT", "SYNC IDENTITY", "SET TAGS" or "UNSET TAGS"
		Comment  *StringLit
		After    *Ident
		Type     *Type
		Default  *Span
		Tags     *PropertyList
		EndPos   Pos
	}

	// An AddConstraintAction is ADD constraint.
	AddConstraintAction struct {
		AddPos     Pos
		Constraint *Constraint
	}

	// A DropConstraintAction is DROP CONSTRAINT [IF EXISTS] name, DROP
	// PRIMARY KEY [IF EXISTS] or DROP FOREIGN KEY [IF EXISTS] (columns),
	// with RESTRICT or CASCADE.
	DropConstraintAction struct {
		DropPos  Pos
		Kind     string // "CONSTRAINT", "PRIMARY KEY" or "FOREIGN KEY"
		IfExists bool
		Name     *Ident
		Columns  []Ident
		Behavior string // "", "RESTRICT" or "CASCADE"
		EndPos   Pos
	}

	// A ClusterByAction is CLUSTER BY (columns), CLUSTER BY AUTO or
	// CLUSTER BY NONE.
	ClusterByAction struct {
		ClusterPos Pos
		Columns    []Ident
		Auto       bool
		None       bool
		EndPos     Pos
	}

	// A ScheduleAction is { ADD | ALTER } schedule or DROP SCHEDULE, of a
	// materialized view or streaming table.
	ScheduleAction struct {
		VerbPos  Pos
		Verb     string    // "ADD", "ALTER" or "DROP"
		Schedule *Schedule // nil with DROP
		EndPos   Pos
	}

	// A ShareObjectAction adds, alters or removes an object of a share: {
	// ADD | ALTER } type name [COMMENT 'text'] [PARTITION (...)] [AS name]
	// [WITH HISTORY | WITHOUT HISTORY], or REMOVE type name.
	ShareObjectAction struct {
		VerbPos   Pos
		Verb      string     // "ADD", "ALTER" or "REMOVE"
		Type      ObjectType // TABLE, SCHEMA, VIEW, MATERIALIZED VIEW, MODEL or VOLUME
		Name      *QualifiedName
		Comment   *StringLit
		Partition *Span // the partition specification, parentheses included
		As        *QualifiedName
		History   string // "", "WITH HISTORY" or "WITHOUT HISTORY"
		EndPos    Pos
	}

	// A SchemaBindingAction is WITH SCHEMA mode, of ALTER VIEW.
	SchemaBindingAction struct {
		WithPos Pos
		Mode    string // "BINDING", "COMPENSATION", "EVOLUTION" or "TYPE EVOLUTION"
		EndPos  Pos
	}

	// A QueryAction is AS query, of ALTER VIEW.
	QueryAction struct {
		AsPos Pos
		Query *Span
	}
)

// Pos returns the position of the action's first byte.
func (x *RenameAction) Pos() Pos { return x.Rename }

// End returns the position just after the action's last byte.
func (x *RenameAction) End() Pos { return x.To.End() }

// Pos returns the position of the action's first byte.
func (x *PropertiesAction) Pos() Pos { return x.SetPos }

// End returns the position just after the action's last byte.
func (x *PropertiesAction) End() Pos { return x.List.End() }

// Pos returns the position of the action's first byte.
func (x *PredictiveOptimizationAction) Pos() Pos { return x.ModePos }

// End returns the position just after the action's last byte.
func (x *PredictiveOptimizationAction) End() Pos { return x.EndPos }

// Pos returns the position of the action's first byte.
func (x *SetLocationAction) Pos() Pos { return x.SetPos }

// End returns the position just after the action's last byte.
func (x *SetLocationAction) End() Pos { return x.EndPos }

// Pos returns the position of the action's first byte.
func (x *SetCredentialAction) Pos() Pos { return x.SetPos }

// End returns the position just after the action's last byte.
func (x *SetCredentialAction) End() Pos { return x.Credential.End() }

// Pos returns the position of the action's first byte.
func (x *CollationAction) Pos() Pos { return x.DefaultPos }

// End returns the position just after the action's last byte.
func (x *CollationAction) End() Pos { return x.Collation.End() }

// Pos returns the position of the action's first byte.
func (x *RetainAction) Pos() Pos { return x.RetainPos }

// End returns the position just after the action's last byte.
func (x *RetainAction) End() Pos { return x.Period.End() }

// Pos returns the position of the action's first byte.
func (x *AddColumnsAction) Pos() Pos { return x.AddPos }

// End returns the position just after the action's last byte.
func (x *AddColumnsAction) End() Pos { return x.EndPos }

// Pos returns the position of the action's first byte.
func (x *DropColumnsAction) Pos() Pos { return x.DropPos }

// End returns the position just after the action's last byte.
func (x *DropColumnsAction) End() Pos { return x.EndPos }

// Pos returns the position of the action's first byte.
func (x *RenameColumnAction) Pos() Pos { return x.RenamePos }

// End returns the position just after the action's last byte.
func (x *RenameColumnAction) End() Pos { return x.To.NameEnd }

// Pos returns the position of the action's first byte.
func (x *AlterColumnAction) Pos() Pos { return x.AlterPos }

// End returns the position just after the action's last byte.
func (x *AlterColumnAction) End() Pos { return x.EndPos }

// Pos returns the position of the action's first byte.
func (x *AddConstraintAction) Pos() Pos { return x.AddPos }

// End returns the position just after the action's last byte.
func (x *AddConstraintAction) End() Pos { return x.Constraint.End() }

// Pos returns the position of the action's first byte.
func (x *DropConstraintAction) Pos() Pos { return x.DropPos }

// End returns the position just after the action's last byte.
func (x *DropConstraintAction) End() Pos { return x.EndPos }

// Pos returns the position of the action's first byte.
func (x *ClusterByAction) Pos() Pos { return x.ClusterPos }

// End returns the position just after the action's last byte.
func (x *ClusterByAction) End() Pos { return x.EndPos }

// Pos returns the position of the action's first byte.
func (x *ScheduleAction) Pos() Pos { return x.VerbPos }

// End returns the position just after the action's last byte.
func (x *ScheduleAction) End() Pos { return x.EndPos }

// Pos returns the position of the action's first byte.
func (x *ShareObjectAction) Pos() Pos { return x.VerbPos }

// End returns the position just after the action's last byte.
func (x *ShareObjectAction) End() Pos { return x.EndPos }

// Pos returns the position of the action's first byte.
func (x *SchemaBindingAction) Pos() Pos { return x.WithPos }

// End returns the position just after the action's last byte.
func (x *SchemaBindingAction) End() Pos { return x.EndPos }

// Pos returns the position of the action's first byte.
func (x *QueryAction) Pos() Pos { return x.AsPos }

// End returns the position just after the action's last byte.
func (x *QueryAction) End() Pos { return x.Query.End() }

func (*RenameAction) alterAction()                 {}
func (*PropertiesAction) alterAction()             {}
func (*PredictiveOptimizationAction) alterAction() {}
func (*SetLocationAction) alterAction()            {}
func (*SetCredentialAction) alterAction()          {}
func (*CollationAction) alterAction()              {}
func (*RetainAction) alterAction()                 {}
func (*AddColumnsAction) alterAction()             {}
func (*DropColumnsAction) alterAction()            {}
func (*RenameColumnAction) alterAction()           {}
func (*AlterColumnAction) alterAction()            {}
func (*AddConstraintAction) alterAction()          {}
func (*DropConstraintAction) alterAction()         {}
func (*ClusterByAction) alterAction()              {}
func (*ScheduleAction) alterAction()               {}
func (*ShareObjectAction) alterAction()            {}
func (*SchemaBindingAction) alterAction()          {}
func (*QueryAction) alterAction()                  {}
