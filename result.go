package ucbootstrap

import (
	"errors"
	"fmt"
	"strings"
)

// ValidateSchema is the version of the JSON form of a [ValidateResult].
// Keys are only ever added under one version.
const ValidateSchema = "ucbootstrap.validate/v2"

// A ValidateResult is the outcome of checking one payload, in the form that
// "ucbootstrap validate --format json" prints and the integrations server
// answers with:
//
//	{"schema": "ucbootstrap.validate/v2", "file": "payload.yaml",
//	 "valid": true, "summary": {...} or null,
//	 "diagnostics": [{"pos": {"file", "line", "col"}, "severity", "field",
//	                  "message", "hint"}, ...]}
//
// Every key is always there: summary is null for an invalid payload,
// diagnostics [] when there are none.
type ValidateResult struct {
	Schema string `json:"schema"`
	File   string `json:"file"`
	Valid  bool   `json:"valid"`
	// Summary describes a valid payload; it is nil for an invalid one.
	Summary *Summary `json:"summary"`
	// Diagnostics are the errors and warnings, sorted by position.
	Diagnostics Diagnostics `json:"diagnostics"`
}

// NewValidateResult returns the result of [Decode] (in and err) for the
// payload file: valid with its summary and warnings when in is not nil,
// invalid with the diagnostics of err otherwise. An err that is not
// [Diagnostics] (a file that cannot be read) becomes one error diagnostic
// for the file as a whole.
func NewValidateResult(file string, in *Integration, err error) ValidateResult {
	r := ValidateResult{Schema: ValidateSchema, File: file, Diagnostics: Diagnostics{}}
	var ds Diagnostics
	switch {
	case in != nil && err == nil:
		r.Valid = true
		s := in.Summary()
		r.Summary = &s
		ds = in.Warnings()
	case errors.As(err, &ds) && len(ds) > 0:
	case err != nil:
		ds = Diagnostics{{Pos: Position{File: file}, Message: err.Error()}}
	default:
		ds = Diagnostics{{Pos: Position{File: file}, Message: "no integration"}}
	}
	r.Diagnostics = append(r.Diagnostics, ds...)
	return r
}

// A Summary describes a valid integration in a few facts.
type Summary struct {
	AutoBootstrap      bool     `json:"autoBootstrap"`
	AuthenticationType AuthType `json:"authenticationType"`
	// Catalog is the governance catalog as Unity Catalog stores it.
	Catalog string `json:"catalog"`
	// DataSources counts the distinct data sources.
	DataSources  int  `json:"dataSources"`
	Audit        bool `json:"audit"`
	QueryHistory bool `json:"queryHistory"`
	// Fingerprint is [Integration.Fingerprint].
	Fingerprint string `json:"fingerprint"`
}

// Summary returns the summary of the integration.
func (in *Integration) Summary() Summary {
	c := &in.Config
	return Summary{AutoBootstrap: in.AutoBootstrap, AuthenticationType: c.AuthenticationType, Catalog: c.CatalogName(),
		DataSources: len(c.Sources()), Audit: c.Audit.Enabled, QueryHistory: c.Audit.Enabled && c.Audit.QueryHistory,
		Fingerprint: in.Fingerprint()}
}

// String returns the summary in one line: "manual setup, token auth,
// catalog immuta, 3 data sources, audit on (sha256:...)".
func (s Summary) String() string {
	setup := "manual setup"
	if s.AutoBootstrap {
		setup = "automatic setup"
	}
	auth := string(s.AuthenticationType) + " auth"
	switch s.AuthenticationType {
	case TokenAuth:
		auth = "token auth"
	case OAuthM2M:
		auth = "OAuth M2M auth"
	}
	sources := fmt.Sprintf("%d data sources", s.DataSources)
	if s.DataSources == 1 {
		sources = "1 data source"
	}
	audit := "audit off"
	if s.Audit {
		audit = "audit on"
		if s.QueryHistory {
			audit += " with query history"
		}
	}
	return fmt.Sprintf("%s (%s)", strings.Join([]string{setup, auth, "catalog " + s.Catalog, sources, audit}, ", "), s.Fingerprint)
}
