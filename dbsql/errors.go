package dbsql

import (
	"cmp"
	"fmt"
	"io"
	"slices"
)

// An Error is a syntax error at a position.
type Error struct {
	Pos Position
	Msg string
}

// Error returns "dbsql: " followed by the position, when known, and the
// message: "dbsql: file:line:col: msg".
func (e *Error) Error() string {
	if e.Pos.File != "" || e.Pos.IsValid() {
		return "dbsql: " + e.Pos.String() + ": " + e.Msg
	}
	return "dbsql: " + e.Msg
}

// ErrorList is a list of *Errors. The zero value is an empty list ready to
// use.
type ErrorList []*Error

// Add adds an error with the given position and message.
func (p *ErrorList) Add(pos Position, msg string) {
	*p = append(*p, &Error{Pos: pos, Msg: msg})
}

// Reset empties the list.
func (p *ErrorList) Reset() { *p = (*p)[:0] }

// Len, Swap and Less implement sort.Interface.
func (p ErrorList) Len() int      { return len(p) }
func (p ErrorList) Swap(i, j int) { p[i], p[j] = p[j], p[i] }
func (p ErrorList) Less(i, j int) bool {
	return compareErrors(p[i], p[j]) < 0
}

func compareErrors(a, b *Error) int {
	return cmp.Or(
		cmp.Compare(a.Pos.File, b.Pos.File),
		cmp.Compare(a.Pos.Line, b.Pos.Line),
		cmp.Compare(a.Pos.Col, b.Pos.Col),
		cmp.Compare(a.Msg, b.Msg),
	)
}

// Sort sorts the list by file name, line, column and message.
func (p ErrorList) Sort() { slices.SortStableFunc(p, compareErrors) }

// Error returns the first error and the number of the others.
func (p ErrorList) Error() string {
	switch len(p) {
	case 0:
		return "dbsql: no errors"
	case 1:
		return p[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", p[0], len(p)-1)
}

// Err returns an error equivalent to the list, or nil when it is empty.
func (p ErrorList) Err() error {
	if len(p) == 0 {
		return nil
	}
	return p
}

// PrintError prints err to w, one line per error when err is an
// [ErrorList].
func PrintError(w io.Writer, err error) {
	if list, ok := err.(ErrorList); ok {
		for _, e := range list {
			fmt.Fprintln(w, e)
		}
	} else if err != nil {
		fmt.Fprintln(w, err)
	}
}
