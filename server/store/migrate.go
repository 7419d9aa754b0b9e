package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// migrations are the versioned schema changes, applied in order: version N
// is migrations[N-1]. Never edit one that has shipped; append another.
// {{id}} and {{blob}} are the dialect's types.
var migrations = [][]string{
	// 1: integrations, jobs, API keys, data keys.
	{
		`CREATE TABLE integrations (
				id {{id}},
				workspace TEXT NOT NULL,
				status TEXT NOT NULL,
				version BIGINT NOT NULL,
				payload TEXT NOT NULL,
				token {{blob}},
				client_secret {{blob}},
				prev_payload TEXT,
				prev_token {{blob}},
				prev_client_secret {{blob}},
				validation TEXT,
				error TEXT,
				created_ms BIGINT NOT NULL,
				updated_ms BIGINT NOT NULL
			)`,
		// One integration per workspace, among those not deleted: the
		// 409 of POST /integrations.
		`CREATE UNIQUE INDEX integrations_live_workspace ON integrations (workspace) WHERE status <> 'deleted'`,
		`CREATE TABLE jobs (
				id {{id}},
				integration_id BIGINT NOT NULL REFERENCES integrations (id),
				kind TEXT NOT NULL,
				done INTEGER NOT NULL DEFAULT 0,
				owner TEXT NOT NULL DEFAULT '',
				lease_ms BIGINT NOT NULL DEFAULT 0,
				attempts INTEGER NOT NULL DEFAULT 0,
				checkpoint {{blob}},
				created_ms BIGINT NOT NULL,
				updated_ms BIGINT NOT NULL
			)`,
		`CREATE INDEX jobs_open ON jobs (id) WHERE done = 0`,
		`CREATE INDEX jobs_integration ON jobs (integration_id)`,
		`CREATE TABLE api_keys (
				id TEXT PRIMARY KEY,
				hash {{blob}} NOT NULL,
				name TEXT NOT NULL,
				role TEXT NOT NULL,
				created_ms BIGINT NOT NULL,
				revoked_ms BIGINT NOT NULL DEFAULT 0
			)`,
		`CREATE TABLE data_keys (
				id TEXT PRIMARY KEY,
				sentinel {{blob}} NOT NULL,
				created_ms BIGINT NOT NULL
			)`,
	},
}

// SchemaVersion is the schema version this package migrates a database to.
func SchemaVersion() int { return len(migrations) }

// migrate applies the migrations the database lacks, each in a transaction
// that also records its version, and refuses a database whose schema is
// newer than this package's.
func migrate(ctx context.Context, db *sql.DB, d dialect) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_ms BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if d.lock != "" {
		if _, err := tx.ExecContext(ctx, d.lock); err != nil {
			return fmt.Errorf("store: migrate: lock: %w", err)
		}
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if have > len(migrations) {
		return fmt.Errorf("store: the database is at schema version %d, newer than this program's %d: run a newer ucbootstrap", have, len(migrations))
	}
	for v := have + 1; v <= len(migrations); v++ {
		for _, stmt := range migrations[v-1] {
			stmt = strings.NewReplacer("{{id}}", d.id, "{{blob}}", d.blob).Replace(stmt)
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("store: migrate to version %d: %w", v, err)
			}
		}
		if _, err := tx.ExecContext(ctx, d.placeholders(`INSERT INTO schema_migrations (version, applied_ms) VALUES (?, ?)`), v, time.Now().UnixMilli()); err != nil {
			return fmt.Errorf("store: migrate to version %d: %w", v, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}
