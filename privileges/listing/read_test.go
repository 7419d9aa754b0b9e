package listing

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"golang.org/x/tools/txtar"
)

// brief describes a grant in one line for comparisons:
// "line:col principal PRIVILEGE TYPE name", then "<- TYPE name" for an
// inherited row, "legacy" and "hive" flags, and the spelling when it is
// not the privilege key.
func brief(g privileges.Grant) string {
	s := fmt.Sprintf("%d:%d %q %s %s", g.Pos.Line, g.Pos.Col, g.Principal, g.Privilege, g.On)
	if !g.Direct() {
		s += " <- " + g.InheritedFrom.String()
	}
	if g.Legacy {
		s += " legacy"
	}
	if g.Hive {
		s += " hive"
	}
	if g.Spelling != string(g.Privilege) {
		s += fmt.Sprintf(" (%s)", g.Spelling)
	}
	return s
}

// readAll reads every grant of a listing named "f", or the error.
func readAll(in string, opts ...ReadOption) ([]string, error) {
	var out []string
	for g, err := range Read("f", strings.NewReader(in), opts...) {
		if err != nil {
			return out, err
		}
		if g.Pos.File != "f" {
			return out, fmt.Errorf("grant %s has file %q", brief(g), g.Pos.File)
		}
		if err := checkPos(in, g); err != nil {
			return out, fmt.Errorf("grant %s: %v", brief(g), err)
		}
		out = append(out, brief(g))
	}
	return out, nil
}

// byteAt returns the byte of in at a position.
func byteAt(in string, pos privileges.Position) (byte, bool) {
	lines := strings.SplitAfter(strings.TrimPrefix(in, "\uFEFF"), "\n")
	if pos.Line < 1 || pos.Line > len(lines) || pos.Col < 1 || pos.Col > len(lines[pos.Line-1]) {
		return 0, false
	}
	return lines[pos.Line-1][pos.Col-1], true
}

// checkPos checks that a grant's position is at the start of a JSON
// object, array or string (the privilege), or at the first field of a CSV
// row.
func checkPos(in string, g privileges.Grant) error {
	pos := g.Pos
	c, ok := byteAt(in, pos)
	switch {
	case !ok:
		return fmt.Errorf("position %s is outside the input", pos)
	case isJSON(in) && !strings.ContainsRune(`{["`, rune(c)):
		return fmt.Errorf("position %s is at %q, not at the start of an object, array or string", pos, c)
	case !isJSON(in) && pos.Col != 1 && strings.TrimLeft(strings.SplitAfter(in, "\n")[pos.Line-1][:pos.Col-1], " ") != "":
		return fmt.Errorf("position %s is not at the start of a row", pos)
	case isJSON(in) && c == '"':
		lines := strings.SplitAfter(in, "\n")
		var s string
		if err := json.NewDecoder(strings.NewReader(lines[pos.Line-1][pos.Col-1:])).Decode(&s); err != nil || s != g.Spelling {
			return fmt.Errorf("position %s is at the string %q, not at the privilege %q (%v)", pos, s, g.Spelling, err)
		}
	}
	return nil
}

func isJSON(in string) bool {
	s := strings.TrimLeft(strings.TrimPrefix(in, "\uFEFF"), " \t\r\n")
	return s != "" && (s[0] == '{' || s[0] == '[')
}

type readCase struct {
	name string
	in   string
	opts []ReadOption
	want []string
}

func runReadCases(t *testing.T, cases []readCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAll(tc.in, tc.opts...)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("grants (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadShowGrantsCSV(t *testing.T) {
	rows := "alice@x.com,SELECT,TABLE,main.sales.orders\ndata-eng,USE CATALOG,CATALOG,main\n"
	want := []string{
		`2:1 "alice@x.com" SELECT TABLE main.sales.orders`,
		`3:1 "data-eng" USE_CATALOG CATALOG main (USE CATALOG)`,
	}
	var cases []readCase
	for _, h := range []string{
		"Principal,ActionType,ObjectType,ObjectKey",
		"principal,actiontype,objecttype,objectkey",
		"principal,action_type,object_type,object_key",
		"PRINCIPAL,ACTION_TYPE,OBJECT_TYPE,OBJECT_KEY",
		"Principal,Privilege,Object Type,Object Key",
		"principal,actionType,objectType,objectKey",
		"principal,privilege_type,object_type,object_key",
		"grantee,action_type,object_type,object_key",
	} {
		cases = append(cases, readCase{name: h, in: h + "\n" + rows, want: want})
	}
	runReadCases(t, cases)
}

func TestReadShowGrants(t *testing.T) {
	runReadCases(t, []readCase{{
		name: "tsv",
		in:   "Principal\tActionType\tObjectType\tObjectKey\nalice@x.com\tSELECT\tTABLE\tmain.sales.orders\ndata-eng\tALL PRIVILEGES\tSCHEMA\tmain.sales\n",
		want: []string{
			`2:1 "alice@x.com" SELECT TABLE main.sales.orders`,
			`3:1 "data-eng" ALL_PRIVILEGES SCHEMA main.sales (ALL PRIVILEGES)`,
		},
	}, {
		name: "semicolons",
		in:   "Principal;ActionType;ObjectType;ObjectKey\nalice@x.com;SELECT;TABLE;main.sales.orders\n",
		want: []string{`2:1 "alice@x.com" SELECT TABLE main.sales.orders`},
	}, {
		name: "columns in another order, extra columns",
		in:   "ObjectKey,Comment,ActionType,ObjectType,Principal\nmain.sales.orders,x,MODIFY,TABLE,alice@x.com\n",
		want: []string{`2:1 "alice@x.com" MODIFY TABLE main.sales.orders`},
	}, {
		name: "quoted fields and back-quoted keys",
		in:   "Principal,ActionType,ObjectType,ObjectKey\n\"account users\",\"USE SCHEMA\",SCHEMA,`Main`.`Sales`\n\"a,\"\"b\"\"\",SELECT,TABLE,\"`x`.`y.z`.`t`\"\n",
		want: []string{
			`2:1 "account users" USE_SCHEMA SCHEMA main.sales (USE SCHEMA)`,
			`3:1 "a,\"b\"" SELECT TABLE x.y.z.t`,
		},
	}, {
		name: "upper-case names are lower-cased",
		in:   "Principal,ActionType,ObjectType,ObjectKey\nGroup A,SELECT,TABLE,Main.Sales.Orders\n",
		want: []string{`2:1 "Group A" SELECT TABLE main.sales.orders`},
	}, {
		name: "CRLF and BOM",
		in:   "\uFEFFPrincipal,ActionType,ObjectType,ObjectKey\r\nalice@x.com,SELECT,TABLE,a.b.c\r\n\r\nbob@x.com,MODIFY,TABLE,a.b.c\r\n",
		want: []string{
			`2:1 "alice@x.com" SELECT TABLE a.b.c`,
			`4:1 "bob@x.com" MODIFY TABLE a.b.c`,
		},
	}, {
		name: "legacy privileges and types",
		in: "Principal,ActionType,ObjectType,ObjectKey\n" +
			"g,USAGE,CATALOG,main\n" +
			"g,USAGE,DATABASE,main.sales\n" +
			"g,CREATE,SCHEMA,main.sales\n" +
			"g,usage,catalog,main\n",
		want: []string{
			`2:1 "g" USE_CATALOG CATALOG main legacy (USAGE)`,
			`3:1 "g" USE_SCHEMA SCHEMA main.sales legacy (USAGE)`,
			`4:1 "g" CREATE_TABLE SCHEMA main.sales legacy (CREATE)`,
			`5:1 "g" USE_CATALOG CATALOG main legacy (usage)`,
		},
	}, {
		name: "hive_metastore rows",
		in: "Principal,ActionType,ObjectType,ObjectKey\n" +
			"g,USAGE,CATALOG$,\n" +
			"g,SELECT,ANY_FILE,\n" +
			"g,SELECT,ANONYMOUS_FUNCTION,\n" +
			"g,OWN,DATABASE,default\n" +
			"g,DENIED_SELECT,TABLE,`default`.`t`\n" +
			"g,SELECT,TABLE,hive_metastore.default.t\n" +
			"g,READ_METADATA,TABLE,`hive_metastore`.`default`.`t`\n" +
			"g,USAGE,CATALOG$,spark_catalog\n",
		want: []string{
			`2:1 "g" USE_CATALOG CATALOG hive_metastore legacy hive (USAGE)`,
			`3:1 "g" SELECT ANY FILE legacy hive`,
			`4:1 "g" SELECT ANONYMOUS FUNCTION legacy hive`,
			`5:1 "g" OWN SCHEMA default legacy hive`,
			`6:1 "g" DENIED_SELECT TABLE default.t legacy hive`,
			`7:1 "g" SELECT TABLE hive_metastore.default.t legacy hive`,
			`8:1 "g" READ_METADATA TABLE hive_metastore.default.t legacy hive`,
			`9:1 "g" USE_CATALOG CATALOG spark_catalog legacy hive (USAGE)`,
		},
	}, {
		name: "deleted principal, metastore, other securables",
		in: "Principal,ActionType,ObjectType,ObjectKey\n" +
			",SELECT,TABLE,a.b.c\n" +
			"g,CREATE CATALOG,METASTORE,\n" +
			"g,CREATE CATALOG,METASTORE,3f1e-metastore-id\n" +
			"g,READ FILES,EXTERNAL LOCATION,`landing zone`\n" +
			"g,USE CONNECTION,CONNECTION,mysql_connection\n" +
			"g,EXECUTE,FUNCTION,a.b.f\n" +
			"g,READ VOLUME,VOLUME,a.b.v\n" +
			"g,SELECT,VIEW,a.b.v\n" +
			"g,SELECT,MATERIALIZED_VIEW,a.b.mv\n" +
			"g,SELECT,TABLE,\" a.b.t \"\n",
		want: []string{
			`2:1 "" SELECT TABLE a.b.c`,
			`3:1 "g" CREATE_CATALOG METASTORE (CREATE CATALOG)`,
			`4:1 "g" CREATE_CATALOG METASTORE (CREATE CATALOG)`,
			`5:1 "g" READ_FILES EXTERNAL LOCATION landing zone (READ FILES)`,
			`6:1 "g" USE_CONNECTION CONNECTION mysql_connection (USE CONNECTION)`,
			`7:1 "g" EXECUTE FUNCTION a.b.f`,
			`8:1 "g" READ_VOLUME VOLUME a.b.v (READ VOLUME)`,
			`9:1 "g" SELECT VIEW a.b.v`,
			`10:1 "g" SELECT MATERIALIZED VIEW a.b.mv`,
			`11:1 "g" SELECT TABLE a.b.t`,
		},
	}, {
		name: "header only",
		in:   "Principal,ActionType,ObjectType,ObjectKey\n",
	}})
}

func TestReadInformationSchema(t *testing.T) {
	runReadCases(t, []readCase{{
		name: "catalog_privileges",
		in: "grantor,grantee,catalog_name,privilege_type,is_grantable,inherited_from\n" +
			"admin@x.com,data-eng,main,USE_CATALOG,NO,NONE\n" +
			"System user,account users,main,BROWSE,NO,NONE\n",
		want: []string{
			`2:1 "data-eng" USE_CATALOG CATALOG main`,
			`3:1 "account users" BROWSE CATALOG main`,
		},
	}, {
		name: "upper-case headers, schema_privileges",
		in: "GRANTOR,GRANTEE,CATALOG_NAME,SCHEMA_NAME,PRIVILEGE_TYPE,IS_GRANTABLE,INHERITED_FROM\n" +
			"a,g,main,sales,USE_SCHEMA,NO,NONE\n" +
			"a,g,main,sales,SELECT,NO,CATALOG\n" +
			"a,g,Main,Sales,MODIFY,NO,\n",
		want: []string{
			`2:1 "g" USE_SCHEMA SCHEMA main.sales`,
			`3:1 "g" SELECT SCHEMA main.sales <- CATALOG main`,
			`4:1 "g" MODIFY SCHEMA main.sales`,
		},
	}, {
		name: "table_privileges, tab separated",
		in: "grantor\tgrantee\ttable_catalog\ttable_schema\ttable_name\tprivilege_type\tis_grantable\tinherited_from\n" +
			"a\tg\tmain\tsales\torders\tSELECT\tNO\tNONE\n" +
			"a\tg\tmain\tsales\torders\tSELECT\tNO\tSCHEMA\n" +
			"a\tg\tmain\tsales\torders\tMODIFY\tNO\tCATALOG\n" +
			"a\tg\tmain\tsales\torders\tMANAGE\tNO\tNULL\n" +
			"a\tg\tmain\tsales\torders\tAPPLY_TAG\tNO\tnull\n" +
			"a\tg\tmain\tsales\torders\tALL_PRIVILEGES\tNO\tmain.sales\n" +
			"a\tg\tmain\tsales\torders\tBROWSE\tNO\t`main`\n" +
			"a\tg\thive_metastore\tdefault\tt\tSELECT\tNO\tNONE\n",
		want: []string{
			`2:1 "g" SELECT TABLE main.sales.orders`,
			`3:1 "g" SELECT TABLE main.sales.orders <- SCHEMA main.sales`,
			`4:1 "g" MODIFY TABLE main.sales.orders <- CATALOG main`,
			`5:1 "g" MANAGE TABLE main.sales.orders`,
			`6:1 "g" APPLY_TAG TABLE main.sales.orders`,
			`7:1 "g" ALL_PRIVILEGES TABLE main.sales.orders <- SCHEMA main.sales`,
			`8:1 "g" BROWSE TABLE main.sales.orders <- CATALOG main`,
			`9:1 "g" SELECT TABLE hive_metastore.default.t legacy hive`,
		},
	}, {
		name: "routine_privileges",
		in: "grantor,grantee,specific_catalog,specific_schema,specific_name,routine_catalog,routine_schema,routine_name,privilege_type,is_grantable,inherited_from\n" +
			"a,g,main,fn,mask_ssn,main,fn,mask_ssn,EXECUTE,NO,NONE\n",
		want: []string{`2:1 "g" EXECUTE FUNCTION main.fn.mask_ssn`},
	}, {
		name: "routine_privileges, specific columns only",
		in: "grantee,specific_catalog,specific_schema,specific_name,privilege_type\n" +
			"g,main,fn,f,EXECUTE\n",
		want: []string{`2:1 "g" EXECUTE FUNCTION main.fn.f`},
	}, {
		name: "volume_privileges",
		in: "grantor,grantee,volume_catalog,volume_schema,volume_name,privilege_type,is_grantable,inherited_from\n" +
			"a,g,main,raw,files,READ_VOLUME,NO,NONE\n",
		want: []string{`2:1 "g" READ_VOLUME VOLUME main.raw.files`},
	}, {
		name: "external_location_privileges and connection_privileges",
		in: "grantor,grantee,external_location_name,privilege_type,is_grantable,inherited_from\n" +
			"a,g,landing,READ_FILES,NO,NONE\n",
		want: []string{`2:1 "g" READ_FILES EXTERNAL LOCATION landing`},
	}, {
		name: "connection_privileges",
		in: "grantor,grantee,connection_name,privilege_type,is_grantable,inherited_from\n" +
			"a,g,pg,USE_CONNECTION,NO,NONE\n",
		want: []string{`2:1 "g" USE_CONNECTION CONNECTION pg`},
	}})
}

func TestReadJSONRows(t *testing.T) {
	runReadCases(t, []readCase{{
		name: "array of SHOW GRANTS objects",
		in: `[{"Principal":"alice@x.com","ActionType":"SELECT","ObjectType":"TABLE","ObjectKey":"main.sales.orders"},
  {"Principal":"g","ActionType":"USAGE","ObjectType":"CATALOG$","ObjectKey":null},
  {"principal":"g","action_type":"USAGE","object_type":"CATALOG$"},
  {"principal":"g","actionType":"USE CATALOG","objectType":"CATALOG","objectKey":"main","extra":{"a":[1,2]}}]`,
		want: []string{
			`1:2 "alice@x.com" SELECT TABLE main.sales.orders`,
			`2:3 "g" USE_CATALOG CATALOG hive_metastore legacy hive (USAGE)`,
			`3:3 "g" USE_CATALOG CATALOG hive_metastore legacy hive (USAGE)`,
			`4:3 "g" USE_CATALOG CATALOG main (USE CATALOG)`,
		},
	}, {
		name: "JSON Lines of information_schema objects",
		in: `{"grantor":"a","grantee":"g","table_catalog":"main","table_schema":"s","table_name":"t","privilege_type":"SELECT","is_grantable":"NO","inherited_from":"NONE"}
{"GRANTOR":"a","GRANTEE":"g","TABLE_CATALOG":"main","TABLE_SCHEMA":"s","TABLE_NAME":"t","PRIVILEGE_TYPE":"SELECT","IS_GRANTABLE":"NO","INHERITED_FROM":"CATALOG"}
{"grantee":"g","catalog_name":"main","privilege_type":"USE_CATALOG","inherited_from":null}

{"grantee":"g","catalog_name":"main","schema_name":"s","privilege_type":"USE_SCHEMA"}
`,
		want: []string{
			`1:1 "g" SELECT TABLE main.s.t`,
			`2:1 "g" SELECT TABLE main.s.t <- CATALOG main`,
			`3:1 "g" USE_CATALOG CATALOG main`,
			`5:1 "g" USE_SCHEMA SCHEMA main.s`,
		},
	}, {
		name: "empty array",
		in:   " [ ] ",
	}, {
		name: "numbers and booleans as text",
		in:   `[{"principal":"g","privilege":"SELECT","object_type":"TABLE","object_key":"a.b.c","is_grantable":false,"n":1}]`,
		want: []string{`1:2 "g" SELECT TABLE a.b.c`},
	}})
}

func TestReadStatementExecution(t *testing.T) {
	runReadCases(t, []readCase{{
		name: "SHOW GRANTS",
		in: `{
  "statement_id": "01ef-1",
  "status": {"state": "SUCCEEDED"},
  "manifest": {
    "format": "JSON_ARRAY",
    "schema": {"column_count": 4, "columns": [
      {"name": "Principal", "type_name": "STRING", "position": 0},
      {"name": "ActionType", "type_name": "STRING", "position": 1},
      {"name": "ObjectType", "type_name": "STRING", "position": 2},
      {"name": "ObjectKey", "type_name": "STRING", "position": 3}]},
    "total_chunk_count": 1, "total_row_count": 2, "truncated": false
  },
  "result": {
    "chunk_index": 0, "row_offset": 0, "row_count": 2,
    "data_array": [
      ["alice@x.com", "SELECT", "TABLE", "main.sales.orders"],
      ["data-eng", "USE CATALOG", "CATALOG", "main"]
    ]
  }
}`,
		want: []string{
			`16:7 "alice@x.com" SELECT TABLE main.sales.orders`,
			`17:7 "data-eng" USE_CATALOG CATALOG main (USE CATALOG)`,
		},
	}, {
		name: "information_schema with nulls",
		in: `{"manifest":{"schema":{"columns":[{"name":"grantor"},{"name":"grantee"},{"name":"catalog_name"},{"name":"schema_name"},{"name":"privilege_type"},{"name":"is_grantable"},{"name":"inherited_from"}]}},` +
			`"result":{"data_array":[["a","g","main","s","SELECT","NO",null],["a","g","main","s","SELECT","NO","CATALOG"]],"external_links":null}}`,
		want: []string{
			`1:223 "g" SELECT SCHEMA main.s`,
			`1:263 "g" SELECT SCHEMA main.s <- CATALOG main`,
		},
	}, {
		name: "no rows",
		in:   `{"status":{"state":"SUCCEEDED"},"manifest":{"schema":{"columns":[{"name":"Principal"},{"name":"ActionType"},{"name":"ObjectType"},{"name":"ObjectKey"}]}},"result":{}}`,
	}})
}

func TestReadREST(t *testing.T) {
	cat := On(privileges.NewSecurable(privileges.Catalog, "main"))
	runReadCases(t, []readCase{{
		name: "permissions with On",
		in:   `{"privilege_assignments":[{"principal":"alice@x.com","privileges":["USE_CATALOG","SELECT"]},{"principal":"data-eng","privileges":["ALL_PRIVILEGES"]}],"next_page_token":"x"}`,
		opts: []ReadOption{cat},
		want: []string{
			`1:68 "alice@x.com" USE_CATALOG CATALOG main`,
			`1:82 "alice@x.com" SELECT CATALOG main`,
			`1:131 "data-eng" ALL_PRIVILEGES CATALOG main`,
		},
	}, {
		name: "effective permissions with On",
		in: `{"privilege_assignments": [
  {"principal": "grp",
   "privileges": [
     {"privilege": "SELECT", "inherited_from_type": "CATALOG", "inherited_from_name": "main"},
     {"privilege": "MODIFY"},
     {"privilege": "USE_SCHEMA", "inherited_from_type": "SCHEMA", "inherited_from_name": "main.sales"}]}]}`,
		opts: []ReadOption{On(privileges.NewSecurable(privileges.Table, "main.sales.orders"))},
		want: []string{
			`4:6 "grp" SELECT TABLE main.sales.orders <- CATALOG main`,
			`5:6 "grp" MODIFY TABLE main.sales.orders`,
			`6:6 "grp" USE_SCHEMA TABLE main.sales.orders <- SCHEMA main.sales`,
		},
	}, {
		name: "deleted principal, legacy privilege, principal after privileges",
		in:   `{"privilege_assignments":[{"principal_id":123,"privileges":["SELECT"]},{"privileges":["USAGE"],"principal":"g"}]}`,
		opts: []ReadOption{cat},
		want: []string{
			`1:61 "" SELECT CATALOG main`,
			`1:87 "g" USE_CATALOG CATALOG main legacy (USAGE)`,
		},
	}, {
		name: "wrapper",
		in:   `{"securable_type":"catalog","full_name":"main","privilege_assignments":[{"principal":"x","privileges":["USE_CATALOG"]}]}`,
		want: []string{`1:104 "x" USE_CATALOG CATALOG main`},
	}, {
		name: "wrapper with the securable last",
		in:   `{"privilege_assignments":[{"principal":"x","privileges":["USE_SCHEMA"]}],"securable_type":"SCHEMA","full_name":"Main.Sales"}`,
		want: []string{`1:58 "x" USE_SCHEMA SCHEMA main.sales`},
	}, {
		name: "array of wrappers, type inferred, metastore",
		in: `[
 {"securable_type":"table","full_name":"main.sales.orders","privilege_assignments":[{"principal":"x","privileges":["SELECT"]}]},
 {"full_name":"main.sales","privilege_assignments":[{"principal":"x","privileges":["USE_SCHEMA"]}]},
 {"full_name":"main"},
 {"securable_type":"metastore","privilege_assignments":[{"principal":"x","privileges":["CREATE_CATALOG"]}]},
 {"securable_type":"external_location","full_name":"landing","effective_privilege_assignments":[{"principal":"x","privileges":[{"privilege":"READ_FILES"}]}]}
]`,
		want: []string{
			`2:116 "x" SELECT TABLE main.sales.orders`,
			`3:84 "x" USE_SCHEMA SCHEMA main.sales`,
			`5:88 "x" CREATE_CATALOG METASTORE`,
			`6:128 "x" READ_FILES EXTERNAL LOCATION landing`,
		},
	}, {
		name: "JSON Lines of wrappers, the wrapper wins over On",
		in: `{"securable_type":"catalog","full_name":"a","privilege_assignments":[{"principal":"x","privileges":["USE_CATALOG"]}]}
{"securable_type":"catalog","full_name":"b","privilege_assignments":[{"principal":"x","privileges":["USE_CATALOG"]}]}`,
		opts: []ReadOption{cat},
		want: []string{
			`1:101 "x" USE_CATALOG CATALOG a`,
			`2:101 "x" USE_CATALOG CATALOG b`,
		},
	}, {
		name: "empty response",
		in:   `{}`,
		opts: []ReadOption{cat},
	}, {
		name: "effective permissions: inherited_from spelled in other ways",
		in: `{"privilege_assignments":[{"principal":"g","privileges":[
{"privilege":"SELECT","inherited_from_name":"main"},
{"privilege":"MODIFY","inherited_from_type":"SCHEMA"},
{"privilege":"MANAGE","inherited_from_type":"table","inherited_from_name":"Main.Sales.Orders"},
{"privilege":"APPLY_TAG","inherited_from_type":null,"inherited_from_name":"main.sales"},
{"privilege":"BROWSE","inherited_from_type":"METASTORE"}]}]}`,
		opts: []ReadOption{On(privileges.NewSecurable(privileges.Table, "main.sales.orders"))},
		want: []string{
			`2:1 "g" SELECT TABLE main.sales.orders <- CATALOG main`,
			`3:1 "g" MODIFY TABLE main.sales.orders <- SCHEMA main.sales`,
			`4:1 "g" MANAGE TABLE main.sales.orders`,
			`5:1 "g" APPLY_TAG TABLE main.sales.orders <- SCHEMA main.sales`,
			`6:1 "g" BROWSE TABLE main.sales.orders <- METASTORE`,
		},
	}, {
		name: "escaped strings",
		in:   `{"securable_type":"catalog","full_name":"main","privilege_assignments":[{"principal":"a\"b","privileges":["SEL\u0045CT","x\\"]}]}`,
		want: []string{
			`1:107 "a\"b" SELECT CATALOG main`,
			`1:121 "a\"b" X\ CATALOG main (x\)`,
		},
	}})
}

func TestReadStop(t *testing.T) {
	in := showGrantsCSV(100)
	n := 0
	for _, err := range Read("f", strings.NewReader(string(in))) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("read %d grants after break, want 3", n)
	}
}

func TestReadErrors(t *testing.T) {
	const sg = "Principal,ActionType,ObjectType,ObjectKey\n"
	for _, tc := range []struct {
		name string
		in   string
		opts []ReadOption
		want string
		n    int // grants before the error
	}{
		{"empty", "", nil, `f:1:1: empty input: expected SHOW GRANTS or information_schema rows (CSV, TSV, JSON) or a REST permissions or Statement Execution API response`, 0},
		{"blank", " \n\t\n", nil, `f:1:1: empty input: expected SHOW GRANTS or information_schema rows (CSV, TSV, JSON) or a REST permissions or Statement Execution API response`, 0},
		{"UTF-16", "\xff\xfeP\x00r\x00", nil, `f:1:1: the input is UTF-16: save it as UTF-8 (in PowerShell, pipe it to Out-File -Encoding utf8)`, 0},
		{"missing ObjectKey", "Principal,ActionType,ObjectType\ng,SELECT,TABLE\n", nil,
			`f:1:1: no ObjectKey column (columns: Principal, ActionType, ObjectType): SHOW GRANTS output needs Principal, ActionType, ObjectType and ObjectKey`, 0},
		{"missing Principal", "action_type,object_type,object_key\n", nil,
			`f:1:1: no Principal column (columns: action_type, object_type, object_key): SHOW GRANTS output needs Principal, ActionType, ObjectType and ObjectKey`, 0},
		{"no header", "alice@x.com,SELECT,TABLE,a.b.c\n", nil,
			`f:1:1: no object columns (columns: alice@x.com, SELECT, TABLE, a.b.c): expected SHOW GRANTS output (Principal, ActionType, ObjectType, ObjectKey) or information_schema *_privileges rows (grantee, privilege_type and the object's name columns, such as catalog_name)`, 0},
		{"information_schema without table_name", "grantee,table_catalog,table_schema,privilege_type\n", nil,
			`f:1:1: no table_name column (columns: grantee, table_catalog, table_schema, privilege_type): information_schema.table_privileges rows need grantee, privilege_type, table_catalog, table_schema and table_name`, 0},
		{"information_schema without grantee", "grantor,catalog_name,privilege_type\n", nil,
			`f:1:1: no grantee column (columns: grantor, catalog_name, privilege_type): information_schema.catalog_privileges rows need grantee, privilege_type and catalog_name`, 0},
		{"duplicate column", "Principal,grantee,ActionType,ObjectType,ObjectKey\n", nil,
			`f:1:11: columns "Principal" and "grantee" both give the Principal: keep one`, 0},
		{"field count", sg + "g,SELECT,TABLE,a.b.c\ng,SELECT,TABLE,a.b.c,x\n", nil,
			`f:3:1: the row has 5 fields and the header 4: quote every field that contains a comma`, 1},
		{"field count tsv", "Principal\tActionType\tObjectType\tObjectKey\ng\tSELECT\tTABLE\n", nil,
			`f:2:1: the row has 3 fields and the header 4: quote every field that contains a tab`, 0},
		{"bare quote", sg + "g,SEL\"ECT,TABLE,a.b.c\n", nil,
			`f:2:6: bare " in an unquoted field: quote the whole field and double every " inside it`, 0},
		{"unterminated quote", sg + "g,\"SELECT,TABLE,a.b.c\n", nil,
			`f:2:23: extraneous or missing " in a quoted field: end the field with " and double every " inside it`, 0},
		{"unknown object type", sg + "g,SELECT,TABLE,a.b.c\ng,SELECT,WIDGET,a.b.c\n", nil,
			`f:3:10: unknown ObjectType "WIDGET": expected one of METASTORE, CATALOG, SCHEMA, TABLE, VIEW, MATERIALIZED VIEW, VOLUME, FUNCTION, EXTERNAL LOCATION, STORAGE CREDENTIAL, SERVICE CREDENTIAL, CONNECTION, SHARE`, 1},
		{"empty privilege", "principal,action_type,object_type,object_key\ng, ,TABLE,a.b.c\n", nil,
			`f:2:3: empty action_type: every row needs a privilege; fill it in or remove the row`, 0},
		{"empty table_name", "grantee,table_catalog,table_schema,table_name,privilege_type\ng,main,s,,SELECT\n", nil,
			`f:2:10: empty table_name: information_schema.table_privileges rows name the object in table_catalog, table_schema and table_name`, 0},
		{"empty privilege_type", "grantee,catalog_name,privilege_type\ng,main,\n", nil,
			`f:2:8: empty privilege_type: every row needs a privilege; fill it in or remove the row`, 0},
		{"inherited_from not an ancestor", "grantee,catalog_name,privilege_type,inherited_from\ng,main,SELECT,SCHEMA\n", nil,
			`f:2:15: inherited_from "SCHEMA" names no ancestor of CATALOG main: expected NONE, CATALOG, SCHEMA or the ancestor's full name`, 0},
		{"inherited_from another catalog", "grantee,catalog_name,schema_name,privilege_type,inherited_from\ng,main,s,SELECT,other\n", nil,
			`f:2:17: inherited_from "other" names no ancestor of SCHEMA main.s: expected NONE, CATALOG, SCHEMA or the ancestor's full name`, 0},
		{"JSON syntax", "[\n {\"Principal\": \"g\",\n  \"ActionType\" \"SELECT\"}]", nil,
			`f:3:16: invalid JSON: invalid character '"' after object key`, 0},
		{"JSON bad literal", "[\n {\"Principal\": tru}]", nil,
			`f:2:16: invalid JSON: invalid character '}' in literal true (expecting 'e')`, 0},
		{"JSON cut short", "[{\"Principal\":\"g\",\"ActionType\":\"SELECT\",\"ObjectType\":\"TABLE\",\"ObjectKey\":\"a.b.c\"},\n", nil,
			`f:2:1: unexpected end of JSON input: the file is cut short; check that it was written completely`, 1},
		{"JSON scalar", "[]\n\"x\"", nil,
			`f:2:1: found a string where an object or array belongs: expected SHOW GRANTS or information_schema rows (CSV, TSV, JSON) or a REST permissions or Statement Execution API response`, 0},
		{"JSON array of arrays", "[\n  [\"g\"]]", nil,
			`f:2:3: the array holds an array: expected an object per row or REST object`, 0},
		{"JSON unknown object", "[{\"a\": 1, \"b\": [2]}]", nil,
			`f:1:2: no grants in the object (keys: a, b): expected a SHOW GRANTS or information_schema row, a REST permissions response (privilege_assignments), a {"securable_type", "full_name", "privilege_assignments"} wrapper, or a Statement Execution API response (manifest, result)`, 0},
		{"JSON row without ObjectType", `[{"Principal":"g","ActionType":"SELECT","ObjectKey":"a.b.c"}]`, nil,
			`f:1:2: no ObjectType key (keys: Principal, ActionType, ObjectKey): SHOW GRANTS output needs Principal, ActionType, ObjectType and ObjectKey`, 0},
		{"JSON row value not a string", `[{"Principal":{"name":"g"},"ActionType":"SELECT"}]`, nil,
			`f:1:15: "Principal" must be a string, not an object`, 0},
		{"bare REST response", `{"privilege_assignments":[{"principal":"x","privileges":["USE_CATALOG"]}]}`, nil,
			`f:1:1: privilege_assignments without a securable: pass the securable the response is about (the On option), or wrap the response as {"securable_type": "catalog", "full_name": "main", "privilege_assignments": [...]}`, 0},
		{"wrapper contradicts On", `{"privilege_assignments":[{"principal":"x","privileges":["USE_CATALOG"]}],"securable_type":"catalog","full_name":"other"}`,
			[]ReadOption{On(privileges.NewSecurable(privileges.Catalog, "main"))},
			`f:1:1: the object names CATALOG other, but the grants were read as about CATALOG main (the On option): leave out one of them`, 1},
		{"wrapper with unknown type", `{"securable_type":"widget","full_name":"w","privilege_assignments":[]}`, nil,
			`f:1:1: unknown securable_type "widget": expected one of METASTORE, CATALOG, SCHEMA, TABLE, VIEW, MATERIALIZED VIEW, VOLUME, FUNCTION, EXTERNAL LOCATION, STORAGE CREDENTIAL, SERVICE CREDENTIAL, CONNECTION, SHARE`, 0},
		{"wrapper with four name parts", `{"full_name":"a.b.c.d","privilege_assignments":[]}`, nil,
			`f:1:1: cannot tell the type of "a.b.c.d" from its 4 name parts: add securable_type`, 0},
		{"REST empty privilege", `{"securable_type":"catalog","full_name":"main","privilege_assignments":[{"principal":"x","privileges":["SELECT",""]}]}`, nil,
			`f:1:113: empty privilege for principal "x": every privilege of privilege_assignments needs a name`, 1},
		{"REST privilege of separators", ` {"privilegeAssignments":[{"privileges":["_"]}]}`, []ReadOption{On(privileges.NewSecurable(privileges.Table, "a.b.c"))},
			`f:1:42: empty privilege for principal "": every privilege of privilege_assignments needs a name`, 0},
		{"REST privileges not an array", `{"securable_type":"catalog","full_name":"main","privilege_assignments":[{"principal":"x","privileges":"SELECT"}]}`, nil,
			`f:1:103: "privileges" must be an array, not a string`, 0},
		{"REST unknown inherited type", `{"securable_type":"table","full_name":"a.b.c","privilege_assignments":[{"principal":"x","privileges":[{"privilege":"SELECT","inherited_from_type":"GALAXY","inherited_from_name":"a"}]}]}`, nil,
			`f:1:103: unknown inherited_from_type "GALAXY": expected one of METASTORE, CATALOG, SCHEMA, TABLE, VIEW, MATERIALIZED VIEW, VOLUME, FUNCTION, EXTERNAL LOCATION, STORAGE CREDENTIAL, SERVICE CREDENTIAL, CONNECTION, SHARE`, 0},
		{"REST inherited name without type", `{"privilege_assignments":[{"principal":"x","privileges":[{"privilege":"SELECT","inherited_from_name":"a.b.c"}]}]}`,
			[]ReadOption{On(privileges.NewSecurable(privileges.Table, "a.b.c"))},
			`f:1:58: inherited_from_name "a.b.c" without inherited_from_type: add the type`, 0},
		{"REST inherited type without name", `{"privilege_assignments":[{"principal":"x","privileges":[{"privilege":"SELECT","inherited_from_type":"SCHEMA"}]}]}`,
			[]ReadOption{On(privileges.NewSecurable(privileges.Catalog, "a"))},
			`f:1:58: inherited_from_type SCHEMA without inherited_from_name names no ancestor of CATALOG a: add inherited_from_name`, 0},
		{"REST privileges holds a number", `{"privilege_assignments":[{"principal":"x","privileges":[1]}]}`,
			[]ReadOption{On(privileges.NewSecurable(privileges.Catalog, "a"))},
			`f:1:58: "privileges" holds a number: expected strings or {"privilege", "inherited_from_type", "inherited_from_name"} objects`, 0},
		{"REST assignments hold a string", `{"privilege_assignments":["x"]}`, []ReadOption{On(privileges.NewSecurable(privileges.Catalog, "a"))},
			`f:1:27: "privilege_assignments" holds a string: expected {"principal", "privileges"} objects`, 0},
		{"statement running", `{"status":{"state":"RUNNING"}}`, nil,
			`f:1:11: the statement did not succeed (RUNNING): run it again and save the response once its state is SUCCEEDED`, 0},
		{"statement without schema", `{"manifest":{"format":"JSON_ARRAY"}}`, nil,
			`f:1:13: the manifest has no schema.columns: save the response of the Statement Execution API as it is`, 0},
		{"statement duplicate columns", `{"manifest":{"schema":{"columns":[{"name":"principal"},{"name":"grantee"}]}}}`, nil,
			`f:1:56: columns "principal" and "grantee" both give the Principal: keep one`, 0},
		{"statement data_array of strings", `{"manifest":{"schema":{"columns":[{"name":"Principal"},{"name":"ActionType"},{"name":"ObjectType"},{"name":"ObjectKey"}]}},"result":{"data_array":["x"]}}`, nil,
			`f:1:148: data_array holds a string: expected an array of values per row`, 0},
		{"statement value is an object", `{"manifest":{"schema":{"columns":[{"name":"Principal"},{"name":"ActionType"},{"name":"ObjectType"},{"name":"ObjectKey"}]}},"result":{"data_array":[[{}]]}}`, nil,
			`f:1:149: "Principal" must be a string, not an object`, 0},
		{"JSON duplicate keys", `{"principal":"a","grantee":"b"}`, nil,
			`f:1:1: keys "principal" and "grantee" both give the Principal: keep one`, 0},
		{"external links", `{"manifest":{"format":"JSON_ARRAY","schema":{"columns":[{"name":"Principal"},{"name":"ActionType"},{"name":"ObjectType"},{"name":"ObjectKey"}]}},` + "\n" + `"result":{"external_links":[{"external_link":"https://x"}]}}`, nil,
			`f:2:28: result has external_links: the statement ran with the EXTERNAL_LINKS disposition: run it with "disposition": "INLINE" and "format": "JSON_ARRAY", so that the rows are in the response`, 0},
		{"more chunks", `{"manifest":{"schema":{"columns":[{"name":"Principal"},{"name":"ActionType"},{"name":"ObjectType"},{"name":"ObjectKey"}]}},"result":{"data_array":[["g","SELECT","TABLE","a.b.c"]],"next_chunk_index":1}}`, nil,
			`f:1:199: result has next_chunk_index: the result has more chunks than this one: fetch every chunk and put their data_array rows into one response, or select fewer rows`, 1},
		{"truncated", `{"manifest":{"schema":{"columns":[]},"truncated":true}}`, nil,
			`f:1:13: the statement result is truncated (manifest.truncated): run the statement again without row_limit, with a byte_limit that holds every row`, 0},
		{"data before manifest", `{"result":{"data_array":[["g","SELECT","TABLE","a.b.c"]]},"manifest":{}}`, nil,
			`f:1:25: result.data_array comes before manifest.schema.columns: keep the manifest first, as the Statement Execution API writes it`, 0},
		{"statement failed", `{"status":{"state":"FAILED","error":{"error_code":"BAD_REQUEST","message":"[PARSE_SYNTAX_ERROR] Syntax error"}}}`, nil,
			`f:1:11: the statement did not succeed (FAILED: [PARSE_SYNTAX_ERROR] Syntax error): run it again and save the response once its state is SUCCEEDED`, 0},
		{"statement columns unknown", `{"manifest":{"schema":{"columns":[{"name":"a"},{"name":"b"}]}}}`, nil,
			`f:1:13: no object columns (columns: a, b): expected SHOW GRANTS output (Principal, ActionType, ObjectType, ObjectKey) or information_schema *_privileges rows (grantee, privilege_type and the object's name columns, such as catalog_name)`, 0},
		{"statement row too short", `{"manifest":{"schema":{"columns":[{"name":"Principal"},{"name":"ActionType"},{"name":"ObjectType"},{"name":"ObjectKey"}]}},"result":{"data_array":[` + "\n" + `["g","SELECT","TABLE"]]}}`, nil,
			`f:2:1: the row has 3 values and manifest.schema.columns 4: save the response as the API returns it`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAll(tc.in, tc.opts...)
			if err == nil {
				t.Fatalf("Read gave no error; grants:\n%s", strings.Join(got, "\n"))
			}
			var re *ReadError
			if !errors.As(err, &re) {
				t.Fatalf("error %T %v is not a *ReadError", err, err)
			}
			if got, want := err.Error(), "privileges: "+tc.want; got != want {
				t.Errorf("error:\n got %s\nwant %s", got, want)
			}
			if len(got) != tc.n {
				t.Errorf("read %d grants before the error, want %d: %q", len(got), tc.n, got)
			}
		})
	}
}

func TestReadIOError(t *testing.T) {
	boom := errors.New("boom")
	for _, in := range []string{showGrantsHeader + "g,SELECT,TABLE,a.b.c\n", `[{"Principal":"g","ActionType":"SELECT","ObjectType":"TABLE","ObjectKey":"a.b.c"},`} {
		var err error
		for _, e := range Read("f", &failingReader{data: in, err: boom}) {
			err = e
		}
		var re *ReadError
		if !errors.As(err, &re) || !errors.Is(err, boom) || re.Pos.Line < 1 {
			t.Errorf("Read(%.20q...) error %#v: want a *ReadError wrapping boom with a position", in, err)
		}
	}
}

// failingReader returns its data, then err.
type failingReader struct {
	data string
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestReadOwners(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want map[privileges.Securable]string
	}{{
		name: "catalogs CSV",
		in:   "catalog_name,catalog_owner,comment\nmain,admins-group,x\nOps,ops@x.com,\n",
		want: map[privileges.Securable]string{{Type: privileges.Catalog, Name: "main"}: "admins-group", {Type: privileges.Catalog, Name: "ops"}: "ops@x.com"},
	}, {
		name: "schemata TSV",
		in:   "CATALOG_NAME\tSCHEMA_NAME\tSCHEMA_OWNER\nmain\tsales\tsp-1\n",
		want: map[privileges.Securable]string{{Type: privileges.Schema, Name: "main.sales"}: "sp-1"},
	}, {
		name: "tables JSON array, views are tables",
		in: `[{"table_catalog":"main","table_schema":"sales","table_name":"orders","table_type":"MANAGED","table_owner":"a@x.com"},
 {"table_catalog":"main","table_schema":"sales","table_name":"v","table_type":"VIEW","table_owner":"b@x.com"}]`,
		want: map[privileges.Securable]string{{Type: privileges.Table, Name: "main.sales.orders"}: "a@x.com", {Type: privileges.Table, Name: "main.sales.v"}: "b@x.com"},
	}, {
		name: "JSON Lines",
		in:   "{\"catalog_name\":\"main\",\"catalog_owner\":\"x\"}\n{\"catalog_name\":\"main\",\"schema_name\":\"s\",\"schema_owner\":\"y\"}\n",
		want: map[privileges.Securable]string{{Type: privileges.Catalog, Name: "main"}: "x", {Type: privileges.Schema, Name: "main.s"}: "y"},
	}, {
		name: "REST objects",
		in: `[{"full_name":"main","owner":"a","securable_type":"CATALOG","properties":{"k":"v"}},
 {"name":"s","catalog_name":"main","full_name":"main.s","owner":"b"},
 {"full_name":"main.s.t","owner":"c"},
 {"full_name":"main.s.vol","owner":"d","securable_type":"volume"}]`,
		want: map[privileges.Securable]string{{Type: privileges.Catalog, Name: "main"}: "a", {Type: privileges.Schema, Name: "main.s"}: "b", {Type: privileges.Table, Name: "main.s.t"}: "c", {Type: privileges.Volume, Name: "main.s.vol"}: "d"},
	}, {
		name: "REST list responses",
		in: `{"catalogs":[{"name":"main","full_name":"main","owner":"a"}],"next_page_token":""}
{"volumes":[{"full_name":"main.s.v","owner":"b"}]}`,
		want: map[privileges.Securable]string{{Type: privileges.Catalog, Name: "main"}: "a", {Type: privileges.Volume, Name: "main.s.v"}: "b"},
	}, {
		name: "REST list responses of schemas and tables",
		in:   `{"schemas":[{"full_name":"main.s","owner":"a"}],"tables":[{"full_name":"main.s.t","owner":"b","table_type":"VIEW"}],"schemas_count":1}`,
		want: map[privileges.Securable]string{{Type: privileges.Schema, Name: "main.s"}: "a", {Type: privileges.Table, Name: "main.s.t"}: "b"},
	}, {
		name: "single REST object",
		in:   `{"full_name":"main","owner":"a"}`,
		want: map[privileges.Securable]string{{Type: privileges.Catalog, Name: "main"}: "a"},
	}, {
		name: "repeated rows",
		in:   "catalog_name,catalog_owner\nmain,a\nmain,a\n",
		want: map[privileges.Securable]string{{Type: privileges.Catalog, Name: "main"}: "a"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadOwners("f", strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("owners (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadOwnersErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"no owner column", "catalog_name,comment\nmain,x\n",
			`f:1:1: no owner column (columns: catalog_name, comment): expected catalog_owner (information_schema.catalogs), schema_owner (information_schema.schemata), table_owner (information_schema.tables) or owner with full_name (REST)`},
		{"owner without name", "schema_owner,catalog_name\nx,main\n",
			`f:1:1: no schema_name column (columns: schema_owner, catalog_name): information_schema.schemata rows need schema_owner, catalog_name and schema_name`},
		{"two owners", "catalog_name,catalog_owner\nmain,a\nMAIN,b\n",
			`f:3:6: CATALOG main already has owner "a", and this row says "b": keep one`},
		{"empty owner", "catalog_name,catalog_owner\nmain,\n",
			`f:2:6: empty catalog_owner for CATALOG main: every row needs an owner`},
		{"empty name", "catalog_name,catalog_owner\n,x\n",
			`f:2:1: empty catalog_name: information_schema.catalogs rows name the object in catalog_name`},
		{"REST object without owner", `[{"full_name":"main","comment":"x"}]`,
			`f:1:2: no owner key (keys: full_name, comment): expected catalog_owner (information_schema.catalogs), schema_owner (information_schema.schemata), table_owner (information_schema.tables) or owner with full_name (REST)`},
		{"REST object with too many parts", `{"full_name":"a.b.c.d","owner":"x"}`,
			`f:1:1: cannot tell the type of "a.b.c.d" from its 4 name parts: add securable_type`},
		{"REST list of strings", `{"catalogs":["main"]}`,
			`f:1:14: "catalogs" holds a string: expected objects with owner and full_name`},
		{"REST list is not a list", `{"catalogs":{"main":1}}`,
			`f:1:13: "catalogs" must be an array, not an object`},
		{"grants are not owners", `{"securable_type":"catalog","full_name":"main","privilege_assignments":[]}`,
			`f:1:1: no owner key (keys: securable_type, full_name, privilege_assignments): expected catalog_owner (information_schema.catalogs), schema_owner (information_schema.schemata), table_owner (information_schema.tables) or owner with full_name (REST)`},
		{"empty", "", `f:1:1: empty input: expected information_schema catalogs, schemata or tables rows (CSV, TSV, JSON) or REST objects with owner and full_name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadOwners("f", strings.NewReader(tc.in))
			if err == nil {
				t.Fatalf("ReadOwners gave no error: %v", got)
			}
			var re *ReadError
			if !errors.As(err, &re) {
				t.Fatalf("error %T is not a *ReadError", err)
			}
			if got, want := err.Error(), "privileges: "+tc.want; got != want {
				t.Errorf("error:\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestReadMembers(t *testing.T) {
	want := map[string][]string{"alice@x.com": {"data-eng", "readers"}, "bob@x.com": {"readers"}}
	for _, tc := range []struct{ name, in string }{
		{"CSV", "principal,group\nalice@x.com,readers\nbob@x.com,readers\nalice@x.com,data-eng\nalice@x.com,readers\n"},
		{"TSV member", "member\tgroup_name\nalice@x.com\treaders\nbob@x.com\treaders\nalice@x.com\tdata-eng\n"},
		{"JSON array", `[{"user_name":"alice@x.com","group":"readers"},{"user_name":"bob@x.com","group":"readers"},{"user_name":"alice@x.com","group":"data-eng"}]`},
		{"JSON Lines", "{\"Principal\":\"alice@x.com\",\"Group\":\"data-eng\"}\n{\"Principal\":\"alice@x.com\",\"Group\":\"readers\"}\n{\"Principal\":\"bob@x.com\",\"Group\":\"readers\"}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadMembers("f", strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("members (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadMembersErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"no group", "principal,role\na,b\n", `f:1:1: no group column (columns: principal, role): group memberships need a principal (or member, user_name) and a group (or group_name) column`},
		{"no principal", "group\nreaders\n", `f:1:1: no principal column (columns: group): group memberships need a principal (or member, user_name) and a group (or group_name) column`},
		{"both", "principal,member,group\n", `f:1:1: both principal and member columns (columns: principal, member, group): keep one`},
		{"empty group", "principal,group\na,\n", `f:2:3: empty group: every row names a principal and a group`},
		{"empty principal", "[{\"member\":\"\",\"group\":\"g\"}]", `f:1:2: empty member: every row names a principal and a group`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadMembers("f", strings.NewReader(tc.in))
			if err == nil {
				t.Fatal("ReadMembers gave no error")
			}
			if got, want := err.Error(), "privileges: "+tc.want; got != want {
				t.Errorf("error:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// heapDuring reads all grants of r and returns how many there were and
// the largest live heap seen while reading (sampled after a collection
// every step grants).
func heapDuring(t *testing.T, r io.Reader, step int, opts ...ReadOption) (n int, peak uint64) {
	t.Helper()
	var ms runtime.MemStats
	for _, err := range Read("gen", r, opts...) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n%step == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	return n, peak
}

func TestReadStreamsCSV(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a million rows")
	}
	const rows = 1_000_000
	gen := newRowGenerator(rows)
	n, peak := heapDuring(t, gen, 100_000)
	if n != rows {
		t.Fatalf("read %d grants, want %d", n, rows)
	}
	t.Logf("%d rows, %d MB of CSV, live heap at most %.1f MB", n, gen.size>>20, float64(peak)/(1<<20))
	if peak > 8<<20 || peak > uint64(gen.size)/8 {
		t.Errorf("live heap reached %d bytes while reading %d bytes: reading does not stream", peak, gen.size)
	}
}

func TestReadStreamsJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 200 000 objects")
	}
	const rows = 200_000
	for _, gen := range []*generator{{
		// An array of SHOW GRANTS objects over many lines.
		prefix: "[\n", suffix: "\n]\n", n: rows,
		row: func(b []byte, i int) []byte {
			if i > 0 {
				b = append(b, ",\n"...)
			}
			return fmt.Appendf(b, `  {"Principal": "user%d@x.com", "ActionType": "SELECT", "ObjectType": "TABLE", "ObjectKey": "c%d.s.t%d"}`, i%100, i%1000, i)
		},
	}, {
		// One wrapper with a huge assignment list, on one line.
		prefix: `{"securable_type":"catalog","full_name":"main","privilege_assignments":[`, suffix: "]}", n: rows,
		row: func(b []byte, i int) []byte {
			if i > 0 {
				b = append(b, ',')
			}
			return fmt.Appendf(b, `{"principal":"user%d@x.com","privileges":["USE_CATALOG",{"privilege":"SELECT"}]}`, i)
		},
	}} {
		n, peak := heapDuring(t, gen, 50_000)
		if n < rows {
			t.Fatalf("read %d grants, want at least %d", n, rows)
		}
		t.Logf("%d grants, %d MB of JSON, live heap at most %.1f MB", n, gen.size>>20, float64(peak)/(1<<20))
		if peak > 8<<20 || peak > uint64(gen.size)/8 {
			t.Errorf("live heap reached %d bytes while reading %d bytes: reading does not stream", peak, gen.size)
		}
	}
}

func TestPlainName(t *testing.T) {
	// plainName must never be true where NewSecurable changes the name,
	// and must be exact on ASCII.
	check := func(s string) {
		t.Helper()
		got, want := plainName(s), privileges.NewSecurable(privileges.Table, s).Name == s
		if plain, dots := scanName(s); plain && dots != strings.Count(s, ".") {
			t.Errorf("scanName(%q) counts %d periods, want %d", s, dots, strings.Count(s, "."))
		}
		ascii := true
		for i := 0; i < len(s); i++ {
			ascii = ascii && s[i] < utf8.RuneSelf
		}
		if got && !want || ascii && got != want {
			t.Errorf("plainName(%q) = %v, want %v", s, got, want)
		}
	}
	for _, s := range []string{"", "a", "abcdefg", "abcdefgh", "abcdefghi", "main.sales.orders", "main.sales.Orders",
		"Main.sales.orders", "main.sales.orderS", "main`x", "`main`.`sales`", "caf\u00e9.s.t", "a@b.c-d_e.f",
		"abcdefgh[", "abcdefgh@", "abcdefghZ", "abcdefgh`", "abcdefgh\x7f", "{|}~^_[\\]", "0123456789:;<=>?@",
		".", "........", ".........", "a.b.c.d.e.f.g.h.i", "main.sales.orders.", ".main.sales.orders", "abcdefg.hijklmn.opqrstu.vw"} {
		check(s)
	}
	for c := range 256 {
		b := []byte{byte(c)}
		for _, s := range []string{string(b), "abcdefgh" + string(b), string(b) + "abcdefgh", "abc" + string(b) + "defghijklmnop"} {
			check(s)
		}
	}
}

// TestReadGolden reads the listings of testdata/read/*.txtar. An archive
// holds one input file, named as the listing (its extension is only for
// the reader of the archive), and the expected outcome: "want" for Read
// (brief lines, then "error: ..." if reading fails), "owners" for
// ReadOwners, "members" for ReadMembers; an "on" section ("TYPE name")
// passes On. With -update (where the package's tests define it), the
// expected sections are rewritten.
func TestReadGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "read", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var input *txtar.File
			sections := map[string]*txtar.File{}
			for i := range ar.Files {
				f := &ar.Files[i]
				switch f.Name {
				case "want", "owners", "members", "on":
					sections[f.Name] = f
				default:
					if input != nil {
						t.Fatalf("two inputs: %s and %s", input.Name, f.Name)
					}
					input = f
				}
			}
			if input == nil {
				t.Fatal("no input")
			}
			for _, name := range []string{"want", "owners", "members"} {
				want := sections[name]
				if want == nil {
					continue
				}
				got := goldenOutcome(t, name, input, sections["on"])
				if updating() {
					want.Data = []byte(got)
					continue
				}
				if diff := cmp.Diff(string(want.Data), got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", name, diff)
				}
			}
			if updating() {
				if err := os.WriteFile(file, txtar.Format(ar), 0o666); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// goldenOutcome reads an input as a golden section says and describes
// the outcome in that section's form.
func goldenOutcome(t *testing.T, section string, input, on *txtar.File) string {
	t.Helper()
	var b strings.Builder
	in := string(input.Data)
	switch section {
	case "want":
		var opts []ReadOption
		if on != nil {
			typ, name, _ := strings.Cut(strings.TrimSpace(string(on.Data)), " ")
			st, ok := privileges.ParseSecurableType(typ)
			if !ok {
				t.Fatalf("on: unknown type %q", typ)
			}
			opts = append(opts, On(privileges.NewSecurable(st, name)))
		}
		for g, err := range Read(input.Name, strings.NewReader(in), opts...) {
			if err != nil {
				fmt.Fprintf(&b, "error: %v\n", err)
				break
			}
			if err := checkPos(in, g); err != nil {
				t.Errorf("grant %s: %v", brief(g), err)
			}
			fmt.Fprintln(&b, brief(g))
		}
	case "owners":
		owners, err := ReadOwners(input.Name, strings.NewReader(in))
		if err != nil {
			return fmt.Sprintf("error: %v\n", err)
		}
		for _, s := range slices.SortedFunc(maps.Keys(owners), privileges.Securable.Compare) {
			fmt.Fprintf(&b, "%s: %s\n", s, owners[s])
		}
	case "members":
		members, err := ReadMembers(input.Name, strings.NewReader(in))
		if err != nil {
			return fmt.Sprintf("error: %v\n", err)
		}
		for _, p := range slices.Sorted(maps.Keys(members)) {
			fmt.Fprintf(&b, "%s: %s\n", p, strings.Join(members[p], ", "))
		}
	}
	return b.String()
}

// updating reports whether -update asks to rewrite golden files. The flag
// belongs to whichever test file of the package defines it.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}
