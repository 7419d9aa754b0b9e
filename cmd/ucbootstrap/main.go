package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

// The exit codes; see the package documentation.
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
)

// run executes the command line args with the given standard streams and
// returns the exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdin, stdout, stderr)
}

// runContext is run with a context: when it ends, a live command stops as
// on Ctrl-C.
func runContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if args == nil {
		args = []string{} // cobra reads os.Args when SetArgs is given nil
	}
	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	return report(stderr, cmd, err)
}

// newRootCmd returns the ucbootstrap command with its subcommands, wired to
// the given streams.
func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "ucbootstrap",
		Short: "Check Databricks Unity Catalog integration payloads, generate their setup SQL, audit their privileges",
		Long: `ucbootstrap checks the payload of a Databricks Unity Catalog integration (the
JSON or YAML body of the integrations API), generates its setup SQL scripts
(bootstrap, prerequisites, edit and cleanup), audits the privileges a
metastore grants against what the integration needs (from listings, or live
from the workspace), and lints hand-edited setup scripts.

FILE is a payload file, or - for standard input. Flags may come before or
after FILE.

Exit status: 0 success; 1 an invalid payload, a script that cannot be
generated, or an audit that finds something missing or exposed; 2 a usage
error, or a file that cannot be read or written.`,
		Example: `  ucbootstrap validate examples/payloads/manual-token.yaml
  ucbootstrap generate examples/payloads/manual-token.yaml -o bootstrap.sql
  ucbootstrap audit examples/payloads/manual-token.yaml \
    --grants examples/grants/manual-token/passing/show-grants.csv \
    --owners examples/grants/manual-token/passing/owners.csv
  ucbootstrap lint bootstrap.sql --payload examples/payloads/manual-token.yaml`,
		Version:               version(),
		SilenceUsage:          true,
		SilenceErrors:         true,
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageErrorf("missing command: use validate, generate, audit, lint, grants, apply or serve")
		},
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newValidateCmd(), newGenerateCmd(), newAuditCmd(), newGrantsCmd(), newLintCmd(), newApplyCmd(), newServeCmd())
	return root
}

// version returns the version of the binary from its build information;
// see versionOf.
func version() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(bi)
}

// versionOf returns the module version the binary was built from (a
// release, or the pseudo-version go build stamps from the VCS), or, for a
// binary built without one (go run, a test), "devel" with the VCS revision
// and whether the tree was modified, when known; and the Go version.
func versionOf(bi *debug.BuildInfo) string {
	if bi == nil {
		return "devel"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" {
			v += " " + rev[:min(12, len(rev))]
			if modified == "true" {
				v += " (modified)"
			}
		}
	}
	if bi.GoVersion != "" {
		v += ", " + bi.GoVersion
	}
	return v
}

// An exitError ends a command with an exit code. Its err, when not nil, is
// printed on standard error; a nil err means the command has already said
// what went wrong.
type exitError struct {
	code  int
	err   error
	usage bool // also point to --help
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageErrorf returns a usage error (exit code 2) whose message says how to
// fix the command line.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf("ucbootstrap: "+format, args...), usage: true}
}

// inputErrorf returns an error for input that cannot be read or output that
// cannot be written (exit code 2).
func inputErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf("ucbootstrap: "+format, args...)}
}

// findings returns the error of a command that found problems and has
// printed them (exit code 1).
func findings() error { return &exitError{code: exitFindings} }

// report prints err on stderr and returns its exit code. Errors that are
// not an *exitError come from cobra itself (an unknown command or flag, a
// bad flag value) and are usage errors.
func report(stderr io.Writer, cmd *cobra.Command, err error) int {
	var e *exitError
	if !errors.As(err, &e) {
		msg := strings.TrimRight(err.Error(), "\n")
		e = &exitError{code: exitUsage, err: errors.New("ucbootstrap: " + msg), usage: true}
	}
	if e.err != nil {
		fmt.Fprintln(stderr, e.err)
	}
	if e.usage && cmd != nil {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return e.code
}
