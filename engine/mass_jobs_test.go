package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store"
)

// waitMass follows a mass action job until its report is there.
func waitMass(t *testing.T, eng *engine.Engine, ctx context.Context, job string) *engine.MassOutcome {
	t.Helper()
	var out *engine.MassOutcome
	require.Eventually(t, func() bool {
		var err error
		out, err = eng.MassChangeResult(ctx, job)
		require.NoError(t, err)
		return out.Report != nil && out.Job.Status != engine.JobRunning
	}, time.Minute, 5*time.Millisecond, "the job ends")
	return out
}

// massDeals gives rep1 n deals titled mine-<i> (on top of the tenant's).
func massDeals(t *testing.T, eng *engine.Engine, rep1 context.Context, n int) {
	t.Helper()
	for start := 0; start < n; start += engine.MaxBulkWrites {
		var writes []engine.BulkWrite
		for i := start; i < min(n, start+engine.MaxBulkWrites); i++ {
			writes = append(writes, engine.BulkWrite{Action: engine.BulkCreate, Data: map[string]any{"title": fmt.Sprintf("mine-%d", i), "qty": 1.0}})
		}
		res, err := eng.WriteRecords(rep1, "deal", writes, engine.BulkOptions{Atomic: true})
		require.NoError(t, err)
		require.Equal(t, engine.OutcomeCreated, res[0].Outcome, res[0].Err)
	}
}

// TestEngine_StartMassChange runs each kind of mass action as a job, as a
// user who may change only their own records (and who sees a
// teammate's), and checks who may read a job's report.
func TestEngine_StartMassChange(t *testing.T) {
	t.Parallel()
	eng, admin, as := aggregateTenant(t)
	n := engine.MassSyncLimit + 50
	massDeals(t, eng, as["rep1"], n)
	rep1, rep2 := as["rep1"], as["rep2"]
	theirs := dealsBy(t, eng, admin, &store.Filter{Field: "title", Op: store.OpEq, Value: "rep2"})
	require.Len(t, theirs, 1)

	// Update: every deal rep1 sees (its own and rep2's, its teammate's).
	out, err := eng.StartMassChange(rep1, "deal", engine.MassSelection{All: true}, engine.MassAction{Kind: engine.MassUpdate, Set: map[string]any{"qty": 5.0}})
	require.NoError(t, err)
	require.NotNil(t, out.Job, "more than MassSyncLimit records: a job")
	assert.Nil(t, out.Report, "the report comes when the job ends")
	assert.Equal(t, engine.JobMassChange, out.Job.Kind)
	assert.EqualValues(t, n+3, out.Job.Total)
	done := waitMass(t, eng, rep1, out.Job.ID)
	assert.Equal(t, engine.JobDone, done.Job.Status)
	assert.Equal(t, engine.MassUpdate, done.Kind)
	assert.Equal(t, n+3, done.Report.Selected)
	assert.Equal(t, n+2, done.Report.Changed, "rep1's own deals")
	assert.Equal(t, 1, done.Report.Failed)
	require.Len(t, done.Report.Failures, 1)
	for id := range theirs {
		assert.Equal(t, id, done.Report.Failures[0].ID, "the teammate's deal is for reading")
	}
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(done.Report.Failures[0].Err))
	assert.EqualValues(t, n+2, done.Job.Changed)
	assert.EqualValues(t, n+3, done.Job.Done)
	for _, d := range dealsBy(t, eng, admin, &store.Filter{Field: "title", Op: store.OpEq, Value: "rep2"}) {
		assert.Equal(t, 2.0, d.Data["qty"], "unchanged")
	}
	count, err := eng.CountRecords(admin, "deal", &store.Filter{Field: "qty", Op: store.OpEq, Value: 5.0})
	require.NoError(t, err)
	assert.EqualValues(t, n+2, count)

	_, err = eng.MassChangeResult(rep2, out.Job.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "a report is its starter's")
	_, err = eng.MassChangeResult(admin, out.Job.ID)
	assert.NoError(t, err, "and administrators'")

	// A small selection is changed in the request.
	small, err := eng.StartMassChange(rep1, "deal", engine.MassSelection{Filter: &store.Filter{Field: "title", Op: store.OpEq, Value: "rep1"}},
		engine.MassAction{Kind: engine.MassUpdate, Set: map[string]any{"qty": 8.0}})
	require.NoError(t, err)
	assert.Nil(t, small.Job)
	assert.Equal(t, engine.MassReport{Selected: 2, Changed: 2}, *small.Report)

	// Delete: rep1's role may not delete, so nothing goes.
	mine := &store.Filter{Field: "title", Op: store.OpStartsWith, Value: "mine-"}
	_, err = eng.StartMassChange(rep1, "deal", engine.MassSelection{Filter: mine}, engine.MassAction{Kind: engine.MassDelete})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "refused before any record")
	assert.ErrorContains(t, err, "may not delete")
	count, err = eng.CountRecords(admin, "deal", mine)
	require.NoError(t, err)
	assert.EqualValues(t, n, count, "nothing deleted")

	// Transfer: rep1 hands its deals to rep3, who is in another team.
	out, err = eng.StartMassChange(rep1, "deal", engine.MassSelection{Filter: mine}, engine.MassAction{Kind: engine.MassTransfer, Owner: "rep3"})
	require.NoError(t, err)
	done = waitMass(t, eng, rep1, out.Job.ID)
	assert.Equal(t, engine.MassReport{Selected: n, Changed: n}, *done.Report)
	for _, d := range dealsBy(t, eng, admin, mine) {
		assert.Equal(t, "user:rep3", d.OwnerID)
	}
	count, err = eng.CountRecords(rep1, "deal", mine)
	require.NoError(t, err)
	assert.Zero(t, count, "rep1 no longer sees them")

	// Delete as an administrator.
	out, err = eng.StartMassChange(admin, "deal", engine.MassSelection{Filter: mine}, engine.MassAction{Kind: engine.MassDelete})
	require.NoError(t, err)
	done = waitMass(t, eng, admin, out.Job.ID)
	assert.Equal(t, engine.MassReport{Selected: n, Changed: n}, *done.Report)
	count, err = eng.CountRecords(admin, "deal", mine)
	require.NoError(t, err)
	assert.Zero(t, count)
	assert.Len(t, dealsBy(t, eng, admin, nil), 5, "the others stay")

	_, err = eng.StartMassChange(admin, "deal", engine.MassSelection{IDs: []string{"x"}, All: true}, engine.MassAction{Kind: engine.MassDelete})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "ids and all together are ambiguous")
	_, err = eng.MassChangeResult(admin, "nope")
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
}
