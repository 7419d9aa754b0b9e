package databricks

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/ucbootstrap/ucbootstrap"
)

// The defaults of a [Config].
const (
	DefaultScope       = "all-apis"
	DefaultTimeout     = 60 * time.Second
	DefaultMaxAttempts = 5
	DefaultMinBackoff  = 500 * time.Millisecond
	DefaultMaxBackoff  = 16 * time.Second
)

// maxRetryAfter caps the wait a Retry-After header can ask for.
const maxRetryAfter = 2 * time.Minute

// A Config says which workspace to call and how to authenticate. Give
// either Token, or ClientID and ClientSecret.
type Config struct {
	// Host is the workspace host, such as
	// "dbc-1234.cloud.databricks.com", or its https:// URL. An http:// URL
	// is accepted only with Insecure.
	Host string
	// Token is a personal access token (or any bearer token).
	Token ucbootstrap.Secret
	// ClientID and ClientSecret are the OAuth machine-to-machine
	// credentials of a service principal.
	ClientID     string
	ClientSecret ucbootstrap.Secret
	// TokenURL is the OAuth token endpoint; the default is the
	// workspace's /oidc/v1/token.
	TokenURL string
	// Scope is the OAuth scope; the default is [DefaultScope].
	Scope string
	// Insecure allows http:// URLs for Host and TokenURL, for tests
	// against a server on loopback. Never set it otherwise.
	Insecure bool
	// HTTPClient makes the requests; the default is a new http.Client.
	HTTPClient *http.Client
	// Timeout bounds each attempt of a request; 0 means [DefaultTimeout].
	Timeout time.Duration
	// MaxAttempts bounds the attempts of a request, the first included;
	// 0 means [DefaultMaxAttempts].
	MaxAttempts int
	// MinBackoff is the wait before the first retry, doubled for each
	// further one up to MaxBackoff; 0 means [DefaultMinBackoff] and
	// [DefaultMaxBackoff]. A Retry-After header (in seconds) overrides
	// them, up to two minutes.
	MinBackoff, MaxBackoff time.Duration
}

// ConfigFrom returns the configuration of an integration payload (which may
// be nil): the workspace host of config.workspaceUrl, and the token or the
// OAuth client credentials (clientId, clientSecret, authorityUrl, scope)
// of config.authenticationType. What the payload does not give comes from
// the environment, read with getenv (os.Getenv when nil):
// DATABRICKS_HOST, and DATABRICKS_TOKEN or DATABRICKS_CLIENT_ID and
// DATABRICKS_CLIENT_SECRET. The payload wins: its credentials, when it has
// any, are used whatever the environment says.
func ConfigFrom(in *ucbootstrap.Integration, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	var cfg Config
	if in != nil {
		c := &in.Config
		cfg.Host = c.Host()
		switch c.AuthenticationType {
		case ucbootstrap.TokenAuth:
			cfg.Token = c.Token
		case ucbootstrap.OAuthM2M:
			if o := c.OAuthClientConfig; o != nil {
				cfg.ClientID, cfg.ClientSecret = o.ClientID, o.ClientSecret
				cfg.TokenURL, cfg.Scope = strings.TrimSpace(o.AuthorityURL), o.Scope
			}
		}
	}
	if cfg.Host == "" {
		cfg.Host = strings.TrimSpace(getenv("DATABRICKS_HOST"))
	}
	if cfg.Token.IsZero() && cfg.ClientID == "" {
		if t := getenv("DATABRICKS_TOKEN"); t != "" {
			cfg.Token = ucbootstrap.NewSecret(t)
		} else if id := getenv("DATABRICKS_CLIENT_ID"); id != "" {
			cfg.ClientID = id
			cfg.ClientSecret = ucbootstrap.NewSecret(getenv("DATABRICKS_CLIENT_SECRET"))
		}
	}
	switch {
	case cfg.Host == "":
		return Config{}, errors.New("databricks: no workspace host: set config.workspaceUrl in the payload or DATABRICKS_HOST")
	case cfg.Token.IsZero() && cfg.ClientID == "":
		return Config{}, errors.New("databricks: no credentials: set config.token or config.oAuthClientConfig in the payload, or DATABRICKS_TOKEN, or DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET")
	case cfg.ClientID != "" && cfg.ClientSecret.IsZero():
		return Config{}, errors.New("databricks: OAuth client " + cfg.ClientID + " has no secret: set config.oAuthClientConfig.clientSecret or DATABRICKS_CLIENT_SECRET")
	}
	if cfg.ClientID != "" {
		if cfg.TokenURL == "" {
			base, err := hostURL(cfg.Host, true)
			if err != nil {
				return Config{}, err
			}
			cfg.TokenURL = base.JoinPath("oidc", "v1", "token").String()
		}
		if cfg.Scope == "" {
			cfg.Scope = DefaultScope
		}
	}
	return cfg, nil
}

// hostURL returns the base URL of a workspace host: https:// unless the
// host gives a scheme. An http:// scheme needs insecure.
func hostURL(host string, insecure bool) (*url.URL, error) {
	host = strings.TrimSpace(host)
	if host == "" {
		return nil, errors.New("databricks: no workspace host")
	}
	if !strings.Contains(host, "://") {
		host = "https://" + host
	}
	u, err := checkURL("workspace host", host, insecure)
	if err != nil {
		return nil, err
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("databricks: workspace host %q has a path: give the host alone, such as dbc-1234.cloud.databricks.com", host)
	}
	u.Path, u.RawPath = "", ""
	return u, nil
}

// checkURL parses an absolute https URL (http with insecure).
func checkURL(what, s string, insecure bool) (*url.URL, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return nil, fmt.Errorf("databricks: %s %q is not a URL", what, s)
	case u.User != nil:
		return nil, fmt.Errorf("databricks: %s must not hold credentials", what)
	case u.Host == "":
		return nil, fmt.Errorf("databricks: %s %q has no host", what, s)
	case strings.EqualFold(u.Scheme, "https"):
	case strings.EqualFold(u.Scheme, "http") && insecure:
	case strings.EqualFold(u.Scheme, "http"):
		return nil, fmt.Errorf("databricks: %s %q is http: use https", what, s)
	default:
		return nil, fmt.Errorf("databricks: %s %q: unsupported scheme %q: use https", what, s, u.Scheme)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	return u, nil
}
