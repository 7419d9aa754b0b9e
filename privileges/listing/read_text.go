package listing

import (
	"bufio"
	"bytes"
	"io"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/privileges"
)

// This file reads the fixed-width text form that the Databricks SQL
// reference prints for SHOW GRANTS, SHOW GRANTS ON SHARE and SHOW GRANTS
// TO RECIPIENT (security-show-grant, security-show-grant-to-recipient):
// a header line, a line of dashes under each column, then the rows.
//
//	principal     actionType  objectType objectKey
//	------------- ----------  ---------- ---------
//	alf@melmak.et USE         DATABASE   my_schema

// isTextTable reports whether the listing starts with a header line over a
// line of dashes, without the delimiters of CSV or TSV.
func isTextTable(br *bufio.Reader) bool {
	b, _ := br.Peek(br.Size())
	for {
		line, rest, ok := bytes.Cut(b, []byte{'\n'})
		if !ok || len(bytes.TrimSpace(line)) > 0 {
			break
		}
		b = rest // a blank line before the header
	}
	header, rest, ok := bytes.Cut(b, []byte{'\n'})
	if !ok || bytes.ContainsAny(header, ",\t;") {
		return false
	}
	dashes, _, _ := bytes.Cut(rest, []byte{'\n'})
	return len(dashRuns(string(bytes.TrimRight(dashes, "\r")))) > 0
}

// A span is the columns [from, to) of a line.
type span struct{ from, to int }

// dashRuns returns the runs of dashes of a line made only of dashes and
// blanks, or nil for any other line.
func dashRuns(line string) []span {
	var runs []span
	for i := 0; i < len(line); {
		switch line[i] {
		case ' ':
			i++
		case '-':
			j := i
			for j < len(line) && line[j] == '-' {
				j++
			}
			runs = append(runs, span{i, j})
			i = j
		default:
			return nil
		}
	}
	return runs
}

// readText reads the fixed-width text form. The columns start where the
// runs of dashes start. A row whose values do not line up under the dashes
// (the reference's own examples, whose white space the page collapsed) is
// split at its blanks instead, when that gives no more values than there
// are columns.
func (r *reader) readText(br *bufio.Reader) error {
	lines := bufio.NewScanner(br)
	lines.Buffer(make([]byte, 0, 64<<10), 1<<20)
	next := func() (string, bool) {
		if !lines.Scan() {
			return "", false
		}
		return strings.TrimRight(lines.Text(), "\r"), true
	}
	header, _ := next()
	n := 1
	for strings.TrimSpace(header) == "" {
		header, _ = next()
		n++
	}
	headerLine := n
	dashes, _ := next()
	runs := dashRuns(dashes)
	cells := cut(header, runs)
	if fields := strings.Fields(header); !aligned(header, runs) && len(fields) == len(runs) {
		cells = fields
	}
	var (
		names [numCols]string
		index = make([]col, len(runs))
		set   colSet
		seen  []string
	)
	for i, h := range cells {
		index[i] = noCol
		seen = append(seen, h)
		c, ok := colNames[normName(h)]
		if !ok {
			continue
		}
		if set.has(c) {
			return r.errorf(privileges.Position{Line: headerLine, Col: runs[i].from + 1}, "columns %q and %q both give the %s: keep one", names[c], h, colLabels[c])
		}
		set.add(c)
		names[c], index[i] = h, c
	}
	p, err := r.plan(set, "column", seen, false)
	if err != nil {
		return r.errorf(privileges.Position{Line: headerLine, Col: 1}, "%s", err.Error())
	}
	rw := row{set: set, names: &names}
	for n += 2; ; n++ {
		line, ok := next()
		if !ok {
			break
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		vals := cut(line, runs)
		if !aligned(line, runs) {
			fields := strings.Fields(line)
			if len(fields) > len(runs) {
				return r.errorf(privileges.Position{Line: n, Col: 1}, "the row has %d words and the header %d columns, and its values do not line up under the dashes: align each value under its column", len(fields), len(runs))
			}
			vals = append(fields, make([]string, len(runs)-len(fields))...)
		}
		rw.vals = [numCols]string{}
		for i, v := range vals {
			if c := index[i]; c != noCol {
				rw.vals[c] = v
			}
		}
		col := 1
		for col <= len(line) && line[col-1] == ' ' {
			col++
		}
		rw.pos = privileges.Position{File: r.name, Line: n, Col: col}
		if err := r.row(&rw, p); err != nil {
			return err
		}
	}
	if err := lines.Err(); err != nil && err != io.EOF {
		return &ReadError{Pos: privileges.Position{File: r.name, Line: 1, Col: 1}, Msg: "read: " + err.Error(), Err: err}
	}
	return nil
}

// cut returns the values of line under the columns that start at the
// runs, trimmed.
func cut(line string, runs []span) []string {
	out := make([]string, len(runs))
	for i, s := range runs {
		if s.from >= len(line) {
			continue
		}
		end := len(line)
		if i+1 < len(runs) && runs[i+1].from < end {
			end = runs[i+1].from
		}
		out[i] = strings.TrimSpace(line[s.from:end])
	}
	return out
}

// aligned reports whether every column of line after the first starts
// after a blank: no value runs across the start of the next column.
func aligned(line string, runs []span) bool {
	for _, s := range runs[1:] {
		if s.from < len(line) && s.from > 0 && line[s.from-1] != ' ' {
			return false
		}
	}
	return true
}
