package apply

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/ucbootstrap/ucbootstrap/generator"
)

// RecordSchema is the version of the run record's format.
const RecordSchema = "ucbootstrap.run/v1"

// State is the state of a statement in a run record.
type State string

// The states of a statement.
const (
	// Pending: not run (yet).
	Pending State = "pending"
	// Submitted: the workspace accepted it, under StatementID, and it had
	// not ended when the record was last written; a resumed run attaches
	// to it instead of submitting it again.
	Submitted State = "submitted"
	// Succeeded: it ran.
	Succeeded State = "succeeded"
	// Failed: it failed, with Error.
	Failed State = "failed"
	// Unknown: it was cancelled, or lost, and may or may not have taken
	// effect; a resumed run runs it again (every generated statement is
	// idempotent).
	Unknown State = "unknown"
)

// RunState is the state of a run.
type RunState string

// The states of a run.
const (
	// RunSucceeded: every statement ran.
	RunSucceeded RunState = "succeeded"
	// RunFailed: a statement failed.
	RunFailed RunState = "failed"
	// RunInterrupted: the run was cancelled (Ctrl-C, a deadline) or its
	// record could not be written.
	RunInterrupted RunState = "interrupted"
)

// A Header starts a run in a record.
type Header struct {
	Schema string `json:"schema"`
	RunID  string `json:"runId"`
	// Resumes is the RunID of the run this one resumes, or "" for a run
	// from the top.
	Resumes string         `json:"resumes,omitempty"`
	Kind    generator.Kind `json:"kind"`
	Catalog string         `json:"catalog"`
	// Payload is the payload's fingerprint; Script the plan's.
	Payload    string `json:"payload"`
	Script     string `json:"script"`
	ScriptName string `json:"scriptName"`
	Edited     bool   `json:"edited,omitempty"`
	Total      int    `json:"total"`
	// Runner is the principal the statements run as (SCIM Me).
	Runner string `json:"runner"`
	// Forced lists the pre-flight failures --force let through.
	Forced      []string  `json:"forced,omitempty"`
	Concurrency int       `json:"concurrency"`
	Started     time.Time `json:"started"`
}

// An ErrorInfo is the error of a statement that failed.
type ErrorInfo struct {
	// Code is the error_code (BAD_REQUEST, PERMISSION_DENIED, ...), Class
	// the error condition ([INSUFFICIENT_PERMISSIONS]), SQLState the
	// SQLSTATE.
	Code     string `json:"code,omitempty"`
	Class    string `json:"class,omitempty"`
	SQLState string `json:"sqlState,omitempty"`
	// Message is the server's message, without credentials, or what
	// happened.
	Message string `json:"message"`
}

// A StatementRecord is what the record knows of one statement.
type StatementRecord struct {
	Index int `json:"index"`
	// Section is the section key (guard, catalog, ...).
	Section    string `json:"section,omitempty"`
	Position   string `json:"position,omitempty"`
	Hash       string `json:"hash"`
	Cumulative string `json:"cumulative"`
	// RunID is the run that last changed it, and Runner whom that run's
	// statements ran as.
	RunID       string     `json:"runId,omitempty"`
	Runner      string     `json:"runner,omitempty"`
	StatementID string     `json:"statementId,omitempty"`
	State       State      `json:"state"`
	Error       *ErrorInfo `json:"error,omitempty"`
	Started     *time.Time `json:"started,omitempty"`
	Ended       *time.Time `json:"ended,omitempty"`
}

// An End ends a run in a record.
type End struct {
	RunID   string    `json:"runId"`
	State   RunState  `json:"state"`
	Message string    `json:"message,omitempty"`
	Ended   time.Time `json:"ended"`
}

// An Entry is one line of a record: a run's header, a statement's new
// state, or a run's end.
type Entry struct {
	Run       *Header          `json:"run,omitempty"`
	Statement *StatementRecord `json:"statement,omitempty"`
	End       *End             `json:"end,omitempty"`
}

// A Record is the state of a run, as its entries leave it: the header of
// the latest run (the one a resumed run continues), what is known of
// every statement, and how the latest run ended.
type Record struct {
	Header
	// Runs counts the runs of the record since the last run from the top
	// (1, and one more for each resume).
	Runs       int               `json:"runs"`
	Statements []StatementRecord `json:"statements"`
	End        *End              `json:"end,omitempty"`
}

// apply updates the record with an entry.
func (r *Record) apply(e Entry) error {
	switch {
	case e.Run != nil:
		h := *e.Run
		if h.Schema != RecordSchema {
			return fmt.Errorf("the record is of schema %q; this ucbootstrap reads %s", h.Schema, RecordSchema)
		}
		if h.Resumes == "" {
			r.Statements, r.Runs = nil, 0
		}
		r.Header, r.End = h, nil
		r.Runs++
		if len(r.Statements) > h.Total {
			r.Statements = r.Statements[:h.Total]
		}
	case e.Statement != nil:
		st := *e.Statement
		if r.Schema == "" {
			return errors.New("a statement comes before any run header")
		}
		if st.Index < 0 || st.Index >= r.Total {
			return fmt.Errorf("statement index %d out of range (the run has %d statements)", st.Index, r.Total)
		}
		for len(r.Statements) <= st.Index {
			r.Statements = append(r.Statements, StatementRecord{Index: len(r.Statements), State: Pending})
		}
		r.Statements[st.Index] = st
	case e.End != nil:
		end := *e.End
		r.End = &end
	default:
		return errors.New("an entry with neither run, statement nor end")
	}
	return nil
}

// Entries returns the entries that give the record: its header, each
// statement that is not pending, and its end.
func (r *Record) Entries() []Entry {
	h := r.Header
	h.Resumes = ""
	out := []Entry{{Run: &h}}
	for i := range r.Statements {
		if st := r.Statements[i]; st.State != Pending && st.State != "" {
			out = append(out, Entry{Statement: &st})
		}
	}
	if r.End != nil {
		end := *r.End
		out = append(out, Entry{End: &end})
	}
	return out
}

// MarshalJSONL writes the record as JSON Lines, one entry a line, as
// [ReadRecord] reads it: the compact form of a record that has grown with
// many entries.
func (r *Record) MarshalJSONL() ([]byte, error) {
	var b bytes.Buffer
	for _, e := range r.Entries() {
		line, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("apply: %w", err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// ReadRecord reads a record: JSON Lines of entries, as a [Ledger] writes
// them. A last line cut short (the process stopped while writing it) is
// ignored; any other malformed line is an error naming it. An empty input
// gives a nil record.
func ReadRecord(rd io.Reader) (*Record, error) {
	var rec *Record
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	line := 0
	var pending error // a malformed line, an error unless it is the last
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		if pending != nil {
			return nil, pending
		}
		var e Entry
		if err := json.Unmarshal(text, &e); err != nil {
			pending = fmt.Errorf("apply: record line %d: %v", line, err)
			continue
		}
		if rec == nil {
			rec = &Record{}
		}
		if err := rec.apply(e); err != nil {
			return nil, fmt.Errorf("apply: record line %d: %v", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("apply: reading the record: %w", err)
	}
	return rec, nil
}

// ParseRecord is ReadRecord of data.
func ParseRecord(data []byte) (*Record, error) { return ReadRecord(bytes.NewReader(data)) }

// A Ledger keeps a run's record as the run goes. Run calls Write for each
// entry, one call at a time and in order: the header first, a statement
// when the workspace accepts it (with its statement ID, before the run
// waits for it) and when it ends, and the end. When Write fails, the run
// stops: a statement whose submission could not be recorded is cancelled.
type Ledger interface {
	Write(ctx context.Context, e Entry) error
}

// A FileLedger appends a record's entries to a file, one JSON line each,
// with one write per entry: a process killed at any moment leaves every
// entry but maybe a last one cut short, which [ReadRecord] ignores. It
// holds a lock on the file (see [OpenFile]). The file is synced at the end of a run and every few seconds. A file that
// OpenFile created and nothing was written to is removed by Close: a run
// refused before it started leaves no empty record behind.
type FileLedger struct {
	mu      sync.Mutex
	f       *os.File
	path    string
	synced  time.Time
	created bool // OpenFile created the file
	written bool // an entry was written
}

// ErrRecordInUse is the error of [OpenFile] for a record file that
// another run holds.
var ErrRecordInUse = errors.New("another run holds its lock")

// OpenFile opens (or creates) the record file at path for appending, and
// returns the record it holds (nil when it is new or empty). It holds an
// exclusive lock on the file (flock, on Unix systems) until Close, so
// that two runs cannot write one record: a file that another run holds is
// an error that wraps [ErrRecordInUse]. The lock ends with the process
// that holds it, however it ends: a killed run leaves no stale lock.
func OpenFile(path string) (*FileLedger, *Record, error) {
	for range 10 {
		l, rec, err := openLocked(path)
		if l != nil || err != nil {
			return l, rec, err
		}
		// The file was removed while this run waited for nothing: a run
		// that created it and wrote nothing removed it on Close. Open the
		// path again.
	}
	return nil, nil, fmt.Errorf("apply: the record %s: it keeps being replaced while it is opened", path)
}

// openLocked opens and locks the record file; it returns nil and no
// error when the file it locked is no longer the one at path.
func openLocked(path string) (*FileLedger, *Record, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	created := false
	if errors.Is(err, fs.ErrNotExist) {
		f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
		created = true
	}
	if err != nil {
		return nil, nil, fmt.Errorf("apply: the record: %w", err)
	}
	switch locked, err := lockFile(f); {
	case err != nil:
		f.Close()
		return nil, nil, fmt.Errorf("apply: the record %s: locking it: %w", path, err)
	case !locked:
		f.Close()
		return nil, nil, fmt.Errorf("apply: the record %s is in use: %w", path, ErrRecordInUse)
	}
	if fi, err := f.Stat(); err == nil {
		if now, err := os.Stat(path); err != nil || !os.SameFile(fi, now) {
			f.Close()
			return nil, nil, nil
		}
	}
	rec, err := ReadRecord(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return &FileLedger{f: f, path: path, synced: time.Now(), created: created}, rec, nil
}

// Write appends an entry.
func (l *FileLedger) Write(_ context.Context, e Entry) error {
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	line = append(line, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	l.written = true
	if _, err := l.f.Write(line); err != nil {
		return fmt.Errorf("apply: writing the record %s: %w", l.path, err)
	}
	if e.End != nil || time.Since(l.synced) > 5*time.Second {
		l.synced = time.Now()
		if err := l.f.Sync(); err != nil {
			return fmt.Errorf("apply: syncing the record %s: %w", l.path, err)
		}
	}
	return nil
}

// Close syncs and closes the file, and removes it when OpenFile created
// it and no entry was written.
func (l *FileLedger) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	err := l.f.Sync()
	if l.created && !l.written {
		// Removed while locked: a run that opens the path meanwhile
		// finds the file gone once it has the lock, and opens it again.
		if rerr := os.Remove(l.path); err == nil && !errors.Is(rerr, fs.ErrNotExist) {
			err = rerr
		}
	}
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Snapshot returns a ledger that keeps the record in memory, starting from
// prev (the record a resumed run continues, or nil), and saves all of it,
// as [Record.MarshalJSONL] writes it, after each entry: for a store that
// replaces a checkpoint as a whole, such as the integrations server's.
// [ParseRecord] reads it back.
func Snapshot(prev *Record, save func(ctx context.Context, data []byte) error) Ledger {
	s := &snapshot{save: save}
	if prev != nil {
		c := *prev
		c.Statements = append([]StatementRecord(nil), prev.Statements...)
		s.rec = &c
	}
	return s
}

type snapshot struct {
	mu   sync.Mutex
	rec  *Record
	save func(context.Context, []byte) error
}

func (s *snapshot) Write(ctx context.Context, e Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rec == nil {
		s.rec = &Record{}
	}
	if err := s.rec.apply(e); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	data, err := s.rec.MarshalJSONL()
	if err != nil {
		return err
	}
	return s.save(ctx, data)
}
