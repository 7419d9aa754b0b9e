package databricks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/internal/ucemu"
	"github.com/ucbootstrap/ucbootstrap/privileges"
)

// Credentials of the tests. They must never show in an error.
const (
	testToken    = "dapi-test-0123456789abcdef-secret"
	testUser     = "alice@example.com"
	testClientID = "6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f"
	testSecret   = "dose-test-client-secret-fedcba9876543210"
)

var (
	mainCat   = privileges.NewSecurable(privileges.Catalog, "main")
	salesSch  = privileges.NewSecurable(privileges.Schema, "main.sales")
	ordersTbl = privileges.NewSecurable(privileges.Table, "main.sales.orders")
)

// newServer starts an emulator that knows the test PAT and OAuth client.
func newServer(t testing.TB, opts ...ucemu.Option) *ucemu.Server {
	t.Helper()
	opts = append([]ucemu.Option{ucemu.Token(testToken, testUser), ucemu.OAuthClient(testClientID, testSecret)}, opts...)
	s := ucemu.New(opts...)
	t.Cleanup(s.Close)
	return s
}

// tokenConfig returns a PAT configuration for s with fast retries.
func tokenConfig(s *ucemu.Server) Config {
	return Config{Host: s.URL, Token: ucbootstrap.NewSecret(testToken), InsecureLoopback: true,
		HTTPClient: s.Client(), MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
}

// oauthConfig returns an OAuth M2M configuration for s with fast retries.
func oauthConfig(s *ucemu.Server) Config {
	return Config{Host: s.URL, ClientID: testClientID, ClientSecret: ucbootstrap.NewSecret(testSecret), InsecureLoopback: true,
		HTTPClient: s.Client(), MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
}

func newClient(t testing.TB, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// noSecret fails the test if s holds a credential.
func noSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range []string{testToken, testSecret} {
		if strings.Contains(s, secret) {
			t.Errorf("%s leaks a secret: %s", what, s)
		}
	}
}

// seed grants on main, main.sales and main.sales.orders, with a deleted
// principal.
func seed(s *ucemu.Server) {
	s.Grant("data-eng", string(privileges.UseCatalog), emuSec(mainCat))
	s.Grant("data-eng", string(privileges.UseSchema), emuSec(mainCat))
	s.Grant(testClientID, string(privileges.Manage), emuSec(mainCat))
	s.Grant("analysts", string(privileges.Select), emuSec(salesSch))
	s.Grant("", string(privileges.Select), emuSec(salesSch)) // a deleted principal
	s.Grant("bob@example.com", string(privileges.Modify), emuSec(ordersTbl))
	s.Grant("analysts", string(privileges.Select), emuSec(ordersTbl))
	s.Grant("carol@example.com", string(privileges.Select), emuSec(ordersTbl))
}

func grant(p string, pv privileges.Privilege, on, from privileges.Securable) privileges.Grant {
	return privileges.Grant{Principal: p, Privilege: pv, On: on, InheritedFrom: from, Spelling: string(pv)}
}

func TestEffectivePermissionsPaging(t *testing.T) {
	for _, auth := range []string{"token", "oauth"} {
		t.Run(auth, func(t *testing.T) {
			s := newServer(t, ucemu.PageSize(1), ucemu.Seed(7))
			seed(s)
			cfg := tokenConfig(s)
			if auth == "oauth" {
				cfg = oauthConfig(s)
			}
			c := newClient(t, cfg)
			got, err := c.EffectivePermissions(context.Background(), ordersTbl)
			if err != nil {
				t.Fatal(err)
			}
			SortGrants(got)
			none := privileges.Securable{}
			want := []privileges.Grant{
				grant("", privileges.Select, ordersTbl, salesSch),
				grant(testClientID, privileges.Manage, ordersTbl, mainCat),
				grant("analysts", privileges.Select, ordersTbl, none),
				grant("analysts", privileges.Select, ordersTbl, salesSch),
				grant("bob@example.com", privileges.Modify, ordersTbl, none),
				grant("carol@example.com", privileges.Select, ordersTbl, none),
				grant("data-eng", privileges.UseCatalog, ordersTbl, mainCat),
				grant("data-eng", privileges.UseSchema, ordersTbl, mainCat),
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("EffectivePermissions (-want +got):\n%s", diff)
			}
			// Six principals, one a page, each page after an empty one.
			if n := s.RequestsTo(ucemu.EffectivePath); n != 12 {
				t.Errorf("%d requests, want 12 (6 pages and 6 empty pages)", n)
			}
		})
	}
}

func TestPermissionsDirect(t *testing.T) {
	s := newServer(t, ucemu.PageSize(2))
	seed(s)
	c := newClient(t, tokenConfig(s))
	got, err := c.Permissions(context.Background(), salesSch)
	if err != nil {
		t.Fatal(err)
	}
	SortGrants(got)
	none := privileges.Securable{}
	want := []privileges.Grant{
		grant("", privileges.Select, salesSch, none),
		grant("analysts", privileges.Select, salesSch, none),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Permissions (-want +got):\n%s", diff)
	}
}

func TestMetastorePermissions(t *testing.T) {
	s := newServer(t)
	s.Grant(testClientID, string(privileges.CreateCatalog), emuSec(privileges.Securable{Type: privileges.Metastore}))
	c := newClient(t, tokenConfig(s))
	for range 2 {
		got, err := c.EffectivePermissions(context.Background(), privileges.Securable{Type: privileges.Metastore})
		if err != nil {
			t.Fatal(err)
		}
		want := []privileges.Grant{grant(testClientID, privileges.CreateCatalog, privileges.Securable{Type: privileges.Metastore}, privileges.Securable{})}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("EffectivePermissions(METASTORE) (-want +got):\n%s", diff)
		}
	}
	if n := s.RequestsTo(ucemu.MetastorePath); n != 1 {
		t.Errorf("%d metastore lookups, want 1", n)
	}
}

func TestOwner(t *testing.T) {
	s := newServer(t)
	s.SetOwner(emuSec(mainCat), "admins-group")
	s.SetOwner(emuSec(salesSch), "bob@example.com")
	s.SetOwner(emuSec(ordersTbl), testClientID)
	view := privileges.NewSecurable(privileges.View, "main.sales.v")
	s.SetOwner(emuSec(view), "carol@example.com")
	c := newClient(t, oauthConfig(s))
	for sec, want := range map[privileges.Securable]string{
		mainCat: "admins-group", salesSch: "bob@example.com", ordersTbl: testClientID, view: "carol@example.com",
	} {
		got, err := c.Owner(context.Background(), sec)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("Owner(%s) = %q, want %q", sec, got, want)
		}
	}
}

func TestMe(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"token", tokenConfig(s), testUser},
		{"oauth", oauthConfig(s), testClientID},
	} {
		got, err := newClient(t, tc.cfg).Me(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got != tc.want {
			t.Errorf("%s: Me = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestOAuthTokenCached(t *testing.T) {
	s := newServer(t)
	c := newClient(t, oauthConfig(s))
	for range 5 {
		if _, err := c.Me(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.TokensIssued(); n != 1 {
		t.Errorf("%d tokens issued for 5 calls, want 1 (cached)", n)
	}
}

func TestOAuthTokenRefreshed(t *testing.T) {
	// oauth2 refreshes a token 10 seconds before it expires: a token of 5
	// seconds is refreshed at every call.
	s := newServer(t, ucemu.TokenLifetime(5*time.Second))
	c := newClient(t, oauthConfig(s))
	for range 3 {
		if _, err := c.Me(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.TokensIssued(); n != 3 {
		t.Errorf("%d tokens issued for 3 calls, want 3 (refreshed)", n)
	}
}

func TestUnauthenticated(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct {
		name string
		cfg  func(Config) Config
	}{
		{"bad token", func(c Config) Config {
			c.Token = ucbootstrap.NewSecret(testToken + "-wrong")
			return c
		}},
	} {
		c := newClient(t, tc.cfg(tokenConfig(s)))
		_, err := c.EffectivePermissions(context.Background(), mainCat)
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized {
			t.Fatalf("%s: got %v, want a 401 APIError", tc.name, err)
		}
		noSecret(t, tc.name, err.Error())
	}
	cfg := oauthConfig(s)
	cfg.ClientSecret = ucbootstrap.NewSecret(testToken) // a wrong secret that must not leak either
	c := newClient(t, cfg)
	_, err := c.Me(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized {
		t.Fatalf("bad client secret: got %v, want a 401 APIError", err)
	}
	if !strings.HasPrefix(err.Error(), "databricks: ") {
		t.Errorf("error %q lacks the package prefix", err)
	}
	noSecret(t, "bad client secret", err.Error())
	noSecret(t, "bad client secret", fmt.Sprintf("%+v %#v", cfg, cfg))
}

func TestNotFoundForbidden(t *testing.T) {
	s := newServer(t)
	seed(s)
	secret := privileges.NewSecurable(privileges.Schema, "main.secret")
	s.Forbid(emuSec(secret))
	c := newClient(t, tokenConfig(s))
	ctx := context.Background()

	_, err := c.EffectivePermissions(ctx, secret)
	var ae *APIError
	if !errors.As(err, &ae) || !ae.Forbidden() || ae.Securable != secret {
		t.Errorf("forbidden schema: got %v, want a 403 APIError about %s", err, secret)
	}
	missing := privileges.NewSecurable(privileges.Table, "main.sales.nope")
	_, err = c.Owner(ctx, missing)
	if !errors.As(err, &ae) || !ae.NotFound() || ae.Code != "TABLE_DOES_NOT_EXIST" {
		t.Errorf("unknown table: got %v, want a 404 APIError", err)
	}
	if want := "databricks: TABLE main.sales.nope: 404 TABLE_DOES_NOT_EXIST: Table 'main.sales.nope' does not exist."; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	// Not retried.
	if n := s.RequestsTo(ucemu.UCPath + "tables/"); n != 1 {
		t.Errorf("%d requests for a 404, want 1", n)
	}
}

func TestRetry(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			s := newServer(t)
			seed(s)
			s.Fail(ucemu.EffectivePath, status, 3)
			cfg := tokenConfig(s)
			if status == http.StatusTooManyRequests {
				// Retry-After: 0 overrides a backoff that would time the
				// test out.
				cfg.MinBackoff, cfg.MaxBackoff = time.Hour, time.Hour
			}
			c := newClient(t, cfg)
			got, err := c.EffectivePermissions(context.Background(), mainCat)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 {
				t.Errorf("%d grants, want 3", len(got))
			}
			// 3 failures, then 2 pages (an empty one and one with 2
			// principals).
			if n := s.RequestsTo(ucemu.EffectivePath); n != 5 {
				t.Errorf("%d requests, want 5", n)
			}
		})
	}
}

func TestRetryExhausted(t *testing.T) {
	s := newServer(t)
	seed(s)
	s.Fail(ucemu.EffectivePath, http.StatusServiceUnavailable, 10)
	cfg := tokenConfig(s)
	cfg.MaxAttempts = 3
	c := newClient(t, cfg)
	_, err := c.EffectivePermissions(context.Background(), mainCat)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusServiceUnavailable {
		t.Fatalf("got %v, want a 503 APIError", err)
	}
	if n := s.RequestsTo(ucemu.EffectivePath); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
}

func TestBackoff(t *testing.T) {
	c := &Client{minBackoff: 100 * time.Millisecond, maxBackoff: time.Second}
	for attempt, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 30: time.Second} {
		for range 20 {
			if d := c.backoff(attempt); d < want/2 || d > want {
				t.Errorf("backoff(%d) = %v, want in [%v, %v]", attempt, d, want/2, want)
			}
		}
	}
}

func TestTimeout(t *testing.T) {
	s := newServer(t, ucemu.Latency(2*time.Second))
	cfg := tokenConfig(s)
	cfg.Timeout, cfg.MaxAttempts = 50*time.Millisecond, 2
	c := newClient(t, cfg)
	start := time.Now()
	_, err := c.Me(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want a deadline error", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v: the timeout of 50ms was not applied", d)
	}
	if !strings.Contains(err.Error(), "timed out") {
		t.Errorf("error %q does not say it timed out", err)
	}
}

func TestCancel(t *testing.T) {
	s := newServer(t, ucemu.Latency(5*time.Second))
	for _, cfg := range []Config{tokenConfig(s), oauthConfig(s)} {
		c := newClient(t, cfg)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.EffectivePermissions(ctx, mainCat)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("took %v after cancellation", d)
		}
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	s := newServer(t)
	s.Fail(ucemu.MePath, http.StatusServiceUnavailable, 10)
	cfg := tokenConfig(s)
	cfg.MinBackoff, cfg.MaxBackoff = time.Hour, time.Hour
	c := newClient(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Me(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's deadline", err)
	}
}

func TestNewErrors(t *testing.T) {
	tok := ucbootstrap.NewSecret(testToken)
	sec := ucbootstrap.NewSecret(testSecret)
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Token: tok}, "no workspace host"},
		{Config{Host: "dbc.example.com"}, "no credentials"},
		{Config{Host: "http://dbc.example.com", Token: tok}, "is http: use https"},
		{Config{Host: "dbc.example.com/some/path", Token: tok}, "has a path"},
		{Config{Host: "dbc.example.com", Token: tok, ClientID: "x", ClientSecret: sec}, "both a token and OAuth"},
		{Config{Host: "dbc.example.com", ClientID: "x"}, "has no secret"},
		{Config{Host: "dbc.example.com", ClientID: "x", ClientSecret: sec, TokenURL: "http://idp.example.com/token"}, "is http: use https"},
		{Config{Host: "ftp://dbc.example.com", Token: tok}, "unsupported scheme"},
	} {
		_, err := New(tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want an error containing %q", tc.cfg, err, tc.want)
			continue
		}
		if !strings.HasPrefix(err.Error(), "databricks: ") {
			t.Errorf("error %q lacks the package prefix", err)
		}
		noSecret(t, "New", err.Error())
		noSecret(t, "Config", fmt.Sprintf("%v %+v %#v", tc.cfg, tc.cfg, tc.cfg))
	}
	c, err := New(Config{Host: "HTTPS://dbc.example.com/", Token: tok})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.base.String(); got != "https://dbc.example.com" {
		t.Errorf("base = %q", got)
	}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigFrom(t *testing.T) {
	decode := func(yaml string) *ucbootstrap.Integration {
		t.Helper()
		in, err := ucbootstrap.Decode("payload.yaml", []byte(yaml))
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	oauth := decode(`type: Databricks
autoBootstrap: false
config:
  workspaceUrl: https://DBC-1.cloud.databricks.com
  httpPath: /sql/1.0/warehouses/abc
  authenticationType: oAuthM2M
  oAuthClientConfig:
    clientId: ` + testClientID + `
    clientSecret: ` + testSecret + `
    authorityUrl: https://dbc-1.cloud.databricks.com/oidc/v1/token
  catalog: immuta
`)
	token := decode(`type: Databricks
autoBootstrap: false
config:
  workspaceUrl: dbc-2.cloud.databricks.com
  httpPath: /sql/1.0/warehouses/abc
  authenticationType: token
  token: ` + testToken + `
  servicePrincipal: ` + testClientID + `
  catalog: immuta
`)
	full := map[string]string{
		"DATABRICKS_HOST": "https://env.cloud.databricks.com", "DATABRICKS_TOKEN": "env-token",
		"DATABRICKS_CLIENT_ID": "env-id", "DATABRICKS_CLIENT_SECRET": "env-secret",
	}
	for _, tc := range []struct {
		name                              string
		in                                *ucbootstrap.Integration
		env                               map[string]string
		host, token, id, secret, url, scp string
	}{
		{"oauth payload wins", oauth, full, "dbc-1.cloud.databricks.com", "", testClientID, testSecret, "https://dbc-1.cloud.databricks.com/oidc/v1/token", "all-apis"},
		{"token payload wins", token, full, "dbc-2.cloud.databricks.com", testToken, "", "", "", ""},
		{"env token", nil, full, "https://env.cloud.databricks.com", "env-token", "", "", "", ""},
		{"env oauth", nil, map[string]string{"DATABRICKS_HOST": "env.cloud.databricks.com", "DATABRICKS_CLIENT_ID": "env-id", "DATABRICKS_CLIENT_SECRET": "env-secret"},
			"env.cloud.databricks.com", "", "env-id", "env-secret", "", "all-apis"},
	} {
		cfg, err := ConfigFrom(tc.in, env(tc.env))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := []string{cfg.Host, cfg.Token.Reveal(), cfg.ClientID, cfg.ClientSecret.Reveal(), cfg.TokenURL, cfg.Scope}
		want := []string{tc.host, tc.token, tc.id, tc.secret, tc.url, tc.scp}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", tc.name, diff)
		}
		if _, err := New(cfg); err != nil {
			t.Errorf("%s: New: %v", tc.name, err)
		}
	}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "no workspace host"},
		{map[string]string{"DATABRICKS_HOST": "h"}, "no credentials"},
		{map[string]string{"DATABRICKS_HOST": "h", "DATABRICKS_CLIENT_ID": "id"}, "has no secret"},
	} {
		if _, err := ConfigFrom(nil, env(tc.env)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ConfigFrom(%v) = %v, want an error containing %q", tc.env, err, tc.want)
		}
	}
}

func TestConfigFromAuthorityAndScope(t *testing.T) {
	in, err := ucbootstrap.Decode("p.yaml", []byte(`type: Databricks
autoBootstrap: false
config:
  workspaceUrl: dbc-1.cloud.databricks.com
  httpPath: /sql/1.0/warehouses/abc
  authenticationType: oAuthM2M
  oAuthClientConfig:
    clientId: `+testClientID+`
    clientSecret: `+testSecret+`
    authorityUrl: https://login.example.com/oauth2/token
    scope: sql
  catalog: immuta
`))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ConfigFrom(in, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TokenURL != "https://login.example.com/oauth2/token" || cfg.Scope != "sql" {
		t.Errorf("TokenURL, Scope = %q, %q", cfg.TokenURL, cfg.Scope)
	}
}

// TestOAuthAgainstPayload authenticates with a payload's credentials
// against the emulator, end to end.
func TestOAuthAgainstPayload(t *testing.T) {
	s := newServer(t)
	cfg, err := ConfigFrom(nil, env(map[string]string{"DATABRICKS_HOST": s.URL, "DATABRICKS_CLIENT_ID": testClientID, "DATABRICKS_CLIENT_SECRET": testSecret}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "use https") {
		t.Fatalf("New with an http host and no InsecureLoopback = %v, want an error", err)
	}
	cfg.InsecureLoopback, cfg.HTTPClient = true, s.Client()
	got, err := newClient(t, cfg).Me(context.Background())
	if err != nil || got != testClientID {
		t.Fatalf("Me = %q, %v", got, err)
	}
}

// TestInsecureLoopback reaches the emulator through a payload that names
// it as a local stand-in (127.0.0.1 and config.port) with plain HTTP, and
// checks that plain HTTP is refused for any host that is not loopback.
func TestInsecureLoopback(t *testing.T) {
	s := newServer(t)
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	in, err := ucbootstrap.Decode("payload.yaml", []byte(`type: Databricks
autoBootstrap: false
config:
  workspaceUrl: 127.0.0.1
  port: `+u.Port()+`
  httpPath: /sql/1.0/warehouses/abc
  authenticationType: token
  token: `+testToken+`
  servicePrincipal: `+testClientID+`
  catalog: immuta
`))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ConfigFrom(in, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "127.0.0.1" || strconv.Itoa(cfg.Port) != u.Port() {
		t.Fatalf("ConfigFrom: Host, Port = %q, %d, want 127.0.0.1, %s", cfg.Host, cfg.Port, u.Port())
	}
	cfg.InsecureLoopback = true
	if got, err := newClient(t, cfg).Me(context.Background()); err != nil || got != testUser {
		t.Fatalf("Me over plain HTTP on loopback = %q, %v", got, err)
	}
	// Without the switch the client speaks https, which the emulator does
	// not: the port is honoured all the same.
	cfg.InsecureLoopback, cfg.MaxAttempts = false, 1
	if _, err := newClient(t, cfg).Me(context.Background()); err == nil || !strings.Contains(err.Error(), "the server speaks plain HTTP, not https") {
		t.Errorf("Me over https to a plain HTTP server = %v, want an HTTPS error", err)
	}

	for _, tc := range []struct {
		cfg  Config
		want string // "" for a config New accepts
	}{
		{Config{Host: "localhost", Port: 8080}, ""},
		{Config{Host: "::1", Port: 8080}, ""},
		{Config{Host: "[::1]:8080"}, ""},
		{Config{Host: "http://127.0.0.1:8080"}, ""},
		{Config{Host: "dbc-1.cloud.databricks.com"}, `workspace host "dbc-1.cloud.databricks.com" is not a loopback address`},
		{Config{Host: "https://dbc-1.cloud.databricks.com"}, "is not a loopback address"},
		{Config{Host: "10.0.0.1"}, "is not a loopback address"},
		{Config{Host: "localhost.example.com"}, "is not a loopback address"},
		{Config{Host: "localhost", ClientID: testClientID, ClientSecret: ucbootstrap.NewSecret(testSecret), TokenURL: "http://login.example.com/token"}, `token URL "login.example.com" is not a loopback address`},
		{Config{Host: "localhost:8080", Port: 9090}, "has the port 8080, but the port is 9090"},
	} {
		if tc.cfg.ClientID == "" {
			tc.cfg.Token = ucbootstrap.NewSecret(testToken)
		}
		tc.cfg.InsecureLoopback = true
		_, err := New(tc.cfg)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("New(%q, port %d, InsecureLoopback) = %v", tc.cfg.Host, tc.cfg.Port, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("New(%q, port %d, InsecureLoopback) = %v, want an error containing %q", tc.cfg.Host, tc.cfg.Port, err, tc.want)
		}
	}
	if _, err := New(Config{Host: "http://localhost:8080", Token: ucbootstrap.NewSecret(testToken)}); err == nil || !strings.Contains(err.Error(), "is http: use https") {
		t.Errorf("New(http://localhost:8080) without InsecureLoopback = %v, want an error", err)
	}
}

// A credential that cannot work is refused before any request, without
// being quoted: no "Bearer Bearer ...", no failure deep in net/http.
func TestNewRefusesMalformedCredentials(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Token: ucbootstrap.NewSecret("REDACTED")}, "the token is the placeholder REDACTED"},
		{Config{Token: ucbootstrap.NewSecret("Bearer dapi-x-secret")}, `the token starts with "Bearer "`},
		{Config{Token: ucbootstrap.NewSecret("dapi-x-secret\n")}, "the token holds a line break"},
		{Config{Token: ucbootstrap.NewSecret("dapi-x\x00-secret")}, "the token holds a line break, blank or control character"},
		{Config{ClientID: "id", ClientSecret: ucbootstrap.NewSecret("dose-x-secret\r\n")}, "the OAuth client secret holds a line break"},
		// DATABRICKS_HOST or a token URL with a password: refused, never quoted.
		{Config{Host: "https://alice:pw-x-secret@dbc-1.cloud.databricks.com", Token: ucbootstrap.NewSecret("dapi-token-ok")}, "workspace host must not hold a user name or password"},
		{Config{Host: "https://alice:pw%zz-x-secret@dbc-1.cloud.databricks.com", Token: ucbootstrap.NewSecret("dapi-token-ok")}, "workspace host must not hold a user name or password"},
		{Config{ClientID: "id", ClientSecret: ucbootstrap.NewSecret("dose-ok"), TokenURL: "https://id:pw-x-secret@login.example.com/token"}, "token URL must not hold a user name or password"},
	} {
		if tc.cfg.Host == "" {
			tc.cfg.Host = "dbc-1.cloud.databricks.com"
		}
		_, err := New(tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "x-secret") {
			t.Errorf("New = %v, want an error containing %q that does not quote the secret", err, tc.want)
		}
	}
}

// emuSec returns the emulator's name of a securable.
func emuSec(sec privileges.Securable) ucemu.Securable { return ucemu.Sec(string(sec.Type), sec.Name) }
