package generator_test

import (
	"fmt"
	"strings"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
)

func ExampleGenerate() {
	payload := `
type: Databricks
autoBootstrap: true
config:
  workspaceUrl: dbc-a1b2c3d4-e5f6.cloud.databricks.com
  httpPath: /sql/1.0/warehouses/8a1b2c3d4e5f6a7b
  authenticationType: token
  token: dapi-example
  catalog: immuta
  servicePrincipal: 6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f
  dataSources: [main.sales, hr.people.employees]
  audit: {enabled: true}
`
	in, err := ucbootstrap.Decode("payload.yaml", []byte(payload))
	if err != nil {
		fmt.Println(err)
		return
	}
	script, err := generator.Generate(in, generator.Prerequisites)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(script.Title())
	for _, st := range script.Statements {
		fmt.Println(strings.ReplaceAll(st.SQL, "6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f", "sp"))
	}
	// Output:
	// prerequisites script (automatic setup)
	// GRANT CREATE CATALOG ON METASTORE TO `sp`
	// GRANT USE CATALOG, MANAGE ON CATALOG `hr` TO `sp`
	// GRANT USE SCHEMA ON SCHEMA `hr`.`people` TO `sp`
	// GRANT SELECT, MODIFY ON TABLE `hr`.`people`.`employees` TO `sp`
	// GRANT USE CATALOG, MANAGE ON CATALOG `main` TO `sp`
	// GRANT USE SCHEMA, SELECT, MODIFY ON SCHEMA `main`.`sales` TO `sp`
	// GRANT USE CATALOG ON CATALOG `system` TO `sp`
	// GRANT USE SCHEMA ON SCHEMA `system`.`access` TO `sp`
	// GRANT SELECT ON TABLE `system`.`access`.`audit` TO `sp`
	// GRANT SELECT ON TABLE `system`.`access`.`column_lineage` TO `sp`
	// GRANT SELECT ON TABLE `system`.`access`.`table_lineage` TO `sp`
}

func ExampleGenerate_edit() {
	decode := func(yaml string) *ucbootstrap.Integration {
		in, err := ucbootstrap.Decode("payload.yaml", []byte(`
type: Databricks
autoBootstrap: false
config:
  workspaceUrl: dbc-a1b2c3d4-e5f6.cloud.databricks.com
  httpPath: /sql/1.0/warehouses/8a1b2c3d4e5f6a7b
  authenticationType: token
  token: dapi-example
  catalog: immuta
  servicePrincipal: 6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f
`+yaml))
		if err != nil {
			panic(err)
		}
		return in
	}
	old := decode("  dataSources: [main.sales, hr.people]\n")
	updated := decode("  dataSources: [main.sales, main.marketing]\n")
	script, err := generator.Generate(updated, generator.Edit, generator.From(old))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, st := range script.Statements {
		fmt.Println(strings.ReplaceAll(st.SQL, "6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f", "sp"))
	}
	// Output:
	// GRANT USE SCHEMA, SELECT, MODIFY ON SCHEMA `main`.`marketing` TO `sp`
	// REVOKE USE CATALOG, MANAGE ON CATALOG `hr` FROM `sp`
	// REVOKE USE SCHEMA, SELECT, MODIFY ON SCHEMA `hr`.`people` FROM `sp`
}
