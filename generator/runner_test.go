package generator_test

import (
	"os"
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
)

// A cleanup's runner is one principal: a name no principal can have is
// refused, and a hostile one never becomes a statement of its own.
func TestCleanupRunner(t *testing.T) {
	data, err := os.ReadFile("../examples/payloads/manual-token.yaml")
	if err != nil {
		t.Fatal(err)
	}
	in, err := ucbootstrap.Decode("manual-token.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ runner, err string }{
		{"admin@example.com", ""},
		{"data engineers", ""},
		{"a`b", ""}, // quoted with its back quote doubled
		{" admin@example.com", `generator: the runner " admin@example.com" starts or ends with a blank: name the principal alone`},
		{"a\nGRANT ALL PRIVILEGES ON CATALOG x TO y", `generator: the runner "a\nGRANT ALL PRIVILEGES ON CATALOG x TO y" holds a control character: name the principal on one line`},
		{"a\x00b", `generator: the runner "a\x00b" holds a control character: name the principal on one line`},
		{strings.Repeat("x", 1025), "is longer than 1024 bytes"},
	} {
		s, err := generator.Generate(in, generator.Cleanup, generator.Runner(c.runner))
		switch {
		case c.err == "" && err != nil:
			t.Errorf("runner %q: %v", c.runner, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("runner %.40q: error %v, want %q", c.runner, err, c.err)
		case err == nil:
			var b strings.Builder
			if err := s.Render(&b); err != nil {
				t.Fatal(err)
			}
			stmts, err := splitScript(b.String())
			if err != nil {
				t.Fatal(err)
			}
			want := "ALTER CATALOG `immuta` OWNER TO `" + strings.ReplaceAll(c.runner, "`", "``") + "`"
			found := false
			for _, st := range stmts {
				found = found || st == want
			}
			if !found {
				t.Errorf("runner %q: no statement %s in\n%s", c.runner, want, b.String())
			}
		}
	}
}
