package datakey

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func TestSealOpen(t *testing.T) {
	r, err := NewRing(testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	sealed := r.Seal(7, "token", "dapi-secret")
	if bytes.Contains(sealed, []byte("dapi-secret")) {
		t.Fatal("the sealed value holds the secret in clear")
	}
	if again := r.Seal(7, "token", "dapi-secret"); bytes.Equal(again, sealed) {
		t.Error("two seals of one value are equal: the nonce is not random")
	}
	got, err := r.Open(7, "token", sealed)
	if err != nil || got != "dapi-secret" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	// Bound to the integration and the field.
	for _, c := range []struct {
		id    int64
		field string
	}{{8, "token"}, {7, "clientSecret"}} {
		if _, err := r.Open(c.id, c.field, sealed); err == nil || strings.Contains(err.Error(), "dapi") {
			t.Errorf("Open as integration %d field %s: %v; want an error without the secret", c.id, c.field, err)
		}
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	if _, err := r.Open(7, "token", tampered); err == nil {
		t.Error("a tampered value opened")
	}
	for _, bad := range [][]byte{nil, {1}, {2, 0, 0, 0, 0, 0, 0, 0, 0}, sealed[:12]} {
		if _, err := r.Open(7, "token", bad); err == nil {
			t.Errorf("Open(%x) succeeded", bad)
		}
	}
}

func TestRotation(t *testing.T) {
	old, _ := NewRing(testKey(1))
	sealed := old.Seal(1, "token", "v")
	rotated, err := NewRing(testKey(2), testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rotated.Open(1, "token", sealed); err != nil || got != "v" {
		t.Fatalf("the rotated ring does not open the old value: %q, %v", got, err)
	}
	resealed := rotated.Seal(1, "token", "v")
	if id, _ := KeyOf(resealed); id != rotated.Primary() || id != ID(testKey(2)) {
		t.Errorf("resealed with %s; want the primary %s", id, rotated.Primary())
	}
	if _, err := old.Open(1, "token", resealed); err == nil || !strings.Contains(err.Error(), "not among the data keys") {
		t.Errorf("the old ring opened a value of the new key: %v", err)
	}
}

func TestSentinel(t *testing.T) {
	r, _ := NewRing(testKey(1), testKey(2))
	s, err := r.Sentinel(ID(testKey(2)))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.CheckSentinel(ID(testKey(2)), s); err != nil {
		t.Error(err)
	}
	if err := r.CheckSentinel(ID(testKey(1)), s); err == nil {
		t.Error("the sentinel of key 2 checked as key 1's")
	}
	other, _ := NewRing(testKey(3))
	if err := other.CheckSentinel(ID(testKey(2)), s); err == nil {
		t.Error("a ring without the key checked its sentinel")
	}
	if _, err := r.Sentinel("nope"); err == nil {
		t.Error("a sentinel of a missing key was made")
	}
}

func TestParse(t *testing.T) {
	k1, k2 := base64.StdEncoding.EncodeToString(testKey(1)), base64.StdEncoding.EncodeToString(testKey(2))
	keys, err := Parse("# comment\n\n " + k1 + " \n" + k2 + "\n")
	if err != nil || len(keys) != 2 || !bytes.Equal(keys[0], testKey(1)) {
		t.Fatalf("Parse = %v, %v", keys, err)
	}
	if keys, err := Parse(k1 + "," + k2); err != nil || len(keys) != 2 {
		t.Errorf("comma-separated: %v, %v", keys, err)
	}
	short := base64.StdEncoding.EncodeToString([]byte("short-key-material"))
	for _, bad := range []string{"", "# only a comment\n", "not base64!!", short} {
		_, err := Parse(bad)
		if err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		} else if bad != "" && strings.Contains(err.Error(), bad) {
			t.Errorf("Parse(%q) quotes the key: %v", bad, err)
		}
	}
	if _, err := NewRing(testKey(1), testKey(1)); err == nil {
		t.Error("a ring with a repeated key was made")
	}
}

func TestFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.key")
	if err := CreateFile(path); err != nil {
		t.Fatal(err)
	}
	if err := CreateFile(path); err == nil {
		t.Error("CreateFile replaced an existing key file")
	}
	r, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.IDs()) != 1 {
		t.Errorf("ids %v", r.IDs())
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a world-readable key file loaded: %v", err)
	}
}
