package mongostore

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

func boardObject() *schema.Object {
	return &schema.Object{Name: "deal", Fields: []*schema.Field{
		{Name: "title", Type: schema.TypeText},
		{Name: "stage", Type: schema.TypePicklist, Options: []string{"new", "won"}},
		{Name: "amount", Type: schema.TypeCurrency},
		{Name: "closeDate", Type: schema.TypeDate},
		{Name: "account", Type: schema.TypeLookup, Target: "account"},
	}, Indexes: [][]string{{"stage", "amount"}, {"stage", "closeDate"}}}
}

// TestOrderHint: a page that walks the index of its order names that
// index, as the adapter creates it, in its hint; a page whose filter
// has a range another index may serve is left to the server's planner.
func TestOrderHint(t *testing.T) {
	t.Parallel()
	obj := boardObject()
	specs, err := indexSpecs(obj)
	require.NoError(t, err)
	byKeys := map[string]string{}
	for _, s := range specs {
		byKeys[s.Keys[0]+","+s.Keys[len(s.Keys)-2]] = s.Name
	}
	byStageDate := byKeys["d.stage,d.closeDate"]
	require.NotEmpty(t, byStageDate)
	desc := []store.Sort{{Field: "closeDate", Desc: true}}
	and := func(fs ...store.Filter) *store.Filter { return &store.Filter{And: fs} }
	stage := store.Leaf("stage", store.OpEq, "new")
	scenarios := []struct {
		name string
		q    store.Query
		want string // "" for no hint
	}{
		{name: "stage pinned, ordered by date", q: store.Query{Filter: &stage, Sort: desc, Limit: 50}, want: byStageDate},
		{name: "and a range on the date itself", q: store.Query{Filter: and(stage, store.Leaf("closeDate", store.OpGt, "2024-01-01")), Sort: desc, Limit: 50}, want: byStageDate},
		{name: "and an equality on another field", q: store.Query{Filter: and(stage, store.Leaf("title", store.OpEq, "x")), Sort: desc, Limit: 50}, want: byStageDate},
		{name: "and a range on the amount", q: store.Query{Filter: and(stage, store.Leaf("amount", store.OpGt, 5.0)), Sort: desc, Limit: 50}},
		{name: "and an in list", q: store.Query{Filter: and(stage, store.Leaf("title", store.OpIn, []any{"a", "b"})), Sort: desc, Limit: 50}},
		{name: "no limit", q: store.Query{Filter: &stage, Sort: desc}},
		{name: "no filter", q: store.Query{Sort: desc, Limit: 50}},
		{name: "an order no index gives", q: store.Query{Filter: &stage, Sort: []store.Sort{{Field: "title"}}, Limit: 50}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			p, err := store.PlanQuery(obj, sc.q)
			require.NoError(t, err)
			name, ok := orderHint(obj, p)
			assert.Equal(t, sc.want != "", ok)
			assert.Equal(t, sc.want, name)
		})
	}
}
