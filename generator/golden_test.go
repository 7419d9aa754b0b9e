package generator_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
)

var update = flag.Bool("update", false, "rewrite the expected sections of testdata/generate/*.txtar")

// A golden case is one txtar archive in testdata/generate. Its comment
// describes the case, and may hold directives, one a line:
//
//	kinds: bootstrap prerequisites edit cleanup   (default: bootstrap)
//	options: revoke-grants                        (cleanup revokes grants)
//
// Its input sections are payload.yaml or payload.json, and old.yaml or
// old.json for an edit. Each kind gives an output section: <kind>.sql with
// the rendered script, or <kind>.error with the error text.
type goldenCase struct {
	kinds        []generator.Kind
	revokeGrants bool
}

func parseDirectives(t *testing.T, comment []byte) goldenCase {
	c := goldenCase{kinds: []generator.Kind{generator.Bootstrap}}
	for _, line := range strings.Split(string(comment), "\n") {
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(key) {
		case "kinds":
			c.kinds = nil
			for _, k := range strings.Fields(value) {
				kind, err := generator.ParseKind(k)
				if err != nil {
					t.Fatal(err)
				}
				c.kinds = append(c.kinds, kind)
			}
		case "options":
			for _, o := range strings.Fields(value) {
				if o != "revoke-grants" {
					t.Fatalf("unknown option %q", o)
				}
				c.revokeGrants = true
			}
		}
	}
	return c
}

func decodeSection(t *testing.T, ar *txtar.Archive, base string) *ucbootstrap.Integration {
	t.Helper()
	for _, f := range ar.Files {
		if f.Name == base+".yaml" || f.Name == base+".json" {
			in, err := ucbootstrap.Decode(f.Name, f.Data)
			if err != nil {
				t.Fatalf("decode %s: %v", f.Name, err)
			}
			return in
		}
	}
	return nil
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "generate", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cases in testdata/generate (%v)", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			c := parseDirectives(t, ar.Comment)
			in := decodeSection(t, ar, "payload")
			if in == nil {
				t.Fatal("no payload.yaml or payload.json section")
			}
			old := decodeSection(t, ar, "old")

			got := map[string]string{}
			for _, kind := range c.kinds {
				var opts []generator.Option
				if kind == generator.Edit {
					opts = append(opts, generator.From(old))
				}
				if c.revokeGrants && kind == generator.Cleanup {
					opts = append(opts, generator.RevokeGrants())
				}
				s, err := generator.Generate(in, kind, opts...)
				if err != nil {
					got[string(kind)+".error"] = err.Error() + "\n"
					continue
				}
				sql, err := s.SQL()
				if err != nil {
					t.Fatal(err)
				}
				checkScript(t, in, old, s, sql)
				got[string(kind)+".sql"] = sql
			}

			inputs := map[string]bool{"payload.yaml": true, "payload.json": true, "old.yaml": true, "old.json": true}
			if *update {
				var files []txtar.File
				for _, f := range ar.Files {
					if inputs[f.Name] {
						files = append(files, f)
					}
				}
				for _, kind := range c.kinds {
					for _, suffix := range []string{".sql", ".error"} {
						if out, ok := got[string(kind)+suffix]; ok {
							files = append(files, txtar.File{Name: string(kind) + suffix, Data: []byte(out)})
						}
					}
				}
				ar.Files = files
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("updated %s", file)
				return
			}
			want := map[string]string{}
			for _, f := range ar.Files {
				if !inputs[f.Name] {
					want[f.Name] = string(f.Data)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("scripts differ from %s (-want +got):\n%s", file, diff)
			}
		})
	}
}

// checkScript applies the properties every generated script has.
func checkScript(t *testing.T, in, old *ucbootstrap.Integration, s *generator.Script, sql string) {
	t.Helper()
	// Determinism: a second run gives the same bytes.
	var opts []generator.Option
	if s.Kind == generator.Edit {
		opts = append(opts, generator.From(old))
	}
	if s.Kind == generator.Cleanup && strings.Contains(sql, "REVOKE") {
		opts = append(opts, generator.RevokeGrants())
	}
	again, err := generator.Generate(in, s.Kind, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if sql2, _ := again.SQL(); sql2 != sql {
		t.Errorf("%s: second run differs", s.Kind)
	}
	// No secret ever reaches a script.
	for _, x := range []*ucbootstrap.Integration{in, old} {
		if x == nil {
			continue
		}
		secrets := []string{x.Config.Token.Reveal()}
		if o := x.Config.OAuthClientConfig; o != nil {
			secrets = append(secrets, o.ClientSecret.Reveal())
		}
		for _, secret := range secrets {
			if secret != "" && strings.Contains(sql, secret) {
				t.Errorf("%s script contains a secret", s.Kind)
			}
		}
	}
	// Every statement ends up in the text, once, in order.
	rest := sql
	for _, st := range s.Statements {
		i := strings.Index(rest, st.SQL+";\n")
		if i < 0 {
			t.Fatalf("%s: statement missing or out of order in the text: %s", s.Kind, st.SQL)
		}
		rest = rest[i+len(st.SQL):]
		if st.Purpose == "" {
			t.Errorf("%s: statement without purpose: %s", s.Kind, st.SQL)
		}
	}
	// Sections come in their order.
	if !slices.IsSortedFunc(s.Statements, func(a, b generator.Statement) int { return int(a.Section - b.Section) }) {
		t.Errorf("%s: sections out of order", s.Kind)
	}
	if !bytes.HasPrefix([]byte(sql), []byte("-- ucbootstrap: ")) {
		t.Errorf("%s: script does not start with its header", s.Kind)
	}
}
