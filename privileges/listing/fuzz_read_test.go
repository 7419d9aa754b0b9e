package listing

import (
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap/privileges"
)

// readSeeds are listings of every shape, for the fuzz targets.
var readSeeds = []string{
	"Principal,ActionType,ObjectType,ObjectKey\nalice@x.com,SELECT,TABLE,main.sales.orders\n,USAGE,CATALOG$,\ng,OWN,DATABASE,`default`\n",
	"principal\taction_type\tobject_type\tobject_key\ng\tUSE CATALOG\tCATALOG\tmain\n",
	"Principal,ActionType,ObjectType,ObjectKey\n\"a,\"\"b\"\"\",SELECT,TABLE,\"`x`.`y`.`z`\"\r\n",
	"grantor,grantee,table_catalog,table_schema,table_name,privilege_type,is_grantable,inherited_from\nSystem user,g,main,s,t,SELECT,NO,CATALOG\na,g,main,s,t,MODIFY,NO,NONE\n",
	"grantee,specific_catalog,specific_schema,specific_name,privilege_type,inherited_from\ng,a,b,f,EXECUTE,main.b\n",
	"catalog_name,catalog_owner\nmain,admins\n",
	"CATALOG_NAME\tSCHEMA_NAME\tSCHEMA_OWNER\nmain\ts\tsp\n",
	"principal,group\nalice@x.com,readers\n",
	`[{"Principal":"a","ActionType":"SELECT","ObjectType":"TABLE","ObjectKey":"a.b.c"},{"Principal":"b","ActionType":"USAGE","ObjectType":"CATALOG$","ObjectKey":null}]`,
	"{\"grantee\":\"g\",\"catalog_name\":\"main\",\"privilege_type\":\"USE_CATALOG\",\"inherited_from\":\"NONE\"}\n{\"grantee\":\"g\",\"catalog_name\":\"main\",\"schema_name\":\"s\",\"privilege_type\":\"SELECT\",\"inherited_from\":\"CATALOG\"}\n",
	`{"statement_id":"1","status":{"state":"SUCCEEDED"},"manifest":{"format":"JSON_ARRAY","schema":{"columns":[{"name":"Principal"},{"name":"ActionType"},{"name":"ObjectType"},{"name":"ObjectKey"}]},"truncated":false},"result":{"data_array":[["a","SELECT","TABLE","x.y.z"],["b",null,"TABLE","x.y.z"]]}}`,
	`{"manifest":{"schema":{"columns":[{"name":"Principal"}]}},"result":{"external_links":[{"external_link":"x"}],"next_chunk_index":1}}`,
	`{"status":{"state":"FAILED","error":{"message":"boom"}}}`,
	`{"privilege_assignments":[{"principal":"x","privileges":["USE_CATALOG","SELECT"]},{"principal_id":7,"privileges":["USAGE"]}],"next_page_token":"t"}`,
	`{"privilege_assignments":[{"principal":"g","privileges":[{"privilege":"SELECT","inherited_from_type":"CATALOG","inherited_from_name":"a"},{"privilege":"MODIFY"}]}]}`,
	`[{"securable_type":"catalog","full_name":"main","privilege_assignments":[{"principal":"x","privileges":["USE_CATALOG"]}]},{"privilege_assignments":[{"principal":"y","privileges":["SELECT"]}],"full_name":"a.b.c"}]`,
	`[{"full_name":"main","owner":"a","securable_type":"CATALOG"},{"full_name":"main.s","owner":"b"}]`,
	`{"catalogs":[{"name":"main","full_name":"main","owner":"a"}]}`,
	"[\n {\"Principal\": \"g\",\n  \"ActionType\" \"SELECT\"}]",
	"\uFEFF[{\"a\":\"\\u00e9\\\"\"}]",
	"",
}

// checkReadError checks that err is a *ReadError whose position lies in
// the input.
func checkReadError(t *testing.T, in string, err error) {
	t.Helper()
	re, ok := err.(*ReadError)
	if !ok {
		t.Fatalf("error %T %v is not a *ReadError", err, err)
	}
	checkPosition(t, in, re.Pos, "error "+err.Error())
	if !strings.HasPrefix(err.Error(), "privileges: fuzz:") {
		t.Fatalf("error %q does not start with the package and file", err)
	}
}

// checkPosition checks that pos lies in the input: its line between 1
// and the number of lines + 1, its column at least 1.
func checkPosition(t *testing.T, in string, pos privileges.Position, what string) {
	t.Helper()
	lines := strings.Count(in, "\n") + 1
	if pos.File != "fuzz" || pos.Line < 1 || pos.Line > lines+1 || pos.Col < 1 {
		t.Fatalf("%s: position %+v outside the input of %d lines", what, pos, lines)
	}
}

func FuzzRead(f *testing.F) {
	for _, s := range readSeeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, in string, withOn bool) {
		var opts []ReadOption
		if withOn {
			opts = append(opts, On(privileges.NewSecurable(privileges.Table, "a.b.c")))
		}
		n := 0
		for g, err := range Read("fuzz", strings.NewReader(in), opts...) {
			if err != nil {
				checkReadError(t, in, err)
				break
			}
			checkPosition(t, in, g.Pos, "grant "+g.String())
			if g.Privilege == "" {
				t.Fatalf("grant %s at %s has no privilege", g, g.Pos)
			}
			if n++; n > len(in) {
				t.Fatalf("more grants (%d) than bytes of input", n)
			}
		}
	})
}

func FuzzReadOwners(f *testing.F) {
	for _, s := range readSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		owners, err := ReadOwners("fuzz", strings.NewReader(in))
		if err != nil {
			checkReadError(t, in, err)
		}
		for s, o := range owners {
			if strings.TrimSpace(o) == "" {
				t.Fatalf("%s has an empty owner", s)
			}
		}
		members, err := ReadMembers("fuzz", strings.NewReader(in))
		if err != nil {
			checkReadError(t, in, err)
		}
		for p, groups := range members {
			for i := 1; i < len(groups); i++ {
				if groups[i-1] >= groups[i] {
					t.Fatalf("groups of %q not sorted and unique: %q", p, groups)
				}
			}
		}
	})
}
