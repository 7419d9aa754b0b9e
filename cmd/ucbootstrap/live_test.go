package main

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/internal/ucemu"
	"github.com/ucbootstrap/ucbootstrap/privileges"
)

const livePayload = `type: Databricks
autoBootstrap: false
config:
  workspaceUrl: 127.0.0.1
  port: PORT
  httpPath: /sql/1.0/warehouses/8a1b2c3d4e5f6a7b
  authenticationType: token
  token: dapi-LIVE-SECRET
  catalog: immuta
  servicePrincipal: 6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f
  dataSources: [main.sales]
`

const liveSP = "6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f"

// liveServer starts an emulator that knows the payload's token.
func liveServer(t *testing.T) *ucemu.Server {
	t.Helper()
	s := ucemu.New(ucemu.Token("dapi-LIVE-SECRET", liveSP), ucemu.Seed(7))
	t.Cleanup(s.Close)
	main, sales := privileges.NewSecurable(privileges.Catalog, "main"), privileges.NewSecurable(privileges.Schema, "main.sales")
	for _, p := range []privileges.Privilege{privileges.UseCatalog, privileges.Manage} {
		s.Grant(liveSP, string(p), emuSec(main))
	}
	for _, p := range []privileges.Privilege{privileges.UseSchema, privileges.Select} {
		s.Grant(liveSP, string(p), emuSec(sales))
	}
	s.Grant(liveSP, string(privileges.Modify), emuSec(main)) // inherited by main.sales
	// The bootstrap handed the governance catalog and everything in it to
	// the service principal.
	s.SetOwner(emuSec(privileges.NewSecurable(privileges.Catalog, "immuta")), liveSP)
	for _, o := range ucbootstrap.GovernanceObjects {
		s.SetOwner(emuSec(privileges.SecurableOf(privileges.SecurableType(o.Kind), append([]string{"immuta"}, o.Parts()...)...)), liveSP)
	}
	return s
}

// writeLivePayload writes the payload text, with PORT replaced by the
// emulator's port, into a temporary directory and returns its path.
func writeLivePayload(t *testing.T, s *ucemu.Server, text string) string {
	t.Helper()
	return writePayloadFor(t, s.URL, text)
}

// writePayloadFor writes the payload text, with PORT replaced by the port of
// the server at base, and returns its path.
func writePayloadFor(t *testing.T, base, text string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "payload.yaml")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(text, "PORT", u.Port())), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

var positions = regexp.MustCompile(` \[[^\]]*\]`)

// A live audit gives the report an offline audit of its dump gives.
func TestLiveAuditAndDump(t *testing.T) {
	s := liveServer(t)
	dir := t.TempDir()
	payload := writeLivePayload(t, s, livePayload)
	code, live, stderr := runCLI(t, "audit", payload, "--live", "--insecure-loopback", "--concurrency", "3")
	if code != 0 || !strings.HasPrefix(live, "PASS: 17 satisfied\n") {
		t.Fatalf("live audit: exit %d\n%s%s", code, live, stderr)
	}
	if strings.Contains(live+stderr, "dapi-LIVE-SECRET") {
		t.Error("the token appears in the output")
	}
	grants, owners := filepath.Join(dir, "grants.json"), filepath.Join(dir, "owners.json")
	code, _, stderr = runCLI(t, "grants", "dump", payload, "--insecure-loopback", "-o", grants, "--owners-out", owners)
	if code != 0 {
		t.Fatalf("grants dump: exit %d: %s", code, stderr)
	}
	code, offline, stderr := runCLI(t, "audit", payload, "--grants", grants, "--owners", owners)
	if code != 0 {
		t.Fatalf("offline audit of the dump: exit %d\n%s%s", code, offline, stderr)
	}
	if l, o := positions.ReplaceAllString(live, ""), positions.ReplaceAllString(offline, ""); l != o {
		t.Errorf("live and offline reports differ:\n--- live\n%s--- offline\n%s", l, o)
	}

	// An exposure and a missing privilege fail the live audit.
	s.Grant("analysts", string(privileges.Select), emuSec(privileges.NewSecurable(privileges.Schema, "immuta.immuta_system")))
	code, out, _ := runCLI(t, "audit", payload, "--live", "--insecure-loopback")
	if code != 1 || !strings.Contains(out, "error exposure: analysts holds SELECT on SCHEMA immuta.immuta_system") {
		t.Errorf("live audit with an exposure: exit %d\n%s", code, out)
	}
}

func TestLiveUsageErrors(t *testing.T) {
	s := liveServer(t)
	payload := writeLivePayload(t, s, livePayload)
	// Plain HTTP only to a loopback address, whatever the payload says.
	remote := writeLivePayload(t, s, strings.Replace(livePayload, "127.0.0.1", "dbc-a1b2c3d4-e5f6.cloud.databricks.com", 1))
	for _, cmd := range [][]string{{"audit", remote, "--live"}, {"grants", "dump", remote, "-o", filepath.Join(t.TempDir(), "g.json")}} {
		code, _, stderr := runCLI(t, append(cmd, "--insecure-loopback")...)
		if want := `workspace host "dbc-a1b2c3d4-e5f6.cloud.databricks.com" is not a loopback address`; code != 2 || !strings.Contains(stderr, want) {
			t.Errorf("%q --insecure-loopback: exit %d, stderr %q; want exit 2 and %q", cmd, code, stderr, want)
		}
	}
	for _, args := range [][]string{
		{"audit", payload, "--live", "--grants", "x.csv"},
		{"audit", payload, "--live", "--concurrency", "0"},
		{"grants", "dump", payload},
		{"audit", payload, "--grants", "x.csv", "--insecure-loopback"},
	} {
		if code, _, stderr := runCLI(t, args...); code != 2 || !strings.HasPrefix(stderr, "ucbootstrap: ") {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 with a message", args, code, stderr)
		}
	}
}

// A token that is not the service principal's gives a warning, and a
// securable the credentials may not read makes its requirements unverified.
func TestLiveIdentityAndForbidden(t *testing.T) {
	s := ucemu.New(ucemu.Token("dapi-LIVE-SECRET", "someone@example.com"), ucemu.Seed(3))
	defer s.Close()
	main := privileges.NewSecurable(privileges.Catalog, "main")
	s.Grant(liveSP, string(privileges.UseCatalog), emuSec(main))
	s.AddSecurable(emuSec(privileges.NewSecurable(privileges.Schema, "main.sales")))
	s.Forbid(emuSec(main))
	payload := writeLivePayload(t, s, livePayload)
	code, out, stderr := runCLI(t, "audit", payload, "--live", "--insecure-loopback")
	if !strings.Contains(stderr, "ucbootstrap: warning: the credentials belong to someone@example.com, not to the service principal "+liveSP) {
		t.Errorf("no identity warning: %q", stderr)
	}
	if strings.Contains(stderr, "asked about") {
		t.Errorf("progress line on a stderr that is not a terminal: %q", stderr)
	}
	if !strings.Contains(out, "service principal: MANAGE on CATALOG main (direct): the grants on CATALOG main could not be read: ") {
		t.Errorf("forbidden catalog not unverified:\n%s", out)
	}
	if code != 1 { // main.sales has no grants: missing
		t.Errorf("exit %d, want 1\n%s", code, out)
	}
}
