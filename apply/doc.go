// Package apply runs the setup scripts of an integration on its
// workspace: the executor of the scripts that package generator makes. It
// has no privilege rules of its own: what a statement needs, and the order
// it must keep, come from its [privileges.Step] and its section; SQL goes
// through package sqlexec.
//
// [Run] checks who the credentials belong to (the service principal runs
// the bootstrap of an automatic setup, a person every other script; see
// [RunsAs]), lints the script and runs the validation tests, then runs the
// statements: the sections one after another, and the independent
// statements of a section at once, up to [Options.Concurrency] (catalog
// before schema before its tables and functions, grants after what they
// are on, guards alone, the hand-over of the catalog after its children's).
// After the script, the live audit (package liveaudit) says whether the
// service principal has what it needs; after a cleanup, a check that the
// catalog is gone.
//
// # The record
//
// A run keeps a record, in the spirit of Atlas's revisions table: the
// script's fingerprint, and per statement its SHA-256, the cumulative hash
// of the script up to it, its statement ID, state, error and times. It is
// written as the run goes, through a [Ledger], in JSON Lines [Entry]
// values: a [Header], each statement when the workspace accepts it
// ([Submitted], with its statement ID, before the run waits for it) and
// when it ends, and an [End]. [OpenFile] appends them to a file (the
// command's --record), one write each, so that a process killed at any
// moment leaves a record that [ReadRecord] reads. The governance catalog
// gets a copy, a row per statement in its run ledger table (see
// ucbootstrap.RunsTable).
//
// A run with [Options.Resume] and the [Options.Previous] record goes on
// from it, provided every statement that had run is unchanged (its hash;
// the record's kind and catalog too; a changed payload is noted, and is
// refused by the hash of the first statement it changed that ran): what
// had succeeded does not run again, a statement recorded as submitted is
// attached to by its statement ID (sqlexec.Executor.Attach) instead of
// being submitted again, and the rest runs. Every generated statement is
// idempotent, so a run from the top is always safe as well.
//
// # Use from a server
//
// A server keeps the record with the job, so that another server can take
// a job over after a crash:
//
//	prev, err := apply.ParseRecord(checkpoint.Load()) // nil when new
//	res, err := apply.Run(ctx, apply.Options{
//		Integration: in, Kind: kind, Script: script,
//		Ledger:   apply.Snapshot(prev, checkpoint.Save),
//		Previous: prev, Resume: prev != nil,
//	})
//
// Snapshot saves the whole record after each entry (Save fails when the
// server no longer holds the job's lease, which stops the run: a statement
// whose submission could not be saved is cancelled). The statement whose
// submission was saved and that had not ended when the server stopped is
// then attached to, not run twice. A failed statement is a
// [*StatementError] with its position, the server's error code and
// message, and what ran and what did not; Result.Passed says whether the
// audit after the script passed.
package apply
