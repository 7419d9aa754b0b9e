package privileges

import (
	"cmp"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/diag"
)

// Status is the outcome of a requirement.
type Status string

// The statuses of a requirement.
const (
	Satisfied  Status = "satisfied"
	Missing    Status = "missing"
	Unverified Status = "unverified"
)

// A Result is the outcome of one requirement.
type Result struct {
	Requirement
	Status Status `json:"status"`
	// How says how a satisfied requirement is met ("direct grant",
	// "inherited from CATALOG main", "through group data-eng", "through ALL
	// PRIVILEGES", "through ownership"), or why one is unverified or
	// missing.
	How string `json:"how"`
	// Grant is the grant that satisfies the requirement, if a grant does.
	Grant *Grant `json:"grant,omitempty"`
	// Cause says why a requirement is unverified, or that it is missing
	// because its securable does not exist; it is "" otherwise.
	Cause Cause `json:"cause,omitempty"`
}

// Cause says why a requirement is unverified (or missing for want of the
// securable itself).
type Cause string

// The causes of a result.
const (
	// CauseUnreadable: the grants or the owner of the securable could not
	// be read (403). It fails the audit unless [Gate.AllowUnverified].
	CauseUnreadable Cause = "unreadable"
	// CauseInterrupted: the securable was never asked about (Ctrl-C, a
	// deadline); the report is partial and fails.
	CauseInterrupted Cause = "interrupted"
	// CauseNoOwnerFacts: no owner facts were given for the securable.
	CauseNoOwnerFacts Cause = "no-owner-facts"
	// CauseUnverifiable: no grant listing can show the requirement.
	CauseUnverifiable Cause = "unverifiable"
	// CauseNotFound: the securable, or one that holds it, does not exist;
	// the requirement is missing.
	CauseNotFound Cause = "not-found"
)

// Severity ranks findings; it is the module's one severity type.
type Severity = diag.Severity

// The severities of findings. Errors fail the audit.
const (
	SeverityError   = diag.Error
	SeverityWarning = diag.Warning
	SeverityInfo    = diag.Info
)

// The codes of findings.
const (
	CodeExposure         = "exposure"          // another principal can reach the governance catalog
	CodeLegacyPrivilege  = "legacy-privilege"  // USAGE, CREATE and other pre-1.0 names
	CodeWorkspaceGroup   = "workspace-group"   // a grant to the workspace-local users or admins
	CodeIneffective      = "ineffective-grant" // USE SCHEMA ON CATALOG system
	CodeBroadGrant       = "broad-grant"       // ALL PRIVILEGES where less would do
	CodeDeletedPrincipal = "deleted-principal" // a grant to a principal that no longer exists
	CodeHiveMetastore    = "hive-metastore"    // legacy hive_metastore rows, read and ignored
	CodeUnknownPrivilege = "unknown-privilege" // a privilege Unity Catalog does not have, ignored
	CodeShareGrant       = "share-grant"       // grants of shares to recipients, which no requirement uses
)

// A Finding is something the audit saw beyond the requirements.
type Finding struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Grant    *Grant   `json:"grant,omitempty"`
	// Fix is the SQL that removes the finding, or "".
	Fix string `json:"fix,omitempty"`
}

// A Report is the outcome of an audit.
type Report struct {
	Schema           string    `json:"schema"`
	Rules            RuleSet   `json:"rules"`
	ServicePrincipal string    `json:"servicePrincipal"`
	Catalog          string    `json:"catalog"`
	GrantsRead       int       `json:"grantsRead"`
	Results          []Result  `json:"results"`
	Findings         []Finding `json:"findings"`
	// Fix holds the fewest statements that meet every missing
	// requirement: one GRANT per principal and securable, ALTER ... OWNER
	// TO for ownership.
	Fix []string `json:"fix"`
	// Revoke holds the REVOKE statements that end the exposure findings;
	// the fix script carries them commented out unless asked for.
	Revoke []string `json:"revoke"`
	// Partial, when not "", says why the audit saw only part of what it
	// asked for (an interrupted live run): such a report never passes.
	Partial string `json:"partial,omitempty"`
}

// ReportSchema is the version of the JSON form of a [Report].
const ReportSchema = "ucbootstrap.audit/v1"

// Count returns how many results have the status.
func (r *Report) Count(s Status) int {
	n := 0
	for _, res := range r.Results {
		if res.Status == s {
			n++
		}
	}
	return n
}

// Errors counts the findings of severity error.
func (r *Report) Errors() int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == SeverityError {
			n++
		}
	}
	return n
}

// A Gate says when an audit passes; see [Report.Passed].
type Gate struct {
	// Strict fails on every unverified requirement.
	Strict bool
	// AllowUnverified lets requirements pass that are unverified because
	// their grants could not be read ([CauseUnreadable]).
	AllowUnverified bool
}

// Passed reports whether the audit passes the gate. It fails when a
// requirement is missing, a finding is an error (an exposure), the run was
// partial, no requirement could be verified at all, a requirement is
// unverified because its grants could not be read (unless
// g.AllowUnverified), or, with g.Strict, any requirement is unverified.
// Requirements unverified for other causes (no owner facts, not visible in
// any listing) pass unless g.Strict.
func (r *Report) Passed(g Gate) bool {
	if r.Count(Missing) > 0 || r.Errors() > 0 || r.Partial != "" || r.nothingVerified() {
		return false
	}
	for _, res := range r.Results {
		if res.Status == Unverified && (g.Strict || res.Cause == CauseUnreadable && !g.AllowUnverified) {
			return false
		}
	}
	return true
}

// nothingVerified reports whether the audit has requirements and could
// satisfy none of them.
func (r *Report) nothingVerified() bool {
	return len(r.Results) > 0 && r.Count(Satisfied) == 0
}

// countCause counts the results with the status and cause.
func (r *Report) countCause(s Status, c Cause) int {
	n := 0
	for _, res := range r.Results {
		if res.Status == s && res.Cause == c {
			n++
		}
	}
	return n
}

// objectKey identifies a securable for matching: tables, views and
// materialized views share one namespace, so a table data source matches a
// grant listed on a view of the same name.
type objectKey struct {
	class SecurableType
	name  string
}

func keyOf(s Securable) objectKey {
	switch s.Type {
	case View, MaterializedView:
		return objectKey{Table, s.Name}
	}
	return objectKey{s.Type, s.Name}
}

// auditor holds the state of one audit: the index of the requirements and,
// per requirement, the best grant seen so far.
type auditor struct {
	reqs    *Requirements
	facts   Facts
	index   map[objectKey]*indexEntry
	best    []*match
	report  *Report
	hive    int
	hivePos Position
	legacy  map[string]*legacyUse // legacy spellings, aggregated
	unknown map[string]*legacyUse // privileges Unity Catalog does not have, aggregated
	perCode map[string]*findingList
	owners  map[objectKey]string     // facts.Owners by object
	unread  map[objectKey]unreadFact // facts.Unreadable and Unfetched by object
	absent  map[objectKey]string     // facts.Absent by object

	// Share grants (to recipients), counted and reported once.
	shares   int
	sharePos Position
}

// indexEntry lists the requirements a grant on a securable may satisfy:
// those on the securable itself, and those on its children.
type indexEntry struct {
	target, parent []int
}

// legacyUse counts the rows that use one legacy privilege name, with the
// first of them.
type legacyUse struct {
	count int
	first Grant
}

type match struct {
	grant Grant
	rank  int
	how   string
}

// Audit checks the grants (read once, in any order) against the
// requirements, with the owners and group memberships in facts. Memory
// grows with the requirements and the findings, not with the grants. The
// report is the same whatever the order of the grants. It returns the
// first error of the grant sequence, such as a malformed row.
func Audit(reqs *Requirements, grants iter.Seq2[Grant, error], facts Facts) (*Report, error) {
	a := &auditor{
		reqs: reqs, facts: facts,
		index:  map[objectKey]*indexEntry{},
		best:   make([]*match, len(reqs.List)),
		legacy: map[string]*legacyUse{}, unknown: map[string]*legacyUse{}, perCode: map[string]*findingList{},
		report: &Report{Schema: ReportSchema, Rules: reqs.Rules, ServicePrincipal: reqs.ServicePrincipal, Catalog: reqs.Catalog,
			Results: []Result{}, Findings: []Finding{}, Fix: []string{}, Revoke: []string{}},
	}
	a.owners = make(map[objectKey]string, len(facts.Owners))
	for sec, o := range facts.Owners {
		a.owners[keyOf(sec)] = o
	}
	entry := func(s Securable) *indexEntry {
		e := a.index[keyOf(s)]
		if e == nil {
			e = &indexEntry{}
			a.index[keyOf(s)] = e
		}
		return e
	}
	for i, r := range reqs.List {
		e := entry(r.On)
		e.target = append(e.target, i)
		for _, anc := range r.On.Ancestors() {
			e := entry(anc)
			e.parent = append(e.parent, i)
		}
	}
	for g, err := range ahead(grants) {
		if err != nil {
			return nil, err
		}
		a.report.GrantsRead++
		a.grant(g)
	}
	a.finish()
	return a.report, nil
}

// ahead runs the grant sequence (the parsing of a listing) in a goroutine
// of its own, a batch ahead of the audit, so that reading and auditing use
// two cores. Order is kept; memory is bounded by a few batches.
func ahead(grants iter.Seq2[Grant, error]) iter.Seq2[Grant, error] {
	const batchSize = 1024
	type batch struct {
		grants []Grant
		err    error
		panic  any
	}
	return func(yield func(Grant, error) bool) {
		ch := make(chan batch, 2)
		free := make(chan []Grant, 4) // batches the audit is done with
		done := make(chan struct{})
		defer close(done)
		go func() {
			defer close(ch)
			send := func(b batch) bool {
				select {
				case ch <- b:
					return true
				case <-done:
					return false
				}
			}
			defer func() {
				if p := recover(); p != nil {
					send(batch{panic: p})
				}
			}()
			next := func() []Grant {
				select {
				case gs := <-free:
					return gs[:0]
				default:
					return make([]Grant, 0, batchSize)
				}
			}
			b := batch{grants: next()}
			for g, err := range grants {
				if err != nil {
					b.err = err
					break
				}
				if b.grants = append(b.grants, g); len(b.grants) == batchSize {
					if !send(b) {
						return
					}
					b = batch{grants: next()}
				}
			}
			send(b)
		}()
		for b := range ch {
			if b.panic != nil {
				panic(b.panic)
			}
			for _, g := range b.grants {
				if !yield(g, nil) {
					return
				}
			}
			if b.err != nil {
				yield(Grant{}, b.err)
				return
			}
			clear(b.grants) // keep no rows alive in a spare batch
			select {
			case free <- b.grants:
			default:
			}
		}
	}
}

func (a *auditor) grant(g Grant) {
	// The principal's kind is worked out only as far as each check needs:
	// this runs for every row.
	p, sp := g.Principal, a.reqs.ServicePrincipal
	isSP := len(p) == len(sp) && (p == sp || strings.EqualFold(p, sp))
	a.findings(g, isSP)
	if g.Hive || strings.TrimSpace(p) == "" {
		return
	}
	// An inherited row says that the principal holds the privilege on the
	// ancestor it names: it counts as a grant there.
	ix := a.index[keyOf(g.Effective())]
	if ix == nil {
		return
	}
	for _, i := range ix.target {
		a.consider(i, g, isSP)
	}
	for _, i := range ix.parent {
		a.consider(i, g, isSP)
	}
}

// consider records g for requirement i when it satisfies it and ranks
// better than what was seen. The rank prefers direct over inherited,
// the principal itself over a group, the privilege by name over ALL
// PRIVILEGES; ties go to the smaller grant text, so that the outcome does
// not depend on the order of the rows.
func (a *auditor) consider(i int, g Grant, isSP bool) {
	r := a.reqs.List[i]
	if r.Privilege == Ownership || r.Privilege == MetastoreAdmin || r.Unverifiable != "" {
		return
	}
	rank := 0
	var how []string
	switch {
	case r.Who == ForServicePrincipal && isSP, r.Who != ForServicePrincipal && SamePrincipal(g.Principal, r.Principal):
	case KindOf(g.Principal) == AccountUsers:
		rank += 2
		how = append(how, "through the group account users")
	case a.memberOf(r.Principal, g.Principal):
		rank += 2
		how = append(how, "through group "+g.Principal)
	default:
		return
	}
	switch {
	case g.Privilege == r.Privilege:
	case g.Privilege == AllPrivileges && AllPrivilegesCovers(r.Privilege):
		rank += 1
		how = append(how, "through ALL PRIVILEGES")
	default:
		return
	}
	eff := g.Effective()
	switch {
	case keyOf(eff) == keyOf(r.On):
	case r.DirectOnly:
		return
	case !Inherits(r.Privilege) || (eff.Type == Catalog && eff.Name == "system" && r.Privilege == UseSchema):
		return
	case slices.ContainsFunc(r.On.Ancestors(), func(s Securable) bool { return keyOf(s) == keyOf(eff) }):
		rank += 4
		how = append([]string{"inherited from " + eff.String()}, how...)
	default:
		return
	}
	if len(how) == 0 {
		how = []string{"direct grant"}
	}
	m := &match{grant: g, rank: rank, how: strings.Join(how, ", ")}
	if b := a.best[i]; b == nil || m.rank < b.rank || m.rank == b.rank && grantOrder(m.grant, b.grant) < 0 {
		a.best[i] = m
	}
}

func grantOrder(x, y Grant) int {
	return cmp.Or(
		strings.Compare(x.String(), y.String()),
		cmp.Compare(x.Pos.File, y.Pos.File),
		cmp.Compare(x.Pos.Line, y.Pos.Line),
	)
}

// memberOf reports whether principal belongs to group, per the facts.
func (a *auditor) memberOf(principal, group string) bool {
	for p, groups := range a.facts.MemberOf {
		if SamePrincipal(p, principal) && slices.Contains(groups, group) {
			return true
		}
	}
	return false
}

// owner returns how principal owns s: "through ownership", "through
// ownership of group G"; known is false without owner facts for s.
func (a *auditor) owner(principal string, s Securable) (how, owner string, known bool) {
	o, known := a.owners[keyOf(s)]
	switch {
	case !known:
		return "", "", false
	case SamePrincipal(o, principal):
		return "through ownership", o, true
	case a.memberOf(principal, o):
		return "through ownership by group " + o, o, true
	}
	return "", o, true
}

// result decides the status of requirement i.
func (a *auditor) result(i int, r Requirement) Result {
	res := Result{Requirement: r}
	admin, adminKnown := a.admin(r.Principal)
	switch {
	case r.Unverifiable != "":
		res.Status, res.How, res.Cause = Unverified, r.Unverifiable, CauseUnverifiable
	case r.Privilege == MetastoreAdmin:
		switch {
		case admin:
			res.Status, res.How = Satisfied, "a metastore admin: "+r.Principal+" owns the metastore, directly or through a group"
		case adminKnown:
			res.Status, res.How = Missing, "not a metastore admin: the metastore belongs to "+a.owners[keyOf(Securable{Type: Metastore})]
		default:
			res.Status, res.How, res.Cause = Unverified, "metastore admin is a role that no grant listing shows: pass the metastore's owner (GET /api/2.1/unity-catalog/metastore_summary, field owner) to check it, or check it in the account console", CauseNoOwnerFacts
		}
	case r.Privilege == Ownership:
		how, owner, known := a.owner(r.Principal, r.On)
		u, unreadable := a.unreadable(r.On)
		why, absent := a.isAbsent(r.On)
		switch {
		case r.ByAdmin && admin:
			res.Status, res.How = Satisfied, "as a metastore admin"
		case !known && absent:
			res.Status, res.How, res.Cause = Missing, why, CauseNotFound
		case !known && unreadable:
			res.Status, res.How, res.Cause = Unverified, u.why, u.cause
		case !known:
			res.Status, res.How, res.Cause = Unverified, "no owner facts for "+r.On.String()+": pass the owners (information_schema *_owner columns or the REST owner field) to check it", CauseNoOwnerFacts
		case how != "" && r.Area == AreaGovernance && !SamePrincipal(owner, r.Principal):
			res.Status, res.How = Missing, "owned by the group "+owner+": every member of it owns the object; hand it to the service principal itself"
		case how != "":
			res.Status, res.How = Satisfied, how
		default:
			res.Status, res.How = Missing, "owned by "+owner
		}
	case a.best[i] != nil:
		g := a.best[i].grant
		res.Status, res.How, res.Grant = Satisfied, a.best[i].how, &g
	case r.ByAdmin && admin:
		res.Status, res.How = Satisfied, "as a metastore admin"
	default:
		if how := a.ownedBy(r); how != "" {
			res.Status, res.How = Satisfied, how
			break
		}
		if why, ok := a.isAbsent(r.On); ok {
			res.Status, res.How, res.Cause = Missing, why, CauseNotFound
			break
		}
		if u, ok := a.unreadable(r.On); ok {
			res.Status, res.How, res.Cause = Unverified, u.why, u.cause
			break
		}
		res.Status, res.How = Missing, "no grant gives it"
		if r.DirectOnly {
			res.How = "no grant gives it directly on " + r.On.String()
		}
		if how, _, _ := a.owner(r.Principal, r.On); how != "" && r.ByOwner == NotByOwner {
			res.How += " (owning " + r.On.String() + " does not give " + r.Privilege.SQL() + ownerMisses(r) + ")"
		}
	}
	return res
}

// ownerMisses says why owning the securable does not meet r.
func ownerMisses(r Requirement) string {
	if r.Privilege == Manage {
		return ": the integration's documentation asks for MANAGE set directly on the catalog"
	}
	return " on the objects inside it"
}

// ownedBy returns how ownership meets r, or "" when it does not.
func (a *auditor) ownedBy(r Requirement) string {
	switch r.ByOwner {
	case ByOwnerOfObject:
		how, _, _ := a.owner(r.Principal, r.On)
		return how
	case ByOwnerOfObjectOrParent:
		if how, _, _ := a.owner(r.Principal, r.On); how != "" {
			return how
		}
		for _, anc := range r.On.Ancestors() {
			if how, _, _ := a.owner(r.Principal, anc); how != "" {
				return how + " of " + anc.String()
			}
		}
	}
	return ""
}

// admin reports whether principal is a metastore admin, as the owner facts
// of the metastore say; known is false without them.
func (a *auditor) admin(principal string) (admin, known bool) {
	how, _, known := a.owner(principal, Securable{Type: Metastore})
	return how != "", known
}

// governanceOwners reports an exposure for each object of the governance
// catalog owned by anyone but the service principal: a group (every member
// owns it) or a person (a failed hand-over leaves the runner able to read
// the entitlements).
func (a *auditor) governanceOwners() {
	for _, r := range a.reqs.List {
		if r.Area != AreaGovernance || r.Privilege != Ownership || r.Who != ForServicePrincipal {
			continue
		}
		o, known := a.owners[keyOf(r.On)]
		if !known || SamePrincipal(o, r.Principal) {
			continue
		}
		msg := fmt.Sprintf("%s owns %s, inside the governance catalog: nobody but the service principal may own it", o, r.On)
		if k := KindOf(o); k == Group || k == AccountUsers || k == WorkspaceLocal {
			msg = fmt.Sprintf("the group %s owns %s, inside the governance catalog: every member of the group owns it, and nobody but the service principal may", o, r.On)
		}
		a.addFinding(Finding{Code: CodeExposure, Severity: SeverityError, Message: msg + "; hand it over: " + OwnerSQL(r.On, r.Principal)})
	}
}

// readFailures indexes what could not be read, once the grants are read
// (see [Facts]).
func (a *auditor) readFailures() {
	a.unread = map[objectKey]unreadFact{}
	for sec, why := range a.facts.Unfetched {
		a.unread[keyOf(sec)] = unreadFact{"the run ended before " + sec.String() + " was asked about: " + why, CauseInterrupted}
	}
	for sec, why := range a.facts.Unreadable {
		a.unread[keyOf(sec)] = unreadFact{"the grants on " + sec.String() + " could not be read: " + why, CauseUnreadable}
	}
	a.absent = map[objectKey]string{}
	for sec, why := range a.facts.Absent {
		a.absent[keyOf(sec)] = sec.String() + " does not exist: " + why
	}
	if n := len(a.facts.Unfetched); n > 0 {
		why := ""
		for _, sec := range slices.SortedFunc(maps.Keys(a.facts.Unfetched), Securable.Compare) {
			why = a.facts.Unfetched[sec]
			break
		}
		a.report.Partial = fmt.Sprintf("%s before %s asked about", why, plural(n, "securable was", "securables were"))
	}
}

// unreadFact is why the grants on a securable are not known.
type unreadFact struct {
	why   string
	cause Cause
}

func (a *auditor) finish() {
	rep := a.report
	a.readFailures()
	for i, r := range a.reqs.List {
		rep.Results = append(rep.Results, a.result(i, r))
	}
	a.governanceOwners()
	if a.hive > 0 {
		a.addFinding(Finding{Code: CodeHiveMetastore, Severity: SeverityInfo,
			Message: fmt.Sprintf("%d hive_metastore row(s) read and ignored (first at %s): legacy table ACLs do not grant Unity Catalog privileges", a.hive, a.hivePos)})
	}
	if a.shares > 0 {
		a.addFinding(Finding{Code: CodeShareGrant, Severity: SeverityInfo,
			Message: fmt.Sprintf("%d share grant(s) to Delta Sharing recipients read (first at %s): no requirement of the integration uses shares", a.shares, a.sharePos)})
	}
	a.legacyFindings()
	a.unknownFindings()
	a.collectFindings()
	rep.Fix = fixSQL(rep.Results)
	for _, f := range rep.Findings {
		if f.Code == CodeExposure && f.Fix != "" && !slices.Contains(rep.Revoke, f.Fix) {
			rep.Revoke = append(rep.Revoke, f.Fix)
		}
	}
}

// unreadable returns why the grants on s are not known, if they are not.
func (a *auditor) unreadable(s Securable) (unreadFact, bool) {
	u, ok := a.unread[keyOf(s)]
	return u, ok
}

// isAbsent returns why s does not exist, when it or a securable that holds
// it is absent.
func (a *auditor) isAbsent(s Securable) (string, bool) {
	if why, ok := a.absent[keyOf(s)]; ok {
		return why, true
	}
	for _, anc := range s.Ancestors() {
		if why, ok := a.absent[keyOf(anc)]; ok {
			return why, true
		}
	}
	return "", false
}
