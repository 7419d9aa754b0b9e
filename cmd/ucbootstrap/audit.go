package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/dbsql"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/liveaudit"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/privileges/listing"
)

type auditFlags struct {
	grants   []string
	owners   []string
	members  []string
	memberOf []string
	rules    string
	format   string
	fixSQL   string
	revoke   bool
	strict   bool
	allowUnv bool
	runner   string
	lenient  bool
	output   string
	live     bool
	via      string
	script   string
	liveFlags
}

func newAuditCmd() *cobra.Command {
	var f auditFlags
	cmd := &cobra.Command{
		Use:   "audit FILE --grants GRANTS [--grants GRANTS...]",
		Short: "Check the privileges a metastore grants against what the integration needs",
		Long: `audit derives what the integration's service principal must hold from the
payload FILE, reads what the metastore grants from one or more grant listings,
and reports each requirement as satisfied (and how: directly, inherited,
through a group, through ALL PRIVILEGES, through ownership), missing, or
unverified (and why); findings beyond the requirements, such as another
principal with access to the governance catalog; and the fewest GRANT
statements that fix what is missing.

Grant listings may be SHOW GRANTS output (CSV, TSV or JSON, any header
spelling), a SQL Statement Execution API response, information_schema
*_privileges rows, or the REST permissions / effective-permissions JSON;
the shape is detected. Ownership is read from --owners (information_schema
rows with *_owner columns, or REST objects with owner); without owner facts
the ownership requirements are unverified.

With --live the audit asks the payload's workspace itself (see --live, and
--insecure-loopback for a local stand-in). A live run, or the offline audit of
its dump, reports a securable the credentials may not read (403) as
unverified, and one that does not exist (404, such as a misspelt data source)
as missing, with the server's message. Ctrl-C or --deadline ends a live run
with a partial report: what was not asked about is unverified.

The gate (exit status 1 unless every condition holds):
  - nothing is missing and nothing is exposed (an error finding);
  - the run is not partial (Ctrl-C, --deadline);
  - at least one requirement is satisfied: PASS never comes with nothing
    verified;
  - no requirement is unverified because its grants could not be read,
    unless --allow-unverified;
  - with --strict, no requirement is unverified at all (requirements that no
    listing can show, such as metastore admin, and ownership without
    --owners, fail only then).

Exit status: 0 the gate passes; 1 it fails; 2 a usage error or a listing that
cannot be read.`,
		Example: `  # Pre-flight check in a pipeline: fail the job when something is missing.
  ucbootstrap audit examples/payloads/manual-token.yaml \
    --grants examples/grants/manual-token/passing/show-grants.csv \
    --owners examples/grants/manual-token/passing/owners.csv

  # A Markdown summary for the CI step, and the fix as a SQL file.
  ucbootstrap audit examples/payloads/manual-token.yaml \
    --grants examples/grants/manual-token/missing/show-grants.csv \
    --format markdown --fix-sql fix.sql

  # The older owner model, with the runner's own requirements.
  ucbootstrap audit examples/payloads/manual-token.yaml --rules owner-model \
    --runner admin@example.com --grants grants.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAudit(cmd, args[0], f)
		},
	}
	oneFile(cmd)
	fl := cmd.Flags()
	fl.StringArrayVar(&f.grants, "grants", nil, "a grant listing `GRANTS` to read (repeatable; - for standard input)")
	fl.StringArrayVar(&f.owners, "owners", nil, "owner facts `OWNERS`: information_schema rows with *_owner columns or REST objects (repeatable)")
	fl.StringArrayVar(&f.members, "members", nil, "group memberships `MEMBERS` (principal,group rows; repeatable)")
	fl.StringSliceVar(&f.memberOf, "member-of", nil, "account `GROUP`s the service principal belongs to (comma-separated)")
	addChoice(cmd, &f.rules, "rules", string(privileges.Current), "rules", "rule set: current (MANAGE model) or owner-model", "current", "owner-model")
	addChoice(cmd, &f.format, "format", "text", "format", "report format: "+orList(privileges.Formats), privileges.Formats...)
	fl.StringVar(&f.fixSQL, "fix-sql", "", "write the fix as a SQL script to `OUT`")
	fl.BoolVar(&f.revoke, "revoke", false, "add the REVOKE statements that end exposure to the fix")
	fl.BoolVar(&f.strict, "strict", false, "fail on every unverified requirement")
	fl.BoolVar(&f.allowUnv, "allow-unverified", false, "pass requirements that are unverified because their grants could not be read (403); by default they fail the audit")
	fl.StringVar(&f.runner, "runner", "", "also check the requirements of the person who runs a manual script, named `PRINCIPAL` (an e-mail)")
	fl.BoolVar(&f.lenient, "lenient", false, "report unknown payload keys as warnings instead of errors")
	fl.StringVarP(&f.output, "output", "o", "", "write the report to the file `OUT` instead of standard output")
	fl.StringVar(&f.script, "script", "", "apply the GRANT, REVOKE and ALTER ... OWNER TO statements of `SCRIPT.sql` to the current grants first: will the service principal have what it needs after the script runs?")
	fl.BoolVar(&f.live, "live", false, "ask the payload's workspace for the grants and owners, with the payload's credentials, instead of reading listings")
	addChoice(cmd, &f.via, "via", string(liveaudit.Auto), "path", "with --live, how to ask: sql (a handful of information_schema queries on the payload's SQL warehouse), rest (a request per securable), or auto (sql when httpPath names a warehouse that answers)", "auto", "rest", "sql")
	addLiveFlags(cmd, &f.liveFlags)
	must(cmd.MarkFlagFilename("grants", "csv", "tsv", "json", "jsonl"))
	must(cmd.MarkFlagFilename("owners", "csv", "tsv", "json", "jsonl"))
	return cmd
}

func runAudit(cmd *cobra.Command, path string, f auditFlags) error {
	switch {
	case f.live && len(f.grants)+len(f.owners) > 0:
		return usageErrorf("--live asks the workspace itself: drop --grants and --owners, or drop --live to audit listings")
	case !f.live && (cmd.Flags().Changed("insecure-loopback") || cmd.Flags().Changed("deadline") || cmd.Flags().Changed("concurrency") || cmd.Flags().Changed("timeout") || cmd.Flags().Changed("via")):
		return usageErrorf("--insecure-loopback, --deadline, --concurrency, --timeout and --via are for --live: add --live, or drop them")
	case !f.live && len(f.grants) == 0:
		return usageErrorf("audit needs at least one --grants GRANTS listing (SHOW GRANTS output, information_schema rows or REST permissions JSON), or --live")
	}
	stdins := 0
	inputs := slices.Concat(f.grants, f.owners, f.members)
	if f.script != "" {
		inputs = append(inputs, f.script)
	}
	for _, p := range append([]string{path}, inputs...) {
		if p == "-" {
			stdins++
		}
	}
	if stdins > 1 {
		return usageErrorf("only one input can be - (standard input): give the others as files")
	}
	named := []namedPath{{"the payload", path}}
	for _, l := range []struct {
		what  string
		paths []string
	}{{"the listing --grants", f.grants}, {"the owners --owners", f.owners}, {"the members --members", f.members}, {"the script --script", []string{f.script}}} {
		for _, p := range l.paths {
			named = append(named, namedPath{l.what, p})
		}
	}
	if err := checkPaths(named, []namedPath{{"-o", f.output}, {"--fix-sql", f.fixSQL}}); err != nil {
		return err
	}
	for _, p := range inputs {
		if err := checkReadable(p); err != nil {
			return err
		}
	}
	secrets := []ucbootstrap.Option{noSecrets}
	if f.live {
		secrets = secretsFromEnv()
	}
	p, reqs, err := loadRequirements(cmd, path, f.lenient, f.rules, f.runner, secrets...)
	if err != nil {
		return err
	}
	facts, err := readFacts(cmd, f, reqs.ServicePrincipal)
	if err != nil {
		return err
	}
	grants := readGrants(cmd, f.grants, facts)
	if f.live {
		fetched, _, err := fetch(cmd, p, reqs, f.liveFlags, liveaudit.Via(f.via))
		if err != nil {
			return err
		}
		grants, facts.Owners = liveaudit.Grants(fetched, reqs), fetched.Owners
		facts.Unreadable, facts.Absent, facts.Unfetched = fetched.Failed, fetched.NotFound, fetched.Unfetched
	}
	if f.script != "" {
		changes, err := scriptChanges(cmd, f.script)
		if err != nil {
			return err
		}
		grants, facts.Owners = listing.ApplyScript(grants, facts.Owners, changes)
	}
	rep, err := privileges.Audit(reqs, grants, facts)
	if err != nil {
		return inputErrorf("%s", readErrorText(err))
	}
	opts := privileges.WriteOptions{Gate: privileges.Gate{Strict: f.strict, AllowUnverified: f.allowUnv}, Revoke: f.revoke}
	var out bytes.Buffer
	if err := rep.Write(&out, f.format, opts); err != nil {
		return inputErrorf("%w", err)
	}
	if f.fixSQL != "" {
		if err := writeOutput(cmd.OutOrStdout(), "--fix-sql", f.fixSQL, []byte(rep.FixScript(opts))); err != nil {
			return err
		}
	}
	if err := writeOutput(cmd.OutOrStdout(), "-o", f.output, out.Bytes()); err != nil {
		return err
	}
	if !rep.Passed(opts.Gate) {
		return findings()
	}
	return nil
}

// readErrorText is the message of an error reading a listing: a
// listing.ReadError is "file:line:col: message", as compilers write it;
// any other error is its own text.
func readErrorText(err error) string {
	var re *listing.ReadError
	if errors.As(err, &re) {
		return re.Pos.String() + ": " + re.Msg
	}
	return err.Error()
}

// loadRequirements decodes the payload at path (with the decode options
// opts), prints its diagnostics, and
// returns it with its requirements under a rule set (with the runner's when
// runner names one).
func loadRequirements(cmd *cobra.Command, path string, lenient bool, rules, runner string, opts ...ucbootstrap.Option) (*payload, *privileges.Requirements, error) {
	p, err := decodeFile(cmd.InOrStdin(), path, lenient, opts...)
	if err != nil {
		return nil, nil, err
	}
	if err := diagnose(cmd.ErrOrStderr(), p); err != nil {
		return nil, nil, err
	}
	reqs, err := required(p, rules, runner)
	return p, reqs, err
}

// required returns the requirements of a valid payload under a rule set,
// with the runner's when runner names one.
func required(p *payload, rules, runner string) (*privileges.Requirements, error) {
	opts := []privileges.Option{privileges.Rules(privileges.RuleSet(rules))}
	if runner != "" {
		// The runner's requirements are what the statements of the script
		// they run need: the bootstrap of a manual setup, the prerequisites
		// of an automatic one.
		kind := generator.SetupKind(p.in)
		s, err := generator.Generate(p.in, kind)
		if err != nil {
			return nil, &exitError{code: exitFindings, err: fmt.Errorf("ucbootstrap: %s: --runner: %w", p.name, err)}
		}
		opts = append(opts, privileges.Runner(runner, s.Steps()))
	}
	reqs, err := privileges.Required(p.in, opts...)
	if err != nil {
		return nil, &exitError{code: exitFindings, err: fmt.Errorf("ucbootstrap: %s: %w", p.name, err)}
	}
	return reqs, nil
}

// checkReadable fails early, with exit code 2, on a listing that cannot be
// opened, so that the audit never stops half-way for that reason.
func checkReadable(path string) error {
	if path == "-" {
		return nil
	}
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return inputErrorf("%s", openHint(path, "grant listing", err))
	case fi.IsDir():
		return inputErrorf("%s is a directory: give a grant listing file", path)
	}
	return nil
}

// readGrants chains the grants of every listing, opening each file only when
// the audit reaches it. What a grant dump says could not be read goes into
// facts as it is read (the audit reads it after the grants).
func readGrants(cmd *cobra.Command, paths []string, facts privileges.Facts) iter.Seq2[privileges.Grant, error] {
	failures := listing.Failures(func(fl listing.Failure) {
		switch fl.Status {
		case http.StatusNotFound:
			facts.Absent[fl.On] = fl.Message
		case 0:
			facts.Unfetched[fl.On] = fl.Message
		default:
			facts.Unreadable[fl.On] = fl.Message
		}
	})
	return func(yield func(privileges.Grant, error) bool) {
		for _, path := range paths {
			if !readListing(cmd, path, failures, yield) {
				return
			}
		}
	}
}

func readListing(cmd *cobra.Command, path string, failures listing.ReadOption, yield func(privileges.Grant, error) bool) bool {
	name, r := stdinName, cmd.InOrStdin()
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return yield(privileges.Grant{}, errors.New(openHint(path, "grant listing", err)))
		}
		defer f.Close()
		name, r = path, f
	}
	for g, err := range listing.Read(name, r, failures) {
		if !yield(g, err) || err != nil {
			return false
		}
	}
	return true
}

// readFacts reads the owner and membership files and adds --member-of.
func readFacts(cmd *cobra.Command, f auditFlags, sp string) (privileges.Facts, error) {
	facts := privileges.Facts{Owners: map[privileges.Securable]string{}, MemberOf: map[string][]string{},
		Unreadable: map[privileges.Securable]string{}, Absent: map[privileges.Securable]string{}, Unfetched: map[privileges.Securable]string{}}
	for _, path := range f.owners {
		err := withInput(cmd, path, func(name string, r io.Reader) error {
			owners, err := listing.ReadOwners(name, r)
			maps.Copy(facts.Owners, owners)
			return err
		})
		if err != nil {
			return facts, err
		}
	}
	for _, path := range f.members {
		err := withInput(cmd, path, func(name string, r io.Reader) error {
			members, err := listing.ReadMembers(name, r)
			for p, groups := range members {
				facts.MemberOf[p] = append(facts.MemberOf[p], groups...)
			}
			return err
		})
		if err != nil {
			return facts, err
		}
	}
	for _, g := range f.memberOf {
		if g = strings.TrimSpace(g); g != "" {
			facts.MemberOf[sp] = append(facts.MemberOf[sp], g)
		}
	}
	return facts, nil
}

// withInput opens path (standard input for -) and calls read with the name
// positions should carry. Any failure is unreadable input (exit code 2).
func withInput(cmd *cobra.Command, path string, read func(name string, r io.Reader) error) error {
	name, r := stdinName, cmd.InOrStdin()
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return inputErrorf("%s", openHint(path, "input", err))
		}
		defer f.Close()
		name, r = path, f
	}
	if err := read(name, r); err != nil {
		return inputErrorf("%s", readErrorText(err))
	}
	return nil
}

// scriptChanges parses a SQL script and returns its grant changes. A script
// that does not parse cannot be applied: its errors, with positions, end the
// command with exit code 2.
func scriptChanges(cmd *cobra.Command, path string) ([]listing.ScriptChange, error) {
	var changes []listing.ScriptChange
	err := withInput(cmd, path, func(name string, r io.Reader) error {
		src, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		f, err := dbsql.ParseFile(name, src)
		if err != nil {
			return fmt.Errorf("%w: fix the script, or check it with ucbootstrap lint", err)
		}
		changes = listing.FromScript(f)
		return nil
	})
	return changes, err
}
