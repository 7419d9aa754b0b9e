package apply

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/emutest"
)

// BenchmarkApply runs the manual bootstrap of 1 000 and 10 000 data
// sources (internal/benchdata) on the emulator with 100 ms per request,
// one statement at a time and 16 at once, and reports the statements, the
// emulator's ordering violations, and the time per run. The validation
// tests are left out (they cost the same whatever the concurrency); the
// live audit after the script is in. The sequential run of 10 000 takes
// about 25 minutes:
//
//	go test -run '^$' -bench BenchmarkApply -benchtime 1x -timeout 3h ./apply
func BenchmarkApply(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		for _, conc := range []int{1, 16} {
			b.Run(fmt.Sprintf("sources=%d/concurrency=%d", n, conc), func(b *testing.B) {
				path := benchPayload(b, n)
				for b.Loop() {
					b.StopTimer()
					w := emutest.New(b, path)
					w.SetLatency(100 * time.Millisecond)
					o := options(w, w.In, generator.Bootstrap)
					o.Concurrency, o.NoValidation = conc, true
					b.StartTimer()
					res, err := Run(context.Background(), o)
					b.StopTimer()
					if err != nil || !res.Passed {
						b.Fatalf("%v: %s", err, describe(res))
					}
					_, violations := w.Violations()
					b.ReportMetric(float64(len(res.Plan.Statements)), "statements")
					b.ReportMetric(float64(violations), "violations")
					w.Close()
					b.StartTimer()
				}
			})
		}
	}
}
