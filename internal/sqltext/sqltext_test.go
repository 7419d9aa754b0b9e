package sqltext

import "testing"

func TestIdent(t *testing.T) {
	tests := []struct {
		parts []string
		want  string
	}{
		{[]string{"main"}, "`main`"},
		{[]string{"main", "sales", "orders"}, "`main`.`sales`.`orders`"},
		{[]string{"a`b"}, "`a``b`"},
		{[]string{"x`; DROP CATALOG y; --"}, "`x``; DROP CATALOG y; --`"},
	}
	for _, tt := range tests {
		if got := Ident(tt.parts...); got != tt.want {
			t.Errorf("Ident(%q) = %s, want %s", tt.parts, got, tt.want)
		}
	}
}

func TestLiteral(t *testing.T) {
	tests := []struct{ in, want string }{
		{"acme", `'acme'`},
		{"it's", `'it\'s'`},
		{`a\b`, `'a\\b'`},
		{`\'; DROP`, `'\\\'; DROP'`},
		{"two\nlines", `'two\nlines'`},
		{"nul\x00", `'nul\u0000'`},
	}
	for _, tt := range tests {
		if got := Literal(tt.in); got != tt.want {
			t.Errorf("Literal(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestComment(t *testing.T) {
	if got := Comment("a\nDROP CATALOG x;\r"); got != "a DROP CATALOG x; " {
		t.Errorf("Comment = %q", got)
	}
}
