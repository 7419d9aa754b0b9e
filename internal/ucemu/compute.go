package ucemu

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// This file serves the SQL warehouses API (GET /api/2.0/sql/warehouses/{id},
// POST .../{id}/start; Go SDK GetWarehouseResponse) and the clusters API
// (GET /api/2.1/clusters/get, POST /api/2.1/clusters/start; Go SDK
// ClusterDetails). Warehouses go STOPPED -> STARTING -> RUNNING, clusters
// TERMINATED -> PENDING -> RUNNING, in StartPolls polls.

type warehouse struct {
	id    string
	state string
	left  int // polls left while STARTING
}

type cluster struct {
	id    string
	state string
	left  int // polls left while PENDING
}

// SetWarehouseState sets the state of a warehouse, adding it if needed.
func (s *Server) SetWarehouseState(id, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.warehouses[id] == nil {
		s.warehouses[id] = &warehouse{id: id}
	}
	s.warehouses[id].state, s.warehouses[id].left = strings.ToUpper(state), s.startPolls
}

// SetClusterState sets the state of a cluster, adding it if needed.
func (s *Server) SetClusterState(id, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.clusters[id] == nil {
		s.clusters[id] = &cluster{id: id}
	}
	s.clusters[id].state, s.clusters[id].left = strings.ToUpper(state), s.startPolls
}

// WarehouseState returns the state of a warehouse, or "".
func (s *Server) WarehouseState(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if wh := s.warehouses[id]; wh != nil {
		return wh.state
	}
	return ""
}

// ClusterState returns the state of a cluster, or "".
func (s *Server) ClusterState(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.clusters[id]; c != nil {
		return c.state
	}
	return ""
}

// startStep moves a starting warehouse or cluster one poll on. s.mu is
// held.
func (s *Server) startStep(state *string, left *int, running string) {
	if *state != "STARTING" && *state != "PENDING" {
		return
	}
	if *left > 0 {
		*left--
	}
	if *left == 0 {
		*state = running
	}
}

func (s *Server) warehouse(w http.ResponseWriter, r *http.Request) {
	rest := strings.Trim(strings.TrimPrefix(r.URL.Path, WarehousesPath), "/")
	id, action, _ := strings.Cut(rest, "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	wh := s.warehouses[id]
	if wh == nil {
		writeError(w, http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST", "SQL warehouse "+id+" does not exist.")
		return
	}
	switch {
	case action == "" && r.Method == http.MethodGet:
		s.startStep(&wh.state, &wh.left, "RUNNING")
		health := "HEALTHY"
		if wh.state != "RUNNING" {
			health = ""
		}
		body := map[string]any{
			"id": wh.id, "name": "emulated warehouse " + wh.id, "state": wh.state,
			"cluster_size": "2X-Small", "warehouse_type": "PRO", "enable_serverless_compute": false,
			"num_clusters": 1, "min_num_clusters": 1, "max_num_clusters": 1, "auto_stop_mins": 10,
			"odbc_params": map[string]any{"hostname": r.Host, "path": "/sql/1.0/warehouses/" + wh.id, "port": 443, "protocol": "https"},
		}
		if health != "" {
			body["health"] = map[string]string{"status": health}
		}
		if wh.state != "RUNNING" {
			body["num_clusters"] = 0
		}
		writeJSON(w, body)
	case action == "start" && r.Method == http.MethodPost:
		switch wh.state {
		case "DELETED", "DELETING":
			writeError(w, http.StatusBadRequest, "INVALID_STATE", "SQL warehouse "+id+" is deleted.")
			return
		case "STOPPED", "STOPPING":
			wh.state, wh.left = "STARTING", s.startPolls
			s.startStep(&wh.state, &wh.left, "RUNNING")
		}
		writeJSON(w, map[string]any{})
	default:
		writeError(w, http.StatusNotFound, "ENDPOINT_NOT_FOUND", "No API found for '"+r.Method+" "+r.URL.Path+"'.")
	}
}

func (s *Server) cluster(w http.ResponseWriter, r *http.Request) {
	var id string
	if r.URL.Path == ClustersGetPath {
		if r.Method != http.MethodGet {
			writeError(w, http.StatusMethodNotAllowed, "BAD_REQUEST", "Use GET.")
			return
		}
		id = r.URL.Query().Get("cluster_id")
	} else {
		if r.Method != http.MethodPost {
			writeError(w, http.StatusMethodNotAllowed, "BAD_REQUEST", "Use POST.")
			return
		}
		var body struct {
			ClusterID string `json:"cluster_id"`
		}
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if json.Unmarshal(b, &body) != nil {
			writeError(w, http.StatusBadRequest, "MALFORMED_REQUEST", "The request body is not a JSON object.")
			return
		}
		id = body.ClusterID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clusters[id]
	if c == nil {
		writeError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "Cluster "+id+" does not exist")
		return
	}
	if r.URL.Path == ClustersStartPath {
		if c.state != "TERMINATED" {
			writeError(w, http.StatusBadRequest, "INVALID_STATE", "Cluster "+id+" is in unexpected state "+c.state+".")
			return
		}
		c.state, c.left = "PENDING", s.startPolls
		s.startStep(&c.state, &c.left, "RUNNING")
		writeJSON(w, map[string]any{})
		return
	}
	s.startStep(&c.state, &c.left, "RUNNING")
	msg := ""
	switch c.state {
	case "PENDING":
		msg = "Starting Spark"
	case "TERMINATED":
		msg = "Inactive cluster terminated (inactive for 120 minutes)."
	}
	writeJSON(w, map[string]any{
		"cluster_id": c.id, "cluster_name": "emulated cluster " + c.id, "state": c.state, "state_message": msg,
		"spark_version": "15.4.x-scala2.12", "data_security_mode": "USER_ISOLATION",
	})
}
