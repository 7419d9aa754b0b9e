package lint

import (
	"github.com/ucbootstrap/ucbootstrap/dbsql"
	"github.com/ucbootstrap/ucbootstrap/privileges/listing"
)

// withoutPayload lists the rules that need nothing but the script: the
// syntax, ineffective and inapplicable grants, legacy privilege names,
// workspace-local groups, storage URIs and the read-only samples catalog.
var withoutPayload = map[string]bool{
	"UCB001": true, // syntax
	"UCB006": true, // systemschema
	"UCB007": true, // legacyprivilege
	"UCB008": true, // workspacegroup
	"UCB010": true, // inapplicable
	"UCB011": true, // location
	"UCB015": true, // samples
}

func init() {
	for _, r := range rules {
		r.WithoutPayload = withoutPayload[r.Code]
	}
}

// RunWithoutPayload lints the script src, named filename in positions,
// without a payload: it runs the rules that need nothing but the script
// ([Rule.WithoutPayload]) and returns their diagnostics, sorted as [Run]
// sorts them, and the rules it skipped, in code order. The skipped rules
// compare the script with the payload: the governance catalog, the service
// principal, the script the generator makes.
func RunWithoutPayload(filename string, src []byte) (diags []Diagnostic, skipped []*Rule) {
	f, err := dbsql.ParseFile(filename, src)
	pass := &Pass{File: f, Err: err, Changes: listing.FromScript(f)}
	return runRules(pass, func(r *Rule) bool { return r.WithoutPayload }), Skipped()
}

// Skipped returns the rules that [RunWithoutPayload] does not run, in code
// order.
func Skipped() []*Rule {
	var out []*Rule
	for _, r := range Rules() {
		if !r.WithoutPayload {
			out = append(out, r)
		}
	}
	return out
}
