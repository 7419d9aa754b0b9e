package ucemu

import (
	"slices"
	"strings"
)

// infoSchema returns an information_schema view: system.information_schema
// covers the metastore, <catalog>.information_schema one catalog. Rows are
// filtered to the objects the caller may see (see metastore.visible).
func (x *session) infoSchema(catalog, view string) (*relation, *sqlError) {
	str := func(names ...string) []column {
		out := make([]column, len(names))
		for i, n := range names {
			out[i] = column{n, "STRING"}
		}
		return out
	}
	if catalog != "system" && x.ms.get(Sec("CATALOG", catalog)) == nil {
		return nil, notFound(Sec("CATALOG", catalog))
	}
	var objects []*object
	for _, o := range x.ms.sorted() {
		if catalog != "system" && (o.sec.Type == "METASTORE" || o.sec.parts()[0] != catalog) {
			continue
		}
		if o.sec.Type != "METASTORE" && x.ms.visible(x.caller, o.sec) {
			objects = append(objects, o)
		}
	}
	rel := &relation{}
	comment := func(o *object) any {
		if o.comment == nil {
			return nil
		}
		return *o.comment
	}
	owner := func(o *object) any {
		if o.owner == "" {
			return nil
		}
		return o.owner
	}
	// The name columns of each kind of object.
	nameCols := map[string][]string{
		"CATALOG":  {"catalog_name"},
		"SCHEMA":   {"catalog_name", "schema_name"},
		"TABLE":    {"table_catalog", "table_schema", "table_name"},
		"FUNCTION": {"specific_catalog", "specific_schema", "specific_name", "routine_catalog", "routine_schema", "routine_name"},
	}
	nameVals := func(o *object) []any {
		var out []any
		for _, p := range o.sec.parts() {
			out = append(out, p)
		}
		if o.sec.Type == "FUNCTION" {
			out = append(out, out...)
		}
		return out
	}
	if catalog == "system" {
		switch view {
		case "metastores":
			// "Information is displayed only for the current metastore for
			// all users" (information-schema/metastores).
			rel.cols = str("metastore_id", "metastore_name", "metastore_owner")
			rel.rows = [][]any{{x.ms.id, "emulated-metastore", x.ms.owner()}}
			return rel, nil
		case "metastore_privileges":
			// Every grant on the metastore, to any caller [inferred: the
			// page names no filter].
			rel.cols = str("grantor", "grantee", "metastore_id", "privilege_type", "is_grantable", "inherited_from")
			o := x.ms.get(Securable{Type: "METASTORE"})
			for _, grantee := range slices.Sorted(mapKeys(o.grants)) {
				if grantee == "" {
					continue
				}
				for _, p := range slices.Sorted(mapKeys(o.grants[grantee])) {
					rel.rows = append(rel.rows, []any{x.ms.owner(), grantee, x.ms.id, privSQL(p), "NO", "NONE"})
				}
			}
			return rel, nil
		}
	}
	kinds := map[string]string{"catalogs": "CATALOG", "schemata": "SCHEMA", "tables": "TABLE", "routines": "FUNCTION",
		"catalog_privileges": "CATALOG", "schema_privileges": "SCHEMA", "table_privileges": "TABLE", "routine_privileges": "FUNCTION"}
	kind, ok := kinds[view]
	if !ok {
		return nil, notFound(Sec("TABLE", catalog+".information_schema."+view))
	}
	if !strings.HasSuffix(view, "_privileges") {
		ownerCol := map[string]string{"CATALOG": "catalog_owner", "SCHEMA": "schema_owner", "TABLE": "table_owner", "FUNCTION": "routine_owner"}[kind]
		cols := slices.Clone(nameCols[kind])
		switch kind {
		case "TABLE":
			cols = append(cols, "table_type")
		case "FUNCTION":
			cols = append(cols, "routine_type", "routine_definition")
		}
		rel.cols = str(append(cols, ownerCol, "comment")...)
		for _, o := range objects {
			if o.sec.Type != kind {
				continue
			}
			row := nameVals(o)
			switch kind {
			case "TABLE":
				row = append(row, o.kind)
			case "FUNCTION":
				row = append(row, "FUNCTION", o.body)
			}
			rel.rows = append(rel.rows, append(row, owner(o), comment(o)))
		}
		return rel, nil
	}
	// *_privileges: a row per grantee and privilege, on the object or
	// inherited from a container (inherited_from names its type).
	rel.cols = str(append(append([]string{"grantor", "grantee"}, nameCols[kind]...), "privilege_type", "is_grantable", "inherited_from")...)
	for _, o := range objects {
		if o.sec.Type != kind {
			continue
		}
		type grant struct{ grantee, priv, from string }
		var grants []grant
		for _, a := range append([]Securable{o.sec}, o.sec.ancestors()...) {
			ao := x.ms.get(a)
			if ao == nil || a.Type == "METASTORE" {
				continue
			}
			from := "NONE"
			if a != o.sec {
				from = a.Type
			}
			for grantee, privs := range ao.grants {
				if grantee == "" {
					continue
				}
				for p := range privs {
					if from != "NONE" && !inheritable(p, kind) {
						continue
					}
					grants = append(grants, grant{grantee, privSQL(p), from})
				}
			}
		}
		slices.SortFunc(grants, func(a, b grant) int {
			return strings.Compare(a.grantee+"\x00"+a.priv+"\x00"+a.from, b.grantee+"\x00"+b.priv+"\x00"+b.from)
		})
		for _, g := range grants {
			row := append([]any{owner(o), g.grantee}, nameVals(o)...)
			rel.rows = append(rel.rows, append(row, g.priv, "NO", g.from))
		}
	}
	return rel, nil
}

// appliesTo lists the privileges an inherited grant gives a schema, a
// table or a function; others (USE CATALOG on a schema, SELECT on a
// function) are not shown as inherited rows [inferred].
var appliesTo = map[string]map[string]bool{
	"TABLE":    {"SELECT": true, "MODIFY": true, "MANAGE": true, "ALL_PRIVILEGES": true, "APPLY_TAG": true},
	"FUNCTION": {"EXECUTE": true, "MANAGE": true, "ALL_PRIVILEGES": true, "APPLY_TAG": true},
}

func inheritable(priv, kind string) bool {
	if kind == "SCHEMA" {
		return priv != "USE_CATALOG" && priv != "CREATE_SCHEMA" && priv != "BROWSE"
	}
	return appliesTo[kind][priv]
}
