// Package storetest opens throwaway stores for tests: a SQLite file in the
// test's temporary directory, and a fresh schema of the PostgreSQL server
// named by $UCBOOTSTRAP_TEST_POSTGRES (by default the local server that
// .ci/run starts).
//
// Without a reachable PostgreSQL server the PostgreSQL tests are skipped,
// saying so, unless $CI is set: then they fail, so that CI cannot pass
// without them.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/ucbootstrap/ucbootstrap/server/store"
)

// PostgresEnv names the variable that gives the PostgreSQL server of the
// tests, as a postgres:// URL whose user may create schemas.
const PostgresEnv = "UCBOOTSTRAP_TEST_POSTGRES"

// DefaultPostgres is the server used when PostgresEnv is unset: the one
// .ci/run starts.
const DefaultPostgres = "postgres://ucb:ucb@127.0.0.1:5432/ucb_test?sslmode=disable"

// Backends are the store backends every contract test runs on.
var Backends = []string{"sqlite", "postgres"}

// SQLiteDSN returns the path of a new SQLite file for the test.
func SQLiteDSN(t testing.TB) string {
	return filepath.Join(t.TempDir(), "store.db")
}

// PostgresDSN returns the URL of a new, empty schema of the test server,
// dropped when the test ends.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		base = DefaultPostgres
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", base)
	if err == nil {
		err = db.PingContext(ctx)
	}
	if err != nil {
		if db != nil {
			db.Close()
		}
		if os.Getenv("CI") != "" {
			t.Fatalf("storetest: no PostgreSQL server at $%s (%s): %v; CI must start one (.ci/run does)", PostgresEnv, redactURL(base), err)
		}
		t.Skipf("storetest: skipping PostgreSQL: no server at $%s (%s): %v; start one, or set $%s", PostgresEnv, redactURL(base), err, PostgresEnv)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		db.Close()
		t.Fatalf("storetest: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("storetest: drop schema: %v", err)
		}
		db.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: $%s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// DSN returns a new store DSN of the backend.
func DSN(t testing.TB, backend string) string {
	t.Helper()
	switch backend {
	case "sqlite":
		return SQLiteDSN(t)
	case "postgres":
		return PostgresDSN(t)
	}
	t.Fatalf("storetest: unknown backend %q", backend)
	return ""
}

// Open opens a new store of the backend, closed when the test ends.
func Open(t testing.TB, backend string, opts store.Options) store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), DSN(t, backend), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "an unparsable URL"
	}
	return u.Redacted()
}
