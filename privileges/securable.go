package privileges

import (
	"strings"

	"github.com/ucbootstrap/ucbootstrap/internal/sqltext"
)

// SecurableType is the kind of a securable, as GRANT spells it.
type SecurableType string

// The securable types.
const (
	Metastore         SecurableType = "METASTORE"
	Catalog           SecurableType = "CATALOG"
	Schema            SecurableType = "SCHEMA"
	Table             SecurableType = "TABLE"
	View              SecurableType = "VIEW"
	MaterializedView  SecurableType = "MATERIALIZED VIEW"
	Volume            SecurableType = "VOLUME"
	Function          SecurableType = "FUNCTION"
	ExternalLocation  SecurableType = "EXTERNAL LOCATION"
	StorageCredential SecurableType = "STORAGE CREDENTIAL"
	ServiceCredential SecurableType = "SERVICE CREDENTIAL"
	Connection        SecurableType = "CONNECTION"
	Share             SecurableType = "SHARE"
)

// securableTypes maps every spelling readers meet to a type: SQL, REST
// (lower case with underscores), legacy DATABASE, and hive_metastore's
// CATALOG$.
var securableTypes = map[string]SecurableType{
	"METASTORE": Metastore, "CATALOG": Catalog, "CATALOG$": Catalog,
	"SCHEMA": Schema, "DATABASE": Schema,
	"TABLE": Table, "VIEW": View, "MATERIALIZED_VIEW": MaterializedView, "MATERIALIZED VIEW": MaterializedView,
	"VOLUME": Volume, "FUNCTION": Function, "MODEL": Function, "REGISTERED_MODEL": Function,
	"EXTERNAL_LOCATION": ExternalLocation, "EXTERNAL LOCATION": ExternalLocation,
	"STORAGE_CREDENTIAL": StorageCredential, "STORAGE CREDENTIAL": StorageCredential,
	"SERVICE_CREDENTIAL": ServiceCredential, "SERVICE CREDENTIAL": ServiceCredential, "CREDENTIAL": ServiceCredential,
	"CONNECTION": Connection, "SERVER": Connection, "SHARE": Share,
}

// ParseSecurableType returns the type a reader's spelling names: "SCHEMA",
// "schema", "DATABASE", "external_location" and "EXTERNAL LOCATION" all
// work. ok is false for an unknown type.
func ParseSecurableType(s string) (SecurableType, bool) {
	t, ok := securableTypes[strings.ToUpper(strings.TrimSpace(s))]
	return t, ok
}

// A Securable is an object that privileges are granted on. Name is the full
// name in lower case, parts joined with periods, without quotes ("" for the
// metastore).
type Securable struct {
	Type SecurableType `json:"type"`
	Name string        `json:"name,omitempty"`
}

// NewSecurable returns the securable of a type and a full name as a listing
// prints it. Back-quoted parts (as SHOW GRANTS sometimes prints them) are
// unquoted, and parts are lower-cased, so that names compare as Unity
// Catalog compares them.
func NewSecurable(t SecurableType, name string) Securable {
	if t == Metastore {
		return Securable{Type: Metastore}
	}
	if !strings.ContainsRune(name, '`') && !hasUpper(name) {
		return Securable{Type: t, Name: name} // the common case, without allocation
	}
	return Securable{Type: t, Name: strings.Join(splitName(name), ".")}
}

// SecurableOf returns the securable of a type and its name parts, which
// are lower-cased and taken as they are (no quotes are removed).
func SecurableOf(t SecurableType, parts ...string) Securable {
	if t == Metastore {
		return Securable{Type: Metastore}
	}
	return Securable{Type: t, Name: strings.ToLower(strings.Join(parts, "."))}
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return true
		}
	}
	return false
}

// NameParts splits a dotted name as a listing prints it into lower-case
// parts, honouring backticks (a doubled backtick stands for one).
func NameParts(name string) []string { return splitName(name) }

// Canonical returns the securable as the audit matches it: tables, views
// and materialized views share one namespace, so views and materialized
// views become tables; everything else is returned as it is.
func (s Securable) Canonical() Securable {
	switch s.Type {
	case View, MaterializedView:
		s.Type = Table
	}
	return s
}

// splitName splits a dotted name into lower-case parts, honouring backticks
// (a doubled backtick stands for one).
func splitName(name string) []string {
	var parts []string
	var b strings.Builder
	quoted := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '`' && quoted && i+1 < len(name) && name[i+1] == '`':
			b.WriteByte('`')
			i++
		case c == '`':
			quoted = !quoted
		case c == '.' && !quoted:
			parts = append(parts, strings.ToLower(b.String()))
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	return append(parts, strings.ToLower(b.String()))
}

// Parts returns the name parts. Unity Catalog never allows a period inside
// a name, so the parts are the name split at its periods.
func (s Securable) Parts() []string {
	if s.Name == "" {
		return nil
	}
	return strings.Split(s.Name, ".")
}

// IsLeaf reports whether s is an object inside a schema.
func (s Securable) IsLeaf() bool {
	switch s.Type {
	case Table, View, MaterializedView, Volume, Function:
		return true
	}
	return false
}

// Parent returns the securable that s inherits privileges from: the schema
// of a leaf, the catalog of a schema. A catalog has no parent: grants on the
// metastore are never inherited.
func (s Securable) Parent() (Securable, bool) {
	parts := s.Parts()
	switch {
	case s.IsLeaf() && len(parts) == 3:
		return Securable{Type: Schema, Name: parts[0] + "." + parts[1]}, true
	case s.Type == Schema && len(parts) == 2:
		return Securable{Type: Catalog, Name: parts[0]}, true
	}
	return Securable{}, false
}

// Ancestors returns the parent of s, its parent, and so on.
func (s Securable) Ancestors() []Securable {
	var out []Securable
	for p, ok := s.Parent(); ok; p, ok = p.Parent() {
		out = append(out, p)
	}
	return out
}

// CatalogName returns the first name part, or "" for the metastore and
// objects outside the namespace.
func (s Securable) CatalogName() string {
	switch s.Type {
	case Catalog, Schema, Table, View, MaterializedView, Volume, Function:
		if i := strings.IndexByte(s.Name, '.'); i >= 0 {
			return s.Name[:i]
		}
		return s.Name
	}
	return ""
}

// Within reports whether s is other or lies inside it.
func (s Securable) Within(other Securable) bool {
	if s == other {
		return true
	}
	for _, a := range s.Ancestors() {
		if a == other {
			return true
		}
	}
	return false
}

// String returns "TYPE name", or "METASTORE".
func (s Securable) String() string {
	if s.Name == "" {
		return string(s.Type)
	}
	return string(s.Type) + " " + s.Name
}

// SQL returns the securable as GRANT writes it after ON, every name part
// back-quoted.
func (s Securable) SQL() string {
	if s.Type == Metastore {
		return string(Metastore)
	}
	return string(s.Type) + " " + sqltext.Ident(s.Parts()...)
}

// Compare orders securables by name, then type, so that a catalog comes
// before its schemas and a schema before its tables.
func (s Securable) Compare(o Securable) int {
	if c := strings.Compare(s.Name, o.Name); c != 0 {
		return c
	}
	return strings.Compare(string(s.Type), string(o.Type))
}
