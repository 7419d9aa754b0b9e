package databricks

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/privileges"
)

// maxBody bounds the size of a response.
const maxBody = 64 << 20

// A Client calls the REST API of one workspace. It is safe for concurrent
// use.
type Client struct {
	base       *url.URL
	hc         *http.Client
	auth       func(context.Context) (string, error) // the Authorization header
	timeout    time.Duration
	attempts   int
	minBackoff time.Duration
	maxBackoff time.Duration
	// secrets are the credentials, which every message from the server
	// is cleared of (see [ucbootstrap.Redact]).
	secrets []ucbootstrap.Secret

	// meta is shared by the copies of a client that Fetch makes.
	meta *metastoreCache
}

// metastoreCache remembers the ID of the workspace's metastore.
type metastoreCache struct {
	mu sync.Mutex
	id string
}

// New returns a client for the workspace and credentials of cfg: a bearer
// token, or OAuth machine-to-machine credentials, whose access tokens are
// fetched from the token endpoint, cached and refreshed before they
// expire.
func New(cfg Config) (*Client, error) {
	base, err := hostURL(cfg.Host, cfg.Port, cfg.InsecureLoopback)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base:       base,
		hc:         cfg.HTTPClient,
		timeout:    positive(cfg.Timeout, DefaultTimeout),
		attempts:   positive(cfg.MaxAttempts, DefaultMaxAttempts),
		minBackoff: positive(cfg.MinBackoff, DefaultMinBackoff),
		maxBackoff: positive(cfg.MaxBackoff, DefaultMaxBackoff),
		meta:       &metastoreCache{},
		secrets:    []ucbootstrap.Secret{cfg.Token, cfg.ClientSecret},
	}
	c.maxBackoff = max(c.maxBackoff, c.minBackoff)
	if c.hc == nil {
		c.hc = &http.Client{}
	}
	switch {
	case !cfg.Token.IsZero() && cfg.ClientID != "":
		return nil, errors.New("databricks: both a token and OAuth client credentials are set: give one")
	case !cfg.Token.IsZero():
		if err := checkCredential("the token", cfg.Token, true); err != nil {
			return nil, err
		}
		header := "Bearer " + cfg.Token.Reveal()
		c.auth = func(context.Context) (string, error) { return header, nil }
	case cfg.ClientID != "":
		if cfg.ClientSecret.IsZero() {
			return nil, errors.New("databricks: OAuth client " + cfg.ClientID + " has no secret")
		}
		if err := checkCredential("the OAuth client secret", cfg.ClientSecret, false); err != nil {
			return nil, err
		}
		tokenURL := cfg.TokenURL
		if tokenURL == "" {
			tokenURL = base.JoinPath("oidc", "v1", "token").String()
		}
		if _, err := checkURL("token URL", tokenURL, cfg.InsecureLoopback); err != nil {
			return nil, err
		}
		cc := &clientcredentials.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret.Reveal(),
			TokenURL:     tokenURL,
			Scopes:       []string{cmp.Or(cfg.Scope, DefaultScope)},
		}
		// The token source outlives any one request: it gets a context of
		// its own, and a client whose timeout bounds each token request.
		thc := *c.hc
		thc.Timeout = c.timeout
		ts := cc.TokenSource(context.WithValue(context.Background(), oauth2.HTTPClient, &thc))
		c.auth = oauthHeader(ts, c.redact)
	default:
		return nil, errors.New("databricks: no credentials: set Token, or ClientID and ClientSecret")
	}
	return c, nil
}

// checkCredential refuses a credential that cannot work, without quoting
// it: the REDACTED placeholder, a token with its "Bearer " scheme, a line
// break, blank or control character (as a token read from a file with its
// newline has).
func checkCredential(what string, s ucbootstrap.Secret, bearer bool) error {
	v := s.Reveal()
	switch {
	case strings.EqualFold(strings.TrimSpace(v), ucbootstrap.Redacted):
		return fmt.Errorf("databricks: %s is the placeholder %s, not a secret: give the real one", what, ucbootstrap.Redacted)
	case bearer && len(v) > 7 && strings.EqualFold(v[:7], "bearer "):
		return fmt.Errorf("databricks: %s starts with \"Bearer \": give the token alone; the client adds the scheme", what)
	case strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return fmt.Errorf("databricks: %s holds a line break, blank or control character: give it on one line (a file read with its trailing newline has one)", what)
	}
	return nil
}

// positive returns v, or def when v is zero or negative.
func positive[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// oauthHeader returns the Authorization header of the token source's
// current token, without waiting for a token request past the context's
// end.
func oauthHeader(ts oauth2.TokenSource, redact func(string) string) func(context.Context) (string, error) {
	type result struct {
		tok *oauth2.Token
		err error
	}
	return func(ctx context.Context) (string, error) {
		ch := make(chan result, 1)
		go func() {
			tok, err := ts.Token()
			ch <- result{tok, err}
		}()
		var r result
		select {
		case r = <-ch:
		case <-ctx.Done():
			return "", ctx.Err()
		}
		if r.err != nil {
			return "", tokenError(r.err, redact)
		}
		return r.tok.Type() + " " + r.tok.AccessToken, nil
	}
}

// redact clears a message from outside of the client's credentials and of
// every credential form.
func (c *Client) redact(s string) string { return ucbootstrap.Redact(s, c.secrets...) }

// A redactedError is an error from outside (a transport error), whose
// message is cleared of credentials; Unwrap gives the error itself.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// tokenError turns a failed token request into an error that quotes
// neither the request nor the response body, and whose description (a
// token endpoint may echo the form body) is redacted.
func tokenError(err error, redact func(string) string) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		msg := "the token endpoint refused the client credentials"
		if re.ErrorDescription != "" {
			msg += ": " + redact(clip(re.ErrorDescription))
		}
		return &APIError{Status: re.Response.StatusCode, Code: redact(clip(re.ErrorCode)), Message: msg, RetryAfter: -1}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("databricks: token request: %w", &redactedError{redact(describeTransport(err)), err})
}

// clip cuts a message from the server to 1000 bytes.
func clip(s string) string {
	const max = 1000
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

// An APIError is a response of the API that is not a success.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Code and Message are the error_code and message of the response
	// body (error and error_description at the token endpoint).
	Code, Message string
	// Securable is the securable the request was about, if any.
	Securable privileges.Securable
	// HTML is set when the response was an HTML page, not the API's JSON.
	HTML bool
	// RetryAfter is the wait the server asked for with Retry-After (capped
	// at two minutes), or -1 when it asked for none.
	RetryAfter time.Duration
}

// Error returns "databricks: TABLE a.b.c: 403 PERMISSION_DENIED: message".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("databricks: ")
	if e.Securable != (privileges.Securable{}) {
		b.WriteString(e.Securable.String() + ": ")
	}
	b.WriteString(strconv.Itoa(e.Status))
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	} else if t := http.StatusText(e.Status); t != "" {
		b.WriteString(" " + t)
	}
	switch {
	case e.Message != "":
		b.WriteString(": " + e.Message)
	case e.HTML:
		b.WriteString(": the host answered with an HTML page (a login page or a proxy's?), not the Databricks API: check workspaceUrl")
	case e.Code == "" && e.Status != http.StatusTooManyRequests && e.Status < 500:
		b.WriteString(": the answer is not the Databricks API's (no error_code): check workspaceUrl and config.port")
	}
	return b.String()
}

// FromAPI reports whether the response carried the API's own error body
// (an error_code), as the Databricks REST API always does: an HTML page
// or a bare status comes from something else, such as a proxy, a login
// page or another web server at the host.
func (e *APIError) FromAPI() bool { return e.Code != "" && !e.HTML }

// NotFound reports whether the error is a 404.
func (e *APIError) NotFound() bool { return e.Status == http.StatusNotFound }

// Forbidden reports whether the error is a 403.
func (e *APIError) Forbidden() bool { return e.Status == http.StatusForbidden }

// counterKey carries a request counter in a context.
type counterKey struct{}

func withCounter(ctx context.Context, n *atomic.Int64) context.Context {
	return context.WithValue(ctx, counterKey{}, n)
}

// get calls GET path (escaped, from the workspace root) with the query,
// retrying as configured, and decodes the JSON response into out.
func (c *Client) get(ctx context.Context, path string, query url.Values, sec privileges.Securable, out any) error {
	for attempt := 1; ; attempt++ {
		err := c.Do(ctx, Request{Path: path, Query: query}, out)
		if err == nil {
			return nil
		}
		wait, retry := time.Duration(-1), false
		var ae *APIError
		var te *TransportError
		switch {
		case errors.As(err, &ae):
			ae.Securable = sec
			retry = retryStatus(ae.Status)
			if retry {
				wait = ae.RetryAfter
			}
		case errors.As(err, &te):
			retry = ctx.Err() == nil && te.Temporary()
		}
		if !retry || attempt >= c.attempts || ctx.Err() != nil {
			if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
				return fmt.Errorf("databricks: GET %s: %w", path, ctx.Err())
			}
			return err
		}
		if wait < 0 {
			wait = c.backoff(attempt)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("databricks: GET %s: %w", path, ctx.Err())
		}
	}
}

// backoff returns the wait after the given failed attempt: the minimum
// doubled per attempt, capped, with jitter in its upper half.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.minBackoff
	for i := 1; i < attempt && d < c.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.maxBackoff)
	return d/2 + rand.N(d/2+1)
}

// ErrHTML is the error of a response that is an HTML page, such as a login
// page or a proxy's, where the API answers with JSON.
var ErrHTML = errors.New("the host answered with an HTML page (a login page or a proxy's?), not the Databricks API: check workspaceUrl")

// isHTML reports whether a response is an HTML page.
func isHTML(contentType string, body []byte) bool {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && (mt == "text/html" || mt == "application/xhtml+xml") {
		return true
	}
	b := bytes.TrimSpace(body)
	return len(b) > 0 && b[0] == '<'
}

// retryStatus reports whether a response status may go away on retry: 429
// and the 5xx statuses but 501 and 505, which say the server will never
// serve the request.
func retryStatus(status int) bool {
	return status == http.StatusTooManyRequests ||
		status >= 500 && status != http.StatusNotImplemented && status != http.StatusHTTPVersionNotSupported
}

// retryable reports whether a transport error may go away on retry: a
// reset or closed connection, a timeout, a temporary DNS failure. A refused
// connection, an unknown host, an untrusted certificate or a plain HTTP
// server where https was expected will not.
func retryable(err error) bool {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED),
		errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalid),
		errors.As(err, &recordErr), plainHTTP(err):
		return false
	case errors.As(err, &dnsErr):
		return dnsErr.IsTemporary || dnsErr.IsTimeout
	}
	return true
}

// plainHTTP reports whether err is net/http's "server gave HTTP response to
// HTTPS client", which has no type of its own.
func plainHTTP(err error) bool {
	return strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

// describeTransport says what a transport error means and what to check.
func describeTransport(err error) string {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recordErr tls.RecordHeaderError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused: nothing listens there: check workspaceUrl and config.port"
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return fmt.Sprintf("no such host %s: check workspaceUrl", dnsErr.Name)
	case errors.As(err, &hostErr):
		return fmt.Sprintf("the server's certificate is not for this host (%v): check workspaceUrl", hostErr)
	case errors.As(err, &unknownCA), errors.As(err, &certErr):
		return fmt.Sprintf("the server's certificate is not trusted (%v): check workspaceUrl; behind a proxy that inspects TLS, add its CA to the system's certificates", err)
	case plainHTTP(err), errors.As(err, &recordErr):
		return "the server speaks plain HTTP, not https: check workspaceUrl and config.port (a local stand-in on a loopback address needs --insecure-loopback)"
	}
	return err.Error()
}
