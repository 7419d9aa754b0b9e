package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
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

// A generated script saved with a byte order mark lints clean.
func TestLintByteOrderMark(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "bootstrap.sql")
	payload := filepath.Join("..", "..", "examples", "payloads", "manual-token.yaml")
	if code, _, stderr := runCLI(t, "generate", payload, "-o", script); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, append([]byte("\ufeff"), data...), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := runCLI(t, "lint", script, "--payload", payload); code != 0 || out+stderr != "" {
		t.Errorf("lint of the script with a byte order mark: exit %d\n%s%s", code, out, stderr)
	}
}

func TestVersionOf(t *testing.T) {
	for _, tc := range []struct {
		bi   *debug.BuildInfo
		want string
	}{
		{nil, "devel"},
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3, go1.26.8"},
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20260101120000-abcdef123456+dirty"}}, "v0.0.0-20260101120000-abcdef123456+dirty, go1.26.8"},
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}}, "devel 0123456789ab (modified), go1.26.8"},
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, "devel, go1.26.8"},
	} {
		if got := versionOf(tc.bi); got != tc.want {
			t.Errorf("versionOf(%+v) = %q, want %q", tc.bi, got, tc.want)
		}
	}
}
