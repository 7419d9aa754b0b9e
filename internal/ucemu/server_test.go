package ucemu

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func get(t *testing.T, s *Server, path, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func TestAuth(t *testing.T) {
	s := New(Token("tok", "alice@example.com"), OAuthClient("id", "secret"))
	defer s.Close()
	if code, _ := get(t, s, MePath, ""); code != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", code)
	}
	if code, _ := get(t, s, MePath, "nope"); code != http.StatusUnauthorized {
		t.Errorf("bad token: %d, want 401", code)
	}
	if code, body := get(t, s, MePath, "tok"); code != 200 || body["userName"] != "alice@example.com" {
		t.Errorf("PAT: %d %v", code, body)
	}
	token := func(form url.Values, basic bool) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, s.URL+TokenPath, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if basic {
			req.SetBasicAuth("id", "secret")
		}
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			AccessToken string `json:"access_token"`
			ExpiresIn   int    `json:"expires_in"`
		}
		json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body.AccessToken
	}
	cc := url.Values{"grant_type": {"client_credentials"}}
	for _, tc := range []struct {
		name  string
		form  url.Values
		basic bool
		want  int
	}{
		{"basic", cc, true, 200},
		{"form", url.Values{"grant_type": {"client_credentials"}, "client_id": {"id"}, "client_secret": {"secret"}}, false, 200},
		{"wrong secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {"id"}, "client_secret": {"x"}}, false, 401},
		{"no credentials", cc, false, 401},
		{"wrong grant", url.Values{"grant_type": {"password"}}, true, 400},
	} {
		code, tok := token(tc.form, tc.basic)
		if code != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, code, tc.want)
			continue
		}
		if code != 200 {
			continue
		}
		if code, body := get(t, s, MePath, tok); code != 200 || body["applicationId"] != "id" {
			t.Errorf("%s: Me with the issued token: %d %v", tc.name, code, body)
		}
	}
	if n := s.TokensIssued(); n != 2 {
		t.Errorf("%d tokens issued, want 2", n)
	}
}

func TestPaging(t *testing.T) {
	s := New(Token("tok", "alice@example.com"), PageSize(2))
	defer s.Close()
	cat := Sec("CATALOG", "main")
	tbl := Sec("TABLE", "main.s.t")
	for _, p := range []string{"a", "b", "c"} {
		s.Grant(p, "USE_CATALOG", cat)
	}
	s.Grant("", "SELECT", tbl)

	code, body := get(t, s, EffectivePath+"table/main.s.t", "tok")
	if code != 200 || len(body["privilege_assignments"].([]any)) != 4 || body["next_page_token"] != nil {
		t.Errorf("unpaged: %d %v", code, body)
	}
	if code, _ := get(t, s, EffectivePath+"table/main.s.t?max_results=10", "tok"); code != http.StatusBadRequest {
		t.Errorf("max_results=10: %d, want 400", code)
	}
	var pages, assignments int
	token := ""
	for {
		path := EffectivePath + "table/main.s.t?max_results=0"
		if token != "" {
			path += "&page_token=" + token
		}
		code, body := get(t, s, path, "tok")
		if code != 200 {
			t.Fatalf("%s: %d %v", path, code, body)
		}
		pages++
		as := body["privilege_assignments"].([]any)
		if pages%2 == 1 && len(as) != 0 {
			t.Errorf("page %d is not empty", pages)
		}
		for _, a := range as {
			a := a.(map[string]any)
			p := a["privileges"].([]any)[0].(map[string]any)
			if a["principal"] == nil {
				if a["principal_id"] == nil || p["inherited_from_type"] != nil {
					t.Errorf("deleted principal: %v", a)
				}
			} else if p["inherited_from_type"] != "CATALOG" || p["inherited_from_name"] != "main" {
				t.Errorf("inherited grant: %v", a)
			}
		}
		assignments += len(as)
		next, _ := body["next_page_token"].(string)
		if next == "" {
			break
		}
		token = next
	}
	if pages != 4 || assignments != 4 {
		t.Errorf("%d pages, %d assignments; want 4 and 4", pages, assignments)
	}
	if code, _ := get(t, s, EffectivePath+"table/main.s.nope", "tok"); code != http.StatusNotFound {
		t.Errorf("unknown table: %d, want 404", code)
	}
	if code, _ := get(t, s, EffectivePath+"TABLE/main.s.t", "tok"); code != http.StatusBadRequest {
		t.Errorf("upper-case type: %d, want 400", code)
	}
	s.Forbid(tbl)
	if code, _ := get(t, s, UCPath+"tables/main.s.t", "tok"); code != http.StatusForbidden {
		t.Errorf("forbidden table: %d, want 403", code)
	}
	s.Fail(UCPath+"catalogs/", http.StatusTooManyRequests, 1)
	if code, _ := get(t, s, UCPath+"catalogs/main", "tok"); code != http.StatusTooManyRequests {
		t.Errorf("fault: %d, want 429", code)
	}
	if code, _ := get(t, s, UCPath+"catalogs/main", "tok"); code != 200 {
		t.Errorf("after the fault: %d, want 200", code)
	}
	if n := s.Requests(); n != 11 {
		t.Errorf("%d requests, want 11", n)
	}
}
