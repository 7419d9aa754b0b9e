package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHugeValuesAreCut gives each command a value of 1 MB where a message
// repeats it: every line of its output stays short, and says how long the
// value was where it quotes it.
func TestHugeValuesAreCut(t *testing.T) {
	dir := t.TempDir()
	huge := strings.Repeat("F", 1<<20)
	example, err := os.ReadFile("../../examples/payloads/manual-token.yaml")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	payload := write("p.yaml", string(example))
	for _, c := range []struct {
		name string
		args []string
		want string // in the output
	}{
		{"type", []string{"validate", write("type.yaml", strings.Replace(string(example), "type: Databricks", "type: Databricks"+huge, 1))}, "(1048586 bytes)"},
		{"tenant", []string{"validate", write("tenant.yaml", strings.Replace(string(example), "tenant: acme-prod", "tenant: \"["+huge+"\"", 1))}, "(1048577 bytes)"},
		{"object type", []string{"audit", payload, "--grants", write("ot.csv", "Principal,ActionType,ObjectType,ObjectKey\nx,SELECT,"+huge+",a.b.c\n")}, "(1048576 bytes)"},
		{"privilege", []string{"audit", payload, "--grants", write("pv.csv", "Principal,ActionType,ObjectType,ObjectKey\nx,"+huge+",CATALOG,main\n")}, "(1048576 bytes)"},
		{"script", []string{"lint", write("s.sql", "GRANT "+huge+" ON TABLE main.a.b TO `x`;\nGRANT SELECT ON TABLE immuta.a.b TO `"+huge+"`;\nGRANT SELECT ON TABLE samples."+huge+".b TO `x`;\n"), "--payload", payload}, "UCB015"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, stdout, stderr := runCLI(t, c.args...)
			out := stdout + stderr
			for l := range strings.SplitSeq(out, "\n") {
				if len(l) > 2000 {
					t.Errorf("a line of %d bytes: %.200s...", len(l), l)
				}
			}
			if !strings.Contains(out, c.want) {
				t.Errorf("output does not say %q:\n%.2000s", c.want, out)
			}
		})
	}
}
