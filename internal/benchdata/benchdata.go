package benchdata

import (
	"encoding/json"
	"fmt"

	"github.com/ucbootstrap/ucbootstrap"
)

// Sources returns n data sources over 100 catalogs: a third schemas, a
// third tables in 50 shared schemas per catalog, a third tables in schemas
// of their own.
func Sources(n int) []string {
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

// Integration returns a manual-setup integration with n data sources
// (see [Sources]), a tenant and audit on.
func Integration(n int) *ucbootstrap.Integration {
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
			DataSources:        Sources(n),
			Audit:              ucbootstrap.Audit{Enabled: true},
		},
	}
}

// Payload returns the payload of [Integration] as the JSON body of the
// integrations API, with its token, for a stand-in workspace to rewrite.
func Payload(n int) []byte {
	c := Integration(n).Config
	raw := map[string]any{"type": "Databricks", "autoBootstrap": false, "config": map[string]any{
		"workspaceUrl": c.WorkspaceURL, "httpPath": c.HTTPPath, "authenticationType": "token", "token": c.Token.Reveal(),
		"catalog": c.Catalog, "servicePrincipal": c.ServicePrincipal, "tenant": c.Tenant,
		"dataSources": c.DataSources, "audit": map[string]any{"enabled": c.Audit.Enabled},
	}}
	data, err := json.Marshal(raw)
	if err != nil {
		panic("benchdata: " + err.Error()) // only strings, bools and slices of strings
	}
	return data
}
