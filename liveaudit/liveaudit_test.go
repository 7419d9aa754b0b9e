package liveaudit

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ucbootstrap/ucbootstrap/databricks"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/emutest"
	"github.com/ucbootstrap/ucbootstrap/internal/ucemu"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/sqlexec"
)

// setUp runs the setup scripts of the payload on its emulator, as
// Databricks would: a manual bootstrap by the admin; for automatic setup
// the prerequisites by the admin, then the bootstrap by the service
// principal.
func setUp(t *testing.T, w *emutest.Workspace) {
	t.Helper()
	run := func(kind generator.Kind, who string) {
		s, err := generator.Generate(w.In, kind)
		if err != nil {
			t.Fatal(err)
		}
		sql, err := s.SQL()
		if err != nil {
			t.Fatal(err)
		}
		if err := w.ExecScript(who, string(kind)+".sql", []byte(sql)); err != nil {
			t.Fatalf("%s as %s: %v", kind, who, err)
		}
	}
	if w.In.AutoBootstrap {
		run(generator.Prerequisites, emutest.Admin)
		run(generator.Bootstrap, w.SP)
		return
	}
	run(generator.Bootstrap, emutest.Admin)
}

// clients returns the REST client and the SQL executor of the payload,
// with its credentials (the service principal's).
func clients(t testing.TB, w *emutest.Workspace) (*databricks.Client, *sqlexec.Executor) {
	t.Helper()
	cfg, err := databricks.ConfigFrom(w.In, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.InsecureLoopback = true
	c, err := databricks.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	exec, err := sqlexec.New(c, w.In.Config.HTTPPath, sqlexec.Options{MinPoll: time.Millisecond, MaxPoll: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, exec
}

// required returns the requirements of w's payload.
func required(t testing.TB, w *emutest.Workspace) *privileges.Requirements {
	t.Helper()
	reqs, err := privileges.Required(w.In)
	if err != nil {
		t.Fatal(err)
	}
	return reqs
}

func report(t *testing.T, rep *privileges.Report) string {
	t.Helper()
	return written(t, rep, "text")
}

func written(t *testing.T, rep *privileges.Report, format string) string {
	t.Helper()
	var b bytes.Buffer
	if err := rep.Write(&b, format, privileges.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// sameReports fails the test unless the two reports are the same in
// every format the CLI writes.
func sameReports(t *testing.T, rest, sql *privileges.Report) {
	t.Helper()
	for _, format := range privileges.Formats {
		if diff := cmp.Diff(written(t, rest, format), written(t, sql, format)); diff != "" {
			t.Errorf("the %s reports differ (-rest +sql):\n%s", format, diff)
		}
	}
}

// TestPathsAgree audits every example payload on the emulator after its
// setup, by both paths: the reports are identical, and the warehouse path
// makes a handful of statements where the REST path makes a request or
// more per securable.
func TestPathsAgree(t *testing.T) {
	for _, file := range emutest.Examples(t, filepath.Join("..")) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			w := emutest.New(t, file)
			setUp(t, w)
			c, exec := clients(t, w)
			reqs := required(t, w)
			ctx := context.Background()
			restRep, _, restInfo, err := Audit(ctx, c, exec, reqs, Options{Via: REST})
			if err != nil {
				t.Fatalf("REST: %v", err)
			}
			sqlRep, _, sqlInfo, err := Audit(ctx, c, exec, reqs, Options{Via: SQL})
			if err != nil {
				t.Fatalf("SQL: %v", err)
			}
			t.Logf("REST %v; SQL %v; %s", restInfo, sqlInfo, restRep.Summary(privileges.Gate{}))
			sameReports(t, restRep, sqlRep)
			if !restRep.Passed(privileges.Gate{}) {
				t.Errorf("the audit after the setup fails:\n%s", report(t, restRep))
			}
			if restInfo.Via != REST || sqlInfo.Via != SQL || sqlInfo.Requests > 12 || sqlInfo.Requests >= restInfo.Requests {
				t.Errorf("REST %v, SQL %v", restInfo, sqlInfo)
			}
			_, _, autoInfo, err := Audit(ctx, c, exec, reqs, Options{})
			if err != nil || autoInfo.Via != SQL || autoInfo.Why == "" {
				t.Errorf("auto: %v, %v: want the warehouse path, saying why", autoInfo, err)
			}
		})
	}
}

// TestPathsAgreeOnFindings: grants to other principals inside the
// governance catalog (exposures), a revoked grant (missing), ALL
// PRIVILEGES where less would do and grants to other principals on the
// data sources (which the warehouse path does not read) give the same
// report by both paths, in every format.
func TestPathsAgreeOnFindings(t *testing.T) {
	w := emutest.New(t, filepath.Join("..", "examples", "payloads", "manual-token.yaml"))
	setUp(t, w)
	w.Exec(emutest.Admin, "GRANT USE SCHEMA ON SCHEMA `immuta`.`immuta_system` TO `analysts`")
	w.Exec(emutest.Admin, "GRANT SELECT ON CATALOG `immuta` TO `account users`")
	w.Exec(emutest.Admin, "REVOKE MODIFY ON SCHEMA `main`.`sales` FROM `"+w.SP+"`")
	w.Exec(emutest.Admin, "GRANT ALL PRIVILEGES ON TABLE `hr`.`people`.`employees` TO `"+w.SP+"`")
	w.Exec(emutest.Admin, "GRANT SELECT ON TABLE `hr`.`people`.`employees` TO `analysts`")
	w.Exec(emutest.Admin, "GRANT USE CATALOG ON CATALOG `hr` TO `analysts`")
	c, exec := clients(t, w)
	reqs := required(t, w)
	ctx := context.Background()
	restRep, _, _, err := Audit(ctx, c, exec, reqs, Options{Via: REST})
	if err != nil {
		t.Fatal(err)
	}
	sqlRep, _, _, err := Audit(ctx, c, exec, reqs, Options{Via: SQL})
	if err != nil {
		t.Fatal(err)
	}
	sameReports(t, restRep, sqlRep)
	if restRep.Errors() != 2 || restRep.Count(privileges.Missing) != 1 || len(restRep.Findings) != 3 {
		t.Errorf("want 2 exposures, a broad grant and 1 missing:\n%s", report(t, restRep))
	}
}

// TestPathsAgreeWithoutOwners: objects the workspace reports without an
// owner (seeded from a grant listing) exist all the same for both paths.
func TestPathsAgreeWithoutOwners(t *testing.T) {
	w := emutest.New(t, filepath.Join("..", "examples", "payloads", "manual-token.yaml"))
	setUp(t, w)
	w.SetOwner(ucemu.Sec("SCHEMA", "main.sales"), "")
	w.SetOwner(ucemu.Sec("TABLE", "hr.people.employees"), "")
	c, exec := clients(t, w)
	reqs := required(t, w)
	restRep, _, _, err := Audit(context.Background(), c, exec, reqs, Options{Via: REST})
	if err != nil {
		t.Fatal(err)
	}
	sqlRep, _, _, err := Audit(context.Background(), c, exec, reqs, Options{Via: SQL})
	if err != nil {
		t.Fatal(err)
	}
	sameReports(t, restRep, sqlRep)
}

// TestAutoFallsBack: the automatic choice takes the REST API when the
// payload names no warehouse, when it names a cluster, and when the
// warehouse path fails, and says why each time; the report is the one the
// REST path gives. Asked for the warehouse path, the same cases fail.
func TestAutoFallsBack(t *testing.T) {
	w := emutest.New(t, filepath.Join("..", "examples", "payloads", "manual-token.yaml"))
	setUp(t, w)
	c, exec := clients(t, w)
	reqs := required(t, w)
	ctx := context.Background()
	want, _, _, err := Audit(ctx, c, exec, reqs, Options{Via: REST})
	if err != nil {
		t.Fatal(err)
	}
	cluster, err := sqlexec.New(c, "sql/protocolv1/o/1234567890123456/0123-456789-abcdefgh", sqlexec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		exec  *sqlexec.Executor
		fault bool // the statements API refuses
		why   string
	}{
		{"no warehouse", nil, false, "the payload names no SQL warehouse"},
		{"cluster", cluster, false, "httpPath names a cluster, not a SQL warehouse"},
		{"warehouse path fails", exec, true, "the warehouse path failed ("},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fault {
				// The last case: the fault stays for the --via sql run.
				w.Inject(ucemu.Fault{Prefix: "POST /api/2.0/sql/statements", Status: 403, Code: "PERMISSION_DENIED", N: 1000})
			}
			rep, _, info, err := Audit(ctx, c, tc.exec, reqs, Options{})
			if err != nil {
				t.Fatalf("auto: %v", err)
			}
			if info.Via != REST || !strings.HasPrefix(info.Why, tc.why) {
				t.Errorf("auto ran %v, want via rest because %q", info, tc.why)
			}
			sameReports(t, want, rep)
			if _, _, info, err := Audit(ctx, c, tc.exec, reqs, Options{Via: SQL}); err == nil {
				t.Errorf("--via sql ran (%v), want an error", info)
			}
		})
	}
}
