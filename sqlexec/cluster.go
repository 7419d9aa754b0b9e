package sqlexec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ucbootstrap/ucbootstrap/databricks"
)

// The Command Execution API 1.2 and the clusters API (Go SDK
// service/compute: CreateContext, Command, CommandStatusResponse, Results,
// ClusterDetails).

type clusterDetails struct {
	ClusterID    string `json:"cluster_id"`
	ClusterName  string `json:"cluster_name"`
	State        string `json:"state"`
	StateMessage string `json:"state_message"`
}

func (e *Executor) getCluster(ctx context.Context, st *Statement) (*clusterDetails, error) {
	var c clusterDetails
	err := e.request(ctx, st, databricks.Request{Path: "/api/2.1/clusters/get", Query: url.Values{"cluster_id": {e.target.ID}}}, &c)
	if err != nil {
		return nil, fmt.Errorf("sqlexec: cluster %s: %w", e.target.ID, err)
	}
	return &c, nil
}

// ensureCluster waits for the cluster to run, starting it when it is
// terminated, within the start-up budget.
func (e *Executor) ensureCluster(ctx context.Context, st *Statement) error {
	deadline := time.Now().Add(e.opts.StartTimeout)
	delay := e.opts.MinPoll
	started, announced := false, false
	for {
		c, err := e.getCluster(ctx, st)
		if err != nil {
			return err
		}
		switch c.State {
		case "RUNNING", "RESIZING":
			return nil
		case "TERMINATED":
			if started {
				return fmt.Errorf("sqlexec: cluster %s terminated while starting: %s", e.target.ID, c.StateMessage)
			}
			started = true
			err := e.request(ctx, st, databricks.Request{Method: http.MethodPost, Path: "/api/2.1/clusters/start",
				Body: map[string]string{"cluster_id": e.target.ID}}, nil)
			if err != nil {
				return fmt.Errorf("sqlexec: starting cluster %s: %w", e.target.ID, err)
			}
		case "PENDING", "RESTARTING", "TERMINATING":
		default: // ERROR, UNKNOWN
			return fmt.Errorf("sqlexec: cluster %s is %s: %s", e.target.ID, c.State, c.StateMessage)
		}
		if !announced {
			announced = true
			e.progress(Event{Kind: Starting, Statement: st, Message: "cluster " + e.target.ID + " starting"})
		}
		if err := e.pause(ctx, &delay, deadline); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("sqlexec: waiting for cluster %s to start: %w", e.target.ID, err)
			}
			return fmt.Errorf("sqlexec: cluster %s did not start within %v: %w", e.target.ID, e.opts.StartTimeout, err)
		}
	}
}

// context returns the executor's execution context on the cluster,
// creating it (and starting the cluster) the first time.
func (e *Executor) context(ctx context.Context, st *Statement) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.contextID != "" {
		return e.contextID, nil
	}
	if err := e.ensureCluster(ctx, st); err != nil {
		return "", err
	}
	var created struct {
		ID string `json:"id"`
	}
	err := e.request(ctx, st, databricks.Request{Method: http.MethodPost, Path: "/api/1.2/contexts/create",
		Body: map[string]string{"clusterId": e.target.ID, "language": "sql"}}, &created)
	if err != nil {
		return "", fmt.Errorf("sqlexec: creating an execution context on cluster %s: %w", e.target.ID, err)
	}
	delay := e.opts.MinPoll
	deadline := time.Now().Add(e.opts.StartTimeout)
	for {
		var status struct {
			Status string `json:"status"`
		}
		q := url.Values{"clusterId": {e.target.ID}, "contextId": {created.ID}}
		if err := e.request(ctx, st, databricks.Request{Path: "/api/1.2/contexts/status", Query: q}, &status); err != nil {
			return "", fmt.Errorf("sqlexec: execution context %s: %w", created.ID, err)
		}
		switch status.Status {
		case "Running":
			e.contextID = created.ID
			return created.ID, nil
		case "Error":
			return "", fmt.Errorf("sqlexec: the execution context on cluster %s failed", e.target.ID)
		}
		if err := e.pause(ctx, &delay, deadline); err != nil {
			return "", fmt.Errorf("sqlexec: waiting for the execution context on cluster %s: %w", e.target.ID, err)
		}
	}
}

type commandStatus struct {
	ID      string `json:"id"`
	Status  string `json:"status"` // Queued, Running, Cancelling, Finished, Cancelled, Error
	Results *struct {
		ResultType string            `json:"resultType"` // table, text, error, ...
		Data       json.RawMessage   `json:"data"`
		Schema     []json.RawMessage `json:"schema"`
		Summary    string            `json:"summary"`
		Cause      string            `json:"cause"`
		Truncated  bool              `json:"truncated"`
	} `json:"results"`
}

func (e *Executor) executeCommand(ctx context.Context, st Statement) (*Result, error) {
	ctxID, err := e.context(ctx, &st)
	if err != nil {
		return nil, err
	}
	c := &clock{submitted: time.Now()}
	var created struct {
		ID string `json:"id"`
	}
	r := databricks.Request{Method: http.MethodPost, Path: "/api/1.2/commands/execute",
		Body: map[string]string{"clusterId": e.target.ID, "contextId": ctxID, "language": "sql", "command": st.Text}}
	if err := e.submit(ctx, &st, r, &created); err != nil {
		return nil, err
	}
	id := ctxID + "/" + created.ID
	status := &commandStatus{ID: created.ID, Status: "Queued"}
	if e.opts.Submitted != nil {
		if err := e.opts.Submitted(Submission{ID: id, Statement: st}); err != nil {
			_, cerr := e.abortCommand(ctx, &st, ctxID, status)
			return nil, fmt.Errorf("sqlexec: recording command %s: %w (the command was cancelled: %v)", id, err, cerr)
		}
	}
	return e.waitCommand(ctx, &st, ctxID, status, c)
}

func (e *Executor) attachCommand(ctx context.Context, id string, st Statement) (*Result, error) {
	ctxID, cmdID, ok := strings.Cut(id, "/")
	if !ok || ctxID == "" || cmdID == "" {
		return nil, fmt.Errorf("sqlexec: %q is not a cluster command ID (contextID/commandID)", id)
	}
	e.mu.Lock()
	if e.contextID == "" {
		e.contextID = ctxID
	}
	e.mu.Unlock()
	status := &commandStatus{ID: cmdID}
	return e.waitCommand(ctx, &st, ctxID, status, &clock{submitted: time.Now()})
}

// getCommand polls a command.
func (e *Executor) getCommand(ctx context.Context, st *Statement, ctxID string, status *commandStatus) error {
	id := status.ID
	*status = commandStatus{}
	q := url.Values{"clusterId": {e.target.ID}, "contextId": {ctxID}, "commandId": {id}}
	err := e.request(ctx, st, databricks.Request{Path: "/api/1.2/commands/status", Query: q}, status)
	status.ID = id
	if err != nil {
		return &Error{StatementID: ctxID + "/" + id, Pos: st.Pos, Unknown: true, Err: err, Message: "polling the command failed: " + err.Error()}
	}
	return nil
}

// waitCommand polls a command until it ends, cancelling it when its
// deadline passes or ctx ends. The first poll comes at once: the API has no
// server-side wait, and most commands of a setup script end quickly.
func (e *Executor) waitCommand(ctx context.Context, st *Statement, ctxID string, status *commandStatus, c *clock) (*Result, error) {
	delay := e.opts.MinPoll
	for {
		if err := e.getCommand(ctx, st, ctxID, status); err != nil {
			if ctx.Err() != nil {
				return e.abortCommand(ctx, st, ctxID, status, ctx.Err())
			}
			return nil, err
		}
		switch status.Status {
		case "Finished", "Error":
			return e.commandResult(st, ctxID, status)
		case "Cancelled":
			return nil, &Error{StatementID: ctxID + "/" + status.ID, State: "CANCELED", Pos: st.Pos, Unknown: true, Message: "the command was cancelled"}
		case "Queued":
		default: // Running, Cancelling
			if c.running.IsZero() {
				c.running = time.Now()
				e.progress(Event{Kind: Running, Statement: st, ID: ctxID + "/" + status.ID, Message: "command running"})
			}
		}
		deadline, why := e.deadline(c)
		if err := e.pause(ctx, &delay, deadline); err != nil {
			cause := err
			if ctx.Err() == nil {
				cause = fmt.Errorf("the command %s: %w", why, context.DeadlineExceeded)
			}
			return e.abortCommand(ctx, st, ctxID, status, cause)
		}
	}
}

// abortCommand cancels a command and polls it until it ends.
func (e *Executor) abortCommand(ctx context.Context, st *Statement, ctxID string, status *commandStatus, causes ...error) (*Result, error) {
	cause := errors.Join(causes...)
	id := ctxID + "/" + status.ID
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.opts.CancelTimeout)
	defer cancel()
	e.progress(Event{Kind: Cancelling, Statement: st, ID: id, Message: "cancelling command " + id})
	cerr := e.request(cctx, st, databricks.Request{Method: http.MethodPost, Path: "/api/1.2/commands/cancel",
		Body: map[string]string{"clusterId": e.target.ID, "contextId": ctxID, "commandId": status.ID}}, nil)
	delay := e.opts.MinPoll
	for cerr == nil {
		if err := e.pause(cctx, &delay, time.Now().Add(e.opts.CancelTimeout)); err != nil {
			cerr = err
			break
		}
		if err := e.getCommand(cctx, st, ctxID, status); err != nil {
			cerr = err
			break
		}
		switch status.Status {
		case "Finished", "Error":
			return e.commandResult(st, ctxID, status)
		case "Cancelled":
			msg := "the command was cancelled"
			if cause != nil {
				msg = "cancelled: " + cause.Error()
			}
			return nil, &Error{StatementID: id, State: "CANCELED", Pos: st.Pos, Unknown: true, Err: cause, Message: msg}
		}
	}
	return nil, &Error{StatementID: id, State: status.Status, Pos: st.Pos, Unknown: true, Err: errors.Join(cause, cerr),
		Message: fmt.Sprintf("cancel requested (%v), but the command was not seen to end: %v", cause, cerr)}
}

// commandResult decodes the results of a command that ended.
func (e *Executor) commandResult(st *Statement, ctxID string, status *commandStatus) (*Result, error) {
	id := ctxID + "/" + status.ID
	r := status.Results
	if r == nil {
		if status.Status == "Error" {
			return nil, &Error{StatementID: id, State: "FAILED", Pos: st.Pos, Message: "the command failed without results"}
		}
		return &Result{StatementID: id}, nil
	}
	if r.ResultType == "error" || status.Status == "Error" {
		msg := e.c.Redact(commandMessage(r.Summary, r.Cause))
		se := &Error{StatementID: id, State: "FAILED", Pos: st.Pos, Message: msg, Class: errorClass(msg)}
		if m := sqlStateRE.FindStringSubmatch(msg); m != nil {
			se.SQLState = m[1]
		}
		return nil, se
	}
	res := &Result{StatementID: id, Truncated: r.Truncated}
	if r.ResultType != "table" {
		return res, nil
	}
	for _, raw := range r.Schema {
		var col struct {
			Name string          `json:"name"`
			Type json.RawMessage `json:"type"`
		}
		if err := json.Unmarshal(raw, &col); err != nil {
			return nil, &Error{StatementID: id, State: "SUCCEEDED", Pos: st.Pos, Message: "the result's schema does not decode: " + err.Error()}
		}
		res.Columns = append(res.Columns, Column{Name: col.Name, Type: sparkTypeName(col.Type)})
	}
	var rows [][]json.RawMessage
	if len(r.Data) > 0 && string(r.Data) != "null" {
		if err := json.Unmarshal(r.Data, &rows); err != nil {
			return nil, &Error{StatementID: id, State: "SUCCEEDED", Pos: st.Pos, Message: "the result's data does not decode: " + err.Error()}
		}
	}
	for _, row := range rows {
		vals := make([]any, len(row))
		for i, cell := range row {
			typ := ""
			if i < len(res.Columns) {
				typ = res.Columns[i].Type
			}
			vals[i] = jsonCell(typ, cell)
		}
		res.Rows = append(res.Rows, vals)
	}
	return res, nil
}

// commandMessage returns the text of a command's error: its summary
// without HTML and exception name, or the first line of its cause when the
// summary is empty.
func commandMessage(summary, cause string) string {
	msg := strings.TrimSpace(html.UnescapeString(tagRE.ReplaceAllString(summary, "")))
	if msg == "" {
		msg, _, _ = strings.Cut(strings.TrimSpace(cause), "\n")
	}
	if msg == "" {
		msg = "the command failed without a message"
	}
	return exceptionRE.ReplaceAllString(msg, "")
}

// sparkTypeName maps the type of a column of a table result (a Spark type
// name, JSON-quoted or not, or a JSON type object) to a manifest type_name.
func sparkTypeName(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		var obj struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(raw, &obj) == nil && obj.Type != "" {
			return strings.ToUpper(obj.Type)
		}
		return "STRING"
	}
	var inner string
	if json.Unmarshal([]byte(s), &inner) == nil {
		s = inner
	}
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "(<"); i >= 0 {
		s = s[:i]
	}
	switch s {
	case "integer", "int":
		return "INT"
	case "long", "bigint":
		return "LONG"
	case "short", "smallint":
		return "SHORT"
	case "byte", "tinyint":
		return "BYTE"
	case "void", "null":
		return "NULL"
	}
	return strings.ToUpper(s)
}

// jsonCell types a cell of a table result, given as JSON.
func jsonCell(typ string, raw json.RawMessage) any {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil || v == nil {
		return nil
	}
	switch v := v.(type) {
	case json.Number:
		return decodeCell(typ, v.String())
	case string, bool:
		return v
	}
	return json.RawMessage(raw)
}
