package dbsql

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/diag"
)

// Pos is a compact source position: the byte offset in the file plus one.
// The zero value, [NoPos], means "no position".
type Pos int

// NoPos is the zero Pos: no position is known.
const NoPos Pos = 0

// IsValid reports whether p is a position.
func (p Pos) IsValid() bool { return p != NoPos }

// A Position is a source position in expanded form: file name, byte
// offset, line and column (both from 1; the column counts bytes). It is the
// module's one position type, [diag.Position].
type Position = diag.Position

// lineTable records the offsets at which lines start.
type lineTable struct {
	lines []int // offset of the first byte of each line; lines[0] == 0
}

func (t *lineTable) addLine(offset int) {
	if n := len(t.lines); n == 0 || t.lines[n-1] < offset {
		t.lines = append(t.lines, offset)
	}
}

func (t *lineTable) position(name string, p Pos) Position {
	if !p.IsValid() {
		return Position{File: name}
	}
	off := int(p) - 1
	i := sort.SearchInts(t.lines, off+1) - 1
	if i < 0 {
		i = 0
	}
	start := 0
	if i < len(t.lines) {
		start = t.lines[i]
	}
	return Position{File: name, Offset: off, Line: i + 1, Col: off - start + 1}
}

// Token is a lexical token of Databricks SQL. Keywords are not tokens of
// their own: SQL keywords are mostly non-reserved, so the scanner returns
// them as IDENT and the parser tells them apart.
type Token int

// The tokens.
const (
	ILLEGAL Token = iota
	EOF
	COMMENT // -- line comment or /* block comment */

	IDENT       // catalog, SELECT
	QUOTEDIDENT // `my table`
	STRING      // 'abc', "abc", r'abc'
	NUMBER      // 123, 1.5e3, 10L
	DOLLAR      // $$ body $$ or $tag$ body $tag$

	LPAREN    // (
	RPAREN    // )
	LBRACK    // [
	RBRACK    // ]
	COMMA     // ,
	SEMICOLON // ;
	DOT       // .
	COLON     // :
	EQ        // =
	NE        // <> or !=
	LT        // <
	GT        // >
	LE        // <=
	GE        // >=
	ADD       // +
	SUB       // -
	MUL       // *
	QUO       // /
	REM       // %
	OP        // any other operator: || :: -> => <=> & | ^ ~ ! == ? etc.
)

var tokenNames = [...]string{
	ILLEGAL:     "ILLEGAL",
	EOF:         "EOF",
	COMMENT:     "COMMENT",
	IDENT:       "IDENT",
	QUOTEDIDENT: "QUOTEDIDENT",
	STRING:      "STRING",
	NUMBER:      "NUMBER",
	DOLLAR:      "DOLLAR",
	LPAREN:      "(",
	RPAREN:      ")",
	LBRACK:      "[",
	RBRACK:      "]",
	COMMA:       ",",
	SEMICOLON:   ";",
	DOT:         ".",
	COLON:       ":",
	EQ:          "=",
	NE:          "<>",
	LT:          "<",
	GT:          ">",
	LE:          "<=",
	GE:          ">=",
	ADD:         "+",
	SUB:         "-",
	MUL:         "*",
	QUO:         "/",
	REM:         "%",
	OP:          "OP",
}

// String returns the token's name or, for operators and punctuation, its
// spelling.
func (t Token) String() string {
	if 0 <= t && int(t) < len(tokenNames) {
		return tokenNames[t]
	}
	return "token(" + strconv.Itoa(int(t)) + ")"
}

// An ErrorHandler may be given to [Scanner.Init]. The scanner calls it for
// each error it finds, with the error's position.
type ErrorHandler func(pos Position, msg string)

// A Scanner holds the state of a scan. Use [Scanner.Init] to set it up.
type Scanner struct {
	// immutable state
	name string
	src  string
	err  ErrorHandler
	tab  *lineTable

	// scanning state
	offset int // offset of the next byte to read

	// ErrorCount is the number of errors met. Public state - ok to modify.
	ErrorCount int
}

// Init prepares s to scan src, which is reported as coming from the file
// called filename. Errors are passed to err when it is not nil. The returned
// positions are byte offsets plus one; use [Scanner.Position] to expand them.
func (s *Scanner) Init(filename string, src []byte, err ErrorHandler) {
	s.init(filename, string(src), err, &lineTable{lines: []int{0}})
}

func (s *Scanner) init(filename, src string, err ErrorHandler, tab *lineTable) {
	*s = Scanner{name: filename, src: src, err: err, tab: tab}
	if strings.HasPrefix(src, bom) {
		s.offset = len(bom) // a byte order mark is skipped, as go/scanner does
	}
}

// bom is the UTF-8 byte order mark that some editors write first.
const bom = "\ufeff"

// Position expands p, a position returned by [Scanner.Scan]. It is exact
// for any position up to the end of the last token scanned.
func (s *Scanner) Position(p Pos) Position { return s.tab.position(s.name, p) }

func (s *Scanner) error(off int, msg string) {
	if s.err != nil {
		s.err(s.tab.position(s.name, Pos(off+1)), msg)
	}
	s.ErrorCount++
}

// newlines records the line starts in src[from:to].
func (s *Scanner) newlines(from, to int) {
	for i := from; i < to; i++ {
		if s.src[i] == '\n' {
			s.tab.addLine(i + 1)
		}
	}
}

// skipSpace skips white space, recording line starts.
func (s *Scanner) skipSpace() {
	for s.offset < len(s.src) {
		switch s.src[s.offset] {
		case '\n':
			s.offset++
			s.tab.addLine(s.offset)
		case ' ', '\t', '\r', '\f', '\v':
			s.offset++
		default:
			return
		}
	}
}

func isLetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c >= 0x80
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// Scan scans the next token and returns its position, the token and its
// literal text: the source text of the token (for STRING, QUOTEDIDENT and
// DOLLAR the raw text with its quotes). At the end of the input Scan
// returns EOF. Comments are returned as COMMENT tokens.
func (s *Scanner) Scan() (pos Pos, tok Token, lit string) {
	s.skipSpace()
	start := s.offset
	pos = Pos(start + 1)
	if start >= len(s.src) {
		return pos, EOF, ""
	}
	c := s.src[start]
	s.offset++
	switch {
	case isLetter(c):
		if (c == 'r' || c == 'R') && s.offset < len(s.src) && (s.src[s.offset] == '\'' || s.src[s.offset] == '"') {
			q := s.src[s.offset]
			s.offset++
			s.scanString(start, q, true)
			return pos, STRING, s.src[start:s.offset]
		}
		for s.offset < len(s.src) && (isLetter(s.src[s.offset]) || isDigit(s.src[s.offset])) {
			s.offset++
		}
		return pos, IDENT, s.src[start:s.offset]
	case isDigit(c) || c == '.' && s.offset < len(s.src) && isDigit(s.src[s.offset]):
		s.scanNumber()
		return pos, NUMBER, s.src[start:s.offset]
	}
	switch c {
	case '`':
		s.scanQuotedIdent(start)
		return pos, QUOTEDIDENT, s.src[start:s.offset]
	case '\'', '"':
		s.scanString(start, c, false)
		return pos, STRING, s.src[start:s.offset]
	case '$':
		if s.scanDollar(start) {
			return pos, DOLLAR, s.src[start:s.offset]
		}
		return pos, OP, s.src[start:s.offset]
	case '-':
		if s.peek('-') {
			for s.offset < len(s.src) && s.src[s.offset] != '\n' {
				s.offset++
			}
			return pos, COMMENT, s.src[start:s.offset]
		}
		if s.peek('>') {
			s.offset++
			return pos, OP, s.src[start:s.offset]
		}
		return pos, SUB, "-"
	case '/':
		if s.peek('*') {
			s.scanBlockComment(start)
			return pos, COMMENT, s.src[start:s.offset]
		}
		return pos, QUO, "/"
	case '(':
		return pos, LPAREN, "("
	case ')':
		return pos, RPAREN, ")"
	case '[':
		return pos, LBRACK, "["
	case ']':
		return pos, RBRACK, "]"
	case ',':
		return pos, COMMA, ","
	case ';':
		return pos, SEMICOLON, ";"
	case '.':
		return pos, DOT, "."
	case '+':
		return pos, ADD, "+"
	case '*':
		return pos, MUL, "*"
	case '%':
		return pos, REM, "%"
	case ':':
		if s.peek(':') {
			s.offset++
			return pos, OP, "::"
		}
		return pos, COLON, ":"
	case '=':
		if s.peek('=') || s.peek('>') {
			s.offset++
			return pos, OP, s.src[start:s.offset]
		}
		return pos, EQ, "="
	case '<':
		switch {
		case s.peek('>'):
			s.offset++
			return pos, NE, "<>"
		case s.peek('='):
			s.offset++
			if s.peek('>') {
				s.offset++
				return pos, OP, "<=>"
			}
			return pos, LE, "<="
		case s.peek('<'):
			s.offset++
			return pos, OP, "<<"
		}
		return pos, LT, "<"
	case '>':
		// ">>" is two tokens, so that ARRAY<ARRAY<INT>> closes twice.
		if s.peek('=') {
			s.offset++
			return pos, GE, ">="
		}
		return pos, GT, ">"
	case '!':
		if s.peek('=') {
			s.offset++
			return pos, NE, "!="
		}
		return pos, OP, "!"
	case '|':
		if s.peek('|') {
			s.offset++
		}
		return pos, OP, s.src[start:s.offset]
	case '&', '^', '~', '?', '{', '}', '@', '#', '\\':
		return pos, OP, s.src[start:s.offset]
	}
	s.error(start, fmt.Sprintf("invalid character %#U", rune(c)))
	return pos, ILLEGAL, s.src[start:s.offset]
}

// peek reports whether the next byte is c.
func (s *Scanner) peek(c byte) bool {
	return s.offset < len(s.src) && s.src[s.offset] == c
}

func (s *Scanner) scanNumber() {
	for s.offset < len(s.src) && (isDigit(s.src[s.offset]) || s.src[s.offset] == '.') {
		s.offset++
	}
	if s.offset < len(s.src) && (s.src[s.offset] == 'e' || s.src[s.offset] == 'E') {
		o := s.offset + 1
		if o < len(s.src) && (s.src[o] == '+' || s.src[o] == '-') {
			o++
		}
		if o < len(s.src) && isDigit(s.src[o]) {
			s.offset = o
			for s.offset < len(s.src) && isDigit(s.src[s.offset]) {
				s.offset++
			}
		}
	}
	// Type suffixes such as 10L, 1.5BD, 2Y, 3S, 1.0D, 1.0F.
	for s.offset < len(s.src) && isLetter(s.src[s.offset]) {
		s.offset++
	}
}

// scanQuotedIdent scans a back-quoted identifier; a doubled backtick
// stands for one.
func (s *Scanner) scanQuotedIdent(start int) {
	for {
		i := strings.IndexByte(s.src[s.offset:], '`')
		if i < 0 {
			s.newlines(s.offset, len(s.src))
			s.offset = len(s.src)
			s.error(start, "back-quoted identifier not terminated")
			return
		}
		s.newlines(s.offset, s.offset+i)
		s.offset += i + 1
		if !s.peek('`') {
			return
		}
		s.offset++
	}
}

// scanString scans a string quoted with q; unless raw, a backslash escapes
// the next byte.
func (s *Scanner) scanString(start int, q byte, raw bool) {
	for s.offset < len(s.src) {
		c := s.src[s.offset]
		s.offset++
		switch c {
		case q:
			return
		case '\\':
			if s.offset < len(s.src) {
				if raw && s.src[s.offset] != q {
					continue
				}
				if s.src[s.offset] == '\n' {
					s.tab.addLine(s.offset + 1)
				}
				s.offset++
			}
		case '\n':
			s.tab.addLine(s.offset)
		}
	}
	s.error(start, "string literal not terminated")
}

func (s *Scanner) scanBlockComment(start int) {
	s.offset++ // '*'
	depth := 1
	for s.offset < len(s.src) {
		c := s.src[s.offset]
		s.offset++
		switch {
		case c == '\n':
			s.tab.addLine(s.offset)
		case c == '*' && s.peek('/'):
			s.offset++
			if depth--; depth == 0 {
				return
			}
		case c == '/' && s.peek('*'):
			s.offset++
			depth++
		}
	}
	s.error(start, "comment not terminated")
}

// scanDollar scans a dollar-quoted body, $$ ... $$ or $tag$ ... $tag$, the
// opening '$' already read. It reports false, having consumed only the '$',
// when no dollar quote starts here.
func (s *Scanner) scanDollar(start int) bool {
	o := s.offset
	for o < len(s.src) && (isLetter(s.src[o]) || isDigit(s.src[o])) {
		o++
	}
	if o >= len(s.src) || s.src[o] != '$' {
		return false
	}
	tag := s.src[start : o+1]
	s.offset = o + 1
	i := strings.Index(s.src[s.offset:], tag)
	if i < 0 {
		s.newlines(s.offset, len(s.src))
		s.offset = len(s.src)
		s.error(start, "dollar-quoted body not terminated")
		return true
	}
	s.newlines(s.offset, s.offset+i)
	s.offset += i + len(tag)
	return true
}

// unquoteIdent returns the name of a back-quoted identifier literal.
func unquoteIdent(lit string) string {
	if len(lit) >= 2 && lit[len(lit)-1] == '`' {
		lit = lit[1 : len(lit)-1]
	} else {
		lit = lit[1:] // not terminated
	}
	if strings.Contains(lit, "``") {
		return strings.ReplaceAll(lit, "``", "`")
	}
	return lit
}

// unquoteString returns the value of a string literal: '...', "..." or
// r'...'. Backslash escapes are interpreted as Spark SQL does (\n, \t, ...;
// any other escaped byte stands for itself). In a raw string a backslash
// only keeps the quote that follows it from ending the string.
func unquoteString(lit string) string {
	raw := false
	if lit != "" && (lit[0] == 'r' || lit[0] == 'R') {
		raw = true
		lit = lit[1:]
	}
	if lit == "" {
		return ""
	}
	q, body := lit[0], lit[1:]
	if strings.IndexByte(body, '\\') < 0 {
		return strings.TrimSuffix(body, string(q))
	}
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == q {
			break
		}
		if c != '\\' || i+1 == len(body) {
			b.WriteByte(c)
			continue
		}
		i++
		c = body[i]
		if raw {
			b.WriteByte('\\')
			b.WriteByte(c)
			continue
		}
		switch c {
		case 'n':
			c = '\n'
		case 't':
			c = '\t'
		case 'r':
			c = '\r'
		case 'b':
			c = '\b'
		case '0':
			c = 0
		case 'Z':
			c = 26
		}
		b.WriteByte(c)
	}
	return b.String()
}
