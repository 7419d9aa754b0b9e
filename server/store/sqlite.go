package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqlitePragmas run on every connection the pool opens (modernc.org/sqlite
// applies _pragma parameters per connection; a PRAGMA run once through the
// pool would reach only one of them). busy_timeout makes a writer wait for
// another process's write (the keys commands beside a running server)
// instead of failing with SQLITE_BUSY.
var sqlitePragmas = []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)"}

var sqliteDialect = dialect{
	name:         "sqlite",
	placeholders: func(q string) string { return q },
	unique: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
	},
	id:   "INTEGER PRIMARY KEY AUTOINCREMENT",
	blob: "BLOB",
}

// sqliteDSN returns the DSN of the file at path with the pragmas, and
// extra parameters.
func sqliteDSN(path string, extra ...string) (string, error) {
	path = strings.TrimPrefix(path, "file:")
	if strings.ContainsAny(path, "?#") {
		return "", fmt.Errorf("store: the SQLite path %q has ? or #: rename it", path)
	}
	q := url.Values{}
	for _, p := range sqlitePragmas {
		q.Add("_pragma", p)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Add(extra[i], extra[i+1])
	}
	return "file:" + path + "?" + q.Encode(), nil
}

func openSQLite(ctx context.Context, path string, opts Options) (Store, error) {
	// One writer: a pool of one connection, whose transactions take the
	// write lock when they begin (a deferred transaction that reads and
	// then writes could fail with SQLITE_BUSY instead of waiting).
	wdsn, err := sqliteDSN(path, "_txlock", "immediate")
	if err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite", wdsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	if err := migrate(ctx, w, sqliteDialect); err != nil {
		w.Close()
		return nil, fmt.Errorf("%w (SQLite file %s)", err, path)
	}
	rdsn, err := sqliteDSN(path, "_pragma", "query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", rdsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(2 * runtime.GOMAXPROCS(0))
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return &sqlStore{d: sqliteDialect, w: w, r: r, now: opts.Now}, nil
}
