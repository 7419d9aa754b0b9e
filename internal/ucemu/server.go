package ucemu

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ucbootstrap/ucbootstrap/privileges"
)

// DefaultPageSize is the number of privilege assignments a page holds
// unless [PageSize] says otherwise.
const DefaultPageSize = 2

// DefaultMetastoreID is the ID of the emulated metastore unless
// [MetastoreID] says otherwise.
const DefaultMetastoreID = "11111111-2222-3333-4444-555555555555"

// An Option configures a [Server].
type Option func(*Server)

// PageSize sets the number of privilege assignments per page (at least 1).
func PageSize(n int) Option { return func(s *Server) { s.pageSize = max(n, 1) } }

// Seed seeds the order in which assignments are returned.
func Seed(seed uint64) Option { return func(s *Server) { s.seed = seed } }

// NoEmptyPages turns off the empty pages that otherwise come before every
// page of assignments.
func NoEmptyPages() Option { return func(s *Server) { s.emptyPages = false } }

// Token accepts a personal access token, which authenticates as the user
// named userName.
func Token(token, userName string) Option {
	return func(s *Server) { s.tokens[token] = identity{userName: userName} }
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
func MetastoreID(id string) Option { return func(s *Server) { s.metastoreID = id } }

// A Server is a running emulator. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL of the server, "http://127.0.0.1:port".
	URL string

	ts *httptest.Server

	mu          sync.Mutex
	pageSize    int
	seed        uint64
	emptyPages  bool
	lifetime    time.Duration
	latency     time.Duration
	metastoreID string
	tokens      map[string]identity  // PATs and issued OAuth tokens
	expiry      map[string]time.Time // of issued OAuth tokens
	clients     map[string]string    // OAuth client ID -> secret
	objects     map[privileges.Securable]*object
	faults      map[string][]int // path prefix -> statuses still to serve
	requests    map[string]int   // path -> count
	total       int
	issued      int
}

type identity struct {
	userName      string
	applicationID string
}

type object struct {
	owner     string
	forbidden bool
	// grants maps principals ("" for a deleted one) to their privileges.
	grants map[string]map[privileges.Privilege]bool
}

// New starts an emulator. Close it when done.
func New(opts ...Option) *Server {
	s := &Server{
		pageSize:    DefaultPageSize,
		seed:        1,
		emptyPages:  true,
		lifetime:    time.Hour,
		metastoreID: DefaultMetastoreID,
		tokens:      map[string]identity{},
		expiry:      map[string]time.Time{},
		clients:     map[string]string{},
		objects:     map[privileges.Securable]*object{},
		faults:      map[string][]int{},
		requests:    map[string]int{},
	}
	for _, o := range opts {
		o(s)
	}
	s.objects[privileges.Securable{Type: privileges.Metastore}] = &object{}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.ts.URL
	return s
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

// key returns the key a securable is stored under: views are tables.
func key(sec privileges.Securable) privileges.Securable {
	switch sec.Type {
	case privileges.View, privileges.MaterializedView:
		sec.Type = privileges.Table
	case privileges.Metastore:
		sec.Name = ""
	}
	return sec
}

// add records sec and its ancestors; s.mu is held.
func (s *Server) add(sec privileges.Securable) *object {
	sec = key(sec)
	for _, a := range sec.Ancestors() {
		if s.objects[a] == nil {
			s.objects[a] = &object{}
		}
	}
	o := s.objects[sec]
	if o == nil {
		o = &object{}
		s.objects[sec] = o
	}
	return o
}

// AddSecurable makes sec and its ancestors exist.
func (s *Server) AddSecurable(sec privileges.Securable) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.add(sec)
}

// Grant grants privilege on sec to principal, making sec exist. An empty
// principal stands for a deleted one.
func (s *Server) Grant(principal string, privilege privileges.Privilege, sec privileges.Securable) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.add(sec)
	if o.grants == nil {
		o.grants = map[string]map[privileges.Privilege]bool{}
	}
	if o.grants[principal] == nil {
		o.grants[principal] = map[privileges.Privilege]bool{}
	}
	o.grants[principal][privilege] = true
}

// SetOwner sets the owner of sec, making it exist.
func (s *Server) SetOwner(sec privileges.Securable, principal string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.add(sec).owner = principal
}

// Forbid makes every request about sec fail with 403, as for a caller
// without privileges on it.
func (s *Server) Forbid(sec privileges.Securable) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.add(sec).forbidden = true
}

// Fail makes the next n requests whose path starts with prefix fail with
// status. A 429 carries "Retry-After: 0".
func (s *Server) Fail(prefix string, status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[prefix] = append(s.faults[prefix], status)
	}
}

// Requests returns the number of API requests served (the token endpoint
// excluded), failed ones included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// RequestsTo returns the number of API requests whose path starts with
// prefix.
func (s *Server) RequestsTo(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for p, c := range s.requests {
		if strings.HasPrefix(p, prefix) {
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
	TokenPath     = "/oidc/v1/token"
	MePath        = "/api/2.0/preview/scim/v2/Me"
	UCPath        = "/api/2.1/unity-catalog/"
	EffectivePath = UCPath + "effective-permissions/"
	DirectPath    = UCPath + "permissions/"
	MetastorePath = UCPath + "current-metastore-assignment"
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == TokenPath {
		s.token(w, r)
		return
	}
	s.mu.Lock()
	s.total++
	s.requests[r.URL.Path]++
	latency := s.latency
	fault := 0
	for p, q := range s.faults {
		if len(q) > 0 && strings.HasPrefix(r.URL.Path, p) {
			fault, s.faults[p] = q[0], q[1:]
			break
		}
	}
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
	if fault != 0 {
		if fault == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
			writeError(w, fault, "REQUEST_LIMIT_EXCEEDED", "Too many requests.")
			return
		}
		writeError(w, fault, "TEMPORARILY_UNAVAILABLE", "The service is temporarily unavailable.")
		return
	}
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "BAD_REQUEST", "Only GET is emulated.")
		return
	}
	p := r.URL.EscapedPath()
	switch {
	case r.URL.Path == MePath:
		s.me(w, id)
	case r.URL.Path == MetastorePath:
		writeJSON(w, map[string]string{"metastore_id": s.metastoreID, "workspace_id": "1234567890"})
	case strings.HasPrefix(p, EffectivePath):
		s.permissions(w, r, strings.TrimPrefix(p, EffectivePath), true)
	case strings.HasPrefix(p, DirectPath):
		s.permissions(w, r, strings.TrimPrefix(p, DirectPath), false)
	case strings.HasPrefix(p, UCPath+"catalogs/"):
		s.info(w, privileges.Catalog, strings.TrimPrefix(p, UCPath+"catalogs/"))
	case strings.HasPrefix(p, UCPath+"schemas/"):
		s.info(w, privileges.Schema, strings.TrimPrefix(p, UCPath+"schemas/"))
	case strings.HasPrefix(p, UCPath+"tables/"):
		s.info(w, privileges.Table, strings.TrimPrefix(p, UCPath+"tables/"))
	case strings.HasPrefix(p, UCPath+"functions/"):
		s.info(w, privileges.Function, strings.TrimPrefix(p, UCPath+"functions/"))
	default:
		writeError(w, http.StatusNotFound, "ENDPOINT_NOT_FOUND", "No API found for 'GET "+r.URL.Path+"'.")
	}
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
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
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

// securable parses the {type}/{full_name} tail of a permissions path.
func (s *Server) securable(tail string) (privileges.Securable, error) {
	typ, name, ok := strings.Cut(tail, "/")
	if !ok {
		return privileges.Securable{}, fmt.Errorf("expected /{securable_type}/{full_name}")
	}
	if typ != strings.ToLower(typ) {
		return privileges.Securable{}, fmt.Errorf("securable type %q is not lower case", typ)
	}
	t, ok := privileges.ParseSecurableType(typ)
	if !ok {
		return privileges.Securable{}, fmt.Errorf("unknown securable type %q", typ)
	}
	full, err := url.PathUnescape(name)
	if err != nil {
		return privileges.Securable{}, err
	}
	if t == privileges.Metastore {
		if full != s.metastoreID {
			return privileges.Securable{}, errNotFound
		}
		return privileges.Securable{Type: privileges.Metastore}, nil
	}
	return privileges.NewSecurable(t, full), nil
}

var errNotFound = fmt.Errorf("not found")

// lookup returns the object of sec, or writes a 404 or 403 response.
// s.mu is held.
func (s *Server) lookup(w http.ResponseWriter, sec privileges.Securable) *object {
	o := s.objects[key(sec)]
	switch {
	case o == nil:
		writeError(w, http.StatusNotFound, notFoundCode(sec.Type), fmt.Sprintf("%s '%s' does not exist.", typeWord(sec.Type), sec.Name))
		return nil
	case o.forbidden:
		writeError(w, http.StatusForbidden, "PERMISSION_DENIED", fmt.Sprintf("User does not have USE CATALOG or BROWSE on %s '%s'.", typeWord(sec.Type), sec.Name))
		return nil
	}
	return o
}

func notFoundCode(t privileges.SecurableType) string {
	switch t {
	case privileges.Catalog:
		return "CATALOG_DOES_NOT_EXIST"
	case privileges.Schema:
		return "SCHEMA_DOES_NOT_EXIST"
	case privileges.Table, privileges.View, privileges.MaterializedView:
		return "TABLE_DOES_NOT_EXIST"
	}
	return "NOT_FOUND"
}

func typeWord(t privileges.SecurableType) string {
	w := strings.ToLower(string(t))
	return strings.ToUpper(w[:1]) + w[1:]
}

type effectivePrivilege struct {
	Privilege         string `json:"privilege"`
	InheritedFromType string `json:"inherited_from_type,omitempty"`
	InheritedFromName string `json:"inherited_from_name,omitempty"`
}

type assignment struct {
	Principal   string `json:"principal,omitempty"`
	PrincipalID string `json:"principal_id,omitempty"`
	Privileges  []any  `json:"privileges"`
}

// permissions serves the permissions and effective-permissions endpoints.
func (s *Server) permissions(w http.ResponseWriter, r *http.Request, tail string, effective bool) {
	sec, err := s.securable(tail)
	if err == errNotFound {
		writeError(w, http.StatusNotFound, "METASTORE_DOES_NOT_EXIST", "Metastore '"+tail+"' does not exist.")
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", err.Error())
		return
	}
	q := r.URL.Query()
	paged := q.Has("max_results")
	if paged {
		n, err := strconv.Atoi(q.Get("max_results"))
		if err != nil || n < 0 || n > 0 && n < 150 {
			writeError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "max_results must be 0 or at least 150.")
			return
		}
	}
	s.mu.Lock()
	o := s.lookup(w, sec)
	if o == nil {
		s.mu.Unlock()
		return
	}
	// The assignments: the object's own grants, then (effective) its
	// ancestors', merged per principal.
	byPrincipal := map[string][]effectivePrivilege{}
	collect := func(from privileges.Securable, o *object, inherited bool) {
		for p, privs := range o.grants {
			for pv := range privs {
				ep := effectivePrivilege{Privilege: string(pv)}
				if inherited {
					ep.InheritedFromType, ep.InheritedFromName = strings.ReplaceAll(string(from.Type), " ", "_"), from.Name
				}
				byPrincipal[p] = append(byPrincipal[p], ep)
			}
		}
	}
	collect(sec, o, false)
	if effective {
		for _, a := range key(sec).Ancestors() {
			if ao := s.objects[a]; ao != nil {
				collect(a, ao, true)
			}
		}
	}
	pageSize, emptyPages, seed := s.pageSize, s.emptyPages, s.seed
	s.mu.Unlock()

	var all []assignment
	for p, eps := range byPrincipal {
		slices.SortFunc(eps, func(a, b effectivePrivilege) int {
			return cmp.Or(cmp.Compare(a.Privilege, b.Privilege), cmp.Compare(a.InheritedFromType, b.InheritedFromType), cmp.Compare(a.InheritedFromName, b.InheritedFromName))
		})
		a := assignment{Principal: p}
		if p == "" {
			a.PrincipalID = "9000" + strconv.Itoa(len(all))
		}
		for _, ep := range eps {
			if effective {
				a.Privileges = append(a.Privileges, ep)
			} else {
				a.Privileges = append(a.Privileges, ep.Privilege)
			}
		}
		all = append(all, a)
	}
	// A random order that is the same for every page of one securable.
	slices.SortFunc(all, func(a, b assignment) int { return cmp.Compare(a.Principal, b.Principal) })
	h := fnv.New64a()
	h.Write([]byte(sec.String()))
	rng := mrand.New(mrand.NewPCG(seed, h.Sum64()))
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })

	resp := struct {
		Assignments   []assignment `json:"privilege_assignments"`
		NextPageToken string       `json:"next_page_token,omitempty"`
	}{Assignments: []assignment{}}
	if !paged {
		resp.Assignments = append(resp.Assignments, all...)
		writeJSON(w, resp)
		return
	}
	// Virtual pages: with empty pages, page 2i is empty and page 2i+1
	// holds the i-th slice of assignments.
	page := 0
	if t := q.Get("page_token"); t != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(t, "emu-"))
		if err != nil || n < 0 || !strings.HasPrefix(t, "emu-") {
			writeError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "Invalid page token.")
			return
		}
		page = n
	}
	step := 1
	if emptyPages {
		step = 2
	}
	pages := (len(all) + pageSize - 1) / pageSize * step
	if page%step == step-1 {
		i := page / step * pageSize
		resp.Assignments = all[min(i, len(all)):min(i+pageSize, len(all))]
	}
	if page+1 < pages {
		resp.NextPageToken = "emu-" + strconv.Itoa(page+1)
	}
	writeJSON(w, resp)
}

// info serves GET catalogs/{name}, schemas/{full_name} and
// tables/{full_name}.
func (s *Server) info(w http.ResponseWriter, t privileges.SecurableType, name string) {
	full, err := url.PathUnescape(name)
	if err != nil || full == "" || strings.Contains(full, "/") {
		writeError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "Invalid name.")
		return
	}
	sec := privileges.NewSecurable(t, full)
	s.mu.Lock()
	o := s.lookup(w, sec)
	var owner string
	if o != nil {
		owner = o.owner
	}
	s.mu.Unlock()
	if o == nil {
		return
	}
	parts := sec.Parts()
	body := map[string]any{"name": parts[len(parts)-1], "full_name": sec.Name, "owner": owner, "metastore_id": s.metastoreID}
	if len(parts) > 1 {
		body["catalog_name"] = parts[0]
	}
	if len(parts) > 2 {
		body["schema_name"] = parts[1]
		body["table_type"] = "MANAGED"
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
