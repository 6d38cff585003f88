package engine

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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

// orderKey names the order sorts in a cursor. An order whose ties follow
// by id descending ([store.TieDesc]) ends in ",id:desc": such ties
// followed by id ascending before (docs/decisions.md, "Paging"), so a
// cursor issued then names the order without it, and decodeCursor
// refuses it rather than page from it in the other direction.
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
	if store.TieDesc(sorts) {
		b.WriteString(tieDescKey)
	}
	return b.String()
}

// tieDescKey ends the orderKey of an order whose ties are descending.
const tieDescKey = ",id:desc"

func encodeCursor(sorts []store.Sort, rec *store.Record) string {
	return cursorOf(orderKey(sorts), sorts, rec)
}

// cursorOf is the cursor of rec in the order sorts, whose orderKey is
// order (a page computes it once for its records).
func cursorOf(order string, sorts []store.Sort, rec *store.Record) string {
	var values [4]any
	c := cursor{Order: order, Values: values[:0], ID: rec.ID}
	if len(sorts) > len(values) {
		c.Values = make([]any, 0, len(sorts))
	}
	for _, s := range sorts {
		v, ok := rec.Value(s.Field)
		if !ok {
			v = nil
		}
		if t, isTime := v.(time.Time); isTime {
			v = t.UTC().Format(store.TimeLayout)
		}
		c.Values = append(c.Values, v)
	}
	var buf [256]byte
	b, ok := appendCursorJSON(buf[:0], &c)
	if !ok {
		b, _ = json.Marshal(c) // values come from decoded JSON: always marshalable
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// appendCursorJSON appends c as json.Marshal writes it, without its
// reflection and allocations (a page of 50 records has 50 cursors); ok
// is false for a value it does not write the same way (a string that
// needs escaping, a number not a float64), which json.Marshal then
// writes.
func appendCursorJSON(b []byte, c *cursor) ([]byte, bool) {
	var ok bool
	b = append(b, `{"o":`...)
	if b, ok = appendPlainString(b, c.Order); !ok {
		return nil, false
	}
	b = append(b, `,"v":[`...)
	for i, v := range c.Values {
		if i > 0 {
			b = append(b, ',')
		}
		switch v := v.(type) {
		case nil:
			b = append(b, "null"...)
		case bool:
			b = strconv.AppendBool(b, v)
		case string:
			if b, ok = appendPlainString(b, v); !ok {
				return nil, false
			}
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, false
			}
			format := byte('f')
			if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
				format = 'e'
			}
			b = strconv.AppendFloat(b, v, format, -1, 64)
			if format == 'e' {
				// e-07 → e-7, as encoding/json writes it.
				if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
					b[n-2] = b[n-1]
					b = b[:n-1]
				}
			}
		default:
			return nil, false
		}
	}
	b = append(b, `],"id":`...)
	if b, ok = appendPlainString(b, c.ID); !ok {
		return nil, false
	}
	return append(b, '}'), true
}

// appendPlainString appends s quoted when encoding/json would write it
// unescaped: printable ASCII but for the quote, the backslash and the
// HTML characters it escapes, and valid UTF-8 beyond ASCII but for U+2028
// and U+2029. ok is false for any other string.
func appendPlainString(b []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return nil, false
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && w == 1) || r == '\u2028' || r == '\u2029' {
			return nil, false
		}
		i += w
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), true
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
	if order := orderKey(sorts); c.Order != order || len(c.Values) != len(sorts) {
		if c.Order+tieDescKey == order {
			// Issued when the ties of this order followed by id
			// ascending: its position means another place now.
			return nil, errorOf(ErrBadRequest, nil, "query.cursorOldTies")
		}
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
