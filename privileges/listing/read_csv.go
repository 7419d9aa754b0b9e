package listing

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"

	"github.com/ucbootstrap/ucbootstrap/privileges"
)

// readCSV reads a CSV or TSV listing with a header row.
func (r *reader) readCSV(br *bufio.Reader) error {
	comma := sniffComma(br)
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return r.errorf(privileges.Position{Line: 1, Col: 1}, "empty input: expected %s", r.expected())
	}
	if err != nil {
		return r.csvError(err, 0, 0, comma, privileges.Position{File: r.name, Line: 1, Col: 1})
	}
	header = slices.Clone(header)
	var (
		names  [numCols]string
		index  [numCols]int
		set    colSet
		fields []csvField
	)
	for i, h := range header {
		c, ok := colNames[normName(h)]
		if !ok {
			continue
		}
		if set.has(c) {
			return r.errorf(r.fieldPos(cr, i), "columns %q and %q both give the %s: keep one", names[c], h, colLabels[c])
		}
		set.add(c)
		names[c], index[c] = h, i
		fields = append(fields, csvField{i, c})
	}
	p, err := r.plan(set, "column", header, false)
	if err != nil {
		return r.errorf(r.fieldPos(cr, 0), "%s", err.Error())
	}
	rw := row{set: set, names: &names, pos: r.fieldPos(cr, 0), cr: cr, index: &index}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return r.csvError(err, len(rec), len(header), comma, rw.pos)
		}
		for _, f := range fields {
			rw.vals[f.c] = rec[f.i]
		}
		line, col := cr.FieldPos(0)
		rw.pos = privileges.Position{File: r.name, Line: line, Col: col}
		if err := r.row(&rw, p); err != nil {
			return err
		}
	}
}

// A csvField is a header column the reader uses.
type csvField struct {
	i int
	c col
}

// fieldPos returns the position of field i of the last record.
func (r *reader) fieldPos(cr *csv.Reader, i int) privileges.Position {
	line, col := cr.FieldPos(i)
	return privileges.Position{File: r.name, Line: line, Col: col}
}

// csvError turns an error of encoding/csv into a *ReadError.
func (r *reader) csvError(err error, got, want int, comma rune, last privileges.Position) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return &ReadError{Pos: last, Msg: "read: " + err.Error(), Err: err}
	}
	pos := privileges.Position{Line: pe.Line, Col: pe.Column}
	switch {
	case errors.Is(pe.Err, csv.ErrFieldCount):
		pos = privileges.Position{Line: pe.StartLine, Col: 1}
		return r.errorf(pos, "the row has %d fields and the header %d: quote every field that contains a %s", got, want, delimName(comma))
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return r.errorf(pos, `bare " in an unquoted field: quote the whole field and double every " inside it`)
	case errors.Is(pe.Err, csv.ErrQuote):
		return r.errorf(pos, `extraneous or missing " in a quoted field: end the field with " and double every " inside it`)
	}
	return r.errorf(pos, "%v", pe.Err)
}

func delimName(comma rune) string {
	switch comma {
	case '\t':
		return "tab"
	case ';':
		return "semicolon"
	}
	return "comma"
}

// sniffComma returns the delimiter the header line has most of: comma,
// tab or semicolon, comma on a tie.
func sniffComma(br *bufio.Reader) rune {
	var line []byte
	for n := 512; ; n *= 2 {
		n = min(n, br.Size())
		b, err := br.Peek(n)
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line = b[:i]
			break
		}
		if err != nil || n == br.Size() {
			line = b
			break
		}
	}
	best, most := ',', bytes.Count(line, []byte{','})
	for _, c := range []rune{'\t', ';'} {
		if n := bytes.Count(line, []byte{byte(c)}); n > most {
			best, most = c, n
		}
	}
	return best
}
