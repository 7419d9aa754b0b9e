package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A hard link to an input is the input: refused, and the input is kept.
func TestOutputHardLinkToInput(t *testing.T) {
	dir := t.TempDir()
	payload := filepath.Join(dir, "payload.yaml")
	const text = "type: Databricks\n"
	if err := os.WriteFile(payload, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.yaml")
	if err := os.Link(payload, hard); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"audit", payload, "--grants", payload, "-o", hard},
		{"generate", payload, "-o", hard},
		{"grants", "dump", payload, "-o", hard},
	} {
		code, _, stderr := runCLI(t, args...)
		if code != 2 || !strings.Contains(stderr, "would overwrite the payload") {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr)
		}
	}
	if data, err := os.ReadFile(payload); err != nil || string(data) != text {
		t.Errorf("the payload is now %q, %v", data, err)
	}
}
