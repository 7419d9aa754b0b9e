package ucbootstrap

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
)

// SchemaVersion is the version of the payload schema this package reads; it
// is part of every fingerprint and script header.
const SchemaVersion = "v1"

// The canonical payload is the API shape with normalised values, in a fixed
// key order. Struct fields marshal in declaration order and maps in key
// order, so the bytes are deterministic.
type canonicalPayload struct {
	Type          string          `json:"type"`
	AutoBootstrap bool            `json:"autoBootstrap"`
	Config        canonicalConfig `json:"config"`
}

type canonicalConfig struct {
	WorkspaceURL       string            `json:"workspaceUrl"`
	HTTPPath           string            `json:"httpPath"`
	Port               int               `json:"port"`
	AuthenticationType AuthType          `json:"authenticationType"`
	Token              *Secret           `json:"token,omitempty"`
	OAuthClientConfig  *canonicalOAuth   `json:"oAuthClientConfig,omitempty"`
	Catalog            string            `json:"catalog"`
	Audit              canonicalAudit    `json:"audit"`
	ServicePrincipal   string            `json:"servicePrincipal,omitempty"`
	DataSources        []string          `json:"dataSources"`
	Storage            *canonicalStorage `json:"storage,omitempty"`
	Tenant             string            `json:"tenant,omitempty"`
}

type canonicalOAuth struct {
	ClientID     string  `json:"clientId"`
	ClientSecret *Secret `json:"clientSecret,omitempty"`
	AuthorityURL string  `json:"authorityUrl"`
	Scope        string  `json:"scope,omitempty"`
}

type canonicalAudit struct {
	Enabled      bool `json:"enabled"`
	QueryHistory bool `json:"queryHistory"`
}

type canonicalStorage struct {
	CatalogLocation string            `json:"catalogLocation,omitempty"`
	SchemaLocations map[string]string `json:"schemaLocations,omitempty"`
}

func (in *Integration) canonical(secrets bool) []byte {
	c := &in.Config
	p := canonicalPayload{
		Type:          in.Type,
		AutoBootstrap: in.AutoBootstrap,
		Config: canonicalConfig{
			WorkspaceURL:       c.Host(),
			HTTPPath:           "/" + strings.TrimPrefix(c.HTTPPath, "/"),
			Port:               c.EffectivePort(),
			AuthenticationType: c.AuthenticationType,
			Catalog:            c.CatalogName(),
			Audit:              canonicalAudit{Enabled: c.Audit.Enabled, QueryHistory: c.Audit.Enabled && c.Audit.QueryHistory},
			ServicePrincipal:   c.ServicePrincipalID(),
			DataSources:        []string{},
			Tenant:             c.Tenant,
		},
	}
	for _, ds := range c.Sources() {
		p.Config.DataSources = append(p.Config.DataSources, ds.String())
	}
	if secrets && !c.Token.IsZero() {
		p.Config.Token = &c.Token
	}
	if o := c.OAuthClientConfig; o != nil {
		p.Config.OAuthClientConfig = &canonicalOAuth{ClientID: strings.ToLower(o.ClientID), AuthorityURL: o.AuthorityURL, Scope: o.Scope}
		if secrets && !o.ClientSecret.IsZero() {
			p.Config.OAuthClientConfig.ClientSecret = &o.ClientSecret
		}
	}
	if s := c.Storage; s.CatalogLocation != "" || len(s.SchemaLocations) > 0 {
		p.Config.Storage = &canonicalStorage{CatalogLocation: s.CatalogLocation, SchemaLocations: s.SchemaLocations}
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		panic("ucbootstrap: canonical payload does not marshal: " + err.Error()) // only strings, bools and ints: cannot happen
	}
	return b
}

// Redacted returns the payload as canonical JSON (normalised values, fixed
// key order) with every secret written as "REDACTED": a form that is safe to
// log or attach to a report.
func (in *Integration) Redacted() []byte { return in.canonical(true) }

// Public returns the payload as canonical JSON without its secrets: the
// form to keep when the secrets are kept elsewhere (sealed, in a vault).
// [Decode] with [ExternalSecrets] reads it back to an integration with the
// same fingerprint.
func (in *Integration) Public() []byte { return in.canonical(false) }

// Fingerprint returns "sha256:" and the hex SHA-256 of the canonical payload
// without its secrets. Payloads that differ only in credentials, key order,
// formatting or the spelling of equivalent values have the same fingerprint;
// scripts carry it so that a script can be matched to its payload.
func (in *Integration) Fingerprint() string {
	sum := sha256.Sum256(append([]byte("ucbootstrap payload "+SchemaVersion+"\n"), in.canonical(false)...))
	return "sha256:" + hex.EncodeToString(sum[:])
}
