package lint_test

import (
	"fmt"
	"log"
	"os"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/lint"
)

// ExampleRun lints a prerequisites script from which MANAGE was removed
// and to which a legacy privilege name was added.
func ExampleRun() {
	data, err := os.ReadFile("../examples/payloads/auto-token.json")
	if err != nil {
		log.Fatal(err)
	}
	in, err := ucbootstrap.Decode("auto-token.json", data)
	if err != nil {
		log.Fatal(err)
	}
	const script = "GRANT CREATE CATALOG ON METASTORE TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;\n" +
		"GRANT USE CATALOG ON CATALOG `main` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;\n" +
		"GRANT USE SCHEMA ON SCHEMA `main`.`marketing` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;\n" +
		"GRANT SELECT, MODIFY ON TABLE `main`.`marketing`.`campaigns` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;\n" +
		"GRANT USAGE, SELECT, MODIFY ON SCHEMA `main`.`sales` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;\n"
	diags, err := lint.Run("prerequisites.sql", []byte(script), in, generator.Prerequisites)
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range diags {
		fmt.Println(d.Pos, d.Code, d.Severity, lint.Lookup(d.Code).Name)
	}
	// Output:
	// prerequisites.sql:2:1 UCB003 error missinggrant
	// prerequisites.sql:5:7 UCB007 warning legacyprivilege
}
