package engine

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/crmkit/crm/store"
)

// cursor is the decoded form of the opaque page cursor: the position of a
// record in one particular order. The order is part of the cursor so that
// a cursor cannot be replayed against another order; the tenant scope is
// applied by the store, so a cursor forged from another tenant's values
// only positions a query over the caller's own records (T3).
type cursor struct {
	Order  string `json:"o"`
	Values []any  `json:"v"`
	ID     string `json:"id"`
}

func orderKey(sorts []store.Sort) string {
	var b strings.Builder
	for i, s := range sorts {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s.Field)
		if s.Desc {
			b.WriteString(":desc")
		}
	}
	return b.String()
}

func encodeCursor(sorts []store.Sort, rec *store.Record) string {
	c := cursor{Order: orderKey(sorts), Values: make([]any, len(sorts)), ID: rec.ID}
	for i, s := range sorts {
		v, ok := rec.Value(s.Field)
		if !ok {
			continue
		}
		if t, isTime := v.(time.Time); isTime {
			v = t.UTC().Format(store.TimeLayout)
		}
		c.Values[i] = v
	}
	b, _ := json.Marshal(c) // values come from decoded JSON: always marshalable
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string, sorts []store.Sort) (*store.Position, error) {
	if len(s) > 4096 {
		return nil, errorOf(ErrBadRequest, nil, "query.cursorTooLong")
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errorOf(ErrBadRequest, nil, "query.cursorForeign")
	}
	var c cursor
	if err := json.Unmarshal(raw, &c); err != nil || c.ID == "" {
		return nil, errorOf(ErrBadRequest, nil, "query.cursorForeign")
	}
	if c.Order != orderKey(sorts) || len(c.Values) != len(sorts) {
		return nil, errorOf(ErrBadRequest, nil, "query.cursorOtherOrder")
	}
	for _, v := range c.Values {
		switch v.(type) {
		case nil, string, float64, bool:
		default:
			return nil, errorOf(ErrBadRequest, nil, "query.cursorForeign")
		}
	}
	return &store.Position{Values: c.Values, ID: c.ID}, nil
}
