package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// getManyChunk is how many ids one IN list of GetMany holds.
const getManyChunk = 1000

// cachedGetMany is how many ids an IN list of GetMany may hold to be
// prepared once and kept (the statement cache): the lookups a write
// checks name one or a few records, and preparing the statement cost
// more than running it (a sixth of a bulk create).
const cachedGetMany = 8

// records implements [store.Reader] over a pool (outside transactions) or
// a transaction (so that reads see its writes).
type records struct {
	q     querier
	stmts *stmtCache // prepared on q
	// detached: q is a batch's transaction (writer.go), whose statements
	// must not get their context's cancellation.
	detached bool
}

// exec runs a statement of fixed text through the statement cache.
func (r records) exec(ctx context.Context, text string, args ...any) (sql.Result, error) {
	if r.detached {
		ctx = detach(ctx)
	}
	s, err := r.stmts.get(ctx, text)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

// queryRow runs a query of fixed text through the statement cache.
func (r records) queryRow(ctx context.Context, text string, args ...any) scanner {
	if r.detached {
		ctx = detach(ctx)
	}
	s, err := r.stmts.get(ctx, text)
	if err != nil {
		return errScanner{err}
	}
	return s.QueryRowContext(ctx, args...)
}

// pointRow is queryRow for a read of one row by its key, which is short
// and bounded: it runs without ctx's cancellation (a ctx already done is
// still refused), as a cancellable query costs two goroutines that watch
// the context (database/sql's and the driver's), a tenth of the CPU of a
// get by id over HTTP. A wait for a free reader connection is not
// cancelled either; it lasts as long as the reads that hold them, which
// end with their own contexts.
func (r records) pointRow(ctx context.Context, text string, args ...any) scanner {
	r.detached = true
	return r.queryRow(ctx, text, args...)
}

type errScanner struct{ err error }

func (e errScanner) Scan(...any) error { return e.err }

// Get implements [store.Reader].
func (r records) Get(ctx context.Context, obj *schema.Object, id string) (store.Record, error) {
	if err := store.CheckObjectName(obj.Name); err != nil {
		return store.Record{}, fmt.Errorf("get record %q: %w", id, err)
	}
	rec, err := r.scanRecord(ctx, r.pointRow(ctx, getStatement(obj.Name), id), len(obj.Fields))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Record{}, fmt.Errorf("get %s record %q: %w", obj.Name, id, store.ErrNotFound)
	}
	if err != nil {
		return store.Record{}, fmt.Errorf("get %s record %q: %w", obj.Name, id, readError(ctx, r.q, obj.Name, err))
	}
	return rec, nil
}

// getTexts holds the text of [records.Get]'s statement by object name, at
// most maxGetTexts of them (names past that are rendered each time): the
// text is the key of the statement cache, and rendering it took three
// allocations a get.
var getTexts struct {
	sync.RWMutex
	byObject map[string]string
}

const maxGetTexts = 4096

func getStatement(object string) string {
	getTexts.RLock()
	text, ok := getTexts.byObject[object]
	getTexts.RUnlock()
	if ok {
		return text
	}
	text = "SELECT " + recordColumns + " FROM " + quotedTable(object) + " WHERE id = ?"
	getTexts.Lock()
	if getTexts.byObject == nil {
		getTexts.byObject = map[string]string{}
	}
	if len(getTexts.byObject) < maxGetTexts {
		getTexts.byObject[object] = text
	}
	getTexts.Unlock()
	return text
}

// GetMany implements [store.Reader].
func (r records) GetMany(ctx context.Context, obj *schema.Object, ids []string) ([]store.Record, error) {
	return r.GetFields(ctx, obj, ids, nil)
}

// GetFields implements [store.Reader].
func (r records) GetFields(ctx context.Context, obj *schema.Object, ids []string, fields []string) ([]store.Record, error) {
	if err := store.CheckObjectName(obj.Name); err != nil {
		return nil, fmt.Errorf("get records: %w", err)
	}
	fields, err := store.PlanFields(obj, fields)
	if err != nil {
		return nil, fmt.Errorf("get %s records: %w", obj.Name, err)
	}
	uniq := make([]any, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	out := make([]store.Record, 0, len(uniq))
	for start := 0; start < len(uniq); start += getManyChunk {
		chunk := uniq[start:min(start+getManyChunk, len(uniq))]
		q := "SELECT " + recordColumns + " FROM " + quotedTable(obj.Name) +
			" WHERE id IN (?" + strings.Repeat(", ?", len(chunk)-1) + ")"
		query := r.query
		if len(chunk) <= cachedGetMany && fields == nil {
			query = r.queryCached
		} else if r.stmts.keepVarying(q) {
			query = r.queryCached
		}
		recs, err := query(ctx, obj, q, chunk, fields, len(chunk))
		if err != nil {
			return nil, fmt.Errorf("get %s records: %w", obj.Name, err)
		}
		out = append(out, recs...)
	}
	return out, nil
}

// Find implements [store.Reader].
func (r records) Find(ctx context.Context, obj *schema.Object, q store.Query) (store.Page, error) {
	if err := store.CheckObjectName(obj.Name); err != nil {
		return store.Page{}, fmt.Errorf("find records: %w", err)
	}
	p, err := store.PlanQuery(obj, q)
	if err != nil {
		return store.Page{}, fmt.Errorf("find %s records: %w", obj.Name, err)
	}
	text, args, err := r.findStatement(ctx, obj, p)
	if err != nil {
		return store.Page{}, fmt.Errorf("find %s records: %w", obj.Name, err)
	}
	query := r.query
	if r.stmts.keepVarying(text) {
		query = r.queryCached
	}
	recs, err := query(ctx, obj, text, args, p.Fields, p.Limit+1)
	if err != nil {
		return store.Page{}, fmt.Errorf("find %s records: %w", obj.Name, err)
	}
	return p.Page(recs), nil
}

// findStatement renders p, walking the index of its order unless its
// range probe ([rangeProbe]) finds fewer than [walkBelow] records in a
// range that another index serves. A probe's answer is kept for a while
// ([walkCache]): it changes how the page is read, not what it holds.
func (r records) findStatement(ctx context.Context, obj *schema.Object, p *store.Plan) (string, []any, error) {
	walk := true
	if probe, args, ok := rangeProbe(obj, p); ok {
		key, keep := probeKey(probe, args)
		now := time.Now()
		var known bool
		if keep {
			walk, known = r.stmts.walks.get(key, now)
		}
		if !known {
			var n int
			if err := r.queryVarying(ctx, probe, args).Scan(&n); err != nil {
				return "", nil, readError(ctx, r.q, obj.Name, err)
			}
			walk = n >= walkBelow
			if keep {
				r.stmts.walks.put(key, walk, now)
			}
		}
	}
	text, args := findStatement(obj, p, walk)
	return text, args, nil
}

// varyingStmts bounds how many statements of varying text (pages, with
// their filters' shapes, and reads of many ids) a statement cache keeps
// prepared, beside those of fixed text: preparing a page's statement was
// an eighth of its CPU, and a client sending ever new filter shapes must
// not grow the cache without end. Past the bound, statements are
// prepared for each use as before. Each kept statement holds a few KiB
// on each connection that has run it.
const varyingStmts = 64

// keepVarying tells whether the statement of varying text is, or may be,
// kept in c, and counts it if it is new.
func (c *stmtCache) keepVarying(text string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m[text] != nil {
		return true
	}
	if c.varying >= varyingStmts {
		return false
	}
	// Counted now, kept by get: two callers racing on one text count it
	// twice, which only makes the bound a little tighter.
	c.varying++
	return true
}

// queryVarying runs a query of varying text returning one row, through
// the statement cache while it has room for it.
func (r records) queryVarying(ctx context.Context, text string, args []any) scanner {
	if r.stmts.keepVarying(text) {
		return r.queryRow(ctx, text, args...)
	}
	return r.q.QueryRowContext(ctx, text, args...)
}

// Count implements [store.Reader].
func (r records) Count(ctx context.Context, obj *schema.Object, f *store.Filter) (int64, error) {
	if err := store.CheckObjectName(obj.Name); err != nil {
		return 0, fmt.Errorf("count records: %w", err)
	}
	text, args, err := buildCount(obj, f)
	if err != nil {
		return 0, fmt.Errorf("count %s records: %w", obj.Name, err)
	}
	var n int64
	if err := r.q.QueryRowContext(ctx, text, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s records: %w", obj.Name, readError(ctx, r.q, obj.Name, err))
	}
	return n, nil
}

// Sum implements [store.Summer]: total() over the JSON value, which never
// overflows and ignores records without one; count() tells whether any
// record had one.
func (r records) Sum(ctx context.Context, obj *schema.Object, f *store.Filter, field string) (float64, bool, error) {
	if err := store.CheckObjectName(obj.Name); err != nil {
		return 0, false, fmt.Errorf("sum records: %w", err)
	}
	text, args, err := buildSum(obj, f, field)
	if err != nil {
		return 0, false, fmt.Errorf("sum %s.%s: %w", obj.Name, field, err)
	}
	var n int64
	if scale := obj.Field(field).SumScale(); scale > 0 {
		var units int64
		if err := r.q.QueryRowContext(ctx, text, args...).Scan(&units, &n); err != nil {
			if overflowed(err) {
				return 0, false, fmt.Errorf("sum %s.%s: %w", obj.Name, field, store.SumOverflow(field, scale))
			}
			return 0, false, fmt.Errorf("sum %s.%s: %w", obj.Name, field, readError(ctx, r.q, obj.Name, err))
		}
		return store.MoneyValue(units, scale), n > 0, nil
	}
	var sum float64
	if err := r.q.QueryRowContext(ctx, text, args...).Scan(&sum, &n); err != nil {
		return 0, false, fmt.Errorf("sum %s.%s: %w", obj.Name, field, readError(ctx, r.q, obj.Name, err))
	}
	return sum, n > 0, nil
}

// query runs a read of records (recordColumns), decoding fields of their
// data (nil: every field). want is how many records it is likely to
// return, at most (0: not known).
func (r records) query(ctx context.Context, obj *schema.Object, text string, args []any, fields []string, want int) ([]store.Record, error) {
	rows, err := r.q.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, readError(ctx, r.q, obj.Name, err)
	}
	return r.scanRecords(ctx, rows, fields, want)
}

// queryCached is query through the statement cache, for texts of which
// there are few.
func (r records) queryCached(ctx context.Context, obj *schema.Object, text string, args []any, fields []string, want int) ([]store.Record, error) {
	if r.detached {
		ctx = detach(ctx)
	}
	s, err := r.stmts.get(ctx, text)
	if err != nil {
		return nil, readError(ctx, r.q, obj.Name, err)
	}
	rows, err := s.QueryContext(ctx, args...)
	if err != nil {
		return nil, readError(ctx, r.q, obj.Name, err)
	}
	return r.scanRecords(ctx, rows, fields, want)
}

// renderData has SQLite render a record's data column as JSON text
// (json(?)), for the values decodeJSONB does not take: reads selected
// json(data) before, and such values decode as they did.
func (r records) renderData(ctx context.Context, raw any) (string, error) {
	var text string
	if err := r.queryRow(ctx, "SELECT json(?)", raw).Scan(&text); err != nil {
		return "", fmt.Errorf("render data: %w", err)
	}
	return text, nil
}

// scanRecords reads every record of rows (recordColumns), decoding
// fields of their data (nil: every field), and closes them. want is how
// many records rows likely hold, at most (0: not known); more are read
// if there are more. The data that decodeJSONB does not take is rendered
// by SQLite (renderData) once rows are closed.
func (r records) scanRecords(ctx context.Context, rows *sql.Rows, fields []string, want int) ([]store.Record, error) {
	defer rows.Close()
	// Note: a page of 50 allocated its records' slice seven times over as
	// it grew, and each row's columns and their pointers once more (Scan
	// takes them as interfaces): one slice of the size asked for, and one
	// set of columns for every row.
	out := make([]store.Record, 0, min(max(want, 0), maxWant))
	var row recordRow
	dest := row.dest()
	// The records of one read are mostly of one shape: each one's map is
	// made the size of the last one's, rather than grown from empty as it
	// fills (growing a map of 15 fields was a tenth of a page's CPU in the
	// store).
	size := 0
	var unread []unreadData
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		rec, ok := row.record(fields, size)
		if !ok {
			unread = append(unread, unreadData{i: len(out), raw: row.data.v})
		} else {
			size = len(rec.Data)
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, store.ContextError(ctx, err)
	}
	if len(unread) > 0 {
		_ = rows.Close() // the connection is free for render
		for _, u := range unread {
			var err error
			if out[u.i].Data, err = r.renderedData(ctx, u.raw, fields, size); err != nil {
				return nil, fmt.Errorf("read record %q: %w", out[u.i].ID, err)
			}
		}
	}
	return out, nil
}

// unreadData is a row's data column that decodeJSONB did not take.
type unreadData struct {
	i   int // of the record
	raw any
}

// renderedData decodes raw as decoding json(raw) does.
func (r records) renderedData(ctx context.Context, raw any, fields []string, size int) (map[string]any, error) {
	text, err := r.renderData(ctx, raw)
	if err != nil {
		return nil, err
	}
	data, err := decodeDataText(text, fields, size)
	if err != nil {
		return nil, fmt.Errorf("decode data: %w", err)
	}
	if data == nil {
		data = map[string]any{}
	}
	return data, nil
}

// maxWant bounds the records' slice made before any is read.
const maxWant = 1024

type scanner interface {
	Scan(dest ...any) error
}

// recordRow holds the columns of one row of recordColumns.
type recordRow struct {
	rec              store.Record
	created, updated int64
	data             dataColumn
}

// dataColumn holds the data column as the driver gives it: a record's
// JSONB as a []byte that the driver made for this row alone (modernc.org/sqlite
// copies every blob it returns; TestScanRecords_KeepsBlobs holds it to
// that), which decoded strings then share.
type dataColumn struct{ v any }

// Scan implements [sql.Scanner].
func (c *dataColumn) Scan(src any) error {
	c.v = src
	return nil
}

// dest returns the pointers Scan fills, in the order of recordColumns.
func (r *recordRow) dest() []any {
	return []any{&r.rec.ID, &r.rec.Version, &r.created, &r.updated, &r.rec.CreatedBy, &r.rec.UpdatedBy, &r.rec.OwnerID, &r.data}
}

// record returns the record of the row scanned last, decoding only
// fields of its data (nil: every field) into a map made for size fields.
// ok is false when decodeJSONB did not take the data: rec.Data is then
// nil, to be rendered by SQLite.
func (r *recordRow) record(fields []string, size int) (rec store.Record, ok bool) {
	rec = r.rec
	rec.CreatedAt, rec.UpdatedAt = loadTime(r.created), loadTime(r.updated)
	blob, isBlob := r.data.v.([]byte)
	if !isBlob {
		return rec, false
	}
	if rec.Data, ok = decodeJSONB(blob, fields, size); !ok {
		return rec, false
	}
	return rec, true
}

// scanRecord reads a record of recordColumns, its data in a map made for
// size fields (the object's: a map grown from empty to fifteen fields was
// made three times), data that decodeJSONB does not take rendered as in
// scanRecords.
func (r records) scanRecord(ctx context.Context, s scanner, size int) (store.Record, error) {
	var row recordRow
	if err := s.Scan(row.dest()...); err != nil {
		return store.Record{}, err
	}
	rec, ok := row.record(nil, size)
	if !ok {
		var err error
		if rec.Data, err = r.renderedData(ctx, row.data.v, nil, size); err != nil {
			return store.Record{}, fmt.Errorf("read record %q: %w", rec.ID, err)
		}
	}
	return rec, nil
}

// encodeData turns record data into what jsonb(?) stores: the JSONB blob
// itself (appendJSONB), which jsonb() keeps as it is, so that SQLite need
// not parse JSON text on the writer connection; the JSON text only for
// data holding a value appendJSONB does not encode (errNotJSONB), which
// jsonb() turns into the same blob.
func encodeData(data map[string]any) (any, error) {
	if data == nil {
		data = map[string]any{}
	}
	b, err := appendJSONB(make([]byte, 0, 256), data)
	if err == nil {
		return b, nil
	}
	if !errors.Is(err, errNotJSONB) {
		return nil, fmt.Errorf("encode data: %w", err)
	}
	if b, err = appendJSON(make([]byte, 0, 256), data); err != nil {
		return nil, fmt.Errorf("encode data: %w", err)
	}
	return string(b), nil
}
