package lint

import (
	"net/url"
	"testing"
)

// SARIF artifact locations are URIs: relative references or file: URIs.
func TestFileURI(t *testing.T) {
	for name, want := range map[string]string{
		"bootstrap.sql":        "bootstrap.sql",
		"scripts/my file.sql":  "scripts/my%20file.sql",
		"<stdin>":              "%3Cstdin%3E",
		"a:b.sql":              "./a:b.sql",
		"/tmp/x/bootstrap.sql": "file:///tmp/x/bootstrap.sql",
		"100%.sql":             "100%25.sql",
		"q?#.sql":              "q%3F%23.sql",
	} {
		got := fileURI(name)
		if got != want {
			t.Errorf("fileURI(%q) = %q, want %q", name, got, want)
		}
		if _, err := url.Parse(got); err != nil {
			t.Errorf("fileURI(%q) = %q, not a URI: %v", name, got, err)
		}
	}
}
