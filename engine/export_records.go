package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// Exporting a list: the records a list query (a view, a filter, an order)
// gives the caller, as rows of cells people read, headed by the columns'
// labels: an option's label for its value, the title of the record a
// lookup names, a user's name for an owner, yes or no, date-times in the
// tenant's zone, an address as one line. Numbers stay numbers, so that a
// workbook can add them up. Roles and sharing apply as in lists: hidden
// fields are no columns, masked ones come masked.

// MaxExportRows bounds the records one export may write.
const MaxExportRows = 200_000

// exportPage is how many records an export reads at a time: a list's
// largest page, through the same keyset paging.
const exportPage = MaxPageSize

// ExportQuery asks for a list's records as rows.
type ExportQuery struct {
	// View, Filter and Sort select and order the records as a list's do.
	View   string
	Filter *store.Filter
	Sort   []store.Sort
	// Columns are the fields to write, in order ("" entries are not
	// allowed); empty takes the view's columns, else every field the
	// caller may read, then owner, createdAt and updatedAt.
	Columns []string
	// Lang is the language of labels: "zh" (the default) or "en".
	Lang string
}

// ExportHeader is an export's columns: the fields and their labels.
type ExportHeader struct {
	Columns []string
	Labels  []string
	// Rows is how many records the export writes.
	Rows int64
}

// ExportRecords writes the records q selects, one call of row per record
// in the list's order, each cell a string, a float64 or nil. It counts
// them first and refuses more than MaxExportRows with BAD_REQUEST, before
// start (which gets the header) or any row; an error of row stops it.
func (e *Engine) ExportRecords(ctx context.Context, object string, q ExportQuery, start func(ExportHeader) error, row func([]any) error) error {
	sc, err := e.readScope(ctx, object)
	if err != nil {
		return err
	}
	lq, err := e.applyView(ctx, sc.ts, sc.snap, sc.actor, sc.obj, ListQuery{View: q.View, Filter: q.Filter, Sort: q.Sort})
	if err != nil {
		return err
	}
	if err := sc.rules.check(lq.Filter, lq.Sort); err != nil {
		return err
	}
	columns := q.Columns
	if len(columns) == 0 && q.View != "" {
		if v, err := e.view(ctx, sc.ts, sc.snap, sc.actor, sc.obj, q.View); err == nil {
			columns = v.Columns
		}
	}
	x := &exporter{e: e, sc: sc.scope, obj: sc.obj, rules: sc.rules, lang: q.Lang, zone: sc.snap.zone()}
	if x.lang != "en" {
		x.lang = "zh"
	}
	if columns, err = x.columns(columns); err != nil {
		return err
	}
	lq.Filter = sc.rules.Scope(lq.Filter)
	filter, err := normalizeFilter(sc.obj, lq.Filter)
	if err != nil {
		return err
	}
	n, err := sc.ts.Count(ctx, sc.obj, filter)
	if err != nil {
		return queryFailed(sc.obj, err)
	}
	if n > MaxExportRows {
		return errorOf(ErrBadRequest, nil, "export.tooMany", n, MaxExportRows, sc.obj.Name, labelZh(sc.obj))
	}
	header := ExportHeader{Columns: columns, Labels: make([]string, len(columns)), Rows: n}
	for i, c := range columns {
		header.Labels[i] = x.label(c)
	}
	if err := start(header); err != nil {
		return err
	}
	lq.First = exportPage
	for {
		page, err := list(ctx, sc.ts, sc.obj, lq)
		if err != nil {
			return err
		}
		recs := sc.rules.Show(page.Records)
		titles, err := x.titles(ctx, columns, recs)
		if err != nil {
			return err
		}
		for _, r := range recs {
			cells := make([]any, len(columns))
			for i, c := range columns {
				cells[i] = x.cell(c, r, titles)
			}
			if err := row(cells); err != nil {
				return err
			}
		}
		if !page.HasNextPage {
			return nil
		}
		lq.After = page.EndCursor
	}
}

// exporter turns records into cells.
type exporter struct {
	e     *Engine
	sc    scope
	obj   *schema.Object
	rules *readRules
	lang  string
	zone  *time.Location
}

// exportSystem are the record's own columns an export may have.
var exportSystem = []string{"ownerId", "createdAt", "updatedAt", "createdBy", "updatedBy", "id"}

// system returns the record's own column c names ("owner" is ownerId),
// or "" when c is a field of the object (a field called owner is the
// field) or no such column.
func (x *exporter) system(c string) string {
	if x.obj.Field(c) != nil {
		return ""
	}
	if c == "owner" {
		c = "ownerId"
	}
	if slices.Contains(exportSystem, c) {
		return c
	}
	return ""
}

// columns checks the columns asked for, or picks them.
func (x *exporter) columns(asked []string) ([]string, error) {
	if len(asked) == 0 {
		for _, f := range x.obj.Fields {
			if f != nil && !f.Hidden && !x.rules.Hides(f.Name) {
				asked = append(asked, f.Name)
			}
		}
		return append(asked, "ownerId", "createdAt", "updatedAt"), nil
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(asked))
	for _, c := range asked {
		f := x.obj.Field(c)
		known := x.system(c) != "" || (f != nil && !f.Hidden && !x.rules.Hides(c))
		if !known {
			return nil, errorOf(ErrBadRequest, nil, "export.noSuchColumn", c, x.obj.Name, labelZh(x.obj))
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// systemLabels name the record's own columns.
var systemLabels = map[string]schema.Label{
	"ownerId":   {Zh: "负责人", En: "Owner"},
	"createdAt": {Zh: "创建时间", En: "Created at"},
	"updatedAt": {Zh: "更新时间", En: "Updated at"},
	"createdBy": {Zh: "创建人", En: "Created by"},
	"updatedBy": {Zh: "更新人", En: "Updated by"},
	"id":        {Zh: "记录ID", En: "ID"},
}

// label is a column's header.
func (x *exporter) label(c string) string {
	l := systemLabels[x.system(c)]
	if f := x.obj.Field(c); f != nil {
		l = f.Label
	}
	if x.lang == "en" && l.En != "" {
		return l.En
	}
	if l.Zh != "" {
		return l.Zh
	}
	return c
}

// titles reads the titles of the records the page's lookups name, per
// lookup column.
func (x *exporter) titles(ctx context.Context, columns []string, recs []store.Record) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, c := range columns {
		f := x.obj.Field(c)
		if f != nil && f.Type == schema.TypeFile {
			names, err := x.fileNames(ctx, c, recs)
			if err != nil {
				return nil, err
			}
			out[c] = names
			continue
		}
		if f == nil || (f.Kind() != schema.KindLookup && f.Kind() != schema.KindLookupList) {
			continue
		}
		seen := map[string]bool{}
		var ids []string
		for _, r := range recs {
			for _, id := range lookupIDs(r.Data[c]) {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
		titles, err := x.e.recordTitles(ctx, x.sc, f.Target, ids)
		if err != nil {
			return nil, err
		}
		out[c] = titles
	}
	return out, nil
}

// cell is the value of column c of r as people read it.
func (x *exporter) cell(c string, r store.Record, titles map[string]map[string]string) any {
	switch x.system(c) {
	case "ownerId":
		return x.principal(r.OwnerID)
	case "createdBy":
		return x.principal(r.CreatedBy)
	case "updatedBy":
		return x.principal(r.UpdatedBy)
	case "createdAt":
		return x.instant(r.CreatedAt)
	case "updatedAt":
		return x.instant(r.UpdatedAt)
	case "id":
		return r.ID
	}
	f := x.obj.Field(c)
	v, ok := r.Data[c]
	if !ok || v == nil {
		return nil
	}
	if s, ok := v.(string); ok && f.Type == schema.TypeUser {
		return x.sc.snap.userCell(s)
	}
	if f.Type == schema.TypeFile { // the files' names
		var names []string
		for _, id := range FileIDs(v) {
			if n := titles[c][id]; n != "" {
				names = append(names, n)
			}
		}
		return strings.Join(names, "、")
	}
	switch f.Kind() {
	case schema.KindNumber, schema.KindInteger:
		if n, ok := v.(float64); ok {
			return n
		}
	case schema.KindBoolean:
		if b, ok := v.(bool); ok {
			return x.pick(map[bool]schema.Label{true: {Zh: "是", En: "Yes"}, false: {Zh: "否", En: "No"}}[b])
		}
	case schema.KindDateTime:
		if s, ok := v.(string); ok {
			if t, err := time.Parse(schema.DateTimeLayout, s); err == nil {
				return x.instant(t)
			}
		}
	case schema.KindLookup, schema.KindLookupList:
		var names []string
		for _, id := range lookupIDs(v) {
			if t := titles[c][id]; t != "" {
				names = append(names, t)
			} else {
				names = append(names, id)
			}
		}
		return strings.Join(names, "、")
	case schema.KindString, schema.KindStringList:
		return x.options(f, v)
	case schema.KindAddress:
		if m, ok := v.(map[string]any); ok {
			// The names, as an address is written (广东省深圳市南山区…): a
			// municipality once (北京市朝阳区), no country, postal code or
			// division codes, which the import resolves again from the
			// names.
			var b strings.Builder
			for _, p := range []string{"province", "city", "district", "street"} {
				if s, ok := m[p].(string); ok && !(p == "city" && s == m["province"]) {
					b.WriteString(s)
				}
			}
			return b.String()
		}
	}
	if s, ok := v.(string); ok {
		return s
	}
	raw, _ := json.Marshal(v) // a value read from the store marshals
	return string(raw)
}

// options writes picklist values as their labels.
func (x *exporter) options(f *schema.Field, v any) any {
	one := func(s string) string {
		if l, ok := f.OptionLabels[s]; ok {
			return x.pick(l)
		}
		return s
	}
	switch v := v.(type) {
	case string:
		return one(v)
	case []any:
		names := make([]string, 0, len(v))
		for _, s := range v {
			if s, ok := s.(string); ok {
				names = append(names, one(s))
			}
		}
		return strings.Join(names, "、")
	}
	return v
}

func (x *exporter) principal(id string) any {
	if id == "" {
		return nil
	}
	return x.pick(x.sc.snap.principalLabel(id))
}

func (x *exporter) instant(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.In(x.zone).Format("2006-01-02 15:04:05")
}

func (x *exporter) pick(l schema.Label) string {
	if x.lang == "en" && l.En != "" {
		return l.En
	}
	if l.Zh != "" {
		return l.Zh
	}
	return l.En
}

// fileNames reads the names of the files that column c of recs holds, by
// id.
func (x *exporter) fileNames(ctx context.Context, c string, recs []store.Record) (map[string]string, error) {
	out := map[string]string{}
	attachments := x.sc.snap.platform[attachmentObject]
	if attachments == nil {
		return out, nil
	}
	var ids []string
	for _, r := range recs {
		ids = append(ids, FileIDs(r.Data[c])...)
	}
	if len(ids) == 0 {
		return out, nil
	}
	found, err := x.sc.ts.GetMany(ctx, attachments, ids)
	if err != nil {
		return nil, fmt.Errorf("read the files of %s.%s: %w", x.obj.Name, c, err)
	}
	for _, r := range found {
		if at := attachmentOf(r); at.Object == x.obj.Name && at.Field == c {
			out[r.ID] = at.Name
		}
	}
	return out, nil
}
