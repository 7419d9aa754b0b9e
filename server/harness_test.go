package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ucbootstrap/ucbootstrap/server/datakey"
	"github.com/ucbootstrap/ucbootstrap/server/store"
	"github.com/ucbootstrap/ucbootstrap/server/store/storetest"
)

// The credentials of the test payloads: no response and no log line may
// hold them.
const (
	testToken  = "dapi-TEST-SECRET-0123456789abcdef"
	testSecret = "dose-TEST-SECRET-fedcba9876543210"
)

var testSecrets = []string{testToken, testSecret}

// syncBuffer is a log destination shared by goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type harness struct {
	t      testing.TB
	srv    *Server
	ts     *httptest.Server
	st     store.Store
	ring   *datakey.Ring
	val    *fakeValidator
	app    *fakeApplier
	ws     *fakeWorkspace
	admin  string
	reader string
	logs   *syncBuffer
}

func testRing(t testing.TB) *datakey.Ring {
	t.Helper()
	r, err := datakey.NewRing(bytes.Repeat([]byte{7}, datakey.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// newHarness starts a server on a new store of the backend, with the
// doubles, an admin key and a read-only key. Its workers are not started:
// tests run the jobs with RunPending, or start them.
func newHarness(t testing.TB, backend string, mod func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, st: storetest.Open(t, backend, store.Options{}), ring: testRing(t), ws: &fakeWorkspace{}, logs: &syncBuffer{}}
	h.val = &fakeValidator{}
	h.app = &fakeApplier{ws: h.ws, failAt: -1, blockAt: -1}
	cfg := Config{
		Store:        h.st,
		Keys:         h.ring,
		Validator:    h.val,
		Applier:      h.app,
		Logger:       slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		RateLimit:    -1,
		LeaseTTL:     2 * time.Second,
		PollInterval: 20 * time.Millisecond,
		Owner:        "test-server",
	}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.srv = srv
	h.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		srv.Stop()
		h.ts.Close()
		h.checkNoSecrets(h.logs.String(), "the server log")
	})
	ctx := context.Background()
	if h.admin, _, err = CreateAPIKey(ctx, h.st, "admin", store.Admin); err != nil {
		t.Fatal(err)
	}
	if h.reader, _, err = CreateAPIKey(ctx, h.st, "reader", store.ReadOnly); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) checkNoSecrets(text, where string) {
	h.t.Helper()
	for _, s := range testSecrets {
		if strings.Contains(text, s) {
			h.t.Errorf("%s holds a credential:\n%s", where, text)
		}
	}
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response %d is not a JSON object: %v\n%s", r.status, err, r.body)
	}
	return m
}

// do sends a request with the key (none when "") and a body whose
// Content-Type is ct (none when "").
func (h *harness) do(method, path, key, ct, body string) resp {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.ts.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", key)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	res, err := h.ts.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	h.checkNoSecrets(string(b), method+" "+path)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

func (h *harness) post(path, body string) resp {
	h.t.Helper()
	return h.do("POST", path, h.admin, "application/json", body)
}

// wantError checks an error response: status and exact message.
func wantError(t testing.TB, r resp, status int, message string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status %d; want %d\n%s", r.status, status, r.body)
		return
	}
	var e apiError
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("error body is not JSON: %v\n%s", err, r.body)
	}
	want := apiError{StatusCode: status, Error: http.StatusText(status), Message: message}
	if e != want {
		t.Errorf("error body = %+v\nwant        %+v", e, want)
	}
}

func (h *harness) runJobs() {
	h.t.Helper()
	if err := h.srv.RunPending(context.Background()); err != nil {
		h.t.Fatal(err)
	}
}

// tokenPayload is a payload with a token on the workspace.
func tokenPayload(ws string, auto bool, dataSources ...string) string {
	if len(dataSources) == 0 {
		dataSources = []string{"main.sales"}
	}
	ds, _ := json.Marshal(dataSources)
	return fmt.Sprintf(`{
  "type": "Databricks",
  "autoBootstrap": %t,
  "config": {
    "workspaceUrl": %q,
    "httpPath": "/sql/1.0/warehouses/8a1b2c3d4e5f6a7b",
    "authenticationType": "token",
    "token": %q,
    "catalog": "immuta",
    "servicePrincipal": "6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f",
    "tenant": "acme-prod",
    "dataSources": %s
  }
}`, auto, ws, testToken, ds)
}

// oauthPayload is a payload with OAuth credentials, in YAML.
func oauthPayload(ws string) string {
	return fmt.Sprintf(`type: Databricks
autoBootstrap: false
config:
  workspaceUrl: %s
  httpPath: /sql/1.0/warehouses/0123456789abcdef
  authenticationType: oAuthM2M
  oAuthClientConfig:
    clientId: 6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f
    clientSecret: %s
    authorityUrl: https://%s/oidc/v1/token
    scope: all-apis
  catalog: immuta
  dataSources: [analytics.marketing]
`, ws, testSecret, ws)
}
