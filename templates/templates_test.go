package templates

import (
	"slices"
	"strings"
	"testing"

	"text/template/parse"
)

// TestFuncMapAllowList: the function map is exactly ident, lit and
// comment, and every function a template calls is one of them or a
// text/template builtin (no function with a clock, randomness or the
// environment can slip in).
func TestFuncMapAllowList(t *testing.T) {
	var got []string
	for name := range FuncMap() {
		got = append(got, name)
	}
	slices.Sort(got)
	if want := []string{"comment", "ident", "lit"}; !slices.Equal(got, want) {
		t.Errorf("function map = %v, want %v", got, want)
	}
	builtins := []string{"and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf", "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne"}
	for _, tmpl := range parsed.Templates() {
		if tmpl.Tree == nil {
			continue
		}
		for _, fn := range calledFunctions(tmpl.Tree.Root) {
			if _, ok := FuncMap()[fn]; !ok && !slices.Contains(builtins, fn) {
				t.Errorf("template %s calls %s, which is neither in the function map nor a builtin", tmpl.Name(), fn)
			}
		}
	}
}

// calledFunctions returns the names of the functions a template node calls.
func calledFunctions(n parse.Node) []string {
	var out []string
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n != nil {
				for _, c := range n.Cmds {
					walk(c)
				}
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.IdentifierNode:
			out = append(out, n.Ident)
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		}
	}
	walk(n)
	return out
}

func TestMissingKeyIsAnError(t *testing.T) {
	if _, err := String("catalog", map[string]string{}); err == nil || !strings.HasPrefix(err.Error(), "templates: ") {
		t.Errorf("a template run without its fields gave err = %v, want a templates: error", err)
	}
}

func TestQuotingFunctions(t *testing.T) {
	type row struct{ Key, Value string }
	type view struct {
		Catalog, System, Functions                         string
		CatalogLocation, SystemLocation, FunctionsLocation string
		TenantNote, TenantWho, Marker, GuardAdvice         string
		Fingerprint                                        string
		Metadata                                           []row
	}
	v := view{Catalog: "c`x", System: "s", Functions: "f", CatalogLocation: "s3://b/'x",
		TenantWho: "tenant t'; DROP", Marker: " [ucbootstrap v1 tenant=t'; DROP]", GuardAdvice: "a\\b",
		Metadata: []row{{"tenant", "t'; DROP"}}}
	got, err := String("catalog", v)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, "CREATE CATALOG IF NOT EXISTS `c``x` MANAGED LOCATION 's3://b/\\'x'") {
		t.Errorf("catalog statement does not quote its values:\n%s", got)
	}
	for _, name := range []string{"guard_catalog_foreign", "guard_catalog_visible"} {
		guard, err := String(name, v)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(guard, `'c`+"`"+`x'`) || !strings.Contains(guard, `tenant=t\'; DROP]'`) {
			t.Errorf("%s does not escape the catalog and the marker:\n%s", name, guard)
		}
	}
	meta, err := String("table_integration_metadata", v)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(meta, `('tenant', 't\'; DROP')`) {
		t.Errorf("the metadata rows are not escaped:\n%s", meta)
	}
}
