package privileges_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ucbootstrap/ucbootstrap/dbsql"
	. "github.com/ucbootstrap/ucbootstrap/privileges"
)

func TestApplyScript(t *testing.T) {
	f, err := dbsql.ParseFile("edit.sql", []byte(`
GRANT USE CATALOG, MANAGE ON CATALOG main TO `+"`"+sp+"`"+`;
REVOKE SELECT ON SCHEMA main.sales FROM analysts;
GRANT MODIFY ON SCHEMA main.sales TO analysts;
REVOKE ALL PRIVILEGES ON SCHEMA main.sales FROM analysts;
ALTER CATALOG immuta OWNER TO `+"`"+sp+"`"+`;
GRANT usage ON CATALOG hr TO `+"`"+sp+"`"+`;
`))
	if err != nil {
		t.Fatal(err)
	}
	changes := FromScript(f)
	if len(changes) != 6 {
		t.Fatalf("%d changes, want 6", len(changes))
	}
	if p := changes[1].Pos; p.File != "edit.sql" || p.Line != 3 || p.Col != 1 {
		t.Errorf("REVOKE at %s, want edit.sql:3:1", p)
	}
	current := seq(
		g("analysts", "SELECT", Schema, "main.sales"),
		g("analysts", "SELECT", Table, "main.sales.orders"),
		g("analysts", "MANAGE", Schema, "main.sales"), // not covered by ALL PRIVILEGES: stays
		Grant{Principal: "analysts", Privilege: Select, On: NewSecurable(Table, "main.sales.x"), InheritedFrom: NewSecurable(Schema, "main.sales")}, // revoked at its source
		g("data-eng", "SELECT", Schema, "main.sales"),
	)
	grants, owners := ApplyScript(current, map[Securable]string{NewSecurable(Catalog, "immuta"): "admin@example.com"}, changes)
	var got []string
	for gr, err := range grants {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, gr.String())
	}
	want := []string{
		"SELECT ON TABLE main.sales.orders TO analysts",
		"MANAGE ON SCHEMA main.sales TO analysts",
		"SELECT ON SCHEMA main.sales TO data-eng",
		"USE CATALOG ON CATALOG main TO " + sp,
		"MANAGE ON CATALOG main TO " + sp,
		"USE CATALOG ON CATALOG hr TO " + sp,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("grants after the script (-want +got):\n%s", diff)
	}
	if o := owners[NewSecurable(Catalog, "immuta")]; o != sp {
		t.Errorf("owner of immuta = %q, want %s", o, sp)
	}
}
