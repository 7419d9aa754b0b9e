package dbsql_test

import (
	"fmt"
	"os"

	"github.com/ucbootstrap/ucbootstrap/dbsql"
)

func ExampleFprint() {
	s, err := dbsql.ParseStmt("grant use catalog, select on catalog main to `data eng`")
	if err != nil {
		fmt.Println(err)
		return
	}
	g := s.(*dbsql.GrantStmt)
	fmt.Println(g.Privileges[0].Name, "|", g.On.Type, g.On.Name, "|", g.Principal.Name.Name)
	dbsql.Fprint(os.Stdout, s)
	fmt.Println()
	// Output:
	// USE CATALOG | CATALOG main | data eng
	// GRANT USE CATALOG, SELECT ON CATALOG `main` TO `data eng`
}
