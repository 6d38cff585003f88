package sqlitestore

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

func TestWalkCache_KeepsAnswersForAWhile(t *testing.T) {
	t.Parallel()
	var c walkCache
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	_, ok := c.get("a", t0)
	assert.False(t, ok, "nothing kept yet")

	c.put("a", true, t0)
	c.put("b", false, t0)
	walk, ok := c.get("a", t0.Add(walkKeep-time.Millisecond))
	assert.True(t, ok)
	assert.True(t, walk)
	walk, ok = c.get("b", t0)
	assert.True(t, ok)
	assert.False(t, walk)

	_, ok = c.get("a", t0.Add(walkKeep))
	assert.False(t, ok, "past its time the probe runs again")
	_, ok = c.get("a", t0.Add(-time.Second))
	assert.False(t, ok, "a clock set back does not keep an answer longer")
}

func TestWalkCache_Bounded(t *testing.T) {
	t.Parallel()
	var c walkCache
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	for i := range walkEntries {
		c.put(fmt.Sprint("old", i), true, t0)
	}
	require.Len(t, c.m, walkEntries)
	// Full of answers still in their time: all go for a new one.
	c.put("new", false, t0.Add(time.Millisecond))
	assert.Len(t, c.m, 1)

	for i := range walkEntries - 1 {
		c.put(fmt.Sprint("old", i), true, t0)
	}
	require.Len(t, c.m, walkEntries)
	// Full, the old ones past their time: only they go.
	later := t0.Add(walkKeep)
	c.put("newer", true, later)
	assert.Len(t, c.m, 2)
	_, ok := c.get("new", later)
	assert.True(t, ok)

	// Many different filters never grow it past the bound.
	for i := range 10 * walkEntries {
		c.put(fmt.Sprint("many", i), i%2 == 0, later)
		require.LessOrEqual(t, len(c.m), walkEntries)
	}
}

func TestProbeKey_TellsArgumentsApart(t *testing.T) {
	t.Parallel()
	keys := map[string]bool{}
	for _, args := range [][]any{
		nil, {nil}, {"1"}, {float64(1)}, {int64(1)}, {true}, {"a", "b"}, {"a\x00sb"}, {"ab"}, {float64(2)},
	} {
		k, ok := probeKey("SELECT ?", args)
		require.True(t, ok, "%v", args)
		assert.False(t, keys[k], "%v repeats a key", args)
		keys[k] = true
	}
	_, ok := probeKey("SELECT ?", []any{[]string{"x"}})
	assert.False(t, ok, "an argument of another type is not kept")
}

// TestStore_FindKeepsProbeAnswer: the page's range probe runs once, its
// answer is kept by the reader, and a kept answer decides the next page
// of the same filter (here one set by hand to the contrary: the page is
// the same either way).
func TestStore_FindKeepsProbeAnswer(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	ts := acmeTenant(t)
	obj := planDeal()
	const n = 3 * (walkBelow + 100)
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.SaveObject(ctx, store.ObjectDoc{Name: "deal", Version: 1, Definition: []byte(`{}`), SavedAt: time.Now()}, obj); err != nil {
			return err
		}
		for i := range n {
			data := map[string]any{"stage": []string{"new", "won", "lost"}[i%3], "amount": float64(i), "closeDate": fmt.Sprintf("2024-%02d-%02d", 1+i%12, 1+(i/12)%28)}
			if err := tx.Insert(ctx, obj, store.Record{ID: fmt.Sprintf("d%05d", i), Version: 1, CreatedAt: time.Now(), UpdatedAt: time.Now(), Data: data}); err != nil {
				return err
			}
		}
		return nil
	}))
	tenant := ts.(*tenantStore).testDB(t).records()
	q := store.Query{Filter: &store.Filter{And: []store.Filter{store.Leaf("stage", store.OpEq, "won"), store.Leaf("amount", store.OpGt, 100.0)}},
		Sort: []store.Sort{{Field: "closeDate", Desc: true}}, Limit: 50}
	p, err := store.PlanQuery(obj, q)
	require.NoError(t, err)
	probe, args, ok := rangeProbe(obj, p)
	require.True(t, ok)
	key, ok := probeKey(probe, args)
	require.True(t, ok)

	first, err := ts.Find(ctx, obj, q)
	require.NoError(t, err)
	walk, kept := tenant.stmts.walks.get(key, time.Now())
	require.True(t, kept, "the probe's answer is kept")
	assert.True(t, walk, "a wide range walks")

	tenant.stmts.walks.put(key, false, time.Now())
	text, _, err := tenant.findStatement(ctx, obj, p)
	require.NoError(t, err)
	assert.NotContains(t, text, "+(", "the kept answer decides")
	second, err := ts.Find(ctx, obj, q)
	require.NoError(t, err)
	assert.Equal(t, ids(first.Records), ids(second.Records), "the same page either way")

	tenant.stmts.walks.put(key, false, time.Now().Add(-walkKeep))
	text, _, err = tenant.findStatement(ctx, obj, p)
	require.NoError(t, err)
	assert.True(t, strings.Contains(text, "+("), "past its time the probe runs again")
}
