package liveaudit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/benchdata"
	"github.com/ucbootstrap/ucbootstrap/internal/emutest"
	"github.com/ucbootstrap/ucbootstrap/privileges"
)

// benchWorkspace sets up the emulator for the manual setup of n data
// sources (internal/benchdata), its bootstrap run.
func benchWorkspace(b *testing.B, n int) *emutest.Workspace {
	b.Helper()
	data := benchdata.Payload(n)
	path := filepath.Join(b.TempDir(), "bench.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	w := emutest.New(b, path)
	s, err := generator.Generate(w.In, generator.Bootstrap)
	if err != nil {
		b.Fatal(err)
	}
	sql, err := s.SQL()
	if err != nil {
		b.Fatal(err)
	}
	if err := w.ExecScript(emutest.Admin, "bootstrap.sql", []byte(sql)); err != nil {
		b.Fatal(err)
	}
	return w
}

// BenchmarkLiveAudit audits 1 000 and 10 000 data sources after their
// bootstrap, by each path, with 50 ms per request, and reports the
// securables asked about, the HTTP round trips (the emulator's count) and
// the time per audit:
//
//	go test -run '^$' -bench BenchmarkLiveAudit -benchtime 1x -timeout 1h ./liveaudit
func BenchmarkLiveAudit(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("sources=%d", n), func(b *testing.B) {
			w := benchWorkspace(b, n)
			reqs, err := privileges.Required(w.In)
			if err != nil {
				b.Fatal(err)
			}
			securables := map[privileges.Securable]bool{}
			for _, r := range reqs.List {
				securables[r.On] = true
			}
			c, exec := clients(b, w)
			w.SetLatency(50 * time.Millisecond)
			for _, via := range []Via{REST, SQL} {
				b.Run("via="+string(via), func(b *testing.B) {
					for b.Loop() {
						before := w.Requests()
						rep, _, _, err := Audit(context.Background(), c, exec, reqs, Options{Via: via})
						if err != nil || !rep.Passed(privileges.Gate{}) {
							b.Fatalf("%v", err)
						}
						b.ReportMetric(float64(w.Requests()-before), "roundtrips")
					}
					b.ReportMetric(float64(len(securables)), "securables")
				})
			}
		})
	}
}
