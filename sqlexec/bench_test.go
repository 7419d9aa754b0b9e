package sqlexec_test

import (
	"context"
	"testing"

	"github.com/ucbootstrap/ucbootstrap/sqlexec"
)

// BenchmarkExecute measures one statement against the emulator on
// loopback: submission, the server-side wait, decoding.
func BenchmarkExecute(b *testing.B) {
	for kind, path := range paths {
		b.Run(kind, func(b *testing.B) {
			e := executor(b, emulator(b), path, fast())
			st, err := sqlexec.Parse("SELECT * FROM VALUES (1, 'a'), (2, NULL), (3, '') AS v(n, s)")
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				res, err := e.Execute(context.Background(), st)
				if err != nil || len(res.Rows) != 3 {
					b.Fatal(res, err)
				}
			}
		})
	}
}
