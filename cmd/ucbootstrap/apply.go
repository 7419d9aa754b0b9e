package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/apply"
	"github.com/ucbootstrap/ucbootstrap/databricks"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/lint"
	"github.com/ucbootstrap/ucbootstrap/liveaudit"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/sqlexec"
)

type applyFlags struct {
	kind         string
	from         string
	script       string
	dryRun       bool
	record       string
	resume       bool
	force        bool
	revokeGrants bool
	via          string
	rules        string
	lenient      bool
	liveFlags
}

func newApplyCmd() *cobra.Command {
	var f applyFlags
	cmd := &cobra.Command{
		Use:   "apply FILE [--kind bootstrap|prerequisites|edit|cleanup] [--from OLD] [--script SCRIPT] [--dry-run] [--record RECORD] [--resume] [--concurrency N]",
		Short: "Run a setup script on the payload's workspace, with a record to resume from, and audit the result",
		Long: `apply runs the script of --kind (bootstrap by default) that ucbootstrap
generate makes for the payload FILE, on the payload's SQL warehouse or
cluster, and then audits the result live.

Whose credentials: the bootstrap of an automatic setup (autoBootstrap: true)
runs as the service principal, with the payload's credentials. Every other
script (a manual bootstrap, the prerequisites, an edit, a cleanup) is run by
a person, with that person's credentials from the environment:
DATABRICKS_TOKEN, or DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET
(DATABRICKS_HOST defaults to the payload's workspace); the service
principal's own are refused. Whom the credentials belong to is asked (SCIM
Me) before anything runs. A cleanup run by a metastore admin who does not own
the catalog first hands the catalog to that admin (DROP CATALOG needs
ownership). After an edit, the service principal records the new payload's
fingerprint in the catalog, with the payload's credentials.

Before the first statement the script is linted and the validation tests run
(with the payload's credentials); a failure stops the run unless --force,
which is recorded. --script runs a hand-edited script instead, linted against
the generated one. --dry-run prints the statements it would run, in order,
and runs none.

The record: every statement's hash, the cumulative hash of the script up to
it, its statement ID, state, error and times, written as the run goes to
--record (JSON Lines; by default FILE's name with .<kind>.record.jsonl, in
the current directory) and into the governance catalog's run ledger table.
--resume goes on from the record: what succeeded does not run again, a
statement that was submitted and had not ended is attached to by its
statement ID, and a record whose statements that ran no longer match the
script is refused. Every generated statement is idempotent, so running again
from the top is safe too. A run holds a lock on its record until it ends (the
lock goes with the process, however it ends): a second run on the same
record is refused.

Independent statements of a section run at once, up to --concurrency;
every order the script needs is kept (catalog before schema before its
tables and functions, grants after what they are on, the guards alone, the
hand-over of the catalog last, its children first).

Progress is shown on a terminal. Ctrl-C cancels the running statements,
keeps the record and prints the command that resumes. A failure names the
statement's file:line:col (in the script ucbootstrap generate prints, or
--script), the server's error code and message, and what ran and what did
not. After the script the live audit runs (--via picks its path) and its
report is printed; after a cleanup, the check that the catalog is gone.

Exit status: 0 the script ran and the audit passes; 1 a statement failed, the
pre-flight or the audit failed, the run was interrupted, or another run holds
the record; 2 a usage error.`,
		Example: `  # What would run, without running it.
  DATABRICKS_TOKEN=... ucbootstrap apply payload.yaml --dry-run

  # A metastore admin runs the bootstrap of a manual setup.
  DATABRICKS_TOKEN=<admin's token> ucbootstrap apply payload.yaml --record bootstrap.jsonl

  # After a failure is fixed, go on where it stopped.
  DATABRICKS_TOKEN=<admin's token> ucbootstrap apply payload.yaml --record bootstrap.jsonl --resume

  # Automatic setup: an admin runs the prerequisites, then the service
  # principal (the payload's credentials) its bootstrap.
  DATABRICKS_TOKEN=<admin's token> ucbootstrap apply payload.yaml --kind prerequisites
  ucbootstrap apply payload.yaml

  # Edit, then clean up.
  DATABRICKS_TOKEN=<admin's token> ucbootstrap apply new.yaml --kind edit --from old.yaml
  DATABRICKS_TOKEN=<admin's token> ucbootstrap apply new.yaml --kind cleanup --revoke-grants`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runApply(cmd, args[0], f)
		},
	}
	oneFile(cmd)
	fl := cmd.Flags()
	addChoice(cmd, &f.kind, "kind", string(generator.Bootstrap), "kind", "the script to run: "+orList(kindNames()), kindNames()...)
	fl.StringVar(&f.from, "from", "", "the old payload `OLD` of an edit (--kind edit)")
	fl.StringVar(&f.script, "script", "", "run the hand-edited `SCRIPT` instead of the generated script (linted against it)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print the statements that would run, in order, and run none")
	fl.StringVar(&f.record, "record", "", "keep the run's record in `RECORD` (JSON Lines; default FILE.<kind>.record.jsonl in the current directory)")
	fl.BoolVar(&f.resume, "resume", false, "go on from the record: what succeeded does not run again")
	fl.BoolVar(&f.force, "force", false, "run even when the lint or the validation tests fail (recorded)")
	fl.BoolVar(&f.revokeGrants, "revoke-grants", false, "the cleanup also revokes the service principal's grants")
	addChoice(cmd, &f.via, "via", string(liveaudit.Auto), "path", "the live audit's path: auto (the warehouse when httpPath names one), rest or sql", "auto", "rest", "sql")
	addChoice(cmd, &f.rules, "rules", string(privileges.Current), "rules", "the audit's rule set: current or owner-model", "current", "owner-model")
	fl.BoolVar(&f.lenient, "lenient", false, "report unknown payload keys as warnings instead of errors")
	addLiveFlags(cmd, &f.liveFlags)
	fl.Lookup("deadline").Usage = "the time the whole run may take (`D`, such as 30m; 0 for no limit): then, as on Ctrl-C, the running statements are cancelled, the record is kept and the command that resumes is printed"
	c := fl.Lookup("concurrency")
	c.Usage = "at most `N` statements in flight at a time (and requests of the audit)"
	c.DefValue = strconv.Itoa(apply.DefaultConcurrency)
	f.concurrency = apply.DefaultConcurrency
	return cmd
}

// recordPath returns the record file: --record, or the payload's name
// with .<kind>.record.jsonl in the current directory.
func (f applyFlags) recordPath(payload string) string {
	if f.record != "" {
		return f.record
	}
	base := "stdin"
	if payload != "-" {
		base = strings.TrimSuffix(filepath.Base(payload), filepath.Ext(payload))
	}
	return base + "." + f.kind + ".record.jsonl"
}

func runApply(cmd *cobra.Command, path string, f applyFlags) error {
	if err := f.check(); err != nil {
		return err
	}
	kind := generator.Kind(f.kind)
	switch {
	case kind == generator.Edit && f.from == "":
		return usageErrorf("--kind edit needs --from OLD, the payload the integration was set up with")
	case kind != generator.Edit && f.from != "":
		return usageErrorf("--from is for --kind edit")
	case kind != generator.Cleanup && f.revokeGrants:
		return usageErrorf("--revoke-grants is for --kind cleanup")
	case f.record == "-":
		return usageErrorf("--record needs a file: the record is appended to as the run goes")
	case path == "-" && (f.from == "-" || f.script == "-"):
		return usageErrorf("only one input can be - (standard input): give the others as files")
	}
	record := f.recordPath(path)
	inputs := []namedPath{{"the payload", path}}
	if f.from != "" {
		inputs = append(inputs, namedPath{"the old payload --from", f.from})
	}
	if f.script != "" {
		inputs = append(inputs, namedPath{"the script --script", f.script})
	}
	var outputs []namedPath
	if !f.dryRun {
		outputs = append(outputs, namedPath{"--record", record})
	}
	if err := checkPaths(inputs, outputs); err != nil {
		return err
	}
	stderr := cmd.ErrOrStderr()
	person := apply.Person
	p, err := decodeFile(cmd.InOrStdin(), path, f.lenient, ucbootstrap.ExternalSecrets())
	if err != nil {
		return err
	}
	var old *payload
	if f.from != "" {
		if old, err = decodeFile(cmd.InOrStdin(), f.from, f.lenient, ucbootstrap.ExternalSecrets()); err != nil {
			return err
		}
	}
	payloads := []*payload{p}
	if old != nil {
		payloads = append(payloads, old)
	}
	if err := diagnose(stderr, payloads...); err != nil {
		return err
	}
	who := apply.RunsAs(p.in, kind)
	opts := apply.Options{
		Integration:      p.in,
		Kind:             kind,
		RevokeGrants:     f.revokeGrants,
		Force:            f.force,
		DryRun:           f.dryRun,
		InsecureLoopback: f.insecureLoopback,
		RequestTimeout:   f.timeout,
		// The pre-flight's advice names the flags that give more time.
		TimeoutSetting:        "--deadline",
		RequestTimeoutSetting: "--timeout",
		Concurrency:           f.concurrency,
		Audit:                 liveaudit.Options{Via: liveaudit.Via(f.via), Concurrency: f.concurrency},
		Requirements:          []privileges.Option{privileges.Rules(privileges.RuleSet(f.rules))},
	}
	if f.deadline > 0 {
		opts.SQL = sqlexec.Options{Timeout: f.deadline, StartTimeout: f.deadline}
	}
	if old != nil {
		opts.From = old.in
	}
	if who == person {
		cfg, err := runnerConfig(p.in, os.Getenv)
		if err != nil {
			return usageErrorf("the %s script is run by a person (%s), with that person's credentials: %v", kind, runAs(p.in, kind), err)
		}
		opts.Runner = &cfg
	} else {
		opts.PayloadEnv = os.Getenv
	}
	if f.script != "" {
		name, src, err := readScript(cmd.InOrStdin(), f.script)
		if err != nil {
			return err
		}
		opts.Source = &apply.Source{Name: name, SQL: src}
	}
	if f.force {
		fmt.Fprintln(stderr, "ucbootstrap: warning: --force: the run goes on whatever the lint and the validation tests say; what they let through is recorded")
	}
	var ledger *apply.FileLedger
	if !f.dryRun {
		var prev *apply.Record
		ledger, prev, err = apply.OpenFile(record)
		switch {
		case errors.Is(err, apply.ErrRecordInUse):
			return &exitError{code: exitFindings, err: fmt.Errorf("ucbootstrap: the record %s is in use by another ucbootstrap apply, which holds a lock on it until it ends: wait for that run to end (then --resume goes on from its record), or give this run another --record", record)}
		case err != nil:
			return inputErrorf("%v", err)
		}
		defer ledger.Close()
		opts.Ledger = ledger
		switch {
		case f.resume && prev == nil:
			return inputErrorf("--resume: the record %s is empty: there is nothing to resume; run without --resume", record)
		case f.resume:
			opts.Previous, opts.Resume = prev, true
		case prev != nil && (prev.End == nil || prev.End.State != apply.RunSucceeded) && prev.Kind == kind:
			fmt.Fprintf(stderr, "ucbootstrap: note: %s holds a run that did not end well; this run starts from the top (safe: every statement is idempotent); --resume would go on from it\n", record)
		}
	} else if f.resume {
		prev, err := readRecord(record)
		if err != nil {
			return err
		}
		opts.Previous, opts.Resume = prev, true
	}
	ctx, reason, stop := f.liveContext(cmd.Context())
	defer stop()
	progress := isTerminal(stderr)
	if progress {
		opts.Progress = func(ev apply.Event) {
			line := fmt.Sprintf("\rucbootstrap: %d of %d statements", ev.Done, ev.Total)
			if ev.Section != 0 {
				line += " (" + ev.Section.Key() + ")"
			}
			line += fmt.Sprintf(", %d running, %s", ev.Running, ev.Elapsed.Round(100*time.Millisecond))
			if ev.Message != "" {
				line += ": " + ev.Message
			}
			fmt.Fprintf(stderr, "%-100s", line)
		}
	}
	res, err := apply.Run(ctx, opts)
	if progress {
		fmt.Fprintf(stderr, "\r%-100s\r", "")
	}
	resume := resumeCommand(path, f, record)
	if res != nil {
		// The lint's errors are said once: among the reasons of a
		// refused pre-flight, or as forced past.
		for _, d := range res.Lint {
			if d.Severity != lint.SeverityError {
				fmt.Fprintln(stderr, "ucbootstrap: lint: "+d.String())
			}
		}
		for _, why := range res.Forced {
			fmt.Fprintln(stderr, "ucbootstrap: warning: forced past "+why)
		}
	}
	if err != nil {
		err = applyError(stderr, p, err, res, record, resume, commandLine(path, f, record), f.resume, reason)
		if res != nil {
			for _, n := range res.Notes {
				fmt.Fprintln(stderr, "ucbootstrap: note: "+n)
			}
		}
		return err
	}
	if f.dryRun {
		return writeOutput(cmd.OutOrStdout(), "", "", dryRunText(res))
	}
	return applyReport(cmd.OutOrStdout(), stderr, res, record, f.concurrency)
}

// check refuses flag values that cannot work.
func (f applyFlags) check() error {
	if f.dryRun && f.force {
		return usageErrorf("--dry-run runs nothing: --force has nothing to force")
	}
	return f.liveFlags.check()
}

// runnerConfig returns the connection of the person who runs a script:
// DATABRICKS_TOKEN, or DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET;
// DATABRICKS_HOST, or the payload's workspace and port.
func runnerConfig(in *ucbootstrap.Integration, getenv func(string) string) (databricks.Config, error) {
	// The payload's credentials are the service principal's, refused
	// here: the messages name the environment only.
	switch token, id := getenv("DATABRICKS_TOKEN"), getenv("DATABRICKS_CLIENT_ID"); {
	case token == "" && id == "":
		return databricks.Config{}, errors.New("no credentials in the environment: set DATABRICKS_TOKEN to that person's token, or DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET to that person's OAuth client (the payload's credentials are the service principal's)")
	case token == "" && getenv("DATABRICKS_CLIENT_SECRET") == "":
		return databricks.Config{}, errors.New("DATABRICKS_CLIENT_ID is set and DATABRICKS_CLIENT_SECRET is not: set it to the secret of that person's OAuth client")
	}
	host := strings.TrimSpace(getenv("DATABRICKS_HOST"))
	env := func(k string) string {
		if k == "DATABRICKS_HOST" && host == "" {
			return in.Config.Host()
		}
		return getenv(k)
	}
	cfg, err := databricks.ConfigFrom(nil, env)
	if err != nil {
		return cfg, errors.New(strings.TrimPrefix(err.Error(), "databricks: "))
	}
	if host == "" {
		cfg.Port = in.Config.Port
	}
	return cfg, nil
}

// runAs says who runs a script, from its header.
func runAs(in *ucbootstrap.Integration, kind generator.Kind) string {
	if s, err := generator.Generate(in, kind); err == nil {
		return s.RunAs
	}
	return "see the script's header"
}

// readRecord reads a record file for a dry run of a resume.
func readRecord(path string) (*apply.Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, inputErrorf("--resume: %s", openHint(path, "record", err))
	}
	defer f.Close()
	rec, err := apply.ReadRecord(f)
	switch {
	case err != nil:
		return nil, inputErrorf("%v", err)
	case rec == nil:
		return nil, inputErrorf("--resume: the record %s is empty: there is nothing to resume", path)
	}
	return rec, nil
}

// resumeCommand is the command line that resumes the run.
func resumeCommand(path string, f applyFlags, record string) string {
	return commandLine(path, f, record) + " --resume"
}

// commandLine is the command line of the run, without --resume.
func commandLine(path string, f applyFlags, record string) string {
	args := []string{"ucbootstrap", "apply", shellQuote(path)}
	if f.kind != string(generator.Bootstrap) {
		args = append(args, "--kind", f.kind)
	}
	if f.from != "" {
		args = append(args, "--from", shellQuote(f.from))
	}
	if f.script != "" {
		args = append(args, "--script", shellQuote(f.script))
	}
	if f.revokeGrants {
		args = append(args, "--revoke-grants")
	}
	if f.insecureLoopback {
		args = append(args, "--insecure-loopback")
	}
	args = append(args, "--record", shellQuote(record))
	return strings.Join(args, " ")
}

// shellQuote quotes a word for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:@+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// applyError prints what stopped a run and returns its exit error.
func applyError(w io.Writer, p *payload, err error, res *apply.Result, record, resume, rerun string, resuming bool, reason func() string) error {
	var (
		ie *apply.IdentityError
		pe *apply.PreflightError
		re *apply.ResumeError
		se *apply.StatementError
		ir *apply.InterruptedError
	)
	switch {
	case errors.As(err, &ie):
		return &exitError{code: exitFindings, err: fmt.Errorf("ucbootstrap: %s", strings.TrimPrefix(err.Error(), "apply: "))}
	case errors.As(err, &pe):
		fmt.Fprintln(w, "ucbootstrap: the pre-flight failed; nothing ran (--force runs anyway):")
		for _, why := range pe.Reasons() {
			fmt.Fprintln(w, "  "+why)
		}
		return findings()
	case errors.As(err, &re):
		return &exitError{code: exitFindings, err: fmt.Errorf("ucbootstrap: %s: %s", record, strings.TrimPrefix(err.Error(), "apply: "))}
	case errors.As(err, &se):
		st := se.Statement
		msg := strings.TrimPrefix(se.Err.Error(), "sqlexec: ")
		msg = strings.TrimPrefix(msg, st.Pos.String()+": ")
		if x := se.SQL(); x != nil {
			code := x.Code
			if code == "" {
				code = "none"
			}
			msg = fmt.Sprintf("error code %s: %s", code, x.Message)
			if x.Unknown {
				msg += " (outcome unknown: it may have taken effect)"
			}
		}
		fmt.Fprintf(w, "ucbootstrap: %s: statement %d of %d (%s) failed: %s\n", st.Pos, st.Index+1, se.Total, st.Section.Key(), msg)
		fmt.Fprintf(w, "  %s;\n", indent(st.SQL, "  "))
		var failed []int
		if res != nil && res.Record != nil {
			for _, r := range res.Record.Statements {
				if r.State == apply.Failed {
					failed = append(failed, r.Index)
				}
			}
		}
		fmt.Fprintf(w, "ucbootstrap: %d of %d statements have succeeded; failed: %s; did not run: %s%s\n", se.Ran, se.Total, ranges(failed), ranges(se.NotRun), unknownText(se.Unknown))
		fmt.Fprintf(w, "ucbootstrap: the record is in %s; once the cause is fixed, go on with:\n  %s\n", record, resume)
		return findings()
	case errors.As(err, &ir):
		why := err.Error()
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			why = reason()
		}
		if ir.Preflight {
			fmt.Fprintf(w, "ucbootstrap: %s in the pre-flight (the identity check, the lint, the validation tests), before the first statement: nothing ran\n", why)
			if resuming {
				fmt.Fprintf(w, "ucbootstrap: the record %s is as it was; go on with:\n  %s\n", record, resume)
			} else {
				fmt.Fprintf(w, "ucbootstrap: run it again with:\n  %s\n", rerun)
			}
			return findings()
		}
		fmt.Fprintf(w, "ucbootstrap: %s after %d of %d statements; did not run: %s%s\n", why, ir.Ran, ir.Total, ranges(ir.NotRun), unknownText(ir.Unknown))
		fmt.Fprintf(w, "ucbootstrap: the record is in %s; go on with:\n  %s\n", record, resume)
		return findings()
	}
	return &exitError{code: exitUsage, err: fmt.Errorf("ucbootstrap: %s: %s", p.name, strings.TrimPrefix(err.Error(), "apply: "))}
}

// unknownText lists the statements whose outcome is unknown, for the
// messages of a run that stopped.
func unknownText(idx []int) string {
	if len(idx) == 0 {
		return ""
	}
	return "; outcome unknown (cancelled while running: they may have taken effect, and run again when resumed): " + ranges(idx)
}

// indent indents the lines after the first.
func indent(s, prefix string) string { return strings.ReplaceAll(s, "\n", "\n"+prefix) }

// ranges writes statement indexes (0-based) as 1-based ranges: "3, 5-9".
func ranges(idx []int) string {
	if len(idx) == 0 {
		return "none"
	}
	var parts []string
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && idx[j+1] == idx[j]+1 {
			j++
		}
		if i == j {
			parts = append(parts, strconv.Itoa(idx[i]+1))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", idx[i]+1, idx[j]+1))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// dryRunText is the statements a dry run would run, as a script.
func dryRunText(res *apply.Result) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "-- ucbootstrap apply --dry-run: %d of the %d statements of %s would run, in this order, as %s\n", len(res.ToRun), len(res.Plan.Statements), res.Plan.Name, res.Runner)
	for _, st := range res.ToRun {
		fmt.Fprintf(&b, "\n-- %d/%d %s (%s)\n%s;\n", st.Index+1, len(res.Plan.Statements), st.Section.Key(), st.Pos, st.SQL)
	}
	return []byte(b.String())
}

// applyReport prints what a run did and the audit's report, and returns
// the exit error of an audit that failed.
func applyReport(stdout, stderr io.Writer, res *apply.Result, record string, concurrency int) error {
	fmt.Fprintf(stderr, "ucbootstrap: %s: %d statements ran as %s in %s (at most %d at a time)", res.Plan.Name, res.Ran, res.Runner, res.Elapsed.Round(time.Millisecond), concurrency)
	if res.Skipped > 0 {
		fmt.Fprintf(stderr, "; %d had succeeded before", res.Skipped)
	}
	if res.Attached > 0 {
		fmt.Fprintf(stderr, "; %d attached to", res.Attached)
	}
	fmt.Fprintf(stderr, "; the record is in %s\n", record)
	for _, n := range res.Notes {
		fmt.Fprintln(stderr, "ucbootstrap: note: "+n)
	}
	switch {
	case res.Cleanup != nil:
		c := res.Cleanup
		if c.CatalogGone {
			fmt.Fprintf(stdout, "PASS: catalog %s is gone", res.Plan.Script.Catalog)
		} else {
			fmt.Fprintf(stdout, "FAIL: catalog %s is still there", res.Plan.Script.Catalog)
		}
		if len(c.Remaining) > 0 {
			fmt.Fprintf(stdout, "; the service principal still holds %s", strings.Join(c.Remaining, "; "))
		}
		fmt.Fprintln(stdout)
	case res.Audit != nil && res.Audit.Report != nil:
		fmt.Fprintf(stderr, "ucbootstrap: the live audit ran %s\n", res.Audit.Info)
		if res.Audit.Pending > 0 {
			fmt.Fprintf(stderr, "ucbootstrap: note: %d requirement(s) on the governance catalog are left out: the service principal creates it in its bootstrap\n", res.Audit.Pending)
		}
		if err := res.Audit.Report.Write(stdout, "text", privileges.WriteOptions{}); err != nil {
			return inputErrorf("%v", err)
		}
	default:
		fmt.Fprintln(stdout, "FAIL: the live audit did not run")
	}
	if !res.Passed {
		return findings()
	}
	return nil
}
