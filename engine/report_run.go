package engine

import (
	"context"
	"strings"

	"github.com/crmkit/crm/message"
	"github.com/crmkit/crm/schema"
	"github.com/crmkit/crm/store"
)

// ReportResult is one run of a report: its columns (the group fields,
// then the measures) and one row per group.
type ReportResult struct {
	// Report is the definition that ran.
	Report  Report
	Columns []ReportColumn
	// Rows hold one group each: its keys (one per group column, with
	// display labels) and its values (one per measure column).
	Rows    []AggregateGroup
	HasMore bool  // more groups than the report's limit
	Scanned int64 // estimated records read
}

// Kinds of [ReportColumn].
const (
	ColumnGroup   = "group"
	ColumnMeasure = "measure"
)

// ReportColumn describes one column of a report's answer.
type ReportColumn struct {
	// Key names the column in the answer: FIELD or FIELD:BUCKET for a
	// group column, count or FUNCTION:FIELD for a measure.
	Key   string
	Label schema.Label
	Kind  string // ColumnGroup or ColumnMeasure
	Field string // "" for count
	// Bucket is the span a date group column is cut to.
	Bucket store.Bucket
	// Function is a measure column's function.
	Function store.MeasureOp
	// Type is the field's type (currency, picklist, date …); "" for
	// count.
	Type string
}

// RunReport runs a saved report the actor gets (name) or, when def is
// not nil, an unsaved definition (a report builder's preview), through
// [Engine.Aggregate] with the actor's rights. A report over an object or
// a field the actor may not read is refused (FORBIDDEN naming the
// field); a definition that cannot run is BAD_REQUEST with the path of
// each problem; an unknown name is NOT_FOUND.
func (e *Engine) RunReport(ctx context.Context, name string, def *Report) (*ReportResult, error) {
	sc, err := e.scope(ctx)
	if err != nil {
		return nil, err
	}
	a, ts, snap := sc.actor, sc.ts, sc.snap
	var r Report
	if def != nil {
		r = *def
		r.Owner = ""
		if _, err := checkReport(snap, a, &r); err != nil {
			return nil, err
		}
	} else if r, err = e.report(ctx, ts, snap, a, name); err != nil {
		return nil, err
	}
	obj := snap.catalog.Object(r.Object)
	if obj == nil {
		return nil, errorOf(ErrBadRequest, nil, "object.unknown", r.Object)
	}
	res, err := e.Aggregate(ctx, r.Object, AggregateQuery{Filter: r.Filter, GroupBy: r.GroupBy, Measures: r.Measures,
		Having: r.Having, Order: r.Order, First: r.Limit})
	if err != nil {
		return nil, err
	}
	return &ReportResult{Report: r, Columns: reportColumns(obj, r), Rows: res.Groups, HasMore: res.HasMore, Scanned: res.Scanned}, nil
}

// reportColumns describes the columns of a report over obj.
func reportColumns(obj *schema.Object, r Report) []ReportColumn {
	out := make([]ReportColumn, 0, len(r.GroupBy)+len(r.Measures))
	for _, g := range r.GroupBy {
		label, typ := fieldLabel(obj, g.Field)
		bucket := g.Bucket
		if bucket == store.BucketNone && typ == string(schema.TypeDate) {
			bucket = store.BucketDay
		}
		c := ReportColumn{Key: g.Field, Label: label, Kind: ColumnGroup, Field: g.Field, Bucket: bucket, Type: typ}
		if bucket != store.BucketNone {
			c.Key += ":" + string(bucket)
			c.Label = schema.Label{Zh: bucketWord(message.Zh, bucket, label.Zh), En: bucketWord(message.En, bucket, label.En)}
		}
		out = append(out, c)
	}
	for _, m := range r.Measures {
		c := ReportColumn{Key: string(m.Op), Kind: ColumnMeasure, Field: m.Field, Function: m.Op}
		label := schema.Label{}
		if m.Field != "" {
			c.Key += ":" + m.Field
			label, c.Type = fieldLabel(obj, m.Field)
		}
		if m.Op == store.MeasureCountDistinct && c.Type == "" {
			c.Type = "integer"
		}
		c.Label = schema.Label{Zh: measureWord(message.Zh, m.Op, label.Zh), En: measureWord(message.En, m.Op, label.En)}
		out = append(out, c)
	}
	return out
}

// systemFieldLabels name the system fields a report may group by.
var systemFieldLabels = map[string]struct {
	label schema.Label
	typ   string
}{
	"createdAt": {schema.Label{Zh: "创建时间", En: "Created at"}, string(schema.TypeDateTime)},
	"updatedAt": {schema.Label{Zh: "更新时间", En: "Updated at"}, string(schema.TypeDateTime)},
	"createdBy": {schema.Label{Zh: "创建人", En: "Created by"}, "user"},
	"updatedBy": {schema.Label{Zh: "更新人", En: "Updated by"}, "user"},
	"ownerId":   {schema.Label{Zh: "负责人", En: "Owner"}, "user"},
}

// fieldLabel returns the label and type of a field path of obj ("amount",
// "shipTo.city", "ownerId"), falling back to the path itself.
func fieldLabel(obj *schema.Object, path string) (schema.Label, string) {
	if s, ok := systemFieldLabels[path]; ok {
		return s.label, s.typ
	}
	top, part, dotted := strings.Cut(path, ".")
	f := obj.Field(top)
	if f == nil {
		return schema.Label{Zh: path, En: path}, ""
	}
	label := schema.Label{Zh: f.Label.Zh, En: f.Label.En}
	if label.Zh == "" {
		label.Zh = f.Name
	}
	if label.En == "" {
		label.En = f.Name
	}
	if dotted {
		pl, ok := schema.AddressPartLabels[part]
		if !ok {
			pl = schema.Label{Zh: part, En: part}
		}
		return schema.Label{Zh: label.Zh + "（" + pl.Zh + "）", En: label.En + " (" + pl.En + ")"}, "text"
	}
	return label, string(f.Type)
}

// measureWord names a measure of a field in lang.
func measureWord(lang string, op store.MeasureOp, field string) string {
	switch op {
	case store.MeasureCount:
		return message.Text(lang, "report.measureCount")
	case store.MeasureCountDistinct:
		return message.Text(lang, "report.measureCountDistinct", field)
	case store.MeasureSum:
		return message.Text(lang, "report.measureSum", field)
	case store.MeasureAvg:
		return message.Text(lang, "report.measureAvg", field)
	case store.MeasureMin:
		return message.Text(lang, "report.measureMin", field)
	case store.MeasureMax:
		return message.Text(lang, "report.measureMax", field)
	}
	return string(op) + " " + field
}

// bucketWord names a date field cut to a bucket in lang.
func bucketWord(lang string, b store.Bucket, field string) string {
	switch b {
	case store.BucketDay:
		return message.Text(lang, "report.bucketDay", field)
	case store.BucketWeek:
		return message.Text(lang, "report.bucketWeek", field)
	case store.BucketMonth:
		return message.Text(lang, "report.bucketMonth", field)
	case store.BucketQuarter:
		return message.Text(lang, "report.bucketQuarter", field)
	case store.BucketYear:
		return message.Text(lang, "report.bucketYear", field)
	case store.BucketFiscalQuarter:
		return message.Text(lang, "report.bucketFiscalQuarter", field)
	case store.BucketFiscalYear:
		return message.Text(lang, "report.bucketFiscalYear", field)
	}
	return field
}
