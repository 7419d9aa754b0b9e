package privileges

import "github.com/ucbootstrap/ucbootstrap/diag"

// A Position is a place in a grant listing: file, 1-based line and column.
// It is the module's one position type.
type Position = diag.Position

// A Grant is one privilege held by one principal on one securable, as a
// grant listing reports it.
type Grant struct {
	Principal string    `json:"principal"`
	Privilege Privilege `json:"privilege"`
	On        Securable `json:"on"`
	// InheritedFrom is the securable the listing says the privilege comes
	// from, for rows that are about On but inherited (information_schema
	// inherited_from, effective-permissions inherited_from_name). It is
	// the zero Securable for a direct grant.
	InheritedFrom Securable `json:"inheritedFrom,omitzero"`
	// Spelling is the privilege as the listing wrote it.
	Spelling string `json:"spelling,omitempty"`
	// Legacy marks a legacy privilege name (USAGE, CREATE) or a
	// hive_metastore row (OWN, CATALOG$, DATABASE): reported, and never
	// matched as a Unity Catalog grant when it comes from hive_metastore.
	Legacy bool `json:"legacy,omitempty"`
	// Hive marks a row about hive_metastore: never matched.
	Hive bool `json:"hive,omitempty"`
	// Pos is where the listing has the grant.
	Pos Position `json:"pos,omitzero"`
}

// Direct reports whether the grant is made on On itself.
func (g Grant) Direct() bool { return g.InheritedFrom == (Securable{}) }

// Effective returns the securable the grant is really made on: On for a
// direct grant, InheritedFrom for an inherited row.
func (g Grant) Effective() Securable {
	if g.Direct() {
		return g.On
	}
	return g.InheritedFrom
}

// String describes the grant as SQL would: "SELECT ON TABLE a.b.c TO x".
func (g Grant) String() string {
	s := g.Privilege.SQL() + " ON " + g.On.String() + " TO " + g.Principal
	if !g.Direct() {
		s += " (inherited from " + g.InheritedFrom.String() + ")"
	}
	return s
}

// Facts are what a grant listing cannot tell: owners and group memberships,
// and what a live audit could not learn. [Audit] reads Unreadable, Absent
// and Unfetched only after the grant sequence has ended, so that the reader
// of a grant dump may fill them as it reads (see listing.Failures).
type Facts struct {
	// Owners maps securables to their owner.
	Owners map[Securable]string
	// MemberOf maps principals to the groups they belong to (directly or
	// through nesting: the caller resolves nesting).
	MemberOf map[string][]string
	// Unreadable maps securables whose grants or owner could not be read
	// (a live audit refused with 403) to the reason. A requirement on such
	// a securable that no grant meets is unverified ([CauseUnreadable]),
	// with the reason, not missing.
	Unreadable map[Securable]string
	// Absent maps securables that do not exist (a live audit answered
	// 404) to the server's message. A requirement on such a securable, or
	// on one inside it, is missing ([CauseNotFound]), with the message,
	// and the fix leaves it out: nothing can be granted on it.
	Absent map[Securable]string
	// Unfetched maps securables that were never asked about, because the
	// run was interrupted or ran out of time, to the reason. A requirement
	// on such a securable that no grant meets is unverified
	// ([CauseInterrupted]), and the report is partial: it does not pass.
	Unfetched map[Securable]string
}
