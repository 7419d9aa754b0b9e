package privileges

import "slices"

// A GrantStmt is one GRANT statement to the service principal: the
// privileges of its requirements that share an area, a securable and
// whether they must be direct. It carries which requirements it meets.
type GrantStmt struct {
	Area       Area
	Privileges []Privilege
	On         Securable
	Principal  string
	// Reason is the reason of the first requirement the grant meets.
	Reason string
	// Meets holds the indices, in [Requirements.List], of the requirements
	// the grant meets.
	Meets []int
}

// SQL returns the GRANT statement, without a semicolon.
func (g GrantStmt) SQL() string { return GrantSQL(g.Privileges, g.On, g.Principal) }

// RevokeSQL returns the REVOKE of the same privileges.
func (g GrantStmt) RevokeSQL() string { return RevokeSQL(g.Privileges, g.On, g.Principal) }

// Grants returns the GRANT statements that meet the service principal's
// requirements, in the order of the requirements: privileges of one area on
// one securable that are all direct-only, or all not, go in one statement.
// Ownership is handed over with [Requirements.Ownerships], not granted;
// unverifiable requirements and the runner's are not the service
// principal's grants.
func (r *Requirements) Grants() []GrantStmt {
	type key struct {
		area   Area
		on     Securable
		direct bool
	}
	out := make([]GrantStmt, 0, len(r.List)/2)
	at := make(map[key]int, len(r.List)/2)
	for i, req := range r.List {
		if req.Who != ForServicePrincipal || req.Privilege == Ownership || req.Privilege == MetastoreAdmin || req.Unverifiable != "" {
			continue
		}
		k := key{req.Area, req.On, req.DirectOnly}
		j, ok := at[k]
		if !ok {
			j = len(out)
			at[k] = j
			out = append(out, GrantStmt{Area: req.Area, On: req.On, Principal: req.Principal, Reason: req.Reason})
		}
		out[j].Privileges = append(out[j].Privileges, req.Privilege)
		out[j].Meets = append(out[j].Meets, i)
	}
	return out
}

// Ownerships returns the service principal's ownership requirements of an
// area, in the order that hands them over safely: the objects inside a
// catalog before the catalog, leaves before schemas, so that the runner
// keeps its rights until the last statement.
func (r *Requirements) Ownerships(area Area) []Requirement {
	var out []Requirement
	for _, req := range r.List {
		if req.Who == ForServicePrincipal && req.Privilege == Ownership && req.Area == area {
			out = append(out, req)
		}
	}
	depth := func(s Securable) int {
		switch {
		case s.IsLeaf():
			return 0
		case s.Type == Schema:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(out, func(a, b Requirement) int {
		if c := depth(a.On) - depth(b.On); c != 0 {
			return c
		}
		// Functions before tables, as the bootstrap has always handed them.
		return boolRank(a.On.Type != Function) - boolRank(b.On.Type != Function)
	})
	return out
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// DiffGrants returns the privileges the grants of a give that those of b
// do not, privilege by privilege, as grants in the order of a.
func DiffGrants(a, b []GrantStmt) []GrantStmt {
	type atom struct {
		principal string
		on        Securable
		p         Privilege
	}
	have := map[atom]bool{}
	for _, g := range b {
		for _, p := range g.Privileges {
			have[atom{g.Principal, g.On, p}] = true
		}
	}
	var out []GrantStmt
	for _, g := range a {
		var missing []Privilege
		for _, p := range g.Privileges {
			if !have[atom{g.Principal, g.On, p}] {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			g.Privileges, g.Meets = missing, nil
			out = append(out, g)
		}
	}
	return out
}
