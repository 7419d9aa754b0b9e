// Package store keeps the integrations API's state: integrations with their
// status, their sealed credentials and their validation results, the jobs
// that move an integration from one status to the next (each with a lease
// and a checkpoint), the API keys and the data-key sentinels.
//
// One [Store] interface has two implementations over database/sql: SQLite
// (modernc.org/sqlite, pure Go) for one node, the default, and PostgreSQL
// (github.com/jackc/pgx/v5) for several replicas, selected by [Open] from
// a postgres:// URL. Both run the same versioned migrations at Open and
// pass the same contract tests.
//
// The status of an integration is the lock: every change is a
// compare-and-swap on it ([Store.Begin]) or on its version
// ([Store.Update]), so two requests cannot both start a job on one
// integration. A job is held under a lease (owner and expiry, renewed by
// the worker that runs it); a job whose lease has expired, because its
// server was killed, is claimed again by [Store.Claim] on restart or by
// another replica, and finds its checkpoint where the last holder left it.
// Writes made under a lease ([Store.Renew], [Store.Checkpoint],
// [Store.Finish]) fail with [ErrLeaseLost] once another owner holds it.
//
// The store never sees a credential in clear: the server seals them before
// they reach it, and the key that seals them never enters the database.
package store
