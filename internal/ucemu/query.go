package ucemu

import (
	"strconv"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/dbsql"
)

// This file parses the statements that package dbsql keeps opaque and the
// emulator executes: SELECT (with FROM a table, a subquery or VALUES,
// WHERE and LIMIT) and MERGE. The grammar is the small part of Databricks
// SQL the setup scripts, their guards and the validation probes use.

// Expressions.
type (
	expr interface{}

	litExpr struct{ v any }

	colExpr struct{ qual, name string }

	callExpr struct {
		name string // lower case
		args []expr
		star bool // count(*)
	}

	unaryExpr struct {
		op string // NOT or -
		x  expr
	}

	binaryExpr struct {
		op   string // OR AND = <> < > <= >= ||
		x, y expr
	}

	isNullExpr struct {
		x   expr
		not bool
	}

	inExpr struct {
		x    expr
		list []expr
		not  bool
		// set holds the list when every item is a string literal, made
		// on first use; noSet when not.
		set   map[string]bool
		noSet bool
	}
)

// A selItem is an item of a select list: an expression with an optional
// alias, or a star (qualified or not).
type selItem struct {
	x     expr
	alias string
	text  string // the expression's source, for the column name
	star  bool
	qual  string // of qual.*
}

// A source is what FROM reads.
type source struct {
	table  []string    // a table name, or
	query  *selectStmt // a subquery, or
	values [][]expr    // VALUES rows
	alias  string
	cols   []string // VALUES ... AS alias(cols)
}

type selectStmt struct {
	items []selItem
	from  *source
	where expr
	limit int // -1 when none
}

type assign struct {
	col string
	x   expr
}

type mergeStmt struct {
	target      []string
	alias       string
	using       *source
	on          expr
	update      []assign // WHEN MATCHED THEN UPDATE SET
	hasUpdate   bool
	insertCols  []string // WHEN NOT MATCHED THEN INSERT (cols) VALUES (exprs)
	insertVals  []expr
	hasInsert   bool
	updateStar  bool
	insertStar  bool
	deleteMatch bool
}

type token struct {
	pos int // byte offset
	tok dbsql.Token
	lit string
}

type qparser struct {
	src  string
	toks []token
	i    int
}

// newParser scans src into tokens, comments left out.
func newParser(src string) (*qparser, *sqlError) {
	var sc dbsql.Scanner
	var scanErr string
	sc.Init("", []byte(src), func(_ dbsql.Position, msg string) {
		if scanErr == "" {
			scanErr = msg
		}
	})
	p := &qparser{src: src}
	for {
		pos, tok, lit := sc.Scan()
		if tok == dbsql.COMMENT {
			continue
		}
		if tok == dbsql.SEMICOLON {
			continue
		}
		p.toks = append(p.toks, token{int(pos) - 1, tok, lit})
		if tok == dbsql.EOF {
			break
		}
	}
	if scanErr != "" {
		return nil, syntaxError("%s", scanErr)
	}
	return p, nil
}

func syntaxError(format string, args ...any) *sqlError {
	return badRequest("PARSE_SYNTAX_ERROR", "42601", format, args...)
}

func (p *qparser) peek() token { return p.toks[p.i] }

func (p *qparser) next() token {
	t := p.toks[p.i]
	if t.tok != dbsql.EOF {
		p.i++
	}
	return t
}

func (p *qparser) isKw(kw string) bool {
	t := p.peek()
	return t.tok == dbsql.IDENT && strings.EqualFold(t.lit, kw)
}

func (p *qparser) gotKw(kw string) bool {
	if p.isKw(kw) {
		p.i++
		return true
	}
	return false
}

func (p *qparser) got(tok dbsql.Token) bool {
	if p.peek().tok == tok {
		p.i++
		return true
	}
	return false
}

// fail returns the syntax error at the current token.
func (p *qparser) fail() *sqlError {
	t := p.peek()
	if t.tok == dbsql.EOF {
		return syntaxError("Syntax error at or near end of input.")
	}
	return syntaxError("Syntax error at or near '%s'.", t.lit)
}

func (p *qparser) expectKw(kw string) *sqlError {
	if !p.gotKw(kw) {
		return p.fail()
	}
	return nil
}

func (p *qparser) expect(tok dbsql.Token) *sqlError {
	if !p.got(tok) {
		return p.fail()
	}
	return nil
}

// reserved are the words that end an expression or cannot be an alias.
var reserved = map[string]bool{
	"FROM": true, "WHERE": true, "LIMIT": true, "AS": true, "ON": true, "USING": true, "WHEN": true,
	"THEN": true, "GROUP": true, "ORDER": true, "HAVING": true, "UNION": true, "JOIN": true, "INNER": true,
	"LEFT": true, "RIGHT": true, "FULL": true, "CROSS": true, "AND": true, "OR": true, "NOT": true,
	"IS": true, "IN": true, "SELECT": true, "VALUES": true, "SET": true, "MATCHED": true, "LIKE": true,
}

// ident parses an identifier, bare or back-quoted.
func (p *qparser) ident() (string, *sqlError) {
	t := p.peek()
	switch {
	case t.tok == dbsql.IDENT && !reserved[strings.ToUpper(t.lit)]:
		p.i++
		return t.lit, nil
	case t.tok == dbsql.QUOTEDIDENT:
		p.i++
		return dbsql.IdentName(t.lit), nil
	}
	return "", p.fail()
}

// name parses a dotted name.
func (p *qparser) name() ([]string, *sqlError) {
	var parts []string
	for {
		id, err := p.ident()
		if err != nil {
			return nil, err
		}
		parts = append(parts, id)
		if !p.got(dbsql.DOT) {
			return parts, nil
		}
	}
}

// optAlias parses [AS] alias.
func (p *qparser) optAlias() (string, *sqlError) {
	if p.gotKw("AS") {
		return p.ident()
	}
	t := p.peek()
	if t.tok == dbsql.QUOTEDIDENT || t.tok == dbsql.IDENT && !reserved[strings.ToUpper(t.lit)] {
		return p.ident()
	}
	return "", nil
}

// parseSelect parses SELECT ... [FROM ...] [WHERE ...] [LIMIT n].
func (p *qparser) parseSelect() (*selectStmt, *sqlError) {
	if err := p.expectKw("SELECT"); err != nil {
		return nil, err
	}
	q := &selectStmt{limit: -1}
	for {
		item, err := p.selItem()
		if err != nil {
			return nil, err
		}
		q.items = append(q.items, item)
		if !p.got(dbsql.COMMA) {
			break
		}
	}
	if p.gotKw("FROM") {
		src, err := p.source()
		if err != nil {
			return nil, err
		}
		q.from = src
	}
	if p.gotKw("WHERE") {
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		q.where = x
	}
	if p.gotKw("LIMIT") {
		t := p.next()
		n, err := strconv.Atoi(t.lit)
		if t.tok != dbsql.NUMBER || err != nil || n < 0 {
			p.i--
			return nil, p.fail()
		}
		q.limit = n
	}
	return q, nil
}

func (p *qparser) selItem() (selItem, *sqlError) {
	if p.got(dbsql.MUL) {
		return selItem{star: true}, nil
	}
	// qual.*
	if t := p.peek(); (t.tok == dbsql.IDENT || t.tok == dbsql.QUOTEDIDENT) && p.toks[p.i+1].tok == dbsql.DOT &&
		p.i+2 < len(p.toks) && p.toks[p.i+2].tok == dbsql.MUL {
		qual, _ := p.ident()
		p.i += 2
		return selItem{star: true, qual: qual}, nil
	}
	start := p.peek().pos
	x, err := p.expr()
	if err != nil {
		return selItem{}, err
	}
	text := strings.TrimSpace(p.src[start:p.peek().pos])
	if p.peek().tok == dbsql.EOF {
		text = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(p.src[start:]), ";"))
	}
	alias, err := p.optAlias()
	if err != nil {
		return selItem{}, err
	}
	return selItem{x: x, alias: alias, text: text}, nil
}

// source parses a table name, a parenthesised subquery or VALUES, with an
// optional alias.
func (p *qparser) source() (*source, *sqlError) {
	src := &source{}
	switch {
	case p.got(dbsql.LPAREN):
		q, err := p.parseSelect()
		if err != nil {
			return nil, err
		}
		if err := p.expect(dbsql.RPAREN); err != nil {
			return nil, err
		}
		src.query = q
	case p.gotKw("VALUES"):
		for {
			var row []expr
			if p.got(dbsql.LPAREN) {
				xs, err := p.exprsClose()
				if err != nil {
					return nil, err
				}
				row = xs
			} else {
				x, err := p.expr()
				if err != nil {
					return nil, err
				}
				row = []expr{x}
			}
			src.values = append(src.values, row)
			if !p.got(dbsql.COMMA) {
				break
			}
		}
	default:
		name, err := p.name()
		if err != nil {
			return nil, err
		}
		src.table = name
	}
	alias, err := p.optAlias()
	if err != nil {
		return nil, err
	}
	src.alias = alias
	if alias != "" && src.values != nil && p.got(dbsql.LPAREN) {
		if src.cols, err = p.identsClose(); err != nil {
			return nil, err
		}
	}
	if p.isKw("JOIN") || p.isKw("INNER") || p.isKw("LEFT") || p.isKw("CROSS") || p.peek().tok == dbsql.COMMA {
		return nil, unsupported("joins")
	}
	return src, nil
}

// Expressions, by precedence: OR, AND, NOT, comparison, ||, + -, unary -,
// primary.
func (p *qparser) expr() (expr, *sqlError) { return p.or() }

func (p *qparser) or() (expr, *sqlError) {
	x, err := p.and()
	for err == nil && p.gotKw("OR") {
		var y expr
		y, err = p.and()
		x = binaryExpr{"OR", x, y}
	}
	return x, err
}

func (p *qparser) and() (expr, *sqlError) {
	x, err := p.not()
	for err == nil && p.gotKw("AND") {
		var y expr
		y, err = p.not()
		x = binaryExpr{"AND", x, y}
	}
	return x, err
}

func (p *qparser) not() (expr, *sqlError) {
	if p.gotKw("NOT") {
		x, err := p.not()
		return unaryExpr{"NOT", x}, err
	}
	return p.comparison()
}

var comparisons = map[dbsql.Token]string{dbsql.EQ: "=", dbsql.NE: "<>", dbsql.LT: "<", dbsql.GT: ">", dbsql.LE: "<=", dbsql.GE: ">="}

func (p *qparser) comparison() (expr, *sqlError) {
	x, err := p.concat()
	if err != nil {
		return nil, err
	}
	if op, ok := comparisons[p.peek().tok]; ok {
		p.i++
		y, err := p.concat()
		return binaryExpr{op, x, y}, err
	}
	if t := p.peek(); t.tok == dbsql.OP && t.lit == "==" {
		p.i++
		y, err := p.concat()
		return binaryExpr{"=", x, y}, err
	}
	if p.gotKw("IS") {
		not := p.gotKw("NOT")
		if err := p.expectKw("NULL"); err != nil {
			return nil, err
		}
		return isNullExpr{x, not}, nil
	}
	not := false
	if p.isKw("NOT") && p.i+1 < len(p.toks) && strings.EqualFold(p.toks[p.i+1].lit, "IN") {
		p.i++
		not = true
	}
	if p.gotKw("IN") {
		if err := p.expect(dbsql.LPAREN); err != nil {
			return nil, err
		}
		list, err := p.exprsClose()
		if err != nil {
			return nil, err
		}
		return &inExpr{x: x, list: list, not: not}, nil
	}
	return x, nil
}

func (p *qparser) concat() (expr, *sqlError) {
	x, err := p.unary()
	for err == nil && p.peek().tok == dbsql.OP && p.peek().lit == "||" {
		p.i++
		var y expr
		y, err = p.unary()
		x = binaryExpr{"||", x, y}
	}
	return x, err
}

func (p *qparser) unary() (expr, *sqlError) {
	if p.got(dbsql.SUB) {
		x, err := p.unary()
		return unaryExpr{"-", x}, err
	}
	return p.primary()
}

func (p *qparser) primary() (expr, *sqlError) {
	t := p.peek()
	switch t.tok {
	case dbsql.NUMBER:
		p.i++
		lit := strings.TrimRight(t.lit, "lLsSyY")
		if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
			return litExpr{n}, nil
		}
		f, err := strconv.ParseFloat(strings.TrimRight(lit, "dDfF"), 64)
		if err != nil {
			return nil, syntaxError("Invalid number '%s'.", t.lit)
		}
		return litExpr{f}, nil
	case dbsql.STRING:
		s := ""
		for p.peek().tok == dbsql.STRING { // adjacent literals concatenate
			s += dbsql.StringValue(p.next().lit)
		}
		return litExpr{s}, nil
	case dbsql.LPAREN:
		p.i++
		if p.isKw("SELECT") {
			return nil, unsupported("scalar subqueries")
		}
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		return x, p.expect(dbsql.RPAREN)
	case dbsql.IDENT:
		switch strings.ToUpper(t.lit) {
		case "NULL":
			p.i++
			return litExpr{nil}, nil
		case "TRUE", "FALSE":
			p.i++
			return litExpr{strings.EqualFold(t.lit, "TRUE")}, nil
		case "CASE", "EXISTS", "CAST":
			return nil, unsupported("%s expressions", strings.ToUpper(t.lit))
		}
		if p.toks[p.i+1].tok == dbsql.LPAREN {
			return p.call()
		}
	}
	if t.tok != dbsql.IDENT && t.tok != dbsql.QUOTEDIDENT {
		return nil, p.fail()
	}
	name, err := p.name()
	if err != nil {
		return nil, err
	}
	switch len(name) {
	case 1:
		return colExpr{name: name[0]}, nil
	case 2:
		return colExpr{qual: name[0], name: name[1]}, nil
	}
	return nil, unsupported("column references with more than two parts (%s)", strings.Join(name, "."))
}

func (p *qparser) call() (expr, *sqlError) {
	name := strings.ToLower(p.next().lit)
	p.i++ // (
	c := callExpr{name: name}
	if p.got(dbsql.MUL) {
		c.star = true
		return c, p.expect(dbsql.RPAREN)
	}
	if p.got(dbsql.RPAREN) {
		return c, nil
	}
	args, err := p.exprsClose()
	if err != nil {
		return nil, err
	}
	c.args = args
	return c, nil
}

// exprsClose parses expr {, expr} and the closing parenthesis: the rest of
// a list whose opening parenthesis has been read.
func (p *qparser) exprsClose() ([]expr, *sqlError) {
	var list []expr
	for {
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		list = append(list, x)
		if !p.got(dbsql.COMMA) {
			break
		}
	}
	return list, p.expect(dbsql.RPAREN)
}

// identsClose parses ident {, ident} and the closing parenthesis.
func (p *qparser) identsClose() ([]string, *sqlError) {
	var list []string
	for {
		c, err := p.ident()
		if err != nil {
			return nil, err
		}
		list = append(list, c)
		if !p.got(dbsql.COMMA) {
			break
		}
	}
	return list, p.expect(dbsql.RPAREN)
}

// end checks that nothing follows the statement.
func (p *qparser) end() *sqlError {
	if p.peek().tok != dbsql.EOF {
		return p.fail()
	}
	return nil
}

// parseQuery parses a whole SELECT statement.
func parseQuery(src string) (*selectStmt, *sqlError) {
	p, err := newParser(src)
	if err != nil {
		return nil, err
	}
	q, err := p.parseSelect()
	if err != nil {
		return nil, err
	}
	return q, p.end()
}

// parseMerge parses MERGE INTO target [AS] alias USING source ON cond
// WHEN ... clauses.
func parseMerge(src string) (*mergeStmt, *sqlError) {
	p, err := newParser(src)
	if err != nil {
		return nil, err
	}
	m := &mergeStmt{}
	if err := p.expectKw("MERGE"); err != nil {
		return nil, err
	}
	if err := p.expectKw("INTO"); err != nil {
		return nil, err
	}
	if m.target, err = p.name(); err != nil {
		return nil, err
	}
	if m.alias, err = p.optAlias(); err != nil {
		return nil, err
	}
	if err := p.expectKw("USING"); err != nil {
		return nil, err
	}
	if m.using, err = p.source(); err != nil {
		return nil, err
	}
	if err := p.expectKw("ON"); err != nil {
		return nil, err
	}
	if m.on, err = p.expr(); err != nil {
		return nil, err
	}
	for p.gotKw("WHEN") {
		matched := !p.gotKw("NOT")
		if err := p.expectKw("MATCHED"); err != nil {
			return nil, err
		}
		if p.isKw("AND") {
			return nil, unsupported("MERGE clauses with conditions")
		}
		if err := p.expectKw("THEN"); err != nil {
			return nil, err
		}
		switch {
		case matched && p.gotKw("UPDATE"):
			if err := p.expectKw("SET"); err != nil {
				return nil, err
			}
			m.hasUpdate = true
			if p.got(dbsql.MUL) {
				m.updateStar = true
				continue
			}
			for {
				col, err := p.name()
				if err != nil {
					return nil, err
				}
				if err := p.expect(dbsql.EQ); err != nil {
					return nil, err
				}
				x, err := p.expr()
				if err != nil {
					return nil, err
				}
				m.update = append(m.update, assign{col[len(col)-1], x})
				if !p.got(dbsql.COMMA) {
					break
				}
			}
		case matched && p.gotKw("DELETE"):
			m.deleteMatch = true
		case !matched && p.gotKw("INSERT"):
			m.hasInsert = true
			if p.got(dbsql.MUL) {
				m.insertStar = true
				continue
			}
			if err := p.expect(dbsql.LPAREN); err != nil {
				return nil, err
			}
			for {
				col, err := p.name()
				if err != nil {
					return nil, err
				}
				m.insertCols = append(m.insertCols, col[len(col)-1])
				if !p.got(dbsql.COMMA) {
					break
				}
			}
			if err := p.expect(dbsql.RPAREN); err != nil {
				return nil, err
			}
			if err := p.expectKw("VALUES"); err != nil {
				return nil, err
			}
			if err := p.expect(dbsql.LPAREN); err != nil {
				return nil, err
			}
			vals, err := p.exprsClose()
			if err != nil {
				return nil, err
			}
			m.insertVals = vals
			if len(m.insertVals) != len(m.insertCols) {
				return nil, badRequest("INSERT_COLUMN_ARITY_MISMATCH", "21S01", "Cannot write to the table: %d columns named, %d values given.", len(m.insertCols), len(m.insertVals))
			}
		default:
			return nil, p.fail()
		}
	}
	return m, p.end()
}

// An insertStmt is INSERT INTO target [(cols)] VALUES (...), ... or
// INSERT INTO target [(cols)] SELECT ....
type insertStmt struct {
	target []string
	cols   []string
	rows   [][]expr    // VALUES rows, or
	query  *selectStmt // a query
}

// parseInsert parses INSERT INTO table [(cols)] VALUES rows | SELECT ....
func parseInsert(src string) (*insertStmt, *sqlError) {
	p, err := newParser(src)
	if err != nil {
		return nil, err
	}
	in := &insertStmt{}
	if err := p.expectKw("INSERT"); err != nil {
		return nil, err
	}
	if p.isKw("OVERWRITE") {
		return nil, unsupported("INSERT OVERWRITE")
	}
	if err := p.expectKw("INTO"); err != nil {
		return nil, err
	}
	p.gotKw("TABLE")
	if in.target, err = p.name(); err != nil {
		return nil, err
	}
	if p.got(dbsql.LPAREN) {
		if in.cols, err = p.identsClose(); err != nil {
			return nil, err
		}
	}
	if p.isKw("SELECT") {
		if in.query, err = p.parseSelect(); err != nil {
			return nil, err
		}
		return in, p.end()
	}
	if err := p.expectKw("VALUES"); err != nil {
		return nil, err
	}
	for {
		if err := p.expect(dbsql.LPAREN); err != nil {
			return nil, err
		}
		row, err := p.exprsClose()
		if err != nil {
			return nil, err
		}
		in.rows = append(in.rows, row)
		if !p.got(dbsql.COMMA) {
			break
		}
	}
	return in, p.end()
}

// strings returns the list as a set when every item is a string literal,
// else nil.
func (x *inExpr) strings() map[string]bool {
	if x.set != nil || x.noSet {
		return x.set
	}
	set := make(map[string]bool, len(x.list))
	for _, y := range x.list {
		l, ok := y.(litExpr)
		s, isString := l.v.(string)
		if !ok || !isString {
			x.noSet = true
			return nil
		}
		set[s] = true
	}
	x.set = set
	return set
}
