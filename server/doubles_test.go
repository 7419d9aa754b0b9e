package server

// Test doubles of the Validator and the Applier. They stand in for the
// validation and apply packages in the tests of the HTTP layer, the store
// transitions and the leases; they are not the end-to-end test (see
// cmd/ucbootstrap/serve_curl_test.go).

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"github.com/ucbootstrap/ucbootstrap"
)

// fakeValidator passes every test unless told otherwise.
type fakeValidator struct {
	mu sync.Mutex
	// unreadable lists workspaces whose metastore cannot be read.
	unreadable map[string]bool
	// failing lists workspaces whose tests fail (from the phase on).
	failing map[string]Phase
	// echo makes failing messages quote the token (a workspace that
	// echoes credentials), to test scrubbing.
	echo bool
	// gate, when not nil, is waited on by every validation.
	gate func(ctx context.Context) error
	// tagData puts the configuration's data sources in the results, so
	// that a test can tell whose results a record shows.
	tagData bool
	calls   []Phase
}

func (v *fakeValidator) Validate(ctx context.Context, in *ucbootstrap.Integration, phase Phase, _ *ucbootstrap.Integration) (*Results, error) {
	v.mu.Lock()
	v.calls = append(v.calls, phase)
	unreadable := v.unreadable[in.Config.Host()]
	failFrom, failing := v.failing[in.Config.Host()]
	gate, echo, tag := v.gate, v.echo, v.tagData
	v.mu.Unlock()
	if gate != nil {
		if err := gate(ctx); err != nil {
			return nil, err
		}
	}
	if unreadable {
		return nil, &ProcessingError{Message: MetastoreInfoError}
	}
	res := &Results{Status: "passed", Tests: []Test{
		{Name: "Connection", Status: "passed", Result: json.RawMessage(`[{"1":1}]`)},
		{Name: "Metastore", Status: "passed"},
	}}
	if tag {
		b, _ := json.Marshal(in.Config.DataSources)
		res.Tests[1].Result = b
	}
	if failing && (phase == failFrom || phase == PhaseSetup || phase == PhaseRecurring) {
		msg := "the service principal lacks USE CATALOG on main"
		if echo {
			msg += " (token " + in.Config.Token.Reveal() + ")"
		}
		res.Status = "failed"
		res.Tests = append(res.Tests, Test{Name: "Privileges", Status: "failed", Message: msg})
	}
	return res, nil
}

func (v *fakeValidator) setFailing(ws string, from Phase) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.failing == nil {
		v.failing = map[string]Phase{}
	}
	if from == "" {
		delete(v.failing, ws)
		return
	}
	v.failing[ws] = from
}

// fakeWorkspace records the statements an applier ran, as a workspace
// would: each one once per execution.
type fakeWorkspace struct {
	mu   sync.Mutex
	runs map[string]int
	log  []string
}

func (w *fakeWorkspace) exec(sql string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.runs == nil {
		w.runs = map[string]int{}
	}
	w.runs[sql]++
	w.log = append(w.log, sql)
}

func (w *fakeWorkspace) count(sql string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.runs[sql]
}

func (w *fakeWorkspace) total() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.log)
}

// fakeApplier runs a script's statements on a fakeWorkspace, saving the
// index of the next statement as its checkpoint after each, and resuming
// from it: the shape of the apply package's ledger, reduced to a counter.
type fakeApplier struct {
	ws interface{ exec(sql string) }
	mu sync.Mutex
	// failAt makes the statement of that index fail (-1: none), for runs
	// that are not rollbacks.
	failAt int
	// echo makes the failure message quote the token.
	echo bool
	// blockAt, when not nil, is called before the statement of that index
	// and may block (until ctx ends).
	blockAt  int
	block    func(ctx context.Context)
	runs     []Run
	attempts []int
}

// Record records the fingerprint as a statement of the fake workspace.
func (a *fakeApplier) Record(ctx context.Context, in *ucbootstrap.Integration) error {
	a.ws.exec("record " + in.Fingerprint())
	return nil
}

type fakeLedger struct {
	Next int `json:"next"`
}

func (a *fakeApplier) Apply(ctx context.Context, run *Run) error {
	a.mu.Lock()
	a.runs = append(a.runs, *run)
	a.attempts = append(a.attempts, run.Attempt)
	failAt, echo, blockAt, block := a.failAt, a.echo, a.blockAt, a.block
	a.mu.Unlock()
	var l fakeLedger
	if b := run.Checkpoint.Load(); b != nil {
		if err := json.Unmarshal(b, &l); err != nil {
			return fmt.Errorf("fake applier: ledger: %w", err)
		}
	}
	for i := l.Next; i < len(run.Script.Statements); i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if block != nil && i == blockAt {
			block(ctx)
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		sql := run.Script.Statements[i].SQL
		if i == failAt && !run.Rollback {
			msg := "[INSUFFICIENT_PERMISSIONS] User does not have MANAGE on Catalog 'main'"
			if echo {
				msg += " for token " + run.Integration.Config.Token.Reveal()
			}
			return &StatementError{Index: i, SQL: sql, Message: msg}
		}
		a.ws.exec(strconv.FormatInt(run.IntegrationID, 10) + ": " + sql)
		b, _ := json.Marshal(fakeLedger{Next: i + 1})
		if err := run.Checkpoint.Save(ctx, b); err != nil {
			return err
		}
	}
	return nil
}
