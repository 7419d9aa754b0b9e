// Package lint checks a setup script that someone edited by hand against
// the integration payload it was generated from, and says with
// file:line:col what the script no longer does, what it breaks and what it
// exposes.
//
// [Run] parses the script with [dbsql.ParseFile], generates the script the
// payload calls for with [generator.Generate], and runs every [Rule] of
// [Rules] on the two. Each rule has a stable code (UCB001, UCB002, ...), a
// one-line doc and a help URL into the package's README, which shows a bad
// and a good example of each. The grants a script makes are checked with
// the same algorithm as a metastore's: [listing.FromScript] turns its
// GRANT and REVOKE statements into grants, and [privileges.Audit] checks
// them against [privileges.Required].
//
// [RunWithoutPayload] lints a script without its payload: it runs the rules
// that need nothing but the script ([Rule.WithoutPayload]) and returns the
// rules it skipped. UCB009 displayname is among them by decision: without
// the payload's service principal, a display name given a grant cannot be
// told from the name of a group. [RunEdit] lints an edit script against the edit that
// the change from the old payload to the new one calls for.
//
// A [Diagnostic] is a finding in the script; an error returned by Run means
// that the linter could not run (an invalid payload, a kind of script the
// payload has none of). [Write] formats diagnostics as text, JSON or SARIF.
//
// The package does not execute SQL and does not read a metastore: for what
// a metastore actually grants, see package privileges.
package lint
