package engine_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/store"
)

const poolLead = `{"$id": "lead", "type": "object", "x-crm-label": {"zh": "线索", "en": "Lead"}, "x-crm-sharing": "private",
  "properties": {
    "name": {"type": "string", "x-crm-type": "text"},
    "status": {"type": "string", "enum": ["new", "working", "lost"], "x-crm-type": "picklist"},
    "nextFollowUp": {"type": "string", "format": "date", "x-crm-type": "date"}
  },
  "x-crm-pool": {"label": {"zh": "线索公海", "en": "Lead pool"}, "claimLimit": 2, "claimRoles": ["sales", "salesManager"], "managerRoles": ["salesManager"],
    "idleDays": 3, "returnWhen": {"field": "status", "op": "eq", "value": "lost"}, "clearFields": ["nextFollowUp"],
    "reasons": [{"zh": "客户无意向", "en": "Not interested"}, {"zh": "联系不上", "en": "Unreachable"}]}}`

type poolTenant struct {
	tn                  *testkit.Tenant
	clk                 *testkit.Clock
	eng                 *engine.Engine
	boss, mgr, li, wang context.Context
	clerk               context.Context
	leads               []string
}

// newPoolTenant has boss (administrator), mgr (salesManager: manages the
// pool), li (sales, reports to mgr), wang (sales) and clerk (support:
// reads leads, may not claim), and five leads in the pool. The clock
// stands at 23:30 in Shanghai.
func newPoolTenant(t *testing.T) poolTenant {
	t.Helper()
	clk := testkit.NewClock(time.Date(2026, 5, 4, 15, 30, 0, 0, time.UTC))
	tn := testkit.New(t, "acme", testkit.WithClock(clk), testkit.WithObjects(poolLead))
	eng := tn.Engine
	all := engine.ObjectAccess{Read: true, Create: true, Update: true}
	for _, r := range []string{"sales", "salesManager", "support"} {
		require.NoError(t, eng.SaveRole(tn.Admin, engine.Role{Name: r, Objects: map[string]engine.ObjectAccess{"lead": all}}))
	}
	for _, u := range []engine.NewUser{
		{Username: "boss", DisplayName: "老板", Role: engine.AdminRole},
		{Username: "mgr", DisplayName: "张经理", Role: "salesManager"},
		{Username: "li", DisplayName: "李雷", Role: "sales", Manager: "mgr"},
		{Username: "wang", DisplayName: "王芳", Role: "sales"},
		{Username: "clerk", DisplayName: "小陈", Role: "support"},
	} {
		u.Password = "correct horse battery"
		_, err := eng.CreateUser(tn.Admin, "acme", u)
		require.NoError(t, err)
	}
	p := poolTenant{tn: tn, clk: clk, eng: eng,
		boss:  tn.As(engine.Actor{ID: "user:boss", Admin: true}),
		mgr:   tn.As(engine.Actor{ID: "user:mgr", Role: "salesManager"}),
		li:    tn.As(engine.Actor{ID: "user:li", Role: "sales"}),
		wang:  tn.As(engine.Actor{ID: "user:wang", Role: "sales"}),
		clerk: tn.As(engine.Actor{ID: "user:clerk", Role: "support"}),
	}
	for _, name := range []string{"杭州云栖", "宁波港", "苏州工业园", "无锡物联", "温州鞋业"} {
		rec, err := eng.CreateRecord(p.boss, "lead", map[string]any{"name": name, "status": "new", "nextFollowUp": "2026-05-06"})
		require.NoError(t, err)
		p.leads = append(p.leads, rec.ID)
	}
	res, err := eng.ReturnToPool(p.boss, "lead", p.leads, "联系不上")
	require.NoError(t, err)
	for _, r := range res {
		require.NoError(t, r.Err)
		assert.Equal(t, engine.PoolOwner, r.Record.OwnerID)
		assert.NotContains(t, r.Record.Data, "nextFollowUp", "the pool's clear fields are emptied")
	}
	return p
}

func (p poolTenant) claim(t *testing.T, ctx context.Context, ids ...string) []engine.PoolResult {
	t.Helper()
	res, err := p.eng.ClaimRecords(ctx, "lead", ids)
	require.NoError(t, err)
	require.Len(t, res, len(ids))
	return res
}

func (p poolTenant) owner(t *testing.T, id string) string {
	t.Helper()
	rec, err := p.eng.GetRecord(p.boss, "lead", id)
	require.NoError(t, err)
	return rec.OwnerID
}

func (p poolTenant) visible(t *testing.T, ctx context.Context, f *store.Filter) int {
	t.Helper()
	res, err := p.eng.ListRecords(ctx, "lead", engine.ListQuery{Filter: f, First: 100})
	require.NoError(t, err)
	return len(res.Records)
}

func TestPool_ClaimLimitPerTenantDay(t *testing.T) {
	t.Parallel()
	p := newPoolTenant(t)
	inPool := store.Leaf("ownerId", store.OpEq, engine.PoolOwner)
	assert.Equal(t, 5, p.visible(t, p.li, &inPool), "a rep who may claim sees the pool of a private object")
	assert.Equal(t, 0, p.visible(t, p.clerk, nil), "one who may not claim does not")

	info, err := p.eng.Pool(p.li, "lead")
	require.NoError(t, err)
	assert.True(t, info.MayClaim)
	assert.Equal(t, 2, info.ClaimsLeft)
	assert.Equal(t, "线索公海", info.Label.Zh)

	_, err = p.eng.UpdateRecord(p.li, "lead", p.leads[0], map[string]any{"status": "working"}, nil)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "a pooled record is claimed before it is changed")
	assert.Contains(t, err.Error(), "claimed")

	res := p.claim(t, p.li, p.leads[0], p.leads[1], p.leads[2])
	require.NoError(t, res[0].Err)
	require.NoError(t, res[1].Err)
	assert.Equal(t, "user:li", res[0].Record.OwnerID)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(res[2].Err), "the third claim of the day is refused")
	assert.Contains(t, res[2].Err.Error(), "2")
	assert.Equal(t, engine.PoolOwner, p.owner(t, p.leads[2]), "a refused claim changes nothing")

	_, err = p.eng.UpdateRecord(p.li, "lead", p.leads[0], map[string]any{"status": "working"}, nil)
	require.NoError(t, err, "claimed, it is the rep's")
	assert.Equal(t, 0, p.visible(t, p.wang, &store.Filter{Field: "ownerId", Op: store.OpEq, Value: "user:li"}), "and private to the rep's circle")

	info, err = p.eng.Pool(p.li, "lead")
	require.NoError(t, err)
	assert.Equal(t, 2, info.ClaimedToday)
	assert.Equal(t, 0, info.ClaimsLeft)

	p.clk.Advance(time.Hour) // 00:30 in Shanghai, still 4 May in UTC
	info, err = p.eng.Pool(p.li, "lead")
	require.NoError(t, err)
	assert.Equal(t, 2, info.ClaimsLeft, "the day is the tenant's")
	require.NoError(t, p.claim(t, p.li, p.leads[2])[0].Err)
}

func TestPool_Refusals(t *testing.T) {
	t.Parallel()
	p := newPoolTenant(t)
	_, err := p.eng.ClaimRecords(p.clerk, "lead", []string{p.leads[0]})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "a role the pool does not name may not claim")
	_, err = p.eng.ClaimRecords(p.li, "lead", nil)
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	_, err = p.eng.ClaimRecords(p.li, "lead", []string{p.leads[0], p.leads[0]})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "an id twice")
	res := p.claim(t, p.li, "nosuchid")
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(res[0].Err))
	key := p.tn.As(engine.Actor{ID: "key:1", Admin: true})
	_, err = p.eng.ClaimRecords(key, "lead", []string{p.leads[0]})
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "an API key is nobody to own records")

	require.NoError(t, p.claim(t, p.li, p.leads[0])[0].Err)
	res = p.claim(t, p.wang, p.leads[0])
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(res[0].Err), "claimed by someone wang does not see: gone from the pool")
	res = p.claim(t, p.mgr, p.leads[0])
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(res[0].Err), "one who sees it learns it was claimed")

	_, err = p.eng.ReturnToPool(p.li, "lead", []string{p.leads[0]}, "不想要了")
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "a reason the pool does not list")
	assert.Contains(t, err.Error(), "客户无意向")
	res, err = p.eng.ReturnToPool(p.wang, "lead", []string{p.leads[0]}, "Unreachable")
	require.NoError(t, err)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(res[0].Err), "another rep may not return it")
	res, err = p.eng.ReturnToPool(p.li, "lead", []string{p.leads[1]}, "Unreachable")
	require.NoError(t, err)
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(res[0].Err), "already in the pool")
	assert.Equal(t, "user:li", p.owner(t, p.leads[0]))

	_, err = p.eng.ClaimRecords(p.li, "nosuch", []string{p.leads[0]})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
}

func TestPool_ConcurrentClaimsOneWins(t *testing.T) {
	t.Parallel()
	p := newPoolTenant(t)
	var wg sync.WaitGroup
	results := make([]engine.PoolResult, 2)
	for i, ctx := range []context.Context{p.li, p.wang} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := p.eng.ClaimRecords(ctx, "lead", []string{p.leads[4]})
			if assert.NoError(t, err) {
				results[i] = res[0]
			}
		}()
	}
	wg.Wait()
	won := 0
	for _, r := range results {
		if r.Err == nil {
			won++
			continue
		}
		assert.Contains(t, []engine.Code{engine.CodeConflict, engine.CodeNotFound}, engine.CodeOf(r.Err))
	}
	assert.Equal(t, 1, won, "exactly one claim wins")
	assert.Contains(t, []string{"user:li", "user:wang"}, p.owner(t, p.leads[4]))
}

func TestPool_ReturnByHandAuditAndNotify(t *testing.T) {
	t.Parallel()
	p := newPoolTenant(t)
	require.NoError(t, p.claim(t, p.li, p.leads[0])[0].Err)
	_, err := p.eng.UpdateRecord(p.li, "lead", p.leads[0], map[string]any{"nextFollowUp": "2026-05-08"}, nil)
	require.NoError(t, err)

	res, err := p.eng.ReturnToPool(p.li, "lead", []string{p.leads[0]}, "客户无意向")
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	assert.Equal(t, engine.PoolOwner, p.owner(t, p.leads[0]))
	rec, err := p.eng.GetRecord(p.boss, "lead", p.leads[0])
	require.NoError(t, err)
	assert.NotContains(t, rec.Data, "nextFollowUp")

	res = p.claim(t, p.li, p.leads[0])
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(res[0].Err), "not back to the same rep the same day")
	require.NoError(t, p.claim(t, p.wang, p.leads[0])[0].Err, "another rep may")

	entries, _, err := p.eng.Audit(p.boss, engine.AuditQuery{Object: "lead", RecordID: p.leads[0], First: 20})
	require.NoError(t, err)
	var actions []any
	for _, e := range entries {
		if c, ok := e.Changes[engine.AuditPool]; ok {
			actions = append(actions, c.New)
			if c.New == engine.PoolReturn && e.Actor == "user:li" {
				assert.Equal(t, "客户无意向", e.Changes[engine.AuditPoolReason].New)
				assert.Equal(t, engine.FieldChange{Old: "user:li", New: engine.PoolOwner}, e.Changes["ownerId"])
			}
		}
	}
	assert.Equal(t, []any{"claim", "return", "claim", "return"}, actions, "newest first: wang's claim, li's return, li's claim, the set-up return")

	notes, err := p.eng.Notifications(p.boss, "mgr", 10)
	require.NoError(t, err)
	var texts []string
	for _, n := range notes {
		texts = append(texts, n.Message.Zh)
	}
	assert.Contains(t, texts, "李雷 从线索公海领取了「杭州云栖」", "the claimer's manager hears of the claim")
	assert.Contains(t, texts, "「杭州云栖」已退回线索公海（客户无意向）：原负责人 李雷，操作人 李雷")

	// The manager returns a rep's record; a rep below nobody may not return the manager's.
	require.NoError(t, p.claim(t, p.li, p.leads[1])[0].Err)
	res, err = p.eng.ReturnToPool(p.mgr, "lead", []string{p.leads[1]}, "联系不上")
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	notes, err = p.eng.Notifications(p.boss, "li", 10)
	require.NoError(t, err)
	require.NotEmpty(t, notes)
	assert.Equal(t, "「宁波港」已退回线索公海（联系不上）：原负责人 李雷，操作人 张经理", notes[0].Message.Zh, "the old owner hears")
	assert.Equal(t, "lead", notes[0].Object)
}

func TestPool_WorkerReturnsIdleAndLost(t *testing.T) {
	t.Parallel()
	p := newPoolTenant(t)
	require.NoError(t, p.claim(t, p.li, p.leads[0])[0].Err)
	require.NoError(t, p.claim(t, p.wang, p.leads[1])[0].Err)
	cfg := worker.Config{}
	ctx := context.Background()

	p.clk.Advance(2 * 24 * time.Hour)
	_, err := p.eng.UpdateRecord(p.wang, "lead", p.leads[1], map[string]any{"status": "working"}, nil)
	require.NoError(t, err, "wang follows up")
	p.clk.Advance(24*time.Hour + time.Minute) // li's lead: 3 days and a minute without a change
	_, err = worker.RunDue(ctx, p.eng.Queues(), cfg)
	require.NoError(t, err)
	assert.Equal(t, engine.PoolOwner, p.owner(t, p.leads[0]), "idle for the pool's days: back")
	assert.Equal(t, "user:wang", p.owner(t, p.leads[1]), "followed up: kept")

	notes, err := p.eng.Notifications(p.boss, "li", 10)
	require.NoError(t, err)
	require.NotEmpty(t, notes)
	assert.Equal(t, "「杭州云栖」已退回线索公海（3 天未跟进）：原负责人 李雷，操作人 系统规则", notes[0].Message.Zh)
	notes, err = p.eng.Notifications(p.boss, "mgr", 10)
	require.NoError(t, err)
	require.NotEmpty(t, notes)
	assert.Contains(t, notes[0].Message.Zh, "3 天未跟进", "and the owner's manager")

	_, err = p.eng.UpdateRecord(p.wang, "lead", p.leads[1], map[string]any{"status": "lost"}, nil)
	require.NoError(t, err)
	_, err = worker.RunDue(ctx, p.eng.Queues(), cfg)
	require.NoError(t, err)
	assert.Equal(t, engine.PoolOwner, p.owner(t, p.leads[1]), "the pool's condition holds: back")
	entries, _, err := p.eng.Audit(p.boss, engine.AuditQuery{Object: "lead", RecordID: p.leads[1], First: 1})
	require.NoError(t, err)
	assert.Equal(t, "condition", entries[0].Changes[engine.AuditPoolRule].New)
	assert.Equal(t, "automation", entries[0].Actor)

	_, err = worker.RunDue(ctx, p.eng.Queues(), cfg)
	require.NoError(t, err)
	entries, _, err = p.eng.Audit(p.boss, engine.AuditQuery{Object: "lead", RecordID: p.leads[1], First: 5})
	require.NoError(t, err)
	assert.Equal(t, engine.AuditUpdate, entries[0].Action)
	assert.Equal(t, "condition", entries[0].Changes[engine.AuditPoolRule].New, "a pooled record is not returned again")
}

func TestPool_DefinitionChecks(t *testing.T) {
	t.Parallel()
	tn := testkit.New(t, "acme")
	bad := map[string]string{
		`{"claimLimit": 0}`:           "claimLimit",
		`{"idleDays": -1}`:            "idleDays",
		`{"clearFields": ["nosuch"]}`: "nosuch",
		`{"clearFields": ["name"]}`:   "required",
		`{"returnWhen": {"field": "nosuch", "op": "eq", "value": 1}}`: "nosuch",
		`{"idleWhen": {"field": "nosuch", "op": "eq", "value": 1}}`:   "nosuch",
		`{"idleWhen": "status"}`:                                      "idleWhen",
		`{"reasons": [{"zh": "a"}, {"zh": "a"}]}`:                     "repeats",
		`{"colour": "red"}`:                                           "colour",
	}
	for pool, says := range bad {
		def := `{"$id": "lead", "type": "object", "required": ["name"], "properties": {"name": {"type": "string", "x-crm-type": "text"}}, "x-crm-pool": ` + pool + `}`
		_, err := tn.Engine.SaveObject(tn.Admin, []byte(def), engine.SaveOptions{})
		require.Error(t, err, pool)
		assert.Contains(t, err.Error(), says, pool)
	}
}

// TestPool_IdleWhenNarrowsTheIdleRule: a pool's idleWhen keeps the idle
// rule to the records that meet it; an idle record that does not (a lead
// already won) stays with its owner.
func TestPool_IdleWhenNarrowsTheIdleRule(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(time.Date(2026, 5, 4, 2, 0, 0, 0, time.UTC))
	def := strings.Replace(poolLead, `"idleDays": 3,`, `"idleDays": 3, "idleWhen": {"field": "status", "op": "in", "value": ["new", "working"]},`, 1)
	tn := testkit.New(t, "acme", testkit.WithClock(clk), testkit.WithObjects(def))
	worked, err := tn.Engine.CreateRecord(tn.Admin, "lead", map[string]any{"name": "杭州云栖", "status": "working"})
	require.NoError(t, err)
	done, err := tn.Engine.CreateRecord(tn.Admin, "lead", map[string]any{"name": "宁波港"})
	require.NoError(t, err)
	clk.Advance(3*24*time.Hour + time.Minute)
	_, err = worker.RunDue(context.Background(), tn.Engine.Queues(), worker.Config{})
	require.NoError(t, err)
	got, err := tn.Engine.GetRecord(tn.Admin, "lead", worked.ID)
	require.NoError(t, err)
	assert.Equal(t, engine.PoolOwner, got.OwnerID, "idle and still being worked: back")
	got, err = tn.Engine.GetRecord(tn.Admin, "lead", done.ID)
	require.NoError(t, err)
	assert.NotEqual(t, engine.PoolOwner, got.OwnerID, "idle, but outside the idle condition: kept")
}
