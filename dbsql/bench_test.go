package dbsql_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/dbsql"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/benchdata"
)

var (
	benchOnce   sync.Once
	benchScript []byte
)

// bigScript returns the rendered bootstrap script for 100 000 data
// sources, built once.
func bigScript(b *testing.B) []byte {
	benchOnce.Do(func() {
		in := benchdata.Integration(100000)
		s, err := generator.Generate(in, generator.Bootstrap)
		if err != nil {
			panic(err)
		}
		var buf bytes.Buffer
		if err := s.Render(&buf); err != nil {
			panic(err)
		}
		benchScript = buf.Bytes()
	})
	if len(benchScript) < 10<<20 {
		b.Fatalf("script of %d bytes, want at least 10 MB", len(benchScript))
	}
	return benchScript
}

// BenchmarkParse parses a generated script of more than 10 MB.
func BenchmarkParse(b *testing.B) {
	src := bigScript(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	var n int
	for b.Loop() {
		f, err := dbsql.ParseFile("bench.sql", src)
		if err != nil {
			b.Fatal(err)
		}
		n = len(f.Stmts)
	}
	b.ReportMetric(float64(n), "stmts/op")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "stmts/s")
}

// BenchmarkScan scans the same script with the lexer alone.
func BenchmarkScan(b *testing.B) {
	src := bigScript(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		var s dbsql.Scanner
		s.Init("bench.sql", src, nil)
		for {
			_, tok, _ := s.Scan()
			if tok == dbsql.EOF {
				break
			}
		}
	}
}

// BenchmarkParseExamples parses the bootstrap script of each example
// payload: small scripts, where fixed costs show.
func BenchmarkParseExamples(b *testing.B) {
	files, err := filepath.Glob(filepath.Join("..", "examples", "payloads", "*"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no example payloads (%v)", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		in, err := ucbootstrap.Decode(file, data)
		if err != nil {
			b.Fatal(err)
		}
		s, err := generator.Generate(in, generator.Bootstrap)
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := s.Render(&buf); err != nil {
			b.Fatal(err)
		}
		src := buf.Bytes()
		b.Run(filepath.Base(file), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := dbsql.ParseFile("bench.sql", src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

var (
	mixedOnce   sync.Once
	mixedScript []byte
)

// mixedTemplates are the statements of the mixed corpus: the DDL and DCL
// of the Databricks SQL reference, parsed in full, and the queries kept
// opaque. %[1]d is the statement's number, which makes every name unique.
var mixedTemplates = []string{
	"CREATE CATALOG IF NOT EXISTS `cat_%[1]d` MANAGED LOCATION 's3://bucket/cat_%[1]d' COMMENT 'catalog %[1]d' OPTIONS ('owner' = 'team_%[1]d');\n",
	"CREATE SCHEMA IF NOT EXISTS `cat_%[1]d`.`sch` DEFAULT COLLATION UTF8_BINARY WITH DBPROPERTIES ('n' = '%[1]d');\n",
	"CREATE TABLE IF NOT EXISTS `cat_%[1]d`.`sch`.`t` (\n  `id` BIGINT GENERATED ALWAYS AS IDENTITY (START WITH 1 INCREMENT BY 1) NOT NULL,\n  `amount` DECIMAL(10, 2) DEFAULT 0 COMMENT 'amount',\n  `tags` ARRAY<STRING>,\n  `attrs` MAP<STRING, STRUCT<a: INT, b: STRING>>,\n  `ssn` STRING MASK `cat_%[1]d`.`sec`.`mask` USING COLUMNS (`id`),\n  CONSTRAINT `pk_%[1]d` PRIMARY KEY (`id`)\n) USING DELTA CLUSTER BY (`id`) COMMENT 'table %[1]d' TBLPROPERTIES ('delta.appendOnly' = 'false');\n",
	"CREATE OR REPLACE VIEW `cat_%[1]d`.`sch`.`v` (`id` COMMENT 'id') WITH SCHEMA BINDING COMMENT 'view' AS SELECT id FROM `cat_%[1]d`.`sch`.`t` WHERE amount > %[1]d;\n",
	"CREATE MATERIALIZED VIEW IF NOT EXISTS `cat_%[1]d`.`sch`.`mv` CLUSTER BY AUTO SCHEDULE REFRESH EVERY 2 HOURS AS SELECT count(*) AS n FROM `cat_%[1]d`.`sch`.`t`;\n",
	"CREATE FUNCTION IF NOT EXISTS `cat_%[1]d`.`sec`.`mask`(value STRING) RETURNS STRING COMMENT 'mask' RETURN CASE WHEN is_account_group_member('hr_%[1]d') THEN value ELSE '***' END;\n",
	"CREATE EXTERNAL VOLUME IF NOT EXISTS `cat_%[1]d`.`sch`.`files` LOCATION 's3://bucket/files_%[1]d' COMMENT 'files';\n",
	"CREATE EXTERNAL LOCATION IF NOT EXISTS `loc_%[1]d` URL 's3://bucket/loc_%[1]d' WITH (STORAGE CREDENTIAL `cred`) COMMENT 'loc';\n",
	"CREATE CONNECTION IF NOT EXISTS `conn_%[1]d` TYPE POSTGRESQL OPTIONS (host 'pg%[1]d.example.com', port '5432', user secret('scope', 'user'));\n",
	"CREATE SHARE IF NOT EXISTS `share_%[1]d` COMMENT 'share';\nCREATE RECIPIENT IF NOT EXISTS `rcpt_%[1]d` USING ID 'aws:us-west-2:%[1]d' COMMENT 'recipient';\n",
	"ALTER TABLE `cat_%[1]d`.`sch`.`t` ADD COLUMNS (`c_%[1]d` INT COMMENT 'new' AFTER `id`);\nALTER TABLE `cat_%[1]d`.`sch`.`t` ALTER COLUMN `amount` SET NOT NULL;\n",
	"ALTER TABLE `cat_%[1]d`.`sch`.`t` SET ROW FILTER `cat_%[1]d`.`sec`.`filter` ON (`id`);\nALTER TABLE `cat_%[1]d`.`sch`.`t` SET TAGS ('cost_center' = 'c%[1]d');\n",
	"ALTER CATALOG `cat_%[1]d` ENABLE PREDICTIVE OPTIMIZATION;\nALTER SCHEMA `cat_%[1]d`.`sch` SET OWNER TO `owners_%[1]d`;\n",
	"ALTER SHARE `share_%[1]d` ADD TABLE `cat_%[1]d`.`sch`.`t` COMMENT 'shared' AS `sch`.`t` WITH HISTORY;\n",
	"GRANT USE CATALOG, USE SCHEMA, SELECT ON CATALOG `cat_%[1]d` TO `analysts_%[1]d`;\nGRANT SELECT, MODIFY ON TABLE `cat_%[1]d`.`sch`.`t` TO `6f1b7c2e-3d4a-4b5c-9e8f-%012[1]d`;\n",
	"GRANT SELECT ON SHARE `share_%[1]d` TO RECIPIENT `rcpt_%[1]d`;\nREVOKE ALL PRIVILEGES ON SCHEMA `cat_%[1]d`.`sch` FROM `account users`;\n",
	"SET TAG ON COLUMN `cat_%[1]d`.`sch`.`t`.`ssn` pii = yes;\nCOMMENT ON TABLE `cat_%[1]d`.`sch`.`t` IS 'table %[1]d';\n",
	"SHOW GRANTS `analysts_%[1]d` ON TABLE `cat_%[1]d`.`sch`.`t`;\nSHOW TABLES IN `cat_%[1]d`.`sch` LIKE 't*';\nDESCRIBE TABLE EXTENDED `cat_%[1]d`.`sch`.`t`;\n",
	"SELECT raise_error('not ours') FROM system.information_schema.catalogs WHERE catalog_name = 'cat_%[1]d' AND NOT endswith(coalesce(comment, ''), ' [ucbootstrap v1 tenant=t%[1]d]');\n",
	"MERGE INTO `cat_%[1]d`.`sch`.`t` AS m USING (SELECT %[1]d AS id) AS s ON m.id = s.id WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id);\n",
	"USE CATALOG `cat_%[1]d`;\nDROP VIEW IF EXISTS `cat_%[1]d`.`sch`.`old_v`;\nDROP EXTERNAL LOCATION IF EXISTS `loc_old_%[1]d` FORCE;\n",
}

// mixedCorpus returns a script of at least 16 MB of mixed DDL and DCL, the
// same on every run: the templates in turn, each with its number.
func mixedCorpus(b *testing.B) []byte {
	mixedOnce.Do(func() {
		var buf bytes.Buffer
		for i := 0; buf.Len() < 16<<20; i++ {
			fmt.Fprintf(&buf, mixedTemplates[i%len(mixedTemplates)], i)
		}
		mixedScript = buf.Bytes()
	})
	if _, err := dbsql.ParseFile("mixed.sql", mixedScript); err != nil {
		b.Fatalf("the mixed corpus does not parse: %v", err)
	}
	return mixedScript
}

// BenchmarkParseMixed parses the mixed corpus: every kind of DDL and DCL
// statement, not only grants.
func BenchmarkParseMixed(b *testing.B) {
	src := mixedCorpus(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	var n int
	for b.Loop() {
		f, err := dbsql.ParseFile("mixed.sql", src)
		if err != nil {
			b.Fatal(err)
		}
		n = len(f.Stmts)
	}
	b.ReportMetric(float64(n), "stmts/op")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "stmts/s")
}

// BenchmarkScanMixed scans the mixed corpus with the lexer alone.
func BenchmarkScanMixed(b *testing.B) {
	src := mixedCorpus(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	var n int
	for b.Loop() {
		var s dbsql.Scanner
		s.Init("mixed.sql", src, nil)
		n = 0
		for {
			_, tok, _ := s.Scan()
			if tok == dbsql.EOF {
				break
			}
			if tok == dbsql.SEMICOLON {
				n++
			}
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "stmts/s")
}
