package sqlexec

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// A Column of a result.
type Column struct {
	// Name is the column's name: SELECT 1 gives "1".
	Name string
	// Type is the manifest's type_name: INT, LONG, STRING, BOOLEAN,
	// DECIMAL, ...
	Type string
	// TypeText is the full SQL type, such as DECIMAL(10,2), when known.
	TypeText string
}

// A Result is what a statement that succeeded returned.
type Result struct {
	StatementID string
	Columns     []Column
	// Rows hold typed values: nil for NULL, int64 for the integer types,
	// float64 for FLOAT and DOUBLE, json.Number for DECIMAL, bool,
	// json.RawMessage for ARRAY, MAP and STRUCT, and string for the rest
	// (STRING, DATE, TIMESTAMP, ...). NULL and "" stay distinct.
	Rows [][]any
	// Truncated reports that the server cut the rows short.
	Truncated bool
}

// Objects returns the rows as objects keyed by column name, the form the
// integrations API reports: SELECT 1 gives [{"1": 1}]. It is never nil.
func (r *Result) Objects() []map[string]any {
	out := make([]map[string]any, 0, len(r.Rows))
	for _, row := range r.Rows {
		obj := make(map[string]any, len(row))
		for i, v := range row {
			if i < len(r.Columns) {
				obj[r.Columns[i].Name] = v
			}
		}
		out = append(out, obj)
	}
	return out
}

// decodeRow types the cells of a JSON_ARRAY row by the columns' types.
func decodeRow(cols []Column, row []*string) []any {
	out := make([]any, len(row))
	for i, cell := range row {
		if cell == nil {
			continue
		}
		typ := ""
		if i < len(cols) {
			typ = cols[i].Type
		}
		out[i] = decodeCell(typ, *cell)
	}
	return out
}

// decodeCell types one cell given as text. A cell that does not parse as
// its type stays a string.
func decodeCell(typ, s string) any {
	switch strings.ToUpper(typ) {
	case "INT", "LONG", "SHORT", "BYTE", "INTEGER", "BIGINT", "SMALLINT", "TINYINT":
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
	case "FLOAT", "DOUBLE":
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f
		}
	case "DECIMAL":
		if json.Valid([]byte(s)) {
			if _, err := strconv.ParseFloat(s, 64); err == nil {
				return json.Number(s)
			}
		}
	case "BOOLEAN":
		if b, err := strconv.ParseBool(s); err == nil {
			return b
		}
	case "ARRAY", "MAP", "STRUCT":
		if json.Valid([]byte(s)) {
			return json.RawMessage(s)
		}
	}
	return s
}
