package dbsql

import (
	"sort"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/internal/suggest"
)

// parsedVerbs are the first words of the statements the parser analyses.
// SET and BEGIN are also opaque verbs: SET TAG is parsed, other SET
// statements are not; a BEGIN ... END block is opaque.
var parsedVerbs = []string{
	"CREATE", "GRANT", "REVOKE", "ALTER", "DROP", "USE", "SHOW", "COMMENT",
	"SET", "UNSET", "DESCRIBE", "DESC", "REPLACE",
}

// opaqueVerbs are the first words of the statements the parser keeps as an
// [OpaqueStmt]: queries and DML, and the session, maintenance and file
// commands of Databricks SQL. A statement that starts with another word is
// a syntax error.
var opaqueVerbs = []string{
	// Queries and DML.
	"SELECT", "WITH", "VALUES", "FROM", "TABLE", "INSERT", "MERGE", "UPDATE", "DELETE",
	"EXPLAIN",
	// Data and table maintenance.
	"COPY", "OPTIMIZE", "VACUUM", "ANALYZE", "REFRESH", "RESTORE", "UNDROP", "TRUNCATE",
	"CONVERT", "GENERATE", "REORG", "SYNC", "MSCK", "REPAIR", "FSCK", "CACHE", "UNCACHE",
	"CLEAR", "LOAD",
	// Files and resources.
	"LIST", "GET", "PUT", "REMOVE", "ADD",
	// Session, variables, procedures, scripting and transactions.
	"RESET", "DECLARE", "CALL", "EXECUTE", "BEGIN", "COMMIT", "ROLLBACK",
	// Legacy hive_metastore table access control.
	"DENY",
}

var opaqueVerbSet = func() map[string]bool {
	m := map[string]bool{}
	for _, v := range opaqueVerbs {
		m[v] = true
	}
	return m
}()

// allVerbs are the candidates of a did-you-mean for an unknown first word.
var allVerbs = func() []string {
	out := append([]string{}, parsedVerbs...)
	for _, v := range opaqueVerbs {
		if v != "BEGIN" {
			out = append(out, v)
		}
	}
	return out
}()

// isOpaqueVerb reports whether a statement that starts with the word w is
// kept opaque.
func isOpaqueVerb(w string) bool {
	if len(w) > 16 {
		return false
	}
	var buf [16]byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	return opaqueVerbSet[string(buf[:len(w)])]
}

// unknownStatement reports a statement that does not start with a
// statement verb, with a did-you-mean for a word close to one.
func (p *parser) unknownStatement() {
	if p.tok == IDENT {
		w := upper(p.lit)
		if s := suggest.Nearest(w, allVerbs); s != "" {
			p.fail(p.pos, "%s is not a statement of Databricks SQL: did you mean %s?", p.found(), s)
		}
		p.fail(p.pos, "%s is not a statement of Databricks SQL: a statement starts with a verb such as CREATE, GRANT, ALTER or SELECT", p.found())
	}
	p.fail(p.pos, "expected a statement (CREATE, GRANT, ALTER, SELECT, ...), found %s", p.found())
}

// OpaqueVerbs returns the first words of the statements that ParseFile
// keeps as an *OpaqueStmt, sorted. Other statements are parsed, or are
// syntax errors.
func OpaqueVerbs() []string {
	out := append([]string{}, opaqueVerbs...)
	out = append(out, "SET")
	sort.Strings(out)
	return out
}

// parseBegin parses BEGIN [TRANSACTION | WORK], a statement of its own, or
// a compound statement BEGIN ... END, kept opaque. The semicolons inside
// the compound statement do not end it.
func (p *parser) parseBegin() Stmt {
	start := p.pos
	p.next()
	if p.atEnd() || p.is("TRANSACTION") || p.is("WORK") {
		s := &OpaqueStmt{Verb: "BEGIN"}
		if p.atEnd() {
			s.Span = p.span(start, p.prevEnd)
		} else {
			s.Span = p.parseRest(start)
		}
		return s
	}
	p.skipCompound()
	return &OpaqueStmt{Verb: "BEGIN", Span: p.span(start, p.prevEnd)}
}

// blockWords are the words that open a block of a compound statement when
// they start a statement inside it, and that END closes (END IF, END
// LOOP, ...).
var blockWords = []string{"IF", "LOOP", "WHILE", "FOR", "REPEAT", "CASE"}

// skipCompound skips the body of a compound statement, the BEGIN already
// consumed, to its END. It counts the blocks that open (BEGIN, CASE, and IF,
// LOOP, WHILE, FOR and REPEAT at the start of a statement) and close (END,
// END IF, ...), outside parentheses.
func (p *parser) skipCompound() {
	depth := 1
	startOfStmt := true
	for p.tok != EOF {
		if p.depth == 0 && p.tok == IDENT {
			switch w := upper(p.lit); {
			case w == "BEGIN" || w == "CASE":
				depth++
			case w == "END":
				depth--
				p.next()
				if p.tok == IDENT {
					for _, b := range blockWords {
						if p.is(b) {
							p.next()
							break
						}
					}
				}
				if depth == 0 {
					return
				}
				startOfStmt = false
				continue
			case startOfStmt && contains(blockWords[:5], w):
				depth++
			}
		}
		startOfStmt = p.tok == SEMICOLON || p.tok == COLON || p.isAny("BEGIN", "THEN", "ELSE", "DO")
		p.next()
	}
	p.fail(p.pos, "expected END of the compound statement, found end of input")
}

func contains(list []string, w string) bool {
	for _, s := range list {
		if s == w {
			return true
		}
	}
	return false
}

// words returns the upper-case keywords of list joined by " or ", for a
// message.
func words(list ...string) string {
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + " or " + list[len(list)-1]
}
