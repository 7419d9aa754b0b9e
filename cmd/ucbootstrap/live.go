package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/ucbootstrap/ucbootstrap/databricks"
	"github.com/ucbootstrap/ucbootstrap/liveaudit"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/sqlexec"
)

// liveFlags are the flags of every command that talks to a workspace:
// audit --live and grants dump (and validate --live, apply and serve).
type liveFlags struct {
	concurrency      int
	timeout          time.Duration
	deadline         time.Duration
	insecureLoopback bool
}

// addLiveFlags defines the flags of a command that talks to a workspace.
// They are defined here once, so that every such command spells and
// explains them alike.
func addLiveFlags(cmd *cobra.Command, f *liveFlags) {
	fl := cmd.Flags()
	fl.IntVar(&f.concurrency, "concurrency", 8, "at most `N` requests to the workspace at a time")
	fl.DurationVar(&f.timeout, "timeout", 30*time.Second, "the time one request to the workspace may take, the identity and token requests included (`D`, such as 30s)")
	fl.DurationVar(&f.deadline, "deadline", 0, "the time the whole run may take (`D`, such as 5m; 0 for no limit): what was not asked about by then is unverified and the run is partial")
	fl.BoolVar(&f.insecureLoopback, "insecure-loopback", false, "talk plain HTTP to a local stand-in of the workspace (such as the emulator) on a loopback address: workspaceUrl localhost, 127.0.0.1 or ::1 with config.port; refused for any other host")
}

// check refuses flag values that cannot work.
func (f liveFlags) check() error {
	switch {
	case f.concurrency < 1:
		return usageErrorf("--concurrency must be at least 1, not %d", f.concurrency)
	case f.timeout <= 0:
		return usageErrorf("--timeout must be positive, such as 30s, not %v", f.timeout)
	case f.deadline < 0:
		return usageErrorf("--deadline must be positive (or 0 for no limit), not %v", f.deadline)
	}
	return nil
}

// clientConfig returns the client configuration of the payload's
// workspace, with the payload's credentials or the DATABRICKS_*
// environment variables, and the flags.
func (f liveFlags) clientConfig(p *payload) (databricks.Config, error) {
	cfg, err := databricks.ConfigFrom(p.in, os.Getenv)
	if err != nil {
		return cfg, &exitError{code: exitUsage, err: fmt.Errorf("ucbootstrap: %s: %w", p.name, err)}
	}
	cfg.InsecureLoopback, cfg.Timeout = f.insecureLoopback, f.timeout
	return cfg, nil
}

// liveContext returns the context of a run that talks to a workspace: it
// ends on Ctrl-C and at the --deadline. reason says why it ended.
func (f liveFlags) liveContext(parent context.Context) (ctx context.Context, reason func() string, stop func()) {
	ctx, stopSignal := signal.NotifyContext(parent, os.Interrupt)
	cancel := context.CancelFunc(func() {})
	if f.deadline > 0 {
		ctx, cancel = context.WithTimeout(ctx, f.deadline)
	}
	reason = func() string {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Sprintf("the deadline passed (--deadline %v)", f.deadline)
		}
		return "interrupted (Ctrl-C)"
	}
	return ctx, reason, func() { cancel(); stopSignal() }
}

// fetch asks the workspace of the payload for what the requirements need,
// with the payload's credentials (or the DATABRICKS_* environment
// variables). It asks who the credentials belong to first: a workspace
// that cannot be reached or refuses the credentials ends the run there,
// with one error. Ctrl-C or the deadline stops the fetch and keeps what
// was learned: partial reports it, and the securables not asked about are
// in fetched.Unfetched with the reason. via is the path of the live audit
// (auto, rest or sql), said on standard error; "" asks by REST and says
// nothing (grants dump).
func fetch(cmd *cobra.Command, p *payload, reqs *privileges.Requirements, f liveFlags, via liveaudit.Via) (fetched *databricks.Fetched, partial string, err error) {
	if err := f.check(); err != nil {
		return nil, "", err
	}
	cfg, err := f.clientConfig(p)
	if err != nil {
		return nil, "", err
	}
	client, err := databricks.New(cfg)
	if err != nil {
		return nil, "", &exitError{code: exitUsage, err: fmt.Errorf("ucbootstrap: %s: %w", p.name, err)}
	}
	ctx, reason, stop := f.liveContext(cmd.Context())
	defer stop()
	stderr := cmd.ErrOrStderr()
	me, err := client.Me(ctx)
	var ae *databricks.APIError
	switch {
	case err == nil:
		if !privileges.SamePrincipal(me, reqs.ServicePrincipal) {
			fmt.Fprintf(stderr, "ucbootstrap: warning: the credentials belong to %s, not to the service principal %s: the audit checks %s's grants, read with another identity's rights\n", me, reqs.ServicePrincipal, reqs.ServicePrincipal)
		}
	case ctx.Err() != nil:
		return nil, "", inputErrorf("%s before the workspace said who the credentials belong to: %w", reason(), err)
	case errors.As(err, &ae) && ae.Status == http.StatusUnauthorized:
		return nil, "", inputErrorf("the workspace refused the credentials: %w", err)
	case errors.As(err, &ae) && !ae.FromAPI() && ae.Status < 500:
		return nil, "", inputErrorf("%w", err) // not the Databricks API: a wrong host
	case errors.As(err, &ae):
		fmt.Fprintf(stderr, "ucbootstrap: warning: could not ask whose the credentials are: %v\n", err)
	default:
		return nil, "", inputErrorf("%w", err)
	}
	opts := databricks.FetchOptions{Concurrency: f.concurrency, Timeout: f.timeout}
	if isTerminal(stderr) {
		opts.Progress = func(done, total int) {
			fmt.Fprintf(stderr, "\rucbootstrap: asked about %d of %d securables", done, total)
			if done == total {
				fmt.Fprintln(stderr)
			}
		}
	}
	// The warehouse path, when the payload names compute: the executor
	// waits up to --deadline (or its defaults) for a statement.
	say := via != "" // grants dump asks by REST and says nothing of it
	if via == "" {
		via = liveaudit.REST
	}
	var exec *sqlexec.Executor
	if via != liveaudit.REST {
		so := sqlexec.Options{}
		if f.deadline > 0 {
			so.Timeout, so.StartTimeout = f.deadline, f.deadline
		}
		if exec, err = sqlexec.New(client, p.in.Config.HTTPPath, so); err != nil {
			if via == liveaudit.SQL {
				return nil, "", usageErrorf("--via sql: %v", err)
			}
			exec = nil
		} else {
			defer exec.Close(context.WithoutCancel(ctx))
		}
	}
	var info liveaudit.Info
	fetched, info, err = liveaudit.Fetch(ctx, client, exec, reqs, liveaudit.Options{Via: via, Concurrency: f.concurrency, REST: opts})
	if say && (err == nil || ctx.Err() != nil && fetched != nil) {
		// A path that failed did not run: its error says why.
		fmt.Fprintf(stderr, "ucbootstrap: the live audit ran %s\n", info)
	}
	switch {
	case err == nil:
		return fetched, "", nil
	case ctx.Err() != nil && fetched != nil:
		partial = reason()
		for sec := range fetched.Unfetched {
			fetched.Unfetched[sec] = partial
		}
		if opts.Progress != nil {
			fmt.Fprintln(stderr) // end the progress line
		}
		were := fmt.Sprintf("%d securables were", len(fetched.Unfetched))
		if len(fetched.Unfetched) == 1 {
			were = "1 securable was"
		}
		fmt.Fprintf(stderr, "ucbootstrap: %s: the report covers only what was fetched before; %s not asked about\n", partial, were)
		return fetched, partial, nil
	}
	return nil, "", inputErrorf("%w", err)
}

// isTerminal reports whether w is a terminal, for the progress line.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

type dumpFlags struct {
	liveFlags
	output    string
	ownersOut string
	rules     string
	runner    string
	lenient   bool
}

func newGrantsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "grants",
		Short: "Work with the grants of a workspace",
	}
	cmd.AddCommand(newGrantsDumpCmd())
	return cmd
}

func newGrantsDumpCmd() *cobra.Command {
	var f dumpFlags
	cmd := &cobra.Command{
		Use:   "dump FILE -o GRANTS [--owners-out OWNERS]",
		Short: "Fetch what a live audit would check and write it for an offline audit",
		Long: `grants dump asks the workspace of the payload FILE, with its credentials (the
secret the payload leaves out from DATABRICKS_TOKEN or
DATABRICKS_CLIENT_SECRET), for the effective permissions and owners that the
audit checks, and writes them in shapes that "ucbootstrap audit" reads: the
grants with -o (REST effective permissions wrapped with their securables),
the owners with --owners-out. A failing pipeline run can then be reproduced
offline:

  ucbootstrap audit FILE --grants GRANTS --owners OWNERS`,
		Example: `  ucbootstrap grants dump integration.yaml -o grants.json --owners-out owners.json
  ucbootstrap audit integration.yaml --grants grants.json --owners owners.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runGrantsDump(cmd, args[0], f)
		},
	}
	oneFile(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "", "write the grants to `GRANTS` (required)")
	fl.StringVar(&f.ownersOut, "owners-out", "", "write the owners to `OWNERS`")
	addChoice(cmd, &f.rules, "rules", string(privileges.Current), "rules", "rule set: current or owner-model", "current", "owner-model")
	fl.StringVar(&f.runner, "runner", "", "also fetch what the runner `PRINCIPAL` of a manual script needs")
	fl.BoolVar(&f.lenient, "lenient", false, "report unknown payload keys as warnings instead of errors")
	addLiveFlags(cmd, &f.liveFlags)
	return cmd
}

func runGrantsDump(cmd *cobra.Command, path string, f dumpFlags) error {
	if f.output == "" {
		return usageErrorf("grants dump needs -o GRANTS, the file to write the grants to")
	}
	if err := checkPaths([]namedPath{{"the payload", path}}, []namedPath{{"-o", f.output}, {"--owners-out", f.ownersOut}}); err != nil {
		return err
	}
	p, reqs, err := loadRequirements(cmd, path, f.lenient, f.rules, f.runner, secretsFromEnv()...)
	if err != nil {
		return err
	}
	fetched, partial, err := fetch(cmd, p, reqs, f.liveFlags, "")
	if err != nil {
		return err
	}
	var grants, owners bytes.Buffer
	if err := databricks.WriteDump(&grants, fetched); err != nil {
		return inputErrorf("%v", err)
	}
	if err := databricks.WriteOwners(&owners, fetched); err != nil {
		return inputErrorf("%v", err)
	}
	if err := writeOutput(cmd.OutOrStdout(), "-o", f.output, grants.Bytes()); err != nil {
		return err
	}
	if f.ownersOut != "" {
		if err := writeOutput(cmd.OutOrStdout(), "--owners-out", f.ownersOut, owners.Bytes()); err != nil {
			return err
		}
	}
	stderr := cmd.ErrOrStderr()
	for _, m := range []struct {
		format string
		why    map[privileges.Securable]string
	}{{"could not read %s: %s", fetched.Failed}, {"%s does not exist: %s", fetched.NotFound}} {
		for _, sec := range slices.SortedFunc(maps.Keys(m.why), privileges.Securable.Compare) {
			fmt.Fprintf(stderr, "ucbootstrap: warning: "+m.format+"\n", sec, m.why[sec])
		}
	}
	fmt.Fprintf(stderr, "ucbootstrap: %d grants and %d owners from %d requests; %d securables unreadable, %d not found, %d not asked about\n",
		len(fetched.Grants), len(fetched.Owners), fetched.Requests, len(fetched.Failed), len(fetched.NotFound), len(fetched.Unfetched))
	if partial != "" {
		return findings()
	}
	return nil
}
