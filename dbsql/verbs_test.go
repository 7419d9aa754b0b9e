package dbsql_test

import (
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap/dbsql"
)

// opaqueSamples holds, for each verb that OpaqueVerbs lists, a statement of
// the Databricks SQL reference that starts with it, with semicolons and
// parentheses inside strings and lists.
var opaqueSamples = map[string]string{
	"ADD":      "ADD JAR '/tmp/a;b.jar'",
	"ANALYZE":  "ANALYZE TABLE t COMPUTE STATISTICS FOR COLUMNS a, b",
	"BEGIN":    "BEGIN TRANSACTION",
	"CACHE":    "CACHE SELECT * FROM t WHERE a = ';'",
	"CALL":     "CALL c.s.p(1, 'x;y')",
	"CLEAR":    "CLEAR CACHE",
	"COMMIT":   "COMMIT",
	"CONVERT":  "CONVERT TO DELTA parquet.`s3://b/p;q`",
	"COPY":     "COPY INTO t FROM 's3://b/p' FILEFORMAT = CSV FORMAT_OPTIONS ('sep' = ';')",
	"DECLARE":  "DECLARE OR REPLACE VARIABLE v STRING DEFAULT 'a;b'",
	"DELETE":   "DELETE FROM t WHERE a IN (1, 2)",
	"DENY":     "DENY SELECT ON TABLE t TO g",
	"EXECUTE":  "EXECUTE IMMEDIATE 'SELECT 1; SELECT 2'",
	"EXPLAIN":  "EXPLAIN EXTENDED SELECT (1) AS x",
	"FROM":     "FROM t SELECT a WHERE b = ';'",
	"FSCK":     "FSCK REPAIR TABLE t DRY RUN",
	"GENERATE": "GENERATE symlink_format_manifest FOR TABLE t",
	"GET":      "GET '/Volumes/c/s/v/f;1' TO 'f'",
	"INSERT":   "INSERT INTO t (a, b) VALUES (1, 'x;y')",
	"LIST":     "LIST '/Volumes/c/s/v' LIMIT 10",
	"LOAD":     "LOAD DATA INPATH 'p;q' INTO TABLE t",
	"MERGE":    "MERGE WITH SCHEMA EVOLUTION INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE",
	"MSCK":     "MSCK REPAIR TABLE t ADD PARTITIONS",
	"OPTIMIZE": "OPTIMIZE t ZORDER BY (a, b)",
	"PUT":      "PUT 'f' INTO '/Volumes/c/s/v/f;1' OVERWRITE",
	"REFRESH":  "REFRESH TABLE t",
	"REMOVE":   "REMOVE '/Volumes/c/s/v/f;1'",
	"REORG":    "REORG TABLE t APPLY (PURGE)",
	"REPAIR":   "REPAIR TABLE t SYNC METADATA",
	"RESET":    "RESET spark.sql.ansi.enabled",
	"RESTORE":  "RESTORE TABLE t TO VERSION AS OF 1",
	"ROLLBACK": "ROLLBACK TRANSACTION",
	"SELECT":   "SELECT a b, count(*) AS n FROM t WHERE c = 'x;y' GROUP BY a",
	"SET":      "SET spark.sql.ansi.enabled = 'a;b'",
	"SYNC":     "SYNC SCHEMA main.s FROM hive_metastore.s DRY RUN",
	"TABLE":    "TABLE t UNION ALL (TABLE u)",
	"TRUNCATE": "TRUNCATE TABLE t PARTITION (p = ';')",
	"UNCACHE":  "UNCACHE TABLE IF EXISTS t",
	"UNDROP":   "UNDROP TABLE WITH ID '6e8d;'",
	"UPDATE":   "UPDATE t AS x SET a = 1 WHERE b IN (2, 3)",
	"VACUUM":   "VACUUM t RETAIN 168 HOURS DRY RUN",
	"VALUES":   "VALUES (1, 'a;b'), (2, 'c')",
	"WITH":     "WITH q (a) AS (SELECT 1) SELECT a FROM q",
}

// TestOpaqueVerbs checks that a statement of each verb OpaqueVerbs lists
// is an *OpaqueStmt with that verb and its exact span, in any case; that
// prose whose first word is such a verb is a syntax error at the first
// token that does not fit the verb's syntax; and that a word close to a
// verb is a syntax error that names it.
func TestOpaqueVerbs(t *testing.T) {
	for _, verb := range dbsql.OpaqueVerbs() {
		sample, ok := opaqueSamples[verb]
		if !ok {
			t.Errorf("no sample statement for the opaque verb %s", verb)
			continue
		}
		for _, src := range []string{sample, strings.ToLower(verb) + sample[len(verb):]} {
			st, err := dbsql.ParseStmt(src + ";")
			if err != nil {
				t.Errorf("%s: %v", src, err)
				continue
			}
			op, ok := st.(*dbsql.OpaqueStmt)
			if !ok {
				t.Errorf("%s: %T, want *dbsql.OpaqueStmt", src, st)
				continue
			}
			if op.Verb != verb || op.Text != src || int(op.From) != 1 || int(op.To) != len(src)+1 {
				t.Errorf("%s: verb %q text %q span %d..%d, want %q, the whole statement", src, op.Verb, op.Text, op.From, op.To, verb)
			}
		}
	}
	// More valid forms whose first tokens differ: they stay opaque.
	for _, src := range []string{
		"SELECT 1", "SELECT * FROM t", "SELECT DISTINCT a b FROM t", "SELECT a AS b, c d FROM t",
		"SELECT current_date today", "SELECT a b LIMIT 1", "SELECT a IS NOT NULL x FROM t",
		"SELECT CASE WHEN a THEN b END c FROM t", "SELECT INTERVAL 1 DAY AS i",
		"SELECT DATE '2024-01-01' d", "SELECT e.name emp FROM t e", "SELECT count(*) n FROM t",
		"SELECT a b UNION ALL SELECT c d", "SELECT a::string s FROM t", "SELECT /*+ BROADCAST(t) */ a b FROM t",
		"SELECT TRANSFORM (a) USING 'cat' AS (x) FROM t", "SELECT a b |> WHERE b > 1",
		"WITH RECURSIVE r (n) AS (SELECT 1) SELECT * FROM r", "WITH q (SELECT 1) SELECT * FROM q",
		"TABLE c.s.t", "TABLE t ORDER BY a LIMIT 1", "TABLE t |> WHERE a = 1", "TABLE IDENTIFIER(:t)",
		"INSERT OVERWRITE TABLE t SELECT 1", "INSERT WITH SCHEMA EVOLUTION INTO t BY NAME SELECT 1",
		"INSERT INTO t REPLACE WHERE a = 1 SELECT 1",
		"MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE",
		"UPDATE t SET a = 1", "UPDATE c.s.t x SET a = 1", "UPDATE delta.`/p` SET a = 1", "UPDATE IDENTIFIER(:t) SET a = 1",
		"EXPLAIN SELECT 1", "EXPLAIN FORMATTED WITH q AS (SELECT 1) SELECT * FROM q", "EXPLAIN (SELECT 1)",
		"ANALYZE TABLES IN s COMPUTE STATISTICS", "CACHE LAZY TABLE t", "CACHE TABLE t AS SELECT 1",
		"LIST JARS", "ADD FILES '/a' '/b'", "ADD ARCHIVE '/a.zip'",
		"CALL p()", "CALL IDENTIFIER('p')(1)", "COMMIT WORK", "ROLLBACK", "COMMIT TRANSACTION",
		"RESET", "RESET `spark.sql.ansi.enabled`", "SET", "SET -v", "SET ansi_mode", "SET ansi_mode=true",
		"SET spark.sql.shuffle.partitions = auto", "SET VAR v = 1", "SET VARIABLE (a, b) = (SELECT 1, 2)",
		"SET TIME ZONE LOCAL", "SET TIME ZONE 'America/Los_Angeles'", "SET `a b` = 1", "SET CATALOG main",
		"VACUUM '/data/events' RETAIN 100 HOURS", "VACUUM delta.`/p`", "OPTIMIZE t WHERE d >= '2024'",
		"RESTORE t TO TIMESTAMP AS OF '2024-01-01'", "REFRESH '/path/to/t'", "REFRESH FUNCTION f",
		"DECLARE v INT", "DECLARE VARIABLE v = 1", "FROM (SELECT 1 AS a) SELECT a", "VALUES 1, 2",
		"SYNC TABLE main.s.t FROM hive_metastore.s.t", "MSCK REPAIR TABLE t SYNC PARTITIONS",
		"LOAD DATA LOCAL INPATH '/p' OVERWRITE INTO TABLE t", "GET '/Volumes/a' TO '/tmp/a'",
		"GENERATE symlink_format_manifest FOR TABLE delta.`/p`", "CONVERT TO DELTA t NO STATISTICS",
		"EXECUTE IMMEDIATE 'SELECT ?' USING 1",
	} {
		st, err := dbsql.ParseStmt(src)
		if err != nil {
			t.Errorf("%s: %v", src, err)
		} else if _, ok := st.(*dbsql.OpaqueStmt); !ok {
			t.Errorf("%s: %T, want *dbsql.OpaqueStmt", src, st)
		}
	}
	for _, tc := range []struct{ src, want string }{
		{"SELCT 1", "1:1: SELCT is not a statement of Databricks SQL: did you mean SELECT?"},
		{"MERG INTO t USING s ON a = b WHEN MATCHED THEN DELETE", "1:1: MERG is not a statement of Databricks SQL: did you mean MERGE?"},
		{"VACUM t", "1:1: VACUM is not a statement of Databricks SQL: did you mean VACUUM?"},
		{"hello world", "1:1: hello is not a statement of Databricks SQL: a statement starts with a verb such as CREATE, GRANT, ALTER or SELECT"},
		// Prose that starts with a verb.
		{"Set up Unity Catalog before you run this.", "1:8: expected '=' after the configuration key, found Unity"},
		{"Add the service principal to the admins group first.", "1:5: expected JAR, JARS, FILE, FILES, ARCHIVE or ARCHIVES after ADD, found the"},
		{"Select the rows you want.", "1:17: expected ',', FROM or the end of the statement after the select item the rows, found you"},
		{"DELETE everything now", "1:8: expected FROM after DELETE, found everything"},
		{"insert coin", "1:8: expected INTO, OVERWRITE or WITH after INSERT, found coin"},
		{"Table of contents", "1:10: expected ';', UNION, ORDER BY or LIMIT after the table name of TABLE, found contents"},
		{"With this script you set up the catalog.", "1:11: expected AS or '(' after the name of the common table expression, found script"},
		{"Update the script when the payload changes.", "1:19: expected SET after the table of UPDATE, found when"},
		{"Call the account admin", "1:10: expected '(' after the procedure name, found account"},
		{"List the grants", "1:6: expected a path string or JAR, JARS, FILE, FILES, ARCHIVE or ARCHIVES after LIST, found the"},
		{"Get started", "1:5: expected a path string after GET, found started"},
		{"Copy the file", "1:6: expected INTO after COPY, found the"},
		{"Load the payload", "1:6: expected DATA after LOAD, found the"},
		{"Explain why", "1:9: expected a statement after EXPLAIN, found why"},
		{"Commit your changes", "1:8: expected TRANSACTION or WORK after COMMIT, found your"},
		{"Reset the password", "1:11: expected ';' after the configuration key, found password"},
		{"Generate the script", "1:14: expected FOR after GENERATE mode, found script"},
	} {
		_, err := dbsql.ParseStmt(tc.src)
		if err == nil || err.Error() != "dbsql: "+tc.want {
			t.Errorf("ParseStmt(%q) = %v, want dbsql: %s", tc.src, err, tc.want)
		}
	}
}
