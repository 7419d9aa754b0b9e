package lint

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/dbsql"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/privileges/listing"
)

// RunEdit lints src as an edit script: the change from the payload old to
// the payload in. It runs the rules of [Run] against the edit script that
// generator.Generate makes of the two payloads, with UCB017 (the grants,
// revokes and hand-overs of that script that src no longer makes) in place
// of UCB003: an edit grants what changes, not all that the service
// principal needs.
func RunEdit(filename string, src []byte, in, old *ucbootstrap.Integration) ([]Diagnostic, error) {
	if old == nil {
		return nil, errors.New("lint: no old payload: an edit script is linted against the payload it edits from")
	}
	if err := old.Validate(); err != nil {
		return nil, fmt.Errorf("lint: the old payload: %w", err)
	}
	pass, err := newPass(filename, src, in, generator.Edit)
	if err != nil {
		return nil, err
	}
	s, err := generator.Generate(in, generator.Edit, generator.From(old))
	if err != nil {
		return nil, fmt.Errorf("lint: %s", strings.TrimPrefix(err.Error(), "generator: "))
	}
	sql, err := s.SQL()
	if err != nil {
		return nil, fmt.Errorf("lint: %s", strings.TrimPrefix(err.Error(), "generator: "))
	}
	ref, err := dbsql.ParseFile("generated.sql", []byte(sql))
	if err != nil {
		return nil, fmt.Errorf("lint: the generated edit script does not parse: %v", err)
	}
	pass.Reference = ref
	return runRules(pass, func(r *Rule) bool { return r.Code != "UCB003" }), nil
}

// A changeKey identifies what one grant, revoke or hand-over does.
type changeKey struct {
	kind      listing.ChangeKind
	principal string
	privilege privileges.Privilege
	on        privileges.Securable
}

func keyOf(kind listing.ChangeKind, principal string, p privileges.Privilege, on privileges.Securable) changeKey {
	switch privileges.KindOf(principal) {
	case privileges.User, privileges.ServicePrincipal, privileges.AccountUsers:
		principal = strings.ToLower(principal)
	}
	return changeKey{kind, principal, p, on.Canonical()}
}

// runEditChange reports, in an edit script linted with [RunEdit], each
// grant, revoke and ownership hand-over of the generated edit script that
// the script does not make. Each is reported at the script's last
// statement on the same securable, else at its last statement.
func runEditChange(p *Pass) {
	if p.Kind != generator.Edit || p.Reference == nil {
		return
	}
	have := map[changeKey]bool{}
	for _, c := range p.Changes {
		if c.Kind == listing.OwnerChange {
			have[keyOf(c.Kind, c.Owner, "", c.On)] = true
		}
		for _, g := range c.Grants {
			have[keyOf(c.Kind, g.Principal, g.Privilege, g.On)] = true
		}
	}
	at := func(on privileges.Securable) dbsql.Node {
		var n dbsql.Node
		for _, c := range p.Changes {
			if sameObject(c.On, on) {
				n = c.Stmt
			}
		}
		if n == nil {
			n = p.lastStmt()
		}
		return n
	}
	for _, c := range listing.FromScript(p.Reference) {
		if c.Kind == listing.OwnerChange {
			if !have[keyOf(c.Kind, c.Owner, "", c.On)] {
				p.Reportf(at(c.On), "the edit no longer hands %s to %s, which the change from the old payload calls for: add %s",
					c.On, c.Owner, privileges.OwnerSQL(c.On, c.Owner))
			}
			continue
		}
		what, to, write := "grants", "to", privileges.GrantSQL
		if c.Kind == listing.RevokeChange {
			what, to, write = "revokes", "from", privileges.RevokeSQL
		}
		for _, g := range c.Grants {
			if have[keyOf(c.Kind, g.Principal, g.Privilege, g.On)] {
				continue
			}
			fix := write([]privileges.Privilege{g.Privilege}, g.On, g.Principal)
			p.Reportf(at(g.On), "the edit no longer %s %s on %s %s %s, which the change from the old payload calls for: add %s",
				what, g.Privilege.SQL(), g.On, to, g.Principal, fix)
		}
	}
}
