package suggest

import "testing"

func TestNearest(t *testing.T) {
	keys := []string{"workspaceUrl", "httpPath", "port", "authenticationType", "token", "catalog"}
	tests := []struct {
		word, want string
	}{
		{"workspaceURL", "workspaceUrl"}, // case only
		{"catalgo", "catalog"},           // transposition
		{"httpPth", "httpPath"},          // deletion
		{"prot", ""},                     // two edits; four letters allow one
		{"zzzzzz", ""},                   // nothing close
		{"authType", ""},                 // too far
	}
	for _, tt := range tests {
		if got := Nearest(tt.word, keys); got != tt.want {
			t.Errorf("Nearest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}
