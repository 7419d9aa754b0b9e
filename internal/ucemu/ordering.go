package ucemu

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/dbsql"
)

// This file watches the order in which a client runs statements: a
// statement submitted while a statement on a related object is still
// running races with it (Unity Catalog gives no order between two
// statements in flight at once), and the emulator records it as a
// [Violation]. It also counts how often each statement text was executed,
// so that a test can tell that a statement ran once.

// A Violation is a statement submitted while a statement on a related
// object (the same one, one that contains it, or one it contains) had been
// submitted and had not ended, one of them changing it: the two may run
// in either order. Two queries in flight at once are no violation.
type Violation struct {
	// Statement is the statement submitted, and InFlight the related one
	// still running.
	Statement, InFlight string
	// On and InFlightOn are the objects they are about: related, one
	// contains the other or they are the same. A query of
	// information_schema is about the metastore, which holds everything.
	On, InFlightOn Securable
}

// maxViolations bounds the violations kept.
const maxViolations = 1000

// Violations returns the ordering violations seen, in order (at most the
// first thousand), and how many there were in all.
func (s *Server) Violations() ([]Violation, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.exec.violations), s.exec.violationCount
}

// Executions returns how many times a statement with this exact text was
// executed, by the statement and command APIs and by [Server.Exec].
func (s *Server) Executions(text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exec.counts[text]
}

// related reports whether a and b are the same object or one contains the
// other.
func related(a, b Securable) bool {
	if a == b {
		return true
	}
	return slices.Contains(a.ancestors(), b) || slices.Contains(b.ancestors(), a)
}

// submitted records a statement that was just accepted, and the
// violations it makes with the statements in flight. s.mu is held.
func (s *Server) submitted(st *statement) {
	st.touches, st.reads = touches(st.text, st.catalog, st.schema)
	for other := range s.exec.inflight {
		if terminal(other.state) || other.expired {
			delete(s.exec.inflight, other)
			continue
		}
		if v, ok := violation(st, other); ok {
			s.exec.violationCount++
			if len(s.exec.violations) < maxViolations {
				s.exec.violations = append(s.exec.violations, v)
			}
		}
	}
	s.exec.inflight[st] = true
}

// violation returns the violation of st with other, a statement in
// flight, if they touch related objects. Statements of different callers
// are not compared: each client orders its own.
func violation(st, other *statement) (Violation, bool) {
	if st.caller.name() != other.caller.name() || st.reads && other.reads {
		return Violation{}, false
	}
	for _, a := range st.touches {
		for _, b := range other.touches {
			if related(a, b) {
				return Violation{Statement: st.text, InFlight: other.text, On: a, InFlightOn: b}, true
			}
		}
	}
	return Violation{}, false
}

// settled forgets a statement that ended. s.mu is held.
func (s *Server) settled(st *statement) { delete(s.exec.inflight, st) }

// touches returns the objects a statement is about: the object a DDL or
// DCL statement names, the table a MERGE or INSERT writes, the tables a
// query reads, and the metastore for a query of information_schema (which
// sees every object); and whether it only reads them (a query). A
// statement that does not parse touches nothing: it fails anyway.
func touches(text, catalog, schema string) (objects []Securable, reads bool) {
	st, err := dbsql.ParseStmt(text)
	if err != nil {
		return nil, false
	}
	return touched(st, text, catalog, schema)
}

func touched(st dbsql.Stmt, text, catalog, schema string) ([]Securable, bool) {
	x := &session{catalog: catalog, schema: schema}
	named := func(typ string, q *dbsql.QualifiedName) []Securable {
		if q == nil {
			return nil
		}
		return []Securable{x.resolve(typ, names(q))}
	}
	on := func(sec *dbsql.Securable) []Securable {
		if sec == nil {
			return nil
		}
		typ := normType(string(sec.Type))
		if typ == "METASTORE" || sec.Name == nil {
			return []Securable{{Type: "METASTORE"}}
		}
		return named(typ, sec.Name)
	}
	switch st := st.(type) {
	case *dbsql.CreateCatalogStmt:
		return named("CATALOG", st.Name), false
	case *dbsql.CreateSchemaStmt:
		return named("SCHEMA", st.Name), false
	case *dbsql.CreateTableStmt:
		return named("TABLE", st.Name), false
	case *dbsql.CreateFunctionStmt:
		return named("FUNCTION", st.Name), false
	case *dbsql.GrantStmt:
		return on(st.On), false
	case *dbsql.RevokeStmt:
		return on(st.On), false
	case *dbsql.AlterOwnerStmt:
		return on(st.Object), false
	case *dbsql.CommentOnStmt:
		return on(st.On), false
	case *dbsql.DropStmt:
		return on(st.Object), false
	case *dbsql.OpaqueStmt:
		switch st.Verb {
		case "MERGE":
			if m, err := parseMerge(text); err == nil {
				return []Securable{x.resolve("TABLE", m.target)}, false
			}
		case "INSERT":
			if in, err := parseInsert(text); err == nil {
				return []Securable{x.resolve("TABLE", in.target)}, false
			}
		case "SELECT":
			if q, err := parseQuery(text); err == nil {
				var out []Securable
				reads(q, func(parts []string) {
					if slices.ContainsFunc(parts, func(p string) bool { return strings.EqualFold(p, "information_schema") }) {
						out = append(out, Securable{Type: "METASTORE"})
						return
					}
					out = append(out, x.resolve("TABLE", parts))
				})
				return out, true
			}
		}
	}
	return nil, false
}

// reads calls fn with the name of every table a query reads.
func reads(q *selectStmt, fn func([]string)) {
	for src := q.from; src != nil; src = nil {
		switch {
		case src.table != nil:
			fn(src.table)
		case src.query != nil:
			reads(src.query, fn)
		}
	}
}

// State describes the metastore: every object with its owner and comment,
// and every grant, one a line, sorted. Table rows are left out. Two
// states are equal when the metastore's objects, owners and grants are.
func (s *Server) State() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for _, o := range s.ms.sorted() {
		comment := "NULL"
		if o.comment != nil {
			comment = strconv.Quote(*o.comment)
		}
		fmt.Fprintf(&b, "%s owner=%q comment=%s\n", o.sec, o.owner, comment)
		for _, p := range slices.Sorted(mapKeys(o.grants)) {
			for _, priv := range slices.Sorted(mapKeys(o.grants[p])) {
				fmt.Fprintf(&b, "  %s to %q\n", priv, p)
			}
		}
	}
	return b.String()
}
