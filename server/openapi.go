package server

import _ "embed"

// openAPIDocument is the OpenAPI 3.1 description of the API, served at
// /openapi.json; TestOpenAPIMatchesRoutes keeps it and the routes equal.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI returns the OpenAPI 3.1 document of the API.
func OpenAPI() []byte { return append([]byte(nil), openAPIDocument...) }
