package install_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/templates/install"
	"github.com/crmkit/crm/templates/sample"
)

// The lead pool (线索公海) of b2b-sales: leads nobody works on, claimed
// by sales reps and managers (at most 10 a day each), returned by hand
// with a reason, after 30 days without follow-up (converted leads
// excepted) and when a lead is marked unqualified with a reason.

// poolLeads is a b2b-sales tenant with its sample data on a clock the
// test moves (18:00 in Shanghai on the sample's reference day): mgr (a
// sales manager), li (a sales rep reporting to mgr) and wang (a sales
// rep), each as a context.
type poolLeads struct {
	eng           *engine.Engine
	admin         context.Context
	clk           *testkit.Clock
	tn            *testkit.Tenant
	mgr, li, wang context.Context
}

func newPoolLeads(t *testing.T) poolLeads {
	t.Helper()
	clk := testkit.NewClock(refDate.Add(10 * time.Hour))
	tn := testkit.New(t, "t1", testkit.Named("t1"), testkit.AsActor("user:admin"), testkit.WithEncryption(), patientScripts(t), testkit.WithClock(clk))
	eng, ctx := tn.Engine, tn.Admin
	p := poolLeads{eng: eng, admin: ctx, clk: clk, tn: tn}
	_, err := eng.CreateUser(ctx, "t1", engine.NewUser{Username: "admin", DisplayName: "管理员", Role: "admin", Password: "correct horse battery"})
	require.NoError(t, err)
	tpl, err := install.Template("b2b-sales")
	require.NoError(t, err)
	_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.NoError(t, err)
	// The team exists before the sample data, which gives it the leads.
	for _, u := range []engine.NewUser{
		{Username: "mgr", DisplayName: "张经理", Role: "salesManager"},
		{Username: "li", DisplayName: "李雷", Role: "salesRep", Manager: "mgr"},
		{Username: "wang", DisplayName: "王芳", Role: "salesRep"},
	} {
		u.Password = "correct horse battery"
		_, err := eng.CreateUser(ctx, "t1", u)
		require.NoError(t, err)
	}
	_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{Sample: install.Sample("b2b-sales", sample.Options{Records: 600, Seed: 3, Now: refDate})})
	require.NoError(t, err)
	as := func(name, role string) context.Context {
		return engine.WithActor(context.Background(), engine.Actor{TenantID: "t1", ID: "user:" + name, Role: role})
	}
	p.mgr, p.li, p.wang = as("mgr", "salesManager"), as("li", "salesRep"), as("wang", "salesRep")
	return p
}

func (p poolLeads) run(t *testing.T) {
	t.Helper()
	_, err := worker.RunDue(p.tn.Background, p.eng.Queues(), worker.Config{})
	require.NoError(t, err)
}

func (p poolLeads) lead(t *testing.T, id string) store.Record {
	t.Helper()
	rec, err := p.eng.GetRecord(p.admin, "lead", id)
	require.NoError(t, err)
	return rec
}

func (p poolLeads) leads(t *testing.T, f store.Filter) []store.Record {
	t.Helper()
	var out []store.Record
	q := engine.ListQuery{Filter: &f, First: 100, Sort: []store.Sort{{Field: "createdAt"}}}
	for {
		page, err := p.eng.ListRecords(p.admin, "lead", q)
		require.NoError(t, err)
		out = append(out, page.Records...)
		if !page.HasNextPage {
			return out
		}
		q.After = page.EndCursor
	}
}

func (p poolLeads) claim(t *testing.T, ctx context.Context, ids ...string) []engine.PoolResult {
	t.Helper()
	res, err := p.eng.ClaimRecords(ctx, "lead", ids)
	require.NoError(t, err)
	require.Len(t, res, len(ids))
	return res
}

func (p poolLeads) notices(t *testing.T, user string) []engine.Notification {
	t.Helper()
	notes, err := p.eng.Notifications(p.admin, user, 50)
	require.NoError(t, err)
	return notes
}

// TestB2BSalesPool_SampleData: the sample has leads in the pool (never a
// converted one, their 负责人 and follow-up date empty), a rep who has
// claimed 8 of the day's 10, and leads owned by reps that go idle within
// days; nothing is due back at once.
func TestB2BSalesPool_SampleData(t *testing.T) {
	t.Parallel()
	p := newPoolLeads(t)
	pooled := p.leads(t, inPool)
	require.NotEmpty(t, pooled, "sample leads in the pool")
	for _, l := range pooled {
		assert.NotEqual(t, "converted", l.Data["status"], "a converted lead is never in the pool")
		assert.Nil(t, l.Data["owner"], "负责人 is emptied in the pool")
		assert.Nil(t, l.Data["nextFollowUpOn"])
		assert.Nil(t, l.Data["unqualifiedReason"])
	}

	nearLimit := 0
	for _, u := range []struct {
		name string
		ctx  context.Context
	}{{"li", p.li}, {"wang", p.wang}, {"mgr", p.mgr}, {"admin", p.admin}} {
		info, err := p.eng.Pool(u.ctx, "lead")
		require.NoError(t, err, u.name)
		assert.Equal(t, 10, info.Pool.ClaimLimit)
		assert.Equal(t, "线索公海", info.Label.Zh)
		if info.ClaimedToday == 8 {
			nearLimit++
			assert.Equal(t, 2, info.ClaimsLeft, u.name)
			claimed := p.leads(t, store.Leaf("ownerId", store.OpEq, "user:"+u.name))
			assert.NotEmpty(t, claimed)
		}
	}
	assert.Equal(t, 1, nearLimit, "one rep has claimed 8 of the day's 10")
	repInfo, err := p.eng.Pool(p.wang, "lead")
	require.NoError(t, err)
	assert.True(t, repInfo.MayClaim, "sales reps claim")
	assert.False(t, repInfo.Manages)
	mgrInfo, err := p.eng.Pool(p.mgr, "lead")
	require.NoError(t, err)
	assert.True(t, mgrInfo.Manages, "sales managers manage the pool")

	now := p.clk.Now()
	soon := p.leads(t, store.Filter{And: []store.Filter{
		store.Leaf("ownerId", store.OpNe, engine.PoolOwner),
		store.Leaf("status", store.OpIn, []any{"new", "contacted", "qualified"}),
		store.Leaf("updatedAt", store.OpLt, now.Add(-20*24*time.Hour).UTC().Format(schema.DateTimeLayout)),
	}})
	assert.NotEmpty(t, soon, "leads owned by reps going idle within ten days")
	for _, l := range soon {
		assert.True(t, strings.HasPrefix(l.OwnerID, "user:"), "owned by a rep: %s", l.OwnerID)
		assert.True(t, l.UpdatedAt.After(now.Add(-30*24*time.Hour)), "not idle yet")
	}
	converted := p.leads(t, store.Leaf("status", store.OpEq, "converted"))
	require.NotEmpty(t, converted)

	before := len(pooled)
	p.run(t)
	assert.Len(t, p.leads(t, inPool), before, "nothing is due back right after the install")
}

// TestB2BSalesPool_ClaimReturnAndRules: a rep claims within the day's
// limit and is refused past it; the claim is audited and the rep's
// manager told; a pooled lead is changed by nobody but managers until
// claimed; the 负责人 follows the claimer on the next save. Returned by
// hand with one of the pool's reasons, the lead is emptied of its 负责人
// and follow-up date, audited with the reason, and the manager told; the
// same rep cannot take it back the same day. A lead marked unqualified
// goes back on the worker's next pass (its reason emptied, so whoever
// claims it next keeps it), and one without follow-up for 30 days goes
// back with its owner told, while an equally idle converted lead stays.
func TestB2BSalesPool_ClaimReturnAndRules(t *testing.T) {
	t.Parallel()
	p := newPoolLeads(t)
	pooled := p.leads(t, store.Filter{And: []store.Filter{inPool, store.Leaf("status", store.OpIn, []any{"new", "contacted"})}})
	require.GreaterOrEqual(t, len(pooled), 14, "enough fresh leads in the pool")
	ids := func(rs []store.Record) []string {
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = r.ID
		}
		return out
	}
	free := ids(pooled)

	// Before it is claimed, a rep cannot change a pooled lead; a manager can.
	_, err := p.eng.UpdateRecord(p.wang, "lead", free[0], map[string]any{"rating": "hot"}, nil)
	require.Error(t, err)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err))
	_, err = p.eng.UpdateRecord(p.mgr, "lead", free[0], map[string]any{"rating": "hot"}, nil)
	require.NoError(t, err, "the pool's managers edit pooled leads")

	// wang claims what is left of the day's ten; one more is refused and
	// stays in the pool.
	info, err := p.eng.Pool(p.wang, "lead")
	require.NoError(t, err)
	left := info.ClaimsLeft
	require.GreaterOrEqual(t, left, 2)
	res := p.claim(t, p.wang, free[:left+1]...)
	for i, r := range res[:left] {
		require.NoError(t, r.Err, "claim %d", i)
		assert.Equal(t, "user:wang", r.Record.OwnerID)
	}
	require.Error(t, res[left].Err)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(res[left].Err))
	assert.Contains(t, res[left].Err.Error(), "10")
	assert.Equal(t, engine.PoolOwner, p.lead(t, free[left]).OwnerID)
	info, err = p.eng.Pool(p.wang, "lead")
	require.NoError(t, err)
	assert.Equal(t, 10, info.ClaimedToday)
	assert.Zero(t, info.ClaimsLeft)

	// The claimed lead is wang's; its 负责人 follows on wang's next save.
	assert.Nil(t, p.lead(t, free[0]).Data["owner"])
	got, err := p.eng.UpdateRecord(p.wang, "lead", free[0], map[string]any{"nextFollowUpOn": "2025-07-03"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "user:wang", got.Data["owner"])

	// li claims one: audited, li's manager told.
	require.NoError(t, p.claim(t, p.li, free[11])[0].Err)
	entries, _, err := p.eng.Audit(p.admin, engine.AuditQuery{Object: "lead", RecordID: free[11], First: 1})
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	assert.Equal(t, "user:li", entries[0].Actor)
	assert.Equal(t, engine.PoolClaim, entries[0].Changes[engine.AuditPool].New)
	assert.Equal(t, "user:li", entries[0].Changes["ownerId"].New)
	notes := p.notices(t, "mgr")
	require.NotEmpty(t, notes)
	assert.Equal(t, free[11], notes[0].RecordID)
	assert.Contains(t, notes[0].Message.Zh, "线索公海")
	assert.Contains(t, notes[0].Message.Zh, "李雷")

	// li returns it by hand: a reason the pool does not list is refused.
	_, err = p.eng.UpdateRecord(p.li, "lead", free[11], map[string]any{"nextFollowUpOn": "2025-07-02", "rating": "warm"}, nil)
	require.NoError(t, err)
	_, err = p.eng.ReturnToPool(p.li, "lead", []string{free[11]}, "太远了")
	require.Error(t, err)
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	assert.Equal(t, "user:li", p.lead(t, free[11]).OwnerID, "nothing changed")
	back, err := p.eng.ReturnToPool(p.li, "lead", []string{free[11]}, "Unreachable")
	require.NoError(t, err)
	require.NoError(t, back[0].Err)
	l := p.lead(t, free[11])
	assert.Equal(t, engine.PoolOwner, l.OwnerID)
	assert.Nil(t, l.Data["owner"], "负责人 emptied")
	assert.Nil(t, l.Data["nextFollowUpOn"], "follow-up date emptied")
	assert.Equal(t, "warm", l.Data["rating"], "the rest is kept")
	entries, _, err = p.eng.Audit(p.admin, engine.AuditQuery{Object: "lead", RecordID: free[11], First: 1})
	require.NoError(t, err)
	assert.Equal(t, engine.PoolReturn, entries[0].Changes[engine.AuditPool].New)
	assert.Equal(t, "联系不上", entries[0].Changes[engine.AuditPoolReason].New, "the reason, in Chinese")
	assert.Equal(t, "2025-07-02", entries[0].Changes["nextFollowUpOn"].Old)
	told := func(user, record, words string) bool {
		for _, n := range p.notices(t, user) {
			if n.RecordID == record && strings.Contains(n.Message.Zh, words) {
				return true
			}
		}
		return false
	}
	assert.True(t, told("mgr", free[11], "联系不上"), "li's manager hears of the return")
	res = p.claim(t, p.li, free[11])
	require.Error(t, res[0].Err, "not back to li the same day")
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(res[0].Err))

	// li claims another and marks it unqualified: back on the next pass,
	// its reason emptied, so that mgr, who claims it, keeps it.
	lost := free[12]
	require.NoError(t, p.claim(t, p.li, lost)[0].Err)
	_, err = p.eng.UpdateRecord(p.li, "lead", lost, map[string]any{"status": "unqualified", "unqualifiedReason": "noBudget"}, nil)
	require.NoError(t, err)
	p.run(t)
	l = p.lead(t, lost)
	assert.Equal(t, engine.PoolOwner, l.OwnerID, "unqualified: back to the pool")
	assert.Nil(t, l.Data["unqualifiedReason"])
	entries, _, err = p.eng.Audit(p.admin, engine.AuditQuery{Object: "lead", RecordID: lost, First: 1})
	require.NoError(t, err)
	assert.Equal(t, "condition", entries[0].Changes[engine.AuditPoolRule].New)
	assert.Equal(t, "automation", entries[0].Actor)
	require.NoError(t, p.claim(t, p.mgr, lost)[0].Err)
	p.run(t)
	assert.Equal(t, "user:mgr", p.lead(t, lost).OwnerID, "not returned again")

	// 30 days without follow-up: wang's untouched claim goes back, wang
	// is told; the one wang followed up on day 20 stays, and so does a
	// converted lead idle as long.
	idleConverted := p.leads(t, store.Filter{And: []store.Filter{store.Leaf("status", store.OpEq, "converted"),
		store.Leaf("ownerId", store.OpNe, engine.PoolOwner)}})
	require.NotEmpty(t, idleConverted)
	p.clk.Set(refDate.Add(10*time.Hour + 20*24*time.Hour))
	_, err = p.eng.UpdateRecord(p.wang, "lead", free[0], map[string]any{"rating": "warm"}, nil)
	require.NoError(t, err, "wang follows one up")
	p.clk.Set(refDate.Add(10*time.Hour + 29*24*time.Hour))
	p.run(t)
	assert.Equal(t, "user:wang", p.lead(t, free[1]).OwnerID, "29 days: still wang's")
	p.clk.Set(refDate.Add(10*time.Hour + 30*24*time.Hour + time.Minute))
	p.run(t)
	assert.Equal(t, "user:wang", p.lead(t, free[0]).OwnerID, "followed up 10 days ago: kept")
	l = p.lead(t, free[1])
	assert.Equal(t, engine.PoolOwner, l.OwnerID, "30 days without follow-up: back")
	entries, _, err = p.eng.Audit(p.admin, engine.AuditQuery{Object: "lead", RecordID: free[1], First: 1})
	require.NoError(t, err)
	assert.Equal(t, "idle", entries[0].Changes[engine.AuditPoolRule].New)
	assert.Equal(t, "30 天未跟进", entries[0].Changes[engine.AuditPoolReason].New)
	assert.True(t, told("wang", free[1], "30 天未跟进"), "wang hears the lead went back")
	assert.Equal(t, idleConverted[0].OwnerID, p.lead(t, idleConverted[0].ID).OwnerID, "a converted lead stays")
}

// TestB2BSalesPool_UpgradeFrom160: upgrading from 1.6.0 with data adds
// the pool and keeps every lead's owner; the worker then returns only
// unqualified leads and idle ones not converted.
func TestB2BSalesPool_UpgradeFrom160(t *testing.T) {
	t.Parallel()
	clk := testkit.NewClock(refDate.Add(10 * time.Hour))
	tn := testkit.New(t, "t1", testkit.Named("t1"), testkit.AsActor("user:admin"), testkit.WithEncryption(), patientScripts(t), testkit.WithClock(clk))
	eng, ctx := tn.Engine, tn.Admin
	_, err := eng.CreateUser(ctx, "t1", engine.NewUser{Username: "admin", DisplayName: "管理员", Role: "admin", Password: "correct horse battery"})
	require.NoError(t, err)
	old, err := install.FromFS(os.DirFS("testdata/b2b-sales-1.6.0"))
	require.NoError(t, err)
	_, err = eng.InstallTemplate(ctx, old, template.InstallOptions{})
	require.NoError(t, err)
	_, err = eng.CreateUser(ctx, "t1", engine.NewUser{Username: "li", DisplayName: "李雷", Role: "salesRep", Password: "correct horse battery"})
	require.NoError(t, err)
	_, err = eng.InstallTemplate(ctx, old, template.InstallOptions{Sample: oldSample(old, install.Sample("b2b-sales", sample.Options{Records: 400, Seed: 4, Now: refDate}))})
	require.NoError(t, err)
	mine, err := eng.CreateRecord(engine.WithActor(context.Background(), engine.Actor{TenantID: "t1", ID: "user:li", Role: "salesRep"}), "lead",
		map[string]any{"name": "周敏", "company": "嘉兴新材料有限公司"})
	require.NoError(t, err)
	owners := func() map[string]string {
		out := map[string]string{}
		for _, l := range all(t, eng, ctx, "lead") {
			out[l.ID] = l.OwnerID
		}
		return out
	}
	before := owners()
	require.NotEmpty(t, before)

	tpl, err := install.Template("b2b-sales")
	require.NoError(t, err)
	res, err := eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.NoError(t, err)
	assert.Empty(t, res.Conflicts)
	assert.Equal(t, before, owners(), "every lead keeps its owner")
	info, err := eng.Pool(ctx, "lead")
	require.NoError(t, err)
	assert.Equal(t, 30, info.Pool.IdleDays)

	changed := map[string]time.Time{}
	for _, l := range all(t, eng, ctx, "lead") {
		changed[l.ID] = l.UpdatedAt
	}
	_, err = worker.RunDue(tn.Background, eng.Queues(), worker.Config{})
	require.NoError(t, err)
	after := owners()
	assert.Equal(t, "user:li", after[mine.ID], "li's fresh lead stays li's")
	for _, l := range all(t, eng, ctx, "lead") {
		if l.Data["status"] == "converted" {
			assert.Equal(t, before[l.ID], l.OwnerID, "a converted lead is never returned")
		}
		if l.OwnerID == engine.PoolOwner {
			idle := changed[l.ID].Before(clk.Now().Add(-30 * 24 * time.Hour))
			assert.True(t, idle || l.Data["status"] == "unqualified", "only idle and unqualified leads went back")
		}
	}
}
