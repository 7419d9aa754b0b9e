package dbsql

// This file checks the shape of the statements kept opaque: the first
// tokens after the verb must be those of the statement's syntax in the
// Databricks SQL language reference, so that prose whose first word is a
// verb ("Set up Unity Catalog first.", "Select the rows you want.") is a
// syntax error and not an opaque statement that swallows the script up to
// the next semicolon. The checks are deliberately shallow: each looks at
// the few tokens that every valid form of the statement starts with, and
// accepts what follows.

// checkOpaque checks the tokens after the verb of an opaque statement, the
// verb already consumed. It reports the first token that does not fit and
// abandons the statement.
func (p *parser) checkOpaque(verb string) {
	switch verb {
	case "SELECT":
		p.checkSelect()
	case "WITH":
		// WITH [RECURSIVE] name [(columns)] [AS] (query) ...
		if p.is("RECURSIVE") {
			if tok, _ := p.peek(); tok == IDENT || tok == QUOTEDIDENT {
				p.next()
			}
		}
		p.opaqueIdent("the name of a common table expression after WITH")
		if p.tok != LPAREN && !p.is("AS") {
			p.errorExpected("AS or '(' after the name of the common table expression")
		}
	case "VALUES":
		p.opaqueExprStart("an expression after VALUES")
	case "FROM":
		if p.tok != IDENT && p.tok != QUOTEDIDENT && p.tok != LPAREN && p.tok != STRING {
			p.errorExpected("a table after FROM")
		}
	case "TABLE":
		p.checkTableQuery()
	case "INSERT":
		p.opaqueWord("INSERT", "INTO", "OVERWRITE", "WITH") // INSERT [WITH SCHEMA EVOLUTION] { INTO | OVERWRITE }
	case "MERGE":
		p.opaqueWord("MERGE", "INTO", "WITH") // MERGE [WITH SCHEMA EVOLUTION] INTO
	case "UPDATE":
		p.checkUpdate()
	case "DELETE":
		p.opaqueWord("DELETE", "FROM")
	case "EXPLAIN":
		p.checkExplain()
	case "COPY":
		p.opaqueWord("COPY", "INTO")
	case "ANALYZE":
		p.opaqueWord("ANALYZE", "TABLE", "TABLES")
	case "TRUNCATE", "REORG", "REPAIR", "UNCACHE":
		p.opaqueWord(verb, "TABLE")
	case "CONVERT":
		p.opaqueWord("CONVERT", "TO") // CONVERT TO DELTA
	case "SYNC":
		p.opaqueWord("SYNC", "SCHEMA", "TABLE")
	case "MSCK", "FSCK":
		p.opaqueWord(verb, "REPAIR")
	case "CLEAR":
		p.opaqueWord("CLEAR", "CACHE")
	case "LOAD":
		p.opaqueWord("LOAD", "DATA")
	case "CACHE":
		p.opaqueWord("CACHE", "TABLE", "LAZY", "SELECT")
	case "EXECUTE":
		p.opaqueWord("EXECUTE", "IMMEDIATE")
	case "ADD":
		p.opaqueWord("ADD", resourceWords...)
	case "LIST":
		// LIST 'url' ... or LIST { JAR | FILE | ARCHIVE } ...
		if p.tok != STRING && !p.gotAny(resourceWords) {
			p.errorExpectedWord("a path string or "+words(resourceWords...)+" after LIST", resourceWords)
		}
	case "GET", "PUT", "REMOVE":
		if p.tok != STRING {
			p.errorExpected("a path string after " + verb)
		}
	case "GENERATE":
		// GENERATE mode FOR TABLE name
		p.opaqueIdent("a mode such as symlink_format_manifest after GENERATE")
		p.opaqueWord("GENERATE mode", "FOR")
	case "CALL":
		// CALL name ( [argument [, ...]] )
		if !p.skipOpaqueName("a procedure name after CALL") {
			return
		}
		if p.tok != LPAREN {
			p.errorExpected("'(' after the procedure name")
		}
	case "COMMIT", "ROLLBACK":
		// COMMIT [TRANSACTION | WORK]
		if !p.atEnd() {
			p.opaqueWord(verb, "TRANSACTION", "WORK")
			if !p.atEnd() {
				p.errorExpected("';'")
			}
		}
	case "RESET":
		// RESET [key]: a key is one run of characters, without blanks.
		if !p.atEnd() {
			p.next()
			p.checkKeyRun("';' after the configuration key")
		}
	case "SET":
		p.checkSet()
	case "OPTIMIZE", "VACUUM", "RESTORE", "UNDROP", "DECLARE":
		// OPTIMIZE table, VACUUM table or 'path', RESTORE [TABLE] table,
		// UNDROP TABLE, DECLARE [OR REPLACE] [VARIABLE] name. REFRESH
		// takes a resource path of any shape, and DENY is checked by the
		// server.
		if p.tok != IDENT && p.tok != QUOTEDIDENT && p.tok != STRING {
			p.errorExpected("a name after " + verb)
		}
	}
}

// resourceWords are the resources of ADD and LIST.
var resourceWords = []string{"JAR", "JARS", "FILE", "FILES", "ARCHIVE", "ARCHIVES"}

// opaqueWord requires one of the keywords after what (the words already
// read) and consumes it.
func (p *parser) opaqueWord(what string, kws ...string) {
	if !p.gotAny(kws) {
		p.errorExpectedWord(words(kws...)+" after "+what, kws)
	}
}

// gotAny consumes one of the keywords if it is next.
func (p *parser) gotAny(kws []string) bool {
	for _, kw := range kws {
		if p.is(kw) {
			p.next()
			return true
		}
	}
	return false
}

// opaqueIdent requires a name part and consumes it.
func (p *parser) opaqueIdent(what string) {
	if p.tok != IDENT && p.tok != QUOTEDIDENT {
		p.errorExpected(what)
	}
	p.next()
}

// opaqueExprStart requires a token that can start an expression.
func (p *parser) opaqueExprStart(what string) {
	switch p.tok {
	case EOF, SEMICOLON, COMMA, RPAREN, RBRACK:
		p.errorExpected(what)
	}
}

// skipOpaqueName consumes a name such as a.b.c. It reports false for
// IDENTIFIER(...) and a name that goes on with something other than a
// name part, whose rest the caller accepts unchecked.
func (p *parser) skipOpaqueName(what string) bool {
	if p.is("IDENTIFIER") {
		if tok, _ := p.peek(); tok == LPAREN {
			return false
		}
	}
	p.opaqueIdent(what)
	for p.tok == DOT {
		p.next()
		if p.tok != IDENT && p.tok != QUOTEDIDENT {
			return false
		}
		p.next()
	}
	return true
}

// checkKeyRun checks that the tokens up to the end of the statement, or to
// an '=', follow each other without blanks: a configuration key such as
// spark.sql.ansi.enabled is one run of characters.
func (p *parser) checkKeyRun(expected string) {
	for !p.atEnd() && p.tok != EQ {
		if p.pos != p.prevEnd {
			p.errorExpected(expected)
		}
		p.next()
	}
}

// checkSet checks a SET that is not SET TAG: SET, SET -v, SET key [=
// value], SET VAR ..., SET TIME ZONE ..., SET CATALOG ..., SET
// QUERY_TAGS ....
func (p *parser) checkSet() {
	if p.atEnd() || p.tok != IDENT || p.isAny("VAR", "VARIABLE", "TIME", "CATALOG", "SCHEMA", "QUERY_TAGS") {
		return
	}
	p.next()
	p.checkKeyRun("'=' after the configuration key")
}

// selectFollow are the words that may follow a select item: the clauses
// of a query and the set operators.
var selectFollow = []string{
	"FROM", "WHERE", "GROUP", "HAVING", "ORDER", "SORT", "CLUSTER", "DISTRIBUTE",
	"LIMIT", "OFFSET", "WINDOW", "QUALIFY", "UNION", "INTERSECT", "EXCEPT", "MINUS",
	"LATERAL", "INTO", "PIVOT", "UNPIVOT", "TABLESAMPLE",
}

// exprWords are the words that start or continue an expression over more
// than one word (CASE WHEN, x IS NULL, a LIKE b, INTERVAL 1 DAY, ...), and
// the words of a select list that are not select items.
var exprWords = []string{
	"AS", "AND", "OR", "NOT", "IS", "IN", "LIKE", "ILIKE", "RLIKE", "REGEXP",
	"BETWEEN", "ESCAPE", "DIV", "MOD", "XOR", "OVER", "FILTER", "WITHIN", "IGNORE",
	"RESPECT", "COLLATE", "AT", "SIMILAR", "CASE", "WHEN", "THEN", "ELSE", "END",
	"CAST", "TRY_CAST", "EXISTS", "INTERVAL", "DATE", "TIMESTAMP", "TIMESTAMP_NTZ",
	"TIMESTAMP_LTZ", "X", "DISTINCT", "ALL", "TRANSFORM", "MAP", "REDUCE", "STRUCT",
	"ARRAY", "NULL", "TRUE", "FALSE", "ANY", "SOME", "UNKNOWN", "NULLS", "FIRST",
	"LAST", "ASC", "DESC", "STREAM",
}

// checkSelect checks SELECT [ALL | DISTINCT] item ...: the first item must
// start an expression, and a word followed by an alias must be followed
// by a comma, a clause of the query or the end: three words in a row
// ("Select the rows you want.") are no select list.
func (p *parser) checkSelect() {
	if p.is("ALL") || p.is("DISTINCT") {
		p.next()
	}
	p.opaqueExprStart("an expression after SELECT")
	if p.tok != IDENT || p.isAny(exprWords...) || p.isAny(selectFollow...) {
		return
	}
	first := p.lit
	p.next()
	if p.tok != IDENT || p.isAny(exprWords...) || p.isAny(selectFollow...) {
		return
	}
	alias := p.lit
	p.next()
	if p.tok != IDENT || p.isAny(exprWords...) || p.isAny(selectFollow...) {
		return
	}
	p.errorExpected("',', FROM or the end of the statement after the select item " + first + " " + alias)
}

// tableFollow are the words that may follow TABLE name.
var tableFollow = []string{
	"UNION", "INTERSECT", "EXCEPT", "MINUS", "ORDER", "SORT", "CLUSTER", "DISTRIBUTE",
	"LIMIT", "OFFSET", "WINDOW", "WITH", "VERSION", "TIMESTAMP", "FOR", "AS", "TABLESAMPLE",
}

// checkTableQuery checks TABLE name, a query that may go on with a set
// operator, ORDER BY, LIMIT or a pipe operator.
func (p *parser) checkTableQuery() {
	if !p.skipOpaqueName("a table name after TABLE") {
		return
	}
	if p.tok == IDENT && !p.isAny(tableFollow...) {
		p.errorExpected("';', UNION, ORDER BY or LIMIT after the table name of TABLE")
	}
}

// checkUpdate checks UPDATE table [[AS] alias] SET ....
func (p *parser) checkUpdate() {
	if !p.skipOpaqueName("a table name after UPDATE") {
		return
	}
	if p.is("SET") {
		return
	}
	if p.got("AS") || p.tok == IDENT || p.tok == QUOTEDIDENT {
		p.opaqueIdent("an alias after AS")
		if p.tok == LPAREN || p.is("SET") {
			return
		}
	}
	p.errorExpectedWord("SET after the table of UPDATE", []string{"SET"})
}

// checkExplain checks EXPLAIN [EXTENDED | CODEGEN | COST | FORMATTED]
// statement: the next word must start a statement.
func (p *parser) checkExplain() {
	p.got("EXTENDED") // only one mode, but any order is left to the server
	if p.isAny("CODEGEN", "COST", "FORMATTED", "LOGICAL", "ANALYZE") {
		p.next()
	}
	if p.tok == LPAREN {
		return
	}
	if p.tok == IDENT {
		w := upper(p.lit)
		if contains(parsedVerbs, w) || isOpaqueVerb(w) {
			return
		}
	}
	p.errorExpected("a statement after EXPLAIN")
}
