// Package validation runs the validation tests of an integration against
// its workspace, as the integrations API answers a configure call: basic
// connection, metastore assignment, principal identity, warehouse or
// cluster state, governance catalog, privileges and audit access.
//
// [Run] returns [Results] in the API's shape,
// {"status", "validationTests": [{"name", "status", "result", "message"}]},
// each test passed, failed, warning or skipped, the overall status being
// the worst of them, and every test carrying a result ([] when it found
// nothing to report), as the API's example does. The message of a test that does not pass says what to
// do. Tests that cannot run because an earlier one failed (SQL after a
// failed connection, everything after refused credentials) are skipped,
// and say why.
//
// The REST calls go through package databricks, the SQL through package
// sqlexec, and the privilege check is the live audit of packages
// databricks and privileges.
package validation
