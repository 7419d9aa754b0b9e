package generator_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/dbsql"
	"github.com/ucbootstrap/ucbootstrap/generator"
)

// A metastore for the guard test: the catalogs that exist, with their
// comments, and which of them the runner may see in information_schema.
type metastore struct {
	comments map[string]string
	visible  map[string]bool
}

// The literals of the guards' conditions: the catalog's name and the
// marker the comment must end with.
var (
	catalogCond = regexp.MustCompile(`catalog_name = '((?:[^'\\]|\\.)*)'`)
	markerCond  = regexp.MustCompile(`endswith\(coalesce\(comment, ''\), '((?:[^'\\]|\\.)*)'\)`)
	unescape    = strings.NewReplacer(`\'`, `'`, `\\`, `\`)
)

// run executes the statements of a script that the guards are about, in
// order, as Unity Catalog would: the guards' SELECTs over the catalogs the
// runner sees, CREATE CATALOG IF NOT EXISTS, and DROP CATALOG IF EXISTS. It
// returns the index of the statement that raised an error, or -1, and
// whether anything else was reached after the refusal point (it never is:
// the script stops at the first error).
func (m *metastore) run(t *testing.T, s *generator.Script) (stopped int) {
	t.Helper()
	sql, err := s.SQL()
	if err != nil {
		t.Fatal(err)
	}
	f, err := dbsql.ParseFile("script.sql", []byte(sql))
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range f.Stmts {
		switch st := st.(type) {
		case *dbsql.OpaqueStmt:
			if !strings.Contains(st.Text, "raise_error") {
				continue
			}
			name := unescape.Replace(catalogCond.FindStringSubmatch(st.Text)[1])
			marker := unescape.Replace(markerCond.FindStringSubmatch(st.Text)[1])
			comment, exists := m.comments[name]
			seen := exists && m.visible[name]
			marked := seen && strings.HasSuffix(comment, marker)
			switch {
			case strings.Contains(st.Text, "NOT endswith"): // guard 1: a visible catalog without the marker
				if seen && !marked {
					return i
				}
			case strings.Contains(st.Text, "marked.n = 0"): // guard 2: no visible catalog with the marker
				if !marked {
					return i
				}
			default:
				t.Fatalf("unknown guard: %s", st.Text)
			}
		case *dbsql.CreateCatalogStmt:
			name := st.Name.Parts[0].Name
			if _, exists := m.comments[name]; !exists {
				m.comments[name] = st.Comment.Value
				m.visible[name] = true // its creator owns it
			}
		case *dbsql.DropStmt:
			delete(m.comments, st.Object.Name.Parts[0].Name)
		}
	}
	return -1
}

func guardPayload(t *testing.T, tenant string) *ucbootstrap.Integration {
	t.Helper()
	return guardPayloadSP(t, tenant, "6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f")
}

func guardPayloadSP(t *testing.T, tenant, sp string) *ucbootstrap.Integration {
	t.Helper()
	in, err := ucbootstrap.Decode("payload.yaml", []byte(`type: Databricks
autoBootstrap: false
config:
  workspaceUrl: dbc-a1b2c3d4-e5f6.cloud.databricks.com
  httpPath: /sql/1.0/warehouses/8a1b2c3d4e5f6a7b
  authenticationType: token
  token: dapi-test
  catalog: sales_prod
  servicePrincipal: `+sp+`
  dataSources: [main.sales]
  tenant: `+tenant+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// TestCatalogGuards runs the guards of a generated bootstrap, cleanup and
// hand-over to a new service principal (edit) against catalogs that exist or not, carry the marker or not, and can be
// seen by the runner or not: ucbootstrap never takes over or drops a
// catalog it did not set up for this integration, and a re-run of its own
// bootstrap passes. (The workspace emulator runs the same statements for
// real in its end-to-end tests.)
func TestCatalogGuards(t *testing.T) {
	in := guardPayload(t, "acme-prod")
	boot, err := generator.Generate(in, generator.Bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	cleanup, err := generator.Generate(in, generator.Cleanup)
	if err != nil {
		t.Fatal(err)
	}
	other, err := generator.Generate(guardPayload(t, "acme-test"), generator.Bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	// An edit that hands the catalog to a new service principal.
	handOver, err := generator.Generate(guardPayloadSP(t, "acme-prod", "0d9c8b7a-6f5e-4d3c-2b1a-0f9e8d7c6b5a"), generator.Edit, generator.From(in))
	if err != nil {
		t.Fatal(err)
	}
	fresh := func() *metastore { return &metastore{comments: map[string]string{}, visible: map[string]bool{}} }

	// A new catalog is created and passes its own guards; a re-run of the
	// same bootstrap passes too, and the cleanup drops it.
	m := fresh()
	if i := m.run(t, boot); i >= 0 {
		t.Fatalf("a fresh bootstrap stops at statement %d", i)
	}
	if i := m.run(t, boot); i >= 0 {
		t.Errorf("a re-run of the bootstrap stops at statement %d", i)
	}
	if i := m.run(t, handOver); i >= 0 {
		t.Errorf("the hand-over of our own catalog to a new service principal stops at statement %d", i)
	}
	// A second tenant on the same catalog is refused before anything.
	if i := m.run(t, other); i != 0 {
		t.Errorf("another tenant's bootstrap on the catalog stops at statement %d, want 0", i)
	}
	if i := m.run(t, cleanup); i >= 0 {
		t.Errorf("the cleanup of our own catalog stops at statement %d", i)
	}
	if _, ok := m.comments["sales_prod"]; ok {
		t.Error("the cleanup left the catalog")
	}
	// Once the catalog is gone, the cleanup runs again harmlessly.
	if i := m.run(t, cleanup); i >= 0 {
		t.Errorf("a re-run of the cleanup stops at statement %d", i)
	}

	// An existing catalog that ucbootstrap did not set up: the bootstrap
	// stops at its first statement, before it creates or grants anything,
	// and the cleanup refuses to drop it.
	m = fresh()
	m.comments["sales_prod"], m.visible["sales_prod"] = "Sales data of the production workspace.", true
	if i := m.run(t, boot); i != 0 {
		t.Errorf("the bootstrap on an unmarked catalog stops at statement %d, want 0", i)
	}
	if i := m.run(t, cleanup); i != 0 {
		t.Errorf("the cleanup of an unmarked catalog stops at statement %d, want 0", i)
	}
	if i := m.run(t, handOver); i != 0 {
		t.Errorf("the edit that hands an unmarked catalog to a new service principal stops at statement %d, want 0", i)
	}
	if _, ok := m.comments["sales_prod"]; !ok {
		t.Error("the unmarked catalog was dropped")
	}

	// An existing catalog the runner cannot see: nothing is created in it;
	// the second guard stops the bootstrap right after the CREATE CATALOG
	// IF NOT EXISTS (which does nothing to an existing catalog).
	m = fresh()
	m.comments["sales_prod"] = "Sales data of the production workspace."
	i := m.run(t, boot)
	if i < 0 || boot.Statements[i].Section != generator.SectionCatalog || !strings.Contains(boot.Statements[i-1].SQL, "CREATE CATALOG IF NOT EXISTS") {
		t.Errorf("the bootstrap on an invisible catalog stops at statement %d, want the guard right after CREATE CATALOG", i)
	}
}

// An edit that cannot be made in place is a *RefusalError with one reason
// per change, each saying what to do instead.
func TestEditRefusal(t *testing.T) {
	old := guardPayload(t, "acme-prod")
	changed := guardPayload(t, "acme-test")
	_, err := generator.Generate(changed, generator.Edit, generator.From(old))
	var refusal *generator.RefusalError
	if !errors.As(err, &refusal) {
		t.Fatalf("err = %v (%T), want a *RefusalError", err, err)
	}
	if len(refusal.Reasons) != 1 || !strings.Contains(refusal.Reasons[0], "config.tenant changes") || !strings.Contains(refusal.Reasons[0], "give the new tenant another config.catalog") {
		t.Errorf("reasons = %q", refusal.Reasons)
	}
	if !strings.HasPrefix(err.Error(), "generator: ") {
		t.Errorf("error %q lacks the package prefix", err)
	}
}
