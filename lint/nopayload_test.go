package lint_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/lint"
)

// TestRunWithoutPayload checks that the rules run without a payload are
// the ones that say so, and that the others are reported skipped.
func TestRunWithoutPayload(t *testing.T) {
	diags, skipped := lint.RunWithoutPayload("x.sql", []byte("GRANT SELECT ON TABLE samples.a.b TO g;\nSELEC 1;\n"))
	var codes []string
	for _, d := range diags {
		codes = append(codes, d.Code)
	}
	if got := strings.Join(codes, " "); got != "UCB015 UCB001" {
		t.Errorf("codes = %q, want %q", got, "UCB015 UCB001")
	}
	ran := map[string]bool{}
	for _, r := range lint.Rules() {
		ran[r.Code] = r.WithoutPayload
	}
	for _, r := range skipped {
		if ran[r.Code] {
			t.Errorf("%s runs without a payload, yet is reported skipped", r.Code)
		}
		delete(ran, r.Code)
	}
	for code, without := range ran {
		if !without {
			t.Errorf("%s neither runs without a payload nor is reported skipped", code)
		}
	}
	for _, want := range []string{"UCB001", "UCB006", "UCB007", "UCB008", "UCB010", "UCB011", "UCB015"} {
		if r := lint.Lookup(want); r == nil || !r.WithoutPayload {
			t.Errorf("%s does not run without a payload", want)
		}
	}
}

// TestRunEditGeneratedClean checks that the edit scripts the generator
// makes between the example payloads lint clean against themselves.
func TestRunEditGeneratedClean(t *testing.T) {
	payloads, err := filepath.Glob(filepath.Join(root, "examples", "payloads", "*"))
	if err != nil || len(payloads) == 0 {
		t.Fatalf("no example payloads (%v)", err)
	}
	payloads = append(payloads, filepath.Join(root, "testdata", "lint", "payload.yaml"), filepath.Join(root, "testdata", "lint", "payload-old.yaml"))
	n := 0
	for _, newPath := range payloads {
		for _, oldPath := range payloads {
			in, old := decode(t, newPath), decode(t, oldPath)
			s, err := generator.Generate(in, generator.Edit, generator.From(old))
			if err != nil {
				continue // no edit between these payloads
			}
			sql, err := s.SQL()
			if err != nil {
				t.Fatal(err)
			}
			n++
			name := fmt.Sprintf("%s-from-%s.sql", filepath.Base(newPath), filepath.Base(oldPath))
			diags, err := lint.RunEdit(name, []byte(sql), in, old)
			if err != nil {
				t.Errorf("RunEdit(%s): %v", name, err)
			}
			for _, d := range diags {
				t.Errorf("generated edit script: %s", d)
			}
		}
	}
	if n < 4 {
		t.Errorf("only %d edit scripts generated", n)
	}
}

// TestRunEditErrors checks that RunEdit refuses what it cannot lint.
func TestRunEditErrors(t *testing.T) {
	in := decode(t, filepath.Join(root, "testdata", "lint", "payload.yaml"))
	if _, err := lint.RunEdit("x.sql", nil, in, nil); err == nil || !strings.HasPrefix(err.Error(), "lint: no old payload") {
		t.Errorf("RunEdit(nil old) = %v", err)
	}
	if _, err := lint.RunEdit("x.sql", nil, nil, in); err == nil || !strings.HasPrefix(err.Error(), "lint: no payload") {
		t.Errorf("RunEdit(nil new) = %v", err)
	}
}
