package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/internal/ucemu"
)

const e2eAdmin = "admin@example.com"

// localPayload rewrites an example payload to name the emulator at base:
// workspaceUrl 127.0.0.1, its port, and a loopback token endpoint.
func localPayload(t *testing.T, s *ucemu.Server, file string) (string, *ucbootstrap.Integration) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := yaml.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	port := s.URL[strings.LastIndex(s.URL, ":")+1:]
	c := p["config"].(map[string]any)
	c["workspaceUrl"], c["port"] = "127.0.0.1", port
	if o, ok := c["oAuthClientConfig"].(map[string]any); ok {
		o["authorityUrl"] = s.URL + ucemu.TokenPath
	}
	out, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	out = []byte(strings.Replace(string(out), `"port":"`+port+`"`, `"port":`+port, 1))
	path := filepath.Join(t.TempDir(), "payload.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := ucbootstrap.Decode(path, out)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return path, in
}

// TestGeneratedScriptsOnTheEmulator runs the bootstrap script generated
// for every example payload on the emulator, as Databricks would run it
// (with the emulator's own Unity Catalog rules, not the audit's), and then
// audits the result live: the service principal must have what it needs.
// A manual script is run by a metastore admin; for automatic setup a
// metastore admin runs the prerequisites script, then the service
// principal its bootstrap script. A second run changes nothing, and the
// cleanup script of a manual setup drops the catalog.
func TestGeneratedScriptsOnTheEmulator(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "examples", "payloads", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example payloads (%v)", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			s := ucemu.New(ucemu.MetastoreAdmin(e2eAdmin), ucemu.Warehouse("8a1b2c3d4e5f6a7b", "RUNNING"))
			defer s.Close()
			path, in := localPayload(t, s, file)
			sp := in.Config.ServicePrincipalID()
			if tok := in.Config.Token.Reveal(); tok != "" {
				ucemu.Token(tok, sp)(s)
			}
			if o := in.Config.OAuthClientConfig; o != nil {
				ucemu.OAuthClient(o.ClientID, o.ClientSecret.Reveal())(s)
			}
			// The data sources exist; the automatic setup's service
			// principal may create catalogs and manage its data sources.
			exec := func(who, st string) {
				t.Helper()
				if _, err := s.Exec(who, st); err != nil {
					t.Fatalf("%s: %s: %v", who, st, err)
				}
			}
			for _, ds := range in.Config.Sources() {
				exec(e2eAdmin, "CREATE CATALOG IF NOT EXISTS `"+ds.Catalog+"`")
				if ds.Schema != "" {
					exec(e2eAdmin, "CREATE SCHEMA IF NOT EXISTS `"+ds.Catalog+"`.`"+ds.Schema+"`")
				}
				if ds.Table != "" {
					exec(e2eAdmin, "CREATE TABLE IF NOT EXISTS `"+ds.Catalog+"`.`"+ds.Schema+"`.`"+ds.Table+"` (id BIGINT)")
				}
			}
			runner := e2eAdmin
			if in.AutoBootstrap {
				// An admin runs the prerequisites, then the service
				// principal its bootstrap script.
				code, script, stderr := runCLI(t, "generate", path, "--kind", "prerequisites")
				if code != 0 {
					t.Fatalf("generate --kind prerequisites: exit %d: %s", code, stderr)
				}
				if err := s.ExecScript(e2eAdmin, "prerequisites.sql", []byte(script)); err != nil {
					t.Fatalf("the prerequisites script, run by %s on the emulator: %v", e2eAdmin, err)
				}
				runner = sp
			}
			code, script, stderr := runCLI(t, "generate", path)
			if code != 0 {
				t.Fatalf("generate: exit %d: %s", code, stderr)
			}
			if err := s.ExecScript(runner, "bootstrap.sql", []byte(script)); err != nil {
				t.Fatalf("the bootstrap script, run by %s on the emulator: %v", runner, err)
			}
			code, out, stderr := runCLI(t, "audit", path, "--live", "--insecure-loopback")
			if code != 0 {
				t.Errorf("live audit after the script: exit %d\n%s%s", code, out, stderr)
			}
			// "Safe to run again by a metastore admin" (manual setup) or
			// by the service principal (automatic setup).
			if err := s.ExecScript(runner, "bootstrap.sql", []byte(script)); err != nil {
				t.Errorf("the bootstrap script, run again by %s: %v", runner, err)
			}
			if in.AutoBootstrap {
				return
			}
			// The cleanup, run by a metastore admin, drops the catalog.
			code, cleanup, stderr := runCLI(t, "generate", path, "--kind", "cleanup", "--runner", e2eAdmin)
			if code != 0 {
				t.Fatalf("generate --kind cleanup: exit %d: %s", code, stderr)
			}
			if err := s.ExecScript(e2eAdmin, "cleanup.sql", []byte(cleanup)); err != nil {
				t.Fatalf("the cleanup script, run by %s: %v", e2eAdmin, err)
			}
			if _, ok := s.Owner(ucemu.Sec("CATALOG", in.Config.CatalogName())); ok {
				t.Error("the governance catalog is still there after the cleanup")
			}
		})
	}
}
