package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/lint"
)

type lintFlags struct {
	payload string
	from    string
	kind    string
	format  string
	output  string
	lenient bool
}

func newLintCmd() *cobra.Command {
	var f lintFlags
	cmd := &cobra.Command{
		Use:   "lint SCRIPT... [--payload PAYLOAD]",
		Short: "Check a hand-edited setup script against its integration payload",
		Long: `lint parses each SQL SCRIPT (- reads standard input) and checks it against the
script that the integration payload PAYLOAD calls for: what it no longer does
(a governance object or a grant the service principal needs is gone, the
ownership hand-over or the tenant guard is missing), what it breaks (a DROP or
REVOKE outside a cleanup script, a privilege a securable does not take), and
what it exposes (the governance catalog granted to another principal). Each
diagnostic has a stable code, documented at
` + lint.HelpURL + `.

Without --payload, lint runs the rules that need nothing but the script
(syntax, ineffective and inapplicable grants, legacy privilege names,
workspace-local groups, storage URIs, the read-only samples catalog) and says
on standard error which rules it skipped. With --kind cleanup, it also checks
that the script is a cleanup and still drops the governance catalog; with
--kind edit --from OLD, it compares the script with the edit script that the
change from the payload OLD to PAYLOAD calls for.

Formats: text (file:line:col: CODE message), json (versioned, with each
rule's name and help URL) and sarif (SARIF 2.1.0, for code scanning).

Exit status: 0 the scripts are clean; 1 a diagnostic, an invalid payload, or a
payload without a script of that kind; 2 a usage error or an input that
cannot be read.`,
		Example: `  # The bootstrap script, edited by hand, before a person runs it.
  ucbootstrap generate examples/payloads/manual-token.yaml -o bootstrap.sql
  ucbootstrap lint bootstrap.sql --payload examples/payloads/manual-token.yaml

  # Any script, without its payload: syntax and payload-free checks.
  ucbootstrap lint setup.sql

  # An edit script, against the change from the old payload.
  ucbootstrap lint --kind edit edit.sql --payload new.yaml --from old.yaml

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
	fl.StringVar(&f.payload, "payload", "", "the integration payload `PAYLOAD` the script was generated from (JSON or YAML; - for standard input); without it, only the checks that need no payload run")
	fl.StringVar(&f.from, "from", "", "with --kind edit, the payload `OLD` the metastore was set up with: the script is compared with the edit from OLD to PAYLOAD")
	addChoice(cmd, &f.kind, "kind", "bootstrap", "kind", "kind of script: "+orList(kindNames()), kindNames()...)
	addChoice(cmd, &f.format, "format", "text", "format", "output format: "+orList(lint.Formats), lint.Formats...)
	fl.StringVarP(&f.output, "output", "o", "", "write the diagnostics to the file `OUT`, atomically, instead of standard output")
	fl.BoolVar(&f.lenient, "lenient", false, "report unknown payload keys as warnings instead of errors")
	must(cmd.MarkFlagFilename("payload", payloadExts...))
	must(cmd.MarkFlagFilename("from", payloadExts...))
	must(cmd.MarkFlagFilename("output", "txt", "json", "sarif"))
	cmd.ValidArgsFunction = func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return []cobra.Completion{"sql"}, cobra.ShellCompDirectiveFilterFileExt
	}
	return cmd
}

// check refuses a command line that cannot work.
func (f *lintFlags) check(scripts []string) error {
	switch {
	case f.from != "" && f.kind != string(generator.Edit):
		return usageErrorf("--from is only for --kind edit, not %s: add --kind edit, or drop --from", f.kind)
	case f.from != "" && f.payload == "":
		return usageErrorf("--from needs --payload PAYLOAD, the new payload the edit script goes to")
	}
	inputs := append([]string{f.payload, f.from}, scripts...)
	stdins := 0
	for _, p := range inputs {
		if p == "-" {
			stdins++
		}
	}
	if stdins > 1 {
		return usageErrorf("only one input can be - (standard input): give the others as files")
	}
	var named []namedPath
	for _, in := range []namedPath{{"the payload", f.payload}, {"the old payload", f.from}} {
		if in.path != "" {
			named = append(named, in)
		}
	}
	for _, s := range scripts {
		named = append(named, namedPath{"the script", s})
	}
	return checkPaths(named, []namedPath{{"-o", f.output}})
}

func runLint(cmd *cobra.Command, scripts []string, f lintFlags) error {
	if err := f.check(scripts); err != nil {
		return err
	}
	// Read every input before reporting on any, so that an unreadable file
	// (exit code 2) is not hidden behind diagnostics.
	var p, old *payload
	var err error
	if f.payload != "" {
		if p, err = decodeFile(cmd.InOrStdin(), f.payload, f.lenient, noSecrets); err != nil {
			return err
		}
	}
	if f.from != "" {
		if old, err = decodeFile(cmd.InOrStdin(), f.from, f.lenient, noSecrets); err != nil {
			return err
		}
	}
	names := make([]string, len(scripts))
	srcs := make([][]byte, len(scripts))
	for i, path := range scripts {
		if names[i], srcs[i], err = readScript(cmd.InOrStdin(), path); err != nil {
			return err
		}
	}
	var payloads []*payload
	for _, x := range []*payload{p, old} {
		if x != nil {
			payloads = append(payloads, x)
		}
	}
	if err := diagnose(cmd.ErrOrStderr(), payloads...); err != nil {
		return err
	}
	var diags []lint.Diagnostic
	for i := range scripts {
		var ds []lint.Diagnostic
		var err error
		switch {
		case p == nil:
			ds, _ = lint.RunWithoutPayload(names[i], srcs[i])
		case old != nil:
			ds, err = lint.RunEdit(names[i], srcs[i], p.in, old.in)
		default:
			ds, err = lint.Run(names[i], srcs[i], p.in, generator.Kind(f.kind))
		}
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
	if p == nil {
		fmt.Fprintln(cmd.ErrOrStderr(), skippedLine(lint.Skipped()))
	}
	if len(diags) > 0 {
		return findings()
	}
	return nil
}

// skippedLine says in one line which rules lint skipped without a payload,
// and why.
func skippedLine(rules []*lint.Rule) string {
	list := make([]string, len(rules))
	why := ""
	for i, r := range rules {
		list[i] = r.Code + " " + r.Name
		if r.Code == "UCB009" {
			why = " (UCB009 needs the service principal's application ID: without it a display name cannot be told from a group's name)"
		}
	}
	return "ucbootstrap: without --payload, skipped " + strings.Join(list, ", ") +
		": they compare the script with its payload" + why + "; give --payload PAYLOAD to run them"
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
