package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/lint"
)

type lintFlags struct {
	payload string
	kind    string
	format  string
	output  string
	lenient bool
}

func newLintCmd() *cobra.Command {
	var f lintFlags
	cmd := &cobra.Command{
		Use:   "lint SCRIPT... --payload PAYLOAD",
		Short: "Check a hand-edited setup script against its integration payload",
		Long: `lint parses each SQL SCRIPT (- reads standard input) and checks it against the
script that the integration payload PAYLOAD calls for: what it no longer does
(a governance object or a grant the service principal needs is gone, the
ownership hand-over or the tenant guard is missing), what it breaks (a DROP or
REVOKE outside a cleanup script, a privilege a securable does not take), and
what it exposes (the governance catalog granted to another principal). Each
diagnostic has a stable code, documented at
` + lint.HelpURL + `.

Formats: text (file:line:col: CODE message), json (versioned, with each
rule's name and help URL) and sarif (SARIF 2.1.0, for code scanning).

Exit status: 0 the scripts are clean; 1 a diagnostic, an invalid payload, or a
payload without a script of that kind; 2 a usage error or an input that
cannot be read.`,
		Example: `  # The bootstrap script, edited by hand, before a person runs it.
  ucbootstrap generate examples/payloads/manual-token.yaml -o bootstrap.sql
  ucbootstrap lint bootstrap.sql --payload examples/payloads/manual-token.yaml

  # A cleanup script, with the findings for code scanning.
  ucbootstrap lint --kind cleanup cleanup.sql --payload payload.yaml \
    --format sarif -o lint.sarif`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("lint needs at least one SQL SCRIPT, or - to read standard input")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLint(cmd, args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.payload, "payload", "", "the integration payload `PAYLOAD` the script was generated from (JSON or YAML; - for standard input)")
	addChoice(cmd, &f.kind, "kind", "bootstrap", "kind", "kind of script: "+orList(kindNames()), kindNames()...)
	addChoice(cmd, &f.format, "format", "text", "format", "output format: "+orList(lint.Formats), lint.Formats...)
	fl.StringVarP(&f.output, "output", "o", "", "write the diagnostics to the file `OUT`, atomically, instead of standard output")
	fl.BoolVar(&f.lenient, "lenient", false, "report unknown payload keys as warnings instead of errors")
	must(cmd.MarkFlagFilename("payload", payloadExts...))
	must(cmd.MarkFlagFilename("output", "txt", "json", "sarif"))
	cmd.ValidArgsFunction = func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return []cobra.Completion{"sql"}, cobra.ShellCompDirectiveFilterFileExt
	}
	return cmd
}

// check refuses a command line that cannot work.
func (f *lintFlags) check(scripts []string) error {
	if f.payload == "" {
		return usageErrorf("lint needs --payload PAYLOAD, the integration payload the script was generated from")
	}
	stdins := 0
	for _, p := range append([]string{f.payload}, scripts...) {
		if p == "-" {
			stdins++
		}
	}
	if stdins > 1 {
		return usageErrorf("only one input can be - (standard input): give the others as files")
	}
	inputs := []namedPath{{"the payload", f.payload}}
	for _, s := range scripts {
		inputs = append(inputs, namedPath{"the script", s})
	}
	return checkPaths(inputs, []namedPath{{"-o", f.output}})
}

func runLint(cmd *cobra.Command, scripts []string, f lintFlags) error {
	if err := f.check(scripts); err != nil {
		return err
	}
	// Read every input before reporting on any, so that an unreadable file
	// (exit code 2) is not hidden behind diagnostics.
	p, err := decodeFile(cmd.InOrStdin(), f.payload, f.lenient, noSecrets)
	if err != nil {
		return err
	}
	names := make([]string, len(scripts))
	srcs := make([][]byte, len(scripts))
	for i, path := range scripts {
		if names[i], srcs[i], err = readScript(cmd.InOrStdin(), path); err != nil {
			return err
		}
	}
	if err := diagnose(cmd.ErrOrStderr(), p); err != nil {
		return err
	}
	var diags []lint.Diagnostic
	for i := range scripts {
		ds, err := lint.Run(names[i], srcs[i], p.in, generator.Kind(f.kind))
		if err != nil {
			return &exitError{code: exitFindings, err: fmt.Errorf("ucbootstrap: %s: %w", p.name, err)}
		}
		diags = append(diags, ds...)
	}
	var out bytes.Buffer
	if err := lint.Write(&out, f.format, names, diags); err != nil {
		return inputErrorf("%v", err)
	}
	if err := writeOutput(cmd.OutOrStdout(), "-o", f.output, out.Bytes()); err != nil {
		return err
	}
	if len(diags) > 0 {
		return findings()
	}
	return nil
}

// readScript returns the bytes of the script at path, or of stdin when path
// is "-", with the name diagnostics should use.
func readScript(stdin io.Reader, path string) (string, []byte, error) {
	if path == "-" {
		data, err := io.ReadAll(stdin)
		if err != nil {
			return "", nil, inputErrorf("read standard input: %v: pass the script through a pipe or give its file", unwrapPath(err))
		}
		return stdinName, data, nil
	}
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return "", nil, inputErrorf("%s", openHint(path, "script", err))
	case fi.IsDir():
		return "", nil, inputErrorf("%s is a directory: give the SQL script files in it", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", nil, inputErrorf("read %s: %v: give a readable SQL script", path, unwrapPath(err))
	}
	return path, data, nil
}
