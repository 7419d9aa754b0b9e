package dbsql

// This file contains the exported entry points for invoking the parser.

// ParseFile parses a script of Databricks SQL statements separated by
// semicolons. The filename is used in positions only.
//
// ParseFile always returns a File. When the script has syntax errors, the
// statements that could not be parsed are *BadStmt nodes and the error is
// an [ErrorList] sorted by source position; the parser resumes at the next
// statement after each error. Statements the parser does not analyse are
// *OpaqueStmt nodes, which are not errors.
func ParseFile(filename string, src []byte) (*File, error) {
	var p parser
	p.init(filename, src)
	p.parseFile()
	p.errors.Sort()
	return p.file, p.errors.Err()
}

// ParseStmt parses a single statement, with or without a final semicolon.
// Positions are relative to src. It is an error for src to hold more than
// one statement or none.
func ParseStmt(src string) (Stmt, error) {
	f, err := ParseFile("", []byte(src))
	if err != nil {
		return nil, err
	}
	switch len(f.Stmts) {
	case 0:
		var list ErrorList
		list.Add(f.Position(f.End()), "expected statement, found end of input")
		return nil, list.Err()
	case 1:
		return f.Stmts[0], nil
	}
	var list ErrorList
	list.Add(f.Position(f.Stmts[1].Pos()), "expected end of input, found second statement")
	return nil, list.Err()
}
