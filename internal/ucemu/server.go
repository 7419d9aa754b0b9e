package ucemu

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultPageSize is the number of privilege assignments a page holds
// unless [PageSize] says otherwise.
const DefaultPageSize = 2

// DefaultMetastoreID is the ID of the emulated metastore unless
// [MetastoreID] says otherwise.
const DefaultMetastoreID = "11111111-2222-3333-4444-555555555555"

// DefaultStartPolls is the number of polls a stopped warehouse or a
// terminated cluster takes to start, unless [StartPolls] says otherwise.
const DefaultStartPolls = 2

// WorkspaceID is the ID of the emulated workspace.
const WorkspaceID = 1234567890

// An Option configures a [Server].
type Option func(*Server)

// PageSize sets the number of privilege assignments per page (at least 1).
func PageSize(n int) Option { return func(s *Server) { s.pageSize = max(n, 1) } }

// Seed seeds the order in which assignments are returned.
func Seed(seed uint64) Option { return func(s *Server) { s.seed = seed } }

// NoEmptyPages turns off the empty pages that otherwise come before every
// page of assignments.
func NoEmptyPages() Option { return func(s *Server) { s.emptyPages = false } }

// uuidRE matches an application ID.
var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Token accepts a personal access token, which authenticates as principal:
// a service principal when principal is an application ID (a UUID), a user
// otherwise.
func Token(token, principal string) Option {
	return func(s *Server) { s.tokens[token] = identityOf(principal) }
}

func identityOf(principal string) identity {
	if uuidRE.MatchString(principal) {
		return identity{userName: principal, applicationID: principal}
	}
	return identity{userName: principal}
}

// OAuthClient accepts an OAuth client at the token endpoint. The tokens it
// is issued authenticate as the service principal whose application ID is
// the client ID.
func OAuthClient(id, secret string) Option {
	return func(s *Server) { s.clients[id] = secret }
}

// TokenLifetime sets how long issued OAuth tokens are valid; the default is
// an hour.
func TokenLifetime(d time.Duration) Option { return func(s *Server) { s.lifetime = d } }

// Latency delays every response by d.
func Latency(d time.Duration) Option { return func(s *Server) { s.latency = d } }

// MetastoreID sets the ID of the emulated metastore.
func MetastoreID(id string) Option { return func(s *Server) { s.ms.id = id } }

// MetastoreAdmin makes principal (a user, service principal or group) a
// metastore admin.
func MetastoreAdmin(principal string) Option {
	return func(s *Server) { s.ms.admins[strings.ToLower(principal)] = true }
}

// AccountAdmin makes principal an account admin: it may list and enable
// system schemas.
func AccountAdmin(principal string) Option {
	return func(s *Server) { s.ms.accountAdmins[strings.ToLower(principal)] = true }
}

// Member makes principal a member of the account group group.
func Member(principal, group string) Option {
	return func(s *Server) { s.addMember(principal, group) }
}

// Warehouse adds a SQL warehouse in a state (RUNNING, STOPPED, ...).
func Warehouse(id, state string) Option {
	return func(s *Server) { s.warehouses[id] = &warehouse{id: id, state: strings.ToUpper(state)} }
}

// Cluster adds an all-purpose cluster in a state (RUNNING, TERMINATED, ...).
func Cluster(id, state string) Option {
	return func(s *Server) { s.clusters[id] = &cluster{id: id, state: strings.ToUpper(state)} }
}

// StartPolls sets how many polls (statement, command or state polls) a
// warehouse or cluster takes to start.
func StartPolls(n int) Option { return func(s *Server) { s.startPolls = max(n, 0) } }

// SystemSchema sets the state of a system schema: AVAILABLE (not enabled),
// ENABLE_COMPLETED, MANAGED, UNAVAILABLE, ... Its tables can be read only
// in ENABLE_COMPLETED or MANAGED.
func SystemSchema(schema, state string) Option {
	return func(s *Server) { s.ms.systemSchemas[strings.ToLower(schema)] = strings.ToUpper(state) }
}

// Addr makes the server listen on addr, which must be a loopback address
// such as 127.0.0.1:8765; the default is a free port on 127.0.0.1.
func Addr(addr string) Option { return func(s *Server) { s.addr = addr } }

// A Server is a running emulator. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL of the server, "http://127.0.0.1:port".
	URL string

	ts   *httptest.Server
	addr string

	mu         sync.Mutex
	pageSize   int
	seed       uint64
	emptyPages bool
	lifetime   time.Duration
	latency    time.Duration
	tokens     map[string]identity  // PATs and issued OAuth tokens
	expiry     map[string]time.Time // of issued OAuth tokens
	clients    map[string]string    // OAuth client ID -> secret
	ms         *metastore
	faults     []*fault
	requests   map[string]int // path -> count
	total      int
	issued     int
	unassigned int // metastore-assignment calls still to answer 404; -1 for all

	warehouses map[string]*warehouse
	clusters   map[string]*cluster
	startPolls int

	exec execState
}

type identity struct {
	userName      string
	applicationID string
}

// name returns the principal as grants name it.
func (id identity) name() string {
	if id.applicationID != "" {
		return id.applicationID
	}
	return id.userName
}

// A fault answers the next n requests that match with status (or drops
// their connection when status is 0), error_code code (status's usual one
// when "") and, when retryAfter >= 0, Retry-After.
type fault struct {
	method, prefix string
	status, n      int
	code           string
	retryAfter     int // seconds; -1 for none
}

// A Fault is an answer the emulator gives instead of serving a request
// ([Server.Inject]).
type Fault struct {
	// Prefix selects the requests whose path starts with it; it may start
	// with a method and a space ("POST /api/2.0/sql/statements") to match
	// that method only.
	Prefix string
	// Status is the HTTP status of the answer; 0 drops the connection
	// without an answer.
	Status int
	// Code is the error_code of the answer; "" gives the status's usual
	// one (TEMPORARILY_UNAVAILABLE for 503, REQUEST_LIMIT_EXCEEDED for
	// 429, INTERNAL_ERROR for another 5xx, ...).
	Code string
	// RetryAfter, when positive, is sent as Retry-After, in whole seconds;
	// otherwise a 429 carries "Retry-After: 0" and other answers none.
	RetryAfter time.Duration
	// N is the number of requests answered so.
	N int
}

// New starts an emulator. Close it when done. New panics when Addr names an
// address that is not loopback or cannot be listened on; [Start] returns
// the error instead.
func New(opts ...Option) *Server {
	s, err := Start(opts...)
	if err != nil {
		panic(err)
	}
	return s
}

// Start starts an emulator, or says why it cannot listen.
func Start(opts ...Option) (*Server, error) {
	s := &Server{
		pageSize:   DefaultPageSize,
		seed:       1,
		emptyPages: true,
		lifetime:   time.Hour,
		tokens:     map[string]identity{},
		expiry:     map[string]time.Time{},
		clients:    map[string]string{},
		ms:         newMetastore(DefaultMetastoreID),
		requests:   map[string]int{},
		warehouses: map[string]*warehouse{},
		clusters:   map[string]*cluster{},
		startPolls: DefaultStartPolls,
	}
	s.exec.init()
	for _, o := range opts {
		o(s)
	}
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	if s.addr != "" {
		l, err := listen(s.addr)
		if err != nil {
			s.ts.Close()
			return nil, fmt.Errorf("ucemu: %w", err)
		}
		s.ts.Listener.Close()
		s.ts.Listener = l
	}
	s.ts.Start()
	s.URL = s.ts.URL
	return s, nil
}

// listen listens on a loopback address.
func listen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("address %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("address %q is not a loopback address: the emulator serves loopback only", addr)
	}
	return net.Listen("tcp", addr)
}

// Close shuts the server down.
func (s *Server) Close() { s.ts.Close() }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// SetLatency delays every later response by d.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

func (s *Server) addMember(principal, group string) {
	g := strings.ToLower(group)
	if s.ms.groups[g] == nil {
		s.ms.groups[g] = map[string]bool{}
	}
	s.ms.groups[g][strings.ToLower(principal)] = true
}

// AddMember makes principal a member of the account group group.
func (s *Server) AddMember(principal, group string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addMember(principal, group)
}

// AddSecurable makes sec and its containers exist.
func (s *Server) AddSecurable(sec Securable) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ms.add(sec)
}

// Grant grants privilege (USE_CATALOG or USE CATALOG) on sec to principal,
// making sec exist. An empty principal stands for a deleted one.
func (s *Server) Grant(principal, privilege string, sec Securable) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ms.add(sec).grant(principal, privilege)
}

// SetOwner sets the owner of sec, making it exist.
func (s *Server) SetOwner(sec Securable, principal string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ms.add(sec).owner = principal
}

// SetComment sets the comment of sec, making it exist.
func (s *Server) SetComment(sec Securable, comment string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ms.add(sec).comment = &comment
}

// Owner returns the owner of sec, and whether sec exists.
func (s *Server) Owner(sec Securable) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.ms.get(sec)
	if o == nil {
		return "", false
	}
	return o.owner, true
}

// Privileges returns the privileges granted directly on sec to principal,
// sorted, spelt with underscores.
func (s *Server) Privileges(principal string, sec Securable) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	if o := s.ms.get(sec); o != nil {
		for p, privs := range o.grants {
			if samePrincipal(p, principal) {
				for pv := range privs {
					out = append(out, pv)
				}
			}
		}
	}
	return sortedUnique(out)
}

// Forbid makes every REST request about sec fail with 403, as for a caller
// without privileges on it.
func (s *Server) Forbid(sec Securable) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ms.add(sec).forbidden = true
}

// SetSystemSchema sets the state of a system schema; see [SystemSchema].
func (s *Server) SetSystemSchema(schema, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ms.systemSchemas[strings.ToLower(schema)] = strings.ToUpper(state)
}

// Unassign makes the next n calls of current-metastore-assignment (n < 0:
// every call) answer that the workspace has no metastore, as right after
// an assignment or without one.
func (s *Server) Unassign(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unassigned = n
}

// Fail makes the next n requests whose path starts with prefix fail with
// status. prefix may start with a method and a space ("POST /api/2.0/sql/
// statements") to match that method only. A 429 carries "Retry-After: 0";
// [Server.Inject] sets another wait, or another error_code.
func (s *Server) Fail(prefix string, status, n int) {
	s.Inject(Fault{Prefix: prefix, Status: status, N: n})
}

// Inject makes the next f.N requests that match f.Prefix get f's answer,
// after the faults injected before.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ft := &fault{prefix: f.Prefix, status: f.Status, n: f.N, code: f.Code, retryAfter: -1}
	if m, p, ok := strings.Cut(f.Prefix, " "); ok {
		ft.method, ft.prefix = m, p
	}
	switch {
	case f.RetryAfter > 0:
		ft.retryAfter = int((f.RetryAfter + time.Second - 1) / time.Second)
	case f.Status == http.StatusTooManyRequests:
		ft.retryAfter = 0
	}
	if ft.code == "" {
		ft.code = faultCode(f.Status)
	}
	s.faults = append(s.faults, ft)
}

// takeFault returns the first fault that matches r, or nil. s.mu is held.
func (s *Server) takeFault(r *http.Request) *fault {
	for _, f := range s.faults {
		if f.n > 0 && strings.HasPrefix(r.URL.Path, f.prefix) && (f.method == "" || f.method == r.Method) {
			f.n--
			return f
		}
	}
	return nil
}

// Requests returns the number of API requests served (the token endpoint
// excluded), failed ones included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// RequestsTo returns the number of API requests whose path starts with
// prefix; prefix may start with a method and a space, as for [Server.Fail].
func (s *Server) RequestsTo(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	method := ""
	if m, p, ok := strings.Cut(prefix, " "); ok {
		method, prefix = m, p
	}
	n := 0
	for k, c := range s.requests {
		m, p, _ := strings.Cut(k, " ")
		if strings.HasPrefix(p, prefix) && (method == "" || method == m) {
			n += c
		}
	}
	return n
}

// TokensIssued returns the number of OAuth tokens the token endpoint
// issued.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// The paths the emulator serves.
const (
	TokenPath          = "/oidc/v1/token"
	MePath             = "/api/2.0/preview/scim/v2/Me"
	UCPath             = "/api/2.1/unity-catalog/"
	EffectivePath      = UCPath + "effective-permissions/"
	DirectPath         = UCPath + "permissions/"
	MetastorePath      = UCPath + "current-metastore-assignment"
	SummaryPath        = UCPath + "metastore_summary"
	StatementsPath     = "/api/2.0/sql/statements"
	WarehousesPath     = "/api/2.0/sql/warehouses/"
	ClustersGetPath    = "/api/2.1/clusters/get"
	ClustersStartPath  = "/api/2.1/clusters/start"
	ContextsPath       = "/api/1.2/contexts/"
	CommandsPath       = "/api/1.2/commands/"
	CommandExecutePath = CommandsPath + "execute"
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == TokenPath {
		s.token(w, r)
		return
	}
	s.mu.Lock()
	s.total++
	s.requests[r.Method+" "+r.URL.Path]++
	latency := s.latency
	fault := s.takeFault(r)
	s.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	id, ok := s.authenticate(r)
	if !ok {
		writeError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "Invalid access token.")
		return
	}
	if fault != nil {
		if fault.status == 0 {
			dropConnection(w)
			return
		}
		if fault.retryAfter >= 0 {
			w.Header().Set("Retry-After", strconv.Itoa(fault.retryAfter))
		}
		msg := http.StatusText(fault.status) + " (injected)."
		switch fault.code {
		case "REQUEST_LIMIT_EXCEEDED":
			msg = "Too many requests."
		case "TEMPORARILY_UNAVAILABLE":
			msg = "The service is temporarily unavailable."
		}
		writeError(w, fault.status, fault.code, msg)
		return
	}
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, StatementsPath):
		s.statements(w, r, id)
	case strings.HasPrefix(p, WarehousesPath):
		s.warehouse(w, r)
	case p == ClustersGetPath || p == ClustersStartPath:
		s.cluster(w, r)
	case strings.HasPrefix(p, ContextsPath) || strings.HasPrefix(p, CommandsPath):
		s.commands(w, r, id)
	case r.Method == http.MethodGet && p == MePath:
		s.me(w, id)
	case strings.HasPrefix(p, UCPath):
		s.unityCatalog(w, r, id)
	default:
		writeError(w, http.StatusNotFound, "ENDPOINT_NOT_FOUND", "No API found for '"+r.Method+" "+r.URL.Path+"'.")
	}
}

// faultCode returns the error_code of an injected failure.
func faultCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "BAD_REQUEST"
	case http.StatusUnauthorized:
		return "UNAUTHENTICATED"
	case http.StatusForbidden:
		return "PERMISSION_DENIED"
	case http.StatusNotFound:
		return "NOT_FOUND"
	case http.StatusTooManyRequests:
		return "REQUEST_LIMIT_EXCEEDED"
	case http.StatusServiceUnavailable:
		return "TEMPORARILY_UNAVAILABLE"
	}
	if status >= 500 {
		return "INTERNAL_ERROR"
	}
	return "BAD_REQUEST"
}

// dropConnection closes the connection without a response.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// authenticate returns the identity of the request's bearer token.
func (s *Server) authenticate(r *http.Request) (identity, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return identity{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.tokens[tok]
	if exp, issued := s.expiry[tok]; ok && issued && time.Now().After(exp) {
		return identity{}, false
	}
	return id, ok
}

// token serves the OAuth client-credentials grant.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		// RFC 6749 section 2.3.1: the credentials are form-encoded first.
		id, _ = urlUnescape(id)
		secret, _ = urlUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	s.mu.Lock()
	want, known := s.clients[id]
	if !known || secret == "" || want != secret {
		s.mu.Unlock()
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	tok := randomToken()
	s.tokens[tok] = identity{userName: id, applicationID: id}
	s.expiry[tok] = time.Now().Add(s.lifetime)
	s.issued++
	lifetime := s.lifetime
	s.mu.Unlock()
	writeJSON(w, map[string]any{
		"access_token": tok,
		"token_type":   "Bearer",
		"expires_in":   int(lifetime.Seconds()),
		"scope":        r.PostForm.Get("scope"),
	})
}

func randomToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "dapi-emu-" + hex.EncodeToString(b)
}

func (s *Server) me(w http.ResponseWriter, id identity) {
	body := map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"id":       "1000",
		"userName": id.userName,
		"active":   true,
	}
	if id.applicationID != "" {
		body["schemas"] = []string{"urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal"}
		body["applicationId"] = id.applicationID
		body["displayName"] = "service principal " + id.applicationID
	}
	writeJSON(w, body)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error_code": code, "message": msg})
}

func writeOAuthError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code})
}
