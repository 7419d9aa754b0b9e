package apikey

import (
	"errors"
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap/server/store"
)

func TestNewAndCheck(t *testing.T) {
	key, k, err := New("ci", store.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, Prefix) || k.Name != "ci" || k.Role != store.ReadOnly {
		t.Errorf("New = %q, %+v", key, k)
	}
	if strings.Contains(string(k.Hash), key) || len(k.Hash) != 32 {
		t.Errorf("the stored form is not a SHA-256: %x", k.Hash)
	}
	id, err := ID(key)
	if err != nil || id != k.ID {
		t.Fatalf("ID = %q, %v; want %q", id, err, k.ID)
	}
	if !Matches(k, key) {
		t.Error("the key does not match its stored form")
	}
	other, _, _ := New("other", store.Admin)
	if Matches(k, other) {
		t.Error("another key matches")
	}
	if _, _, err := New("x", "root"); err == nil {
		t.Error("a key with an unknown role was made")
	}
}

func TestMalformed(t *testing.T) {
	key, _, _ := New("ci", store.Admin)
	flip := []byte(key)
	flip[20] ^= 1
	for _, bad := range []string{"", "Bearer", key[:len(key)-1], key + "0", string(flip), strings.ToUpper(key), "ucb_" + strings.Repeat("_", len(key)-4)} {
		if _, err := ID(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("ID(%q) = %v; want ErrMalformed", bad, err)
		}
	}
}
