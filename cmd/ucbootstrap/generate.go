package main

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
)

type generateFlags struct {
	kind         string
	from         string
	revokeGrants bool
	runner       string
	lenient      bool
	format       string
	output       string
}

func newGenerateCmd() *cobra.Command {
	var f generateFlags
	cmd := &cobra.Command{
		Use:   "generate FILE",
		Short: "Generate a setup SQL script from an integration payload",
		Long: `generate decodes and checks an integration payload (JSON or YAML; - reads
standard input) and writes one of its setup scripts:

  bootstrap      with manual setup (autoBootstrap: false), everything a person
                 runs; with automatic setup, what the service principal runs
                 itself (the default)
  prerequisites  automatic setup only: the grants an admin gives the service
                 principal first
  edit           from the payload the metastore was set up with (--from
                 OLD_FILE, required) to FILE
  cleanup        drops the governance catalog; --revoke-grants also revokes the
                 service principal's grants

The script goes to standard output, or to OUT with -o. OUT is replaced
atomically, and left as it was when the payload is invalid or the script
cannot be generated. Warnings go to standard error.`,
		Example: `  # The manual setup script, for a person to run in a SQL editor.
  ucbootstrap generate examples/payloads/manual-token.yaml -o bootstrap.sql

  # The cleanup script, also revoking the service principal's grants.
  ucbootstrap generate --kind cleanup --revoke-grants examples/payloads/manual-token.yaml

  # The grants and revokes that take the metastore from the old payload to
  # the new one.
  ucbootstrap generate --kind edit --from examples/payloads/manual-token.yaml new.yaml

  # The script as JSON, each statement with its section and purpose.
  ucbootstrap generate --format json examples/payloads/manual-token.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runGenerate(cmd, args[0], f)
		},
	}
	oneFile(cmd)
	fl := cmd.Flags()
	addChoice(cmd, &f.kind, "kind", string(generator.Bootstrap), "kind", "kind of script: "+orList(kindNames()), kindNames()...)
	fl.StringVar(&f.from, "from", "", "with --kind edit, the payload `OLD_FILE` the metastore was set up with (- for standard input)")
	fl.BoolVar(&f.revokeGrants, "revoke-grants", false, "with --kind cleanup, also revoke the service principal's grants")
	fl.StringVar(&f.runner, "runner", "", "with --kind cleanup, hand the governance catalog to `PRINCIPAL` (the person who runs the script, as grants name them) before the DROP, which needs ownership or MANAGE")
	fl.BoolVar(&f.lenient, "lenient", false, "report unknown keys as warnings instead of errors")
	addChoice(cmd, &f.format, "format", "sql", "format", "output format: sql or json", "sql", "json")
	fl.StringVarP(&f.output, "output", "o", "", "write the script to the file `OUT`, atomically, instead of standard output")
	must(cmd.MarkFlagFilename("from", payloadExts...))
	must(cmd.MarkFlagFilename("output", "sql", "json"))
	return cmd
}

func kindNames() []string {
	names := make([]string, len(generator.Kinds))
	for i, k := range generator.Kinds {
		names[i] = string(k)
	}
	return names
}

// must panics on an error that only a programming mistake can cause.
func must(err error) {
	if err != nil {
		panic(err)
	}
}

// check refuses flags that do not go with the kind of script.
func (f *generateFlags) check(path string) error {
	kind := generator.Kind(f.kind)
	switch {
	case kind == generator.Edit && f.from == "":
		return usageErrorf("--kind edit needs --from OLD_FILE, the payload the metastore was set up with")
	case kind != generator.Edit && f.from != "":
		return usageErrorf("--from is only for --kind edit, not %s: add --kind edit, or drop --from", kind)
	case kind != generator.Cleanup && f.revokeGrants:
		return usageErrorf("--revoke-grants is only for --kind cleanup, not %s: add --kind cleanup, or drop --revoke-grants", kind)
	case kind != generator.Cleanup && f.runner != "":
		return usageErrorf("--runner is only for --kind cleanup, not %s: add --kind cleanup, or drop --runner", kind)
	case path == "-" && f.from == "-":
		return usageErrorf("FILE and --from cannot both be - (standard input): give one of them as a file")
	}
	inputs := []namedPath{{"the payload", path}}
	if f.from != "" {
		inputs = append(inputs, namedPath{"the payload --from", f.from})
	}
	return checkPaths(inputs, []namedPath{{"-o", f.output}})
}

func runGenerate(cmd *cobra.Command, path string, f generateFlags) error {
	if err := f.check(path); err != nil {
		return err
	}
	// Read every input before reporting on any, so that an unreadable
	// file (exit code 2) is not hidden behind the other one's diagnostics.
	p, err := decodeFile(cmd.InOrStdin(), path, f.lenient, noSecrets)
	if err != nil {
		return err
	}
	payloads := []*payload{p}
	if f.from != "" {
		old, err := decodeFile(cmd.InOrStdin(), f.from, f.lenient, noSecrets)
		if err != nil {
			return err
		}
		payloads = append(payloads, old)
	}
	if err := diagnose(cmd.ErrOrStderr(), payloads...); err != nil {
		return err
	}
	var opts []generator.Option
	if f.from != "" {
		opts = append(opts, generator.From(payloads[1].in))
	}
	if f.revokeGrants {
		opts = append(opts, generator.RevokeGrants())
	}
	if f.runner != "" {
		opts = append(opts, generator.Runner(f.runner))
	}
	data, err := generate(p.in, generator.Kind(f.kind), f.format, opts)
	if err != nil {
		return err
	}
	return writeOutput(cmd.OutOrStdout(), "-o", f.output, data)
}

// generate returns the script of the integration, rendered in format. The
// whole script is rendered before anything is written, so that a failure
// writes nothing.
func generate(in *ucbootstrap.Integration, kind generator.Kind, format string, opts []generator.Option) ([]byte, error) {
	script, err := generator.Generate(in, kind, opts...)
	if err != nil {
		return nil, generateError(in.File(), err)
	}
	if format == "json" {
		return marshalJSON(script)
	}
	var b bytes.Buffer
	if err := script.Render(&b); err != nil {
		return nil, generateError(in.File(), err)
	}
	return b.Bytes(), nil
}

// generateError reports why the script of the payload file cannot be
// generated, one reason a line (errors.Join gives several), each naming
// the file. The generator's messages say which script they are about.
func generateError(file string, err error) error {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	lines := make([]error, len(errs))
	for i, e := range errs {
		lines[i] = fmt.Errorf("ucbootstrap: %s: %w", file, e)
	}
	return &exitError{code: exitFindings, err: errors.Join(lines...)}
}
