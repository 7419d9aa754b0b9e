package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dialect is what differs between SQLite and PostgreSQL.
type dialect struct {
	name string
	// placeholders turns the ? placeholders of a query into the dialect's.
	placeholders func(string) string
	// unique reports whether err is a unique-constraint violation.
	unique func(error) bool
	// skipLocked ends the subquery that picks a job to claim.
	skipLocked string
	// types replaces {{id}} and {{blob}} in the migrations.
	id, blob string
	// lock, when not empty, is run first in the migration transaction so
	// that replicas starting together migrate one at a time.
	lock string
}

// sqlStore implements Store over database/sql. SQLite writes through w (one
// connection: one writer) and reads through r; PostgreSQL uses one pool for
// both.
type sqlStore struct {
	d    dialect
	w, r *sql.DB
	now  func() time.Time
}

func (s *sqlStore) q(query string) string { return s.d.placeholders(query) }

func (s *sqlStore) Close() error {
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

func (s *sqlStore) ms() int64 { return s.now().UnixMilli() }

func fromMS(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// tx runs fn in a write transaction and commits it when fn returns nil.
func (s *sqlStore) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, rollback(tx))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

func rollback(tx *sql.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("store: rollback: %w", err)
	}
	return nil
}

// queryer is what *sql.DB and *sql.Tx have in common.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

const integrationColumns = `id, workspace, status, version, payload, token, client_secret,
	prev_payload, prev_token, prev_client_secret, validation, error, created_ms, updated_ms`

type scanner interface{ Scan(dest ...any) error }

func scanIntegration(row scanner) (*Integration, error) {
	var (
		in                    Integration
		status                string
		payload               string
		prevPayload           sql.NullString
		validation, errJSON   sql.NullString
		prevToken, prevSecret []byte
		token, secret         []byte
		created, updated      int64
	)
	if err := row.Scan(&in.ID, &in.Workspace, &status, &in.Version, &payload, &token, &secret,
		&prevPayload, &prevToken, &prevSecret, &validation, &errJSON, &created, &updated); err != nil {
		return nil, err
	}
	in.Status = Status(status)
	in.Config = Config{Payload: []byte(payload), Token: token, ClientSecret: secret}
	if prevPayload.Valid {
		in.Previous = &Config{Payload: []byte(prevPayload.String), Token: prevToken, ClientSecret: prevSecret}
	}
	if validation.Valid {
		in.Validation = []byte(validation.String)
	}
	if errJSON.Valid {
		in.Error = []byte(errJSON.String)
	}
	in.Created, in.Updated = fromMS(created), fromMS(updated)
	return &in, nil
}

func (s *sqlStore) get(ctx context.Context, q queryer, id int64) (*Integration, error) {
	in, err := scanIntegration(q.QueryRowContext(ctx, s.q(`SELECT `+integrationColumns+` FROM integrations WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: integration %d: %w", id, err)
	}
	return in, nil
}

func (s *sqlStore) Get(ctx context.Context, id int64) (*Integration, error) {
	return s.get(ctx, s.r, id)
}

func (s *sqlStore) Live(ctx context.Context, workspace string) (*Integration, error) {
	in, err := scanIntegration(s.r.QueryRowContext(ctx, s.q(`SELECT `+integrationColumns+` FROM integrations WHERE workspace = ? AND status <> ?`), workspace, string(Deleted)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: integration on %s: %w", workspace, err)
	}
	return in, nil
}

func (s *sqlStore) List(ctx context.Context) ([]*Integration, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+integrationColumns+` FROM integrations WHERE status <> ? ORDER BY id`), string(Deleted))
	if err != nil {
		return nil, fmt.Errorf("store: list: %w", err)
	}
	defer rows.Close()
	out := []*Integration{}
	for rows.Next() {
		in, err := scanIntegration(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list: %w", err)
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list: %w", err)
	}
	return out, nil
}

// nullBytes stores nil as NULL.
func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// nullText stores nil as NULL and anything else as text.
func nullText(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

func (s *sqlStore) Create(ctx context.Context, in *Integration, kind JobKind, seal func(int64) (Config, error)) (*Integration, error) {
	for range 3 {
		var out *Integration
		err := s.tx(ctx, func(tx *sql.Tx) error {
			now := s.ms()
			var id int64
			err := tx.QueryRowContext(ctx, s.q(`INSERT INTO integrations
				(workspace, status, version, payload, token, client_secret, validation, error, created_ms, updated_ms)
				VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
				in.Workspace, string(in.Status), string(in.Config.Payload), nullBytes(in.Config.Token), nullBytes(in.Config.ClientSecret),
				nullText(in.Validation), nullText(in.Error), now, now).Scan(&id)
			if err != nil {
				return err
			}
			if seal != nil {
				c, err := seal(id)
				if err != nil {
					return &sealError{err}
				}
				if _, err := tx.ExecContext(ctx, s.q(`UPDATE integrations SET payload = ?, token = ?, client_secret = ? WHERE id = ?`),
					string(c.Payload), nullBytes(c.Token), nullBytes(c.ClientSecret), id); err != nil {
					return err
				}
			}
			if err := s.enqueue(ctx, tx, id, kind, now); err != nil {
				return err
			}
			out, err = s.get(ctx, tx, id)
			return err
		})
		if err == nil {
			return out, nil
		}
		if se, ok := errors.AsType[*sealError](err); ok {
			return nil, se.err
		}
		if !s.d.unique(err) {
			return nil, fmt.Errorf("store: create: %w", err)
		}
		var id int64
		err = s.w.QueryRowContext(ctx, s.q(`SELECT id FROM integrations WHERE workspace = ? AND status <> ?`), in.Workspace, string(Deleted)).Scan(&id)
		if err == nil {
			return nil, &ExistsError{Workspace: in.Workspace, ID: id}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("store: create: %w", err)
		}
		// The integration that was in the way was deleted meanwhile: try
		// again.
	}
	return nil, fmt.Errorf("store: create: the workspace %s keeps changing hands", in.Workspace)
}

// sealError carries the error of Create's seal function out unchanged.
type sealError struct{ err error }

func (e *sealError) Error() string { return e.err.Error() }

func (s *sqlStore) enqueue(ctx context.Context, tx *sql.Tx, id int64, kind JobKind, now int64) error {
	if kind == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO jobs (integration_id, kind, created_ms, updated_ms) VALUES (?, ?, ?, ?)`), id, string(kind), now, now)
	return err
}

func checkChange(ch Change) error {
	if ch.RestorePrevious && (ch.Config != nil || ch.Previous != nil || ch.SavePrevious || ch.ClearPrevious) {
		return errors.New("store: RestorePrevious goes with no other change of the configurations")
	}
	if ch.SavePrevious && (ch.Previous != nil || ch.ClearPrevious) {
		return errors.New("store: SavePrevious goes with neither Previous nor ClearPrevious")
	}
	return nil
}

// set returns the SET clause of a change (after status, version and
// updated_ms) and its arguments.
func set(ch Change) (string, []any) {
	var b strings.Builder
	var args []any
	col := func(name string, v any) {
		b.WriteString(", " + name + " = ?")
		args = append(args, v)
	}
	if c := ch.Config; c != nil {
		col("payload", string(c.Payload))
		col("token", nullBytes(c.Token))
		col("client_secret", nullBytes(c.ClientSecret))
	}
	switch {
	case ch.Validation != nil:
		col("validation", string(ch.Validation))
	case ch.ClearValidation:
		col("validation", nil)
	}
	switch {
	case ch.Error != nil:
		col("error", string(ch.Error))
	case ch.ClearError:
		col("error", nil)
	}
	if ch.SavePrevious {
		b.WriteString(", prev_payload = payload, prev_token = token, prev_client_secret = client_secret")
	}
	if ch.RestorePrevious {
		b.WriteString(", payload = COALESCE(prev_payload, payload), token = prev_token, client_secret = prev_client_secret" +
			", prev_payload = NULL, prev_token = NULL, prev_client_secret = NULL")
	}
	switch p := ch.Previous; {
	case p != nil:
		col("prev_payload", string(p.Payload))
		col("prev_token", nullBytes(p.Token))
		col("prev_client_secret", nullBytes(p.ClientSecret))
	case ch.ClearPrevious:
		col("prev_payload", nil)
		col("prev_token", nil)
		col("prev_client_secret", nil)
	}
	return b.String(), args
}

func (s *sqlStore) Begin(ctx context.Context, id int64, from []Status, to Status, ch Change, kind JobKind) (*Integration, error) {
	if err := checkChange(ch); err != nil {
		return nil, err
	}
	if len(from) == 0 {
		return nil, errors.New("store: begin: no status to start from")
	}
	var out *Integration
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.ms()
		clause, args := set(ch)
		args = append([]any{string(to), now}, args...)
		args = append(args, id)
		for _, f := range from {
			args = append(args, string(f))
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE integrations SET status = ?, version = version + 1, updated_ms = ?`+clause+
			` WHERE id = ? AND status IN (?`+strings.Repeat(", ?", len(from)-1)+`)`), args...)
		if err != nil {
			return fmt.Errorf("store: begin: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: begin: %w", err)
		} else if n == 0 {
			cur, err := s.get(ctx, tx, id)
			if err != nil {
				return err
			}
			return &ConflictError{ID: id, Status: cur.Status}
		}
		if err := s.enqueue(ctx, tx, id, kind, now); err != nil {
			return fmt.Errorf("store: begin: %w", err)
		}
		out, err = s.get(ctx, tx, id)
		return err
	})
	return out, err
}

func (s *sqlStore) Update(ctx context.Context, id, version int64, to Status, ch Change) (*Integration, error) {
	if err := checkChange(ch); err != nil {
		return nil, err
	}
	var out *Integration
	err := s.tx(ctx, func(tx *sql.Tx) error {
		clause, args := set(ch)
		args = append([]any{string(to), s.ms()}, args...)
		args = append(args, id, version)
		res, err := tx.ExecContext(ctx, s.q(`UPDATE integrations SET status = ?, version = version + 1, updated_ms = ?`+clause+
			` WHERE id = ? AND version = ?`), args...)
		if err != nil {
			return fmt.Errorf("store: update: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: update: %w", err)
		} else if n == 0 {
			if _, err := s.get(ctx, tx, id); err != nil {
				return err
			}
			return ErrStale
		}
		out, err = s.get(ctx, tx, id)
		return err
	})
	return out, err
}

const jobColumns = `id, integration_id, kind, owner, lease_ms, attempts, checkpoint, done, created_ms`

func scanJob(row scanner) (*Job, error) {
	var (
		j              Job
		kind           string
		lease, created int64
		done           int
	)
	if err := row.Scan(&j.ID, &j.IntegrationID, &kind, &j.Owner, &lease, &j.Attempts, &j.Checkpoint, &done, &created); err != nil {
		return nil, err
	}
	j.Kind, j.Done = JobKind(kind), done != 0
	j.LeaseExpires, j.Created = fromMS(lease), fromMS(created)
	return &j, nil
}

func (s *sqlStore) Claim(ctx context.Context, owner string, ttl time.Duration) (*Job, error) {
	if owner == "" {
		return nil, errors.New("store: claim: no owner")
	}
	now := s.ms()
	j, err := scanJob(s.w.QueryRowContext(ctx, s.q(`UPDATE jobs SET owner = ?, lease_ms = ?, attempts = attempts + 1, updated_ms = ?
		WHERE id = (SELECT id FROM jobs WHERE done = 0 AND lease_ms <= ? ORDER BY id LIMIT 1`+s.d.skipLocked+`)
		RETURNING `+jobColumns), owner, now+ttl.Milliseconds(), now, now))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: claim: %w", err)
	}
	return j, nil
}

// held runs an update of a job that owner must hold.
func (s *sqlStore) held(ctx context.Context, q queryer, what, query string, args ...any) error {
	res, err := q.ExecContext(ctx, s.q(query), args...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if n == 0 {
		return ErrLeaseLost
	}
	return nil
}

func (s *sqlStore) Renew(ctx context.Context, jobID int64, owner string, ttl time.Duration) error {
	now := s.ms()
	return s.held(ctx, s.w, "renew", `UPDATE jobs SET lease_ms = ?, updated_ms = ? WHERE id = ? AND owner = ? AND done = 0`,
		now+ttl.Milliseconds(), now, jobID, owner)
}

func (s *sqlStore) Checkpoint(ctx context.Context, jobID int64, owner string, data []byte) error {
	return s.held(ctx, s.w, "checkpoint", `UPDATE jobs SET checkpoint = ?, updated_ms = ? WHERE id = ? AND owner = ? AND done = 0`,
		nullBytes(data), s.ms(), jobID, owner)
}

func (s *sqlStore) Finish(ctx context.Context, jobID int64, owner string, to Status, ch Change) (*Integration, error) {
	if err := checkChange(ch); err != nil {
		return nil, err
	}
	var out *Integration
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.ms()
		var id int64
		err := tx.QueryRowContext(ctx, s.q(`UPDATE jobs SET done = 1, updated_ms = ? WHERE id = ? AND owner = ? AND done = 0 RETURNING integration_id`),
			now, jobID, owner).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrLeaseLost
		}
		if err != nil {
			return fmt.Errorf("store: finish: %w", err)
		}
		clause, args := set(ch)
		args = append([]any{string(to), now}, args...)
		args = append(args, id)
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE integrations SET status = ?, version = version + 1, updated_ms = ?`+clause+` WHERE id = ?`), args...); err != nil {
			return fmt.Errorf("store: finish: %w", err)
		}
		out, err = s.get(ctx, tx, id)
		return err
	})
	return out, err
}

func (s *sqlStore) Job(ctx context.Context, id int64) (*Job, error) {
	j, err := scanJob(s.r.QueryRowContext(ctx, s.q(`SELECT `+jobColumns+` FROM jobs WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: job %d: %w", id, err)
	}
	return j, nil
}

func (s *sqlStore) Jobs(ctx context.Context, integrationID int64) ([]*Job, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+jobColumns+` FROM jobs WHERE integration_id = ? ORDER BY id`), integrationID)
	if err != nil {
		return nil, fmt.Errorf("store: jobs: %w", err)
	}
	defer rows.Close()
	var out []*Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("store: jobs: %w", err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: jobs: %w", err)
	}
	return out, nil
}

func (s *sqlStore) CreateKey(ctx context.Context, k *APIKey) error {
	if _, err := ParseRole(string(k.Role)); err != nil {
		return err
	}
	_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO api_keys (id, hash, name, role, created_ms, revoked_ms) VALUES (?, ?, ?, ?, ?, 0)`),
		k.ID, k.Hash, k.Name, string(k.Role), s.ms())
	if err != nil {
		return fmt.Errorf("store: create key %s: %w", k.ID, err)
	}
	return nil
}

const keyColumns = `id, hash, name, role, created_ms, revoked_ms`

func scanKey(row scanner) (*APIKey, error) {
	var (
		k                APIKey
		role             string
		created, revoked int64
	)
	if err := row.Scan(&k.ID, &k.Hash, &k.Name, &role, &created, &revoked); err != nil {
		return nil, err
	}
	k.Role, k.Created, k.Revoked = Role(role), fromMS(created), fromMS(revoked)
	return &k, nil
}

func (s *sqlStore) Key(ctx context.Context, id string) (*APIKey, error) {
	k, err := scanKey(s.r.QueryRowContext(ctx, s.q(`SELECT `+keyColumns+` FROM api_keys WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: key: %w", err)
	}
	return k, nil
}

func (s *sqlStore) Keys(ctx context.Context) ([]*APIKey, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+keyColumns+` FROM api_keys ORDER BY created_ms, id`)
	if err != nil {
		return nil, fmt.Errorf("store: keys: %w", err)
	}
	defer rows.Close()
	out := []*APIKey{}
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("store: keys: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: keys: %w", err)
	}
	return out, nil
}

func (s *sqlStore) RevokeKey(ctx context.Context, id string) error {
	res, err := s.w.ExecContext(ctx, s.q(`UPDATE api_keys SET revoked_ms = CASE WHEN revoked_ms = 0 THEN ? ELSE revoked_ms END WHERE id = ?`), s.ms(), id)
	if err != nil {
		return fmt.Errorf("store: revoke key %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: revoke key %s: %w", id, err)
	} else if n == 0 {
		return ErrNotFound
	}
	return nil
}

func (s *sqlStore) DataKeys(ctx context.Context) ([]*DataKey, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, sentinel, created_ms FROM data_keys ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: data keys: %w", err)
	}
	defer rows.Close()
	var out []*DataKey
	for rows.Next() {
		var k DataKey
		var created int64
		if err := rows.Scan(&k.ID, &k.Sentinel, &created); err != nil {
			return nil, fmt.Errorf("store: data keys: %w", err)
		}
		k.Created = fromMS(created)
		out = append(out, &k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: data keys: %w", err)
	}
	return out, nil
}

func (s *sqlStore) AddDataKey(ctx context.Context, k *DataKey) error {
	_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO data_keys (id, sentinel, created_ms) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`),
		k.ID, k.Sentinel, s.ms())
	if err != nil {
		return fmt.Errorf("store: add data key %s: %w", k.ID, err)
	}
	return nil
}

// sealedColumns maps the fields of SealedField to their columns.
var sealedColumns = []struct{ field, column string }{
	{"token", "token"},
	{"clientSecret", "client_secret"},
	{"previous.token", "prev_token"},
	{"previous.clientSecret", "prev_client_secret"},
}

func sealedColumn(field string) (string, bool) {
	for _, c := range sealedColumns {
		if c.field == field {
			return c.column, true
		}
	}
	return "", false
}

func (s *sqlStore) Sealed(ctx context.Context) ([]SealedField, error) {
	rows, err := s.w.QueryContext(ctx, `SELECT id, token, client_secret, prev_token, prev_client_secret FROM integrations ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: sealed: %w", err)
	}
	defer rows.Close()
	var out []SealedField
	for rows.Next() {
		var id int64
		vals := make([][]byte, len(sealedColumns))
		if err := rows.Scan(&id, &vals[0], &vals[1], &vals[2], &vals[3]); err != nil {
			return nil, fmt.Errorf("store: sealed: %w", err)
		}
		for i, v := range vals {
			if v != nil {
				out = append(out, SealedField{IntegrationID: id, Field: sealedColumns[i].field, Value: v})
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: sealed: %w", err)
	}
	return out, nil
}

func (s *sqlStore) Reseal(ctx context.Context, fields []SealedField, reseal func(SealedField) ([]byte, error)) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, f := range fields {
			col, ok := sealedColumn(f.Field)
			if !ok {
				return fmt.Errorf("store: reseal: unknown field %q", f.Field)
			}
			v, err := reseal(f)
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, s.q(`UPDATE integrations SET `+col+` = ? WHERE id = ? AND `+col+` = ?`), v, f.IntegrationID, f.Value)
			if err != nil {
				return fmt.Errorf("store: reseal: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("store: reseal: %w", err)
			} else if n == 0 {
				return fmt.Errorf("store: reseal: integration %d's %s changed meanwhile: run it again", f.IntegrationID, f.Field)
			}
		}
		return nil
	})
}

// dollarPlaceholders turns ? into $1, $2, ... (the queries of this package
// have no ? in literals).
func dollarPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
