package sqlexec

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/ucbootstrap/ucbootstrap/databricks"
)

// The defaults of [Options].
const (
	DefaultWaitTimeout   = 10 * time.Second
	DefaultTimeout       = 10 * time.Minute
	DefaultStartTimeout  = 20 * time.Minute
	DefaultCancelTimeout = time.Minute
	DefaultMinPoll       = time.Second
	DefaultMaxPoll       = 5 * time.Second
	DefaultMaxAttempts   = 5
	DefaultMinBackoff    = 500 * time.Millisecond
	DefaultMaxBackoff    = 16 * time.Second
)

// Options configure an [Executor]. The zero value gives the defaults.
type Options struct {
	// WaitTimeout is how long the server holds a submission before it
	// answers with a statement still running: 10 to 50 seconds, sent as
	// wait_timeout; 0 means [DefaultWaitTimeout].
	WaitTimeout time.Duration
	// Timeout bounds one statement's execution, measured on the wall
	// clock from when it starts running; 0 means [DefaultTimeout].
	Timeout time.Duration
	// StartTimeout bounds the wait for the warehouse or cluster to start
	// (a statement PENDING, a cluster PENDING), measured from the
	// submission; 0 means [DefaultStartTimeout], which is larger than
	// [DefaultTimeout]: a cold start can take minutes (and a PENDING
	// statement may also wait in the warehouse's queue), where a setup
	// statement runs in seconds.
	StartTimeout time.Duration
	// CancelTimeout bounds the wait for a cancelled statement to end; 0
	// means [DefaultCancelTimeout].
	CancelTimeout time.Duration
	// MinPoll and MaxPoll are the first wait between polls and its cap;
	// each wait is MinPoll longer than the last. 0 means [DefaultMinPoll]
	// and [DefaultMaxPoll].
	MinPoll, MaxPoll time.Duration
	// MaxAttempts bounds the attempts of a request that fails with 429,
	// 503, TEMPORARILY_UNAVAILABLE or a transport error; 0 means
	// [DefaultMaxAttempts].
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the wait between attempts, doubled
	// each time, unless the server sends Retry-After; 0 means
	// [DefaultMinBackoff] and [DefaultMaxBackoff].
	MinBackoff, MaxBackoff time.Duration
	// Progress, when not nil, hears what the executor waits for. Calls do
	// not overlap for one statement.
	Progress func(Event)
	// Submitted, when not nil, is called with the ID of each statement
	// the server accepted, before the executor waits for it, so that the
	// ID can be recorded and attached to again (Executor.Attach). When it
	// fails, the statement is cancelled and Execute returns its error.
	Submitted func(Submission) error
}

// EventKind says what an [Event] reports.
type EventKind string

// The kinds of events.
const (
	// Starting: the warehouse or cluster is starting; the statement waits.
	Starting EventKind = "starting"
	// Running: the statement runs.
	Running EventKind = "running"
	// Retrying: a request failed and is made again after Wait.
	Retrying EventKind = "retrying"
	// Resubmitting: an idempotent statement whose submission got no
	// answer is sent again.
	Resubmitting EventKind = "resubmitting"
	// Cancelling: the deadline passed or the context ended; the statement
	// is being cancelled.
	Cancelling EventKind = "cancelling"
)

// An Event is a step of the execution of a statement.
type Event struct {
	Kind EventKind
	// Statement is the statement concerned, if any.
	Statement *Statement
	// ID is the statement's ID, once known.
	ID string
	// Message says what happens, such as "warehouse 8a1b starting".
	Message string
	// Attempt and Wait are the failed attempt and the wait before the next
	// one, for Retrying.
	Attempt int
	Wait    time.Duration
}

// A Submission is a statement the server accepted.
type Submission struct {
	// ID is the statement ID (warehouses) or "contextID/commandID"
	// (clusters), as Executor.Attach takes it.
	ID        string
	Statement Statement
}

// An Executor runs statements on one warehouse or cluster. It is safe for
// concurrent use.
type Executor struct {
	c      *databricks.Client
	target Target
	opts   Options

	mu        sync.Mutex
	contextID string // of a cluster

	// sleep waits d or until ctx ends; nil means [sleep] (tests set it).
	sleep func(ctx context.Context, d time.Duration) error
}

// New returns an executor for the compute of httpPath, on the workspace of
// c and with its credentials.
func New(c *databricks.Client, httpPath string, opts Options) (*Executor, error) {
	if c == nil {
		return nil, errors.New("sqlexec: New needs a client")
	}
	t, err := ParseHTTPPath(httpPath)
	if err != nil {
		return nil, err
	}
	o := opts
	o.WaitTimeout = positive(o.WaitTimeout, DefaultWaitTimeout)
	if o.WaitTimeout < 10*time.Second || o.WaitTimeout > 50*time.Second || o.WaitTimeout%time.Second != 0 {
		return nil, fmt.Errorf("sqlexec: the wait timeout must be a whole number of seconds from 10s to 50s, not %v", o.WaitTimeout)
	}
	o.Timeout = positive(o.Timeout, DefaultTimeout)
	o.StartTimeout = positive(o.StartTimeout, DefaultStartTimeout)
	o.CancelTimeout = positive(o.CancelTimeout, DefaultCancelTimeout)
	o.MinPoll = positive(o.MinPoll, DefaultMinPoll)
	o.MaxPoll = max(positive(o.MaxPoll, DefaultMaxPoll), o.MinPoll)
	o.MaxAttempts = positive(o.MaxAttempts, DefaultMaxAttempts)
	o.MinBackoff = positive(o.MinBackoff, DefaultMinBackoff)
	o.MaxBackoff = max(positive(o.MaxBackoff, DefaultMaxBackoff), o.MinBackoff)
	return &Executor{c: c, target: t, opts: o}, nil
}

func positive[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Target returns the compute the executor runs statements on.
func (e *Executor) Target() Target { return e.target }

// Execute runs one statement and returns its result.
func (e *Executor) Execute(ctx context.Context, st Statement) (*Result, error) {
	if st.Text == "" {
		return nil, errors.New("sqlexec: empty statement")
	}
	if e.target.Kind == Cluster {
		return e.executeCommand(ctx, st)
	}
	return e.executeStatement(ctx, st)
}

// Query parses text, which must hold one statement, and runs it.
func (e *Executor) Query(ctx context.Context, text string) (*Result, error) {
	st, err := Parse(text)
	if err != nil {
		return nil, err
	}
	return e.Execute(ctx, st)
}

// Attach waits for a statement submitted before, by its ID as
// [Options.Submitted] received it, instead of submitting it again.
func (e *Executor) Attach(ctx context.Context, id string, st Statement) (*Result, error) {
	if e.target.Kind == Cluster {
		return e.attachCommand(ctx, id, st)
	}
	return e.attachStatement(ctx, id, st)
}

// Close releases what the executor holds on the workspace: the execution
// context of a cluster.
func (e *Executor) Close(ctx context.Context) error {
	e.mu.Lock()
	id := e.contextID
	e.contextID = ""
	e.mu.Unlock()
	if e.target.Kind != Cluster || id == "" {
		return nil
	}
	err := e.request(ctx, nil, databricks.Request{Method: http.MethodPost, Path: "/api/1.2/contexts/destroy",
		Body: map[string]string{"clusterId": e.target.ID, "contextId": id}}, nil)
	if err != nil {
		return fmt.Errorf("sqlexec: destroying the execution context: %w", err)
	}
	return nil
}

func (e *Executor) progress(ev Event) {
	if e.opts.Progress != nil {
		e.opts.Progress(ev)
	}
}

// retryable reports whether a failed request may succeed when made again:
// 429, 503, TEMPORARILY_UNAVAILABLE, or a transport error that may go away
// (not a refused connection or an untrusted certificate).
func retryable(err error) bool {
	var ae *databricks.APIError
	if errors.As(err, &ae) {
		return ae.Status == http.StatusTooManyRequests || ae.Status == http.StatusServiceUnavailable || ae.Code == "TEMPORARILY_UNAVAILABLE"
	}
	var te *databricks.TransportError
	return errors.As(err, &te) && te.Temporary()
}

// backoff returns the wait after a failed attempt: Retry-After when the
// server sent one, else the minimum doubled per attempt, capped, with
// jitter in its upper half.
func (e *Executor) backoff(err error, attempt int) time.Duration {
	var ae *databricks.APIError
	if errors.As(err, &ae) && ae.RetryAfter >= 0 {
		return ae.RetryAfter
	}
	d := e.opts.MinBackoff
	for i := 1; i < attempt && d < e.opts.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, e.opts.MaxBackoff)
	return d/2 + rand.N(d/2+1)
}

// wait waits d or until ctx ends.
func (e *Executor) wait(ctx context.Context, d time.Duration) error {
	if e.sleep != nil {
		return e.sleep(ctx, d)
	}
	return sleep(ctx, d)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// request makes a request that is safe to repeat, retrying it on 429, 503,
// TEMPORARILY_UNAVAILABLE and transport errors.
func (e *Executor) request(ctx context.Context, st *Statement, r databricks.Request, out any) error {
	for attempt := 1; ; attempt++ {
		err := e.c.Do(ctx, r, out)
		if err == nil || !retryable(err) || attempt >= e.opts.MaxAttempts || ctx.Err() != nil {
			return err
		}
		wait := e.backoff(err, attempt)
		e.progress(Event{Kind: Retrying, Statement: st, Message: err.Error(), Attempt: attempt, Wait: wait})
		if err := e.wait(ctx, wait); err != nil {
			return err
		}
	}
}

// submit makes a submission (POST) request. It is repeated when the server
// refused it (429, 503) or when it was not sent; when it was sent and got no
// answer, it may have been accepted, and it is sent again only for an
// idempotent statement.
func (e *Executor) submit(ctx context.Context, st *Statement, r databricks.Request, out any) error {
	for attempt := 1; ; attempt++ {
		err := e.c.Do(ctx, r, out)
		if err == nil {
			return nil
		}
		var te *databricks.TransportError
		sent := errors.As(err, &te) && te.Sent
		switch {
		case ctx.Err() != nil:
			return &Error{Message: "interrupted while submitting: " + ctx.Err().Error(), Pos: st.Pos, Unknown: sent, Err: ctx.Err()}
		case !retryable(err):
			return submitError(st, err)
		case sent && !st.Idempotent:
			return &Error{Message: "the connection failed after the statement was sent, so it may have been accepted; it is not idempotent and was not sent again: " + err.Error(),
				Pos: st.Pos, Unknown: true, Err: err}
		case attempt >= e.opts.MaxAttempts:
			se := submitError(st, err)
			se.Unknown = sent
			return se
		}
		wait := e.backoff(err, attempt)
		kind := Retrying
		if sent {
			kind = Resubmitting
		}
		e.progress(Event{Kind: kind, Statement: st, Message: err.Error(), Attempt: attempt, Wait: wait})
		if err := e.wait(ctx, wait); err != nil {
			return &Error{Message: "interrupted while submitting: " + err.Error(), Pos: st.Pos, Unknown: sent, Err: err}
		}
	}
}

// submitError wraps a submission the server refused or that failed.
func submitError(st *Statement, err error) *Error {
	se := &Error{Message: "the statement was not accepted: " + err.Error(), Pos: st.Pos, Err: err}
	var ae *databricks.APIError
	if errors.As(err, &ae) {
		se.Code = ae.Code
		se.Message = fmt.Sprintf("the statement was not accepted: HTTP %d: %s", ae.Status, ae.Message)
	}
	return se
}

// A clock measures the budgets of one statement on the wall clock.
type clock struct {
	submitted time.Time // the start-up budget runs from here
	running   time.Time // the execution budget runs from here; zero until RUNNING
}

// deadline returns the deadline of the current phase.
func (e *Executor) deadline(c *clock) (time.Time, string) {
	if c.running.IsZero() {
		return c.submitted.Add(e.opts.StartTimeout), fmt.Sprintf("did not start running within %v", e.opts.StartTimeout)
	}
	return c.running.Add(e.opts.Timeout), fmt.Sprintf("did not end within %v", e.opts.Timeout)
}

// pause waits before the next poll: the delay, cut short by the deadline;
// it reports why it stopped early (the deadline, or the context).
func (e *Executor) pause(ctx context.Context, delay *time.Duration, deadline time.Time) error {
	d := min(*delay, time.Until(deadline))
	*delay = min(*delay+e.opts.MinPoll, e.opts.MaxPoll)
	if err := e.wait(ctx, d); err != nil {
		return err
	}
	if !time.Now().Before(deadline) {
		return context.DeadlineExceeded
	}
	return nil
}
