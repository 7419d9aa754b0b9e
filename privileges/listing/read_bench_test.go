package listing

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"testing"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/privileges"
)

// The generated listings: about 100 principals (users, groups and service
// principals), 1000 catalogs with schemas and tables, and the privileges
// that each kind of securable takes.
var (
	benchPrincipals = func() []string {
		var p []string
		for i := range 60 {
			p = append(p, fmt.Sprintf("user%02d@example.com", i))
		}
		for i := range 30 {
			p = append(p, fmt.Sprintf("data-team-%02d", i))
		}
		for i := range 10 {
			p = append(p, fmt.Sprintf("6f1c2d3e-4a5b-4c6d-8e9f-%012d", i))
		}
		return p
	}()
	benchCatalogPrivs = []string{"USE CATALOG", "BROWSE", "CREATE SCHEMA", "ALL PRIVILEGES", "MANAGE", "USAGE"}
	benchSchemaPrivs  = []string{"USE SCHEMA", "CREATE TABLE", "SELECT", "MODIFY", "EXECUTE"}
	benchTablePrivs   = []string{"SELECT", "MODIFY", "MANAGE", "ALL PRIVILEGES", "APPLY TAG"}
)

const showGrantsHeader = "Principal,ActionType,ObjectType,ObjectKey\n"

// appendShowGrantsRow appends the i-th generated SHOW GRANTS row.
func appendShowGrantsRow(b []byte, i int) []byte {
	x := uint64(i)*0x9E3779B97F4A7C15 + 1
	x ^= x >> 31
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 29
	b = append(b, benchPrincipals[x%uint64(len(benchPrincipals))]...)
	b = append(b, ',')
	catalog := "cat" + strconv.Itoa(int(x>>8%1000))
	schema := "s" + strconv.Itoa(int(x>>20%20))
	table := "t" + strconv.Itoa(int(x>>28%200))
	switch k := x >> 40 % 10; {
	case k == 0:
		b = append(b, benchCatalogPrivs[x>>44%uint64(len(benchCatalogPrivs))]...)
		b = append(b, ",CATALOG,"...)
		b = append(b, catalog...)
	case k < 3:
		b = append(b, benchSchemaPrivs[x>>44%uint64(len(benchSchemaPrivs))]...)
		b = append(b, ",SCHEMA,"...)
		b = append(b, catalog+"."+schema...)
	default:
		b = append(b, benchTablePrivs[x>>44%uint64(len(benchTablePrivs))]...)
		b = append(b, ",TABLE,"...)
		b = append(b, catalog+"."+schema+"."+table...)
	}
	return append(b, '\n')
}

// showGrantsCSV returns n generated SHOW GRANTS rows with their header.
func showGrantsCSV(n int) []byte {
	b := make([]byte, 0, 48*n+64)
	b = append(b, showGrantsHeader...)
	for i := range n {
		b = appendShowGrantsRow(b, i)
	}
	return b
}

// A generator produces a listing as it is read, without holding it: a
// prefix, n rows, and a suffix.
type generator struct {
	prefix, suffix string
	n, i           int
	row            func(b []byte, i int) []byte
	buf            []byte
	off            int
	size           int64 // bytes produced so far
	done           bool
}

// newRowGenerator returns a generator of n SHOW GRANTS rows as CSV.
func newRowGenerator(n int) *generator {
	return &generator{prefix: showGrantsHeader, n: n, row: appendShowGrantsRow}
}

func (g *generator) Read(p []byte) (int, error) {
	for g.off == len(g.buf) {
		switch {
		case g.done:
			return 0, io.EOF
		case g.i == 0 && g.prefix != "" && g.buf == nil:
			g.buf = append(g.buf, g.prefix...)
		case g.i == g.n:
			g.buf, g.off, g.done = append(g.buf[:0], g.suffix...), 0, true
			continue
		default:
			g.buf, g.off = g.buf[:0], 0
			for ; g.i < g.n && len(g.buf) < 4096; g.i++ {
				g.buf = g.row(g.buf, g.i)
			}
		}
	}
	n := copy(p, g.buf[g.off:])
	g.off += n
	g.size += int64(n)
	return n, nil
}

var benchSizes = []int{10_000, 100_000, 1_000_000}

func BenchmarkReadCSV(b *testing.B) {
	for _, n := range benchSizes {
		data := showGrantsCSV(n)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				rows := 0
				for _, err := range Read("bench.csv", bytes.NewReader(data)) {
					if err != nil {
						b.Fatal(err)
					}
					rows++
				}
				if rows != n {
					b.Fatalf("read %d rows, want %d", rows, n)
				}
			}
		})
	}
}

func BenchmarkBareCSV(b *testing.B) {
	for _, n := range benchSizes {
		data := showGrantsCSV(n)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				cr := csv.NewReader(bytes.NewReader(data))
				cr.ReuseRecord = true
				rows := -1
				for {
					_, err := cr.Read()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					rows++
				}
				if rows != n {
					b.Fatalf("read %d rows, want %d", rows, n)
				}
			}
		})
	}
}

// benchRequirements are the requirements of an integration with 1000 data
// sources among the generated catalogs: a table, a schema or a catalog in
// each, with audit on. Its service principal is one of the generated
// principals, so that rows match.
func benchRequirements(b testing.TB) *privileges.Requirements {
	var sources []string
	for i := range 1000 {
		switch i % 3 {
		case 0:
			sources = append(sources, fmt.Sprintf("cat%d.s%d.t%d", i, i%20, i%200))
		case 1:
			sources = append(sources, fmt.Sprintf("cat%d.s%d", i, i%20))
		default:
			sources = append(sources, fmt.Sprintf("cat%d", i))
		}
	}
	in := &ucbootstrap.Integration{Type: ucbootstrap.TypeDatabricks, Config: ucbootstrap.Config{
		WorkspaceURL: "dbc-a1b2c3d4-e5f6.cloud.databricks.com", HTTPPath: "/sql/1.0/warehouses/abc123",
		AuthenticationType: ucbootstrap.TokenAuth, Token: ucbootstrap.NewSecret("dapi-bench"),
		Catalog: "governance", ServicePrincipal: "6f1c2d3e-4a5b-4c6d-8e9f-000000000001",
		DataSources: sources, Audit: ucbootstrap.Audit{Enabled: true},
	}}
	reqs, err := privileges.Required(in)
	if err != nil {
		b.Fatal(err)
	}
	return reqs
}

// BenchmarkAuditCSV is the whole audit of the generated rows against the
// requirements of 1000 data sources: Read and Audit together, for
// comparison with BenchmarkBareCSV. It also reports the peak live heap of
// an audit of as many rows streamed from a reader (peak-live-MB): it must
// not grow with the rows.
func BenchmarkAuditCSV(b *testing.B) {
	reqs := benchRequirements(b)
	for _, n := range benchSizes {
		data := showGrantsCSV(n)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			live := liveHeap(b, reqs, n)
			for b.Loop() {
				rep, err := privileges.Audit(reqs, Read("bench.csv", bytes.NewReader(data)), privileges.Facts{})
				if err != nil {
					b.Fatal(err)
				}
				if rep.GrantsRead != n {
					b.Fatalf("audit read %d grants, want %d", rep.GrantsRead, n)
				}
			}
			b.ReportMetric(float64(live)/(1<<20), "peak-live-MB")
		})
	}
}

// liveHeap audits n generated rows streamed from a reader (the input is
// never in memory) and returns the peak of the live heap, measured after a
// collection every eighth of the rows, above the live heap before the audit.
func liveHeap(b *testing.B, reqs *privileges.Requirements, n int) uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, uint64(0)
	grants := Read("bench.csv", newRowGenerator(n))
	sampled := func(yield func(privileges.Grant, error) bool) {
		i := 0
		for g, err := range grants {
			if i++; i%max(n/8, 1) == 0 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc-min(ms.HeapAlloc, base))
			}
			if !yield(g, err) {
				return
			}
		}
	}
	if _, err := privileges.Audit(reqs, sampled, privileges.Facts{}); err != nil {
		b.Fatal(err)
	}
	return peak
}

// BenchmarkReadJSON reads the generated rows as a JSON array of SHOW
// GRANTS objects, for comparison with BenchmarkReadCSV.
func BenchmarkReadJSON(b *testing.B) {
	const n = 100_000
	var buf bytes.Buffer
	buf.WriteString("[\n")
	for i, line := range bytes.Split(bytes.TrimSpace(showGrantsCSV(n)), []byte("\n"))[1:] {
		f := bytes.Split(line, []byte(","))
		if i > 0 {
			buf.WriteString(",\n")
		}
		fmt.Fprintf(&buf, `{"Principal":%q,"ActionType":%q,"ObjectType":%q,"ObjectKey":%q}`, f[0], f[1], f[2], f[3])
	}
	buf.WriteString("\n]\n")
	data := buf.Bytes()
	b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			rows := 0
			for _, err := range Read("bench.json", bytes.NewReader(data)) {
				if err != nil {
					b.Fatal(err)
				}
				rows++
			}
			if rows != n {
				b.Fatalf("read %d rows, want %d", rows, n)
			}
		}
	})
}
