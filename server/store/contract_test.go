package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ucbootstrap/ucbootstrap/server/store"
	"github.com/ucbootstrap/ucbootstrap/server/store/storetest"
)

// clock is a settable clock for leases.
type clock struct{ ms atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ms.Store(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixMilli())
	return c
}

func (c *clock) now() time.Time          { return time.UnixMilli(c.ms.Load()).UTC() }
func (c *clock) advance(d time.Duration) { c.ms.Add(d.Milliseconds()) }

// The contract: every test runs on every backend.
func TestContract(t *testing.T) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store, c *clock)
	}{
		{"CreateGetList", testCreateGetList},
		{"CreateSealsWithTheID", testCreateSeal},
		{"OneLiveIntegrationPerWorkspace", testOnePerWorkspace},
		{"ConcurrentCreate", testConcurrentCreate},
		{"BeginIsCompareAndSwap", testBegin},
		{"ConcurrentBegin", testConcurrentBegin},
		{"UpdateComparesVersion", testUpdate},
		{"ChangeFields", testChangeFields},
		{"Lease", testLease},
		{"ConcurrentClaim", testConcurrentClaim},
		{"Keys", testKeys},
		{"DataKeys", testDataKeys},
		{"Reseal", testReseal},
	}
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					c := newClock()
					tt.fn(t, storetest.Open(t, backend, store.Options{Now: c.now}), c)
				})
			}
		})
	}
}

func newIntegration(workspace string) *store.Integration {
	return &store.Integration{
		Workspace: workspace,
		Status:    store.Creating,
		Config:    store.Config{Payload: []byte(`{"type":"Databricks"}`), Token: []byte{0, 1, 2, 255}},
	}
}

func mustCreate(t *testing.T, s store.Store, workspace string) *store.Integration {
	t.Helper()
	in, err := s.Create(context.Background(), newIntegration(workspace), store.CreateJob, nil)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func testCreateGetList(t *testing.T, s store.Store, c *clock) {
	ctx := context.Background()
	if l, err := s.List(ctx); err != nil || len(l) != 0 {
		t.Fatalf("List of an empty store = %v, %v; want none", l, err)
	}
	in := newIntegration("a.cloud.databricks.com")
	in.Validation = []byte(`{"status":"passed"}`)
	got, err := s.Create(ctx, in, store.CreateJob, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &store.Integration{
		ID: got.ID, Workspace: in.Workspace, Status: store.Creating, Version: 1,
		Config: in.Config, Validation: in.Validation, Created: c.now(), Updated: c.now(),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Create returned (-want +got):\n%s", diff)
	}
	again, err := s.Get(ctx, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, again); diff != "" {
		t.Errorf("Get differs from Create (-create +get):\n%s", diff)
	}
	if _, err := s.Get(ctx, got.ID+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get of a missing id: %v; want ErrNotFound", err)
	}
	jobs, err := s.Jobs(ctx, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].Kind != store.CreateJob || jobs[0].Done || jobs[0].Owner != "" {
		t.Errorf("Create queued jobs %+v; want one open create job", jobs)
	}
	second := mustCreate(t, s, "b.cloud.databricks.com")
	l, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != 2 || l[0].ID != got.ID || l[1].ID != second.ID || second.ID <= got.ID {
		t.Errorf("List = %v; want the two integrations by id", l)
	}
}

func testCreateSeal(t *testing.T, s store.Store, _ *clock) {
	ctx := context.Background()
	var sealedFor int64
	got, err := s.Create(ctx, newIntegration("a.cloud.databricks.com"), store.CreateJob, func(id int64) (store.Config, error) {
		sealedFor = id
		return store.Config{Payload: []byte(`{"sealed":true}`), ClientSecret: []byte(fmt.Sprint("sealed for ", id))}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := store.Config{Payload: []byte(`{"sealed":true}`), ClientSecret: []byte(fmt.Sprint("sealed for ", got.ID))}
	if sealedFor != got.ID || cmp.Diff(want, got.Config) != "" {
		t.Errorf("sealed for %d; stored %+v for %d", sealedFor, got.Config, got.ID)
	}
	// A seal that fails stores nothing, and its error comes back as it is.
	boom := errors.New("boom")
	if _, err := s.Create(ctx, newIntegration("b.cloud.databricks.com"), store.CreateJob, func(int64) (store.Config, error) { return store.Config{}, boom }); err != boom {
		t.Errorf("Create with a failing seal: %v; want boom", err)
	}
	if l, _ := s.List(ctx); len(l) != 1 {
		t.Errorf("a failed Create left %d integrations; want 1", len(l))
	}
}

func testOnePerWorkspace(t *testing.T, s store.Store, _ *clock) {
	ctx := context.Background()
	first := mustCreate(t, s, "a.cloud.databricks.com")
	_, err := s.Create(ctx, newIntegration("a.cloud.databricks.com"), store.CreateJob, nil)
	var exists *store.ExistsError
	if !errors.As(err, &exists) || exists.ID != first.ID || exists.Workspace != "a.cloud.databricks.com" {
		t.Fatalf("second Create on the workspace: %v; want ExistsError with id %d", err, first.ID)
	}
	// Once deleted, the workspace is free again, and List leaves the
	// deleted one out; Get still finds it.
	if _, err := s.Update(ctx, first.ID, first.Version, store.Deleted, store.Change{}); err != nil {
		t.Fatal(err)
	}
	second := mustCreate(t, s, "a.cloud.databricks.com")
	l, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != 1 || l[0].ID != second.ID {
		t.Errorf("List = %v; want only %d", l, second.ID)
	}
	if got, err := s.Get(ctx, first.ID); err != nil || got.Status != store.Deleted {
		t.Errorf("Get of the deleted integration = %v, %v; want it, deleted", got, err)
	}
}

func testConcurrentCreate(t *testing.T, s store.Store, _ *clock) {
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.Create(context.Background(), newIntegration("same.cloud.databricks.com"), store.CreateJob, nil)
		})
	}
	wg.Wait()
	ok, exists := 0, 0
	for _, err := range errs {
		var e *store.ExistsError
		switch {
		case err == nil:
			ok++
		case errors.As(err, &e):
			exists++
		default:
			t.Errorf("Create: %v", err)
		}
	}
	if ok != 1 || exists != n-1 {
		t.Errorf("%d concurrent creates: %d succeeded, %d ExistsError; want 1 and %d", n, ok, exists, n-1)
	}
}

func testBegin(t *testing.T, s store.Store, _ *clock) {
	ctx := context.Background()
	in := mustCreate(t, s, "a.cloud.databricks.com")
	_, err := s.Begin(ctx, in.ID, []store.Status{store.Enabled}, store.Editing, store.Change{}, store.EditJob)
	var conflict *store.ConflictError
	if !errors.As(err, &conflict) || conflict.Status != store.Creating || conflict.ID != in.ID {
		t.Fatalf("Begin from enabled while creating: %v; want ConflictError(creating)", err)
	}
	if _, err := s.Begin(ctx, in.ID+100, []store.Status{store.Creating}, store.Editing, store.Change{}, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Begin of a missing id: %v; want ErrNotFound", err)
	}
	got, err := s.Begin(ctx, in.ID, []store.Status{store.Enabled, store.Creating}, store.Editing, store.Change{}, store.EditJob)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.Editing || got.Version != in.Version+1 {
		t.Errorf("Begin gave status %s version %d; want editing, %d", got.Status, got.Version, in.Version+1)
	}
	jobs, err := s.Jobs(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 2 || jobs[1].Kind != store.EditJob {
		t.Errorf("jobs after Begin: %+v; want create then edit", jobs)
	}
}

func testConcurrentBegin(t *testing.T, s store.Store, _ *clock) {
	ctx := context.Background()
	in := mustCreate(t, s, "a.cloud.databricks.com")
	if _, err := s.Update(ctx, in.ID, in.Version, store.Enabled, store.Change{}); err != nil {
		t.Fatal(err)
	}
	const n = 10
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.Begin(ctx, in.ID, []store.Status{store.Enabled}, store.Editing, store.Change{}, store.EditJob)
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		var c *store.ConflictError
		switch {
		case err == nil:
			ok++
		case errors.As(err, &c) && c.Status == store.Editing:
		default:
			t.Errorf("Begin: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d concurrent Begins succeeded; want 1", ok)
	}
	jobs, _ := s.Jobs(ctx, in.ID)
	if len(jobs) != 2 {
		t.Errorf("%d jobs; want the create job and one edit job", len(jobs))
	}
}

func testUpdate(t *testing.T, s store.Store, _ *clock) {
	ctx := context.Background()
	in := mustCreate(t, s, "a.cloud.databricks.com")
	got, err := s.Update(ctx, in.ID, in.Version, store.Enabled, store.Change{Validation: []byte(`{"status":"passed"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.Enabled || got.Version != in.Version+1 || string(got.Validation) != `{"status":"passed"}` {
		t.Errorf("Update gave %+v", got)
	}
	if _, err := s.Update(ctx, in.ID, in.Version, store.RecurringValidationError, store.Change{}); !errors.Is(err, store.ErrStale) {
		t.Errorf("Update with an old version: %v; want ErrStale", err)
	}
	if _, err := s.Update(ctx, in.ID+100, 1, store.Enabled, store.Change{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Update of a missing id: %v; want ErrNotFound", err)
	}
}

func testChangeFields(t *testing.T, s store.Store, _ *clock) {
	ctx := context.Background()
	in := mustCreate(t, s, "a.cloud.databricks.com")
	prev := in.Config
	next := store.Config{Payload: []byte(`{"new":true}`), ClientSecret: []byte("sealed")}
	got, err := s.Update(ctx, in.ID, in.Version, store.Editing, store.Change{Config: &next, Previous: &prev, Error: []byte(`{"message":"x"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(next, got.Config); diff != "" {
		t.Errorf("Config (-want +got):\n%s", diff)
	}
	if got.Previous == nil || cmp.Diff(prev, *got.Previous) != "" {
		t.Errorf("Previous = %+v; want %+v", got.Previous, prev)
	}
	if string(got.Error) != `{"message":"x"}` {
		t.Errorf("Error = %s", got.Error)
	}
	// Fields a change leaves nil stay as they are.
	got, err = s.Update(ctx, in.ID, got.Version, store.Editing, store.Change{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Previous == nil || got.Error == nil || string(got.Config.Payload) != `{"new":true}` {
		t.Errorf("an empty change altered the record: %+v", got)
	}
	// An edit saves the configuration it replaces; a rollback restores it.
	edited := store.Config{Payload: []byte(`{"edited":true}`), Token: []byte("edited-token")}
	got, err = s.Update(ctx, in.ID, got.Version, store.Editing, store.Change{Config: &edited, ClearPrevious: false, SavePrevious: true})
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Diff(edited, got.Config) != "" || got.Previous == nil || cmp.Diff(next, *got.Previous) != "" {
		t.Errorf("SavePrevious: config %+v previous %+v; want %+v and %+v", got.Config, got.Previous, edited, next)
	}
	got, err = s.Update(ctx, in.ID, got.Version, store.EditError, store.Change{RestorePrevious: true})
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Diff(next, got.Config) != "" || got.Previous != nil {
		t.Errorf("RestorePrevious: config %+v previous %+v; want %+v and none", got.Config, got.Previous, next)
	}
	if _, err := s.Update(ctx, in.ID, got.Version, store.Enabled, store.Change{RestorePrevious: true, Config: &edited}); err == nil {
		t.Error("RestorePrevious with Config was accepted")
	}
	if l, err := s.Live(ctx, "a.cloud.databricks.com"); err != nil || l.ID != in.ID {
		t.Errorf("Live = %v, %v; want %d", l, err, in.ID)
	}
	if _, err := s.Live(ctx, "b.cloud.databricks.com"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Live of a workspace without one: %v", err)
	}
	got, err = s.Update(ctx, in.ID, got.Version, store.Enabled, store.Change{ClearError: true, ClearPrevious: true, Previous: nil})
	if err == nil {
		got, err = s.Update(ctx, in.ID, got.Version, store.Enabled, store.Change{Previous: &prev})
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err = s.Update(ctx, in.ID, got.Version, store.Enabled, store.Change{ClearError: true, ClearPrevious: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.Previous != nil || got.Error != nil {
		t.Errorf("ClearError and ClearPrevious left Previous %+v, Error %s", got.Previous, got.Error)
	}
	got, err = s.Update(ctx, in.ID, got.Version, store.Enabled, store.Change{Validation: []byte(`{"status":"passed"}`), ClearValidation: true})
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Validation) != `{"status":"passed"}` {
		t.Errorf("Validation with ClearValidation left %s; Validation wins", got.Validation)
	}
	got, err = s.Update(ctx, in.ID, got.Version, store.Enabled, store.Change{ClearValidation: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.Validation != nil {
		t.Errorf("ClearValidation left %s", got.Validation)
	}
}

func testLease(t *testing.T, s store.Store, c *clock) {
	ctx := context.Background()
	const ttl = 10 * time.Second
	if j, err := s.Claim(ctx, "a", ttl); err != nil || j != nil {
		t.Fatalf("Claim with no job = %v, %v; want nil, nil", j, err)
	}
	in := mustCreate(t, s, "a.cloud.databricks.com")
	j, err := s.Claim(ctx, "a", ttl)
	if err != nil || j == nil {
		t.Fatalf("Claim = %v, %v; want the create job", j, err)
	}
	if j.IntegrationID != in.ID || j.Kind != store.CreateJob || j.Owner != "a" || j.Attempts != 1 || !j.LeaseExpires.Equal(c.now().Add(ttl)) {
		t.Errorf("claimed %+v", j)
	}
	if other, err := s.Claim(ctx, "b", ttl); err != nil || other != nil {
		t.Errorf("Claim of a held job by b = %+v, %v; want nothing", other, err)
	}
	if err := s.Checkpoint(ctx, j.ID, "a", []byte("step 1")); err != nil {
		t.Fatal(err)
	}
	c.advance(ttl / 2)
	if err := s.Renew(ctx, j.ID, "a", ttl); err != nil {
		t.Fatal(err)
	}
	c.advance(ttl * 3 / 4)
	if other, _ := s.Claim(ctx, "b", ttl); other != nil {
		t.Fatalf("b claimed a job whose lease was renewed: %+v", other)
	}
	// a stops renewing (its server was killed): once the lease expires, b
	// takes the job over, with a's checkpoint.
	c.advance(ttl)
	taken, err := s.Claim(ctx, "b", ttl)
	if err != nil || taken == nil {
		t.Fatalf("Claim of an expired job = %v, %v", taken, err)
	}
	if taken.ID != j.ID || taken.Owner != "b" || taken.Attempts != 2 || string(taken.Checkpoint) != "step 1" {
		t.Errorf("took over %+v; want job %d, owner b, attempt 2, checkpoint step 1", taken, j.ID)
	}
	for name, err := range map[string]error{
		"Renew":      s.Renew(ctx, j.ID, "a", ttl),
		"Checkpoint": s.Checkpoint(ctx, j.ID, "a", []byte("stale")),
	} {
		if !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("%s by the old owner: %v; want ErrLeaseLost", name, err)
		}
	}
	if _, err := s.Finish(ctx, j.ID, "a", store.Enabled, store.Change{}); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("Finish by the old owner: %v; want ErrLeaseLost", err)
	}
	got, err := s.Finish(ctx, j.ID, "b", store.Enabled, store.Change{Validation: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.Enabled || string(got.Validation) != `{}` {
		t.Errorf("Finish gave %+v", got)
	}
	done, err := s.Job(ctx, j.ID)
	if err != nil || !done.Done || string(done.Checkpoint) != "step 1" {
		t.Errorf("job after Finish = %+v, %v; want done, checkpoint kept", done, err)
	}
	if _, err := s.Finish(ctx, j.ID, "b", store.Enabled, store.Change{}); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("second Finish: %v; want ErrLeaseLost", err)
	}
	c.advance(10 * ttl)
	if again, _ := s.Claim(ctx, "c", ttl); again != nil {
		t.Errorf("a done job was claimed again: %+v", again)
	}
}

func testConcurrentClaim(t *testing.T, s store.Store, _ *clock) {
	const jobs, workers = 10, 5
	for i := range jobs {
		mustCreate(t, s, fmt.Sprintf("w%d.cloud.databricks.com", i))
	}
	var mu sync.Mutex
	claimed := map[int64]string{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			owner := fmt.Sprintf("owner%d", w)
			for {
				j, err := s.Claim(context.Background(), owner, time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if j == nil {
					return
				}
				mu.Lock()
				if prev, ok := claimed[j.ID]; ok {
					t.Errorf("job %d claimed by %s and %s", j.ID, prev, owner)
				}
				claimed[j.ID] = owner
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claimed) != jobs {
		t.Errorf("%d jobs claimed; want %d", len(claimed), jobs)
	}
}

func testKeys(t *testing.T, s store.Store, c *clock) {
	ctx := context.Background()
	k := &store.APIKey{ID: "k1", Hash: []byte{1, 2, 3}, Name: "ci", Role: store.Admin}
	if err := s.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateKey(ctx, &store.APIKey{ID: "k1", Hash: []byte{4}, Name: "dup", Role: store.ReadOnly}); err == nil {
		t.Error("a second key with id k1 was stored")
	}
	if err := s.CreateKey(ctx, &store.APIKey{ID: "k2", Hash: []byte{4}, Name: "x", Role: "root"}); err == nil {
		t.Error("a key with an unknown role was stored")
	}
	c.advance(time.Second)
	if err := s.CreateKey(ctx, &store.APIKey{ID: "k0", Hash: []byte{5}, Name: "reader", Role: store.ReadOnly}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Key(ctx, "k1")
	if err != nil {
		t.Fatal(err)
	}
	want := &store.APIKey{ID: "k1", Hash: []byte{1, 2, 3}, Name: "ci", Role: store.Admin, Created: c.now().Add(-time.Second)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Key (-want +got):\n%s", diff)
	}
	if _, err := s.Key(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Key of a missing id: %v", err)
	}
	if err := s.RevokeKey(ctx, "k1"); err != nil {
		t.Fatal(err)
	}
	revokedAt := c.now()
	c.advance(time.Hour)
	if err := s.RevokeKey(ctx, "k1"); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeKey(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeKey of a missing id: %v", err)
	}
	all, err := s.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].ID != "k1" || all[1].ID != "k0" || !all[0].Revoked.Equal(revokedAt) || !all[1].Revoked.IsZero() {
		t.Errorf("Keys = %+v; want k1 (revoked at %v) then k0", all, revokedAt)
	}
}

func testDataKeys(t *testing.T, s store.Store, _ *clock) {
	ctx := context.Background()
	for _, k := range []*store.DataKey{{ID: "b", Sentinel: []byte("sb")}, {ID: "a", Sentinel: []byte("sa")}, {ID: "a", Sentinel: []byte("other")}} {
		if err := s.AddDataKey(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.DataKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "a" || string(got[0].Sentinel) != "sa" || got[1].ID != "b" {
		t.Errorf("DataKeys = %+v; want a (its first sentinel) and b", got)
	}
}

func testReseal(t *testing.T, s store.Store, _ *clock) {
	ctx := context.Background()
	in := mustCreate(t, s, "a.cloud.databricks.com")
	prev := store.Config{Payload: []byte(`{}`), ClientSecret: []byte("old-secret")}
	if _, err := s.Update(ctx, in.ID, in.Version, store.Editing, store.Change{Previous: &prev}); err != nil {
		t.Fatal(err)
	}
	fields, err := s.Sealed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.SealedField{
		{IntegrationID: in.ID, Field: "token", Value: []byte{0, 1, 2, 255}},
		{IntegrationID: in.ID, Field: "previous.clientSecret", Value: []byte("old-secret")},
	}
	if diff := cmp.Diff(want, fields); diff != "" {
		t.Fatalf("Sealed (-want +got):\n%s", diff)
	}
	// A value that changed since Sealed read it: nothing is written.
	stale := append([]store.SealedField{}, fields...)
	stale[1].Value = []byte("not what is stored")
	if err := s.Reseal(ctx, stale, func(f store.SealedField) ([]byte, error) { return []byte("new " + f.Field), nil }); err == nil {
		t.Error("Reseal of a changed value succeeded")
	}
	if again, _ := s.Sealed(ctx); cmp.Diff(want, again) != "" {
		t.Errorf("a failed Reseal wrote: %v", again)
	}
	if err := s.Reseal(ctx, fields, func(f store.SealedField) ([]byte, error) { return []byte("new " + f.Field), nil }); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Config.Token) != "new token" || string(got.Previous.ClientSecret) != "new previous.clientSecret" || got.Config.ClientSecret != nil {
		t.Errorf("after Reseal: %+v, previous %+v", got.Config, got.Previous)
	}
}

// Opening a store again applies no migration twice; a database migrated
// by a newer program is refused.
func TestMigrations(t *testing.T) {
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, backend)
			s, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			mustCreate(t, s, "a.cloud.databricks.com")
			s.Close()
			s, err = store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			if l, err := s.List(ctx); err != nil || len(l) != 1 {
				t.Errorf("after reopening: %v, %v; want the integration", l, err)
			}
			s.Close()
			driver, conn := "sqlite", dsn
			if backend == "postgres" {
				driver = "pgx"
			}
			db, err := sql.Open(driver, conn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(`INSERT INTO schema_migrations (version, applied_ms) VALUES (99, 0)`); err != nil {
				t.Fatal(err)
			}
			if _, err := store.Open(ctx, dsn, store.Options{}); err == nil {
				t.Errorf("a database at schema version 99 was opened by a program at version %d", store.SchemaVersion())
			}
		})
	}
}
