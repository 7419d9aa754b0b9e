package dbsql

// StringValue returns the value of the literal text of a [STRING] token, as
// [Scanner.Scan] returns it: without its quotes, escapes interpreted as the
// parser interprets them.
func StringValue(lit string) string { return unquoteString(lit) }

// IdentName returns the name of the literal text of a [QUOTEDIDENT] token:
// without its back quotes, a doubled back quote undoubled.
func IdentName(lit string) string { return unquoteIdent(lit) }
