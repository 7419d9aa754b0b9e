package dbsql_test

import (
	"bytes"
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
