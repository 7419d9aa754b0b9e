package databricks

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ucbootstrap/ucbootstrap"
)

func plainClient(t *testing.T, url string) *Client {
	t.Helper()
	return newClient(t, Config{Host: url, Token: ucbootstrap.NewSecret(testToken), InsecureLoopback: true})
}

// Do sends a JSON body with the credentials and decodes the answer.
func TestDoPost(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Authorization") != "Bearer "+testToken ||
			r.Header.Get("Content-Type") != "application/json" || string(body) != `{"statement":"SELECT 1"}` {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		w.Write([]byte(`{"statement_id":"s-1"}`))
	}))
	defer srv.Close()
	var out struct {
		ID string `json:"statement_id"`
	}
	err := plainClient(t, srv.URL).Do(context.Background(), Request{Method: http.MethodPost, Path: "/api/2.0/sql/statements",
		Body: map[string]string{"statement": "SELECT 1"}}, &out)
	if err != nil || out.ID != "s-1" {
		t.Fatalf("Do: %+v, %v", out, err)
	}
}

// An error response is an APIError with the server's Retry-After, and the
// server's message loses any credential it echoes.
func TestDoAPIError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"error_code":"REQUEST_LIMIT_EXCEEDED","message":"slow down, ` + testToken + ` and Bearer abc123def456ghi"}`))
	}))
	defer srv.Close()
	err := plainClient(t, srv.URL).Do(context.Background(), Request{Path: "/x"}, nil)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 429 || ae.Code != "REQUEST_LIMIT_EXCEEDED" || ae.RetryAfter != 3*time.Second {
		t.Fatalf("Do: %#v", err)
	}
	if want := "slow down, REDACTED and Bearer REDACTED"; ae.Message != want {
		t.Errorf("message %q, want %q", ae.Message, want)
	}
}

// A connection the server drops after reading the request is a transport
// error whose request was sent; a refused connection is one whose request
// was not.
func TestDoTransportErrorSent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	c := plainClient(t, srv.URL)
	err := c.Do(context.Background(), Request{Method: http.MethodPost, Path: "/p", Body: map[string]int{"a": 1}}, nil)
	var te *TransportError
	if !errors.As(err, &te) || !te.Sent {
		t.Fatalf("dropped connection: %#v", err)
	}
	if !strings.HasPrefix(err.Error(), "databricks: POST /p: ") {
		t.Errorf("message %q", err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	err = plainClient(t, "http://"+addr).Do(context.Background(), Request{Method: http.MethodPost, Path: "/p", Body: 1}, nil)
	if !errors.As(err, &te) || te.Sent {
		t.Fatalf("refused connection: %#v", err)
	}
}

// Client.Redact clears the client's own credentials and every credential
// form (ucbootstrap.Redact) from a server's text.
func TestClientRedact(t *testing.T) {
	c := plainClient(t, "http://127.0.0.1:1")
	for _, tc := range []struct{ in, want string }{
		{"no secret here", "no secret here"},
		{"echo " + testToken + " back", "echo REDACTED back"},
		{"Authorization: Bearer abc.def-ghi_jkl1", "Authorization: Bearer REDACTED"},
		{"client_secret=hunter2&x=1", "client_secret=REDACTED&x=1"},
	} {
		if got := c.Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
