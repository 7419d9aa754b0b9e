package listing

import (
	"encoding/csv"
	"fmt"
	"slices"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/internal/clip"
	"github.com/ucbootstrap/ucbootstrap/privileges"
)

// col identifies a column of a grant, owner or membership listing,
// whatever its header spelling.
type col uint8

// The columns the readers know.
const (
	colPrincipal col = iota // principal, grantee
	colPrivilege            // ActionType, privilege, privilege_type
	colObjectType
	colObjectKey
	colInheritedFrom
	colGrantor
	colCatalogName
	colSchemaName
	colTableCatalog
	colTableSchema
	colTableName
	colRoutineCatalog
	colRoutineSchema
	colRoutineName
	colSpecificCatalog
	colSpecificSchema
	colSpecificName
	colVolumeCatalog
	colVolumeSchema
	colVolumeName
	colExternalLocationName
	colConnectionName
	colStorageCredentialName
	colCatalogOwner
	colSchemaOwner
	colTableOwner
	colOwner
	colFullName
	colSecurableType
	colMember // member, user_name
	colGroup  // group, group_name
	colShareName
	numCols

	noCol col = 255 // a column the readers ignore
)

// colLabels are the spellings messages use for columns a listing lacks.
var colLabels = [numCols]string{
	"Principal", "ActionType", "ObjectType", "ObjectKey", "inherited_from", "grantor",
	"catalog_name", "schema_name", "table_catalog", "table_schema", "table_name",
	"routine_catalog", "routine_schema", "routine_name", "specific_catalog", "specific_schema", "specific_name",
	"volume_catalog", "volume_schema", "volume_name",
	"external_location_name", "connection_name", "storage_credential_name",
	"catalog_owner", "schema_owner", "table_owner", "owner", "full_name", "securable_type",
	"member", "group", "share_name",
}

// colNames maps normalised header spellings (see normName) to columns.
var colNames = map[string]col{
	"principal": colPrincipal, "grantee": colPrincipal,
	// A share's grants go to recipients: share_recipient_privileges has
	// recipient_name, SHOW GRANTS ON SHARE a recipient column.
	"recipientname": colPrincipal, "recipient": colPrincipal,
	"sharename": colShareName, "share": colShareName,
	"actiontype": colPrivilege, "privilege": colPrivilege, "privilegetype": colPrivilege,
	"objecttype": colObjectType, "objectkey": colObjectKey,
	"inheritedfrom": colInheritedFrom, "grantor": colGrantor,
	"catalogname": colCatalogName, "schemaname": colSchemaName,
	"tablecatalog": colTableCatalog, "tableschema": colTableSchema, "tablename": colTableName,
	"routinecatalog": colRoutineCatalog, "routineschema": colRoutineSchema, "routneschema": colRoutineSchema,
	"routinename":     colRoutineName,
	"specificcatalog": colSpecificCatalog, "specificschema": colSpecificSchema, "specificname": colSpecificName,
	"volumecatalog": colVolumeCatalog, "volumeschema": colVolumeSchema, "volumename": colVolumeName,
	"externallocationname": colExternalLocationName, "connectionname": colConnectionName,
	"storagecredentialname": colStorageCredentialName,
	"catalogowner":          colCatalogOwner, "schemaowner": colSchemaOwner, "tableowner": colTableOwner,
	"owner": colOwner, "fullname": colFullName, "securabletype": colSecurableType,
	"member": colMember, "username": colMember,
	"group": colGroup, "groupname": colGroup,
}

// normName folds a header or key spelling: lower case, without
// underscores, blanks and dashes ("Action_Type" and "actionType" both
// give "actiontype").
func normName(s string) string {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '_' || c == ' ' || c == '-' || c == '\t' || 'A' <= c && c <= 'Z' || c >= 0x80 {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case '_', ' ', '-', '\t', '\uFEFF':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// A colSet is a set of columns.
type colSet uint64

func (s colSet) has(c col) bool { return c < numCols && s&(1<<c) != 0 }

func (s *colSet) add(c col) { *s |= 1 << c }

func setOf(cs ...col) colSet {
	var s colSet
	for _, c := range cs {
		s.add(c)
	}
	return s
}

// A row is one record of a listing: the values of its known columns.
type row struct {
	vals [numCols]string
	set  colSet
	// names are the spellings of the columns as the listing has them.
	names *[numCols]string
	pos   privileges.Position
	// A CSV row gives the position of each value.
	cr    *csv.Reader
	index *[numCols]int
}

// name returns the listing's spelling of column c.
func (rw *row) name(c col) string {
	if rw.names != nil && rw.names[c] != "" {
		return rw.names[c]
	}
	return colLabels[c]
}

// posOf returns where column c's value is, or the row's position.
func (rw *row) posOf(c col) privileges.Position {
	if rw.cr == nil || !rw.set.has(c) {
		return rw.pos
	}
	line, col := rw.cr.FieldPos(rw.index[c])
	return privileges.Position{File: rw.pos.File, Line: line, Col: col}
}

// planKind tells how rows are read.
type planKind uint8

const (
	planShow       planKind = iota + 1 // SHOW GRANTS
	planInfoSchema                     // information_schema *_privileges
	planOwnerIS                        // information_schema catalogs, schemata, tables
	planOwnerREST                      // REST objects with owner and full_name
	planMembers                        // principal and group
)

// A plan says how to read the rows of a listing whose columns are known.
type plan struct {
	kind  planKind
	t     privileges.SecurableType
	parts []col // the object's name columns, outermost first
	owner col   // the owner column
	view  string
	// noPrincipal marks rows without a principal column: SHOW GRANTS TO
	// RECIPIENT lists the shares of one recipient, and does not name it.
	noPrincipal bool
}

// rows names the rows of a plan in messages.
func (p *plan) rows() string {
	if p.kind == planOwnerREST {
		return "REST objects"
	}
	return p.view + " rows"
}

var showPlan = &plan{kind: planShow}

var membersPlan = &plan{kind: planMembers}

// infoSchemaPlans are the information_schema privilege views, in the
// order they are tried: the first whose name columns are all present
// wins.
var infoSchemaPlans = []*plan{
	{kind: planInfoSchema, t: privileges.Table, parts: []col{colTableCatalog, colTableSchema, colTableName}, view: "information_schema.table_privileges"},
	{kind: planInfoSchema, t: privileges.Volume, parts: []col{colVolumeCatalog, colVolumeSchema, colVolumeName}, view: "information_schema.volume_privileges"},
	{kind: planInfoSchema, t: privileges.Function, parts: []col{colRoutineCatalog, colRoutineSchema, colRoutineName}, view: "information_schema.routine_privileges"},
	{kind: planInfoSchema, t: privileges.Function, parts: []col{colSpecificCatalog, colSpecificSchema, colSpecificName}, view: "information_schema.routine_privileges"},
	{kind: planInfoSchema, t: privileges.Schema, parts: []col{colCatalogName, colSchemaName}, view: "information_schema.schema_privileges"},
	{kind: planInfoSchema, t: privileges.Catalog, parts: []col{colCatalogName}, view: "information_schema.catalog_privileges"},
	{kind: planInfoSchema, t: privileges.ExternalLocation, parts: []col{colExternalLocationName}, view: "information_schema.external_location_privileges"},
	{kind: planInfoSchema, t: privileges.Connection, parts: []col{colConnectionName}, view: "information_schema.connection_privileges"},
	{kind: planInfoSchema, t: privileges.StorageCredential, parts: []col{colStorageCredentialName}, view: "information_schema.storage_credential_privileges"},
	{kind: planInfoSchema, t: privileges.Share, parts: []col{colShareName}, view: "information_schema.share_recipient_privileges"},
}

// recipientSharesPlan reads SHOW GRANTS TO RECIPIENT: share and privilege
// columns, the recipient left out.
var recipientSharesPlan = &plan{kind: planInfoSchema, t: privileges.Share, parts: []col{colShareName}, view: "SHOW GRANTS TO RECIPIENT", noPrincipal: true}

// ownerPlans are the owner listings, tried in order: the first whose
// owner column is present wins.
var ownerPlans = []*plan{
	{kind: planOwnerIS, t: privileges.Table, owner: colTableOwner, parts: []col{colTableCatalog, colTableSchema, colTableName}, view: "information_schema.tables"},
	{kind: planOwnerIS, t: privileges.Schema, owner: colSchemaOwner, parts: []col{colCatalogName, colSchemaName}, view: "information_schema.schemata"},
	{kind: planOwnerIS, t: privileges.Catalog, owner: colCatalogOwner, parts: []col{colCatalogName}, view: "information_schema.catalogs"},
	{kind: planOwnerREST, owner: colOwner, parts: []col{colFullName}},
}

// The columns that make an object a row of each mode.
var (
	grantCols = setOf(colPrincipal, colPrivilege, colObjectType, colObjectKey, colInheritedFrom, colGrantor,
		colCatalogName, colSchemaName, colTableCatalog, colTableSchema, colTableName,
		colRoutineCatalog, colRoutineSchema, colRoutineName, colSpecificCatalog, colSpecificSchema, colSpecificName,
		colVolumeCatalog, colVolumeSchema, colVolumeName, colExternalLocationName, colConnectionName, colStorageCredentialName,
		colShareName)
	ownerCols  = setOf(colCatalogOwner, colSchemaOwner, colTableOwner, colOwner)
	memberCols = setOf(colPrincipal, colMember, colGroup)
)

// rowCols returns the columns that make an object a row in mode m.
func rowCols(m mode) colSet {
	switch m {
	case modeOwners:
		return ownerCols
	case modeMembers:
		return memberCols
	}
	return grantCols
}

// plan returns how rows with the columns in set are read. what is
// "column" or "key"; seen lists the listing's spellings, for messages.
// JSON objects (lenient) may leave out an ObjectKey that is null.
func (r *reader) plan(set colSet, what string, seen []string, lenient bool) (*plan, error) {
	switch r.mode {
	case modeOwners:
		return ownerPlan(set, what, seen)
	case modeMembers:
		return memberPlan(set, what, seen)
	}
	return grantPlan(set, what, seen, lenient)
}

func grantPlan(set colSet, what string, seen []string, lenient bool) (*plan, error) {
	if set.has(colObjectType) || set.has(colObjectKey) {
		need := []col{colPrincipal, colPrivilege, colObjectType, colObjectKey}
		if lenient {
			need = need[:3]
		}
		if c, ok := firstMissing(set, need); ok {
			return nil, missingError(colLabels[c], what, seen, "SHOW GRANTS output needs Principal, ActionType, ObjectType and ObjectKey")
		}
		return showPlan, nil
	}
	if set.has(colShareName) && !set.has(colPrincipal) {
		if c, ok := firstMissing(set, []col{colPrivilege}); ok {
			return nil, missingError(colLabels[c], what, seen, "SHOW GRANTS TO RECIPIENT output needs share and privilege")
		}
		return recipientSharesPlan, nil
	}
	for _, p := range infoSchemaPlans {
		if _, ok := firstMissing(set, p.parts); ok {
			continue
		}
		if c, ok := firstMissing(set, []col{colPrincipal, colPrivilege}); ok {
			return nil, missingError(infoSchemaLabel(c), what, seen, infoSchemaNeeds(p))
		}
		return p, nil
	}
	if p := partial(set, infoSchemaPlans); p != nil {
		c, _ := firstMissing(set, p.parts)
		return nil, missingError(colLabels[c], what, seen, infoSchemaNeeds(p))
	}
	return nil, fmt.Errorf("no object %ss (%ss: %s): expected SHOW GRANTS output (Principal, ActionType, ObjectType, ObjectKey) or information_schema *_privileges rows (grantee, privilege_type and the object's name %ss, such as catalog_name)",
		what, what, seenList(seen), what)
}

// infoSchemaNeeds says which columns the rows of an information_schema
// privilege view need.
func infoSchemaNeeds(p *plan) string {
	names := []string{"grantee", "privilege_type"}
	for _, c := range p.parts {
		names = append(names, colLabels[c])
	}
	return p.rows() + " need " + andList(names)
}

// infoSchemaLabel is colLabels with information_schema's names for the
// principal and the privilege.
func infoSchemaLabel(c col) string {
	switch c {
	case colPrincipal:
		return "grantee"
	case colPrivilege:
		return "privilege_type"
	}
	return colLabels[c]
}

func ownerPlan(set colSet, what string, seen []string) (*plan, error) {
	for _, p := range ownerPlans {
		if !set.has(p.owner) {
			continue
		}
		if c, ok := firstMissing(set, p.parts); ok {
			names := []string{colLabels[p.owner]}
			for _, c := range p.parts {
				names = append(names, colLabels[c])
			}
			return nil, missingError(colLabels[c], what, seen, p.rows()+" need "+andList(names))
		}
		return p, nil
	}
	return nil, fmt.Errorf("no owner %s (%ss: %s): expected catalog_owner (information_schema.catalogs), schema_owner (information_schema.schemata), table_owner (information_schema.tables) or owner with full_name (REST)",
		what, what, seenList(seen))
}

func memberPlan(set colSet, what string, seen []string) (*plan, error) {
	switch {
	case !set.has(colPrincipal) && !set.has(colMember):
		return nil, fmt.Errorf("no principal %s (%ss: %s): group memberships need a principal (or member, user_name) and a group (or group_name) %s", what, what, seenList(seen), what)
	case set.has(colPrincipal) && set.has(colMember):
		return nil, fmt.Errorf("both principal and member %ss (%ss: %s): keep one", what, what, seenList(seen))
	case !set.has(colGroup):
		return nil, fmt.Errorf("no group %s (%ss: %s): group memberships need a principal (or member, user_name) and a group (or group_name) %s", what, what, seenList(seen), what)
	}
	return membersPlan, nil
}

// firstMissing returns the first column of need that set lacks.
func firstMissing(set colSet, need []col) (col, bool) {
	for _, c := range need {
		if !set.has(c) {
			return c, true
		}
	}
	return 0, false
}

// partial returns the plan that set has the most name columns of, if
// any.
func partial(set colSet, plans []*plan) *plan {
	var best *plan
	most := 0
	for _, p := range plans {
		n := 0
		for _, c := range p.parts {
			if set.has(c) {
				n++
			}
		}
		if n > most {
			best, most = p, n
		}
	}
	return best
}

// missingError says that a listing lacks a column, which columns it has,
// and what it needs.
func missingError(label, what string, seen []string, needs string) error {
	return fmt.Errorf("no %s %s (%ss: %s): %s", label, what, what, seenList(seen), needs)
}

func seenList(seen []string) string {
	if len(seen) == 0 {
		return "none"
	}
	return strings.Join(seen, ", ")
}

// andList joins "a, b and c".
func andList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// row reads one row under plan p: it yields a grant, or records an owner
// or a membership.
func (r *reader) row(rw *row, p *plan) error {
	switch p.kind {
	case planShow:
		return r.showGrant(rw)
	case planInfoSchema:
		g, err := r.infoSchemaGrant(rw, p)
		if err != nil {
			return err
		}
		return r.emit(&g)
	case planOwnerIS, planOwnerREST:
		return r.ownerRow(rw, p)
	case planMembers:
		return r.memberRow(rw)
	}
	return nil
}

// showGrant reads a SHOW GRANTS row and yields its grant. (It builds the
// grant in the call, not in a variable: a million rows make the copies
// count.)
func (r *reader) showGrant(rw *row) error {
	spelling := rw.vals[colPrivilege]
	if normName(rw.name(colPrincipal)) == "recipient" {
		return r.shareGrant(rw)
	}
	ot := r.objectType(rw.vals[colObjectType])
	if !ot.ok {
		return r.errorf(rw.posOf(colObjectType), "unknown %s %s: expected one of %s", rw.name(colObjectType), clip.Quote(rw.vals[colObjectType]), typeList)
	}
	key := trimSpace(rw.vals[colObjectKey])
	var on privileges.Securable
	short := false // a key without its catalog: hive_metastore's
	switch {
	case ot.t == privileges.Metastore:
		on = privileges.Securable{Type: privileges.Metastore}
	case ot.hive && ot.t == privileges.Catalog: // CATALOG$: the hive_metastore catalog
		if isNull(key) {
			key = hiveMetastore
		}
		on = securable(privileges.Catalog, key)
	case ot.hive: // ANY_FILE, ANONYMOUS_FUNCTION
		on = privileges.Securable{Type: ot.t}
	case isNull(key):
		// Unity Catalog names every object in ObjectKey; legacy
		// hive_metastore listings leave it empty (ucx's fixtures have
		// OWN rows on TABLE with an empty key): a hive row, of an object
		// the listing does not name.
		on, short = privileges.Securable{Type: ot.t}, true
	default:
		plain, dots := scanName(key)
		if plain {
			on = privileges.Securable{Type: ot.t, Name: key}
		} else {
			on = privileges.NewSecurable(ot.t, key)
			dots = strings.Count(on.Name, ".")
		}
		short = ot.t == privileges.Schema && dots < 1 || on.IsLeaf() && dots < 2
	}
	pv, ok := r.privilegeIn(ot.privs, spelling, ot.t)
	if !ok {
		return r.errorf(rw.posOf(colPrivilege), "empty %s: every row needs a privilege; fill it in or remove the row", rw.name(colPrivilege))
	}
	hive := ot.hive || pv.hive || short || isHive(on)
	if !r.yield(privileges.Grant{Principal: rw.vals[colPrincipal], Privilege: pv.p, On: on, Spelling: spelling,
		Legacy: pv.legacy || hive, Hive: hive, Pos: rw.pos}, nil) {
		return errStop
	}
	return nil
}

// shareGrant reads a row of SHOW GRANTS ON SHARE: recipient, actionType
// and, when the output gives them, objectType and objectKey (the share).
func (r *reader) shareGrant(rw *row) error {
	spelling := rw.vals[colPrivilege]
	pv, ok := r.privilege(spelling, privileges.Share)
	if !ok {
		return r.errorf(rw.posOf(colPrivilege), "empty %s: every row needs a privilege; fill it in or remove the row", rw.name(colPrivilege))
	}
	on := privileges.Securable{Type: privileges.Share}
	if key := trimSpace(rw.vals[colObjectKey]); !isNull(key) {
		on = privileges.NewSecurable(privileges.Share, key)
	}
	if !r.yield(privileges.Grant{Principal: rw.vals[colPrincipal], Privilege: pv.p, On: on, Spelling: spelling, Legacy: pv.legacy, Pos: rw.pos}, nil) {
		return errStop
	}
	return nil
}

// infoSchemaGrant reads an information_schema *_privileges row.
func (r *reader) infoSchemaGrant(rw *row, p *plan) (privileges.Grant, error) {
	spelling := rw.vals[colPrivilege]
	g := privileges.Grant{Principal: rw.vals[colPrincipal], Spelling: spelling, Pos: rw.pos}
	on, err := r.namedSecurable(rw, p)
	if err != nil {
		return g, err
	}
	g.On = on
	pv, ok := r.privilege(spelling, on.Type)
	if !ok {
		return g, r.errorf(rw.posOf(colPrivilege), "empty %s: every row needs a privilege; fill it in or remove the row", rw.name(colPrivilege))
	}
	g.Privilege, g.Legacy = pv.p, pv.legacy
	if from := strings.TrimSpace(rw.vals[colInheritedFrom]); !isDirect(from) {
		anc, ok := inheritedFrom(on, from)
		if !ok {
			return g, r.errorf(rw.posOf(colInheritedFrom), "%s %s names no ancestor of %s: expected NONE, CATALOG, SCHEMA or the ancestor's full name",
				rw.name(colInheritedFrom), clip.Quote(from), clip.Text(on.String()))
		}
		g.InheritedFrom = anc
	}
	if pv.hive || isHive(on) {
		g.Hive, g.Legacy = true, true
	}
	return g, nil
}

// namedSecurable returns the securable a row names in the name columns
// of p. Rows about one object usually come together, so the last one is
// kept.
func (r *reader) namedSecurable(rw *row, p *plan) (privileges.Securable, error) {
	for _, c := range p.parts {
		if strings.TrimSpace(rw.vals[c]) == "" {
			return privileges.Securable{}, r.errorf(rw.posOf(c), "empty %s: %s name the object in %s", rw.name(c), p.rows(), andList(partNames(rw, p)))
		}
	}
	if p.kind == planOwnerREST {
		t, err := r.restType(rw, p)
		if err != nil {
			return privileges.Securable{}, err
		}
		return securable(t, strings.TrimSpace(rw.vals[colFullName])), nil
	}
	last := &r.lastNamed
	same := last.plan == p
	for i, c := range p.parts {
		same = same && last.parts[i] == rw.vals[c]
	}
	if same {
		return last.sec, nil
	}
	parts := make([]string, len(p.parts))
	for i, c := range p.parts {
		parts[i] = strings.ToLower(strings.TrimSpace(rw.vals[c]))
		last.parts[i] = rw.vals[c]
	}
	last.plan, last.sec = p, privileges.Securable{Type: p.t, Name: strings.Join(parts, ".")}
	return last.sec, nil
}

func partNames(rw *row, p *plan) []string {
	var names []string
	for _, c := range p.parts {
		names = append(names, rw.name(c))
	}
	return names
}

// restType returns the securable type of a REST object: its
// securable_type, the type its list names, or the type the number of
// name parts implies.
func (r *reader) restType(rw *row, p *plan) (privileges.SecurableType, error) {
	if s := strings.TrimSpace(rw.vals[colSecurableType]); s != "" {
		t, ok := privileges.ParseSecurableType(s)
		if !ok {
			return "", r.errorf(rw.posOf(colSecurableType), "unknown %s %s: expected one of %s", rw.name(colSecurableType), clip.Quote(s), typeList)
		}
		return t, nil
	}
	if p.t != "" {
		return p.t, nil
	}
	full := rw.vals[colFullName]
	switch n := len(privileges.NameParts(full)); n {
	case 1:
		return privileges.Catalog, nil
	case 2:
		return privileges.Schema, nil
	case 3:
		return privileges.Table, nil
	default:
		return "", r.errorf(rw.posOf(colFullName), "cannot tell the type of %s from its %d name parts: add securable_type", clip.Quote(full), n)
	}
}

// ownerRow records the owner of the securable a row names.
func (r *reader) ownerRow(rw *row, p *plan) error {
	sec, err := r.namedSecurable(rw, p)
	if err != nil {
		return err
	}
	owner := rw.vals[p.owner]
	if strings.TrimSpace(owner) == "" {
		return r.errorf(rw.posOf(p.owner), "empty %s for %s: every row needs an owner", rw.name(p.owner), sec)
	}
	if o, ok := r.owners[sec]; ok && o != owner {
		return r.errorf(rw.posOf(p.owner), "%s already has owner %s, and this row says %s: keep one", clip.Text(sec.String()), clip.Quote(o), clip.Quote(owner))
	}
	r.owners[sec] = owner
	return nil
}

// memberRow records a group membership.
func (r *reader) memberRow(rw *row) error {
	c := colPrincipal
	if rw.set.has(colMember) {
		c = colMember
	}
	member, group := rw.vals[c], rw.vals[colGroup]
	switch {
	case strings.TrimSpace(member) == "":
		return r.errorf(rw.posOf(c), "empty %s: every row names a principal and a group", rw.name(c))
	case strings.TrimSpace(group) == "":
		return r.errorf(rw.posOf(colGroup), "empty %s: every row names a principal and a group", rw.name(colGroup))
	}
	groups := r.members[member]
	if i, found := slices.BinarySearch(groups, group); !found {
		r.members[member] = slices.Insert(groups, i, group)
	}
	return nil
}

// isNull reports whether a value stands for SQL NULL.
func isNull(s string) bool {
	return s == "" || strings.EqualFold(s, "null") || s == "None"
}

// isDirect reports whether an inherited_from value means a direct grant.
func isDirect(s string) bool {
	return isNull(s) || strings.EqualFold(s, "NONE")
}

// inheritedFrom returns the ancestor of on that an inherited_from value
// names: a type (CATALOG, SCHEMA), METASTORE, or a full name.
func inheritedFrom(on privileges.Securable, from string) (privileges.Securable, bool) {
	if t, ok := privileges.ParseSecurableType(from); ok {
		if t == privileges.Metastore {
			return privileges.Securable{Type: privileges.Metastore}, true
		}
		return ancestor(on, t)
	}
	name := privileges.NewSecurable(privileges.Schema, from).Name
	for _, t := range []privileges.SecurableType{privileges.Catalog, privileges.Schema} {
		if a, ok := ancestor(on, t); ok && a.Name == name {
			return a, true
		}
	}
	return privileges.Securable{}, false
}

// ancestor returns the catalog or schema of on, without splitting its
// name into parts.
func ancestor(on privileges.Securable, t privileges.SecurableType) (privileges.Securable, bool) {
	i := strings.IndexByte(on.Name, '.')
	if i < 0 {
		return privileges.Securable{}, false
	}
	switch {
	case t == privileges.Catalog && (on.Type == privileges.Schema || on.IsLeaf()):
		return privileges.Securable{Type: privileges.Catalog, Name: on.Name[:i]}, true
	case t == privileges.Schema && on.IsLeaf():
		j := strings.IndexByte(on.Name[i+1:], '.')
		if j < 0 {
			return privileges.Securable{}, false
		}
		return privileges.Securable{Type: privileges.Schema, Name: on.Name[:i+1+j]}, true
	}
	return privileges.Securable{}, false
}
