// Package ucbootstrap is the payload model of an access-governance integration
// with Databricks Unity Catalog: the JSON or YAML body of the integrations API
// (type, autoBootstrap, config) decoded into an [Integration], validated, and
// fingerprinted.
//
// It is the domain language the other packages speak: the generator turns an
// [Integration] into setup SQL, the privileges package derives what the
// service principal must hold from it, and the linter checks hand-edited
// scripts against it.
//
// # Decoding
//
// [Decode] reads a payload (JSON or YAML, told apart by its first non-blank
// character) and validates it, and reports every problem at once as
// [Diagnostics], each with its file, line, column, field path and a hint
// that says how to fix it. [Integration.Validate] applies the same rules to
// an [Integration] built in Go. Decode fails fast on input that no payload
// resembles (larger than [MaxPayloadSize], binary, or nested or repeated far
// beyond any payload), so that hostile input cannot make it slow.
//
// Unknown keys are errors with a did-you-mean suggestion, because a typo must
// not silently drop a setting; [Lenient] turns them into warnings for payloads
// that carry fields this package does not model.
//
// # Secrets
//
// The access token and the OAuth client secret are held as [Secret] values,
// whose every printed, logged, marshalled or error form is "REDACTED".
// [Integration.Fingerprint] hashes the canonical payload without them.
//
// This package does not talk to Databricks and does not produce SQL.
package ucbootstrap
