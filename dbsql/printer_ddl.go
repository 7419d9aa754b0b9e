package dbsql

// This file prints the statements of ast_ddl.go.

// collation writes " DEFAULT COLLATION name" when name is not nil.
func (p *printer) collation(name *QualifiedName) {
	if name != nil {
		p.WriteString(" DEFAULT COLLATION ")
		p.collationName(name)
	}
}

// collationName writes the name of a collation, such as UTF8_BINARY or
// SYSTEM.BUILTIN.UNICODE_CI: bare when each part is a plain word.
func (p *printer) collationName(name *QualifiedName) {
	for i, part := range name.Parts {
		if i > 0 {
			p.WriteByte('.')
		}
		if isWord(part.Name) {
			p.WriteString(part.Name)
		} else {
			p.ident(part.Name)
		}
	}
}

// isWord reports whether s is a plain identifier: a letter or underscore,
// then letters, digits and underscores, all ASCII.
func isWord(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || i > 0 && isDigit(c)) {
			return false
		}
	}
	return s != ""
}

// retain writes kw and the interval when it is not nil.
func (p *printer) retain(kw string, x *Interval) {
	if x != nil {
		p.WriteString(kw)
		p.interval(x)
	}
}

func (p *printer) interval(x *Interval) {
	p.WriteString(x.Number + " " + x.Unit)
}

// rowFilter writes " WITH ROW FILTER function ON (columns)" when fn is not
// nil.
func (p *printer) rowFilter(fn *QualifiedName, cols []*Literal) {
	if fn != nil {
		p.WriteString(" WITH ROW FILTER ")
		p.name(fn)
		p.WriteString(" ON ")
		p.args(cols)
	}
}

func (p *printer) bucketing(x *Bucketing) {
	p.WriteString(" CLUSTERED BY ")
	p.identList(x.Columns)
	if x.SortedBy != nil {
		p.WriteString(" SORTED BY (")
		for i, c := range x.SortedBy {
			if i > 0 {
				p.WriteString(", ")
			}
			p.ident(c.Name.Name)
			if c.Order != "" {
				p.WriteString(" " + c.Order)
			}
		}
		p.WriteByte(')')
	}
	p.WriteString(" INTO " + x.Buckets + " BUCKETS")
}

// alterTable writes "ALTER TABLE name", or ALTER MATERIALIZED VIEW or
// ALTER STREAMING TABLE for those types.
func (p *printer) alterTable(t ObjectType, name *QualifiedName) {
	if t == "" {
		t = Table
	}
	p.WriteString("ALTER " + string(t) + " ")
	p.name(name)
}

func (p *printer) schedule(s *Schedule) {
	if s.Trigger {
		p.WriteString("TRIGGER ON UPDATE")
		if s.AtMostEvery != nil {
			p.WriteString(" AT MOST EVERY " + s.AtMostEvery.Text)
		}
		return
	}
	p.WriteString("SCHEDULE ")
	if s.Refresh {
		p.WriteString("REFRESH ")
	}
	if s.Every != nil {
		p.WriteString("EVERY ")
		p.interval(s.Every)
		return
	}
	p.WriteString("CRON ")
	p.str(s.Cron.Value)
	if s.TimeZone != nil {
		p.WriteString(" AT TIME ZONE ")
		p.str(s.TimeZone.Value)
	}
}

// stmtDDL writes the statements of ast_ddl.go.
func (p *printer) stmtDDL(s Stmt) {
	switch s := s.(type) {
	case *CreateMaterializedViewStmt:
		p.WriteString("CREATE ")
		if s.OrReplace {
			p.WriteString("OR REPLACE ")
		}
		p.WriteString("MATERIALIZED VIEW ")
		if s.IfNotExists {
			p.WriteString("IF NOT EXISTS ")
		}
		p.name(s.Name)
		if s.Columns != nil || s.Constraints != nil {
			p.WriteString(" (")
			for i, c := range s.Columns {
				if i > 0 {
					p.WriteString(", ")
				}
				p.column(c)
			}
			for i, c := range s.Constraints {
				if i > 0 || len(s.Columns) > 0 {
					p.WriteString(", ")
				}
				p.constraint(c)
			}
			p.WriteByte(')')
		}
		if s.PartitionBy != nil {
			p.WriteString(" PARTITIONED BY ")
			p.identList(s.PartitionBy)
		}
		switch {
		case s.ClusterAuto:
			p.WriteString(" CLUSTER BY AUTO")
		case s.ClusterBy != nil:
			p.WriteString(" CLUSTER BY ")
			p.identList(s.ClusterBy)
		}
		p.clause("COMMENT", s.Comment)
		p.collation(s.DefaultCollation)
		if s.Properties != nil {
			p.WriteString(" TBLPROPERTIES ")
			p.props(s.Properties)
		}
		if s.Schedule != nil {
			p.WriteByte(' ')
			p.schedule(s.Schedule)
		}
		p.rowFilter(s.RowFilter, s.RowFilterColumns)
		p.WriteString(" AS " + s.As.Text)
	case *CreateExternalLocationStmt:
		p.WriteString("CREATE EXTERNAL LOCATION ")
		if s.IfNotExists {
			p.WriteString("IF NOT EXISTS ")
		}
		p.name(s.Name)
		p.clause("URL", s.URL)
		p.WriteString(" WITH (STORAGE CREDENTIAL ")
		p.name(s.Credential)
		p.WriteByte(')')
		p.clause("COMMENT", s.Comment)
	case *CreateConnectionStmt:
		p.WriteString("CREATE CONNECTION ")
		if s.IfNotExists {
			p.WriteString("IF NOT EXISTS ")
		}
		p.name(s.Name)
		p.WriteString(" TYPE " + s.Type.Name + " OPTIONS ")
		p.props(s.Options)
		p.clause("COMMENT", s.Comment)
	case *CreateShareStmt:
		p.WriteString("CREATE SHARE ")
		if s.IfNotExists {
			p.WriteString("IF NOT EXISTS ")
		}
		p.name(s.Name)
		p.clause("COMMENT", s.Comment)
	case *CreateRecipientStmt:
		p.WriteString("CREATE RECIPIENT ")
		if s.IfNotExists {
			p.WriteString("IF NOT EXISTS ")
		}
		p.name(s.Name)
		p.clause("USING ID", s.SharingID)
		p.clause("COMMENT", s.Comment)
		if s.Properties != nil {
			p.WriteString(" PROPERTIES ")
			p.props(s.Properties)
		}
	case *AlterStmt:
		p.WriteString("ALTER ")
		p.securable(s.Object)
		p.WriteByte(' ')
		p.action(s.Action)
	case *TagStmt:
		if s.Unset {
			p.WriteString("UNSET TAG ON ")
		} else {
			p.WriteString("SET TAG ON ")
		}
		p.securable(s.On)
		p.WriteByte(' ')
		p.ident(s.Key.Name)
		if s.Value != nil {
			p.WriteString(" = ")
			p.ident(s.Value.Name)
		}
	case *ShowGrantsToRecipientStmt:
		p.WriteString("SHOW GRANTS TO RECIPIENT ")
		p.ident(s.Recipient.Name)
	case *ShowStmt:
		p.WriteString("SHOW " + s.What)
		if s.Target != nil {
			if s.What == "COLUMNS" {
				p.WriteString(" IN")
			}
			p.WriteByte(' ')
			p.name(s.Target)
		}
		if s.In != nil {
			p.WriteString(" IN ")
			p.name(s.In)
		}
		p.clause("LIKE", s.Like)
		if s.LikeName != nil {
			p.WriteString(" LIKE ")
			p.name(s.LikeName)
		}
		if s.Limit != nil {
			p.WriteString(" LIMIT " + s.Limit.Value)
		}
	case *DescribeStmt:
		p.WriteString("DESCRIBE ")
		if s.Kind != "" {
			p.WriteString(s.Kind + " ")
		} else {
			p.WriteString(string(s.Object.Type) + " ")
		}
		if s.Extended {
			p.WriteString("EXTENDED ")
		}
		p.name(s.Object.Name)
		if s.Column != nil {
			p.WriteByte(' ')
			p.name(s.Column)
		}
		if s.AsJSON {
			p.WriteString(" AS JSON")
		}
	}
}

// action writes an ALTER action.
func (p *printer) action(a AlterAction) {
	switch a := a.(type) {
	case *RenameAction:
		p.WriteString("RENAME TO ")
		p.name(a.To)
	case *PropertiesAction:
		switch {
		case a.Kind == "OPTIONS":
			p.WriteString("OPTIONS ")
		case a.Unset:
			p.WriteString("UNSET " + a.Kind + " ")
			if a.IfExists {
				p.WriteString("IF EXISTS ")
			}
		default:
			p.WriteString("SET " + a.Kind + " ")
		}
		p.props(a.List)
	case *PredictiveOptimizationAction:
		p.WriteString(a.Mode + " PREDICTIVE OPTIMIZATION")
	case *SetLocationAction:
		p.WriteString("SET " + a.Kind + " ")
		p.str(a.Location.Value)
		if a.Force {
			p.WriteString(" FORCE")
		}
	case *SetCredentialAction:
		p.WriteString("SET STORAGE CREDENTIAL ")
		p.name(a.Credential)
	case *CollationAction:
		p.WriteString("DEFAULT COLLATION ")
		p.collationName(a.Collation)
	case *RetainAction:
		p.WriteString("RETAIN DROPPED TO ")
		p.interval(a.Period)
	case *AddColumnsAction:
		p.WriteString("ADD COLUMNS (")
		for i, c := range a.Columns {
			if i > 0 {
				p.WriteString(", ")
			}
			p.column(c)
		}
		p.WriteByte(')')
	case *DropColumnsAction:
		p.WriteString("DROP COLUMNS ")
		if a.IfExists {
			p.WriteString("IF EXISTS ")
		}
		p.WriteByte('(')
		for i, c := range a.Columns {
			if i > 0 {
				p.WriteString(", ")
			}
			p.name(c)
		}
		p.WriteByte(')')
	case *RenameColumnAction:
		p.WriteString("RENAME COLUMN ")
		p.name(a.Column)
		p.WriteString(" TO ")
		p.ident(a.To.Name)
	case *AlterColumnAction:
		p.WriteString("ALTER COLUMN ")
		p.name(a.Column)
		p.WriteString(" " + a.Op)
		switch {
		case a.Comment != nil:
			p.WriteByte(' ')
			p.str(a.Comment.Value)
		case a.After != nil:
			p.WriteByte(' ')
			p.ident(a.After.Name)
		case a.Type != nil:
			p.WriteByte(' ')
			p.typ(a.Type)
		case a.Default != nil:
			p.WriteString(" " + a.Default.Text)
		case a.Tags != nil:
			p.WriteByte(' ')
			p.props(a.Tags)
		}
	case *AddConstraintAction:
		p.WriteString("ADD ")
		p.constraint(a.Constraint)
	case *DropConstraintAction:
		p.WriteString("DROP " + a.Kind)
		if a.IfExists {
			p.WriteString(" IF EXISTS")
		}
		if a.Name != nil {
			p.WriteByte(' ')
			p.ident(a.Name.Name)
		}
		if a.Columns != nil {
			p.WriteByte(' ')
			p.identList(a.Columns)
		}
		if a.Behavior != "" {
			p.WriteString(" " + a.Behavior)
		}
	case *ClusterByAction:
		p.WriteString("CLUSTER BY ")
		switch {
		case a.Auto:
			p.WriteString("AUTO")
		case a.None:
			p.WriteString("NONE")
		default:
			p.identList(a.Columns)
		}
	case *ScheduleAction:
		if a.Schedule == nil {
			p.WriteString("DROP SCHEDULE")
			break
		}
		p.WriteString(a.Verb + " ")
		p.schedule(a.Schedule)
	case *ShareObjectAction:
		p.WriteString(a.Verb + " " + string(a.Type) + " ")
		p.name(a.Name)
		p.clause("COMMENT", a.Comment)
		if a.Partition != nil {
			p.WriteString(" " + a.Partition.Text)
		}
		if a.As != nil {
			p.WriteString(" AS ")
			p.name(a.As)
		}
		if a.History != "" {
			p.WriteString(" " + a.History)
		}
	case *SchemaBindingAction:
		p.WriteString("WITH SCHEMA " + a.Mode)
	case *QueryAction:
		p.WriteString("AS " + a.Query.Text)
	}
}
