package liveaudit

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/ucbootstrap/ucbootstrap/databricks"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/sqlexec"
)

// Via names a path of the live audit.
type Via string

// The paths.
const (
	// Auto takes the warehouse path when the payload's httpPath names a
	// SQL warehouse, and the REST path otherwise or when the warehouse
	// cannot answer.
	Auto Via = "auto"
	// REST asks the Unity Catalog REST API about each securable.
	REST Via = "rest"
	// SQL queries the information_schema views on the SQL warehouse.
	SQL Via = "sql"
)

// ParseVia returns the path named s: auto, rest or sql.
func ParseVia(s string) (Via, error) {
	switch v := Via(s); v {
	case Auto, REST, SQL:
		return v, nil
	case "":
		return Auto, nil
	}
	return "", fmt.Errorf("liveaudit: unknown path %q: use auto, rest or sql", s)
}

// Options configure [Fetch].
type Options struct {
	// Via is the path; "" means Auto.
	Via Via
	// Concurrency bounds the requests (REST) or queries (SQL) in flight;
	// 0 means databricks.DefaultConcurrency.
	Concurrency int
	// REST are the options of the REST path.
	REST databricks.FetchOptions
}

// Info says which path ran and what it cost.
type Info struct {
	// Via is the path that ran: REST or SQL.
	Via Via
	// Why says why Auto took it, or why it fell back from the warehouse.
	Why string
	// Requests is the number of HTTP requests of the REST path, or the
	// number of statements of the warehouse path.
	Requests int
}

// String says which path ran: "via sql (6 statements on warehouse ...)".
func (i Info) String() string {
	unit := "requests"
	if i.Via == SQL {
		unit = "statements"
	}
	s := fmt.Sprintf("via %s (%d %s)", i.Via, i.Requests, unit)
	if i.Why != "" {
		s += ": " + i.Why
	}
	return s
}

// Fetch asks the workspace what the requirements need, by the path of
// opts.Via: c is the REST client, exec (which may be nil) the SQL
// executor on the payload's compute, both with the credentials whose view
// the audit takes (the service principal's).
func Fetch(ctx context.Context, c *databricks.Client, exec *sqlexec.Executor, reqs *privileges.Requirements, opts Options) (*databricks.Fetched, Info, error) {
	via := opts.Via
	if via == "" {
		via = Auto
	}
	rest := func(why string) (*databricks.Fetched, Info, error) {
		o := opts.REST
		if o.Concurrency == 0 {
			o.Concurrency = opts.Concurrency
		}
		f, err := databricks.Fetch(ctx, c, reqs, o)
		info := Info{Via: REST, Why: why}
		if f != nil {
			info.Requests = f.Requests
		}
		return f, info, err
	}
	switch {
	case via == REST:
		return rest("")
	case exec == nil:
		if via == SQL {
			return nil, Info{Via: SQL}, errors.New("liveaudit: the warehouse path needs a SQL warehouse: the payload's httpPath names none")
		}
		return rest("the payload names no SQL warehouse")
	case exec.Target().Kind != sqlexec.Warehouse:
		if via == SQL {
			return nil, Info{Via: SQL}, fmt.Errorf("liveaudit: the warehouse path needs a SQL warehouse, and httpPath names cluster %s (its information_schema queries would wait for the cluster)", exec.Target().ID)
		}
		return rest("httpPath names a cluster, not a SQL warehouse")
	}
	f, err := databricks.FetchSQL(ctx, querier{exec}, reqs, databricks.SQLFetchOptions{Concurrency: opts.Concurrency})
	info := Info{Via: SQL}
	if f != nil {
		info.Requests = f.Requests
	}
	if err == nil || via == SQL || ctx.Err() != nil {
		if err == nil && via == Auto {
			info.Why = "the payload names SQL warehouse " + exec.Target().ID
		}
		return f, info, err
	}
	return rest("the warehouse path failed (" + err.Error() + ")")
}

// Audit fetches with [Fetch] and audits what it learned: the [Grants].
func Audit(ctx context.Context, c *databricks.Client, exec *sqlexec.Executor, reqs *privileges.Requirements, opts Options) (*privileges.Report, *databricks.Fetched, Info, error) {
	f, info, err := Fetch(ctx, c, exec, reqs, opts)
	if err != nil {
		return nil, f, info, err
	}
	rep, err := privileges.Audit(reqs, Grants(f, reqs), f.Facts())
	if err != nil {
		return nil, f, info, fmt.Errorf("liveaudit: %w", err)
	}
	return rep, f, info, nil
}

// Grants returns the fetched grants that the live audit reads, whichever
// path fetched them: those of the principals that matter to the audit and
// every grant inside the governance catalog ([databricks.Audited]). The
// warehouse path fetches no others; the REST path learns the grants of
// every principal on the securables it asks about, and the others are
// left out here, so that both paths give the same report, its count of
// grants read included.
func Grants(f *databricks.Fetched, reqs *privileges.Requirements) iter.Seq2[privileges.Grant, error] {
	return func(yield func(privileges.Grant, error) bool) {
		for g, err := range f.Seq() {
			if err == nil && !databricks.Audited(reqs, g) {
				continue
			}
			if !yield(g, err) {
				return
			}
		}
	}
}

// querier runs the warehouse path's queries on an executor.
type querier struct{ exec *sqlexec.Executor }

func (q querier) Query(ctx context.Context, sql string) ([]string, [][]any, error) {
	res, err := q.exec.Query(ctx, sql)
	if err != nil {
		return nil, nil, err
	}
	if res.Truncated {
		return nil, nil, errors.New("liveaudit: the warehouse cut the result short (manifest.truncated)")
	}
	cols := make([]string, len(res.Columns))
	for i, c := range res.Columns {
		cols[i] = c.Name
	}
	return cols, res.Rows, nil
}
