package apply

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/databricks"
	"github.com/ucbootstrap/ucbootstrap/dbsql"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/sqltext"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/privileges/listing"
	"github.com/ucbootstrap/ucbootstrap/sqlexec"
)

// The run ledger of the governance catalog (ucbootstrap.RunsTable): a row
// per statement that ended, appended with INSERT, by whoever may write
// the table at the time. The bootstrap creates it, as its runner, who owns
// it until the hand-over; from then on only its owner, the service
// principal, may write it (a metastore admin reads and writes no data).
// So the runner writes the rows of the statements that ended before the
// hand-over, section by section, and the service principal writes the
// rest, with the payload's credentials, when the script has ended. Rows
// that an earlier run of the record could not write (it was interrupted,
// or failed before the hand-over, when the service principal may not write
// yet) are written then too: the service principal writes every row the
// record has and the table lacks, by run ID and statement index, so that
// a row is written once however often a run is resumed. A cleanup drops
// the table with the catalog: its rows stay in the record only. The
// record (the Ledger) is the run's authority; the table is the
// workspace's copy, and writing it never stops a run.

// catalogRows bounds the rows of one INSERT.
const catalogRows = 200

// runsColumns are the columns of the run ledger, as the governance
// template creates them.
var runsColumns = []string{"run_id", "kind", "script", "payload", "runner", "statement_index", "section", "position",
	"statement_hash", "cumulative_hash", "statement_id", "state", "error_code", "message", "started_at", "ended_at"}

type catalogLedger struct {
	r     *run
	table string
	// pending are the statements that ended and are not in the table yet.
	pending []StatementRecord
	// create and handOver are the plan's statements that create the table
	// and hand it to the service principal, or -1.
	create, handOver int
	// runnerDone is set once the runner may no longer write.
	runnerDone bool
	noted      map[string]bool
}

func newCatalogLedger(r *run) *catalogLedger {
	c := &catalogLedger{r: r, create: -1, handOver: -1, noted: map[string]bool{},
		table: sqltext.Ident(r.in.Config.CatalogName(), ucbootstrap.SystemSchema, ucbootstrap.RunsTable)}
	runs := privileges.SecurableOf(privileges.Table, r.in.Config.CatalogName(), ucbootstrap.SystemSchema, ucbootstrap.RunsTable)
	for i, st := range r.plan.Statements {
		switch {
		case !st.Known || st.Step.On != runs:
		case st.Step.Kind == privileges.StepCreate:
			c.create = i
		case st.Step.Kind == privileges.StepOwner:
			c.handOver = i
		}
	}
	return c
}

// queue keeps a statement that ended for the table. r.mu is held, or no
// statement runs.
func (c *catalogLedger) queue(st StatementRecord) { c.pending = append(c.pending, st) }

func (c *catalogLedger) note(key, msg string) {
	if !c.noted[key] {
		c.noted[key] = true
		c.r.res.Notes = append(c.r.res.Notes, msg)
	}
}

// flushRunner writes the pending rows as the runner, between phases, when
// the runner may: it is the service principal (once the table exists), or
// this run created the table and has not handed it over yet.
func (c *catalogLedger) flushRunner(ctx context.Context) {
	r := c.r
	if c.runnerDone || len(c.pending) == 0 || r.opts.Kind == generator.Cleanup {
		return
	}
	created := c.create >= 0 && r.done(c.create)
	switch {
	case r.asSP && !created && r.opts.Kind == generator.Bootstrap:
		return // not yet created
	case !r.asSP && !created:
		c.runnerDone = true // the table is not the runner's
		return
	case !r.asSP && c.handOver >= 0 && r.state(c.handOver) != Pending:
		c.runnerDone = true // handed over (or maybe: it was submitted)
		return
	}
	if err := c.flush(ctx, r.runQuery); err != nil {
		c.runnerDone = true
		c.note("runner", fmt.Sprintf("%s could not write the run ledger %s (%s): the service principal writes it when the script has ended", r.me, c.table, brief(err)))
	}
}

// flushServicePrincipal writes the rest as the service principal, when
// the script has ended.
func (c *catalogLedger) flushServicePrincipal(ctx context.Context) {
	r := c.r
	switch {
	case r.opts.Kind == generator.Cleanup:
		if len(c.pending) > 0 {
			c.note("cleanup", "the run of a cleanup is in the record only: the run ledger "+c.table+" is dropped with the catalog")
		}
		return
	case r.spExec == nil:
		if len(c.pending) > 0 {
			c.note("sp", "the rest of the run is in the record only: the service principal writes the run ledger "+c.table+" with the payload's credentials, which cannot be used ("+brief(r.payloadErr)+")")
		}
		return
	}
	// Also when this run ran nothing: a resume of a record whose
	// statements all succeeded still writes the rows the table lacks.
	err := c.backlog(ctx, r.spExec)
	if err == nil && len(c.pending) > 0 {
		err = c.flush(ctx, r.spExec)
	}
	if err != nil {
		var se *sqlexec.Error
		if errors.As(err, &se) && (se.Class == "TABLE_OR_VIEW_NOT_FOUND" || se.Class == "SCHEMA_NOT_FOUND" || se.Class == "CATALOG_NOT_FOUND" || se.Class == "NO_SUCH_CATALOG_EXCEPTION") {
			c.note("sp", "the governance catalog has no run ledger "+c.table+" (it is not set up yet, or by an older script): the run is in the record only")
			return
		}
		c.note("sp", "the service principal could not write the run ledger "+c.table+" ("+brief(err)+"): the run is in the record")
	}
}

// backlog adds to the pending rows those of the record's earlier runs
// that the table lacks (by run ID and statement index): rows that the run
// that ran the statement could not write.
func (c *catalogLedger) backlog(ctx context.Context, exec *sqlexec.Executor) error {
	r := c.r
	var earlier []StatementRecord
	runs := map[string]bool{}
	for _, st := range r.rec.Statements {
		switch st.State {
		case Succeeded, Failed, Unknown:
			if st.RunID != "" && st.RunID != r.res.RunID {
				earlier = append(earlier, st)
				runs[st.RunID] = true
			}
		}
	}
	if len(earlier) == 0 {
		return nil
	}
	ids := slices.Sorted(maps.Keys(runs))
	lits := make([]string, len(ids))
	for i, id := range ids {
		lits[i] = sqltext.Literal(id)
	}
	res, err := exec.Query(ctx, "SELECT `run_id`, `statement_index` FROM "+c.table+" WHERE `run_id` IN ("+strings.Join(lits, ", ")+")")
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, row := range res.Rows {
		if len(row) == 2 {
			have[fmt.Sprint(row[0])+"\x00"+fmt.Sprint(row[1])] = true
		}
	}
	for _, st := range earlier {
		if !have[st.RunID+"\x00"+strconv.Itoa(st.Index)] {
			c.pending = append(c.pending, st)
		}
	}
	return nil
}

// flush writes the pending rows with exec, in INSERTs of up to
// catalogRows rows; what was written is no longer pending.
func (c *catalogLedger) flush(ctx context.Context, exec *sqlexec.Executor) error {
	h := c.r.rec.Header
	for len(c.pending) > 0 {
		n := min(len(c.pending), catalogRows)
		var b strings.Builder
		b.WriteString("INSERT INTO " + c.table + " (" + strings.Join(quoted(runsColumns), ", ") + ") VALUES")
		for i, st := range c.pending[:n] {
			if i > 0 {
				b.WriteString(",")
			}
			code, msg := "", ""
			if st.Error != nil {
				code, msg = st.Error.Code, st.Error.Message
			}
			// A row of an earlier run (see backlog) has its run ID and
			// runner; its kind, payload and script are this run's (a
			// resumed run's kind and payload are the same, and the
			// statements that had run are unchanged).
			vals := []string{lit(cmp.Or(st.RunID, h.RunID)), lit(string(h.Kind)), lit(h.Script), lit(h.Payload), lit(cmp.Or(st.Runner, h.Runner)), strconv.Itoa(st.Index),
				lit(st.Section), lit(st.Position), lit(st.Hash), lit(st.Cumulative), lit(st.StatementID), lit(string(st.State)),
				lit(code), lit(msg), timeLit(st.Started), timeLit(st.Ended)}
			b.WriteString("\n  (" + strings.Join(vals, ", ") + ")")
		}
		if _, err := exec.Query(ctx, b.String()); err != nil {
			return err
		}
		c.pending = c.pending[n:]
	}
	return nil
}

func quoted(cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = sqltext.Ident(c)
	}
	return out
}

// lit is a string literal, or NULL for "".
func lit(s string) string {
	if s == "" {
		return "NULL"
	}
	return sqltext.Literal(s)
}

func timeLit(t *time.Time) string {
	if t == nil {
		return "NULL"
	}
	return sqltext.Literal(t.UTC().Format(time.RFC3339Nano))
}

// brief drops the package prefixes of an error's message.
func brief(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	for _, p := range []string{"apply: ", "sqlexec: ", "databricks: "} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}

// checkCleanup checks what a cleanup leaves: the governance catalog must
// be gone, and, when the script revoked the service principal's grants,
// the service principal must hold none of them directly.
func (r *run) checkCleanup(ctx context.Context) *CleanupCheck {
	c := &CleanupCheck{}
	_, err := r.runner.Catalog(ctx, r.in.Config.CatalogName())
	var ae *databricks.APIError
	switch {
	case errors.As(err, &ae) && ae.NotFound():
		c.CatalogGone = true
	case err != nil:
		r.res.Notes = append(r.res.Notes, "could not check that catalog "+r.in.Config.CatalogName()+" is gone: "+brief(err))
	}
	sp := r.in.Config.ServicePrincipalID()
	f, err := dbsql.ParseFile(r.plan.Name, []byte(r.plan.SQL))
	if err != nil || sp == "" {
		c.Passed = c.CatalogGone
		return c
	}
	held := map[privileges.Securable][]privileges.Grant{}
	for _, ch := range listing.FromScript(f) {
		if ch.Kind != listing.RevokeChange {
			continue
		}
		gs, ok := held[ch.On]
		if !ok {
			gs, err = r.runner.Permissions(ctx, ch.On)
			if errors.As(err, &ae) && ae.NotFound() {
				err, gs = nil, nil
			}
			if err != nil {
				c.Remaining = append(c.Remaining, "could not read the grants on "+ch.On.String()+": "+brief(err))
				continue
			}
			held[ch.On] = gs
		}
		for _, want := range ch.Grants {
			for _, g := range gs {
				if privileges.SamePrincipal(g.Principal, want.Principal) && privileges.SamePrincipal(want.Principal, sp) && g.Privilege == want.Privilege {
					c.Remaining = append(c.Remaining, g.String())
				}
			}
		}
	}
	c.Passed = c.CatalogGone && len(c.Remaining) == 0
	return c
}
