// Package apikey makes and checks the API keys of the integrations API.
//
// A key reads ucb_<id>_<secret>_<check>: a prefix that secret scanners can
// look for, a public id (12 hex digits) under which the store keeps the
// key, 32 random bytes (base64url), and a CRC-32 of the rest (8 hex
// digits), so that a mistyped or truncated key is refused without asking
// the store. The store keeps only the SHA-256 of the whole key, compared
// in constant time.
package apikey

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/server/store"
)

// Prefix starts every key.
const Prefix = "ucb_"

const (
	idLen     = 12 // hex digits
	secretLen = 43 // base64url of 32 bytes, unpadded
	checkLen  = 8  // hex digits of a CRC-32
)

// ErrMalformed says that a string is not an API key of this form.
var ErrMalformed = errors.New("apikey: not an API key of the form ucb_<id>_<secret>_<check>")

// New makes a key with the given name and role: the key, to show once, and
// its stored form.
func New(name string, role store.Role) (string, *store.APIKey, error) {
	if _, err := store.ParseRole(string(role)); err != nil {
		return "", nil, err
	}
	var idb [idLen / 2]byte
	var secret [32]byte
	rand.Read(idb[:])
	rand.Read(secret[:])
	id := hex.EncodeToString(idb[:])
	body := Prefix + id + "_" + base64.RawURLEncoding.EncodeToString(secret[:])
	key := fmt.Sprintf("%s_%08x", body, crc32.ChecksumIEEE([]byte(body)))
	return key, &store.APIKey{ID: id, Hash: Hash(key), Name: name, Role: role}, nil
}

// Hash returns the SHA-256 of a key, the form the store keeps.
func Hash(key string) []byte {
	sum := sha256.Sum256([]byte(key))
	return sum[:]
}

// ID returns the id of a well-formed key, and [ErrMalformed] for anything
// else (the error never quotes the string).
func ID(key string) (string, error) {
	if len(key) != len(Prefix)+idLen+1+secretLen+1+checkLen || !strings.HasPrefix(key, Prefix) {
		return "", ErrMalformed
	}
	id := key[len(Prefix) : len(Prefix)+idLen]
	body, check := key[:len(key)-checkLen-1], key[len(key)-checkLen:]
	if key[len(Prefix)+idLen] != '_' || key[len(key)-checkLen-1] != '_' {
		return "", ErrMalformed
	}
	if _, err := hex.DecodeString(id); err != nil || strings.ToLower(id) != id {
		return "", ErrMalformed
	}
	if fmt.Sprintf("%08x", crc32.ChecksumIEEE([]byte(body))) != check {
		return "", ErrMalformed
	}
	return id, nil
}

// Matches reports, in constant time, whether key is the key whose stored
// form is k.
func Matches(k *store.APIKey, key string) bool {
	return subtle.ConstantTimeCompare(k.Hash, Hash(key)) == 1
}
