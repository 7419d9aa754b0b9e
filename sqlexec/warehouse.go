package sqlexec

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ucbootstrap/ucbootstrap/databricks"
)

// The Statement Execution API (Go SDK service/sql: ExecuteStatementRequest,
// StatementResponse, StatementStatus, ResultManifest, ResultData).

const statementsPath = "/api/2.0/sql/statements"

type statementResponse struct {
	StatementID string `json:"statement_id"`
	Status      struct {
		State string `json:"state"`
		Error *struct {
			ErrorCode string `json:"error_code"`
			Message   string `json:"message"`
		} `json:"error"`
		SQLState string `json:"sql_state"`
	} `json:"status"`
	Manifest *manifest   `json:"manifest"`
	Result   *resultData `json:"result"`
}

type manifest struct {
	Schema struct {
		Columns []struct {
			Name     string `json:"name"`
			TypeName string `json:"type_name"`
			TypeText string `json:"type_text"`
		} `json:"columns"`
	} `json:"schema"`
	TotalChunkCount int  `json:"total_chunk_count"`
	Truncated       bool `json:"truncated"`
}

type resultData struct {
	DataArray      [][]*string `json:"data_array"`
	NextChunkIndex *int        `json:"next_chunk_index"`
}

func (e *Executor) executeStatement(ctx context.Context, st Statement) (*Result, error) {
	body := map[string]any{
		"statement":       st.Text,
		"warehouse_id":    e.target.ID,
		"wait_timeout":    strconv.Itoa(int(e.opts.WaitTimeout/time.Second)) + "s",
		"on_wait_timeout": "CONTINUE", // never CANCEL: a cancelled DDL may still take effect
		"disposition":     "INLINE",
		"format":          "JSON_ARRAY",
	}
	c := &clock{submitted: time.Now()}
	var resp statementResponse
	// The server holds the request up to wait_timeout: the attempt may take
	// that long, and more.
	r := databricks.Request{Method: http.MethodPost, Path: statementsPath, Body: body, Timeout: e.opts.WaitTimeout + 30*time.Second}
	if err := e.submit(ctx, &st, r, &resp); err != nil {
		return nil, err
	}
	if resp.StatementID == "" {
		return nil, &Error{Message: "the server accepted the statement but gave no statement_id", Pos: st.Pos, Unknown: true}
	}
	if e.opts.Submitted != nil {
		if err := e.opts.Submitted(Submission{ID: resp.StatementID, Statement: st}); err != nil {
			_, cerr := e.abortStatement(ctx, &st, resp.StatementID, &resp)
			return nil, fmt.Errorf("sqlexec: recording statement %s: %w (the statement was cancelled: %v)", resp.StatementID, err, cerr)
		}
	}
	return e.waitStatement(ctx, &st, &resp, c)
}

func (e *Executor) attachStatement(ctx context.Context, id string, st Statement) (*Result, error) {
	var resp statementResponse
	if err := e.getStatement(ctx, &st, id, &resp); err != nil {
		return nil, err
	}
	return e.waitStatement(ctx, &st, &resp, &clock{submitted: time.Now()})
}

// getStatement polls a statement; a 404 means it is gone.
func (e *Executor) getStatement(ctx context.Context, st *Statement, id string, resp *statementResponse) error {
	*resp = statementResponse{}
	err := e.request(ctx, st, databricks.Request{Path: statementsPath + "/" + url.PathEscape(id)}, resp)
	var ae *databricks.APIError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ae) && ae.NotFound():
		return &Error{StatementID: id, Code: ae.Code, Pos: st.Pos, Unknown: true, Err: err,
			Message: "the server no longer knows the statement (statements are removed some time after they end): " + ae.Message}
	}
	return &Error{StatementID: id, Pos: st.Pos, Unknown: true, Err: err, Message: "polling the statement failed: " + err.Error()}
}

// waitStatement polls a statement until it ends, cancelling it when its
// deadline passes or ctx ends.
func (e *Executor) waitStatement(ctx context.Context, st *Statement, resp *statementResponse, c *clock) (*Result, error) {
	id := resp.StatementID
	delay := e.opts.MinPoll
	announced := ""
	for {
		switch resp.Status.State {
		case "SUCCEEDED":
			return e.statementResult(ctx, st, resp)
		case "CLOSED":
			// Succeeded; the result is no longer there to fetch.
			return &Result{StatementID: id}, nil
		case "FAILED", "CANCELED":
			return nil, e.statementError(st, resp)
		case "PENDING":
			if announced == "" {
				announced = "PENDING"
				e.progress(Event{Kind: Starting, Statement: st, ID: id, Message: "warehouse " + e.target.ID + " starting (the statement waits for it)"})
			}
		default: // RUNNING, or a state this package does not know
			if c.running.IsZero() {
				c.running = time.Now()
				e.progress(Event{Kind: Running, Statement: st, ID: id, Message: "statement running"})
			}
		}
		deadline, why := e.deadline(c)
		if err := e.pause(ctx, &delay, deadline); err != nil {
			cause := err
			if ctx.Err() == nil {
				cause = fmt.Errorf("the statement %s: %w", why, context.DeadlineExceeded)
			}
			return e.abortStatement(ctx, st, id, resp, cause)
		}
		if err := e.getStatement(ctx, st, id, resp); err != nil {
			if ctx.Err() != nil {
				return e.abortStatement(ctx, st, id, resp, ctx.Err())
			}
			return nil, err
		}
	}
}

// abortStatement cancels a statement and polls it until it ends, with a
// context of its own: the caller's may have ended. A statement that still
// succeeded or failed has a known outcome; one that ended CANCELED, or did
// not end, does not.
func (e *Executor) abortStatement(ctx context.Context, st *Statement, id string, resp *statementResponse, causes ...error) (*Result, error) {
	cause := errors.Join(causes...)
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.opts.CancelTimeout)
	defer cancel()
	e.progress(Event{Kind: Cancelling, Statement: st, ID: id, Message: "cancelling statement " + id})
	cerr := e.request(cctx, st, databricks.Request{Method: http.MethodPost, Path: statementsPath + "/" + url.PathEscape(id) + "/cancel"}, nil)
	delay := e.opts.MinPoll
	for cerr == nil {
		switch resp.Status.State {
		case "SUCCEEDED", "CLOSED":
			return e.statementResult(cctx, st, resp)
		case "FAILED":
			return nil, e.statementError(st, resp)
		case "CANCELED":
			se := e.statementError(st, resp)
			se.Err = cause
			if cause != nil {
				se.Message = "cancelled: " + cause.Error()
			}
			return nil, se
		}
		if err := e.pause(cctx, &delay, time.Now().Add(e.opts.CancelTimeout)); err != nil {
			cerr = err
			break
		}
		if err := e.getStatement(cctx, st, id, resp); err != nil {
			cerr = err
		}
	}
	return nil, &Error{StatementID: id, State: resp.Status.State, Pos: st.Pos, Unknown: true, Err: errors.Join(cause, cerr),
		Message: fmt.Sprintf("cancel requested (%v), but the statement was not seen to end: %v", cause, cerr)}
}

// statementError is the error of a statement that ended FAILED or
// CANCELED.
func (x *Executor) statementError(st *Statement, resp *statementResponse) *Error {
	e := &Error{StatementID: resp.StatementID, State: resp.Status.State, SQLState: resp.Status.SQLState, Pos: st.Pos}
	if se := resp.Status.Error; se != nil {
		e.Code, e.Message = se.ErrorCode, x.c.Redact(se.Message)
		e.Class = errorClass(e.Message)
	}
	if resp.Status.State == "CANCELED" {
		e.Unknown = true
		if e.Message == "" {
			e.Message = "the statement was cancelled"
		}
	}
	if e.Message == "" {
		e.Message = "the statement failed without a message"
	}
	return e
}

// statementResult decodes the result of a statement that succeeded,
// fetching its further chunks.
func (e *Executor) statementResult(ctx context.Context, st *Statement, resp *statementResponse) (*Result, error) {
	res := &Result{StatementID: resp.StatementID}
	if resp.Manifest == nil {
		return res, nil
	}
	res.Truncated = resp.Manifest.Truncated
	for _, c := range resp.Manifest.Schema.Columns {
		res.Columns = append(res.Columns, Column{Name: c.Name, Type: c.TypeName, TypeText: c.TypeText})
	}
	data := resp.Result
	for chunks := 0; data != nil; chunks++ {
		for _, row := range data.DataArray {
			res.Rows = append(res.Rows, decodeRow(res.Columns, row))
		}
		if data.NextChunkIndex == nil || chunks > resp.Manifest.TotalChunkCount {
			break
		}
		next := &resultData{}
		path := fmt.Sprintf("%s/%s/result/chunks/%d", statementsPath, url.PathEscape(resp.StatementID), *data.NextChunkIndex)
		if err := e.request(ctx, st, databricks.Request{Path: path}, next); err != nil {
			return nil, &Error{StatementID: resp.StatementID, State: "SUCCEEDED", Pos: st.Pos, Err: err,
				Message: fmt.Sprintf("fetching result chunk %d failed: %v", *data.NextChunkIndex, err)}
		}
		data = next
	}
	return res, nil
}
