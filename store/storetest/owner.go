package storetest

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// ownedRecords are the fixture of the owner tests: two records of one
// owner, one without an owner, and owners of several kinds.
func ownedRecords() []store.Record {
	owners := []string{"user:li.lei", "user:han.meimei", "user:li.lei", "", "group:sales", "user:lily"}
	recs := make([]store.Record, len(owners))
	for i, o := range owners {
		id := string(rune('a' + i))
		r := record(id, time.Duration(i)*time.Second, map[string]any{"label": id, "rank": float64(i)})
		r.OwnerID = o
		if i%2 == 1 {
			r.CreatedBy, r.UpdatedBy = "u2", "u2"
		}
		recs[i] = r
	}
	return recs
}

func testOwner(t *testing.T, newStore func(t testing.TB) store.Store) {
	ctx := t.Context()
	ts := newTenant(t, newStore(t), "acme")
	item := itemObject()
	saveObject(t, ts, item, 1)
	recs := ownedRecords()
	insert(t, ts, item, recs...)

	t.Run("round trip", func(t *testing.T) {
		for _, r := range recs {
			got, err := ts.Get(ctx, item, r.ID)
			require.NoError(t, err)
			requireSameRecord(t, r, got)
		}
		many, err := ts.GetMany(ctx, item, ids(recs))
		require.NoError(t, err)
		slices.SortFunc(many, func(a, b store.Record) int { return strings.Compare(a.ID, b.ID) })
		require.Len(t, many, len(recs))
		for i, r := range recs {
			requireSameRecord(t, r, many[i])
		}
		page, err := ts.Find(ctx, item, store.Query{})
		require.NoError(t, err)
		require.Len(t, page.Records, len(recs))
		for i, r := range recs {
			requireSameRecord(t, r, page.Records[i])
		}
	})

	t.Run("filters", func(t *testing.T) {
		scenarios := []struct {
			name   string
			filter *store.Filter
			want   []string
		}{
			{name: "eq", filter: leaf("ownerId", store.OpEq, "user:li.lei"), want: []string{"a", "c"}},
			{name: "eq empty owner", filter: leaf("ownerId", store.OpEq, ""), want: []string{"d"}},
			{name: "eq is exact", filter: leaf("ownerId", store.OpEq, "user:li"), want: []string{}},
			{name: "in", filter: leaf("ownerId", store.OpIn, list("user:li.lei", "group:sales", "user:nobody")), want: []string{"a", "c", "e"}},
			{name: "in other owners", filter: leaf("ownerId", store.OpIn, list("user:lily", "user:han.meimei")), want: []string{"b", "f"}},
			{name: "in empty list", filter: leaf("ownerId", store.OpIn, list()), want: []string{}},
			{name: "ne", filter: leaf("ownerId", store.OpNe, "user:li.lei"), want: []string{"b", "d", "e", "f"}},
			{name: "nin", filter: leaf("ownerId", store.OpNin, list("user:li.lei", "")), want: []string{"b", "e", "f"}},
			{name: "an owner is never null", filter: leaf("ownerId", store.OpIsNull, true), want: []string{}},
			{name: "in and another field", filter: and(leaf("ownerId", store.OpIn, list("user:li.lei", "user:han.meimei")), leaf("rank", store.OpGt, 0.0)),
				want: []string{"b", "c"}},
			{name: "owner or creator", filter: or(leaf("ownerId", store.OpEq, "group:sales"), leaf("createdBy", store.OpEq, "u2")),
				want: []string{"b", "d", "e", "f"}},
			{name: "not in", filter: not(leaf("ownerId", store.OpIn, list("user:li.lei", "group:sales"))), want: []string{"b", "d", "f"}},
		}
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				page, err := ts.Find(ctx, item, store.Query{Filter: sc.filter})
				require.NoError(t, err)
				assert.Equal(t, sc.want, ids(page.Records))
				n, err := ts.Count(ctx, item, sc.filter)
				require.NoError(t, err)
				assert.EqualValues(t, len(sc.want), n)
				var matched []string
				for _, r := range recs {
					if store.Match(sc.filter, &r) {
						matched = append(matched, r.ID)
					}
				}
				assert.Equal(t, sc.want, append([]string{}, matched...), "store.Match agrees")
			})
		}
	})

	t.Run("sort", func(t *testing.T) {
		scenarios := []struct {
			name string
			sort []store.Sort
			want []string
		}{
			{name: "ascending, ties by id", sort: []store.Sort{{Field: "ownerId"}}, want: []string{"d", "e", "b", "a", "c", "f"}},
			{name: "descending, ties by id descending", sort: []store.Sort{{Field: "ownerId", Desc: true}}, want: []string{"f", "c", "a", "b", "e", "d"}},
			{name: "then by another field", sort: []store.Sort{{Field: "ownerId"}, {Field: "rank", Desc: true}}, want: []string{"d", "e", "b", "c", "a", "f"}},
		}
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				assert.Equal(t, sc.want, ids(oracleOrder(recs, sc.sort, nil)), "the fixture's order")
				page, err := ts.Find(ctx, item, store.Query{Sort: sc.sort})
				require.NoError(t, err)
				assert.Equal(t, sc.want, ids(page.Records))
				for _, limit := range []int{1, 2, 4} {
					got := walk(t, ts, item, store.Query{Sort: sc.sort, Limit: limit})
					assert.Equal(t, sc.want, ids(got), "pages of %d", limit)
				}
			})
		}
		f := leaf("ownerId", store.OpIn, list("user:li.lei", "user:lily", "group:sales"))
		got := walk(t, ts, item, store.Query{Filter: f, Sort: []store.Sort{{Field: "ownerId"}}, Limit: 2})
		assert.Equal(t, []string{"e", "a", "c", "f"}, ids(got), "filtered by owners and paged by owner")
	})

	t.Run("update changes the owner", func(t *testing.T) {
		owned, err := ts.Get(ctx, item, "a")
		require.NoError(t, err)
		next := owned
		next.Version, next.UpdatedAt, next.UpdatedBy = owned.Version+1, owned.UpdatedAt.Add(time.Minute), "user:admin"
		next.OwnerID = "user:han.meimei"
		require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error { return tx.Update(ctx, item, next, owned.Version) }))
		got, err := ts.Get(ctx, item, "a")
		require.NoError(t, err)
		requireSameRecord(t, next, got)

		find := func(owner string) []string {
			page, err := ts.Find(ctx, item, store.Query{Filter: leaf("ownerId", store.OpEq, owner)})
			require.NoError(t, err)
			return ids(page.Records)
		}
		assert.Equal(t, []string{"a", "b"}, find("user:han.meimei"))
		assert.Equal(t, []string{"c"}, find("user:li.lei"))

		// A change of data alone keeps the owner.
		again := got
		again.Version++
		again.Data = map[string]any{"label": "renamed"}
		require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error { return tx.Update(ctx, item, again, got.Version) }))
		got, err = ts.Get(ctx, item, "a")
		require.NoError(t, err)
		assert.Equal(t, "user:han.meimei", got.OwnerID)

		// A rolled-back change of owner leaves the owner as it was.
		moved := got
		moved.Version++
		moved.OwnerID = "user:nobody"
		errRollback := errors.New("roll back")
		err = ts.WithTx(ctx, func(tx store.Tx) error {
			if err := tx.Update(ctx, item, moved, got.Version); err != nil {
				return err
			}
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		got, err = ts.Get(ctx, item, "a")
		require.NoError(t, err)
		assert.Equal(t, "user:han.meimei", got.OwnerID)
		assert.Equal(t, []string{}, find("user:nobody"))
	})
}
