package ucbootstrap

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/internal/clip"
	"github.com/ucbootstrap/ucbootstrap/internal/suggest"
)

// configKeys are the keys of the config object.
var configKeys = []string{"workspaceUrl", "httpPath", "port", "authenticationType", "token",
	"oAuthClientConfig", "catalog", "audit", "servicePrincipal", "dataSources", "storage", "tenant"}

// getResponseKeys are the keys a GET of an integration adds to its body:
// Decode accepts them at the top level and ignores them, with a warning.
var getResponseKeys = []string{"id", "status", "validationResults"}

// cutKey cuts a key for the field of a diagnostic, so that a huge key does
// not make a huge line.
func cutKey(key string) string { return clip.Text(key) }

// An Option changes how [Decode] reads a payload.
type Option func(*decodeOptions)

type decodeOptions struct {
	lenient            bool
	externalSecrets    bool
	placeholderSecrets bool
}

// Lenient makes unknown keys warnings instead of errors, for payloads that
// carry fields this package does not model. Their values are ignored.
func Lenient() Option { return func(o *decodeOptions) { o.lenient = true } }

// ExternalSecrets lets the payload leave out its secrets, config.token and
// config.oAuthClientConfig.clientSecret, for a caller that has them from
// elsewhere (the DATABRICKS_TOKEN or DATABRICKS_CLIENT_SECRET environment
// variables; see databricks.ConfigFrom), or does not need them (a caller
// that only generates or lints scripts). A secret that is there is checked
// all the same. The integration remembers the option: its
// [Integration.Validate] does not require the secrets either.
func ExternalSecrets() Option { return func(o *decodeOptions) { o.externalSecrets = true } }

// PlaceholderSecrets reads a payload that this package wrote with
// [Integration.Redacted], to be stored beside its secrets sealed elsewhere:
// a secret written as "REDACTED" is absent, not an error, and the secrets
// are not required (as with [ExternalSecrets]). It is for the store of a
// server, never for a payload a person wrote: there the placeholder is an
// error that says to paste the real secret.
func PlaceholderSecrets() Option {
	return func(o *decodeOptions) { o.externalSecrets, o.placeholderSecrets = true, true }
}

// source remembers where each field of a decoded Integration came from.
type source struct {
	file string
	// pos maps a field path ("config.catalog", "config.dataSources[2]") to
	// the position of its value, or of its key when the value is null; an
	// object's path maps to the object.
	pos map[string]Position
	// set holds the paths written with a value other than null.
	set map[string]bool
	// bad holds the paths whose value had the wrong type; Validate does not
	// report them again.
	bad map[string]bool
	// externalSecrets is the ExternalSecrets option the payload was
	// decoded with.
	externalSecrets bool
}

// Pos returns the position of a field path in the payload the integration
// was decoded from, and the zero Position for an Integration built in Go.
// When the field is absent, it returns the position of the nearest enclosing
// object that is present.
func (in *Integration) Pos(field string) Position {
	for {
		if p, ok := in.src.pos[field]; ok {
			return p
		}
		i := strings.LastIndexAny(field, ".[")
		if i < 0 {
			if p, ok := in.src.pos[""]; ok {
				return p
			}
			return Position{File: in.src.file}
		}
		field = field[:i]
	}
}

// File returns the name of the file the integration was decoded from.
func (in *Integration) File() string { return in.src.file }

// Decode reads an integration payload, JSON or YAML (told apart by the first
// non-blank character: '{' or '[' means JSON), and validates it.
//
// It reports every problem at once: the error, when not nil, is
// [Diagnostics] with every error and warning, each with its file (the name
// given), line, column and field. On success the returned Integration's
// [Integration.Warnings] holds the warnings. Decode never panics, whatever
// the input.
func Decode(file string, data []byte, opts ...Option) (*Integration, error) {
	var o decodeOptions
	for _, opt := range opts {
		opt(&o)
	}
	tree, ds := readTree(file, data)
	if tree == nil {
		return nil, ds.Sort()
	}
	d := &decoder{opts: o, in: &Integration{src: source{file: file, pos: map[string]Position{}, set: map[string]bool{}, bad: map[string]bool{}, externalSecrets: o.externalSecrets}}}
	d.integration(tree)
	ds = append(d.diags, d.in.validate()...).Sort()
	if ds.HasErrors() {
		return nil, ds
	}
	d.in.decodeWarnings = d.diags.Warnings()
	return d.in, nil
}

type decoder struct {
	opts  decodeOptions
	in    *Integration
	diags Diagnostics
}

func (d *decoder) errorf(pos Position, field, hint, format string, args ...any) {
	d.diags = append(d.diags, Diagnostic{Pos: pos, Field: field, Message: fmt.Sprintf(format, args...), Hint: hint})
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// object checks that n is a mapping with only known keys and returns its
// entries by key. Unknown keys are reported with the nearest known key.
func (d *decoder) object(path string, n *node, known ...string) map[string]*node {
	if _, ok := d.in.src.pos[path]; !ok {
		d.in.src.pos[path] = n.pos
	}
	if n.kind != mappingNode {
		hint := "write it as key: value pairs"
		if len(known) <= 4 {
			hint = "write it as an object with the keys " + strings.Join(known, ", ")
		}
		if path == "" {
			hint = "write one object with type, autoBootstrap and config; see examples/payloads"
		} else if n.kind == sequenceNode {
			hint += ", without list dashes or brackets"
		}
		d.wrongType(path, n, mappingNode, hint)
		return nil
	}
	fields := map[string]*node{}
	var misspelt []string
	for _, e := range n.entries {
		if slices.Contains(known, e.key) {
			fields[e.key] = e.value
			// A missing field inside an object is reported at the
			// object's key, so objects take the key's position.
			if e.value.kind == nullNode || e.value.kind == mappingNode {
				d.in.src.pos[join(path, e.key)] = e.keyPos
			} else {
				d.in.src.pos[join(path, e.key)] = e.value.pos
			}
			if e.value.kind != nullNode {
				d.in.src.set[join(path, e.key)] = true
			}
			continue
		}
		field := join(path, cutKey(e.key))
		if path == "" && slices.Contains(getResponseKeys, e.key) {
			// A payload copied from a GET of the integration: its
			// server-side fields are no part of the body, and harmless.
			d.diags = append(d.diags, Diagnostic{Pos: e.keyPos, Severity: Warning, Field: field,
				Message: "comes from a GET response of the integrations API and is ignored",
				Hint:    "remove it from a body to create or update the integration"})
			continue
		}
		var hint string
		if s := suggest.Nearest(e.key, known); s != "" {
			hint = fmt.Sprintf("did you mean %q?", s)
			misspelt = append(misspelt, s)
		} else {
			hint = "remove it; the known keys are " + strings.Join(known, ", ") + "."
		}
		diag := Diagnostic{Pos: e.keyPos, Field: field, Message: "unknown key", Hint: hint + " --lenient turns unknown keys into warnings"}
		if d.opts.lenient {
			diag.Severity = Warning
			diag.Message = "unknown key, ignored (lenient)"
			diag.Hint = hint
		}
		d.diags = append(d.diags, diag)
	}
	// A misspelt key is one mistake: unless lenient, its error stands for
	// the "is required" of the key it was meant to be.
	for _, k := range misspelt {
		if _, ok := fields[k]; !ok && !d.opts.lenient {
			d.in.src.bad[join(path, k)] = true
		}
	}
	return fields
}

func (d *decoder) wrongType(path string, n *node, want nodeKind, hint string) {
	d.in.src.bad[path] = true
	if hint == "" {
		switch {
		case want == boolNode && n.kind == stringNode && yaml11Bool(n.text) != "":
			// YAML 1.1 read yes, no, on and off as booleans; YAML 1.2
			// and JSON read them as strings.
			hint = fmt.Sprintf("write %s: %s is a string in YAML 1.2 and JSON; the booleans are true and false", yaml11Bool(n.text), clip.Quote(n.text))
		case want == boolNode && n.kind == stringNode:
			hint = "write true or false, without quotes"
		case want == numberNode && n.kind == stringNode && isNumeral(n.text):
			hint = "write a number that fits, as in 443"
		case want == numberNode && n.kind == stringNode:
			hint = "write the number without quotes, as in 443"
		case want == stringNode && n.kind != mappingNode && n.kind != sequenceNode:
			hint = "quote the value, as in " + clip.Quote(n.text)
		}
	}
	if path == "" {
		d.errorf(n.pos, "", hint, "the payload must be %s, not %s", want, n.kind)
		return
	}
	d.errorf(n.pos, path, hint, "must be %s, not %s", want, n.kind)
}

// present returns the node of a key when it is set to something other than
// null.
func present(fields map[string]*node, key string) (*node, bool) {
	n, ok := fields[key]
	return n, ok && n.kind != nullNode
}

func (d *decoder) str(fields map[string]*node, path, key string) string {
	n, ok := present(fields, key)
	if !ok {
		return ""
	}
	if n.kind != stringNode {
		d.wrongType(join(path, key), n, stringNode, "")
		return ""
	}
	return n.text
}

func (d *decoder) boolean(fields map[string]*node, path, key string) bool {
	n, ok := present(fields, key)
	if !ok {
		return false
	}
	if n.kind != boolNode {
		d.wrongType(join(path, key), n, boolNode, "")
		return false
	}
	return n.text == "true"
}

// integer reads a port: a whole number. One too large for a number (which
// YAML reads as a string) is out of range, not of the wrong type.
func (d *decoder) integer(fields map[string]*node, path, key string) int {
	n, ok := present(fields, key)
	if !ok {
		return 0
	}
	field := join(path, key)
	text := strings.TrimSpace(n.text)
	switch {
	case n.kind == stringNode && isNumeral(text), n.kind == numberNode && isNumeral(text):
		v, err := strconv.ParseInt(text, 10, 32)
		if err == nil {
			if n.kind == numberNode {
				return int(v)
			}
			d.wrongType(field, n, numberNode, "write the number without quotes, as in "+clip.Text(text))
			return 0
		}
		d.in.src.bad[field] = true
		d.errorf(n.pos, field, "write a port between 1 and 65535, or remove it for the default 443", "must be between 1 and 65535, not %s", clip.Quote(text))
		return 0
	case n.kind != numberNode:
		d.wrongType(field, n, numberNode, "")
		return 0
	}
	d.in.src.bad[field] = true
	d.errorf(n.pos, field, "write a whole number such as 443", "must be a whole number, not %s", clip.Quote(text))
	return 0
}

// isNumeral reports whether s is a whole number, with an optional sign.
func isNumeral(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// yaml11Bool returns "true" or "false" for a YAML 1.1 boolean spelling
// (yes, no, on, off, y, n, in any case), or "".
func yaml11Bool(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "y", "on":
		return "true"
	case "no", "n", "off":
		return "false"
	}
	return ""
}

func (d *decoder) integration(root *node) {
	f := d.object("", root, "type", "autoBootstrap", "config")
	if f == nil {
		return
	}
	in := d.in
	in.Type = d.str(f, "", "type")
	in.AutoBootstrap = d.boolean(f, "", "autoBootstrap")
	if n, ok := present(f, "config"); ok {
		d.config(n)
	}
}

func (d *decoder) config(n *node) {
	const path = "config"
	f := d.object(path, n, configKeys...)
	if f == nil {
		return
	}
	c := &d.in.Config
	c.WorkspaceURL = d.str(f, path, "workspaceUrl")
	c.HTTPPath = d.str(f, path, "httpPath")
	c.Port = d.integer(f, path, "port")
	c.AuthenticationType = AuthType(d.str(f, path, "authenticationType"))
	c.Token = NewSecret(d.secret(f, path, "token"))
	c.Catalog = d.str(f, path, "catalog")
	c.ServicePrincipal = d.str(f, path, "servicePrincipal")
	c.Tenant = d.str(f, path, "tenant")
	if n, ok := present(f, "oAuthClientConfig"); ok {
		p := join(path, "oAuthClientConfig")
		if of := d.object(p, n, "clientId", "clientSecret", "authorityUrl", "scope"); of != nil {
			c.OAuthClientConfig = &OAuthClientConfig{
				ClientID:     d.str(of, p, "clientId"),
				ClientSecret: NewSecret(d.secret(of, p, "clientSecret")),
				AuthorityURL: d.str(of, p, "authorityUrl"),
				Scope:        d.str(of, p, "scope"),
			}
		}
	}
	if n, ok := present(f, "audit"); ok {
		p := join(path, "audit")
		if af := d.object(p, n, "enabled", "queryHistory"); af != nil {
			c.Audit.Enabled = d.boolean(af, p, "enabled")
			c.Audit.QueryHistory = d.boolean(af, p, "queryHistory")
		}
	}
	if n, ok := present(f, "dataSources"); ok {
		c.DataSources = d.strList(join(path, "dataSources"), n)
	}
	if n, ok := present(f, "storage"); ok {
		p := join(path, "storage")
		if sf := d.object(p, n, "catalogLocation", "schemaLocations"); sf != nil {
			c.Storage.CatalogLocation = d.str(sf, p, "catalogLocation")
			if n, ok := present(sf, "schemaLocations"); ok {
				c.Storage.SchemaLocations = d.strMap(join(p, "schemaLocations"), n)
			}
		}
	}
}

// secret reads a credential. Its value never reaches a diagnostic: a wrong
// type is reported without quoting it.
func (d *decoder) secret(fields map[string]*node, path, key string) string {
	n, ok := present(fields, key)
	if !ok {
		return ""
	}
	if n.kind != stringNode {
		d.in.src.bad[join(path, key)] = true
		d.errorf(n.pos, join(path, key), "quote the value", "must be a string, not %s", n.kind)
		return ""
	}
	if d.opts.placeholderSecrets && n.text == Redacted {
		// The placeholder of a payload this package wrote with Redacted:
		// the secret is kept elsewhere.
		delete(d.in.src.set, join(path, key))
		return ""
	}
	return n.text
}

func (d *decoder) strList(path string, n *node) []string {
	if n.kind != sequenceNode {
		hint := ""
		if n.kind == stringNode {
			hint = "write a list, as in [" + clip.Quote(n.text) + "]"
		}
		d.wrongType(path, n, sequenceNode, hint)
		return nil
	}
	out := make([]string, 0, len(n.items))
	for i, item := range n.items {
		p := fmt.Sprintf("%s[%d]", path, i)
		d.in.src.pos[p] = item.pos
		if item.kind != stringNode {
			hint := ""
			if item.kind == mappingNode || item.kind == sequenceNode {
				hint = "write each data source as one string, as in main.sales.orders"
			}
			d.wrongType(p, item, stringNode, hint)
			continue
		}
		out = append(out, item.text)
	}
	return out
}

func (d *decoder) strMap(path string, n *node) map[string]string {
	if n.kind != mappingNode {
		d.wrongType(path, n, mappingNode, "")
		return nil
	}
	d.in.src.pos[path] = n.pos
	out := map[string]string{}
	for _, e := range n.entries {
		p := join(path, e.key)
		d.in.src.pos[p] = e.keyPos
		if e.value.kind != stringNode {
			d.wrongType(p, e.value, stringNode, "")
			continue
		}
		out[e.key] = e.value.text
	}
	return out
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
