package databricks

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/privileges"
)

// DefaultConcurrency is the number of requests [Fetch] makes at once unless
// told otherwise.
const DefaultConcurrency = 8

// FetchOptions configure [Fetch].
type FetchOptions struct {
	// Concurrency bounds the requests in flight; 0 means
	// [DefaultConcurrency].
	Concurrency int
	// Timeout bounds each attempt of a request; 0 means the client's.
	Timeout time.Duration
	// Progress, when not nil, is called after each securable is done,
	// with the number done and the total. Calls do not overlap.
	Progress func(done, total int)
}

// Fetched is what [Fetch] learned.
type Fetched struct {
	// Grants are the effective grants of the securables asked about,
	// sorted by securable, principal and privilege.
	Grants []privileges.Grant
	// Owners maps securables to their owner.
	Owners map[privileges.Securable]string
	// Failed maps the securables the server refused to describe (403) to
	// the server's message.
	Failed map[privileges.Securable]string
	// NotFound maps the securables the server does not know (404) to the
	// server's message.
	NotFound map[privileges.Securable]string
	// Unfetched maps the securables that were never described, because
	// the context ended first (Ctrl-C, a deadline), to ctx.Err()'s text.
	Unfetched map[privileges.Securable]string
	// Requests is the number of HTTP requests made, pages and retries
	// included.
	Requests int
}

// A job asks about one securable: its effective permissions, or its
// owner.
type job struct {
	on    privileges.Securable
	owner bool
}

// jobs returns the questions Fetch asks for reqs, in a fixed order: the
// effective permissions of each requirement's securable (which include
// what is inherited, so that ancestors need no call of their own), then
// the owner of each ownership requirement's securable, and the owner of the
// metastore (its metastore admin) when a requirement can be met by one.
// Unverifiable requirements are left out.
func jobs(reqs *privileges.Requirements) []job {
	var out []job
	seen := map[job]bool{}
	for _, r := range reqs.List {
		if r.Unverifiable != "" {
			continue
		}
		j := job{on: r.On, owner: r.Privilege == privileges.Ownership}
		if r.Privilege == privileges.MetastoreAdmin || r.ByAdmin {
			// Metastore admins own the metastore: its owner tells who they are.
			if m := (job{on: privileges.Securable{Type: privileges.Metastore}, owner: true}); !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
			if r.Privilege == privileges.MetastoreAdmin {
				continue
			}
		}
		if seen[j] || j.owner && r.On.Type == privileges.Metastore && seen[job{on: privileges.Securable{Type: privileges.Metastore}, owner: true}] {
			continue
		}
		seen[j] = true
		out = append(out, j)
	}
	// The governance catalog and its schemas too: a grant on them to anyone
	// but the service principal is an exposure the audit reports.
	if reqs.Catalog != "" {
		for _, s := range []privileges.Securable{
			privileges.SecurableOf(privileges.Catalog, reqs.Catalog),
			privileges.SecurableOf(privileges.Schema, reqs.Catalog, ucbootstrap.SystemSchema),
			privileges.SecurableOf(privileges.Schema, reqs.Catalog, ucbootstrap.FunctionsSchema),
		} {
			if j := (job{on: s}); !seen[j] {
				seen[j] = true
				out = append(out, j)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b job) int {
		if a.owner != b.owner {
			if a.owner {
				return 1
			}
			return -1
		}
		return a.on.Compare(b.on)
	})
	return out
}

type jobResult struct {
	done   bool
	grants []privileges.Grant
	owner  string
	failed string // the server's message for a 403 or 404
	status int    // 403 or 404, with failed
	err    error
}

// Fetch asks the workspace about the securables the requirements name,
// each once, with at most opts.Concurrency requests at a time: the
// effective permissions of every requirement's securable, and the owner of
// every ownership requirement's securable. A securable the server refuses
// (403) or does not know (404) goes into Fetched.Failed or NotFound and the
// fetch goes on, when the answer is the API's own (a 403 or 404 page of a
// proxy or another web server is not); any other error ends it and is returned (of several, the one of the
// first securable in the order of the questions, so that the message does
// not depend on timing). When ctx ends, Fetch returns what it learned so
// far, with the securables it did not describe in Fetched.Unfetched, and
// ctx.Err(). The result does not depend on the order in which responses
// arrive.
func Fetch(ctx context.Context, c *Client, reqs *privileges.Requirements, opts FetchOptions) (*Fetched, error) {
	if opts.Timeout > 0 {
		cc := *c
		cc.timeout = opts.Timeout
		c = &cc
	}
	if c == nil || reqs == nil {
		return nil, errors.New("databricks: Fetch needs a client and requirements")
	}
	var requests atomic.Int64
	js := jobs(reqs)
	results := make([]jobResult, len(js))
	n := min(positive(opts.Concurrency, DefaultConcurrency), max(len(js), 1))

	// A failure stops the questions not yet asked; those being asked go
	// on, so that the first failure in the order of the questions is
	// known whatever the timing: every question before it has been asked.
	fctx := withCounter(ctx, &requests)
	stop := make(chan struct{})
	var (
		mu     sync.Mutex
		done   int
		failed bool
		next   = make(chan int)
		wg     sync.WaitGroup
	)
	for range n {
		wg.Go(func() {
			for i := range next {
				r := run(fctx, c, js[i])
				mu.Lock()
				results[i] = r
				if r.err != nil && ctx.Err() == nil && !failed {
					failed = true
					close(stop)
				}
				if r.done {
					done++
					if opts.Progress != nil {
						opts.Progress(done, len(js))
					}
				}
				mu.Unlock()
			}
		})
	}
feed:
	for i := range js {
		select {
		case next <- i:
		case <-stop:
			break feed
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()

	f := &Fetched{Owners: map[privileges.Securable]string{}, Failed: map[privileges.Securable]string{},
		NotFound: map[privileges.Securable]string{}, Unfetched: map[privileges.Securable]string{}, Requests: int(requests.Load())}
	var firstErr error
	for i, r := range results {
		if r.err != nil && firstErr == nil {
			firstErr = r.err
		}
		if !r.done {
			if ctx.Err() != nil {
				f.Unfetched[js[i].on] = ctx.Err().Error()
			}
			continue
		}
		switch {
		case r.failed != "" && r.status == http.StatusNotFound:
			if _, ok := f.NotFound[js[i].on]; !ok {
				f.NotFound[js[i].on] = r.failed
			}
		case r.failed != "":
			if _, ok := f.Failed[js[i].on]; !ok {
				f.Failed[js[i].on] = r.failed
			}
		case js[i].owner:
			if r.owner != "" {
				f.Owners[js[i].on] = r.owner
			}
		default:
			f.Grants = append(f.Grants, r.grants...)
		}
	}
	// A securable whose one question was answered and the other not is
	// described; one asked about twice is unfetched only if neither came.
	for sec := range f.Unfetched {
		if _, ok := f.Failed[sec]; ok {
			delete(f.Unfetched, sec)
		} else if _, ok := f.NotFound[sec]; ok {
			delete(f.Unfetched, sec)
		}
	}
	SortGrants(f.Grants)
	if err := ctx.Err(); err != nil {
		return f, err
	}
	if failed {
		return f, firstErr
	}
	return f, nil
}

// run does one job.
func run(ctx context.Context, c *Client, j job) jobResult {
	var r jobResult
	var err error
	if j.owner {
		r.owner, err = c.Owner(ctx, j.on)
	} else {
		r.grants, err = c.EffectivePermissions(ctx, j.on)
	}
	var ae *APIError
	switch {
	case err == nil:
		r.done = true
	case errors.As(err, &ae) && ae.FromAPI() && (ae.Forbidden() || ae.NotFound()):
		r.done, r.grants, r.status = true, nil, ae.Status
		r.failed = cmp.Or(ae.Message, ae.Error())
	case ctx.Err() != nil:
		// Cancelled: neither done nor an error of its own.
	default:
		r.err = err
	}
	return r
}

// SortGrants sorts grants by securable, principal, privilege, and then by
// where they are inherited from and how the privilege is spelt.
func SortGrants(gs []privileges.Grant) { slices.SortFunc(gs, compareGrants) }

func compareGrants(a, b privileges.Grant) int {
	return cmp.Or(
		a.On.Compare(b.On),
		strings.Compare(a.Principal, b.Principal),
		strings.Compare(string(a.Privilege), string(b.Privilege)),
		a.InheritedFrom.Compare(b.InheritedFrom),
		strings.Compare(a.Spelling, b.Spelling),
	)
}
