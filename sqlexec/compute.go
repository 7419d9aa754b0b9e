package sqlexec

import (
	"context"
	"fmt"
	"net/url"

	"github.com/ucbootstrap/ucbootstrap/databricks"
)

// Compute describes the warehouse or cluster an executor runs on.
type Compute struct {
	Kind Kind
	ID   string
	Name string
	// State is the warehouse's (STOPPED, STARTING, RUNNING, STOPPING,
	// DELETING, DELETED) or the cluster's (PENDING, RUNNING, RESTARTING,
	// RESIZING, TERMINATING, TERMINATED, ERROR, UNKNOWN).
	State string
	// Message is the cluster's state message or the warehouse's health
	// summary, if any.
	Message string
}

// Compute asks the workspace for the state of the executor's warehouse
// (GET /api/2.0/sql/warehouses/{id}) or cluster (GET
// /api/2.1/clusters/get). An unknown warehouse or cluster is an
// *databricks.APIError (404 or 400).
func (e *Executor) Compute(ctx context.Context) (*Compute, error) {
	if e.target.Kind == Cluster {
		c, err := e.getCluster(ctx, nil)
		if err != nil {
			return nil, err
		}
		return &Compute{Kind: Cluster, ID: e.target.ID, Name: c.ClusterName, State: c.State, Message: c.StateMessage}, nil
	}
	var w struct {
		Name   string `json:"name"`
		State  string `json:"state"`
		Health *struct {
			Summary string `json:"summary"`
		} `json:"health"`
	}
	if err := e.request(ctx, nil, databricks.Request{Path: "/api/2.0/sql/warehouses/" + url.PathEscape(e.target.ID)}, &w); err != nil {
		return nil, fmt.Errorf("sqlexec: warehouse %s: %w", e.target.ID, err)
	}
	c := &Compute{Kind: Warehouse, ID: e.target.ID, Name: w.Name, State: w.State}
	if w.Health != nil {
		c.Message = w.Health.Summary
	}
	return c, nil
}
