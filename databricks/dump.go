package databricks

import (
	"bufio"
	"cmp"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/privileges"
)

// dumpPrivilege is a privilege of a dumped assignment.
type dumpPrivilege struct {
	Privilege         string `json:"privilege"`
	InheritedFromType string `json:"inherited_from_type,omitempty"`
	InheritedFromName string `json:"inherited_from_name,omitempty"`
}

type dumpAssignment struct {
	Principal  string          `json:"principal"`
	Privileges []dumpPrivilege `json:"privileges"`
}

// dumpSecurable wraps the effective permissions of one securable; the
// securable comes first, so that listing.Read streams the assignments.
type dumpSecurable struct {
	SecurableType string           `json:"securable_type"`
	FullName      string           `json:"full_name"`
	Assignments   []dumpAssignment `json:"privilege_assignments"`
}

// dumpFailure marks a securable that could not be described.
type dumpFailure struct {
	SecurableType string         `json:"securable_type"`
	FullName      string         `json:"full_name"`
	Unreadable    dumpUnreadable `json:"unreadable"`
}

type dumpUnreadable struct {
	// Status is 403 or 404, or 0 for a securable never asked about.
	Status  int    `json:"status"`
	Message string `json:"message"`
}

type dumpOwner struct {
	SecurableType string `json:"securable_type"`
	FullName      string `json:"full_name"`
	Owner         string `json:"owner"`
}

// typeName spells a securable type as the REST API does in JSON bodies:
// lower case with underscores.
func typeName(t privileges.SecurableType) string {
	return strings.ToLower(strings.ReplaceAll(string(t), " ", "_"))
}

// WriteDump writes the fetched grants as a JSON array of effective
// permissions, one securable per line:
//
//	{"securable_type":"table","full_name":"main.sales.orders",
//	 "privilege_assignments":[{"principal":"...","privileges":[
//	   {"privilege":"SELECT","inherited_from_type":"SCHEMA","inherited_from_name":"main.sales"}]}]}
//
// followed by the securables that could not be described, each with the
// status of the refusal (403, 404, or 0 when it was never asked about) and
// the server's message:
//
//	{"securable_type":"schema","full_name":"main.hr",
//	 "unreadable":{"status":403,"message":"User does not have ..."}}
//
// [listing.Read] reads it back to the same grants (positions aside), and
// the failures with [listing.Failures], so that an offline audit of the dump
// gives the report of the live one. The output depends only on what was
// fetched, not on the order of the answers.
func WriteDump(w io.Writer, f *Fetched) error {
	gs := slices.Clone(f.Grants)
	SortGrants(gs)
	var out []any
	for i := 0; i < len(gs); {
		on := gs[i].On
		d := dumpSecurable{SecurableType: typeName(on.Type), FullName: on.Name, Assignments: []dumpAssignment{}}
		for ; i < len(gs) && gs[i].On == on; i++ {
			g := gs[i]
			if n := len(d.Assignments); n == 0 || d.Assignments[n-1].Principal != g.Principal {
				d.Assignments = append(d.Assignments, dumpAssignment{Principal: g.Principal})
			}
			p := dumpPrivilege{Privilege: cmp.Or(g.Spelling, string(g.Privilege))}
			if !g.Direct() {
				p.InheritedFromType = strings.ReplaceAll(string(g.InheritedFrom.Type), " ", "_")
				p.InheritedFromName = g.InheritedFrom.Name
			}
			a := &d.Assignments[len(d.Assignments)-1]
			a.Privileges = append(a.Privileges, p)
		}
		out = append(out, d)
	}
	for _, m := range []struct {
		status int
		why    map[privileges.Securable]string
	}{{http.StatusForbidden, f.Failed}, {http.StatusNotFound, f.NotFound}, {0, f.Unfetched}} {
		for _, sec := range slices.SortedFunc(maps.Keys(m.why), privileges.Securable.Compare) {
			out = append(out, dumpFailure{SecurableType: typeName(sec.Type), FullName: sec.Name, Unreadable: dumpUnreadable{m.status, m.why[sec]}})
		}
	}
	return writeLines(w, out)
}

// WriteOwners writes the fetched owners as a JSON array of
// {"securable_type", "full_name", "owner"} objects sorted by securable,
// which [listing.ReadOwners] reads back.
func WriteOwners(w io.Writer, f *Fetched) error {
	secs := slices.SortedFunc(maps.Keys(f.Owners), privileges.Securable.Compare)
	out := make([]dumpOwner, 0, len(secs))
	for _, s := range secs {
		out = append(out, dumpOwner{SecurableType: typeName(s.Type), FullName: s.Name, Owner: f.Owners[s]})
	}
	return writeLines(w, out)
}

// writeLines writes a JSON array with one element per line.
func writeLines[T any](w io.Writer, elems []T) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("[")
	for i, e := range elems {
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
		bw.Write(b)
	}
	if len(elems) > 0 {
		bw.WriteString("\n")
	}
	bw.WriteString("]\n")
	return bw.Flush()
}
