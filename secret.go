package ucbootstrap

import (
	"fmt"
	"log/slog"
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
