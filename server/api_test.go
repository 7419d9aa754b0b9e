package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/server/datakey"
	"github.com/ucbootstrap/ucbootstrap/server/store"
)

// The OpenAPI document describes exactly the routes: every route
// documented, every documented operation served (not a 404 or 405), each
// with the security its route needs.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	var documented, routed []string
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
			var op struct {
				Security  []map[string]any          `json:"security"`
				Responses map[string]map[string]any `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			i := slices.IndexFunc(routeTable, func(r route) bool { return r.method == strings.ToUpper(method) && r.path == path })
			if i < 0 {
				continue
			}
			if (routeTable[i].access == public) != (len(op.Security) == 0) {
				t.Errorf("%s %s: security %v, route access %d", method, path, op.Security, routeTable[i].access)
			}
			if _, ok := op.Responses["200"]; !ok {
				t.Errorf("%s %s documents no 200", method, path)
			}
		}
	}
	for _, r := range routeTable {
		routed = append(routed, r.method+" "+r.path)
	}
	slices.Sort(documented)
	slices.Sort(routed)
	if !slices.Equal(documented, routed) {
		t.Errorf("documented operations:\n%s\nroutes:\n%s", strings.Join(documented, "\n"), strings.Join(routed, "\n"))
	}
	h := newHarness(t, "sqlite", nil)
	for _, op := range documented {
		method, path, _ := strings.Cut(op, " ")
		r := h.do(method, strings.ReplaceAll(path, "{id}", "1"), h.admin, "", "")
		if r.status == 404 && !strings.Contains(string(r.body), "No Integration found") && !strings.Contains(string(r.body), "No integration found") || r.status == 405 {
			t.Errorf("%s is documented but not served: %d %s", op, r.status, r.body)
		}
	}
	served := h.do("GET", "/openapi.json", "", "", "")
	if served.status != 200 || !bytes.Equal(served.body, openAPIDocument) {
		t.Errorf("GET /openapi.json: %d", served.status)
	}
}

// The page of package web is mounted at / when given; the API's routes
// keep theirs.
func TestPageHook(t *testing.T) {
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("the page " + r.URL.Path)) })
	h := newHarness(t, "sqlite", func(c *Config) { c.Page = page })
	if r := h.do("GET", "/", "", "", ""); r.status != 200 || string(r.body) != "the page /" {
		t.Errorf("GET /: %d %s", r.status, r.body)
	}
	if r := h.do("GET", "/app.js", "", "", ""); string(r.body) != "the page /app.js" {
		t.Errorf("GET /app.js: %d %s", r.status, r.body)
	}
	if r := h.do("GET", "/integrations", "", "", ""); r.status != 401 {
		t.Errorf("GET /integrations went to the page: %d", r.status)
	}
	h = newHarness(t, "sqlite", nil)
	wantError(t, h.do("GET", "/", "", "", ""), 404, "No such endpoint; GET /openapi.json lists them.")
}

// A panicking handler gives a 500 in the API's shape, and the server goes
// on.
func TestPanicRecovery(t *testing.T) {
	h := newHarness(t, "sqlite", nil)
	h.val.gate = func(context.Context) error { panic("validator bug") }
	wantError(t, h.post("/integrations", tokenPayload(ws1, false)), 500, "Internal error; the server log has the details.")
	if !strings.Contains(h.logs.String(), "validator bug") {
		t.Error("the panic is not in the log")
	}
	h.val.gate = nil
	if r := h.post("/integrations", tokenPayload(ws1, false)); r.status != 200 {
		t.Errorf("after the panic: %d", r.status)
	}
}

// The data keys must be the store's: a key missing from the ring, or
// another key under a recorded id, stops the server from starting.
// Rotation re-seals everything with the new primary key.
func TestDataKeys(t *testing.T) {
	h := newHarness(t, "sqlite", nil)
	h.post("/integrations", tokenPayload(ws1, true))
	h.do("POST", "/integrations", h.admin, "application/yaml", oauthPayload("adb-1.azuredatabricks.net"))
	ctx := context.Background()
	rec, _ := h.st.Get(ctx, 1)
	if bytes.Contains(rec.Config.Token, []byte(testToken)) || bytes.Contains(rec.Config.Payload, []byte(testToken)) {
		t.Fatal("the token is stored in clear")
	}
	newKey := bytes.Repeat([]byte{9}, datakey.KeySize)
	other, _ := datakey.NewRing(newKey)
	if _, err := New(ctx, Config{Store: h.st, Keys: other}); err == nil || !strings.Contains(err.Error(), "not among the keys given") {
		t.Errorf("a server started with another key: %v", err)
	}
	rotated, _ := datakey.NewRing(newKey, bytes.Repeat([]byte{7}, datakey.KeySize))
	n, err := RotateDataKey(ctx, h.st, rotated)
	if err != nil || n != 2 {
		t.Fatalf("RotateDataKey = %d, %v; want 2 values", n, err)
	}
	if _, err := New(ctx, Config{Store: h.st, Keys: other}); err != nil {
		t.Errorf("after the rotation, the new key alone does not start: %v", err)
	}
	srv, _ := New(ctx, Config{Store: h.st, Keys: other})
	for _, id := range []int64{1, 2} {
		rec, _ := h.st.Get(ctx, id)
		in, err := srv.open(id, &rec.Config)
		if err != nil {
			t.Fatalf("integration %d after the rotation: %v", id, err)
		}
		if got := in.Config.Token.Reveal() + secretOf(in.Config.OAuthClientConfig).Reveal(); got != testToken && got != testSecret {
			t.Errorf("integration %d's credential after the rotation: wrong value", id)
		}
	}
	if n, err := RotateDataKey(ctx, h.st, rotated); err != nil || n != 0 {
		t.Errorf("a second rotation re-sealed %d values: %v", n, err)
	}
	keys, _ := h.st.DataKeys(ctx)
	if len(keys) != 2 {
		t.Errorf("data keys recorded: %d; want the old and the new", len(keys))
	}
	// A sealed value moved to another integration does not open.
	rec1, _ := h.st.Get(ctx, 1)
	if _, err := srv.open(2, &store.Config{Payload: rec1.Config.Payload, Token: rec1.Config.Token}); err == nil {
		t.Error("integration 1's token opened as integration 2's")
	}
}

// GET /integrations writes what MarshalIndent writes for the array of the
// integrations, from the cache as from the records, and follows changes.
func TestListMatchesMarshal(t *testing.T) {
	h := newHarness(t, "sqlite", nil)
	check := func() {
		t.Helper()
		recs, err := h.st.List(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out := []*integrationResponse{}
		for _, rec := range recs {
			resp, err := response(rec)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, resp)
		}
		want, _ := json.MarshalIndent(out, "", "  ")
		for range 2 { // built, then cached
			if got := h.do("GET", "/integrations", h.reader, "", ""); string(got.body) != string(want)+"\n" {
				t.Fatalf("GET /integrations:\n%s\nwant:\n%s", got.body, want)
			}
		}
	}
	check()
	h.post("/integrations", tokenPayload(ws1, true))
	h.do("POST", "/integrations", h.admin, "application/yaml", oauthPayload("adb-1.azuredatabricks.net"))
	check()
	h.runJobs()
	check()
}

// POST waits for the validation no longer than the operator's timeout, and
// stores nothing then.
func TestValidationTimeout(t *testing.T) {
	h := newHarness(t, "sqlite", func(c *Config) { c.ValidationTimeout = 100 * time.Millisecond })
	h.val.gate = func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	wantError(t, h.post("/integrations", tokenPayload(ws1, true)), 422, "Processing Error: The validation did not finish within 100ms.")
	if l, _ := h.st.List(context.Background()); len(l) != 0 {
		t.Errorf("a timed-out POST stored %d integrations", len(l))
	}
}

func TestHTTPServerLimits(t *testing.T) {
	h := newHarness(t, "sqlite", func(c *Config) { c.ValidationTimeout = time.Minute })
	hs := h.srv.HTTPServer("127.0.0.1:0")
	if hs.ReadHeaderTimeout <= 0 || hs.ReadTimeout <= 0 || hs.IdleTimeout <= 0 || hs.MaxHeaderBytes <= 0 {
		t.Errorf("limits missing: %+v", hs)
	}
	if hs.WriteTimeout <= time.Minute {
		t.Errorf("WriteTimeout %v does not leave room for a validation of a minute", hs.WriteTimeout)
	}
	for addr, want := range map[string]bool{"127.0.0.1:8080": true, "[::1]:80": true, "localhost:1": true, "0.0.0.0:8080": false, ":8080": false, "10.0.0.1:80": false, "nope": false} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %t", addr, got)
		}
	}
}

// A refused edit gives each of its reasons a line, none with the
// generator's package prefix.
func TestGeneratorMessage(t *testing.T) {
	err := &generator.RefusalError{Reasons: []string{"config.catalog changes from a to b: ...", "config.storage.catalogLocation changes: ..."}}
	want := "config.catalog changes from a to b: ...\nconfig.storage.catalogLocation changes: ..."
	if got := generatorMessage(err); got != want {
		t.Errorf("generatorMessage = %q, want %q", got, want)
	}
	if got := generatorMessage(fmt.Errorf("generator: %w", errors.New("x"))); got != "x" {
		t.Errorf("generatorMessage of a wrapped error = %q", got)
	}
}
