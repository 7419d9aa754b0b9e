package ucemu

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/dbsql"
)

// This file serves the Statement Execution API (Go SDK service/sql
// StatementResponse, StatementStatus, ResultManifest, ResultData) and
// holds the statement state shared with the Command Execution API.

// The execution state of the server.
type execState struct {
	statements map[string]*statement
	next       int
	// pendingPolls and runningPolls are the polls a new statement stays
	// PENDING and then RUNNING for.
	pendingPolls, runningPolls int
	// cancelApplies makes a cancelled statement take effect before it is
	// reported CANCELED.
	cancelApplies bool
	// dropAfterAccept is the number of submissions still to accept,
	// execute, and answer by dropping the connection.
	dropAfterAccept int
	// chunkRows is the number of rows of a result chunk (0: one chunk).
	chunkRows int
	contexts  map[string]*execContext
	log       []Executed
	// inflight holds the statements submitted and not yet ended, and
	// violations the ordering violations seen (see ordering.go).
	inflight       map[*statement]bool
	violations     []Violation
	violationCount int
	// counts counts the executions of each statement text.
	counts map[string]int
	// failing are statements made to fail (FailStatement).
	failing []*stmtFault
	// holds are texts whose next statement is held (HoldStatement).
	holds []string
	// executed counts the statements and commands executed, per caller;
	// once holdWho's reach holdAfter (when not negative), new ones of
	// holdWho are held.
	executed  map[string]int
	holdAfter int
	holdWho   string
}

// A stmtFault makes the next n executions of a statement containing text
// fail.
type stmtFault struct {
	text string
	n    int
}

// FailStatement makes the next n executions of a statement whose text
// contains text fail, before they take effect, with INTERNAL_ERROR, as a
// statement that meets a transient failure of the service does.
func (s *Server) FailStatement(text string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exec.failing = append(s.exec.failing, &stmtFault{text: text, n: n})
}

// HoldStatement makes the next statement whose text contains text stay
// RUNNING, however often it is polled, until [Server.ReleaseStatements]:
// a test can then stop its client while that very statement is in flight
// (HoldAfter holds by count, whatever the statements).
func (s *Server) HoldStatement(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exec.holds = append(s.exec.holds, text)
}

// ReleaseStatements lets the held statements go on: with execute, they
// execute at once, as statements the workspace finishes while nobody polls
// them; without, at their next poll. It returns the IDs of the statements
// it released, in order of submission.
func (s *Server) ReleaseStatements(execute bool) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var held []*statement
	for _, st := range s.exec.statements {
		if st.pinned {
			held = append(held, st)
		}
	}
	slices.SortFunc(held, func(a, b *statement) int { return cmp.Compare(a.seq, b.seq) })
	var ids []string
	for _, st := range held {
		st.pinned, st.running = false, 0
		if execute && !terminal(st.state) {
			s.execute(st)
		}
		ids = append(ids, st.id)
	}
	return ids
}

// HoldAfter makes the emulator hold the statements and commands that
// principal submits once n of its own have been executed: they are
// accepted (with their ID) and stay RUNNING, executing nothing, until
// [Server.Release]. A test can then stop a client at a known point: n
// statements done, the next ones submitted and not run.
func (s *Server) HoldAfter(principal string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exec.holdAfter, s.exec.holdWho = n, strings.ToLower(principal)
}

// Release ends [Server.HoldAfter]: held statements run when next polled.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exec.holdAfter = -1
}

// Held counts the statements held now.
func (s *Server) Held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, st := range s.exec.statements {
		if (st.held || st.pinned) && !terminal(st.state) {
			n++
		}
	}
	return n
}

// holding reports whether new statements of caller are held. s.mu is
// held.
func (s *Server) holding(caller identity) bool {
	return s.exec.holdAfter >= 0 && samePrincipal(caller.name(), s.exec.holdWho) && s.exec.executed[s.exec.holdWho] >= s.exec.holdAfter
}

// FailingStatement is the option of [Server.FailStatement] with n 1.
func FailingStatement(text string) Option {
	return func(s *Server) { s.exec.failing = append(s.exec.failing, &stmtFault{text: text, n: 1}) }
}

func (e *execState) init() {
	e.holdAfter = -1
	e.executed = map[string]int{}
	e.statements = map[string]*statement{}
	e.contexts = map[string]*execContext{}
	e.inflight = map[*statement]bool{}
	e.counts = map[string]int{}
}

// An Executed records a statement the emulator executed.
type Executed struct {
	// Principal is the caller.
	Principal string
	// Statement is the text.
	Statement string
	// Error is the rendered error of a statement that failed, or "".
	Error string
}

// A statement submitted to a warehouse, or a command to a cluster.
type statement struct {
	id              string
	caller          identity
	compute         string // warehouse or cluster ID
	text            string
	catalog, schema string
	state           string // PENDING, RUNNING, SUCCEEDED, FAILED, CANCELED, CLOSED
	pending         int    // polls left before RUNNING
	running         int    // polls left before it executes
	rel             *relation
	err             *sqlError
	expired         bool
	cancelling      bool // commands: reported Cancelling once
	rowLimit        int
	seq             int         // order of submission
	pinned          bool        // HoldStatement: RUNNING until ReleaseStatements
	held            bool        // accepted while holding: it runs once released
	touches         []Securable // the objects it is about (ordering.go)
	reads           bool        // it only reads them
}

func terminal(state string) bool {
	return state == "SUCCEEDED" || state == "FAILED" || state == "CANCELED" || state == "CLOSED"
}

// PendingPolls makes every new statement and command stay PENDING (Queued)
// for n polls.
func PendingPolls(n int) Option { return func(s *Server) { s.exec.pendingPolls = max(n, 0) } }

// RunningPolls makes every new statement and command stay RUNNING for n
// polls after it leaves PENDING.
func RunningPolls(n int) Option { return func(s *Server) { s.exec.runningPolls = max(n, 0) } }

// ChunkRows splits results into chunks of n rows.
func ChunkRows(n int) Option { return func(s *Server) { s.exec.chunkRows = max(n, 0) } }

// SetPolls sets [PendingPolls] and [RunningPolls] for later statements.
func (s *Server) SetPolls(pending, running int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exec.pendingPolls, s.exec.runningPolls = max(pending, 0), max(running, 0)
}

// CancelApplies makes a statement or command that is cancelled take effect
// first (its side effect applied) and then report CANCELED, as a statement
// cancelled too late does.
func (s *Server) CancelApplies(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exec.cancelApplies = on
}

// DropAfterAccept makes the next n submissions (of statements or
// commands) be accepted and executed, and then answered by closing the
// connection without a response.
func (s *Server) DropAfterAccept(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exec.dropAfterAccept = n
}

// Expire makes a statement or command unknown: polling it answers 404, as
// for one removed after it ended. An empty id expires them all.
func (s *Server) Expire(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sid, st := range s.exec.statements {
		if id == "" || sid == id {
			st.expired = true
		}
	}
}

// CloseStatement closes a statement that succeeded, as Databricks does
// some time after it ends: polling it then answers the state CLOSED
// ("execution successful, and statement closed; result no longer
// available for fetch", Statement Execution API), without a manifest or
// result, and its chunks are gone. A statement that has not ended is
// executed first; one that failed or was cancelled stays as it is. Only
// statements on warehouses close: commands on clusters have no such state.
func (s *Server) CloseStatement(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.exec.statements[id]
	if st == nil || s.warehouses[st.compute] == nil {
		return
	}
	if !terminal(st.state) {
		s.execute(st)
	}
	if st.state == "SUCCEEDED" {
		st.state, st.rel = "CLOSED", nil
	}
}

// maxLog bounds the log of executed statements of a long-running emulator.
const maxLog = 10000

// Executed returns the statements executed so far, in order (the last
// few thousand of a long run).
func (s *Server) Executed() []Executed {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Executed(nil), s.exec.log...)
}

// Exec executes one statement as principal, as a warehouse would, and
// returns its rows (nil for a statement without a result) or the error
// Databricks would report.
func (s *Server) Exec(principal, text string) ([][]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rel, err := s.run(identityOf(principal), text, "", "")
	if err != nil {
		return nil, err
	}
	if rel == nil {
		return nil, nil
	}
	return rel.rows, nil
}

// run executes a statement and logs it. s.mu is held.
func (s *Server) run(caller identity, text, catalog, schema string) (*relation, *sqlError) {
	x := &session{ms: s.ms, caller: caller.name(), catalog: catalog, schema: schema}
	var rel *relation
	var err *sqlError
	for _, f := range s.exec.failing {
		if f.n > 0 && strings.Contains(text, f.text) {
			f.n--
			err = &sqlError{code: "INTERNAL_ERROR", class: "INTERNAL_ERROR", state: "XX000", msg: "The statement failed (injected): the service met an internal error; run it again."}
			break
		}
	}
	if err == nil {
		rel, err = x.run(text)
	}
	e := Executed{Principal: caller.name(), Statement: text}
	if err != nil {
		e.Error = err.message()
	}
	if len(s.exec.log) >= maxLog {
		s.exec.log = append(s.exec.log[:0], s.exec.log[len(s.exec.log)-maxLog/2:]...)
	}
	s.exec.log = append(s.exec.log, e)
	s.exec.counts[text]++
	return rel, err
}

// newStatement records a submitted statement. s.mu is held.
func (s *Server) newStatement(caller identity, compute, text string) *statement {
	s.exec.next++
	st := &statement{
		id:      fmt.Sprintf("01f0ec00-0000-4000-8000-%012x", s.exec.next),
		caller:  caller,
		compute: compute,
		text:    text,
		state:   "PENDING",
		pending: s.exec.pendingPolls,
		running: s.exec.runningPolls,
		seq:     s.exec.next,
	}
	for i, h := range s.exec.holds {
		if strings.Contains(text, h) {
			s.exec.holds = slices.Delete(s.exec.holds, i, i+1)
			st.pinned, st.running = true, max(st.running, 1)
			break
		}
	}
	s.exec.statements[st.id] = st
	if s.holding(caller) {
		st.held = true
	}
	return st
}

// advance moves a statement one poll on: it waits for its warehouse to
// start, stays PENDING and RUNNING for the polls it was given, then
// executes. s.mu is held.
func (s *Server) advance(st *statement) {
	if terminal(st.state) {
		return
	}
	if wh := s.warehouses[st.compute]; wh != nil && wh.state != "RUNNING" {
		s.startStep(&wh.state, &wh.left, "RUNNING")
		if wh.state != "RUNNING" {
			st.state = "PENDING"
			return
		}
	}
	switch {
	case st.held && s.holding(st.caller):
		st.state = "RUNNING"
	case st.pending > 0:
		st.pending--
		st.state = "PENDING"
	case st.pinned:
		st.state = "RUNNING"
	case st.running > 0:
		st.running--
		st.state = "RUNNING"
	default:
		s.execute(st)
	}
}

// execute runs the statement now. s.mu is held.
func (s *Server) execute(st *statement) {
	st.rel, st.err = s.run(st.caller, st.text, st.catalog, st.schema)
	if st.err != nil {
		st.state = "FAILED"
	} else {
		st.state = "SUCCEEDED"
	}
	s.exec.executed[strings.ToLower(st.caller.name())]++
	s.settled(st)
}

// cancel cancels a statement that has not ended. s.mu is held.
func (s *Server) cancel(st *statement) {
	if terminal(st.state) {
		return
	}
	if s.exec.cancelApplies {
		s.execute(st)
	}
	st.state, st.rel, st.err = "CANCELED", nil, nil
	s.settled(st)
}

var waitRE = regexp.MustCompile(`^([0-9]+)s$`)

// statements serves POST /api/2.0/sql/statements, GET .../{id}, POST
// .../{id}/cancel and GET .../{id}/result/chunks/{n}.
func (s *Server) statements(w http.ResponseWriter, r *http.Request, id identity) {
	rest := strings.Trim(strings.TrimPrefix(r.URL.Path, StatementsPath), "/")
	if rest == "" {
		if r.Method != http.MethodPost {
			writeError(w, http.StatusMethodNotAllowed, "BAD_REQUEST", "Use POST to execute a statement.")
			return
		}
		s.submitStatement(w, r, id)
		return
	}
	parts := strings.Split(rest, "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.exec.statements[parts[0]]
	if st == nil || st.expired || st.compute == "" || s.warehouses[st.compute] == nil {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The statement "+parts[0]+" was not found; statements are removed some time after they end.")
		return
	}
	switch {
	case len(parts) == 1 && r.Method == http.MethodGet:
		s.advance(st)
		writeJSON(w, s.statementResponse(st, true))
	case len(parts) == 2 && parts[1] == "cancel" && r.Method == http.MethodPost:
		s.cancel(st)
		writeJSON(w, map[string]any{})
	case len(parts) == 4 && parts[1] == "result" && parts[2] == "chunks" && r.Method == http.MethodGet:
		n, err := strconv.Atoi(parts[3])
		chunks := s.chunks(st)
		if err != nil || n < 0 || n >= len(chunks) || st.state != "SUCCEEDED" {
			writeError(w, http.StatusNotFound, "NOT_FOUND", "No chunk "+parts[3]+" for statement "+st.id+".")
			return
		}
		writeJSON(w, chunks[n])
	default:
		writeError(w, http.StatusNotFound, "ENDPOINT_NOT_FOUND", "No API found for '"+r.Method+" "+r.URL.Path+"'.")
	}
}

// executeRequest is the body of POST /api/2.0/sql/statements (Go SDK
// ExecuteStatementRequest).
type executeRequest struct {
	Statement     string            `json:"statement"`
	WarehouseID   string            `json:"warehouse_id"`
	WaitTimeout   string            `json:"wait_timeout"`
	OnWaitTimeout string            `json:"on_wait_timeout"`
	Disposition   string            `json:"disposition"`
	Format        string            `json:"format"`
	Catalog       string            `json:"catalog"`
	Schema        string            `json:"schema"`
	RowLimit      int               `json:"row_limit"`
	Parameters    []json.RawMessage `json:"parameters"`
}

func (s *Server) submitStatement(w http.ResponseWriter, r *http.Request, id identity) {
	var req executeRequest
	body, err := io.ReadAll(io.LimitReader(r.Body, 17<<20))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	bad := func(msg string) { writeError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", msg) }
	wait := 10
	if req.WaitTimeout != "" {
		m := waitRE.FindStringSubmatch(req.WaitTimeout)
		if m != nil {
			wait, _ = strconv.Atoi(m[1])
		}
		if m == nil || wait != 0 && (wait < 5 || wait > 50) {
			bad("wait_timeout must be 0s or between 5s and 50s, not " + strconv.Quote(req.WaitTimeout) + ".")
			return
		}
	}
	switch {
	case err != nil:
		bad("The request body is not a JSON object: " + err.Error())
		return
	case strings.TrimSpace(req.Statement) == "":
		bad("statement is required.")
		return
	case len(req.Statement) > 16<<20:
		bad("The statement is larger than 16 MiB.")
		return
	case req.WarehouseID == "":
		bad("warehouse_id is required.")
		return
	case req.OnWaitTimeout != "" && req.OnWaitTimeout != "CONTINUE" && req.OnWaitTimeout != "CANCEL":
		bad("on_wait_timeout must be CONTINUE or CANCEL.")
		return
	case req.Disposition != "" && req.Disposition != "INLINE" || req.Format != "" && req.Format != "JSON_ARRAY":
		bad("ucemu emulates the INLINE disposition with the JSON_ARRAY format only.")
		return
	case len(req.Parameters) > 0:
		bad("ucemu does not emulate statement parameters.")
		return
	}
	s.mu.Lock()
	wh := s.warehouses[req.WarehouseID]
	if wh == nil || wh.state == "DELETED" || wh.state == "DELETING" {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST", "SQL warehouse "+req.WarehouseID+" does not exist.")
		return
	}
	st := s.newStatement(id, req.WarehouseID, req.Statement)
	st.catalog, st.schema, st.rowLimit = req.Catalog, req.Schema, req.RowLimit
	s.submitted(st)
	// Submitting to a stopped warehouse starts it.
	if wh.state == "STOPPED" || wh.state == "STOPPING" {
		wh.state, wh.left = "STARTING", s.startPolls
	}
	if wait > 0 {
		// The server waits up to wait_timeout: here, until the statement
		// needs more polls than the wait allows, which is at once.
		if st.pending == 0 && st.running == 0 && wh.state == "RUNNING" && !st.held {
			s.execute(st)
		}
		if !terminal(st.state) && req.OnWaitTimeout == "CANCEL" {
			st.state = "CANCELED"
			s.settled(st)
		}
	}
	drop := s.exec.dropAfterAccept > 0
	if drop {
		s.exec.dropAfterAccept--
	}
	resp := s.statementResponse(st, true)
	s.mu.Unlock()
	if drop {
		dropConnection(w)
		return
	}
	writeJSON(w, resp)
}

// A chunk of a result (Go SDK ResultData).
type resultData struct {
	ChunkIndex            int         `json:"chunk_index"`
	RowOffset             int         `json:"row_offset"`
	RowCount              int         `json:"row_count"`
	DataArray             [][]*string `json:"data_array,omitempty"`
	NextChunkIndex        *int        `json:"next_chunk_index,omitempty"`
	NextChunkInternalLink string      `json:"next_chunk_internal_link,omitempty"`
}

// rows returns the statement's rows after its row limit, and whether the
// limit cut them.
func (st *statement) rows() ([][]any, bool) {
	if st.rel == nil {
		return nil, false
	}
	if st.rowLimit > 0 && len(st.rel.rows) > st.rowLimit {
		return st.rel.rows[:st.rowLimit], true
	}
	return st.rel.rows, false
}

// chunks splits the result of a statement into chunks. s.mu is held.
func (s *Server) chunks(st *statement) []resultData {
	rows, _ := st.rows()
	size := s.exec.chunkRows
	if size <= 0 {
		size = max(len(rows), 1)
	}
	var out []resultData
	for off := 0; off < len(rows) || off == 0; off += size {
		end := min(off+size, len(rows))
		c := resultData{ChunkIndex: len(out), RowOffset: off, RowCount: end - off}
		for _, row := range rows[off:end] {
			cells := make([]*string, len(row))
			for i, v := range row {
				if v != nil {
					s := toString(v)
					cells[i] = &s
				}
			}
			c.DataArray = append(c.DataArray, cells)
		}
		out = append(out, c)
		if end >= len(rows) {
			break
		}
	}
	for i := range out[:len(out)-1] {
		n := i + 1
		out[i].NextChunkIndex = &n
		out[i].NextChunkInternalLink = fmt.Sprintf("%s/%s/result/chunks/%d", StatementsPath, st.id, n)
	}
	return out
}

// statementResponse is the Statement Execution API's view of a statement.
// s.mu is held.
func (s *Server) statementResponse(st *statement, withResult bool) map[string]any {
	status := map[string]any{"state": st.state}
	resp := map[string]any{"statement_id": st.id, "status": status}
	switch st.state {
	case "FAILED":
		status["error"] = map[string]string{"error_code": st.err.code, "message": st.err.message()}
		status["sql_state"] = st.err.state
	case "SUCCEEDED":
		var cols []column
		if st.rel != nil {
			cols = st.rel.cols
		}
		columns := []map[string]any{}
		for i, c := range cols {
			columns = append(columns, map[string]any{"name": c.name, "position": i, "type_name": c.typ, "type_text": typeText(c.typ)})
		}
		rows, truncated := st.rows()
		chunks := s.chunks(st)
		info := []map[string]int{}
		for _, c := range chunks {
			info = append(info, map[string]int{"chunk_index": c.ChunkIndex, "row_offset": c.RowOffset, "row_count": c.RowCount})
		}
		resp["manifest"] = map[string]any{
			"format":            "JSON_ARRAY",
			"schema":            map[string]any{"column_count": len(cols), "columns": columns},
			"total_chunk_count": len(chunks),
			"total_row_count":   len(rows),
			"chunks":            info,
			"truncated":         truncated,
		}
		if withResult {
			resp["result"] = chunks[0]
		}
	}
	return resp
}

// typeText returns the SQL spelling of a manifest type.
func typeText(t string) string {
	switch t {
	case "LONG":
		return "BIGINT"
	case "SHORT":
		return "SMALLINT"
	case "BYTE":
		return "TINYINT"
	case "NULL":
		return "VOID"
	}
	return t
}

// ExecScript executes the statements of a script in order, as principal
// or, after a line "-- as PRINCIPAL", as that principal, and stops at the
// first that fails, with its position in the script.
func (s *Server) ExecScript(principal, name string, src []byte) error {
	stmts, err := scriptStatements(principal, name, src)
	if err != nil {
		return err
	}
	for _, st := range stmts {
		if _, err := s.Exec(st.principal, st.text); err != nil {
			return fmt.Errorf("ucemu: %s: %w", st.pos, err)
		}
	}
	return nil
}

// A scriptStmt is a statement of a script with the principal that runs it.
type scriptStmt struct {
	principal, text string
	pos             dbsql.Position
}

var asRE = regexp.MustCompile(`(?m)^-- as ([^\s]+)[ \t]*\r?$`)

// scriptStatements splits a script with dbsql and gives each statement the
// principal of the last "-- as PRINCIPAL" line before it (principal before
// the first).
func scriptStatements(principal, name string, src []byte) ([]scriptStmt, error) {
	f, err := dbsql.ParseFile(name, src)
	if err != nil {
		return nil, fmt.Errorf("ucemu: %w", err)
	}
	marks := asRE.FindAllSubmatchIndex(src, -1)
	var out []scriptStmt
	for _, st := range f.Stmts {
		who := principal
		for _, m := range marks {
			if m[0] < int(st.Pos())-1 {
				who = string(src[m[2]:m[3]])
			}
		}
		out = append(out, scriptStmt{who, string(src[st.Pos()-1 : st.End()-1]), f.Position(st.Pos())})
	}
	return out, nil
}
