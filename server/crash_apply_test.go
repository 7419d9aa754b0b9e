package server

// The crash test with the real apply ledger: a server process (the real
// validator and applier) is killed (SIGKILL) while a statement of the
// bootstrap is in flight: the workspace (the emulator, in this process)
// accepted it and the job's checkpoint records its statement ID, but not
// its end. A new server process on the same store takes the job over when
// the lease expires, resumes from the checkpoint and attaches to the
// statement by its ID instead of submitting it again; every statement of
// the bootstrap runs once in all, but for one the workspace accepted in
// the moment before the kill, before its submission was saved, which runs
// again (every statement is idempotent).

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ucbootstrap/ucbootstrap/apply"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/server/store"
	"github.com/ucbootstrap/ucbootstrap/server/store/storetest"
	"github.com/ucbootstrap/ucbootstrap/validation"
)

// TestCrashApplyHelper is the server process of TestCrashApply; it does
// nothing in a normal test run.
func TestCrashApplyHelper(t *testing.T) {
	dsn := os.Getenv("UCB_CRASH_APPLY_STORE")
	if dsn == "" {
		return
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(ctx, Config{
		Store: st, Keys: testRing(t),
		Validator: NewLiveValidator(validation.Options{InsecureLoopback: true, MetastoreWait: -1}),
		Applier:   liveApplier(),
		Logger:    slog.New(slog.NewJSONHandler(os.Stderr, nil)),
		LeaseTTL:  2 * time.Second, PollInterval: 50 * time.Millisecond, Owner: os.Getenv("UCB_CRASH_OWNER"),
	})
	if err != nil {
		t.Fatal(err)
	}
	serveForParent(t, srv)
}

// applyRecord returns the apply record of a job's checkpoint (the part of
// the script, not of a rollback), or nil.
func applyRecord(t *testing.T, j *store.Job) *apply.Record {
	t.Helper()
	var parts map[string]string
	if len(j.Checkpoint) == 0 || json.Unmarshal(j.Checkpoint, &parts) != nil || parts["apply"] == "" {
		return nil
	}
	rec, err := apply.ParseRecord([]byte(parts["apply"]))
	if err != nil {
		t.Fatalf("the checkpoint's record: %v", err)
	}
	return rec
}

func TestCrashApply(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the crash test starts processes")
	}
	for _, backend := range storetest.Backends {
		for _, tc := range []struct {
			name string
			// finished: the held statement ends, in the workspace, while
			// no server watches it; otherwise it is still running when the
			// second server attaches to it.
			finished bool
			// failLater makes a later statement fail: createError.
			failLater bool
		}{
			{"ended-unrecorded", true, false},
			{"still-running", false, false},
			{"fails-after-resume", true, true},
		} {
			t.Run(backend+"/"+tc.name, func(t *testing.T) {
				emu, port := startEmulator(t)
				payload := emuPayload(port, true)
				runScript(t, emu, payload, generator.Prerequisites)
				bootstrap := generate(t, payload, generator.Bootstrap)
				held, later := -1, -1
				for i, s := range bootstrap.Statements {
					switch {
					case held < 0 && strings.HasPrefix(s.SQL, "CREATE SCHEMA IF NOT EXISTS `immuta`.`immuta_system`"):
						held = i
					case later < 0 && strings.HasPrefix(s.SQL, "CREATE FUNCTION"):
						later = i
					}
				}
				if held < 0 || later < held {
					t.Fatalf("the bootstrap has no schema, or no function after it:\n%v", bootstrap.Statements)
				}
				heldSQL := bootstrap.Statements[held].SQL
				emu.HoldStatement(heldSQL)

				dir := t.TempDir()
				ctx := context.Background()
				dsn, st, key := crashStore(t, backend)

				first := startHelper(t, "TestCrashApplyHelper", dir, "first", "UCB_CRASH_APPLY_STORE="+dsn)
				postIntegration(t, first.addr, key, payload)
				// Killed once the checkpoint records the held statement as
				// submitted, with its statement ID.
				var statementID string
				var atKill *apply.Record
				waitFor(t, 30*time.Second, "the held statement's submission in the checkpoint", func() bool {
					j, err := st.Job(ctx, 1)
					if err != nil {
						return false
					}
					atKill = applyRecord(t, j)
					if atKill == nil || len(atKill.Statements) <= held || atKill.Statements[held].State != apply.Submitted {
						return false
					}
					statementID = atKill.Statements[held].StatementID
					return statementID != ""
				})
				first.kill(t)
				if n := emu.Executions(heldSQL); n != 0 {
					t.Fatalf("the held statement ran %d times before the kill", n)
				}
				// The checkpoint as the killed server left it, and what the
				// workspace had run by then. A statement of the held one's
				// section that the workspace accepted but whose submission
				// the checkpoint does not hold (the kill came between the
				// two) is submitted again on resume: the one double-run
				// window, harmless because every statement is idempotent.
				j, err := st.Job(ctx, 1)
				if err != nil {
					t.Fatal(err)
				}
				if atKill = applyRecord(t, j); atKill == nil {
					t.Fatal("the checkpoint lost its record at the kill")
				}
				window := map[int]bool{}
				for i, s := range bootstrap.Statements {
					recorded := i < len(atKill.Statements) &&
						(atKill.Statements[i].State == apply.Succeeded || atKill.Statements[i].StatementID != "")
					if !recorded && emu.Executions(s.SQL) > 0 {
						window[i] = true
						t.Logf("statement %d ran before the kill without a recorded submission: %.70s", i+1, s.SQL)
					}
				}
				rec, err := st.Get(ctx, 1)
				if err != nil || rec.Status != store.Creating {
					t.Fatalf("after the kill: %+v, %v; want creating", rec, err)
				}
				if ids := emu.ReleaseStatements(tc.finished); len(ids) != 1 || ids[0] != statementID {
					t.Fatalf("released %v; want the recorded %s", ids, statementID)
				}
				if tc.finished && emu.Executions(heldSQL) != 1 {
					t.Fatal("the released statement did not run")
				}
				if tc.failLater {
					emu.FailStatement(bootstrap.Statements[later].SQL, 1)
				}

				startHelper(t, "TestCrashApplyHelper", dir, "second", "UCB_CRASH_APPLY_STORE="+dsn)
				waitFor(t, 60*time.Second, "the job to finish", func() bool {
					rec, err = st.Get(ctx, 1)
					return err == nil && rec.Status != store.Creating
				})
				want := store.Enabled
				if tc.failLater {
					want = store.CreateError
				}
				if rec.Status != want {
					t.Fatalf("status %s; want %s (error %s)", rec.Status, want, rec.Error)
				}
				// Nothing lost: the record keeps its validation results and
				// its credentials; the job is done, by the second server, at
				// its second attempt.
				if rec.Validation == nil || rec.Config.Token == nil {
					t.Errorf("the record lost its validation results or its token: %+v", rec)
				}
				jobs, _ := st.Jobs(ctx, 1)
				if len(jobs) != 1 || !jobs[0].Done || jobs[0].Owner != "second" || jobs[0].Attempts != 2 {
					t.Fatalf("jobs %+v; want one done by second at attempt 2", jobs)
				}
				// The second server attached to the statement the first had
				// submitted: the record has it succeeded under the same ID,
				// after a second run that resumed the first.
				// The second server resumed the first run: what had
				// succeeded keeps the first run's ID (it did not run again),
				// and the statement the first had submitted succeeded in the
				// second run under the same statement ID (attached to, not
				// submitted again).
				final := applyRecord(t, jobs[0])
				if final == nil || final.RunID == atKill.RunID || len(final.Statements) <= later ||
					!tc.failLater && len(final.Statements) != len(bootstrap.Statements) {
					t.Fatalf("the final record is not a second run to the end (or to the failure): %+v", final)
				}
				for i, s := range atKill.Statements {
					if s.State == apply.Succeeded && final.Statements[i].RunID != atKill.RunID {
						t.Errorf("statement %d, which had succeeded, was run again: %+v", i+1, final.Statements[i])
					}
				}
				if s := final.Statements[held]; s.State != apply.Succeeded || s.StatementID != statementID || s.RunID != final.RunID {
					t.Errorf("the held statement in the final record: %+v; want succeeded in run %s as %s", s, final.RunID, statementID)
				}
				// No statement ran twice: each up to the failure once (the
				// failing one failed once); after it, those of its section
				// (run at once with it) at most once, none of a later section.
				for i, s := range bootstrap.Statements {
					n := emu.Executions(s.SQL)
					switch {
					case window[i] && n <= 2:
						// Accepted before the kill, unrecorded: it may run
						// once more.
					case !tc.failLater || i <= later:
						if n != 1 {
							t.Errorf("statement %d ran %d times; want 1: %.70s", i+1, n, s.SQL)
						}
					case s.Section == bootstrap.Statements[later].Section:
						if n > 1 {
							t.Errorf("statement %d ran %d times; want at most 1: %.70s", i+1, n, s.SQL)
						}
					case n != 0:
						t.Errorf("statement %d, after the failure, ran %d times: %.70s", i+1, n, s.SQL)
					}
				}
				if tc.failLater {
					var je JobError
					if err := json.Unmarshal(rec.Error, &je); err != nil || je.Statement == nil || je.Statement.Index != later ||
						je.Statement.SQL != bootstrap.Statements[later].SQL || !strings.Contains(je.Statement.Message, "INTERNAL_ERROR") {
						t.Errorf("the error does not name statement %d: %s", later, rec.Error)
					}
				}
				for _, owner := range []string{"first", "second"} {
					b, _ := os.ReadFile(filepath.Join(dir, owner+".log"))
					if strings.Contains(string(b), testToken) {
						t.Errorf("the log of %s holds the token", owner)
					}
				}
			})
		}
	}
}
