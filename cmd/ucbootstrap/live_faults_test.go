package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ucbootstrap/ucbootstrap/internal/ucemu"
	"github.com/ucbootstrap/ucbootstrap/privileges"
)

// A front stands before an emulator on loopback and injects the faults the
// emulator does not have: a request that hangs until the client gives up,
// and a status for every request under a path prefix.
type front struct {
	*httptest.Server
	arrived chan struct{} // closed when the hanging path is first asked for
	once    sync.Once
	me      atomic.Int64

	mu   sync.Mutex
	hang string // a path that hangs
	deny string // a path prefix answered with 403
}

// set sets the faults; a test may set them again while a request is served.
func (f *front) set(hang, deny string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hang, f.deny = hang, deny
}

func (f *front) faults() (hang, deny string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hang, f.deny
}

func newFront(t *testing.T, emu *ucemu.Server) *front {
	t.Helper()
	target, err := url.Parse(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	f := &front{arrived: make(chan struct{})}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == ucemu.MePath {
			f.me.Add(1)
		}
		hang, deny := f.faults()
		switch {
		case hang != "" && r.URL.Path == hang:
			f.once.Do(func() { close(f.arrived) })
			<-r.Context().Done()
		case deny != "" && strings.HasPrefix(r.URL.Path, deny):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"error_code":"PERMISSION_DENIED","message":"User does not have USE CATALOG on Catalog."}`)
		default:
			proxy.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

var grantsReadRE = regexp.MustCompile(`\d+ grants read`)

// normal drops what a live report and the offline report of its dump may
// differ in: the positions of the dump's rows and the number of rows.
func normal(s string) string {
	return grantsReadRE.ReplaceAllString(positions.ReplaceAllString(s, ""), "N grants read")
}

// 403 everywhere: the gate does not pass a run that verified nothing,
// whatever --allow-unverified says.
func TestLiveNothingReadable(t *testing.T) {
	emu := liveServer(t)
	f := newFront(t, emu)
	f.set("", "/api/2.1/unity-catalog/")
	payload := writePayloadFor(t, f.URL, livePayload)
	for _, extra := range [][]string{nil, {"--allow-unverified"}} {
		code, out, stderr := runCLI(t, append([]string{"audit", payload, "--live", "--insecure-loopback"}, extra...)...)
		if first, _, _ := strings.Cut(out, "\n"); code != 1 || first != "FAIL: 0 satisfied, 17 unverified (17 unreadable); nothing could be verified" {
			t.Errorf("%q: exit %d, first line %q\n%s", extra, code, first, stderr)
		}
		if strings.Contains(out, "PASS") {
			t.Errorf("PASS with nothing verified:\n%s", out)
		}
	}
}

// A securable the credentials may not read fails the gate unless
// --allow-unverified; the reason is the server's message.
func TestLiveForbiddenGate(t *testing.T) {
	emu := liveServer(t)
	emu.Forbid(emuSec(privileges.NewSecurable(privileges.Schema, "main.sales")))
	payload := writeLivePayload(t, emu, livePayload)
	code, out, _ := runCLI(t, "audit", payload, "--live", "--insecure-loopback")
	if first, _, _ := strings.Cut(out, "\n"); code != 1 || !strings.HasPrefix(first, "FAIL: 15 satisfied, 2 unverified (2 unreadable); the grants of some securables could not be read (--allow-unverified lets that pass)") {
		t.Errorf("exit %d, first line %q", code, first)
	}
	if !strings.Contains(out, "the grants on SCHEMA main.sales could not be read: User does not have") {
		t.Errorf("no server message:\n%s", out)
	}
	code, out, _ = runCLI(t, "audit", payload, "--live", "--insecure-loopback", "--allow-unverified")
	if first, _, _ := strings.Cut(out, "\n"); code != 0 || first != "PASS: 15 satisfied, 2 unverified (2 unreadable)" {
		t.Errorf("--allow-unverified: exit %d, first line %q", code, first)
	}
}

// A data source that does not exist (a typo) is missing, with the server's
// message, and the fix grants nothing on it.
func TestLiveMisspeltDataSource(t *testing.T) {
	emu := liveServer(t)
	payload := writeLivePayload(t, emu, strings.Replace(livePayload, "[main.sales]", "[main.sales, mian.sales]", 1))
	fix := filepath.Join(t.TempDir(), "fix.sql")
	code, out, _ := runCLI(t, "audit", payload, "--live", "--insecure-loopback", "--fix-sql", fix)
	if code != 1 || !strings.HasPrefix(out, "FAIL: 5 missing, 17 satisfied\n") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "service principal: USE CATALOG on CATALOG mian (direct): CATALOG mian does not exist: Catalog 'mian' does not exist.") {
		t.Errorf("no does-not-exist reason:\n%s", out)
	}
	data, err := os.ReadFile(fix)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("GRANT")) || !bytes.Contains(data, []byte("-- CATALOG mian does not exist: Catalog 'mian' does not exist.\n")) {
		t.Errorf("fix for a catalog that does not exist:\n%s", data)
	}
}

// Interrupted (the context ends, as on Ctrl-C) and out of time
// (--deadline): what was not asked about is unverified, never missing; every
// format says the run was partial; the run fails.
func TestLivePartial(t *testing.T) {
	for _, how := range []string{"interrupted", "deadline"} {
		t.Run(how, func(t *testing.T) {
			for _, format := range privileges.Formats {
				emu := liveServer(t)
				f := newFront(t, emu)
				f.set(ucemu.EffectivePath+"schema/main.sales", "")
				payload := writePayloadFor(t, f.URL, livePayload)
				ctx, cancel := context.WithCancel(context.Background())
				args := []string{"audit", payload, "--live", "--insecure-loopback", "--concurrency", "1", "--format", format}
				if how == "interrupted" {
					go func() {
						<-f.arrived
						cancel()
					}()
				} else {
					args = append(args, "--deadline", "1s")
				}
				var out, stderr bytes.Buffer
				code := runContext(ctx, args, strings.NewReader(""), &out, &stderr)
				cancel()
				if code != 1 {
					t.Errorf("%s: exit %d\n%s%s", format, code, out.String(), stderr.String())
				}
				if !strings.Contains(strings.ToLower(out.String()), "partial") {
					t.Errorf("%s: the report does not say it is partial:\n%s", format, out.String())
				}
				if format == "text" {
					if strings.Contains(out.String(), "MISSING") || strings.Contains(out.String(), "GRANT ") {
						t.Errorf("never asked is reported missing:\n%s", out.String())
					}
					want := "the run ended before SCHEMA main.sales was asked about: interrupted (Ctrl-C)"
					if how == "deadline" {
						want = "the run ended before SCHEMA main.sales was asked about: the deadline passed (--deadline 1s)"
					}
					if !strings.Contains(out.String(), want) {
						t.Errorf("no %q in\n%s", want, out.String())
					}
				}
			}
		})
	}
}

// For every fault the emulator (and its front) can inject, grants dump and
// the offline audit of the dump give the report of the live audit.
func TestLiveDumpReproducesLive(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(*ucemu.Server, *front)
		data  string
	}{
		{"forbidden", func(s *ucemu.Server, _ *front) {
			s.Forbid(emuSec(privileges.NewSecurable(privileges.Schema, "main.sales")))
		}, "[main.sales]"},
		{"not found", func(*ucemu.Server, *front) {}, "[main.sales, mian.sales]"},
		{"retried", func(s *ucemu.Server, _ *front) { s.Fail(ucemu.EffectivePath, http.StatusServiceUnavailable, 1) }, "[main.sales]"},
		{"throttled", func(s *ucemu.Server, _ *front) { s.Fail(ucemu.UCPath, http.StatusTooManyRequests, 1) }, "[main.sales]"},
		{"forbidden owner", func(_ *ucemu.Server, f *front) { f.set("", ucemu.UCPath+"catalogs/") }, "[main.sales]"},
		{"out of time", func(_ *ucemu.Server, f *front) { f.set(ucemu.EffectivePath+"schema/main.sales", "") }, "[main.sales]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu := liveServer(t)
			f := newFront(t, emu)
			tc.fault(emu, f)
			payload := writePayloadFor(t, f.URL, strings.Replace(livePayload, "[main.sales]", tc.data, 1))
			args := []string{"--insecure-loopback", "--concurrency", "1"}
			hang, _ := f.faults()
			if hang != "" {
				args = append(args, "--deadline", "1s")
			}
			liveCode, live, _ := runCLI(t, append([]string{"audit", payload, "--live"}, args...)...)
			tc.fault(emu, f) // again, for the faults that were used up
			dir := t.TempDir()
			grants, owners := filepath.Join(dir, "grants.json"), filepath.Join(dir, "owners.json")
			dumpCode, _, dumpErr := runCLI(t, append([]string{"grants", "dump", payload, "-o", grants, "--owners-out", owners}, args...)...)
			if want := map[bool]int{true: 1, false: 0}[hang != ""]; dumpCode != want {
				t.Errorf("dump exit %d, want %d (1 for a partial dump)\n%s", dumpCode, want, dumpErr)
			}
			offCode, offline, offErr := runCLI(t, "audit", payload, "--grants", grants, "--owners", owners)
			if liveCode != offCode || normal(live) != normal(offline) {
				t.Errorf("live (exit %d) and offline (exit %d) reports differ:\n--- live\n%s--- offline\n%s%s", liveCode, offCode, live, offline, offErr)
			}
		})
	}
}

const oauthLivePayload = `type: Databricks
autoBootstrap: false
config:
  workspaceUrl: 127.0.0.1
  port: PORT
  httpPath: /sql/1.0/warehouses/8a1b2c3d4e5f6a7b
  authenticationType: oAuthM2M
  oAuthClientConfig:
    clientId: 6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f
    clientSecret: dose-LIVE-CLIENT-SECRET
    authorityUrl: http://127.0.0.1:PORT/oidc/v1/token
  catalog: immuta
  dataSources: [main.sales]
`

// Servers that echo the request in their errors (a 401 that repeats the
// Authorization header, a token endpoint whose error_description repeats
// the form body) put no credential on stdout, stderr or in a file.
func TestLiveEchoedSecretsAreRedacted(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		quote := strings.NewReplacer(`"`, `\"`, `\`, `\\`).Replace
		if r.URL.Path == ucemu.TokenPath {
			io.WriteString(w, `{"error":"invalid_client","error_description":"cannot parse `+quote(string(body))+` (`+quote(r.Header.Get("Authorization"))+`)"}`)
			return
		}
		io.WriteString(w, `{"error_code":"UNAUTHENTICATED","message":"bad header Authorization: `+quote(r.Header.Get("Authorization"))+`"}`)
	}))
	defer echo.Close()
	for _, text := range []string{livePayload, oauthLivePayload} {
		payload := writePayloadFor(t, echo.URL, text)
		dir := t.TempDir()
		for _, args := range [][]string{
			{"audit", payload, "--live", "--insecure-loopback", "-o", filepath.Join(dir, "report.txt")},
			{"grants", "dump", payload, "--insecure-loopback", "-o", filepath.Join(dir, "grants.json")},
		} {
			code, out, stderr := runCLI(t, args...)
			if code != 2 || !strings.Contains(stderr, "the workspace refused the credentials") || !strings.Contains(stderr, "REDACTED") {
				t.Errorf("%q: exit %d, stderr %q", args[:2], code, stderr)
			}
			files, _ := filepath.Glob(filepath.Join(dir, "*"))
			for _, f := range files {
				data, _ := os.ReadFile(f)
				out += string(data)
			}
			for _, secret := range []string{"dapi-LIVE-SECRET", "dose-LIVE-CLIENT-SECRET"} {
				if strings.Contains(out+stderr, secret) {
					t.Errorf("%q leaks %s:\n%s%s", args[:2], secret, out, stderr)
				}
			}
		}
	}
}

// --timeout bounds the identity request too: a workspace that never answers
// it is asked again after each timeout, and --deadline ends the run.
func TestLiveTimeoutAndDeadline(t *testing.T) {
	emu := liveServer(t)
	f := newFront(t, emu)
	f.set(ucemu.MePath, "")
	payload := writePayloadFor(t, f.URL, livePayload)
	code, out, stderr := runCLI(t, "audit", payload, "--live", "--insecure-loopback", "--timeout", "50ms", "--deadline", "1500ms")
	if code != 2 || out != "" || !strings.HasPrefix(stderr, "ucbootstrap: the deadline passed (--deadline 1.5s) before the workspace said who the credentials belong to: ") {
		t.Errorf("exit %d\n%s%s", code, out, stderr)
	}
	if n := f.me.Load(); n < 2 {
		t.Errorf("the identity request was made %d times: --timeout did not end the first attempt", n)
	}
}

// A workspace that cannot be reached is said plainly, once.
func TestLiveUnreachable(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	base := closed.URL
	closed.Close()
	payload := writePayloadFor(t, base, livePayload)
	code, _, stderr := runCLI(t, "audit", payload, "--live", "--insecure-loopback")
	want := "ucbootstrap: databricks: GET /api/2.0/preview/scim/v2/Me: connection refused: nothing listens there: check workspaceUrl and config.port\n"
	if code != 2 || stderr != want {
		t.Errorf("exit %d, stderr %q, want %q", code, stderr, want)
	}
}

// Credentials from the environment: a payload without its secret works for
// the live commands when DATABRICKS_TOKEN or DATABRICKS_CLIENT_SECRET has
// it, and says where the secret may come from when nothing has it.
func TestLiveCredentialsFromEnvironment(t *testing.T) {
	emu := ucemu.New(ucemu.Token("dapi-ENV-SECRET", liveSP), ucemu.OAuthClient(liveSP, "dose-ENV-SECRET"))
	defer emu.Close()
	for _, sec := range []privileges.Securable{privileges.NewSecurable(privileges.Catalog, "main")} {
		emu.Grant(liveSP, string(privileges.UseCatalog), emuSec(sec))
	}
	tokenless := writeLivePayload(t, emu, strings.Replace(livePayload, "  token: dapi-LIVE-SECRET\n", "", 1))
	secretless := writeLivePayload(t, emu, strings.Replace(oauthLivePayload, "    clientSecret: dose-LIVE-CLIENT-SECRET\n", "", 1))
	for _, tc := range []struct {
		payload, env, value string
	}{
		{tokenless, "DATABRICKS_TOKEN", "dapi-ENV-SECRET"},
		{secretless, "DATABRICKS_CLIENT_SECRET", "dose-ENV-SECRET"},
	} {
		t.Setenv("DATABRICKS_TOKEN", "")
		t.Setenv("DATABRICKS_CLIENT_SECRET", "")
		code, _, stderr := runCLI(t, "audit", tc.payload, "--live", "--insecure-loopback")
		if code != 1 || !strings.Contains(stderr, "is required") || !strings.Contains(stderr, tc.env) {
			t.Errorf("no secret anywhere: exit %d, stderr %q; want the payload error naming %s", code, stderr, tc.env)
		}
		t.Setenv(tc.env, tc.value)
		code, out, stderr := runCLI(t, "audit", tc.payload, "--live", "--insecure-loopback")
		// The emulator has one grant: the audit reaches it and reports.
		if code != 1 || !strings.HasPrefix(out, "FAIL: ") || !strings.Contains(out, "USE CATALOG on CATALOG main (direct): direct grant") {
			t.Errorf("%s from the environment: exit %d\n%s%s", tc.env, code, out, stderr)
		}
		if strings.Contains(out+stderr, tc.value) {
			t.Errorf("the secret of %s leaks", tc.env)
		}
	}
}

// A host that is not a Databricks workspace (another web server, a proxy's
// page) is never taken for a workspace whose securables do not exist: a
// 404 without the API's error body ends the run, with what to check.
func TestLiveNotTheAPI(t *testing.T) {
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	emu := liveServer(t)
	f := newFront(t, emu)
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == ucemu.MePath {
			f.Config.Handler.ServeHTTP(w, r) // the identity, then pages
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "<html><body>Not here</body></html>")
	}))
	defer html.Close()
	for _, tc := range []struct{ base, want string }{
		{other.URL, "ucbootstrap: databricks: 404 Not Found: the answer is not the Databricks API's (no error_code): check workspaceUrl and config.port\n"},
		{html.URL, "the host answered with an HTML page (a login page or a proxy's?), not the Databricks API: check workspaceUrl\n"},
	} {
		payload := writePayloadFor(t, tc.base, livePayload)
		code, out, stderr := runCLI(t, "audit", payload, "--live", "--insecure-loopback")
		if code != 2 || out != "" || !strings.HasSuffix(stderr, tc.want) {
			t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, out, stderr, tc.want)
		}
	}
}
