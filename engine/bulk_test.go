package engine_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

// bulkObjects are a lead with a unique email, a validate script that
// rejects one name, an afterSave script that writes a note and then
// throws for another and an automation that tells a webhook of every new lead
// (through the outbox), and the note.
var bulkObjects = []string{
	`{"$id": "note", "type": "object", "properties": {"text": {"type": "string", "x-crm-type": "text"}}}`,
	`{"$id": "lead", "type": "object", "required": ["name"], "properties": {
	    "name": {"type": "string", "x-crm-type": "text"},
	    "email": {"type": "string", "format": "email", "x-crm-type": "email", "x-crm-unique": true},
	    "score": {"type": "number", "minimum": 0, "x-crm-type": "number"},
	    "phone": {"type": "string", "x-crm-type": "text"}},
	  "x-crm-scripts": [
	    {"name": "picky", "kind": "validate", "source": "if (ctx.record.name === 'reject me') ctx.addError('name', 'not this one')"},
	    {"name": "noisy", "kind": "afterSave", "source": "crm.create('note', {text: 'saved ' + ctx.record.name}); if (ctx.record.name === 'explode') throw new Error('boom')"}],
	  "x-crm-automations": [{"name": "tell", "trigger": {"event": "created"},
	    "actions": [{"type": "webhook", "url": "https://hooks.example.com/new-lead"}]}]}`,
}

// noSavepoints hides the store's savepoints, as the MongoDB adapter has
// none: every write then gets a transaction of its own.
type noSavepoints struct{ store.Store }

func (s noSavepoints) Tenant(ctx context.Context, id string) (store.TenantStore, error) {
	ts, err := s.Store.Tenant(ctx, id)
	return plainTenant{ts}, err
}

type plainTenant struct{ store.TenantStore }

func (t plainTenant) WithTx(ctx context.Context, fn func(store.Tx) error) error {
	return t.TenantStore.WithTx(ctx, func(tx store.Tx) error { return fn(plainTx{tx}) })
}

type plainTx struct{ store.Tx }

// bulkStores are the two ways WriteRecords runs writes that are not
// atomic.
var bulkStores = []struct {
	name string
	open func(testing.TB) store.Store
}{
	{name: "savepoints", open: func(t testing.TB) store.Store { return sqlitestore.NewForTest(t) }},
	{name: "a transaction per write", open: func(t testing.TB) store.Store { return noSavepoints{sqlitestore.NewForTest(t)} }},
}

func newBulkTenant(t *testing.T, open func(testing.TB) store.Store) *testkit.Tenant {
	t.Helper()
	return testkit.New(t, "acme", testkit.WithStore(open), testkit.WithObjects(bulkObjects...))
}

func outcomes(results []engine.BulkResult) []string {
	out := make([]string, len(results))
	for i, r := range results {
		out[i] = r.Outcome
		if r.Err != nil {
			out[i] += " " + string(engine.CodeOf(r.Err))
		}
	}
	return out
}

func count(t *testing.T, eng *engine.Engine, ctx context.Context, object string) int64 {
	t.Helper()
	n, err := eng.CountRecords(ctx, object, nil)
	require.NoError(t, err)
	return n
}

func create(data map[string]any) engine.BulkWrite {
	return engine.BulkWrite{Action: engine.BulkCreate, Data: data}
}

func TestEngine_WriteRecords_EveryAction(t *testing.T) {
	t.Parallel()
	for _, st := range bulkStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			tn := newBulkTenant(t, st.open)
			eng, ctx := tn.Engine, tn.Admin
			keep, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "keep", "score": 1.0})
			require.NoError(t, err)
			doomed, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "doomed"})
			require.NoError(t, err)
			stale := int64(7)

			res, err := eng.WriteRecords(ctx, "lead", []engine.BulkWrite{
				create(map[string]any{"name": "new", "email": "new@example.com"}),
				{Action: engine.BulkUpdate, ID: keep.ID, Data: map[string]any{"score": 5.0, "phone": "123"}, Version: &keep.Version},
				{Action: engine.BulkUpsert, ID: keep.ID, Data: map[string]any{"name": "kept", "phone": nil}},
				{Action: engine.BulkUpsert, Data: map[string]any{"name": "upserted"}},
				{Action: engine.BulkDelete, ID: doomed.ID, Version: &stale},
				{Action: engine.BulkDelete, ID: doomed.ID},
				{Action: engine.BulkUpdate, ID: "nope", Data: map[string]any{"score": 1.0}},
			}, engine.BulkOptions{})
			require.NoError(t, err)
			assert.Equal(t, []string{"created", "updated", "updated", "created", "failed CONFLICT", "deleted", "failed NOT_FOUND"}, outcomes(res))

			assert.Equal(t, "new", res[0].Record.Data["name"])
			assert.Equal(t, int64(1), res[0].Record.Version)
			assert.NotEmpty(t, res[0].ID)
			assert.Equal(t, keep.ID, res[2].ID)
			assert.Equal(t, int64(3), res[2].Record.Version, "the upsert patched the update's result")
			assert.Equal(t, map[string]any{"name": "kept", "score": 5.0}, res[2].Record.Data, "patch semantics: absent kept, null cleared")
			assert.Equal(t, doomed.ID, res[5].ID)
			assert.Zero(t, res[5].Record.Version)

			got, err := eng.GetRecord(ctx, "lead", keep.ID)
			require.NoError(t, err)
			assert.Equal(t, res[2].Record, got, "the answer is the committed record")
			_, err = eng.GetRecord(ctx, "lead", doomed.ID)
			assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
			assert.Equal(t, int64(3), count(t, eng, ctx, "lead"))
			assert.Equal(t, int64(2+4), count(t, eng, ctx, "note"), "the afterSave script of every landed create and update ran")

			entries, _, err := eng.Audit(ctx, engine.AuditQuery{Object: "lead", RecordID: doomed.ID})
			require.NoError(t, err)
			require.NotEmpty(t, entries)
			assert.Equal(t, engine.AuditDelete, entries[0].Action, "bulk deletes are in the audit trail")
		})
	}
}

func TestEngine_WriteRecords_FailuresStayApart(t *testing.T) {
	t.Parallel()
	batch := []engine.BulkWrite{
		create(map[string]any{"name": "first", "email": "a@example.com"}),
		create(map[string]any{"name": "reject me"}),
		create(map[string]any{"score": -1.0}),
		create(map[string]any{"name": "explode"}),
		create(map[string]any{"name": "dup", "email": "a@example.com"}),
		create(map[string]any{"name": "last"}),
	}
	for _, st := range bulkStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			tn := newBulkTenant(t, st.open)
			eng, ctx := tn.Engine, tn.Admin

			res, err := eng.WriteRecords(ctx, "lead", batch, engine.BulkOptions{})
			require.NoError(t, err)
			assert.Equal(t, []string{"created", "failed VALIDATION_FAILED", "failed VALIDATION_FAILED", "failed SCRIPT_FAILED", "failed VALIDATION_FAILED", "created"}, outcomes(res))
			assert.Equal(t, map[string]string{"name": "script"}, fieldErrors(t, res[1].Err), "the validate script's own words")
			assert.Equal(t, map[string]string{"name": "required", "score": "minimum"}, fieldErrors(t, res[2].Err), "every problem of the write at once")
			assert.Contains(t, engine.PublicMessage(res[3].Err, "en"), "boom")
			assert.Equal(t, map[string]string{"email": "unique"}, fieldErrors(t, res[4].Err))
			assert.Equal(t, int64(2), count(t, eng, ctx, "lead"))
			notes, err := eng.ListRecords(ctx, "note", engine.ListQuery{Sort: []store.Sort{{Field: "text"}}})
			require.NoError(t, err)
			var texts []string
			for _, n := range notes.Records {
				texts = append(texts, n.Data["text"].(string))
			}
			assert.Equal(t, []string{"saved first", "saved last"}, texts, "the note the failing write's script made went with it")
			outbox, err := eng.Outbox(ctx, "", 100)
			require.NoError(t, err)
			assert.Len(t, outbox, 2, "one webhook for each lead that landed")
			entries, _, err := eng.Audit(ctx, engine.AuditQuery{Object: "lead", Action: engine.AuditCreate})
			require.NoError(t, err)
			var audited []string
			for _, en := range entries {
				audited = append(audited, en.Changes["name"].New.(string))
			}
			assert.ElementsMatch(t, []string{"first", "last"}, audited, "the audit entry of the write whose script failed went with it")
		})
	}
}

func TestEngine_WriteRecords_Atomic(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name   string
		writes []engine.BulkWrite
		want   []string
		leads  int64
	}{
		{name: "every write lands",
			writes: []engine.BulkWrite{create(map[string]any{"name": "a"}), create(map[string]any{"name": "b"})},
			want:   []string{"created", "created"}, leads: 2},
		{name: "a failing middle write undoes the others",
			writes: []engine.BulkWrite{create(map[string]any{"name": "a"}), create(map[string]any{"name": "explode"}), create(map[string]any{"name": "c"})},
			want:   []string{"notApplied", "failed SCRIPT_FAILED", "notApplied"}},
		{name: "a create that fails its checks runs nothing",
			writes: []engine.BulkWrite{create(map[string]any{"name": "a"}), {Action: engine.BulkUpsert, Data: map[string]any{"name": "b"}}, create(map[string]any{"name": "reject me"})},
			want:   []string{"notApplied", "notApplied", "failed VALIDATION_FAILED"}},
		{name: "a later duplicate undoes the first",
			writes: []engine.BulkWrite{create(map[string]any{"name": "a", "email": "x@example.com"}), create(map[string]any{"name": "b", "email": "x@example.com"})},
			want:   []string{"notApplied", "failed VALIDATION_FAILED"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			tn := newBulkTenant(t, bulkStores[0].open)
			eng, ctx := tn.Engine, tn.Admin
			res, err := eng.WriteRecords(ctx, "lead", s.writes, engine.BulkOptions{Atomic: true})
			require.NoError(t, err)
			assert.Equal(t, s.want, outcomes(res))
			assert.Equal(t, s.leads, count(t, eng, ctx, "lead"))
			assert.Equal(t, s.leads, count(t, eng, ctx, "note"), "nothing the undone writes' scripts wrote stays")
			outbox, err := eng.Outbox(ctx, "", 100)
			require.NoError(t, err)
			assert.Len(t, outbox, int(s.leads), "nor what their automations enqueued")
			for _, r := range res {
				if r.Outcome == engine.OutcomeNotApplied {
					assert.Zero(t, r.Record.Version)
				}
			}
		})
	}
}

func TestEngine_WriteRecords_UpsertByUniqueField(t *testing.T) {
	t.Parallel()
	tn := newBulkTenant(t, bulkStores[0].open)
	eng, ctx := tn.Engine, tn.Admin
	known, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "known", "email": "known@example.com", "score": 3.0})
	require.NoError(t, err)

	res, err := eng.WriteRecords(ctx, "lead", []engine.BulkWrite{
		{Action: engine.BulkUpsert, Data: map[string]any{"name": "known again", "email": "  known@example.com "}},
		{Action: engine.BulkUpsert, Data: map[string]any{"name": "fresh", "email": "fresh@example.com", "phone": nil}},
		{Action: engine.BulkUpsert, Data: map[string]any{"name": "fresh twice", "email": "fresh@example.com"}},
		{Action: engine.BulkUpsert, Data: map[string]any{"name": "no key"}},
		{Action: engine.BulkUpsert, Data: map[string]any{"email": "known@example.com", "score": -1.0}},
	}, engine.BulkOptions{By: "email"})
	require.NoError(t, err)
	assert.Equal(t, []string{"updated", "created", "updated", "created", "failed VALIDATION_FAILED"}, outcomes(res))
	assert.Equal(t, known.ID, res[0].ID, "matched as the unique index compares values (trimmed)")
	assert.Equal(t, map[string]any{"name": "known again", "email": "known@example.com", "score": 3.0}, res[0].Record.Data, "an update keeps what the input leaves out")
	assert.Equal(t, res[1].ID, res[2].ID, "a record created earlier in the call matches")
	assert.Equal(t, "fresh twice", res[2].Record.Data["name"])
	assert.Equal(t, int64(3), count(t, eng, ctx, "lead"))

	for _, by := range []string{"name", "colour"} {
		_, err := eng.WriteRecords(ctx, "lead", []engine.BulkWrite{{Action: engine.BulkUpsert, Data: map[string]any{"name": "x"}}}, engine.BulkOptions{By: by})
		require.Error(t, err, by)
		assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
		assert.Contains(t, engine.PublicMessage(err, "en"), by, "the message names the field")
	}

	res, err = eng.WriteRecords(ctx, "lead", []engine.BulkWrite{{Action: engine.BulkUpsert, ID: "missing", Data: map[string]any{"name": "x"}}}, engine.BulkOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"failed NOT_FOUND"}, outcomes(res), "an upsert by an id that names no record does not make up one")
}

func TestEngine_WriteRecords_PermissionsPerRecord(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	_, err := eng.SaveObject(ctx, []byte(sharingDeal("private")), engine.SaveOptions{})
	require.NoError(t, err)
	as := salesTeam(t, eng, ctx)
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "viewer", Objects: map[string]engine.ObjectAccess{"*": {Read: true, Update: true}}}))
	viewer := engine.WithActor(context.Background(), engine.Actor{TenantID: "acme", ID: "user:viewer", Role: "viewer"})

	own, err := eng.CreateRecord(as["rep1"], "deal", map[string]any{"title": "rep1's"})
	require.NoError(t, err)
	other, err := eng.CreateRecord(as["rep2"], "deal", map[string]any{"title": "rep2's"})
	require.NoError(t, err)

	res, err := eng.WriteRecords(as["rep1"], "deal", []engine.BulkWrite{
		{Action: engine.BulkUpdate, ID: own.ID, Data: map[string]any{"title": "mine, changed"}},
		{Action: engine.BulkUpdate, ID: other.ID, Data: map[string]any{"title": "theirs, changed"}},
		{Action: engine.BulkDelete, ID: other.ID},
	}, engine.BulkOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"updated", "failed FORBIDDEN", "failed FORBIDDEN"}, outcomes(res), "rep1 may not change rep2's deal")
	_, single := eng.UpdateRecord(as["rep1"], "deal", other.ID, map[string]any{"title": "theirs, changed"}, nil)
	assert.Equal(t, single, res[1].Err, "the same refusal as a single write")
	hidden, err := eng.CreateRecord(as["rep3"], "deal", map[string]any{"title": "rep3's"})
	require.NoError(t, err)
	res, err = eng.WriteRecords(as["rep1"], "deal", []engine.BulkWrite{{Action: engine.BulkUpdate, ID: hidden.ID, Data: map[string]any{"title": "x"}}}, engine.BulkOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"failed NOT_FOUND"}, outcomes(res), "rep1 does not see rep3's deal")

	res, err = eng.WriteRecords(as["lead"], "deal", []engine.BulkWrite{
		{Action: engine.BulkUpdate, ID: other.ID, Data: map[string]any{"title": "changed by the lead"}},
	}, engine.BulkOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"updated"}, outcomes(res), "the manager may")

	res, err = eng.WriteRecords(viewer, "deal", []engine.BulkWrite{
		create(map[string]any{"title": "not allowed"}),
		{Action: engine.BulkDelete, ID: own.ID},
		{Action: engine.BulkUpsert, Data: map[string]any{"title": "nor this"}},
	}, engine.BulkOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"failed FORBIDDEN", "failed FORBIDDEN", "failed FORBIDDEN"}, outcomes(res), "the role has no create or delete")

	got, err := eng.GetRecord(ctx, "deal", other.ID)
	require.NoError(t, err)
	assert.Equal(t, "changed by the lead", got.Data["title"])
}

func TestEngine_WriteRecords_Limits(t *testing.T) {
	t.Parallel()
	tn := newBulkTenant(t, bulkStores[0].open)
	eng, ctx := tn.Engine, tn.Admin
	writes := make([]engine.BulkWrite, engine.MaxBulkWrites+1)
	for i := range writes {
		writes[i] = create(map[string]any{"name": fmt.Sprintf("lead %d", i)})
	}
	_, err := eng.WriteRecords(ctx, "lead", writes, engine.BulkOptions{})
	require.Error(t, err)
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	assert.Contains(t, engine.PublicMessage(err, "en"), "at most 500 writes, this one has 501")
	assert.Equal(t, int64(0), count(t, eng, ctx, "lead"), "nothing ran")

	res, err := eng.WriteRecords(ctx, "lead", writes[:engine.MaxBulkWrites], engine.BulkOptions{})
	require.NoError(t, err)
	require.Len(t, res, engine.MaxBulkWrites)
	for i, r := range res {
		require.Equal(t, engine.OutcomeCreated, r.Outcome, "write %d", i)
		require.Equal(t, fmt.Sprintf("lead %d", i), r.Record.Data["name"], "results in input order")
	}
	assert.Equal(t, int64(engine.MaxBulkWrites), count(t, eng, ctx, "lead"))

	scenarios := []struct {
		name   string
		writes []engine.BulkWrite
		text   string
	}{
		{name: "unknown action", writes: []engine.BulkWrite{create(nil), {Action: "merge"}}, text: `write 1: unknown action "merge"`},
		{name: "update without id", writes: []engine.BulkWrite{{Action: engine.BulkUpdate}}, text: "write 0: update needs the id"},
		{name: "unknown object", writes: []engine.BulkWrite{create(nil)}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			object := "lead"
			if s.text == "" {
				object = "nothing"
			}
			_, err := eng.WriteRecords(ctx, object, s.writes, engine.BulkOptions{})
			require.Error(t, err)
			assert.Contains(t, []engine.Code{engine.CodeBadRequest, engine.CodeNotFound}, engine.CodeOf(err))
			assert.Contains(t, engine.PublicMessage(err, "en"), s.text)
		})
	}
	assert.Equal(t, int64(engine.MaxBulkWrites), count(t, eng, ctx, "lead"), "refused calls changed nothing")

	expired, cancel := context.WithCancel(ctx)
	cancel()
	res, err = eng.WriteRecords(expired, "lead", writes[:3], engine.BulkOptions{})
	if err == nil {
		for _, r := range res {
			assert.Equal(t, engine.OutcomeFailed, r.Outcome, "a call past its deadline lands nothing")
		}
	}
	assert.Equal(t, int64(engine.MaxBulkWrites), count(t, eng, ctx, "lead"))
}
