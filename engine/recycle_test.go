package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/testkit"
)

// recycleObjects: accounts with a unique name and a roll-up of their
// deals' amounts, contacts with a sensitive id number, deals with an
// optional account, contacts (a multilookup) and a pipeline, and tasks
// that require a deal.
var recycleObjects = []string{
	`{"$id": "account", "type": "object", "required": ["name"], "properties": {
	  "name": {"type": "string", "x-crm-type": "text", "x-crm-unique": true},
	  "total": {"type": "number", "x-crm-type": "rollup", "x-crm-rollup": {"object": "deal", "via": "account", "function": "sum", "field": "amount"}}}}`,
	`{"$id": "contact", "type": "object", "properties": {
	  "name": {"type": "string", "x-crm-type": "text"},
	  "idNumber": {"type": "string", "x-crm-type": "text", "x-crm-sensitive": true}}}`,
	`{"$id": "deal", "type": "object", "required": ["title"], "properties": {
	  "title": {"type": "string", "x-crm-type": "text"},
	  "amount": {"type": "number", "x-crm-type": "currency"},
	  "account": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"},
	  "contacts": {"type": "array", "items": {"type": "string"}, "x-crm-type": "multilookup", "x-crm-target": "contact"},
	  "stage": {"type": "string", "enum": ["open", "won"], "default": "open", "x-crm-type": "picklist",
	    "x-crm-pipeline": {"stages": [{"value": "open", "category": "open"}, {"value": "won", "category": "won"}]}}}}`,
	`{"$id": "task", "type": "object", "properties": {
	  "subject": {"type": "string", "x-crm-type": "text"},
	  "deal": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "deal"}},
	  "required": ["deal"]}`,
}

var recycleStart = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func newRecycleTenant(t *testing.T, opts ...testkit.Option) (*testkit.Tenant, *testkit.Clock) {
	t.Helper()
	clock := testkit.NewClock(recycleStart)
	opts = append([]testkit.Option{testkit.WithClock(clock), testkit.WithEncryption(), testkit.WithObjects(recycleObjects...)}, opts...)
	return testkit.New(t, "acme", opts...), clock
}

func binIDs(t *testing.T, eng *engine.Engine, ctx context.Context, object string) []string {
	t.Helper()
	page, err := eng.RecycleBin(ctx, engine.BinQuery{Object: object})
	require.NoError(t, err)
	ids := make([]string, len(page.Entries))
	for i, e := range page.Entries {
		ids[i] = e.ID
	}
	return ids
}

func restoreOne(t *testing.T, eng *engine.Engine, ctx context.Context, id string) engine.RestoreResult {
	t.Helper()
	res, err := eng.RestoreDeleted(ctx, []string{id})
	require.NoError(t, err)
	require.Len(t, res, 1)
	return res[0]
}

func TestRecycle_DeleteThenRestoreBringsReferencesBack(t *testing.T) {
	t.Parallel()
	tn, clock := newRecycleTenant(t)
	eng, ctx := tn.Engine, tn.Admin
	acc, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "杭州云图"})
	require.NoError(t, err)
	deal, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "年框", "amount": 120.0, "account": acc.ID})
	require.NoError(t, err)
	acc, err = eng.GetRecord(ctx, "account", acc.ID)
	require.NoError(t, err)
	require.Equal(t, 120.0, acc.Data["total"])

	clock.Advance(time.Hour)
	require.NoError(t, eng.DeleteRecord(ctx, "account", acc.ID))

	_, err = eng.GetRecord(ctx, "account", acc.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "a deleted record is gone from reads")
	assert.Equal(t, int64(0), count(t, eng, ctx, "account"), "and from lists and counts")
	d, err := eng.GetRecord(ctx, "deal", deal.ID)
	require.NoError(t, err)
	assert.NotContains(t, d.Data, "account", "the lookup to it is cleared")

	page, err := eng.RecycleBin(ctx, engine.BinQuery{})
	require.NoError(t, err)
	require.Len(t, page.Entries, 1)
	en := page.Entries[0]
	assert.Equal(t, acc.ID, en.ID)
	assert.Equal(t, "account", en.Object)
	assert.Equal(t, "杭州云图", en.Title)
	assert.Equal(t, "user:test", en.DeletedBy)
	assert.Equal(t, engine.RecycleDeleted, en.Reason)
	assert.Equal(t, 1, en.References)
	assert.Equal(t, recycleStart.Add(time.Hour), en.DeletedAt)
	assert.Equal(t, recycleStart.Add(time.Hour).AddDate(0, 0, 30), en.ExpiresAt, "30 days by default")
	assert.Equal(t, 30, page.RetentionDays)

	// The deal changes while the account is in the bin: the restored
	// roll-up counts what the deals hold now.
	_, err = eng.UpdateRecord(ctx, "deal", deal.ID, map[string]any{"amount": 200.0}, nil)
	require.NoError(t, err)
	clock.Advance(time.Hour)
	res := restoreOne(t, eng, ctx, acc.ID)
	require.NoError(t, res.Err)
	assert.Equal(t, "account", res.Object)
	assert.Equal(t, 1, res.ReferencesRestored)
	assert.Equal(t, 0, res.ReferencesNotRestored)
	assert.Empty(t, res.ClearedLookups)
	assert.Equal(t, acc.Version+1, res.Record.Version, "a restore is a new version")
	assert.Equal(t, acc.CreatedAt, res.Record.CreatedAt)
	assert.Equal(t, 200.0, res.Record.Data["total"])

	got, err := eng.GetRecord(ctx, "account", acc.ID)
	require.NoError(t, err)
	assert.Equal(t, "杭州云图", got.Data["name"])
	d, err = eng.GetRecord(ctx, "deal", deal.ID)
	require.NoError(t, err)
	assert.Equal(t, acc.ID, d.Data["account"], "the deal refers to the account again")
	assert.Empty(t, binIDs(t, eng, ctx, ""), "a restored record leaves the bin")

	trail, _, err := eng.Audit(ctx, engine.AuditQuery{RecordID: acc.ID})
	require.NoError(t, err)
	var actions []string
	for _, e := range trail {
		actions = append(actions, e.Action)
	}
	assert.Contains(t, actions, engine.AuditRestore)
	assert.Contains(t, actions, engine.AuditDelete)

	res = restoreOne(t, eng, ctx, acc.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(res.Err), "a second restore finds nothing")
}

func TestRecycle_RestoreKeepsLiveLookupsAndHistory(t *testing.T) {
	t.Parallel()
	tn, clock := newRecycleTenant(t)
	eng, ctx := tn.Engine, tn.Admin
	acc, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "A"})
	require.NoError(t, err)
	c1, err := eng.CreateRecord(ctx, "contact", map[string]any{"name": "李雷"})
	require.NoError(t, err)
	c2, err := eng.CreateRecord(ctx, "contact", map[string]any{"name": "韩梅梅"})
	require.NoError(t, err)
	deal, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "单", "amount": 10.0, "account": acc.ID, "contacts": []any{c1.ID, c2.ID}})
	require.NoError(t, err)
	clock.Advance(time.Minute)
	_, err = eng.UpdateRecord(ctx, "deal", deal.ID, map[string]any{"stage": "won"}, nil)
	require.NoError(t, err)
	hist, err := eng.StageHistory(ctx, "deal", "stage", []string{deal.ID})
	require.NoError(t, err)
	require.Len(t, hist[deal.ID], 2)

	clock.Advance(time.Minute)
	require.NoError(t, eng.DeleteRecord(ctx, "deal", deal.ID))
	a, err := eng.GetRecord(ctx, "account", acc.ID)
	require.NoError(t, err)
	assert.Equal(t, 0.0, a.Data["total"], "the roll-up follows the delete")
	gone, err := eng.StageHistory(ctx, "deal", "stage", []string{deal.ID})
	require.NoError(t, err)
	assert.Empty(t, gone[deal.ID])
	clock.Advance(time.Minute)
	require.NoError(t, eng.DeleteRecord(ctx, "contact", c2.ID))

	res := restoreOne(t, eng, ctx, deal.ID)
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"contacts"}, res.ClearedLookups, "the answer names the lookup that lost a target")
	d, err := eng.GetRecord(ctx, "deal", deal.ID)
	require.NoError(t, err)
	assert.Equal(t, acc.ID, d.Data["account"], "a lookup whose target exists is kept")
	assert.Equal(t, []any{c1.ID}, d.Data["contacts"], "a multilookup keeps the targets that exist")
	assert.Equal(t, "won", d.Data["stage"])
	back, err := eng.StageHistory(ctx, "deal", "stage", []string{deal.ID})
	require.NoError(t, err)
	assert.Equal(t, hist[deal.ID], back[deal.ID], "the stage history comes back")
	a, err = eng.GetRecord(ctx, "account", acc.ID)
	require.NoError(t, err)
	assert.Equal(t, 10.0, a.Data["total"], "the parent's roll-up counts the restored child")

	// Restoring the contact gives the deal its id back in the multilookup.
	res = restoreOne(t, eng, ctx, c2.ID)
	require.NoError(t, res.Err)
	assert.Equal(t, 0, res.ReferencesRestored, "the deal was in the bin when the contact was deleted: nothing to put back")
	require.NoError(t, eng.DeleteRecord(ctx, "contact", c1.ID))
	res = restoreOne(t, eng, ctx, c1.ID)
	require.NoError(t, res.Err)
	assert.Equal(t, 1, res.ReferencesRestored)
	d, err = eng.GetRecord(ctx, "deal", deal.ID)
	require.NoError(t, err)
	assert.Equal(t, []any{c1.ID}, d.Data["contacts"])
}

func TestRecycle_RestoreOrderAndRequiredLookups(t *testing.T) {
	t.Parallel()
	tn, clock := newRecycleTenant(t)
	eng, ctx := tn.Engine, tn.Admin
	deal, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "单"})
	require.NoError(t, err)
	task, err := eng.CreateRecord(ctx, "task", map[string]any{"subject": "回访", "deal": deal.ID})
	require.NoError(t, err)
	err = eng.DeleteRecord(ctx, "deal", deal.ID)
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err), "a required lookup still refuses the delete")
	require.NoError(t, eng.DeleteRecord(ctx, "task", task.ID))
	clock.Advance(time.Second)
	require.NoError(t, eng.DeleteRecord(ctx, "deal", deal.ID))

	res := restoreOne(t, eng, ctx, task.ID)
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(res.Err), "its required deal is in the bin")
	assert.Equal(t, `cannot restore this task: its required field "deal" names deal "`+deal.ID+`", which no longer exists; restore that record first`, engine.PublicMessage(res.Err, "en"))
	assert.Equal(t, `无法恢复该task记录：必填字段“deal”关联的deal记录 "`+deal.ID+`" 已不存在，请先恢复该记录`, engine.PublicMessage(res.Err, "zh"), "labels where the metadata has them, API names where not")
	assert.ElementsMatch(t, []string{deal.ID, task.ID}, binIDs(t, eng, ctx, ""), "nothing changed")

	both, err := eng.RestoreDeleted(ctx, []string{task.ID, deal.ID})
	require.NoError(t, err)
	require.Len(t, both, 2)
	assert.Equal(t, task.ID, both[0].ID, "results in input order")
	require.NoError(t, both[0].Err, "the deal, deleted last, is restored first")
	require.NoError(t, both[1].Err)
	got, err := eng.GetRecord(ctx, "task", task.ID)
	require.NoError(t, err)
	assert.Equal(t, deal.ID, got.Data["deal"])
}

func TestRecycle_UniqueValueTakenMeanwhile(t *testing.T) {
	t.Parallel()
	tn, _ := newRecycleTenant(t)
	eng, ctx := tn.Engine, tn.Admin
	acc, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "重名公司"})
	require.NoError(t, err)
	deal, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "单", "account": acc.ID})
	require.NoError(t, err)
	require.NoError(t, eng.DeleteRecord(ctx, "account", acc.ID))
	other, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "重名公司"})
	require.NoError(t, err, "a deleted record's unique value is free")

	res := restoreOne(t, eng, ctx, acc.ID)
	require.Error(t, res.Err)
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(res.Err))
	msg := engine.PublicMessage(res.Err, "en")
	assert.Contains(t, msg, "name")
	assert.Contains(t, msg, "重名公司")
	assert.Contains(t, engine.PublicMessage(res.Err, "zh"), "重名公司")
	d, err := eng.GetRecord(ctx, "deal", deal.ID)
	require.NoError(t, err)
	assert.NotContains(t, d.Data, "account", "a refused restore changes nothing")
	assert.Equal(t, []string{acc.ID}, binIDs(t, eng, ctx, "account"))

	_, err = eng.UpdateRecord(ctx, "account", other.ID, map[string]any{"name": "改名公司"}, nil)
	require.NoError(t, err)
	res = restoreOne(t, eng, ctx, acc.ID)
	require.NoError(t, res.Err, "once the value is free again the restore goes through")
}

func TestRecycle_PurgeAndEmpty(t *testing.T) {
	t.Parallel()
	tn, _ := newRecycleTenant(t)
	eng, ctx := tn.Engine, tn.Admin
	var ids []string
	for i := range 3 {
		c, err := eng.CreateRecord(ctx, "contact", map[string]any{"name": fmt.Sprintf("c%d", i)})
		require.NoError(t, err)
		require.NoError(t, eng.DeleteRecord(ctx, "contact", c.ID))
		ids = append(ids, c.ID)
	}
	acc, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "A"})
	require.NoError(t, err)
	require.NoError(t, eng.DeleteRecord(ctx, "account", acc.ID))

	_, err = eng.PurgeDeleted(ctx, []string{ids[0], "nope"})
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
	assert.Len(t, binIDs(t, eng, ctx, ""), 4, "all or nothing")
	n, err := eng.PurgeDeleted(ctx, []string{ids[0]})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	res := restoreOne(t, eng, ctx, ids[0])
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(res.Err), "a purged record cannot come back")

	n, err = eng.EmptyRecycleBin(ctx, "contact")
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, []string{acc.ID}, binIDs(t, eng, ctx, ""), "emptying one object's records keeps the others")
	n, err = eng.EmptyRecycleBin(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	_, err = eng.PurgeDeleted(ctx, nil)
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	_, err = eng.RestoreDeleted(ctx, make([]string, engine.MaxRecycleIDs+1))
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	_, err = eng.RecycleBin(ctx, engine.BinQuery{Object: "nope"})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	_, err = eng.RecycleBin(ctx, engine.BinQuery{First: engine.MaxBinPage + 1})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	_, err = eng.RecycleBin(ctx, engine.BinQuery{After: "!!"})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
}

func TestRecycle_Paging(t *testing.T) {
	t.Parallel()
	tn, clock := newRecycleTenant(t)
	eng, ctx := tn.Engine, tn.Admin
	var want []string
	for i := range 7 {
		c, err := eng.CreateRecord(ctx, "contact", map[string]any{"name": fmt.Sprintf("c%d", i)})
		require.NoError(t, err)
		require.NoError(t, eng.DeleteRecord(ctx, "contact", c.ID))
		want = append([]string{c.ID}, want...) // the last deleted first
		if i%2 == 0 {
			clock.Advance(time.Second) // some share a deletion time
		}
	}
	var got []string
	var last time.Time
	after := ""
	for range 10 {
		page, err := eng.RecycleBin(ctx, engine.BinQuery{First: 3, After: after})
		require.NoError(t, err)
		for _, e := range page.Entries {
			got = append(got, e.ID)
			if !last.IsZero() {
				assert.False(t, e.DeletedAt.After(last), "the last deleted first")
			}
			last = e.DeletedAt
		}
		if !page.HasMore {
			break
		}
		after = page.EndCursor
	}
	assert.ElementsMatch(t, want, got, "every entry once, across pages")
	assert.Len(t, got, len(want))
}

func TestRecycle_ExpiryAndRetention(t *testing.T) {
	t.Parallel()
	tn, clock := newRecycleTenant(t)
	eng, ctx := tn.Engine, tn.Admin
	old, err := eng.CreateRecord(ctx, "contact", map[string]any{"name": "old"})
	require.NoError(t, err)
	require.NoError(t, eng.DeleteRecord(ctx, "contact", old.ID))
	clock.Advance(10 * 24 * time.Hour)
	young, err := eng.CreateRecord(ctx, "contact", map[string]any{"name": "young"})
	require.NoError(t, err)
	require.NoError(t, eng.DeleteRecord(ctx, "contact", young.ID))

	pass := func() int {
		stats, err := worker.RunDue(context.Background(), eng.Queues(), worker.Config{})
		require.NoError(t, err)
		return stats.Purged
	}
	clock.Advance(19*24*time.Hour + 23*time.Hour)
	assert.Equal(t, 0, pass(), "nothing is due before 30 days")
	clock.Advance(2 * time.Hour)
	assert.Equal(t, 1, pass(), "the first deleted expires after 30 days")
	assert.Equal(t, []string{young.ID}, binIDs(t, eng, ctx, ""))

	days, err := eng.RecycleRetention(ctx)
	require.NoError(t, err)
	assert.Equal(t, 30, days)
	_, err = eng.SetRecycleRetention(ctx, 7)
	require.NoError(t, err)
	assert.Equal(t, 1, pass(), "a shorter retention applies to what the bin holds")
	assert.Empty(t, binIDs(t, eng, ctx, ""))

	_, err = eng.SetRecycleRetention(ctx, 0)
	require.NoError(t, err)
	final, err := eng.CreateRecord(ctx, "contact", map[string]any{"name": "final"})
	require.NoError(t, err)
	require.NoError(t, eng.DeleteRecord(ctx, "contact", final.ID))
	assert.Empty(t, binIDs(t, eng, ctx, ""), "retention 0: deletes are final")

	for _, bad := range []int{-1, engine.MaxRetentionDays + 1} {
		_, err = eng.SetRecycleRetention(ctx, bad)
		assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "%d days", bad)
	}
	user := tn.As(engine.Actor{ID: "user:wang"})
	_, err = eng.SetRecycleRetention(user, 5)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
	days, err = eng.RecycleRetention(user)
	require.NoError(t, err)
	assert.Equal(t, 0, days, "anyone may read it")
}

func TestRecycle_ErasureLeavesNothing(t *testing.T) {
	t.Parallel()
	tn, _ := newRecycleTenant(t)
	eng, ctx := tn.Engine, tn.Admin
	const secret = "110101199003071234"
	c, err := eng.CreateRecord(ctx, "contact", map[string]any{"name": "张三", "idNumber": secret})
	require.NoError(t, err)
	require.NoError(t, eng.DeleteRecord(ctx, "contact", c.ID))

	var buf bytes.Buffer
	_, err = eng.ExportTenant(context.Background(), "acme", &buf)
	require.NoError(t, err)
	assert.Contains(t, buf.String(), "张三", "the bin entry is in the export")
	assert.NotContains(t, buf.String(), secret, "a sensitive value stays encrypted in the bin")

	require.NoError(t, eng.ErasePersonalData(ctx, "contact", c.ID), "a record in the bin can be erased")
	assert.Empty(t, binIDs(t, eng, ctx, ""))
	res := restoreOne(t, eng, ctx, c.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(res.Err))

	live, err := eng.CreateRecord(ctx, "contact", map[string]any{"name": "李四"})
	require.NoError(t, err)
	require.NoError(t, eng.ErasePersonalData(ctx, "contact", live.ID))
	assert.Empty(t, binIDs(t, eng, ctx, ""), "erasure never goes through the bin")
	buf.Reset()
	_, err = eng.ExportTenant(context.Background(), "acme", &buf)
	require.NoError(t, err)
	assert.NotContains(t, buf.String(), "张三")
	assert.NotContains(t, buf.String(), "李四")

	err = eng.ErasePersonalData(ctx, "contact", "nothing")
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
}

func TestRecycle_SensitiveValuesComeBackAndTravel(t *testing.T) {
	t.Parallel()
	tn, _ := newRecycleTenant(t, testkit.WithOtherTenants("beta"))
	eng, ctx := tn.Engine, tn.Admin
	c, err := eng.CreateRecord(ctx, "contact", map[string]any{"name": "张三", "idNumber": "110101199003071234"})
	require.NoError(t, err)
	require.NoError(t, eng.DeleteRecord(ctx, "contact", c.ID))

	var buf bytes.Buffer
	_, err = eng.ExportTenant(context.Background(), "acme", &buf)
	require.NoError(t, err)
	_, err = eng.RenameTenant(context.Background(), "acme", "gamma")
	require.NoError(t, err, "a tenant moves with its bin")
	gamma := tn.As(engine.Actor{TenantID: "gamma", ID: "user:test", Admin: true})
	res := restoreOne(t, eng, gamma, c.ID)
	require.NoError(t, res.Err)
	got, err := eng.GetRecord(gamma, "contact", c.ID)
	require.NoError(t, err)
	assert.Equal(t, "110101199003071234", got.Data["idNumber"], "sealed again for the new tenant, opened on restore")
}

func TestRecycle_WhoSeesAndRestores(t *testing.T) {
	t.Parallel()
	tn, _ := newRecycleTenant(t, testkit.WithObjects(`{"$id": "lead", "type": "object", "x-crm-sharing": "private", "properties": {
	  "name": {"type": "string", "x-crm-type": "text"}, "secret": {"type": "string", "x-crm-type": "text"}}}`))
	eng, ctx := tn.Engine, tn.Admin
	require.NoError(t, eng.SaveRole(ctx, engine.Role{Name: "rep", Objects: map[string]engine.ObjectAccess{
		"lead":    {Read: true, Create: true, Update: true, Delete: true, Fields: map[string]string{"secret": engine.FieldHidden}},
		"account": {Read: true, Create: true, Update: true},
	}}))
	for _, u := range []engine.NewUser{{Username: "wang", Team: "east"}, {Username: "li", Team: "west"}} {
		u.Role, u.Password = "rep", "a long enough password"
		_, err := eng.CreateUser(ctx, "acme", u)
		require.NoError(t, err)
	}
	wang := tn.As(engine.Actor{ID: "user:wang", Role: "rep"})
	li := tn.As(engine.Actor{ID: "user:li", Role: "rep"})
	mine, err := eng.CreateRecord(wang, "lead", map[string]any{"name": "王的线索"})
	require.NoError(t, err)
	byAdmin, err := eng.CreateRecord(ctx, "lead", map[string]any{"name": "管理员删的", "secret": "x"})
	require.NoError(t, err)
	_, err = eng.TransferRecord(ctx, "lead", byAdmin.ID, "user:wang")
	require.NoError(t, err)
	require.NoError(t, eng.DeleteRecord(wang, "lead", mine.ID))
	require.NoError(t, eng.DeleteRecord(ctx, "lead", byAdmin.ID))
	acc, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "A"})
	require.NoError(t, err)
	require.NoError(t, eng.DeleteRecord(ctx, "account", acc.ID))

	assert.ElementsMatch(t, []string{mine.ID, byAdmin.ID}, binIDs(t, eng, wang, ""),
		"the deleter and the owner see their leads, not what their role may not delete")
	page, err := eng.RecycleBin(wang, engine.BinQuery{Object: "lead"})
	require.NoError(t, err)
	for _, e := range page.Entries {
		assert.NotContains(t, e.Record.Data, "secret", "field rules apply to the bin")
	}
	assert.Empty(t, binIDs(t, eng, li, ""), "another rep sees none of a private object's records")
	_, err = eng.RecycleBin(li, engine.BinQuery{Object: "account"})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "a role that may not delete accounts")

	res := restoreOne(t, eng, li, mine.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(res.Err), "another rep cannot restore it")
	_, err = eng.PurgeDeleted(li, []string{mine.ID})
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "nor purge it")
	_, err = eng.PurgeDeleted(wang, []string{byAdmin.ID})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "the owner may restore but only the deleter purges")
	_, err = eng.EmptyRecycleBin(wang, "")
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
	res = restoreOne(t, eng, wang, acc.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(res.Err))

	res = restoreOne(t, eng, wang, byAdmin.ID)
	require.NoError(t, res.Err, "the owner restores")
	assert.NotContains(t, res.Record.Data, "secret", "the answer follows the field rules")
	admin, err := eng.GetRecord(ctx, "lead", byAdmin.ID)
	require.NoError(t, err)
	assert.Equal(t, "x", admin.Data["secret"], "the hidden value comes back too")
	n, err := eng.PurgeDeleted(wang, []string{mine.ID})
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the deleter purges")
}

func TestRecycle_DeletingAnObjectDropsItsEntries(t *testing.T) {
	t.Parallel()
	tn, _ := newRecycleTenant(t, testkit.WithObjects(`{"$id": "memo", "type": "object", "properties": {"name": {"type": "string", "x-crm-type": "text"}}}`))
	eng, ctx := tn.Engine, tn.Admin
	m, err := eng.CreateRecord(ctx, "memo", map[string]any{"name": "m"})
	require.NoError(t, err)
	require.NoError(t, eng.DeleteRecord(ctx, "memo", m.ID))
	c, err := eng.CreateRecord(ctx, "contact", map[string]any{"name": "c"})
	require.NoError(t, err)
	require.NoError(t, eng.DeleteRecord(ctx, "contact", c.ID))
	_, err = eng.DeleteObject(ctx, "memo", 0, false)
	require.NoError(t, err)
	assert.Equal(t, []string{c.ID}, binIDs(t, eng, ctx, ""))
}

func TestRecycle_BulkDeleteGoesToTheBin(t *testing.T) {
	t.Parallel()
	for _, st := range bulkStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			tn, _ := newRecycleTenant(t, testkit.WithStore(st.open))
			eng, ctx := tn.Engine, tn.Admin
			var writes []engine.BulkWrite
			for i := range 5 {
				c, err := eng.CreateRecord(ctx, "contact", map[string]any{"name": fmt.Sprintf("c%d", i)})
				require.NoError(t, err)
				writes = append(writes, engine.BulkWrite{Action: engine.BulkDelete, ID: c.ID})
			}
			res, err := eng.WriteRecords(ctx, "contact", writes, engine.BulkOptions{})
			require.NoError(t, err)
			for _, r := range res {
				require.NoError(t, r.Err)
			}
			ids := binIDs(t, eng, ctx, "contact")
			assert.Len(t, ids, 5)
			out, err := eng.RestoreDeleted(ctx, ids)
			require.NoError(t, err)
			for _, r := range out {
				require.NoError(t, r.Err)
			}
			assert.Equal(t, int64(5), count(t, eng, ctx, "contact"))
		})
	}
}
