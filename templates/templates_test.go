package templates

import (
	"slices"
	"strings"
	"testing"

	"github.com/Masterminds/sprig/v3"
)

// nondeterministic lists sprig functions whose output depends on the clock,
// randomness, the environment, the network or map order. None may ever be
// in the function map.
var nondeterministic = []string{
	"now", "date", "dateInZone", "date_in_zone", "dateModify", "date_modify", "ago", "duration",
	"durationRound", "htmlDate", "htmlDateInZone", "unixEpoch", "toDate", "mustToDate",
	"randAlpha", "randAlphaNum", "randAscii", "randNumeric", "randBytes", "randInt", "uuidv4",
	"shuffle", "env", "expandenv", "getHostByName", "keys", "values", "pick", "omit", "dict",
	"bcrypt", "htpasswd", "genPrivateKey", "genCA", "genCAWithKey", "genSelfSignedCert",
	"genSelfSignedCertWithKey", "genSignedCert", "genSignedCertWithKey", "encryptAES", "decryptAES",
	"derivePassword",
}

func TestFuncMapAllowList(t *testing.T) {
	m := FuncMap()
	all := sprig.TxtFuncMap()
	for _, name := range nondeterministic {
		if _, ok := m[name]; ok {
			t.Errorf("function map has %q, which is not deterministic", name)
		}
	}
	for _, name := range SprigAllowed {
		if _, ok := all[name]; !ok {
			t.Errorf("allow-list names %q, which sprig does not have", name)
		}
	}
	want := append(slices.Clone(SprigAllowed), "ident", "lit", "comment")
	slices.Sort(want)
	var got []string
	for name := range m {
		got = append(got, name)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("function map = %v, want exactly the allow-list and ident, lit, comment: %v", got, want)
	}
}

func TestMissingKeyIsAnError(t *testing.T) {
	if _, err := String("catalog", map[string]string{}); err == nil || !strings.HasPrefix(err.Error(), "templates: ") {
		t.Errorf("a template run without its fields gave err = %v, want a templates: error", err)
	}
}

func TestQuotingFunctions(t *testing.T) {
	type row struct{ Key, Value string }
	type view struct {
		Catalog, System, Functions                         string
		CatalogLocation, SystemLocation, FunctionsLocation string
		TenantNote, TenantWho, Marker, GuardAdvice         string
		Fingerprint                                        string
		Metadata                                           []row
	}
	v := view{Catalog: "c`x", System: "s", Functions: "f", CatalogLocation: "s3://b/'x",
		TenantWho: "tenant t'; DROP", Marker: " [ucbootstrap v1 tenant=t'; DROP]", GuardAdvice: "a\\b",
		Metadata: []row{{"tenant", "t'; DROP"}}}
	got, err := String("catalog", v)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, "CREATE CATALOG IF NOT EXISTS `c``x` MANAGED LOCATION 's3://b/\\'x'") {
		t.Errorf("catalog statement does not quote its values:\n%s", got)
	}
	for _, name := range []string{"guard_catalog_foreign", "guard_catalog_visible"} {
		guard, err := String(name, v)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(guard, `'c`+"`"+`x'`) || !strings.Contains(guard, `tenant=t\'; DROP]'`) {
			t.Errorf("%s does not escape the catalog and the marker:\n%s", name, guard)
		}
	}
	meta, err := String("table_integration_metadata", v)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(meta, `('tenant', 't\'; DROP')`) {
		t.Errorf("the metadata rows are not escaped:\n%s", meta)
	}
}
