package privileges_test

import (
	"bytes"
	"flag"
	"iter"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
	. "github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/privileges/listing"
)

var update = flag.Bool("update", false, "rewrite the expected sections of testdata/audit/*.txtar")

// An audit case is one txtar archive in testdata/audit. Its comment says
// what the case is and may hold directives, one a line:
//
//	rules: owner-model
//	runner: admin@example.com
//	member-of: group-a, group-b
//	strict
//	revoke
//
// Input sections: payload.yaml or payload.json; grants* (any shape Read
// detects), owners* (ReadOwners) and members* (ReadMembers). Output
// sections: report.txt, report.json, report.md, report.xml (JUnit) and
// fix.sql.
type auditCase struct {
	opts     []Option
	runner   string // the runner of the payload's own script (bootstrap, or prerequisites with automatic setup)
	memberOf []string
	write    WriteOptions
}

var auditOutputs = []string{"report.txt", "report.json", "report.md", "report.xml", "fix.sql"}

func parseAuditCase(t *testing.T, comment string) auditCase {
	var c auditCase
	for _, line := range strings.Split(comment, "\n") {
		key, value, _ := strings.Cut(strings.TrimSpace(line), ":")
		value = strings.TrimSpace(value)
		switch key {
		case "rules":
			r, err := ParseRuleSet(value)
			if err != nil {
				t.Fatal(err)
			}
			c.opts = append(c.opts, Rules(r))
		case "runner":
			c.runner = value
		case "member-of":
			for _, g := range strings.Split(value, ",") {
				c.memberOf = append(c.memberOf, strings.TrimSpace(g))
			}
		case "strict":
			c.write.Strict = true
		case "revoke":
			c.write.Revoke = true
		case "allow-unverified":
			c.write.AllowUnverified = true
		}
	}
	return c
}

func TestAuditGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "audit", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no audit cases in testdata/audit (%v)", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			c := parseAuditCase(t, string(ar.Comment))
			var in *ucbootstrap.Integration
			var listings []txtar.File
			facts := Facts{Owners: map[Securable]string{}, MemberOf: map[string][]string{}}
			for _, f := range ar.Files {
				switch {
				case f.Name == "payload.yaml" || f.Name == "payload.json":
					if in, err = ucbootstrap.Decode(f.Name, f.Data); err != nil {
						t.Fatal(err)
					}
				case strings.HasPrefix(f.Name, "grants"):
					listings = append(listings, f)
				case strings.HasPrefix(f.Name, "owners"):
					owners, err := listing.ReadOwners(f.Name, bytes.NewReader(f.Data))
					if err != nil {
						t.Fatal(err)
					}
					maps.Copy(facts.Owners, owners)
				case strings.HasPrefix(f.Name, "members"):
					members, err := listing.ReadMembers(f.Name, bytes.NewReader(f.Data))
					if err != nil {
						t.Fatal(err)
					}
					maps.Copy(facts.MemberOf, members)
				}
			}
			if in == nil || len(listings) == 0 {
				t.Fatal("a case needs a payload and at least one grants section")
			}
			opts := c.opts
			if c.runner != "" {
				kind := generator.SetupKind(in)
				script, err := generator.Generate(in, kind)
				if err != nil {
					t.Fatal(err)
				}
				opts = append(opts, Runner(c.runner, script.Steps()))
			}
			reqs, err := Required(in, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.memberOf) > 0 {
				facts.MemberOf[reqs.ServicePrincipal] = append(facts.MemberOf[reqs.ServicePrincipal], c.memberOf...)
			}
			rep, err := Audit(reqs, chain(listings), facts)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{"fix.sql": rep.FixScript(c.write)}
			for name, format := range map[string]string{"report.txt": "text", "report.json": "json", "report.md": "markdown", "report.xml": "junit"} {
				var b bytes.Buffer
				if err := rep.Write(&b, format, c.write); err != nil {
					t.Fatal(err)
				}
				got[name] = b.String()
			}
			// The listings in the reverse order give the same report.
			rev := append([]txtar.File(nil), listings...)
			for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
				rev[i], rev[j] = rev[j], rev[i]
			}
			again, err := Audit(reqs, chain(rev), facts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(rep.Results, again.Results); len(listings) > 1 && diff != "" {
				t.Errorf("the order of the listings changes the results (-first +reversed):\n%s", diff)
			}

			if *update {
				var keep []txtar.File
				for _, f := range ar.Files {
					if !isOutput(f.Name) {
						keep = append(keep, f)
					}
				}
				for _, name := range auditOutputs {
					keep = append(keep, txtar.File{Name: name, Data: []byte(got[name])})
				}
				ar.Files = keep
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("updated %s", file)
				return
			}
			want := map[string]string{}
			for _, f := range ar.Files {
				if isOutput(f.Name) {
					want[f.Name] = string(f.Data)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("audit of %s differs (-want +got):\n%s", file, diff)
			}
		})
	}
}

func isOutput(name string) bool {
	for _, o := range auditOutputs {
		if o == name {
			return true
		}
	}
	return false
}

func chain(files []txtar.File) iter.Seq2[Grant, error] {
	return func(yield func(Grant, error) bool) {
		for _, f := range files {
			for g, err := range listing.Read(f.Name, bytes.NewReader(f.Data)) {
				if !yield(g, err) || err != nil {
					return
				}
			}
		}
	}
}
