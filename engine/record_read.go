package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// GetRecord returns one record, or a NOT_FOUND error if the actor's tenant
// has no such record (a record of another tenant is indistinguishable from
// one that does not exist).
func (e *Engine) GetRecord(ctx context.Context, object, id string) (store.Record, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return store.Record{}, err
	}
	ts, obj, rules := sc.ts, sc.obj, sc.rules
	rec, err := ts.Get(ctx, obj, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Record{}, notFound(obj, id, err)
	}
	if err != nil {
		return store.Record{}, fmt.Errorf("get %s record %q: %w", object, id, err)
	}
	if !rules.Sees(&rec) {
		return store.Record{}, notFound(obj, id, nil)
	}
	return rules.ShowOne(rec), nil
}

// GetRecords returns the records that exist among ids, in no particular
// order. It serves batched relation look-ups. fields, when not nil, names
// the data fields the caller reads (as [ListQuery.Fields]): the records
// may lack the others.
func (e *Engine) GetRecords(ctx context.Context, object string, ids []string, fields []string) ([]store.Record, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return nil, err
	}
	ts, obj, rules := sc.ts, sc.obj, sc.rules
	recs, err := ts.GetFields(ctx, obj, ids, fields)
	if err != nil {
		return nil, fmt.Errorf("get %d %s records: %w", len(ids), object, queryFailed(obj, err))
	}
	return rules.Show(recs), nil
}

// ListRecords returns one page of an object's records.
func (e *Engine) ListRecords(ctx context.Context, object string, q ListQuery) (*ListResult, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return nil, err
	}
	a, ts, snap, obj, rules := sc.actor, sc.ts, sc.snap, sc.obj, sc.rules
	if q, err = e.applyView(ctx, ts, snap, a, obj, q); err != nil {
		return nil, err
	}
	if err := rules.check(q.Filter, q.Sort); err != nil {
		return nil, err
	}
	q.Filter = rules.Scope(q.Filter)
	res, err := list(ctx, ts, obj, q)
	if err != nil {
		return nil, err
	}
	res.Records = rules.Show(res.Records)
	return res, nil
}

// ListRelated returns, for each parent id, one page of the records of
// object whose lookup or multilookup field refers to that parent. The
// query's filter, order and page apply to each parent separately.
func (e *Engine) ListRelated(ctx context.Context, object, field string, parentIDs []string, q ListQuery) (map[string]*ListResult, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return nil, err
	}
	ts, obj, rules := sc.ts, sc.obj, sc.rules
	if err := rules.check(q.Filter, q.Sort); err != nil {
		return nil, err
	}
	if rules.Hides(field) {
		return nil, rules.check(&store.Filter{Field: field, Op: store.OpEq}, nil)
	}
	f := obj.Field(field)
	if f == nil || (f.Kind() != schema.KindLookup && f.Kind() != schema.KindLookupList) {
		return nil, errorOf(ErrBadRequest, nil, "record.notLookupField", object, field)
	}
	out := make(map[string]*ListResult, len(parentIDs))
	for _, pid := range parentIDs {
		if _, done := out[pid]; done {
			continue
		}
		pq := q
		leaf := store.Leaf(field, store.OpEq, pid)
		if q.Filter != nil {
			pq.Filter = &store.Filter{And: []store.Filter{leaf, *q.Filter}}
		} else {
			pq.Filter = &leaf
		}
		pq.Filter = rules.Scope(pq.Filter)
		res, err := list(ctx, ts, obj, pq)
		if err != nil {
			return nil, err
		}
		res.Records = rules.Show(res.Records)
		out[pid] = res
	}
	return out, nil
}

// CountRecords counts the records matching a filter (nil: all).
func (e *Engine) CountRecords(ctx context.Context, object string, filter *store.Filter) (int64, error) {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return 0, err
	}
	ts, obj, rules := sc.ts, sc.obj, sc.rules
	if err := rules.check(filter, nil); err != nil {
		return 0, err
	}
	f, err := normalizeFilter(obj, rules.Scope(filter))
	if err != nil {
		return 0, err
	}
	n, err := ts.Count(ctx, obj, f)
	if err != nil {
		return 0, queryFailed(obj, err)
	}
	return n, nil
}

func list(ctx context.Context, r store.Reader, obj *schema.Object, q ListQuery) (*ListResult, error) {
	first := q.First
	if first == 0 {
		first = DefaultPageSize
	}
	if first < 1 || first > MaxPageSize {
		return nil, errorOf(ErrBadRequest, nil, "page.firstOutOfRangeGot", MaxPageSize, first)
	}
	filter, err := normalizeFilter(obj, q.Filter)
	if err != nil {
		return nil, err
	}
	sq := store.Query{Filter: filter, Sort: q.Sort, Limit: first, Fields: withSortFields(q.Fields, q.Sort)}
	if q.After != "" {
		if sq.After, err = decodeCursor(q.After, q.Sort); err != nil {
			return nil, err
		}
	}
	page, err := r.Find(ctx, obj, sq)
	if err != nil {
		return nil, queryFailed(obj, err)
	}
	res := &ListResult{Records: page.Records, HasNextPage: page.HasMore}
	order := orderKey(q.Sort)
	if q.NoCursors {
		if n := len(page.Records); n > 0 {
			res.EndCursor = cursorOf(order, q.Sort, &page.Records[n-1])
		}
	} else {
		res.Cursors = make([]string, len(page.Records))
		for i := range page.Records {
			res.Cursors[i] = cursorOf(order, q.Sort, &page.Records[i])
		}
		if n := len(res.Cursors); n > 0 {
			res.EndCursor = res.Cursors[n-1]
		}
	}
	if q.WithTotal {
		if res.Total, err = r.Count(ctx, obj, filter); err != nil {
			return nil, queryFailed(obj, err)
		}
	}
	return res, nil
}

// withSortFields is fields with the data fields of sorts added (the
// cursors of a page are made of its records' sort values); nil stays nil.
func withSortFields(fields []string, sorts []store.Sort) []string {
	if fields == nil {
		return nil
	}
	out := fields
	for _, s := range sorts {
		base, _, _ := strings.Cut(s.Field, ".")
		if store.IsSystemField(base) || slices.Contains(out, base) {
			continue
		}
		if len(out) == len(fields) {
			out = slices.Clone(fields)
		}
		out = append(out, base)
	}
	return out
}

// normalizeFilter returns a copy of f whose datetime values are in the
// stored form, so that text comparison in the store is time comparison.
func normalizeFilter(obj *schema.Object, f *store.Filter) (*store.Filter, error) {
	if f == nil {
		return nil, nil
	}
	out := *f
	if f.IsLeaf() {
		if field := obj.Field(f.Field); field != nil && field.Format != "" {
			out.Value = canonicalFilterValue(field, f.Op, f.Value)
		}
		if !isDateTimeField(obj, f.Field) || f.Op == store.OpIsNull {
			return &out, nil
		}
		v, err := normalizeTimeValue(f.Field, f.Value)
		if err != nil {
			return nil, err
		}
		out.Value = v
		return &out, nil
	}
	out.And, out.Or = nil, nil
	for _, sub := range f.And {
		n, err := normalizeFilter(obj, &sub)
		if err != nil {
			return nil, err
		}
		out.And = append(out.And, *n)
	}
	for _, sub := range f.Or {
		n, err := normalizeFilter(obj, &sub)
		if err != nil {
			return nil, err
		}
		out.Or = append(out.Or, *n)
	}
	if f.Not != nil {
		n, err := normalizeFilter(obj, f.Not)
		if err != nil {
			return nil, err
		}
		out.Not = n
	}
	return &out, nil
}

// canonicalFilterValue writes the value of an equality (or in) condition
// on a field with a canonical format the way values of that field are
// stored, so that "+86 138 0013 8000" finds 13800138000.
func canonicalFilterValue(f *schema.Field, op store.Op, v any) any {
	switch op {
	case store.OpEq, store.OpNe:
		return schema.CanonicalValue(f, v)
	case store.OpIn, store.OpNin:
		if l, ok := v.([]any); ok {
			out := make([]any, len(l))
			for i, el := range l {
				out[i] = schema.CanonicalValue(f, el)
			}
			return out
		}
	}
	return v
}

func isDateTimeField(obj *schema.Object, name string) bool {
	if name == "createdAt" || name == "updatedAt" {
		return true
	}
	f := obj.Field(name)
	return f != nil && f.Kind() == schema.KindDateTime
}

func normalizeTimeValue(field string, v any) (any, error) {
	switch x := v.(type) {
	case string:
		t, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return nil, errorOf(ErrBadRequest, nil, "record.filterNotDateTime", field, x)
		}
		return t.UTC().Format(schema.DateTimeLayout), nil
	case time.Time:
		return x.UTC().Format(schema.DateTimeLayout), nil
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			n, err := normalizeTimeValue(field, el)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	}
	return v, nil
}

// readScope resolves what a read needs: the caller's scope (the actor must
// be allowed to read the object), the object and what the actor may see of
// it.
func (e *Engine) readScope(ctx context.Context, name string) (objectScope, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return objectScope{}, err
	}
	obj, err := objectIn(sc.snap.catalog, name)
	if err != nil {
		return objectScope{}, err
	}
	if err := sc.snap.mayDo(sc.actor, obj, "read"); err != nil {
		return objectScope{}, err
	}
	return objectScope{scope: sc, obj: obj, rules: sc.snap.readRules(sc.actor, obj)}, nil
}

func notFound(obj *schema.Object, id string, cause error) error {
	return errorOf(ErrNotFound, cause, "record.notFound", obj.Name, id, labelZh(obj))
}

// queryFailed turns a store query error into a BAD_REQUEST that says what
// was wrong, and wraps anything else.
func queryFailed(obj *schema.Object, err error) error {
	var qe *store.QueryError
	if errors.As(err, &qe) {
		msg := qe.Message
		if qe.Field != "" {
			msg = fmt.Sprintf("%s: %s", qe.Field, qe.Message)
		}
		return errorOf(ErrBadRequest, err, "query.invalid", obj.Name, msg)
	}
	return fmt.Errorf("query %s records: %w", obj.Name, err)
}

// fieldLabels are a field's Chinese and English labels, each its API
// name when missing, for messages to business users.
func fieldLabels(f *schema.Field) (zh, en string) {
	zh, en = f.Label.Zh, f.Label.En
	if zh == "" {
		zh = f.Name
	}
	if en == "" {
		en = f.Name
	}
	return zh, en
}

func labelZh(obj *schema.Object) string {
	if obj.Label.Zh != "" {
		return obj.Label.Zh
	}
	return obj.Name
}
