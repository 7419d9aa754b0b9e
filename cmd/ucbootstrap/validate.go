package main

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"
	"github.com/ucbootstrap/ucbootstrap"
)

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

--format json prints one object of the schema ` + ucbootstrap.ValidateSchema + ` on
standard output instead, valid or not, and for a file that cannot be read
too (with exit status 2):

  {"schema", "file", "valid", "summary": {"autoBootstrap",
   "authenticationType", "catalog", "dataSources", "audit", "queryHistory",
   "fingerprint"} or null, "diagnostics": [{"pos": {"file", "line", "col"},
   "severity", "field", "message", "hint"}]}`,
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
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	p, err := decodeFile(cmd.InOrStdin(), path, f.lenient, extra...)
	if err != nil {
		if f.format == "json" {
			// Valid or not, and readable or not: one object.
			name := path
			if path == "-" {
				name = stdinName
			}
			// The message in the object is the diagnostic's, without the
			// command's prefix that stderr shows.
			msg := errors.New(strings.TrimPrefix(err.Error(), "ucbootstrap: "))
			if werr := writeJSON(stdout, ucbootstrap.NewValidateResult(name, nil, msg)); werr != nil {
				return werr
			}
		}
		return err
	}
	if f.live.on && p.in != nil {
		return runValidateLive(cmd, p, f)
	}
	switch {
	case f.format == "json":
		var derr error
		if p.in == nil {
			derr = p.diags
		}
		if err := writeJSON(stdout, ucbootstrap.NewValidateResult(p.name, p.in, derr)); err != nil {
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
	return name + ": valid: " + in.Summary().String()
}
