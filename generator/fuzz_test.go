package generator_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/dbsql"
	"github.com/ucbootstrap/ucbootstrap/generator"
)

const (
	fuzzToken  = "dapi-FUZZ-SECRET-TOKEN"
	fuzzSecret = "dose-FUZZ-SECRET-OAUTH"
)

// FuzzGenerate feeds hostile strings into every free-text field. Each must
// give either a validation error or scripts whose statements are exactly
// the ones the generator meant, with no secret in them.
func FuzzGenerate(f *testing.F) {
	f.Add("acme-prod", "s3://bucket/path", "main.sales", "6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f", "immuta", "dbc-1.cloud.databricks.com", false)
	f.Add("x'; DROP CATALOG main; --", "s3://b/x';--", "`a``b`.`c;d`.`e'f`", "6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f", "immuta", "dbc-1.cloud.databricks.com", true)
	f.Add("line\nbreak", "abfss://c@a.dfs.core.windows.net/p\\", "a.b.c", "6F1B7C2E-3D4A-4B5C-9E8F-0A1B2C3D4E5F", "Gov_1", "https://dbc-1.cloud.databricks.com/", false)
	f.Add("*/ --", "gs://b/$$", "`we``ird`", "not-a-uuid", "immuta`", "[h](https://h.c)", true)
	f.Add("tenant\\", "r2://b@a.r2.cloudflarestorage.com/p", "données.x.`y-z`", "0d9c8b7a-6f5e-4d3c-2b1a-0f9e8d7c6b5a", "_x", "a.b", false)
	f.Fuzz(func(t *testing.T, tenant, location, source, sp, catalog, host string, auto bool) {
		in := &ucbootstrap.Integration{
			Type:          ucbootstrap.TypeDatabricks,
			AutoBootstrap: auto,
			Config: ucbootstrap.Config{
				WorkspaceURL:       host,
				HTTPPath:           "/sql/1.0/warehouses/abc123",
				AuthenticationType: ucbootstrap.TokenAuth,
				Token:              ucbootstrap.NewSecret(fuzzToken),
				Catalog:            catalog,
				ServicePrincipal:   sp,
				Tenant:             tenant,
				DataSources:        []string{source, "hr.people.employees"},
				Audit:              ucbootstrap.Audit{Enabled: true, QueryHistory: true},
				Storage: ucbootstrap.Storage{
					CatalogLocation: location,
					SchemaLocations: map[string]string{ucbootstrap.SystemSchema: location},
				},
			},
		}
		oauth := *in
		oauth.Config.AuthenticationType = ucbootstrap.OAuthM2M
		oauth.Config.Token = ucbootstrap.Secret{}
		oauth.Config.OAuthClientConfig = &ucbootstrap.OAuthClientConfig{ClientID: sp, ClientSecret: ucbootstrap.NewSecret(fuzzSecret), AuthorityURL: "https://" + host + "/oidc/v1/token"}
		oauth.Config.ServicePrincipal = ""
		for _, x := range []*ucbootstrap.Integration{in, &oauth} {
			for _, kind := range generator.Kinds {
				var opts []generator.Option
				if kind == generator.Edit {
					old := *x
					old.Config.DataSources = []string{"finance"}
					old.Config.Audit = ucbootstrap.Audit{}
					opts = append(opts, generator.From(&old))
				}
				if kind == generator.Cleanup {
					opts = append(opts, generator.RevokeGrants())
				}
				checkGenerated(t, x, kind, opts...)
			}
		}
	})
}

func checkGenerated(t *testing.T, in *ucbootstrap.Integration, kind generator.Kind, opts ...generator.Option) {
	t.Helper()
	s, err := generator.Generate(in, kind, opts...)
	if err != nil {
		msg := err.Error()
		if strings.Contains(msg, fuzzToken) || strings.Contains(msg, fuzzSecret) {
			t.Fatalf("%s: error shows a secret: %s", kind, msg)
		}
		var ds ucbootstrap.Diagnostics
		if !errors.As(err, &ds) && !strings.HasPrefix(msg, "generator: ") {
			t.Fatalf("%s: error without the package prefix: %s", kind, msg)
		}
		return
	}
	sql, err := s.SQL()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sql, fuzzToken) || strings.Contains(sql, fuzzSecret) {
		t.Fatalf("%s: script shows a secret", kind)
	}
	got, err := splitScript(sql)
	if err != nil {
		t.Fatalf("%s: %v\n%s", kind, err, sql)
	}
	if len(got) != len(s.Statements) {
		t.Fatalf("%s: script text has %d statements, the generator meant %d\n%s", kind, len(got), len(s.Statements), sql)
	}
	for i, st := range s.Statements {
		if got[i] != st.SQL {
			t.Fatalf("%s: statement %d reads\n%s\nwant\n%s", kind, i, got[i], st.SQL)
		}
	}
	// The Databricks SQL parser reads the same statements, each spanning
	// exactly the generator's text, and printing a statement and parsing
	// the print again gives the same print.
	f, err := dbsql.ParseFile("script.sql", []byte(sql))
	if err != nil {
		t.Fatalf("%s: the script does not parse: %v\n%s", kind, err, sql)
	}
	if len(f.Stmts) != len(s.Statements) {
		t.Fatalf("%s: dbsql reads %d statements, the generator meant %d", kind, len(f.Stmts), len(s.Statements))
	}
	for i, st := range f.Stmts {
		if text := sql[st.Pos()-1 : st.End()-1]; text != s.Statements[i].SQL {
			t.Fatalf("%s: dbsql statement %d spans\n%s\nwant\n%s", kind, i, text, s.Statements[i].SQL)
		}
		var p1, p2 strings.Builder
		if err := dbsql.Fprint(&p1, st); err != nil {
			t.Fatal(err)
		}
		again, err := dbsql.ParseStmt(p1.String())
		if err != nil {
			t.Fatalf("%s: the print of statement %d does not parse: %v\n%s", kind, i, err, p1.String())
		}
		if err := dbsql.Fprint(&p2, again); err != nil {
			t.Fatal(err)
		}
		if p1.String() != p2.String() {
			t.Fatalf("%s: printing is not stable for statement %d:\n%s\n%s", kind, i, p1.String(), p2.String())
		}
	}
	// Header and section lines are comments: nothing outside a statement
	// may be anything else.
	for _, line := range strings.Split(sql, "\n") {
		if line == "" || strings.HasPrefix(line, "--") {
			continue
		}
		found := false
		for _, st := range s.Statements {
			if strings.Contains(st.SQL+";", line) {
				found = true
				break
			}
		}
		if !found {
			t.Fatalf("%s: line belongs to no statement and is no comment: %q", kind, line)
		}
	}
}
