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
)

// benchSources returns n data sources over 100 catalogs, as
// generator/bench_test.go does: a third schemas, a third tables in shared
// schemas, a third tables in schemas of their own.
func benchSources(n int) []string {
	out := make([]string, n)
	for i := range out {
		c := fmt.Sprintf("cat_%03d", i%100)
		switch i % 3 {
		case 0:
			out[i] = fmt.Sprintf("%s.schema_%06d", c, i)
		case 1:
			out[i] = fmt.Sprintf("%s.tables_%03d.table_%06d", c, i%50, i)
		default:
			out[i] = fmt.Sprintf("%s.s_%06d.t_%06d", c, i, i)
		}
	}
	return out
}

var (
	benchOnce   sync.Once
	benchScript []byte
)

// bigScript returns the rendered bootstrap script for 100 000 data
// sources, built once.
func bigScript(b *testing.B) []byte {
	benchOnce.Do(func() {
		in := &ucbootstrap.Integration{
			Type: ucbootstrap.TypeDatabricks,
			Config: ucbootstrap.Config{
				WorkspaceURL:       "dbc-a1b2c3d4-e5f6.cloud.databricks.com",
				HTTPPath:           "/sql/1.0/warehouses/8a1b2c3d4e5f6a7b",
				AuthenticationType: ucbootstrap.TokenAuth,
				Token:              ucbootstrap.NewSecret("dapi-bench"),
				Catalog:            "immuta",
				ServicePrincipal:   "6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f",
				Tenant:             "acme-prod",
				DataSources:        benchSources(100000),
				Audit:              ucbootstrap.Audit{Enabled: true},
			},
		}
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
