package engine_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/internal/testkit"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// aggregateDeal is the deal of aggregateTenant: private, with a field of
// every kind an aggregation groups or measures.
const aggregateDeal = `{"$id": "deal", "type": "object", "x-crm-sharing": "private",
	  "properties": {
	    "title":     {"type": "string", "x-crm-type": "text"},
	    "amount":    {"type": "number", "x-crm-type": "currency"},
	    "qty":       {"type": "integer", "x-crm-type": "integer"},
	    "margin":    {"type": "number", "x-crm-type": "percent"},
	    "phone":     {"type": "string", "x-crm-type": "text"},
	    "secret":    {"type": "number", "x-crm-type": "number", "x-crm-sensitive": true},
	    "won":       {"type": "boolean", "x-crm-type": "boolean"},
	    "closeDate": {"type": "string", "format": "date", "x-crm-type": "date"},
	    "account":   {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"},
	    "stage":     {"type": "string", "enum": ["open", "won"], "default": "open", "x-crm-type": "picklist",
	      "x-crm-options": [{"value": "open", "label": {"zh": "进行中", "en": "Open"}}, {"value": "won", "label": {"zh": "赢单", "en": "Won"}}],
	      "x-crm-pipeline": {"stages": [{"value": "open", "category": "open"}, {"value": "won", "category": "won"}]}}}}`

// aggregateTenant is a tenant with accounts and private deals owned by a
// sales team, and a role that hides one field and masks another.
func aggregateTenant(t *testing.T, opts ...testkit.Option) (*engine.Engine, context.Context, map[string]context.Context) {
	t.Helper()
	opts = append(opts, testkit.WithConfig(func(c *engine.Config) { c.EncryptionKey = bytes.Repeat([]byte{3}, 32) }))
	tn := testkit.New(t, "acme", opts...)
	eng, admin := tn.Engine, tn.Admin
	_, err := eng.SaveObject(admin, []byte(`{"$id": "account", "type": "object", "properties": {
	    "name": {"type": "string", "x-crm-type": "text"}}}`), engine.SaveOptions{})
	require.NoError(t, err)
	_, err = eng.SaveObject(admin, []byte(aggregateDeal), engine.SaveOptions{})
	require.NoError(t, err)
	as := salesTeam(t, eng, admin)
	require.NoError(t, eng.SaveRole(admin, engine.Role{Name: "sales", Objects: map[string]engine.ObjectAccess{
		"account": {Read: true},
		"deal":    {Read: true, Create: true, Update: true, Fields: map[string]string{"margin": engine.FieldHidden, "phone": engine.FieldMasked}}}}))
	acc, err := eng.CreateRecord(admin, "account", map[string]any{"name": "远景能源"})
	require.NoError(t, err)
	for _, d := range []struct {
		who       string
		amount    any
		stage     string
		closeDate string
		account   any
	}{
		{"rep1", 100.1, "open", "2026-11-30", acc.ID},
		{"rep1", 200.2, "won", "2026-12-01", acc.ID},
		{"rep2", 300.0, "open", "2026-12-31", nil},
		{"rep3", 5000.0, "open", "2027-01-01", nil},
		{"rep3", nil, "won", "", nil},
	} {
		data := map[string]any{"title": d.who, "stage": d.stage, "qty": 2.0}
		if d.amount != nil {
			data["amount"] = d.amount
		}
		if d.closeDate != "" {
			data["closeDate"] = d.closeDate
		}
		if d.account != nil {
			data["account"] = d.account
		}
		_, err := eng.CreateRecord(as[d.who], "deal", data)
		require.NoError(t, err)
	}
	_, err = eng.SaveView(admin, engine.View{Object: "deal", Name: "open", Filter: &store.Filter{Field: "stage", Op: store.OpEq, Value: "open"}}, true)
	require.NoError(t, err)
	return eng, admin, as
}

// values flattens groups to key values → measure values, for comparing.
func values(res *engine.AggregateResult) map[string][]any {
	out := map[string][]any{}
	for _, g := range res.Groups {
		k := ""
		for _, key := range g.Keys {
			k += "/" + keyString(key.Value)
		}
		out[k] = g.Values
	}
	return out
}

func keyString(v any) string {
	switch x := v.(type) {
	case nil:
		return "∅"
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return "?"
}

func TestEngine_Aggregate(t *testing.T) {
	t.Parallel()
	eng, admin, as := aggregateTenant(t)
	count := store.Measure{Op: store.MeasureCount}
	sum := store.Measure{Op: store.MeasureSum, Field: "amount"}
	byStage := []store.GroupBy{{Field: "stage"}}

	scenarios := []struct {
		name    string
		ctx     context.Context
		q       engine.AggregateQuery
		want    map[string][]any
		scanned int64
	}{
		{"an administrator counts and sums everything", admin,
			engine.AggregateQuery{GroupBy: byStage, Measures: []store.Measure{count, sum}},
			map[string][]any{"/open": {int64(3), 5400.1}, "/won": {int64(2), 200.2}}, 5},
		{"sums are decimal, without binary noise", admin,
			engine.AggregateQuery{Measures: []store.Measure{sum, {Op: store.MeasureAvg, Field: "amount"}, {Op: store.MeasureMin, Field: "amount"}, {Op: store.MeasureMax, Field: "amount"}}},
			map[string][]any{"": {5600.3, 1400.075, 100.1, 5000.0}}, 5},
		{"a rep counts only the records sharing lets them see (their own and their team's)", as["rep1"],
			engine.AggregateQuery{GroupBy: byStage, Measures: []store.Measure{count, sum}},
			map[string][]any{"/open": {int64(2), 400.1}, "/won": {int64(1), 200.2}}, 3},
		{"a manager counts the team below", as["lead"],
			engine.AggregateQuery{Measures: []store.Measure{count}},
			map[string][]any{"": {int64(3)}}, 3},
		{"a saved view and a filter", admin,
			engine.AggregateQuery{View: "open", Filter: &store.Filter{Field: "amount", Op: store.OpLt, Value: 1000.0}, Measures: []store.Measure{count, sum}},
			map[string][]any{"": {int64(2), 400.1}}, 2},
		{"records without a value form their own group", admin,
			engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "account"}}, Measures: []store.Measure{count}},
			map[string][]any{"/∅": {int64(3)}, "/" + accountOf(t, eng, admin): {int64(2)}}, 5},
		{"date buckets", admin,
			engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "closeDate", Bucket: store.BucketMonth}}, Measures: []store.Measure{count}},
			map[string][]any{"/∅": {int64(1)}, "/2026-11-01": {int64(1)}, "/2026-12-01": {int64(2)}, "/2027-01-01": {int64(1)}}, 5},
		{"having and distinct counts", admin,
			engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "ownerId"}}, Measures: []store.Measure{count, {Op: store.MeasureCountDistinct, Field: "stage"}},
				Having: []store.Having{{Measure: 0, Op: store.OpGte, Value: 2}}},
			map[string][]any{"/user:rep1": {int64(2), int64(2)}, "/user:rep3": {int64(2), int64(2)}}, 5},
		{"a role groups by fields it may read", as["rep1"],
			engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "won"}}, Measures: []store.Measure{{Op: store.MeasureSum, Field: "qty"}}},
			map[string][]any{"/∅": {6.0}}, 3},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			res, err := eng.Aggregate(s.ctx, "deal", s.q)
			require.NoError(t, err)
			assert.Equal(t, s.want, values(res))
			assert.Equal(t, s.scanned, res.Scanned)
			assert.False(t, res.HasMore)
		})
	}

	t.Run("keys read as people read them", func(t *testing.T) {
		res, err := eng.Aggregate(admin, "deal", engine.AggregateQuery{
			GroupBy:  []store.GroupBy{{Field: "stage"}, {Field: "account"}, {Field: "closeDate", Bucket: store.BucketQuarter}},
			Measures: []store.Measure{count},
			Order:    []store.GroupOrder{{Measure: true, Index: 0, Desc: true}},
		})
		require.NoError(t, err)
		require.NotEmpty(t, res.Groups)
		var wonWithAccount *engine.AggregateGroup
		for i, g := range res.Groups {
			if g.Keys[0].Value == "won" && g.Keys[1].Value != nil {
				wonWithAccount = &res.Groups[i]
			}
		}
		require.NotNil(t, wonWithAccount)
		k := wonWithAccount.Keys
		assert.Equal(t, schema.Label{Zh: "赢单", En: "Won"}, k[0].Label)
		assert.Equal(t, schema.Label{Zh: "远景能源", En: "远景能源"}, k[1].Label)
		assert.Equal(t, "2026-10-01", k[2].Value)
		assert.Equal(t, schema.Label{Zh: "2026年第4季度", En: "2026 Q4"}, k[2].Label)
		assert.Equal(t, "2026-10-01", k[2].From)
		assert.Equal(t, "2027-01-01", k[2].To)
		last := res.Groups[len(res.Groups)-1]
		assert.Equal(t, int64(1), last.Values[0], "ordered by count, descending")

		res, err = eng.Aggregate(admin, "deal", engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "createdAt", Bucket: store.BucketDay}}, Measures: []store.Measure{count}})
		require.NoError(t, err)
		require.Len(t, res.Groups, 1)
		day := res.Groups[0].Keys[0]
		assert.Regexp(t, `^\d{4}-\d{2}-\d{2}T16:00:00Z$`, day.From, "a day in Asia/Shanghai begins at 16:00 UTC the day before")
		assert.Regexp(t, `^\d{4}-\d{2}-\d{2}T16:00:00Z$`, day.To)

		res, err = eng.Aggregate(admin, "deal", engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "won"}}, Measures: []store.Measure{count}})
		require.NoError(t, err)
		assert.Equal(t, schema.Label{Zh: "（空）", En: "(empty)"}, res.Groups[0].Keys[0].Label)
	})

	t.Run("a page of groups", func(t *testing.T) {
		res, err := eng.Aggregate(admin, "deal", engine.AggregateQuery{GroupBy: byStage, Measures: []store.Measure{count}, First: 1})
		require.NoError(t, err)
		require.Len(t, res.Groups, 1)
		assert.True(t, res.HasMore)
		assert.Equal(t, "open", res.Groups[0].Keys[0].Value)
	})

	refusals := []struct {
		name    string
		ctx     context.Context
		q       engine.AggregateQuery
		code    engine.Code
		message string
	}{
		{"an unknown field", admin, engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "nope"}}}, engine.CodeBadRequest, "nope"},
		{"a sum of text", admin, engine.AggregateQuery{Measures: []store.Measure{{Op: store.MeasureSum, Field: "title"}}}, engine.CodeBadRequest, "title"},
		{"a sensitive field", admin, engine.AggregateQuery{Measures: []store.Measure{{Op: store.MeasureSum, Field: "secret"}}}, engine.CodeBadRequest, "secret"},
		{"hidden from the role: as if unknown", as["rep1"], engine.AggregateQuery{Measures: []store.Measure{{Op: store.MeasureSum, Field: "margin"}}}, engine.CodeBadRequest, "deal has no such field"},
		{"grouping by a hidden field", as["rep1"], engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "margin"}}}, engine.CodeBadRequest, "deal has no such field"},
		{"masked for the role", as["rep1"], engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "phone"}}}, engine.CodeBadRequest, "protected"},
		{"filtering on a hidden field", as["rep1"], engine.AggregateQuery{Filter: &store.Filter{Field: "margin", Op: store.OpGt, Value: 1.0}}, engine.CodeForbidden, "margin"},
		{"too many groups", admin, engine.AggregateQuery{First: engine.MaxGroups + 1}, engine.CodeBadRequest, "1000"},
		{"an unknown object", admin, engine.AggregateQuery{}, engine.CodeBadRequest, ""},
	}
	for _, r := range refusals {
		t.Run("refused: "+r.name, func(t *testing.T) {
			object := "deal"
			if r.name == "an unknown object" {
				object = "ghost"
			}
			_, err := eng.Aggregate(r.ctx, object, r.q)
			require.Error(t, err)
			assert.Equal(t, r.code, engine.CodeOf(err), err.Error())
			assert.ErrorContains(t, err, r.message)
		})
	}
}

func accountOf(t *testing.T, eng *engine.Engine, ctx context.Context) string {
	t.Helper()
	page, err := eng.ListRecords(ctx, "account", engine.ListQuery{})
	require.NoError(t, err)
	require.Len(t, page.Records, 1)
	return page.Records[0].ID
}

func TestEngine_AggregateBounds(t *testing.T) {
	t.Parallel()
	t.Run("one aggregation reads at most the bound", func(t *testing.T) {
		t.Parallel()
		eng, admin, _ := aggregateTenant(t, testkit.WithConfig(func(c *engine.Config) { c.AggregateRows = 4 }))
		_, err := eng.Aggregate(admin, "deal", engine.AggregateQuery{Measures: []store.Measure{{Op: store.MeasureCount}}})
		assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
		assert.ErrorContains(t, err, "would read 5 deal records, more than the 4")
		res, err := eng.Aggregate(admin, "deal", engine.AggregateQuery{View: "open", Measures: []store.Measure{{Op: store.MeasureCount}}})
		require.NoError(t, err, "a narrower filter fits")
		assert.Equal(t, int64(3), res.Scanned)
	})
	t.Run("a tenant's budget per minute", func(t *testing.T) {
		t.Parallel()
		clock := testkit.NewClock(time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)) // still: nothing refills
		eng, admin, _ := aggregateTenant(t, testkit.WithClock(clock), testkit.WithConfig(func(c *engine.Config) { c.AggregateRowsPerMinute = 8 }))
		count := engine.AggregateQuery{Measures: []store.Measure{{Op: store.MeasureCount}}}
		_, err := eng.Aggregate(admin, "deal", count)
		require.NoError(t, err, "5 of 8")
		res, err := eng.Aggregate(admin, "deal", count)
		require.NoError(t, err, "the same aggregation again is the kept answer, which reads nothing")
		assert.True(t, res.Cached)
		assert.Zero(t, res.Scanned)
		_, err = eng.Aggregate(admin, "deal", engine.AggregateQuery{Measures: []store.Measure{{Op: store.MeasureSum, Field: "amount"}}})
		assert.Equal(t, engine.CodeRateLimited, engine.CodeOf(err), "another 5 is more than is left")
		assert.ErrorContains(t, err, "try again in")
		_, err = eng.Aggregate(admin, "deal", engine.AggregateQuery{View: "open", Measures: []store.Measure{{Op: store.MeasureCount}}})
		require.NoError(t, err, "3 more fit")
	})
}

// TestEngine_AggregateKept: an answer is kept while the object's records
// are unchanged, and only for the same question asked within the same
// sight of the records; labels are read afresh; a write, a definition
// change or a caller who sees other records gets a new answer.
func TestEngine_AggregateKept(t *testing.T) {
	t.Parallel()
	eng, admin, as := aggregateTenant(t)
	q := engine.AggregateQuery{GroupBy: []store.GroupBy{{Field: "account"}},
		Measures: []store.Measure{{Op: store.MeasureCount}, {Op: store.MeasureSum, Field: "amount"}}}
	ask := func(ctx context.Context) *engine.AggregateResult {
		t.Helper()
		res, err := eng.Aggregate(ctx, "deal", q)
		require.NoError(t, err)
		return res
	}
	first := ask(admin)
	assert.False(t, first.Cached)
	assert.Equal(t, int64(5), first.Scanned)
	first.Groups[0].Values[0] = int64(99) // a caller's change is its own

	again := ask(admin)
	assert.True(t, again.Cached, "nothing changed: the kept answer")
	assert.Zero(t, again.Scanned, "a kept answer reads no records")
	assert.Equal(t, map[string][]any{"/∅": {int64(3), 5300.0}, "/" + accountOf(t, eng, admin): {int64(2), 300.3}}, values(again))

	mine := ask(as["rep1"])
	assert.False(t, mine.Cached, "rep1 sees its team's records only: not the administrator's answer")
	assert.Equal(t, map[string][]any{"/∅": {int64(1), 300.0}, "/" + accountOf(t, eng, admin): {int64(2), 300.3}}, values(mine))

	acc := accountOf(t, eng, admin)
	_, err := eng.UpdateRecord(admin, "account", acc, map[string]any{"name": "远景科技"}, nil)
	require.NoError(t, err)
	renamed := ask(admin)
	assert.True(t, renamed.Cached, "an account's write leaves the deals' answer")
	for _, g := range renamed.Groups {
		if g.Keys[0].Value == acc {
			assert.Equal(t, "远景科技", g.Keys[0].Label.Zh, "labels are read afresh")
		}
	}

	_, err = eng.CreateRecord(as["rep2"], "deal", map[string]any{"title": "new", "amount": 1.0, "account": acc})
	require.NoError(t, err)
	after := ask(admin)
	assert.False(t, after.Cached, "a new deal: a new answer")
	assert.Equal(t, map[string][]any{"/∅": {int64(3), 5300.0}, "/" + acc: {int64(3), 301.3}}, values(after))

	_, err = eng.SaveObject(admin, []byte(strings.Replace(aggregateDeal, `"title":`, `"region": {"type": "string", "x-crm-type": "text"}, "title":`, 1)), engine.SaveOptions{})
	require.NoError(t, err)
	assert.False(t, ask(admin).Cached, "a changed definition: a new answer")

	off, offAdmin, _ := aggregateTenant(t, testkit.WithConfig(func(c *engine.Config) { c.AggregateCacheBytes = -1 }))
	for range 2 {
		res, err := off.Aggregate(offAdmin, "deal", q)
		require.NoError(t, err)
		assert.False(t, res.Cached, "a negative bound keeps nothing")
		assert.Equal(t, int64(5), res.Scanned)
	}
}
