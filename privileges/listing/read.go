package listing

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/ucbootstrap/ucbootstrap/privileges"
)

// Read returns the grants of a grant listing, read from r as they come:
// memory grows with the distinct privilege spellings and object types, not
// with the rows. name is the file name that positions and errors carry.
// The sequence reads r, so it can be ranged over once.
//
// Read tells the shape of the listing from its content:
//
//   - SHOW GRANTS output as CSV or TSV with a header row (the delimiter
//     is the one the header line has most of: comma, tab or semicolon).
//     Header names are matched ignoring case, underscores and blanks:
//     Principal, ActionType (or privilege), ObjectType and ObjectKey.
//   - The fixed-width text form the reference prints for SHOW GRANTS: a
//     header line over a line of dashes, each column starting under its
//     dashes (a row that does not line up is split at its blanks).
//   - Share grants: information_schema.share_recipient_privileges rows
//     (recipient_name, share_name, privilege_type), SHOW GRANTS ON SHARE
//     (a recipient column) and SHOW GRANTS TO RECIPIENT (share and
//     privilege, the recipient not named: Principal is empty). They are
//     grants on a SHARE, which no requirement uses.
//   - information_schema *_privileges rows as CSV or TSV: grantee,
//     privilege_type, inherited_from and the object's name columns
//     (catalog_name; catalog_name and schema_name; table_catalog,
//     table_schema and table_name; routine_* or specific_*; volume_*;
//     external_location_name; connection_name). An inherited_from of
//     NONE, NULL or empty is a direct grant; CATALOG, SCHEMA or an
//     ancestor's full name sets [Grant.InheritedFrom].
//   - JSON: an array of such rows as objects (any of the spellings
//     above), or JSON Lines (one object per line).
//   - The SQL Statement Execution API response: manifest.schema.columns
//     and result.data_array (INLINE disposition, JSON_ARRAY format).
//   - The REST permissions and effective-permissions responses, whose
//     privileges are strings or {"privilege", "inherited_from_type",
//     "inherited_from_name"} objects.
//
// A REST response does not say which securable it is about: pass [On], or
// wrap each response with its securable, as a dump of the grants of many
// securables does (one wrapper, a JSON array or JSON Lines of them):
//
//	{"securable_type": "catalog", "full_name": "main",
//	 "privilege_assignments": [{"principal": "data-eng", "privileges": ["USE_CATALOG"]}]}
//
// Read streams a wrapper's assignments when securable_type and full_name
// come before privilege_assignments, and holds them until the end of the
// wrapper otherwise. Without securable_type, a full name of one part is a
// catalog, two a schema and three a table.
//
// Privileges are normalised with [Normalize] (Grant.Legacy marks legacy
// names, Grant.Spelling keeps the listing's spelling) and object names
// with [NewSecurable]. Rows about hive_metastore (ObjectType CATALOG$,
// ANY_FILE or ANONYMOUS_FUNCTION, ActionType OWN or DENIED_*, objects in
// the hive_metastore catalog, SHOW GRANTS keys without a catalog, such
// as "`default`.`orders`", and empty keys, whose object is left unnamed)
// are read with Hive and Legacy set. A grant
// to a deleted principal has an empty Principal. Grant.Pos is the row's
// first field (CSV), or the start of the JSON object, array or string the
// grant comes from.
//
// The first malformed row ends the sequence with a [*ReadError] that
// gives the file, line and column and says how to fix it.
func Read(name string, r io.Reader, opts ...ReadOption) iter.Seq2[privileges.Grant, error] {
	return func(yield func(privileges.Grant, error) bool) {
		rd := newReader(name, modeGrants)
		for _, o := range opts {
			o(&rd.readConfig)
		}
		rd.yield = yield
		if err := rd.read(r); err != nil && err != errStop {
			yield(privileges.Grant{}, err)
		}
	}
}

// A ReadOption configures [Read].
type ReadOption func(*readConfig)

type readConfig struct {
	on       privileges.Securable
	hasOn    bool
	failures func(Failure)
}

// A Failure is a securable that a grant dump (ucbootstrap grants dump,
// databricks.WriteDump) says could not be described:
//
//	{"securable_type": "catalog", "full_name": "main",
//	 "unreadable": {"status": 403, "message": "User does not have ..."}}
//
// Status is the HTTP status of the refusal: 403 (forbidden), 404 (the
// securable does not exist), or 0 when the securable was never asked about
// (the run was interrupted).
type Failure struct {
	On      privileges.Securable
	Status  int
	Message string
	// Pos is where the dump has it.
	Pos privileges.Position
}

// Failures makes [Read] call fn for every securable that a grant dump marks
// as unreadable, as it reads it. Without it they are skipped.
func Failures(fn func(Failure)) ReadOption {
	return func(c *readConfig) { c.failures = fn }
}

// On names the securable that a bare REST permissions or
// effective-permissions response is about (the response does not say).
// Wrapped responses name their own securable.
func On(s privileges.Securable) ReadOption {
	return func(c *readConfig) { c.on, c.hasOn = s, true }
}

// ReadOwners returns the owners of securables, as information_schema or
// the REST API lists them: rows of information_schema.catalogs
// (catalog_name, catalog_owner), schemata (catalog_name, schema_name,
// schema_owner) or tables (table_catalog, table_schema, table_name,
// table_owner; views count as tables) as CSV, TSV, a JSON array or JSON
// Lines; or REST objects with owner and full_name (and securable_type; if
// it is missing, one name part is a catalog, two a schema, three a table),
// alone, in a JSON array, or in the catalogs, schemas, tables or volumes
// list of a REST list response. Two different owners for one securable
// are an error.
func ReadOwners(name string, r io.Reader) (map[privileges.Securable]string, error) {
	rd := newReader(name, modeOwners)
	rd.owners = map[privileges.Securable]string{}
	if err := rd.read(r); err != nil {
		return nil, err
	}
	return rd.owners, nil
}

// ReadMembers returns group memberships: for each principal, its groups
// sorted and without repeats. The listing is CSV, TSV, a JSON array or
// JSON Lines of rows with a principal column (or member, user_name) and a
// group column (or group_name).
func ReadMembers(name string, r io.Reader) (map[string][]string, error) {
	rd := newReader(name, modeMembers)
	rd.members = map[string][]string{}
	if err := rd.read(r); err != nil {
		return nil, err
	}
	return rd.members, nil
}

// A ReadError is a listing that cannot be read: where, and what is wrong.
type ReadError struct {
	Pos privileges.Position
	Msg string
	// Err is the underlying error of a failed read, or nil.
	Err error
}

// Error returns "privileges: file:line:col: message".
func (e *ReadError) Error() string {
	return "privileges: " + e.Pos.String() + ": " + e.Msg
}

// Unwrap returns the underlying error of a failed read.
func (e *ReadError) Unwrap() error { return e.Err }

// errStop ends reading when the consumer stops ranging.
var errStop = errors.New("privileges: stopped")

// mode is what a reader collects.
type mode uint8

const (
	modeGrants mode = iota
	modeOwners
	modeMembers
)

// hiveMetastore is the catalog of the legacy Hive metastore.
const hiveMetastore = "hive_metastore"

// The hive_metastore securables outside the namespace.
const (
	anyFile           privileges.SecurableType = "ANY FILE"
	anonymousFunction privileges.SecurableType = "ANONYMOUS FUNCTION"
)

// typeList is the securable types messages offer.
const typeList = "METASTORE, CATALOG, SCHEMA, TABLE, VIEW, MATERIALIZED VIEW, VOLUME, FUNCTION, EXTERNAL LOCATION, STORAGE CREDENTIAL, SERVICE CREDENTIAL, CONNECTION, SHARE"

// maxCache and maxTypes bound the caches of privilege spellings (per
// type) and object type spellings, so that a hostile listing cannot grow
// them without end.
const (
	maxCache = 1024
	maxTypes = 64
)

// A reader holds the state of one read: the options, the caches, and
// what it collects.
type reader struct {
	readConfig
	name  string
	mode  mode
	yield func(privileges.Grant, error) bool

	owners  map[privileges.Securable]string
	members map[string][]string

	types     map[string]*objType // SHOW GRANTS ObjectType spellings
	recent    [4]recentType       // the last ObjectTypes read
	privs     map[privileges.SecurableType]*privCache
	lastType  privileges.SecurableType
	lastPrivs *privCache
	lastNamed struct {
		plan  *plan
		parts [3]string
		sec   privileges.Securable
	}
}

func newReader(name string, m mode) *reader {
	return &reader{name: name, mode: m, types: map[string]*objType{}, privs: map[privileges.SecurableType]*privCache{}}
}

// read detects the shape of the listing and reads it.
func (r *reader) read(in io.Reader) error {
	br := bufio.NewReaderSize(in, 64<<10)
	b, _ := br.Peek(3)
	switch {
	case string(b) == "\uFEFF":
		br.Discard(3)
	case len(b) >= 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF):
		return r.errorf(privileges.Position{Line: 1, Col: 1}, "the input is UTF-16: save it as UTF-8 (in PowerShell, pipe it to Out-File -Encoding utf8)")
	}
	c, err := firstByte(br)
	switch {
	case err == io.EOF:
		return r.errorf(privileges.Position{File: r.name, Line: 1, Col: 1}, "empty input: expected %s", r.expected())
	case err != nil:
		return &ReadError{Pos: privileges.Position{File: r.name, Line: 1, Col: 1}, Msg: "read: " + err.Error(), Err: err}
	case c == '{' || c == '[':
		return r.readJSON(br)
	case isTextTable(br):
		return r.readText(br)
	}
	return r.readCSV(br)
}

// expected describes the listings a reader takes.
func (r *reader) expected() string {
	switch r.mode {
	case modeOwners:
		return "information_schema catalogs, schemata or tables rows (CSV, TSV, JSON) or REST objects with owner and full_name"
	case modeMembers:
		return "rows of principal and group (CSV, TSV, JSON)"
	}
	return "SHOW GRANTS or information_schema rows (CSV, TSV, JSON) or a REST permissions or Statement Execution API response"
}

// firstByte returns the first byte that is not blank, without consuming
// anything. Past 64 KiB of blanks it gives up and returns a blank.
func firstByte(br *bufio.Reader) (byte, error) {
	for i := 0; i < br.Size(); i++ {
		b, err := br.Peek(i + 1)
		if len(b) <= i {
			if err == nil {
				err = io.EOF
			}
			return 0, err
		}
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return b[i], nil
	}
	return ' ', nil
}

// emit yields a grant; errStop means the consumer stopped.
func (r *reader) emit(g *privileges.Grant) error {
	if !r.yield(*g, nil) {
		return errStop
	}
	return nil
}

// errorf returns a *ReadError at pos. Values of the listing that its
// message repeats are quoted with clip.Quote, so that a huge one does not
// make a huge line.
func (r *reader) errorf(pos privileges.Position, format string, args ...any) error {
	if pos.Line < 1 {
		pos.Line = 1
	}
	if pos.Col < 1 {
		pos.Col = 1
	}
	pos.File = r.name
	return &ReadError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}
