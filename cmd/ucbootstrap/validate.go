package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/ucbootstrap/ucbootstrap"
)

// validateSchema versions the JSON output of validate.
const validateSchema = "ucbootstrap.validate/v1"

type validateFlags struct {
	lenient bool
	format  string
	live    validateLiveFlags
}

func newValidateCmd() *cobra.Command {
	var f validateFlags
	cmd := &cobra.Command{
		Use:   "validate FILE",
		Short: "Check an integration payload and print its diagnostics",
		Long: `validate decodes an integration payload (JSON or YAML; - reads standard input)
and checks it.

A valid payload gives one summary line on standard output and its warnings,
if any, on standard error. An invalid one gives every diagnostic on standard
error, one a line as file:line:col: field: message (hint), then the count of
errors, and exits with status 1.

--format json prints one object of the schema ` + validateSchema + ` on
standard output instead, valid or not.`,
		Example: `  # Check a payload.
  ucbootstrap validate examples/payloads/manual-token.yaml

  # Check a payload read from standard input, as JSON for a CI step.
  cat examples/payloads/manual-token.yaml | ucbootstrap validate - --format json

  # Accept keys this version does not know, as warnings.
  ucbootstrap validate --lenient examples/payloads/manual-token.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runValidate(cmd, args[0], f)
		},
	}
	oneFile(cmd)
	cmd.Flags().BoolVar(&f.lenient, "lenient", false, "report unknown keys as warnings instead of errors")
	addChoice(cmd, &f.format, "format", "text", "format", "output format: text or json", "text", "json")
	addValidateLiveFlags(cmd, &f.live)
	return cmd
}

func runValidate(cmd *cobra.Command, path string, f validateFlags) error {
	if err := f.live.check(cmd); err != nil {
		return err
	}
	var extra []ucbootstrap.Option
	if f.live.on {
		extra = secretsFromEnv()
	}
	p, err := decodeFile(cmd.InOrStdin(), path, f.lenient, extra...)
	if err != nil {
		return err
	}
	if f.live.on && p.in != nil {
		return runValidateLive(cmd, p, f)
	}
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	switch {
	case f.format == "json":
		if err := writeValidateJSON(stdout, p); err != nil {
			return err
		}
		if p.in == nil {
			return findings()
		}
		return nil
	case p.in == nil:
		return p.invalid(stderr)
	}
	printDiagnostics(stderr, p.diags)
	return writeOutput(stdout, "", "", []byte(summary(p.name, p.in)+"\n"))
}

// summary returns the line that describes a valid payload, such as
// "a.yaml: valid: manual setup, token auth, catalog immuta, 3 data sources,
// audit on (sha256:...)".
func summary(name string, in *ucbootstrap.Integration) string {
	c := &in.Config
	setup := "manual setup"
	if in.AutoBootstrap {
		setup = "automatic setup"
	}
	audit := "audit off"
	if c.Audit.Enabled {
		audit = "audit on"
		if c.Audit.QueryHistory {
			audit += " with query history"
		}
	}
	parts := []string{setup, authName(c.AuthenticationType), "catalog " + c.CatalogName(),
		plural(len(c.Sources()), "data source"), audit}
	return fmt.Sprintf("%s: valid: %s (%s)", name, strings.Join(parts, ", "), in.Fingerprint())
}

func authName(t ucbootstrap.AuthType) string {
	switch t {
	case ucbootstrap.TokenAuth:
		return "token auth"
	case ucbootstrap.OAuthM2M:
		return "OAuth M2M auth"
	}
	return string(t) + " auth"
}

// validateReport is the JSON output of validate. Every field is always
// present: fingerprint is "" for an invalid payload, diagnostics [] when
// there are none.
type validateReport struct {
	Schema      string           `json:"schema"`
	File        string           `json:"file"`
	Valid       bool             `json:"valid"`
	Fingerprint string           `json:"fingerprint"`
	Diagnostics []diagnosticJSON `json:"diagnostics"`
}

// diagnosticJSON is a ucbootstrap.Diagnostic in the JSON output; line and
// col are 0 when unknown.
type diagnosticJSON struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Severity string `json:"severity"`
	Field    string `json:"field"`
	Message  string `json:"message"`
	Hint     string `json:"hint"`
}

func writeValidateJSON(w io.Writer, p *payload) error {
	r := validateReport{Schema: validateSchema, File: p.name, Valid: p.in != nil, Diagnostics: []diagnosticJSON{}}
	if p.in != nil {
		r.Fingerprint = p.in.Fingerprint()
	}
	for _, d := range p.diags {
		r.Diagnostics = append(r.Diagnostics, diagnosticJSON{
			File: d.Pos.File, Line: d.Pos.Line, Col: d.Pos.Col, Severity: d.Severity.String(),
			Field: d.Field, Message: d.Message, Hint: d.Hint,
		})
	}
	return writeJSON(w, r)
}
