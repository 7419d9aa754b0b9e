package dbsql

import (
	"strings"

	"github.com/ucbootstrap/ucbootstrap/internal/suggest"
)

// This file parses GRANT, REVOKE, SHOW, DESCRIBE, COMMENT ON, SET TAG,
// UNSET TAG, USE and DROP, and the securables and principals they name.

func (p *parser) parseGrant() Stmt {
	start := p.pos
	revoke := p.is("REVOKE")
	p.next()
	if revoke && p.is("GRANT") && p.peekIs("OPTION") {
		// The REVOKE page has no GRANT OPTION FOR: Unity Catalog has no
		// grant option (privileges are delegated with MANAGE or
		// ownership).
		p.fail(p.pos, "REVOKE GRANT OPTION FOR is not Databricks SQL: Unity Catalog has no grant option; revoke the privilege itself")
	}
	privs := p.parsePrivileges()
	if !p.is("ON") {
		if p.is("TO") || p.is("FROM") {
			p.fail(p.pos, "expected ON securable before %s principal", upper(p.lit))
		}
		p.errorExpectedWord("ON", []string{"ON"})
	}
	p.next()
	on := p.parseSecurable(secGrant)
	verb := "GRANT"
	if revoke {
		verb = "REVOKE"
		if !p.is("FROM") {
			p.errorExpectedWord("FROM principal", []string{"FROM"})
		}
	} else if !p.is("TO") {
		p.errorExpectedWord("TO principal", []string{"TO"})
	}
	p.next()
	principal := p.parsePrincipal()
	if !revoke && p.is("WITH") && p.peekIs("GRANT") {
		p.fail(p.pos, "WITH GRANT OPTION is not Databricks SQL: Unity Catalog has no grant option; grant MANAGE to let a principal grant the securable")
	}
	p.checkGrant(verb, privs, on, principal)
	if revoke {
		s := p.revokes.new()
		*s = RevokeStmt{Revoke: start, Privileges: privs, On: on, Principal: principal}
		return s
	}
	s := p.grants.new()
	*s = GrantStmt{Grant: start, Privileges: privs, On: on, Principal: principal}
	return s
}

// checkGrant checks a GRANT or REVOKE against the GRANT, REVOKE, GRANT ON
// SHARE and REVOKE ON SHARE pages: one principal; ALL PRIVILEGES alone; a
// share granted to a recipient, and only a share.
func (p *parser) checkGrant(verb string, privs []*Privilege, on *Securable, principal *Principal) {
	if p.tok == COMMA {
		p.fail(p.pos, "%s takes one principal: write a %s statement for each principal", verb, verb)
	}
	if len(privs) > 1 {
		for _, x := range privs {
			if x.Name == "ALL PRIVILEGES" {
				p.fail(x.NamePos, "ALL PRIVILEGES cannot be combined with other privileges: grant ALL PRIVILEGES alone, or list the privileges")
			}
		}
	}
	to := "TO"
	if verb == "REVOKE" {
		to = "FROM"
	}
	switch {
	case on.Type == Share && !principal.Recipient.IsValid():
		p.fail(principal.Pos(), "a share is granted to a recipient: write %s RECIPIENT %s (%s ON SHARE)", to, principal.Name.Name, verb)
	case on.Type != Share && principal.Recipient.IsValid():
		p.fail(principal.Recipient, "%s RECIPIENT applies to shares only: a %s is granted to a user, group or service principal", to, strings.ToLower(string(on.Type)))
	}
}

func (p *parser) parsePrivileges() []*Privilege {
	list := p.privLists.list(4)
	for {
		if p.tok != IDENT || p.is("ON") || p.is("TO") || p.is("FROM") {
			p.errorExpected("privilege")
		}
		x := p.privs.new()
		x.NamePos = p.pos
		for p.tok == IDENT && !p.is("ON") && !p.is("TO") && !p.is("FROM") {
			p.next()
		}
		x.EndPos = p.prevEnd
		x.Name = canonicalWords(p.src[x.NamePos-1 : x.EndPos-1])
		list = append(list, x)
		if p.tok != COMMA {
			return list
		}
		p.next()
	}
}

// canonicalWords returns the words of s (with comments and white space
// between them) upper case, separated by one space. It does not allocate
// when s is already in that form.
func canonicalWords(s string) string {
	ok := true
	for i := 0; i < len(s) && ok; i++ {
		c := s[i]
		ok = 'A' <= c && c <= 'Z' || c == '_' || isDigit(c) || c == ' ' && i > 0 && s[i-1] != ' '
	}
	if ok {
		return s
	}
	var b strings.Builder
	var sc Scanner
	sc.init("", s, nil, &lineTable{})
	for {
		_, tok, lit := sc.Scan()
		if tok == EOF {
			break
		}
		if tok == COMMENT {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strings.ToUpper(lit))
	}
	return b.String()
}

// objectTypes maps the first word of an object type to the object types
// it starts.
var objectTypes = map[string][]ObjectType{
	"METASTORE":    {Metastore},
	"CATALOG":      {Catalog},
	"SCHEMA":       {Schema},
	"DATABASE":     {Database},
	"TABLE":        {Table},
	"VIEW":         {View},
	"MATERIALIZED": {MaterializedView},
	"VOLUME":       {Volume},
	"FUNCTION":     {Function},
	"PROCEDURE":    {Procedure},
	"EXTERNAL":     {ExternalLocation, ExternalMetadata},
	"STORAGE":      {StorageCredential},
	"SERVICE":      {ServiceCredential},
	"CREDENTIAL":   {Credential},
	"CONNECTION":   {Connection},
	"SERVER":       {Connection}, // a synonym of CONNECTION
	"SHARE":        {Share},
	"RECIPIENT":    {Recipient},
	"PROVIDER":     {Provider},
	"CLEAN":        {CleanRoom},
	"STREAMING":    {StreamingTable},
	"MODEL":        {Model},
	"FOREIGN":      {ForeignCatalogType},
	"ANY":          {AnyFile},
	"ANONYMOUS":    {AnonymousFunction},
}

// objectWords are the first words of the object types, for a
// did-you-mean.
var objectWords = []string{
	"CATALOG", "SCHEMA", "TABLE", "VIEW", "VOLUME", "FUNCTION", "METASTORE", "EXTERNAL",
	"STORAGE", "SERVICE", "CREDENTIAL", "CONNECTION", "SHARE", "RECIPIENT", "PROVIDER",
	"MATERIALIZED", "DATABASE", "MODEL", "PROCEDURE", "STREAMING", "CLEAN", "SERVER",
}

// lookupObjectType returns the object types that start with the word w.
func lookupObjectType(w string) []ObjectType {
	if len(w) > 16 {
		return nil
	}
	var buf [16]byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	return objectTypes[string(buf[:len(w)])]
}

// parseObjectType parses an object type. It returns "" and consumes
// nothing when the next word does not start one.
func (p *parser) parseObjectType() (Pos, ObjectType) {
	if p.tok != IDENT {
		return NoPos, ""
	}
	types := lookupObjectType(p.lit)
	if types == nil {
		return NoPos, ""
	}
	pos, first := p.pos, upper(p.lit)
	p.next()
	t := types[0]
	if i := strings.IndexByte(string(t), ' '); i >= 0 {
		var want []string
		for _, t := range types {
			w := string(t[strings.IndexByte(string(t), ' ')+1:])
			if p.got(w) {
				return pos, t
			}
			want = append(want, w)
		}
		p.errorExpectedWord(words(want...)+" after "+first, want)
	}
	return pos, t
}

// A secContext is the statement a securable is parsed for.
type secContext int

const (
	secGrant   secContext = iota // GRANT, REVOKE, SHOW GRANTS: the securable_object of the GRANT page
	secComment                   // COMMENT ON
	secTag                       // SET TAG ON, UNSET TAG ON
)

// secTypes are the object types each context takes: the securable_object
// grammar of the GRANT page (with MODEL, ANY FILE and ANONYMOUS FUNCTION of
// the legacy hive_metastore), and the lists of the COMMENT ON and SET TAG
// pages.
var secTypes = [...][]ObjectType{
	secGrant: {Metastore, Catalog, Schema, Database, Table, View, MaterializedView, Volume, Function,
		Procedure, ExternalLocation, ExternalMetadata, StorageCredential, ServiceCredential, Credential,
		Connection, Share, CleanRoom, Model, AnyFile, AnonymousFunction},
	secComment: {Catalog, Column, Connection, Provider, Recipient, Schema, Database, Share, Table, Volume},
	secTag:     {Catalog, Column, ExternalMetadata, Function, Procedure, Schema, Database, Table, View, Volume},
}

var secNames = [...]string{secGrant: "GRANT", secComment: "COMMENT ON", secTag: "SET TAG ON"}

// parseSecurable parses the object of a GRANT, REVOKE, SHOW GRANTS,
// COMMENT ON or SET TAG. In a GRANT, a name without an object type names
// a table, and CATALOG without a name is hive_metastore.
func (p *parser) parseSecurable(ctx secContext) *Securable {
	var pos Pos
	var t ObjectType
	if (ctx == secComment || ctx == secTag) && p.is("COLUMN") {
		pos, t = p.pos, Column
		p.next()
	} else {
		pos, t = p.parseObjectType()
	}
	if t == "" {
		if ctx != secGrant {
			p.errorExpectedWord("the type of the object ("+typeList(secTypes[ctx])+")", objectWords)
		}
		if p.tok != IDENT && p.tok != QUOTEDIDENT {
			p.errorExpected("securable")
		}
		t = Table
	}
	if !containsType(secTypes[ctx], t) {
		switch {
		case ctx == secGrant && (t == Recipient || t == Provider):
			p.fail(pos, "%s is not a securable of GRANT: privileges on recipients and providers are granted ON METASTORE (CREATE RECIPIENT, USE RECIPIENT, CREATE PROVIDER, USE PROVIDER)", t)
		case ctx == secComment && t == View:
			p.fail(pos, "COMMENT ON VIEW is not Databricks SQL: write COMMENT ON TABLE view_name")
		}
		p.fail(pos, "%s %s is not Databricks SQL: %s takes %s", secNames[ctx], t, secNames[ctx], typeList(secTypes[ctx]))
	}
	x := p.securables.new()
	x.TypePos, x.Type = pos, t
	switch {
	case t == Metastore || t == AnyFile || t == AnonymousFunction:
	case t == Catalog && ctx == secGrant && (p.atEnd() || p.is("TO") || p.is("FROM")):
		// CATALOG without a name: the hive_metastore catalog.
	default:
		x.Name = p.parseName(t)
		if !pos.IsValid() && len(x.Name.Parts) == 1 && (p.tok == IDENT && !p.is("TO") && !p.is("FROM") || p.tok == QUOTEDIDENT) {
			// GRANT ... ON word name: word is not a securable type.
			if strings.EqualFold(x.Name.Parts[0].Name, "COLUMN") {
				p.fail(x.Name.Pos(), "a column is not a securable: grant on its table or view, and mask the column (ALTER TABLE ... ALTER COLUMN ... SET MASK)")
			}
			msg := "%s is not a type of securable: GRANT takes %s"
			if s := suggest.Nearest(upper(x.Name.Parts[0].Name), objectWords); s != "" {
				msg += ": did you mean " + s + "?"
			}
			p.fail(x.Name.Pos(), msg, x.Name.Parts[0].Name, typeList(secTypes[ctx]))
		}
	}
	x.EndPos = p.prevEnd
	return x
}

func containsType(list []ObjectType, t ObjectType) bool {
	for _, x := range list {
		if x == t {
			return true
		}
	}
	return false
}

// typeList returns the object types joined for a message.
func typeList(list []ObjectType) string {
	s := make([]string, 0, len(list))
	for _, t := range list {
		if t != Database {
			s = append(s, string(t))
		}
	}
	return words(s...)
}

// parsePrincipal parses the grantee of a GRANT, the revokee of a REVOKE or
// an owner: an identifier, back-quoted when it has special characters,
// or RECIPIENT name.
func (p *parser) parsePrincipal() *Principal {
	x := p.principals.new()
	if p.is("RECIPIENT") {
		if tok, _ := p.peek(); tok == IDENT || tok == QUOTEDIDENT {
			x.Recipient = p.pos
			p.next()
		}
	}
	switch p.tok {
	case STRING:
		p.fail(p.pos, "a principal is an identifier, not a string: write `%s` in back quotes", unquoteString(p.lit))
	case SEMICOLON, EOF:
		p.fail(p.pos, "expected principal (a user, group or service principal), found %s", p.found())
	}
	x.Name = p.parseIdentWhat("principal")
	return x
}

// showWhat lists the SHOW statements that list objects, with the scope
// keyword they take: "schema" or "catalog" for FROM | IN, "" for none.
var showLists = map[string]string{
	"CATALOGS": "", "SCHEMAS": "catalog", "DATABASES": "catalog", "TABLES": "schema", "VIEWS": "schema",
	"FUNCTIONS": "schema", "VOLUMES": "schema", "CONNECTIONS": "", "SHARES": "", "RECIPIENTS": "",
	"PROVIDERS": "", "CREDENTIALS": "",
}

// showOpaque lists the SHOW statements kept opaque.
var showOpaque = []string{"GROUPS", "USERS", "PARTITIONS", "TABLE", "STREAMING", "MATERIALIZED", "CURRENT", "PROCEDURES", "CACHED", "ARCHIVES", "FILES", "JARS"}

var showWords = []string{
	"GRANTS", "CATALOGS", "SCHEMAS", "DATABASES", "TABLES", "VIEWS", "FUNCTIONS", "VOLUMES",
	"EXTERNAL", "CREDENTIALS", "STORAGE", "SERVICE", "CONNECTIONS", "SHARES", "RECIPIENTS",
	"PROVIDERS", "CREATE", "TBLPROPERTIES", "COLUMNS", "ALL", "USER", "SYSTEM", "GROUPS", "USERS",
	"PARTITIONS", "TABLE",
}

// parseShow parses SHOW GRANTS and the SHOW statements of showLists;
// those of showOpaque are opaque.
func (p *parser) parseShow() Stmt {
	start := p.expectKw("SHOW")
	if p.is("GRANTS") || p.is("GRANT") {
		p.next()
		return p.parseShowGrants(start)
	}
	if p.tok != IDENT {
		p.errorExpected("what to show (GRANTS, CATALOGS, SCHEMAS, TABLES, ...)")
	}
	s := &ShowStmt{Show: start}
	w := upper(p.lit)
	scope := ""
	switch {
	case contains(showOpaque, w):
		return p.parseOpaque(start)
	case w == "USER" || w == "SYSTEM" || (w == "ALL" && p.peekIs("FUNCTIONS")):
		p.next()
		p.expectKw("FUNCTIONS")
		s.What, scope = w+" FUNCTIONS", "schema"
	case w == "ALL":
		p.next()
		p.expectKw("IN")
		p.expectKw("SHARE")
		s.What = "ALL IN SHARE"
		s.Target = p.parseName(Share)
	case w == "EXTERNAL":
		p.next()
		p.expectKw("LOCATIONS")
		s.What = "EXTERNAL LOCATIONS"
	case w == "STORAGE" || w == "SERVICE":
		p.next()
		p.expectKw("CREDENTIALS")
		s.What = w + " CREDENTIALS"
	case w == "CREATE":
		p.next()
		p.expectKw("TABLE")
		s.What = "CREATE TABLE"
		s.Target = p.parseName(Table)
		if p.is("AS") {
			return p.parseOpaque(start) // SHOW CREATE TABLE t AS SERDE
		}
	case w == "TBLPROPERTIES":
		p.next()
		s.What = "TBLPROPERTIES"
		s.Target = p.parseName(Table)
		if p.tok == LPAREN {
			return p.parseOpaque(start) // SHOW TBLPROPERTIES t (key)
		}
	case w == "COLUMNS":
		p.next()
		if !p.got("IN") && !p.got("FROM") {
			p.errorExpectedWord("IN or FROM", []string{"IN", "FROM"})
		}
		s.What = "COLUMNS"
		s.Target = p.parseName(Table)
		scope = "schema"
	case w == "TABLES" && p.peekIs("DROPPED"):
		p.next()
		p.next()
		s.What, scope = "TABLES DROPPED", "schema"
	case w == "SHARES" && p.peekIs("IN"):
		p.next()
		p.next()
		p.expectKw("PROVIDER")
		s.What = "SHARES IN PROVIDER"
		s.Target = p.parseName(Provider)
	default:
		sc, ok := showLists[w]
		if !ok {
			p.errorExpectedWord("what to show (GRANTS, CATALOGS, SCHEMAS, TABLES, ...)", showWords)
		}
		p.next()
		s.What, scope = w, sc
	}
	if scope != "" && (p.is("IN") || p.is("FROM")) {
		p.next()
		t := Schema
		if scope == "catalog" {
			t = Catalog
		}
		s.In = p.parseName(t)
	}
	switch s.What {
	case "CREATE TABLE", "TBLPROPERTIES", "COLUMNS":
	case "TABLES DROPPED":
		// SHOW TABLES DROPPED [{FROM | IN} schema] [LIMIT n]
		if p.got("LIMIT") {
			s.Limit = p.parseNumber()
		}
	default:
		like := p.got("LIKE")
		switch {
		case strings.HasSuffix(s.What, "FUNCTIONS") && (p.tok == IDENT || p.tok == QUOTEDIDENT):
			// SHOW FUNCTIONS [LIKE] function_name
			s.LikeName = p.parseQualifiedName()
		case like || p.tok == STRING:
			s.Like = p.parseString()
		}
	}
	s.EndPos = p.prevEnd
	return s
}

// parseShowGrants parses SHOW GRANTS [principal] ON securable or SHOW
// GRANTS TO RECIPIENT name, GRANTS already consumed.
func (p *parser) parseShowGrants(start Pos) Stmt {
	if p.is("TO") {
		p.next()
		if !p.is("RECIPIENT") {
			p.fail(p.pos, "SHOW GRANTS TO takes a recipient only: write SHOW GRANTS TO RECIPIENT name, or SHOW GRANTS %s ON securable for a principal's grants on an object", p.found())
		}
		p.next()
		return &ShowGrantsToRecipientStmt{Show: start, Recipient: p.parseIdentWhat("recipient")}
	}
	s := &ShowGrantsStmt{Show: start}
	if !p.is("ON") {
		if p.tok != IDENT && p.tok != QUOTEDIDENT && p.tok != STRING {
			p.errorExpected("principal, ON or TO RECIPIENT")
		}
		s.Principal = p.parsePrincipal()
		if s.Principal.Recipient.IsValid() {
			p.fail(s.Principal.Recipient, "SHOW GRANTS RECIPIENT is not Databricks SQL: write SHOW GRANTS TO RECIPIENT name")
		}
	}
	if !p.is("ON") {
		p.errorExpectedWord("ON securable", []string{"ON"})
	}
	p.next()
	s.On = p.parseSecurable(secGrant)
	return s
}

// describeTypes are the object types DESCRIBE takes.
var describeTypes = []ObjectType{Catalog, Schema, Database, Table, Function, Volume, ExternalLocation,
	StorageCredential, ServiceCredential, Credential, Connection, Share, Recipient, Provider}

// parseDescribe parses DESCRIBE (or DESC) [HISTORY | DETAIL] [type]
// [EXTENDED] name [column] [AS JSON]. DESCRIBE QUERY and DESCRIBE with a
// PARTITION clause are opaque.
func (p *parser) parseDescribe() Stmt {
	start := p.pos
	p.next()
	s := &DescribeStmt{Describe: start}
	if p.is("QUERY") {
		return p.parseOpaque(start)
	}
	if (p.is("HISTORY") || p.is("DETAIL")) && !p.peekEnd() {
		s.Kind = upper(p.lit)
		p.next()
	}
	var pos Pos
	var t ObjectType
	if s.Kind == "" {
		pos, t = p.parseObjectType()
	}
	if t == "" {
		t = Table
	} else if !containsType(describeTypes, t) {
		p.fail(pos, "DESCRIBE %s is not Databricks SQL: DESCRIBE takes %s", t, typeList(describeTypes))
	}
	if p.is("EXTENDED") && !p.peekEnd() {
		s.Extended = true
		p.next()
	}
	s.Object = &Securable{TypePos: pos, Type: t, Name: p.parseName(t)}
	s.Object.EndPos = p.prevEnd
	if t == Table && s.Kind == "" {
		if p.is("PARTITION") {
			return p.parseOpaque(start)
		}
		if p.tok == IDENT && !p.is("AS") || p.tok == QUOTEDIDENT {
			s.Column = p.parseQualifiedName()
		}
		if p.got("AS") {
			p.expectKw("JSON")
			s.AsJSON = true
		}
	}
	s.EndPos = p.prevEnd
	return s
}

// peekEnd reports whether the token after the next one ends the
// statement.
func (p *parser) peekEnd() bool {
	tok, _ := p.peek()
	return tok == SEMICOLON || tok == EOF
}

func (p *parser) parseCommentOn() Stmt {
	s := &CommentOnStmt{Comment: p.expectKw("COMMENT")}
	if !p.is("ON") {
		p.errorExpectedWord("ON after COMMENT (COMMENT ON object IS 'text')", []string{"ON"})
	}
	p.next()
	s.On = p.parseSecurable(secComment)
	p.expectKw("IS")
	if !p.got("NULL") {
		s.Text = p.parseString()
	}
	s.EndPos = p.prevEnd
	return s
}

// parseTag parses SET TAG ON securable key [= value] and UNSET TAG ON
// securable key (SET TAG and UNSET TAG pages): the key and the value are
// identifiers.
func (p *parser) parseTag() Stmt {
	s := &TagStmt{Set: p.pos, Unset: p.is("UNSET")}
	p.next()
	if !p.is("TAG") {
		p.errorExpectedWord("TAG ON after UNSET (UNSET TAG ON object key)", []string{"TAG"})
	}
	p.next()
	p.expectKw("ON")
	s.On = p.parseSecurable(secTag)
	s.Key = p.parseTagIdent("tag key")
	if !s.Unset && p.tok == EQ {
		p.next()
		v := p.parseTagIdent("tag value")
		s.Value = &v
	}
	s.EndPos = p.prevEnd
	return s
}

func (p *parser) parseTagIdent(what string) Ident {
	if p.tok == STRING {
		p.fail(p.pos, "a %s is an identifier, not a string: write `%s` in back quotes", what, unquoteString(p.lit))
	}
	return p.parseIdentWhat(what)
}

func (p *parser) parseUse() Stmt {
	s := &UseStmt{Use: p.expectKw("USE")}
	if p.is("CATALOG") || p.is("SCHEMA") || p.is("DATABASE") {
		if tok, _ := p.peek(); tok == IDENT || tok == QUOTEDIDENT || tok == STRING {
			s.Type = ObjectType(upper(p.lit))
			p.next()
		}
	}
	t := s.Type
	if t == "" {
		t = Schema
	}
	if p.tok == STRING {
		s.Literal = p.parseString()
	} else {
		s.Name = p.parseName(t)
	}
	s.EndPos = p.prevEnd
	return s
}

// dropOpaque lists the DROP statements kept opaque.
var dropOpaque = []string{"VARIABLE", "BLOOMFILTER"}

func (p *parser) parseDrop() Stmt {
	start := p.expectKw("DROP")
	s := &DropStmt{Drop: start}
	tempPos := p.pos
	if p.is("TEMPORARY") || p.is("TEMP") {
		p.next()
		s.Temporary = true
	}
	if p.tok == IDENT && contains(dropOpaque, upper(p.lit)) {
		return p.parseOpaque(start)
	}
	pos, t := p.parseObjectType()
	switch t {
	case "":
		p.errorExpectedWord("the type of object to drop (CATALOG, SCHEMA, TABLE, VIEW, FUNCTION, ...)", objectWords)
	case Metastore, AnyFile, AnonymousFunction:
		p.fail(pos, "DROP %s is not Databricks SQL", t)
	}
	if s.Temporary && t != Function && t != Table {
		p.fail(tempPos, "DROP TEMPORARY applies to functions and tables only")
	}
	s.IfExists = p.parseIfExists()
	s.Object = &Securable{TypePos: pos, Type: t, Name: p.parseName(t), EndPos: p.prevEnd}
	if s.Temporary {
		p.checkUnqualified(strings.ToLower(string(t)), s.Object.Name)
		if t == Table && !s.IfExists {
			// DROP {TEMP | TEMPORARY} TABLE table_name [IF EXISTS]
			s.IfExists = p.parseIfExists()
		}
	}
	switch {
	case p.is("CASCADE"), p.is("RESTRICT"):
		if t != Catalog && t != Schema && t != Database {
			p.fail(p.pos, "DROP %s takes no %s: only DROP CATALOG and DROP SCHEMA take CASCADE or RESTRICT", t, upper(p.lit))
		}
		s.Behavior = upper(p.lit)
		p.next()
	case p.is("FORCE"):
		if t != Table && t != ExternalLocation && t != StorageCredential && t != ServiceCredential && t != Credential {
			p.fail(p.pos, "DROP %s takes no FORCE: only tables, external locations and credentials are dropped with FORCE", t)
		}
		s.Force = true
		p.next()
	}
	s.EndPos = p.prevEnd
	return s
}
