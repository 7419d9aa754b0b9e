package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/server/store"
)

// access is who may call a route.
type access int

const (
	public   access = iota // no key
	reader                 // any valid key
	adminKey               // a key with the admin role
)

// A route is one endpoint.
type route struct {
	method, path string
	access       access
	handle       func(*Server, http.ResponseWriter, *http.Request) error
}

// routes lists every endpoint; the OpenAPI document must describe exactly
// these (TestOpenAPIMatchesRoutes).
var routeTable = []route{
	{"GET", "/healthz", public, (*Server).healthz},
	{"GET", "/openapi.json", public, (*Server).openapi},
	{"GET", "/integrations", reader, (*Server).list},
	{"POST", "/integrations", adminKey, (*Server).create},
	{"GET", "/integrations/{id}", reader, (*Server).get},
	{"PUT", "/integrations/{id}", adminKey, (*Server).edit},
	{"DELETE", "/integrations/{id}", adminKey, (*Server).delete},
	{"GET", "/integrations/{id}/status", reader, (*Server).status},
	{"POST", "/integrations/scripts/create", reader, (*Server).scriptCreate},
	{"POST", "/integrations/scripts/cleanup", reader, (*Server).scriptCleanup},
	{"POST", "/integrations/{id}/scripts/edit", reader, (*Server).scriptEdit},
	{"POST", "/integrations/{id}/scripts/delete", reader, (*Server).scriptDelete},
}

// ctxKey keys the request context's values.
type ctxKey int

const keyIDKey ctxKey = 0

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range routeTable {
		mux.Handle(rt.method+" "+rt.path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.serve(w, r, rt)
		}))
	}
	if s.cfg.Page != nil {
		mux.Handle("GET /", s.cfg.Page)
	}
	return s.middleware(mux)
}

// serve authenticates and authorizes the request, limits its rate and
// body, and runs the route's handler; an error it returns becomes the
// error response.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt route) {
	if rt.access != public {
		k, err := s.auth.authenticate(r.Context(), r)
		if err != nil {
			if errors.Is(err, errNoKey) || errors.Is(err, errInvalidKey) {
				writeError(w, http.StatusUnauthorized, err.Error())
			} else {
				s.internal(w, r, err)
			}
			return
		}
		if lw, ok := w.(*logWriter); ok {
			lw.keyID = k.ID
		}
		if ok, wait := s.auth.allow(k.ID, time.Now()); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
			writeError(w, http.StatusTooManyRequests, "Too many requests with this API key: retry after "+strconv.Itoa(int(wait/time.Second)+1)+"s.")
			return
		}
		if rt.access == adminKey && k.Role != store.Admin {
			writeError(w, http.StatusForbidden, fmt.Sprintf("The API key %s is read-only: %s %s needs an admin key.", k.ID, rt.method, rt.path))
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), keyIDKey, k.ID))
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	if err := rt.handle(s, w, r); err != nil {
		var he *httpError
		if errors.As(err, &he) {
			writeError(w, he.status, he.message)
			return
		}
		s.internal(w, r, err)
	}
}

// internal answers 500 and logs the error (which never holds a credential:
// errors that could are scrubbed where they arise).
func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err.Error())
	writeError(w, http.StatusInternalServerError, "Internal error; the server log has the details.")
}

// httpError is an error with its status and message.
type httpError struct {
	status  int
	message string
}

func (e *httpError) Error() string { return fmt.Sprintf("%d %s", e.status, e.message) }

func errorf(status int, format string, args ...any) error {
	return &httpError{status: status, message: fmt.Sprintf(format, args...)}
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, apiError{StatusCode: status, Error: http.StatusText(status), Message: message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"statusCode":500,"error":"Internal Server Error","message":"The response does not marshal."}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// middleware recovers panics, answers unknown routes in the API's error
// shape, and logs every request (method, route, status, duration, key id:
// never a header or a body).
func (s *Server) middleware(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		lw := &logWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("handler panicked", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
				if !lw.wrote {
					writeError(lw, http.StatusInternalServerError, "Internal error; the server log has the details.")
				}
			}
			s.log.Info("request", "method", r.Method, "route", lw.route, "path", r.URL.Path, "status", lw.status,
				"duration_ms", time.Since(start).Milliseconds(), "key", lw.keyID)
		}()
		_, pattern := mux.Handler(r)
		lw.route = pattern
		if pattern == "" {
			if allow := allowed(mux, r); len(allow) > 0 {
				lw.Header().Set("Allow", strings.Join(allow, ", "))
				writeError(lw, http.StatusMethodNotAllowed, fmt.Sprintf("%s is not allowed on %s; use %s.", r.Method, r.URL.Path, strings.Join(allow, " or ")))
				return
			}
			writeError(lw, http.StatusNotFound, "No such endpoint; GET /openapi.json lists them.")
			return
		}
		mux.ServeHTTP(lw, r) // matches again, and sets the path values
	})
}

// allowed returns the methods that have a route for the request's path.
func allowed(mux *http.ServeMux, r *http.Request) []string {
	var out []string
	for _, m := range []string{"GET", "POST", "PUT", "DELETE"} {
		rr := r.Clone(r.Context())
		rr.Method = m
		if _, p := mux.Handler(rr); p != "" {
			out = append(out, m)
		}
	}
	return out
}

// logWriter records what the log line needs.
type logWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
	route  string
	keyID  string
}

func (w *logWriter) WriteHeader(status int) {
	if !w.wrote {
		w.status, w.wrote = status, true
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *logWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *logWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// bodyFile is the file name that positions in body diagnostics carry.
const bodyFile = "body"

// payloadTypes are the Content-Types of a payload body; "" is sniffed.
var payloadTypes = []string{"application/json", "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}

// readBody reads a request body within the size limit.
func readBody(r *http.Request) ([]byte, error) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errorf(http.StatusRequestEntityTooLarge, "The body is larger than %d bytes.", mbe.Limit)
		}
		return nil, errorf(http.StatusBadRequest, "The body cannot be read.")
	}
	return data, nil
}

// decodePayload reads and validates the payload of a request: JSON or YAML
// by its Content-Type, every problem reported at once with its line,
// column and field.
func (s *Server) decodePayload(r *http.Request) (*ucbootstrap.Integration, error) {
	mt := ""
	if ct := r.Header.Get("Content-Type"); ct != "" {
		var err error
		mt, _, err = mime.ParseMediaType(ct)
		if err != nil || !slices.Contains(payloadTypes, mt) {
			return nil, errorf(http.StatusUnsupportedMediaType, "Unsupported Content-Type: send the payload as application/json or application/yaml.")
		}
	}
	data, err := readBody(r)
	if err != nil {
		return nil, err
	}
	if mt == "application/json" {
		if t := bytes.TrimSpace(data); len(t) == 0 || (t[0] != '{' && t[0] != '[') {
			return nil, errorf(http.StatusBadRequest, "The body is not JSON (Content-Type: application/json): send a JSON object, or use Content-Type: application/yaml.")
		}
	}
	var opts []ucbootstrap.Option
	if s.cfg.Lenient {
		opts = append(opts, ucbootstrap.Lenient())
	}
	in, err := ucbootstrap.Decode(bodyFile, data, opts...)
	if err != nil {
		return nil, payloadError(err)
	}
	return in, nil
}

// payloadError turns decode diagnostics into a 400: an unsupported type on
// its own (the rest of such a payload is another integration's), every
// other problem one a line.
func payloadError(err error) error {
	var ds ucbootstrap.Diagnostics
	if !errors.As(err, &ds) {
		return errorf(http.StatusBadRequest, "Invalid payload: %s", strings.TrimPrefix(err.Error(), "ucbootstrap: "))
	}
	for _, d := range ds {
		if d.Field == "type" && d.Severity == ucbootstrap.Error && !strings.Contains(d.Message, "required") && !strings.Contains(d.Message, "missing") {
			return errorf(http.StatusBadRequest, "Unsupported integration type: %s. This server supports one type, %q (Databricks Unity Catalog).", d.String(), ucbootstrap.TypeDatabricks)
		}
	}
	var lines []string
	for _, d := range ds {
		if d.Severity == ucbootstrap.Error {
			lines = append(lines, d.String())
		}
	}
	noun := "errors"
	if len(lines) == 1 {
		noun = "error"
	}
	return errorf(http.StatusBadRequest, "Invalid payload (%d %s):\n%s", len(lines), noun, strings.Join(lines, "\n"))
}

// pathID reads the {id} of the path.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errorf(http.StatusBadRequest, "Invalid integration ID: it is a positive integer.")
	}
	return id, nil
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if _, err := s.st.Get(ctx, 1); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Error("health check: the store does not answer", "err", err.Error())
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDocument)
	return nil
}

// logAttrs are the attributes of a log line about an integration.
func logAttrs(id int64, status store.Status) []any {
	return []any{slog.Int64("integration", id), slog.String("status", string(status))}
}
