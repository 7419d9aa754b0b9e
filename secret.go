package ucbootstrap

import (
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
)

// Redacted is the only form in which a [Secret] is ever printed.
const Redacted = "REDACTED"

// A Secret holds a credential (an access token or an OAuth client secret).
// Every printed, logged, marshalled or error form of it is [Redacted]; only
// [Secret.Reveal] gives the value, for the code that authenticates. The zero
// Secret is empty. Compare secrets with Reveal, not ==.
type Secret struct {
	// value is behind a pointer so that the reflection-based printing fmt
	// falls back to (as for %p, which skips the Format method) shows an
	// address, never the credential.
	value *string
}

// NewSecret wraps a credential.
func NewSecret(value string) Secret {
	if value == "" {
		return Secret{}
	}
	return Secret{value: &value}
}

// Reveal returns the credential itself. Call it only to authenticate.
func (s Secret) Reveal() string {
	if s.value == nil {
		return ""
	}
	return *s.value
}

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.value == nil || *s.value == "" }

// String returns [Redacted].
func (s Secret) String() string { return Redacted }

// GoString returns [Redacted], for %#v.
func (s Secret) GoString() string { return Redacted }

// Format prints [Redacted] for every verb and flag, so that %x or %q cannot
// leak the value either.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprint(f, `"`+Redacted+`"`)
		return
	}
	fmt.Fprint(f, Redacted)
}

// MarshalJSON returns "REDACTED" as a JSON string.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText returns [Redacted], for YAML, XML and other text encoders.
func (s Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// LogValue returns [Redacted] for log/slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(Redacted) }

// Credential forms: an Authorization header value ("Bearer ...", "Basic
// ..."), and the OAuth parameters of a form body or URL query
// (client_secret=..., access_token=...) or of a JSON body.
var (
	headerForm = regexp.MustCompile(`\b(Bearer|Basic|bearer|basic|BEARER|BASIC)(\s+)([A-Za-z0-9\-._~+/=%]+)`)
	paramForm  = regexp.MustCompile(`(?i)\b(client_secret|access_token|refresh_token|id_token|password|token)(=)([^&\s"']+)`)
	jsonForm   = regexp.MustCompile(`(?i)("(?:client_secret|access_token|refresh_token|id_token|password|token)"\s*:\s*)"((?:[^"\\]|\\.)*)"`)
)

// Redact returns s, a message that comes from outside (a server's error
// body, a token endpoint's error_description, a transport error), with
// every occurrence of the secrets' values, raw or URL-encoded, and every
// credential form (an Authorization header value such as "Bearer ...", a
// client_secret=... parameter, a "client_secret": "..." JSON member)
// replaced by [Redacted]. Call it on every message from outside before it
// reaches an error, a report or a log: a server may echo the request.
func Redact(s string, secrets ...Secret) string {
	for _, sec := range secrets {
		v := sec.Reveal()
		if len(v) < 4 {
			continue // too short to tell from the text around it
		}
		s = strings.ReplaceAll(s, v, Redacted)
		for _, enc := range []string{url.QueryEscape(v), url.PathEscape(v)} {
			if enc != v {
				s = strings.ReplaceAll(s, enc, Redacted)
			}
		}
	}
	s = headerForm.ReplaceAllStringFunc(s, func(m string) string {
		sub := headerForm.FindStringSubmatch(m)
		// A word such as "Bearer authentication" is prose, not a
		// credential: credentials are long and hold a digit or symbol.
		if sub[3] == Redacted || len(sub[3]) < 8 || !strings.ContainsFunc(sub[3], func(r rune) bool { return r < 'A' || r > 'z' }) {
			return m
		}
		return sub[1] + sub[2] + Redacted
	})
	s = paramForm.ReplaceAllString(s, "${1}${2}"+Redacted)
	return jsonForm.ReplaceAllString(s, `${1}"`+Redacted+`"`)
}
