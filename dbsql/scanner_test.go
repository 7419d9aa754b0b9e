package dbsql_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap/dbsql"
)

func ExampleScanner_Scan() {
	src := []byte("GRANT USE CATALOG ON `my``cat` TO r'a\\b'; -- done\n/* a /* nested */ comment */ $$ x; $$ <= 1.5e3")
	var s dbsql.Scanner
	s.Init("", src, nil)
	for {
		pos, tok, lit := s.Scan()
		if tok == dbsql.EOF {
			break
		}
		fmt.Printf("%s\t%s\t%q\n", s.Position(pos), tok, lit)
	}
	// Output:
	// 1:1	IDENT	"GRANT"
	// 1:7	IDENT	"USE"
	// 1:11	IDENT	"CATALOG"
	// 1:19	IDENT	"ON"
	// 1:22	QUOTEDIDENT	"`my``cat`"
	// 1:32	IDENT	"TO"
	// 1:35	STRING	"r'a\\b'"
	// 1:41	;	";"
	// 1:43	COMMENT	"-- done"
	// 2:1	COMMENT	"/* a /* nested */ comment */"
	// 2:30	DOLLAR	"$$ x; $$"
	// 2:39	<=	"<="
	// 2:42	NUMBER	"1.5e3"
}

func ExampleParseFile() {
	src := []byte("GRANT SELECT ON main.sales.orders TO `analysts`;\nGRANT ON x TO y;\nuse catalog main")
	f, err := dbsql.ParseFile("setup.sql", src)
	for _, s := range f.Stmts {
		fmt.Printf("%s: %T\n", f.Position(s.Pos()), s)
	}
	dbsql.PrintError(os.Stdout, err)
	if err := dbsql.Fprint(os.Stdout, f); err != nil {
		fmt.Println(err)
	}
	// Output:
	// setup.sql:1:1: *dbsql.GrantStmt
	// setup.sql:2:1: *dbsql.BadStmt
	// setup.sql:3:1: *dbsql.UseStmt
	// dbsql: setup.sql:2:7: expected privilege, found ON
	// dbsql: cannot print a BadStmt
}

func TestScanErrors(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"'abc", "1:1: string literal not terminated"},
		{"x \"abc\n", "1:3: string literal not terminated"},
		{"\n  r'abc\\'", "2:3: string literal not terminated"},
		{"a `b``", "1:3: back-quoted identifier not terminated"},
		{"/* a /* b */", "1:1: comment not terminated"},
		{"x\n\n $$ body", "3:2: dollar-quoted body not terminated"},
		{"a \x01", "1:3: invalid character U+0001"},
	}
	for _, tt := range tests {
		var got []string
		var s dbsql.Scanner
		s.Init("", []byte(tt.src), func(pos dbsql.Position, msg string) {
			got = append(got, fmt.Sprintf("%s: %s", pos, msg))
		})
		for {
			if _, tok, _ := s.Scan(); tok == dbsql.EOF {
				break
			}
		}
		if len(got) == 0 || got[0] != tt.want {
			t.Errorf("scan %q: errors %q, want %q first", tt.src, got, tt.want)
		}
		if s.ErrorCount != len(got) {
			t.Errorf("scan %q: ErrorCount = %d, want %d", tt.src, s.ErrorCount, len(got))
		}
	}
}

func TestPosition(t *testing.T) {
	src := "a\nbc\n\nd"
	f, _ := dbsql.ParseFile("f.sql", []byte(src))
	for off, want := range []string{"f.sql:1:1", "f.sql:1:2", "f.sql:2:1", "f.sql:2:2", "f.sql:2:3", "f.sql:3:1", "f.sql:4:1"} {
		if got := f.Position(dbsql.Pos(off + 1)).String(); got != want {
			t.Errorf("offset %d: %s, want %s", off, got, want)
		}
	}
	if got := f.Position(dbsql.NoPos).String(); got != "f.sql" {
		t.Errorf("NoPos: %s, want f.sql", got)
	}
	if got := (dbsql.Position{}).String(); got != "-" {
		t.Errorf("zero Position: %s, want -", got)
	}
}

func TestStringValues(t *testing.T) {
	tests := []struct{ lit, want string }{
		{`'plain'`, "plain"},
		{`"dq"`, "dq"},
		{`'a\'b'`, "a'b"},
		{`'a\\b'`, `a\b`},
		{`'\n\t\r\0\Z\x'`, "\n\t\r\x00\x1ax"},
		{`r'a\b'`, `a\b`},
		{`r'a\'b'`, `a\'b`},
		{`'it' 's'`, "its"},
	}
	for _, tt := range tests {
		s, err := dbsql.ParseStmt("CREATE CATALOG c COMMENT " + tt.lit)
		if err != nil {
			t.Errorf("%s: %v", tt.lit, err)
			continue
		}
		if got := s.(*dbsql.CreateCatalogStmt).Comment.Value; got != tt.want {
			t.Errorf("%s: value %q, want %q", tt.lit, got, tt.want)
		}
	}
}

func TestParseStmtErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"", "dbsql: 1:1: expected statement, found end of input"},
		{"GRANT SELECT ON t TO a; GRANT SELECT ON t TO b", "dbsql: 1:25: expected end of input, found second statement"},
		{"GRANT SELECT ON t TO", "dbsql: 1:21: expected principal (a user, group or service principal), found end of input"},
		{"SELECT (1", "dbsql: 1:10: expected ')', found end of input"},
	}
	for _, tt := range tests {
		_, err := dbsql.ParseStmt(tt.src)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseStmt(%q): %v, want %s", tt.src, err, tt.want)
		}
	}
}

func TestErrorList(t *testing.T) {
	f, err := dbsql.ParseFile("x.sql", []byte(strings.Repeat("GRANT;\n", 3)))
	if len(f.Stmts) != 3 {
		t.Errorf("%d statements, want 3", len(f.Stmts))
	}
	want := "dbsql: x.sql:1:6: expected privilege, found ';' (and 2 more errors)"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

func TestScanOperators(t *testing.T) {
	src := "( ) [ ] , ; . : :: = == => <> != < > <= >= <=> << + - -> * / % || | & ^ ~ ! ? { } @ # \\ $ 1 .5 2e-3 10L 1.5BD"
	want := "( ) [ ] , ; . : OP = OP OP <> <> < > <= >= OP OP + - OP * / % OP OP OP OP OP OP OP OP OP OP OP OP OP NUMBER NUMBER NUMBER NUMBER NUMBER"
	var s dbsql.Scanner
	s.Init("", []byte(src), func(pos dbsql.Position, msg string) { t.Errorf("%s: %s", pos, msg) })
	var got, lits []string
	for {
		_, tok, lit := s.Scan()
		if tok == dbsql.EOF {
			break
		}
		got = append(got, tok.String())
		lits = append(lits, lit)
	}
	if g := strings.Join(got, " "); g != want {
		t.Errorf("tokens\n%s\nwant\n%s", g, want)
	}
	if g := strings.Join(lits, " "); g != src {
		t.Errorf("literals\n%s\nwant\n%s", g, src)
	}
}

// A byte order mark at the start is skipped; positions keep counting it.
func TestScanByteOrderMark(t *testing.T) {
	f, err := dbsql.ParseFile("s.sql", []byte("\ufeff-- a comment\nGRANT SELECT ON TABLE a.b.c TO `x`;\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Stmts) != 1 {
		t.Fatalf("%d statements, want 1", len(f.Stmts))
	}
	if _, ok := f.Stmts[0].(*dbsql.GrantStmt); !ok {
		t.Errorf("statement is %T, want a GRANT", f.Stmts[0])
	}
}

func TestStringValueAndIdentName(t *testing.T) {
	for lit, want := range map[string]string{`'it\'s'`: "it's", `"a\nb"`: "a\nb", `r'a\b'`: `a\b`, `''`: ""} {
		if got := dbsql.StringValue(lit); got != want {
			t.Errorf("StringValue(%s) = %q, want %q", lit, got, want)
		}
	}
	for lit, want := range map[string]string{"`a``b`": "a`b", "`x`": "x"} {
		if got := dbsql.IdentName(lit); got != want {
			t.Errorf("IdentName(%s) = %q, want %q", lit, got, want)
		}
	}
}
