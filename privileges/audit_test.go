package privileges_test

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/dbsql"
	"github.com/ucbootstrap/ucbootstrap/generator"
	. "github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/privileges/listing"
)

const sp = "6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f"

func payload(t testing.TB, extra string, auto bool) *ucbootstrap.Integration {
	t.Helper()
	ab := "false"
	if auto {
		ab = "true"
	}
	in, err := ucbootstrap.Decode("payload.yaml", []byte(`type: Databricks
autoBootstrap: `+ab+`
config:
  workspaceUrl: dbc-a1b2c3d4-e5f6.cloud.databricks.com
  httpPath: /sql/1.0/warehouses/8a1b2c3d4e5f6a7b
  authenticationType: token
  token: dapi-test
  catalog: immuta
  servicePrincipal: `+sp+"\n"+extra))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func seq(gs ...Grant) iter.Seq2[Grant, error] {
	return func(yield func(Grant, error) bool) {
		for _, g := range gs {
			if !yield(g, nil) {
				return
			}
		}
	}
}

func g(principal, priv string, t SecurableType, name string) Grant {
	p, legacy := Normalize(priv, t)
	return Grant{Principal: principal, Privilege: p, On: NewSecurable(t, name), Spelling: priv, Legacy: legacy}
}

func result(t *testing.T, rep *Report, who Who, p Privilege, on Securable) Result {
	t.Helper()
	for _, r := range rep.Results {
		if r.Who == who && r.Privilege == p && r.On == on {
			return r
		}
	}
	t.Fatalf("no requirement %s %s on %s", who, p, on)
	return Result{}
}

func TestRequiredCurrent(t *testing.T) {
	in := payload(t, "  dataSources: [main.sales, hr.people.employees, finance]\n  audit: {enabled: true}\n", true)
	reqs, err := Required(in)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range reqs.List {
		got = append(got, r.String())
	}
	want := []string{
		"service principal: CREATE CATALOG on METASTORE (direct)",
		"service principal: ownership of CATALOG immuta (direct)",
		"service principal: ownership of SCHEMA immuta.immuta_system (direct)",
		"service principal: ownership of TABLE immuta.immuta_system.integration_metadata (direct)",
		"service principal: ownership of TABLE immuta.immuta_system.user_entitlements (direct)",
		"service principal: ownership of TABLE immuta.immuta_system.principal_exemptions (direct)",
		"service principal: ownership of TABLE immuta.immuta_system.setup_runs (direct)",
		"service principal: ownership of SCHEMA immuta.immuta_functions (direct)",
		"service principal: ownership of FUNCTION immuta.immuta_functions.is_exempt (direct)",
		"service principal: ownership of FUNCTION immuta.immuta_functions.has_attribute (direct)",
		"service principal: ownership of FUNCTION immuta.immuta_functions.filter_by_attribute (direct)",
		"service principal: ownership of FUNCTION immuta.immuta_functions.mask_string (direct)",
		"service principal: ownership of FUNCTION immuta.immuta_functions.mask_hash (direct)",
		"service principal: USE CATALOG on CATALOG finance (direct)",
		"service principal: MANAGE on CATALOG finance (direct)",
		"service principal: USE SCHEMA on CATALOG finance",
		"service principal: SELECT on CATALOG finance",
		"service principal: MODIFY on CATALOG finance",
		"service principal: USE CATALOG on CATALOG hr (direct)",
		"service principal: MANAGE on CATALOG hr (direct)",
		"service principal: USE SCHEMA on SCHEMA hr.people",
		"service principal: SELECT on TABLE hr.people.employees",
		"service principal: MODIFY on TABLE hr.people.employees",
		"service principal: USE CATALOG on CATALOG main (direct)",
		"service principal: MANAGE on CATALOG main (direct)",
		"service principal: USE SCHEMA on SCHEMA main.sales",
		"service principal: SELECT on SCHEMA main.sales",
		"service principal: MODIFY on SCHEMA main.sales",
		"service principal: USE CATALOG on CATALOG system (direct)",
		"service principal: USE SCHEMA on SCHEMA system.access (direct)",
		"service principal: SELECT on TABLE system.access.audit",
		"service principal: SELECT on TABLE system.access.column_lineage",
		"service principal: SELECT on TABLE system.access.table_lineage",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Required (-want +got):\n%s", diff)
	}
	for _, r := range reqs.List {
		if r.Reason == "" {
			t.Errorf("%s has no reason", r)
		}
	}
}

func TestRequiredOwnerModelAndRunner(t *testing.T) {
	in := payload(t, "  dataSources: [main.sales]\n  audit: {enabled: true}\n  storage: {catalogLocation: 's3://b/p'}\n", false)
	script, err := generator.Generate(in, generator.Bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := Required(in, Rules(OwnerModel), Runner("admin@example.com", script.Steps()))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range reqs.List {
		if r.Who == ForRunner || r.Privilege == Ownership && r.Area == AreaData {
			got = append(got, r.String())
		}
	}
	// The runner's requirements are what the script's statements need, in
	// their order: CREATE CATALOG (with the storage of its managed
	// location), MANAGE and USE CATALOG for the grants on main.sales, and a
	// metastore admin for the grants on the system tables (and for handing
	// the functions to the service principal).
	want := []string{
		"service principal: ownership of SCHEMA main.sales (direct)",
		"runner: CREATE MANAGED STORAGE on EXTERNAL LOCATION s3://b/p",
		"runner: CREATE CATALOG on METASTORE (direct)",
		"runner: MANAGE on CATALOG main",
		"runner: MANAGE on SCHEMA main.sales",
		"runner: USE CATALOG on CATALOG main",
		"runner: metastore admin",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Required (-want +got):\n%s", diff)
	}
}

func TestAuditHow(t *testing.T) {
	in := payload(t, "  dataSources: [main.sales, hr.people.employees, finance]\n  audit: {enabled: true}\n", false)
	reqs, err := Required(in)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Audit(reqs, seq(
		g(sp, "USE CATALOG", Catalog, "main"),
		g(sp, "MANAGE", Catalog, "main"),
		g(sp, "ALL PRIVILEGES", Catalog, "main"),    // covers USE SCHEMA, SELECT, MODIFY by inheritance
		g("data-eng", "USE CATALOG", Catalog, "hr"), // through a group
		g(sp, "MANAGE", Schema, "hr.people"),        // not on the catalog: MANAGE stays missing
		g(sp, "USE_SCHEMA", Schema, "hr.people"),
		g(sp, "select", Table, "hr.people.employees"),
		g(sp, "MODIFY", Catalog, "hr"),
		g(sp, "USE CATALOG", Catalog, "system"),
		g(sp, "USE SCHEMA", Catalog, "system"), // ineffective on system
		g(sp, "SELECT", Schema, "system.access"),
		g("analysts", "SELECT", Schema, "immuta.immuta_system"), // exposure
		g("users", "SELECT", Table, "finance.gl.entries"),
		g("", "SELECT", Catalog, "finance"),
		g(sp, "USAGE", Catalog, "finance"),
		Grant{Principal: "x", Privilege: Own, On: NewSecurable(Schema, "hive_metastore.default"), Hive: true, Legacy: true},
	), Facts{
		MemberOf: map[string][]string{sp: {"data-eng"}},
		Owners:   map[Securable]string{NewSecurable(Catalog, "immuta"): sp, NewSecurable(Catalog, "finance"): "data-eng"},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		p      Privilege
		on     Securable
		status Status
		how    string
	}{
		{UseCatalog, NewSecurable(Catalog, "main"), Satisfied, "direct grant"},
		{UseSchema, NewSecurable(Schema, "main.sales"), Satisfied, "inherited from CATALOG main, through ALL PRIVILEGES"},
		{UseCatalog, NewSecurable(Catalog, "hr"), Satisfied, "through group data-eng"},
		{Manage, NewSecurable(Catalog, "hr"), Missing, "no grant gives it directly on CATALOG hr"},
		{Modify, NewSecurable(Table, "hr.people.employees"), Satisfied, "inherited from CATALOG hr"},
		{Ownership, NewSecurable(Catalog, "immuta"), Satisfied, "through ownership"},
		{UseCatalog, NewSecurable(Catalog, "finance"), Satisfied, "direct grant"}, // legacy USAGE, read as USE CATALOG
		// Owning a catalog gives the privileges on the catalog itself, not
		// those its children need, and not the MANAGE the integration's
		// documentation asks to be granted directly.
		{Manage, NewSecurable(Catalog, "finance"), Missing, "no grant gives it directly on CATALOG finance (owning CATALOG finance does not give MANAGE: the integration's documentation asks for MANAGE set directly on the catalog)"},
		{Select, NewSecurable(Catalog, "finance"), Missing, "no grant gives it (owning CATALOG finance does not give SELECT on the objects inside it)"},
		{UseSchema, NewSecurable(Schema, "system.access"), Missing, "no grant gives it directly on SCHEMA system.access"},
		{Select, NewSecurable(Table, "system.access.audit"), Satisfied, "inherited from SCHEMA system.access"},
	}
	for _, tt := range tests {
		r := result(t, rep, ForServicePrincipal, tt.p, tt.on)
		if r.Status != tt.status || r.How != tt.how {
			t.Errorf("%s: %s %q, want %s %q", r.Requirement, r.Status, r.How, tt.status, tt.how)
		}
	}
	var codes []string
	for _, f := range rep.Findings {
		codes = append(codes, f.Severity.String()+" "+f.Code)
	}
	wantCodes := []string{"error exposure", "warning broad-grant", "warning deleted-principal", "warning ineffective-grant", "warning legacy-privilege", "warning workspace-group", "info hive-metastore"}
	if diff := cmp.Diff(wantCodes, codes); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if rep.Passed(Gate{}) {
		t.Error("report passed with missing requirements and an exposure")
	}
	wantFix := []string{
		"GRANT MANAGE, USE SCHEMA, SELECT, MODIFY ON CATALOG `finance` TO `" + sp + "`",
		"GRANT MANAGE ON CATALOG `hr` TO `" + sp + "`",
		"GRANT USE SCHEMA ON SCHEMA `system`.`access` TO `" + sp + "`",
	}
	if diff := cmp.Diff(wantFix, rep.Fix); diff != "" {
		t.Errorf("fix (-want +got):\n%s", diff)
	}
	if want := []string{"REVOKE SELECT ON SCHEMA `immuta`.`immuta_system` FROM `analysts`"}; !slices.Equal(rep.Revoke, want) {
		t.Errorf("revoke = %q, want %q", rep.Revoke, want)
	}
}

func TestOwnershipUnverifiedWithoutFacts(t *testing.T) {
	reqs, err := Required(payload(t, "", false))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Audit(reqs, seq(), Facts{})
	if err != nil {
		t.Fatal(err)
	}
	r := result(t, rep, ForServicePrincipal, Ownership, NewSecurable(Catalog, "immuta"))
	if r.Status != Unverified || !strings.Contains(r.How, "no owner facts") {
		t.Errorf("ownership without facts: %s %q", r.Status, r.How)
	}
	if r.Cause != CauseNoOwnerFacts {
		t.Errorf("cause %q, want %q", r.Cause, CauseNoOwnerFacts)
	}
	// Nothing else is required: nothing was verified, which never passes.
	if rep.Passed(Gate{}) || rep.Passed(Gate{AllowUnverified: true}) || !strings.Contains(rep.Summary(Gate{}), "FAIL: 0 satisfied, 12 unverified; nothing could be verified") {
		t.Errorf("an audit that verified nothing passes: %s", rep.Summary(Gate{}))
	}
	// With one requirement satisfied, no owner facts pass unless strict.
	reqs, err = Required(payload(t, "  dataSources: [main]\n", false))
	if err != nil {
		t.Fatal(err)
	}
	rep, err = Audit(reqs, seq(g(sp, "USE CATALOG", Catalog, "main"), g(sp, "MANAGE", Catalog, "main"), g(sp, "USE SCHEMA", Catalog, "main"),
		g(sp, "SELECT", Catalog, "main"), g(sp, "MODIFY", Catalog, "main")), Facts{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Passed(Gate{}) || rep.Passed(Gate{Strict: true}) {
		t.Errorf("no owner facts must pass unless strict: %s; strict: %s", rep.Summary(Gate{}), rep.Summary(Gate{Strict: true}))
	}
}

// The gate: a requirement unverified because its grants could not be read
// fails the audit unless AllowUnverified; a securable that does not exist
// makes its requirements missing, with the server's message, and no GRANT;
// a securable never asked about makes the report partial, which never
// passes.
func TestGateAndCauses(t *testing.T) {
	reqs, err := Required(payload(t, "  dataSources: [main.sales, mian.sales]\n", false))
	if err != nil {
		t.Fatal(err)
	}
	grants := seq(g(sp, "USE CATALOG", Catalog, "main"), g(sp, "MANAGE", Catalog, "main"), g(sp, "USE SCHEMA", Schema, "main.sales"),
		g(sp, "SELECT", Schema, "main.sales"), g(sp, "MODIFY", Schema, "main.sales"))
	owners := map[Securable]string{NewSecurable(Catalog, "immuta"): sp}
	facts := Facts{Owners: owners, Absent: map[Securable]string{NewSecurable(Catalog, "mian"): "Catalog 'mian' does not exist."}}
	rep, err := Audit(reqs, grants, facts)
	if err != nil {
		t.Fatal(err)
	}
	r := result(t, rep, ForServicePrincipal, UseCatalog, NewSecurable(Catalog, "mian"))
	if r.Status != Missing || r.Cause != CauseNotFound || r.How != "CATALOG mian does not exist: Catalog 'mian' does not exist." {
		t.Errorf("a catalog that does not exist: %s %s %q", r.Status, r.Cause, r.How)
	}
	r = result(t, rep, ForServicePrincipal, Select, NewSecurable(Schema, "mian.sales"))
	if r.Status != Missing || r.Cause != CauseNotFound {
		t.Errorf("a schema in a catalog that does not exist: %s %s %q", r.Status, r.Cause, r.How)
	}
	for _, stmt := range rep.Fix {
		if strings.Contains(stmt, "mian") {
			t.Errorf("the fix grants on a catalog that does not exist: %s", stmt)
		}
	}
	if fix := rep.FixScript(WriteOptions{}); !strings.Contains(fix, "-- CATALOG mian does not exist: Catalog 'mian' does not exist.\n") {
		t.Errorf("the fix script does not name the missing catalog:\n%s", fix)
	}

	// Forbidden: unverified, and the gate fails unless told otherwise.
	grants = seq(g(sp, "USE CATALOG", Catalog, "main"), g(sp, "MANAGE", Catalog, "main"))
	reqs, err = Required(payload(t, "  dataSources: [main.sales]\n", false))
	if err != nil {
		t.Fatal(err)
	}
	facts = Facts{Owners: owners, Unreadable: map[Securable]string{NewSecurable(Schema, "main.sales"): "PERMISSION_DENIED"}}
	rep, err = Audit(reqs, grants, facts)
	if err != nil {
		t.Fatal(err)
	}
	if r := result(t, rep, ForServicePrincipal, Select, NewSecurable(Schema, "main.sales")); r.Status != Unverified || r.Cause != CauseUnreadable {
		t.Errorf("a forbidden schema: %s %s %q", r.Status, r.Cause, r.How)
	}
	if rep.Passed(Gate{}) || !rep.Passed(Gate{AllowUnverified: true}) || rep.Passed(Gate{AllowUnverified: true, Strict: true}) {
		t.Errorf("unreadable: Passed = %v, with AllowUnverified %v", rep.Passed(Gate{}), rep.Passed(Gate{AllowUnverified: true}))
	}
	if got, want := rep.Summary(Gate{}), "FAIL: 3 satisfied, 14 unverified (3 unreadable); the grants of some securables could not be read (--allow-unverified lets that pass)"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
	if fix := rep.FixScript(WriteOptions{}); strings.Contains(fix, "Nothing to fix") || !strings.Contains(fix, "-- 14 requirement(s) could not be verified: see the report") {
		t.Errorf("the fix of a failing audit says nothing is to fix:\n%s", fix)
	}

	// Interrupted: never asked is unverified, never missing, and partial.
	facts = Facts{Owners: owners, Unfetched: map[Securable]string{NewSecurable(Schema, "main.sales"): "context canceled"}}
	rep, err = Audit(reqs, grants, facts)
	if err != nil {
		t.Fatal(err)
	}
	interrupted := 0
	for _, r := range rep.Results {
		if r.Status == Unverified && r.Cause == CauseInterrupted {
			interrupted++
		}
	}
	if rep.Count(Missing) != 0 || interrupted != 3 {
		t.Errorf("interrupted: %d missing, %d interrupted", rep.Count(Missing), interrupted)
	}
	if rep.Passed(Gate{AllowUnverified: true}) || rep.Partial == "" || len(rep.Fix) != 0 {
		t.Errorf("a partial report passes or fixes: partial %q, fix %q", rep.Partial, rep.Fix)
	}
	for _, format := range Formats {
		var b strings.Builder
		if err := rep.Write(&b, format, WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.ToLower(b.String()), "partial") {
			t.Errorf("the %s report does not say the run was partial:\n%s", format, b.String())
		}
	}
}

// An unknown privilege is a finding at its row, once per spelling.
func TestUnknownPrivilege(t *testing.T) {
	reqs, err := Required(payload(t, "  dataSources: [main]\n", false))
	if err != nil {
		t.Fatal(err)
	}
	fly := g(sp, "FLY", Table, "a.b.c")
	fly.Pos = Position{File: "grants.csv", Line: 2, Col: 1}
	again := g(sp, "FLY", Table, "a.b.d")
	again.Pos = Position{File: "grants.csv", Line: 3, Col: 1}
	rep, err := Audit(reqs, seq(fly, again, g(sp, "USE CATALOG", Catalog, "main")), Facts{})
	if err != nil {
		t.Fatal(err)
	}
	var found []Finding
	for _, f := range rep.Findings {
		if f.Code == CodeUnknownPrivilege {
			found = append(found, f)
		}
	}
	if len(found) != 1 || found[0].Grant == nil || found[0].Grant.Pos.Line != 2 ||
		found[0].Message != `"FLY" on TABLE a.b.c is not a Unity Catalog privilege: the grant is ignored; check the listing (2 rows use it; the first is shown)` {
		t.Errorf("unknown privilege findings: %+v", found)
	}
}

// fixGrants turns the report's GRANT statements back into grants.
func fixGrants(t *testing.T, rep *Report) []Grant {
	t.Helper()
	var out []Grant
	for _, stmt := range rep.Fix {
		if strings.HasPrefix(stmt, "ALTER ") {
			continue
		}
		rest := strings.TrimPrefix(stmt, "GRANT ")
		privs, rest, _ := strings.Cut(rest, " ON ")
		on, principal, _ := strings.Cut(rest, " TO ")
		var typ SecurableType
		for _, cand := range []SecurableType{Metastore, Catalog, Schema, Table} {
			if strings.HasPrefix(on, string(cand)) {
				typ = cand
				on = strings.TrimSpace(strings.TrimPrefix(on, string(cand)))
				break
			}
		}
		for _, p := range strings.Split(privs, ", ") {
			out = append(out, Grant{Principal: strings.Trim(principal, "`"), Privilege: Key(p), On: NewSecurable(typ, on)})
		}
	}
	return out
}

// Property: granting exactly the fix makes every grant requirement pass.
func TestFixSatisfies(t *testing.T) {
	in := payload(t, "  dataSources: [main.sales, hr.people.employees, finance, ops.logs.events, ops.logs.audit]\n  audit: {enabled: true, queryHistory: true}\n", true)
	reqs, err := Required(in)
	if err != nil {
		t.Fatal(err)
	}
	partial := []Grant{g(sp, "USE CATALOG", Catalog, "main"), g(sp, "SELECT", Catalog, "hr")}
	rep, err := Audit(reqs, seq(partial...), Facts{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Count(Missing) == 0 {
		t.Fatal("nothing missing before the fix")
	}
	rep2, err := Audit(reqs, seq(append(partial, fixGrants(t, rep)...)...), Facts{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep2.Results {
		if r.Status == Missing {
			t.Errorf("after the fix still missing: %s", r.Requirement)
		}
	}
}

// scriptFacts parses a generated script with dbsql, as a person's SQL
// editor would run it, and returns the grants and owners that its GRANT,
// REVOKE and ALTER ... OWNER TO statements leave on an empty metastore.
func scriptFacts(t *testing.T, s *generator.Script) ([]Grant, map[Securable]string) {
	t.Helper()
	sql, err := s.SQL()
	if err != nil {
		t.Fatal(err)
	}
	f, err := dbsql.ParseFile("script.sql", []byte(sql))
	if err != nil {
		t.Fatal(err)
	}
	grants, owners := listing.ApplyScript(seq(), map[Securable]string{}, listing.FromScript(f))
	var out []Grant
	for g, err := range grants {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, g)
	}
	return out, owners
}

// Property: every generated bootstrap and prerequisites script, parsed as
// SQL, meets every requirement of the service principal (with manual
// setup the hand-over included; with automatic setup the service principal
// creates, and so owns, the governance objects itself).
func TestGeneratedScriptsSatisfyRequirements(t *testing.T) {
	for _, tc := range []struct {
		extra string
		auto  bool
	}{
		{"  dataSources: [main.sales, hr.people.employees, finance]\n  audit: {enabled: true}\n", false},
		{"  dataSources: [main, main.sales, '`we``ird`.s.t', x.y.z, x.y]\n  audit: {enabled: true, queryHistory: true}\n", true},
		{"  dataSources: [a.b.c, a.b.d, a.e]\n", false},
		{"  dataSources: [a.b.c, a.b.d, a.e]\n  audit: {enabled: true, queryHistory: true}\n", false},
	} {
		in := payload(t, tc.extra, tc.auto)
		kind := generator.SetupKind(in)
		s, err := generator.Generate(in, kind)
		if err != nil {
			t.Fatal(err)
		}
		reqs, err := Required(in)
		if err != nil {
			t.Fatal(err)
		}
		grants, owners := scriptFacts(t, s)
		if tc.auto {
			for _, r := range reqs.Ownerships(AreaGovernance) {
				owners[r.On] = r.Principal
			}
		}
		rep, err := Audit(reqs, seq(grants...), Facts{Owners: owners})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rep.Results {
			if r.Status != Satisfied {
				t.Errorf("%s script leaves %s %s (%s)", kind, r.Requirement, r.Status, r.How)
			}
		}
		if !rep.Passed(Gate{Strict: true}) {
			t.Errorf("%s script: the audit of its own grants fails:\n%s", kind, rep.Summary(Gate{Strict: true}))
		}
	}
}

// Property: shuffling the rows never changes the report.
func TestShuffleInvariant(t *testing.T) {
	in := payload(t, "  dataSources: [main.sales, hr.people.employees]\n  audit: {enabled: true}\n", false)
	reqs, err := Required(in)
	if err != nil {
		t.Fatal(err)
	}
	rows := []Grant{
		g(sp, "USE CATALOG", Catalog, "main"), g(sp, "ALL PRIVILEGES", Catalog, "main"), g(sp, "USE SCHEMA", Schema, "main.sales"),
		g("grp", "SELECT", Schema, "main.sales"), g(sp, "SELECT", Schema, "main.sales"), g(sp, "MODIFY", Catalog, "main"),
		g("a@x.com", "SELECT", Catalog, "immuta"), g("b@x.com", "SELECT", Catalog, "immuta"), g(sp, "USAGE", Catalog, "hr"),
		g("users", "SELECT", Catalog, "hr"), g(sp, "MANAGE", Catalog, "hr"), g(sp, "MANAGE", Catalog, "main"),
	}
	facts := Facts{MemberOf: map[string][]string{sp: {"grp"}}}
	want, err := Audit(reqs, seq(rows...), facts)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 50; i++ {
		shuffled := slices.Clone(rows)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got, err := Audit(reqs, seq(shuffled...), facts)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("shuffle %d changed the report (-want +got):\n%s", i, diff)
		}
	}
}

// Findings are bounded: a metastore with many bad rows gives the first
// MaxFindingsPerCode findings of a code, in a fixed order, and a count of
// the rest, whatever the order of the rows.
func TestFindingsBounded(t *testing.T) {
	reqs, err := Required(payload(t, "", false))
	if err != nil {
		t.Fatal(err)
	}
	var rows []Grant
	for i := range 3*MaxFindingsPerCode + 7 {
		rows = append(rows, g(fmt.Sprintf("user%04d@example.com", i), "SELECT", Table, "immuta.immuta_system.user_entitlements"))
	}
	want, err := Audit(reqs, seq(rows...), Facts{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(want.Findings); n != MaxFindingsPerCode+1 {
		t.Fatalf("%d findings, want %d and a summary", n, MaxFindingsPerCode)
	}
	last := want.Findings[len(want.Findings)-1]
	if wantMsg := fmt.Sprintf("%d more exposure findings are not listed: fix the ones above and audit again", 2*MaxFindingsPerCode+7); last.Message != wantMsg || last.Severity != SeverityError {
		t.Errorf("summary finding = %s %q, want error %q", last.Severity, last.Message, wantMsg)
	}
	if got := want.Findings[0].Grant.Principal; got != "user0000@example.com" {
		t.Errorf("first finding is about %s, want the first in order", got)
	}
	r := rand.New(rand.NewPCG(3, 4))
	r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	got, err := Audit(reqs, seq(rows...), Facts{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("shuffled rows change the report (-want +got):\n%s", diff)
	}
}

func TestUnreadableIsUnverified(t *testing.T) {
	reqs, err := Required(payload(t, "  dataSources: [main.sales]\n", false))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Audit(reqs, seq(g(sp, "USE CATALOG", Catalog, "main")), Facts{
		Unreadable: map[Securable]string{NewSecurable(Catalog, "main"): "403 PERMISSION_DENIED: no MANAGE on main"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := result(t, rep, ForServicePrincipal, UseCatalog, NewSecurable(Catalog, "main")); r.Status != Satisfied {
		t.Errorf("a grant that was read still counts: %s", r.Status)
	}
	r := result(t, rep, ForServicePrincipal, Manage, NewSecurable(Catalog, "main"))
	if want := "the grants on CATALOG main could not be read: 403 PERMISSION_DENIED: no MANAGE on main"; r.Status != Unverified || r.How != want {
		t.Errorf("MANAGE on an unreadable catalog: %s %q, want unverified %q", r.Status, r.How, want)
	}
	if slices.ContainsFunc(rep.Fix, func(s string) bool { return strings.Contains(s, "MANAGE") }) {
		t.Errorf("fix grants what could not be checked: %q", rep.Fix)
	}
}

// A governance catalog owned by a group the service principal belongs to
// is not the service principal's own (every member of the group owns it),
// and a governance function still owned by the runner is an exposure.
func TestGovernanceOwners(t *testing.T) {
	in := payload(t, "", false)
	reqs, err := Required(in)
	if err != nil {
		t.Fatal(err)
	}
	owners := map[Securable]string{}
	for _, r := range reqs.Ownerships(AreaGovernance) {
		owners[r.On] = sp
	}
	owners[NewSecurable(Catalog, "immuta")] = "governance-admins"
	fn := NewSecurable(Function, "immuta.immuta_functions.is_exempt")
	owners[fn] = "admin@example.com"
	rep, err := Audit(reqs, seq(), Facts{Owners: owners, MemberOf: map[string][]string{sp: {"governance-admins"}}})
	if err != nil {
		t.Fatal(err)
	}
	if r := result(t, rep, ForServicePrincipal, Ownership, NewSecurable(Catalog, "immuta")); r.Status != Missing || !strings.Contains(r.How, "every member") {
		t.Errorf("group-owned governance catalog: %s %q, want missing", r.Status, r.How)
	}
	if r := result(t, rep, ForServicePrincipal, Ownership, fn); r.Status != Missing || r.How != "owned by admin@example.com" {
		t.Errorf("runner-owned function: %s %q, want missing", r.Status, r.How)
	}
	var exposures []string
	for _, f := range rep.Findings {
		if f.Code == CodeExposure && f.Severity == SeverityError {
			exposures = append(exposures, f.Message)
		}
	}
	want := []string{
		"admin@example.com owns FUNCTION immuta.immuta_functions.is_exempt, inside the governance catalog: nobody but the service principal may own it; hand it over: ALTER FUNCTION `immuta`.`immuta_functions`.`is_exempt` OWNER TO `" + sp + "`",
		"the group governance-admins owns CATALOG immuta, inside the governance catalog: every member of the group owns it, and nobody but the service principal may; hand it over: ALTER CATALOG `immuta` OWNER TO `" + sp + "`",
	}
	if diff := cmp.Diff(want, exposures); diff != "" {
		t.Errorf("exposures (-want +got):\n%s", diff)
	}
	if rep.Passed(Gate{}) {
		t.Error("the audit passes with the governance catalog owned by a group")
	}
}

// A change of one rule in the one table moves the generated script and the
// audit together: nothing else is edited here, and the script grants what
// the audit now asks, while the grants of the script made before the change
// no longer pass.
func TestOneRuleChangeMovesScriptAndAudit(t *testing.T) {
	in := payload(t, "  dataSources: [main.sales]\n", false)
	before, err := generator.Generate(in, generator.Bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	oldGrants, owners := scriptFacts(t, before)

	restore := AddDataRule(Browse, true, "a test rule: BROWSE directly on the catalog of every data source")
	defer restore()

	after, err := generator.Generate(in, generator.Bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	sql, err := after.SQL()
	if err != nil {
		t.Fatal(err)
	}
	if want := "GRANT USE CATALOG, MANAGE, BROWSE ON CATALOG `main` TO `" + sp + "`;"; !strings.Contains(sql, want) {
		t.Errorf("the script does not follow the rule: no %s in\n%s", want, sql)
	}
	reqs, err := Required(in)
	if err != nil {
		t.Fatal(err)
	}
	newGrants, newOwners := scriptFacts(t, after)
	rep, err := Audit(reqs, seq(newGrants...), Facts{Owners: newOwners})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Passed(Gate{Strict: true}) {
		t.Errorf("the new script does not meet the new rule:\n%s", rep.Summary(Gate{Strict: true}))
	}
	rep, err = Audit(reqs, seq(oldGrants...), Facts{Owners: owners})
	if err != nil {
		t.Fatal(err)
	}
	if r := result(t, rep, ForServicePrincipal, Browse, NewSecurable(Catalog, "main")); r.Status != Missing {
		t.Errorf("the audit of the old script's grants does not follow the rule: BROWSE on CATALOG main is %s", r.Status)
	}
}

// Property, over every payload of the generate goldens and the examples:
// the generated bootstrap (manual setup) or prerequisites (automatic setup)
// script, parsed as SQL, meets the service principal's every requirement.
func TestEveryGoldenPayloadMeetsItsOwnAudit(t *testing.T) {
	var files []string
	goldens, _ := filepath.Glob(filepath.Join("..", "testdata", "generate", "*.txtar"))
	examples, _ := filepath.Glob(filepath.Join("..", "examples", "payloads", "*"))
	files = append(goldens, examples...)
	if len(goldens) == 0 || len(examples) == 0 {
		t.Fatal("no golden or example payloads")
	}
	checked := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(file, ".txtar") {
			ar := txtar.Parse(data)
			data = nil
			for _, f := range ar.Files {
				if strings.HasPrefix(f.Name, "payload.") {
					data = f.Data
				}
			}
		}
		in, err := ucbootstrap.Decode(file, data)
		if err != nil || in.Config.ServicePrincipalID() == "" {
			continue // an invalid payload, or one that names no service principal
		}
		kind := generator.SetupKind(in)
		s, err := generator.Generate(in, kind)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		reqs, err := Required(in)
		if err != nil {
			t.Fatal(err)
		}
		grants, owners := scriptFacts(t, s)
		if in.AutoBootstrap {
			for _, r := range reqs.Ownerships(AreaGovernance) {
				owners[r.On] = r.Principal // the service principal creates them
			}
		}
		rep, err := Audit(reqs, seq(grants...), Facts{Owners: owners})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Passed(Gate{Strict: true}) {
			t.Errorf("%s: the %s script does not meet its own audit:\n%s", file, kind, rep.Summary(Gate{Strict: true}))
		}
		checked++
	}
	if checked < 10 {
		t.Errorf("only %d payloads checked", checked)
	}
}
