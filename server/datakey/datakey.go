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
	"os"
	"strconv"
	"strings"
)

// KeySize is the size of a data key in bytes (AES-256).
const KeySize = 32

// idSize is the size of a key id in a sealed value, in bytes.
const idSize = 8

// version is the first byte of every sealed value.
const version = 1

// A Ring holds the data keys; the zero Ring has none and seals nothing.
type Ring struct {
	keys []key
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
	if len(keys) == 0 {
		return nil, errors.New("datakey: no data key")
	}
	r := &Ring{}
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
		r.keys = append(r.keys, key{id: id, aead: aead})
	}
	return r, nil
}

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

// LoadFile reads a key file. A file that others can read is refused.
func LoadFile(path string) (*Ring, error) {
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
	keys, err := Parse(string(b))
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return NewRing(keys...)
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

// Primary returns the id of the key that seals.
func (r *Ring) Primary() string { return hex.EncodeToString(r.keys[0].id[:]) }

// IDs returns the ids of the keys, the primary first.
func (r *Ring) IDs() []string {
	ids := make([]string, len(r.keys))
	for i, k := range r.keys {
		ids[i] = hex.EncodeToString(k.id[:])
	}
	return ids
}

// aad binds a sealed value to the integration and field it belongs to.
func aad(integration int64, field string) []byte {
	return []byte("ucbootstrap v1 integration=" + strconv.FormatInt(integration, 10) + " field=" + field)
}

// Seal seals the value of a field of an integration with the primary key.
func (r *Ring) Seal(integration int64, field, value string) []byte {
	return r.seal(&r.keys[0], aad(integration, field), []byte(value))
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

// Open opens the sealed value of a field of an integration.
func (r *Ring) Open(integration int64, field string, sealed []byte) (string, error) {
	b, err := r.open(aad(integration, field), sealed)
	if err != nil {
		return "", fmt.Errorf("%w (integration %d, %s)", err, integration, field)
	}
	return string(b), nil
}

func (r *Ring) open(ad, sealed []byte) ([]byte, error) {
	id, err := KeyOf(sealed)
	if err != nil {
		return nil, err
	}
	for i := range r.keys {
		k := &r.keys[i]
		if !bytes.Equal(k.id[:], sealed[1:1+idSize]) {
			continue
		}
		n := k.aead.NonceSize()
		if len(sealed) < 1+idSize+n {
			return nil, errors.New("datakey: sealed value too short")
		}
		b, err := k.aead.Open(nil, sealed[1+idSize:1+idSize+n], sealed[1+idSize+n:], ad)
		if err != nil {
			return nil, fmt.Errorf("datakey: the value sealed with key %s does not open: it was altered or moved", id)
		}
		return b, nil
	}
	return nil, fmt.Errorf("datakey: sealed with key %s, which is not among the data keys given (%s)", id, strings.Join(r.IDs(), ", "))
}

// sentinelText is what a sentinel seals.
const sentinelText = "ucbootstrap data key sentinel"

func sentinelAAD(id string) []byte { return []byte("ucbootstrap v1 sentinel key=" + id) }

// Sentinel returns a sentinel sealed with the key of the given id, for the
// store to keep, or an error when the ring has no such key.
func (r *Ring) Sentinel(id string) ([]byte, error) {
	for i := range r.keys {
		if hex.EncodeToString(r.keys[i].id[:]) == id {
			return r.seal(&r.keys[i], sentinelAAD(id), []byte(sentinelText)), nil
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
