package engine_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store"
)

const capacityClassDef = `{"$id": "room", "type": "object", "properties": {
  "name":     {"type": "string", "x-crm-type": "text"},
  "capacity": {"type": "integer", "x-crm-type": "integer"},
  "taken":    {"type": "number", "x-crm-type": "rollup",
               "x-crm-rollup": {"object": "seat", "via": "room", "function": "count", "condition": {"field": "status", "op": "eq", "value": "active"}}}
 },
 "x-crm-validations": [{"name": "full", "field": "capacity", "condition": "capacity > 0 && taken > capacity",
   "message": {"zh": "已满", "en": "full"}}]}`

const capacitySeatDef = `{"$id": "seat", "type": "object", "properties": {
  "room":   {"type": "string", "x-crm-type": "lookup", "x-crm-target": "room"},
  "status": {"type": "string", "enum": ["active", "gone"], "x-crm-type": "picklist"}}}`

// TestRollupRules_RefuseTheChildWrite: a child whose roll-up change makes
// a rule of its parent fail is refused on its lookup, nothing changes;
// concurrent children cannot pass the rule together.
func TestRollupRules_RefuseTheChildWrite(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	for _, d := range []string{capacityClassDef, capacitySeatDef} {
		_, err := eng.SaveObject(ctx, []byte(d), engine.SaveOptions{})
		require.NoError(t, err)
	}
	room, err := eng.CreateRecord(ctx, "room", map[string]any{"name": "A", "capacity": 2.0})
	require.NoError(t, err)
	s1, err := eng.CreateRecord(ctx, "seat", map[string]any{"room": room.ID, "status": "active"})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "seat", map[string]any{"room": room.ID, "status": "active"})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "seat", map[string]any{"room": room.ID, "status": "active"})
	assert.Equal(t, map[string]string{"room": "rule"}, fieldErrors(t, err))
	assert.ErrorContains(t, err, "full")
	n, err := eng.CountRecords(ctx, "seat", nil)
	require.NoError(t, err)
	assert.EqualValues(t, 2, n, "the refused seat is not stored")

	gone, err := eng.CreateRecord(ctx, "seat", map[string]any{"room": room.ID, "status": "gone"})
	require.NoError(t, err, "a child outside the roll-up's condition changes nothing")
	_, err = eng.UpdateRecord(ctx, "seat", gone.ID, map[string]any{"status": "active"}, nil)
	assert.Equal(t, map[string]string{"room": "rule"}, fieldErrors(t, err), "an update into the condition is refused too")

	// The room shrinks below its seats by an administrator's hand? Its own
	// rule refuses that; a rule already failing does not block leaving.
	_, err = eng.UpdateRecord(ctx, "room", room.ID, map[string]any{"capacity": 1.0}, nil)
	assert.Equal(t, map[string]string{"capacity": "rule"}, fieldErrors(t, err))
	_, err = eng.UpdateRecord(ctx, "seat", s1.ID, map[string]any{"status": "gone"}, nil)
	require.NoError(t, err)

	// Concurrent seats for the last place: exactly one gets it.
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = eng.CreateRecord(ctx, "seat", map[string]any{"room": room.ID, "status": "active"})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
		}
	}
	assert.Equal(t, 1, ok)
	n, err = eng.CountRecords(ctx, "seat", &store.Filter{Field: "status", Op: store.OpEq, Value: "active"})
	require.NoError(t, err)
	assert.EqualValues(t, 2, n)
	got, err := eng.GetRecord(ctx, "room", room.ID)
	require.NoError(t, err)
	assert.Equal(t, 2.0, got.Data["taken"])
}
