package ucbootstrap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseDataSource(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   DataSource
		errSub string // a part of the error message; "" means no error
		reason string
	}{
		{"catalog", "main", DataSource{Catalog: "main"}, "", "one part names a catalog"},
		{"schema", "main.sales", DataSource{Catalog: "main", Schema: "sales"}, "", "two parts name a schema"},
		{"table", "main.sales.orders", DataSource{Catalog: "main", Schema: "sales", Table: "orders"}, "", "three parts name a table"},
		{"lower case", "Main.Sales.ORDERS", DataSource{Catalog: "main", Schema: "sales", Table: "orders"}, "", "Unity Catalog stores names in lower case"},
		{"backticks", "`hr-data`.`pay_roll`.`2024`", DataSource{Catalog: "hr-data", Schema: "pay_roll", Table: "2024"}, "", "backticks quote names that are not identifiers"},
		{"doubled backtick", "main.`a``b`", DataSource{Catalog: "main", Schema: "a`b"}, "", "a doubled backtick stands for one, as in SQL"},
		{"unicode", "café.ventes", DataSource{Catalog: "café", Schema: "ventes"}, "", "Unity Catalog allows non-ASCII letters"},
		{"empty", "", DataSource{}, "data source name is empty", "nothing to protect"},
		{"blank", "  ", DataSource{}, "data source name is empty", "blanks are nothing too"},
		{"four parts", "main.sales.orders.id", DataSource{}, "has 4 parts", "columns cannot be data sources"},
		{"empty part", "main..x", DataSource{}, `schema name in "main..x" is empty`, "two periods in a row leave a part empty"},
		{"leading period", ".sales", DataSource{}, "catalog name", "a leading period leaves the catalog empty"},
		{"trailing period", "main.", DataSource{}, "schema name", "a trailing period leaves the last part empty"},
		{"period in backticks", "main.`a.b`", DataSource{}, "contains a period", "Unity Catalog never allows a period in a name"},
		{"space in backticks", "main.`a b`", DataSource{}, "contains a space", "Unity Catalog never allows a space in a name"},
		{"space bare", "main.a b", DataSource{}, "contains a space", "a space is wrong without backticks too"},
		{"slash", "main.a/b", DataSource{}, "contains a slash", "Unity Catalog never allows a slash in a name"},
		{"control", "main.a\tb", DataSource{}, "control character", "a tab is a control character"},
		{"unclosed backtick", "main.`sales", DataSource{}, "\"main.`sales\" has a backtick that is never closed", "the message quotes the whole name"},
		{"backtick inside", "ma`in", DataSource{}, "backtick inside a name part", "a backtick must quote a whole part"},
		{"text after backtick", "`main`x.y", DataSource{}, "text after a closing backtick", "parts are separated by periods"},
		{"too long", "main." + strings.Repeat("s", MaxNameLength+1), DataSource{}, "256 bytes long", "Unity Catalog allows 255 bytes a name"},
		{"longest", "main." + strings.Repeat("s", MaxNameLength), DataSource{Catalog: "main", Schema: strings.Repeat("s", MaxNameLength)}, "", "255 bytes is allowed"},
		{"system", "system.access", DataSource{}, "cannot be a data source", "the system catalog is read-only"},
		{"system upper", "SYSTEM", DataSource{}, "cannot be a data source", "reserved catalogs are matched without case"},
		{"hive_metastore", "hive_metastore.default.t", DataSource{}, "legacy Hive metastore", "Unity Catalog does not govern hive_metastore"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDataSource(tt.in)
			if tt.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errSub) {
					t.Fatalf("ParseDataSource(%q) error = %v, want one containing %q (%s)", tt.in, err, tt.errSub, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDataSource(%q): %v (%s)", tt.in, err, tt.reason)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseDataSource(%q) mismatch (-want +got): %s\n%s", tt.in, tt.reason, diff)
			}
		})
	}
}

func TestDataSourceMethods(t *testing.T) {
	cat := DataSource{Catalog: "main"}
	sch := DataSource{Catalog: "main", Schema: "sales"}
	tab := DataSource{Catalog: "main", Schema: "sales", Table: "orders"}
	other := DataSource{Catalog: "main", Schema: "salesx"}
	for _, tt := range []struct {
		ds    DataSource
		level Level
		str   string
	}{{cat, CatalogLevel, "main"}, {sch, SchemaLevel, "main.sales"}, {tab, TableLevel, "main.sales.orders"}} {
		if tt.ds.Level() != tt.level || tt.ds.String() != tt.str || len(tt.ds.Parts()) != int(tt.level) {
			t.Errorf("%#v: Level %v, String %q, Parts %q", tt.ds, tt.ds.Level(), tt.ds.String(), tt.ds.Parts())
		}
	}
	contains := []struct {
		outer, inner DataSource
		want         bool
	}{
		{cat, cat, true}, {cat, sch, true}, {cat, tab, true}, {sch, tab, true},
		{tab, sch, false}, {sch, cat, false}, {other, tab, false}, {sch, other, false},
	}
	for _, tt := range contains {
		if got := tt.outer.Contains(tt.inner); got != tt.want {
			t.Errorf("%v.Contains(%v) = %v, want %v", tt.outer, tt.inner, got, tt.want)
		}
	}
	if !(cat.Compare(sch) < 0 && sch.Compare(tab) < 0 && tab.Compare(other) < 0 && tab.Compare(tab) == 0) {
		t.Error("Compare does not order a catalog before its schemas and a schema before its tables")
	}
}

func TestAddressAndLoopback(t *testing.T) {
	for _, tt := range []struct {
		c    Config
		want string
	}{
		{Config{WorkspaceURL: "dbc-1.cloud.databricks.com"}, "dbc-1.cloud.databricks.com:443"},
		{Config{WorkspaceURL: "localhost", Port: 8080}, "localhost:8080"},
		{Config{WorkspaceURL: "::1", Port: 8080}, "[::1]:8080"},
		{Config{WorkspaceURL: "[::1]", Port: 8080}, "[::1]:8080"},
	} {
		if got := tt.c.Address(); got != tt.want {
			t.Errorf("Config{WorkspaceURL: %q, Port: %d}.Address() = %q, want %q", tt.c.WorkspaceURL, tt.c.Port, got, tt.want)
		}
	}
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "127.0.0.1": true, "127.9.8.7": true, "::1": true, "[::1]": true,
		"::ffff:127.0.0.1": true, "localhost.example.com": false, "10.0.0.1": false, "::": false, "fe80::1%lo": false,
		"dbc-1.cloud.databricks.com": false, "": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestHost(t *testing.T) {
	tests := []struct {
		url, want, reason string
	}{
		{"dbc-1.cloud.databricks.com", "dbc-1.cloud.databricks.com", "a bare host is the host"},
		{"https://dbc-1.cloud.databricks.com", "dbc-1.cloud.databricks.com", "the https scheme is dropped"},
		{"HTTPS://DBC-1.cloud.databricks.com/", "dbc-1.cloud.databricks.com", "scheme and host are case-insensitive; one trailing slash is dropped"},
		{"  adb-123.4.azuredatabricks.net \n", "adb-123.4.azuredatabricks.net", "blanks around are dropped"},
		{"", "", "no URL, no host"},
		{"[::1]", "::1", "the brackets of an IPv6 address are dropped"},
		{"LocalHost", "localhost", "a loopback name is a host"},
	}
	for _, tt := range tests {
		c := Config{WorkspaceURL: tt.url}
		if got := c.Host(); got != tt.want {
			t.Errorf("Config{WorkspaceURL: %q}.Host() = %q, want %q (%s)", tt.url, got, tt.want, tt.reason)
		}
	}
}

// The same payload as validYAML, in JSON, in another key order, with other
// secrets and another spelling of equivalent values.
const validJSONReordered = `{
  "config": {
    "dataSources": ["ANALYTICS", "main.sales", "main.sales"],
    "audit": {"enabled": true},
    "servicePrincipal": "6F1B7C2E-3D4A-4B5C-9E8F-0A1B2C3D4E5F",
    "catalog": "immuta",
    "token": "dapi-another-token",
    "authenticationType": "token",
    "port": 443,
    "httpPath": "sql/1.0/warehouses/1234567890abcdef",
    "workspaceUrl": "https://DBC-1234abcd-5678.cloud.databricks.com/"
  },
  "autoBootstrap": false,
  "type": "Databricks"
}`

func TestFingerprint(t *testing.T) {
	yml := mustDecode(t, "payload.yaml", validYAML)
	jsn := mustDecode(t, "payload.json", validJSONReordered)
	fp := yml.Fingerprint()
	if !strings.HasPrefix(fp, "sha256:") || len(fp) != len("sha256:")+64 {
		t.Fatalf("Fingerprint() = %q, want sha256: and 64 hex digits", fp)
	}
	if got := jsn.Fingerprint(); got != fp {
		t.Errorf("the same payload in JSON, with other key order, secrets and spellings, has fingerprint\n%s, want\n%s\ncanonical YAML: %s\ncanonical JSON: %s",
			got, fp, yml.canonical(false), jsn.canonical(false))
	}
	if got := mustDecode(t, "payload.yaml", validYAML).Fingerprint(); got != fp {
		t.Errorf("Fingerprint is not deterministic: %s, then %s", fp, got)
	}
	changes := map[string]string{
		"catalog":           strings.Replace(validYAML, "catalog: immuta", "catalog: governance", 1),
		"data sources":      strings.Replace(validYAML, "    - analytics\n", "", 1),
		"autoBootstrap":     strings.Replace(validYAML, "autoBootstrap: false", "autoBootstrap: true", 1),
		"audit":             strings.Replace(validYAML, "enabled: true", "enabled: false", 1),
		"port":              strings.Replace(validYAML, "  authenticationType", "  port: 8443\n  authenticationType", 1),
		"service principal": strings.Replace(validYAML, "6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", 1),
		"tenant":            validYAML + "  tenant: acme\n",
	}
	for what, payload := range changes {
		if got := mustDecode(t, "payload.yaml", payload).Fingerprint(); got == fp {
			t.Errorf("a change of %s does not change the fingerprint", what)
		}
	}
}

func TestRedacted(t *testing.T) {
	in := mustDecode(t, "payload.yaml", validYAML)
	red := string(in.Redacted())
	if strings.Contains(red, "dapi-not-a-real-token") || !strings.Contains(red, `"token": "REDACTED"`) {
		t.Errorf("Redacted() = %s; want the token as REDACTED", red)
	}
	var back map[string]any
	if err := json.Unmarshal(in.Redacted(), &back); err != nil {
		t.Errorf("Redacted() is not JSON: %v", err)
	}
}

func TestSecretFormatting(t *testing.T) {
	const value = "dapi0123456789abcdef"
	s := NewSecret(value)
	if s.Reveal() != value || s.IsZero() || !NewSecret("").IsZero() {
		t.Fatal("Reveal or IsZero is wrong")
	}
	type holder struct {
		Token Secret
		Ptr   *Secret
	}
	h := holder{Token: s, Ptr: &s}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t", "%10s", "%-30v", "%.3s", "%08x", "% x", "%#q", "%U", "%c", "%p"} {
		outs = append(outs, verb+" "+fmt.Sprintf(verb, s), verb+" "+fmt.Sprintf(verb, h), verb+" "+fmt.Sprintf(verb, &h))
	}
	outs = append(outs, fmt.Sprint(s), fmt.Sprintln(s, &s), s.String(), s.GoString(), fmt.Errorf("auth: %w", fmt.Errorf("token %v", s)).Error())
	j, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, string(j))
	txt, _ := s.MarshalText()
	outs = append(outs, string(txt))
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("connect", "token", s, "holder", h)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("connect", "token", s, "holder", h, slog.Any("ptr", &s))
	outs = append(outs, buf.String())
	for _, out := range outs {
		for _, leak := range []string{value, "0123456789abcdef", fmt.Sprintf("%x", value)[:16]} {
			if strings.Contains(strings.ToLower(out), strings.ToLower(leak)) {
				t.Errorf("secret leaked: %q", out)
			}
		}
	}
	if got := fmt.Sprintf("%v|%s|%q|%#v|%x", s, s, s, s, s); got != `REDACTED|REDACTED|"REDACTED"|REDACTED|REDACTED` {
		t.Errorf("formatted secret = %s", got)
	}
	if string(j) != `{"Token":"REDACTED","Ptr":"REDACTED"}` {
		t.Errorf("json.Marshal = %s", j)
	}
}

func TestValidateBuiltInGo(t *testing.T) {
	in := &Integration{
		Type:          TypeDatabricks,
		AutoBootstrap: true,
		Config: Config{
			WorkspaceURL:       "dbc-1.cloud.databricks.com",
			HTTPPath:           "/sql/1.0/warehouses/abc123",
			AuthenticationType: OAuthM2M,
			OAuthClientConfig: &OAuthClientConfig{
				ClientID:     "6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f",
				ClientSecret: NewSecret("s"),
				AuthorityURL: "https://dbc-1.cloud.databricks.com/oidc/v1/token",
			},
			Catalog: "Immuta",
		},
	}
	if err := in.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if got := in.Warnings(); len(got) != 1 || got[0].String() != `-: warning: config.catalog: Unity Catalog stores names in lower case; the catalog will be "immuta" (write catalog: immuta)` {
		t.Errorf("Warnings() = %q", got)
	}
	in.Config.Catalog = ""
	in.Config.DataSources = []string{"main..x"}
	err := in.Validate()
	want := "ucbootstrap: invalid payload: 2 errors\n" +
		"-: config.catalog: is required (name the governance catalog, as in catalog: immuta)\n" +
		`-: config.dataSources[0]: schema name in "main..x" is empty (remove the extra period)`
	if err == nil || err.Error() != want {
		t.Errorf("Validate() = %v, want\n%s", err, want)
	}
}

// The JSON form of a validation: stable keys, positions in the one shape.
func TestValidateResultJSON(t *testing.T) {
	in, err := Decode("p.yaml", []byte(validYAML))
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(NewValidateResult("p.yaml", in, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"schema":"ucbootstrap.validate/v2"`, `"file":"p.yaml"`, `"valid":true`, `"summary":{"autoBootstrap":`,
		`"fingerprint":"sha256:`, `"diagnostics":[`} {
		if !strings.Contains(string(got), key) {
			t.Errorf("valid result %s lacks %s", got, key)
		}
	}
	_, err = Decode("p.yaml", []byte("type: Databricks\n"))
	got, _ = json.Marshal(NewValidateResult("p.yaml", nil, err))
	for _, key := range []string{`"valid":false`, `"summary":null`, `{"pos":{"file":"p.yaml","line":1,"col":1},"severity":"error","field":"autoBootstrap","message":"is required"`} {
		if !strings.Contains(string(got), key) {
			t.Errorf("invalid result %s lacks %s", got, key)
		}
	}
	if s := in.Summary().String(); !strings.HasPrefix(s, "manual setup, token auth, catalog ") || !strings.HasSuffix(s, "("+in.Fingerprint()+")") {
		t.Errorf("Summary = %q", s)
	}
}
