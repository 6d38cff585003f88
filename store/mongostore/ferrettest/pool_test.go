package ferrettest_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store/mongostore"
)

// TestPool_OnMongo claims from and returns to a customer pool on MongoDB,
// through FerretDB: the daily limit, two reps claiming one record at once
// (one wins), a return with its reason in the audit trail.
func TestPool_OnMongo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eng, err := engine.New(engine.Config{Store: mongostore.NewForTest(t, mongostore.Config{URI: uri}), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	_, err = eng.CreateTenant(ctx, "acme", "Acme")
	require.NoError(t, err)
	boss := engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "user:boss", Admin: true})
	_, err = eng.SaveObject(boss, []byte(`{"$id": "lead", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"}},
	  "x-crm-pool": {"claimLimit": 2, "reasons": [{"zh": "联系不上", "en": "Unreachable"}]}}`), engine.SaveOptions{})
	require.NoError(t, err)
	require.NoError(t, eng.SaveRole(boss, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{"lead": {Read: true, Create: true, Update: true}}}))
	for _, u := range []string{"li", "wang", "zhao"} {
		_, err := eng.CreateUser(boss, "acme", engine.NewUser{Username: u, Role: "sales", Password: "correct horse battery"})
		require.NoError(t, err)
	}
	li := engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "user:li", Role: "sales"})
	wang := engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "user:wang", Role: "sales"})
	zhao := engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "user:zhao", Role: "sales"})
	var ids []string
	for _, n := range []string{"a", "b", "c", "d"} {
		rec, err := eng.CreateRecord(boss, "lead", map[string]any{"name": n})
		require.NoError(t, err)
		ids = append(ids, rec.ID)
	}
	res, err := eng.ReturnToPool(boss, "lead", ids, "联系不上")
	require.NoError(t, err)
	for _, r := range res {
		require.NoError(t, r.Err)
	}

	res, err = eng.ClaimRecords(li, "lead", ids[:3])
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	require.NoError(t, res[1].Err)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(res[2].Err), "past the day's limit")

	var wg sync.WaitGroup
	outs := make([]engine.PoolResult, 2)
	for i, c := range []context.Context{wang, zhao} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := eng.ClaimRecords(c, "lead", []string{ids[3]})
			if assert.NoError(t, err) {
				outs[i] = r[0]
			}
		}()
	}
	wg.Wait()
	won := 0
	for _, o := range outs {
		if o.Err == nil {
			won++
		} else {
			// the loser sees the record gone from the pool (CONFLICT) or, once another rep owns it, not at all
			assert.Contains(t, []engine.Code{engine.CodeConflict, engine.CodeNotFound}, engine.CodeOf(o.Err), o.Err.Error())
		}
	}
	assert.Equal(t, 1, won, "one claim of a record wins")

	res, err = eng.ReturnToPool(li, "lead", ids[:1], "Unreachable")
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	rec, err := eng.GetRecord(boss, "lead", ids[0])
	require.NoError(t, err)
	assert.Equal(t, engine.PoolOwner, rec.OwnerID)
	entries, _, err := eng.Audit(boss, engine.AuditQuery{Object: "lead", RecordID: ids[0], First: 1})
	require.NoError(t, err)
	assert.Equal(t, "联系不上", entries[0].Changes[engine.AuditPoolReason].New)
}
