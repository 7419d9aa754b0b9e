package ucemu

import (
	"fmt"
	"testing"
)

// BenchmarkGuard evaluates guard 2 of DECISIONS.md (a count over
// information_schema.catalogs in a subquery) on a metastore of 1000
// catalogs, as a runner who sees a tenth of them.
func BenchmarkGuard(b *testing.B) {
	s := New(MetastoreAdmin(admin))
	defer s.Close()
	for i := range 1000 {
		c := fmt.Sprintf("c%04d", i)
		s.SetComment(Sec("CATALOG", c), "x [ucbootstrap v1 tenant=t]")
		if i%10 == 0 {
			s.Grant(alice, "BROWSE", Sec("CATALOG", c))
		}
	}
	const guard = "SELECT raise_error('x') FROM (SELECT count(*) AS n FROM system.information_schema.catalogs WHERE catalog_name = 'c0500' AND endswith(coalesce(comment, ''), ' [ucbootstrap v1 tenant=t]')) AS marked WHERE marked.n = 0"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Exec(alice, guard); err != nil {
			b.Fatal(err)
		}
	}
}
