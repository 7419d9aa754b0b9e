package ucbootstrap

import (
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// TypeDatabricks is the integration type of Databricks Unity Catalog.
const TypeDatabricks = "Databricks"

// AuthType is the way the integration authenticates as the service
// principal.
type AuthType string

// The authentication types of config.authenticationType.
const (
	TokenAuth AuthType = "token"
	OAuthM2M  AuthType = "oAuthM2M"
)

// The schemas of the governance catalog.
const (
	SystemSchema    = "immuta_system"
	FunctionsSchema = "immuta_functions"
)

// GovernanceSchemas lists the schemas of the governance catalog, sorted; the
// keys of storage.schemaLocations must be among them.
var GovernanceSchemas = []string{FunctionsSchema, SystemSchema}

// DefaultPort is the port of config.port when the payload gives none.
const DefaultPort = 443

// An Integration is the body of the integrations API for Databricks Unity
// Catalog. Decode one with [Decode]; build one in Go and check it with
// [Integration.Validate].
type Integration struct {
	// Type is the integration type; it must be [TypeDatabricks].
	Type string
	// AutoBootstrap is true when the service principal sets the governance
	// catalog up itself, and false when a person runs the generated script
	// (manual setup).
	AutoBootstrap bool
	Config        Config

	src source
	// decodeWarnings are the warnings Decode found in the payload beyond
	// validation; set once, before Decode returns.
	decodeWarnings Diagnostics
}

// Config is the config object of the payload.
type Config struct {
	// WorkspaceURL is the workspace host, such as
	// "dbc-1234.cloud.databricks.com"; an "https://host" URL is accepted
	// and [Config.Host] gives its host.
	WorkspaceURL string
	// HTTPPath is the HTTP path of a SQL warehouse or a cluster.
	HTTPPath string
	// Port is the port of the workspace; 0 means [DefaultPort].
	Port               int
	AuthenticationType AuthType
	// Token is the access token of the service principal, with [TokenAuth].
	Token Secret
	// OAuthClientConfig holds the OAuth credentials, with [OAuthM2M].
	OAuthClientConfig *OAuthClientConfig
	// Catalog is the name of the governance catalog.
	Catalog string
	Audit   Audit

	// ServicePrincipal is the application ID (a UUID) of the service
	// principal. It defaults to OAuthClientConfig.ClientID.
	ServicePrincipal string
	// DataSources are the securables the integration protects, as
	// "catalog", "catalog.schema" or "catalog.schema.table"; see
	// [ParseDataSource].
	DataSources []string
	Storage     Storage
	// Tenant identifies the governance tenant; the generated script refuses
	// to run against a catalog that another tenant set up.
	Tenant string
}

// OAuthClientConfig holds the credentials of OAuth machine-to-machine
// authentication.
type OAuthClientConfig struct {
	ClientID     string
	ClientSecret Secret
	AuthorityURL string
	Scope        string
}

// Audit switches query audit on.
type Audit struct {
	Enabled bool
	// QueryHistory also grants system.query.history.
	QueryHistory bool
}

// Storage gives managed storage locations.
type Storage struct {
	// CatalogLocation is the MANAGED LOCATION of the governance catalog.
	CatalogLocation string
	// SchemaLocations maps schema names of the governance catalog to their
	// MANAGED LOCATION.
	SchemaLocations map[string]string
}

// Host returns the workspace host: WorkspaceURL without an "https://"
// scheme, without a trailing slash and without the brackets of an IPv6
// address, in lower case. It does not check the host; Validate does.
func (c *Config) Host() string {
	h := strings.TrimSpace(c.WorkspaceURL)
	if rest, ok := cutPrefixFold(h, "https://"); ok {
		h = rest
	}
	h = strings.TrimSuffix(h, "/")
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	}
	return strings.ToLower(h)
}

// EffectivePort returns Port, or [DefaultPort] when Port is 0.
func (c *Config) EffectivePort() int {
	if c.Port == 0 {
		return DefaultPort
	}
	return c.Port
}

// Address returns the host and port every client of the workspace dials,
// as in "dbc-1234.cloud.databricks.com:443" or "[::1]:8080".
func (c *Config) Address() string {
	return net.JoinHostPort(c.Host(), strconv.Itoa(c.EffectivePort()))
}

// IsLoopback reports whether host (a host name or IP address, without a
// port; IPv6 with or without brackets) is a loopback address: localhost,
// 127.0.0.0/8 or ::1. These are the only hosts a client may talk plain
// HTTP to, for a local stand-in of a workspace.
func IsLoopback(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Zone() == "" && ip.Unmap().IsLoopback()
}

// ServicePrincipalID returns the application ID of the service principal:
// ServicePrincipal, or the OAuth client ID when ServicePrincipal is empty.
// It is "" when neither is set.
func (c *Config) ServicePrincipalID() string {
	if c.ServicePrincipal != "" {
		return strings.ToLower(c.ServicePrincipal)
	}
	if c.AuthenticationType == OAuthM2M && c.OAuthClientConfig != nil {
		return strings.ToLower(c.OAuthClientConfig.ClientID)
	}
	return ""
}

// CatalogName returns the governance catalog's name as Unity Catalog stores
// it (lower case).
func (c *Config) CatalogName() string { return strings.ToLower(c.Catalog) }

// Sources returns the data sources parsed, sorted by catalog, schema and
// table, without repeats. Names that do not parse are left out; Validate
// reports them.
func (c *Config) Sources() []DataSource {
	out := make([]DataSource, 0, len(c.DataSources))
	for _, s := range c.DataSources {
		if ds, err := ParseDataSource(s); err == nil {
			out = append(out, ds)
		}
	}
	slices.SortFunc(out, DataSource.Compare)
	return slices.Compact(out)
}

// SchemaLocation returns the managed location of a governance schema, or "".
func (s *Storage) SchemaLocation(schema string) string {
	return s.SchemaLocations[schema]
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
