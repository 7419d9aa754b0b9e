package ucemu

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
)

// A relation is a set of rows with named, typed columns: a table, a view of
// information_schema, or the result of a query.
type relation struct {
	alias string
	cols  []column
	rows  [][]any
}

// A scope binds the current row of each relation of a FROM clause (at most
// two: MERGE's target and source).
type scope struct {
	rels []*relation
	rows [][]any
}

// lookup returns the value and type of a column reference.
func (sc *scope) lookup(c colExpr) (any, string, *sqlError) {
	found, val, typ := 0, any(nil), ""
	for i, r := range sc.rels {
		if c.qual != "" && !strings.EqualFold(c.qual, r.alias) {
			continue
		}
		for j, col := range r.cols {
			if strings.EqualFold(col.name, c.name) {
				found++
				typ = col.typ
				if sc.rows != nil && sc.rows[i] != nil {
					val = sc.rows[i][j]
				}
			}
		}
	}
	switch {
	case found == 0:
		name := c.name
		if c.qual != "" {
			name = c.qual + "." + c.name
		}
		return nil, "", badRequest("UNRESOLVED_COLUMN.WITHOUT_SUGGESTION", "42703", "A column, variable, or function parameter with name `%s` cannot be resolved.", name)
	case found > 1:
		return nil, "", badRequest("AMBIGUOUS_REFERENCE", "42704", "Reference `%s` is ambiguous.", c.name)
	}
	return val, typ, nil
}

// An evaluator evaluates expressions for one caller.
type evaluator struct {
	caller string
	ms     *metastore
	// count is the number of rows of an aggregate query, or -1 outside
	// one.
	count int
}

// truth returns the value of a boolean, NULL being neither.
func truth(v any) (bool, bool) {
	b, ok := v.(bool)
	return b, ok
}

func (ev *evaluator) eval(x expr, sc *scope) (any, *sqlError) {
	switch x := x.(type) {
	case litExpr:
		return x.v, nil
	case colExpr:
		v, _, err := sc.lookup(x)
		return v, err
	case unaryExpr:
		v, err := ev.eval(x.x, sc)
		if err != nil || v == nil {
			return nil, err
		}
		if x.op == "NOT" {
			b, ok := truth(v)
			if !ok {
				return nil, typeMismatch("NOT", v)
			}
			return !b, nil
		}
		switch n := v.(type) {
		case int64:
			return -n, nil
		case float64:
			return -n, nil
		}
		return nil, typeMismatch("-", v)
	case binaryExpr:
		return ev.binary(x, sc)
	case isNullExpr:
		v, err := ev.eval(x.x, sc)
		return (v == nil) != x.not, err
	case *inExpr:
		v, err := ev.eval(x.x, sc)
		if err != nil || v == nil {
			return nil, err
		}
		if set := x.strings(); set != nil {
			// A list of string literals (the filters of a warehouse
			// audit): one lookup, not a comparison per item.
			if s, ok := v.(string); ok {
				return set[s] != x.not, nil
			}
		}
		sawNull := false
		for _, y := range x.list {
			w, err := ev.eval(y, sc)
			if err != nil {
				return nil, err
			}
			if w == nil {
				sawNull = true
				continue
			}
			if compareValues(v, w) == 0 {
				return !x.not, nil
			}
		}
		if sawNull {
			return nil, nil
		}
		return x.not, nil
	case callExpr:
		return ev.call(x, sc)
	}
	return nil, unsupported("the expression %T", x)
}

func typeMismatch(op string, v any) *sqlError {
	return badRequest("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", "42K09", "Cannot resolve %s on a value of type %s.", op, typeOfValue(v))
}

func (ev *evaluator) binary(x binaryExpr, sc *scope) (any, *sqlError) {
	a, err := ev.eval(x.x, sc)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "AND", "OR":
		// Three-valued logic: FALSE AND NULL is FALSE, TRUE OR NULL is TRUE.
		ab, aok := truth(a)
		if a != nil && !aok {
			return nil, typeMismatch(x.op, a)
		}
		if aok && ab == (x.op == "OR") {
			return ab, nil
		}
		b, err := ev.eval(x.y, sc)
		if err != nil {
			return nil, err
		}
		bb, bok := truth(b)
		if b != nil && !bok {
			return nil, typeMismatch(x.op, b)
		}
		switch {
		case bok && bb == (x.op == "OR"):
			return bb, nil
		case aok && bok:
			return bb, nil
		}
		return nil, nil
	}
	b, err := ev.eval(x.y, sc)
	if err != nil {
		return nil, err
	}
	if a == nil || b == nil {
		return nil, nil
	}
	if x.op == "||" {
		return toString(a) + toString(b), nil
	}
	c := compareValues(a, b)
	switch x.op {
	case "=":
		return c == 0, nil
	case "<>":
		return c != 0, nil
	case "<":
		return c < 0, nil
	case ">":
		return c > 0, nil
	case "<=":
		return c <= 0, nil
	case ">=":
		return c >= 0, nil
	}
	return nil, unsupported("the operator %s", x.op)
}

// compareValues compares numbers as numbers and anything else as text.
func compareValues(a, b any) int {
	af, aok := number(a)
	bf, bok := number(b)
	if aok && bok {
		return cmp.Compare(af, bf)
	}
	return strings.Compare(toString(a), toString(b))
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// toString renders a value as the Statement Execution API's JSON_ARRAY
// format does.
func toString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func typeOfValue(v any) string {
	switch v.(type) {
	case string:
		return "STRING"
	case int64:
		return "INT"
	case float64:
		return "DOUBLE"
	case bool:
		return "BOOLEAN"
	}
	return "NULL"
}

func (ev *evaluator) args(c callExpr, sc *scope, n int) ([]any, *sqlError) {
	if n >= 0 && len(c.args) != n {
		return nil, badRequest("WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "42605", "The `%s` requires %d parameters but the actual number is %d.", c.name, n, len(c.args))
	}
	out := make([]any, len(c.args))
	for i, a := range c.args {
		v, err := ev.eval(a, sc)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (ev *evaluator) call(c callExpr, sc *scope) (any, *sqlError) {
	switch c.name {
	case "count":
		if ev.count < 0 {
			return nil, unsupported("count outside an aggregate select list")
		}
		return int64(ev.count), nil
	case "coalesce":
		vs, err := ev.args(c, sc, -1)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			if v != nil {
				return v, nil
			}
		}
		return nil, nil
	case "endswith", "startswith", "contains":
		vs, err := ev.args(c, sc, 2)
		if err != nil || vs[0] == nil || vs[1] == nil {
			return nil, err
		}
		s, sub := toString(vs[0]), toString(vs[1])
		switch c.name {
		case "endswith":
			return strings.HasSuffix(s, sub), nil
		case "startswith":
			return strings.HasPrefix(s, sub), nil
		}
		return strings.Contains(s, sub), nil
	case "lower", "upper", "lcase", "ucase", "trim":
		vs, err := ev.args(c, sc, 1)
		if err != nil || vs[0] == nil {
			return nil, err
		}
		switch c.name {
		case "lower", "lcase":
			return strings.ToLower(toString(vs[0])), nil
		case "trim":
			return strings.TrimSpace(toString(vs[0])), nil
		}
		return strings.ToUpper(toString(vs[0])), nil
	case "concat":
		vs, err := ev.args(c, sc, -1)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		for _, v := range vs {
			if v == nil {
				return nil, nil
			}
			b.WriteString(toString(v))
		}
		return b.String(), nil
	case "current_user", "session_user", "user":
		return ev.caller, nil
	case "is_account_group_member", "is_member":
		vs, err := ev.args(c, sc, 1)
		if err != nil || vs[0] == nil {
			return nil, err
		}
		return ev.ms.memberOf(ev.caller, toString(vs[0])), nil
	case "raise_error":
		vs, err := ev.args(c, sc, 1)
		if err != nil {
			return nil, err
		}
		// raise_error raises USER_RAISED_EXCEPTION, SQLSTATE P0001
		// (functions/raise_error).
		return nil, &sqlError{code: "BAD_REQUEST", class: "USER_RAISED_EXCEPTION", state: "P0001", msg: toString(vs[0])}
	}
	return nil, badRequest("UNRESOLVED_ROUTINE", "42883", "Cannot resolve routine `%s`: ucemu knows count, coalesce, endswith, startswith, contains, lower, upper, trim, concat, current_user, is_account_group_member and raise_error.", c.name)
}

// typeOf infers the manifest type of an expression.
func typeOf(x expr, sc *scope) string {
	switch x := x.(type) {
	case litExpr:
		return typeOfValue(x.v)
	case colExpr:
		_, t, err := sc.lookup(x)
		if err != nil {
			return "STRING"
		}
		return t
	case unaryExpr:
		if x.op == "NOT" {
			return "BOOLEAN"
		}
		return typeOf(x.x, sc)
	case binaryExpr:
		if x.op == "||" {
			return "STRING"
		}
		return "BOOLEAN"
	case isNullExpr, *inExpr:
		return "BOOLEAN"
	case callExpr:
		switch x.name {
		case "count":
			return "LONG"
		case "coalesce":
			for _, a := range x.args {
				if t := typeOf(a, sc); t != "NULL" {
					return t
				}
			}
			return "NULL"
		case "endswith", "startswith", "contains", "is_account_group_member", "is_member":
			return "BOOLEAN"
		case "raise_error":
			return "NULL"
		}
		return "STRING"
	}
	return "STRING"
}

// hasCount reports whether x calls count.
func hasCount(x expr) bool {
	switch x := x.(type) {
	case callExpr:
		if x.name == "count" {
			return true
		}
		for _, a := range x.args {
			if hasCount(a) {
				return true
			}
		}
	case unaryExpr:
		return hasCount(x.x)
	case binaryExpr:
		return hasCount(x.x) || hasCount(x.y)
	case isNullExpr:
		return hasCount(x.x)
	case *inExpr:
		return hasCount(x.x)
	}
	return false
}

// columnName names the output column of a select item as Databricks does
// for the simple cases: the alias, the column's name, a string literal's
// value, or the expression as written (SELECT 1 gives a column "1").
func columnName(it selItem) string {
	switch x := it.x.(type) {
	case colExpr:
		if it.alias == "" {
			return x.name
		}
	case litExpr:
		if s, ok := x.v.(string); ok && it.alias == "" {
			return s
		}
	case callExpr:
		if x.name == "count" && x.star && it.alias == "" {
			return "count(1)"
		}
	}
	if it.alias != "" {
		return it.alias
	}
	return it.text
}

// query runs a SELECT for the caller; resolve reads a table.
func (ev *evaluator) query(q *selectStmt, resolve func([]string) (*relation, *sqlError)) (*relation, *sqlError) {
	in := &relation{rows: [][]any{nil}} // SELECT without FROM: one empty row
	if q.from != nil {
		var err *sqlError
		if in, err = ev.source(q.from, resolve); err != nil {
			return nil, err
		}
	}
	// WHERE.
	var rows [][]any
	for _, row := range in.rows {
		if q.where != nil {
			v, err := ev.eval(q.where, &scope{rels: []*relation{in}, rows: [][]any{row}})
			if err != nil {
				return nil, err
			}
			if b, _ := truth(v); !b {
				continue
			}
		}
		rows = append(rows, row)
	}
	// The output columns.
	out := &relation{}
	shape := &scope{rels: []*relation{in}}
	aggregate := false
	type outCol struct {
		x     expr
		index int // of a star column
	}
	var cols []outCol
	for _, it := range q.items {
		if it.star {
			if it.qual != "" && !strings.EqualFold(it.qual, in.alias) {
				return nil, badRequest("CANNOT_RESOLVE_STAR_EXPAND", "42704", "Cannot resolve %s.* given input columns.", it.qual)
			}
			for i, c := range in.cols {
				out.cols = append(out.cols, c)
				cols = append(cols, outCol{index: i})
			}
			continue
		}
		if _, _, err := ev.check(it.x, shape); err != nil {
			return nil, err
		}
		aggregate = aggregate || hasCount(it.x)
		out.cols = append(out.cols, column{columnName(it), typeOf(it.x, shape)})
		cols = append(cols, outCol{x: it.x, index: -1})
	}
	if aggregate {
		for _, c := range cols {
			if c.x == nil || !hasCount(c.x) && refersToColumns(c.x) {
				return nil, badRequest("MISSING_GROUP_BY", "42803", "The query does not include a GROUP BY clause; ucemu evaluates aggregates over all rows only.")
			}
		}
		ev.count = len(rows)
		defer func() { ev.count = -1 }()
		rows = [][]any{nil}
	}
	for _, row := range rows {
		if q.limit >= 0 && len(out.rows) >= q.limit {
			break
		}
		sc := &scope{rels: []*relation{in}, rows: [][]any{row}}
		vals := make([]any, len(cols))
		for i, c := range cols {
			if c.x == nil {
				vals[i] = row[c.index]
				continue
			}
			v, err := ev.eval(c.x, sc)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
		out.rows = append(out.rows, vals)
	}
	return out, nil
}

// check resolves the column references of x, so that a query on an empty
// table still fails on a column that does not exist.
func (ev *evaluator) check(x expr, sc *scope) (any, string, *sqlError) {
	switch x := x.(type) {
	case colExpr:
		return sc.lookup(x)
	case callExpr:
		for _, a := range x.args {
			if _, _, err := ev.check(a, sc); err != nil {
				return nil, "", err
			}
		}
	case unaryExpr:
		return ev.check(x.x, sc)
	case binaryExpr:
		if _, _, err := ev.check(x.x, sc); err != nil {
			return nil, "", err
		}
		return ev.check(x.y, sc)
	case isNullExpr:
		return ev.check(x.x, sc)
	case *inExpr:
		return ev.check(x.x, sc)
	}
	return nil, "", nil
}

func refersToColumns(x expr) bool {
	switch x := x.(type) {
	case colExpr:
		return true
	case callExpr:
		for _, a := range x.args {
			if refersToColumns(a) {
				return true
			}
		}
	case unaryExpr:
		return refersToColumns(x.x)
	case binaryExpr:
		return refersToColumns(x.x) || refersToColumns(x.y)
	case isNullExpr:
		return refersToColumns(x.x)
	case *inExpr:
		return refersToColumns(x.x)
	}
	return false
}

// source evaluates a FROM item.
func (ev *evaluator) source(src *source, resolve func([]string) (*relation, *sqlError)) (*relation, *sqlError) {
	var rel *relation
	switch {
	case src.query != nil:
		r, err := ev.query(src.query, resolve)
		if err != nil {
			return nil, err
		}
		rel = r
	case src.values != nil:
		rel = &relation{}
		for i, row := range src.values {
			vals := make([]any, len(row))
			for j, x := range row {
				v, err := ev.eval(x, &scope{})
				if err != nil {
					return nil, err
				}
				vals[j] = v
			}
			if i > 0 && len(vals) != len(rel.cols) {
				return nil, badRequest("INVALID_INLINE_TABLE.NUM_COLUMNS_MISMATCH", "42000", "Invalid inline table: rows have different numbers of columns.")
			}
			if i == 0 {
				for j, v := range vals {
					name := "col" + strconv.Itoa(j+1)
					if j < len(src.cols) {
						name = src.cols[j]
					}
					rel.cols = append(rel.cols, column{name, typeOfValue(v)})
				}
				if len(src.cols) > 0 && len(src.cols) != len(vals) {
					return nil, badRequest("INVALID_INLINE_TABLE.NUM_COLUMNS_MISMATCH", "42000", "Invalid inline table: %d column names for %d columns.", len(src.cols), len(vals))
				}
			}
			for j, v := range vals {
				if rel.cols[j].typ == "NULL" && v != nil {
					rel.cols[j].typ = typeOfValue(v)
				}
			}
			rel.rows = append(rel.rows, vals)
		}
	default:
		r, err := resolve(src.table)
		if err != nil {
			return nil, err
		}
		rel = &relation{alias: src.table[len(src.table)-1], cols: r.cols, rows: r.rows}
	}
	if src.alias != "" {
		rel = &relation{alias: src.alias, cols: rel.cols, rows: rel.rows}
	}
	return rel, nil
}
