// Package dbsql is a front end for the Databricks SQL that setup scripts
// use: a lexer, a recursive-descent parser, an abstract syntax tree whose
// nodes all carry positions, and a printer that writes canonical SQL.
//
// It is modelled on go/scanner and go/parser. [ParseFile] splits a script
// into statements at semicolons (ignoring those inside strings, comments,
// parentheses and $$ bodies) and parses each one. Statements that define or
// secure Unity Catalog objects are parsed in full:
//
//   - CREATE CATALOG, CREATE SCHEMA / DATABASE
//   - CREATE TABLE, with nested ARRAY, MAP and STRUCT column types
//   - CREATE FUNCTION (SQL and $$ bodies)
//   - CREATE VIEW, CREATE VOLUME
//   - GRANT and REVOKE on every securable type
//   - SHOW GRANTS [principal] ON securable
//   - ALTER ... [SET] OWNER TO
//   - ALTER TABLE ... SET / DROP ROW FILTER, ALTER COLUMN ... SET / DROP MASK
//   - COMMENT ON ... IS
//   - DROP ... [IF EXISTS] ... [CASCADE | RESTRICT]
//   - USE [CATALOG | SCHEMA | DATABASE]
//
// Any other statement (SELECT, MERGE, other ALTER TABLE forms, ...) becomes
// an [OpaqueStmt] that records its span. Query bodies inside parsed statements (CREATE TABLE ...
// AS query, a function's RETURN expression) are kept as opaque [Span]s.
//
// Keywords are not reserved: the scanner returns every word as an IDENT
// and the parser recognises keywords, in any case, where it expects them.
// Names keep the case they are written in; a [QualifiedName] holds the
// unquoted parts, each with its position.
//
// Syntax errors are reported as an [ErrorList] sorted by position; the
// parser resumes at the next statement, so one bad statement does not hide
// the errors or the statements that follow it. [Fprint] writes a node back
// as canonical SQL: keywords in upper case, every identifier back-quoted
// and strings single-quoted, such that parsing the output gives the same
// tree again.
package dbsql
