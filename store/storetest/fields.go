package storetest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// testFields checks reads of some fields ([store.Query.Fields]): every
// named field as a whole read has it (value, JSON type, presence), any
// other field the adapter keeps as a whole read has it, system fields
// always, in the same records and order as without Fields.
func testFields(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	ts := newTenant(t, newStore(t), "acme")
	deal := dealObject()
	saveObject(t, ts, deal, 1)
	insert(t, ts, deal, filterRecords()...)

	var every []string
	for _, f := range deal.Fields {
		every = append(every, f.Name)
	}
	sets := map[string][]string{
		"one text field":             {"name"},
		"numbers and a boolean":      {"amount", "qty", "won"},
		"lists, address and json":    {"tags", "contacts", "shipTo", "extra"},
		"dates, lookup and null":     {"closeDate", "closedAt", "account", "email"},
		"repeated and system names":  {"name", "id", "name", "createdAt", "ownerId"},
		"no data field":              {},
		"every field":                every,
		"every field but the json":   every[:len(every)-1],
		"only system fields by name": {"id", "version"},
	}
	queries := map[string]store.Query{
		"all by id":                  {},
		"filtered and sorted":        {Filter: leaf("stage", store.OpIn, list("new", "won")), Sort: []store.Sort{{Field: "amount", Desc: true}}},
		"a page sorted by a date":    {Sort: []store.Sort{{Field: "closeDate"}}, Limit: 3},
		"filtered on a field unread": {Filter: leaf("won", store.OpEq, true)},
	}
	check := func(t *testing.T, r store.Reader, q store.Query, fields []string) {
		t.Helper()
		full, err := r.Find(ctx, deal, q)
		require.NoError(t, err)
		q.Fields = fields
		part, err := r.Find(ctx, deal, q)
		require.NoError(t, err)
		require.Equal(t, full.HasMore, part.HasMore)
		require.Len(t, part.Records, len(full.Records))
		for i, want := range full.Records {
			got := part.Records[i]
			require.Equal(t, want.ID, got.ID)
			assert.Equal(t, want.Version, got.Version, want.ID)
			assert.True(t, want.CreatedAt.Equal(got.CreatedAt), want.ID)
			assert.True(t, want.UpdatedAt.Equal(got.UpdatedAt), want.ID)
			assert.Equal(t, want.CreatedBy, got.CreatedBy, want.ID)
			assert.Equal(t, want.UpdatedBy, got.UpdatedBy, want.ID)
			assert.Equal(t, want.OwnerID, got.OwnerID, want.ID)
			require.NotNil(t, got.Data, want.ID)
			for _, f := range fields {
				if store.IsSystemField(f) {
					continue
				}
				wv, wok := want.Data[f]
				gv, gok := got.Data[f]
				assert.Equal(t, wok, gok, "%s: field %s present", want.ID, f)
				assert.Equal(t, wv, gv, "%s: field %s", want.ID, f)
			}
			for k, gv := range got.Data {
				wv, ok := want.Data[k]
				assert.True(t, ok, "%s: field %s not in the whole record", want.ID, k)
				assert.Equal(t, wv, gv, "%s: field %s", want.ID, k)
			}
		}
	}
	getCheck := func(t *testing.T, r store.Reader, ids []string, fields []string) {
		t.Helper()
		full, err := r.GetMany(ctx, deal, ids)
		require.NoError(t, err)
		part, err := r.GetFields(ctx, deal, ids, fields)
		require.NoError(t, err)
		require.Len(t, part, len(full))
		byID := map[string]store.Record{}
		for _, rec := range full {
			byID[rec.ID] = rec
		}
		for _, got := range part {
			want, ok := byID[got.ID]
			require.True(t, ok, "%s read by GetFields, not by GetMany", got.ID)
			assert.Equal(t, want.Version, got.Version, want.ID)
			assert.True(t, want.UpdatedAt.Equal(got.UpdatedAt), want.ID)
			assert.Equal(t, want.OwnerID, got.OwnerID, want.ID)
			for _, f := range fields {
				if store.IsSystemField(f) {
					continue
				}
				wv, wok := want.Data[f]
				gv, gok := got.Data[f]
				assert.Equal(t, wok, gok, "%s: field %s present", want.ID, f)
				assert.Equal(t, wv, gv, "%s: field %s", want.ID, f)
			}
			for k, gv := range got.Data {
				assert.Equal(t, want.Data[k], gv, "%s: field %s", want.ID, k)
			}
		}
	}
	for sn, fields := range sets {
		t.Run("by ids, "+sn, func(t *testing.T) {
			getCheck(t, ts, []string{"r7", "r1", "nope", "r6", "r1", "r4", "r5"}, fields)
			getCheck(t, ts, nil, fields)
		})
	}
	t.Run("by ids, nil is every field", func(t *testing.T) {
		full, err := ts.GetMany(ctx, deal, []string{"r1", "r4"})
		require.NoError(t, err)
		got, err := ts.GetFields(ctx, deal, []string{"r1", "r4"}, nil)
		require.NoError(t, err)
		assert.ElementsMatch(t, full, got)
	})
	t.Run("by ids, many", func(t *testing.T) {
		ids := make([]string, 0, 2500)
		for i := range 2500 {
			ids = append(ids, fmt.Sprintf("x%d", i))
		}
		ids = append(ids, "r2", "r3")
		got, err := ts.GetFields(ctx, deal, ids, []string{"stage"})
		require.NoError(t, err)
		require.Len(t, got, 2)
	})
	for qn, q := range queries {
		for sn, fields := range sets {
			t.Run(qn+", "+sn, func(t *testing.T) { check(t, ts, q, fields) })
		}
	}
	t.Run("pages walked with the sort fields read", func(t *testing.T) {
		q := store.Query{Sort: []store.Sort{{Field: "amount"}, {Field: "name", Desc: true}}, Limit: 2}
		want := walk(t, ts, deal, q)
		q.Fields = []string{"amount", "name"}
		got := walk(t, ts, deal, q)
		require.Len(t, got, len(want))
		for i := range want {
			assert.Equal(t, want[i].ID, got[i].ID)
			assert.Equal(t, want[i].Data["amount"], got[i].Data["amount"])
		}
	})
	t.Run("inside a transaction, its own writes", func(t *testing.T) {
		require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
			rec := record("tx1", 0, map[string]any{"name": "in tx", "amount": 7.5, "won": true, "tags": []any{"vip"}})
			if err := tx.Insert(ctx, deal, rec); err != nil {
				return err
			}
			page, err := tx.Find(ctx, deal, store.Query{Filter: leaf("id", store.OpEq, "tx1"), Fields: []string{"amount", "tags"}})
			require.NoError(t, err)
			require.Len(t, page.Records, 1)
			assert.Equal(t, 7.5, page.Records[0].Data["amount"])
			assert.Equal(t, []any{"vip"}, page.Records[0].Data["tags"])
			check(t, tx, store.Query{}, []string{"won", "name"})
			got, err := tx.GetFields(ctx, deal, []string{"tx1", "r2"}, []string{"tags"})
			require.NoError(t, err)
			require.Len(t, got, 2)
			getCheck(t, tx, []string{"tx1", "r2", "r5"}, []string{"tags", "amount"})
			return nil
		}))
	})
	t.Run("unknown fields are query errors", func(t *testing.T) {
		for _, fields := range [][]string{{"nope"}, {"name", "shipTo.city"}, {""}, {"name'); DROP TABLE x; --"}} {
			_, err := ts.Find(ctx, deal, store.Query{Fields: fields})
			require.ErrorIs(t, err, store.ErrInvalidQuery, "%q", fields)
			_, err = ts.GetFields(ctx, deal, []string{"r1"}, fields)
			require.ErrorIs(t, err, store.ErrInvalidQuery, "%q", fields)
		}
	})
	t.Run("an object without fields", func(t *testing.T) {
		bare := &schema.Object{Name: "bare", Title: "Bare"}
		saveObject(t, ts, bare, 1)
		insert(t, ts, bare, record("b1", 0, map[string]any{}))
		page, err := ts.Find(ctx, bare, store.Query{Fields: []string{}})
		require.NoError(t, err)
		require.Len(t, page.Records, 1)
		assert.Equal(t, "b1", page.Records[0].ID)
	})
}
