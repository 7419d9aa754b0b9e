package ucbootstrap

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ucbootstrap/ucbootstrap/internal/clip"
	"github.com/ucbootstrap/ucbootstrap/internal/suggest"
)

var (
	uuidRE      = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	warehouseRE = regexp.MustCompile(`^/?sql/1\.0/(warehouses|endpoints)/[0-9A-Za-z]+$`)
	clusterRE   = regexp.MustCompile(`^/?sql/protocolv1/o/[0-9]+/[0-9A-Za-z-]+$`)
	hostLabelRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
	markdownRE  = regexp.MustCompile(`^\[([^\]]*)\]\(([^)]*)\)$`)
)

// storageSchemes are the URI schemes of cloud object storage that a managed
// location may use.
var storageSchemes = []string{"s3", "abfss", "gs", "r2"}

// Validate applies the payload rules (required fields, formats, the rules
// between fields) and returns every problem as [Diagnostics], or nil when
// there is no error. Warnings alone do not make an error; see
// [Integration.Warnings]. Validate does not change the integration, so
// that any number of goroutines may validate, generate from and audit one
// value at once.
func (in *Integration) Validate() error {
	ds := in.validate().Sort()
	if ds.HasErrors() {
		return ds
	}
	return nil
}

// Warnings returns the warnings of the integration as it is now: those
// [Decode] found in the payload itself (such as unknown keys with
// [Lenient]) and those of [Integration.Validate].
func (in *Integration) Warnings() Diagnostics {
	ds := slices.Clone(in.decodeWarnings)
	for _, d := range in.validate() {
		if d.Severity == Warning {
			ds = append(ds, d)
		}
	}
	return ds.Sort()
}

type validator struct {
	in    *Integration
	diags Diagnostics
}

func (v *validator) report(sev Severity, field, hint, format string, args ...any) {
	v.diags = append(v.diags, Diagnostic{Pos: v.in.Pos(field), Severity: sev, Field: field, Message: fmt.Sprintf(format, args...), Hint: hint})
}

func (v *validator) errorf(field, hint, format string, args ...any) {
	v.report(Error, field, hint, format, args...)
}

func (v *validator) warnf(field, hint, format string, args ...any) {
	v.report(Warning, field, hint, format, args...)
}

// decoded reports whether the integration came from a payload.
func (v *validator) decoded() bool { return v.in.src.pos != nil }

// has reports whether a field was written with a value other than null (for
// a decoded integration) or is set (for one built in Go).
func (v *validator) has(field string, set bool) bool {
	if v.decoded() {
		return v.in.src.set[field]
	}
	return set
}

// bad reports whether the field had the wrong type; Decode reported it.
func (v *validator) bad(field string) bool { return v.in.src.bad[field] }

// required reports a missing field and returns false, or returns true when
// the field is there and well-typed.
func (v *validator) required(field string, set bool, hint string) bool {
	if v.bad(field) {
		return false
	}
	if !set {
		if v.has(field, set) {
			v.errorf(field, hint, "is empty")
		} else {
			v.errorf(field, hint, "is required")
		}
		return false
	}
	return true
}

func (in *Integration) validate() Diagnostics {
	v := &validator{in: in}
	v.integration()
	return v.diags
}

func (v *validator) integration() {
	in := v.in
	if v.bad("") {
		return // the payload is not an object; Decode said so
	}
	if v.required("type", in.Type != "", `write type: Databricks`) && in.Type != TypeDatabricks {
		hint := "write type: Databricks"
		v.errorf("type", hint, "must be %q (the Unity Catalog integration), not %s", TypeDatabricks, clip.Quote(in.Type))
	}
	if v.decoded() {
		v.required("autoBootstrap", v.has("autoBootstrap", true), "write autoBootstrap: false for a script that a person runs, true when the service principal sets itself up")
		if !v.required("config", v.has("config", true), "add the config object; see examples/payloads") {
			return
		}
	}
	v.config()
}

func (v *validator) config() {
	c := &v.in.Config
	v.workspaceURL()
	if v.required("config.httpPath", c.HTTPPath != "", "copy the HTTP path from the SQL warehouse's connection details, as in /sql/1.0/warehouses/1234567890abcdef") &&
		!warehouseRE.MatchString(c.HTTPPath) && !clusterRE.MatchString(c.HTTPPath) {
		v.errorf("config.httpPath", "copy it from the SQL warehouse's connection details, as in /sql/1.0/warehouses/<id>, or from the cluster's JDBC/ODBC tab, as in sql/protocolv1/o/<org>/<cluster>",
			"%s is not the HTTP path of a SQL warehouse or a cluster", clip.Quote(c.HTTPPath))
	}
	if v.has("config.port", c.Port != 0) && !v.bad("config.port") && (c.Port < 1 || c.Port > 65535) {
		v.errorf("config.port", "remove it for the default 443", "must be between 1 and 65535, not %d", c.Port)
	}
	v.auth()
	v.catalog()
	v.servicePrincipal()
	v.dataSources()
	v.storage()
	if v.has("config.tenant", c.Tenant != "") && !v.bad("config.tenant") {
		v.text("config.tenant", c.Tenant, "remove it, or name the tenant, as in acme-prod")
		if strings.ContainsAny(c.Tenant, "[]") {
			v.errorf("config.tenant", "remove the brackets, as in acme-prod", "%s contains a square bracket, which the catalog marker uses", clip.Quote(c.Tenant))
		}
	}
	if c.Audit.QueryHistory && !c.Audit.Enabled {
		v.warnf("config.audit.queryHistory", "set config.audit.enabled: true, or remove queryHistory", "has no effect while audit is off")
	}
}

// text checks a free-text value that the scripts carry in a literal or a
// comment: one line, not empty, at most 255 bytes.
func (v *validator) text(field, s, hint string) {
	switch {
	case strings.TrimSpace(s) == "":
		v.errorf(field, hint, "is empty")
	case len(s) > MaxNameLength:
		v.errorf(field, "shorten it", "is %d bytes long; at most %d are allowed", len(s), MaxNameLength)
	case strings.ContainsFunc(s, isControl):
		v.errorf(field, "write it on one line without control characters", "contains a line break or control character")
	}
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func (v *validator) workspaceURL() {
	const field = "config.workspaceUrl"
	const example = "write the workspace host, as in dbc-1234abcd-5678.cloud.databricks.com"
	raw := v.in.Config.WorkspaceURL
	if !v.required(field, raw != "", example) {
		return
	}
	s := strings.TrimSpace(raw)
	if m := markdownRE.FindStringSubmatch(s); m != nil {
		host := hostOf(m[1])
		if host == "" {
			host = hostOf(m[2])
		}
		v.errorf(field, hintHost(host, example), "is a Markdown link, probably copied from the documentation")
		return
	}
	if strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">") {
		v.errorf(field, hintHost(hostOf(s[1:len(s)-1]), example), "is wrapped in < >, probably copied from a mail or a chat")
		return
	}
	if strings.ContainsFunc(s, isControl) || strings.ContainsAny(s, " \t") {
		v.errorf(field, "write the host alone, as in dbc-1234abcd-5678.cloud.databricks.com", "contains a space or control character")
		return
	}
	u, err := parseHostURL(s)
	switch {
	case err != nil && hasUserinfo(s):
		v.errorf(field, hintHost(hostOf(s), example),
			"holds a user name or password before the host (user:password@); remove it: the credentials go in config.token or config.oAuthClientConfig")
		return
	case err != nil:
		v.errorf(field, hintHost(hostOf(s), example), "%s is not a host name: %v", clip.Quote(s), err)
		return
	case u.User != nil:
		// Never repeat the user information: it may hold a password.
		v.errorf(field, hintHost(u.Hostname(), example),
			"holds a user name or password before the host (user:password@); remove it: the credentials go in config.token or config.oAuthClientConfig")
		return
	case !strings.EqualFold(u.Scheme, "https"):
		hint := hintHost(u.Hostname(), example)
		if IsLoopback(u.Hostname()) {
			hint += "; a local stand-in of a workspace is reached over plain HTTP with the flag --insecure-loopback"
		}
		v.errorf(field, hint, "uses the scheme %s; Databricks workspaces are reached over https", clip.Quote(strings.ToLower(u.Scheme)))
		return
	case u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		rest := strings.TrimPrefix(s[strings.Index(s, u.Host)+len(u.Host):], "/")
		v.errorf(field, hintHost(u.Hostname(), example), "has a path or query (%s); a workspace URL is a host name", clip.Quote("/"+rest))
		return
	case u.Port() != "":
		v.errorf(field, fmt.Sprintf("write workspaceUrl: %s and port: %s", yamlHost(u.Hostname()), u.Port()),
			"has a port in the host; the port goes in config.port")
		return
	}
	host := u.Hostname()
	if IsLoopback(host) {
		return // a local stand-in of a workspace
	}
	if _, err := netip.ParseAddr(host); err == nil {
		v.errorf(field, example, "%s is an IP address; a workspace is named by its host name (IP addresses are accepted only for a local stand-in on loopback)", clip.Quote(host))
		return
	}
	labels := strings.Split(host, ".")
	valid := len(labels) >= 2
	for _, l := range labels {
		valid = valid && hostLabelRE.MatchString(l)
	}
	if !valid {
		v.errorf(field, example, "%s is not a host name", clip.Quote(host))
	}
}

// parseHostURL parses a workspace URL: a host (an IPv6 address with or
// without brackets), or a URL with a scheme.
func parseHostURL(s string) (*url.URL, error) {
	if ip, err := netip.ParseAddr(s); err == nil && ip.Is6() {
		s = "[" + s + "]"
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is in the message already
		}
		return nil, err
	}
	if u.Host == "" && u.User == nil {
		return nil, errors.New("no host")
	}
	return u, nil
}

// hintHost returns the hint "write the host alone: workspaceUrl: host", or
// def when there is no host to suggest.
func hintHost(host, def string) string {
	if host == "" || strings.ContainsFunc(host, func(r rune) bool { return isControl(r) || r == ' ' }) {
		return def
	}
	if len(host) > clip.Max {
		return def
	}
	return "write the host alone: workspaceUrl: " + yamlHost(host)
}

// yamlHost writes a host as a YAML value: an IPv6 address is quoted, as a
// plain scalar may not hold it in every YAML reader.
func yamlHost(host string) string {
	if strings.Contains(host, ":") {
		return strconv.Quote(host)
	}
	return host
}

// hostOf pulls the host out of a URL-like string, for hints: what lies
// after the scheme and any user information, up to the port or path.
func hostOf(s string) string {
	s = strings.TrimSpace(s)
	if _, rest, ok := strings.Cut(s, "://"); ok {
		s = rest
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndex(s, "@"); i >= 0 {
		s = s[i+1:]
	}
	if strings.HasPrefix(s, "[") {
		if i := strings.Index(s, "]"); i >= 0 {
			return s[1:i]
		}
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return s // an IPv6 address without brackets
	}
	if i := strings.LastIndex(s, ":"); i >= 0 {
		s = s[:i]
	}
	return s
}

// hasUserinfo reports whether the URL-like s has user information (an @
// before the path), which may hold a password that no message may repeat.
func hasUserinfo(s string) bool {
	if _, rest, ok := strings.Cut(s, "://"); ok {
		s = rest
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	return strings.Contains(s, "@")
}

func (v *validator) auth() {
	c := &v.in.Config
	const field = "config.authenticationType"
	if !v.required(field, c.AuthenticationType != "", "write authenticationType: token or authenticationType: oAuthM2M") {
		return
	}
	external := v.in.src.externalSecrets
	switch c.AuthenticationType {
	case TokenAuth:
		if !external || v.has("config.token", !c.Token.IsZero()) {
			v.required("config.token", !c.Token.IsZero(), "add the service principal's access token, or use authenticationType: oAuthM2M; the live commands also take it from DATABRICKS_TOKEN")
		}
		v.secret("config.token", c.Token, true)
		if v.has("config.oAuthClientConfig", c.OAuthClientConfig != nil) {
			v.errorf("config.oAuthClientConfig", "remove oAuthClientConfig, or set authenticationType: oAuthM2M", "is not used with authenticationType token")
		}
	case OAuthM2M:
		if v.has("config.token", !c.Token.IsZero()) {
			v.errorf("config.token", "remove the token, or set authenticationType: token", "is not used with authenticationType oAuthM2M")
		}
		if !v.required("config.oAuthClientConfig", c.OAuthClientConfig != nil, "add clientId, clientSecret and authorityUrl of the service principal's OAuth secret") {
			return
		}
		o := c.OAuthClientConfig
		const p = "config.oAuthClientConfig."
		v.required(p+"clientId", o.ClientID != "", "add clientId: the application ID (a UUID) of the service principal")
		if !external || v.has(p+"clientSecret", !o.ClientSecret.IsZero()) {
			v.required(p+"clientSecret", !o.ClientSecret.IsZero(), "add clientSecret: an OAuth secret of the service principal; the live commands also take it from DATABRICKS_CLIENT_SECRET")
		}
		v.secret(p+"clientSecret", o.ClientSecret, false)
		if v.required(p+"authorityUrl", o.AuthorityURL != "", "add authorityUrl: the token endpoint, as in https://<workspace host>/oidc/v1/token") {
			v.authorityURL(p+"authorityUrl", o.AuthorityURL)
		}
		if o.Scope != "" && strings.ContainsFunc(o.Scope, isControl) {
			v.errorf(p+"scope", "write the scope on one line, as in all-apis", "contains a control character")
		}
	default:
		hint := "write token or oAuthM2M"
		if s := suggest.Nearest(string(c.AuthenticationType), []string{string(TokenAuth), string(OAuthM2M)}); s != "" {
			hint = fmt.Sprintf("did you mean %q?", s)
		}
		v.errorf(field, hint, "must be %q or %q, not %s", TokenAuth, OAuthM2M, clip.Quote(string(c.AuthenticationType)))
	}
}

// secret checks the form of a credential without ever quoting it: the
// placeholder a GET of the integration shows, a "Bearer " scheme pasted
// with a token, a line break, blank or control character that would fail
// deep in the HTTP client.
func (v *validator) secret(field string, s Secret, bearer bool) {
	if s.IsZero() || v.bad(field) {
		return
	}
	val := s.Reveal()
	switch i := strings.IndexFunc(val, func(r rune) bool { return isControl(r) || r == ' ' || r == '\u00a0' }); {
	case strings.EqualFold(strings.TrimSpace(val), Redacted):
		v.errorf(field, "paste the real secret; an integration read back from the API shows REDACTED in its place", "is the placeholder %q, not a secret", Redacted)
	case bearer && len(val) > 7 && strings.EqualFold(val[:7], "bearer "):
		v.errorf(field, "write the token alone: the client adds the Bearer scheme", "starts with \"Bearer \"")
	case i >= 0:
		what := "a line break or control character"
		if val[i] == ' ' || strings.HasPrefix(val[i:], "\u00a0") {
			what = "a blank"
		}
		v.errorf(field, "paste the secret on one line, without blanks or quotes around it", "contains %s (at byte %d of %d)", what, i+1, len(val))
	}
}

// authorityURL checks the OAuth token endpoint: an https URL, or an http
// one on a loopback address (a local stand-in of a workspace, which the
// clients reach only with the flag --insecure-loopback). A URL with user
// information is refused without being repeated: it may hold a password.
func (v *validator) authorityURL(field, s string) {
	const hint = "write an https URL, as in https://<workspace host>/oidc/v1/token"
	u, err := url.Parse(strings.TrimSpace(s))
	switch {
	case err == nil && u.User != nil, hasUserinfo(s):
		v.errorf(field, "remove the user name and password: the client ID and secret go in clientId and clientSecret", "holds a user name or password before the host (user:password@)")
	case err != nil || u.Host == "" || !u.IsAbs():
		v.errorf(field, hint, "%s is not an https URL", clip.Quote(s))
	case strings.EqualFold(u.Scheme, "https"):
	case strings.EqualFold(u.Scheme, "http") && IsLoopback(u.Hostname()):
	default:
		v.errorf(field, hint, "%s is not an https URL", clip.Quote(s))
	}
}

func (v *validator) catalog() {
	c := &v.in.Config
	const field = "config.catalog"
	if !v.required(field, c.Catalog != "", "name the governance catalog, as in catalog: immuta") {
		return
	}
	lower := strings.ToLower(c.Catalog)
	bad := strings.IndexFunc(c.Catalog, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_')
	})
	switch {
	case len(c.Catalog) > MaxNameLength:
		v.errorf(field, "choose a shorter name", "is %d bytes long; at most %d are allowed", len(c.Catalog), MaxNameLength)
	case bad >= 0:
		r, _ := utf8.DecodeRuneInString(c.Catalog[bad:])
		v.errorf(field, "use letters, digits and underscores, as in "+catalogSuggestion(c.Catalog),
			"%s contains %q; a catalog name may hold only letters, digits and underscores", clip.Quote(c.Catalog), r)
	case c.Catalog[0] >= '0' && c.Catalog[0] <= '9':
		v.errorf(field, "start it with a letter or an underscore, as in "+catalogSuggestion(c.Catalog),
			"%s starts with a digit; a catalog name must start with a letter or an underscore", clip.Quote(c.Catalog))
	case reservedCatalogs[lower][0] != "":
		v.errorf(field, "choose a catalog of its own for the integration, as in immuta", "%q is a built-in catalog: %s", c.Catalog, reservedCatalogs[lower][0])
	case c.Catalog != lower:
		v.warnf(field, fmt.Sprintf("write catalog: %s", lower), "Unity Catalog stores names in lower case; the catalog will be %q", lower)
	}
}

// catalogSuggestion returns a valid catalog name close to s: in lower case,
// with '-', ' ' and '.' turned into '_', other characters dropped, and
// leading digits moved to the end.
func catalogSuggestion(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		case r == '-' || r == ' ' || r == '.':
			b.WriteByte('_')
		}
	}
	name := b.String()
	digits := strings.TrimLeft(name, "0123456789")
	if lead := name[:len(name)-len(digits)]; lead != "" {
		digits = strings.Trim(digits, "_")
		if digits == "" {
			digits = "catalog"
		}
		name = digits + "_" + lead
	}
	if name == "" {
		return "immuta"
	}
	return name
}

func (v *validator) servicePrincipal() {
	c := &v.in.Config
	const field = "config.servicePrincipal"
	const uuidHint = "write the application ID from the service principal's page in the account console, as in 6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f"
	if v.bad(field) {
		return
	}
	if c.ServicePrincipal != "" {
		if !uuidRE.MatchString(c.ServicePrincipal) {
			v.errorf(field, uuidHint, "%s is not an application ID (a UUID); Unity Catalog names service principals by application ID, never by display name", clip.Quote(c.ServicePrincipal))
			return
		}
		if o := c.OAuthClientConfig; c.AuthenticationType == OAuthM2M && o != nil && o.ClientID != "" && !strings.EqualFold(o.ClientID, c.ServicePrincipal) {
			v.warnf(field, "the OAuth client of the service principal is the service principal itself; make them the same", "differs from config.oAuthClientConfig.clientId: the grants go to one principal while the integration signs in as another")
		}
		return
	}
	switch c.AuthenticationType {
	case OAuthM2M:
		if o := c.OAuthClientConfig; o != nil && o.ClientID != "" && !uuidRE.MatchString(o.ClientID) {
			v.errorf("config.oAuthClientConfig.clientId", "write the service principal's application ID, or set config.servicePrincipal to it",
				"%s is not an application ID (a UUID), and it names the service principal when config.servicePrincipal is not set", clip.Quote(o.ClientID))
		}
	case TokenAuth:
		if !v.in.AutoBootstrap {
			v.errorf(field, uuidHint, "is required with token authentication and manual setup: the script grants to the service principal, and a token does not name it")
		}
	}
}

// dataSources checks each data source, and warns about repeats and about
// data sources inside another one, each at the inner one. It takes time
// linear in the number of data sources, so that a payload with 100 000 of
// them validates quickly.
func (v *validator) dataSources() {
	c := &v.in.Config
	catalog := strings.ToLower(c.Catalog)
	first := make(map[DataSource]int, len(c.DataSources)) // index of each source's first occurrence
	parsed := make([]DataSource, len(c.DataSources))
	ok := make([]bool, len(c.DataSources))
	for i, s := range c.DataSources {
		field := dataSourceField(i)
		ds, err := ParseDataSource(s)
		if err != nil {
			hint := "write catalog, catalog.schema or catalog.schema.table"
			var de *dataSourceError
			if errors.As(err, &de) && de.hint != "" {
				hint = de.hint
			}
			v.errorf(field, hint, "%v", err)
			continue
		}
		if ds.Catalog == catalog && catalog != "" {
			v.errorf(field, "remove it; the integration manages the governance catalog itself and protects data in other catalogs", "%s lies in the governance catalog %s", clip.Quote(s), clip.Quote(catalog))
			continue
		}
		parsed[i], ok[i] = ds, true
		if _, seen := first[ds]; !seen {
			first[ds] = i
		}
	}
	for i, s := range c.DataSources {
		if !ok[i] {
			continue
		}
		ds := parsed[i]
		if j := first[ds]; j < i {
			v.warnf(dataSourceField(i), "remove one of them", "%s repeats %s (%s)", clip.Quote(s), dataSourceField(j), clip.Quote(c.DataSources[j]))
			continue
		}
		// The outermost data source that holds this one, if any.
		for _, outer := range []DataSource{{Catalog: ds.Catalog}, {Catalog: ds.Catalog, Schema: ds.Schema}} {
			if outer.Level() >= ds.Level() {
				break
			}
			if j, found := first[outer]; found {
				v.warnf(dataSourceField(i), "remove it: the grants on the outer data source cover it", "%s lies inside %s (%s)", clip.Quote(s), dataSourceField(j), clip.Quote(c.DataSources[j]))
				break
			}
		}
	}
}

func dataSourceField(i int) string { return "config.dataSources[" + strconv.Itoa(i) + "]" }

func (v *validator) storage() {
	s := &v.in.Config.Storage
	if v.has("config.storage.catalogLocation", s.CatalogLocation != "") && !v.bad("config.storage.catalogLocation") {
		v.location("config.storage.catalogLocation", s.CatalogLocation)
	}
	for _, schema := range sortedKeys(s.SchemaLocations) {
		field := "config.storage.schemaLocations." + schema
		if !containsString(GovernanceSchemas, schema) {
			hint := "the schemas are " + strings.Join(GovernanceSchemas, " and ")
			if n := suggest.Nearest(schema, GovernanceSchemas); n != "" {
				hint = fmt.Sprintf("did you mean %q?", n)
			}
			v.errorf(field, hint, "%s is not a schema of the governance catalog", clip.Quote(schema))
			continue
		}
		v.location(field, s.SchemaLocations[schema])
	}
}

// location checks a MANAGED LOCATION: a cloud storage URI.
func (v *validator) location(field, loc string) {
	const hint = "write an s3://, abfss://, gs:// or r2:// URI inside an external location, as in s3://bucket/path or abfss://container@account.dfs.core.windows.net/path"
	scheme, rest, ok := strings.Cut(loc, "://")
	switch {
	case !ok || !containsString(storageSchemes, scheme):
		v.errorf(field, hint, "%s is not a cloud storage URI", clip.Quote(loc))
	case rest == "" || strings.HasPrefix(rest, "/"):
		v.errorf(field, hint, "%s names no bucket or container", clip.Quote(loc))
	case len(loc) > 1024:
		v.errorf(field, "shorten it", "is %d bytes long; at most 1024 are allowed", len(loc))
	case strings.ContainsFunc(loc, func(r rune) bool { return isControl(r) || strings.ContainsRune(" '\"`\\", r) }):
		v.errorf(field, hint, "%s contains a space, quote, backslash or control character", clip.Quote(loc))
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
