package install_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/engine/template"
	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/templates/install"
	"github.com/crmkit/crm/templates/sample"
)

// poolShop is a tenant with an industry template and its sample data,
// its clock at 10:00 (Shanghai) on the sample data's reference day, and
// colleagues: admin, two reps (li.ming reports to zhang) and zhang, who
// manages the pool.
type poolShop struct {
	eng         *engine.Engine
	clk         *testkit.Clock
	admin       context.Context
	users       map[string]context.Context // by username
	object, rep string
}

func newPoolShop(t *testing.T, object, rep, manager string, tpl *template.Template, sd *template.SampleData) poolShop {
	t.Helper()
	clk := testkit.NewClock(refDate.Add(2 * time.Hour)) // 10:00 in Shanghai on the reference day
	tn := testkit.New(t, "t1", testkit.Named("t1"), testkit.AsActor("user:admin"), testkit.WithEncryption(), patientScripts(t), testkit.WithClock(clk))
	eng, ctx := tn.Engine, tn.Admin
	_, err := eng.CreateUser(ctx, "t1", engine.NewUser{Username: "admin", DisplayName: "管理员", Role: "admin", Password: "correct horse battery"})
	require.NoError(t, err)
	// The roles come with the template; the sample data follows the users.
	_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{})
	require.NoError(t, err)
	people := []struct{ user, display, role, manager string }{
		{"zhang", "张主管", manager, ""}, {"li.ming", "李明", rep, "zhang"}, {"wang.fang", "王芳", rep, ""},
	}
	s := poolShop{eng: eng, clk: clk, admin: ctx, object: object, rep: rep, users: map[string]context.Context{}}
	for _, p := range people {
		_, err := eng.CreateUser(ctx, "t1", engine.NewUser{Username: p.user, DisplayName: p.display, Role: p.role, Manager: p.manager, Password: "correct horse battery"})
		require.NoError(t, err)
		s.users[p.user] = tn.As(engine.Actor{ID: "user:" + p.user, Role: p.role})
	}
	s.users["admin"] = tn.As(engine.Actor{ID: "user:admin", Admin: true})
	_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{Sample: sd})
	require.NoError(t, err)
	return s
}

func (s poolShop) find(t *testing.T, f store.Filter) []store.Record {
	t.Helper()
	var out []store.Record
	after := ""
	for {
		page, err := s.eng.ListRecords(s.admin, s.object, engine.ListQuery{First: 100, After: after, Filter: &f})
		require.NoError(t, err)
		out = append(out, page.Records...)
		if !page.HasNextPage {
			return out
		}
		after = page.EndCursor
	}
}

func (s poolShop) get(t *testing.T, id string) store.Record {
	t.Helper()
	rec, err := s.eng.GetRecord(s.admin, s.object, id)
	require.NoError(t, err)
	return rec
}

func (s poolShop) claim(t *testing.T, user string, ids ...string) []engine.PoolResult {
	t.Helper()
	res, err := s.eng.ClaimRecords(s.users[user], s.object, ids)
	require.NoError(t, err)
	require.Len(t, res, len(ids))
	return res
}

// runWorker runs the worker's passes, enough of them for what is due
// (a pass returns at most 100 records per pool and rule).
func (s poolShop) runWorker(t *testing.T) {
	t.Helper()
	for range 5 {
		_, err := worker.RunDue(context.Background(), s.eng.Queues(), worker.Config{})
		require.NoError(t, err)
	}
}

// poolActions lists the pool entries of a record's audit trail, newest
// first, as "claim" or "return/REASON/RULE".
func (s poolShop) poolActions(t *testing.T, id string) []string {
	t.Helper()
	entries, _, err := s.eng.Audit(s.admin, engine.AuditQuery{Object: s.object, RecordID: id, First: 50})
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		c, ok := e.Changes[engine.AuditPool]
		if !ok {
			continue
		}
		a, _ := c.New.(string)
		if a == engine.PoolReturn {
			reason, _ := e.Changes[engine.AuditPoolReason].New.(string)
			rule, _ := e.Changes[engine.AuditPoolRule].New.(string)
			a += "/" + reason + "/" + rule
		}
		out = append(out, a)
	}
	return out
}

func (s poolShop) notices(t *testing.T, user string) []string {
	t.Helper()
	notes, err := s.eng.Notifications(s.admin, user, 50)
	require.NoError(t, err)
	var out []string
	for _, n := range notes {
		out = append(out, n.Message.Zh)
	}
	return out
}

// nearLimit finds the user the sample data has claim all but one of the
// day's records.
func (s poolShop) nearLimit(t *testing.T) (string, engine.PoolInfo) {
	t.Helper()
	for user, ctx := range s.users {
		info, err := s.eng.Pool(ctx, s.object)
		require.NoError(t, err)
		if info.ClaimedToday > 0 {
			return user, info
		}
	}
	t.Fatal("the sample data has nobody who claimed today")
	return "", engine.PoolInfo{}
}

var inPool = store.Leaf("ownerId", store.OpEq, engine.PoolOwner)

// TestEducation_PoolSampleData: the admissions pool holds stale and lost
// prospects, never enrolled students; a consultant claimed all but one of
// the day's records; some prospects are about to go idle.
func TestEducation_PoolSampleData(t *testing.T) {
	t.Parallel()
	tpl, err := install.Template("education")
	require.NoError(t, err)
	s := newPoolShop(t, "student", "consultant", "consultingManager", tpl, install.Sample("education", sample.Options{Records: 400, Seed: 3, Now: refDate}))

	pooled := s.find(t, inPool)
	require.NotEmpty(t, pooled)
	stages := map[string]int{}
	for _, r := range pooled {
		stages[r.Data["stage"].(string)]++
		assert.NotContains(t, r.Data, "consultant", "a pooled student has no consultant")
		assert.NotContains(t, r.Data, "lostReason", "nor a reason it was lost, which would send it back at once")
	}
	assert.Positive(t, stages["lost"], "lost prospects are in the pool: %v", stages)
	assert.Positive(t, stages["enquiry"]+stages["contacted"]+stages["trialBooked"]+stages["trialAttended"], "and stale ones: %v", stages)
	assert.Zero(t, stages["enrolled"], "never enrolled students")

	enrolled := s.find(t, store.Leaf("stage", store.OpEq, "enrolled"))
	require.NotEmpty(t, enrolled)
	for _, r := range enrolled {
		assert.Contains(t, []string{"user:admin", "user:zhang", "user:li.ming", "user:wang.fang"}, r.OwnerID, "a student belongs to a colleague")
		assert.Equal(t, r.Data["consultant"], r.OwnerID, "their consultant")
	}

	user, info := s.nearLimit(t)
	assert.Equal(t, 10, info.Pool.ClaimLimit)
	assert.Equal(t, 9, info.ClaimedToday, "%s claimed nine of ten today", user)
	assert.Equal(t, 1, info.ClaimsLeft)
	assert.Equal(t, "招生公海", info.Label.Zh)
	assert.Len(t, info.Pool.Reasons, 5)

	soon := s.find(t, store.Filter{And: []store.Filter{
		store.Leaf("ownerId", store.OpNe, engine.PoolOwner),
		store.Leaf("stage", store.OpIn, []any{"enquiry", "contacted", "trialBooked", "trialAttended"}),
		store.Leaf("updatedAt", store.OpLt, s.clk.Now().Add(-5*24*time.Hour).Format(time.RFC3339Nano)),
	}})
	assert.NotEmpty(t, soon, "some prospects have had no follow-up for five days or more: they go back within two")
}

// TestEducation_PoolClaimReturnAndRules: a consultant claims up to the
// day's limit and no more; a record returned by hand goes back with its
// reason, audited, her manager told; the worker returns prospects idle
// for seven days and lost ones, and keeps enrolled students.
func TestEducation_PoolClaimReturnAndRules(t *testing.T) {
	t.Parallel()
	tpl, err := install.Template("education")
	require.NoError(t, err)
	s := newPoolShop(t, "student", "consultant", "consultingManager", tpl, install.Sample("education", sample.Options{Records: 400, Seed: 3, Now: refDate}))
	s.runWorker(t)                // what is due on the reference day is returned first
	s.clk.Advance(24 * time.Hour) // the next day: what went back from li.ming yesterday is hers to claim again

	info, err := s.eng.Pool(s.users["li.ming"], "student")
	require.NoError(t, err)
	require.True(t, info.MayClaim)
	pooled := s.find(t, inPool)
	require.Greater(t, len(pooled), info.ClaimsLeft+1)
	ids := make([]string, info.ClaimsLeft+1)
	for i := range ids {
		ids[i] = pooled[i].ID
	}
	res := s.claim(t, "li.ming", ids...)
	for _, r := range res[:len(res)-1] {
		require.NoError(t, r.Err)
		assert.Equal(t, "user:li.ming", r.Record.OwnerID)
	}
	over := res[len(res)-1].Err
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(over), "past the day's ten")
	assert.Equal(t, "今日领取已达上限（10 条），请明天再领取", engine.PublicMessage(over, "zh"))
	assert.Equal(t, engine.PoolOwner, s.get(t, ids[len(ids)-1]).OwnerID, "the refused claim changed nothing")

	// Claimed, the student is hers to change; the first change makes her
	// its consultant.
	mine := ids[0]
	_, err = s.eng.UpdateRecord(s.users["li.ming"], "student", mine, map[string]any{"school": "实验小学"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "user:li.ming", s.get(t, mine).Data["consultant"])
	_, err = s.eng.UpdateRecord(s.users["wang.fang"], "student", ids[len(ids)-1], map[string]any{"school": "实验小学"}, nil)
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(err), "a pooled student is claimed before it is changed")

	// Back by hand, with one of the pool's reasons.
	_, err = s.eng.ReturnToPool(s.users["li.ming"], "student", []string{mine}, "随便")
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "a reason the pool does not list")
	back, err := s.eng.ReturnToPool(s.users["li.ming"], "student", []string{mine}, "联系不上")
	require.NoError(t, err)
	require.NoError(t, back[0].Err)
	got := s.get(t, mine)
	assert.Equal(t, engine.PoolOwner, got.OwnerID)
	assert.NotContains(t, got.Data, "consultant", "the consultant is cleared")
	assert.Equal(t, []string{"return/联系不上/", "claim"}, s.poolActions(t, mine)[:2])
	name := got.Data["name"].(string)
	assert.Contains(t, s.notices(t, "zhang"), "李明 从招生公海领取了「"+name+"」", "her manager hears of the claim")
	assert.Contains(t, s.notices(t, "zhang"), "「"+name+"」已退回招生公海（联系不上）：原负责人 李明，操作人 李明")
	res = s.claim(t, "wang.fang", mine)
	require.NoError(t, res[0].Err, "another consultant may take it")

	// Lost: back to the pool at the worker's next pass, without its
	// reason, so that whoever claims it next keeps it.
	lost := ids[1]
	cur := s.get(t, lost)
	path := map[string][]any{"enquiry": {"lost"}, "contacted": {"lost"}, "trialBooked": {"lost"}, "trialAttended": {"lost"}}
	require.Contains(t, path, cur.Data["stage"])
	_, err = s.eng.UpdateRecord(s.users["li.ming"], "student", lost, map[string]any{"stage": "lost", "lostReason": "price"}, nil)
	require.NoError(t, err)
	s.runWorker(t)
	got = s.get(t, lost)
	assert.Equal(t, engine.PoolOwner, got.OwnerID, "lost: back")
	assert.Equal(t, "lost", got.Data["stage"])
	assert.NotContains(t, got.Data, "lostReason")
	assert.Equal(t, "return/满足退回条件/condition", s.poolActions(t, lost)[0])
	assert.Contains(t, s.notices(t, "li.ming"), "「"+got.Data["name"].(string)+"」已退回招生公海（满足退回条件）：原负责人 李明，操作人 系统规则")
	s.clk.Advance(24 * time.Hour)
	require.NoError(t, s.claim(t, "wang.fang", lost)[0].Err)
	s.runWorker(t)
	assert.Equal(t, "user:wang.fang", s.get(t, lost).OwnerID, "claimed again, it stays")

	// Idle: seven days without a change send a prospect back, never an
	// enrolled student.
	kept := ids[2]
	enrolled := s.find(t, store.Filter{And: []store.Filter{store.Leaf("stage", store.OpEq, "enrolled"), store.Leaf("ownerId", store.OpNe, engine.PoolOwner)}})
	require.NotEmpty(t, enrolled)
	s.clk.Advance(6 * 24 * time.Hour)
	_, err = s.eng.UpdateRecord(s.users["li.ming"], "student", kept, map[string]any{"school": "育才小学"}, nil)
	require.NoError(t, err, "followed up the day before")
	s.clk.Advance(24*time.Hour + time.Minute)
	s.runWorker(t)
	assert.Equal(t, engine.PoolOwner, s.get(t, ids[3]).OwnerID, "idle for seven days: back")
	assert.Equal(t, "return/7 天未跟进/idle", s.poolActions(t, ids[3])[0])
	assert.Equal(t, "user:li.ming", s.get(t, kept).OwnerID, "followed up: kept")
	for _, r := range enrolled {
		assert.Equal(t, r.OwnerID, s.get(t, r.ID).OwnerID, "an enrolled student stays with %s", r.OwnerID)
	}
	assert.Empty(t, s.find(t, store.Filter{And: []store.Filter{inPool, store.Leaf("stage", store.OpEq, "enrolled")}}))
}

// TestTourism_PoolSampleDataClaimAndReturn: the enquiry pool holds
// enquiries and quotes nobody followed up for three days; a consultant
// claims up to the day's limit; a booking returned by hand goes back with
// its reason; the worker returns open enquiries idle for three days and
// keeps bookings that took a deposit.
func TestTourism_PoolSampleDataClaimAndReturn(t *testing.T) {
	t.Parallel()
	tpl, err := install.Template("tourism")
	require.NoError(t, err)
	s := newPoolShop(t, "booking", "travelConsultant", "travelManager", tpl, install.Sample("tourism", sample.Options{Records: 400, Seed: 3, Now: refDate}))

	pooled := s.find(t, inPool)
	require.NotEmpty(t, pooled)
	for _, r := range pooled {
		assert.Contains(t, []any{"enquiry", "quoted"}, r.Data["status"], "only enquiries and quotes are pooled")
		assert.NotContains(t, r.Data, "consultant")
	}
	user, info := s.nearLimit(t)
	assert.Equal(t, 7, info.ClaimedToday, "%s claimed seven of eight today", user)
	assert.Equal(t, 1, info.ClaimsLeft)
	assert.Equal(t, "咨询公海", info.Label.Zh)
	soon := s.find(t, store.Filter{And: []store.Filter{
		store.Leaf("ownerId", store.OpNe, engine.PoolOwner),
		store.Leaf("status", store.OpIn, []any{"enquiry", "quoted"}),
		store.Leaf("updatedAt", store.OpLt, s.clk.Now().Add(-2*24*time.Hour).Format(time.RFC3339Nano)),
	}})
	assert.NotEmpty(t, soon, "some enquiries have had no follow-up for two days or more: they go back within one")
	held := s.find(t, store.Filter{And: []store.Filter{store.Leaf("status", store.OpIn, []any{"deposit", "paid", "travelling", "completed"}), store.Leaf("ownerId", store.OpNe, engine.PoolOwner)}})
	require.NotEmpty(t, held)
	assert.Empty(t, s.find(t, store.Filter{And: []store.Filter{inPool, store.Leaf("status", store.OpIn, []any{"deposit", "paid", "travelling", "completed"})}}))

	s.runWorker(t)
	s.clk.Advance(24 * time.Hour) // the next day: what went back from li.ming yesterday is hers to claim again
	pooled = s.find(t, inPool)
	info, err = s.eng.Pool(s.users["li.ming"], "booking")
	require.NoError(t, err)
	require.Equal(t, 8, info.ClaimsLeft)
	require.Greater(t, len(pooled), 9)
	ids := make([]string, 9)
	for i := range ids {
		ids[i] = pooled[i].ID
	}
	res := s.claim(t, "li.ming", ids...)
	for _, r := range res[:8] {
		require.NoError(t, r.Err)
	}
	assert.Equal(t, engine.CodeForbidden, engine.CodeOf(res[8].Err))
	assert.Equal(t, "今日领取已达上限（8 条），请明天再领取", engine.PublicMessage(res[8].Err, "zh"))
	title, _ := s.get(t, ids[0]).Data["title"].(string)
	assert.Regexp(t, `^\p{Han}+ · .+ · \d{4}-\d{2}-\d{2}$`, title, "a booking is named by who travels where and when")
	assert.Contains(t, s.notices(t, "zhang"), "李明 从咨询公海领取了「"+title+"」")

	back, err := s.eng.ReturnToPool(s.users["li.ming"], "booking", []string{ids[0]}, "Booked with another agency")
	require.NoError(t, err)
	require.NoError(t, back[0].Err)
	assert.Equal(t, []string{"return/已在其他旅行社预订/", "claim"}, s.poolActions(t, ids[0])[:2])

	s.clk.Advance(2 * 24 * time.Hour)
	_, err = s.eng.UpdateRecord(s.users["li.ming"], "booking", ids[1], map[string]any{"specialRequests": "需要无障碍房间"}, nil)
	require.NoError(t, err)
	s.clk.Advance(24*time.Hour + time.Minute)
	s.runWorker(t)
	assert.Equal(t, engine.PoolOwner, s.get(t, ids[2]).OwnerID, "three days idle: back")
	assert.Equal(t, "return/3 天未跟进/idle", s.poolActions(t, ids[2])[0])
	assert.Equal(t, "user:li.ming", s.get(t, ids[1]).OwnerID, "followed up: kept")
	for _, r := range held {
		assert.Equal(t, r.OwnerID, s.get(t, r.ID).OwnerID, "a booking with a deposit stays with its consultant")
	}
}

// withoutPool is sample data for a version without the pool: what
// today's data puts in the pool belongs to its consultant instead, and
// nothing was claimed.
func withoutPool(sd *template.SampleData, field string) *template.SampleData {
	generate := sd.Generate
	sd.Generate = func(ctx context.Context, emit func(template.SampleRecord) error) error {
		return generate(ctx, func(r template.SampleRecord) error {
			if r.Owner == template.SamplePoolOwner {
				r.Owner, _ = r.Data[field].(string)
			}
			r.ClaimedAt = time.Time{}
			return emit(r)
		})
	}
	return sd
}

// Upgrading to the versions with the pool keeps every record's owner:
// the pool fills by its rules from then on.
func TestPool_UpgradeKeepsOwners(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, from, object, rep, manager, field string }{
		{"education", "1.5.0", "student", "consultant", "consultingManager", "consultant"},
		{"tourism", "1.6.0", "booking", "travelConsultant", "travelManager", "consultant"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			old, err := install.FromFS(os.DirFS("testdata/" + c.name + "-" + c.from))
			require.NoError(t, err)
			require.Equal(t, c.from, old.Version)
			s := newPoolShop(t, c.object, c.rep, c.rep, old, withoutPool(install.Sample(c.name, sample.Options{Records: 300, Seed: 3, Now: refDate}), c.field))
			before := map[string]string{}
			for _, r := range s.find(t, store.Filter{}) {
				before[r.ID] = r.OwnerID
			}
			require.NotEmpty(t, before)
			assert.NotContains(t, slices.Collect(maps.Values(before)), engine.PoolOwner)

			tpl, err := install.Template(c.name)
			require.NoError(t, err)
			require.NotEqual(t, c.from, tpl.Version)
			res, err := s.eng.InstallTemplate(s.admin, tpl, template.InstallOptions{})
			require.NoError(t, err)
			assert.True(t, res.Applied)
			after := map[string]string{}
			for _, r := range s.find(t, store.Filter{}) {
				after[r.ID] = r.OwnerID
			}
			assert.Equal(t, before, after, "every record keeps its owner")
			info, err := s.eng.Pool(s.admin, c.object)
			require.NoError(t, err)
			assert.True(t, info.Manages)
			roles, err := s.eng.Roles(s.admin)
			require.NoError(t, err)
			assert.True(t, slices.ContainsFunc(roles, func(r engine.Role) bool { return r.Name == c.manager }), "the manager role comes with the upgrade")
		})
	}
}

// Sample data that misplaces owners is refused, naming the record: the
// pool of an object without one, a claim by the pool, more claims in a
// day than the pool allows.
func TestPool_SampleOwnerMistakes(t *testing.T) {
	t.Parallel()
	claimedAt := refDate.Add(time.Hour)
	for want, recs := range map[string][]template.SampleRecord{
		"guardian has no pool": {{Object: "guardian", Key: "g1", Data: map[string]any{"name": "王女士", "mobile": "13912340001"}, Owner: template.SamplePoolOwner}},
		"only a user claims":   {{Object: "student", Key: "s1", Data: map[string]any{"name": "王小明"}, Owner: template.SamplePoolOwner, ClaimedAt: claimedAt}},
		"more than the pool's 10 claims": slices.Collect(func(yield func(template.SampleRecord) bool) {
			for i := range 11 {
				if !yield(template.SampleRecord{Object: "student", Key: fmt.Sprint("s", i), Data: map[string]any{"name": fmt.Sprint("学员", i)}, Owner: "李顾问", ClaimedAt: claimedAt}) {
					return
				}
			}
		}),
	} {
		t.Run(want, func(t *testing.T) {
			t.Parallel()
			eng, ctx := newTenant(t, "t1")
			tpl, err := install.Template("education")
			require.NoError(t, err)
			sd := &template.SampleData{Generate: func(ctx context.Context, emit func(template.SampleRecord) error) error {
				for _, r := range recs {
					if err := emit(r); err != nil {
						return err
					}
				}
				return nil
			}}
			_, err = eng.InstallTemplate(ctx, tpl, template.InstallOptions{Sample: sd})
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
		})
	}
}

// Resetting the sample data forgets the day's claims it counted, not
// those a user made since.
func TestPool_ResetSampleForgetsItsClaims(t *testing.T) {
	t.Parallel()
	tpl, err := install.Template("education")
	require.NoError(t, err)
	s := newPoolShop(t, "student", "consultant", "consultingManager", tpl, install.Sample("education", sample.Options{Records: 300, Seed: 3, Now: refDate}))
	claimer, info := s.nearLimit(t)
	require.Equal(t, 9, info.ClaimedToday)
	mine, err := s.eng.CreateRecord(s.admin, "student", map[string]any{"name": "赵小雨"})
	require.NoError(t, err)
	_, err = s.eng.ReturnToPool(s.admin, "student", []string{mine.ID}, "无效线索")
	require.NoError(t, err)
	other := "li.ming"
	if claimer == other {
		other = "wang.fang"
	}
	require.NoError(t, s.claim(t, other, mine.ID)[0].Err)

	_, _, err = s.eng.ResetSampleData(s.admin, "education", nil)
	require.NoError(t, err)
	info, err = s.eng.Pool(s.users[claimer], "student")
	require.NoError(t, err)
	assert.Zero(t, info.ClaimedToday, "the sample's claims are gone with its records")
	info, err = s.eng.Pool(s.users[other], "student")
	require.NoError(t, err)
	assert.Equal(t, 1, info.ClaimedToday, "a user's own claim stays")
}
