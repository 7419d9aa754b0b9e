// Package emutest sets up the workspace emulator (internal/ucemu) for the
// example payloads, for the end-to-end tests of the packages and commands
// that talk to a workspace: the payload rewritten to name the emulator,
// its credentials and warehouse known to it, its data sources created, a
// metastore admin and a user who is not one.
package emutest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/internal/ucemu"
	"github.com/ucbootstrap/ucbootstrap/sqlexec"
)

// The people of an emulated workspace, with their tokens.
const (
	Admin      = "admin@example.com" // a metastore admin
	AdminToken = "dapi-emutest-admin"
	User       = "user@example.com" // not a metastore admin
	UserToken  = "dapi-emutest-user"
)

// A Workspace is an emulator set up for one payload.
type Workspace struct {
	*ucemu.Server
	// Path is the payload rewritten to name the emulator, and In its
	// integration; SP is its service principal.
	Path string
	In   *ucbootstrap.Integration
	SP   string
	t    testing.TB
	dir  string
	raw  map[string]any
}

// Examples returns the example payloads, from the module's root.
func Examples(t testing.TB, root string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "examples", "payloads", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example payloads (%v)", err)
	}
	return files
}

// New starts an emulator for the payload file (YAML or JSON) and writes
// the payload rewritten to name it. The emulator knows the payload's
// credentials (its token or OAuth client, as the service principal), its
// warehouse or cluster (running), the system schemas (enabled), the admin
// and the user; the data sources exist, made by the admin.
func New(t testing.TB, file string, opts ...ucemu.Option) *Workspace {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	c, _ := raw["config"].(map[string]any)
	if c == nil {
		t.Fatalf("%s: no config", file)
	}
	base := []ucemu.Option{ucemu.MetastoreAdmin(Admin), ucemu.Token(AdminToken, Admin), ucemu.Token(UserToken, User),
		ucemu.SystemSchema("access", "ENABLE_COMPLETED"), ucemu.SystemSchema("query", "ENABLE_COMPLETED")}
	if hp, _ := c["httpPath"].(string); hp != "" {
		if tg, err := sqlexec.ParseHTTPPath(hp); err == nil {
			if tg.Kind == sqlexec.Warehouse {
				base = append(base, ucemu.Warehouse(tg.ID, "RUNNING"))
			} else {
				base = append(base, ucemu.Cluster(tg.ID, "RUNNING"))
			}
		}
	}
	s := ucemu.New(append(base, opts...)...)
	t.Cleanup(s.Close)
	w := &Workspace{Server: s, t: t, dir: t.TempDir(), raw: raw}
	w.Path, w.In = w.Write("payload.json", nil)
	w.SP = w.In.Config.ServicePrincipalID()
	w.Know(w.In)
	for _, ds := range w.In.Config.Sources() {
		w.CreateSource(ds)
	}
	return w
}

// Know makes the emulator accept the credentials of a payload as its
// service principal's.
func (w *Workspace) Know(in *ucbootstrap.Integration) {
	sp := in.Config.ServicePrincipalID()
	if tok := in.Config.Token.Reveal(); tok != "" {
		ucemu.Token(tok, sp)(w.Server)
	}
	if o := in.Config.OAuthClientConfig; o != nil {
		ucemu.OAuthClient(o.ClientID, o.ClientSecret.Reveal())(w.Server)
	}
}

// CreateSource makes a data source exist, as the admin.
func (w *Workspace) CreateSource(ds ucbootstrap.DataSource) {
	w.t.Helper()
	q := func(parts ...string) string {
		out := make([]string, len(parts))
		for i, p := range parts {
			out[i] = "`" + strings.ReplaceAll(p, "`", "``") + "`"
		}
		return strings.Join(out, ".")
	}
	w.Exec(Admin, "CREATE CATALOG IF NOT EXISTS "+q(ds.Catalog))
	if ds.Schema != "" {
		w.Exec(Admin, "CREATE SCHEMA IF NOT EXISTS "+q(ds.Catalog, ds.Schema))
	}
	if ds.Table != "" {
		w.Exec(Admin, "CREATE TABLE IF NOT EXISTS "+q(ds.Catalog, ds.Schema, ds.Table)+" (id BIGINT)")
	}
}

// Exec runs a statement as who, failing the test if it fails.
func (w *Workspace) Exec(who, stmt string) [][]any {
	w.t.Helper()
	rows, err := w.Server.Exec(who, stmt)
	if err != nil {
		w.t.Fatalf("%s: %s: %v", who, stmt, err)
	}
	return rows
}

// Write writes the payload, changed by edit (which may be nil) in its
// decoded form, as name in the test's directory, naming the emulator, and
// returns its path and integration.
func (w *Workspace) Write(name string, edit func(raw map[string]any)) (string, *ucbootstrap.Integration) {
	w.t.Helper()
	var raw map[string]any
	b, _ := json.Marshal(w.raw)
	json.Unmarshal(b, &raw)
	if edit != nil {
		edit(raw)
	}
	c := raw["config"].(map[string]any)
	port, err := strconv.Atoi(w.URL[strings.LastIndex(w.URL, ":")+1:])
	if err != nil {
		w.t.Fatal(err)
	}
	c["workspaceUrl"], c["port"] = "127.0.0.1", port
	if o, ok := c["oAuthClientConfig"].(map[string]any); ok {
		o["authorityUrl"] = w.URL + ucemu.TokenPath
	}
	out, err := json.MarshalIndent(raw, "", "  ")
	if err != nil {
		w.t.Fatal(err)
	}
	path := filepath.Join(w.dir, name)
	if err := os.WriteFile(path, out, 0o600); err != nil {
		w.t.Fatal(err)
	}
	in, err := ucbootstrap.Decode(path, out)
	if err != nil {
		w.t.Fatalf("%s: %v", path, err)
	}
	return path, in
}

// Config returns the payload's configuration, decoded, for edits.
func Config(raw map[string]any) map[string]any { return raw["config"].(map[string]any) }
