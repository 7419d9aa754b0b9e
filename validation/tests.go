package validation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/databricks"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/sqltext"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/sqlexec"
)

func passed(msg string, result any) Test  { return Test{Status: Passed, Message: msg, Result: result} }
func failed(msg string) Test              { return Test{Status: Failed, Message: msg} }
func warning(msg string, result any) Test { return Test{Status: Warning, Message: msg, Result: result} }
func skipped(msg string) Test             { return Test{Status: Skipped, Message: "skipped: " + msg} }

// refusal returns why the workspace refused the credentials, or "".
func refusal(err error) string {
	var ae *databricks.APIError
	if errors.As(err, &ae) && (ae.Status == 401 || ae.Status == 403 && ae.Securable == (privileges.Securable{})) {
		return strings.TrimPrefix(ae.Error(), "databricks: ")
	}
	return ""
}

// identity checks that the credentials are the service principal's
// (SCIM Me).
func (r *runner) identity() Test {
	me, err := r.client.Me(r.ctx)
	if err != nil {
		if why := refusal(err); why != "" {
			r.refused = why
			return failed("the workspace refused the credentials (" + why + "): give a valid token of the service principal in config.token, or its OAuth client ID and secret")
		}
		return failed("could not ask the workspace who the credentials belong to (" + trim(err) + "): check workspaceUrl, config.port and the network")
	}
	sp := r.in.Config.ServicePrincipalID()
	switch {
	case sp == "":
		return warning("the credentials belong to "+me+"; the payload names no service principal (config.servicePrincipal) to compare it with: add its application ID", map[string]string{"principal": me})
	case !privileges.SamePrincipal(me, sp):
		return failed(fmt.Sprintf("the credentials belong to %s, not to the service principal %s: give the service principal's token (or OAuth credentials), or correct config.servicePrincipal", me, sp))
	}
	return passed("the credentials belong to the service principal "+sp, map[string]string{"principal": me})
}

// metastore checks that a metastore is assigned to the workspace, asking
// again for a while: right after an assignment the workspace may not have
// it yet.
func (r *runner) metastore() Test {
	wait := r.opts.MetastoreWait
	if wait == 0 {
		wait = DefaultMetastoreWait
	}
	every := r.opts.pollEvery
	if every <= 0 {
		every = 2 * time.Second
	}
	deadline := time.Now().Add(wait)
	for {
		id, err := r.client.MetastoreID(r.ctx)
		if err == nil {
			return passed("the workspace's metastore is "+id, map[string]string{"metastoreId": id})
		}
		var ae *databricks.APIError
		retry := errors.As(err, &ae) && ae.NotFound() || strings.Contains(err.Error(), "no metastore assigned")
		if !retry || !time.Now().Add(every).Before(deadline) || r.ctx.Err() != nil {
			r.noMetastore = "the metastore could not be read"
			return failed("Error trying to get the current metastore info: " + trim(err) +
				": assign a Unity Catalog metastore to the workspace (account console, Catalog, the metastore's Workspaces tab), or check workspaceUrl")
		}
		t := time.NewTimer(every)
		select {
		case <-t.C:
		case <-r.ctx.Done():
			t.Stop()
		}
	}
}

func (r *runner) computeTest() string {
	if r.exec.Target().Kind == sqlexec.Cluster {
		return ClusterTest
	}
	return WarehouseTest
}

// compute checks the state of the warehouse or cluster: a stopped one is
// a warning (a cold start is ahead), a deleted or broken one a failure.
func (r *runner) compute() Test {
	t := r.exec.Target()
	what := string(t.Kind) + " " + t.ID
	c, err := r.exec.Compute(r.ctx)
	if err != nil {
		var ae *databricks.APIError
		if errors.As(err, &ae) {
			detail := strings.TrimPrefix(ae.Error(), "databricks: ")
			switch {
			case ae.NotFound() || ae.Status == 400:
				r.noSQL = "the " + what + " does not exist"
				return failed("the " + what + " does not exist (" + detail + "): copy httpPath from the connection details of the SQL warehouse (or the cluster's JDBC/ODBC tab)")
			case ae.Forbidden():
				return failed("the service principal may not see the " + what + " (" + detail + "): give it CAN USE on the warehouse (or CAN ATTACH TO on the cluster)")
			}
		}
		return failed("could not read the state of the " + what + ": " + trim(err))
	}
	result := map[string]string{"state": c.State}
	switch c.State {
	case "RUNNING", "RESIZING":
		return passed("the "+what+" is "+c.State, result)
	case "STARTING", "PENDING", "RESTARTING":
		return warning("the "+what+" is "+c.State+": the first statement waits for it", result)
	case "STOPPED", "STOPPING", "TERMINATED", "TERMINATING":
		return warning("the "+what+" is "+c.State+": a cold start is ahead, and the first statement waits for it (a serverless warehouse starts in seconds, a classic or pro one in up to about five minutes); set auto stop longer, or start it before configuring", result)
	}
	r.noSQL = "the " + what + " is " + c.State
	msg := "the " + what + " is " + c.State
	if c.Message != "" {
		msg += " (" + c.Message + ")"
	}
	fix := ": name a running SQL warehouse in httpPath"
	if t.Kind == sqlexec.Cluster {
		fix = ": repair or restart the cluster, or name a running SQL warehouse in httpPath"
	}
	return Test{Status: Failed, Result: result, Message: msg + fix}
}

// connection runs SELECT 1.
func (r *runner) connection() Test {
	if r.noSQL != "" {
		return skipped(r.noSQL)
	}
	res, err := r.exec.Query(r.ctx, "SELECT 1")
	if err != nil {
		r.noSQL = "the basic connection failed"
		return failed("SELECT 1 failed: " + trim(err) + r.hint(err))
	}
	return passed("SELECT 1 ran on the "+string(r.exec.Target().Kind)+" "+r.exec.Target().ID, res.Objects())
}

// hint says what to do about a SELECT 1 that failed: each cause its own
// advice.
func (r *runner) hint(err error) string {
	t := r.exec.Target()
	what := string(t.Kind) + " " + t.ID
	var se *sqlexec.Error
	var ae *databricks.APIError
	var te *databricks.TransportError
	isSQL := errors.As(err, &se)
	switch {
	case errors.As(err, &ae) && (ae.Status == 401 || ae.Status == 403):
		return ": check that the credentials are valid and that the service principal has CAN USE on the warehouse"
	case isSQL && se.Class == "INSUFFICIENT_PERMISSIONS":
		return ": grant the service principal what the message names"
	case errors.Is(err, context.Canceled):
		return ": the validation was interrupted before the statement ended: run it again"
	case errors.As(err, &te) && te.Timeout:
		return ": a request to the workspace got no answer in time: check the network path to workspaceUrl (a proxy, firewall or VPN), or " + more("give each request more time", r.opts.RequestTimeoutSetting)
	case errors.Is(err, context.DeadlineExceeded):
		return ": the statement did not end in time: check that the " + what + " runs and is not overloaded (a cold start takes minutes, and a busy warehouse queues statements), or " + more("give it more time", r.opts.TimeoutSetting)
	case errors.As(err, &ae) && ae.NotFound() && errors.Is(err, sqlexec.ErrOutcomeUnknown):
		return ": the workspace no longer knows the statement it accepted (it forgets statements some time after they end): run the validation again"
	case errors.As(err, &te):
		return ": the connection to the workspace failed before the answer came: check the network path to workspaceUrl (a proxy, firewall or VPN that drops connections), then run the validation again"
	case errors.As(err, &ae) && ae.Status >= 500:
		return ": the workspace failed on its side: run the validation again in a few minutes; if it keeps failing, check the " + what + " and https://status.databricks.com, and give Databricks support the message"
	case errors.As(err, &ae):
		return ": the workspace refused the statement: check httpPath (copy it from the connection details of the SQL warehouse, or the cluster's JDBC/ODBC tab)"
	case isSQL && se.State == "FAILED":
		id := ""
		if se.StatementID != "" {
			id = " " + se.StatementID
		}
		where := "the query history"
		if t.Kind == sqlexec.Cluster {
			where = "the cluster's driver log"
		}
		return ": SELECT 1 reached the " + what + " and failed there: look the statement" + id + " up in " + where + " for the cause, check the " + what + "'s health, then run the validation again"
	case isSQL && se.State == "CANCELED":
		return ": the statement was cancelled on the workspace (by someone, or because the " + what + " stopped): check the " + what + ", then run the validation again"
	}
	return ": check the " + what + ", then run the validation again"
}

// more is advice to give more time, with the setting that does it when
// there is one.
func more(advice, setting string) string {
	if setting != "" {
		return advice + " with " + setting
	}
	return advice
}

// catalog checks the governance catalog: for automatic setup, absent or
// this integration's; for manual setup, present, this integration's,
// owned by the service principal, and set up from this very payload.
func (r *runner) catalog() Test {
	if r.noMetastore != "" {
		return skipped(r.noMetastore)
	}
	c := &r.in.Config
	name, sp, mark := c.CatalogName(), c.ServicePrincipalID(), c.Marker()
	info, err := r.client.Catalog(r.ctx, name)
	var ae *databricks.APIError
	switch {
	case err == nil:
	case errors.As(err, &ae) && ae.NotFound():
		r.catalogAbsent = true
		if r.in.AutoBootstrap {
			return passed("catalog "+name+" does not exist yet: the service principal creates it", map[string]any{"catalog": name, "exists": false})
		}
		return failed("catalog " + name + " does not exist: generate the bootstrap script for this payload (ucbootstrap generate), have a user with CREATE CATALOG run it, then validate again")
	case errors.As(err, &ae) && ae.Forbidden():
		if r.in.AutoBootstrap {
			return failed("catalog " + name + " exists but the service principal cannot see it, so it is not this integration's: choose another config.catalog, or have the catalog's owner drop it")
		}
		return failed("the service principal cannot see catalog " + name + ": the bootstrap script hands the catalog to the service principal in its last step; run the script to its end")
	default:
		return failed("could not read catalog " + name + ": " + trim(err))
	}
	result := map[string]any{"catalog": name, "exists": true, "owner": info.Owner}
	if !strings.HasSuffix(info.Comment, mark) {
		return Test{Status: Failed, Result: result, Message: fmt.Sprintf("catalog %s exists but is not this integration's: its comment does not end with the marker %q: choose another config.catalog, or set the catalog up with this integration's script", name, mark)}
	}
	if r.in.AutoBootstrap {
		return passed("catalog "+name+" exists and carries this integration's marker", result)
	}
	if !privileges.SamePrincipal(info.Owner, sp) {
		return Test{Status: Failed, Result: result, Message: fmt.Sprintf("catalog %s is owned by %s, not by the service principal %s: the bootstrap script's last step (ALTER CATALOG ... OWNER TO) did not run: run the script to its end", name, info.Owner, sp)}
	}
	if r.noSQL != "" {
		return Test{Status: Skipped, Result: result, Message: "skipped: the recorded payload fingerprint cannot be read: " + r.noSQL}
	}
	table := sqltext.Ident(name, ucbootstrap.SystemSchema, "integration_metadata")
	_, read, err := generator.RecordFingerprint(r.in)
	if err != nil {
		return Test{Status: Failed, Result: result, Message: "the query that reads the recorded fingerprint: " + trim(err)}
	}
	res, err := r.exec.Query(r.ctx, read)
	if err != nil {
		return Test{Status: Failed, Result: result, Message: "could not read the recorded payload fingerprint from " + table + ": " + trim(err) + ": run the bootstrap script generated for this payload to its end"}
	}
	recorded := ""
	for _, row := range res.Rows {
		if len(row) == 2 && row[0] == "fingerprint" {
			recorded, _ = row[1].(string)
		}
	}
	result["fingerprint"] = recorded
	want := r.in.Fingerprint()
	switch recorded {
	case want:
		return passed("catalog "+name+" is this integration's, owned by the service principal, and was set up from this payload", result)
	case "":
		return Test{Status: Failed, Result: result, Message: "no payload fingerprint is recorded in " + table + ": the catalog was set up by hand or by an older script: generate the bootstrap script for this payload and run it"}
	}
	return Test{Status: Failed, Result: result, Message: fmt.Sprintf("the payload you provide must match the payload sent when generating the script: the catalog records %s, this payload is %s; "+
		"send the payload the script was generated from, or, to change the integration, edit it through the integrations API: the edit is recorded by the service principal (a MERGE of the new fingerprint into %s), never by a script a person runs", recorded, want, table)}
}

// maxListed bounds the requirements and statements a message lists.
const maxListed = 5

// privileges runs the live audit.
func (r *runner) privileges() Test {
	if r.noMetastore != "" {
		return skipped(r.noMetastore)
	}
	reqs, err := privileges.Required(r.in, r.opts.Requirements...)
	if err != nil {
		return failed("the requirements of the payload could not be derived: " + trim(err))
	}
	// Before the first run of an automatic setup, what the service
	// principal will create (and then own) cannot be there yet; nor, just
	// before a run of its bootstrap, what a run that stopped half-way did
	// not create.
	pending := 0
	if r.in.AutoBootstrap && (r.catalogAbsent || r.opts.SetUp) {
		cat := r.in.Config.CatalogName()
		kept := reqs.List[:0:0]
		for _, q := range reqs.List {
			if q.On.Type != privileges.Metastore && (q.On.Name == cat || strings.HasPrefix(q.On.Name, cat+".")) {
				pending++
				continue
			}
			kept = append(kept, q)
		}
		reqs.List = kept
	}
	fetched, err := databricks.Fetch(r.ctx, r.client, reqs, databricks.FetchOptions{Concurrency: r.opts.Concurrency})
	if err != nil {
		return failed("the grants could not be read: " + trim(err))
	}
	rep, err := privileges.Audit(reqs, fetched.Seq(), fetched.Facts())
	if err != nil {
		return failed("the audit failed: " + trim(err))
	}
	result := map[string]int{
		"satisfied": rep.Count(privileges.Satisfied), "missing": rep.Count(privileges.Missing),
		"unverified": rep.Count(privileges.Unverified), "exposures": rep.Errors(),
	}
	summary := rep.Summary(privileges.Gate{})
	if pending > 0 {
		summary += fmt.Sprintf(" (and %d on catalog %s, which the service principal creates)", pending, r.in.Config.CatalogName())
	}
	if !rep.Passed(privileges.Gate{}) {
		msg := summary
		var missing []string
		for _, res := range rep.Results {
			if res.Status == privileges.Missing {
				missing = append(missing, res.Requirement.String()+" ("+res.How+")")
			}
		}
		switch {
		case len(missing) > maxListed:
			msg += fmt.Sprintf("; missing (the first %d of %d): %s", maxListed, len(missing), strings.Join(missing[:maxListed], "; "))
		case len(missing) > 0:
			msg += "; missing: " + strings.Join(missing, "; ")
		}
		switch {
		case len(rep.Fix) > maxListed:
			msg += "; for the statements that grant what is missing, run ucbootstrap audit --live --fix-sql fix.sql"
		case len(rep.Fix) > 0:
			msg += "; grant what is missing: " + strings.Join(rep.Fix, "; ")
		}
		if rep.Errors() > 0 {
			msg += "; revoke what exposes the governance catalog (ucbootstrap audit --live --revoke --fix-sql fix.sql)"
		}
		return Test{Status: Failed, Result: result, Message: msg}
	}
	if rep.Count(privileges.Unverified) > 0 || len(rep.Findings) > 0 {
		return Test{Status: Warning, Result: result, Message: summary + ": see ucbootstrap audit --live for the details"}
	}
	return Test{Status: Passed, Result: result, Message: summary}
}

// audit probes the system tables query audit reads.
func (r *runner) audit() Test {
	c := &r.in.Config
	if !c.Audit.Enabled {
		return skipped("query audit is off (config.audit.enabled)")
	}
	if r.noSQL != "" {
		return skipped(r.noSQL)
	}
	tables := []string{"system.access.audit", "system.access.table_lineage", "system.access.column_lineage"}
	if c.Audit.QueryHistory {
		tables = append(tables, "system.query.history")
	}
	var readable, problems []string
	for _, t := range tables {
		parts := strings.Split(t, ".")
		_, err := r.exec.Query(r.ctx, "SELECT * FROM "+sqltext.Ident(parts...)+" LIMIT 0")
		if err == nil {
			readable = append(readable, t)
			continue
		}
		what := "grant the service principal USE CATALOG on system, USE SCHEMA on system." + parts[1] + " and SELECT on " + t
		var se *sqlexec.Error
		if errors.As(err, &se) && (se.Class == "TABLE_OR_VIEW_NOT_FOUND" || se.Class == "SCHEMA_NOT_FOUND") {
			what = "enable the system schema " + parts[1] + " (an account or metastore admin: databricks system-schemas enable METASTORE_ID " + parts[1] + "), then " + what
		}
		problems = append(problems, t+": "+trim(err)+": "+what)
	}
	if readable == nil {
		readable = []string{}
	}
	if len(problems) > 0 {
		return Test{Status: Failed, Result: readable, Message: "the service principal cannot read every system table query audit needs: " + strings.Join(problems, "; ")}
	}
	return passed("the service principal reads "+strings.Join(tables, ", "), readable)
}

// trim drops the package prefixes of an error's message.
func trim(err error) string {
	s := err.Error()
	for _, p := range []string{"sqlexec: ", "databricks: ", "privileges: "} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}
