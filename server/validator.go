package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/validation"
)

// LiveValidator is the [Validator] of a real server: the validation tests
// of package validation, run against the integration's workspace.
type LiveValidator struct {
	opts validation.Options
}

// NewLiveValidator returns a validator that runs [validation.Run] with
// opts. Credentials come from the payload only: opts.Getenv is replaced by
// one that finds nothing, so that the server's own DATABRICKS_* variables
// never stand in for a payload's missing token. POST and PUT ask for the
// metastore once (their caller can ask again); the jobs and the
// revalidation wait opts.MetastoreWait for a metastore just assigned.
//
// opts.InsecureLoopback holds for the payloads whose workspace is on a
// loopback address (a stand-in workspace) only: the others are reached
// over HTTPS as always, where validation.Run would refuse them.
func NewLiveValidator(opts validation.Options) *LiveValidator {
	opts.Getenv = func(string) string { return "" }
	return &LiveValidator{opts: opts}
}

// Validate runs the tests. During POST and PUT (PhaseCreate, PhaseEdit) a
// failed metastore test is a [*ProcessingError] with Immuta's text, which
// the API answers 422; in the other phases it is a failed result, kept with
// the integration.
//
// During PUT of a manual setup the catalog records the fingerprint of the
// configuration being edited, not yet the new one (the service principal
// records it once the edit is validated): that fingerprint passes the
// catalog test.
func (v *LiveValidator) Validate(ctx context.Context, in *ucbootstrap.Integration, phase Phase, previous *ucbootstrap.Integration) (*Results, error) {
	opts := v.opts
	opts.InsecureLoopback = opts.InsecureLoopback && ucbootstrap.IsLoopback(in.Config.Host())
	request := phase == PhaseCreate || phase == PhaseEdit
	if request {
		opts.MetastoreWait = -1
	}
	vr, err := validation.Run(ctx, in, opts)
	if err != nil {
		// A payload that cannot be validated live at all: no credentials,
		// a host or path the clients refuse.
		return nil, &ProcessingError{Message: trimPackages(err.Error())}
	}
	if phase == PhaseEdit && previous != nil && !in.AutoBootstrap {
		acceptPrevious(vr, in, previous)
	}
	res, err := results(vr)
	if err != nil {
		return nil, err
	}
	if request {
		for _, t := range vr.ValidationTests {
			if t.Name == validation.MetastoreTest && t.Status == validation.Failed {
				return nil, &ProcessingError{Message: MetastoreInfoError, Results: res}
			}
		}
	}
	return res, nil
}

// results converts the results of package validation to the server's
// (the same JSON shape).
func results(vr *validation.Results) (*Results, error) {
	res := &Results{Status: string(vr.Status), Tests: make([]Test, 0, len(vr.ValidationTests))}
	for _, t := range vr.ValidationTests {
		st := Test{Name: t.Name, Status: string(t.Status), Message: t.Message}
		if t.Result != nil {
			b, err := json.Marshal(t.Result)
			if err != nil {
				return nil, fmt.Errorf("server: the result of %s: %w", t.Name, err)
			}
			st.Result = b
		}
		res.Tests = append(res.Tests, st)
	}
	return res, nil
}

// trimPackages drops the package prefixes of an error's message, for the
// API's texts.
func trimPackages(msg string) string {
	for _, p := range []string{"validation: ", "databricks: ", "sqlexec: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return msg
}

// acceptPrevious passes a catalog test that failed only because the catalog
// records the fingerprint of the previous configuration, and sets the
// overall status again.
func acceptPrevious(vr *validation.Results, in, previous *ucbootstrap.Integration) {
	old := previous.Fingerprint()
	worst := validation.Skipped
	for i := range vr.ValidationTests {
		t := &vr.ValidationTests[i]
		if t.Name == validation.CatalogTest && t.Status == validation.Failed {
			if r, ok := t.Result.(map[string]any); ok && r["fingerprint"] == old && old != in.Fingerprint() {
				name := in.Config.CatalogName()
				t.Status = validation.Passed
				t.Message = "catalog " + name + " is this integration's, owned by the service principal, and was set up from the configuration being edited (" + old + "); the service principal records this payload's fingerprint (" + in.Fingerprint() + ") once the edit is validated"
			}
		}
		if statusRank[t.Status] > statusRank[worst] {
			worst = t.Status
		}
	}
	vr.Status = worst
}

// statusRank orders the statuses as package validation does: the overall
// status is the worst.
var statusRank = map[validation.Status]int{validation.Skipped: 0, validation.Passed: 1, validation.Warning: 2, validation.Failed: 3}
