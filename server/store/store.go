package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Status is the status of an integration, as the integrations API names it.
type Status string

// The statuses of an integration.
const (
	Creating                 Status = "creating"
	CreateError              Status = "createError"
	Enabled                  Status = "enabled"
	Editing                  Status = "editing"
	EditError                Status = "editError"
	Deleting                 Status = "deleting"
	DeleteError              Status = "deleteError"
	Deleted                  Status = "deleted"
	RecurringValidationError Status = "recurringValidationError"
)

// JobKind says what a job does to its integration.
type JobKind string

// The kinds of job.
const (
	CreateJob JobKind = "create"
	EditJob   JobKind = "edit"
	DeleteJob JobKind = "delete"
)

// Config is one configuration of an integration: its payload as canonical
// JSON with every secret written as "REDACTED", and its credentials sealed
// (nil when the payload has none). The store does not read any of it.
type Config struct {
	Payload      []byte
	Token        []byte
	ClientSecret []byte
}

// An Integration is the stored record of one integration.
type Integration struct {
	ID int64
	// Workspace is the workspace host; at most one integration that is not
	// Deleted has a given workspace.
	Workspace string
	Status    Status
	// Version counts the changes of the record; [Store.Update] compares it.
	Version int64
	Config  Config
	// Previous is the configuration before the edit in progress (or the
	// last one that failed), so that a failed edit can roll back; nil when
	// none.
	Previous *Config
	// Validation is the JSON of the latest validation results; nil when
	// none.
	Validation []byte
	// Error is the JSON of what made the latest job fail; nil when none.
	Error   []byte
	Created time.Time
	Updated time.Time
}

// Change lists the fields a transition writes; nil fields are left as they
// are.
type Change struct {
	Config     *Config
	Validation []byte
	Error      []byte
	// ClearValidation removes the stored Validation (Validation, when not
	// nil, wins).
	ClearValidation bool
	// ClearError removes the stored Error (Error, when not nil, wins).
	ClearError bool
	// Previous sets the previous configuration; ClearPrevious removes it.
	Previous      *Config
	ClearPrevious bool
	// SavePrevious copies the configuration as it is before the change
	// into the previous one (in the same statement, so that it is the
	// configuration the transition replaces).
	SavePrevious bool
	// RestorePrevious makes the previous configuration the configuration
	// again and removes it (a rolled-back edit); it is an error with
	// Config, Previous or SavePrevious.
	RestorePrevious bool
}

// A Job moves an integration out of a transitional status (creating,
// editing, deleting).
type Job struct {
	ID            int64
	IntegrationID int64
	Kind          JobKind
	// Owner holds the lease until LeaseExpires; "" when nobody has claimed
	// the job yet.
	Owner        string
	LeaseExpires time.Time
	// Attempts counts the claims of the job; more than one means that an
	// earlier owner stopped (or lost its lease) before finishing.
	Attempts int
	// Checkpoint is what the job's runner saved, for the next owner to
	// resume from; nil when nothing was saved.
	Checkpoint []byte
	Done       bool
	Created    time.Time
}

// Role is what an API key may do.
type Role string

// The roles of an API key.
const (
	// Admin may call every endpoint.
	Admin Role = "admin"
	// ReadOnly may call the endpoints that change nothing.
	ReadOnly Role = "read"
)

// ParseRole returns the role named s.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case Admin, ReadOnly:
		return r, nil
	}
	return "", fmt.Errorf("store: unknown role %q: use %s or %s", s, Admin, ReadOnly)
}

// An APIKey is the stored form of an API key: its public id and the SHA-256
// of the whole key, never the key itself.
type APIKey struct {
	ID      string
	Hash    []byte
	Name    string
	Role    Role
	Created time.Time
	// Revoked is the zero time while the key is valid.
	Revoked time.Time
}

// A DataKey records a data-encryption key by its id, with a sentinel sealed
// by it that proves a key offered later under the same id is the same key.
type DataKey struct {
	ID       string
	Sentinel []byte
	Created  time.Time
}

// A SealedField is one sealed credential of an integration, for re-sealing.
type SealedField struct {
	IntegrationID int64
	// Field is "token" or "clientSecret", with "previous." before it for
	// the previous configuration.
	Field string
	Value []byte
}

// Store is the state of the integrations API. Every method is safe for
// concurrent use, from one process or several sharing the database.
type Store interface {
	// Create stores a new integration, in.Status and in.Config as given,
	// with a job of the given kind (none when kind is ""), in one
	// transaction; it returns the record as stored. When seal is not nil,
	// its result, given the new integration's id, replaces in.Config in
	// the same transaction (credentials are sealed bound to the id). When
	// another integration that is not Deleted has the same workspace, it
	// returns an [*ExistsError].
	Create(ctx context.Context, in *Integration, kind JobKind, seal func(id int64) (Config, error)) (*Integration, error)
	// Get returns one integration, or [ErrNotFound].
	Get(ctx context.Context, id int64) (*Integration, error)
	// Live returns the integration of a workspace that is not Deleted, or
	// [ErrNotFound].
	Live(ctx context.Context, workspace string) (*Integration, error)
	// List returns the integrations that are not Deleted, by id.
	List(ctx context.Context) ([]*Integration, error)
	// Begin moves an integration whose status is one of from to status to,
	// writes ch and queues a job of kind, in one transaction. It returns an
	// [*ConflictError] with the current status when that status is not in
	// from, and [ErrNotFound].
	Begin(ctx context.Context, id int64, from []Status, to Status, ch Change, kind JobKind) (*Integration, error)
	// Update sets the status of an integration and writes ch if its version
	// is still version (the record has not changed since it was read); it
	// returns [ErrStale] otherwise.
	Update(ctx context.Context, id, version int64, to Status, ch Change) (*Integration, error)

	// Claim gives owner the lease, for ttl, of the oldest job that is not
	// done and that nobody holds (never claimed, or its lease expired). It
	// returns nil and no error when there is none.
	Claim(ctx context.Context, owner string, ttl time.Duration) (*Job, error)
	// Renew extends owner's lease of a job; [ErrLeaseLost] when owner no
	// longer holds it.
	Renew(ctx context.Context, jobID int64, owner string, ttl time.Duration) error
	// Checkpoint saves the job's checkpoint if owner holds its lease, and
	// returns [ErrLeaseLost] otherwise.
	Checkpoint(ctx context.Context, jobID int64, owner string, data []byte) error
	// Finish marks a job done and sets its integration's status to to with
	// ch, in one transaction, if owner holds the job's lease; it returns
	// [ErrLeaseLost] otherwise.
	Finish(ctx context.Context, jobID int64, owner string, to Status, ch Change) (*Integration, error)
	// Job returns one job, or [ErrNotFound].
	Job(ctx context.Context, id int64) (*Job, error)
	// Jobs returns the jobs of an integration, oldest first.
	Jobs(ctx context.Context, integrationID int64) ([]*Job, error)

	// CreateKey stores an API key; an id already taken is an error.
	CreateKey(ctx context.Context, k *APIKey) error
	// Key returns the key with the given id, revoked or not, or
	// [ErrNotFound].
	Key(ctx context.Context, id string) (*APIKey, error)
	// Keys returns every key, by creation time and id.
	Keys(ctx context.Context) ([]*APIKey, error)
	// RevokeKey marks a key revoked; [ErrNotFound] when there is no such
	// key. Revoking a revoked key keeps its first revocation time.
	RevokeKey(ctx context.Context, id string) error

	// DataKeys returns the recorded data keys, by id.
	DataKeys(ctx context.Context) ([]*DataKey, error)
	// AddDataKey records a data key; one whose id is recorded already is
	// left as it is.
	AddDataKey(ctx context.Context, k *DataKey) error
	// Sealed returns every sealed credential, by integration and field.
	Sealed(ctx context.Context) ([]SealedField, error)
	// Reseal replaces sealed credentials in one transaction: each value is
	// replaced by reseal(field) where it is still the value given. A
	// field whose value changed meanwhile is an error and nothing is
	// written.
	Reseal(ctx context.Context, fields []SealedField, reseal func(SealedField) ([]byte, error)) error

	// Close releases the database.
	Close() error
}

// Errors of the store.
var (
	ErrNotFound  = errors.New("store: not found")
	ErrStale     = errors.New("store: the record changed since it was read")
	ErrLeaseLost = errors.New("store: the job's lease is held by another owner")
)

// An ExistsError says that the workspace already has an integration.
type ExistsError struct {
	Workspace string
	ID        int64
}

func (e *ExistsError) Error() string {
	return fmt.Sprintf("store: an integration already exists on %s (id = %d)", e.Workspace, e.ID)
}

// A ConflictError says that an integration is not in a status the
// transition starts from.
type ConflictError struct {
	ID     int64
	Status Status
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("store: integration %d is %s", e.ID, e.Status)
}

// Options tune a store.
type Options struct {
	// Now is the clock of leases and timestamps; time.Now when nil. Replicas
	// that share a PostgreSQL store need clocks that agree to well within a
	// lease's time to live.
	Now func() time.Time
}

// Open opens the store named by dsn and applies the migrations it lacks: a
// postgres:// or postgresql:// URL opens PostgreSQL; anything else is the
// path of a SQLite file (created when missing), optionally with a file:
// prefix.
func Open(ctx context.Context, dsn string, opts Options) (Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if IsPostgres(dsn) {
		return openPostgres(ctx, dsn, opts)
	}
	if dsn == "" {
		return nil, errors.New("store: no store given: name a SQLite file or a postgres:// URL")
	}
	return openSQLite(ctx, dsn, opts)
}

// IsPostgres reports whether dsn names a PostgreSQL store.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}
