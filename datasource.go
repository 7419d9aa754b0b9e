package ucbootstrap

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
)

// Level is the kind of securable a data source names.
type Level int

// The levels of a data source.
const (
	CatalogLevel Level = iota + 1
	SchemaLevel
	TableLevel
)

func (l Level) String() string {
	switch l {
	case CatalogLevel:
		return "catalog"
	case SchemaLevel:
		return "schema"
	case TableLevel:
		return "table"
	}
	return "invalid"
}

// A DataSource is a securable the integration protects: a catalog, a schema
// or a table (views and other leaves count as tables). Names are lower case,
// as Unity Catalog stores them, without quotes.
type DataSource struct {
	Catalog string
	Schema  string // "" for a catalog
	Table   string // "" for a catalog or a schema
}

// Level tells whether ds names a catalog, a schema or a table.
func (ds DataSource) Level() Level {
	switch {
	case ds.Table != "":
		return TableLevel
	case ds.Schema != "":
		return SchemaLevel
	}
	return CatalogLevel
}

// String returns the dotted name, without quotes.
func (ds DataSource) String() string {
	switch ds.Level() {
	case TableLevel:
		return ds.Catalog + "." + ds.Schema + "." + ds.Table
	case SchemaLevel:
		return ds.Catalog + "." + ds.Schema
	}
	return ds.Catalog
}

// Parts returns the name parts: one, two or three.
func (ds DataSource) Parts() []string {
	return []string{ds.Catalog, ds.Schema, ds.Table}[:ds.Level()]
}

// Contains reports whether other is ds or lies inside it.
func (ds DataSource) Contains(other DataSource) bool {
	a, b := ds.Parts(), other.Parts()
	if len(a) > len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Compare orders data sources by catalog, schema and table; a catalog sorts
// before its schemas and a schema before its tables.
func (ds DataSource) Compare(other DataSource) int {
	return cmp.Or(
		cmp.Compare(ds.Catalog, other.Catalog),
		cmp.Compare(ds.Schema, other.Schema),
		cmp.Compare(ds.Table, other.Table),
	)
}

// MaxNameLength is the longest name part Unity Catalog accepts.
const MaxNameLength = 255

// reservedCatalogs cannot be data sources or the governance catalog.
var reservedCatalogs = map[string]string{
	"system":         "the system catalog is read-only: set config.audit.enabled to grant what query audit needs",
	"hive_metastore": "hive_metastore is the legacy Hive metastore, not a Unity Catalog catalog: migrate the data to Unity Catalog first",
}

// ParseDataSource parses "catalog", "catalog.schema" or
// "catalog.schema.table". A part may be back-quoted as in SQL (a doubled
// backtick stands for one), but no part may be empty, longer than
// [MaxNameLength], or contain a period, a space, a slash or a control
// character, even inside backticks: Unity Catalog rejects such names.
// Parts are returned in lower case.
func ParseDataSource(s string) (DataSource, error) {
	if strings.TrimSpace(s) == "" {
		return DataSource{}, errors.New("data source name is empty")
	}
	var parts []string
	rest := s
	for {
		part, after, err := cutPart(rest)
		if err != nil {
			return DataSource{}, err
		}
		parts = append(parts, part)
		if after == "" {
			break
		}
		rest = after[1:] // skip '.'
		if rest == "" {
			parts = append(parts, "")
			break
		}
	}
	if len(parts) > 3 {
		return DataSource{}, fmt.Errorf("%q has %d parts; a data source is catalog, catalog.schema or catalog.schema.table", s, len(parts))
	}
	for i, p := range parts {
		if err := checkNamePart(p); err != nil {
			return DataSource{}, fmt.Errorf("%s name in %q %w", []string{"catalog", "schema", "table"}[i], s, err)
		}
		parts[i] = strings.ToLower(p)
	}
	if why, ok := reservedCatalogs[parts[0]]; ok {
		return DataSource{}, fmt.Errorf("%q cannot be a data source: %s", s, why)
	}
	var ds DataSource
	ds.Catalog = parts[0]
	if len(parts) > 1 {
		ds.Schema = parts[1]
	}
	if len(parts) > 2 {
		ds.Table = parts[2]
	}
	return ds, nil
}

// cutPart reads one part from the front of s, and returns it and the rest,
// which is "" or starts with '.'.
func cutPart(s string) (part, rest string, err error) {
	if !strings.HasPrefix(s, "`") {
		i := strings.IndexByte(s, '.')
		if i < 0 {
			i = len(s)
		}
		part = s[:i]
		if strings.ContainsRune(part, '`') {
			return "", "", fmt.Errorf("%q has a backtick inside a name part; quote the whole part, as in `my-schema`", s)
		}
		return part, s[i:], nil
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != '`' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '`' {
			b.WriteByte('`')
			i++
			continue
		}
		rest = s[i+1:]
		if rest != "" && rest[0] != '.' {
			return "", "", fmt.Errorf("%q has text after a closing backtick; separate the parts with periods", s)
		}
		return b.String(), rest, nil
	}
	return "", "", fmt.Errorf("%q has a backtick that is never closed", s)
}

// checkNamePart applies the object-name rules of Unity Catalog.
func checkNamePart(p string) error {
	if p == "" {
		return errors.New("is empty")
	}
	if len(p) > MaxNameLength {
		return fmt.Errorf("is %d bytes long; Unity Catalog allows %d", len(p), MaxNameLength)
	}
	for _, r := range p {
		switch {
		case r == '.':
			return errors.New("contains a period, which Unity Catalog never allows in a name, even inside backticks")
		case r == ' ':
			return errors.New("contains a space, which Unity Catalog never allows in a name, even inside backticks")
		case r == '/':
			return errors.New("contains a slash, which Unity Catalog never allows in a name")
		case r < 0x20 || r == 0x7f:
			return fmt.Errorf("contains the control character %U", r)
		}
	}
	return nil
}
