package apply

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/sqlexec"
)

// A scheduler runs the phases of a plan: in each, a statement starts once
// the statements it depends on (see dependencies) have succeeded, at most
// conc at a time, the lowest index first. A failure stops new starts; the
// statements in flight end (or, when the context ends, are cancelled by
// sqlexec) before the phase returns.
type scheduler struct {
	r     *run
	conc  int
	start time.Time

	// Under r.mu: the statements run in this run, passed over (they had
	// succeeded), attached to; in flight, and ended (passed over
	// included).
	ran, skipped, attached int
	running, ended         int
	section                generator.Section
}

// dependenciesOf is dependencies; a test replaces it to show that the
// emulator catches a scheduler that ignores them.
var dependenciesOf = dependencies

type outcome struct {
	j   int
	err error
}

// indexHeap is a min-heap of positions in a phase.
type indexHeap []int

func (h indexHeap) Len() int           { return len(h) }
func (h indexHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h indexHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *indexHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *indexHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (x *scheduler) phase(ctx context.Context, ph phase) error {
	r := x.r
	deps := dependenciesOf(r.plan, ph)
	n := len(ph.stmts)
	waiting := make([]int, n)
	next := make([][]int, n)
	for j, ds := range deps {
		waiting[j] = len(ds)
		for _, d := range ds {
			next[d] = append(next[d], j)
		}
	}
	ready := &indexHeap{}
	for j := range n {
		if waiting[j] == 0 {
			heap.Push(ready, j)
		}
	}
	release := func(j int) {
		for _, k := range next[j] {
			if waiting[k]--; waiting[k] == 0 {
				heap.Push(ready, k)
			}
		}
	}
	r.mu.Lock()
	x.section = ph.section
	r.mu.Unlock()
	results := make(chan outcome)
	inflight, finished := 0, 0
	// first is the failure of the lowest index: of statements that fail
	// together, the first in script order is reported, whatever the
	// timing.
	var first error
	firstAt := n
	for {
		for first == nil && ctx.Err() == nil && ready.Len() > 0 && inflight < x.conc {
			j := heap.Pop(ready).(int)
			r.mu.Lock()
			skip := r.done(ph.stmts[j])
			if skip {
				x.skipped++
				x.ended++
			}
			r.mu.Unlock()
			if skip {
				finished++
				release(j)
				continue
			}
			inflight++
			r.mu.Lock()
			x.running++
			r.mu.Unlock()
			go func() { results <- outcome{j, x.one(ctx, ph.stmts[j])} }()
		}
		if inflight == 0 {
			break
		}
		o := <-results
		inflight--
		finished++
		if o.err != nil {
			if o.j < firstAt {
				first, firstAt = o.err, o.j
			}
			continue
		}
		release(o.j)
	}
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case first != nil:
		return first
	case finished != n:
		return fmt.Errorf("apply: internal error: %d of the %d statements of section %s could not start", n-finished, n, ph.section.Key())
	}
	return nil
}

// one runs statement idx: it attaches to its earlier submission when the
// record has one that had not ended, and submits it otherwise. It records
// how it ended, and returns a *StatementError for a statement that did
// not succeed, or the context's error once the context has ended.
func (x *scheduler) one(ctx context.Context, idx int) error {
	r := x.r
	st := &r.plan.Statements[idx]
	sq := sqlexec.Statement{Text: st.SQL, Pos: st.Pos, Index: idx, Idempotent: st.Idempotent}
	started := r.now().UTC()
	r.mu.Lock()
	r.started[idx] = started
	var prev StatementRecord
	if idx < len(r.rec.Statements) {
		prev = r.rec.Statements[idx]
	}
	r.mu.Unlock()
	var err error
	attach := prev.State == Submitted && prev.StatementID != ""
	if attach {
		r.mu.Lock()
		x.attached++
		r.ids[idx] = prev.StatementID
		r.mu.Unlock()
		_, err = r.runExec.Attach(ctx, prev.StatementID, sq)
		var se *sqlexec.Error
		if err != nil && ctx.Err() == nil && errors.As(err, &se) && se.Unknown && st.Idempotent {
			// Gone (removed after it ended) or cancelled: whether it took
			// effect is not known, and it is safe to run again.
			_, err = r.runExec.Execute(ctx, sq)
		}
	} else {
		_, err = r.runExec.Execute(ctx, sq)
	}
	ended := r.now().UTC()
	rec := StatementRecord{Index: idx, Section: st.Section.Key(), Position: st.Pos.String(), Hash: st.Hash, Cumulative: st.Cumulative,
		RunID: r.res.RunID, Runner: r.me, State: Succeeded, Started: &started, Ended: &ended}
	var se *sqlexec.Error
	switch {
	case err == nil:
	case errors.As(err, &se) && !se.Unknown:
		rec.State = Failed
		rec.Error = &ErrorInfo{Code: se.Code, Class: se.Class, SQLState: se.SQLState, Message: se.Message}
	case errors.As(err, &se):
		rec.State = Unknown
		rec.Error = &ErrorInfo{Code: se.Code, Class: se.Class, SQLState: se.SQLState, Message: se.Message}
	default:
		rec.State = Unknown
		rec.Error = &ErrorInfo{Message: err.Error()}
	}
	r.mu.Lock()
	rec.StatementID = r.ids[idx]
	x.running--
	x.ended++
	x.ran++
	werr := r.write(context.WithoutCancel(ctx), Entry{Statement: &rec})
	x.report("")
	r.mu.Unlock()
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		return &StatementError{Statement: *st, Err: err}
	case werr != nil:
		return werr
	}
	return nil
}

// report sends a progress event. r.mu is held.
func (x *scheduler) report(msg string) {
	if x.r.opts.Progress == nil {
		return
	}
	x.r.opts.Progress(Event{Done: x.ended, Running: x.running, Total: len(x.r.plan.Statements),
		Section: x.section, Elapsed: x.r.now().Sub(x.start), Message: msg})
}

// submitted records a statement the workspace accepted, before the run
// waits for it.
func (r *run) submitted(s sqlexec.Submission) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	idx := s.Statement.Index
	if idx < 0 || idx >= len(r.plan.Statements) {
		return fmt.Errorf("apply: a submission of no statement of the script (index %d)", idx)
	}
	st := &r.plan.Statements[idx]
	r.ids[idx] = s.ID
	started := r.started[idx]
	return r.write(context.Background(), Entry{Statement: &StatementRecord{Index: idx, Section: st.Section.Key(), Position: st.Pos.String(),
		Hash: st.Hash, Cumulative: st.Cumulative, RunID: r.res.RunID, Runner: r.me, StatementID: s.ID, State: Submitted, Started: &started}})
}

// progress passes on what sqlexec waits for.
func (r *run) progress(ev sqlexec.Event) {
	if ev.Kind != sqlexec.Starting && ev.Kind != sqlexec.Cancelling && ev.Kind != sqlexec.Retrying {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sched != nil {
		r.sched.report(ev.Message)
	}
}
