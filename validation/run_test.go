package validation

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ucbootstrap/ucbootstrap"
)

const autoPayload = `type: Databricks
autoBootstrap: true
config:
  workspaceUrl: 127.0.0.1
  port: 443
  httpPath: /sql/1.0/warehouses/8a1b2c3d4e5f6a7b
  authenticationType: token
  token: dapi-validation-token-0123456789
  catalog: immuta
  servicePrincipal: 6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f
  dataSources: [main.sales]
`

func decodeAuto(t *testing.T) *ucbootstrap.Integration {
	t.Helper()
	in, err := ucbootstrap.Decode("payload.yaml", []byte(autoPayload))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func find(res *Results, name string) Test {
	for _, t := range res.ValidationTests {
		if t.Name == name {
			return t
		}
	}
	return Test{}
}

// A workspace assigned a metastore a moment ago answers 404 for a while:
// the test asks again.
func TestMetastoreAskedAgain(t *testing.T) {
	in := decodeAuto(t)
	s := emulatorFor(t, in, "unassigned 3")
	o := testOptions(s)
	o.MetastoreWait = time.Minute
	res, err := Run(context.Background(), in, o)
	if err != nil {
		t.Fatal(err)
	}
	if got := find(res, MetastoreTest); got.Status != Passed {
		t.Errorf("metastore test %+v", got)
	}
	// Asking once fails at the first 404.
	s.Unassign(1)
	o.MetastoreWait = -1
	res, _ = Run(context.Background(), in, o)
	if got := find(res, MetastoreTest); got.Status != Failed || !strings.HasPrefix(got.Message, "Error trying to get the current metastore info: ") {
		t.Errorf("asked once: %+v", got)
	}
}

func TestProgressAndInterrupt(t *testing.T) {
	in := decodeAuto(t)
	s := emulatorFor(t, in, "warehouse 8a1b2c3d4e5f6a7b STOPPED")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var heard []string
	o := testOptions(s)
	o.Progress = func(msg string) {
		heard = append(heard, msg)
		if msg == CatalogTest {
			cancel()
		}
	}
	res, err := Run(ctx, in, o)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(heard, "|")
	if !strings.Contains(joined, "warehouse 8a1b2c3d4e5f6a7b starting") || !strings.HasPrefix(joined, IdentityTest+"|") {
		t.Errorf("progress %q", joined)
	}
	if got := find(res, PrivilegesTest); got.Status != Skipped || !strings.Contains(got.Message, "interrupted") {
		t.Errorf("after the interrupt: %+v", got)
	}
}

func TestRunErrors(t *testing.T) {
	if _, err := Run(context.Background(), nil, Options{}); err == nil {
		t.Error("Run(nil) succeeded")
	}
	// A payload whose token comes from the environment, without one there.
	in, err := ucbootstrap.Decode("payload.yaml", []byte(strings.Replace(autoPayload, "  token: dapi-validation-token-0123456789\n", "", 1)), ucbootstrap.ExternalSecrets())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), in, Options{Getenv: func(string) string { return "" }}); err == nil || !strings.HasPrefix(err.Error(), "validation: ") {
		t.Errorf("Run without credentials: %v", err)
	}
}
