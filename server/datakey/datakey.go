// Package datakey seals the credentials the integrations API keeps at rest
// (access tokens and OAuth client secrets) with AES-256-GCM.
//
// A [Ring] holds one or more 256-bit keys: the first (the primary) seals,
// every key opens what it sealed, so that keys can be rotated (put the new
// key first, re-seal everything, then drop the old one). Each key is named
// by an id derived from it, which every sealed value carries. The
// additional authenticated data binds a sealed value to the integration
// and the field it belongs to, so that a value copied into another row or
// field does not open.
//
// Keys come from a file or an environment variable, never from the
// database; [Ring.Sentinel] seals a known text that the store keeps, so
// that a ring can prove it is the ring the store was sealed with.
//
// A ring loaded with [LoadFile] follows its file while it runs, so that a
// server need not be restarted for a rotation: before each [Ring.Seal] it
// rereads the file (a few hundred bytes) and takes its keys when the
// content changed, so new values are sealed with the file's current
// primary key; and [Ring.Open] rereads it when it meets a value sealed
// with a key it does not hold. A file that does not load (unreadable,
// readable by others, not keys) leaves the ring with the keys it had, and
// is logged. [RemoveKey] drops a key from a key file; callers check first
// that nothing is sealed with it, since a value sealed with a key that is
// thrown away is lost. An opening that fails is a [*KeyError].
package datakey

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// KeySize is the size of a data key in bytes (AES-256).
const KeySize = 32

// idSize is the size of a key id in a sealed value, in bytes.
const idSize = 8

// version is the first byte of every sealed value.
const version = 1

// A Ring holds the data keys; the zero Ring has none and seals nothing. A
// Ring is safe for concurrent use.
type Ring struct {
	set  atomic.Pointer[[]key]
	path string // the key file followed; "" for keys given by NewRing

	mu  sync.Mutex // serializes reloads
	sum [sha256.Size]byte
	log atomic.Pointer[slog.Logger]
}

type key struct {
	id   [idSize]byte
	aead cipher.AEAD
}

// ID returns the id of a key: the first 8 bytes of a SHA-256 of it, in hex.
func ID(k []byte) string {
	id := keyID(k)
	return hex.EncodeToString(id[:])
}

func keyID(k []byte) [idSize]byte {
	sum := sha256.Sum256(append([]byte("ucbootstrap data key v1\n"), k...))
	var id [idSize]byte
	copy(id[:], sum[:idSize])
	return id
}

// NewRing returns a ring of the given keys, the first one primary.
func NewRing(keys ...[]byte) (*Ring, error) {
	ks, err := newKeys(keys)
	if err != nil {
		return nil, err
	}
	r := &Ring{}
	r.set.Store(&ks)
	return r, nil
}

func newKeys(keys [][]byte) ([]key, error) {
	if len(keys) == 0 {
		return nil, errors.New("datakey: no data key")
	}
	var out []key
	seen := map[[idSize]byte]bool{}
	for i, k := range keys {
		if len(k) != KeySize {
			return nil, fmt.Errorf("datakey: key %d is %d bytes; a data key is %d random bytes", i+1, len(k), KeySize)
		}
		id := keyID(k)
		if seen[id] {
			return nil, fmt.Errorf("datakey: key %d repeats key %s", i+1, hex.EncodeToString(id[:]))
		}
		seen[id] = true
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("datakey: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("datakey: %w", err)
		}
		out = append(out, key{id: id, aead: aead})
	}
	return out, nil
}

func (r *Ring) keys() []key { return *r.set.Load() }

// Generate returns a new random data key, base64-encoded, as a key file
// holds it.
func Generate() string {
	k := make([]byte, KeySize)
	rand.Read(k)
	return base64.StdEncoding.EncodeToString(k)
}

// Parse reads keys in the form of a key file: one base64-encoded key a line
// (or separated by commas), the primary first; blank lines and lines that
// start with # are ignored. Error messages never quote a key.
func Parse(text string) ([][]byte, error) {
	var keys [][]byte
	sc := bufio.NewScanner(strings.NewReader(text))
	line := 0
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		for f := range strings.SplitSeq(l, ",") {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			k, err := base64.StdEncoding.DecodeString(f)
			if err != nil {
				return nil, fmt.Errorf("datakey: line %d: not a base64 key", line)
			}
			if len(k) != KeySize {
				return nil, fmt.Errorf("datakey: line %d: the key is %d bytes; a data key is %d random bytes (ucbootstrap serve keys new-data-key makes one)", line, len(k), KeySize)
			}
			keys = append(keys, k)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("datakey: %w", err)
	}
	if len(keys) == 0 {
		return nil, errors.New("datakey: no key given")
	}
	return keys, nil
}

// LoadFile reads a key file. A file that others can read is refused. The
// ring follows the file: see [Ring.Reload].
func LoadFile(path string) (*Ring, error) {
	ks, sum, err := readFile(path)
	if err != nil {
		return nil, err
	}
	r := &Ring{path: path, sum: sum}
	r.set.Store(&ks)
	return r, nil
}

// readFile reads and parses a key file, and returns the SHA-256 of its
// content.
func readFile(path string) ([]key, [sha256.Size]byte, error) {
	b, err := readKeyFile(path)
	if err != nil {
		return nil, [sha256.Size]byte{}, err
	}
	ks, err := parseFile(path, b)
	return ks, sha256.Sum256(b), err
}

// parseFile parses the content of the key file path.
func parseFile(path string, b []byte) ([]key, error) {
	keys, err := Parse(string(b))
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	ks, err := newKeys(keys)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return ks, nil
}

// readKeyFile returns the content of a key file that only its owner can
// read.
func readKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("datakey: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("datakey: %s can be read by others (mode %v): chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("datakey: %w", err)
	}
	return b, nil
}

// File returns the key file the ring follows, or "" for a ring of keys
// given to [NewRing].
func (r *Ring) File() string { return r.path }

// SetLogger sets where a ring that follows a file logs its reloads
// (slog.Default() until then). Keys are never logged, only their ids.
func (r *Ring) SetLogger(l *slog.Logger) { r.log.Store(l) }

// Reload rereads the key file of a ring loaded with [LoadFile] and takes
// its keys when its content changed, reporting whether it did. On an error
// the ring keeps the keys it has. A ring of keys given to [NewRing] has
// nothing to reload.
func (r *Ring) Reload() (bool, error) {
	if r.path == "" {
		return false, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	b, err := readKeyFile(r.path)
	if err != nil {
		return false, err
	}
	sum := sha256.Sum256(b)
	if sum == r.sum {
		return false, nil
	}
	ks, err := parseFile(r.path, b)
	if err != nil {
		return false, err
	}
	r.set.Store(&ks)
	r.sum = sum
	return true, nil
}

// follow reloads the key file, and logs what changed or went wrong.
func (r *Ring) follow() {
	if r.path == "" {
		return
	}
	changed, err := r.Reload()
	log := r.log.Load()
	if log == nil {
		log = slog.Default()
	}
	switch {
	case err != nil:
		log.Error("the data key file does not load: keeping the data keys loaded before", "file", r.path, "primary", r.Primary(), "err", err.Error())
	case changed:
		log.Info("data key file reloaded", "file", r.path, "primary", r.Primary(), "keys", strings.Join(r.IDs(), ","))
	}
}

// CreateFile writes a new key file with one new key, readable by its owner
// only. An existing file is an error.
func CreateFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("datakey: %w", err)
	}
	_, err = io.WriteString(f, "# ucbootstrap data key: keep it out of the database and its backups\n"+Generate()+"\n")
	return errors.Join(err, f.Close())
}

// FreshPrimary rereads the key file, as [Ring.Seal] does, and returns the
// id of the key that seals.
func (r *Ring) FreshPrimary() string {
	r.follow()
	return r.Primary()
}

// Primary returns the id of the key that seals.
func (r *Ring) Primary() string { return hex.EncodeToString(r.keys()[0].id[:]) }

// IDs returns the ids of the keys, the primary first.
func (r *Ring) IDs() []string {
	ks := r.keys()
	ids := make([]string, len(ks))
	for i, k := range ks {
		ids[i] = hex.EncodeToString(k.id[:])
	}
	return ids
}

// aad binds a sealed value to the integration and field it belongs to.
func aad(integration int64, field string) []byte {
	return []byte("ucbootstrap v1 integration=" + strconv.FormatInt(integration, 10) + " field=" + field)
}

// Seal seals the value of a field of an integration with the primary key.
// A ring that follows a file rereads it first, to seal with the file's
// current primary key.
func (r *Ring) Seal(integration int64, field, value string) []byte {
	r.follow()
	return r.seal(&r.keys()[0], aad(integration, field), []byte(value))
}

func (r *Ring) seal(k *key, ad, value []byte) []byte {
	out := make([]byte, 1+idSize+k.aead.NonceSize(), 1+idSize+k.aead.NonceSize()+len(value)+k.aead.Overhead())
	out[0] = version
	copy(out[1:], k.id[:])
	rand.Read(out[1+idSize:])
	return k.aead.Seal(out, out[1+idSize:], value, ad)
}

// KeyOf returns the id of the key a sealed value was sealed with.
func KeyOf(sealed []byte) (string, error) {
	if len(sealed) < 1+idSize || sealed[0] != version {
		return "", errors.New("datakey: not a sealed value of this version")
	}
	return hex.EncodeToString(sealed[1 : 1+idSize]), nil
}

// A KeyError is the error of opening a sealed value: the ring holds no
// key of the id the value names (Missing), or the value does not open
// with it (it was altered, or moved to another integration or field).
type KeyError struct {
	// Integration and Field name the value; 0 and "" for a sentinel.
	Integration int64
	Field       string
	// Key is the id of the key the value is sealed with.
	Key string
	// Have are the ids of the ring's keys, the primary first.
	Have []string
	// File is the key file the ring follows; "" for keys given otherwise.
	File    string
	Missing bool
}

func (e *KeyError) Error() string {
	var msg string
	if e.Missing {
		msg = fmt.Sprintf("datakey: sealed with key %s, which is not among the data keys given (%s)", e.Key, strings.Join(e.Have, ", "))
	} else {
		msg = fmt.Sprintf("datakey: the value sealed with key %s does not open: it was altered or moved", e.Key)
	}
	if e.Field != "" {
		msg += fmt.Sprintf(" (integration %d, %s)", e.Integration, e.Field)
	}
	return msg
}

// Open opens the sealed value of a field of an integration. A ring that
// follows a file rereads it when the value names a key the ring does not
// hold. The error is a [*KeyError] when the value does not open.
func (r *Ring) Open(integration int64, field string, sealed []byte) (string, error) {
	b, err := r.open(aad(integration, field), sealed)
	if ke := (*KeyError)(nil); errors.As(err, &ke) && ke.Missing && r.path != "" {
		r.follow()
		b, err = r.open(aad(integration, field), sealed)
	}
	if ke := (*KeyError)(nil); errors.As(err, &ke) {
		ke.Integration, ke.Field = integration, field
	}
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func (r *Ring) open(ad, sealed []byte) ([]byte, error) {
	id, err := KeyOf(sealed)
	if err != nil {
		return nil, err
	}
	ks := r.keys()
	for i := range ks {
		k := &ks[i]
		if !bytes.Equal(k.id[:], sealed[1:1+idSize]) {
			continue
		}
		n := k.aead.NonceSize()
		if len(sealed) < 1+idSize+n {
			return nil, errors.New("datakey: sealed value too short")
		}
		b, err := k.aead.Open(nil, sealed[1+idSize:1+idSize+n], sealed[1+idSize+n:], ad)
		if err != nil {
			return nil, &KeyError{Key: id, Have: r.IDs(), File: r.path}
		}
		return b, nil
	}
	return nil, &KeyError{Key: id, Have: r.IDs(), File: r.path, Missing: true}
}

// sentinelText is what a sentinel seals.
const sentinelText = "ucbootstrap data key sentinel"

func sentinelAAD(id string) []byte { return []byte("ucbootstrap v1 sentinel key=" + id) }

// Sentinel returns a sentinel sealed with the key of the given id, for the
// store to keep, or an error when the ring has no such key.
func (r *Ring) Sentinel(id string) ([]byte, error) {
	ks := r.keys()
	for i := range ks {
		if hex.EncodeToString(ks[i].id[:]) == id {
			return r.seal(&ks[i], sentinelAAD(id), []byte(sentinelText)), nil
		}
	}
	return nil, fmt.Errorf("datakey: no key %s", id)
}

// CheckSentinel reports whether the sentinel a store kept for key id opens
// with this ring's key of that id. It returns an error when the ring has no
// such key or the sentinel does not open.
func (r *Ring) CheckSentinel(id string, sentinel []byte) error {
	b, err := r.open(sentinelAAD(id), sentinel)
	if err != nil {
		return fmt.Errorf("datakey: sentinel of key %s: %w", id, err)
	}
	if string(b) != sentinelText {
		return fmt.Errorf("datakey: the sentinel of key %s holds another text", id)
	}
	return nil
}

// RemoveKey rewrites the key file without the key of the given id and
// returns the content it had, for [WriteFile] to put back. The file is
// replaced at once (a new file, mode 600, renamed over it), so a ring that
// follows it reads the old file or the new one, never a part. The primary
// key (and so the last) cannot be removed. RemoveKey does not know what is
// sealed with the key: check that first.
func RemoveKey(path, id string) ([]byte, error) {
	old, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	var out strings.Builder
	found, first := false, true
	for l := range strings.Lines(string(old)) {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			out.WriteString(l)
			continue
		}
		var fields []string
		for f := range strings.SplitSeq(t, ",") {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			k, err := base64.StdEncoding.DecodeString(f)
			if err == nil && ID(k) == id {
				if first {
					return nil, fmt.Errorf("datakey: %s is the primary key of %s, which seals new credentials: put a new key first and re-seal before removing it", id, path)
				}
				found = true
			} else {
				fields = append(fields, f)
			}
			first = false
		}
		if len(fields) > 0 {
			out.WriteString(strings.Join(fields, ", ") + "\n")
		}
	}
	if !found {
		return nil, fmt.Errorf("datakey: %s holds no key %s", path, id)
	}
	if _, err := Parse(out.String()); err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return old, WriteFile(path, []byte(out.String()))
}

// WriteFile replaces a key file by content at once: a new file, readable
// by its owner only, renamed over it.
func WriteFile(path string, content []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("datakey: %w", err)
	}
	_, err = f.Write(content)
	err = errors.Join(err, f.Chmod(0o600), f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("datakey: %w", err)
	}
	return nil
}
