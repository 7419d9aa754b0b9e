// Package diag holds the two small types every package of the module uses
// to say where something is and how bad it is: [Position], a place in a
// file (payload, grant listing or SQL script), and [Severity].
//
// They live in a package of their own, which imports nothing of the
// module, so that the SQL front end, the payload model, the audit and the
// linter share one Position and one Severity, and every output (text,
// JSON, SARIF) prints them the same way.
package diag
