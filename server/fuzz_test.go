package server

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap"
)

// FuzzHandlers sends hostile bodies to every endpoint: no panic (a 500),
// and no credential of the body, nor of the test payloads, in any response
// or log line. Run it with -fuzzminimizetime 2s: minimizing the large
// seeds takes minutes otherwise.
func FuzzHandlers(f *testing.F) {
	for i := range routeTable {
		for _, body := range []string{
			tokenPayload(ws1, true),
			tokenPayload(ws1, false),
			oauthPayload("adb-1.azuredatabricks.net"),
			strings.Replace(tokenPayload(ws1, true), `"token"`, `"token": 5, "x"`, 1),
			`{"type": "Databricks", "config": {"token": "` + testToken + `", "authenticationType": 7}}`,
			`{"config": {"oAuthClientConfig": {"clientSecret": ["` + testSecret + `"]}}}`,
			"type: Databricks\nconfig: &a [*a, *a]\n",
			"{\"type\": \"\x00\xff\"}",
			strings.Repeat("[", 10000),
			"",
		} {
			for _, ct := range []string{"application/json", "application/yaml", ""} {
				f.Add(uint8(i), ct, []byte(body))
			}
		}
	}
	h := newHarness(f, "sqlite", func(c *Config) { c.MaxBodyBytes = 64 << 10 })
	handler := h.srv.Handler()
	f.Fuzz(func(t *testing.T, route uint8, ct string, body []byte) {
		rt := routeTable[int(route)%len(routeTable)]
		path := strings.ReplaceAll(rt.path, "{id}", "1")
		req := httptest.NewRequest(rt.method, path, bytes.NewReader(body))
		req.Header.Set("Authorization", h.admin)
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code == http.StatusInternalServerError {
			t.Fatalf("%s %s: 500\n%s", rt.method, path, rec.Body)
		}
		secrets := append([]string{}, testSecrets...)
		if in, err := ucbootstrap.Decode("fuzz", body); err == nil {
			for _, s := range []string{in.Config.Token.Reveal(), secretOf(in.Config.OAuthClientConfig).Reveal()} {
				if len(s) >= 8 && s != ucbootstrap.Redacted {
					secrets = append(secrets, s)
				}
			}
		} else {
			secrets = append(secrets, rawSecrets(body)...)
		}
		for _, s := range secrets {
			if bytes.Contains(rec.Body.Bytes(), []byte(s)) {
				t.Fatalf("%s %s: the response holds a credential:\n%s", rt.method, path, rec.Body)
			}
			if strings.Contains(h.logs.String(), s) {
				t.Fatalf("%s %s: the log holds a credential", rt.method, path)
			}
		}
	})
}

// secretOf returns the client secret of an OAuth configuration, or the
// zero Secret.
func secretOf(o *ucbootstrap.OAuthClientConfig) ucbootstrap.Secret {
	if o == nil {
		return ucbootstrap.Secret{}
	}
	return o.ClientSecret
}

// rawSecretRE finds the value of a token or clientSecret key in a body
// that does not decode, in JSON or YAML form.
var rawSecretRE = regexp.MustCompile(`"?(?:token|clientSecret)"?\s*:\s*"?([^"\s,}\\]{8,})`)

// rawSecrets returns the secrets of a body that does not decode: each
// value of a secret key that the body holds only there (a value repeated
// in another field may rightly be quoted by a message about that field).
func rawSecrets(body []byte) []string {
	var out []string
	for _, m := range rawSecretRE.FindAllSubmatch(body, -1) {
		if s := m[1]; bytes.Count(body, s) == 1 && string(s) != ucbootstrap.Redacted {
			out = append(out, string(s))
		}
	}
	return out
}

func TestRawSecrets(t *testing.T) {
	for _, c := range []struct {
		body string
		want []string
	}{
		{`{"config": {"token": "dapi-12345678", "port": "x"`, []string{"dapi-12345678"}},
		{"config:\n  oAuthClientConfig:\n    clientSecret: dose-abcdefgh\n  port: [", []string{"dose-abcdefgh"}},
		{`{"type": "abcdefghij", "config": {"token": "abcdefghij"}`, nil}, // quoted as the type
		{`{"config": {"token": "short"}`, nil},
	} {
		if got := rawSecrets([]byte(c.body)); strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("rawSecrets(%q) = %q, want %q", c.body, got, c.want)
		}
	}
}
