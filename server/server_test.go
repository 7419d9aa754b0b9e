package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/server/store"
	"github.com/ucbootstrap/ucbootstrap/server/store/storetest"
)

const ws1 = "dbc-a1b2c3d4-e5f6.cloud.databricks.com"

// The response of POST /integrations, whole: the documented shape, the
// defaults explicit, the token REDACTED.
func TestCreateResponse(t *testing.T) {
	h := newHarness(t, "sqlite", nil)
	r := h.post("/integrations", tokenPayload(ws1, true))
	if r.status != http.StatusOK {
		t.Fatalf("POST: %d\n%s", r.status, r.body)
	}
	want := `{
  "id": "1",
  "status": "creating",
  "validationResults": {
    "status": "passed",
    "validationTests": [
      {
        "name": "Connection",
        "status": "passed",
        "result": [
          {
            "1": 1
          }
        ]
      },
      {
        "name": "Metastore",
        "status": "passed"
      }
    ]
  },
  "type": "Databricks",
  "autoBootstrap": true,
  "config": {
    "workspaceUrl": "dbc-a1b2c3d4-e5f6.cloud.databricks.com",
    "httpPath": "/sql/1.0/warehouses/8a1b2c3d4e5f6a7b",
    "port": 443,
    "authenticationType": "token",
    "token": "REDACTED",
    "catalog": "immuta",
    "audit": {
      "enabled": false,
      "queryHistory": false
    },
    "servicePrincipal": "6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f",
    "dataSources": [
      "main.sales"
    ],
    "tenant": "acme-prod"
  }
}
`
	if diff := cmp.Diff(want, string(r.body)); diff != "" {
		t.Errorf("POST /integrations (-want +got):\n%s", diff)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
}

func statusOf(t *testing.T, h *harness, id string) string {
	t.Helper()
	r := h.do("GET", "/integrations/"+id+"/status", h.reader, "", "")
	if r.status != http.StatusOK {
		t.Fatalf("GET status: %d %s", r.status, r.body)
	}
	return r.json(t)["status"].(string)
}

// The lifecycle on both stores: create, edit, delete, each answered in its
// transitional status and finished by a job.
func TestLifecycle(t *testing.T) {
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) {
			h := newHarness(t, backend, nil)
			r := h.post("/integrations", tokenPayload(ws1, true))
			if r.status != 200 || r.json(t)["status"] != "creating" {
				t.Fatalf("POST: %d %s", r.status, r.body)
			}
			id := r.json(t)["id"].(string)
			h.runJobs()
			if s := statusOf(t, h, id); s != "enabled" {
				t.Fatalf("after the create job: %s", s)
			}
			bootstrap, _ := generator.Generate(mustDecode(t, tokenPayload(ws1, true)), generator.Bootstrap)
			if got := h.ws.total(); got != len(bootstrap.Statements) {
				t.Errorf("the create job ran %d statements; the bootstrap has %d", got, len(bootstrap.Statements))
			}

			// GET one and all.
			one := h.do("GET", "/integrations/"+id, h.reader, "", "")
			if one.status != 200 || one.json(t)["status"] != "enabled" {
				t.Errorf("GET: %d %s", one.status, one.body)
			}
			all := h.do("GET", "/integrations", h.reader, "", "")
			var list []map[string]any
			if err := json.Unmarshal(all.body, &list); err != nil || len(list) != 1 || list[0]["id"] != id {
				t.Errorf("GET /integrations: %v %s", err, all.body)
			}

			// Edit: editing, then enabled with the new data sources.
			r = h.do("PUT", "/integrations/"+id, h.admin, "application/json", tokenPayload(ws1, true, "main.sales", "main.hr"))
			if r.status != 200 || r.json(t)["status"] != "editing" {
				t.Fatalf("PUT: %d %s", r.status, r.body)
			}
			wantError(t, h.do("PUT", "/integrations/"+id, h.admin, "application/json", tokenPayload(ws1, true)), 409,
				"Unable to edit integration with ID "+id+" in current state editing.")
			h.runJobs()
			one = h.do("GET", "/integrations/"+id, h.reader, "", "")
			cfg := one.json(t)["config"].(map[string]any)
			if one.json(t)["status"] != "enabled" || fmt.Sprint(cfg["dataSources"]) != "[main.hr main.sales]" {
				t.Errorf("after the edit job: %s", one.body)
			}
			if st := h.do("GET", "/integrations/"+id+"/status", h.reader, "", "").json(t); st["error"] != nil {
				t.Errorf("a successful edit left an error: %v", st["error"])
			}

			// Delete: deleting, then deleted; the workspace is free again.
			wantError(t, h.do("DELETE", "/integrations/"+id, h.admin, "application/json", `{"config":{"token":"x"}}`), 400, deleteCredentialsText)
			r = h.do("DELETE", "/integrations/"+id, h.admin, "", "")
			if r.status != 200 || r.json(t)["status"] != "deleting" {
				t.Fatalf("DELETE: %d %s", r.status, r.body)
			}
			wantError(t, h.do("DELETE", "/integrations/"+id, h.admin, "", ""), 409, "Unable to delete integration with ID "+id+" in current state deleting.")
			h.runJobs()
			if s := statusOf(t, h, id); s != "deleted" {
				t.Errorf("after the delete job: %s", s)
			}
			if l := h.do("GET", "/integrations", h.reader, "", ""); strings.TrimSpace(string(l.body)) != "[]" {
				t.Errorf("GET /integrations after the delete: %s", l.body)
			}
			rec, err := h.st.Get(context.Background(), 1)
			if err != nil || rec.Config.Token != nil || rec.Previous != nil {
				t.Errorf("a deleted integration keeps credentials: %+v, %v", rec, err)
			}
			if r := h.post("/integrations", tokenPayload(ws1, true)); r.status != 200 || r.json(t)["id"] == id {
				t.Errorf("POST after the delete: %d %s", r.status, r.body)
			}
		})
	}
}

func mustDecode(t testing.TB, payload string) *ucbootstrap.Integration {
	t.Helper()
	in, err := ucbootstrap.Decode("payload", []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// The documented error texts.
func TestErrorTexts(t *testing.T) {
	h := newHarness(t, "sqlite", nil)
	h.val.unreadable = map[string]bool{"unreadable.cloud.databricks.com": true}
	wantError(t, h.do("GET", "/integrations/5", h.reader, "", ""), 404, "No Integration found with ID 5.")
	wantError(t, h.do("GET", "/integrations/5/status", h.reader, "", ""), 404, "No Integration found with ID 5.")
	wantError(t, h.do("DELETE", "/integrations/5", h.admin, "", ""), 404, "No integration found with ID 5.")
	wantError(t, h.do("PUT", "/integrations/5", h.admin, "application/json", tokenPayload(ws1, true)), 404, "No Integration found with ID 5.")
	wantError(t, h.do("GET", "/integrations/abc", h.reader, "", ""), 400, "Invalid integration ID: it is a positive integer.")
	wantError(t, h.post("/integrations", tokenPayload("unreadable.cloud.databricks.com", true)), 422,
		"Processing Error: Error trying to get the current metastore info.")
	if l := h.do("GET", "/integrations", h.reader, "", ""); strings.TrimSpace(string(l.body)) != "[]" {
		t.Errorf("a 422 stored something: %s", l.body)
	}
	if r := h.post("/integrations", tokenPayload(ws1, true)); r.status != 200 {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	wantError(t, h.post("/integrations", tokenPayload(ws1, false)), 409,
		"Databricks Unity Catalog integration already exists on "+ws1+" (id = 1)")
	// The workspace is compared as a host: scheme, case and a final slash
	// do not make another one.
	wantError(t, h.post("/integrations", tokenPayload("https://DBC-A1B2C3D4-E5F6.cloud.databricks.com/", false)), 409,
		"Databricks Unity Catalog integration already exists on "+ws1+" (id = 1)")
	// The edit of an integration that is still creating.
	wantError(t, h.do("PUT", "/integrations/1", h.admin, "application/json", tokenPayload(ws1, true)), 409,
		"Unable to edit integration with ID 1 in current state creating.")
	wantError(t, h.do("DELETE", "/integrations/1", h.admin, "application/json", `{"config": {"token": "x"}}`), 400, deleteCredentialsText)
	wantError(t, h.do("DELETE", "/integrations/1", h.admin, "application/yaml", "oAuthClientConfig:\n  clientSecret: x\n"), 400, deleteCredentialsText)
	wantError(t, h.do("DELETE", "/integrations/1", h.admin, "application/json", `{"force": true}`), 400, "DELETE /integrations/{id} takes no body.")
	// Another type: a 400 that names the supported one.
	r := h.post("/integrations", `{"type": "Snowflake", "autoBootstrap": true, "config": {"host": "x.snowflakecomputing.com", "warehouse": "W"}}`)
	msg := r.json(t)["message"].(string)
	if r.status != 400 || !strings.HasPrefix(msg, "Unsupported integration type: body:1:10: type: ") || !strings.Contains(msg, `supports one type, "Databricks"`) {
		t.Errorf("POST of a Snowflake payload: %d %s", r.status, r.body)
	}
	wantError(t, h.do("GET", "/nope", h.reader, "", ""), 404, "No such endpoint; GET /openapi.json lists them.")
	r = h.do("PATCH", "/integrations/1", h.admin, "", "")
	wantError(t, r, 405, "PATCH is not allowed on /integrations/1; use GET or PUT or DELETE.")
	if r.header.Get("Allow") != "GET, PUT, DELETE" {
		t.Errorf("Allow: %q", r.header.Get("Allow"))
	}
}

// Every payload problem at once, each with its line:col and field, in JSON
// and in YAML.
func TestPayloadErrors(t *testing.T) {
	h := newHarness(t, "sqlite", nil)
	wantError(t, h.post("/integrations", `{
  "type": "Databricks",
  "autoBootstrap": true,
  "config": {
    "workspaceUrl": "dbc-1.cloud.databricks.com",
    "httpPath": "/sql/1.0/warehouses/8a1b2c3d4e5f6a7b",
    "authenticationType": "token",
    "token": "dapi-TEST-SECRET-0123456789abcdef",
    "catalog": "9immuta",
    "servicePrincipal": "6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f",
    "dataSources": ["main.sales"],
    "prot": 443
  }
}`), 400, `Invalid payload (2 errors):
body:9:16: config.catalog: "9immuta" starts with a digit; a catalog name must start with a letter or an underscore (start it with a letter or an underscore, as in immuta_9)
body:12:5: config.prot: unknown key (remove it; the known keys are workspaceUrl, httpPath, port, authenticationType, token, oAuthClientConfig, catalog, audit, servicePrincipal, dataSources, storage, tenant. --lenient turns unknown keys into warnings)`)
	r := h.do("POST", "/integrations", h.admin, "application/yaml", "type: Databricks\nautoBootstrap: yes\nconfig: []\n")
	if r.status != 400 || !strings.Contains(r.json(t)["message"].(string), "body:2:16: autoBootstrap:") {
		t.Errorf("YAML errors: %d %s", r.status, r.body)
	}
	wantError(t, h.do("POST", "/integrations", h.admin, "text/plain", "x"), 415, "Unsupported Content-Type: send the payload as application/json or application/yaml.")
	wantError(t, h.post("/integrations", "type: Databricks"), 400, "The body is not JSON (Content-Type: application/json): send a JSON object, or use Content-Type: application/yaml.")
	// A credential sent back as the API shows it.
	wantError(t, h.post("/integrations", strings.Replace(tokenPayload(ws1, true), testToken, "REDACTED", 1)), 400,
		"Invalid payload (1 error):\nbody:8:14: config.token: is the placeholder \"REDACTED\", not a secret (paste the real secret; an integration read back from the API shows REDACTED in its place)")
	// YAML by Content-Type works the same as JSON.
	r = h.do("POST", "/integrations", h.admin, "application/yaml; charset=utf-8", oauthPayload("adb-1.azuredatabricks.net"))
	if r.status != 200 {
		t.Fatalf("YAML POST: %d %s", r.status, r.body)
	}
	o := r.json(t)["config"].(map[string]any)["oAuthClientConfig"].(map[string]any)
	if o["clientSecret"] != "REDACTED" {
		t.Errorf("clientSecret shown as %v", o["clientSecret"])
	}
}

func TestBodyLimit(t *testing.T) {
	h := newHarness(t, "sqlite", func(c *Config) { c.MaxBodyBytes = 1000 })
	wantError(t, h.post("/integrations", `{"type": "`+strings.Repeat("x", 2000)+`"}`), 413, "The body is larger than 1000 bytes.")
}

// The scripts endpoints give the bytes of ucbootstrap generate (the
// generator's Render) for the same payload.
func TestScripts(t *testing.T) {
	h := newHarness(t, "sqlite", nil)
	render := func(in *ucbootstrap.Integration, kind generator.Kind, opts ...generator.Option) string {
		s, err := generator.Generate(in, kind, opts...)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := s.Render(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	p := tokenPayload(ws1, false)
	in := mustDecode(t, p)
	check := func(name string, r resp, want string) {
		t.Helper()
		if r.status != 200 || r.header.Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("%s: %d %s %s", name, r.status, r.header.Get("Content-Type"), r.body)
			return
		}
		if diff := cmp.Diff(want, string(r.body)); diff != "" {
			t.Errorf("%s (-generate +served):\n%s", name, diff)
		}
	}
	check("scripts/create", h.do("POST", "/integrations/scripts/create", h.reader, "application/json", p), render(in, generator.Bootstrap))
	check("scripts/cleanup", h.do("POST", "/integrations/scripts/cleanup", h.reader, "application/json", p), render(in, generator.Cleanup))
	check("scripts/cleanup?revokeGrants=true", h.do("POST", "/integrations/scripts/cleanup?revokeGrants=true", h.reader, "application/json", p),
		render(in, generator.Cleanup, generator.RevokeGrants()))
	if r := h.post("/integrations", p); r.status != 200 {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	next := tokenPayload(ws1, false, "main.sales", "main.hr")
	check("1/scripts/edit", h.do("POST", "/integrations/1/scripts/edit", h.reader, "application/json", next),
		render(mustDecode(t, next), generator.Edit, generator.From(in)))
	check("1/scripts/delete", h.do("POST", "/integrations/1/scripts/delete", h.reader, "", ""), render(in, generator.Cleanup))
	wantError(t, h.do("POST", "/integrations/9/scripts/delete", h.reader, "", ""), 404, "No Integration found with ID 9.")
	wantError(t, h.do("POST", "/integrations/scripts/cleanup?revokeGrants=maybe", h.reader, "application/json", p), 400, "revokeGrants is true or false.")
	// ?runner= is generate --runner: the runner first takes the catalog.
	admin := "admin@example.com"
	check("scripts/cleanup?runner=", h.do("POST", "/integrations/scripts/cleanup?runner="+url.QueryEscape(admin), h.reader, "application/json", p),
		render(in, generator.Cleanup, generator.Runner(admin)))
	check("1/scripts/delete?revokeGrants=true&runner=", h.do("POST", "/integrations/1/scripts/delete?revokeGrants=true&runner="+url.QueryEscape(admin), h.reader, "", ""),
		render(in, generator.Cleanup, generator.RevokeGrants(), generator.Runner(admin)))
	if r := h.do("POST", "/integrations/1/scripts/delete?runner="+url.QueryEscape(admin), h.reader, "", ""); !strings.Contains(string(r.body), "OWNER TO `admin@example.com`") {
		t.Errorf("the cleanup with a runner does not hand the catalog to the runner:\n%s", r.body)
	}
	wantError(t, h.do("POST", "/integrations/1/scripts/delete?runner=", h.reader, "", ""), 400,
		"runner names the principal who runs the cleanup (a user, group or service principal), or is left out.")
	wantError(t, h.do("POST", "/integrations/1/scripts/delete?runner="+url.QueryEscape("a\nGRANT ALL PRIVILEGES ON CATALOG x TO y"), h.reader, "", ""), 400,
		`the runner "a\nGRANT ALL PRIVILEGES ON CATALOG x TO y" holds a control character: name the principal on one line`)
}

func TestAuth(t *testing.T) {
	h := newHarness(t, "sqlite", nil)
	wantError(t, h.do("GET", "/integrations", "", "", ""), 401, errNoKey.Error())
	wantError(t, h.do("GET", "/integrations", "not-a-key", "", ""), 401, "Invalid API key.")
	forged := h.admin[:len(h.admin)-9] + "_00000000"
	wantError(t, h.do("GET", "/integrations", forged, "", ""), 401, "Invalid API key.")
	// A well-formed key with a known id but another secret.
	other, _, _ := CreateAPIKey(context.Background(), h.st, "other", store.Admin)
	id := h.admin[4:16]
	spliced := "ucb_" + id + other[16:]
	if r := h.do("GET", "/integrations", spliced, "", ""); r.status != 401 {
		t.Errorf("a key with another key's secret: %d", r.status)
	}
	for _, k := range []string{h.reader, "Bearer " + h.reader, "bearer " + h.reader} {
		if r := h.do("GET", "/integrations", k, "", ""); r.status != 200 {
			t.Errorf("GET with %q: %d %s", k[:7], r.status, r.body)
		}
	}
	readerID := h.reader[4:16]
	wantError(t, h.do("POST", "/integrations", h.reader, "application/json", tokenPayload(ws1, true)), 403,
		"The API key "+readerID+" is read-only: POST /integrations needs an admin key.")
	if r := h.do("POST", "/integrations/scripts/create", h.reader, "application/json", tokenPayload(ws1, false)); r.status != 200 {
		t.Errorf("a read-only key cannot generate scripts: %d", r.status)
	}
	// Public endpoints.
	if r := h.do("GET", "/healthz", "", "", ""); r.status != 200 || strings.TrimSpace(string(r.body)) != "{\n  \"status\": \"ok\"\n}" {
		t.Errorf("healthz: %d %s", r.status, r.body)
	}
	if err := h.st.RevokeKey(context.Background(), readerID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(keyCacheTTL + 100*time.Millisecond)
	wantError(t, h.do("GET", "/integrations", h.reader, "", ""), 401, "Invalid API key.")
}

func TestRateLimit(t *testing.T) {
	h := newHarness(t, "sqlite", func(c *Config) { c.RateLimit, c.RateBurst = 1, 3 })
	for i := range 3 {
		if r := h.do("GET", "/integrations", h.reader, "", ""); r.status != 200 {
			t.Fatalf("request %d: %d", i, r.status)
		}
	}
	r := h.do("GET", "/integrations", h.reader, "", "")
	if r.status != 429 || r.header.Get("Retry-After") != "1" {
		t.Errorf("past the burst: %d, Retry-After %q, %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	// Another key has its own bucket.
	if r := h.do("GET", "/integrations", h.admin, "", ""); r.status != 200 {
		t.Errorf("the admin key was limited by the reader's requests: %d", r.status)
	}
}

// Fifty POSTs at once for one workspace: one integration, and 49
// documented 409s.
func TestConcurrentCreate(t *testing.T) {
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) {
			h := newHarness(t, backend, nil)
			// Every validation waits until all fifty requests are in, so
			// that none can see another's integration before it
			// validates: the store alone decides.
			const n = 50
			var arrived sync.WaitGroup
			arrived.Add(n)
			var once sync.Once
			h.val.gate = func(ctx context.Context) error {
				once.Do(func() {})
				arrived.Done()
				arrived.Wait()
				return nil
			}
			var wg sync.WaitGroup
			results := make([]resp, n)
			for i := range n {
				wg.Go(func() { results[i] = h.post("/integrations", tokenPayload(ws1, true)) })
			}
			wg.Wait()
			var ok []resp
			for _, r := range results {
				if r.status == 200 {
					ok = append(ok, r)
				}
			}
			if len(ok) != 1 {
				t.Fatalf("%d POSTs succeeded; want 1", len(ok))
			}
			id := ok[0].json(t)["id"].(string)
			for _, r := range results {
				if r.status != 200 {
					wantError(t, r, 409, "Databricks Unity Catalog integration already exists on "+ws1+" (id = "+id+")")
				}
			}
			if l, _ := h.st.List(context.Background()); len(l) != 1 {
				t.Errorf("%d integrations stored; want 1", len(l))
			}
		})
	}
}

// Two PUTs at once: one editing, one documented 409.
func TestConcurrentEdit(t *testing.T) {
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) {
			h := newHarness(t, backend, nil)
			if r := h.post("/integrations", tokenPayload(ws1, true)); r.status != 200 {
				t.Fatal(r.status)
			}
			h.runJobs()
			var arrived sync.WaitGroup
			arrived.Add(2)
			h.val.gate = func(ctx context.Context) error { arrived.Done(); arrived.Wait(); return nil }
			var wg sync.WaitGroup
			results := make([]resp, 2)
			for i := range 2 {
				wg.Go(func() {
					results[i] = h.do("PUT", "/integrations/1", h.admin, "application/json", tokenPayload(ws1, true, "main.sales", fmt.Sprintf("main.s%d", i)))
				})
			}
			wg.Wait()
			var editing, conflicts int
			for _, r := range results {
				switch r.status {
				case 200:
					editing++
					if r.json(t)["status"] != "editing" {
						t.Errorf("PUT answered %s", r.body)
					}
				default:
					conflicts++
					wantError(t, r, 409, "Unable to edit integration with ID 1 in current state editing.")
				}
			}
			if editing != 1 || conflicts != 1 {
				t.Errorf("%d editing and %d conflicts; want 1 and 1", editing, conflicts)
			}
			if jobs, _ := h.st.Jobs(context.Background(), 1); len(jobs) != 2 {
				t.Errorf("%d jobs; want the create job and one edit job", len(jobs))
			}
		})
	}
}
