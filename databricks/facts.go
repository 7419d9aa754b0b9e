package databricks

import (
	"iter"

	"github.com/ucbootstrap/ucbootstrap/privileges"
)

// Seq returns the fetched grants as the sequence [privileges.Audit]
// reads.
func (f *Fetched) Seq() iter.Seq2[privileges.Grant, error] {
	return func(yield func(privileges.Grant, error) bool) {
		for _, g := range f.Grants {
			if !yield(g, nil) {
				return
			}
		}
	}
}

// Facts returns what the fetch learned besides grants, as
// [privileges.Audit] takes it: owners, and the securables that could not
// be read, do not exist, or were not asked about.
func (f *Fetched) Facts() privileges.Facts {
	return privileges.Facts{Owners: f.Owners, Unreadable: f.Failed, Absent: f.NotFound, Unfetched: f.Unfetched}
}
