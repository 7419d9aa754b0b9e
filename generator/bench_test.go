package generator_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/benchdata"
)

// BenchmarkGenerate measures Generate plus Render of a manual bootstrap
// script (validation included) for 10 to 100 000 data sources.
func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{10, 1000, 100000} {
		b.Run(fmt.Sprintf("sources=%d", n), func(b *testing.B) {
			in := benchdata.Integration(n)
			b.ReportAllocs()
			for b.Loop() {
				s, err := generator.Generate(in, generator.Bootstrap)
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Render(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
