package listing

import (
	"fmt"
	"iter"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ucbootstrap/ucbootstrap/dbsql"
	"github.com/ucbootstrap/ucbootstrap/privileges"
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
		g("analysts", "SELECT", privileges.Schema, "main.sales"),
		g("analysts", "SELECT", privileges.Table, "main.sales.orders"),
		g("analysts", "MANAGE", privileges.Schema, "main.sales"), // not covered by ALL PRIVILEGES: stays
		privileges.Grant{Principal: "analysts", Privilege: privileges.Select, On: privileges.NewSecurable(privileges.Table, "main.sales.x"), InheritedFrom: privileges.NewSecurable(privileges.Schema, "main.sales")}, // revoked at its source
		g("data-eng", "SELECT", privileges.Schema, "main.sales"),
	)
	grants, owners := ApplyScript(current, map[privileges.Securable]string{privileges.NewSecurable(privileges.Catalog, "immuta"): "admin@example.com"}, changes)
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
	if o := owners[privileges.NewSecurable(privileges.Catalog, "immuta")]; o != sp {
		t.Errorf("owner of immuta = %q, want %s", o, sp)
	}
}

const sp = "6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f"

func seq(gs ...privileges.Grant) iter.Seq2[privileges.Grant, error] {
	return func(yield func(privileges.Grant, error) bool) {
		for _, g := range gs {
			if !yield(g, nil) {
				return
			}
		}
	}
}

func g(principal, priv string, t privileges.SecurableType, name string) privileges.Grant {
	p, legacy := privileges.Normalize(priv, t)
	return privileges.Grant{Principal: principal, Privilege: p, On: privileges.NewSecurable(t, name), Spelling: priv, Legacy: legacy}
}

// TestRESTGrantNulls: every spelling of "not inherited" that REST
// responses and dumps use gives a direct grant.
func TestRESTGrantNulls(t *testing.T) {
	on := privileges.NewSecurable(privileges.Table, "main.sales.orders")
	for _, null := range []string{"", "null", "NULL", "None", " None "} {
		g, err := RESTGrant("a@x.com", on, "SELECT", null, null)
		if err != nil || !g.Direct() {
			t.Errorf("inherited_from %q: %v, %v; want a direct grant", null, g, err)
		}
	}
	g, err := RESTGrant("a@x.com", on, "SELECT", "SCHEMA", "None")
	if err != nil || g.InheritedFrom != privileges.NewSecurable(privileges.Schema, "main.sales") {
		t.Errorf("inherited from SCHEMA: %v, %v", g, err)
	}
	if _, err := RESTGrant("a@x.com", on, " ", "", ""); err == nil {
		t.Error("an empty privilege is not an error")
	}
}

// TestFromScriptHive checks that the grants of a script on hive_metastore
// are labelled Hive.
func TestFromScriptHive(t *testing.T) {
	f, err := dbsql.ParseFile("hive.sql", []byte("GRANT USAGE ON CATALOG TO g;\nGRANT SELECT ON ANY FILE TO g;\nGRANT SELECT ON hive_metastore.default.t TO g;\nGRANT SELECT ON main.s.t TO g;\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range FromScript(f) {
		for _, gr := range c.Grants {
			got = append(got, fmt.Sprintf("%s %s hive=%v legacy=%v", gr.Privilege, gr.On, gr.Hive, gr.Legacy))
		}
	}
	want := []string{
		"USE_CATALOG CATALOG hive_metastore hive=true legacy=true",
		"SELECT ANY FILE hive=true legacy=false",
		"SELECT TABLE hive_metastore.default.t hive=true legacy=false",
		"SELECT TABLE main.s.t hive=false legacy=false",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("grants (-want +got):\n%s", diff)
	}
}
