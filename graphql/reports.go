package graphql

import (
	"context"
	"encoding/base64"
	"strings"

	"github.com/crmkit/crm/engine"
)

// reportResolvers serve saved reports and dashboards: listing and
// reading them for everyone signed in (each gets what its role may
// read), saving and deleting personal ones for everyone and shared ones
// for administrators, running a report or an unsaved definition, and
// exporting a run as an Excel workbook.
func (s *execSchema) reportResolvers(query, mutation map[string]resolver) {
	eng := s.srv.reports
	query["reports"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		object, _ := fc.args["object"].(string)
		list, err := eng.Reports(ctx, object)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(list))
		for i := range list {
			out[i] = &list[i]
		}
		return out, nil
	}
	query["report"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		r, err := eng.Report(ctx, fc.args["name"].(string))
		if engine.CodeOf(err) == engine.CodeNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return &r, nil
	}
	query["runReport"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		return runReport(ctx, eng, fc)
	}
	query["exportReport"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		res, err := runReport(ctx, eng, fc)
		if err != nil {
			return nil, err
		}
		name := reportFileName(res.Report, fc.req.lang)
		switch format, _ := fc.args["format"].(string); format {
		case "csv":
			text, err := reportCSV(res, fc.req.lang)
			if err != nil {
				return nil, err
			}
			return &fileDownload{fileName: strings.TrimSuffix(name, ".xlsx") + ".csv", contentType: csvContentType,
				base64: base64.StdEncoding.EncodeToString(text)}, nil
		case "", "xlsx":
		default:
			return nil, badRequestf("format is xlsx (the default) or csv, not %q", format)
		}
		book, err := reportWorkbook(res, fc.req.lang)
		if err != nil {
			return nil, err
		}
		return &fileDownload{fileName: name, contentType: xlsxContentType,
			base64: base64.StdEncoding.EncodeToString(book)}, nil
	}
	mutation["saveReport"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		var r engine.Report
		if err := strictJSON(fc.args["report"], &r); err != nil {
			return nil, badRequestf("the report is {name, label: {zh, en}, description, object, filter, groupBy: [{field, bucket}], measures: [{op, field}], having: [{measure, op, value}], order: [{measure, index, desc}], limit, chart: {type}, roles: [role]}: %v", err)
		}
		personal, _ := fc.args["personal"].(bool)
		saved, err := eng.SaveReport(ctx, r, personal)
		if err != nil {
			return nil, err
		}
		return &saved, nil
	}
	mutation["deleteReport"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		personal, _ := fc.args["personal"].(bool)
		if err := eng.DeleteReport(ctx, fc.args["name"].(string), personal); err != nil {
			return nil, err
		}
		return true, nil
	}
	query["dashboards"] = func(ctx context.Context, _ any, _ *fieldCall) (any, error) {
		list, err := eng.Dashboards(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(list))
		for i := range list {
			out[i] = &list[i]
		}
		return out, nil
	}
	query["dashboard"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		d, err := eng.Dashboard(ctx, fc.args["name"].(string))
		if engine.CodeOf(err) == engine.CodeNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return &d, nil
	}
	mutation["saveDashboard"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		var d engine.Dashboard
		if err := strictJSON(fc.args["dashboard"], &d); err != nil {
			return nil, badRequestf("the dashboard is {name, label: {zh, en}, cards: [{report, width}], roles: [role]}: %v", err)
		}
		personal, _ := fc.args["personal"].(bool)
		if _, err := eng.SaveDashboard(ctx, d, personal); err != nil {
			return nil, err
		}
		v, err := eng.Dashboard(ctx, d.Name)
		if err != nil {
			return nil, err
		}
		return &v, nil
	}
	mutation["deleteDashboard"] = func(ctx context.Context, _ any, fc *fieldCall) (any, error) {
		personal, _ := fc.args["personal"].(bool)
		if err := eng.DeleteDashboard(ctx, fc.args["name"].(string), personal); err != nil {
			return nil, err
		}
		return true, nil
	}
}

// runReport runs the report a field's arguments name: a saved one
// (name) or a definition (report), exactly one of them.
func runReport(ctx context.Context, eng Reporting, fc *fieldCall) (*engine.ReportResult, error) {
	name, _ := fc.args["name"].(string)
	raw, hasDef := fc.args["report"]
	hasDef = hasDef && raw != nil
	if (name == "") == !hasDef {
		return nil, badRequestf("name a saved report or give a report definition, not both")
	}
	if name != "" {
		return eng.RunReport(ctx, name, nil)
	}
	var r engine.Report
	if err := strictJSON(raw, &r); err != nil {
		return nil, badRequestf("the report is {name, label, object, filter, groupBy, measures, having, order, limit, chart: {type}}: %v", err)
	}
	return eng.RunReport(ctx, "", &r)
}

// textIn picks a label's text in the request's language, falling
// back to the other one.
func textIn(zh, en, lang string) string {
	if lang == "en" && en != "" || zh == "" {
		return en
	}
	return zh
}

// fileDownload is a file answered as base64 (FileDownload).
type fileDownload struct {
	fileName, contentType, base64 string
}

// reportTypeResolvers serve Report, ReportResult, ReportColumn,
// ReportRow, Dashboard, DashboardCard and FileDownload.
func reportTypeResolvers() map[string]map[string]resolver {
	rp := func(p any) *engine.Report { return p.(*engine.Report) }
	report := map[string]resolver{
		"name":        func(_ context.Context, p any, _ *fieldCall) (any, error) { return rp(p).Name, nil },
		"label":       func(_ context.Context, p any, _ *fieldCall) (any, error) { return rp(p).Label, nil },
		"description": func(_ context.Context, p any, _ *fieldCall) (any, error) { return rp(p).Description, nil },
		"object":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return rp(p).Object, nil },
		"definition":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return rawJSON(rp(p)) },
		"chartType":   func(_ context.Context, p any, _ *fieldCall) (any, error) { return rp(p).Chart.Type, nil },
		"personal":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return rp(p).Owner != "", nil },
		"editable": func(_ context.Context, p any, fc *fieldCall) (any, error) {
			return rp(p).Owner != "" || fc.req.actor.Admin, nil
		},
	}
	rr := func(p any) *engine.ReportResult { return p.(*engine.ReportResult) }
	result := map[string]resolver{
		"columns": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			cols := rr(p).Columns
			out := make([]any, len(cols))
			for i := range cols {
				out[i] = &cols[i]
			}
			return out, nil
		},
		"rows": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			rows := rr(p).Rows
			out := make([]any, len(rows))
			for i := range rows {
				out[i] = &rows[i]
			}
			return out, nil
		},
		"hasMore": func(_ context.Context, p any, _ *fieldCall) (any, error) { return rr(p).HasMore, nil },
		"scanned": func(_ context.Context, p any, _ *fieldCall) (any, error) { return rr(p).Scanned, nil },
	}
	rc := func(p any) *engine.ReportColumn { return p.(*engine.ReportColumn) }
	column := map[string]resolver{
		"key": func(_ context.Context, p any, _ *fieldCall) (any, error) { return rc(p).Key, nil },
		"label": func(_ context.Context, p any, fc *fieldCall) (any, error) {
			return textIn(rc(p).Label.Zh, rc(p).Label.En, fc.req.lang), nil
		},
		"kind":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return rc(p).Kind, nil },
		"field": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(rc(p).Field), nil },
		"bucket": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			return optString(bucketEnum(rc(p).Bucket)), nil
		},
		"function": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			for name, op := range measureFunctions {
				if op == rc(p).Function && op != "" {
					return name, nil
				}
			}
			return nil, nil
		},
		"type": func(_ context.Context, p any, _ *fieldCall) (any, error) { return optString(rc(p).Type), nil },
	}
	rw := func(p any) *engine.AggregateGroup { return p.(*engine.AggregateGroup) }
	row := map[string]resolver{
		"keys": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			keys := rw(p).Keys
			out := make([]any, len(keys))
			for i := range keys {
				out[i] = &keys[i]
			}
			return out, nil
		},
		"values": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			vals := rw(p).Values
			out := make([]any, len(vals))
			for i, v := range vals {
				out[i] = measureNumber(v)
			}
			return out, nil
		},
	}
	dv := func(p any) *engine.DashboardView { return p.(*engine.DashboardView) }
	dashboard := map[string]resolver{
		"name":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return dv(p).Name, nil },
		"label": func(_ context.Context, p any, _ *fieldCall) (any, error) { return dv(p).Label, nil },
		"cards": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			d := dv(p)
			out := make([]any, len(d.Cards))
			for i := range d.Cards {
				out[i] = &dashboardCard{report: &d.Reports[i], width: d.Cards[i].Width}
			}
			return out, nil
		},
		"personal": func(_ context.Context, p any, _ *fieldCall) (any, error) { return dv(p).Owner != "", nil },
		"editable": func(_ context.Context, p any, fc *fieldCall) (any, error) {
			return dv(p).Owner != "" || fc.req.actor.Admin, nil
		},
		"roles": func(_ context.Context, p any, _ *fieldCall) (any, error) {
			roles := dv(p).Roles
			out := make([]any, len(roles))
			for i, r := range roles {
				out[i] = r
			}
			return out, nil
		},
	}
	dc := func(p any) *dashboardCard { return p.(*dashboardCard) }
	card := map[string]resolver{
		"report": func(_ context.Context, p any, _ *fieldCall) (any, error) { return dc(p).report, nil },
		"width":  func(_ context.Context, p any, _ *fieldCall) (any, error) { return int64(dc(p).width), nil },
	}
	fd := func(p any) *fileDownload { return p.(*fileDownload) }
	file := map[string]resolver{
		"fileName":    func(_ context.Context, p any, _ *fieldCall) (any, error) { return fd(p).fileName, nil },
		"contentType": func(_ context.Context, p any, _ *fieldCall) (any, error) { return fd(p).contentType, nil },
		"base64":      func(_ context.Context, p any, _ *fieldCall) (any, error) { return fd(p).base64, nil },
	}
	return map[string]map[string]resolver{"Report": report, "ReportResult": result, "ReportColumn": column,
		"ReportRow": row, "Dashboard": dashboard, "DashboardCard": card, "FileDownload": file}
}

// dashboardCard is one card of a dashboard as a caller gets it.
type dashboardCard struct {
	report *engine.Report
	width  int
}

// measureNumber is a measure's value as a Float: counts become floats,
// a measure without a value null.
func measureNumber(v any) any {
	switch n := v.(type) {
	case int64:
		return float64(n)
	case float64:
		return n
	}
	return nil
}

const reportSDLQuery = `  "The saved reports the caller gets, of one object or of every object: shared ones (those limited to other roles left out), then the caller's own; reports over objects or fields the caller may not read are left out."
  reports(object: String): [Report!]!
  "A saved report the caller gets by name (its own before a shared one), or null."
  report(name: String!): Report
  "Runs a saved report (name) or an unsaved definition (report, in the shape saveReport takes: a report builder's live preview) with the caller's rights."
  runReport(name: String, report: JSON): ReportResult!
  "Runs a report as runReport does and answers it as a file: format xlsx (the default), an Excel workbook with one sheet named for the report, a header row, one row per group; or csv, UTF-8 with a byte order mark for Excel, the same rows with the measures as plain numbers."
  exportReport(name: String, report: JSON, format: String): FileDownload!
  "The dashboards the caller gets: shared ones (those limited to other roles left out), then its own, each with the cards of the reports the caller gets."
  dashboards: [Dashboard!]!
  "A dashboard the caller gets by name (its own before a shared one), or null."
  dashboard(name: String!): Dashboard
`

const reportSDLMutation = `  "Saves a report {name, label: {zh, en}, description, object, filter, groupBy: [{field, bucket}], measures: [{op, field}], having: [{measure, op, value}], order: [{measure, index, desc}], limit (1-1000), chart: {type}, roles}: a shared one (administrators only) or with personal: true the caller's own. chart.type is table, bar, stackedBar, line, pie, donut, funnel, kpi or pivot; a report that cannot run is VALIDATION_FAILED with its problems (path and message)."
  saveReport(report: JSON!, personal: Boolean): Report
  "Deletes a shared report (administrators only) or with personal: true one of the caller's own."
  deleteReport(name: String!, personal: Boolean): Boolean
  "Saves a dashboard {name, label: {zh, en}, cards: [{report, width: 1-24}] (at most 24), roles}: a shared one (administrators only) or with personal: true the caller's own."
  saveDashboard(dashboard: JSON!, personal: Boolean): Dashboard
  "Deletes a shared dashboard (administrators only) or with personal: true one of the caller's own."
  deleteDashboard(name: String!, personal: Boolean): Boolean
`

const reportSDL = `
"A saved report: an aggregation of one object's records and the chart that shows it."
type Report {
  name: String!
  label: Label!
  description: Label
  "The object whose records it groups."
  object: String!
  "The whole definition, as saveReport takes it."
  definition: JSON!
  "table, bar, stackedBar, line, pie, donut, funnel, kpi or pivot."
  chartType: String!
  "True for the caller's own report, false for a shared one."
  personal: Boolean!
  "Whether the caller may change or delete it."
  editable: Boolean!
}

"One run of a report."
type ReportResult {
  "The group columns, then the measure columns."
  columns: [ReportColumn!]!
  "One row per group, in the report's order."
  rows: [ReportRow!]!
  "True when more groups matched than the report's limit."
  hasMore: Boolean!
  "The records the run read: its cost."
  scanned: Int!
}

"One column of a report's answer."
type ReportColumn {
  "FIELD or FIELD:BUCKET for a group column; count or FUNCTION:FIELD for a measure."
  key: String!
  "The column's heading in the request's language."
  label: String!
  "group or measure."
  kind: String!
  field: String
  bucket: DateBucket
  function: AggregateFunction
  "The field's type (currency, picklist, date …)."
  type: String
}

"One group of a report's answer."
type ReportRow {
  "One per group column."
  keys: [GroupKey!]!
  "One per measure column; null when no record of the group has a value."
  values: [Float]!
}

"A saved dashboard of report cards."
type Dashboard {
  name: String!
  label: Label!
  "The cards of the reports the caller gets, in order."
  cards: [DashboardCard!]!
  personal: Boolean!
  editable: Boolean!
  "The roles a shared dashboard is limited to (administrators always get it); empty: everyone."
  roles: [String!]!
}

"One card of a dashboard."
type DashboardCard {
  report: Report!
  "Its width in 24ths of a desktop row (a phone shows one card per row)."
  width: Int!
}

"A file to download."
type FileDownload {
  fileName: String!
  contentType: String!
  "The file's content, base64 (RFC 4648 standard encoding)."
  base64: String!
}
`
