package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap/internal/ucemu"
	"github.com/ucbootstrap/ucbootstrap/privileges"
)

const validatePayload = `type: Databricks
autoBootstrap: true
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

// validateServer is a workspace where the automatic setup of
// validatePayload can go ahead.
func validateServer(t *testing.T, opts ...ucemu.Option) *ucemu.Server {
	t.Helper()
	s := ucemu.New(append([]ucemu.Option{ucemu.Token("dapi-LIVE-SECRET", liveSP), ucemu.MetastoreAdmin("admin@example.com"),
		ucemu.Warehouse("8a1b2c3d4e5f6a7b", "RUNNING")}, opts...)...)
	t.Cleanup(s.Close)
	for _, st := range []string{
		"CREATE CATALOG main", "CREATE SCHEMA main.sales",
		"GRANT CREATE CATALOG ON METASTORE TO `" + liveSP + "`",
		"GRANT USE CATALOG, MANAGE ON CATALOG main TO `" + liveSP + "`",
		"GRANT USE SCHEMA, SELECT, MODIFY ON SCHEMA main.sales TO `" + liveSP + "`",
	} {
		if _, err := s.Exec("admin@example.com", st); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestValidateLive(t *testing.T) {
	s := validateServer(t)
	payload := writeLivePayload(t, s, validatePayload)
	code, out, stderr := runCLI(t, "validate", payload, "--live", "--insecure-loopback")
	if code != 0 || !strings.HasSuffix(out, "validation passed: 6 passed, 1 skipped\n") || !strings.Contains(out, `passed   Basic Connection Test: SELECT 1 ran on the warehouse 8a1b2c3d4e5f6a7b [{"1":1}]`) {
		t.Errorf("exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "validate", payload, "--live", "--insecure-loopback", "--format", "json")
	var res struct {
		Status string `json:"status"`
		Tests  []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
			Result any    `json:"result"`
		} `json:"validationTests"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 || res.Status != "passed" || len(res.Tests) != 7 {
		t.Fatalf("json: exit %d, %v\n%s%s", code, err, out, stderr)
	}
	if b, _ := json.Marshal(res.Tests[3].Result); res.Tests[3].Name != "Basic Connection Test" || string(b) != `[{"1":1}]` {
		t.Errorf("basic connection %+v", res.Tests[3])
	}
	if strings.Contains(out+stderr, "dapi-LIVE-SECRET") {
		t.Error("the token appears in the output")
	}
}

func TestValidateLiveFails(t *testing.T) {
	s := validateServer(t, ucemu.Warehouse("8a1b2c3d4e5f6a7b", "DELETED"))
	payload := writeLivePayload(t, s, validatePayload)
	code, out, _ := runCLI(t, "validate", payload, "--live", "--insecure-loopback")
	if code != 1 || !strings.Contains(out, "failed   Warehouse State Test: the warehouse 8a1b2c3d4e5f6a7b is DELETED") {
		t.Errorf("exit %d\n%s", code, out)
	}
	// Plain HTTP needs the switch: without it the client speaks https,
	// which the emulator does not, and the identity test says so.
	code, out, _ = runCLI(t, "validate", payload, "--live")
	if code != 1 || !strings.Contains(out, "the server speaks plain HTTP, not https") {
		t.Errorf("without --insecure-loopback: exit %d\n%s", code, out)
	}
}

// A SELECT 1 that does not end before the deadline is told to take more
// time with --deadline, the flag that bounds statements (not --timeout,
// which bounds each request).
func TestValidateLiveDeadlineAdvice(t *testing.T) {
	s := validateServer(t, ucemu.RunningPolls(1<<30))
	payload := writeLivePayload(t, s, validatePayload)
	code, out, stderr := runCLI(t, "validate", payload, "--live", "--insecure-loopback", "--deadline", "2s")
	line := ""
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "Basic Connection Test") {
			line = l
		}
	}
	if code != 1 || !strings.HasPrefix(line, "failed ") || !strings.Contains(line, "the statement did not end in time") ||
		!strings.HasSuffix(line, "or give it more time with --deadline") || strings.Contains(line, "--timeout") {
		t.Errorf("exit %d, the connection test %q\n%s%s", code, line, out, stderr)
	}
}

func TestValidateLiveUsage(t *testing.T) {
	s := validateServer(t)
	payload := writeLivePayload(t, s, validatePayload)
	for _, args := range [][]string{
		{"validate", payload, "--insecure-loopback"},
		{"validate", payload, "--timeout", "5s"},
		{"validate", payload, "--live", "--timeout", "0s"},
	} {
		if code, _, stderr := runCLI(t, args...); code != 2 || !strings.HasPrefix(stderr, "ucbootstrap: ") {
			t.Errorf("%q: exit %d, stderr %q; want exit 2", args, code, stderr)
		}
	}
	remote := writeLivePayload(t, s, strings.Replace(validatePayload, "127.0.0.1", "dbc-a1b2c3d4-e5f6.cloud.databricks.com", 1))
	if code, _, stderr := runCLI(t, "validate", remote, "--live", "--insecure-loopback"); code != 2 || !strings.Contains(stderr, "is not a loopback address") {
		t.Errorf("remote host with --insecure-loopback: exit %d, %q", code, stderr)
	}
}

// emuSec returns the emulator's name of a securable.
func emuSec(sec privileges.Securable) ucemu.Securable { return ucemu.Sec(string(sec.Type), sec.Name) }
