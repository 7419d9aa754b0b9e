// Ucbootstrap checks the payload of a Databricks Unity Catalog integration
// and generates its setup SQL scripts. It is a thin command line over the
// library: every command is a call of package ucbootstrap or package
// generator plus formatting.
//
// Usage:
//
//	ucbootstrap validate FILE [--lenient] [--format text|json]
//	                          [--live [--insecure-loopback] [--timeout D] [--deadline D]]
//	ucbootstrap generate FILE [--kind bootstrap|prerequisites|edit|cleanup]
//	                          [--from OLD_FILE] [--revoke-grants] [--lenient]
//	                          [--format sql|json] [-o OUT]
//	ucbootstrap apply FILE [--kind KIND] [--from OLD_FILE] [--script SCRIPT]
//	                       [--dry-run] [--record RECORD] [--resume] [--force]
//	                       [--concurrency N] [--via auto|rest|sql]
//	ucbootstrap completion bash|zsh|fish|powershell
//	ucbootstrap --version
//
// FILE is an integration payload, the JSON or YAML body of the integrations
// API (type, autoBootstrap, config); "-" reads it from standard input, and
// diagnostics then name it "<stdin>". Flags may come before or after FILE.
//
// # validate
//
// validate decodes and checks a payload. With --format text (the default)
// a valid payload gives one summary line on standard output, such as
//
//	manual-token.yaml: valid: manual setup, token auth, catalog immuta, 3 data sources, audit on (sha256:...)
//
// and its warnings on standard error. An invalid payload gives every
// diagnostic on standard error, one a line as "file:line:col: field:
// message (hint)", then a count such as "manual-token.yaml: 3 errors".
// With --format json, standard output holds one object of the versioned
// schema "ucbootstrap.validate/v2" (ucbootstrap.ValidateResult), valid or
// not, readable or not:
//
//	{"schema": "ucbootstrap.validate/v2", "file": ..., "valid": ...,
//	 "summary": {...} or null, "diagnostics": [{"pos": {"file", "line",
//	 "col"}, "severity", "field", "message", "hint"}, ...]}
//
// --lenient turns unknown keys into warnings.
//
// With --live, validate also runs the validation tests of package
// validation against the payload's workspace (basic connection, metastore,
// identity, warehouse or cluster state, catalog, privileges, audit access)
// and prints them as text, or with --format json as the integrations API's
// validationResults object; it exits with status 1 when a test failed.
//
// # generate
//
// generate writes a setup script of the payload as SQL (--format sql, the
// default) or as JSON (--format json, schema "ucbootstrap.script/v1") to
// standard output, or to OUT with -o. OUT is written atomically: through a
// temporary file in its directory that is then renamed, so that OUT is
// either the whole new script or left as it was.
//
// The kinds of script (--kind):
//
//   - bootstrap (the default): with manual setup, everything a person runs;
//     with automatic setup, what the service principal runs itself.
//   - prerequisites: automatic setup only; the grants an admin gives the
//     service principal first.
//   - edit: from the payload the metastore was set up with (--from OLD_FILE,
//     required) to FILE.
//   - cleanup: drops the governance catalog; --revoke-grants also revokes
//     the service principal's data-source and audit grants.
//
// Warnings go to standard error.
//
// # audit and grants dump
//
// audit checks the privileges a metastore grants (from listings, or with
// --live from the workspace) against what the payload needs, and fails
// (exit status 1) unless the gate passes: nothing missing or exposed, the
// run not partial, something satisfied, nothing unverified for want of
// read access (unless --allow-unverified), nothing unverified at all with
// --strict. --via sql asks the SQL warehouse's information_schema views in
// a handful of statements, --via rest the REST API per securable; auto (the
// default) takes the warehouse when httpPath names one that answers, and
// standard error says which path ran. grants dump writes what a live audit
// fetches, the unreadable securables included, for an offline audit that
// gives the same report.
//
// # apply
//
// apply runs a script of package generator on the payload's workspace with
// package apply: the service principal runs the bootstrap of an automatic
// setup (the payload's credentials), a person every other script (the
// DATABRICKS_* variables; the service principal's own are refused). It lints
// the script and runs the validation tests first (--force goes on anyway,
// and records it), keeps a record of every statement in --record (JSON
// Lines) and in the catalog's run ledger, runs independent statements at
// once (--concurrency), and then audits the result live; --resume goes on
// from the record, --dry-run prints the statements and runs none.
// The commands that talk to a workspace share --concurrency, --timeout
// (every request), --deadline (the whole run) and --insecure-loopback
// (plain HTTP to a local stand-in on localhost, 127.0.0.1 or ::1 only).
// They take the secret the payload leaves out from DATABRICKS_TOKEN or
// DATABRICKS_CLIENT_SECRET (the payload names the workspace and the
// service principal); apply takes a person's credentials from
// DATABRICKS_TOKEN, or DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET.
//
// No command writes over one of its inputs, or over another of its outputs.
//
// # Exit status
//
//   - 0: success.
//   - 1: an invalid payload, or a script that cannot be made from a valid one
//     (such as prerequisites with manual setup, or an edit that renames the
//     catalog), an audit whose gate fails, a lint diagnostic, a partial
//     grants dump. The diagnostics or the reason are on standard error.
//   - 2: a usage error (an unknown command or flag, a wrong number of
//     arguments, a bad flag value, a flag that does not go with --kind), or
//     a file that cannot be read or written.
//
// No output ever contains a secret (config.token,
// config.oAuthClientConfig.clientSecret): the library prints them as
// REDACTED and never quotes them in a diagnostic, and the command prints
// nothing of a payload but what the library returns.
package main
