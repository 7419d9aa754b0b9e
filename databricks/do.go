package databricks

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// A Request is one call of the workspace's REST API, for [Client.Do].
type Request struct {
	// Method is the HTTP method; "" means GET.
	Method string
	// Path is the escaped path from the workspace root, such as
	// "/api/2.0/sql/statements".
	Path string
	// Query holds the query parameters, if any.
	Query url.Values
	// Body, when not nil, is sent as JSON.
	Body any
	// Timeout bounds the attempt; 0 means the client's.
	Timeout time.Duration
}

// A TransportError is a request that got no HTTP response: the connection
// failed, was dropped, or the attempt timed out.
type TransportError struct {
	Method, Path string
	// Op names what failed when it is not the request itself, such as
	// "token request".
	Op string
	// Sent reports whether the request was written out in full before the
	// failure, so that the server may have received and acted on it. A
	// request that was not sent can be made again safely.
	Sent bool
	// Timeout reports whether the attempt ran out of time.
	Timeout bool
	// Err is the cause; its message is redacted of credentials.
	Err error

	// permanent is set for a failure that will not go away on retry: a
	// refused connection, an unknown host, an untrusted certificate.
	permanent bool
}

// Temporary reports whether another attempt may succeed: the attempt timed
// out, or the failure is of a kind that goes away (a reset connection, a
// temporary DNS failure), not a refused connection, an unknown host or an
// untrusted certificate.
func (e *TransportError) Temporary() bool {
	return e.Timeout || !e.permanent && !errors.Is(e.Err, context.Canceled)
}

// Error returns "databricks: POST /api/2.0/sql/statements: the error".
func (e *TransportError) Error() string {
	op := e.Op
	if op == "" {
		op = e.Method + " " + e.Path
	}
	return "databricks: " + op + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// Redact returns s, a message from the server, cleared of the client's
// credentials and of every credential form ([ucbootstrap.Redact]).
func (c *Client) Redact(s string) string { return c.redact(s) }

// Do makes one attempt of an authenticated request and decodes a 2xx JSON
// response into out (unless out is nil or the body is empty). It does not
// retry: a response that is not a success is an *[APIError], whose
// RetryAfter holds the server's Retry-After; a request that got no response
// is a *[TransportError], which says whether it was sent. Messages from the
// server are redacted of credentials and clipped. When ctx ends, the error
// wraps ctx.Err().
func (c *Client) Do(ctx context.Context, r Request, out any) error {
	method := cmp.Or(r.Method, http.MethodGet)
	timeout := positive(r.Timeout, c.timeout)
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	header, err := c.auth(actx)
	if err != nil {
		var ae *APIError
		switch {
		case errors.As(err, &ae):
			return ae
		case ctx.Err() != nil:
			return fmt.Errorf("databricks: %s %s: %w", method, r.Path, ctx.Err())
		case actx.Err() != nil:
			return &TransportError{Method: method, Path: r.Path, Op: "token request", Timeout: true,
				Err: fmt.Errorf("timed out after %v: %w", timeout, context.DeadlineExceeded)}
		}
		cause := errors.Unwrap(err) // tokenError's redacted transport error
		if cause == nil {
			cause = errors.New(strings.TrimPrefix(err.Error(), "databricks: token request: "))
		}
		var raw *redactedError
		permanent := errors.As(cause, &raw) && !retryable(raw.err)
		return &TransportError{Method: method, Path: r.Path, Op: "token request", Err: cause, permanent: permanent}
	}
	u := *c.base
	u.RawPath = r.Path
	if u.Path, err = url.PathUnescape(r.Path); err != nil {
		return fmt.Errorf("databricks: bad path %q", r.Path)
	}
	u.RawQuery = r.Query.Encode()
	var body io.Reader
	if r.Body != nil {
		b, err := json.Marshal(r.Body)
		if err != nil {
			return fmt.Errorf("databricks: %s %s: encoding the request: %v", method, r.Path, err)
		}
		body = bytes.NewReader(b)
	}
	var sent atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(info httptrace.WroteRequestInfo) {
		if info.Err == nil {
			sent.Store(true)
		}
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(actx, trace), method, u.String(), body)
	if err != nil {
		return fmt.Errorf("databricks: %s %s: %v", method, r.Path, err)
	}
	req.Header.Set("Authorization", header)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "ucbootstrap")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if n, ok := ctx.Value(counterKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is in the message already
		}
		te := &TransportError{Method: method, Path: r.Path, Sent: sent.Load(), Err: &redactedError{c.redact(describeTransport(err)), err}, permanent: !retryable(err)}
		switch {
		case ctx.Err() != nil:
			te.Err = ctx.Err()
		case actx.Err() != nil:
			te.Timeout = true
			te.Err = fmt.Errorf("timed out after %v: %w", timeout, context.DeadlineExceeded)
		}
		return te
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	switch {
	case err != nil:
		te := &TransportError{Method: method, Path: r.Path, Sent: true,
			Err: fmt.Errorf("reading the response: %w", &redactedError{c.redact(describeTransport(err)), err}), permanent: !retryable(err)}
		switch {
		case ctx.Err() != nil:
			te.Err = ctx.Err()
		case actx.Err() != nil:
			te.Timeout = true
			te.Err = fmt.Errorf("timed out after %v reading the response: %w", timeout, context.DeadlineExceeded)
		}
		return te
	case len(data) > maxBody:
		return fmt.Errorf("databricks: %s %s: the response is larger than %d MiB", method, r.Path, maxBody>>20)
	}
	html := isHTML(resp.Header.Get("Content-Type"), data)
	if resp.StatusCode/100 != 2 {
		ae := &APIError{Status: resp.StatusCode, HTML: html, RetryAfter: -1}
		var eb struct {
			Code    string `json:"error_code"`
			Message string `json:"message"`
			Error   string `json:"error"`
			Desc    string `json:"error_description"`
		}
		if json.Unmarshal(data, &eb) == nil {
			ae.Code, ae.Message = c.redact(clip(cmp.Or(eb.Code, eb.Error))), c.redact(clip(cmp.Or(eb.Message, eb.Desc)))
		}
		if s := resp.Header.Get("Retry-After"); s != "" {
			if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 0 {
				ae.RetryAfter = min(time.Duration(n)*time.Second, maxRetryAfter)
			}
		}
		return ae
	}
	if html {
		return fmt.Errorf("databricks: %s %s: %w", method, r.Path, ErrHTML)
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("databricks: %s %s: the response is not the JSON of the Databricks API (%v): check workspaceUrl", method, r.Path, err)
	}
	return nil
}
