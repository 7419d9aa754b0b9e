package server

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ucbootstrap/ucbootstrap/server/apikey"
	"github.com/ucbootstrap/ucbootstrap/server/store"
)

// keyCacheTTL is how long a looked-up key is trusted before the store is
// asked again: a revoked key stops working within it.
const keyCacheTTL = 2 * time.Second

// authenticator checks API keys and limits each key's request rate.
type authenticator struct {
	st    store.Store
	rate  float64
	burst int

	mu      sync.Mutex
	cache   map[string]cachedKey
	buckets map[string]*bucket
}

type cachedKey struct {
	key     *store.APIKey
	fetched time.Time
}

func newAuthenticator(st store.Store, rate float64, burst int) *authenticator {
	return &authenticator{st: st, rate: rate, burst: burst, cache: map[string]cachedKey{}, buckets: map[string]*bucket{}}
}

var (
	errNoKey      = errors.New("Missing API key: send it in the Authorization header, as Authorization: <key> or Authorization: Bearer <key>.")
	errInvalidKey = errors.New("Invalid API key.")
)

// keyFrom returns the key of an Authorization header: the value itself,
// or what follows "Bearer ".
func keyFrom(h string) string {
	h = strings.TrimSpace(h)
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return h
}

// authenticate returns the stored key of the request's API key.
func (a *authenticator) authenticate(ctx context.Context, r *http.Request) (*store.APIKey, error) {
	raw := keyFrom(r.Header.Get("Authorization"))
	if raw == "" {
		return nil, errNoKey
	}
	id, err := apikey.ID(raw)
	if err != nil {
		return nil, errInvalidKey
	}
	k, err := a.lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	if !apikey.Matches(k, raw) || !k.Revoked.IsZero() {
		return nil, errInvalidKey
	}
	return k, nil
}

func (a *authenticator) lookup(ctx context.Context, id string) (*store.APIKey, error) {
	now := time.Now()
	a.mu.Lock()
	c, ok := a.cache[id]
	a.mu.Unlock()
	if ok && now.Sub(c.fetched) < keyCacheTTL {
		return c.key, nil
	}
	k, err := a.st.Key(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errInvalidKey
	}
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	if len(a.cache) > 10000 {
		clear(a.cache)
	}
	a.cache[id] = cachedKey{key: k, fetched: now}
	a.mu.Unlock()
	return k, nil
}

// allow takes a token from the key's bucket; when there is none it returns
// how long until there is.
func (a *authenticator) allow(id string, now time.Time) (bool, time.Duration) {
	if a.rate < 0 {
		return true, 0
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	b, ok := a.buckets[id]
	if !ok {
		b = &bucket{tokens: float64(a.burst), at: now}
		a.buckets[id] = b
	}
	b.tokens = math.Min(float64(a.burst), b.tokens+now.Sub(b.at).Seconds()*a.rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / a.rate * float64(time.Second))
}

// bucket is a token bucket.
type bucket struct {
	tokens float64
	at     time.Time
}
