package graphql

import (
	"encoding/json"
	"math"
	"time"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Values that resolvers hand to the resolvers of the next level.

// recordValue is one record of an object. Records fetched together share a
// group, through which their relations are loaded in batches.
type recordValue struct {
	obj *objectModel
	rec store.Record
	grp *group
}

// connValue is one page of records.
type connValue struct {
	obj   *objectModel
	res   *engine.ListResult
	nodes []any // *recordValue
	// scope is the query whose every match the connection stands for
	// (filter and view, with the parent or stage it is limited to): what
	// sum adds up. Nil for a connection without one.
	scope *engine.ListQuery
	// hasPrev: the page was asked for with after, so records precede it.
	hasPrev bool
}

type edgeValue struct {
	cursor string
	node   *recordValue
}

type pageInfoValue struct {
	hasNext, hasPrev bool
	start, end       string
}

// pageInfoOf describes a page (Relay's PageInfo).
func pageInfoOf(res *engine.ListResult, hasPrev bool) *pageInfoValue {
	p := &pageInfoValue{hasNext: res.HasNextPage, hasPrev: hasPrev, end: res.EndCursor}
	if len(res.Cursors) > 0 {
		p.start = res.Cursors[0]
	}
	return p
}

// objectDefValue is an object definition, with its provenance when it
// comes from the history.
type objectDefValue struct {
	obj     *schema.Object
	version int64
	savedAt string
	savedBy string
}

// newConn wraps a page; its records join grp.
func newConn(obj *objectModel, res *engine.ListResult, grp *group) *connValue {
	if res == nil {
		res = &engine.ListResult{}
	}
	c := &connValue{obj: obj, res: res, nodes: make([]any, len(res.Records))}
	for i, rv := range grp.addAll(obj, res.Records) {
		c.nodes[i] = rv
	}
	return c
}

// Conversions from stored data (decoded JSON) to response values. A value
// of the wrong shape is null: data written under an older definition must
// not break reading.

// outString returns v if it is a string. Values are returned as they
// came, not converted back into a new interface value, which would copy
// the string's header into a new allocation (one per field of a page).
func outString(v any) any {
	if _, ok := v.(string); ok {
		return v
	}
	return nil
}

func outFloat(v any) any {
	if _, ok := v.(float64); ok {
		return v // as it came (see outString)
	}
	if f, ok := toFloat64(v); ok {
		return f
	}
	return nil
}

func outInt(v any) any {
	n, ok := toInt64(v)
	if !ok || n < math.MinInt32 || n > math.MaxInt32 {
		return nil
	}
	return n
}

func outBool(v any) any {
	if b, ok := v.(bool); ok {
		return b
	}
	return nil
}

func outDate(v any) any {
	s, ok := v.(string)
	if !ok || !isDate(s) {
		return nil
	}
	return v
}

// isDate reports whether s is a date of schema.DateLayout (YYYY-MM-DD,
// a day that exists), as time.Parse would accept it, without its
// general parser: a page of 50 records with a date field parsed 50 of
// them.
func isDate(s string) bool {
	if len(s) != len(schema.DateLayout) || s[4] != '-' || s[7] != '-' {
		return false
	}
	num := func(part string) (int, bool) {
		n := 0
		for i := 0; i < len(part); i++ {
			c := part[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, okY := num(s[:4])
	month, okM := num(s[5:7])
	day, okD := num(s[8:])
	if !okY || !okM || !okD || month < 1 || month > 12 || day < 1 {
		return false
	}
	// The last day of the month: day 0 of the next one.
	return day <= time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func outDateTime(v any) any {
	switch v := v.(type) {
	case string:
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return nil
		}
		return t.UTC().Format(schema.DateTimeLayout)
	case time.Time:
		return v.UTC().Format(schema.DateTimeLayout)
	}
	return nil
}

func outStringList(v any) any {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil
			}
			out[i] = s
		}
		return out
	case []string:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out
	}
	return nil
}

func outJSON(v any) any {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return json.RawMessage(b)
}

// idList returns the ids of a multilookup value, skipping what is not a
// non-empty string.
func idList(v any) []string {
	switch v := v.(type) {
	case []any:
		ids := make([]string, 0, len(v))
		for _, item := range v {
			if s, ok := item.(string); ok && s != "" {
				ids = append(ids, s)
			}
		}
		return ids
	case []string:
		return v
	}
	return nil
}

func clampInt32(n int64) int64 {
	switch {
	case n > math.MaxInt32:
		return math.MaxInt32
	case n < math.MinInt32:
		return math.MinInt32
	}
	return n
}

func formatTime(t time.Time) string { return t.UTC().Format(schema.DateTimeLayout) }
