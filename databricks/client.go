package databricks

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

	// meta is shared by the copies of a client that Fetch makes.
	meta *metastoreCache
	// secrets are the credentials, which Redact removes from messages.
	secrets []ucbootstrap.Secret
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
	base, err := hostURL(cfg.Host, cfg.Insecure)
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
		header := "Bearer " + cfg.Token.Reveal()
		c.auth = func(context.Context) (string, error) { return header, nil }
	case cfg.ClientID != "":
		if cfg.ClientSecret.IsZero() {
			return nil, errors.New("databricks: OAuth client " + cfg.ClientID + " has no secret")
		}
		tokenURL := cfg.TokenURL
		if tokenURL == "" {
			tokenURL = base.JoinPath("oidc", "v1", "token").String()
		}
		if _, err := checkURL("token URL", tokenURL, cfg.Insecure); err != nil {
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
		c.auth = oauthHeader(ts)
	default:
		return nil, errors.New("databricks: no credentials: set Token, or ClientID and ClientSecret")
	}
	return c, nil
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
func oauthHeader(ts oauth2.TokenSource) func(context.Context) (string, error) {
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
			return "", tokenError(r.err)
		}
		return r.tok.Type() + " " + r.tok.AccessToken, nil
	}
}

// tokenError turns a failed token request into an error that quotes
// neither the request nor the response body.
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		msg := "the token endpoint refused the client credentials"
		if re.ErrorDescription != "" {
			msg += ": " + re.ErrorDescription
		}
		return &APIError{Status: re.Response.StatusCode, Code: re.ErrorCode, Message: msg, RetryAfter: -1}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("databricks: token request: %w", ue.Err)
	}
	return fmt.Errorf("databricks: token request: %v", err)
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
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

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
			retry, wait = ae.Status == http.StatusTooManyRequests || ae.Status >= 500, ae.RetryAfter
		case errors.As(err, &te):
			retry = ctx.Err() == nil
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
