package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap/server/datakey"
	"github.com/ucbootstrap/ucbootstrap/server/store"
	"github.com/ucbootstrap/ucbootstrap/server/store/storetest"
)

func rotKey(b byte) []byte { return bytes.Repeat([]byte{b}, datakey.KeySize) }

// writeKeyFile replaces a key file at once, with the keys in this order.
func writeKeyFile(t *testing.T, path string, keys ...[]byte) {
	t.Helper()
	text := "# data keys\n"
	for _, k := range keys {
		text += base64.StdEncoding.EncodeToString(k) + "\n"
	}
	if err := datakey.WriteFile(path, []byte(text)); err != nil {
		t.Fatal(err)
	}
}

func loadKeyFile(t *testing.T, path string) *datakey.Ring {
	t.Helper()
	r, err := datakey.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// keyUse returns DataKeyUse, failing the test on an error.
func keyUse(t *testing.T, st store.Store) map[string]int {
	t.Helper()
	use, err := DataKeyUse(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	return use
}

// checkAllOpen checks that a server started anew on the key file opens
// every stored credential, with its value.
func checkAllOpen(t *testing.T, st store.Store, path string) {
	t.Helper()
	ctx := context.Background()
	srv, err := New(ctx, Config{Store: st, Keys: loadKeyFile(t, path)})
	if err != nil {
		t.Fatalf("a server on %s does not start: %v", path, err)
	}
	fields, err := st.Sealed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(fields) == 0 {
		t.Fatal("no stored credential to check")
	}
	for _, f := range fields {
		v, err := srv.keys.Open(f.IntegrationID, strings.TrimPrefix(f.Field, "previous."), f.Value)
		if err != nil || (v != testToken && v != testSecret) {
			t.Errorf("integration %d's %s: %v", f.IntegrationID, f.Field, err)
		}
	}
}

// A data key rotated as the docs say, with the server running: the
// running server keeps opening the credentials (its jobs end well), seals
// new ones with the new key, the old key cannot be dropped while a
// credential needs it, and after the drop a new server opens everything.
func TestRotationWhileRunning(t *testing.T) {
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "data.key")
			writeKeyFile(t, path, rotKey(1))
			h := newHarness(t, backend, func(c *Config) { c.Keys = loadKeyFile(t, path); c.Keys.SetLogger(c.Logger) })
			old, newID := datakey.ID(rotKey(1)), datakey.ID(rotKey(2))

			a := h.post("/integrations", tokenPayload(ws1, true)).json(t)["id"].(string)
			b := h.do("POST", "/integrations", h.admin, "application/yaml", oauthPayload("adb-1.azuredatabricks.net")).json(t)["id"].(string)
			h.runJobs()
			if use := keyUse(t, h.st); use[old] != 2 {
				t.Fatalf("sealed before the rotation: %v", use)
			}

			// 1. The new key first, the old one kept.
			writeKeyFile(t, path, rotKey(2), rotKey(1))
			// Dropping the old key now would lose both credentials.
			err := DropDataKey(ctx, h.st, path, old)
			var inUse *DataKeyInUseError
			if !errors.As(err, &inUse) || inUse.ID != old || inUse.Count != 2 {
				t.Fatalf("DropDataKey before the re-seal = %v; want 2 credentials in use", err)
			}
			if want := "server: data key " + old + " still seals 2 stored credentials: re-seal them with the primary key first (rotate-data-key)"; err.Error() != want {
				t.Errorf("error %q\nwant  %q", err, want)
			}
			if r := loadKeyFile(t, path); len(r.IDs()) != 2 {
				t.Errorf("a refused drop changed the key file: %v", r.IDs())
			}

			// 2. Re-seal, while the server runs.
			if n, err := RotateDataKey(ctx, h.st, loadKeyFile(t, path)); err != nil || n != 2 {
				t.Fatalf("RotateDataKey = %d, %v", n, err)
			}
			// The running server opens the re-sealed credentials: an edit
			// and a delete end well.
			if r := h.do("PUT", "/integrations/"+a, h.admin, "application/json", tokenPayload(ws1, true, "main.sales", "main.hr")); r.status != 200 {
				t.Fatalf("PUT: %d %s", r.status, r.body)
			}
			h.runJobs()
			if s := statusOf(t, h, a); s != "enabled" {
				t.Fatalf("the edit after the rotation: %s %s", s, h.do("GET", "/integrations/"+a+"/status", h.reader, "", "").body)
			}
			// It seals new credentials with the new key.
			c := h.post("/integrations", tokenPayload("dbc-0000.cloud.databricks.com", false)).json(t)["id"].(string)
			h.runJobs()
			if use := keyUse(t, h.st); use[old] != 0 || use[newID] == 0 {
				t.Errorf("after the rotation, sealed by key: %v; want everything with %s", use, newID)
			}

			// 3. Drop the old key.
			if err := DropDataKey(ctx, h.st, path, old); err != nil {
				t.Fatalf("DropDataKey after the re-seal: %v", err)
			}
			if r := loadKeyFile(t, path); strings.Join(r.IDs(), ",") != newID {
				t.Errorf("the key file after the drop: %v", r.IDs())
			}
			if r := h.do("DELETE", "/integrations/"+b, h.admin, "", ""); r.status != 200 {
				t.Fatalf("DELETE: %d %s", r.status, r.body)
			}
			h.runJobs()
			if s := statusOf(t, h, b); s != "deleted" {
				t.Errorf("the delete after the drop: %s %s", s, h.do("GET", "/integrations/"+b+"/status", h.reader, "", "").body)
			}
			if s := statusOf(t, h, c); s != "enabled" && s != "creating" {
				t.Errorf("integration %s: %s", c, s)
			}
			// Nothing lost: a server started anew on the file opens every
			// credential.
			checkAllOpen(t, h.st, path)
		})
	}
}

// racyStore adds a credential sealed with a stale key to the second
// listing of sealed values: a server that sealed while the key was dropped.
type racyStore struct {
	store.Store
	calls int
	stale store.SealedField
}

func (s *racyStore) Sealed(ctx context.Context) ([]store.SealedField, error) {
	f, err := s.Store.Sealed(ctx)
	s.calls++
	if s.calls == 2 {
		f = append(f, s.stale)
	}
	return f, err
}

// A credential sealed with the key while it is dropped puts the key back.
func TestDropDataKeyRace(t *testing.T) {
	st := storetest.Open(t, "sqlite", store.Options{})
	path := filepath.Join(t.TempDir(), "data.key")
	writeKeyFile(t, path, rotKey(2), rotKey(1))
	before, _ := os.ReadFile(path)
	stale, _ := datakey.NewRing(rotKey(1))
	rs := &racyStore{Store: st, stale: store.SealedField{IntegrationID: 9, Field: "token", Value: stale.Seal(9, "token", testToken)}}
	err := DropDataKey(context.Background(), rs, path, datakey.ID(rotKey(1)))
	var inUse *DataKeyInUseError
	if !errors.As(err, &inUse) || inUse.Count != 1 {
		t.Fatalf("DropDataKey = %v; want 1 credential in use", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Errorf("the key was not put back:\n%s", after)
	}
}

// A job whose credential does not open says what to do, without package
// prefixes: the credential's key is not in the key file.
func TestCredentialMessage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.key")
	writeKeyFile(t, path, rotKey(1))
	h := newHarness(t, "sqlite", func(c *Config) { c.Keys = loadKeyFile(t, path); c.Keys.SetLogger(c.Logger) })
	id := h.post("/integrations", tokenPayload(ws1, true)).json(t)["id"].(string)
	h.runJobs()
	// The old key thrown away by hand, not with drop-data-key; the
	// server rereads the file when it seals the next credential.
	writeKeyFile(t, path, rotKey(2))
	h.post("/integrations", tokenPayload("dbc-0000.cloud.databricks.com", false))
	h.do("DELETE", "/integrations/"+id, h.admin, "", "")
	h.runJobs()
	st := h.do("GET", "/integrations/"+id+"/status", h.reader, "", "").json(t)
	e, _ := st["error"].(map[string]any)
	msg, _ := e["message"].(string)
	want := "The token of integration 1 cannot be opened: it is sealed with data key " + datakey.ID(rotKey(1)) +
		", which the data key file " + path + " does not hold (it holds " + datakey.ID(rotKey(2)) + "). Put that key back in the file, after the primary key" +
		" (the server rereads the file), then repeat the request; drop old keys only with ucbootstrap serve keys drop-data-key, which refuses while a credential needs them."
	if st["status"] != "deleteError" || msg != want {
		t.Errorf("status %v, message:\n%s\nwant:\n%s\n%v", st["status"], msg, want, st)
	}
	// Keys given at start (no file) say to restart with the key.
	ring := datakeyRing(t, rotKey(2))
	_, err := ring.Open(3, "clientSecret", datakeyRing(t, rotKey(1)).Seal(3, "clientSecret", "x"))
	if got, want := credentialMessage(err), "The OAuth client secret of integration 3 cannot be opened: it is sealed with data key "+datakey.ID(rotKey(1))+", and this server was started without it (it has "+datakey.ID(rotKey(2))+"). Restart the server with data keys that include it, the primary key first, then repeat the request."; got != want {
		t.Errorf("message:\n%s\nwant:\n%s", got, want)
	}
}

func datakeyRing(t *testing.T, k []byte) *datakey.Ring {
	t.Helper()
	r, err := datakey.NewRing(k)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// rotatingStore replaces the key file between the sealing of a credential
// and its write: the rotation, re-seal and drop of its keys all happen
// while a request holds a credential sealed with the old key.
type rotatingStore struct {
	store.Store
	t    *testing.T
	path string
	next [][]byte // the keys of the file after the next sealing; nil: no change
}

func (s *rotatingStore) rotate() {
	if s.next != nil {
		writeKeyFile(s.t, s.path, s.next...)
		s.next = nil
	}
}

func (s *rotatingStore) Create(ctx context.Context, in *store.Integration, kind store.JobKind, seal func(int64) (store.Config, error)) (*store.Integration, error) {
	return s.Store.Create(ctx, in, kind, func(id int64) (store.Config, error) {
		c, err := seal(id)
		s.rotate()
		return c, err
	})
}

func (s *rotatingStore) Begin(ctx context.Context, id int64, from []store.Status, to store.Status, ch store.Change, kind store.JobKind) (*store.Integration, error) {
	s.rotate()
	return s.Store.Begin(ctx, id, from, to, ch, kind)
}

// A credential sealed with the old key and written after the old key was
// dropped is re-sealed by the server, which still has it in clear.
func TestSealedDuringRotation(t *testing.T) {
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "data.key")
			writeKeyFile(t, path, rotKey(1))
			var rs *rotatingStore
			h := newHarness(t, backend, func(c *Config) {
				rs = &rotatingStore{Store: c.Store, t: t, path: path}
				c.Store = rs
				c.Keys = loadKeyFile(t, path)
				c.Keys.SetLogger(c.Logger)
			})
			// Key 2 put first, everything re-sealed and key 1 dropped, all
			// between the sealing of the token with key 1 and its write.
			rs.next = [][]byte{rotKey(2)}
			r := h.post("/integrations", tokenPayload(ws1, true))
			if r.status != 200 {
				t.Fatalf("POST: %d %s", r.status, r.body)
			}
			id := r.json(t)["id"].(string)
			if use := keyUse(t, h.st); use[datakey.ID(rotKey(2))] != 1 || len(use) != 1 {
				t.Fatalf("after a POST during a rotation, sealed by key: %v; want only %s", use, datakey.ID(rotKey(2)))
			}
			h.runJobs()
			// Key 3 put first while a PUT's token is sealed with key 2.
			rs.next = [][]byte{rotKey(3), rotKey(2)}
			if r := h.do("PUT", "/integrations/"+id, h.admin, "application/json", tokenPayload(ws1, true, "main.sales", "main.hr")); r.status != 200 {
				t.Fatalf("PUT: %d %s", r.status, r.body)
			}
			// The new token is re-sealed with key 3; the previous
			// configuration's keeps key 2, for rotate-data-key.
			if use := keyUse(t, h.st); use[datakey.ID(rotKey(3))] != 1 || use[datakey.ID(rotKey(2))] != 1 || len(use) != 2 {
				t.Fatalf("after a PUT during a rotation, sealed by key: %v", use)
			}
			checkAllOpen(t, h.st, path)
			if !strings.Contains(h.logs.String(), "re-sealed a credential written during a data key rotation") {
				t.Errorf("no log of the re-seal:\n%s", h.logs.String())
			}
		})
	}
}
