package sqlexec

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/dbsql"
	"github.com/ucbootstrap/ucbootstrap/diag"
)

// Kind is the kind of compute a statement runs on.
type Kind string

// The kinds of compute.
const (
	Warehouse Kind = "warehouse"
	Cluster   Kind = "cluster"
)

// A Target is the compute an httpPath names.
type Target struct {
	Kind Kind
	// ID is the warehouse ID or the cluster ID.
	ID string
	// Org is the organisation (workspace) ID of a cluster path.
	Org string
}

var (
	warehouseRE = regexp.MustCompile(`^/?sql/1\.0/(?:warehouses|endpoints)/([0-9A-Za-z]+)/?$`)
	clusterRE   = regexp.MustCompile(`^/?sql/protocolv1/o/([0-9]+)/([0-9A-Za-z-]+)/?$`)
)

// ParseHTTPPath returns the compute of an httpPath:
// /sql/1.0/warehouses/<id> and the legacy /sql/1.0/endpoints/<id> name a
// SQL warehouse, sql/protocolv1/o/<org>/<cluster-id> a cluster.
func ParseHTTPPath(path string) (Target, error) {
	p := strings.TrimSpace(path)
	if m := warehouseRE.FindStringSubmatch(p); m != nil {
		return Target{Kind: Warehouse, ID: m[1]}, nil
	}
	if m := clusterRE.FindStringSubmatch(p); m != nil {
		return Target{Kind: Cluster, ID: m[2], Org: m[1]}, nil
	}
	return Target{}, fmt.Errorf("sqlexec: httpPath %q is neither a SQL warehouse's (/sql/1.0/warehouses/<id>) nor a cluster's (sql/protocolv1/o/<org>/<cluster-id>): copy it from the connection details", path)
}

// A Statement is one statement to run, with where it comes from.
type Statement struct {
	// Text is the statement, without a final semicolon.
	Text string
	// Pos is the position of its first byte in its script, if it has one.
	Pos diag.Position
	// Index is its 0-based index in its script.
	Index int
	// Idempotent says that running it twice does what running it once
	// does, so that a submission whose outcome is unknown may be sent
	// again.
	Idempotent bool
}

// Split splits a script into statements with dbsql (never on ";"), each
// with its position and whether it is idempotent. A script with syntax
// errors gives the errors, with positions, and no statements.
func Split(filename string, src []byte) ([]Statement, error) {
	f, err := dbsql.ParseFile(filename, src)
	if err != nil {
		return nil, fmt.Errorf("sqlexec: %w", err)
	}
	out := make([]Statement, 0, len(f.Stmts))
	for i, s := range f.Stmts {
		out = append(out, Statement{
			Text:       strings.TrimSpace(string(src[s.Pos()-1 : s.End()-1])),
			Pos:        f.Position(s.Pos()),
			Index:      i,
			Idempotent: Idempotent(s),
		})
	}
	return out, nil
}

// Parse returns the statement of text, which must hold exactly one.
func Parse(text string) (Statement, error) {
	s, err := dbsql.ParseStmt(text)
	if err != nil {
		return Statement{}, fmt.Errorf("sqlexec: %w", err)
	}
	return Statement{Text: strings.TrimSpace(text[s.Pos()-1 : s.End()-1]), Idempotent: Idempotent(s)}, nil
}

// Idempotent reports whether running s twice does what running it once
// does: CREATE ... IF NOT EXISTS or OR REPLACE, GRANT, REVOKE, ALTER ...
// OWNER TO, COMMENT ON, DROP ... IF EXISTS, USE, and queries. A MERGE is
// not taken to be: whether it is depends on what it sets.
func Idempotent(s dbsql.Stmt) bool {
	switch s := s.(type) {
	case *dbsql.CreateCatalogStmt:
		return s.IfNotExists
	case *dbsql.CreateSchemaStmt:
		return s.IfNotExists
	case *dbsql.CreateTableStmt:
		return s.IfNotExists || s.OrReplace
	case *dbsql.CreateFunctionStmt:
		return s.IfNotExists || s.OrReplace
	case *dbsql.CreateViewStmt:
		return s.IfNotExists || s.OrReplace
	case *dbsql.CreateVolumeStmt:
		return s.IfNotExists
	case *dbsql.DropStmt:
		return s.IfExists
	case *dbsql.GrantStmt, *dbsql.RevokeStmt, *dbsql.AlterOwnerStmt, *dbsql.CommentOnStmt, *dbsql.UseStmt,
		*dbsql.ShowGrantsStmt, *dbsql.RowFilterStmt, *dbsql.ColumnMaskStmt:
		return true
	case *dbsql.OpaqueStmt:
		return s.Verb == "SELECT" || s.Verb == "WITH" || s.Verb == "SHOW" || s.Verb == "DESCRIBE"
	}
	return false
}
