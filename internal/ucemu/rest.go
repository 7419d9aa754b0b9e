package ucemu

import (
	"cmp"
	"errors"
	"fmt"
	"hash/fnv"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

func urlUnescape(s string) (string, error) { return url.QueryUnescape(s) }

// unityCatalog serves the Unity Catalog REST calls under UCPath.
func (s *Server) unityCatalog(w http.ResponseWriter, r *http.Request, id identity) {
	p := r.URL.EscapedPath()
	rest := strings.TrimPrefix(p, UCPath)
	if strings.HasPrefix(rest, "metastores/") {
		s.metastores(w, r, id, strings.TrimPrefix(rest, "metastores/"))
		return
	}
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "BAD_REQUEST", "Only GET is emulated for "+r.URL.Path+".")
		return
	}
	switch {
	case p == MetastorePath:
		s.assignment(w)
	case p == SummaryPath:
		s.summary(w)
	case strings.HasPrefix(p, EffectivePath):
		s.permissions(w, r, strings.TrimPrefix(p, EffectivePath), true)
	case strings.HasPrefix(p, DirectPath):
		s.permissions(w, r, strings.TrimPrefix(p, DirectPath), false)
	case strings.HasPrefix(rest, "catalogs/"):
		s.info(w, "CATALOG", strings.TrimPrefix(rest, "catalogs/"))
	case strings.HasPrefix(rest, "schemas/"):
		s.info(w, "SCHEMA", strings.TrimPrefix(rest, "schemas/"))
	case strings.HasPrefix(rest, "tables/"):
		s.info(w, "TABLE", strings.TrimPrefix(rest, "tables/"))
	case strings.HasPrefix(rest, "functions/"):
		s.info(w, "FUNCTION", strings.TrimPrefix(rest, "functions/"))
	default:
		writeError(w, http.StatusNotFound, "ENDPOINT_NOT_FOUND", "No API found for 'GET "+r.URL.Path+"'.")
	}
}

// assignment serves current-metastore-assignment (Go SDK
// MetastoreAssignment: metastore_id, workspace_id, default_catalog_name).
func (s *Server) assignment(w http.ResponseWriter) {
	s.mu.Lock()
	unassigned := s.unassigned != 0
	if s.unassigned > 0 {
		s.unassigned--
	}
	id := s.ms.id
	s.mu.Unlock()
	if unassigned {
		writeError(w, http.StatusNotFound, "METASTORE_DOES_NOT_EXIST", "No metastore assigned for the current workspace.")
		return
	}
	writeJSON(w, map[string]any{"metastore_id": id, "workspace_id": WorkspaceID, "default_catalog_name": "main"})
}

// summary serves metastore_summary (Go SDK GetMetastoreSummaryResponse).
func (s *Server) summary(w http.ResponseWriter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unassigned != 0 {
		writeError(w, http.StatusNotFound, "METASTORE_DOES_NOT_EXIST", "No metastore assigned for the current workspace.")
		return
	}
	writeJSON(w, map[string]any{
		"metastore_id": s.ms.id, "name": "emulated-metastore", "owner": s.metastoreOwner(),
		"cloud": "aws", "region": "us-west-2", "privilege_model_version": "1.0",
		"global_metastore_id": "aws:us-west-2:" + s.ms.id,
	})
}

// metastoreOwner names the owner the API reports for the metastore: the
// first metastore admin, sorted. s.mu is held.
func (s *Server) metastoreOwner() string { return s.ms.owner() }

// owner names the owner of the metastore, as the API and
// information_schema.metastores report it: the first metastore admin,
// sorted.
func (m *metastore) owner() string {
	admins := slices.Sorted(mapKeys(m.admins))
	if len(admins) == 0 {
		return ""
	}
	return admins[0]
}

// metastores serves metastores/{id} and the system schemas API:
// GET metastores/{id}/systemschemas, PUT and DELETE
// metastores/{id}/systemschemas/{schema}. Only account and metastore admins
// may call the system schemas API (systemschemas docs).
func (s *Server) metastores(w http.ResponseWriter, r *http.Request, id identity, rest string) {
	msID, tail, _ := strings.Cut(rest, "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	if msID != s.ms.id {
		writeError(w, http.StatusNotFound, "METASTORE_DOES_NOT_EXIST", "Metastore '"+msID+"' does not exist.")
		return
	}
	if tail == "" && r.Method == http.MethodGet {
		writeJSON(w, map[string]any{"metastore_id": s.ms.id, "name": "emulated-metastore", "owner": s.metastoreOwner()})
		return
	}
	schema, hasSchema := strings.CutPrefix(tail, "systemschemas/")
	if tail != "systemschemas" && !hasSchema {
		writeError(w, http.StatusNotFound, "ENDPOINT_NOT_FOUND", "No API found for '"+r.Method+" "+r.URL.Path+"'.")
		return
	}
	caller := id.name()
	if !s.ms.isAdmin(caller) && !s.ms.isAccountAdmin(caller) {
		writeError(w, http.StatusForbidden, "PERMISSION_DENIED", "Only account admins and metastore admins can manage system schemas.")
		return
	}
	switch {
	case !hasSchema && r.Method == http.MethodGet:
		type info struct {
			Schema string `json:"schema"`
			State  string `json:"state"`
		}
		out := []info{}
		for _, name := range slices.Sorted(mapKeys(s.ms.systemSchemas)) {
			out = append(out, info{name, s.ms.systemSchemas[name]})
		}
		writeJSON(w, map[string]any{"schemas": out})
	case hasSchema && (r.Method == http.MethodPut || r.Method == http.MethodDelete):
		state, ok := s.ms.systemSchemas[schema]
		switch {
		case !ok:
			writeError(w, http.StatusNotFound, "SCHEMA_DOES_NOT_EXIST", "System schema '"+schema+"' does not exist.")
			return
		case state == "MANAGED" || state == "UNAVAILABLE":
			writeError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "System schema '"+schema+"' can only be enabled by Databricks.")
			return
		}
		if r.Method == http.MethodPut {
			s.ms.systemSchemas[schema] = "ENABLE_COMPLETED"
		} else {
			s.ms.systemSchemas[schema] = "AVAILABLE"
		}
		writeJSON(w, map[string]any{})
	default:
		writeError(w, http.StatusMethodNotAllowed, "BAD_REQUEST", "Method not allowed.")
	}
}

// parseRESTSecurable parses the {type}/{full_name} tail of a permissions
// path.
func (s *Server) parseRESTSecurable(tail string) (Securable, error) {
	typ, name, ok := strings.Cut(tail, "/")
	if !ok {
		return Securable{}, fmt.Errorf("expected /{securable_type}/{full_name}")
	}
	if typ != strings.ToLower(typ) {
		return Securable{}, fmt.Errorf("securable type %q is not lower case", typ)
	}
	switch normType(typ) {
	case "METASTORE", "CATALOG", "SCHEMA", "TABLE", "FUNCTION", "VOLUME", "EXTERNAL LOCATION",
		"STORAGE CREDENTIAL", "CREDENTIAL", "CONNECTION", "SHARE":
	default:
		return Securable{}, fmt.Errorf("unknown securable type %q", typ)
	}
	full, err := url.PathUnescape(name)
	if err != nil {
		return Securable{}, err
	}
	t := normType(typ)
	if t == "CREDENTIAL" {
		t = "SERVICE CREDENTIAL"
	}
	if t == "METASTORE" {
		if full != s.ms.id {
			return Securable{}, errNotFound
		}
		return Securable{Type: t}, nil
	}
	return Sec(t, full), nil
}

var errNotFound = errors.New("not found")

// lookup returns the object of sec, or writes a 404 or 403 response.
// s.mu is held.
func (s *Server) lookup(w http.ResponseWriter, sec Securable) *object {
	o := s.ms.get(sec)
	switch {
	case o == nil:
		writeError(w, http.StatusNotFound, restNotFoundCode(sec.Type), fmt.Sprintf("%s '%s' does not exist.", typeWord(sec.Type), sec.Name))
		return nil
	case o.forbidden:
		writeError(w, http.StatusForbidden, "PERMISSION_DENIED", fmt.Sprintf("User does not have USE CATALOG or BROWSE on %s '%s'.", typeWord(sec.Type), sec.Name))
		return nil
	}
	return o
}

func restNotFoundCode(t string) string {
	switch t {
	case "CATALOG":
		return "CATALOG_DOES_NOT_EXIST"
	case "SCHEMA":
		return "SCHEMA_DOES_NOT_EXIST"
	case "TABLE":
		return "TABLE_DOES_NOT_EXIST"
	case "FUNCTION":
		return "FUNCTION_DOES_NOT_EXIST"
	}
	return "NOT_FOUND"
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
// Any authenticated caller may read them (not emulated: the permission
// checks of these endpoints).
func (s *Server) permissions(w http.ResponseWriter, r *http.Request, tail string, effective bool) {
	sec, err := s.parseRESTSecurable(tail)
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
	collect := func(from Securable, o *object, inherited bool) {
		for p, privs := range o.grants {
			for pv := range privs {
				ep := effectivePrivilege{Privilege: pv}
				if inherited {
					ep.InheritedFromType, ep.InheritedFromName = strings.ReplaceAll(from.Type, " ", "_"), from.Name
				}
				byPrincipal[p] = append(byPrincipal[p], ep)
			}
		}
	}
	collect(sec, o, false)
	if effective {
		// Metastore privileges (CREATE CATALOG, ...) are not inherited by
		// the objects of the metastore.
		for _, a := range sec.ancestors() {
			if ao := s.ms.get(a); ao != nil && a.Type != "METASTORE" {
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

// info serves GET catalogs/{name}, schemas/{full_name}, tables/{full_name}
// and functions/{full_name}, with owner and comment. Any authenticated
// caller may read them (not emulated: their permission checks, beyond
// Forbid).
func (s *Server) info(w http.ResponseWriter, t, name string) {
	full, err := url.PathUnescape(name)
	if err != nil || full == "" || strings.Contains(full, "/") {
		writeError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "Invalid name.")
		return
	}
	sec := Sec(t, full)
	if want := levels[t]; len(sec.parts()) != want {
		writeError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", fmt.Sprintf("Invalid %s name '%s'.", strings.ToLower(t), full))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.lookup(w, sec)
	if o == nil {
		return
	}
	parts := sec.parts()
	body := map[string]any{"name": parts[len(parts)-1], "full_name": sec.Name, "owner": o.owner, "metastore_id": s.ms.id}
	if o.comment != nil {
		body["comment"] = *o.comment
	}
	if len(parts) > 1 {
		body["catalog_name"] = parts[0]
	}
	if len(parts) > 2 {
		body["schema_name"] = parts[1]
		if t == "TABLE" {
			body["table_type"] = o.kind
		}
	}
	writeJSON(w, body)
}
