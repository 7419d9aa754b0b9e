package ucbootstrap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// Markers for the secrets of the payloads in these tests: each must never
// appear in anything the package prints.
const (
	tokenMarker  = "dapiTOKENMARKER7f3a9c"
	secretMarker = "doseSECRETMARKER2b8e41"
)

var markerPayloads = map[string]string{
	"token.yaml": `type: Databricks
autoBootstrap: false
config:
  workspaceUrl: dbc-1234abcd-5678.cloud.databricks.com
  httpPath: /sql/1.0/warehouses/1234567890abcdef
  authenticationType: token
  token: ` + tokenMarker + `
  catalog: immuta
  servicePrincipal: 6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f
  dataSources: [main.sales]
`,
	"oauth.yaml": `type: Databricks
autoBootstrap: true
config:
  workspaceUrl: dbc-1234abcd-5678.cloud.databricks.com
  httpPath: /sql/1.0/warehouses/1234567890abcdef
  authenticationType: oAuthM2M
  oAuthClientConfig:
    clientId: 6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f
    clientSecret: "` + secretMarker + `"
    authorityUrl: https://dbc-1234abcd-5678.cloud.databricks.com/oidc/v1/token
  catalog: immuta
`,
	"both.json": `{
  "type": "Databricks",
  "autoBootstrap": true,
  "config": {
    "workspaceUrl": "dbc-1234abcd-5678.cloud.databricks.com",
    "httpPath": "/sql/1.0/warehouses/1234567890abcdef",
    "authenticationType": "oAuthM2M",
    "token": "` + tokenMarker + `",
    "oAuthClientConfig": {
      "clientId": "6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f",
      "clientSecret": "` + secretMarker + `",
      "authorityUrl": "https://dbc-1234abcd-5678.cloud.databricks.com/oidc/v1/token"
    },
    "catalog": "immuta"
  }
}
`,
}

// markerVariants returns broken and unbroken forms of a payload: each line
// dropped, indented, dedented, doubled or cut; the payload cut at every
// byte of the lines with a secret; the secret as another type or quoted
// another way.
func markerVariants(payload string) []string {
	out := []string{payload}
	lines := strings.SplitAfter(payload, "\n")
	for i, l := range lines {
		with := func(repl ...string) string {
			return strings.Join(lines[:i], "") + strings.Join(repl, "") + strings.Join(lines[i+1:], "")
		}
		out = append(out,
			with(),                                   // dropped
			with(" "+l),                              // indented
			with(strings.TrimPrefix(l, " ")),         // dedented
			with(l, l),                               // doubled
			with("\t"+l),                             // tab
			with(strings.Replace(l, ": ", " ", 1)),   // colon lost
			with(strings.Replace(l, ":", ": [", 1)),  // unclosed bracket
			with(strings.Replace(l, ": ", `: "`, 1)), // unclosed quote
			with(strings.Replace(l, ": ", ": '", 1)), // unclosed single quote
		)
	}
	for _, m := range []string{tokenMarker, secretMarker} {
		i := strings.Index(payload, m)
		if i < 0 {
			continue
		}
		for j := i - 12; j <= i+len(m)+2 && j <= len(payload); j++ {
			out = append(out, payload[:max(j, 0)])
		}
		for _, repl := range []string{
			"[" + m + "]", "{v: " + m + "}", "{\"v\": \"" + m + "\"}", "|\n    " + m, ">\n    " + m,
			"'" + m + "'", m + " # comment", "!!str " + m, "&a " + m, m + "\n  catalog: " + m[:4],
			m + ": x", "\"" + m + "\\q\"", m + "\x00", m + "\xff", strings.Repeat("[", 80) + m,
		} {
			out = append(out, strings.Replace(payload, m, repl, 1))
			out = append(out, strings.Replace(strings.Replace(payload, `"`+m+`"`, m, 1), m, repl, 1))
		}
	}
	return out
}

func TestSecretsNeverLeak(t *testing.T) {
	n := 0
	for name, payload := range markerPayloads {
		for i, v := range markerVariants(payload) {
			for _, opts := range [][]Option{nil, {Lenient()}} {
				n++
				in, err := Decode(name, []byte(v), opts...)
				where := fmt.Sprintf("%s variant %d (lenient %v):\n%s", name, i, opts != nil, v)
				if err != nil {
					checkNoMarker(t, where, "err.Error()", err.Error())
					checkNoMarker(t, where, "fmt %+v of the error", fmt.Sprintf("%+v %#v", err, err))
					if ds, ok := err.(Diagnostics); ok {
						for _, d := range ds {
							checkNoMarker(t, where, "Diagnostic", d.String()+d.Message+d.Hint+d.Field)
						}
					}
					continue
				}
				checkIntegrationHidesSecrets(t, where, in)
			}
		}
	}
	t.Logf("%d payloads", n)
}

func checkIntegrationHidesSecrets(t *testing.T, where string, in *Integration) {
	t.Helper()
	for _, d := range in.Warnings() {
		checkNoMarker(t, where, "warning", d.String())
	}
	checkNoMarker(t, where, "Redacted()", string(in.Redacted()))
	checkNoMarker(t, where, "Fingerprint()", in.Fingerprint())
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%p", "%d"} {
		checkNoMarker(t, where, "fmt "+verb, fmt.Sprintf(verb, in)+fmt.Sprintf(verb, *in)+fmt.Sprintf(verb, in.Config))
		if o := in.Config.OAuthClientConfig; o != nil {
			checkNoMarker(t, where, "fmt "+verb+" of OAuthClientConfig", fmt.Sprintf(verb, o)+fmt.Sprintf(verb, *o))
		}
	}
	for _, v := range []any{in, in.Config, in.Config.OAuthClientConfig} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Errorf("%s: json.Marshal(%T): %v", where, v, err)
		}
		checkNoMarker(t, where, "json.Marshal", string(b))
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("payload", "in", in, "config", in.Config)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("payload", "in", in, "config", in.Config)
	checkNoMarker(t, where, "slog", buf.String())
}

func checkNoMarker(t *testing.T, where, what, s string) {
	t.Helper()
	for _, m := range []string{tokenMarker, secretMarker} {
		// Check the distinctive middle too, in case a form cuts or
		// changes the ends.
		if strings.Contains(s, m) || strings.Contains(s, m[4:len(m)-6]) || strings.Contains(strings.ToLower(s), strings.ToLower(m)) {
			t.Errorf("%s\n%s shows the secret: %s", where, what, s)
		}
	}
}

// The marker payloads decode, so that the variants start from a payload
// whose secrets are read, and the revealed values are the markers.
func TestMarkerPayloadsDecode(t *testing.T) {
	for name, payload := range markerPayloads {
		in, err := Decode(name, []byte(payload))
		if name == "both.json" {
			if err == nil {
				t.Errorf("%s decoded, want an error for a token with oAuthM2M", name)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := in.Config.Token.Reveal()
		if o := in.Config.OAuthClientConfig; o != nil {
			got += o.ClientSecret.Reveal()
		}
		if got != tokenMarker && got != secretMarker {
			t.Errorf("%s: revealed %q", name, got)
		}
	}
}

func TestRedact(t *testing.T) {
	tok, sec := NewSecret("dapi0123456789abcdef"), NewSecret("dose+s3cr/t=value")
	for _, tc := range []struct{ in, want string }{
		{"invalid token dapi0123456789abcdef", "invalid token REDACTED"},
		{"Authorization: Bearer dapi0123456789abcdef was refused", "Authorization: Bearer REDACTED was refused"},
		{"header Bearer eyJhbGciOiJSUzI1NiJ9.x.y", "header Bearer REDACTED"},
		{"Basic NmYxYjdjMmU6ZG9zZQ==", "Basic REDACTED"},
		{"grant_type=client_credentials&client_id=abc&client_secret=dose%2Bs3cr%2Ft%3Dvalue&scope=all-apis",
			"grant_type=client_credentials&client_id=abc&client_secret=REDACTED&scope=all-apis"},
		{"client_secret=anything-else&x=1", "client_secret=REDACTED&x=1"},
		{`{"client_secret": "other", "client_id": "abc"}`, `{"client_secret": "REDACTED", "client_id": "abc"}`},
		{"the secret dose+s3cr/t=value leaked", "the secret REDACTED leaked"},
		{"Bearer authentication is required", "Bearer authentication is required"},
		{"Basic auth is disabled", "Basic auth is disabled"},
		{"PERMISSION_DENIED: no MANAGE on main", "PERMISSION_DENIED: no MANAGE on main"},
	} {
		if got := Redact(tc.in, tok, sec); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
