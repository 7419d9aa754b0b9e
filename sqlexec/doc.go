// Package sqlexec runs SQL statements on a Databricks workspace: on a SQL
// warehouse through the Statement Execution API, and on an all-purpose
// cluster through the Command Execution API 1.2. It knows SQL transport,
// not privilege rules.
//
// [New] takes a [databricks.Client], which holds the workspace, its port,
// the loopback switch and the credentials (a token or OAuth M2M), and the
// payload's httpPath: /sql/1.0/warehouses/<id> (or the legacy
// /sql/1.0/endpoints/<id>) names a warehouse, sql/protocolv1/o/<org>/<id>
// a cluster.
//
// Statements go one per call, split from a script by [Split] with package
// dbsql (never on ";") and written fully qualified: there is no session,
// so USE does not carry over. [Executor.Execute] submits a statement with
// a server-side wait (wait_timeout, 10 to 50 s) and on_wait_timeout
// CONTINUE, then polls with an additive backoff against a wall-clock
// deadline. A statement that is PENDING waits for its warehouse to start
// under a budget of its own, [Options.StartTimeout] (20 minutes by
// default, twice the execution budget [Options.Timeout]: a cold start
// takes minutes, a setup statement seconds), and [Options.Progress] hears
// "warehouse starting"; a terminated cluster is started the same way. When the
// deadline passes or the context is cancelled (Ctrl-C), the statement is
// cancelled and polled until it ends: a statement that ends CANCELED may
// or may not have taken effect, and its [Error] says so ([ErrOutcomeUnknown]).
//
// Requests are retried only on 429, 503, TEMPORARILY_UNAVAILABLE and
// transport errors, honouring Retry-After. A submission whose connection
// failed after the request was sent may have been accepted: it is sent
// again only when the statement is idempotent (CREATE ... IF NOT EXISTS,
// GRANT, REVOKE, ...); otherwise the outcome is reported as unknown. The
// statement ID is handed to [Options.Submitted] before any waiting, so that
// a run that stops can [Executor.Attach] to it again instead of
// resubmitting it.
//
// Failures are [Error] values: state, error_code, the error condition, the
// server's message (redacted of credentials by [databricks.Client.Redact]),
// SQLSTATE, statement ID, and the statement's file:line:col in its script.
// Results are typed by the manifest, with NULL distinct from "": SELECT 1
// gives the row [1] in a column "1", and [Result.Objects] gives
// [{"1": 1}].
package sqlexec
