package engine

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// The cursor of a record is the same text it was when encoding/json wrote
// it, whichever way it is written now: cursors handed out before still
// work, and the written JSON decodes to the same position.
func TestCursor_WrittenAsEncodingJSON(t *testing.T) {
	t.Parallel()
	values := []any{
		nil, true, false, "plain", "", "汉字 and more", "a\"quote", `back\slash`, "<b>&", "tab\t", "line\n", "\u2028", "bad \xff",
		"\x7f", 0.0, math.Copysign(0, -1), 1.0, -2.5, 0.1, 1e-6, 9.99e-7, 1e-7, 1e20, 1e21, -1e21, 123456789.125, 5e-324, 1.7976931348623157e308,
		int64(7), []any{"x"}, map[string]any{"k": 1.0},
	}
	at := time.Date(2026, 12, 6, 15, 4, 5, 123456789, time.FixedZone("CST", 8*3600))
	for _, v := range values {
		rec := &store.Record{ID: "rec<1>", CreatedAt: at, Data: map[string]any{"f": v}}
		for _, sorts := range [][]store.Sort{
			{{Field: "f"}},
			{{Field: "f", Desc: true}, {Field: "createdAt"}},
			{{Field: "missing"}, {Field: "f"}, {Field: "id"}, {Field: "createdAt", Desc: true}, {Field: "f"}},
			nil,
		} {
			want := cursor{Order: orderKey(sorts), Values: make([]any, len(sorts)), ID: rec.ID}
			for i, s := range sorts {
				if x, ok := rec.Value(s.Field); ok {
					if tm, isTime := x.(time.Time); isTime {
						x = tm.UTC().Format(store.TimeLayout)
					}
					want.Values[i] = x
				}
			}
			b, err := json.Marshal(want)
			require.NoError(t, err)
			got := encodeCursor(sorts, rec)
			assert.Equal(t, base64.RawURLEncoding.EncodeToString(b), got, "%#v, %v", v, sorts)
		}
	}
}

// Ties under a descending order follow by id descending since
// docs/decisions.md "Paging" says so; a cursor of such an order issued
// before, when they followed by id ascending, is refused in words that
// say why, while cursors of other orders keep working.
func TestCursor_OldTies(t *testing.T) {
	t.Parallel()
	old := func(order string, values ...any) string {
		b, err := json.Marshal(cursor{Order: order, Values: values, ID: "d1"})
		require.NoError(t, err)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	scenarios := []struct {
		name   string
		sorts  []store.Sort
		cursor string
		key    string // of the error; empty: the cursor is taken
	}{
		{name: "descending, issued before", sorts: []store.Sort{{Field: "closeDate", Desc: true}},
			cursor: old("closeDate:desc", "2026-01-01"), key: "query.cursorOldTies"},
		{name: "last key descending, issued before", sorts: []store.Sort{{Field: "stage"}, {Field: "closeDate", Desc: true}},
			cursor: old("stage,closeDate:desc", "new", "2026-01-01"), key: "query.cursorOldTies"},
		{name: "descending, issued now", sorts: []store.Sort{{Field: "closeDate", Desc: true}},
			cursor: encodeCursor([]store.Sort{{Field: "closeDate", Desc: true}}, &store.Record{ID: "d1", Data: map[string]any{"closeDate": "2026-01-01"}})},
		{name: "ascending, issued before", sorts: []store.Sort{{Field: "closeDate"}}, cursor: old("closeDate", "2026-01-01")},
		{name: "last key ascending, issued before", sorts: []store.Sort{{Field: "closeDate", Desc: true}, {Field: "stage"}},
			cursor: old("closeDate:desc,stage", "2026-01-01", "new")},
		{name: "no order, issued before", cursor: old("")},
		{name: "another order", sorts: []store.Sort{{Field: "amount", Desc: true}},
			cursor: old("closeDate:desc", "2026-01-01"), key: "query.cursorOtherOrder"},
		{name: "descending cursor of today under the ascending order", sorts: []store.Sort{{Field: "closeDate"}},
			cursor: encodeCursor([]store.Sort{{Field: "closeDate", Desc: true}}, &store.Record{ID: "d1"}), key: "query.cursorOtherOrder"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			pos, err := decodeCursor(s.cursor, s.sorts)
			if s.key == "" {
				require.NoError(t, err)
				assert.Equal(t, "d1", pos.ID)
				return
			}
			require.ErrorIs(t, err, ErrBadRequest)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, s.key, string(e.Key))
		})
	}
}
