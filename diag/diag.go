package diag

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// A Position is a place in a file. Line and Col are 1-based, Col counts
// bytes; Offset is the 0-based byte offset, when known. A Position without
// a line means "the file as a whole" (or, without a file either,
// "unknown").
type Position struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Col    int    `json:"col,omitempty"`
	Offset int    `json:"-"`
}

// IsValid reports whether p names a line.
func (p Position) IsValid() bool { return p.Line > 0 }

// String returns "file:line:col", "file:line", "line:col", "file" or "-",
// leaving out what is unknown.
func (p Position) String() string {
	s := p.File
	if p.IsValid() {
		if s != "" {
			s += ":"
		}
		s += strconv.Itoa(p.Line)
		if p.Col > 0 {
			s += ":" + strconv.Itoa(p.Col)
		}
	}
	if s == "" {
		s = "-"
	}
	return s
}

// Severity ranks a diagnostic or a finding: [Error] fails the command,
// [Warning] and [Info] do not. The zero Severity is Error, so that a
// diagnostic nobody ranked is never taken lightly.
type Severity int

// The severities, most severe first.
const (
	Error Severity = iota
	Warning
	Info
)

var severityNames = [...]string{Error: "error", Warning: "warning", Info: "info"}

// String returns "error", "warning" or "info".
func (s Severity) String() string {
	if s >= 0 && int(s) < len(severityNames) {
		return severityNames[s]
	}
	return "severity(" + strconv.Itoa(int(s)) + ")"
}

// ParseSeverity returns the severity String gives.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if n == s {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("diag: unknown severity %q: use error, warning or info", s)
}

// MarshalText returns the name of the severity, for JSON and YAML.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a name that String gives.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

var _ json.Marshaler = Position{}

// MarshalJSON writes the position as {"file":..,"line":..,"col":..},
// leaving out what is unknown: the one shape every JSON output of the
// module uses.
func (p Position) MarshalJSON() ([]byte, error) {
	type plain Position
	return json.Marshal(plain(p))
}
