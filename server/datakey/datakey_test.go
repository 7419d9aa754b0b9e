package datakey

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
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

func b64(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

// writeKeys replaces a key file at once, as the docs say to.
func writeKeys(t *testing.T, path string, keys ...[]byte) {
	t.Helper()
	var text strings.Builder
	text.WriteString("# test keys\n")
	for _, k := range keys {
		text.WriteString(b64(k) + "\n")
	}
	if err := WriteFile(path, []byte(text.String())); err != nil {
		t.Fatal(err)
	}
}

// A ring loaded from a file follows it: it seals with the file's current
// primary key, and opens values sealed with a key added to the file since.
func TestFollowFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.key")
	writeKeys(t, path, testKey(1))
	running, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	running.SetLogger(slog.New(slog.NewTextHandler(&logs, nil)))
	before := running.Seal(1, "token", "v1")

	// The rotation: the new key first, the old one kept.
	writeKeys(t, path, testKey(2), testKey(1))
	rotate, _ := LoadFile(path)
	resealed := rotate.Seal(1, "token", "v1")
	if got, err := running.Open(1, "token", resealed); err != nil || got != "v1" {
		t.Fatalf("the running ring does not open a value sealed with the new key: %q, %v", got, err)
	}
	if got, err := running.Open(1, "token", before); err != nil || got != "v1" {
		t.Fatalf("the running ring does not open its old value: %q, %v", got, err)
	}
	if id, _ := KeyOf(running.Seal(2, "token", "v2")); id != ID(testKey(2)) {
		t.Errorf("the running ring seals with %s after the rotation; want the new key %s", id, ID(testKey(2)))
	}
	if !strings.Contains(logs.String(), "data key file reloaded") || strings.Contains(logs.String(), b64(testKey(2))) {
		t.Errorf("the reload log:\n%s", logs.String())
	}

	// A file that does not load leaves the keys as they were.
	for _, bad := range []func(){
		func() { os.WriteFile(path, []byte("not a key\n"), 0o600) },
		func() { writeKeys(t, path, testKey(3)); os.Chmod(path, 0o644) },
		func() { os.Remove(path) },
	} {
		bad()
		logs.Reset()
		if id, _ := KeyOf(running.Seal(3, "token", "v3")); id != ID(testKey(2)) {
			t.Errorf("after a bad file the ring seals with %s; want %s", id, ID(testKey(2)))
		}
		if !strings.Contains(logs.String(), "does not load") {
			t.Errorf("a bad file is not logged:\n%s", logs.String())
		}
		if changed, err := running.Reload(); changed || err == nil {
			t.Errorf("Reload of a bad file = %t, %v", changed, err)
		}
	}
	writeKeys(t, path, testKey(2))
	if changed, err := running.Reload(); !changed || err != nil || strings.Join(running.IDs(), ",") != ID(testKey(2)) {
		t.Errorf("Reload = %t, %v; ids %v", changed, err, running.IDs())
	}
	if changed, err := running.Reload(); changed || err != nil {
		t.Errorf("Reload of the same file = %t, %v", changed, err)
	}

	// Keys given to NewRing have no file to follow.
	given, _ := NewRing(testKey(1))
	if changed, err := given.Reload(); changed || err != nil || given.File() != "" {
		t.Errorf("a ring of given keys: Reload = %t, %v; File %q", changed, err, given.File())
	}
}

func TestKeyError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.key")
	writeKeys(t, path, testKey(1))
	r, _ := LoadFile(path)
	other, _ := NewRing(testKey(2))
	_, err := r.Open(4, "clientSecret", other.Seal(4, "clientSecret", "s"))
	var ke *KeyError
	if !errors.As(err, &ke) {
		t.Fatalf("error %T %v; want a *KeyError", err, err)
	}
	want := KeyError{Integration: 4, Field: "clientSecret", Key: ID(testKey(2)), Have: []string{ID(testKey(1))}, File: path, Missing: true}
	if !reflect.DeepEqual(*ke, want) {
		t.Errorf("KeyError %+v\nwant     %+v", *ke, want)
	}
	sealed := r.Seal(4, "token", "s")
	_, err = r.Open(5, "token", sealed)
	if !errors.As(err, &ke) || ke.Missing || ke.Integration != 5 || ke.Key != ID(testKey(1)) {
		t.Errorf("a moved value: %v", err)
	}
}

func TestRemoveKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.key")
	k1, k2, k3 := b64(testKey(1)), b64(testKey(2)), b64(testKey(3))
	orig := "# keys\n" + k1 + "\n\n" + k2 + ", " + k3 + "\n"
	if err := os.WriteFile(path, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ id, want string }{
		{ID(testKey(1)), "is the primary key"},
		{ID(testKey(9)), "holds no key"},
	} {
		if _, err := RemoveKey(path, c.id); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("RemoveKey(%s) = %v; want %q", c.id, err, c.want)
		}
	}
	old, err := RemoveKey(path, ID(testKey(2)))
	if err != nil || string(old) != orig {
		t.Fatalf("RemoveKey = %q, %v", old, err)
	}
	b, _ := os.ReadFile(path)
	if want := "# keys\n" + k1 + "\n\n" + k3 + "\n"; string(b) != want {
		t.Errorf("the file after RemoveKey:\n%s\nwant:\n%s", b, want)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v; want 600", fi.Mode().Perm())
	}
	if _, err := RemoveKey(path, ID(testKey(3))); err != nil {
		t.Fatal(err)
	}
	// The directory holds only the key file: no temporary file left.
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Errorf("files left: %v", ents)
	}
	if err := WriteFile(path, old); err != nil {
		t.Fatal(err)
	}
	if r, err := LoadFile(path); err != nil || len(r.IDs()) != 3 {
		t.Errorf("the file put back: %v", err)
	}
}

// Seal and Open from many goroutines while the key file is rewritten:
// every value opens (run with -race).
func TestFollowFileConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.key")
	writeKeys(t, path, testKey(1), testKey(2))
	r, _ := LoadFile(path)
	r.SetLogger(slog.New(slog.DiscardHandler))
	done := make(chan struct{})
	errs := make(chan error, 4)
	for g := range 4 {
		go func() {
			for i := range 200 {
				v := strings.Repeat("x", g+i)
				got, err := r.Open(int64(i), "token", r.Seal(int64(i), "token", v))
				if err != nil || got != v {
					errs <- fmt.Errorf("goroutine %d, value %d: %q, %v", g, i, got, err)
					return
				}
			}
			errs <- nil
		}()
	}
	go func() {
		defer close(done)
		orders := []string{b64(testKey(2)) + "\n" + b64(testKey(1)) + "\n", b64(testKey(1)) + "\n" + b64(testKey(2)) + "\n"}
		for i := range 50 {
			if err := WriteFile(path, []byte(orders[i%2])); err != nil {
				t.Error(err) // not Fatal: another goroutine
				return
			}
		}
	}()
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	<-done
}

// BenchmarkSeal: a ring of given keys, and one that rereads its key file
// before each seal.
func BenchmarkSeal(b *testing.B) {
	path := filepath.Join(b.TempDir(), "data.key")
	if err := WriteFile(path, []byte(b64(testKey(2))+"\n"+b64(testKey(1))+"\n")); err != nil {
		b.Fatal(err)
	}
	given, _ := NewRing(testKey(2), testKey(1))
	file, err := LoadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		r    *Ring
	}{{"given", given}, {"file", file}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				c.r.Seal(1, "token", "dapi-secret")
			}
		})
	}
}
