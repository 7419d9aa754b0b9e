package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/server/store"
)

// The statuses each request starts from. A deleteError integration is
// still in use, with its configuration as it was (Immuta: "rolled back to
// the previous state"), and may be edited: a DELETE that fails for
// credentials that no longer work needs a PUT of new ones, as the
// documented answer to a DELETE with credentials says.
var (
	editable  = []store.Status{store.Enabled, store.EditError, store.DeleteError, store.RecurringValidationError}
	deletable = []store.Status{store.Enabled, store.CreateError, store.EditError, store.DeleteError, store.RecurringValidationError}
)

// integrationResponse is an integration as the API shows it: defaults
// explicit, secrets REDACTED.
type integrationResponse struct {
	ID                string          `json:"id"`
	Status            store.Status    `json:"status"`
	ValidationResults json.RawMessage `json:"validationResults,omitempty"`
	Type              string          `json:"type"`
	AutoBootstrap     bool            `json:"autoBootstrap"`
	Config            json.RawMessage `json:"config"`
}

// storedPayload is the canonical payload the store keeps.
type storedPayload struct {
	Type          string          `json:"type"`
	AutoBootstrap bool            `json:"autoBootstrap"`
	Config        json.RawMessage `json:"config"`
}

func response(rec *store.Integration) (*integrationResponse, error) {
	var p storedPayload
	if err := json.Unmarshal(rec.Config.Payload, &p); err != nil {
		return nil, fmt.Errorf("server: integration %d: stored payload: %w", rec.ID, err)
	}
	return &integrationResponse{
		ID:                idString(rec.ID),
		Status:            rec.Status,
		ValidationResults: rec.Validation,
		Type:              p.Type,
		AutoBootstrap:     p.AutoBootstrap,
		Config:            p.Config,
	}, nil
}

func (s *Server) writeIntegration(w http.ResponseWriter, rec *store.Integration) error {
	resp, err := response(rec)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// seal returns the stored form of a configuration of integration id.
func (s *Server) seal(id int64, in *ucbootstrap.Integration) store.Config {
	c := store.Config{Payload: in.Redacted()}
	if t := in.Config.Token; !t.IsZero() {
		c.Token = s.keys.Seal(id, "token", t.Reveal())
	}
	if o := in.Config.OAuthClientConfig; o != nil && !o.ClientSecret.IsZero() {
		c.ClientSecret = s.keys.Seal(id, "clientSecret", o.ClientSecret.Reveal())
	}
	return c
}

// decodeStored decodes a stored payload, without its credentials.
func decodeStored(id int64, c *store.Config) (*ucbootstrap.Integration, error) {
	in, err := ucbootstrap.Decode(fmt.Sprintf("integration %d", id), c.Payload, ucbootstrap.PlaceholderSecrets())
	if err != nil {
		return nil, fmt.Errorf("server: integration %d: the stored payload does not decode: %w", id, err)
	}
	return in, nil
}

// open returns a stored configuration with its credentials.
func (s *Server) open(id int64, c *store.Config) (*ucbootstrap.Integration, error) {
	in, err := decodeStored(id, c)
	if err != nil {
		return nil, err
	}
	in.Config.Token = ucbootstrap.Secret{}
	if c.Token != nil {
		v, err := s.keys.Open(id, "token", c.Token)
		if err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
		in.Config.Token = ucbootstrap.NewSecret(v)
	}
	if o := in.Config.OAuthClientConfig; o != nil {
		o.ClientSecret = ucbootstrap.Secret{}
		if c.ClientSecret != nil {
			v, err := s.keys.Open(id, "clientSecret", c.ClientSecret)
			if err != nil {
				return nil, fmt.Errorf("server: %w", err)
			}
			o.ClientSecret = ucbootstrap.NewSecret(v)
		}
	}
	return in, nil
}

// scrub redacts the credentials of in, and every credential form, from
// text that comes from elsewhere (a workspace's error message) and could
// echo them.
func scrub(in *ucbootstrap.Integration, text string) string {
	if in == nil {
		return ucbootstrap.Redact(text)
	}
	secrets := []ucbootstrap.Secret{in.Config.Token}
	if o := in.Config.OAuthClientConfig; o != nil {
		secrets = append(secrets, o.ClientSecret)
	}
	return ucbootstrap.Redact(text, secrets...)
}

// validate runs the validation tests within the operator's timeout, and
// returns the results and their JSON with credentials scrubbed; a
// configuration that cannot be used is a 422.
func (s *Server) validate(ctx context.Context, in *ucbootstrap.Integration, phase Phase, previous *ucbootstrap.Integration) (*Results, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ValidationTimeout)
	defer cancel()
	res, err := s.cfg.Validator.Validate(ctx, in, phase, previous)
	var pe *ProcessingError
	switch {
	case errors.As(err, &pe):
		return nil, nil, errorf(http.StatusUnprocessableEntity, "Processing Error: %s", scrub(in, pe.Message))
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, nil, errorf(http.StatusUnprocessableEntity, "Processing Error: The validation did not finish within %s.", s.cfg.ValidationTimeout)
	case err != nil:
		return nil, nil, errorf(http.StatusUnprocessableEntity, "Processing Error: %s", scrub(in, err.Error()))
	case res == nil:
		return nil, nil, errors.New("server: the validator returned no results")
	}
	b, err := json.Marshal(res)
	if err != nil {
		return nil, nil, fmt.Errorf("server: validation results: %w", err)
	}
	return res, []byte(scrub(in, string(b))), nil
}

func notImplemented(what string) error {
	return errorf(http.StatusNotImplemented, "This server cannot %s: it was built without it.", what)
}

func (s *Server) canRun(in *ucbootstrap.Integration) error {
	if s.cfg.Validator == nil {
		return notImplemented("run the validation tests")
	}
	if in.AutoBootstrap && s.cfg.Applier == nil {
		return notImplemented("apply scripts (autoBootstrap: true)")
	}
	return nil
}

// create is POST /integrations: validate, store (status creating) and
// queue the job that sets the integration up.
func (s *Server) create(w http.ResponseWriter, r *http.Request) error {
	in, err := s.decodePayload(r)
	if err != nil {
		return err
	}
	if err := s.canRun(in); err != nil {
		return err
	}
	ws := in.Config.Host()
	// A quick answer for the common duplicate; the store's unique index
	// decides between concurrent requests.
	if cur, err := s.st.Live(r.Context(), ws); err == nil {
		return errorf(http.StatusConflict, "%s", existsText(ws, cur.ID))
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	_, results, err := s.validate(r.Context(), in, PhaseCreate, nil)
	if err != nil {
		return err
	}
	var sealed store.Config
	rec, err := s.st.Create(r.Context(), &store.Integration{Workspace: ws, Status: store.Creating, Validation: results}, store.CreateJob,
		func(id int64) (store.Config, error) { sealed = s.seal(id, in); return sealed, nil })
	var exists *store.ExistsError
	if errors.As(err, &exists) {
		return errorf(http.StatusConflict, "%s", existsText(ws, exists.ID))
	}
	if err != nil {
		return err
	}
	s.resealStale(r.Context(), rec.ID, in, sealed)
	s.log.Info("integration created", logAttrs(rec.ID, rec.Status)...)
	s.notify()
	return s.writeIntegration(w, rec)
}

// list is GET /integrations. Each element is the JSON of one integration
// as MarshalIndent writes it inside an array; it depends only on the
// record's version, so it is cached.
func (s *Server) list(w http.ResponseWriter, r *http.Request) error {
	recs, err := s.st.List(r.Context())
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if len(recs) == 0 {
		b.WriteString("[]")
	} else {
		b.WriteString("[\n  ")
		for i, rec := range recs {
			elem, err := s.elements.get(rec)
			if err != nil {
				return err
			}
			if i > 0 {
				b.WriteString(",\n  ")
			}
			b.Write(elem)
		}
		b.WriteString("\n]")
	}
	b.WriteByte('\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
	return nil
}

// elementCache keeps the list element of each integration, by version.
type elementCache struct {
	mu sync.Mutex
	m  map[int64]cachedElement
}

type cachedElement struct {
	version int64
	json    []byte
}

// maxCachedElements bounds the cache (about 1 KiB each).
const maxCachedElements = 100000

func (c *elementCache) get(rec *store.Integration) ([]byte, error) {
	c.mu.Lock()
	e, ok := c.m[rec.ID]
	c.mu.Unlock()
	if ok && e.version == rec.Version {
		return e.json, nil
	}
	resp, err := response(rec)
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(resp, "  ", "  ")
	if err != nil {
		return nil, fmt.Errorf("server: integration %d: %w", rec.ID, err)
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedElements {
		c.m = map[int64]cachedElement{}
	}
	c.m[rec.ID] = cachedElement{version: rec.Version, json: b}
	c.mu.Unlock()
	return b, nil
}

// find returns the integration of the path, or a 404 with notFound's text.
func (s *Server) find(r *http.Request, notFound func(int64) string) (*store.Integration, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	rec, err := s.st.Get(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errorf(http.StatusNotFound, "%s", notFound(id))
	}
	return rec, err
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.find(r, notFoundText)
	if err != nil {
		return err
	}
	return s.writeIntegration(w, rec)
}

// statusResponse is GET /integrations/{id}/status.
type statusResponse struct {
	ID                string          `json:"id"`
	Status            store.Status    `json:"status"`
	ValidationResults json.RawMessage `json:"validationResults,omitempty"`
	Error             json.RawMessage `json:"error,omitempty"`
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.find(r, notFoundText)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, statusResponse{ID: idString(rec.ID), Status: rec.Status, ValidationResults: rec.Validation, Error: rec.Error})
	return nil
}

// edit is PUT /integrations/{id}: validate the new configuration, then
// move the integration to editing (the old configuration kept for a
// rollback) and queue the job that applies or checks the edit.
func (s *Server) edit(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.find(r, notFoundText)
	if err != nil {
		return err
	}
	in, err := s.decodePayload(r)
	if err != nil {
		return err
	}
	if !slices.Contains(editable, cur.Status) {
		return errorf(http.StatusConflict, "%s", editConflictText(cur.ID, cur.Status))
	}
	old, err := decodeStored(cur.ID, &cur.Config)
	if err != nil {
		return err
	}
	if ws := in.Config.Host(); ws != cur.Workspace {
		return errorf(http.StatusBadRequest, "The workspace of integration %d is %s, not %s: an integration cannot move to another workspace; delete it and create one there.", cur.ID, cur.Workspace, ws)
	}
	if in.AutoBootstrap != old.AutoBootstrap {
		return errorf(http.StatusBadRequest, "Integration %d has autoBootstrap: %t; an edit cannot change it: delete the integration and create it again.", cur.ID, old.AutoBootstrap)
	}
	if _, err := generator.Generate(in, generator.Edit, generator.From(old)); err != nil {
		return errorf(http.StatusBadRequest, "%s", generatorMessage(err))
	}
	if err := s.canRun(in); err != nil {
		return err
	}
	if s.cfg.Applier == nil {
		// The service principal records the new payload's fingerprint in
		// the workspace, also for a manual setup.
		return notImplemented("apply scripts (an edit is recorded in the workspace by the service principal)")
	}
	_, results, err := s.validate(r.Context(), in, PhaseEdit, old)
	if err != nil {
		return err
	}
	cfg := s.seal(cur.ID, in)
	rec, err := s.st.Begin(r.Context(), cur.ID, editable, store.Editing,
		store.Change{Config: &cfg, SavePrevious: true, Validation: results, ClearError: true}, store.EditJob)
	var conflict *store.ConflictError
	if errors.As(err, &conflict) {
		return errorf(http.StatusConflict, "%s", editConflictText(cur.ID, conflict.Status))
	}
	if err != nil {
		return err
	}
	s.resealStale(r.Context(), rec.ID, in, cfg)
	s.log.Info("integration editing", logAttrs(rec.ID, rec.Status)...)
	s.notify()
	return s.writeIntegration(w, rec)
}

// delete is DELETE /integrations/{id}: move the integration to deleting
// and queue the job that cleans the workspace up (automatic setup).
func (s *Server) delete(w http.ResponseWriter, r *http.Request) error {
	data, err := readBody(r)
	if err != nil {
		return err
	}
	if b := bytes.TrimSpace(data); len(b) > 0 && string(b) != "{}" {
		if carriesCredentials(b) {
			return errorf(http.StatusBadRequest, "%s", deleteCredentialsText)
		}
		return errorf(http.StatusBadRequest, "DELETE /integrations/{id} takes no body.")
	}
	cur, err := s.find(r, deleteNotFoundText)
	if err != nil {
		return err
	}
	old, err := decodeStored(cur.ID, &cur.Config)
	if err != nil {
		return err
	}
	if old.AutoBootstrap && s.cfg.Applier == nil {
		return notImplemented("apply the cleanup script (autoBootstrap: true)")
	}
	rec, err := s.st.Begin(r.Context(), cur.ID, deletable, store.Deleting, store.Change{ClearError: true}, store.DeleteJob)
	var conflict *store.ConflictError
	if errors.As(err, &conflict) {
		return errorf(http.StatusConflict, "%s", deleteConflictText(cur.ID, conflict.Status))
	}
	if err != nil {
		return err
	}
	s.log.Info("integration deleting", logAttrs(rec.ID, rec.Status)...)
	s.notify()
	return s.writeIntegration(w, rec)
}

// credentialKeys are the keys of a body that carries credentials.
var credentialKeys = []string{"token", "clientsecret", "oauthclientconfig", "password", "privatekey", "config"}

// carriesCredentials reports whether a body names a credential (or a
// config, which holds them), in JSON or YAML.
func carriesCredentials(body []byte) bool {
	lower := strings.ToLower(string(body))
	for _, k := range credentialKeys {
		if strings.Contains(lower, k) {
			return true
		}
	}
	return false
}

// generatorMessage is the text of a generator error for a response: each
// of its lines (a joined error's, or a RefusalError's reasons) without the
// package's prefix.
func generatorMessage(err error) string {
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "generator: ")
	}
	return strings.Join(lines, "\n")
}

// writeScript generates and writes a script: the bytes of ucbootstrap
// generate for the same payload.
func writeScript(w http.ResponseWriter, in *ucbootstrap.Integration, kind generator.Kind, opts ...generator.Option) error {
	script, err := generator.Generate(in, kind, opts...)
	if err != nil {
		return errorf(http.StatusBadRequest, "%s", generatorMessage(err))
	}
	var b bytes.Buffer
	if err := script.Render(&b); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
	return nil
}

// cleanupOptions reads ?revokeGrants=true and ?runner=PRINCIPAL (the
// person who runs the cleanup, made the catalog's owner before the DROP,
// as generate --kind cleanup --runner does).
func cleanupOptions(r *http.Request) ([]generator.Option, error) {
	var opts []generator.Option
	q := r.URL.Query()
	switch q.Get("revokeGrants") {
	case "", "false":
	case "true":
		opts = append(opts, generator.RevokeGrants())
	default:
		return nil, errorf(http.StatusBadRequest, "revokeGrants is true or false.")
	}
	if q.Has("runner") {
		if q.Get("runner") == "" {
			return nil, errorf(http.StatusBadRequest, "runner names the principal who runs the cleanup (a user, group or service principal), or is left out.")
		}
		opts = append(opts, generator.Runner(q.Get("runner")))
	}
	return opts, nil
}

func (s *Server) scriptCreate(w http.ResponseWriter, r *http.Request) error {
	in, err := s.decodePayload(r)
	if err != nil {
		return err
	}
	return writeScript(w, in, generator.Bootstrap)
}

func (s *Server) scriptCleanup(w http.ResponseWriter, r *http.Request) error {
	opts, err := cleanupOptions(r)
	if err != nil {
		return err
	}
	in, err := s.decodePayload(r)
	if err != nil {
		return err
	}
	return writeScript(w, in, generator.Cleanup, opts...)
}

func (s *Server) scriptEdit(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.find(r, notFoundText)
	if err != nil {
		return err
	}
	in, err := s.decodePayload(r)
	if err != nil {
		return err
	}
	old, err := decodeStored(cur.ID, &cur.Config)
	if err != nil {
		return err
	}
	return writeScript(w, in, generator.Edit, generator.From(old))
}

func (s *Server) scriptDelete(w http.ResponseWriter, r *http.Request) error {
	opts, err := cleanupOptions(r)
	if err != nil {
		return err
	}
	cur, err := s.find(r, notFoundText)
	if err != nil {
		return err
	}
	old, err := decodeStored(cur.ID, &cur.Config)
	if err != nil {
		return err
	}
	return writeScript(w, old, generator.Cleanup, opts...)
}
