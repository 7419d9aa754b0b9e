package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ucbootstrap/ucbootstrap/server/store"
	"github.com/ucbootstrap/ucbootstrap/server/store/storetest"
)

// benchIntegrations is the size of the store the read benchmarks use.
const benchIntegrations = 10000

// BenchmarkIntegrations measures GET /integrations and GET
// /integrations/{id} over HTTP (loopback, an API key, the JSON of the
// responses) with 10 000 integrations in the store, on SQLite and
// PostgreSQL; it reports requests per second and the 99th percentile of
// the latency.
func BenchmarkIntegrations(b *testing.B) {
	for _, backend := range storetest.Backends {
		b.Run(backend, func(b *testing.B) {
			h := newHarness(b, backend, nil)
			seed(b, h, benchIntegrations)
			b.Run("list", func(b *testing.B) { benchGet(b, h, func(int) string { return "/integrations" }) })
			b.Run("get", func(b *testing.B) {
				benchGet(b, h, func(i int) string { return fmt.Sprintf("/integrations/%d", 1+i%benchIntegrations) })
			})
		})
	}
}

// seed stores n enabled integrations, each with a sealed token, through
// the store (as POST would, without the validation).
func seed(b *testing.B, h *harness, n int) {
	b.Helper()
	ctx := context.Background()
	in := mustDecode(b, tokenPayload(ws1, true))
	results := []byte(`{"status":"passed","validationTests":[{"name":"Connection","status":"passed","result":[{"1":1}]},{"name":"Metastore","status":"passed"}]}`)
	start := time.Now()
	var wg sync.WaitGroup
	work := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range work {
				ws := fmt.Sprintf("dbc-%05d.cloud.databricks.com", i)
				_, err := h.st.Create(ctx, &store.Integration{Workspace: ws, Status: store.Enabled, Validation: results}, "",
					func(id int64) (store.Config, error) {
						c := *in
						c.Config.WorkspaceURL = ws
						return h.srv.seal(id, &c), nil
					})
				if err != nil {
					b.Error(err)
				}
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	b.Logf("seeded %d integrations in %v", n, time.Since(start).Round(time.Millisecond))
}

func benchGet(b *testing.B, h *harness, path func(int) string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	var mu sync.Mutex
	var lat []time.Duration
	var next int
	b.SetParallelism(2) // 2 × GOMAXPROCS clients
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			mu.Lock()
			i := next
			next++
			mu.Unlock()
			req, _ := http.NewRequest("GET", h.ts.URL+path(i), nil)
			req.Header.Set("Authorization", h.reader)
			t := time.Now()
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			mine = append(mine, time.Since(t))
			if res.StatusCode != 200 {
				b.Errorf("GET %s: %d", path(i), res.StatusCode)
				return
			}
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
