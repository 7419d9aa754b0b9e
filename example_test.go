package ucbootstrap_test

import (
	"errors"
	"fmt"

	"github.com/ucbootstrap/ucbootstrap"
)

func ExampleDecode() {
	payload := `type: Databricks
autoBootstrap: false
config:
  workspaceUrl: https://dbc-1234abcd-5678.cloud.databricks.com/
  httpPath: /sql/1.0/warehouses/1234567890abcdef
  authenticationType: token
  token: dapi-example-token
  catalog: immuta
  servicePrincipal: 6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f
  dataSources:
    - main.sales
    - Finance
`
	in, err := ucbootstrap.Decode("payload.yaml", []byte(payload))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("host:", in.Config.Host())
	fmt.Println("port:", in.Config.EffectivePort())
	fmt.Println("catalog:", in.Config.CatalogName())
	for _, ds := range in.Config.Sources() {
		fmt.Printf("data source: %s (%s)\n", ds, ds.Level())
	}
	fmt.Println("token:", in.Config.Token)
	fmt.Println("fingerprint:", in.Fingerprint()[:19]+"...")
	// Output:
	// host: dbc-1234abcd-5678.cloud.databricks.com
	// port: 443
	// catalog: immuta
	// data source: finance (catalog)
	// data source: main.sales (schema)
	// token: REDACTED
	// fingerprint: sha256:029205f50e26...
}

func ExampleDecode_invalid() {
	payload := `{
  "type": "Databricks",
  "autoBootstrap": "false",
  "config": {
    "workspaceUrl": "[dbc-1.cloud.databricks.com](https://dbc-1.cloud.databricks.com)",
    "httpPath": "/sql/1.0/warehouses/1234567890abcdef",
    "authenticationType": "token",
    "token": "dapi-example-token",
    "catalgo": "immuta",
    "servicePrincipal": "immuta-sp",
    "dataSources": ["main.sales", "system.access"]
  }
}`
	_, err := ucbootstrap.Decode("payload.json", []byte(payload))
	var ds ucbootstrap.Diagnostics
	if errors.As(err, &ds) {
		for _, d := range ds {
			fmt.Println(d)
		}
	}
	// Output:
	// payload.json:3:20: autoBootstrap: must be a boolean, not a string (write true or false, without quotes)
	// payload.json:5:21: config.workspaceUrl: is a Markdown link, probably copied from the documentation (write the host alone: workspaceUrl: dbc-1.cloud.databricks.com)
	// payload.json:9:5: config.catalgo: unknown key (did you mean "catalog"? --lenient turns unknown keys into warnings)
	// payload.json:10:25: config.servicePrincipal: "immuta-sp" is not an application ID (a UUID); Unity Catalog names service principals by application ID, never by display name (write the application ID from the service principal's page in the account console, as in 6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f)
	// payload.json:11:35: config.dataSources[1]: "system.access" cannot be a data source: the system catalog is read-only and managed by Databricks (remove it; set config.audit.enabled: true for the grants on system.access that query audit needs)
}

func ExampleParseDataSource() {
	for _, name := range []string{"main.sales.orders", "`hr-data`.payroll", "main..orders"} {
		ds, err := ucbootstrap.ParseDataSource(name)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(ds.Level(), ds.Parts())
	}
	// Output:
	// table [main sales orders]
	// schema [hr-data payroll]
	// error: schema name in "main..orders" is empty
}
