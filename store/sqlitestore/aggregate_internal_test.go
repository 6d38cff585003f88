package sqlitestore

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// TestAggregateStatement_Plans checks how SQLite runs the statements, not
// how fast: the plans that keep aggregates from reading or sorting every
// record. SQLite names an index that answers from its expressions alone
// "USING INDEX", not "USING COVERING INDEX".
func TestAggregateStatement_Plans(t *testing.T) {
	t.Parallel()
	s := NewForTest(t)
	require.NoError(t, s.CreateTenant(t.Context(), store.Tenant{ID: "acme", CreatedAt: time.Now()}))
	tenant, err := s.Tenant(t.Context(), "acme")
	require.NoError(t, err)
	ts := tenant.(*tenantStore)
	deal := &schema.Object{Name: "deal", Fields: []*schema.Field{
		{Name: "stage", Type: schema.TypePicklist, Options: []string{"new", "won"}},
		{Name: "amount", Type: schema.TypeCurrency},
		{Name: "closeDate", Type: schema.TypeDate},
	}, Indexes: [][]string{{"stage", "closeDate"}, {"stage", "amount"}}}
	require.NoError(t, ts.WithTx(t.Context(), func(tx store.Tx) error {
		return tx.SaveObject(t.Context(), store.ObjectDoc{Name: "deal", Version: 1, Definition: []byte(`{}`)}, deal)
	}))
	count := store.Measure{Op: store.MeasureCount}
	sum := store.Measure{Op: store.MeasureSum, Field: "amount"}

	scenarios := []struct {
		name    string
		agg     store.Aggregation
		want    []string // in the plan
		notWant []string
	}{
		{name: "an index covers a sum by its first field",
			agg:  store.Aggregation{GroupBy: []store.GroupBy{{Field: "stage"}}, Measures: []store.Measure{count, sum}},
			want: []string{"USING INDEX"}, notWant: []string{"TEMP B-TREE", "SCAN r_deal\n"}},
		{name: "dates cut into months are grouped in the index's order first",
			agg: store.Aggregation{GroupBy: []store.GroupBy{{Field: "stage"}, {Field: "closeDate", Bucket: store.BucketMonth}}, Measures: []store.Measure{count}},
			// The inner step walks the index; only the outer one sorts,
			// its few groups.
			want:    []string{"CO-ROUTINE", "SCAN r_deal USING INDEX"},
			notWant: []string{"SCAN r_deal\n", "GROUP BY\nSCAN (subquery"}},
		{name: "a filter on the index's first field searches it",
			agg: store.Aggregation{
				Filter:  ptr(store.Leaf("stage", store.OpEq, "won")),
				GroupBy: []store.GroupBy{{Field: "closeDate", Bucket: store.BucketMonth}}, Measures: []store.Measure{count}},
			want: []string{"SEARCH r_deal USING INDEX"}, notWant: []string{"GROUP BY\nSCAN (subquery"}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			p, err := store.PlanAggregate(deal, sc.agg)
			require.NoError(t, err)
			text, args := aggregateStatement(deal, p)
			rows, err := ts.testDB(t).reader.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+text, args...)
			require.NoError(t, err)
			defer rows.Close()
			var plan strings.Builder
			for rows.Next() {
				var id, parent, unused int
				var detail string
				require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
				plan.WriteString(detail + "\n")
			}
			require.NoError(t, rows.Err())
			for _, w := range sc.want {
				assert.Contains(t, plan.String(), w, text)
			}
			for _, w := range sc.notWant {
				assert.NotContains(t, plan.String(), w, text)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
