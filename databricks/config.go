package databricks

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
	// "dbc-1234.cloud.databricks.com", possibly with a port
	// ("localhost:8080", "[::1]:8080"), or its https:// URL. An http:// URL
	// is accepted only with InsecureLoopback.
	Host string
	// Port is the port of the workspace; 0 means the port of Host, or the
	// scheme's (443 for https). A port in Host must then agree with it.
	Port int
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
	// InsecureLoopback talks plain HTTP to a local stand-in of a
	// workspace, such as the emulator: a Host without a scheme is reached
	// with http://, and an http:// Host or TokenURL is accepted. [New]
	// refuses it unless the host is a loopback address (localhost,
	// 127.0.0.0/8, ::1; see [ucbootstrap.IsLoopback]). Nothing else turns
	// https off.
	InsecureLoopback bool
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
// be nil): the workspace host of config.workspaceUrl and config.port, and
// the token or the
// OAuth client credentials (clientId, clientSecret, authorityUrl, scope)
// of config.authenticationType. What the payload does not give comes from
// the environment, read with getenv (os.Getenv when nil):
// DATABRICKS_HOST, and DATABRICKS_TOKEN or DATABRICKS_CLIENT_ID and
// DATABRICKS_CLIENT_SECRET. The payload wins: its credentials, when it has
// any, are used whatever the environment says; an OAuth client of the
// payload without a secret takes DATABRICKS_CLIENT_SECRET. A payload
// decoded with [ucbootstrap.ExternalSecrets] may leave its secrets out for
// this. ConfigFrom sets no InsecureLoopback; the caller does.
func ConfigFrom(in *ucbootstrap.Integration, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	var cfg Config
	if in != nil {
		c := &in.Config
		cfg.Host, cfg.Port = c.Host(), c.Port
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
	if cfg.ClientID != "" && cfg.ClientSecret.IsZero() {
		if id := getenv("DATABRICKS_CLIENT_ID"); id == "" || strings.EqualFold(id, cfg.ClientID) {
			cfg.ClientSecret = ucbootstrap.NewSecret(getenv("DATABRICKS_CLIENT_SECRET"))
		}
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
	if cfg.ClientID != "" && cfg.Scope == "" {
		cfg.Scope = DefaultScope
	}
	return cfg, nil
}

// hostURL returns the base URL of a workspace host and port: https://
// unless the host gives a scheme, http:// with insecureLoopback.
func hostURL(host string, port int, insecureLoopback bool) (*url.URL, error) {
	host = strings.TrimSpace(host)
	if host == "" {
		return nil, errors.New("databricks: no workspace host")
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.Is6() {
		host = "[" + host + "]"
	}
	if !strings.Contains(host, "://") {
		scheme := "https://"
		if insecureLoopback {
			scheme = "http://"
		}
		host = scheme + host
	}
	u, err := checkURL("workspace host", host, insecureLoopback)
	if err != nil {
		return nil, err
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("databricks: workspace host %s has a path: give the host alone, such as dbc-1234.cloud.databricks.com", quote(host))
	}
	u.Path, u.RawPath = "", ""
	if insecureLoopback && !ucbootstrap.IsLoopback(u.Hostname()) {
		return nil, notLoopback("workspace host", u)
	}
	if port != 0 {
		if port < 1 || port > 65535 {
			return nil, fmt.Errorf("databricks: port %d is not between 1 and 65535", port)
		}
		p := strconv.Itoa(port)
		if u.Port() != "" && u.Port() != p {
			return nil, fmt.Errorf("databricks: workspace host %s has the port %s, but the port is %d: give one", quote(host), u.Port(), port)
		}
		u.Host = net.JoinHostPort(u.Hostname(), p)
	}
	return u, nil
}

// notLoopback is the error of InsecureLoopback with a host that is not a
// loopback address.
func notLoopback(what string, u *url.URL) error {
	return fmt.Errorf("databricks: %s %s is not a loopback address: plain HTTP (InsecureLoopback, the flag --insecure-loopback) is only for a local stand-in on localhost, 127.0.0.1 or ::1", what, quote(u.Hostname()))
}

// checkURL parses an absolute https URL, or an http one on a loopback
// address with insecureLoopback.
func checkURL(what, s string, insecureLoopback bool) (*url.URL, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil && hasUserinfo(s), err == nil && u.User != nil:
		return nil, fmt.Errorf("databricks: %s must not hold a user name or password", what)
	case err != nil:
		return nil, fmt.Errorf("databricks: %s %s is not a URL", what, quote(s))
	case u.Host == "":
		return nil, fmt.Errorf("databricks: %s %s has no host", what, quote(s))
	case strings.EqualFold(u.Scheme, "https"):
	case strings.EqualFold(u.Scheme, "http") && insecureLoopback && !ucbootstrap.IsLoopback(u.Hostname()):
		return nil, notLoopback(what, u)
	case strings.EqualFold(u.Scheme, "http") && insecureLoopback:
	case strings.EqualFold(u.Scheme, "http"):
		return nil, fmt.Errorf("databricks: %s %s is http: use https (plain HTTP is only for a local stand-in on a loopback address, with InsecureLoopback, the flag --insecure-loopback)", what, quote(s))
	default:
		return nil, fmt.Errorf("databricks: %s %s: unsupported scheme %s: use https", what, quote(s), quote(u.Scheme))
	}
	u.Scheme = strings.ToLower(u.Scheme)
	return u, nil
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

// quote quotes s for a message, cut to 80 bytes.
func quote(s string) string {
	const max = 80
	if len(s) <= max {
		return strconv.Quote(s)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "..."
}
