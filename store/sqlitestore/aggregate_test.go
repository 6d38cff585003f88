package sqlitestore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
	"github.com/crmkit/crm/store/sqlitestore"
)

func TestStore_Aggregate(t *testing.T) {
	t.Parallel()
	s := sqlitestore.NewForTest(t)
	require.NoError(t, s.CreateTenant(t.Context(), store.Tenant{ID: "acme", CreatedAt: now}))
	ts, err := s.Tenant(t.Context(), "acme")
	require.NoError(t, err)
	visit := &schema.Object{Name: "visit", Fields: []*schema.Field{{Name: "at", Type: schema.TypeDateTime}}}
	saveObject(t, ts, visit)
	require.NoError(t, ts.WithTx(t.Context(), func(tx store.Tx) error {
		for i, at := range []string{"2024-01-01T01:00:00.000000Z", "2024-01-01T02:00:00.000000Z"} {
			rec := store.Record{ID: "v" + string(rune('1'+i)), Version: 1, CreatedAt: now, UpdatedAt: now, Data: map[string]any{"at": at}}
			if err := tx.Insert(t.Context(), visit, rec); err != nil {
				return err
			}
		}
		return nil
	}))
	agg := ts.(store.Aggregator)
	newYork, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	byDay := func(zone *time.Location) store.Aggregation {
		return store.Aggregation{
			GroupBy:  []store.GroupBy{{Field: "at", Bucket: store.BucketDay}},
			Measures: []store.Measure{{Op: store.MeasureCount}},
			Zone:     zone,
		}
	}

	scenarios := []struct {
		name string
		zone *time.Location
		days []any
	}{
		{name: "a fixed zone named with a quote", zone: time.FixedZone("it's -01:30", -90*60), days: []any{"2023-12-31", "2024-01-01"}},
		{name: "a fixed zone of the same name and another offset", zone: time.FixedZone("it's -01:30", 90*60), days: []any{"2024-01-01"}},
		{name: "a zone of the tz database", zone: newYork, days: []any{"2023-12-31"}},
		{name: "UTC", zone: nil, days: []any{"2024-01-01"}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			groups, err := agg.Aggregate(t.Context(), visit, byDay(sc.zone))
			require.NoError(t, err)
			var days []any
			for _, g := range groups {
				days = append(days, g.Keys[0])
			}
			assert.Equal(t, sc.days, days)
		})
	}

	t.Run("a cancelled context", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := agg.Aggregate(ctx, visit, byDay(nil))
		require.ErrorIs(t, err, context.Canceled)
	})

	t.Run("a refusal names the object", func(t *testing.T) {
		t.Parallel()
		_, err := agg.Aggregate(t.Context(), visit, store.Aggregation{GroupBy: []store.GroupBy{{Field: "at"}}})
		var qe *store.QueryError
		require.ErrorAs(t, err, &qe)
		assert.Equal(t, "at", qe.Field)
		assert.Contains(t, err.Error(), "aggregate visit: ")
	})
}
