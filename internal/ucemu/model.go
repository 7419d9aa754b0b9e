package ucemu

import (
	"cmp"
	"slices"
	"strings"
)

// A Securable names an object of the emulated metastore: its type as GRANT
// spells it ("CATALOG", "SCHEMA", "TABLE", "FUNCTION", "METASTORE", ...) and
// its full name, parts joined with periods, in lower case ("" for the
// metastore). Build one with [Sec].
type Securable struct {
	Type string
	Name string
}

// typeAliases maps other spellings of a securable type to the type the
// emulator stores: views live in the table namespace, as in Unity Catalog.
var typeAliases = map[string]string{
	"DATABASE": "SCHEMA", "VIEW": "TABLE", "MATERIALIZED VIEW": "TABLE", "STREAMING TABLE": "TABLE",
	"MODEL": "FUNCTION", "REGISTERED MODEL": "FUNCTION", "CATALOG$": "CATALOG",
}

// normType returns the stored spelling of a securable type given as SQL
// ("EXTERNAL LOCATION") or REST ("external_location") spells it.
func normType(t string) string {
	t = strings.ToUpper(strings.Join(strings.Fields(strings.ReplaceAll(t, "_", " ")), " "))
	if a, ok := typeAliases[t]; ok {
		return a
	}
	return t
}

// Sec returns the securable of a type, in any usual spelling, and a full
// name, which is lower-cased. The metastore has no name.
func Sec(typ, name string) Securable {
	t := normType(typ)
	if t == "METASTORE" {
		return Securable{Type: t}
	}
	return Securable{Type: t, Name: strings.ToLower(name)}
}

// String returns "TYPE name".
func (s Securable) String() string {
	if s.Name == "" {
		return s.Type
	}
	return s.Type + " " + s.Name
}

func (s Securable) parts() []string {
	if s.Name == "" {
		return nil
	}
	return strings.Split(s.Name, ".")
}

// levels are the depths of the namespace: catalog.schema.object.
var levels = map[string]int{"CATALOG": 1, "SCHEMA": 2, "TABLE": 3, "FUNCTION": 3, "VOLUME": 3}

// parent returns the securable that contains s: the schema of a table, the
// catalog of a schema, the metastore of a catalog and of the objects that
// live outside catalogs.
func (s Securable) parent() (Securable, bool) {
	if s.Type == "METASTORE" {
		return Securable{}, false
	}
	p := s.parts()
	switch {
	case levels[s.Type] == 3 && len(p) == 3:
		return Securable{Type: "SCHEMA", Name: p[0] + "." + p[1]}, true
	case s.Type == "SCHEMA" && len(p) == 2:
		return Securable{Type: "CATALOG", Name: p[0]}, true
	}
	return Securable{Type: "METASTORE"}, true
}

// ancestors returns the containers of s, the nearest first, the metastore
// last.
func (s Securable) ancestors() []Securable {
	var out []Securable
	for p, ok := s.parent(); ok; p, ok = p.parent() {
		out = append(out, p)
	}
	return out
}

// catalogOf returns the catalog s lives in, or false.
func (s Securable) catalogOf() (Securable, bool) {
	if levels[s.Type] == 0 {
		return Securable{}, false
	}
	return Securable{Type: "CATALOG", Name: s.parts()[0]}, true
}

// schemaOf returns the schema a table, function or volume lives in.
func (s Securable) schemaOf() (Securable, bool) {
	if levels[s.Type] != 3 {
		return Securable{}, false
	}
	p, _ := s.parent()
	return p, true
}

func compareSecurables(a, b Securable) int {
	return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Name, b.Name))
}

// A column of a table.
type column struct {
	name string
	typ  string // the manifest's type_name: STRING, INT, LONG, BOOLEAN, ...
}

// An object of the metastore.
type object struct {
	sec     Securable
	kind    string // TABLE: MANAGED or VIEW; otherwise the type
	owner   string
	comment *string // nil is NULL
	// forbidden makes REST calls about the object fail with 403.
	forbidden bool
	// grants maps principals ("" for a deleted one) to their privileges,
	// spelt with underscores (USE_CATALOG, ALL_PRIVILEGES).
	grants map[string]map[string]bool
	// columns and rows of a table.
	columns []column
	rows    [][]any
	// body of a function.
	body string
}

// The metastore: its objects and principals. The Server's mutex guards it.
type metastore struct {
	id      string
	objects map[Securable]*object
	// groups maps account groups to their members (users, service
	// principals and other groups), all in lower case.
	groups map[string]map[string]bool
	// admins are the metastore admins (principals or groups), lower case.
	admins        map[string]bool
	accountAdmins map[string]bool
	// systemSchemas maps system schemas to their state.
	systemSchemas map[string]string
}

// systemOwner owns the system catalog and its contents.
const systemOwner = "System user"

// accountUsers is the group every principal belongs to.
const accountUsers = "account users"

// defaultSystemSchemas are the system schemas of a new metastore and their
// state: available, not enabled.
var defaultSystemSchemas = []string{"access", "billing", "compute", "lakeflow", "marketplace", "query", "storage"}

// systemTables are the system tables the emulator knows, with columns.
var systemTables = map[string][]column{
	"access.audit":          {{"event_time", "TIMESTAMP"}, {"action_name", "STRING"}, {"user_identity", "STRING"}},
	"access.table_lineage":  {{"event_time", "TIMESTAMP"}, {"source_table_full_name", "STRING"}, {"target_table_full_name", "STRING"}},
	"access.column_lineage": {{"event_time", "TIMESTAMP"}, {"source_column_name", "STRING"}, {"target_column_name", "STRING"}},
	"query.history":         {{"start_time", "TIMESTAMP"}, {"statement_text", "STRING"}, {"executed_by", "STRING"}},
}

func newMetastore(id string) *metastore {
	m := &metastore{
		id:            id,
		objects:       map[Securable]*object{},
		groups:        map[string]map[string]bool{},
		admins:        map[string]bool{},
		accountAdmins: map[string]bool{},
		systemSchemas: map[string]string{},
	}
	m.objects[Securable{Type: "METASTORE"}] = &object{sec: Securable{Type: "METASTORE"}, kind: "METASTORE"}
	for _, s := range defaultSystemSchemas {
		m.systemSchemas[s] = "AVAILABLE"
	}
	for _, name := range slices.Sorted(mapKeys(systemTables)) {
		o := m.add(Sec("TABLE", "system."+name))
		o.columns = systemTables[name]
	}
	for sec, o := range m.objects {
		if sec.Name == "system" || strings.HasPrefix(sec.Name, "system.") {
			o.owner = systemOwner
		}
	}
	return m
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// get returns the object of sec, or nil.
func (m *metastore) get(sec Securable) *object { return m.objects[sec] }

// add makes sec and its containers exist and returns its object.
func (m *metastore) add(sec Securable) *object {
	for _, a := range sec.ancestors() {
		if m.objects[a] == nil {
			m.objects[a] = &object{sec: a, kind: a.Type}
		}
	}
	o := m.objects[sec]
	if o == nil {
		o = &object{sec: sec, kind: sec.Type}
		if sec.Type == "TABLE" {
			o.kind = "MANAGED"
		}
		m.objects[sec] = o
	}
	return o
}

// children returns the objects directly inside sec, sorted.
func (m *metastore) children(sec Securable) []*object {
	var out []*object
	for s, o := range m.objects {
		if p, ok := s.parent(); ok && p == sec && s != sec {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b *object) int { return compareSecurables(a.sec, b.sec) })
	return out
}

// remove drops sec and everything inside it.
func (m *metastore) remove(sec Securable) {
	for _, c := range m.children(sec) {
		m.remove(c.sec)
	}
	delete(m.objects, sec)
}

// sorted returns every object, sorted by type and name.
func (m *metastore) sorted() []*object {
	out := make([]*object, 0, len(m.objects))
	for _, o := range m.objects {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b *object) int { return compareSecurables(a.sec, b.sec) })
	return out
}

// grant adds privilege (any spelling) on o to principal.
func (o *object) grant(principal, privilege string) {
	if o.grants == nil {
		o.grants = map[string]map[string]bool{}
	}
	if o.grants[principal] == nil {
		o.grants[principal] = map[string]bool{}
	}
	o.grants[principal][privKey(privilege)] = true
}

// revoke removes privilege from principal; revoking what was not granted
// does nothing.
func (o *object) revoke(principal, privilege string) {
	for p, privs := range o.grants {
		if samePrincipal(p, principal) {
			delete(privs, privKey(privilege))
			if len(privs) == 0 {
				delete(o.grants, p)
			}
		}
	}
}

// privKey spells a privilege as the REST API does: upper case with
// underscores.
func privKey(p string) string {
	return strings.ToUpper(strings.Join(strings.Fields(strings.ReplaceAll(p, "_", " ")), "_"))
}

// privSQL spells a privilege as SQL and information_schema do.
func privSQL(p string) string { return strings.ReplaceAll(p, "_", " ") }

// samePrincipal compares principal names as Unity Catalog does, ignoring
// case.
func samePrincipal(a, b string) bool { return strings.EqualFold(a, b) }

// sortedUnique sorts s and drops repeats.
func sortedUnique(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
