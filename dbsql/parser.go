package dbsql

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ucbootstrap/ucbootstrap/internal/suggest"
)

// The parser is a recursive-descent parser over the tokens of one script.
// A syntax error in a statement panics with bailout; parseStmt recovers,
// records a BadStmt and skips to the next semicolon at parenthesis depth 0.
//
// The statement parsers are in parse_create.go (CREATE), parse_alter.go
// (ALTER), parse_dcl.go (GRANT, REVOKE, SHOW, DESCRIBE, COMMENT ON, SET
// TAG, USE, DROP) and verbs.go (the statement verbs and the statements kept
// opaque).
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
	depth        int // parenthesis depth of the tokens consumed in this statement
	unterminated Pos // start of a token that runs to the end of the input, or NoPos

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
	strs       slab[StringLit]
	types      slab[Type]
	props      slab[Property]
	propLists  slab[PropertyList]
	literals   slab[Literal]
	columns    slab[ColumnDef]
}

// A slab hands out values of type T from chunks allocated together. The
// chunks double from 8 values to slabSize, so that a short script does not
// pay for long ones.
type slab[T any] struct {
	buf  []T
	size int // of the last chunk
}

const slabSize = 256

// grow allocates a chunk of at least n values.
func (s *slab[T]) grow(n int) {
	switch {
	case s.size == 0:
		s.size = 8
	case s.size < slabSize:
		s.size *= 2
	}
	s.buf = make([]T, max(s.size, n))
}

// new returns a pointer to a zero T.
func (s *slab[T]) new() *T {
	if len(s.buf) == 0 {
		s.grow(1)
	}
	x := &s.buf[0]
	s.buf = s.buf[1:]
	return x
}

// list returns an empty slice of capacity n; appending beyond n
// reallocates, so the slices never overlap.
func (s *slab[T]) list(n int) []T {
	if len(s.buf) < n {
		s.grow(n)
	}
	x := s.buf[:0:n]
	s.buf = s.buf[n:]
	return x
}

// bailout is the panic value that abandons the current statement.
type bailout struct{}

// keepOpaque is the panic value that keeps the current statement as an
// OpaqueStmt: it names an object with IDENTIFIER(expression), whose name
// is known only when the statement runs.
type keepOpaque struct{}

func (p *parser) init(filename string, src []byte) {
	p.src = string(src)
	p.file = &File{Name: filename, Size: len(src)}
	p.file.lines.lines = make([]int, 1, len(src)/64+1)
	p.file.Stmts = make([]Stmt, 0, len(src)/128+1)
	p.sc.init(filename, p.src, p.scanError, &p.file.lines)
	p.next()
}

// scanError records an error of the scanner. A token that is not
// terminated runs to the end of the input: the parser's own errors after
// its start are consequences, and are not reported.
func (p *parser) scanError(pos Position, msg string) {
	p.errors.Add(pos, msg)
	if strings.HasSuffix(msg, "not terminated") && !p.unterminated.IsValid() {
		p.unterminated = Pos(pos.Offset + 1)
	}
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

// peek2 returns the second token after the next one, and its literal.
func (p *parser) peek2() (Token, string) {
	saved := p.sc
	defer func() { p.sc = saved }()
	p.sc.err = nil
	for n := 0; ; {
		_, tok, lit := p.sc.Scan()
		if tok == COMMENT {
			continue
		}
		if n++; n == 2 || tok == EOF {
			return tok, lit
		}
	}
}

// peekIs reports whether the token after the next one is the keyword kw.
func (p *parser) peekIs(kw string) bool {
	tok, lit := p.peek()
	return tok == IDENT && strings.EqualFold(lit, kw)
}

func (p *parser) error(pos Pos, msg string) {
	if p.unterminated.IsValid() && pos >= p.unterminated {
		return
	}
	p.errors.Add(p.file.Position(pos), msg)
}

// fail reports an error at pos and abandons the statement.
func (p *parser) fail(pos Pos, format string, args ...any) {
	p.error(pos, fmt.Sprintf(format, args...))
	panic(bailout{})
}

// errorExpected reports that what was expected at the next token, and
// abandons the statement.
func (p *parser) errorExpected(what string) {
	p.error(p.pos, "expected "+what+", found "+p.found())
	panic(bailout{})
}

// errorExpectedWord is errorExpected with a did-you-mean hint when the
// next token is a word close to one of the keywords.
func (p *parser) errorExpectedWord(what string, keywords []string) {
	msg := "expected " + what + ", found " + p.found()
	if p.tok == IDENT && len(p.lit) >= 3 {
		if s := suggest.Nearest(upper(p.lit), keywords); s != "" {
			msg += ": did you mean " + s + "?"
		}
	}
	p.error(p.pos, msg)
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

// isAny reports whether the next token is one of the keywords.
func (p *parser) isAny(kws ...string) bool {
	for _, kw := range kws {
		if p.is(kw) {
			return true
		}
	}
	return false
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
		p.errorExpectedWord(kw, []string{kw})
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
			if _, ok := r.(keepOpaque); ok {
				p.skipStmt()
				if p.tok == EOF && p.depth > 0 {
					p.error(p.pos, "expected ')', found end of input")
					s = &BadStmt{From: start, To: p.prevEnd}
					return
				}
				verb := upper(p.src[start-1 : start-1+Pos(identLen(p.src[start-1:]))])
				s = &OpaqueStmt{Verb: verb, Span: p.span(start, p.prevEnd)}
				return
			}
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
	if p.unterminated.IsValid() && p.unterminated >= start {
		// A string, name or comment that is not terminated swallowed
		// the rest of the input: the statement is not what it seems.
		return &BadStmt{From: start, To: p.prevEnd}
	}
	return s
}

// parseStmtBody parses a statement by its first word (verbs.go lists the
// words).
func (p *parser) parseStmtBody() Stmt {
	start := p.pos
	if p.tok != IDENT {
		if p.tok == LPAREN {
			return p.parseOpaque(start) // a query in parentheses
		}
		p.unknownStatement()
	}
	switch upper(p.lit) {
	case "CREATE":
		return p.parseCreate()
	case "REPLACE":
		p.next()
		if !p.is("TABLE") {
			p.errorExpectedWord("TABLE after REPLACE (REPLACE TABLE)", []string{"TABLE"})
		}
		p.next()
		return p.parseCreateTable(&CreateTableStmt{Create: start, OrReplace: true})
	case "GRANT", "REVOKE":
		return p.parseGrant()
	case "ALTER":
		return p.parseAlter()
	case "DROP":
		return p.parseDrop()
	case "USE":
		return p.parseUse()
	case "SHOW":
		return p.parseShow()
	case "COMMENT":
		return p.parseCommentOn()
	case "SET":
		if tok, lit := p.peek2(); p.peekIs("TAG") && tok == IDENT && strings.EqualFold(lit, "ON") {
			return p.parseTag()
		}
		return p.parseOpaqueVerb(start) // SET of a configuration, a variable, a time zone, ...
	case "UNSET":
		return p.parseTag()
	case "DESCRIBE", "DESC":
		return p.parseDescribe()
	case "BEGIN":
		return p.parseBegin()
	}
	if isOpaqueVerb(p.lit) {
		return p.parseOpaqueVerb(start)
	}
	p.unknownStatement()
	return nil
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

// parseOpaqueVerb returns the statement that starts with an opaque verb,
// at start, as opaque text, once the tokens after the verb fit its syntax
// (checkOpaque).
func (p *parser) parseOpaqueVerb(start Pos) Stmt {
	s := &OpaqueStmt{Verb: upper(p.lit)}
	p.next()
	p.checkOpaque(s.Verb)
	p.skipStmt()
	if p.tok == EOF && p.depth > 0 {
		p.errorExpected("')'")
	}
	s.Span = p.span(start, p.prevEnd)
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

// parseIfNotExists parses IF NOT EXISTS, if it is next.
func (p *parser) parseIfNotExists() bool {
	if p.got("IF") {
		p.expectKw("NOT")
		p.expectKw("EXISTS")
		return true
	}
	return false
}

// parseIfExists parses IF EXISTS, if it is next.
func (p *parser) parseIfExists() bool {
	if p.got("IF") {
		p.expectKw("EXISTS")
		return true
	}
	return false
}

func (p *parser) duplicate(pos Pos, clause string) {
	p.fail(pos, "duplicate %s clause: give it once", clause)
}

// once reports a clause at pos that the statement already had.
func (p *parser) once(pos Pos, had bool, clause string) {
	if had {
		p.duplicate(pos, clause)
	}
}

// maxParts returns the number of parts a name of type t has at most.
func maxParts(t ObjectType) int {
	switch t {
	case Catalog, ForeignCatalogType:
		return 1
	case Schema, Database:
		return 2
	case Table, View, MaterializedView, StreamingTable, Volume, Function, Procedure, Model:
		return 3
	case Column:
		return 4
	}
	return 1
}

// checkParts reports a name with more parts than a name of type t takes.
// Unity Catalog names have three levels (catalog, schema, object);
// securables outside the namespace (locations, credentials, connections,
// shares, recipients, providers) have names of one part.
func (p *parser) checkParts(t ObjectType, name *QualifiedName) {
	n, max := len(name.Parts), maxParts(t)
	if n <= max {
		if t == Column && n < 2 {
			p.fail(name.Pos(), "the column name %s has one part: qualify it with its table or view, as in table.column", name)
		}
		return
	}
	what := strings.ToLower(string(t))
	switch max {
	case 1:
		if t == Catalog || t == ForeignCatalogType {
			p.fail(name.Pos(), "the catalog name %s has %d parts: a catalog name has one part", name, n)
		}
		p.fail(name.Pos(), "the %s name %s has %d parts: %s is not inside a catalog, so its name has one part", what, name, n, article(what))
	case 2:
		p.fail(name.Pos(), "the %s name %s has %d parts: a schema name has at most two (catalog.schema)", what, name, n)
	case 4:
		p.fail(name.Pos(), "the column name %s has %d parts: at most four (catalog.schema.table.column)", name, n)
	}
	p.fail(name.Pos(), "the %s name %s has %d parts: %s name has at most three (catalog.schema.%s)", what, name, n, article(what), strings.ReplaceAll(what, " ", "_"))
}

// article returns w with "a" or "an" before it.
func article(w string) string {
	if w != "" && strings.IndexByte("aeiou", w[0]) >= 0 {
		return "an " + w
	}
	return "a " + w
}

// checkUnqualified reports a qualified name of a temporary object.
func (p *parser) checkUnqualified(what string, name *QualifiedName) {
	if len(name.Parts) > 1 {
		p.fail(name.Pos(), "a temporary %s lives in the session, not in a schema: write its name %s without a catalog or schema", what, name.Parts[len(name.Parts)-1].Name)
	}
}
