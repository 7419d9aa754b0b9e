package apply

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/databricks"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/emutest"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/sqlexec"
)

var root = filepath.Join("..")

func example(name string) string { return filepath.Join(root, "examples", "payloads", name) }

// person returns the connection of a person with a token, on the
// workspace's emulator.
func person(w *emutest.Workspace, token string) *databricks.Config {
	port := w.In.Config.Port
	return &databricks.Config{Host: "127.0.0.1", Port: port, Token: ucbootstrap.NewSecret(token)}
}

// options returns the options of a run of kind on the workspace: as the
// admin for a script a person runs, as the service principal otherwise,
// polling fast.
func options(w *emutest.Workspace, in *ucbootstrap.Integration, kind generator.Kind) Options {
	o := Options{Integration: in, Kind: kind, InsecureLoopback: true,
		SQL: sqlexec.Options{MinPoll: time.Millisecond, MaxPoll: 5 * time.Millisecond}}
	if RunsAs(in, kind) == Person {
		o.Runner = person(w, emutest.AdminToken)
	}
	return o
}

func mustRun(t *testing.T, o Options) *Result {
	t.Helper()
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatalf("%s: %v", o.Kind, err)
	}
	if !res.Passed {
		t.Fatalf("%s: did not pass: %s", o.Kind, describe(res))
	}
	t.Logf("%s as %s: %d statements ran, %d skipped; notes: %q", o.Kind, res.Runner, res.Ran, res.Skipped, res.Notes)
	return res
}

// describe sums up a result for failure messages.
func describe(res *Result) string {
	if res == nil {
		return "no result"
	}
	var b strings.Builder
	b.WriteString(strings.Join(res.Notes, "; "))
	if res.Audit != nil && res.Audit.Report != nil {
		res.Audit.Report.Write(&b, "text", privileges.WriteOptions{})
	}
	if res.Cleanup != nil {
		b.WriteString("cleanup: gone " + boolText(res.Cleanup.CatalogGone) + ", remaining " + strings.Join(res.Cleanup.Remaining, ", "))
	}
	return b.String()
}

func boolText(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func TestManualBootstrap(t *testing.T) {
	w := emutest.New(t, example("manual-token.yaml"))
	res := mustRun(t, options(w, w.In, generator.Bootstrap))
	if res.Ran != len(res.Plan.Statements) || res.Runner != emutest.Admin {
		t.Errorf("ran %d of %d as %s", res.Ran, len(res.Plan.Statements), res.Runner)
	}
	rows := w.Exec(w.SP, "SELECT statement_index, state, runner FROM `immuta`.`immuta_system`.`setup_runs`")
	if len(rows) != len(res.Plan.Statements) {
		t.Errorf("the run ledger has %d rows, want %d: %v (notes %v)", len(rows), len(res.Plan.Statements), rows, res.Notes)
	}
	t.Logf("%s; %v", res.Audit.Info, res.Notes)
}
