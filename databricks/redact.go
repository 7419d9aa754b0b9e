package databricks

import (
	"regexp"
	"strings"

	"github.com/ucbootstrap/ucbootstrap"
)

// credentialRE matches what looks like a Databricks credential in text a
// server sends back: personal access tokens and OAuth secrets (dapi...,
// dose..., dkea..., dsapi... and 32 hex digits), bearer tokens, and JSON
// web tokens.
var credentialRE = regexp.MustCompile(`(?i)\b(dapi|dose|dkea|dsapi)[0-9a-f]{32}(-[0-9]+)?\b` +
	`|\bBearer\s+[A-Za-z0-9._~+/=-]{8,}` +
	`|\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)

// Redact returns s with each of the secrets, and anything shaped like a
// Databricks credential, replaced by [ucbootstrap.Redacted]. It is the one
// place where the module cleans text that came from a server (error
// messages, statement errors) before it reaches a report, a log or an
// error.
func Redact(s string, secrets ...ucbootstrap.Secret) string {
	for _, sec := range secrets {
		if v := sec.Reveal(); len(v) >= 4 {
			s = strings.ReplaceAll(s, v, ucbootstrap.Redacted)
		}
	}
	return credentialRE.ReplaceAllString(s, ucbootstrap.Redacted)
}

// Redact returns s redacted of the client's own credentials and of
// anything shaped like a credential; see the function [Redact].
func (c *Client) Redact(s string) string { return Redact(s, c.secrets...) }
