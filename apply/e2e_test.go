package apply

import (
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/emutest"
)

// newSP is the service principal an edit moves an integration to.
const newSP = "0d9c8b7a-6f5e-4d3c-9b1a-0f9e8d7c6b5a"

// edited changes a payload as an edit may: the first data source removed,
// one added (newcat.newschema), query audit switched, and a new service
// principal with its own credentials.
func edited(raw map[string]any) {
	c := emutest.Config(raw)
	ds, _ := c["dataSources"].([]any)
	c["dataSources"] = append(append([]any{}, ds[1:]...), "newcat.newschema")
	a, _ := c["audit"].(map[string]any)
	if a == nil {
		a = map[string]any{}
		c["audit"] = a
	}
	on, _ := a["enabled"].(bool)
	a["enabled"] = !on
	if on {
		a["queryHistory"] = false
	}
	switch c["authenticationType"] {
	case "token":
		c["token"] = "dapi-emutest-new-sp"
		c["servicePrincipal"] = newSP
	default:
		o := c["oAuthClientConfig"].(map[string]any)
		o["clientId"], o["clientSecret"] = newSP, "dose-emutest-new-sp-secret"
		if _, ok := c["servicePrincipal"]; ok {
			c["servicePrincipal"] = newSP
		}
	}
}

// grantsTo returns the lines of the emulator's state that grant something
// to principal.
func grantsTo(w *emutest.Workspace, principal string) []string {
	var out []string
	for _, line := range strings.Split(w.State(), "\n") {
		if strings.HasSuffix(line, " to \""+principal+"\"") {
			out = append(out, line)
		}
	}
	return out
}

// TestEndToEnd takes every example payload through its life on the
// emulator, with apply as a user would run it: the setup (a manual
// bootstrap by a metastore admin; for automatic setup the prerequisites by
// the admin, then the bootstrap by the service principal), whose live
// audit passes; the same setup again, which changes nothing; an edit
// (data sources added and removed, query audit switched, a new service
// principal), after which the audit passes for the new service principal
// and the catalog records the new payload; the edit again, which changes
// nothing; and the cleanup with --revoke-grants, after which nothing of the
// integration is left (no catalog, no grant to either service principal),
// run again safely.
func TestEndToEnd(t *testing.T) {
	for _, file := range emutest.Examples(t, root) {
		t.Run(strings.TrimSuffix(file[strings.LastIndex(file, "/")+1:], ".json"), func(t *testing.T) {
			w := emutest.New(t, file)
			setUp := func(in *ucbootstrap.Integration) {
				t.Helper()
				if in.AutoBootstrap {
					mustRun(t, options(w, in, generator.Prerequisites))
				}
				mustRun(t, options(w, in, generator.Bootstrap))
			}
			setUp(w.In)
			before := w.State()
			setUp(w.In)
			if after := w.State(); after != before {
				t.Errorf("the setup run again changed the metastore:\n%s", diffLines(before, after))
			}

			_, next := w.Write("edited.json", edited)
			w.Know(next)
			w.CreateSource(ucbootstrap.DataSource{Catalog: "newcat", Schema: "newschema"})
			o := options(w, next, generator.Edit)
			o.From = w.In
			res := mustRun(t, o)
			if res.Audit == nil || res.Audit.Report == nil || res.Audit.Report.ServicePrincipal != newSP {
				t.Errorf("the audit after the edit is not the new service principal's: %s", describe(res))
			}
			rows := w.Exec(newSP, "SELECT `value` FROM `immuta`.`immuta_system`.`integration_metadata` WHERE `key` = 'fingerprint'")
			if len(rows) != 1 || rows[0][0] != next.Fingerprint() {
				t.Errorf("the recorded fingerprint after the edit is %v, want %s", rows, next.Fingerprint())
			}
			if got := grantsTo(w, w.SP); len(got) != 0 {
				t.Errorf("the old service principal still holds, after the edit:\n%s", strings.Join(got, "\n"))
			}
			before = w.State()
			mustRun(t, o)
			if after := w.State(); after != before {
				t.Errorf("the edit run again changed the metastore:\n%s", diffLines(before, after))
			}

			o = options(w, next, generator.Cleanup)
			o.RevokeGrants = true
			res = mustRun(t, o)
			if !res.Cleanup.CatalogGone {
				t.Error("the catalog is still there")
			}
			for _, sp := range []string{w.SP, newSP} {
				if got := grantsTo(w, sp); len(got) != 0 {
					t.Errorf("%s still holds, after the cleanup:\n%s", sp, strings.Join(got, "\n"))
				}
			}
			before = w.State()
			mustRun(t, o)
			if after := w.State(); after != before {
				t.Errorf("the cleanup run again changed the metastore:\n%s", diffLines(before, after))
			}
		})
	}
}

// diffLines lists the lines only one of two states has.
func diffLines(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if !mb[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !ma[l] {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
