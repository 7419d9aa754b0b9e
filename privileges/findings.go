package privileges

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/internal/clip"
)

// findings records what grant g shows beyond the requirements; isSP tells
// whether its principal is the service principal.
func (a *auditor) findings(g Grant, isSP bool) {
	if g.Hive {
		if a.hive == 0 || g.Pos.File < a.hivePos.File || g.Pos.File == a.hivePos.File && g.Pos.Line < a.hivePos.Line {
			a.hivePos = g.Pos
		}
		a.hive++
		return
	}
	if g.On.Type == Share {
		// A share is granted to recipients, outside the metastore's
		// principals: counted, never matched.
		if a.shares == 0 || g.Pos.File < a.sharePos.File || g.Pos.File == a.sharePos.File && g.Pos.Line < a.sharePos.Line {
			a.sharePos = g.Pos
		}
		a.shares++
		return
	}
	add := func(code string, sev Severity, fix, format string, args ...any) {
		gc := g
		a.addFinding(Finding{Code: code, Severity: sev, Message: fmt.Sprintf(format, args...), Grant: &gc, Fix: fix})
	}
	eff := g.Effective()
	switch p := g.Principal; {
	case strings.TrimSpace(p) == "":
		add(CodeDeletedPrincipal, SeverityWarning, "", "%s is granted to a deleted principal (empty name): the grant is dead; remove it in Catalog Explorer", g.Privilege.SQL()+" on "+eff.String())
		return
	case p == "users" || p == "admins":
		add(CodeWorkspaceGroup, SeverityWarning, revokeSQL(g), "%s is granted to the workspace-local group %s, which cannot hold Unity Catalog grants: grant to an account group instead", g.Privilege.SQL()+" on "+eff.String(), g.Principal)
	}
	if !g.Legacy && !knownPrivilege(g.Privilege) {
		// Aggregated per spelling, as legacy names are.
		k := g.Spelling + "\x00" + string(g.Privilege)
		if u := a.unknown[k]; u == nil {
			a.unknown[k] = &legacyUse{count: 1, first: g}
		} else {
			u.count++
			if grantOrder(g, u.first) < 0 {
				u.first = g
			}
		}
	}
	if g.Legacy {
		// Aggregated per spelling and privilege, so that memory does not
		// grow with the rows of an old metastore.
		k := g.Spelling + "\x00" + string(g.Privilege)
		if u := a.legacy[k]; u == nil {
			a.legacy[k] = &legacyUse{count: 1, first: g}
		} else {
			u.count++
			if grantOrder(g, u.first) < 0 {
				u.first = g
			}
		}
	}
	if g.Direct() && g.On.Type == Catalog && g.On.Name == "system" && g.Privilege == UseSchema {
		add(CodeIneffective, SeverityWarning, GrantSQL([]Privilege{UseSchema}, SecurableOf(Schema, "system", "access"), g.Principal),
			"USE SCHEMA on CATALOG system to %s has no effect: Unity Catalog ignores it on the system catalog; grant USE SCHEMA on each system schema", g.Principal)
	}
	if a.reqs.Catalog != "" && eff.CatalogName() == a.reqs.Catalog && !isSP {
		add(CodeExposure, SeverityError, revokeSQL(g), "%s holds %s on %s, inside the governance catalog: nobody but the service principal may reach it", g.Principal, g.Privilege.SQL(), eff.String())
	}
	if isSP && g.Privilege == AllPrivileges && g.Direct() && eff.CatalogName() != a.reqs.Catalog && a.index[keyOf(eff)] != nil {
		add(CodeBroadGrant, SeverityWarning, "", "the service principal holds ALL PRIVILEGES on %s, where the integration needs only the privileges it names (MANAGE, USE, SELECT, MODIFY): grant those and revoke ALL PRIVILEGES", eff.String())
	}
}

// legacyFindings adds one finding per legacy privilege name.
func (a *auditor) legacyFindings() {
	for _, u := range a.legacy {
		g := u.first
		msg := fmt.Sprintf("%s on %s uses a legacy privilege name, read as %s: grant %s instead", g.Spelling, g.Effective().String(), g.Privilege.SQL(), g.Privilege.SQL())
		if u.count > 1 {
			msg += fmt.Sprintf(" (%d rows use %s; the first is shown)", u.count, g.Spelling)
		}
		a.addFinding(Finding{Code: CodeLegacyPrivilege, Severity: SeverityWarning, Message: msg, Grant: &g})
	}
}

// unknownFindings adds one finding per privilege that Unity Catalog does
// not have, at its first row: the audit ignores such a grant, and the
// listing should be checked.
func (a *auditor) unknownFindings() {
	for _, u := range a.unknown {
		g := u.first
		spelling := cmp.Or(g.Spelling, string(g.Privilege))
		msg := fmt.Sprintf("%s on %s is not a Unity Catalog privilege: the grant is ignored; check the listing", clip.Quote(spelling), clip.Text(g.Effective().String()))
		if u.count > 1 {
			msg += fmt.Sprintf(" (%d rows use it; the first is shown)", u.count)
		}
		a.addFinding(Finding{Code: CodeUnknownPrivilege, Severity: SeverityWarning, Message: msg, Grant: &g})
	}
}

// knownPrivilege reports whether p is a privilege of Unity Catalog on some
// securable type, or one this package names.
func knownPrivilege(p Privilege) bool { return knownPrivileges[p] }

// knownPrivileges holds every privilege of applicable, and the names this
// package knows beyond them; it is looked up for every row.
var knownPrivileges = func() map[Privilege]bool {
	m := map[Privilege]bool{AllPrivileges: true, Usage: true, Create: true, Own: true, Ownership: true}
	for _, list := range applicable {
		for _, p := range list {
			m[p] = true
		}
	}
	return m
}()

// revokeSQL returns the REVOKE that undoes g, on the securable the
// privilege is really granted on.
func revokeSQL(g Grant) string {
	return RevokeSQL([]Privilege{g.Privilege}, g.Effective(), g.Principal)
}

// fixSQL returns the fewest statements that meet the missing requirements:
// the missing privileges of each principal on each securable in one GRANT,
// in the order the requirements come, and ALTER ... OWNER TO for missing
// ownership.
func fixSQL(results []Result) []string {
	type target struct {
		principal string
		on        objectKey
	}
	type grant struct {
		principal string
		on        Securable
		privs     []Privilege
	}
	var grants []*grant
	byTarget := map[target]*grant{}
	var owners []string
	for _, r := range results {
		if r.Status != Missing || r.Privilege == MetastoreAdmin || r.Cause == CauseNotFound {
			// A role is given in the account console, and nothing can be
			// granted on what does not exist.
			continue
		}
		if r.Privilege == Ownership {
			owners = append(owners, OwnerSQL(r.On, r.Principal))
			continue
		}
		t := target{strings.ToLower(r.Principal), keyOf(r.On)}
		g, ok := byTarget[t]
		if !ok {
			g = &grant{principal: r.Principal, on: r.On}
			byTarget[t] = g
			grants = append(grants, g)
		}
		g.privs = append(g.privs, r.Privilege)
	}
	fix := []string{}
	for _, g := range grants {
		fix = append(fix, GrantSQL(g.privs, g.on, g.principal))
	}
	return append(fix, owners...)
}

// MaxFindingsPerCode bounds the findings of one code that a report lists,
// so that memory does not grow with the rows of a badly kept metastore:
// beyond it, the report lists the first ones (in a fixed order, whatever
// the order of the rows) and says how many more there are.
const MaxFindingsPerCode = 200

// findingList holds the findings of one code, with their sort keys.
type findingList struct {
	items   []keyedFinding
	dropped int
}

type keyedFinding struct {
	f   Finding
	key string
}

// findingKey orders findings by the grant they are about, as it is really
// made (an inherited row counts as the grant on the ancestor), then by
// where the listing has it. Rows that say the same thing (a live audit
// sees a catalog grant again in the effective permissions of each schema)
// have the same key and are listed once.
func findingKey(f Finding) keyedFinding {
	k := ""
	if g := f.Grant; g != nil {
		k = g.Principal + "\x00" + string(g.Privilege) + "\x00" + g.Effective().String() + "\x00" + g.Pos.String()
	}
	return keyedFinding{f, k + "\x00" + f.Message}
}

// compareFindings orders by key, then by the grant's own text, so that the
// finding kept of several with one key does not depend on the row order.
func compareFindings(x, y keyedFinding) int {
	if c := strings.Compare(x.key, y.key); c != 0 {
		return c
	}
	return compareGrants(x.f.Grant, y.f.Grant)
}

func (a *auditor) addFinding(f Finding) {
	l := a.perCode[f.Code]
	if l == nil {
		l = &findingList{}
		a.perCode[f.Code] = l
	}
	l.items = append(l.items, findingKey(f))
	if len(l.items) >= 2*MaxFindingsPerCode {
		l.trim()
	}
}

// trim sorts the findings, drops repeats and keeps the first
// MaxFindingsPerCode.
func (l *findingList) trim() {
	slices.SortFunc(l.items, compareFindings)
	l.items = slices.CompactFunc(l.items, func(x, y keyedFinding) bool { return x.key == y.key && x.f.Fix == y.f.Fix })
	if n := len(l.items); n > MaxFindingsPerCode {
		l.dropped += n - MaxFindingsPerCode
		clear(l.items[MaxFindingsPerCode:])
		l.items = l.items[:MaxFindingsPerCode]
	}
}

// collectFindings puts the findings of every code in the report, in order:
// errors first, then by code and by grant.
func (a *auditor) collectFindings() {
	var all []keyedFinding
	for code, l := range a.perCode {
		l.trim()
		all = append(all, l.items...)
		if l.dropped > 0 {
			sev := l.items[0].f.Severity
			all = append(all, keyedFinding{Finding{Code: code, Severity: sev,
				Message: fmt.Sprintf("%d more %s findings are not listed: fix the ones above and audit again", l.dropped, code)}, "\xff"})
		}
	}
	slices.SortFunc(all, func(x, y keyedFinding) int {
		return cmp.Or(cmp.Compare(x.f.Severity, y.f.Severity), cmp.Compare(x.f.Code, y.f.Code), compareFindings(x, y))
	})
	for _, k := range all {
		a.report.Findings = append(a.report.Findings, k.f)
	}
}

func compareGrants(x, y *Grant) int {
	switch {
	case x == nil && y == nil:
		return 0
	case x == nil:
		return -1
	case y == nil:
		return 1
	}
	return grantOrder(*x, *y)
}
