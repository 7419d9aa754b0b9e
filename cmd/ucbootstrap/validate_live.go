package main

import (
	"bytes"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/validation"
)

// validateLiveFlags are the flags of validate --live.
type validateLiveFlags struct {
	on    bool
	rules string
	liveFlags
}

func addValidateLiveFlags(cmd *cobra.Command, f *validateLiveFlags) {
	cmd.Flags().BoolVar(&f.on, "live", false, "also run the validation tests against the payload's workspace, with its credentials: connection (SELECT 1), metastore, identity, warehouse or cluster state, catalog, privileges, audit access")
	addChoice(cmd, &f.rules, "rules", string(privileges.Current), "rules", "with --live, the rule set of the privileges test: current or owner-model", "current", "owner-model")
	addLiveFlags(cmd, &f.liveFlags)
	cmd.Long += `

--live also runs the validation tests against the payload's workspace, with
the payload's credentials (the secret it leaves out from
DATABRICKS_TOKEN or DATABRICKS_CLIENT_SECRET): basic connection (SELECT
1 on the payload's warehouse or cluster), metastore assignment, principal
identity, warehouse or cluster state, governance catalog, privileges (the
live audit) and audit access. Each test is passed, warning, failed or
skipped; a test that does not pass says what to do. Text by default; with
--format json, the integrations API's validationResults object
({"status", "validationTests": [{"name", "status", "result", "message"}]}).
--timeout bounds each request to the workspace, --deadline the whole run
and each statement, the warehouse's start-up included (5m when not set).
The exit status is 1 when a test failed.`
	cmd.Example += `

  # Run the validation tests against the workspace.
  ucbootstrap validate examples/payloads/manual-token.yaml --live

  # Against the emulator on loopback (see "Try it without a workspace").
  ucbootstrap validate examples/emulator/payload.yaml --live --insecure-loopback --format json`
}

// check refuses the workspace flags without --live.
func (f validateLiveFlags) check(cmd *cobra.Command) error {
	if !f.on {
		for _, name := range []string{"insecure-loopback", "timeout", "deadline", "concurrency", "rules"} {
			if cmd.Flags().Changed(name) {
				return usageErrorf("--%s is for validate --live: add --live to run the validation tests against the workspace", name)
			}
		}
		return nil
	}
	return f.liveFlags.check()
}

// runValidateLive runs the validation tests of a valid payload against its
// workspace and prints their results.
func runValidateLive(cmd *cobra.Command, p *payload, f validateFlags) error {
	stderr := cmd.ErrOrStderr()
	printDiagnostics(stderr, p.diags)
	ctx, _, stop := f.live.liveContext(cmd.Context())
	defer stop()
	timeout := validation.DefaultTimeout
	if f.live.deadline > 0 {
		timeout = f.live.deadline
	}
	opts := validation.Options{
		Getenv:           os.Getenv,
		InsecureLoopback: f.live.insecureLoopback,
		Timeout:          timeout,
		RequestTimeout:   f.live.timeout,
		// The advice of a statement or request out of time names the flag
		// that gives it more.
		TimeoutSetting:        "--deadline",
		RequestTimeoutSetting: "--timeout",
		Concurrency:           f.live.concurrency,
		Requirements:          []privileges.Option{privileges.Rules(privileges.RuleSet(f.live.rules))},
	}
	if isTerminal(stderr) {
		opts.Progress = func(msg string) { fmt.Fprintf(stderr, "ucbootstrap: %s: %s\n", time.Now().Format("15:04:05"), msg) }
	}
	res, err := validation.Run(ctx, p.in, opts)
	if err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("ucbootstrap: %s: %w", p.name, err)}
	}
	var out bytes.Buffer
	if f.format == "json" {
		err = writeJSON(&out, res)
	} else {
		err = res.WriteText(&out)
	}
	if err != nil {
		return inputErrorf("%v", err)
	}
	if err := writeOutput(cmd.OutOrStdout(), "", "", out.Bytes()); err != nil {
		return err
	}
	if res.Status == validation.Failed {
		return findings()
	}
	return nil
}
