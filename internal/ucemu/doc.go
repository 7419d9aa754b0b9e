// Package ucemu is a stand-in for a Databricks workspace with Unity
// Catalog, served over HTTP on loopback, for tests and for trying
// ucbootstrap without a workspace (cmd/ucemu starts one).
//
// It serves:
//
//   - the Unity Catalog REST calls of package databricks: permissions and
//     effective-permissions (paged), catalogs, schemas, tables and
//     functions with their owner and comment, current-metastore-assignment,
//     metastore_summary, and the system schemas API;
//   - SCIM Me and the OAuth client-credentials token endpoint;
//   - the Statement Execution API (/api/2.0/sql/statements) for SQL
//     warehouses, and the warehouses API (GET, start);
//   - the Command Execution API 1.2 (contexts, commands) for clusters, and
//     the clusters API (get, start).
//
// It executes the statements that setup scripts, their guards and the
// validation probes use, parsed with package dbsql: CREATE CATALOG, SCHEMA,
// TABLE (with a column list, or AS SELECT ... FROM VALUES) and FUNCTION,
// with IF NOT EXISTS or OR REPLACE; GRANT and REVOKE; ALTER ... OWNER TO;
// COMMENT ON; DROP ... [IF EXISTS] [CASCADE]; SELECT over tables,
// subqueries, VALUES, information_schema views and system tables (columns,
// literals, comparisons, AND/OR/NOT, IN, IS NULL, coalesce, endswith,
// lower, count(*), raise_error, LIMIT), including the information_schema
// metastores and metastore_privileges views; MERGE INTO; and INSERT INTO
// ... VALUES or a query. Failures come back
// as Databricks reports them: HTTP 200 with state FAILED, an error_code,
// the error condition in the message ("[INSUFFICIENT_PERMISSIONS] ...")
// and a SQLSTATE.
//
// Its permission checks follow the documented Unity Catalog rules, each
// written in rules.go with its source, independently of package
// privileges (which it does not import): a rule that one of them gets
// wrong shows up as a failing end-to-end test rather than as two copies
// that agree.
//
// The emulator behaves as the real service does where clients tend to go
// wrong: it pages with a small page size and serves empty pages that still
// carry a next_page_token, returns privilege assignments in a random (but
// seeded) order, keeps grants to deleted principals with an empty
// principal, starts a stopped warehouse when a statement is submitted to
// it (the statement stays PENDING meanwhile), and rejects requests without
// valid credentials. Faults can be injected: 429 and 5xx responses (with
// the error_code and Retry-After asked for, [Server.Inject]), a
// connection dropped before or after a statement is accepted, statements
// that stay PENDING or RUNNING for N polls, a cancel that comes too late
// (the statement takes effect and reports CANCELED), statements that are
// closed after they succeed (CLOSED: the result is gone,
// [Server.CloseStatement]) and statements that expire (404). Latency can
// be added, and requests are counted.
//
// It watches the order a client keeps: a statement submitted while a
// statement of the same caller on a related object (the same one, its
// container or its content; a query of information_schema relates to
// everything) has not ended is recorded as a [Violation], since the two
// may then run in either order. [Server.Executions] counts how often a
// statement was executed.
//
// Not emulated: sessions (USE does not carry over, as in the Statement
// Execution API), views, volumes, row filters and column masks, external
// locations and credentials beyond grants on them, joins, GROUP BY,
// statement parameters, the EXTERNAL_LINKS disposition, warehouse
// permissions (CAN USE), the permission checks of the REST read calls
// (beyond [Server.Forbid]), workspace-level admin rights, and the default
// and information_schema schemas that Databricks creates in every
// catalog.
//
// It serves on loopback only.
package ucemu
