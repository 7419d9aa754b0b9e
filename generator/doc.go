// Package generator turns a validated [ucbootstrap.Integration] into the
// setup scripts of a Unity Catalog integration: [Generate] returns a
// [Script], an ordered list of statements, each with its section and a
// one-line purpose, and [Script.Render] formats it as SQL through the
// embedded templates.
//
// There are four kinds of script:
//
//   - [Bootstrap]: with manual setup (autoBootstrap false), everything a
//     person runs: the governance catalog, its schemas, tables and
//     functions, the revoke of public access, the service principal's grants
//     on its data sources and on the audit system tables, and the ownership
//     hand-over, last. With automatic setup, the part the service principal
//     runs itself: the catalog, its content and the revoke.
//   - [Prerequisites]: automatic setup only; the grants an admin gives the
//     service principal first.
//   - [Edit]: from an old payload ([From]) to a new one: grants and revokes
//     for added or removed data sources, audit switched on or off, a new
//     service principal. Changes that cannot be made in place are errors.
//   - [Cleanup]: drops the governance catalog and, with [RevokeGrants], the
//     service principal's grants.
//
// Identical input gives byte-identical output: every list is sorted, no
// clock or randomness is read, and every identifier and literal is quoted.
// Scripts can be run again: CREATE ... IF NOT EXISTS, CREATE OR REPLACE
// FUNCTION, and GRANT and REVOKE, which Unity Catalog accepts repeatedly.
package generator
