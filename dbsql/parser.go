package dbsql

import (
	"strings"
	"unicode/utf8"
)

// The parser is a recursive-descent parser over the tokens of one script.
// A syntax error in a statement panics with bailout; parseStmt recovers,
// records a BadStmt and skips to the next semicolon at parenthesis depth 0.
type parser struct {
	file   *File
	errors ErrorList
	sc     Scanner
	src    string

	// Next token
	pos     Pos    // position of the next token
	tok     Token  // the next token
	lit     string // its literal
	prevEnd Pos    // position just after the previous token

	// Error recovery
	depth int // parenthesis depth of the tokens consumed in this statement

	// Allocation: the nodes of the most frequent statements come from
	// slabs, so that a script of grants costs a few allocations per
	// hundred statements.
	grants     slab[GrantStmt]
	revokes    slab[RevokeStmt]
	privs      slab[Privilege]
	privLists  slab[*Privilege]
	securables slab[Securable]
	principals slab[Principal]
	names      slab[QualifiedName]
	idents     slab[Ident]
}

// A slab hands out values of type T from chunks allocated together.
type slab[T any] struct{ buf []T }

const slabSize = 256

// new returns a pointer to a zero T.
func (s *slab[T]) new() *T {
	if len(s.buf) == 0 {
		s.buf = make([]T, slabSize)
	}
	x := &s.buf[0]
	s.buf = s.buf[1:]
	return x
}

// list returns an empty slice of capacity n; appending beyond n
// reallocates, so the slices never overlap.
func (s *slab[T]) list(n int) []T {
	if len(s.buf) < n {
		s.buf = make([]T, slabSize)
	}
	x := s.buf[:0:n]
	s.buf = s.buf[n:]
	return x
}

// bailout is the panic value that abandons the current statement.
type bailout struct{}

func (p *parser) init(filename string, src []byte) {
	p.src = string(src)
	p.file = &File{Name: filename, Size: len(src)}
	p.file.lines.lines = make([]int, 1, len(src)/64+1)
	p.file.Stmts = make([]Stmt, 0, len(src)/128+1)
	p.sc.init(filename, p.src, func(pos Position, msg string) { p.errors.Add(pos, msg) }, &p.file.lines)
	p.next()
}

// next advances to the next token that is not a comment.
func (p *parser) next() {
	if p.pos.IsValid() {
		p.prevEnd = p.pos + Pos(len(p.lit))
	}
	switch p.tok {
	case LPAREN:
		p.depth++
	case RPAREN:
		p.depth--
	}
	for {
		p.pos, p.tok, p.lit = p.sc.Scan()
		if p.tok != COMMENT {
			return
		}
	}
}

// peek returns the token after the next one, and its literal. Errors in
// that token are reported when it is scanned for good, not here.
func (p *parser) peek() (Token, string) {
	saved := p.sc
	defer func() { p.sc = saved }()
	p.sc.err = nil
	for {
		_, tok, lit := p.sc.Scan()
		if tok != COMMENT {
			return tok, lit
		}
	}
}

func (p *parser) error(pos Pos, msg string) {
	p.errors.Add(p.file.Position(pos), msg)
}

// errorExpected reports that what was expected at the next token, and
// abandons the statement.
func (p *parser) errorExpected(what string) {
	p.error(p.pos, "expected "+what+", found "+p.found())
	panic(bailout{})
}

// found describes the next token for an error message.
func (p *parser) found() string {
	switch p.tok {
	case EOF:
		return "end of input"
	case IDENT, QUOTEDIDENT, NUMBER, STRING, DOLLAR:
		lit := p.lit
		if len(lit) > 32 {
			i := 29
			for i > 0 && !utf8.RuneStart(lit[i]) {
				i--
			}
			lit = lit[:i] + "..."
		}
		return lit
	}
	return "'" + p.lit + "'"
}

// is reports whether the next token is the keyword kw (upper case).
func (p *parser) is(kw string) bool {
	return p.tok == IDENT && len(p.lit) == len(kw) && strings.EqualFold(p.lit, kw)
}

// got consumes the keyword kw if it is next.
func (p *parser) got(kw string) bool {
	if p.is(kw) {
		p.next()
		return true
	}
	return false
}

// expectKw consumes the keyword kw and returns its position.
func (p *parser) expectKw(kw string) Pos {
	pos := p.pos
	if !p.is(kw) {
		p.errorExpected(kw)
	}
	p.next()
	return pos
}

// expect consumes the token tok and returns its position.
func (p *parser) expect(tok Token) Pos {
	pos := p.pos
	if p.tok != tok {
		p.errorExpected("'" + tok.String() + "'")
	}
	p.next()
	return pos
}

func (p *parser) atEnd() bool { return p.tok == SEMICOLON || p.tok == EOF }

// ----------------------------------------------------------------------------
// Statements

func (p *parser) parseFile() {
	for p.tok != EOF {
		if p.tok == SEMICOLON {
			p.next()
			continue
		}
		start := p.pos
		s := p.parseStmt()
		p.file.Stmts = append(p.file.Stmts, s)
		if p.tok == SEMICOLON {
			p.next()
		} else if p.pos == start && p.tok != EOF {
			p.next() // make progress, whatever happened
		}
	}
}

// skipStmt skips to the semicolon that ends the statement, the next one
// outside parentheses, or to the end of the input.
func (p *parser) skipStmt() {
	for p.tok != EOF && (p.tok != SEMICOLON || p.depth > 0) {
		p.next()
	}
}

func (p *parser) parseStmt() (s Stmt) {
	start := p.pos
	p.depth = 0
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			p.skipStmt()
			end := p.prevEnd
			if end < start {
				end = start
			}
			s = &BadStmt{From: start, To: end}
		}
	}()
	s = p.parseStmtBody()
	if !p.atEnd() {
		p.errorExpected("';'")
	}
	return s
}

func (p *parser) parseStmtBody() Stmt {
	start := p.pos
	switch {
	case p.is("CREATE"):
		return p.parseCreate()
	case p.is("REPLACE"):
		if tok, lit := p.peek(); tok == IDENT && strings.EqualFold(lit, "TABLE") {
			p.next()
			s := &CreateTableStmt{Create: start, OrReplace: true}
			p.next()
			return p.parseCreateTable(s)
		}
	case p.is("GRANT"), p.is("REVOKE"):
		return p.parseGrant()
	case p.is("ALTER"):
		return p.parseAlter()
	case p.is("DROP"):
		return p.parseDrop()
	case p.is("USE"):
		return p.parseUse()
	case p.is("SHOW"):
		return p.parseShowGrants()
	case p.is("COMMENT"):
		if tok, lit := p.peek(); tok == IDENT && strings.EqualFold(lit, "ON") {
			return p.parseCommentOn()
		}
	}
	return p.parseOpaque(start)
}

// parseOpaque returns the statement that starts at start as opaque text.
func (p *parser) parseOpaque(start Pos) Stmt {
	verb := ""
	if start == p.pos && p.tok == IDENT {
		verb = upper(p.lit)
	} else if start != p.pos {
		verb = upper(p.src[start-1 : start-1+Pos(identLen(p.src[start-1:]))])
	}
	s := &OpaqueStmt{Verb: verb}
	s.Span = p.parseRest(start)
	return s
}

func identLen(s string) int {
	i := 0
	for i < len(s) && (isLetter(s[i]) || isDigit(s[i])) {
		i++
	}
	return i
}

// parseRest consumes the tokens up to the end of the statement and returns
// their span, which starts at from (a position already passed, or the next
// token).
func (p *parser) parseRest(from Pos) Span {
	if from == p.pos && p.atEnd() {
		p.errorExpected("expression")
	}
	p.skipStmt()
	if p.tok == EOF && p.depth > 0 {
		p.errorExpected("')'")
	}
	return p.span(from, p.prevEnd)
}

func (p *parser) span(from, to Pos) Span {
	return Span{From: from, To: to, Text: p.src[from-1 : to-1]}
}

// upper returns s in upper case, without allocating when it already is.
func upper(s string) string {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			return strings.ToUpper(s)
		}
	}
	return s
}

func (p *parser) parseCreate() Stmt {
	start := p.expectKw("CREATE")
	orReplace := false
	if p.got("OR") {
		p.expectKw("REPLACE")
		orReplace = true
	}
	temporary := p.got("TEMPORARY") || p.got("TEMP")
	external := p.got("EXTERNAL")
	plain := !orReplace && !temporary && !external
	switch {
	case plain && p.is("CATALOG"):
		p.next()
		return p.parseCreateCatalog(start)
	case plain && (p.is("SCHEMA") || p.is("DATABASE")):
		return p.parseCreateSchema(start)
	case !temporary && p.is("TABLE"):
		p.next()
		return p.parseCreateTable(&CreateTableStmt{Create: start, OrReplace: orReplace, External: external})
	case !external && p.is("FUNCTION"):
		p.next()
		return p.parseCreateFunction(&CreateFunctionStmt{Create: start, OrReplace: orReplace, Temporary: temporary})
	case !external && p.is("VIEW"):
		p.next()
		return p.parseCreateView(&CreateViewStmt{Create: start, OrReplace: orReplace, Temporary: temporary})
	case !orReplace && !temporary && p.is("VOLUME"):
		p.next()
		return p.parseCreateVolume(&CreateVolumeStmt{Create: start, External: external})
	}
	return p.parseOpaque(start)
}

func (p *parser) parseIfNotExists() bool {
	if p.got("IF") {
		p.expectKw("NOT")
		p.expectKw("EXISTS")
		return true
	}
	return false
}

func (p *parser) duplicate(pos Pos, clause string) {
	p.error(pos, "duplicate "+clause+" clause")
	panic(bailout{})
}

func (p *parser) parseCreateCatalog(start Pos) Stmt {
	s := &CreateCatalogStmt{Create: start}
	s.IfNotExists = p.parseIfNotExists()
	s.Name = p.parseQualifiedName()
	for {
		pos := p.pos
		switch {
		case p.is("USING"):
			p.next()
			p.expectKw("SHARE")
			p.once(pos, s.UsingShare != nil, "USING SHARE")
			s.UsingShare = p.parseQualifiedName()
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
		default:
			s.EndPos = p.prevEnd
			return s
		}
	}
}

func (p *parser) parseCreateSchema(start Pos) Stmt {
	s := &CreateSchemaStmt{Create: start, Type: Schema}
	if p.is("DATABASE") {
		s.Type = Database
	}
	p.next()
	s.IfNotExists = p.parseIfNotExists()
	s.Name = p.parseQualifiedName()
	for {
		pos := p.pos
		switch {
		case p.is("MANAGED"):
			p.next()
			p.expectKw("LOCATION")
			p.once(pos, s.ManagedLocation != nil, "MANAGED LOCATION")
			s.ManagedLocation = p.parseString()
		case p.is("LOCATION"):
			p.next()
			p.once(pos, s.Location != nil, "LOCATION")
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
		default:
			s.EndPos = p.prevEnd
			return s
		}
	}
}

func (p *parser) parseCreateTable(s *CreateTableStmt) Stmt {
	if !s.OrReplace {
		s.IfNotExists = p.parseIfNotExists()
	}
	s.Name = p.parseQualifiedName()
	if p.tok == LPAREN {
		s.Columns, s.Constraints = p.parseTableElements(true)
		if s.Columns == nil {
			s.Columns = []*ColumnDef{}
		}
	}
	for {
		pos := p.pos
		switch {
		case p.is("WITH"):
			p.next()
			p.expectKw("ROW")
			p.expectKw("FILTER")
			p.once(pos, s.RowFilter != nil, "WITH ROW FILTER")
			s.RowFilter = p.parseQualifiedName()
			p.expectKw("ON")
			s.RowFilterColumns = p.parseArgs()
		case p.is("USING"):
			p.next()
			p.once(pos, s.Using != nil, "USING")
			id := p.parseWord()
			s.Using = &id
		case p.is("PARTITIONED"):
			p.next()
			p.expectKw("BY")
			p.once(pos, s.PartitionBy != nil, "PARTITIONED BY")
			s.PartitionBy = p.parseIdentList()
		case p.is("CLUSTER"):
			p.next()
			p.expectKw("BY")
			p.once(pos, s.ClusterBy != nil, "CLUSTER BY")
			s.ClusterBy = p.parseIdentList()
		case p.is("LOCATION"):
			p.next()
			p.once(pos, s.Location != nil, "LOCATION")
			s.Location = p.parseString()
		case p.is("COMMENT"):
			p.next()
			p.once(pos, s.Comment != nil, "COMMENT")
			s.Comment = p.parseString()
		case p.is("TBLPROPERTIES"):
			p.next()
			p.once(pos, s.Properties != nil, "TBLPROPERTIES")
			s.Properties = p.parsePropertyList()
		case p.is("AS"):
			p.next()
			sp := p.parseRest(p.pos)
			s.As = &sp
		default:
			s.EndPos = p.prevEnd
			return s
		}
	}
}

func (p *parser) parseColumnDefs() []*ColumnDef {
	list, _ := p.parseTableElements(false)
	return list
}

// parseTableElements parses a parenthesised list of column definitions
// and, with constraints, table constraints.
func (p *parser) parseTableElements(constraints bool) (cols []*ColumnDef, cons []*Span) {
	p.expect(LPAREN)
	for {
		if constraints && p.isConstraint() {
			sp := p.parseExprSpan()
			cons = append(cons, &sp)
		} else {
			cols = append(cols, p.parseColumnDef())
		}
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	p.expect(RPAREN)
	return cols, cons
}

// isConstraint reports whether a table constraint starts at the next
// token: CONSTRAINT name ..., PRIMARY KEY, FOREIGN KEY or CHECK (...).
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
	case p.is("CHECK"):
		return tok == LPAREN
	}
	return false
}

// columnStop lists the keywords that end a DEFAULT or GENERATED clause.
var columnStop = []string{"NOT", "COMMENT", "MASK", "DEFAULT", "GENERATED"}

func (p *parser) parseColumnDef() *ColumnDef {
	c := &ColumnDef{Name: p.parseIdent()}
	c.Type = p.parseType()
	for {
		pos := p.pos
		switch {
		case p.is("NOT"):
			p.next()
			p.expectKw("NULL")
			c.NotNull = true
		case p.is("COMMENT"):
			p.next()
			p.once(pos, c.Comment != nil, "COMMENT")
			c.Comment = p.parseString()
		case p.is("DEFAULT"):
			p.next()
			p.once(pos, c.Default != nil, "DEFAULT")
			sp := p.parseExprSpan(columnStop...)
			c.Default = &sp
		case p.is("GENERATED"):
			p.next()
			p.once(pos, c.Generated != nil, "GENERATED")
			sp := p.parseExprSpan(columnStop...)
			c.Generated = &sp
		case p.is("MASK"):
			p.next()
			p.once(pos, c.Mask != nil, "MASK")
			c.Mask = p.parseQualifiedName()
			if p.got("USING") {
				p.expectKw("COLUMNS")
				c.MaskUsing = p.parseArgs()
			}
		default:
			c.EndPos = p.prevEnd
			return c
		}
	}
}

// parseIdentList parses ( ident, ... ).
func (p *parser) parseIdentList() []Ident {
	p.expect(LPAREN)
	list := make([]Ident, 0, 2)
	for {
		list = append(list, p.parseIdent())
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	p.expect(RPAREN)
	return list
}

func (p *parser) parseCreateFunction(s *CreateFunctionStmt) Stmt {
	s.IfNotExists = p.parseIfNotExists()
	s.Name = p.parseQualifiedName()
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
	for {
		pos := p.pos
		switch {
		case p.is("COMMENT"):
			p.next()
			p.once(pos, s.Comment != nil, "COMMENT")
			s.Comment = p.parseString()
		case p.is("LANGUAGE"):
			p.next()
			p.once(pos, s.Language != nil, "LANGUAGE")
			id := p.parseWord()
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
			case p.got("MODIFIES"):
				p.expectKw("SQL")
				p.expectKw("DATA")
				access = "MODIFIES SQL DATA"
			default:
				p.next()
				p.expectKw("SQL")
				access = "NO SQL"
			}
			if s.DataAccess != "" {
				p.duplicate(pos, "SQL data access")
			}
			s.DataAccess = access
		case p.is("RETURN"):
			p.next()
			sp := p.parseRest(p.pos)
			s.Return = &sp
			s.EndPos = p.prevEnd
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
		default:
			if s.Return == nil && s.Body == nil {
				p.errorExpected("RETURN or AS")
			}
			s.EndPos = p.prevEnd
			return s
		}
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
			sp := p.parseExprSpan("COMMENT")
			x.Default = &sp
		case p.is("COMMENT"):
			p.next()
			p.once(pos, x.Comment != nil, "COMMENT")
			x.Comment = p.parseString()
		default:
			x.EndPos = p.prevEnd
			return x
		}
	}
}

// parseExprSpan consumes an expression and returns its span. The
// expression ends before a ',', ')' or ';' outside parentheses, or before
// one of the keywords stop outside parentheses.
func (p *parser) parseExprSpan(stop ...string) Span {
	from := p.pos
	depth := 0
loop:
	for p.tok != EOF && p.tok != SEMICOLON {
		if depth == 0 {
			if p.tok == COMMA || p.tok == RPAREN {
				break
			}
			for _, kw := range stop {
				if p.is(kw) {
					break loop
				}
			}
		}
		switch p.tok {
		case LPAREN:
			depth++
		case RPAREN:
			depth--
		}
		p.next()
	}
	if p.pos == from {
		p.errorExpected("expression")
	}
	return p.span(from, p.prevEnd)
}

// parseType parses a data type.
func (p *parser) parseType() *Type {
	if p.tok != IDENT {
		p.errorExpected("type")
	}
	t := &Type{NamePos: p.pos, Name: upper(p.lit)}
	p.next()
	if t.Name == "INTERVAL" {
		// INTERVAL YEAR [TO MONTH], INTERVAL DAY [TO SECOND], ...
		for p.tok == IDENT && intervalWords[strings.ToUpper(p.lit)] {
			t.Name += " " + strings.ToUpper(p.lit)
			p.next()
		}
	}
	switch t.Name {
	case "ARRAY", "MAP", "STRUCT":
		if t.Name == "STRUCT" && p.tok == NE && p.lit == "<>" {
			p.next() // STRUCT<>, scanned as the operator <>
			t.Fields = []*StructField{}
			break
		}
		if p.tok != LT {
			p.errorExpected("'<'")
		}
		p.next()
		switch t.Name {
		case "ARRAY":
			t.Elems = []*Type{p.parseType()}
		case "MAP":
			k := p.parseType()
			p.expect(COMMA)
			t.Elems = []*Type{k, p.parseType()}
		case "STRUCT":
			t.Fields = []*StructField{}
			if p.tok != GT {
				for {
					t.Fields = append(t.Fields, p.parseStructField())
					if p.tok != COMMA {
						break
					}
					p.next()
				}
			}
		}
		p.expect(GT)
	default:
		if p.tok == LPAREN {
			p.next()
			for {
				if p.tok != NUMBER {
					p.errorExpected("number")
				}
				t.Params = append(t.Params, p.lit)
				p.next()
				if p.tok != COMMA {
					break
				}
				p.next()
			}
			p.expect(RPAREN)
		}
	}
	t.EndPos = p.prevEnd
	return t
}

var intervalWords = map[string]bool{"YEAR": true, "MONTH": true, "DAY": true, "HOUR": true, "MINUTE": true, "SECOND": true, "TO": true}

func (p *parser) parseStructField() *StructField {
	f := &StructField{Name: p.parseIdent()}
	if p.tok == COLON {
		p.next()
	}
	f.Type = p.parseType()
	for {
		switch {
		case p.is("NOT"):
			p.next()
			p.expectKw("NULL")
			f.NotNull = true
		case p.is("COMMENT"):
			pos := p.pos
			p.next()
			p.once(pos, f.Comment != nil, "COMMENT")
			f.Comment = p.parseString()
		default:
			f.EndPos = p.prevEnd
			return f
		}
	}
}

func (p *parser) parseGrant() Stmt {
	start := p.pos
	revoke := p.is("REVOKE")
	p.next()
	privs := p.parsePrivileges()
	p.expectKw("ON")
	on := p.parseSecurable(true)
	if revoke {
		p.expectKw("FROM")
		s := p.revokes.new()
		*s = RevokeStmt{Revoke: start, Privileges: privs, On: on, Principal: p.parsePrincipal()}
		return s
	}
	p.expectKw("TO")
	s := p.grants.new()
	*s = GrantStmt{Grant: start, Privileges: privs, On: on, Principal: p.parsePrincipal()}
	return s
}

func (p *parser) parsePrivileges() []*Privilege {
	list := p.privLists.list(4)
	for {
		if p.tok != IDENT || p.is("ON") || p.is("TO") || p.is("FROM") {
			p.errorExpected("privilege")
		}
		x := p.privs.new()
		x.NamePos = p.pos
		for p.tok == IDENT && !p.is("ON") && !p.is("TO") && !p.is("FROM") {
			p.next()
		}
		x.EndPos = p.prevEnd
		x.Name = canonicalWords(p.src[x.NamePos-1 : x.EndPos-1])
		list = append(list, x)
		if p.tok != COMMA {
			return list
		}
		p.next()
	}
}

// canonicalWords returns the words of s (with comments and white space
// between them) upper case, separated by one space. It does not allocate
// when s is already in that form.
func canonicalWords(s string) string {
	ok := true
	for i := 0; i < len(s) && ok; i++ {
		c := s[i]
		ok = 'A' <= c && c <= 'Z' || c == '_' || isDigit(c) || c == ' ' && i > 0 && s[i-1] != ' '
	}
	if ok {
		return s
	}
	var b strings.Builder
	var sc Scanner
	sc.init("", s, nil, &lineTable{})
	for {
		_, tok, lit := sc.Scan()
		if tok == EOF {
			break
		}
		if tok == COMMENT {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strings.ToUpper(lit))
	}
	return b.String()
}

// objectTypes maps the first word of an object type to the object types
// it starts.
var objectTypes = map[string][]ObjectType{
	"METASTORE":    {Metastore},
	"CATALOG":      {Catalog},
	"SCHEMA":       {Schema},
	"DATABASE":     {Database},
	"TABLE":        {Table},
	"VIEW":         {View},
	"MATERIALIZED": {MaterializedView},
	"VOLUME":       {Volume},
	"FUNCTION":     {Function},
	"EXTERNAL":     {ExternalLocation, ExternalMetadata},
	"STORAGE":      {StorageCredential},
	"SERVICE":      {ServiceCredential},
	"CREDENTIAL":   {Credential},
	"CONNECTION":   {Connection},
	"SHARE":        {Share},
	"RECIPIENT":    {Recipient},
	"PROVIDER":     {Provider},
	"CLEAN":        {CleanRoom},
	"STREAMING":    {StreamingTable},
	"MODEL":        {Model},
	"FOREIGN":      {ForeignCatalogType},
}

// lookupObjectType returns the object types that start with the word w.
func lookupObjectType(w string) []ObjectType {
	if len(w) > 16 {
		return nil
	}
	var buf [16]byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	return objectTypes[string(buf[:len(w)])]
}

// parseObjectType parses an object type. It returns "" and consumes
// nothing when the next word does not start one.
func (p *parser) parseObjectType() (Pos, ObjectType) {
	if p.tok != IDENT {
		return NoPos, ""
	}
	types := lookupObjectType(p.lit)
	if types == nil {
		return NoPos, ""
	}
	pos := p.pos
	p.next()
	t := types[0]
	if i := strings.IndexByte(string(t), ' '); i >= 0 {
		var want []string
		for _, t := range types {
			w := string(t[strings.IndexByte(string(t), ' ')+1:])
			if p.got(w) {
				return pos, t
			}
			want = append(want, w)
		}
		p.errorExpected(strings.Join(want, " or "))
	}
	return pos, t
}

// parseSecurable parses the object of a GRANT, REVOKE, ALTER or DROP. With
// implicitTable, a name without an object type names a table.
func (p *parser) parseSecurable(implicitTable bool) *Securable {
	pos, t := p.parseObjectType()
	if t == "" {
		if !implicitTable {
			p.errorExpected("object type")
		}
		t = Table
	}
	x := p.securables.new()
	x.TypePos, x.Type = pos, t
	if t != Metastore {
		x.Name = p.parseQualifiedName()
	}
	x.EndPos = p.prevEnd
	return x
}

func (p *parser) parsePrincipal() *Principal {
	x := p.principals.new()
	if p.is("RECIPIENT") {
		if tok, _ := p.peek(); tok == IDENT || tok == QUOTEDIDENT {
			x.Recipient = p.pos
			p.next()
		}
	}
	x.Name = p.parseIdentWhat("principal")
	return x
}

func (p *parser) parseAlter() Stmt {
	start := p.expectKw("ALTER")
	if p.tok != IDENT || lookupObjectType(p.lit) == nil {
		return p.parseOpaque(start)
	}
	obj := p.parseSecurable(false)
	if obj.Type == Table {
		if s := p.parseAlterTable(start, obj.Name); s != nil {
			return s
		}
	}
	set := false
	if p.is("SET") {
		if tok, lit := p.peek(); tok != IDENT || !strings.EqualFold(lit, "OWNER") {
			return p.parseOpaque(start)
		}
		p.next()
		set = true
	}
	if !p.got("OWNER") {
		return p.parseOpaque(start)
	}
	p.expectKw("TO")
	return &AlterOwnerStmt{Alter: start, Object: obj, Set: set, Owner: p.parsePrincipal()}
}

func (p *parser) parseDrop() Stmt {
	start := p.expectKw("DROP")
	pos, t := p.parseObjectType()
	if t == "" || t == Metastore {
		return p.parseOpaque(start)
	}
	s := &DropStmt{Drop: start}
	if p.got("IF") {
		p.expectKw("EXISTS")
		s.IfExists = true
	}
	s.Object = &Securable{TypePos: pos, Type: t, Name: p.parseQualifiedName(), EndPos: p.prevEnd}
	switch {
	case p.got("CASCADE"):
		s.Behavior = "CASCADE"
	case p.got("RESTRICT"):
		s.Behavior = "RESTRICT"
	}
	s.EndPos = p.prevEnd
	return s
}

func (p *parser) parseUse() Stmt {
	s := &UseStmt{Use: p.expectKw("USE")}
	if p.is("CATALOG") || p.is("SCHEMA") || p.is("DATABASE") {
		if tok, _ := p.peek(); tok == IDENT || tok == QUOTEDIDENT {
			s.Type = ObjectType(upper(p.lit))
			p.next()
		}
	}
	s.Name = p.parseQualifiedName()
	s.EndPos = p.prevEnd
	return s
}

// ----------------------------------------------------------------------------
// Names and literals

func (p *parser) parseIdent() Ident { return p.parseIdentWhat("identifier") }

func (p *parser) parseIdentWhat(what string) Ident {
	x := Ident{NamePos: p.pos, NameEnd: p.pos + Pos(len(p.lit))}
	switch p.tok {
	case IDENT:
		x.Name = p.lit
	case QUOTEDIDENT:
		x.Name = unquoteIdent(p.lit)
	default:
		p.errorExpected(what)
	}
	p.next()
	return x
}

// parseWord parses a bare word such as a language or format name; Name is
// upper case.
func (p *parser) parseWord() Ident {
	if p.tok != IDENT {
		p.errorExpected("name")
	}
	x := Ident{NamePos: p.pos, NameEnd: p.pos + Pos(len(p.lit)), Name: upper(p.lit)}
	p.next()
	return x
}

func (p *parser) parseQualifiedName() *QualifiedName {
	x := p.names.new()
	x.Parts = p.idents.list(3)
	x.Parts = append(x.Parts, p.parseIdentWhat("name"))
	for p.tok == DOT {
		p.next()
		x.Parts = append(x.Parts, p.parseIdent())
	}
	return x
}

// parseString parses a string literal; adjacent literals are
// concatenated, as in 'it”s'.
func (p *parser) parseString() *StringLit {
	if p.tok != STRING {
		p.errorExpected("string")
	}
	x := &StringLit{ValuePos: p.pos, Value: unquoteString(p.lit)}
	p.next()
	for p.tok == STRING {
		x.Value += unquoteString(p.lit)
		p.next()
	}
	x.ValueEnd = p.prevEnd
	return x
}

func (p *parser) parsePropertyList() *PropertyList {
	x := &PropertyList{Lparen: p.expect(LPAREN)}
	if p.tok != RPAREN {
		for {
			x.List = append(x.List, p.parseProperty())
			if p.tok != COMMA {
				break
			}
			p.next()
		}
	}
	x.Rparen = p.expect(RPAREN)
	return x
}

func (p *parser) parseProperty() *Property {
	x := &Property{KeyPos: p.pos}
	switch p.tok {
	case STRING:
		x.Key = unquoteString(p.lit)
		p.next()
	case IDENT, QUOTEDIDENT:
		n := p.parseQualifiedName()
		x.Key = n.String()
	default:
		p.errorExpected("property key")
	}
	if p.tok == EQ {
		p.next()
	}
	if p.tok != COMMA && p.tok != RPAREN {
		v := &Literal{ValuePos: p.pos, ValueEnd: p.pos + Pos(len(p.lit)), Kind: p.tok}
		switch p.tok {
		case STRING:
			v.Value = unquoteString(p.lit)
		case NUMBER, IDENT:
			v.Value = p.lit
		case SUB:
			p.next()
			if p.tok != NUMBER {
				p.errorExpected("number")
			}
			v.Kind, v.Value = NUMBER, "-"+p.lit
			v.ValueEnd = p.pos + Pos(len(p.lit))
		default:
			p.errorExpected("property value")
		}
		p.next()
		x.Value = v
	}
	x.EndPos = p.prevEnd
	return x
}

// parseAlterTable parses the row filter and column mask forms of ALTER
// TABLE, after the table name. It returns nil, having consumed nothing,
// for any other form.
func (p *parser) parseAlterTable(start Pos, table *QualifiedName) Stmt {
	switch {
	case p.is("SET") || p.is("DROP"):
		drop := p.is("DROP")
		if tok, lit := p.peek(); tok != IDENT || !strings.EqualFold(lit, "ROW") {
			return nil
		}
		p.next()
		p.next()
		p.expectKw("FILTER")
		s := &RowFilterStmt{Alter: start, Table: table, Drop: drop}
		if !drop {
			s.Function = p.parseQualifiedName()
			p.expectKw("ON")
			s.Columns = p.parseArgs()
		}
		s.EndPos = p.prevEnd
		return s
	case p.is("ALTER"):
		p.next()
		if p.is("COLUMN") {
			if tok, _ := p.peek(); tok == IDENT || tok == QUOTEDIDENT {
				p.next()
			}
		}
		s := &ColumnMaskStmt{Alter: start, Table: table, Column: p.parseIdent()}
		switch {
		case p.got("SET"):
			p.expectKw("MASK")
			s.Function = p.parseQualifiedName()
			if p.got("USING") {
				p.expectKw("COLUMNS")
				s.UsingColumns = p.parseArgs()
			}
		case p.got("DROP"):
			p.expectKw("MASK")
			s.Drop = true
		default:
			// Another ALTER COLUMN form: keep the statement opaque.
			return p.parseOpaque(start)
		}
		s.EndPos = p.prevEnd
		return s
	}
	return nil
}

// parseArgs parses a parenthesised list of columns and constants.
func (p *parser) parseArgs() []*Literal {
	p.expect(LPAREN)
	list := []*Literal{}
	if p.tok != RPAREN {
		for {
			x := &Literal{ValuePos: p.pos, ValueEnd: p.pos + Pos(len(p.lit)), Kind: p.tok}
			switch p.tok {
			case IDENT:
				x.Value = p.lit
			case QUOTEDIDENT:
				x.Kind, x.Value = IDENT, unquoteIdent(p.lit)
			case STRING:
				x.Value = unquoteString(p.lit)
			case NUMBER:
				x.Value = p.lit
			default:
				p.errorExpected("column or constant")
			}
			p.next()
			list = append(list, x)
			if p.tok != COMMA {
				break
			}
			p.next()
		}
	}
	p.expect(RPAREN)
	return list
}

func (p *parser) parseCreateView(s *CreateViewStmt) Stmt {
	s.IfNotExists = p.parseIfNotExists()
	s.Name = p.parseQualifiedName()
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
		case p.is("COMMENT"):
			p.next()
			p.once(pos, s.Comment != nil, "COMMENT")
			s.Comment = p.parseString()
		case p.is("TBLPROPERTIES"):
			p.next()
			p.once(pos, s.Properties != nil, "TBLPROPERTIES")
			s.Properties = p.parsePropertyList()
		default:
			p.expectKw("AS")
			sp := p.parseRest(p.pos)
			s.As = &sp
			s.EndPos = p.prevEnd
			return s
		}
	}
}

func (p *parser) parseCreateVolume(s *CreateVolumeStmt) Stmt {
	s.IfNotExists = p.parseIfNotExists()
	s.Name = p.parseQualifiedName()
	for {
		pos := p.pos
		switch {
		case p.is("LOCATION"):
			p.next()
			p.once(pos, s.Location != nil, "LOCATION")
			s.Location = p.parseString()
		case p.is("COMMENT"):
			p.next()
			p.once(pos, s.Comment != nil, "COMMENT")
			s.Comment = p.parseString()
		default:
			s.EndPos = p.prevEnd
			return s
		}
	}
}

// parseShowGrants parses SHOW GRANTS [principal] ON securable; any other
// SHOW statement is opaque.
func (p *parser) parseShowGrants() Stmt {
	start := p.expectKw("SHOW")
	if !p.got("GRANTS") && !p.got("GRANT") {
		return p.parseOpaque(start)
	}
	s := &ShowGrantsStmt{Show: start}
	if !p.is("ON") {
		if p.tok != IDENT && p.tok != QUOTEDIDENT {
			return p.parseOpaque(start)
		}
		s.Principal = p.parsePrincipal()
	}
	if !p.got("ON") {
		return p.parseOpaque(start)
	}
	s.On = p.parseSecurable(true)
	return s
}

func (p *parser) parseCommentOn() Stmt {
	s := &CommentOnStmt{Comment: p.expectKw("COMMENT")}
	p.expectKw("ON")
	if p.is("COLUMN") {
		s.On = &Securable{TypePos: p.pos, Type: Column}
		p.next()
		s.On.Name = p.parseQualifiedName()
		s.On.EndPos = p.prevEnd
	} else {
		s.On = p.parseSecurable(false)
	}
	p.expectKw("IS")
	if !p.got("NULL") {
		s.Text = p.parseString()
	}
	s.EndPos = p.prevEnd
	return s
}

// once reports a clause at pos that the statement already had.
func (p *parser) once(pos Pos, had bool, clause string) {
	if had {
		p.duplicate(pos, clause)
	}
}
