package databricks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/ucemu"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/privileges/listing"
)

const sp = testClientID

// payload is a manual setup with a service principal, data sources of
// every level, and query audit.
const payload = `type: Databricks
autoBootstrap: false
config:
  workspaceUrl: dbc-a1b2c3d4-e5f6.cloud.databricks.com
  httpPath: /sql/1.0/warehouses/8a1b2c3d4e5f6a7b
  authenticationType: token
  token: ` + testToken + `
  servicePrincipal: ` + sp + `
  catalog: immuta
  dataSources:
    - main.sales
    - hr.people.employees
    - hr.people.salaries
    - finance
  audit:
    enabled: true
    queryHistory: true
`

func decodePayload(t testing.TB, yaml string) *ucbootstrap.Integration {
	t.Helper()
	in, err := ucbootstrap.Decode("payload.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// scriptGrants returns the grants of the bootstrap script, checking that
// they are exactly the GRANT statements of the generated script.
func scriptGrants(t testing.TB, in *ucbootstrap.Integration) []privileges.GrantStmt {
	t.Helper()
	reqs, err := privileges.Required(in)
	if err != nil {
		t.Fatal(err)
	}
	grants := reqs.Grants()
	kind := generator.SetupKind(in)
	script, err := generator.Generate(in, kind)
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, st := range script.Statements {
		if strings.HasPrefix(st.SQL, "GRANT ") {
			got = append(got, st.SQL)
		}
	}
	for _, g := range grants {
		want = append(want, g.SQL())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("the script's GRANT statements differ from the requirements' grants (-want +got):\n%s", diff)
	}
	return grants
}

// handOver makes sp the owner of the governance catalog and of every
// object in it, as the bootstrap's hand-over does.
func handOver(s *ucemu.Server, catalog, sp string) {
	s.SetOwner(emuSec(privileges.SecurableOf(privileges.Catalog, catalog)), sp)
	for _, o := range ucbootstrap.GovernanceObjects {
		s.SetOwner(emuSec(privileges.SecurableOf(privileges.SecurableType(o.Kind), append([]string{catalog}, o.Parts()...)...)), sp)
	}
}

// seedGrants makes the grants on the emulator.
func seedGrants(s *ucemu.Server, grants []privileges.GrantStmt) {
	for _, g := range grants {
		for _, p := range g.Privileges {
			s.Grant(g.Principal, string(p), emuSec(g.On))
		}
	}
}

// seq returns grants as the sequence privileges.Audit takes.
func seq(gs []privileges.Grant) iter.Seq2[privileges.Grant, error] {
	return func(yield func(privileges.Grant, error) bool) {
		for _, g := range gs {
			if !yield(g, nil) {
				return
			}
		}
	}
}

func TestFetchEndToEnd(t *testing.T) {
	in := decodePayload(t, payload)
	reqs, err := privileges.Required(in)
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, ucemu.PageSize(1), ucemu.Seed(42))
	seedGrants(s, scriptGrants(t, in))
	// The script hands the governance catalog to the service principal;
	// the data sources belong to others.
	handOver(s, "immuta", sp)
	s.AddSecurable(emuSec(privileges.NewSecurable(privileges.Schema, "immuta.immuta_system")))
	s.AddSecurable(emuSec(privileges.NewSecurable(privileges.Schema, "immuta.immuta_functions")))
	s.SetOwner(emuSec(privileges.NewSecurable(privileges.Catalog, "main")), "data-owners")
	// Other principals' grants, one to a deleted principal.
	s.Grant("analysts", string(privileges.Select), emuSec(privileges.NewSecurable(privileges.Schema, "main.sales")))
	s.Grant("data-owners", string(privileges.AllPrivileges), emuSec(privileges.NewSecurable(privileges.Catalog, "main")))

	cfg, err := ConfigFrom(in, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Host, cfg.InsecureLoopback, cfg.HTTPClient = s.URL, true, s.Client()
	c := newClient(t, cfg)
	var calls, last atomic.Int64
	f, err := Fetch(context.Background(), c, reqs, FetchOptions{Concurrency: 4, Progress: func(done, total int) {
		calls.Add(1)
		if int64(done) != calls.Load() {
			t.Errorf("Progress(%d, %d) at call %d", done, total, calls.Load())
		}
		last.Store(int64(total))
	}})
	if err != nil {
		t.Fatal(err)
	}
	js := jobs(reqs)
	if calls.Load() != int64(len(js)) || last.Load() != int64(len(js)) {
		t.Errorf("Progress called %d times with total %d, want %d", calls.Load(), last.Load(), len(js))
	}
	if len(f.Failed) != 0 {
		t.Errorf("Failed = %v", f.Failed)
	}
	if f.Requests != s.Requests() {
		t.Errorf("Requests = %d, the server saw %d", f.Requests, s.Requests())
	}
	if !slices.IsSortedFunc(f.Grants, compareGrants) {
		t.Error("grants are not sorted")
	}
	// Each securable asked about once: every job is one securable, and
	// each securable's pages are read in order.
	for _, j := range js {
		if j.owner {
			continue
		}
		path := ucemu.EffectivePath + restType(j.on.Type) + "/" + j.on.Name
		if s.RequestsTo(path) == 0 {
			t.Errorf("no request for %s", j.on)
		}
	}
	want := map[privileges.Securable]string{privileges.NewSecurable(privileges.Catalog, "immuta"): sp}
	for _, o := range ucbootstrap.GovernanceObjects {
		want[privileges.SecurableOf(privileges.SecurableType(o.Kind), append([]string{"immuta"}, o.Parts()...)...)] = sp
	}
	if !cmp.Equal(want, f.Owners) {
		t.Errorf("Owners = %v, want %v", f.Owners, want)
	}

	rep, err := privileges.Audit(reqs, seq(f.Grants), privileges.Facts{Owners: f.Owners})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Passed(privileges.Gate{Strict: true}) {
		var b strings.Builder
		rep.Write(&b, "text", privileges.WriteOptions{})
		t.Fatalf("the audit of the fetched grants fails:\n%s", b.String())
	}

	// The same audit offline, from the dump.
	var dump, owners bytes.Buffer
	if err := WriteDump(&dump, f); err != nil {
		t.Fatal(err)
	}
	if err := WriteOwners(&owners, f); err != nil {
		t.Fatal(err)
	}
	readOwners, err := listing.ReadOwners("owners.json", bytes.NewReader(owners.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	offline, err := privileges.Audit(reqs, listing.Read("dump.json", bytes.NewReader(dump.Bytes())), privileges.Facts{Owners: readOwners})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rep, offline, cmpopts.IgnoreFields(privileges.Grant{}, "Pos")); diff != "" {
		t.Errorf("the offline audit differs (-online +offline):\n%s", diff)
	}

	// A different assignment order and page size give the same result.
	s2 := newServer(t, ucemu.PageSize(3), ucemu.Seed(99), ucemu.NoEmptyPages())
	seedGrants(s2, scriptGrants(t, in))
	handOver(s2, "immuta", sp)
	s2.SetOwner(emuSec(privileges.NewSecurable(privileges.Catalog, "main")), "data-owners")
	s2.Grant("analysts", string(privileges.Select), emuSec(privileges.NewSecurable(privileges.Schema, "main.sales")))
	s2.Grant("data-owners", string(privileges.AllPrivileges), emuSec(privileges.NewSecurable(privileges.Catalog, "main")))
	cfg.Host, cfg.HTTPClient = s2.URL, s2.Client()
	f2, err := Fetch(context.Background(), newClient(t, cfg), reqs, FetchOptions{Concurrency: 16})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f.Grants, f2.Grants); diff != "" {
		t.Errorf("grants depend on the server's order (-first +second):\n%s", diff)
	}
	var dump2 bytes.Buffer
	WriteDump(&dump2, f2)
	if !bytes.Equal(dump.Bytes(), dump2.Bytes()) {
		t.Error("the dump depends on the server's order")
	}
}

func TestJobs(t *testing.T) {
	in := decodePayload(t, strings.Replace(payload, "autoBootstrap: false", "autoBootstrap: true", 1))
	reqs, err := privileges.Required(in)
	if err != nil {
		t.Fatal(err)
	}
	reqs.List = append(reqs.List, privileges.Requirement{Who: privileges.ForServicePrincipal, Principal: sp,
		Privilege: privileges.Ownership, On: privileges.Securable{Type: privileges.Metastore}})
	var got []string
	for _, j := range jobs(reqs) {
		what := "grants"
		if j.owner {
			what = "owner"
		}
		got = append(got, what+" "+j.on.String())
	}
	want := []string{
		"grants METASTORE",
		"grants CATALOG finance",
		"grants CATALOG hr",
		"grants SCHEMA hr.people",
		"grants TABLE hr.people.employees",
		"grants TABLE hr.people.salaries",
		"grants CATALOG immuta",
		"grants SCHEMA immuta.immuta_functions",
		"grants SCHEMA immuta.immuta_system",
		"grants CATALOG main",
		"grants SCHEMA main.sales",
		"grants CATALOG system",
		"grants SCHEMA system.access",
		"grants TABLE system.access.audit",
		"grants TABLE system.access.column_lineage",
		"grants TABLE system.access.table_lineage",
		"grants SCHEMA system.query",
		"grants TABLE system.query.history",
		// The metastore's owner (its metastore admin), asked for here, and
		// the owner of every object of the governance catalog: a failed
		// hand-over would leave the runner able to read the entitlements.
		"owner METASTORE",
		"owner CATALOG immuta",
		"owner SCHEMA immuta.immuta_functions",
		"owner FUNCTION immuta.immuta_functions.filter_by_attribute",
		"owner FUNCTION immuta.immuta_functions.has_attribute",
		"owner FUNCTION immuta.immuta_functions.is_exempt",
		"owner FUNCTION immuta.immuta_functions.mask_hash",
		"owner FUNCTION immuta.immuta_functions.mask_string",
		"owner SCHEMA immuta.immuta_system",
		"owner TABLE immuta.immuta_system.integration_metadata",
		"owner TABLE immuta.immuta_system.principal_exemptions",
		"owner TABLE immuta.immuta_system.setup_runs",
		"owner TABLE immuta.immuta_system.user_entitlements",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("jobs (-want +got):\n%s", diff)
	}
}

func TestFetchFailed(t *testing.T) {
	in := decodePayload(t, payload)
	reqs, err := privileges.Required(in)
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t)
	grants := scriptGrants(t, in)
	seedGrants(s, grants)
	hidden := privileges.NewSecurable(privileges.Schema, "main.sales")
	s.Forbid(emuSec(hidden))
	// finance is not in the metastore: the catalog is unknown.
	reqs.List = append(reqs.List, privileges.Requirement{Who: privileges.ForServicePrincipal, Principal: sp,
		Privilege: privileges.Select, On: privileges.NewSecurable(privileges.Table, "gone.x.y")})
	s.Fail(ucemu.EffectivePath+"catalog/hr", http.StatusTooManyRequests, 2)
	f, err := Fetch(context.Background(), newClient(t, tokenConfig(s)), reqs, FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[privileges.Securable]string{
		hidden: "User does not have USE CATALOG or BROWSE on Schema 'main.sales'.",
	}
	if diff := cmp.Diff(want, f.Failed); diff != "" {
		t.Errorf("Failed (-want +got):\n%s", diff)
	}
	wantNotFound := map[privileges.Securable]string{
		privileges.NewSecurable(privileges.Table, "gone.x.y"):                 "Table 'gone.x.y' does not exist.",
		privileges.NewSecurable(privileges.Catalog, "immuta"):                 "Catalog 'immuta' does not exist.",
		privileges.NewSecurable(privileges.Schema, "immuta.immuta_functions"): "Schema 'immuta.immuta_functions' does not exist.",
		privileges.NewSecurable(privileges.Schema, "immuta.immuta_system"):    "Schema 'immuta.immuta_system' does not exist.",
	}
	// The emulator has no governance catalog: the owner of each of its
	// tables and functions is unknown too.
	for _, o := range ucbootstrap.GovernanceObjects {
		if o.Kind == ucbootstrap.SchemaObject {
			continue
		}
		sec := privileges.SecurableOf(privileges.SecurableType(o.Kind), "immuta", o.Schema, o.Name)
		wantNotFound[sec] = fmt.Sprintf("%s%s '%s' does not exist.", o.Kind[:1], strings.ToLower(string(o.Kind[1:])), sec.Name)
	}
	if diff := cmp.Diff(wantNotFound, f.NotFound); diff != "" {
		t.Errorf("NotFound (-want +got):\n%s", diff)
	}
	for _, g := range f.Grants {
		if g.On == hidden {
			t.Errorf("grant %s of a forbidden securable", g)
		}
	}
	if len(f.Grants) == 0 {
		t.Error("no grants fetched")
	}
}

func TestFetchFatal(t *testing.T) {
	in := decodePayload(t, payload)
	reqs, err := privileges.Required(in)
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t)
	seedGrants(s, scriptGrants(t, in))
	cfg := tokenConfig(s)
	cfg.Token = ucbootstrap.NewSecret("wrong")
	f, err := Fetch(context.Background(), newClient(t, cfg), reqs, FetchOptions{})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized {
		t.Fatalf("got %v, want a 401 APIError", err)
	}
	if f == nil {
		t.Fatal("no partial result")
	}
}

func TestFetchCancel(t *testing.T) {
	in := decodePayload(t, payload)
	reqs, err := privileges.Required(in)
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, ucemu.NoEmptyPages(), ucemu.PageSize(100))
	seedGrants(s, scriptGrants(t, in))
	c := newClient(t, tokenConfig(s))
	// Learn the first securables quickly, then slow down and cancel.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once atomic.Bool
	start := time.Now()
	f, err := Fetch(ctx, c, reqs, FetchOptions{Concurrency: 1, Progress: func(done, total int) {
		if done == 3 && once.CompareAndSwap(false, true) {
			s.SetLatency(10 * time.Second)
			time.AfterFunc(50*time.Millisecond, cancel)
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Fetch took %v after cancellation", d)
	}
	if f == nil || len(f.Grants) == 0 {
		t.Fatalf("no partial result: %+v", f)
	}
	// What is returned is complete per securable: the first three.
	secs := map[privileges.Securable]bool{}
	for _, g := range f.Grants {
		secs[g.On] = true
	}
	if len(secs) != 3 {
		t.Errorf("grants of %d securables, want 3", len(secs))
	}
	// The others are unfetched, never missing.
	asked := map[privileges.Securable]bool{}
	for _, j := range jobs(reqs) {
		asked[j.on] = true
	}
	if len(f.Unfetched) != len(asked)-3 {
		t.Errorf("%d securables unfetched, want %d: %v", len(f.Unfetched), len(asked)-3, f.Unfetched)
	}
	for sec, why := range f.Unfetched {
		if secs[sec] || why != context.Canceled.Error() {
			t.Errorf("Unfetched[%s] = %q", sec, why)
		}
	}
}

func TestFetchTimeout(t *testing.T) {
	in := decodePayload(t, payload)
	reqs, err := privileges.Required(in)
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, ucemu.Latency(time.Second))
	cfg := tokenConfig(s)
	cfg.MaxAttempts = 1
	_, err = Fetch(context.Background(), newClient(t, cfg), reqs, FetchOptions{Timeout: 20 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want a deadline error", err)
	}
}

func TestDumpRoundTrip(t *testing.T) {
	none := privileges.Securable{}
	ms := privileges.Securable{Type: privileges.Metastore}
	vol := privileges.NewSecurable(privileges.Volume, "main.sales.files")
	loc := privileges.NewSecurable(privileges.ExternalLocation, "landing")
	f := &Fetched{
		Grants: []privileges.Grant{
			grant("z", privileges.Select, ordersTbl, salesSch),
			grant("", privileges.Select, ordersTbl, none),
			grant(sp, privileges.CreateCatalog, ms, none),
			grant("data-eng", privileges.UseCatalog, mainCat, none),
			grant("data-eng", privileges.UseSchema, ordersTbl, mainCat),
			grant("a@example.com", privileges.Privilege("READ_VOLUME"), vol, none),
			grant("a@example.com", privileges.CreateManagedStorage, loc, none),
			{Principal: "old", Privilege: privileges.UseCatalog, On: mainCat, Spelling: "USAGE", Legacy: true},
			{Principal: "h", Privilege: "SELECT", On: privileges.NewSecurable(privileges.Table, "hive_metastore.default.t"), Spelling: "SELECT", Hive: true, Legacy: true},
			{Principal: "<&>\"quoted\"", Privilege: privileges.AllPrivileges, On: salesSch, Spelling: "ALL PRIVILEGES"},
		},
		Owners:    map[privileges.Securable]string{mainCat: "data-owners", ordersTbl: sp, salesSch: "bob@example.com"},
		Failed:    map[privileges.Securable]string{privileges.NewSecurable(privileges.Schema, "main.hr"): "User does not have USE CATALOG on \"main\""},
		NotFound:  map[privileges.Securable]string{privileges.NewSecurable(privileges.Catalog, "mian"): "Catalog 'mian' does not exist."},
		Unfetched: map[privileges.Securable]string{privileges.NewSecurable(privileges.Table, "main.sales.late"): "context canceled"},
	}
	var b bytes.Buffer
	if err := WriteDump(&b, f); err != nil {
		t.Fatal(err)
	}
	var got []privileges.Grant
	failed, notFound, unfetched := map[privileges.Securable]string{}, map[privileges.Securable]string{}, map[privileges.Securable]string{}
	collect := listing.Failures(func(fl listing.Failure) {
		switch fl.Status {
		case http.StatusNotFound:
			notFound[fl.On] = fl.Message
		case 0:
			unfetched[fl.On] = fl.Message
		default:
			failed[fl.On] = fl.Message
		}
	})
	for g, err := range listing.Read("dump.json", bytes.NewReader(b.Bytes()), collect) {
		if err != nil {
			t.Fatalf("%v\n%s", err, b.String())
		}
		got = append(got, g)
	}
	want := slices.Clone(f.Grants)
	SortGrants(want)
	SortGrants(got)
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(privileges.Grant{}, "Pos")); diff != "" {
		t.Errorf("read back (-want +got):\n%s\n%s", diff, b.String())
	}
	if diff := cmp.Diff([]map[privileges.Securable]string{f.Failed, f.NotFound, f.Unfetched}, []map[privileges.Securable]string{failed, notFound, unfetched}); diff != "" {
		t.Errorf("failures read back (-want +got):\n%s\n%s", diff, b.String())
	}
	if !strings.HasPrefix(b.String(), "[\n{\"securable_type\":") {
		t.Errorf("dump starts %q", b.String()[:40])
	}
	var b2 bytes.Buffer
	slices.Reverse(f.Grants)
	WriteDump(&b2, f)
	if !bytes.Equal(b.Bytes(), b2.Bytes()) {
		t.Error("the dump depends on the order of the grants")
	}

	b.Reset()
	if err := WriteOwners(&b, f); err != nil {
		t.Fatal(err)
	}
	owners, err := listing.ReadOwners("owners.json", bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if diff := cmp.Diff(f.Owners, owners); diff != "" {
		t.Errorf("owners read back (-want +got):\n%s", diff)
	}

	b.Reset()
	if err := WriteDump(&b, &Fetched{}); err != nil || b.String() != "[]\n" {
		t.Errorf("empty dump = %q, %v", b.String(), err)
	}
}

// BenchmarkFetchLatency fetches the grants of 1000 table data sources in
// distinct schemas from an emulator that answers each request in 20 ms.
// The requirements name 2002 securables: the catalog, 1000 schemas and
// 1000 tables (effective permissions), and the governance catalog (owner);
// with a page size above the assignments, one request each. The wall time
// should approach securables × latency / concurrency: 2002 × 20 ms / 8 ≈
// 5.0 s and 2002 × 20 ms / 32 ≈ 1.25 s. Measured (2 CPUs, loaded): 5.28 s
// and 1.39 s, 2002 requests each.
//
//	go test -run '^$' -bench FetchLatency -benchtime 1x ./databricks/
func BenchmarkFetchLatency(b *testing.B) {
	var sources []string
	for i := range 1000 {
		sources = append(sources, fmt.Sprintf("    - main.s%04d.t", i))
	}
	yaml := strings.Replace(payload, `    - main.sales
    - hr.people.employees
    - hr.people.salaries
    - finance
`, strings.Join(sources, "\n")+"\n", 1)
	yaml = strings.Replace(yaml, "  audit:\n    enabled: true\n    queryHistory: true\n", "", 1)
	in := decodePayload(b, yaml)
	reqs, err := privileges.Required(in)
	if err != nil {
		b.Fatal(err)
	}
	const latency = 20 * time.Millisecond
	s := newServer(b, ucemu.PageSize(1000), ucemu.NoEmptyPages(), ucemu.Latency(latency))
	seedGrants(s, scriptGrants(b, in))
	handOver(s, "immuta", sp)
	s.AddSecurable(emuSec(privileges.NewSecurable(privileges.Schema, "immuta.immuta_system")))
	s.AddSecurable(emuSec(privileges.NewSecurable(privileges.Schema, "immuta.immuta_functions")))
	securables := len(jobs(reqs))
	for _, conc := range []int{8, 32} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			cfg := tokenConfig(s)
			tr := http.DefaultTransport.(*http.Transport).Clone()
			tr.MaxIdleConnsPerHost = conc
			cfg.HTTPClient = &http.Client{Transport: tr}
			c := newClient(b, cfg)
			var requests int
			for b.Loop() {
				f, err := Fetch(context.Background(), c, reqs, FetchOptions{Concurrency: conc})
				if err != nil {
					b.Fatal(err)
				}
				if len(f.Failed) > 0 {
					b.Fatalf("failed: %v", f.Failed)
				}
				requests = f.Requests
			}
			b.ReportMetric(float64(requests), "requests/op")
			b.ReportMetric(float64(securables), "securables/op")
			b.ReportMetric((time.Duration(securables) * latency / time.Duration(conc)).Seconds(), "ideal-s/op")
		})
	}
}

// TestFetchOnce checks that each securable is asked about once: with
// pages larger than any listing, one request per job.
func TestFetchOnce(t *testing.T) {
	in := decodePayload(t, payload)
	reqs, err := privileges.Required(in, privileges.Rules(privileges.Current))
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, ucemu.PageSize(1000), ucemu.NoEmptyPages())
	seedGrants(s, scriptGrants(t, in))
	handOver(s, "immuta", sp)
	s.Fail(ucemu.EffectivePath, http.StatusServiceUnavailable, 2)
	f, err := Fetch(context.Background(), newClient(t, tokenConfig(s)), reqs, FetchOptions{Concurrency: 32})
	if err != nil {
		t.Fatal(err)
	}
	if want := len(jobs(reqs)) + 2; f.Requests != want || s.Requests() != want {
		t.Errorf("Requests = %d, server saw %d; want %d (one per securable, and two retries)", f.Requests, s.Requests(), want)
	}
}

// Of several fatal errors, Fetch returns the one of the first question,
// whatever the order in which the answers come.
func TestFetchFirstErrorIsStable(t *testing.T) {
	in := decodePayload(t, payload)
	reqs, err := privileges.Required(in)
	if err != nil {
		t.Fatal(err)
	}
	js := jobs(reqs)
	c0 := &Client{meta: &metastoreCache{id: "m"}}
	first, err := c0.securablePath(context.Background(), js[0].on)
	if err != nil {
		t.Fatal(err)
	}
	firstPath := ucPath + "effective-permissions/" + first
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "current-metastore-assignment") {
			io.WriteString(w, `{"metastore_id": "m"}`)
			return
		}
		if r.URL.EscapedPath() == firstPath {
			time.Sleep(50 * time.Millisecond) // the first question is answered last
		}
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error_code": "INVALID_PARAMETER_VALUE", "message": "bad `+r.URL.Path+`"}`)
	}))
	defer s.Close()
	for range 3 {
		c := newClient(t, Config{Host: s.URL, Token: ucbootstrap.NewSecret(testToken), InsecureLoopback: true})
		_, err := Fetch(context.Background(), c, reqs, FetchOptions{Concurrency: 4})
		var ae *APIError
		if !errors.As(err, &ae) || ae.Securable != js[0].on {
			t.Fatalf("Fetch = %v, want the error of the first question, about %s", err, js[0].on)
		}
	}
}
