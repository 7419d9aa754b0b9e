package apply

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/emutest"
	"github.com/ucbootstrap/ucbootstrap/internal/ucemu"
)

// benchRun sets up the emulator of the benchmark for the payload file
// path: each statement takes two requests of perRequest each, its
// submission (answered RUNNING) and a poll (SUCCEEDED), so that it is in
// flight between the two and a statement on a related object submitted
// meanwhile is an ordering violation the emulator counts. It returns the
// workspace and the options of the manual bootstrap at concurrency conc,
// without the validation tests (they cost the same whatever the
// concurrency).
func benchRun(tb testing.TB, path string, perRequest time.Duration, conc int) (*emutest.Workspace, Options) {
	tb.Helper()
	w := emutest.New(tb, path, ucemu.RunningPolls(1))
	w.SetLatency(perRequest)
	o := options(w, w.In, generator.Bootstrap)
	o.Concurrency, o.NoValidation = conc, true
	return w, o
}

// BenchmarkApply runs the manual bootstrap of 1 000 and 10 000 data
// sources (internal/benchdata) on the emulator with 100 ms per statement
// (two requests of 50 ms, the statement in flight between them), one
// statement at a time and 16 at once, and reports the statements, the
// emulator's ordering violations (TestBenchRunCountsViolations shows that
// this setup counts them), and the time per run. The live audit after the
// script is in. The sequential run of 1 000 takes about 4 minutes, of
// 10 000 about 40:
//
//	go test -run '^$' -bench BenchmarkApply -benchtime 1x -timeout 3h ./apply
func BenchmarkApply(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		for _, conc := range []int{1, 16} {
			b.Run(fmt.Sprintf("sources=%d/concurrency=%d", n, conc), func(b *testing.B) {
				path := benchPayload(b, n)
				for b.Loop() {
					b.StopTimer()
					w, o := benchRun(b, path, 50*time.Millisecond, conc)
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

// TestBenchRunCountsViolations runs the benchmark's setup with a
// scheduler that ignores the dependencies: the emulator counts ordering
// violations, so the benchmark's zero is a measurement.
func TestBenchRunCountsViolations(t *testing.T) {
	dependenciesOf = func(p *Plan, ph phase) [][]int { return make([][]int, len(ph.stmts)) }
	defer func() { dependenciesOf = dependencies }()
	w, o := benchRun(t, benchPayload(t, 30), time.Millisecond, 16)
	_, err := Run(t.Context(), o)
	if _, n := w.Violations(); n == 0 {
		t.Fatalf("no violation counted without dependencies (the run: %v)", err)
	} else {
		t.Logf("without dependencies: %d violations, %v", n, err)
	}
}
