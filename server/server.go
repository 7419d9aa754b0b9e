package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/ucbootstrap/ucbootstrap/server/datakey"
	"github.com/ucbootstrap/ucbootstrap/server/store"
)

// Config configures a [Server]. Store and Keys are required.
type Config struct {
	Store store.Store
	// Keys seal and open the credentials at rest.
	Keys *datakey.Ring
	// Validator runs the validation tests. Without one, POST and PUT
	// answer 501: this build cannot validate.
	Validator Validator
	// Applier runs scripts for automatic setup, and records the
	// fingerprint of every edit. Without one, POST and DELETE of an
	// integration with autoBootstrap: true, and every PUT, answer 501.
	Applier Applier
	// Logger receives the structured logs; slog.Default() when nil.
	Logger *slog.Logger
	// Page, when not nil, serves GET / and every GET path the API does not
	// (the script download page of package web).
	Page http.Handler

	// ValidationTimeout bounds the validation a POST or PUT waits for
	// before it answers (default 60s).
	ValidationTimeout time.Duration
	// LeaseTTL is how long a job stays claimed without renewal (default
	// 30s); a job whose server stops is taken over after it.
	LeaseTTL time.Duration
	// PollInterval is how often an idle worker looks for jobs (default 1s);
	// jobs this server queues start at once.
	PollInterval time.Duration
	// Workers is the number of jobs run at once (default 4).
	Workers int
	// MaxAttempts is the number of claims after which a job that keeps
	// being interrupted fails (default 5).
	MaxAttempts int
	// RevalidateEvery is the period of the revalidation of enabled
	// integrations; 0 turns it off.
	RevalidateEvery time.Duration
	// MaxBodyBytes limits request bodies (default 1 MiB).
	MaxBodyBytes int64
	// RateLimit is the number of requests per second each API key may
	// make, with bursts of RateBurst (defaults 20 and 40); a negative
	// RateLimit turns the limit off.
	RateLimit float64
	RateBurst int
	// Lenient makes unknown payload keys warnings instead of errors.
	Lenient bool
	// Owner names this server in job leases; a random id when empty. Each
	// running server needs its own.
	Owner string
}

// Server is the integrations API.
type Server struct {
	cfg     Config
	st      store.Store
	keys    *datakey.Ring
	log     *slog.Logger
	owner   string
	handler http.Handler
	auth    *authenticator
	// elements caches the JSON of GET /integrations's elements.
	elements elementCache

	wake chan struct{} // a job was queued

	mu      sync.Mutex
	cancel  context.CancelFunc
	running sync.WaitGroup
}

// New returns a server over the store. It checks that the data keys are
// the ones the store's credentials were sealed with: every sealed value
// must name a key of the ring, and every key that the store has a sentinel
// for must open it. The primary key's sentinel is recorded when missing.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: no store")
	}
	if cfg.Keys == nil {
		return nil, errors.New("server: no data keys")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.ValidationTimeout, 60*time.Second)
	def(&cfg.LeaseTTL, 30*time.Second)
	def(&cfg.PollInterval, time.Second)
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = 20
	}
	if cfg.RateBurst <= 0 {
		cfg.RateBurst = 40
	}
	if cfg.Owner == "" {
		cfg.Owner = NewOwner()
	}
	if err := CheckKeys(ctx, cfg.Store, cfg.Keys); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:   cfg,
		st:    cfg.Store,
		keys:  cfg.Keys,
		log:   cfg.Logger,
		owner: cfg.Owner,
		wake:  make(chan struct{}, 1),
	}
	s.auth = newAuthenticator(cfg.Store, cfg.RateLimit, cfg.RateBurst)
	s.handler = s.routes()
	return s, nil
}

// NewOwner returns a lease owner id for this process: host, pid and a
// random suffix.
func NewOwner() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// CheckKeys checks the data keys against the store (see [New]) and records
// the primary key's sentinel when the store has none.
func CheckKeys(ctx context.Context, st store.Store, ring *datakey.Ring) error {
	recorded, err := st.DataKeys(ctx)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	have := map[string]bool{}
	for _, id := range ring.IDs() {
		have[id] = true
	}
	for _, k := range recorded {
		if !have[k.ID] {
			continue
		}
		if err := ring.CheckSentinel(k.ID, k.Sentinel); err != nil {
			return fmt.Errorf("server: the data key %s is not the one the store was sealed with: %w", k.ID, err)
		}
	}
	sealed, err := st.Sealed(ctx)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	for _, f := range sealed {
		id, err := datakey.KeyOf(f.Value)
		if err != nil {
			return fmt.Errorf("server: integration %d's %s: %w", f.IntegrationID, f.Field, err)
		}
		if !have[id] {
			return fmt.Errorf("server: integration %d's %s is sealed with data key %s, which is not among the keys given (%v): give the key file that holds it", f.IntegrationID, f.Field, id, ring.IDs())
		}
	}
	sentinel, err := ring.Sentinel(ring.Primary())
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	if err := st.AddDataKey(ctx, &store.DataKey{ID: ring.Primary(), Sentinel: sentinel}); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	return nil
}

// Handler returns the HTTP handler of the API.
func (s *Server) Handler() http.Handler { return s.handler }

// Start starts the workers that run jobs (and take over those whose
// server stopped), and the revalidation. Stop them with [Server.Stop].
func (s *Server) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	for range s.cfg.Workers {
		s.running.Go(func() { s.work(ctx) })
	}
	if s.cfg.RevalidateEvery > 0 {
		s.running.Go(func() { s.revalidateLoop(ctx) })
	}
}

// Stop stops the workers and waits for them. A job interrupted this way
// keeps its lease until it expires, and is then taken up again.
func (s *Server) Stop() {
	s.mu.Lock()
	cancel := s.cancel
	s.cancel = nil
	s.mu.Unlock()
	if cancel != nil {
		cancel()
		s.running.Wait()
	}
}

// HTTPServer returns an http.Server for the handler with the limits of
// the API: header, read and write timeouts, and a header size limit.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// A POST waits for the validation before it answers.
		WriteTimeout:   s.cfg.ValidationTimeout + 30*time.Second,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 32 << 10,
		ErrorLog:       slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// IsLoopback reports whether the host of a listen address is a loopback
// address (or localhost).
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
