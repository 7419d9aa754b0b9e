// Package ucemu emulates the part of the Databricks REST API that the
// databricks package calls, in process, for tests: the Unity Catalog
// permissions, effective-permissions, catalogs, schemas and tables
// endpoints, the current metastore assignment, SCIM Me, and the OAuth
// client-credentials token endpoint.
//
// The emulator behaves as the real service does where clients tend to go
// wrong: it pages with a small page size and serves empty pages that still
// carry a next_page_token, returns privilege assignments in a random (but
// seeded) order, keeps grants to deleted principals with an empty principal,
// and rejects requests without valid credentials. Faults (429 and 5xx
// responses) and latency can be injected, and requests are counted.
//
// It serves on loopback only (net/http/httptest).
package ucemu
