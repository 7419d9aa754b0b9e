package dbsql_test

import (
	"strings"
	"testing"

	"github.com/ucbootstrap/ucbootstrap/dbsql"
)

// TestOpaqueVerbs checks that a statement starting with each of the verbs
// OpaqueVerbs lists is an *OpaqueStmt with that verb and its exact span,
// in any case, and that a word close to a verb is a syntax error that
// names it.
func TestOpaqueVerbs(t *testing.T) {
	for _, verb := range dbsql.OpaqueVerbs() {
		for _, w := range []string{verb, strings.ToLower(verb)} {
			src := w + " something (a; b) 'x;y'"
			if verb == "BEGIN" {
				src = w + " TRANSACTION"
			}
			st, err := dbsql.ParseStmt(src + ";")
			if err != nil {
				t.Errorf("%s: %v", src, err)
				continue
			}
			op, ok := st.(*dbsql.OpaqueStmt)
			if !ok {
				t.Errorf("%s: %T, want *dbsql.OpaqueStmt", src, st)
				continue
			}
			if op.Verb != verb || op.Text != src || int(op.From) != 1 || int(op.To) != len(src)+1 {
				t.Errorf("%s: verb %q text %q span %d..%d, want %q, the whole statement", src, op.Verb, op.Text, op.From, op.To, verb)
			}
		}
	}
	for _, tc := range []struct{ src, want string }{
		{"SELCT 1", "did you mean SELECT?"},
		{"MERG INTO t USING s ON a = b WHEN MATCHED THEN DELETE", "did you mean MERGE?"},
		{"VACUM t", "did you mean VACUUM?"},
		{"hello world", "hello is not a statement of Databricks SQL"},
	} {
		_, err := dbsql.ParseStmt(tc.src)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "dbsql: 1:1: ") {
			t.Errorf("ParseStmt(%q) = %v, want an error at 1:1 saying %q", tc.src, err, tc.want)
		}
	}
}
