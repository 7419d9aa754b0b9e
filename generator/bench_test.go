package generator_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
)

// manySources returns n data sources over 100 catalogs: a third catalogs'
// schemas, a third tables, a third schemas.
func manySources(n int) []string {
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

func benchIntegration(n int) *ucbootstrap.Integration {
	return &ucbootstrap.Integration{
		Type: ucbootstrap.TypeDatabricks,
		Config: ucbootstrap.Config{
			WorkspaceURL:       "dbc-a1b2c3d4-e5f6.cloud.databricks.com",
			HTTPPath:           "/sql/1.0/warehouses/8a1b2c3d4e5f6a7b",
			AuthenticationType: ucbootstrap.TokenAuth,
			Token:              ucbootstrap.NewSecret("dapi-bench"),
			Catalog:            "immuta",
			ServicePrincipal:   "6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f",
			Tenant:             "acme-prod",
			DataSources:        manySources(n),
			Audit:              ucbootstrap.Audit{Enabled: true},
		},
	}
}

// BenchmarkGenerate measures Generate plus Render of a manual bootstrap
// script (validation included) for 10 to 100 000 data sources.
func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{10, 1000, 100000} {
		b.Run(fmt.Sprintf("sources=%d", n), func(b *testing.B) {
			in := benchIntegration(n)
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
