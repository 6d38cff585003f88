package graphql_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/graphql"
	"github.com/crmkit/crm/store"
)

// massResult is a MassResult as the tests select it.
type massResult struct {
	Job *struct {
		ID, Status string
		Total      int
	}
	Kind, Object string
	Report       *struct {
		Selected, Changed, Failed int
		Error                     *string
		Failures                  []struct {
			ID    string
			Error struct{ Code, Message string }
		}
	}
}

const massSelection = `job { id status total } kind object report { selected changed failed error failures { id error { code message } } }`

func decodeMass(t *testing.T, data map[string]any, field string) massResult {
	t.Helper()
	b, err := json.Marshal(data[field])
	require.NoError(t, err)
	var out massResult
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

// waitMassResult follows a mass action job until its report is there.
func waitMassResult(t *testing.T, srv *graphql.Server, actor engine.Actor, job string) massResult {
	t.Helper()
	var out massResult
	require.Eventually(t, func() bool {
		data := mustRun(t, srv, actor, `query($j: ID!) { massActionResult(job: $j) { `+massSelection+` } }`, map[string]any{"j": job})
		out = decodeMass(t, data, "massActionResult")
		return out.Report != nil && out.Job.Status != "running"
	}, time.Minute, 5*time.Millisecond, "the job ends")
	return out
}

// TestMass_GraphQL runs each mass action through the API as a user who
// may change only their own records of a private object, in the request
// and as a job.
func TestMass_GraphQL(t *testing.T) {
	t.Parallel()
	srv, tn := realServer(t)
	eng, actx := tn.Engine, tn.Admin
	_, err := eng.SaveObject(actx, json.RawMessage(`{"$id": "note", "type": "object", "x-crm-sharing": "private",
	  "properties": {"text": {"type": "string", "x-crm-type": "text"}, "n": {"type": "integer", "x-crm-type": "integer"}}}`), engine.SaveOptions{})
	require.NoError(t, err)
	require.NoError(t, eng.SaveRole(actx, engine.Role{Name: "rep", Objects: map[string]engine.ObjectAccess{"note": {Read: true, Create: true, Update: true}}}))
	_, err = eng.CreateUser(actx, tenantA, engine.NewUser{Username: "wang", Role: "rep", Password: "a long enough password"})
	require.NoError(t, err)
	li := engine.Actor{TenantID: tenantA, ID: "user:li", Role: "rep"}
	lictx := engine.WithActor(tn.Background, li)
	adminNote, err := eng.CreateRecord(actx, "note", map[string]any{"text": "admin's"})
	require.NoError(t, err)
	n := engine.MassSyncLimit + 60
	var writes []engine.BulkWrite
	for i := range n {
		writes = append(writes, engine.BulkWrite{Action: engine.BulkCreate, Data: map[string]any{"text": fmt.Sprintf("li-%03d", i)}})
	}
	res, err := eng.WriteRecords(lictx, "note", writes, engine.BulkOptions{Atomic: true})
	require.NoError(t, err)
	liIDs := make([]any, n)
	for i, r := range res {
		liIDs[i] = r.ID
	}

	// In the request: a record li may not see is reported, the others change.
	data := mustRun(t, srv, li, `mutation($ids: [ID!]) { massUpdateNotes(ids: $ids, set: {n: 3}) { `+massSelection+` } }`,
		map[string]any{"ids": []any{liIDs[0], adminNote.ID}})
	out := decodeMass(t, data, "massUpdateNotes")
	assert.Nil(t, out.Job, "two records: changed in the request")
	assert.Equal(t, "update", out.Kind)
	assert.Equal(t, "note", out.Object)
	require.NotNil(t, out.Report)
	assert.Equal(t, 2, out.Report.Selected)
	assert.Equal(t, 1, out.Report.Changed)
	require.Len(t, out.Report.Failures, 1)
	assert.Equal(t, adminNote.ID, out.Report.Failures[0].ID)
	assert.Equal(t, "NOT_FOUND", out.Report.Failures[0].Error.Code, "li does not see the administrator's note")
	got, err := eng.GetRecord(actx, "note", adminNote.ID)
	require.NoError(t, err)
	assert.Nil(t, got.Data["n"], "unchanged")

	// As a job: more ids than an ordinary input list holds, by variable.
	data = mustRun(t, srv, li, `mutation($ids: [ID!]) { massUpdateNotes(ids: $ids, set: {n: 4}) { `+massSelection+` } }`, map[string]any{"ids": liIDs})
	out = decodeMass(t, data, "massUpdateNotes")
	require.NotNil(t, out.Job, "more than MassSyncLimit: a job")
	assert.Nil(t, out.Report)
	assert.Equal(t, n, out.Job.Total)
	out = waitMassResult(t, srv, li, out.Job.ID)
	assert.Equal(t, "done", out.Job.Status)
	assert.Equal(t, n, out.Report.Changed)
	four := store.Leaf("n", store.OpEq, 4.0)
	count, err := eng.CountRecords(actx, "note", &four)
	require.NoError(t, err)
	assert.EqualValues(t, n, count)

	// The typed filter, and all: true, choose among what li sees.
	data = mustRun(t, srv, li, `mutation { massUpdateNotes(filter: {text: {startsWith: "li-00"}}, set: {n: 5}) { `+massSelection+` } }`, nil)
	out = decodeMass(t, data, "massUpdateNotes")
	assert.Equal(t, 10, out.Report.Changed, "li-000 … li-009")
	data = mustRun(t, srv, li, `mutation { massUpdateNotes(all: true, set: {n: 6}) { `+massSelection+` } }`, nil)
	out = waitMassResult(t, srv, li, decodeMass(t, data, "massUpdateNotes").Job.ID)
	assert.Equal(t, n, out.Report.Selected, "the administrator's note is not li's to see")
	assert.Equal(t, n, out.Report.Changed)

	r := run(t, srv, engine.Actor{TenantID: tenantA, ID: "user:zhao", Role: "rep"}, `query($j: ID!) { massActionResult(job: $j) { kind } }`, map[string]any{"j": out.Job.ID})
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "NOT_FOUND", r.Errors[0].Extensions["code"], "a job's report is its starter's")

	// Transfer to another user, in the request.
	data = mustRun(t, srv, li, `mutation($ids: [ID!]) { massTransferNotes(ids: $ids, owner: "wang") { `+massSelection+` } }`, map[string]any{"ids": liIDs[:2]})
	out = decodeMass(t, data, "massTransferNotes")
	assert.Equal(t, 2, out.Report.Changed)
	got, err = eng.GetRecord(actx, "note", liIDs[0].(string))
	require.NoError(t, err)
	assert.Equal(t, "user:wang", got.OwnerID)

	refusals := []struct{ name, query, code, says string }{
		{"a role that may not delete", `mutation { massDeleteNotes(all: true) { kind } }`, "FORBIDDEN", "无权删除"},
		{"no selection", `mutation { massDeleteNotes { kind } }`, "BAD_REQUEST", "请选择记录"},
		{"an empty filter is no selection", `mutation { massUpdateNotes(filter: {}, set: {n: 1}) { kind } }`, "BAD_REQUEST", "请选择记录"},
		{"ids with a filter", `mutation { massUpdateNotes(ids: ["a"], filter: {n: {eq: 1}}, set: {n: 1}) { kind } }`, "BAD_REQUEST", "不能同时使用"},
		{"nothing to set", `mutation { massUpdateNotes(all: true, set: {}) { kind } }`, "BAD_REQUEST", "至少要设置一个字段"},
		{"an unknown job", `{ massActionResult(job: "nope") { kind } }`, "NOT_FOUND", "没有您的批量操作任务"},
	}
	for _, sc := range refusals {
		t.Run(sc.name, func(t *testing.T) {
			r := run(t, srv, li, sc.query, nil)
			require.Len(t, r.Errors, 1, sc.query)
			assert.Equal(t, sc.code, r.Errors[0].Extensions["code"])
			assert.Contains(t, r.Errors[0].Message, sc.says)
		})
	}
	tooMany := make([]any, engine.MaxBulkWrites+1)
	for i := range tooMany {
		tooMany[i] = fmt.Sprint(i)
	}
	r = run(t, srv, li, `mutation($ids: [ID!]) { massDeleteNotes(ids: $ids) { kind } }`, map[string]any{"ids": tooMany})
	require.NotEmpty(t, r.Errors, "more ids than a mass action takes")

	// An administrator deletes every note, as a job.
	data = mustRun(t, srv, admin, `mutation { massDeleteNotes(all: true) { `+massSelection+` } }`, nil)
	out = waitMassResult(t, srv, admin, decodeMass(t, data, "massDeleteNotes").Job.ID)
	assert.Equal(t, n+1, out.Report.Changed)
	count, err = eng.CountRecords(actx, "note", nil)
	require.NoError(t, err)
	assert.Zero(t, count)
}
