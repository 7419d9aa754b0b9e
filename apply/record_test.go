package apply

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ucbootstrap/ucbootstrap/generator"
)

func header(id, resumes string, total int) Entry {
	return Entry{Run: &Header{Schema: RecordSchema, RunID: id, Resumes: resumes, Kind: generator.Bootstrap, Total: total}}
}

func stmt(i int, s State) Entry {
	return Entry{Statement: &StatementRecord{Index: i, State: s, Hash: hash("s")}}
}

// TestRecordReplay: a run from the top starts a new record, a resumed run
// keeps the statements; a last line cut short is ignored, a malformed line
// before the last is an error naming it.
func TestRecordReplay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.jsonl")
	l, rec, err := OpenFile(path)
	if err != nil || rec != nil {
		t.Fatalf("a new file: %v, %v", rec, err)
	}
	ctx := context.Background()
	for _, e := range []Entry{header("a", "", 3), stmt(0, Succeeded), stmt(1, Submitted), {End: &End{RunID: "a", State: RunInterrupted}},
		header("b", "a", 3), stmt(1, Succeeded)} {
		if err := l.Write(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	data, _ := os.ReadFile(path)
	os.WriteFile(path, append(data, []byte(`{"statement":{"index":2,"sta`)...), 0o600)
	l, rec, err = OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	if rec.RunID != "b" || rec.Runs != 2 || rec.End != nil || len(rec.Statements) != 2 || rec.Statements[0].State != Succeeded || rec.Statements[1].State != Succeeded {
		t.Errorf("replayed: %+v", rec)
	}
	// A run from the top resets it.
	rec2, err := ParseRecord(append(data, []byte(mustJSON(t, header("c", "", 3))+"\n")...))
	if err != nil || rec2.RunID != "c" || len(rec2.Statements) != 0 || rec2.Runs != 1 {
		t.Errorf("a run from the top: %+v, %v", rec2, err)
	}
	// A malformed line that is not the last.
	bad := strings.Replace(string(data), `"runId":"b"`, `"runId":b`, 1)
	if _, err := ParseRecord([]byte(bad)); err == nil || !strings.Contains(err.Error(), "record line 5") {
		t.Errorf("a malformed line 5: %v", err)
	}
	if _, err := ParseRecord([]byte(mustJSON(t, stmt(0, Succeeded)))); err == nil {
		t.Error("a statement before any header was accepted")
	}
	if _, err := ParseRecord([]byte(mustJSON(t, Entry{Run: &Header{Schema: "other/v9"}}))); err == nil {
		t.Error("a record of another schema was accepted")
	}
}

// TestSnapshot: a snapshot ledger saves the whole record after each
// entry, compactly, and reads back to the record the entries make,
// starting from the record it resumes.
func TestSnapshot(t *testing.T) {
	var saved []byte
	save := func(_ context.Context, data []byte) error { saved = append([]byte(nil), data...); return nil }
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	l := Snapshot(nil, save)
	entries := []Entry{header("a", "", 2), {Statement: &StatementRecord{Index: 0, State: Submitted, StatementID: "id-0", Hash: hash("s"), Started: &now}},
		{Statement: &StatementRecord{Index: 0, State: Succeeded, StatementID: "id-0", Hash: hash("s"), Started: &now, Ended: &now}}}
	want := &Record{}
	for _, e := range entries {
		if err := l.Write(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		want.apply(e)
	}
	if n := strings.Count(string(saved), "\n"); n != 2 {
		t.Errorf("the snapshot has %d lines, want 2 (header, one statement):\n%s", n, saved)
	}
	got, err := ParseRecord(saved)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("snapshot (-want +got):\n%s", diff)
	}
	// Resumed from it.
	l = Snapshot(got, save)
	l.Write(context.Background(), header("b", "a", 2))
	l.Write(context.Background(), stmt(1, Succeeded))
	again, err := ParseRecord(saved)
	if err != nil || len(again.Statements) != 2 || again.Statements[0].StatementID != "id-0" || again.RunID != "b" {
		t.Errorf("resumed snapshot: %+v, %v", again, err)
	}
}

func mustJSON(t *testing.T, e Entry) string {
	t.Helper()
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A record file that OpenFile created and nothing was written to is gone
// after Close (a refused run leaves no empty record behind); one that held
// a record before, or was written to, stays.
func TestFileLedgerLeavesNoEmptyRecord(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "fresh.jsonl")
	l, prev, err := OpenFile(fresh)
	if err != nil || prev != nil {
		t.Fatalf("OpenFile: %v, %v", prev, err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Errorf("the unused new record is still there: %v", err)
	}

	used := filepath.Join(dir, "used.jsonl")
	l, _, err = OpenFile(used)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Write(context.Background(), header("r1", "", 3)); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l, prev, err = OpenFile(used)
	if err != nil || prev == nil || prev.RunID != "r1" {
		t.Fatalf("reopened: %+v, %v", prev, err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(used); err != nil {
		t.Errorf("the record written before is gone: %v", err)
	}
}

// TestFileLedgerLock: a record file that one ledger holds cannot be
// opened by another until the first is closed, and the error names the
// file; a new file that the first removes on Close (nothing written) is
// not left locked for the second, which opens the path anew.
func TestFileLedgerLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.jsonl")
	l, _, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Write(context.Background(), header("r1", "", 3)); err != nil {
		t.Fatal(err)
	}
	if l2, _, err := OpenFile(path); !errors.Is(err, ErrRecordInUse) || !strings.Contains(err.Error(), path) {
		if l2 != nil {
			l2.Close()
		}
		t.Fatalf("a second OpenFile of a held record: %v, want ErrRecordInUse naming %s", err, path)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l, prev, err := OpenFile(path)
	if err != nil || prev == nil || prev.RunID != "r1" {
		t.Fatalf("OpenFile after Close: %+v, %v", prev, err)
	}
	l.Close()

	fresh := filepath.Join(t.TempDir(), "fresh.jsonl")
	l, _, err = OpenFile(fresh)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := OpenFile(fresh); !errors.Is(err, ErrRecordInUse) {
		t.Fatalf("a second OpenFile of a new held record: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l, prev, err = OpenFile(fresh)
	if err != nil || prev != nil {
		t.Fatalf("OpenFile after the new record was removed: %+v, %v", prev, err)
	}
	if err := l.Write(context.Background(), header("r2", "", 3)); err != nil {
		t.Fatal(err)
	}
	l.Close()
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("the record written is not at its path: %v", err)
	}
}
