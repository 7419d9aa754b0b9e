// Package dbsql is a front end for the Databricks SQL that setup scripts
// use: a lexer, a recursive-descent parser, an abstract syntax tree whose
// nodes all carry positions, and a printer that writes canonical SQL.
//
// It is modelled on go/scanner and go/parser. [ParseFile] splits a script
// into statements at semicolons (ignoring those inside strings, comments,
// parentheses, $$ bodies and BEGIN ... END blocks) and parses each one.
//
// # Statements parsed in full
//
// The DDL and DCL of the Databricks SQL language reference, each as its
// page gives it:
//
//   - CREATE [FOREIGN] CATALOG, CREATE SCHEMA / DATABASE
//   - CREATE [OR REPLACE | TEMPORARY | EXTERNAL] TABLE and REPLACE TABLE,
//     with nested ARRAY, MAP and STRUCT column types, generated and
//     identity columns, defaults, masks, column and table constraints,
//     CLUSTER BY (columns | AUTO | NONE), bucketing, OPTIONS, LOCATION
//     ... WITH (CREDENTIAL ...), TBLPROPERTIES, row filters, AS query
//   - CREATE [OR REPLACE] [[GLOBAL] TEMPORARY] VIEW, with schema binding
//     and metric views; CREATE [OR REPLACE] MATERIALIZED VIEW, with
//     schedules and triggers
//   - CREATE [OR REPLACE] [TEMPORARY] FUNCTION, SQL (RETURN) and Python
//     (AS $$ ... $$, ENVIRONMENT) bodies
//   - CREATE [EXTERNAL] VOLUME, CREATE EXTERNAL LOCATION, CREATE
//     CONNECTION (SERVER), CREATE SHARE, CREATE RECIPIENT
//   - ALTER CATALOG, SCHEMA, TABLE, VIEW, MATERIALIZED VIEW, STREAMING
//     TABLE, VOLUME, FUNCTION, EXTERNAL LOCATION, [STORAGE | SERVICE]
//     CREDENTIAL, CONNECTION, SHARE, RECIPIENT and PROVIDER: [SET] OWNER
//     TO ([AlterOwnerStmt]), SET / DROP ROW FILTER ([RowFilterStmt]), ALTER
//     COLUMN ... SET / DROP MASK ([ColumnMaskStmt]) and every other action
//     of their pages ([AlterStmt]: RENAME TO, SET / UNSET TAGS and
//     properties, columns, constraints, CLUSTER BY, predictive
//     optimization, DEFAULT COLLATION, managed locations, URLs and
//     credentials, schedules, share objects, ...)
//   - SET TAG ON, UNSET TAG ON
//   - GRANT and REVOKE on every securable (with GRANT ON SHARE ... TO
//     RECIPIENT), SHOW GRANTS [principal] ON securable, SHOW GRANTS TO
//     RECIPIENT
//   - COMMENT ON ... IS, DROP [TEMPORARY] ... [IF EXISTS] ... [CASCADE |
//     RESTRICT | FORCE], USE [CATALOG | SCHEMA | DATABASE] name or 'name'
//   - SHOW CATALOGS, SCHEMAS, TABLES [DROPPED], VIEWS, FUNCTIONS, VOLUMES, EXTERNAL
//     LOCATIONS, CREDENTIALS, CONNECTIONS, SHARES, RECIPIENTS, PROVIDERS,
//     CREATE TABLE, TBLPROPERTIES, COLUMNS ([ShowStmt]), and DESCRIBE
//     ([DescribeStmt])
//
// # Statements kept opaque
//
// Queries and DML (SELECT, WITH, VALUES, FROM, TABLE, INSERT, MERGE,
// UPDATE, DELETE, EXPLAIN), maintenance, file, session, scripting and
// transaction commands ([OpaqueVerbs] lists their first words), and a few
// forms of parsed verbs (CREATE STREAMING TABLE, CREATE PROCEDURE, CREATE
// OR REFRESH, Hive CREATE FUNCTION ... AS 'class', the partition, SERDE and
// LOCATION forms of ALTER TABLE, SHOW GROUPS, USERS, PARTITIONS, DESCRIBE
// QUERY, ...) become an [OpaqueStmt] that records its exact span. The
// first tokens after an opaque verb must fit the statement's syntax
// (INSERT INTO or OVERWRITE, DELETE FROM, SET key [= value], ADD JAR,
// TABLE name, a select list, ...), so that prose starting with such a
// word ("Set up Unity Catalog first.") is a syntax error at the first
// token that does not fit; the rest of the statement is not checked. A
// statement whose first word is none of these is a syntax error at that
// word, with a did-you-mean for a near miss. Query bodies inside parsed
// statements (CREATE TABLE ... AS query, a function's RETURN expression)
// are kept as [Span]s.
//
// # Errors
//
// Keywords are not reserved: the scanner returns every word as an IDENT
// and the parser recognises keywords, in any case, where it expects them.
// Names keep the case they are written in; a [QualifiedName] holds the
// unquoted parts, each with its position.
//
// Besides the grammar, the parser rejects what the reference rejects and a
// parser can see: names with more parts than their securable takes, OR
// REPLACE with IF NOT EXISTS, temporary objects that are qualified or take
// IF NOT EXISTS, TO RECIPIENT outside a share grant, a missing or second
// principal, ALL PRIVILEGES with other privileges, clauses given twice or
// out of order, clauses that Spark's parser refuses together (CLUSTER BY
// with PARTITIONED BY or with CLUSTERED BY ... BUCKETS, a temporary view
// WITH SCHEMA), a grant option (Unity Catalog has none), and the errors of
// the INVALID_SQL_SYNTAX class that come from the text alone (among them
// EMPTY_PARTITION_VALUE). Semantic mistakes, such as a privilege that does not
// apply to its securable, are left to package lint.
//
// Syntax errors are reported as an [ErrorList] sorted by position; the
// parser resumes at the next statement, so one bad statement does not hide
// the errors or the statements that follow it. A string, name or comment
// that is not terminated is reported where it opens, once. [Fprint] writes
// a node back as canonical SQL: keywords in upper case, every identifier
// back-quoted and strings single-quoted, such that parsing the output gives
// the same tree again.
package dbsql
