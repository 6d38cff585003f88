package engine_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store"
)

// attackFilter is the filter of the report: an and over 100 ors of 100
// equalities.
func attackFilter() *store.Filter {
	ors := make([]store.Filter, 100)
	for i := range ors {
		eq := make([]store.Filter, 100)
		for j := range eq {
			eq[j] = store.Leaf("title", store.OpEq, "x")
		}
		ors[i] = store.Filter{Or: eq}
	}
	return &store.Filter{And: ors}
}

// A filter past the bounds is a BAD_REQUEST that names the limit, at every
// door, before a store sees it, never INTERNAL (issue 13, item 4).
func TestQuery_FilterBounded(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)
	_, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "x"})
	require.NoError(t, err)

	forty := make([]store.Filter, 40_000)
	for i := range forty {
		forty[i] = store.Leaf("title", store.OpEq, "x")
	}
	scenarios := []struct {
		name  string
		f     *store.Filter
		limit string
	}{
		{"and over 100 ors of 100 equalities", attackFilter(), store.LimitFilterNodes},
		{"40,000 conditions", &store.Filter{Or: forty}, store.LimitFilterNodes},
		{"contains of 1.9 MB", &store.Filter{Field: "title", Op: store.OpContains, Value: strings.Repeat("x", 1900<<10)}, store.LimitFilterString},
		{"in of 1,000", &store.Filter{Field: "title", Op: store.OpIn, Value: make([]any, 1000)}, store.LimitFilterList},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			check := func(door string, err error) {
				t.Helper()
				require.Error(t, err, door)
				assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "%s: %v", door, err)
				assert.Contains(t, engine.PublicMessage(err, "en"), "(limit "+s.limit+")", door)
				assert.Contains(t, engine.PublicMessage(err, "zh"), "限制 "+s.limit, door)
			}
			_, err := eng.ListRecords(ctx, "deal", engine.ListQuery{Filter: s.f})
			check("list", err)
			_, err = eng.CountRecords(ctx, "deal", s.f)
			check("count", err)
			_, err = eng.ListRelated(ctx, "deal", "account", []string{"a1", "a2"}, engine.ListQuery{Filter: s.f})
			check("related list", err)
			_, err = eng.Board(ctx, "deal", "stage", engine.ListQuery{Filter: s.f})
			check("board", err)
			_, err = eng.SaveView(ctx, engine.View{Object: "deal", Name: "big", Filter: s.f}, true)
			check("saved view", err)
		})
	}

	t.Run("from a script", func(t *testing.T) {
		t.Parallel()
		res, err := eng.TestScript(ctx, "deal", "scheduled", `
			const or = [];
			for (let i = 0; i < 60; i++) or.push({field: 'title', op: 'eq', value: 'x'});
			try { crm.find('deal', {or}); log('ran') } catch (e) { log(e.message) }`, nil, nil)
		require.NoError(t, err)
		require.Len(t, res.Result.Logs, 1)
		assert.Contains(t, res.Result.Logs[0].Message, "limit "+store.LimitFilterNodes)
	})

	t.Run("within the bounds", func(t *testing.T) {
		t.Parallel()
		ors := make([]store.Filter, 45)
		for i := range ors {
			ors[i] = store.Leaf("title", store.OpEq, "x")
		}
		res, err := eng.ListRecords(ctx, "deal", engine.ListQuery{Filter: &store.Filter{Or: ors}, WithTotal: true})
		require.NoError(t, err)
		assert.EqualValues(t, 1, res.Total)
	})
}
