package ucemu

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// This file serves the Command Execution API 1.2 for clusters (Go SDK
// service/compute CreateContext, Command, CommandStatusResponse, Results):
// contexts/create, contexts/status, contexts/destroy, commands/execute,
// commands/status and commands/cancel, for the sql language only.

type execContext struct {
	id      string
	cluster string
	polls   int // status polls seen: Pending on the first, Running after
}

// commandStatus maps a statement state to the API's command status.
var commandStatus = map[string]string{
	"PENDING": "Queued", "RUNNING": "Running", "SUCCEEDED": "Finished", "FAILED": "Finished", "CANCELED": "Cancelled",
}

// sparkType is the JSON type name Spark gives a manifest type, as the
// schema of a table result carries it (JSON-quoted, as in "\"integer\"")
// [unverified against a live cluster].
var sparkType = map[string]string{
	"INT": "integer", "LONG": "long", "SHORT": "short", "BYTE": "byte", "STRING": "string", "BOOLEAN": "boolean",
	"DOUBLE": "double", "FLOAT": "float", "NULL": "void", "TIMESTAMP": "timestamp", "DATE": "date", "DECIMAL": "decimal(10,0)",
}

func (s *Server) commands(w http.ResponseWriter, r *http.Request, id identity) {
	var body struct {
		ClusterID string `json:"clusterId"`
		ContextID string `json:"contextId"`
		CommandID string `json:"commandId"`
		Language  string `json:"language"`
		Command   string `json:"command"`
	}
	if r.Method == http.MethodPost {
		b, _ := io.ReadAll(io.LimitReader(r.Body, 17<<20))
		if json.Unmarshal(b, &body) != nil {
			writeError(w, http.StatusBadRequest, "MALFORMED_REQUEST", "The request body is not a JSON object.")
			return
		}
	} else {
		q := r.URL.Query()
		body.ClusterID, body.ContextID, body.CommandID = q.Get("clusterId"), q.Get("contextId"), q.Get("commandId")
	}
	route := r.Method + " " + r.URL.Path
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clusters[body.ClusterID]
	if c == nil {
		writeError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "Cluster "+body.ClusterID+" does not exist")
		return
	}
	if route == "POST "+ContextsPath+"create" {
		switch {
		case c.state != "RUNNING":
			writeError(w, http.StatusBadRequest, "INVALID_STATE", "Cluster "+c.id+" is not running: its state is "+c.state+".")
		case !strings.EqualFold(body.Language, "sql"):
			writeError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "ucemu executes the sql language only, not "+body.Language+".")
		default:
			s.exec.next++
			ctx := &execContext{id: fmt.Sprintf("%d", 7000000000000000000+s.exec.next), cluster: c.id}
			s.exec.contexts[ctx.id] = ctx
			writeJSON(w, map[string]string{"id": ctx.id})
		}
		return
	}
	ctx := s.exec.contexts[body.ContextID]
	if ctx == nil || ctx.cluster != c.id {
		writeError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "Context "+body.ContextID+" does not exist on cluster "+c.id+".")
		return
	}
	switch route {
	case "GET " + ContextsPath + "status":
		ctx.polls++
		status := "Running"
		if ctx.polls == 1 {
			status = "Pending"
		}
		writeJSON(w, map[string]string{"id": ctx.id, "status": status})
	case "POST " + ContextsPath + "destroy":
		delete(s.exec.contexts, ctx.id)
		writeJSON(w, map[string]any{})
	case "POST " + CommandExecutePath:
		if !strings.EqualFold(body.Language, "sql") {
			writeError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "ucemu executes the sql language only, not "+body.Language+".")
			return
		}
		if c.state != "RUNNING" {
			writeError(w, http.StatusBadRequest, "INVALID_STATE", "Cluster "+c.id+" is not running: its state is "+c.state+".")
			return
		}
		st := s.newStatement(id, c.id, body.Command)
		delete(s.exec.statements, st.id)
		st.id = strings.ReplaceAll(st.id, "-", "")
		s.exec.statements[st.id] = st
		s.submitted(st)
		if st.pending == 0 && st.running == 0 && !st.held {
			s.execute(st)
		}
		if s.exec.dropAfterAccept > 0 {
			s.exec.dropAfterAccept--
			dropConnection(w)
			return
		}
		writeJSON(w, map[string]string{"id": st.id})
	case "GET " + CommandsPath + "status":
		st := s.exec.statements[body.CommandID]
		if st == nil || st.expired || st.compute != c.id {
			writeError(w, http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST", "Command "+body.CommandID+" does not exist.")
			return
		}
		if st.cancelling {
			st.cancelling = false
			writeJSON(w, map[string]any{"id": st.id, "status": "Cancelling"})
			return
		}
		s.advance(st)
		writeJSON(w, s.commandResponse(st))
	case "POST " + CommandsPath + "cancel":
		st := s.exec.statements[body.CommandID]
		if st == nil || st.expired || st.compute != c.id {
			writeError(w, http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST", "Command "+body.CommandID+" does not exist.")
			return
		}
		if !terminal(st.state) {
			s.cancel(st)
			st.cancelling = true
		}
		writeJSON(w, map[string]any{})
	default:
		writeError(w, http.StatusNotFound, "ENDPOINT_NOT_FOUND", "No API found for '"+route+"'.")
	}
}

// commandResponse is the Command Execution API's view of a command. s.mu
// is held.
func (s *Server) commandResponse(st *statement) map[string]any {
	resp := map[string]any{"id": st.id, "status": commandStatus[st.state]}
	switch st.state {
	case "FAILED":
		msg := st.err.message()
		resp["results"] = map[string]any{
			"resultType": "error",
			"summary":    "<span class='ansi-red-fg'>AnalysisException</span>: " + msg,
			"cause":      "org.apache.spark.sql.AnalysisException: " + msg + "\n\tat com.databricks.sql.emulated(ucemu)",
		}
	case "SUCCEEDED":
		rows, truncated := st.rows()
		schema := []map[string]string{}
		data := [][]any{}
		if st.rel != nil {
			for _, c := range st.rel.cols {
				t, ok := sparkType[c.typ]
				if !ok {
					t = strings.ToLower(c.typ)
				}
				schema = append(schema, map[string]string{"name": c.name, "type": `"` + t + `"`, "metadata": "{}"})
			}
			for _, row := range rows {
				data = append(data, append([]any(nil), row...))
			}
		}
		resp["results"] = map[string]any{"resultType": "table", "data": data, "schema": schema, "truncated": truncated, "isJsonSchema": true}
	}
	return resp
}
