package databricks

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ucbootstrap/ucbootstrap"
)

// countingClient returns an HTTP client whose every new connection is
// counted, so that a test sees the attempts even when no request reaches
// a server.
func countingClient(dials *atomic.Int64) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}}
}

// A fault that cannot go away on retry is reported after one attempt,
// with a message that says what it means.
func TestPermanentFaultsAreNotRetried(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	refusedAddr := closed.Listener.Addr().String()
	closed.Close()

	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/login" {
			http.Redirect(w, r, "/login", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!doctype html><html><body>Sign in</body></html>")
	}))
	defer html.Close()
	untrusted := httptest.NewUnstartedServer(http.NotFoundHandler())
	untrusted.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	untrusted.StartTLS()
	defer untrusted.Close()
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()

	for _, tc := range []struct {
		name, host string
		loopback   bool
		want       string
	}{
		{"connection refused", refusedAddr, true, "connection refused: nothing listens there: check workspaceUrl and config.port"},
		{"HTML login page", html.Listener.Addr().String(), true, "the host answered with an HTML page"},
		{"untrusted certificate", untrusted.Listener.Addr().String(), false, "the server's certificate is not trusted"},
		{"plain HTTP where https is expected", plain.Listener.Addr().String(), false, "the server speaks plain HTTP, not https"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var dials atomic.Int64
			c := newClient(t, Config{Host: tc.host, Token: ucbootstrap.NewSecret(testToken), InsecureLoopback: tc.loopback,
				HTTPClient: countingClient(&dials), MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond})
			_, err := c.Me(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Me = %v, want an error containing %q", err, tc.want)
			}
			want := int64(1)
			if tc.name == "HTML login page" {
				want = 2 // the redirect, then the page
			}
			if n := dials.Load(); n != want {
				t.Errorf("%d connections, want %d: a fault that cannot go away was retried", n, want)
			}
		})
	}
}

// A reset connection and a 502 are retried; the run succeeds when the
// server recovers.
func TestTransientFaultsAreRetried(t *testing.T) {
	var n atomic.Int64
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			// Close the connection without an answer.
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		case 2:
			http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
		default:
			io.WriteString(w, `{"userName": "alice@example.com"}`)
		}
	}))
	defer s.Close()
	c := newClient(t, Config{Host: s.URL, Token: ucbootstrap.NewSecret(testToken), InsecureLoopback: true,
		MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond})
	if me, err := c.Me(context.Background()); err != nil || me != "alice@example.com" {
		t.Fatalf("Me = %q, %v", me, err)
	}
	if n.Load() != 3 {
		t.Errorf("%d requests, want 3", n.Load())
	}
}

// A server that echoes the request in its error body does not put the
// credentials in the error.
func TestEchoedCredentialsAreRedacted(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/oidc/v1/token" {
			w.WriteHeader(http.StatusUnauthorized)
			// The token endpoint repeats the form body, and the Basic
			// header if the client used one.
			io.WriteString(w, `{"error":"invalid_client","error_description":"bad request `+jsonText(string(body))+` with `+jsonText(r.Header.Get("Authorization"))+`"}`)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error_code":"UNAUTHENTICATED","message":"invalid header Authorization: `+jsonText(r.Header.Get("Authorization"))+`"}`)
	}))
	defer echo.Close()
	for _, cfg := range []Config{
		{Host: echo.URL, Token: ucbootstrap.NewSecret(testToken)},
		{Host: echo.URL, ClientID: testClientID, ClientSecret: ucbootstrap.NewSecret(testSecret)},
	} {
		cfg.InsecureLoopback, cfg.MaxAttempts = true, 1
		_, err := newClient(t, cfg).Me(context.Background())
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized {
			t.Fatalf("Me = %v, want a 401", err)
		}
		t.Log(err)
		noSecret(t, "the error", err.Error())
		if !strings.Contains(err.Error(), ucbootstrap.Redacted) {
			t.Errorf("error %q does not show where the credential was", err)
		}
	}
}

func jsonText(s string) string {
	return strings.NewReplacer(`"`, `\"`, `\`, `\\`).Replace(s)
}
