package listing

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/internal/clip"
	"github.com/ucbootstrap/ucbootstrap/privileges"
)

// A jsonReader reads JSON listings token by token, so that an array of a
// million rows costs the memory of one.
type jsonReader struct {
	r     *reader
	dec   *json.Decoder
	lc    *lineCounter
	keys  map[string]keyInfo
	privs []restPriv // the privileges of the current assignment
	rw    row        // the current data_array row

	states []*objState // by depth, for reuse
	depth  int
}

// keyKind says what an object key holds.
type keyKind uint8

const (
	keyUnknown     keyKind = iota
	keyColumn              // a row value
	keyAssignments         // REST privilege_assignments
	keyManifest            // Statement Execution API manifest
	keyResult              // Statement Execution API result
	keyStatus              // Statement Execution API status
	keyList                // a REST list of catalogs, schemas, tables or volumes
	keyIgnore              // statement_id, next_page_token
	keyUnreadable          // the failure of a dumped securable
)

type keyInfo struct {
	kind keyKind
	c    col
	t    privileges.SecurableType // of a list
}

// restPriv is one privilege of a REST assignment.
type restPriv struct {
	spelling, fromType, fromName string
	pos                          privileges.Position
}

// pendingGrant is a REST privilege read before its securable is known.
type pendingGrant struct {
	principal string
	priv      restPriv
}

// objState is what an object has shown so far.
type objState struct {
	row   row
	names [numCols]string
	keys  [8]string // the first keys, for messages
	nkeys int

	other  bool // a statement, a list or a REST page
	assign bool // privilege_assignments

	failed  bool // unreadable
	failure Failure

	on         privileges.Securable // of the assignments
	onKnown    bool
	fromOption bool
	pending    []pendingGrant

	stmt *stmtColumns
}

// stmtColumns are the columns of a Statement Execution API response.
type stmtColumns struct {
	cols  []col // by position
	names [numCols]string
	set   colSet
	seen  []string
	plan  *plan
}

// readJSON reads a JSON listing: arrays, objects and JSON Lines.
func (r *reader) readJSON(br *bufio.Reader) error {
	lc := newLineCounter(br)
	dec := json.NewDecoder(lc)
	dec.UseNumber()
	j := &jsonReader{r: r, dec: dec, lc: lc, keys: map[string]keyInfo{}}
	for {
		lc.advance(dec.InputOffset())
		t, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return j.syntaxError(err)
		}
		switch t {
		case json.Delim('['):
			err = j.array()
		case json.Delim('{'):
			err = j.object(j.delimPos(), "")
		default:
			err = j.errorf(j.tokenPos(t), "found %s where an object or array belongs: expected %s", describe(t), r.expected())
		}
		if err != nil {
			return err
		}
	}
}

// next returns the next token; the end of the input is an error.
func (j *jsonReader) next() (json.Token, error) {
	j.lc.advance(j.dec.InputOffset())
	t, err := j.dec.Token()
	if err != nil {
		return nil, j.syntaxError(err)
	}
	return t, nil
}

// syntaxError turns an error of the decoder into a *ReadError.
func (j *jsonReader) syntaxError(err error) error {
	var se *json.SyntaxError
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return j.errorf(j.at(j.lc.end()), "unexpected end of JSON input: the file is cut short; check that it was written completely")
	case errors.As(err, &se):
		return j.errorf(j.at(j.dec.InputOffset()), "invalid JSON: %s", se.Error())
	}
	line, col := j.lc.pos(j.dec.InputOffset())
	return &ReadError{Pos: privileges.Position{File: j.r.name, Line: line, Col: col}, Msg: "read: " + err.Error(), Err: err}
}

func (j *jsonReader) errorf(pos privileges.Position, format string, args ...any) error {
	return j.r.errorf(pos, format, args...)
}

// at returns the position of an input offset.
func (j *jsonReader) at(off int64) privileges.Position {
	line, col := j.lc.pos(off)
	return privileges.Position{File: j.r.name, Line: line, Col: col}
}

// delimPos returns the position of the delimiter just read.
func (j *jsonReader) delimPos() privileges.Position { return j.at(j.dec.InputOffset() - 1) }

// tokenPos returns the position of the scalar token just read.
func (j *jsonReader) tokenPos(t json.Token) privileges.Position {
	end := j.dec.InputOffset()
	switch v := t.(type) {
	case string:
		return j.at(j.lc.stringStart(end))
	case json.Number:
		return j.at(end - int64(len(v)))
	case bool:
		return j.at(end - int64(len(strconv.FormatBool(v))))
	case nil:
		return j.at(end - 4)
	}
	return j.at(end - 1)
}

// describe names a token for messages.
func describe(t json.Token) string {
	switch v := t.(type) {
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return "null"
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		return "an array"
	}
	return "a value"
}

// keyInfo returns what an object key holds, cached per spelling.
func (j *jsonReader) keyInfo(key string) keyInfo {
	if k, ok := j.keys[key]; ok {
		return k
	}
	n := normName(key)
	var k keyInfo
	if c, ok := colNames[n]; ok {
		k = keyInfo{kind: keyColumn, c: c}
	} else {
		switch n {
		case "privilegeassignments", "effectiveprivilegeassignments":
			if j.r.mode == modeGrants {
				k.kind = keyAssignments
			}
		case "manifest":
			k.kind = keyManifest
		case "result":
			k.kind = keyResult
		case "status":
			k.kind = keyStatus
		case "statementid", "nextpagetoken":
			k.kind = keyIgnore
		case "unreadable":
			if j.r.mode == modeGrants {
				k.kind = keyUnreadable
			}
		case "catalogs", "schemas", "tables", "volumes":
			if j.r.mode == modeOwners { // in a top-level object only: see readObject
				k.kind = keyList
				k.t = map[string]privileges.SecurableType{"catalogs": privileges.Catalog, "schemas": privileges.Schema, "tables": privileges.Table, "volumes": privileges.Volume}[n]
			}
		}
	}
	if len(j.keys) < maxCache {
		j.keys[key] = k
	}
	return k
}

// array reads the elements of an array whose '[' was read: objects.
func (j *jsonReader) array() error {
	for j.dec.More() {
		t, err := j.next()
		if err != nil {
			return err
		}
		if t != json.Delim('{') {
			return j.errorf(j.tokenPos(t), "the array holds %s: expected an object per row or REST object", describe(t))
		}
		if err := j.object(j.delimPos(), ""); err != nil {
			return err
		}
	}
	_, err := j.next()
	return err
}

// skip skips a value.
func (j *jsonReader) skip() error {
	depth := 0
	for {
		t, err := j.next()
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

// scalar reads a value that must be a string or null (numbers and
// booleans are taken as their text).
func (j *jsonReader) scalar(key string) (string, error) {
	t, err := j.next()
	if err != nil {
		return "", err
	}
	switch v := t.(type) {
	case string:
		return v, nil
	case json.Number:
		return string(v), nil
	case bool:
		return strconv.FormatBool(v), nil
	case nil:
		return "", nil
	}
	return "", j.errorf(j.delimPos(), "%q must be a string, not %s", key, describe(t))
}

// open reads the start of a value that must be an object or an array (d)
// or null; ok is false for null.
func (j *jsonReader) open(key string, d json.Delim) (ok bool, err error) {
	t, err := j.next()
	switch {
	case err != nil:
		return false, err
	case t == nil:
		return false, nil
	case t == d:
		return true, nil
	}
	want := "an object"
	if d == '[' {
		want = "an array"
	}
	return false, j.errorf(j.tokenPos(t), "%q must be %s, not %s", key, want, describe(t))
}

// fields reads the object under key (or null, for which ok is false),
// calling field for each of its keys; field must read the key's value. pos
// is the position of the object's '{'.
func (j *jsonReader) fields(key string, field func(k string) error) (pos privileges.Position, ok bool, err error) {
	if ok, err = j.open(key, '{'); !ok || err != nil {
		return privileges.Position{}, false, err
	}
	pos = j.delimPos()
	for j.dec.More() {
		t, err := j.next()
		if err != nil {
			return pos, true, err
		}
		if err := field(t.(string)); err != nil {
			return pos, true, err
		}
	}
	_, err = j.next()
	return pos, true, err
}

// object reads an object whose '{' was read at pos: a row, a REST
// response or wrapper, a Statement Execution API response, or a REST
// list. listType is the type of the list the object is in, if any.
func (j *jsonReader) object(pos privileges.Position, listType privileges.SecurableType) error {
	// The states of the objects being read are kept for the next objects
	// at their depth: a state is too big to allocate per row.
	if j.depth == len(j.states) {
		j.states = append(j.states, &objState{})
	}
	st := j.states[j.depth]
	*st = objState{pending: st.pending[:0]}
	st.row.pos = pos
	st.row.names = &st.names
	j.depth++
	err := j.readObject(st, listType)
	j.depth--
	return err
}

func (j *jsonReader) readObject(st *objState, listType privileges.SecurableType) error {
	for j.dec.More() {
		t, err := j.next()
		if err != nil {
			return err
		}
		key := t.(string)
		if st.nkeys < len(st.keys) {
			st.keys[st.nkeys] = key
		}
		st.nkeys++
		switch k := j.keyInfo(key); k.kind {
		case keyColumn:
			err = j.column(st, key, k.c)
		case keyAssignments:
			st.assign = true
			err = j.assignments(st, key)
		case keyManifest:
			st.other = true
			err = j.manifest(st, key)
		case keyResult:
			st.other = true
			err = j.result(st, key)
		case keyStatus:
			st.other = true
			err = j.status(key)
		case keyList:
			st.other = true
			if j.depth > 1 { // a list response is not nested: nothing recurses deeper
				err = j.skip()
				break
			}
			err = j.list(key, k.t)
		case keyIgnore:
			st.other = true
			err = j.skip()
		case keyUnreadable:
			err = j.unreadable(st, key)
		default: // keyUnknown: a column the readers ignore
			err = j.skip()
		}
		if err != nil {
			return err
		}
	}
	if _, err := j.next(); err != nil {
		return err
	}
	return j.endObject(st, listType)
}

// column reads a row value.
func (j *jsonReader) column(st *objState, key string, c col) error {
	v, err := j.scalar(key)
	if err != nil {
		return err
	}
	if st.row.set.has(c) {
		return j.errorf(st.row.pos, "keys %q and %q both give the %s: keep one", st.names[c], key, colLabels[c])
	}
	st.row.vals[c] = v
	st.row.set.add(c)
	st.names[c] = key
	return nil
}

// endObject acts on an object once all of it is read.
func (j *jsonReader) endObject(st *objState, listType privileges.SecurableType) error {
	seen := st.keys[:min(st.nkeys, len(st.keys))]
	if st.failed {
		sec, ok, err := j.wrapperSecurable(st)
		switch {
		case err != nil:
			return err
		case !ok:
			return j.errorf(st.row.pos, "unreadable without a securable: a dump names it in securable_type and full_name")
		}
		if st.failure.On = sec; j.r.failures != nil {
			j.r.failures(st.failure)
		}
		if !st.assign {
			return nil
		}
	}
	switch {
	case st.assign:
		return j.flush(st)
	case st.row.set&rowCols(j.r.mode) != 0:
		p, err := j.r.plan(st.row.set, "key", seen, true)
		if err != nil {
			return j.errorf(st.row.pos, "%s", err.Error())
		}
		if listType != "" && p.kind == planOwnerREST {
			q := *p
			q.t = listType
			p = &q
		}
		return j.r.row(&st.row, p)
	case st.other || st.nkeys == 0:
		return nil
	case j.r.mode == modeGrants && (st.row.set.has(colFullName) || st.row.set.has(colSecurableType)):
		return nil // a wrapper of a securable without grants
	case j.r.mode == modeGrants:
		return j.errorf(st.row.pos, "no grants in the object (keys: %s): expected a SHOW GRANTS or information_schema row, a REST permissions response (privilege_assignments), a {\"securable_type\", \"full_name\", \"privilege_assignments\"} wrapper, or a Statement Execution API response (manifest, result)",
			seenList(seen))
	}
	_, err := j.r.plan(st.row.set, "key", seen, true)
	return j.errorf(st.row.pos, "%s", err.Error())
}

// unreadable reads the {"status", "message"} object of a dumped securable
// that could not be described.
func (j *jsonReader) unreadable(st *objState, key string) error {
	ok, err := j.open(key, '{')
	if !ok || err != nil {
		return err
	}
	pos := j.delimPos()
	st.failed, st.failure = true, Failure{Pos: pos}
	for j.dec.More() {
		t, err := j.next()
		if err != nil {
			return err
		}
		switch k := t.(string); k {
		case "status":
			v, err := j.scalar(k)
			if err != nil {
				return err
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 999 {
				return j.errorf(pos, "%s holds the status %s: expected an HTTP status such as 403, or 0", clip.Quote(key), clip.Quote(v))
			}
			st.failure.Status = n
		case "message":
			v, err := j.scalar(k)
			if err != nil {
				return err
			}
			st.failure.Message = v
		default:
			if err := j.skip(); err != nil {
				return err
			}
		}
	}
	_, err = j.next()
	return err
}

// assignments reads REST privilege_assignments. They are yielded as they
// come when the securable is known (from the wrapper keys before them, or
// from the On option), and held until the end of the object otherwise.
func (j *jsonReader) assignments(st *objState, key string) error {
	ok, err := j.open(key, '[')
	if !ok || err != nil {
		return err
	}
	if !st.onKnown {
		if err := j.resolve(st); err != nil {
			return err
		}
	}
	for j.dec.More() {
		t, err := j.next()
		if err != nil {
			return err
		}
		if t != json.Delim('{') {
			return j.errorf(j.tokenPos(t), "%q holds %s: expected {\"principal\", \"privileges\"} objects", key, describe(t))
		}
		principal, err := j.assignment()
		if err != nil {
			return err
		}
		for _, p := range j.privs {
			if !st.onKnown {
				st.pending = append(st.pending, pendingGrant{principal, p})
				continue
			}
			if err := j.restGrant(principal, st.on, p); err != nil {
				return err
			}
		}
	}
	_, err = j.next()
	return err
}

// resolve sets the securable of an object's assignments from its wrapper
// keys or the On option, if either is there.
func (j *jsonReader) resolve(st *objState) error {
	sec, ok, err := j.wrapperSecurable(st)
	switch {
	case err != nil:
		return err
	case ok:
		st.on, st.onKnown = sec, true
	case j.r.hasOn:
		st.on, st.onKnown, st.fromOption = j.r.on, true, true
	}
	return nil
}

// wrapperSecurable returns the securable that an object's securable_type
// and full_name name; ok is false when it has neither.
func (j *jsonReader) wrapperSecurable(st *objState) (privileges.Securable, bool, error) {
	rw := &st.row
	if !rw.set.has(colFullName) && !rw.set.has(colSecurableType) {
		return privileges.Securable{}, false, nil
	}
	t, err := j.r.restType(rw, &plan{})
	if err != nil {
		return privileges.Securable{}, false, err
	}
	full := strings.TrimSpace(rw.vals[colFullName])
	if t != privileges.Metastore && full == "" {
		return privileges.Securable{}, false, j.errorf(rw.pos, "no %s for the %s: a wrapper names its securable in securable_type and full_name", rw.name(colFullName), t)
	}
	return securable(t, full), true, nil
}

// flush yields the assignments held until the end of an object.
func (j *jsonReader) flush(st *objState) error {
	sec, ok, err := j.wrapperSecurable(st)
	switch {
	case err != nil:
		return err
	case st.fromOption && ok && sec != st.on:
		return j.errorf(st.row.pos, "the object names %s, but the grants were read as about %s (the On option): leave out one of them", sec, st.on)
	case st.onKnown:
		return nil
	case !ok:
		return j.errorf(st.row.pos, "privilege_assignments without a securable: pass the securable the response is about (the On option), or wrap the response as {\"securable_type\": \"catalog\", \"full_name\": \"main\", \"privilege_assignments\": [...]}")
	}
	for _, pg := range st.pending {
		if err := j.restGrant(pg.principal, sec, pg.priv); err != nil {
			return err
		}
	}
	st.pending = nil
	return nil
}

// assignment reads one {"principal", "privileges"} object into j.privs
// and returns its principal ("" for a deleted principal).
func (j *jsonReader) assignment() (string, error) {
	j.privs = j.privs[:0]
	principal := ""
	for j.dec.More() {
		t, err := j.next()
		if err != nil {
			return "", err
		}
		key := t.(string)
		switch normName(key) {
		case "principal":
			principal, err = j.scalar(key)
		case "privileges":
			err = j.privileges(key)
		default:
			err = j.skip()
		}
		if err != nil {
			return "", err
		}
	}
	_, err := j.next()
	return principal, err
}

// privileges reads the privileges of an assignment: strings, or
// effective-permissions objects.
func (j *jsonReader) privileges(key string) error {
	ok, err := j.open(key, '[')
	if !ok || err != nil {
		return err
	}
	for j.dec.More() {
		t, err := j.next()
		if err != nil {
			return err
		}
		switch v := t.(type) {
		case string:
			j.privs = append(j.privs, restPriv{spelling: v, pos: j.tokenPos(t)})
		case json.Delim:
			if v != '{' {
				return j.errorf(j.delimPos(), "%q holds an array: expected strings or {\"privilege\", \"inherited_from_type\", \"inherited_from_name\"} objects", key)
			}
			p, err := j.effective(j.delimPos())
			if err != nil {
				return err
			}
			j.privs = append(j.privs, p)
		default:
			return j.errorf(j.tokenPos(t), "%q holds %s: expected strings or {\"privilege\", \"inherited_from_type\", \"inherited_from_name\"} objects", key, describe(t))
		}
	}
	_, err = j.next()
	return err
}

// effective reads an effective-permissions privilege object.
func (j *jsonReader) effective(pos privileges.Position) (restPriv, error) {
	p := restPriv{pos: pos}
	for j.dec.More() {
		t, err := j.next()
		if err != nil {
			return p, err
		}
		key := t.(string)
		switch normName(key) {
		case "privilege":
			p.spelling, err = j.scalar(key)
		case "inheritedfromtype":
			p.fromType, err = j.scalar(key)
		case "inheritedfromname":
			p.fromName, err = j.scalar(key)
		default:
			err = j.skip()
		}
		if err != nil {
			return p, err
		}
	}
	_, err := j.next()
	return p, err
}

// restGrant yields the grant of one REST privilege.
func (j *jsonReader) restGrant(principal string, on privileges.Securable, p restPriv) error {
	g, msg := restGrant(principal, on, p.spelling, p.fromType, p.fromName, j.r.privilege)
	if msg != "" {
		return j.errorf(p.pos, "%s", msg)
	}
	g.Pos = p.pos
	return j.r.emit(&g)
}

// RESTGrant returns the grant of one privilege of a REST permissions or
// effective-permissions assignment: the privilege as the response spells
// it, and, for an inherited one, its inherited_from_type and
// inherited_from_name (either may be empty, "null" or "None"). It is the
// one conversion of REST grants, used by [Read] and by the workspace
// client.
func RESTGrant(principal string, on privileges.Securable, privilege, inheritedFromType, inheritedFromName string) (privileges.Grant, error) {
	g, msg := restGrant(principal, on, privilege, inheritedFromType, inheritedFromName, normalize)
	if msg != "" {
		return g, fmt.Errorf("listing: %s: %s", on, msg)
	}
	return g, nil
}

// normalize is privileges.Normalize for restGrant, without a cache.
func normalize(spelling string, on privileges.SecurableType) (privVal, bool) {
	p, legacy := privileges.Normalize(spelling, on)
	if p == "" {
		return privVal{}, false
	}
	return privVal{p: p, legacy: legacy, hive: hivePrivilege(p)}, true
}

// restGrant converts one REST privilege, or says what is wrong with it.
func restGrant(principal string, on privileges.Securable, spelling, fromType, fromName string,
	privilege func(string, privileges.SecurableType) (privVal, bool)) (privileges.Grant, string) {
	pv, ok := privilege(spelling, on.Type)
	if !ok {
		return privileges.Grant{}, fmt.Sprintf("empty privilege for principal %s: every privilege of privilege_assignments needs a name", clip.Quote(principal))
	}
	g := privileges.Grant{Principal: principal, Privilege: pv.p, On: on, Spelling: spelling, Legacy: pv.legacy}
	if !isNull(strings.TrimSpace(fromType)) || !isNull(strings.TrimSpace(fromName)) {
		from, msg := inherited(on, fromType, fromName)
		if msg != "" {
			return privileges.Grant{}, msg
		}
		if from != on {
			g.InheritedFrom = from
		}
	}
	if pv.hive || isHive(on) {
		g.Hive, g.Legacy = true, true
	}
	return g, ""
}

// inherited returns the securable an effective privilege is inherited
// from, or says why it cannot tell.
func inherited(on privileges.Securable, fromType, fromName string) (privileges.Securable, string) {
	typ, name := strings.TrimSpace(fromType), strings.TrimSpace(fromName)
	if isNull(name) {
		name = ""
	}
	var t privileges.SecurableType
	switch {
	case !isNull(typ):
		var ok bool
		if t, ok = privileges.ParseSecurableType(typ); !ok {
			return privileges.Securable{}, fmt.Sprintf("unknown inherited_from_type %s: expected one of %s", clip.Quote(typ), typeList)
		}
	case len(privileges.NameParts(name)) == 1:
		t = privileges.Catalog
	case len(privileges.NameParts(name)) == 2:
		t = privileges.Schema
	default:
		return privileges.Securable{}, fmt.Sprintf("inherited_from_name %s without inherited_from_type: add the type", clip.Quote(name))
	}
	if name == "" {
		if t == privileges.Metastore {
			return privileges.Securable{Type: privileges.Metastore}, ""
		}
		if a, ok := ancestor(on, t); ok {
			return a, ""
		}
		return privileges.Securable{}, fmt.Sprintf("inherited_from_type %s without inherited_from_name names no ancestor of %s: add inherited_from_name", typ, on)
	}
	return securable(t, name), ""
}

// manifest reads a Statement Execution API manifest: the columns, and
// whether the result is truncated.
func (j *jsonReader) manifest(st *objState, key string) error {
	var truncated bool
	pos, ok, err := j.fields(key, func(k string) error {
		switch k {
		case "schema":
			return j.schema(st, k)
		case "truncated":
			v, err := j.scalar(k)
			truncated = v == "true"
			return err
		}
		return j.skip()
	})
	switch {
	case !ok || err != nil:
		return err
	case truncated:
		return j.errorf(pos, "the statement result is truncated (manifest.truncated): run the statement again without row_limit, with a byte_limit that holds every row")
	case st.stmt == nil:
		return j.errorf(pos, "the manifest has no schema.columns: save the response of the Statement Execution API as it is")
	}
	p, err := j.r.plan(st.stmt.set, "column", st.stmt.seen, false)
	if err != nil {
		return j.errorf(pos, "%s", err.Error())
	}
	st.stmt.plan = p
	return nil
}

// schema reads manifest.schema: the columns' names.
func (j *jsonReader) schema(st *objState, key string) error {
	_, _, err := j.fields(key, func(k string) error {
		if k == "columns" {
			return j.columns(st, k)
		}
		return j.skip()
	})
	return err
}

// columns reads manifest.schema.columns.
func (j *jsonReader) columns(st *objState, key string) error {
	ok, err := j.open(key, '[')
	if !ok || err != nil {
		return err
	}
	sc := &stmtColumns{}
	st.stmt = sc
	for j.dec.More() {
		t, err := j.next()
		if err != nil {
			return err
		}
		if t != json.Delim('{') {
			return j.errorf(j.tokenPos(t), "%q holds %s: expected {\"name\": ...} objects", key, describe(t))
		}
		pos := j.delimPos()
		name := ""
		for j.dec.More() {
			t, err := j.next()
			if err != nil {
				return err
			}
			if k := t.(string); k == "name" {
				name, err = j.scalar(k)
			} else {
				err = j.skip()
			}
			if err != nil {
				return err
			}
		}
		if _, err := j.next(); err != nil {
			return err
		}
		c, ok := colNames[normName(name)]
		switch {
		case !ok:
			c = noCol
		case sc.set.has(c):
			return j.errorf(pos, "columns %q and %q both give the %s: keep one", sc.names[c], name, colLabels[c])
		default:
			sc.set.add(c)
			sc.names[c] = name
		}
		sc.cols = append(sc.cols, c)
		sc.seen = append(sc.seen, name)
	}
	_, err = j.next()
	return err
}

// result reads a Statement Execution API result: its data_array rows.
func (j *jsonReader) result(st *objState, key string) error {
	_, _, err := j.fields(key, func(k string) error {
		switch k {
		case "data_array":
			return j.dataArray(st, k)
		case "external_links":
			return j.refuse(k, "the statement ran with the EXTERNAL_LINKS disposition: run it with \"disposition\": \"INLINE\" and \"format\": \"JSON_ARRAY\", so that the rows are in the response")
		case "next_chunk_index", "next_chunk_internal_link":
			return j.refuse(k, "the result has more chunks than this one: fetch every chunk and put their data_array rows into one response, or select fewer rows")
		}
		return j.skip()
	})
	return err
}

// refuse reads a value that must be null or absent, and fails with msg
// otherwise.
func (j *jsonReader) refuse(key, msg string) error {
	t, err := j.next()
	if err != nil || t == nil {
		return err
	}
	pos := j.tokenPos(t)
	return j.errorf(pos, "result has %s: %s", key, msg)
}

// dataArray reads result.data_array, a row at a time.
func (j *jsonReader) dataArray(st *objState, key string) error {
	if st.stmt == nil || st.stmt.plan == nil {
		t, err := j.next()
		if err != nil || t == nil {
			return err
		}
		return j.errorf(j.tokenPos(t), "result.data_array comes before manifest.schema.columns: keep the manifest first, as the Statement Execution API writes it")
	}
	ok, err := j.open(key, '[')
	if !ok || err != nil {
		return err
	}
	sc := st.stmt
	rw := &j.rw
	rw.set, rw.names = sc.set, &sc.names
	for j.dec.More() {
		t, err := j.next()
		if err != nil {
			return err
		}
		if t != json.Delim('[') {
			return j.errorf(j.tokenPos(t), "data_array holds %s: expected an array of values per row", describe(t))
		}
		rw.pos = j.delimPos()
		n := 0
		for j.dec.More() {
			name := "value"
			if n < len(sc.seen) {
				name = sc.seen[n]
			}
			v, err := j.scalar(name)
			if err != nil {
				return err
			}
			if n < len(sc.cols) && sc.cols[n] != noCol {
				rw.vals[sc.cols[n]] = v
			}
			n++
		}
		if _, err := j.next(); err != nil {
			return err
		}
		if n != len(sc.cols) {
			return j.errorf(rw.pos, "the row has %d values and manifest.schema.columns %d: save the response as the API returns it", n, len(sc.cols))
		}
		if err := j.r.row(rw, sc.plan); err != nil {
			return err
		}
	}
	_, err = j.next()
	return err
}

// status reads a Statement Execution API status, and fails unless the
// statement succeeded.
func (j *jsonReader) status(key string) error {
	var state, msg string
	pos, ok, err := j.fields(key, func(k string) (err error) {
		switch k {
		case "state":
			state, err = j.scalar(k)
		case "error":
			msg, err = j.errorMessage(k)
		default:
			err = j.skip()
		}
		return err
	})
	if !ok || err != nil {
		return err
	}
	if state != "" && !strings.EqualFold(state, "SUCCEEDED") {
		if msg != "" {
			state += ": " + msg
		}
		return j.errorf(pos, "the statement did not succeed (%s): run it again and save the response once its state is SUCCEEDED", state)
	}
	return nil
}

// errorMessage reads status.error.message.
func (j *jsonReader) errorMessage(key string) (string, error) {
	msg := ""
	_, _, err := j.fields(key, func(k string) (err error) {
		if k == "message" {
			msg, err = j.scalar(k)
			return err
		}
		return j.skip()
	})
	return msg, err
}

// list reads a REST list of securables (owners only).
func (j *jsonReader) list(key string, t privileges.SecurableType) error {
	ok, err := j.open(key, '[')
	if !ok || err != nil {
		return err
	}
	for j.dec.More() {
		tok, err := j.next()
		if err != nil {
			return err
		}
		if tok != json.Delim('{') {
			return j.errorf(j.tokenPos(tok), "%q holds %s: expected objects with owner and full_name", key, describe(tok))
		}
		if err := j.object(j.delimPos(), t); err != nil {
			return err
		}
	}
	_, err = j.next()
	return err
}
